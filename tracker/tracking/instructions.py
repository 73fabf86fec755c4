"""领导批示 with a deadline: a tracked sub-item (批示件) of the item it was given on.

The sub-item is an ordinary Item (kind INSTRUCTION, `instruction` → the Comment, whose item
is the one it was given on; not a 分解 child, so nothing rolls up into that item): the same units
own it, the leader is named on it (so a late one escalates to them), and its due date is the
instruction's. The unit signs it and reports on it like any item: that is its own feedback.
The leader finds it on their workbench until it is answered (a report has gone up, or it is
closed), and is told when the unit answers.
"""

from django.db.models import Exists, OuterRef, Q

from tracker.inbox.post import item_data, post
from tracker.models import Deadline, Item, ItemOwner, ItemPerson, Message, ProgressReport
from tracker.tracking import audit


def create_sub_item(leader, item, comment):
    """The 批示件 for `comment` (a leader's instruction with a due date) on `item`."""
    sub = Item(
        text=f"{leader}批示：{comment.text}",
        kind=Item.Kind.INSTRUCTION,
        status=Item.Status.NEW,
        due_date=comment.due_date,
        instruction=comment,
        document=item.document,
    )
    sub._history_user = leader
    sub._change_reason = audit.reason("create_instruction")
    sub.save()
    ItemOwner.objects.bulk_create(
        [
            ItemOwner(
                item=sub,
                role=owner.role,
                name=owner.name,
                unit_id=owner.unit_id,
                group_id=owner.group_id,
                position=owner.position,
            )
            for owner in item.owners.all()
        ]
    )
    ItemPerson.objects.create(item=sub, role=ItemPerson.Role.LEADER, name=str(leader), user=leader)
    Deadline.objects.create(
        item=sub,
        kind=Deadline.Kind.DEADLINE,
        date=comment.due_date,
        expr="批示反馈时限",
        what="反馈批示落实情况",
    )
    return sub


def answered():
    """Items whose feedback has gone up (a confirmed report) or that are closed."""
    confirmed = ProgressReport.objects.filter(item=OuterRef("pk"), confirmed_at__isnull=False)
    return Q(status=Item.Status.COMPLETED) | Q(Exists(confirmed))


def waiting_for(leader, items):
    """The leader's 批示件 among `items` not answered yet, nearest deadline first."""
    return (
        items.filter(kind=Item.Kind.INSTRUCTION, instruction__author=leader)
        .exclude(answered())
        .select_related("instruction__item")
        .order_by("due_date", "id")
    )


def sub_items(item):
    """The 批示件 given on `item`."""
    return Item.objects.filter(instruction__item=item).order_by("due_date", "id")


def tell_leader(report, item):
    """A report on a 批示件 went up: its leader hears of it (once per report)."""
    if item.kind != Item.Kind.INSTRUCTION or item.instruction_id is None:
        return
    author = report.author
    unit = author.unit.name if author.unit_id else str(author)
    leader_id = item.instruction.author_id
    post(
        [leader_id],
        Message.Code.INSTRUCTION_ANSWERED,
        f"report:{report.pk}:answered",
        item=item,
        actor=author,
        unit=unit,
        percent=report.percent,
        note=report.narrative,
        **item_data(item),
    )
