"""序时进度 lights and the one state rule (milestones included), in SQL and in Python alike."""

import datetime

import pytest
from django.utils import timezone

from tracker.models import (
    Deadline,
    Item,
    Light,
    PaceSettings,
    annotate_pace,
    pace_of,
)

TODAY = datetime.date(2025, 6, 30)


def _at(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))


def _both(item, today=TODAY, thresholds=None):
    """(SQL light, Python light) of one item: the two must agree."""
    thresholds = thresholds or PaceSettings.load()
    row = annotate_pace(Item.objects.filter(pk=item.pk).with_state(today), today, thresholds)
    sql = row.values_list("pace_light", flat=True).get()
    python = pace_of(Item.objects.get(pk=item.pk), today, thresholds).light
    return sql, python


# A 100-day period: from 2025-03-22 to 2025-06-30 is 100 days; on 2025-05-01 40 have passed,
# so expected progress is exactly 40%.
START = datetime.date(2025, 3, 22)
DUE = datetime.date(2025, 6, 30)
ON = datetime.date(2025, 5, 1)


@pytest.mark.parametrize(
    ("percent", "light"),
    [
        (40, Light.GREEN),  # on pace
        (31, Light.GREEN),  # 9 points behind
        (30, Light.YELLOW),  # exactly 10 points behind: yellow begins
        (10, Light.YELLOW),  # exactly 30 points behind: still yellow
        (9, Light.RED),  # 31 points behind: red
        (100, Light.GREEN),  # ahead
    ],
)
def test_light_at_the_thresholds(db, percent, light):
    item = Item.objects.create(
        text="任务",
        created_at=_at(START),
        due_date=DUE,
        percent=percent,
        status=Item.Status.IN_PROGRESS,
    )
    assert _both(item, ON) == (light, light)
    pace = pace_of(item, ON)
    assert pace.expected == 40.0
    assert pace.behind == 40 - percent


def test_thresholds_come_from_the_settings_row(db):
    item = Item.objects.create(
        text="任务", created_at=_at(START), due_date=DUE, percent=35, status=Item.Status.IN_PROGRESS
    )
    assert _both(item, ON) == (Light.GREEN, Light.GREEN)  # 5 behind, default yellow at 10
    PaceSettings.objects.create(pk=1, yellow_points=5, red_points=20)
    assert _both(item, ON) == (Light.YELLOW, Light.YELLOW)
    PaceSettings.objects.filter(pk=1).update(yellow_points=2, red_points=4)
    assert _both(item, ON) == (Light.RED, Light.RED)


def test_overdue_is_red_done_is_green_undated_has_none(db):
    late = Item.objects.create(text="逾期", created_at=_at(START), due_date=ON, percent=100)
    assert _both(late, DUE) == (Light.RED, Light.RED)
    done = Item.objects.create(
        text="完成",
        created_at=_at(START),
        due_date=ON,
        percent=50,
        status=Item.Status.COMPLETED,
        completed_at=_at(DUE),
    )
    assert _both(done, DUE) == (Light.GREEN, Light.GREEN)
    undated = Item.objects.create(text="长期", created_at=_at(START), percent=0)
    assert _both(undated, DUE) == (Light.NONE, Light.NONE)


def test_before_the_start_nothing_is_expected_and_a_same_day_period_expects_all(db):
    early = Item.objects.create(text="未开始", created_at=_at(ON), due_date=DUE, percent=0)
    assert _both(early, START) == (Light.GREEN, Light.GREEN)
    assert pace_of(early, START).expected == 0.0
    same_day = Item.objects.create(text="当日", created_at=_at(DUE), due_date=DUE, percent=75)
    assert _both(same_day, DUE) == (Light.YELLOW, Light.YELLOW)  # 25 behind 100%


def test_an_overdue_milestone_makes_the_item_overdue_and_red(db):
    item = Item.objects.create(
        text="分季度推进",
        created_at=_at(START),
        due_date=DUE,
        percent=45,
        status=Item.Status.IN_PROGRESS,
    )
    node = Deadline.objects.create(
        item=item, kind=Deadline.Kind.MILESTONE, expr="4月底前", date=datetime.date(2025, 4, 30)
    )
    Deadline.objects.create(item=item, date=DUE)
    sql = Item.objects.with_state(ON).values_list("state", "next_due").get(pk=item.pk)
    assert sql == (Item.State.OVERDUE, node.date)
    fresh = Item.objects.get(pk=item.pk)
    assert fresh.state_on(ON) == Item.State.OVERDUE
    assert _both(item, ON) == (Light.RED, Light.RED)  # 45% is ahead of 40%, but a node is late
    # The node done: the item is back on track, and its light is the pace's again.
    node.done_at = _at(ON)
    node.save()
    assert Item.objects.with_state(ON).get(pk=item.pk).state == Item.State.ON_TRACK
    assert Item.objects.get(pk=item.pk).state_on(ON) == Item.State.ON_TRACK
    assert _both(item, ON) == (Light.GREEN, Light.GREEN)


def test_a_milestone_due_soon_puts_the_item_at_risk(db):
    item = Item.objects.create(text="节点临近", due_date=DUE)
    Deadline.objects.create(
        item=item, kind=Deadline.Kind.MILESTONE, date=ON + datetime.timedelta(days=3)
    )
    assert Item.objects.with_state(ON).get(pk=item.pk).state == Item.State.AT_RISK
    assert Item.objects.get(pk=item.pk).state_on(ON) == Item.State.AT_RISK


def test_an_item_with_only_open_milestones_is_dated(db):
    item = Item.objects.create(text="只有节点")
    Deadline.objects.create(item=item, kind=Deadline.Kind.MILESTONE, date=DUE)
    assert Item.objects.with_state(ON).get(pk=item.pk).state == Item.State.ON_TRACK
    assert Item.objects.get(pk=item.pk).state_on(ON) == Item.State.ON_TRACK


def test_a_completed_item_is_done_whatever_its_milestones(db):
    item = Item.objects.create(
        text="已办结", due_date=DUE, status=Item.Status.COMPLETED, completed_at=_at(ON)
    )
    Deadline.objects.create(item=item, date=START)
    assert Item.objects.with_state(ON).get(pk=item.pk).state == Item.State.DONE
    assert Item.objects.get(pk=item.pk).state_on(ON) == Item.State.DONE
