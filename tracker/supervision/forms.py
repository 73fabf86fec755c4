"""Forms of the 督办单 pages: issuing (with its once-per-submission token) and replying."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from tracker.models import Item, SupervisionNotice, Unit
from tracker.tracking.forms import EvidenceField


class IssueForm(forms.Form):
    items = forms.ModelMultipleChoiceField(
        label=_("督办事项"), queryset=Item.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    level = forms.ChoiceField(
        label=_("督办等级"),
        choices=SupervisionNotice.Level.choices,
        initial=SupervisionNotice.Level.URGE,
        widget=forms.RadioSelect,
    )
    reply_days = forms.IntegerField(
        label=_("反馈时限(工作日)"), min_value=1, max_value=30, initial=3
    )
    text = forms.CharField(
        label=_("督办要求"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    # Once per submission: a double click or a resent form offers the same token.
    token = forms.CharField(widget=forms.HiddenInput, max_length=40)

    def __init__(self, *args, items=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].queryset = items if items is not None else Item.objects.none()
        self.fields["items"].label_from_instance = lambda item: (
            f"{item.ref} {item.text[:60]}" if item.ref else item.text[:60]
        )
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4().hex)
            self.initial.setdefault("items", list(self.fields["items"].queryset))


class UnitPickForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("承办单位"),
        queryset=Unit.objects.all(),
        required=False,
        empty_label=_("请选择单位"),
    )


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("反馈内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    attachments = EvidenceField(label=_("佐证材料"), required=False)
