"""分解 (sub-items that roll up to their parent) and 撤销 (out of lists, dashboards and
reminders, still viewable with its history, restorable)."""

import datetime

import pytest
from django.urls import reverse

from dashboards import queries
from tests.tracking import pdf_upload
from tracker.access import visible_items
from tracker.models import Deadline, Item, Reminder
from tracker.reminders.sweep import sweep
from tracker.tracking import actions, editing
from tracker.tracking.audit import told

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2030, 6, 10)


@pytest.fixture
def parent(make_item, units):
    return make_item(
        "建设三所学校。", lead=units["jyj"], due_date=datetime.date(2030, 12, 31), ref="三.(二).1"
    )


def split_data(item, parts):
    data = {"version": item.version, "part-TOTAL_FORMS": len(parts) + 1, "part-INITIAL_FORMS": 0}
    for i, (text, lead, co, due) in enumerate(parts):
        data.update(
            {
                f"part-{i}-text": text,
                f"part-{i}-lead": lead,
                f"part-{i}-co": co,
                f"part-{i}-due_date": due,
            }
        )
    return data


def split(client, users, units, parent):
    client.force_login(users["supervisor"])
    response = client.post(
        reverse("item_split", args=[parent.pk]),
        split_data(
            parent,
            [
                ("建设第一所学校。", f"u{units['fgj'].pk}", [f"u{units['jyj'].pk}"], "2030-06-01"),
                ("建设第二所学校。", f"u{units['jyj'].pk}", [], "2030-11-30"),
            ],
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    return list(Item.objects.filter(parent=parent).order_by("pk"))


def test_split_creates_sub_items_with_their_own_owners_and_dates(client, users, units, parent):
    first, second = split(client, users, units, parent)
    assert (first.text, first.due_date, first.ref) == (
        "建设第一所学校。",
        datetime.date(2030, 6, 1),
        "三.(二).1-1",
    )
    assert {(o.role, o.unit_id) for o in first.owners.all()} == {
        ("lead", units["fgj"].pk),
        ("co", units["jyj"].pk),
    }
    assert second.owners.get().unit == units["jyj"]
    assert told(Item.objects.get(pk=parent.pk).history.first().history_change_reason) == (
        "分解为 2 项子任务"
    )
    page = client.get(reverse("item_detail", args=[parent.pk])).content.decode()
    assert "分解的子任务" in page and "建设第一所学校。" in page
    child_page = client.get(reverse("item_detail", args=[first.pk])).content.decode()
    assert "上级事项" in child_page
    # The sub-item's unit sees it (and reports on it); the parent's own unit may not see it.
    client.force_login(users["staff"])  # 区发展和改革局
    assert client.get(reverse("item_detail", args=[first.pk])).status_code == 200


def test_the_parent_rolls_up_percent_state_and_completion(client, users, units, parent):
    first, second = split(client, users, units, parent)
    fgj, jyj = users["head"], users["other_staff"]
    actions.do_sign(fgj, first, first.version)
    actions.do_report(fgj, first, first.version, 60, "过半")
    parent.refresh_from_db()
    assert parent.percent == 30  # (60 + 0) / 2
    assert told(parent.history.first().history_change_reason) == "按子任务汇总进度为 30%"
    # The first sub-item is due 2030-06-01: overdue on the 10th, and so is its parent.
    states = dict(
        Item.objects.filter(pk__in=[parent.pk, second.pk])
        .with_state(TODAY)
        .values_list("pk", "state")
    )
    assert states == {parent.pk: Item.State.OVERDUE, second.pk: Item.State.ON_TRACK}
    assert Item.objects.get(pk=parent.pk).state_on(TODAY) == Item.State.OVERDUE
    # A split item takes no report of its own.
    assert not actions.is_possible("report", Item.objects.get(pk=parent.pk))
    for child, user in ((first, fgj), (second, jyj)):
        child.refresh_from_db()
        if child.status == Item.Status.NEW:
            actions.do_sign(user, child, child.version)
            child.refresh_from_db()
        request = actions.do_request_completion(user, child, child.version, "完成", [pdf_upload()])
        child.refresh_from_db()
        actions.do_decide_completion(users["supervisor"], request, child.version, True)
        parent.refresh_from_db()
        assert parent.status == (Item.Status.COMPLETED if child == second else Item.Status.NEW)
    assert parent.percent == 100 and parent.completed_at is not None
    assert told(parent.history.first().history_change_reason) == "子任务全部办结，本事项随之办结"


def test_a_sub_item_cannot_be_split_again_nor_a_completed_item(client, users, units, parent):
    first, _second = split(client, users, units, parent)
    response = client.post(
        reverse("item_split", args=[first.pk]),
        split_data(first, [("再分解。", f"u{units['fgj'].pk}", [], "")]),
    )
    assert response.status_code == 400
    assert "子任务不能再分解" in response.content.decode()
    assert not Item.objects.filter(parent=first).exists()


@pytest.mark.parametrize("due", ["0001-01-01", "9999-12-31"])
def test_a_split_with_an_absurd_date_keeps_the_input(client, users, units, parent, due):
    client.force_login(users["supervisor"])
    response = client.post(
        reverse("item_split", args=[parent.pk]),
        split_data(parent, [("不应丢失的子任务。", f"u{units['fgj'].pk}", [], due)]),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "超出合理范围" in page and "不应丢失的子任务。" in page
    assert not Item.objects.filter(parent=parent).exists()


def test_a_split_part_without_a_lead_is_refused(client, users, units, parent):
    client.force_login(users["supervisor"])
    response = client.post(
        reverse("item_split", args=[parent.pk]),
        split_data(parent, [("没有牵头单位。", "", [], "2030-06-30")]),
    )
    assert response.status_code == 400
    assert "请选择牵头单位" in response.content.decode()


def test_two_people_splitting_the_same_version_the_second_gets_a_conflict(
    client, users, units, parent
):
    seen = parent.version
    split(client, users, units, parent)
    other = type(client)()
    other.force_login(users["admin"])
    data = split_data(parent, [("第二人的子任务。", f"u{units['fgj'].pk}", [], "")])
    data["version"] = seen
    response = other.post(reverse("item_split", args=[parent.pk]), data)
    assert response.status_code == 409
    assert "第二人的子任务。" in response.content.decode()
    assert Item.objects.filter(parent=parent).count() == 2


# ---- 撤销 ------------------------------------------------------------------------------------


def withdraw(client, users, item, reason="任务已调整"):
    client.force_login(users["supervisor"])
    response = client.post(
        reverse("item_withdraw", args=[item.pk]), {"version": item.version, "reason": reason}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    item.refresh_from_db()
    return item


def test_a_withdrawn_item_leaves_lists_dashboards_and_reminders_but_stays_viewable(
    client, users, make_item, units, settings
):
    due = datetime.date(2030, 6, 12)
    kept = make_item("保留的任务。", lead=units["fgj"], due_date=due)
    gone = make_item("撤销的任务。", lead=units["fgj"], due_date=due)
    Deadline.objects.create(item=gone, kind=Deadline.Kind.DEADLINE, date=due)
    withdraw(client, users, gone)
    assert gone.withdrawn_reason == "任务已调整"
    for role in ("supervisor", "staff"):
        client.force_login(users[role])
        listing = client.get(reverse("item_list")).content.decode()
        assert "保留的任务。" in listing and "撤销的任务。" not in listing
        page = client.get(reverse("item_detail", args=[gone.pk]))
        assert page.status_code == 200
        assert "已撤销" in page.content.decode() and "任务已调整" in page.content.decode()
    client.force_login(users["supervisor"])
    listing = client.get(reverse("item_list") + "?withdrawn=1").content.decode()
    assert "撤销的任务。" in listing and "保留的任务。" not in listing
    assert client.get(reverse("dashboards:overview")).status_code == 200
    assert queries.key_figures(visible_items(users["supervisor"]), due)["total"] == 1
    sweep(due)
    assert set(Reminder.objects.values_list("item_id", flat=True)) == {kept.pk}
    # No workflow on a withdrawn item until it is restored.
    assert not actions.is_possible("sign", gone)


def test_restoring_brings_it_back_and_the_history_tells_both(client, users, make_item, units):
    item = make_item("撤销后恢复。", lead=units["fgj"], due_date=datetime.date(2030, 9, 30))
    withdraw(client, users, item)
    response = client.post(reverse("item_withdraw", args=[item.pk]), {"version": item.version})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.withdrawn_at is None
    assert "撤销后恢复。" in client.get(reverse("item_list")).content.decode()
    reasons = [told(r.history_change_reason) for r in item.history.all()[:2]]
    assert reasons == ["恢复已撤销的事项", "撤销：任务已调整"]


def test_withdrawing_needs_a_reason_and_a_current_version(client, users, make_item, units):
    item = make_item("需要理由。", lead=units["fgj"])
    client.force_login(users["supervisor"])
    url = reverse("item_withdraw", args=[item.pk])
    assert client.post(url, {"version": item.version, "reason": " "}).status_code == 400
    assert client.post(url, {"version": "abc", "reason": "理由"}).status_code == 400
    seen = item.version
    actions.do_grade(users["supervisor"], item, seen, "B")
    clash = client.post(url, {"version": seen, "reason": "保留的撤销理由"})
    assert clash.status_code == 409
    assert "保留的撤销理由" in clash.content.decode()
    assert Item.objects.get(pk=item.pk).withdrawn_at is None


def test_withdrawing_a_parent_withdraws_its_sub_items_and_restores_them(
    client, users, units, parent
):
    first, second = split(client, users, units, parent)
    parent.refresh_from_db()
    withdraw(client, users, parent)
    assert set(Item.objects.filter(parent=parent).values_list("withdrawn_at", flat=True)) == {
        parent.withdrawn_at
    }
    with pytest.raises(actions.ActionError):
        editing.do_restore(users["supervisor"], Item.objects.get(pk=first.pk), first.version + 1)
    client.post(reverse("item_withdraw", args=[parent.pk]), {"version": parent.version})
    assert not Item.objects.filter(parent=parent, withdrawn_at__isnull=False).exists()


def test_withdrawing_a_sub_item_takes_it_out_of_the_roll_up(client, users, units, parent):
    first, second = split(client, users, units, parent)
    actions.do_sign(users["head"], first, first.version)
    actions.do_report(users["head"], first, first.version, 80, "进展")
    assert Item.objects.get(pk=parent.pk).percent == 40
    withdraw(client, users, Item.objects.get(pk=second.pk))
    assert Item.objects.get(pk=parent.pk).percent == 80


def test_a_reminder_swept_before_the_withdrawal_is_not_mailed(make_item, units, users):
    """Withdrawn between the sweep and the e-mail: the e-mail leaves the item out."""
    from zoneinfo import ZoneInfo

    from tracker.models import Delivery, ReminderSweep
    from tracker.reminders import mail, plan

    day, due = datetime.date(2024, 10, 9), datetime.date(2024, 10, 10)
    nine = datetime.datetime(2024, 10, 9, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    kept = make_item("按时提醒的任务。", lead=units["fgj"], due_date=due)
    gone = make_item("随后撤销的任务。", lead=units["fgj"], due_date=due)
    for item in (kept, gone):
        Deadline.objects.create(item=item, expr="10月10日前", date=due)
    ReminderSweep.objects.create(date=datetime.date(2024, 10, 8), finished_at=nine)
    sweep(day)
    assert Reminder.objects.filter(item=gone).exists()
    editing.do_withdraw(users["supervisor"], gone, gone.version, "任务取消")
    plan.plan_deliveries(nine)
    delivery = Delivery.objects.get(recipient=users["staff"])
    message = mail.build_message(delivery)
    assert f"/items/{kept.pk}/" in message.body
    assert f"/items/{gone.pk}/" not in message.body
