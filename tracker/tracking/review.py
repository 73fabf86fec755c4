"""Two-level review and bulk work: what a unit head does before the office, and 签收 in bulk.

A staff member's progress report and completion request wait for their unit head (部门负责人)
when the unit has an active head account (actions.report_needs_confirmation). The head
confirms (a report goes up, a completion request goes on to the office) or returns it with a
reason: the author finds it in their inbox and e-mail (tracker.inbox). Callers check
permissions first (tracker.access.can_confirm_report / can_review_request).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tracker.inbox.post import item_data, post
from tracker.models import Item, Message, ProgressReport, Request
from tracker.tracking import audit
from tracker.tracking.actions import ActionError, _claim, do_sign, is_possible


@transaction.atomic
def do_return_report(user, report, note):
    """The unit head sends a waiting report back with a reason; it never goes up.

    Returns False when the report was confirmed or returned meanwhile (nothing changes).
    """
    if not note.strip():
        raise ActionError(_("退回时请写明理由。"))
    claimed = ProgressReport.objects.filter(
        pk=report.pk, confirmed_at__isnull=True, returned_at__isnull=True
    ).update(returned_by=user, returned_at=timezone.now(), return_note=note)
    if not claimed:
        return False
    report.refresh_from_db()
    item = Item.objects.select_for_update().get(pk=report.item_id)
    why = audit.reason("report_returned", percent=report.percent, author=str(report.author))
    _claim(item, item.version, user, why)
    post(
        [report.author_id],
        Message.Code.REPORT_RETURNED,
        f"report:{report.pk}:returned",
        item=item,
        actor=user,
        note=note,
        percent=report.percent,
        **item_data(item),
    )
    return True


def _waiting_for_unit(request):
    if request.kind != Request.Kind.COMPLETION or not request.awaits_unit:
        raise ActionError(_("该申请不在等待部门负责人确认。"))
    if request.decision != Request.Decision.PENDING:
        raise ActionError(_("该申请已经审核过了。"))


@transaction.atomic
def do_unit_confirm_completion(user, request, version):
    """The unit head agrees: the completion request goes on to the supervision office."""
    _waiting_for_unit(request)
    claimed = Request.objects.filter(
        pk=request.pk, awaits_unit=True, decision=Request.Decision.PENDING
    ).update(awaits_unit=False, unit_confirmed_by=user, unit_confirmed_at=timezone.now())
    if not claimed:
        raise ActionError(_("该申请已经审核过了。"))
    _claim(request.item, version, user, audit.reason("completion_unit_confirmed"))
    request.refresh_from_db()
    return request


@transaction.atomic
def do_unit_return_completion(user, request, version, note):
    """The unit head sends the completion request back: the item is in progress again and the
    requester is told why (inbox and e-mail)."""
    _waiting_for_unit(request)
    if not note.strip():
        raise ActionError(_("退回时请写明理由。"))
    claimed = Request.objects.filter(
        pk=request.pk, awaits_unit=True, decision=Request.Decision.PENDING
    ).update(
        awaits_unit=False,
        decision=Request.Decision.REJECTED,
        decided_by=user,
        decided_at=timezone.now(),
        decision_note=note,
    )
    if not claimed:
        raise ActionError(_("该申请已经审核过了。"))
    item = _claim(
        request.item,
        version,
        user,
        audit.reason("completion_unit_returned"),
        status=Item.Status.IN_PROGRESS,
    )
    request.refresh_from_db()
    post(
        [request.requested_by_id],
        Message.Code.COMPLETION_RETURNED,
        f"request:{request.pk}:decided",
        item=item,
        actor=user,
        note=note,
        **item_data(item),
    )
    return request


def do_sign_many(user, items):
    """签收 each item that waits for it; returns (signed, skipped) counts.

    Each item is signed in its own transaction at its current version: one changed meanwhile
    (signed by a colleague) is skipped, never signed twice.
    """
    signed = skipped = 0
    for item in items:
        if not is_possible("sign", item):
            skipped += 1
            continue
        try:
            do_sign(user, item, item.version)
        except ActionError:
            skipped += 1
        else:
            signed += 1
    return signed, skipped
