"""The one item filter: the item list, the 台账 export and every dashboard narrow items here.

The parameter names are public (dashboards link to the item list with them): q, unit, lead,
leader,
document, status, state, light, grade, kind, tag, due, due_from, due_to, category, level,
county, overdue,
year, sort. Every choice offered (documents,
units, leaders, tags, years) comes from the items the user may see, so a unit member's
dropdowns never show another unit's documents or leaders; a value outside those choices is
an invalid filter and is ignored with the form's message.
"""

import datetime

import django_filters
from django import forms
from django.db.models import F, Max, Min, Q
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from tracker.models import (
    Item,
    ItemOwner,
    ItemPerson,
    Light,
    PaceSettings,
    SourceDocument,
    Tag,
    Unit,
    annotate_pace,
)
from tracker.models.items import lead_owner

SORTS = {
    "ref": ("document_id", "line_start", "id"),
    "due": (F("due_date").asc(nulls_last=True), "id"),
    "-due": (F("due_date").desc(nulls_last=True), "id"),
    "percent": ("percent", "id"),
    "-percent": ("-percent", "id"),
    "-updated": ("-updated_at", "-id"),
}
SORT_CHOICES = [
    ("ref", _("按文档顺序")),
    ("due", _("完成时限由近到远")),
    ("-due", _("完成时限由远到近")),
    ("-percent", _("进度由高到低")),
    ("percent", _("进度由低到高")),
    ("-updated", _("最近更新")),
]
# Filters on the table columns kept in Item.fields, by parameter name.
FIELD_KEYS = {"level": "层级", "county": "建设地点"}
# The category parameter of items with neither a section nor a 类别 column.
UNCLASSIFIED = "-"
# The year dropdown spans the due dates around today, never a stray date's millennia.
YEAR_SPAN = 10


def matching_ids(word):
    """Ids of the items whose text, number, section, owners or people contain `word`.

    A UNION of three index-friendly SELECTs rather than one OR over the item table: on
    PostgreSQL each part can use its pg_trgm index (migration 0006_search_trigram_indexes,
    built on UPPER(...) because that is what icontains compares), where an OR mixing columns
    and subqueries forces a scan of every item.
    """
    items = (
        Item.objects.filter(
            Q(text__icontains=word) | Q(ref__icontains=word) | Q(section__icontains=word)
        )
        .order_by()
        .values("pk")
    )
    owners = ItemOwner.objects.filter(name__icontains=word).order_by().values("item_id")
    people = ItemPerson.objects.filter(name__icontains=word).order_by().values("item_id")
    return items.union(owners, people)


def _with_state(queryset):
    return queryset if "state" in queryset.query.annotations else queryset.with_state()


class ItemFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search", max_length=100)
    unit = django_filters.ModelChoiceFilter(
        label=_("单位"), queryset=Unit.objects.none(), method="by_unit", empty_label=_("全部单位")
    )
    lead = django_filters.ModelChoiceFilter(
        label=_("牵头单位"),
        queryset=Unit.objects.none(),
        method="by_lead",
        empty_label=_("全部单位"),
    )
    leader = django_filters.ChoiceFilter(
        label=_("责任领导"), method="by_leader", empty_label=_("全部领导")
    )
    document = django_filters.ModelChoiceFilter(
        label=_("来源文档"), queryset=SourceDocument.objects.none(), empty_label=_("全部文档")
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=Item.Status.choices, empty_label=_("全部状态")
    )
    state = django_filters.ChoiceFilter(
        label=_("时限状态"), choices=Item.State.choices, method="by_state", empty_label=_("全部")
    )
    light = django_filters.ChoiceFilter(
        label=_("序时进度"), choices=Light.choices, method="by_light", empty_label=_("全部")
    )
    grade = django_filters.ChoiceFilter(
        label=_("评定等次"), choices=Item.Grade.choices, empty_label=_("全部")
    )
    kind = django_filters.ChoiceFilter(
        label=_("类型"), choices=Item.Kind.choices, empty_label=_("全部类型")
    )
    tag = django_filters.ChoiceFilter(label=_("标签"), method="by_tag", empty_label=_("全部标签"))
    year = django_filters.ChoiceFilter(label=_("年度"), method="by_year", empty_label=_("全部年度"))
    due_from = django_filters.DateFilter(
        label=_("完成时限自"), field_name="due_date", lookup_expr="gte"
    )
    due_to = django_filters.DateFilter(
        label=_("完成时限至"), field_name="due_date", lookup_expr="lte"
    )
    category = django_filters.CharFilter(label=_("项目类别"), method="by_category", max_length=200)
    level = django_filters.CharFilter(label=_("层级"), method="by_field", max_length=100)
    county = django_filters.CharFilter(label=_("建设地点"), method="by_field", max_length=100)
    due = django_filters.NumberFilter(
        label=_("N天内到期"), method="due_within", min_value=0, max_value=3650, decimal_places=0
    )
    overdue = django_filters.BooleanFilter(
        label=_("仅看逾期"), method="only_overdue", widget=forms.CheckboxInput
    )
    sort = django_filters.ChoiceFilter(
        label=_("排序"), choices=SORT_CHOICES, method="keep", empty_label=None
    )

    class Meta:
        model = Item
        fields: list[str] = []

    def __init__(self, data=None, *, user, queryset=None, today=None):
        visible = Item.objects.visible_to(user).active()  # withdrawn items: not counted
        super().__init__(data, queryset=queryset if queryset is not None else visible)
        self.user = user
        self.today = today or timezone.localdate()
        scoped = not user.sees_everything  # skip semi-joins over every item when it is all
        documents = SourceDocument.objects.only("id", "title", "doc_number")
        units = Unit.objects.only("id", "name")
        leaders = ItemPerson.objects.filter(role=ItemPerson.Role.LEADER)
        tags = Tag.objects.all()
        span = Item.objects
        if scoped:
            documents = documents.filter(pk__in=visible.values("document_id"))
            units = units.filter(item_roles__item__in=visible).distinct()
            leaders = leaders.filter(item__in=visible)
            tags = tags.filter(items__in=visible).distinct()
            span = visible
        self.filters["document"].queryset = documents.order_by("-signed_on", "title")
        self.filters["unit"].queryset = units.order_by("name")
        self.filters["lead"].queryset = self.filters["unit"].queryset
        names = leaders.order_by("name").values_list("name", flat=True).distinct()
        self.filters["leader"].extra["choices"] = [(n, n) for n in names]
        self.filters["tag"].extra["choices"] = [
            (n, n) for n in tags.order_by("name").values_list("name", flat=True)
        ]
        self.filters["year"].extra["choices"] = [
            (y, _("%(year)s年") % {"year": y}) for y in self._years(span)
        ]

    def _years(self, items):
        """Years from the latest due date to the earliest (two index look-ups), clipped."""
        span = items.aggregate(first=Min("due_date"), last=Max("due_date"))
        this = self.today.year
        first = max(span["first"].year if span["first"] else this, this - YEAR_SPAN)
        last = min(span["last"].year if span["last"] else this, this + YEAR_SPAN)
        return range(max(last, this), min(first, this) - 1, -1)

    # -- filters -----------------------------------------------------------------------------
    def search(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(pk__in=matching_ids(word))
        return queryset

    def by_unit(self, queryset, name, unit):
        return queryset.filter(pk__in=ItemOwner.objects.filter(unit=unit).values("item_id"))

    def by_lead(self, queryset, name, unit):
        """Items whose lead owner (tracker.models.items.lead_owner) is this unit."""
        return queryset.annotate(lead_unit_id=lead_owner("unit_id")).filter(lead_unit_id=unit.pk)

    def by_leader(self, queryset, name, value):
        return queryset.filter(
            pk__in=ItemPerson.objects.filter(role=ItemPerson.Role.LEADER, name=value).values(
                "item_id"
            )
        )

    def by_tag(self, queryset, name, value):
        return queryset.filter(
            pk__in=Item.tags.through.objects.filter(tag__name=value).values("item_id")
        )

    def by_state(self, queryset, name, value):
        return _with_state(queryset).filter(state=value)

    def by_light(self, queryset, name, value):
        """The 序时进度 light (tracker.models.pace), annotated here unless it already is."""
        if "pace_light" not in queryset.query.annotations:
            queryset = annotate_pace(_with_state(queryset), self.today, PaceSettings.load())
        return queryset.filter(pace_light=value)

    def by_category(self, queryset, name, value):
        """A project category as the dashboards group them: the first part of the section
        path, else the 类别 column; 未分类 (unclassified) is neither."""
        if value == UNCLASSIFIED:
            return queryset.filter(section="").exclude(fields__has_key="类别")
        return queryset.filter(
            Q(section=value)
            | Q(section__startswith=f"{value} / ")
            | (Q(section="") & Q(fields__类别=value))
        )

    def by_field(self, queryset, name, value):
        """A column of the source table kept in Item.fields: 层级 (level), 建设地点 (county)."""
        return queryset.filter(**{f"fields__{FIELD_KEYS[name]}": value})

    def by_year(self, queryset, name, value):
        return queryset.filter(due_date__year=int(value))

    def due_within(self, queryset, name, value):
        return queryset.filter(
            due_date__gte=self.today, due_date__lte=self.today + datetime.timedelta(days=int(value))
        ).exclude(status=Item.Status.COMPLETED)

    def only_overdue(self, queryset, name, value):
        return _with_state(queryset).filter(state=Item.State.OVERDUE) if value else queryset

    def keep(self, queryset, name, value):
        return queryset  # the order is applied by sorted()

    # -- results -----------------------------------------------------------------------------
    def selected(self):
        """The valid filters that are set: {name: cleaned value}."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self.form, "cleaned_data", {})
        return {k: v for k, v in data.items() if k != "sort" and v not in (None, "", False)}

    def sorted(self):
        """The filtered items in the order asked (the item list and the 台账)."""
        self.is_valid()
        order = getattr(self.form, "cleaned_data", {}).get("sort") or "ref"
        return self.qs.order_by(*SORTS[order])

    def params(self, names):
        """The selected filters among `names` as query parameters (drill-down links)."""
        params = {}
        for name, value in self.selected().items():
            if name in names:
                params[name] = getattr(value, "pk", value)
        return params

    def rendered(self, names):
        """(label, <select> HTML, errors) for the named filters. Django's widget templates
        render each <option> through two template includes: hundreds of units made that the
        slowest part of a dashboard page."""
        for name in names:
            bound = self.form[name]
            current = "" if bound.value() is None else str(bound.value())
            options = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                (
                    (value, " selected" if str(value) == current else "", label)
                    for value, label in bound.field.choices
                ),
            )
            select = format_html(
                '<select name="{}" id="{}">{}</select>',
                bound.html_name,
                bound.id_for_label,
                options,
            )
            yield bound.label, select, bound.errors
