"""The unit head's review pages (confirm or return a report or a completion request) and
签收 in bulk. Permissions come from tracker.access; the work from tracker.tracking.review."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from tracker import access as perms
from tracker import tasks
from tracker.lib.numbers import parse_ids
from tracker.models import ProgressReport, Request
from tracker.tracking import actions, forms, review
from tracker.tracking.once import once_per_submission
from tracker.tracking.views import _detail_item, _perform, render_detail

# At most this many items in one bulk 签收 (a page of the workbench or the list holds fewer).
BULK_LIMIT = 200


def _pending_report(request, pk, report_id):
    item = _detail_item(request.user, pk)
    perms.require(request.user, perms.CONFIRM, item)
    report = get_object_or_404(
        ProgressReport.objects.select_related("author"), pk=report_id, item=item
    )
    report.item = item
    return item, report


@login_required
@require_POST
@once_per_submission
def report_confirm(request, pk, report_id):
    item, report = _pending_report(request, pk, report_id)
    if report.confirmed_at is not None or report.returned_at is not None:
        messages.info(request, _("该进展报告此前已审核。"))
        return redirect("item_detail", pk=item.pk)
    perms.require_confirm(request.user, report)
    if actions.do_confirm_report(request.user, report):
        messages.success(request, _("进展报告已审核确认。"))
    else:
        messages.info(request, _("该进展报告此前已审核。"))
    return redirect("item_detail", pk=item.pk)


@login_required
@require_POST
@once_per_submission
def report_return(request, pk, report_id):
    """The unit head returns a waiting report with a reason; its author is told."""
    item, report = _pending_report(request, pk, report_id)
    if report.confirmed_at is not None or report.returned_at is not None:
        messages.info(request, _("该进展报告此前已审核。"))
        return redirect("item_detail", pk=item.pk)
    perms.require_confirm(request.user, report)
    form = forms.ReturnReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("退回时请写明理由。"))
        return render_detail(request, item, status=400)
    if review.do_return_report(request.user, report, form.cleaned_data["note"]):
        tasks.notices_mail.delay_on_commit()
        messages.success(request, _("进展报告已退回，填报人会收到通知。"))
    else:
        messages.info(request, _("该进展报告此前已审核。"))
    return redirect("item_detail", pk=item.pk)


@login_required
@require_POST
@once_per_submission
def request_unit_review(request, pk, request_id):
    """The unit head confirms a completion request (on to the office) or returns it."""
    item = _detail_item(request.user, pk)
    perms.require(request.user, perms.CONFIRM, item)
    req = get_object_or_404(
        Request.objects.select_related("requested_by"), pk=request_id, item=item
    )
    req.item = item
    perms.require_review(request.user, req)
    form = forms.UnitReviewForm(request.POST)

    def run(data):
        if data["decision"] == form.CONFIRM:
            review.do_unit_confirm_completion(request.user, req, data["version"])
        else:
            review.do_unit_return_completion(request.user, req, data["version"], data["note"])
            tasks.notices_mail.delay_on_commit()

    response = _perform(request, item, ("review", req.pk), form, run)
    if response is not None:
        return response
    if form.cleaned_data["decision"] == form.CONFIRM:
        messages.success(request, _("已确认，办结申请已报督查室审核。"))
    else:
        messages.success(request, _("办结申请已退回，申请人会收到通知。"))
    return redirect("item_detail", pk=item.pk)


@login_required
@require_POST
@once_per_submission
def items_sign(request):
    """签收 the checked items at once (each one the user may sign and that waits for it)."""
    perms.require(request.user, perms.BULK_SIGN)
    ids = parse_ids(request.POST.getlist("item"))[:BULK_LIMIT]
    chosen = perms.visible_items(request.user).filter(pk__in=ids).order_by("pk")
    for item in chosen:
        item._visible_to = request.user.pk  # loaded through visible_items: checked
    allowed = [item for item in chosen if perms.can(request.user, perms.SIGN, item)]
    signed, skipped = review.do_sign_many(request.user, allowed)
    skipped += len(set(ids)) - len(allowed)
    if not ids:
        messages.info(request, _("请先勾选要签收的事项。"))
    elif signed:
        messages.success(
            request, ngettext("已签收 %(n)s 项。", "已签收 %(n)s 项。", signed) % {"n": signed}
        )
    if ids and skipped:
        messages.info(
            request,
            ngettext(
                "%(n)s 项未签收（已被签收或无需签收）。",
                "%(n)s 项未签收（已被签收或无需签收）。",
                skipped,
            )
            % {"n": skipped},
        )
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("home")
