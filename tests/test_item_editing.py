"""The office edits an item in the application: text, owners, people, dates and tags, under
the version check, audited, and marked as hand edits for a later re-import."""

import datetime

import pytest
from django.urls import reverse

from tracker.models import Deadline, Item, ItemOwner, ItemPerson, UnitGroup
from tracker.tracking import actions, editing
from tracker.tracking.audit import told

pytestmark = pytest.mark.django_db

DUE = datetime.date(2030, 6, 30)


@pytest.fixture
def item(make_item, units):
    item = make_item(
        "原任务内容。", lead=units["fgj"], co=[units["jyj"]], due_date=DUE, due_is_default=True
    )
    Deadline.objects.create(
        item=item, kind=Deadline.Kind.DEADLINE, expr="6月底前", date=DUE, is_default=True
    )
    ItemOwner.objects.filter(item=item, role=ItemOwner.Role.LEAD).update(is_default=True)
    ItemPerson.objects.create(item=item, role=ItemPerson.Role.LEADER, name="张三")
    return item


def form_data(item, **changes):
    """The edit page's form as the browser posts it, with `changes` applied."""
    owners = list(item.owners.all())
    people = list(item.people.all())
    deadlines = [d for d in item.deadlines.all() if not d.closed]
    data = {
        "version": item.version,
        "text": item.text,
        "due_date": item.due_date.isoformat() if item.due_date else "",
        "tags": "、".join(t.name for t in item.tags.all()),
        "owner-TOTAL_FORMS": len(owners) + 1,
        "owner-INITIAL_FORMS": len(owners),
        "person-TOTAL_FORMS": len(people),
        "person-INITIAL_FORMS": len(people),
        "deadline-TOTAL_FORMS": len(deadlines),
        "deadline-INITIAL_FORMS": len(deadlines),
    }
    for i, o in enumerate(owners):
        data.update(
            {
                f"owner-{i}-role": o.role,
                f"owner-{i}-name": o.name,
                f"owner-{i}-link": f"u{o.unit_id}" if o.unit_id else "",
            }
        )
    data.update(
        {
            f"owner-{len(owners)}-role": "co",
            f"owner-{len(owners)}-name": "",
            f"owner-{len(owners)}-link": "",
        }
    )
    for i, p in enumerate(people):
        data.update(
            {
                f"person-{i}-role": p.role,
                f"person-{i}-name": p.name,
                f"person-{i}-user": p.user_id or "",
            }
        )
    for i, d in enumerate(deadlines):
        data.update(
            {
                f"deadline-{i}-id": d.pk,
                f"deadline-{i}-kind": d.kind,
                f"deadline-{i}-what": d.what,
                f"deadline-{i}-expr": d.expr,
                f"deadline-{i}-date": d.date.isoformat() if d.date else "",
            }
        )
    data.update(changes)
    return data


def test_the_edit_page_opens_from_the_item_page(client, users, item):
    client.force_login(users["supervisor"])
    page = client.get(reverse("item_detail", args=[item.pk])).content.decode()
    assert reverse("item_edit", args=[item.pk]) in page
    edit = client.get(reverse("item_edit", args=[item.pk]))
    assert edit.status_code == 200
    assert "原任务内容。" in edit.content.decode()


def test_an_edit_changes_every_field_audits_it_and_marks_hand_edits(client, users, units, item):
    group = UnitGroup.objects.create(name="各镇(街道)")
    client.force_login(users["supervisor"])
    lead = [o.role for o in item.owners.all()].index("lead")
    data = form_data(
        item,
        **{
            "text": "改过的任务内容。",
            "due_date": "2030-09-30",
            "tags": "民生实事，重点",
            f"owner-{lead}-link": f"g{group.pk}",
            f"owner-{lead}-name": "各镇(街道)",
            "owner-2-role": "responsible",
            "owner-2-name": "某某公司",
            "person-0-name": "李四",
        },
    )
    response = client.post(reverse("item_edit", args=[item.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    item.refresh_from_db()
    assert item.text == "改过的任务内容。"
    assert item.due_date == datetime.date(2030, 9, 30)
    assert item.due_is_default is False  # a date the office set is no default one
    assert sorted(t.name for t in item.tags.all()) == ["民生实事", "重点"]
    owners = {(o.role, o.name): o for o in item.owners.all()}
    assert owners[("lead", "各镇(街道)")].group == group
    assert owners[("lead", "各镇(街道)")].is_default is False
    assert owners[("co", "区教育局")].unit == units["jyj"]
    assert owners[("responsible", "某某公司")].unit is None  # kept as written: 未对应单位
    assert list(item.people.values_list("name", flat=True)) == ["李四"]
    # The 时限 row of the old due date moved with it: the reminders chase the new date.
    assert list(item.deadlines.values_list("date", "is_default")) == [
        (datetime.date(2030, 9, 30), False)
    ]
    record = item.history.first()
    assert record.history_user == users["supervisor"]
    assert told(record.history_change_reason) == (
        "督查室修改：任务内容、责任单位、责任领导和责任人、完成时限、标签"
    )
    page = client.get(reverse("item_detail", args=[item.pk])).content.decode()
    assert "督查室修改：任务内容" in page
    assert "原任务内容。 → 改过的任务内容。" in page


def test_an_edit_keeps_owners_left_as_they_were_as_default(client, users, item):
    client.force_login(users["supervisor"])
    response = client.post(
        reverse("item_edit", args=[item.pk]), form_data(item, text="只改了内容。")
    )
    assert response.status_code == 302
    lead = item.owners.get(role="lead")
    assert lead.is_default is True
    assert told(item.history.first().history_change_reason) == "督查室修改：任务内容"


def test_saving_without_a_change_writes_nothing(client, users, item):
    client.force_login(users["supervisor"])
    before = (item.version, item.history.count())
    response = client.post(reverse("item_edit", args=[item.pk]), form_data(item))
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.version, item.history.count()) == before


def test_milestones_are_changed_added_and_taken_off(client, users, item):
    extra = Deadline.objects.create(
        item=item, kind=Deadline.Kind.MILESTONE, what="一季度", date=datetime.date(2030, 3, 31)
    )
    done = Deadline.objects.create(
        item=item,
        kind=Deadline.Kind.MILESTONE,
        what="已完成节点",
        date=datetime.date(2030, 1, 31),
        done_at=datetime.datetime(2030, 1, 30, tzinfo=datetime.UTC),
    )
    client.force_login(users["supervisor"])
    data = form_data(item)
    rows = int(data["deadline-TOTAL_FORMS"])
    index = next(i for i in range(rows) if data[f"deadline-{i}-id"] == extra.pk)
    data[f"deadline-{index}-DELETE"] = "on"
    data.update(
        {
            "deadline-TOTAL_FORMS": rows + 1,
            f"deadline-{rows}-kind": "milestone",
            f"deadline-{rows}-what": "二季度",
            f"deadline-{rows}-date": "2030-05-31",
        }
    )
    assert client.post(reverse("item_edit", args=[item.pk]), data).status_code == 302
    whats = set(item.deadlines.values_list("what", flat=True))
    assert "一季度" not in whats and {"二季度", "已完成节点"} <= whats
    assert Deadline.objects.get(pk=done.pk).done_at is not None
    assert told(item.history.first().history_change_reason) == "督查室修改：时限与节点"


def test_two_people_saving_the_same_item_the_second_gets_a_conflict_and_keeps_input(
    client, users, item
):
    first, second = client, type(client)()
    first.force_login(users["supervisor"])
    second.force_login(users["admin"])
    url = reverse("item_edit", args=[item.pk])
    seen = item.version
    assert first.post(url, form_data(item, text="第一人的修改。")).status_code == 302
    clash = second.post(url, form_data(item, version=seen, text="第二人的修改内容。"))
    assert clash.status_code == 409
    page = clash.content.decode()
    assert "保存冲突" in page and "已被他人更新" in page
    assert "第二人的修改内容。" in page  # the second person's input is kept
    assert "第一人的修改。" in page  # and the newer item is shown
    assert f'name="version" value="{seen + 1}"' in page
    item.refresh_from_db()
    assert item.text == "第一人的修改。"


def test_the_service_refuses_a_stale_version(users, units, item):
    lead = editing.Owner("lead", units["fgj"].name, units["fgj"])
    edit = editing.Edit(text="新内容", owners=[lead], people=[], due_date=DUE)
    seen = item.version
    actions.do_grade(users["supervisor"], item, seen, "A")
    with pytest.raises(actions.Conflict):
        editing.do_edit(users["supervisor"], Item.objects.get(pk=item.pk), seen, edit)
    assert Item.objects.get(pk=item.pk).text == "原任务内容。"


@pytest.mark.parametrize("value", ["0001-06-30", "9999-12-31"])
def test_an_absurd_date_is_refused_in_chinese_and_nothing_is_lost(client, users, item, value):
    client.force_login(users["supervisor"])
    before = (item.version, item.history.count())
    response = client.post(
        reverse("item_edit", args=[item.pk]),
        form_data(item, text="不应丢失的输入。", due_date=value),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "超出合理范围" in page
    assert "不应丢失的输入。" in page
    item.refresh_from_db()
    assert (item.version, item.history.count(), item.text) == (*before, "原任务内容。")


@pytest.mark.parametrize("field", ["version", "owner-TOTAL_FORMS", "deadline-0-id"])
def test_nonsense_in_a_numeric_field_is_a_chinese_message(client, users, item, field):
    client.force_login(users["supervisor"])
    response = client.post(
        reverse("item_edit", args=[item.pk]),
        form_data(item, text="保留我的输入。", **{field: "１２abc"}),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "保留我的输入。" in page or field == "owner-TOTAL_FORMS"
    assert any(word in page for word in ("有误", "数据缺失", "被篡改"))
    assert Item.objects.get(pk=item.pk).text == "原任务内容。"


def test_an_empty_text_is_refused(client, users, item):
    client.force_login(users["supervisor"])
    response = client.post(reverse("item_edit", args=[item.pk]), form_data(item, text="  "))
    assert response.status_code == 400
    assert Item.objects.get(pk=item.pk).text == "原任务内容。"


def test_a_re_import_sees_every_hand_edit_as_the_offices(client, users, units, item):
    """The re-import's three-way merge (tracker.imports.merge) keeps what the office edited:
    each edited field differs from what the parser said at the last import."""
    from tracker.imports import merge

    parsed = {
        "text": "原任务内容。",
        "owners": [{"role": "lead", "name": "区发展和改革局"}, {"role": "co", "name": "区教育局"}],
        "due": None,
    }
    Item.objects.filter(pk=item.pk).update(parsed=merge.parsed_values(parsed))
    item.refresh_from_db()
    lead = [o.role for o in item.owners.all()].index("lead")
    client.force_login(users["supervisor"])
    response = client.post(
        reverse("item_edit", args=[item.pk]),
        form_data(
            item,
            **{
                "text": "督查室改写的内容。",
                "due_date": "2030-10-31",
                f"owner-{lead}-name": "区政府督查室",
                f"owner-{lead}-link": f"u{units['dcs'].pk}",
            },
        ),
    )
    assert response.status_code == 302
    item.refresh_from_db()
    new = dict(
        parsed,
        text="新版文件的内容。",
        due="2030-12-31",
        owners=[{"role": "lead", "name": "区财政局"}],
    )
    found = merge.item_differences([item], {item.pk: new})[item.pk]
    assert {d["field"]: d["edited"] for d in found} == {"text": True, "owners": True, "due": True}
    assert all(merge.resolution(d, {}) == "keep" for d in found)
