"""Workflow actions on items: one plain `do_…` function per action, for views, commands and tasks.

Callers check permissions first (tracker/access.py); these functions enforce what the
item's status allows, record who acted and when, and keep the audit trail (django-simple-history
rows on Item and Deadline, with the action as the change reason).

No lost updates: an action that changes an item names the version the user started from.
`_claim` moves the item to the next version with a conditional UPDATE; when no row matched,
someone saved first and the action raises Conflict carrying the newer item, changing nothing.
"""

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tracker.channels.announce import announce
from tracker.inbox.post import item_data, item_members, item_units, post
from tracker.lib import plausible
from tracker.lib.dates import format_date
from tracker.models import (
    Comment,
    Deadline,
    Item,
    Message,
    ProgressReport,
    Request,
)
from tracker.tracking import audit, instructions
from tracker.tracking.errors import ActionError, Conflict
from tracker.tracking.evidence import (
    check_evidence_file,
    store_all,
)

# Which statuses each action may start from: the workflow in one table.
S = Item.Status
ALLOWED_FROM = {
    "sign": {S.NEW},
    "report": {S.IN_PROGRESS},
    "request_extension": {S.NEW, S.IN_PROGRESS},
    "request_completion": {S.IN_PROGRESS},
    "decide_completion": {S.COMPLETION_REQUESTED},
    "decide_extension": {S.NEW, S.IN_PROGRESS, S.COMPLETION_REQUESTED},
}


# A split item's (分解) progress is its sub-items': it takes no report or completion request.
# A withdrawn item (撤销) takes no action at all.
ROLLED_UP = {"report", "request_completion"}


def is_possible(action, item):
    """Does the item's status allow `action` (who may is tracker.access.can)?"""
    if item.withdrawn_at is not None:  # 撤销: nothing happens to it until it is restored
        return False
    if action in ROLLED_UP and item.has_open_children:
        return False
    allowed = ALLOWED_FROM.get(action)
    return allowed is None or item.status in allowed


def _check_possible(action, item):
    if is_possible(action, item):
        return
    if item.withdrawn_at is not None:
        raise ActionError(_("该事项已撤销，不能进行此操作。"))
    if action in ROLLED_UP and item.has_open_children:
        raise ActionError(_("该事项已分解，进度由子任务汇总，请在子任务上报送。"))
    raise ActionError(
        _("事项当前状态为“%(status)s”，不能进行此操作。") % {"status": item.get_status_display()}
    )


def _claim(item, version, user, why, **changes):
    """Apply `changes` to the item if it is still at `version`; record the audit row."""
    updated = Item.objects.filter(pk=item.pk, version=version).update(
        version=F("version") + 1, updated_at=timezone.now(), **changes
    )
    if not updated:
        raise Conflict(Item.objects.get(pk=item.pk))
    item.refresh_from_db()
    # The UPDATE above bypasses simple-history; this save writes the audit row (who, why).
    item._history_user = user
    item._change_reason = why  # tracker.tracking.audit.reason(...): a code, not a sentence
    item.save(update_fields=["updated_at"])
    if item.parent_id and changes.keys() & {"percent", "status", "withdrawn_at"}:
        roll_up(item.parent_id, user)
    return item


def roll_up(parent_id, user):
    """分解: a split item's percent is the average of its sub-items' (withdrawn ones left out);
    when every one is completed, the split item is completed too (audited as such)."""
    parent = Item.objects.select_for_update().get(pk=parent_id)
    children = list(
        parent.children.filter(withdrawn_at__isnull=True).values_list("status", "percent")
    )
    if not children or parent.status == S.COMPLETED or parent.withdrawn_at:
        return parent
    changes = {"percent": round(sum(percent for _s, percent in children) / len(children))}
    done = all(status == S.COMPLETED for status, _p in children)
    if done:
        changes.update(status=S.COMPLETED, completed_at=timezone.now(), percent=100)
    elif parent.percent == changes["percent"]:
        return parent
    why = audit.reason("children_completed" if done else "rollup", percent=changes["percent"])
    parent = _claim(parent, parent.version, user, why, **changes)
    if done:
        _close_deadlines(parent, user, why)
    return parent


def _close_deadlines(item, user, why):
    """Mark every open deadline done, one by one (an item has a handful): each is audited."""
    now = timezone.now()
    for deadline in item.deadlines.filter(done_at__isnull=True):
        deadline.done_at = now
        deadline._history_user = user
        deadline._change_reason = why
        deadline.save(update_fields=["done_at"])


# ---- the unit's actions ---------------------------------------------------------------------


@transaction.atomic
def do_admin_edit(user, item, version, changes):
    """The admin's item form: `changes` ({field attname: value}), under the version check."""
    return _claim(item, version, user, audit.reason("admin_edit"), **changes)


def do_sign(user, item, version):
    """签收: the unit acknowledges the assignment (NEW → IN_PROGRESS)."""
    _check_possible("sign", item)
    return _claim(
        item, version, user, audit.reason("sign"), status=S.IN_PROGRESS, received_at=timezone.now()
    )


def report_needs_confirmation(author):
    """Does a report by `author` wait for a unit head (部门负责人) before it goes up?

    Staff reports do, unless their unit has no active unit head account to confirm them.
    A unit head's own report, and one by the supervision office, counts at once.
    """
    if author.role != author.Role.STAFF:
        return False
    return author.unit.members.filter(role=author.Role.UNIT_HEAD, is_active=True).exists()


def _goes_up(item, report):
    """The changes a confirmed report makes to its item: the newest confirmed one sets the
    percent (an older one confirmed late changes nothing; a closed item stays at 100%)."""
    newer = (
        item.reports.filter(confirmed_at__isnull=False)
        .exclude(pk=report.pk)
        .filter(created_at__gt=report.created_at)
        .exists()
    )
    if newer or item.status == S.COMPLETED:
        return {}
    return {"percent": report.percent}


@transaction.atomic
def do_report(user, item, version, percent, narrative, files=()):
    """Report progress: percent, narrative and evidence files.

    A report waiting for the unit head (待审核) changes nothing but the item's version; one
    that needs no confirmation goes up at once (the item takes its percent).
    """
    _check_possible("report", item)
    for upload in files:
        check_evidence_file(upload)
    pending = report_needs_confirmation(user)
    if pending:
        _claim(item, version, user, audit.reason("report_pending", percent=percent))
    else:
        _claim(item, version, user, audit.reason("report", percent=percent), percent=percent)
    now = timezone.now()
    report = ProgressReport.objects.create(
        item=item,
        author=user,
        percent=percent,
        narrative=narrative,
        created_at=now,
        confirmed_at=None if pending else now,
        confirmed_by=None if pending else _self_confirmer(user),
    )
    store_all(item, user, files, report=report)
    if not pending:
        instructions.tell_leader(report, item)
    return report


def _self_confirmer(user):
    """Who stands behind a report that needs no confirmation: its author, unless they are
    staff of a unit without a unit head (then nobody: confirmed_by stays empty)."""
    return None if user.role == user.Role.STAFF else user


@transaction.atomic
def do_confirm_report(user, report):
    """The unit head confirms a progress report: it goes up (the item takes its percent when it
    is the newest confirmed report). Confirming twice changes nothing and returns False.

    The report is claimed with a conditional UPDATE; the item is updated at its current
    version (locked), so anyone holding an older version of the page gets a conflict.
    """
    claimed = ProgressReport.objects.filter(pk=report.pk, confirmed_at__isnull=True).update(
        confirmed_by=user, confirmed_at=timezone.now()
    )
    if not claimed:
        return False
    report.refresh_from_db()
    item = Item.objects.select_for_update().get(pk=report.item_id)
    why = audit.reason("confirm_report", percent=report.percent, author=str(report.author))
    _claim(item, item.version, user, why, **_goes_up(item, report))
    instructions.tell_leader(report, item)
    return True


@transaction.atomic
def do_request_extension(user, item, version, new_date, reason):
    """申请延期: ask the supervision office for a later due date."""
    _check_possible("request_extension", item)
    if item.requests.filter(
        kind=Request.Kind.EXTENSION, decision=Request.Decision.PENDING
    ).exists():
        raise ActionError(_("已有一份延期申请正在审核。"))
    _claim(item, version, user, audit.reason("request_extension"))
    return Request.objects.create(
        item=item,
        kind=Request.Kind.EXTENSION,
        requested_by=user,
        reason=reason,
        new_date=new_date,
    )


@transaction.atomic
def do_request_completion(user, item, version, reason, files=()):
    """申请办结: the unit reports the work done, with evidence, and asks to close the item."""
    _check_possible("request_completion", item)
    for upload in files:
        check_evidence_file(upload)
    _claim(item, version, user, audit.reason("request_completion"), status=S.COMPLETION_REQUESTED)
    # Two-level review: a staff member's request waits for their unit head (review.py).
    request = Request.objects.create(
        item=item,
        kind=Request.Kind.COMPLETION,
        requested_by=user,
        reason=reason,
        awaits_unit=report_needs_confirmation(user),
    )
    store_all(item, user, files, request=request)
    return request


# ---- the supervision office's actions -------------------------------------------------------


def _decide(request, user, approve, note):
    decided = Request.objects.filter(pk=request.pk, decision=Request.Decision.PENDING).update(
        decision=Request.Decision.APPROVED if approve else Request.Decision.REJECTED,
        decided_by=user,
        decided_at=timezone.now(),
        decision_note=note,
    )
    if not decided:
        raise ActionError(_("该申请已经审核过了。"))
    request.refresh_from_db()


def _tell_requester(request, user, code, **data):
    """The requester learns the decision (inbox and e-mail), once per request."""
    post(
        [request.requested_by_id],
        code,
        f"request:{request.pk}:decided",
        item=request.item,
        actor=user,
        note=request.decision_note,
        **item_data(request.item),
        **data,
    )


def _chinese_expr(day):
    """A Deadline's expression is the documents' vocabulary: Chinese, whoever approves."""
    with translation.override("zh-hans"):
        return "延期至" + format_date(day)


@transaction.atomic
def do_decide_extension(user, request, version, approve, note="", date=None):
    """Approve (the due date moves, a Deadline records it) or reject an extension request.

    The office may grant another `date` than the one asked, with a reason in `note`: the
    audit row names both dates and the requester is told which one holds.
    """
    item = request.item
    _check_possible("decide_extension", item)
    granted = date or request.new_date
    changed = approve and granted != request.new_date
    if changed and not note.strip():
        raise ActionError(_("批准的延期日期与申请不同时，请写明理由。"))
    if approve and not plausible.is_plausible(granted):  # asked for before it was checked
        raise ActionError(plausible.out_of_range_message(granted))
    _decide(request, user, approve, note)
    if not approve:
        _claim(item, version, user, audit.reason("extension_rejected"))
        _tell_requester(request, user, Message.Code.EXTENSION_REJECTED)
        return request
    old_due = item.due_date
    if changed:
        Request.objects.filter(pk=request.pk).update(granted_date=granted)
        request.granted_date = granted
        why = audit.reason("extension_approved_other", date=granted, asked=request.new_date)
    else:
        why = audit.reason("extension_approved", date=granted)
    _claim(item, version, user, why, due_date=granted)
    # The dates the extension replaces are closed (each with its audit row), so that nothing
    # reminds or escalates them any more: the item's deadlines (时限) and whatever other open
    # date was its due date. Milestones on other dates keep their own course.
    now = timezone.now()
    superseded = item.deadlines.filter(Deadline.OPEN, date__isnull=False).filter(
        Q(kind=Deadline.Kind.DEADLINE) | Q(date=old_due)
    )
    reason = audit.reason("deadline_superseded", date=granted)
    for old in superseded:
        old.superseded_at = now
        old._history_user = user
        old._change_reason = reason
        old.save(update_fields=["superseded_at"])
    deadline = Deadline(
        item=item,
        kind=Deadline.Kind.DEADLINE,
        date=granted,
        expr=_chinese_expr(granted),
        what="延期",
    )
    deadline._history_user = user
    deadline.save()
    if changed:
        _tell_requester(
            request,
            user,
            Message.Code.EXTENSION_CHANGED,
            date=granted.isoformat(),
            asked=request.new_date.isoformat(),
        )
    else:
        _tell_requester(request, user, Message.Code.EXTENSION_APPROVED, date=granted.isoformat())
    return request


@transaction.atomic
def do_decide_completion(user, request, version, approve, note=""):
    """办结销号 (COMPLETED, 100%) or send the item back to work with a reason."""
    item = request.item
    _check_possible("decide_completion", item)
    if request.awaits_unit:
        raise ActionError(_("该办结申请尚待本单位部门负责人确认，确认后再由督查室审核。"))
    _decide(request, user, approve, note)
    if not approve:
        _claim(item, version, user, audit.reason("completion_returned"), status=S.IN_PROGRESS)
        _tell_requester(request, user, Message.Code.COMPLETION_RETURNED)
        return request
    now = timezone.now()
    _claim(
        item,
        version,
        user,
        audit.reason("completed"),
        status=S.COMPLETED,
        completed_at=now,
        percent=100,
    )
    _close_deadlines(item, user, audit.reason("completed"))
    _tell_requester(request, user, Message.Code.COMPLETION_APPROVED)
    return request


@transaction.atomic
def do_grade(user, item, version, grade):
    """评定等次 A/B/C/D: one grade per item; grading again replaces it."""
    return _claim(item, version, user, audit.reason("grade", grade=grade), grade=grade)


def _tell_units(item, code, comment, user, about=None, **extra):
    """A 催办 or 批示 reaches every member of the item's units (inbox, e-mail; `extra` data
    goes to them) and each unit's channels, once per comment."""
    key = f"comment:{comment.pk}"
    data = {"item": about or item, "actor": user, "text": comment.text, **item_data(item)}
    post(item_members(item), code, key, **data, **extra)
    announce(item_units(item), code, key, **data)


@transaction.atomic
def do_urge(user, item, text):
    """催办: an urging notice on the item; every member of its units finds it in their inbox
    and by e-mail (the view enqueues tracker.tasks.notices_mail)."""
    comment = Comment.objects.create(item=item, author=user, kind=Comment.Kind.URGE, text=text)
    _tell_units(item, Message.Code.URGE, comment, user)
    return comment


@transaction.atomic
def do_comment(user, item, text, due_date=None):
    """A remark; a leader's remark is an instruction (批示), told to the item's units. An
    instruction with a due date becomes a tracked sub-item (批示件, instructions.py)."""
    kind = Comment.Kind.INSTRUCTION if user.role == user.Role.LEADER else Comment.Kind.NOTE
    due_date = due_date if kind == Comment.Kind.INSTRUCTION else None
    comment = Comment.objects.create(
        item=item, author=user, kind=kind, text=text, due_date=due_date
    )
    if due_date is not None:
        sub = instructions.create_sub_item(user, item, comment)
        _tell_units(
            item, Message.Code.INSTRUCTION, comment, user, about=sub, date=due_date.isoformat()
        )
    elif kind == Comment.Kind.INSTRUCTION:
        _tell_units(item, Message.Code.INSTRUCTION, comment, user)
    return comment
