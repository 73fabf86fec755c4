"""manage.py generate_demo_data: a large, consistent data set written with bulk_create."""

import pytest
from django.core.management import CommandError, call_command

from tracker.models import Deadline, Item, ItemOwner, ItemPerson, ProgressReport, Unit

pytestmark = pytest.mark.django_db


def test_it_writes_items_with_owners_leaders_deadlines_and_progress(capsys):
    call_command("generate_demo_data", items=300, units=12, leaders=4, seed=3)
    assert Item.objects.count() == 300
    assert Unit.objects.count() == 12
    assert ItemPerson.objects.filter(role="leader").values("name").distinct().count() == 4
    # Every item has one lead unit and one leader; completed ones have a completion time.
    assert ItemOwner.objects.filter(role="lead").count() == 300
    assert ItemPerson.objects.count() == 300
    assert not Item.objects.filter(status="completed", completed_at__isnull=True).exists()
    assert Item.objects.exclude(grade="").exists()
    assert Deadline.objects.filter(kind="milestone", item__kind="project").exists()
    assert ProgressReport.objects.exists()
    # The liaisons' units have no unit head, so their reports count at once (as in the UI).
    assert not ProgressReport.objects.filter(confirmed_at__isnull=True).exists()
    # Due dates are each item's latest deadline, as Item.refresh_due_date() would set them.
    item = Item.objects.filter(due_date__isnull=False).first()
    assert item.refresh_due_date() == item.due_date
    assert "演示数据已生成" in capsys.readouterr().out


def test_it_refuses_to_write_a_second_set_into_the_same_database():
    call_command("generate_demo_data", items=20, units=3, leaders=2)
    with pytest.raises(CommandError, match="已有演示数据"):
        call_command("generate_demo_data", items=20, units=3, leaders=2)
    assert Item.objects.count() == 20
