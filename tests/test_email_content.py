"""E-mails that say what to do now: each item once, with its unit, its current state and the
one most urgent reason; an escalation names the leaders it reached; leaders are never asked
to act on a reminder (they read digests and escalations)."""

import pytest

from tests.smtpsink import Sink
from tests.test_reminder_delivery import D, at, due_item, run, swept_until
from tests.test_reminder_delivery import rules as rules  # noqa: F401 (fixture)
from tests.test_reminder_delivery import sink as sink  # noqa: F401 (fixture)
from tracker.models import Deadline, ItemPerson, Notice, Reminder, User
from tracker.reminders import mail, plan

pytestmark = pytest.mark.django_db


def test_after_missed_days_an_item_is_listed_once_with_its_longest_overdue_reason(
    make_item, units, users, rules, sink
):  # noqa: F811
    item = due_item(make_item, units["fgj"], D(2024, 10, 9))
    Deadline.objects.create(item=item, expr="10月15日前", date=D(2024, 10, 15))
    swept_until(D(2024, 9, 27))  # then nothing ran for three weeks
    run(at(D(2024, 10, 16)))
    # Two overdue dates of one item (and its escalation): several reasons, one line.
    assert Reminder.objects.filter(item=item).count() >= 2
    (mailed,) = sink.to("staff@example.gov.cn")  # one e-mail for the day
    text = Sink.text(mailed)
    assert text.count(item.text) == 1
    reasons = [line for line in text.splitlines() if line.startswith("   - ")]
    assert len(reasons) == 1, text
    assert "已逾期" in reasons[0] and "应于 2024年10月9日 完成" in reasons[0]
    assert "今天到期" not in text and "还有" not in text
    assert "责任单位：区发展和改革局" in text and "当前：已逾期" in text
    html = Sink.html(sink.to("staff@example.gov.cn")[0])
    assert "区发展和改革局" in html and html.count("应于 2024年10月9日 完成") == 1


def test_of_two_coming_dates_the_nearest_is_the_reason(make_item, units, users, rules, sink):  # noqa: F811
    item = due_item(make_item, units["fgj"], D(2024, 10, 10))
    Deadline.objects.create(item=item, expr="10月14日前", date=D(2024, 10, 14))
    swept_until(D(2024, 10, 8))
    run(at(D(2024, 10, 9)))
    text = Sink.text(sink.to("staff@example.gov.cn")[0])
    assert "还有 1 个工作日到期（2024年10月10日）" in text
    assert "2024年10月14日" not in text


def escalate(make_item, units, leader=None):
    item = due_item(make_item, units["fgj"], D(2024, 9, 20))
    if leader is not None:
        ItemPerson.objects.create(
            item=item, role=ItemPerson.Role.LEADER, name=str(leader), user=leader
        )
    swept_until(D(2024, 10, 7))
    run(at(D(2024, 10, 8)))
    return item


def test_an_escalation_says_only_the_office_was_told_when_no_leader_has_an_account(
    make_item, units, users, rules, sink
):  # noqa: F811
    escalate(make_item, units)
    (office,) = [m for m in sink.to("supervisor@example.gov.cn") if "升级" in m["Subject"]]
    text = Sink.text(office)
    assert "已报告督查室" in text and "责任领导" not in text
    assert "请督促责任单位按时办理" in text and "报送进展" not in text


def test_an_escalation_names_the_leaders_it_reached(make_item, units, users, rules, sink):  # noqa: F811
    User.objects.filter(pk=users["leader"].pk).update(display_name="周海涛")
    users["leader"].refresh_from_db()
    escalate(make_item, units, leader=users["leader"])
    for address in ("supervisor@example.gov.cn", "leader@example.gov.cn"):
        (mailed,) = [m for m in sink.to(address) if "升级" in m["Subject"]]
        assert "已报告责任领导周海涛和督查室" in Sink.text(mailed), address


def test_a_named_leader_gets_no_deadline_or_report_reminders(make_item, units, users, rules, sink):  # noqa: F811
    item = due_item(make_item, units["fgj"], D(2024, 10, 10))
    ItemPerson.objects.create(
        item=item, role=ItemPerson.Role.LEADER, name="leader", user=users["leader"]
    )
    swept_until(D(2024, 10, 8))
    run(at(D(2024, 10, 9)))
    assert not Notice.objects.filter(recipient=users["leader"]).exists()
    assert not sink.to("leader@example.gov.cn")
    assert sink.to("staff@example.gov.cn")


def test_the_item_page_names_the_leaders_an_escalation_reached(
    client, make_item, units, users, rules, sink
):  # noqa: F811
    User.objects.filter(pk=users["leader"].pk).update(display_name="周海涛")
    item = escalate(make_item, units, leader=users["leader"])
    client.force_login(users["supervisor"])
    page = client.get(f"/items/{item.pk}/").content.decode()
    assert "已报告责任领导周海涛和督查室" in page


def test_english_reasons_name_the_leaders_too(make_item, units, users, rules):  # noqa: F811
    User.objects.filter(pk=users["supervisor"].pk).update(language="en")
    User.objects.filter(pk=users["leader"].pk).update(display_name="Zhou Haitao")
    escalate_item = due_item(make_item, units["fgj"], D(2024, 9, 20))
    ItemPerson.objects.create(
        item=escalate_item, role=ItemPerson.Role.LEADER, name="周海涛", user=users["leader"]
    )
    swept_until(D(2024, 10, 7))
    ids = plan.tick(at(D(2024, 10, 8)))
    from tracker.models import Delivery

    delivery = Delivery.objects.get(
        pk__in=ids, recipient=users["supervisor"], kind=Delivery.Kind.IMMEDIATE
    )
    body = mail.build_message(delivery).body
    assert "reported to the responsible leader Zhou Haitao and the supervision office" in body
