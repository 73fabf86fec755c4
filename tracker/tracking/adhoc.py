"""交办事项: ad hoc assignments the supervision office creates, with the "13710" time nodes.

Callers check CREATE_ADHOC first (tracker/access.py). The item is audited like every action
(`create_adhoc`); its final due date is the latest dated node (Item.refresh_due_date's rule).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tracker.lib.workdays import WorkdayCalendar
from tracker.models import Deadline, Item, ItemOwner
from tracker.tracking import audit

S = Item.Status


def adhoc_milestones(received_on, complex_item, calendar):
    """The "13710" nodes (晋市政办〔2020〕51号), counted in working days from receipt.

    Receive the same day, plan within 1 working day, verify on site within 2, feed back within
    3–5 (5–7 when the problem cannot be solved at once), then apply for completion.
    """
    feedback = (5, 7) if complex_item else (3, 5)
    return [
        (_("接收任务"), _("当日接收"), received_on),
        (_("研究部署"), _("1个工作日内"), calendar.add_workdays(received_on, 1)),
        (_("实地核查"), _("2个工作日内"), calendar.add_workdays(received_on, 2)),
        (
            _("沟通反馈"),
            _("%(a)s-%(b)s个工作日内") % {"a": feedback[0], "b": feedback[1]},
            calendar.add_workdays(received_on, feedback[1]),
        ),
    ]


@transaction.atomic
def do_create_adhoc(
    user,
    text,
    lead,
    co_units=(),
    received_on=None,
    complex_item=False,
    due_date=None,
    calendar=None,
):
    """A 交办事项 created by the supervision office, with its "13710" milestones."""
    received_on = received_on or timezone.localdate()
    calendar = calendar or WorkdayCalendar()
    nodes = adhoc_milestones(received_on, complex_item, calendar)
    nodes.append((_("申请办结"), _("办结销号") if due_date else _("问题解决后"), due_date))
    # The final due date is the latest dated node, as Item.refresh_due_date computes it.
    item = Item(
        text=text,
        kind=Item.Kind.ADHOC,
        status=S.NEW,
        due_date=max(day for _what, _expr, day in nodes if day),
    )
    item._history_user = user
    item._change_reason = audit.reason("create_adhoc")
    item.save()
    ItemOwner.objects.create(item=item, role=ItemOwner.Role.LEAD, name=lead.name, unit=lead)
    for position, unit in enumerate(u for u in co_units if u != lead):
        ItemOwner.objects.create(
            item=item, role=ItemOwner.Role.CO, name=unit.name, unit=unit, position=position
        )
    for what, expr, day in nodes:
        Deadline.objects.create(
            item=item, kind=Deadline.Kind.MILESTONE, what=what, expr=expr, date=day
        )
    return item
