"""Issuing, answering and escalating 督办单 (plain functions; callers check permissions).

Once per issue: the form carries a token and each notice stores `token:unit`; a second
submission of the same form finds the notices it made (and the unique constraint settles a
race). Messages go to the unit's staff and heads and to the copied 分管领导 once per notice
(inbox keys), and are e-mailed by tracker.tasks.notices_mail (the view enqueues it).
"""

from collections import defaultdict

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tracker.channels.announce import announce
from tracker.inbox.post import office_users, post, unit_members
from tracker.lib import clock
from tracker.lib.workdays import WorkdayCalendar
from tracker.models import ItemOwner, ItemPerson, Message, SupervisionNotice, SupervisionReply
from tracker.tracking.actions import ActionError, check_evidence_file, store_all

N = SupervisionNotice
OWNER_ROLES = [ItemOwner.Role.LEAD, ItemOwner.Role.RESPONSIBLE]


def units_of(items):
    """{unit: [items]}: each item under its lead (else responsible) units with a resolved unit."""
    grouped = defaultdict(list)
    owners = (
        ItemOwner.objects.filter(item__in=items, role__in=OWNER_ROLES, unit__isnull=False)
        .select_related("unit")
        .order_by("role", "position")
    )
    seen = set()
    for owner in owners:
        if (owner.item_id, owner.unit_id) in seen:
            continue
        seen.add((owner.item_id, owner.unit_id))
        grouped[owner.unit].append(owner.item_id)
    return grouped


def copied_leaders(unit, item_ids):
    """分管领导 to copy: the unit's leader and the items' named leaders with accounts."""
    leaders = set(
        ItemPerson.objects.filter(
            item_id__in=item_ids,
            role=ItemPerson.Role.LEADER,
            user__isnull=False,
            user__is_active=True,
        ).values_list("user_id", flat=True)
    )
    if unit.leader_id:
        leaders.add(unit.leader_id)
    return leaders


def _create(
    *, unit, item_ids, level, reply_days, text, user, token, today, calendar, previous=None
):
    """A new numbered notice, or the one this token already made."""
    existing = N.objects.filter(token=token).first()
    if existing is not None:
        return existing, False
    for _attempt in range(5):
        seq = (N.objects.filter(year=today.year).aggregate(m=Max("seq"))["m"] or 0) + 1
        try:
            with transaction.atomic():
                notice = N.objects.create(
                    year=today.year,
                    seq=seq,
                    level=level,
                    unit=unit,
                    text=text,
                    issued_by=user,
                    issued_on=today,
                    reply_days=reply_days,
                    reply_due=calendar.add_workdays(today, reply_days),
                    token=token,
                    previous=previous,
                )
        except IntegrityError:
            existing = N.objects.filter(token=token).first()
            if existing is not None:
                return existing, False  # the same submission won a race
            continue  # another notice took the number: count again
        notice.items.set(item_ids)
        notice.copied.set(copied_leaders(unit, item_ids))
        return notice, True
    raise ActionError(_("督办单编号冲突，请重试。"))


def _tell(notice, code, recipients, actor):
    post(
        recipients,
        code,
        f"duban:{notice.pk}:{code}",
        item=notice.items.first(),
        actor=actor,
        number=notice.number,
        level=notice.level,
        date=notice.reply_due.isoformat(),
        text=notice.text,
        unit=notice.unit.name,
        link=reverse("supervision_detail", args=[notice.pk]),
    )


def _tell_unit(notice, code, actor):
    recipients = set(unit_members([notice.unit_id]).values_list("id", flat=True))
    recipients |= set(notice.copied.values_list("id", flat=True))
    _tell(notice, code, recipients, actor)
    # The unit's own channels (its mailbox, its group robot) hear of it too.
    announce(
        [notice.unit_id],
        code,
        f"duban:{notice.pk}:{code}",
        item=notice.items.first(),
        actor=actor,
        number=notice.number,
        level=notice.level,
        date=notice.reply_due.isoformat(),
        text=notice.text,
        unit=notice.unit.name,
        link=reverse("supervision_detail", args=[notice.pk]),
    )


@transaction.atomic
def issue(user, items, level, reply_days, text, token, today=None, calendar=None):
    """Issue a 督办单 per responsible unit of `items`; [(notice, created)]."""
    today = today or clock.today()
    calendar = calendar or WorkdayCalendar()
    grouped = units_of(items)
    if not grouped:
        raise ActionError(_("所选事项没有已对应到系统单位的牵头或责任单位，无法下发督办单。"))
    results = []
    for unit, item_ids in sorted(grouped.items(), key=lambda pair: pair[0].pk):
        notice, created = _create(
            unit=unit,
            item_ids=item_ids,
            level=level,
            reply_days=reply_days,
            text=text,
            user=user,
            token=f"{token}:{unit.pk}",
            today=today,
            calendar=calendar,
        )
        if created:
            _tell_unit(notice, Message.Code.DUBAN_ISSUED, user)
        results.append((notice, created))
    return results


@transaction.atomic
def reply(user, notice, text, files=()):
    """反馈: the unit answers with text and evidence; the issuer and the office are told."""
    for upload in files:
        check_evidence_file(upload)
    answered = N.objects.filter(pk=notice.pk, status=N.Status.ISSUED).update(
        status=N.Status.REPLIED, replied_at=timezone.now()
    )
    if not answered:
        raise ActionError(_("该督办单已反馈或已升级，不能再反馈。"))
    notice.refresh_from_db()
    answer = SupervisionReply.objects.create(notice=notice, author=user, text=text)
    first = notice.items.order_by("pk").first()
    if files:
        store_all(first, user, files, reply=answer)
    recipients = set(office_users().values_list("id", flat=True)) | {notice.issued_by_id}
    _tell(notice, Message.Code.DUBAN_REPLIED, recipients, user)
    return answer


def escalate_overdue(today=None, calendar=None):
    """Every notice whose reply is late goes up one level (a new notice; the old one is marked
    escalated by a conditional UPDATE, so two runs escalate it once). Returns the new ones."""
    today = today or clock.today()
    calendar = calendar or WorkdayCalendar()
    escalated = []
    late = N.objects.filter(
        status=N.Status.ISSUED, reply_due__lt=today, level__in=list(N.NEXT_LEVEL)
    ).select_related("unit", "issued_by")
    for notice in late:
        with transaction.atomic():
            if not N.objects.filter(pk=notice.pk, status=N.Status.ISSUED).update(
                status=N.Status.ESCALATED
            ):
                continue
            new, created = _create(
                unit=notice.unit,
                item_ids=list(notice.items.values_list("pk", flat=True)),
                level=N.NEXT_LEVEL[notice.level],
                reply_days=notice.reply_days,
                text=notice.text,
                user=notice.issued_by,
                token=f"escalate:{notice.pk}",
                today=today,
                calendar=calendar,
                previous=notice,
            )
            if created:
                _tell_unit(new, Message.Code.DUBAN_ESCALATED, None)
                escalated.append(new)
    return escalated
