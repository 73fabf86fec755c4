"""Forms of the tracking pages: the item list's filters and one form per workflow action.

Every form that changes an item carries the item's version (a hidden field); the action
compares it with the stored one so that a second save of the same version becomes a conflict.
"""

import datetime

from django import forms
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracker.models import (
    Item,
    ItemOwner,
    ItemPerson,
    SourceDocument,
    Unit,
)
from tracker.tracking.actions import ActionError, check_evidence_file


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


# ---- the item list --------------------------------------------------------------------------

SORTS = {
    "ref": ("document_id", "line_start", "id"),
    "due": (F("due_date").asc(nulls_last=True), "id"),
    "-due": (F("due_date").desc(nulls_last=True), "id"),
    "percent": ("percent", "id"),
    "-percent": ("-percent", "id"),
    "-updated": ("-updated_at", "-id"),
}


class ItemFilterForm(forms.Form):
    """The list's filters, read from GET. Parameter names are public: dashboards link here."""

    q = forms.CharField(label=_("搜索"), required=False, max_length=100)
    unit = forms.ModelChoiceField(label=_("单位"), queryset=Unit.objects.all(), required=False,
                                  empty_label=_("全部单位"))
    leader = forms.CharField(label=_("责任领导"), required=False, max_length=100)
    document = forms.ModelChoiceField(label=_("来源文档"), queryset=SourceDocument.objects.none(),
                                      required=False, empty_label=_("全部文档"))
    status = forms.ChoiceField(label=_("状态"), required=False,
                               choices=[("", _("全部状态")), *Item.Status.choices])
    state = forms.ChoiceField(label=_("时限状态"), required=False,
                              choices=[("", _("全部")), *Item.State.choices])
    tag = forms.CharField(label=_("标签"), required=False, max_length=50)
    due = forms.IntegerField(label=_("N天内到期"), required=False, min_value=0, max_value=3650)
    overdue = forms.BooleanField(label=_("仅看逾期"), required=False)
    kind = forms.ChoiceField(label=_("类型"), required=False,
                             choices=[("", _("全部类型")), *Item.Kind.choices])
    sort = forms.ChoiceField(
        label=_("排序"), required=False,
        choices=[("ref", _("按文档顺序")), ("due", _("完成时限由近到远")),
                 ("-due", _("完成时限由远到近")), ("-percent", _("进度由高到低")),
                 ("percent", _("进度由低到高")), ("-updated", _("最近更新"))],
    )

    def __init__(self, data, *, visible):
        super().__init__(data)
        self.fields["document"].queryset = SourceDocument.objects.filter(
            pk__in=visible.exclude(document=None).values("document_id")
        ).order_by("-signed_on", "title")

    def filter(self, queryset, today=None):
        """Narrow a queryset annotated by with_state() to the valid filters given."""
        today = today or timezone.localdate()
        self.is_valid()  # cleaned_data then holds the valid fields only; errors are shown
        data = self.cleaned_data
        if data.get("unit"):
            queryset = queryset.filter(
                pk__in=ItemOwner.objects.filter(unit=data["unit"]).values("item_id")
            )
        if data.get("leader"):
            queryset = queryset.filter(pk__in=ItemPerson.objects.filter(
                role=ItemPerson.Role.LEADER, name=data["leader"].strip()).values("item_id"))
        if data.get("document"):
            queryset = queryset.filter(document=data["document"])
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        if data.get("state"):
            queryset = queryset.filter(state=data["state"])
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        if data.get("tag"):
            queryset = queryset.filter(pk__in=Item.tags.through.objects.filter(
                tag__name=data["tag"].strip()).values("item_id"))
        if data.get("due") is not None:
            queryset = queryset.filter(
                due_date__gte=today, due_date__lte=today + datetime.timedelta(days=data["due"])
            ).exclude(status=Item.Status.COMPLETED)
        if data.get("overdue"):
            queryset = queryset.filter(state=Item.State.OVERDUE)
        for word in data.get("q", "").split():
            queryset = queryset.filter(pk__in=matching_ids(word))
        return queryset.order_by(*SORTS[data.get("sort") or "ref"])


def matching_ids(word):
    """Ids of the items whose text, number, section, owners or people contain `word`.

    A UNION of three index-friendly SELECTs rather than one OR over the item table: on
    PostgreSQL each part can use its pg_trgm index (migration 0006_search_trigram_indexes,
    built on UPPER(...) because that is what icontains compares), where an OR mixing columns
    and subqueries forces a scan of every item.
    """
    items = Item.objects.filter(
        Q(text__icontains=word) | Q(ref__icontains=word) | Q(section__icontains=word)
    ).order_by().values("pk")
    owners = ItemOwner.objects.filter(name__icontains=word).order_by().values("item_id")
    people = ItemPerson.objects.filter(name__icontains=word).order_by().values("item_id")
    return items.union(owners, people)


# ---- workflow -------------------------------------------------------------------------------

class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Several evidence files at once, each checked against the type list and size limit."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        files = [super(EvidenceField, self).clean(f, initial) for f in files]
        if self.required and not files:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        for upload in files:
            try:
                check_evidence_file(upload)
            except ActionError as error:
                raise forms.ValidationError(str(error)) from error
        return files


class VersionForm(forms.Form):
    """Carries the version of the item the user saw (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class SignForm(VersionForm):
    pass


class ReportForm(VersionForm):
    percent = forms.IntegerField(label=_("完成进度(%)"), min_value=0, max_value=100)
    narrative = forms.CharField(label=_("进展情况"), widget=forms.Textarea(attrs={"rows": 4}),
                                max_length=5000)
    files = EvidenceField(label=_("佐证材料"), required=False,
                          help_text=_("可多选；PDF、图片、Word、Excel、文本或压缩包"))


class ExtensionRequestForm(VersionForm):
    new_date = forms.DateField(label=_("申请延期至"), widget=DateInput())
    reason = forms.CharField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=2000)

    def __init__(self, *args, item=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item

    def clean_new_date(self):
        new_date = self.cleaned_data["new_date"]
        if new_date <= timezone.localdate():
            raise forms.ValidationError(_("延期日期须晚于今天。"))
        if self.item is not None and self.item.due_date and new_date <= self.item.due_date:
            raise forms.ValidationError(_("延期日期须晚于现有完成时限。"))
        return new_date


class CompletionRequestForm(VersionForm):
    reason = forms.CharField(label=_("办结情况说明"), widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=5000)
    files = EvidenceField(label=_("佐证材料"), required=True,
                          help_text=_("申请办结须附佐证材料，可多选"))


class DecisionForm(VersionForm):
    APPROVE, REJECT = "approve", "reject"
    decision = forms.ChoiceField(label=_("审核结果"), widget=forms.RadioSelect,
                                 choices=[(APPROVE, _("同意")), (REJECT, _("退回"))])
    note = forms.CharField(label=_("审核意见"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.REJECT and not data.get("note", "").strip():
            self.add_error("note", _("退回时请写明理由。"))
        return data


class GradeForm(VersionForm):
    grade = forms.ChoiceField(label=_("评定等次"), choices=Item.Grade.choices,
                              widget=forms.RadioSelect)


class CommentForm(forms.Form):
    text = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 2}),
                           max_length=2000)


class UrgeForm(forms.Form):
    text = forms.CharField(label=_("催办内容"), widget=forms.Textarea(attrs={"rows": 2}),
                           max_length=2000, initial=_("请抓紧办理，按时反馈进展。"))


class AdhocForm(forms.Form):
    SIMPLE, COMPLEX = "simple", "complex"
    text = forms.CharField(label=_("交办事项"), widget=forms.Textarea(attrs={"rows": 4}),
                           max_length=5000)
    lead = forms.ModelChoiceField(label=_("承办（牵头）单位"), queryset=Unit.objects.all())
    co_units = forms.ModelMultipleChoiceField(
        label=_("配合单位"), queryset=Unit.objects.all(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    received_on = forms.DateField(label=_("接收日期"), widget=DateInput(),
                                  initial=timezone.localdate)
    complexity = forms.ChoiceField(
        label=_("办理类型"), widget=forms.RadioSelect, initial=SIMPLE,
        choices=[(SIMPLE, _("能马上落实：3-5个工作日内反馈")),
                 (COMPLEX, _("暂时无法解决：5-7个工作日内反馈"))],
    )
    due_date = forms.DateField(label=_("办结时限（可选）"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        received, due = data.get("received_on"), data.get("due_date")
        if received and due and due < received:
            self.add_error("due_date", _("办结时限不能早于接收日期。"))
        return data
