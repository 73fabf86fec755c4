"""The supervision office's item pages: edit, split (分解), withdraw (撤销) and restore.

Thin like the workflow views: the item through tracker.access (404 when not visible, 403
without EDIT / SPLIT / WITHDRAW), the forms, one function of tracker.tracking.editing. Bad
input shows the page again with the user's input and the message (400); a conflict shows
the newer item with the user's input kept and the version moved on, so that saving again is
a conscious choice (409).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tracker import access as perms
from tracker.models import Item, ItemOwner, ItemPerson
from tracker.tracking import actions, edit_forms, editing


def _item(user, pk, action):
    queryset = Item.objects.select_related("document", "parent").prefetch_related(
        Prefetch("owners", queryset=ItemOwner.objects.select_related("unit", "group")),
        Prefetch("people", queryset=ItemPerson.objects.select_related("user")),
        "tags",
        "deadlines",
    )
    item = perms.get_item_for(user, pk, queryset)
    perms.require(user, action, item)
    return item


def _with_version(data, version):
    data = data.copy()
    data["version"] = version
    return data


@login_required
def item_edit(request, pk):
    item = _item(request.user, pk, perms.EDIT)
    if request.method != "POST":
        return _edit_page(request, item, edit_forms.edit_forms(item))
    bound = edit_forms.edit_forms(item, request.POST)
    if not all(f.is_valid() for f in bound):
        return _edit_page(request, item, bound, status=400)
    try:
        changed = editing.do_edit(
            request.user, item, bound[0].cleaned_data["version"], edit_forms.to_edit(*bound)
        )
    except actions.Conflict as conflict:
        fresh = _item(request.user, pk, perms.EDIT)
        again = edit_forms.edit_forms(fresh, _with_version(request.POST, conflict.current.version))
        for form in again:
            form.is_valid()
        return _edit_page(request, fresh, again, status=409, conflict=conflict)
    except actions.ActionError as error:
        bound[0].add_error(None, str(error))
        return _edit_page(request, item, bound, status=400)
    if changed:
        messages.success(request, _("已保存修改。"))
    else:
        messages.info(request, _("没有修改任何内容。"))
    return redirect("item_detail", pk=item.pk)


def _edit_page(request, item, forms, status=200, conflict=None):
    form, owners, people, milestones = forms
    return render(
        request,
        "tracker/item_edit.html",
        {
            "item": item,
            "form": form,
            "owners": owners,
            "people": people,
            "milestones": milestones,
            "conflict": conflict,
            "closed": [d for d in item.deadlines.all() if d.closed],
        },
        status=status,
    )


@login_required
def item_split(request, pk):
    item = _item(request.user, pk, perms.SPLIT)
    why_not = editing.can_split(item)
    if request.method != "POST" or why_not:
        return _split_page(
            request,
            item,
            edit_forms.split_forms(item),
            why_not=why_not,
            status=400 if request.method == "POST" else 200,
        )
    bound = edit_forms.split_forms(item, request.POST)
    if not all(f.is_valid() for f in bound):
        return _split_page(request, item, bound, status=400)
    parts = edit_forms.to_parts(bound[1])
    try:
        children = editing.do_split(request.user, item, bound[0].cleaned_data["version"], parts)
    except actions.Conflict as conflict:
        fresh = _item(request.user, pk, perms.SPLIT)
        again = edit_forms.split_forms(fresh, _with_version(request.POST, conflict.current.version))
        for form in again:
            form.is_valid()
        return _split_page(request, fresh, again, status=409, conflict=conflict)
    except actions.ActionError as error:
        bound[0].add_error(None, str(error))
        return _split_page(request, item, bound, status=400)
    messages.success(request, _("已分解为 %(n)s 项子任务。") % {"n": len(children)})
    return redirect("item_detail", pk=item.pk)


def _split_page(request, item, forms, status=200, conflict=None, why_not=""):
    form, parts = forms
    return render(
        request,
        "tracker/item_split.html",
        {
            "item": item,
            "form": form,
            "parts": parts,
            "conflict": conflict,
            "why_not": why_not,
            "children": list(item.children.order_by("pk")),
        },
        status=status,
    )


@login_required
def item_withdraw(request, pk):
    """撤销 (a reason) or, for a withdrawn item, restore it: one page, one form."""
    item = _item(request.user, pk, perms.WITHDRAW)
    form_class = edit_forms.RestoreForm if item.withdrawn else edit_forms.WithdrawForm
    if request.method != "POST":
        return _withdraw_page(request, item, form_class(initial={"version": item.version}))
    form = form_class(request.POST)
    if not form.is_valid():
        return _withdraw_page(request, item, form, status=400)
    try:
        if item.withdrawn:
            editing.do_restore(request.user, item, form.cleaned_data["version"])
            messages.success(request, _("事项已恢复，重新计入列表、统计和提醒。"))
        else:
            editing.do_withdraw(
                request.user, item, form.cleaned_data["version"], form.cleaned_data["reason"]
            )
            messages.success(request, _("事项已撤销，不再计入列表、统计和提醒。"))
    except actions.Conflict as conflict:
        fresh = _item(request.user, pk, perms.WITHDRAW)
        again_class = edit_forms.RestoreForm if fresh.withdrawn else edit_forms.WithdrawForm
        again = again_class(_with_version(request.POST, conflict.current.version))
        again.is_valid()
        return _withdraw_page(request, fresh, again, status=409, conflict=conflict)
    except actions.ActionError as error:
        form.add_error(None, str(error))
        return _withdraw_page(request, item, form, status=400)
    return redirect("item_detail", pk=item.pk)


def _withdraw_page(request, item, form, status=200, conflict=None):
    return render(
        request,
        "tracker/item_withdraw.html",
        {
            "item": item,
            "form": form,
            "conflict": conflict,
            "children": list(item.children.filter(withdrawn_at__isnull=True)),
        },
        status=status,
    )
