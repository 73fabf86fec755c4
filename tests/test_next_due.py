"""Item.next_due, the stored earliest date an item owes, follows every kind of write.

The database triggers (tracker.models.next_due) keep it; these tests write items and deadlines
in each way the code does (save, create, bulk_create, queryset update and delete, a full save
of a stale in-memory item) and compare the column with the rule computed from the rows.
"""

import datetime
import random

import pytest
from django.utils import timezone

from tracker.models import Deadline, Item

D = datetime.date


def stored(item):
    return Item.objects.values_list("next_due", flat=True).get(pk=item.pk)


def computed(item):
    dates = [d.date for d in Deadline.objects.filter(item=item) if d.date and not d.closed]
    due = Item.objects.values_list("due_date", flat=True).get(pk=item.pk)
    return min([d for d in (min(dates, default=None), due) if d], default=None)


@pytest.mark.django_db
def test_the_column_follows_item_and_deadline_writes(make_item):
    item = make_item(due_date=D(2026, 12, 31))
    assert stored(item) == D(2026, 12, 31)
    node = Deadline.objects.create(item=item, kind=Deadline.Kind.MILESTONE, date=D(2026, 3, 31))
    assert stored(item) == D(2026, 3, 31)
    # Done through a queryset update (no signal would see this).
    Deadline.objects.filter(pk=node.pk).update(done_at=timezone.now())
    assert stored(item) == D(2026, 12, 31)
    Deadline.objects.filter(pk=node.pk).update(done_at=None)
    assert stored(item) == D(2026, 3, 31)
    node.superseded_at = timezone.now()
    node.save(update_fields=["superseded_at"])
    assert stored(item) == D(2026, 12, 31)
    Deadline.objects.bulk_create(
        [Deadline(item=item, date=D(2026, 6, 30)), Deadline(item=item, date=None, ongoing=True)]
    )
    assert stored(item) == D(2026, 6, 30)
    Item.objects.filter(pk=item.pk).update(due_date=D(2026, 1, 15))
    assert stored(item) == D(2026, 1, 15)
    Item.objects.filter(pk=item.pk).update(due_date=None)
    assert stored(item) == D(2026, 6, 30)
    item.deadlines.all().delete()
    assert stored(item) is None


@pytest.mark.django_db
def test_a_full_save_of_a_stale_item_never_writes_a_wrong_date(make_item):
    item = make_item(due_date=D(2026, 12, 31))
    assert item.next_due is None  # the instance never read what the database wrote
    Deadline.objects.create(item=item, date=D(2026, 5, 1))
    item.text = "改写的任务内容。"
    item.save()  # writes every column, next_due=None included
    assert stored(item) == D(2026, 5, 1)


@pytest.mark.django_db
def test_the_state_uses_the_column_and_agrees_with_state_on(make_item):
    today = D(2026, 4, 10)
    item = make_item(due_date=D(2026, 12, 31))
    Deadline.objects.create(item=item, kind=Deadline.Kind.MILESTONE, date=D(2026, 3, 31))
    annotated = Item.objects.with_state(today).get(pk=item.pk)
    assert annotated.state == Item.State.OVERDUE
    assert annotated.next_due == D(2026, 3, 31)
    assert Item.objects.get(pk=item.pk).state_on(today) == Item.State.OVERDUE


@pytest.mark.django_db
def test_triggers_and_refresh_next_due_agree_on_random_histories(make_item):
    rng = random.Random(17)
    dues = [None] + [D(2026, 1, 1) + datetime.timedelta(days=n) for n in range(0, 400, 37)]
    items = [make_item(due_date=rng.choice(dues)) for _ in range(30)]
    for _step in range(200):
        item = rng.choice(items)
        action = rng.randrange(5)
        if action == 0:
            Deadline.objects.create(
                item=item,
                date=rng.choice(
                    [None, D(2025, 6, 1) + datetime.timedelta(days=rng.randrange(700))]
                ),
                ongoing=False,
            )
        elif action == 1 and item.deadlines.exists():
            Deadline.objects.filter(pk=item.deadlines.order_by("?").first().pk).update(
                done_at=rng.choice([None, timezone.now()])
            )
        elif action == 2 and item.deadlines.filter(date__isnull=False).exists():
            item.deadlines.filter(date__isnull=False).order_by("date").first().delete()
        elif action == 3:
            Item.objects.filter(pk=item.pk).update(
                due_date=rng.choice([None, D(2026, 7, rng.randrange(1, 31))])
            )
        elif action == 4 and item.deadlines.exists():
            other = rng.choice(items)
            Deadline.objects.filter(pk=item.deadlines.first().pk).update(item=other)
    for item in items:
        assert stored(item) == computed(item), item.pk
    before = dict(Item.objects.values_list("pk", "next_due"))
    Item.objects.update(due_date=None)  # wrong on purpose, then repaired by the rule in Django
    Item.objects.filter(pk__in=before).update(next_due=None)
    Item.objects.all().refresh_next_due()
    for item in items:
        assert stored(item) == computed(item)


@pytest.mark.django_db
def test_a_split_item_owes_what_its_open_sub_items_owe(make_item):
    parent = make_item(due_date=D(2026, 12, 31))
    child = make_item(due_date=D(2026, 9, 30), parent=parent)
    assert stored(parent) == D(2026, 9, 30)
    node = Deadline.objects.create(item=child, kind=Deadline.Kind.MILESTONE, date=D(2026, 2, 1))
    assert stored(child) == D(2026, 2, 1)
    assert stored(parent) == D(2026, 2, 1)
    Deadline.objects.filter(pk=node.pk).update(done_at=timezone.now())
    assert stored(parent) == D(2026, 9, 30)
    Item.objects.filter(pk=child.pk).update(withdrawn_at=timezone.now())
    assert stored(parent) == D(2026, 12, 31)
    Item.objects.filter(pk=child.pk).update(withdrawn_at=None)
    assert stored(parent) == D(2026, 9, 30)
    Item.objects.filter(pk=child.pk).update(
        status=Item.Status.COMPLETED, completed_at=timezone.now()
    )
    assert stored(parent) == D(2026, 12, 31)
    for today in (D(2026, 1, 1), D(2026, 10, 1), D(2026, 12, 28), D(2027, 1, 2)):
        annotated = Item.objects.with_state(today).get(pk=parent.pk)
        assert annotated.state == Item.objects.get(pk=parent.pk).state_on(today)
