"""Forms of the office's item pages: edit, split (分解), withdraw (撤销) and restore.

An owner is linked to a unit ("u<id>"), a unit group ("g<id>") or kept as written ("": shown
as 未对应单位). Every form carries the item's version (optimistic locking).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from tracker.lib.numbers import parse_id
from tracker.models import Deadline, ItemOwner, ItemPerson, Unit, UnitGroup, User
from tracker.tracking import editing
from tracker.tracking.forms import PlausibleDateField, VersionForm


def link_choices():
    """Units and unit groups for an owner's link, grouped; "" keeps the name as written."""
    units = [(f"u{pk}", name) for pk, name in Unit.objects.values_list("pk", "name")]
    groups = [(f"g{pk}", name) for pk, name in UnitGroup.objects.values_list("pk", "name")]
    return [("", _("未对应单位（按原文保留）")), (_("单位"), units), (_("单位组"), groups)]


def resolve_link(value):
    """(unit, group) for a link choice; (None, None) for none or one that is gone."""
    if not value:
        return None, None
    pk = parse_id(value[1:])
    if value[:1] == "u" and pk:
        return Unit.objects.filter(pk=pk).first(), None
    if value[:1] == "g" and pk:
        return None, UnitGroup.objects.filter(pk=pk).first()
    return None, None


def link_of(owner):
    if owner.unit_id:
        return f"u{owner.unit_id}"
    if owner.group_id:
        return f"g{owner.group_id}"
    return ""


class EditForm(VersionForm):
    text = forms.CharField(
        label=_("任务内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    due_date = PlausibleDateField(
        label=_("完成时限"),
        required=False,
        help_text=_("留空表示长期推进；原时限所在的时限行随之调整"),
    )
    tags = forms.CharField(
        label=_("标签"), required=False, max_length=500, help_text=_("多个标签用顿号或逗号分隔")
    )

    def clean_tags(self):
        raw = self.cleaned_data["tags"].replace("，", "、").replace(",", "、")
        names = []
        for name in (part.strip() for part in raw.split("、")):
            if name and name not in names:
                if len(name) > 50:
                    raise forms.ValidationError(_("标签不能超过 50 个字。"))
                names.append(name)
        return names


class OwnerForm(forms.Form):
    role = forms.ChoiceField(label=_("角色"), choices=ItemOwner.Role.choices)
    name = forms.CharField(label=_("文中名称"), max_length=200, required=False)
    link = forms.ChoiceField(label=_("对应单位或单位组"), required=False, choices=())

    def __init__(self, *args, links=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["link"].choices = links

    def clean(self):
        data = super().clean()
        unit, group = resolve_link(data.get("link", ""))
        if data.get("link") and unit is None and group is None:
            self.add_error("link", _("所选单位已不存在，请重新选择。"))
        if not data.get("name", "").strip() and (unit or group):
            data["name"] = (unit or group).name
        data["unit"], data["group"] = unit, group
        return data


class PersonForm(forms.Form):
    role = forms.ChoiceField(label=_("角色"), choices=ItemPerson.Role.choices)
    name = forms.CharField(label=_("姓名或名称"), max_length=200, required=False)
    user = forms.ModelChoiceField(
        label=_("对应账号"),
        required=False,
        queryset=User.objects.filter(is_active=True).order_by("display_name", "username"),
    )


class MilestoneForm(forms.Form):
    id = forms.IntegerField(
        widget=forms.HiddenInput,
        required=False,
        min_value=1,
        error_messages={"invalid": _("时限的编号有误，请刷新页面后重试。")},
    )
    kind = forms.ChoiceField(label=_("类型"), choices=Deadline.Kind.choices)
    what = forms.CharField(label=_("事项"), max_length=200, required=False)
    expr = forms.CharField(label=_("原文表述"), max_length=100, required=False)
    date = PlausibleDateField(label=_("日期"), required=False)


class BaseRows(forms.BaseFormSet):
    """Rows left empty are no rows; a row marked 删除 is taken off."""

    def rows(self):
        return [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and (form.cleaned_data.get("name", "x") or "").strip()
        ]


OwnerFormSet = forms.formset_factory(
    OwnerForm, formset=BaseRows, extra=2, can_delete=True, max_num=200, validate_max=True
)
PersonFormSet = forms.formset_factory(
    PersonForm, formset=BaseRows, extra=1, can_delete=True, max_num=100, validate_max=True
)
MilestoneFormSet = forms.formset_factory(
    MilestoneForm, formset=BaseRows, extra=1, can_delete=True, max_num=100, validate_max=True
)


def edit_forms(item, data=None):
    """(form, owners, people, milestones) for `item`; bound to `data` when given."""
    links = link_choices()
    initial = {
        "version": item.version,
        "text": item.text,
        "due_date": item.due_date,
        "tags": "、".join(t.name for t in item.tags.all()),
    }
    owners = [{"role": o.role, "name": o.name, "link": link_of(o)} for o in item.owners.all()]
    people = [{"role": p.role, "name": p.name, "user": p.user_id} for p in item.people.all()]
    rows = [
        {"id": d.pk, "kind": d.kind, "what": d.what, "expr": d.expr, "date": d.date}
        for d in item.deadlines.all()
        if not d.closed
    ]
    return (
        EditForm(data, initial=initial),
        OwnerFormSet(data, prefix="owner", initial=owners, form_kwargs={"links": links}),
        PersonFormSet(data, prefix="person", initial=people),
        MilestoneFormSet(data, prefix="deadline", initial=rows),
    )


def to_edit(form, owners, people, milestones):
    """The editing.Edit that valid forms describe."""
    data = form.cleaned_data
    kept = []
    for row in milestones.forms:
        cleaned = row.cleaned_data
        if not cleaned:
            continue
        if not cleaned.get("id") and (
            cleaned.get("DELETE")
            or not (cleaned.get("date") or cleaned.get("what") or cleaned.get("expr"))
        ):
            continue
        kept.append(
            editing.Milestone(
                pk=cleaned.get("id"),
                kind=cleaned["kind"],
                what=cleaned.get("what", ""),
                expr=cleaned.get("expr", ""),
                date=cleaned.get("date"),
                remove=bool(cleaned.get("DELETE")),
            )
        )
    return editing.Edit(
        text=data["text"],
        owners=[
            editing.Owner(r["role"], r["name"].strip(), r["unit"], r["group"])
            for r in owners.rows()
        ],
        people=[editing.Person(r["role"], r["name"].strip(), r.get("user")) for r in people.rows()],
        due_date=data["due_date"],
        milestones=kept,
        tags=data["tags"],
    )


# ---- 分解 ----------------------------------------------------------------------------------


class PartForm(forms.Form):
    text = forms.CharField(
        label=_("子任务内容"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    lead = forms.ChoiceField(label=_("牵头单位"), required=False, choices=())
    co = forms.MultipleChoiceField(
        label=_("配合单位"),
        required=False,
        choices=(),
        widget=forms.SelectMultiple(attrs={"size": 3}),
    )
    due_date = PlausibleDateField(label=_("完成时限"), required=False)

    def __init__(self, *args, links=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].choices = [("", "—")] + list(links[1:])
        self.fields["co"].choices = list(links[1:])

    def clean(self):
        data = super().clean()
        if not data.get("text", "").strip():
            if data.get("lead") or data.get("co") or data.get("due_date"):
                self.add_error("text", _("请填写子任务内容。"))
            return data
        if not data.get("lead"):
            self.add_error("lead", _("请选择牵头单位。"))
        return data


class SplitForm(VersionForm):
    pass


PartFormSet = forms.formset_factory(PartForm, extra=3, max_num=50, validate_max=True)


def split_forms(item, data=None):
    links = link_choices()
    return (
        SplitForm(data, initial={"version": item.version}),
        PartFormSet(data, prefix="part", form_kwargs={"links": links}),
    )


def _owner(role, value):
    unit, group = resolve_link(value)
    target = unit or group
    return editing.Owner(role, target.name, unit, group) if target else None


def to_parts(parts):
    out = []
    for form in parts.forms:
        data = form.cleaned_data
        if not data or not data.get("text", "").strip():
            continue
        lead = _owner(ItemOwner.Role.LEAD, data["lead"])
        if lead is None:
            continue
        co = [o for o in (_owner(ItemOwner.Role.CO, v) for v in data.get("co", [])) if o]
        out.append(editing.Part(text=data["text"], lead=lead, co=co, due_date=data.get("due_date")))
    return out


class WithdrawForm(VersionForm):
    reason = forms.CharField(
        label=_("撤销理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class RestoreForm(VersionForm):
    pass
