"""Unit names on import: reasons for links and suggestions, no weak suggestion, groups."""

import pytest

from tracker.imports.preview import _unknown_units
from tracker.imports.units import (
    ALIAS,
    FOLDED,
    SAME_NAME,
    SIMILAR,
    UnitResolver,
    guess_group_kind,
    is_collective,
    split_addressees,
)
from tracker.models import Unit, UnitAlias, UnitGroup

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(db):
    made = {
        name: Unit.objects.create(name=name, kind=kind)
        for name, kind in [
            ("西关街道办事处", Unit.Kind.TOWN),
            ("南街街道办事处", Unit.Kind.TOWN),
            ("区应急管理局", Unit.Kind.CITY_DEPARTMENT),
            ("区住房和城乡建设局", Unit.Kind.CITY_DEPARTMENT),
            ("北山镇人民政府", Unit.Kind.TOWN),
        ]
    }
    UnitAlias.objects.create(unit=made["区住房和城乡建设局"], name="区住建局")
    UnitGroup.objects.create(name="各镇(街道)", member_kind=Unit.Kind.TOWN)
    return made


def test_each_link_and_suggestion_says_why(register):
    resolver = UnitResolver.load()
    assert resolver.owner("区应急管理局")["reason"] == SAME_NAME
    assert resolver.owner("区 应急管理局")["reason"] == FOLDED
    assert resolver.owner("区住建局") == {
        "unit": register["区住房和城乡建设局"].pk,
        "group": None,
        "reason": ALIAS,
    }
    assert resolver.owner("各镇（街道）")["group"] == UnitGroup.objects.get().pk
    folded = resolver.suggest("北山镇政府")
    assert folded["unit"] == register["北山镇人民政府"].pk and folded["reason"] == FOLDED
    similar = resolver.suggest("区应急局")
    assert similar["unit"] == register["区应急管理局"].pk and similar["reason"] == SIMILAR
    assert similar["score"] >= 0.8


def test_different_street_offices_are_never_suggested_for_one_another(register):
    resolver = UnitResolver.load()
    for name in ("东街街道办事处", "西上庄街道办事处", "北街街道办事处", "钟家庄街道办事处"):
        suggestion = resolver.suggest(name)
        assert suggestion is None, (name, suggestion)
    # Unrelated departments sharing the 局 tail are not similar either.
    assert resolver.suggest("区商务局") is None
    assert resolver.suggest("区市场监督管理局") is None


def test_collective_names_become_groups_reaching_a_kind():
    assert is_collective("各镇(街道)") and is_collective("市直各部门")
    assert is_collective("各县（市、区）人民政府") and is_collective("区直有关部门")
    assert not is_collective("区发展和改革局")
    assert guess_group_kind("各镇(街道)") == Unit.Kind.TOWN
    assert guess_group_kind("各县(市、区)人民政府") == Unit.Kind.COUNTY
    assert guess_group_kind("市直各部门") == Unit.Kind.CITY_DEPARTMENT
    assert guess_group_kind("各相关单位") == ""


def test_addressees_split_into_names_keeping_a_list_of_kinds_whole():
    assert split_addressees("各县(市、区)人民政府、开发区管委会，市人民政府各委、办、局：") == [
        "各县(市、区)人民政府",
        "开发区管委会",
        "市人民政府各委、办、局",
    ]


def small_gazette():
    lines = [
        "示范区人民政府办公室",
        "",
        "关于印发单位测试任务清单的通知",
        "",
        "示政办发〔2025〕31号",
        "",
        "各镇人民政府、街道办事处，区直各有关单位：",
        "",
        "现将任务清单印发给你们，请认真贯彻落实。",
        "",
        "示范区人民政府办公室",
        "",
        "2025年2月20日",
        "",
        "一、重点任务",
        "",
        "1.完成农田灌溉设施改造，6月底前完成。〔责任单位：各镇(街道)〕",
        "",
        "2.完成公共服务平台建设，9月底前完成。〔责任单位：区数据局〕",
        "",
        "3.持续做好安全生产宣传教育工作，12月底前完成。〔责任单位：区数据局〕",
        "",
    ]
    return "\n".join(lines).encode()


def test_create_every_unknown_name_groups_and_default_owners(users, units, client):
    from tracker.imports import confirm, jobs
    from tracker.models import Item, ItemOwner, ProgressReport

    town = Unit.objects.create(name="北山镇", kind=Unit.Kind.TOWN)
    job = jobs.run_import_job(jobs.create_job(users["supervisor"], "单位.txt", small_gazette()).pk)
    # The third task as a document often writes it: with no owner at all.
    job.preview["documents"][0]["items"][2]["owners"] = []
    job.preview["unknown_units"] = _unknown_units(job.preview["documents"], UnitResolver.load())
    job.save(update_fields=["preview"])
    unknown = {u["name"]: u for u in job.preview["unknown_units"]}
    assert unknown["各镇(街道)"]["collective"] and not unknown["区数据局"]["collective"]
    [doc] = job.preview["documents"]
    assert [o["name"] for o in doc["default_owners"]] == [
        "各镇人民政府",
        "街道办事处",
        "区直各有关单位",
    ]
    confirm.confirm_import(job, users["supervisor"], confirm.Decisions(create_units=True))
    group = UnitGroup.objects.get(name="各镇(街道)")
    assert group.member_kind == Unit.Kind.TOWN
    assert Unit.objects.filter(name="区数据局").exists()
    collective = Item.objects.get(text__startswith="完成农田灌溉")
    assert collective.owners.get().group == group
    # The item naming nobody gets the addressees, marked default.
    nameless = Item.objects.get(text__startswith="持续做好安全生产")
    owners = list(nameless.owners.all())
    assert owners and all(o.is_default and o.role == ItemOwner.Role.RESPONSIBLE for o in owners)
    assert all(o.unit_id or o.group_id for o in owners)
    # A town's staff member sees the group's item, reports on it; the item shows each member.
    from tests.conftest import make_user

    town_staff = make_user("town_staff", "staff", unit=town)
    assert collective in Item.objects.visible_to(town_staff)
    ProgressReport.objects.create(
        item=collective, author=town_staff, percent=40, narrative="已完成四成。"
    )
    client.force_login(users["supervisor"])
    page = client.get(f"/items/{collective.pk}/").content.decode()
    members = UnitGroup.objects.get(name="各镇(街道)").member_units().count()
    assert f"各成员单位进展（1/{members} 已报送）" in page
    assert "北山镇" in page and "40%" in page


def test_an_unlinked_owner_shows_as_unlinked_on_the_item_and_in_the_list(users, make_item, client):
    from tracker.models import ItemOwner

    item = make_item(text="核查未对应单位的事项。")
    ItemOwner.objects.create(item=item, role=ItemOwner.Role.LEAD, name="区审计局")
    client.force_login(users["supervisor"])
    assert "未对应单位" in client.get(f"/items/{item.pk}/").content.decode()
    listed = client.get("/items/").content.decode()
    assert "区审计局" in listed and "未对应单位" in listed
