"""The office's unit groups page: collective owners (各镇(街道), 市直各部门) and their members.

An item owned by a group reaches every member (ItemQuerySet.visible_to, UnitGroup.reaching);
the office defines the members once here: listed units, plus optionally every unit of one kind
(so a town added to the register joins 各镇(街道) by itself). Every change is audited
(django-simple-history on UnitGroup). Guarded by MANAGE_UNITS (the office and administrators).
"""

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracker import access as perms
from tracker.models import Unit, UnitGroup


class UnitGroupForm(forms.ModelForm):
    members = forms.ModelMultipleChoiceField(
        label=gettext_lazy("成员单位"),
        required=False,
        queryset=Unit.objects.order_by("kind", "name"),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = UnitGroup
        fields = ["name", "member_kind", "members"]
        help_texts = {
            "member_kind": gettext_lazy("选择后，该类别的全部单位（包括以后新增的）都是成员")
        }

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("请填写名称。"))
        return name


@perms.office_required(perms.MANAGE_UNITS)
def group_list(request):
    groups = UnitGroup.objects.annotate(
        listed=Count("members", distinct=True), items=Count("item_roles", distinct=True)
    )
    return render(request, "tracker/units/groups.html", {"groups": groups.order_by("name")})


@perms.office_required(perms.MANAGE_UNITS)
def group_edit(request, pk=None):
    group = get_object_or_404(UnitGroup, pk=pk) if pk is not None else None
    form = UnitGroupForm(request.POST or None, instance=group)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save(commit=False)
            saved._history_user = request.user
            saved.save()
            form.save_m2m()
        messages.success(request, _("单位组“%(name)s”已保存。") % {"name": saved.name})
        return redirect("unit_groups")
    members = group.member_units() if group else Unit.objects.none()
    return render(
        request,
        "tracker/units/group_form.html",
        {"form": form, "group": group, "members": members},
        status=400 if form.is_bound else 200,
    )
