"""No lost updates: the second save of the same version gets a conflict, the first's data stays."""

import datetime

import pytest
from django.urls import reverse

from tests.tracking import pdf_upload
from tracker.models import Item, ProgressReport, Request
from tracker.tracking import actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(make_item, units, users):
    item = make_item(lead=units["fgj"], due_date=datetime.date(2030, 5, 31))
    return actions.do_sign(users["staff"], item, item.version)


def test_the_second_action_on_the_same_version_is_a_conflict_and_changes_nothing(users, item):
    seen = item.version
    # The unit head's own report goes up at once (a staff report would wait for confirmation).
    actions.do_report(users["head"], Item.objects.get(pk=item.pk), seen, 40, "第一份")
    with pytest.raises(actions.Conflict) as caught:
        actions.do_report(users["staff"], Item.objects.get(pk=item.pk), seen, 70, "第二份")
    assert caught.value.current.version == seen + 1
    item.refresh_from_db()
    assert (item.percent, item.version) == (40, seen + 1)
    assert list(ProgressReport.objects.values_list("narrative", flat=True)) == ["第一份"]


def test_two_people_saving_the_same_version_the_second_sees_the_newer_one_and_keeps_input(
    client, users, item
):
    first, second = client, type(client)()
    first.force_login(users["head"])  # the head's report goes up at once: percent moves
    second.force_login(users["staff"])
    url = reverse("item_report", args=[item.pk])
    seen = item.version
    ok = first.post(url, {"version": seen, "percent": 40, "narrative": "第一人的进展"})
    assert ok.status_code == 302
    clash = second.post(url, {"version": seen, "percent": 70, "narrative": "第二人的进展说明"})
    assert clash.status_code == 409
    page = clash.content.decode()
    assert "已被他人更新" in page
    assert f"第 {seen + 1} 版" in page
    assert "第二人的进展说明" in page  # the second user's input is kept
    assert 'value="70"' in page
    assert f'name="version" value="{seen + 1}"' in page  # resubmitting is a conscious choice
    assert "第一人的进展" in page  # the newer data is shown
    item.refresh_from_db()
    assert item.percent == 40
    assert list(ProgressReport.objects.values_list("narrative", flat=True)) == ["第一人的进展"]


def test_a_stale_grade_does_not_overwrite_a_newer_one(client, users, item):
    client.force_login(users["supervisor"])
    url = reverse("item_grade", args=[item.pk])
    seen = item.version
    assert client.post(url, {"version": seen, "grade": "A"}).status_code == 302
    assert client.post(url, {"version": seen, "grade": "D"}).status_code == 409
    item.refresh_from_db()
    assert item.grade == "A"


def test_a_decision_on_a_stale_version_leaves_the_request_pending(users, item):
    request = actions.do_request_completion(
        users["head"], item, item.version, "完成", [pdf_upload()]
    )
    seen = Item.objects.get(pk=item.pk).version
    actions.do_grade(users["admin"], Item.objects.get(pk=item.pk), seen, "B")
    with pytest.raises(actions.Conflict):
        actions.do_decide_completion(users["supervisor"], request, seen, True)
    request.refresh_from_db()
    item.refresh_from_db()
    assert request.decision == Request.Decision.PENDING
    assert item.status == Item.Status.COMPLETION_REQUESTED
