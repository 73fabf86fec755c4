import pytest

from tracker.models import Item

pytestmark = pytest.mark.django_db


def test_unit_members_see_only_items_their_unit_leads_or_cooperates_on(users, units, make_item):
    own = make_item(lead=units["fgj"])
    co = make_item(lead=units["jyj"], co=[units["fgj"]])
    other = make_item(lead=units["jyj"])
    for name in ("staff", "head"):
        assert set(Item.objects.visible_to(users[name])) == {own, co}
    assert set(Item.objects.visible_to(users["other_staff"])) == {co, other}
    for name in ("supervisor", "leader", "admin"):
        assert set(Item.objects.visible_to(users[name])) == {own, co, other}


def test_anonymous_users_see_nothing(make_item, units):
    from django.contrib.auth.models import AnonymousUser

    make_item(lead=units["fgj"])
    assert not Item.objects.visible_to(AnonymousUser()).exists()


def test_an_item_owned_by_a_unit_group_reaches_every_member(users, units, make_item):
    from tracker.models import ItemOwner, Unit, UnitGroup

    listed = UnitGroup.objects.create(name="区直有关部门")
    listed.members.add(units["fgj"])
    by_kind = UnitGroup.objects.create(name="区直各部门", member_kind=Unit.Kind.CITY_DEPARTMENT)
    towns = UnitGroup.objects.create(name="各镇(街道)", member_kind=Unit.Kind.TOWN)
    items = {}
    for group in (listed, by_kind, towns):
        items[group.name] = make_item()
        ItemOwner.objects.create(
            item=items[group.name], role=ItemOwner.Role.LEAD, name=group.name, group=group
        )
    # staff (区发展和改革局) is a listed member and a department; other_staff (区教育局) only
    # a department; nobody here is a town.
    assert set(Item.objects.visible_to(users["staff"])) == {
        items["区直有关部门"],
        items["区直各部门"],
    }
    assert set(Item.objects.visible_to(users["other_staff"])) == {items["区直各部门"]}
    assert set(Item.objects.visible_to(users["supervisor"])) == set(items.values())
