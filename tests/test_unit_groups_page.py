"""The office's unit groups page: list, create, edit members; an item owned by a group reaches
its members; every change audited; the office's only."""

import pytest
from django.urls import reverse

from tracker.models import Item, ItemOwner, Unit, UnitGroup

pytestmark = pytest.mark.django_db


def test_the_office_creates_a_group_and_its_members_see_the_groups_items(
    client, users, units, make_item
):
    town = Unit.objects.create(name="城东街道", kind=Unit.Kind.TOWN)
    client.force_login(users["supervisor"])
    assert client.get(reverse("unit_groups")).status_code == 200
    response = client.post(
        reverse("unit_group_new"),
        {"name": "区直有关部门", "member_kind": "", "members": [units["fgj"].pk, units["jyj"].pk]},
    )
    assert response.status_code == 302
    group = UnitGroup.objects.get(name="区直有关部门")
    assert set(group.member_units()) == {units["fgj"], units["jyj"]}
    assert group.history.first().history_user == users["supervisor"]
    item = make_item("各部门共同推进的任务。")
    ItemOwner.objects.create(item=item, role=ItemOwner.Role.LEAD, name=group.name, group=group)
    assert Item.objects.visible_to(users["staff"]).filter(pk=item.pk).exists()
    # Edit: every town instead of the two departments.
    response = client.post(
        reverse("unit_group_edit", args=[group.pk]),
        {"name": "区直有关部门", "member_kind": Unit.Kind.TOWN, "members": []},
    )
    assert response.status_code == 302
    group.refresh_from_db()
    assert list(group.member_units()) == [town]
    assert not Item.objects.visible_to(users["staff"]).filter(pk=item.pk).exists()
    assert group.history.count() == 2
    page = client.get(reverse("unit_groups")).content.decode()
    assert "区直有关部门" in page and "镇/街道" in page


def test_a_group_needs_a_unique_name(client, users):
    UnitGroup.objects.create(name="各镇(街道)")
    client.force_login(users["admin"])
    response = client.post(reverse("unit_group_new"), {"name": "各镇(街道)", "member_kind": ""})
    assert response.status_code == 400
    assert UnitGroup.objects.count() == 1
    response = client.post(reverse("unit_group_new"), {"name": "  ", "member_kind": ""})
    assert response.status_code == 400


@pytest.mark.parametrize("role", ["staff", "head", "leader"])
def test_only_the_office_manages_unit_groups(client, users, units, role):
    group = UnitGroup.objects.create(name="各镇(街道)")
    client.force_login(users[role])
    for url in (
        reverse("unit_groups"),
        reverse("unit_group_new"),
        reverse("unit_group_edit", args=[group.pk]),
    ):
        assert client.get(url).status_code == 403
    response = client.post(
        reverse("unit_group_edit", args=[group.pk]), {"name": "改名", "member_kind": "town"}
    )
    assert response.status_code == 403
    group.refresh_from_db()
    assert (group.name, group.member_kind) == ("各镇(街道)", "")
