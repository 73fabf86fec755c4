"""Forms of the tracking pages: one form per workflow action (the list's filter: filters.py).

Every form that changes an item carries the item's version (a hidden field); the action
compares it with the stored one so that a second save of the same version becomes a conflict.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracker.lib import plausible
from tracker.lib.plausible import PlausibleDateValidator
from tracker.models import (
    Item,
    Unit,
)
from tracker.tracking.actions import ActionError, check_evidence_file


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PlausibleDateInput(DateInput):
    """The browser's date picker offers the plausible range (as of the page's day)."""

    def get_context(self, name, value, attrs):
        earliest, latest = plausible.bounds()
        attrs = {"min": earliest.isoformat(), "max": latest.isoformat(), **(attrs or {})}
        return super().get_context(name, value, attrs)


class PlausibleDateField(forms.DateField):
    """A date a person sets: within the plausible range (tracker/lib/plausible.py)."""

    default_validators = [PlausibleDateValidator()]
    widget = PlausibleDateInput


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

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={
            "invalid": _("页面的版本号有误，请刷新页面后重试。"),
            "required": _("页面的版本号缺失，请刷新页面后重试。"),
        },
    )


class SignForm(VersionForm):
    pass


class ReportForm(VersionForm):
    percent = forms.IntegerField(label=_("完成进度(%)"), min_value=0, max_value=100)
    narrative = forms.CharField(
        label=_("进展情况"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    files = EvidenceField(
        label=_("佐证材料"),
        required=False,
        help_text=_("可多选；PDF、图片、Word、Excel、文本或压缩包"),
    )


class ExtensionRequestForm(VersionForm):
    new_date = PlausibleDateField(label=_("申请延期至"))
    reason = forms.CharField(
        label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

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
    reason = forms.CharField(
        label=_("办结情况说明"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    files = EvidenceField(
        label=_("佐证材料"), required=True, help_text=_("申请办结须附佐证材料，可多选")
    )


class DecisionForm(VersionForm):
    APPROVE, REJECT = "approve", "reject"
    decision = forms.ChoiceField(
        label=_("审核结果"),
        widget=forms.RadioSelect,
        choices=[(APPROVE, _("同意")), (REJECT, _("退回"))],
    )
    note = forms.CharField(
        label=_("审核意见"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.REJECT and not data.get("note", "").strip():
            self.add_error("note", _("退回时请写明理由。"))
        return data


class ExtensionDecisionForm(DecisionForm):
    """The office may grant another date than the one asked; then a reason is required."""

    granted_date = PlausibleDateField(
        label=_("批准延期至"),
        required=False,
        help_text=_("默认为申请的日期；调整时请在审核意见中写明理由"),
    )

    def __init__(self, *args, asked=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.asked = asked
        if asked is not None:
            self.fields["granted_date"].initial = asked

    def clean(self):
        data = super().clean()
        granted = data.get("granted_date")
        if data.get("decision") != self.APPROVE or granted is None:
            return data
        if granted <= timezone.localdate():
            self.add_error("granted_date", _("延期日期须晚于今天。"))
        elif granted != self.asked and not data.get("note", "").strip():
            self.add_error("note", _("批准的延期日期与申请不同时，请写明理由。"))
        return data


class ReturnReportForm(forms.Form):
    note = forms.CharField(
        label=_("退回理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class UnitReviewForm(VersionForm):
    """The unit head's decision on a completion request before it goes to the office."""

    CONFIRM, RETURN = "confirm", "return"
    decision = forms.ChoiceField(
        label=_("部门负责人意见"),
        widget=forms.RadioSelect,
        choices=[(CONFIRM, _("确认，报督查室审核")), (RETURN, _("退回"))],
    )
    note = forms.CharField(
        label=_("意见"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.RETURN and not data.get("note", "").strip():
            self.add_error("note", _("退回时请写明理由。"))
        return data


class GradeForm(VersionForm):
    grade = forms.ChoiceField(
        label=_("评定等次"), choices=Item.Grade.choices, widget=forms.RadioSelect
    )


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("内容"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    # Leaders only (the item page drops it for others): a 批示 with a date becomes a 批示件.
    due_date = PlausibleDateField(
        label=_("反馈时限（可选）"),
        required=False,
        help_text=_("设定后，该批示转为批示件，由责任单位签收办理并反馈"),
    )

    def clean_due_date(self):
        due = self.cleaned_data.get("due_date")
        if due is not None and due < timezone.localdate():
            raise forms.ValidationError(_("反馈时限不能早于今天。"))
        return due


class UrgeForm(forms.Form):
    text = forms.CharField(
        label=_("催办内容"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        initial=_("请抓紧办理，按时反馈进展。"),
    )


class AdhocForm(forms.Form):
    SIMPLE, COMPLEX = "simple", "complex"
    text = forms.CharField(
        label=_("交办事项"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    lead = forms.ModelChoiceField(label=_("承办（牵头）单位"), queryset=Unit.objects.all())
    co_units = forms.ModelMultipleChoiceField(
        label=_("配合单位"),
        queryset=Unit.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    received_on = PlausibleDateField(label=_("接收日期"), initial=timezone.localdate)
    complexity = forms.ChoiceField(
        label=_("办理类型"),
        widget=forms.RadioSelect,
        initial=SIMPLE,
        choices=[
            (SIMPLE, _("能马上落实：3-5个工作日内反馈")),
            (COMPLEX, _("暂时无法解决：5-7个工作日内反馈")),
        ],
    )
    due_date = PlausibleDateField(label=_("办结时限（可选）"), required=False)

    def clean(self):
        data = super().clean()
        received, due = data.get("received_on"), data.get("due_date")
        if received and due and due < received:
            self.add_error("due_date", _("办结时限不能早于接收日期。"))
        return data
