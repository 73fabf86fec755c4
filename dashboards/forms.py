"""The filter form shown on every dashboard page, and the items it selects.

The parameter names (unit=<id>, document=<id>, leader=<name>, tag=<name>) are the item list's,
so that a drill-down link can carry the current filters over unchanged.
"""

from django import forms
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from tracker.models import Item, ItemOwner, ItemPerson, SourceDocument, Tag, Unit

# The filters the item list understands too; `year` is the dashboards' own.
SHARED_PARAMS = ("document", "unit", "leader", "tag")


class DashboardFilter(forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int, empty_value=None)
    document = forms.ModelChoiceField(
        label=_("来源文档"), required=False, queryset=SourceDocument.objects.none(),
        empty_label=_("全部文档"),
    )
    unit = forms.ModelChoiceField(
        label=_("单位"), required=False, queryset=Unit.objects.none(), empty_label=_("全部单位")
    )
    leader = forms.ChoiceField(label=_("责任领导"), required=False)
    tag = forms.ModelChoiceField(
        label=_("标签"), required=False, queryset=Tag.objects.none(), to_field_name="name",
        empty_label=_("全部标签"),
    )

    def __init__(self, data=None, *, user):
        super().__init__(data)
        self.user = user
        # The span of due dates (two index look-ups), not a scan for each distinct year.
        span = Item.objects.aggregate(first=Min("due_date"), last=Max("due_date"))
        this_year = timezone.localdate().year
        first = span["first"].year if span["first"] else this_year
        last = span["last"].year if span["last"] else this_year
        choices = range(max(last, this_year), min(first, this_year) - 1, -1)
        self.fields["year"].choices = [("", _("全部年度"))] + [
            (y, _("%(year)s年") % {"year": y}) for y in choices
        ]
        self.fields["document"].queryset = SourceDocument.objects.only(
            "id", "title", "doc_number"
        ).order_by("-signed_on", "title")
        units = Unit.objects.only("id", "name").order_by("name")
        if not user.sees_everything:
            # Unit members pick among the units sharing their items, not the whole city.
            units = units.filter(
                item_roles__item__in=Item.objects.visible_to(user)
            ).distinct()
        self.fields["unit"].queryset = units
        leaders = (
            ItemPerson.objects.filter(role=ItemPerson.Role.LEADER)
            .values_list("name", flat=True).distinct().order_by("name")
        )
        self.fields["leader"].choices = [("", _("全部领导"))] + [(n, n) for n in leaders]
        self.fields["tag"].queryset = Tag.objects.order_by("name")

    def rendered(self):
        """(label, <select> HTML, errors) per field. Django's widget templates render each
        <option> through two template includes: hundreds of units made that the slowest part
        of a dashboard page."""
        for bound in self:
            current = "" if bound.value() is None else str(bound.value())
            options = format_html_join(
                "", '<option value="{}"{}>{}</option>',
                ((value, " selected" if str(value) == current else "", label)
                 for value, label in bound.field.choices),
            )
            select = format_html('<select name="{}" id="{}">{}</select>', bound.html_name,
                                 bound.id_for_label, options)
            yield bound.label, select, bound.errors

    def selected(self):
        """The cleaned filters that are set (invalid ones are dropped, the form shows why)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: value for name, value in data.items() if value not in (None, "")}

    def shared_params(self):
        """Current filters as item-list query parameters."""
        params = {}
        for name, value in self.selected().items():
            if name in SHARED_PARAMS:
                params[name] = value.name if name == "tag" else getattr(value, "pk", value)
        return params


def filter_items(items, selected):
    """Narrow an item queryset by the selected filters (subqueries: no duplicate rows)."""
    if "year" in selected:
        items = items.filter(due_date__year=selected["year"])
    if "document" in selected:
        items = items.filter(document=selected["document"])
    if "unit" in selected:
        items = items.filter(
            pk__in=ItemOwner.objects.filter(unit=selected["unit"]).values("item_id")
        )
    if "leader" in selected:
        items = items.filter(
            pk__in=ItemPerson.objects.filter(
                role=ItemPerson.Role.LEADER, name=selected["leader"]
            ).values("item_id")
        )
    if "tag" in selected:
        items = items.filter(pk__in=Item.tags.through.objects.filter(
            tag=selected["tag"]).values("item_id"))
    return items
