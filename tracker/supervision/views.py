"""督办单 pages: the list, issuing, a notice with its reply form, the A4 print view, the PDF."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tracker import access as perms
from tracker import tasks
from tracker.lib.numbers import parse_ids
from tracker.models import Item, ItemOwner
from tracker.supervision import forms, notices, pdf
from tracker.tracking.actions import ActionError
from tracker.tracking.once import once_per_submission

LIST_LIMIT = 200


@login_required
def notice_list(request):
    rows = (
        perms.notices_visible_to(request.user)
        .select_related("unit")
        .annotate(n_items=Count("items"))[:LIST_LIMIT]
    )
    return render(
        request,
        "tracker/supervision/list.html",
        {
            "notices": rows,
            "limit": LIST_LIMIT,
            "can_issue": perms.can(request.user, perms.ISSUE_NOTICE),
        },
    )


def _open_items(request):
    """The items to offer: ?items=1,2 (from an item page or the list) or ?unit=… (its open
    items); only items the office may see (all) that are not completed."""
    open_items = perms.visible_items(request.user).exclude(status=Item.Status.COMPLETED)
    ids = parse_ids(request.GET.get("items", "").split(","))
    pick = forms.UnitPickForm(request.GET or None)
    if ids:
        return open_items.filter(pk__in=ids), pick
    if pick.is_valid() and pick.cleaned_data["unit"]:
        unit = pick.cleaned_data["unit"]
        owned = ItemOwner.objects.filter(unit=unit, role__in=notices.OWNER_ROLES)
        return open_items.filter(pk__in=owned.values("item_id")).order_by("due_date", "pk"), pick
    return open_items.none(), pick


@perms.office_required(perms.ISSUE_NOTICE)
@once_per_submission
def notice_new(request):
    items, pick = _open_items(request)
    if request.method == "POST":
        form = forms.IssueForm(
            request.POST,
            items=perms.visible_items(request.user).exclude(status=Item.Status.COMPLETED),
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                results = notices.issue(
                    request.user,
                    data["items"],
                    data["level"],
                    data["reply_days"],
                    data["text"],
                    data["token"],
                )
            except ActionError as error:
                messages.error(request, str(error))
            else:
                tasks.notices_mail.delay_on_commit()
                made = [n for n, created in results if created]
                if made:
                    messages.success(
                        request,
                        _("已下发督办单%(numbers)s，已通知承办单位和分管领导。")
                        % {"numbers": "、".join(n.number for n, _c in results)},
                    )
                else:
                    messages.info(request, _("该督办单此前已下发，未重复发送。"))
                first = results[0][0]
                return (
                    redirect("supervision_detail", pk=first.pk)
                    if len(results) == 1
                    else redirect("supervision_list")
                )
        items = form.fields["items"].queryset.filter(pk__in=request.POST.getlist("items"))
        form.fields["items"].queryset = items
        status = 400
    else:
        form = forms.IssueForm(items=items)
        status = 200
    return render(
        request,
        "tracker/supervision/new.html",
        {"form": form, "pick": pick, "has_items": items.exists()},
        status=status,
    )


def _detail_context(request, notice, form=None):
    items = (
        Item.objects.visible_to(request.user)
        .filter(supervision_notices=notice)
        .with_state()
        .order_by("due_date", "pk")
    )
    can_reply = perms.can_reply_notice(request.user, notice)
    return {
        "notice": notice,
        "items": items,
        "copied": list(notice.copied.all()),
        "replies": notice.replies.select_related("author").prefetch_related("evidence"),
        "form": form or (forms.ReplyForm() if can_reply else None),
        "history": _chain(notice),
        "title": pdf.title(notice),
        "deadline_line": pdf.deadline_line(notice),
    }


def _chain(notice):
    """The notices this one escalated from and to, oldest first."""
    chain = [notice]
    older = notice.previous
    while older is not None:
        chain.insert(0, older)
        older = older.previous
    newer = getattr(notice, "escalation", None)
    while newer is not None:
        chain.append(newer)
        newer = getattr(newer, "escalation", None)
    return chain if len(chain) > 1 else []


@login_required
def notice_detail(request, pk):
    notice = perms.get_notice_for(request.user, pk)
    return render(request, "tracker/supervision/detail.html", _detail_context(request, notice))


@login_required
@require_POST
@once_per_submission
def notice_reply(request, pk):
    notice = perms.get_notice_for(request.user, pk)
    if not perms.can_reply_notice(request.user, notice):
        raise PermissionDenied(_("只有承办单位可以反馈待反馈的督办单。"))
    form = forms.ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            notices.reply(
                request.user, notice, form.cleaned_data["text"], form.cleaned_data["attachments"]
            )
        except ActionError as error:
            messages.error(request, str(error))
        else:
            tasks.notices_mail.delay_on_commit()
            messages.success(request, _("反馈已提交，已通知督查室。"))
            return redirect("supervision_detail", pk=notice.pk)
    return render(
        request,
        "tracker/supervision/detail.html",
        _detail_context(request, notice, form),
        status=400,
    )


@login_required
def notice_print(request, pk):
    notice = perms.get_notice_for(request.user, pk)
    return render(request, "tracker/supervision/print.html", _detail_context(request, notice))


@login_required
def notice_pdf(request, pk):
    notice = perms.get_notice_for(request.user, pk)
    context = _detail_context(request, notice)
    try:
        data = pdf.render(notice, list(context["items"]), context["copied"])
    except pdf.FontMissing:
        messages.error(
            request, _("服务器未安装中文字体（fonts-noto-cjk），无法生成 PDF，请使用打印页面。")
        )
        return redirect("supervision_print", pk=notice.pk)
    response = HttpResponse(bytes(data), content_type="application/pdf")
    filename = f"督办单-{notice.year}-{notice.seq}.pdf"
    response["Content-Disposition"] = (
        f'attachment; filename="notice-{notice.year}-{notice.seq}.pdf"; '
        f"filename*=UTF-8''{quote(filename)}"
    )
    return response
