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
