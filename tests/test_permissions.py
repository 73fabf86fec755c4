"""The permission matrix: every role × every page or action × an item of its own and another unit.

Staff and unit heads act only on items their unit leads or co-operates on (other units' items
are 404: their existence does not leak); leaders read everything and only comment; the
supervision office and administrators manage everything but the unit head's confirmation of a
report. A refused request changes nothing.
"""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.tracking import pdf_upload
from tracker.access import IMPORT, MANAGE_REMINDERS, can
from tracker.models import Comment, Evidence, ImportJob, Item, ProgressReport, Request
from tracker.tracking import actions, editing, review

pytestmark = pytest.mark.django_db

ROLES = ["staff", "head", "leader", "supervisor", "admin"]
READ = {"list", "detail", "export", "download", "comment"}
UNIT = READ | {"sign", "report", "request_extension", "request_completion"}
ITEM_ACTIONS = [
    "detail",
    "download",
    "sign",
    "report",
    "confirm",
    "request_extension",
    "decide_extension",
    "request_completion",
    "decide_completion",
    "grade",
    "urge",
    "comment",
    "return_report",
    "unit_review",
    "edit",
    "split",
    "withdraw",
    "restore",
]
# The unit head's own check before anything goes up: confirm or return a report, confirm or
# return a completion request (two-level review).
HEAD_ONLY = {"confirm", "return_report", "unit_review"}
OFFICE = (set(ITEM_ACTIONS) | READ) - HEAD_ONLY
ALLOWED = {
    "staff": UNIT,
    # Confirming a report (before it goes up) is the unit's own check: unit heads only.
    "head": UNIT | HEAD_ONLY,
    "leader": READ,
    "supervisor": OFFICE,
    "admin": OFFICE,
}


@pytest.fixture
def items(make_item, units):
    due = datetime.date(2030, 6, 30)
    return {
        "own": make_item("本单位牵头的任务", lead=units["fgj"], due_date=due),
        "other": make_item("其他单位的任务", lead=units["jyj"], due_date=due),
    }


def allowed(role, action):
    return action in ALLOWED[role]


def prepare(action, item, users):
    """Put the item where the action can happen; return (method, url, data)."""
    own = item.owners.get().unit == users["staff"].unit
    worker = users["staff"] if own else users["other_staff"]
    if action not in {
        "sign",
        "detail",
        "comment",
        "urge",
        "grade",
        "request_extension",
        "decide_extension",
        "edit",
        "split",
        "withdraw",
        "restore",
    }:
        actions.do_sign(worker, item, item.version)
    pk = item.pk
    if action == "detail":
        return "get", reverse("item_detail", args=[pk]), {}
    if action == "download":
        report = actions.do_report(worker, item, item.version, 10, "进展", [pdf_upload()])
        return "get", reverse("evidence_download", args=[report.evidence.get().pk]), {}
    if action == "sign":
        return "post", reverse("item_sign", args=[pk]), {"version": item.version}
    if action == "report":
        return (
            "post",
            reverse("item_report", args=[pk]),
            {
                "version": item.version,
                "percent": 30,
                "narrative": "推进中",
                "files": [pdf_upload()],
            },
        )
    if action == "confirm":
        report = actions.do_report(worker, item, item.version, 10, "进展")
        return "post", reverse("report_confirm", args=[pk, report.pk]), {}
    if action == "return_report":
        report = actions.do_report(worker, item, item.version, 10, "进展")
        return "post", reverse("report_return", args=[pk, report.pk]), {"note": "数据有误"}
    if action == "unit_review":
        request = actions.do_request_completion(worker, item, item.version, "完成", [pdf_upload()])
        Request.objects.filter(pk=request.pk).update(awaits_unit=True)  # as a staff request
        item.refresh_from_db()
        return (
            "post",
            reverse("request_unit_review", args=[pk, request.pk]),
            {"version": item.version, "decision": "return", "note": "材料不全"},
        )
    if action == "request_extension":
        return (
            "post",
            reverse("item_extension", args=[pk]),
            {"version": item.version, "new_date": "2030-12-31", "reason": "需要更多时间"},
        )
    if action == "decide_extension":
        request = actions.do_request_extension(
            worker, item, item.version, datetime.date(2030, 12, 31), "理由"
        )
        return (
            "post",
            reverse("request_decide", args=[pk, request.pk]),
            {"version": item.version, "decision": "approve"},
        )
    if action == "request_completion":
        return (
            "post",
            reverse("item_completion", args=[pk]),
            {"version": item.version, "reason": "已完成", "files": [pdf_upload()]},
        )
    if action == "decide_completion":
        request = actions.do_request_completion(worker, item, item.version, "完成", [pdf_upload()])
        if request.awaits_unit:  # the unit head confirms first (two-level review)
            item.refresh_from_db()
            review.do_unit_confirm_completion(users["head"], request, item.version)
        return (
            "post",
            reverse("request_decide", args=[pk, request.pk]),
            {"version": item.version, "decision": "approve"},
        )
    if action == "grade":
        return "post", reverse("item_grade", args=[pk]), {"version": item.version, "grade": "A"}
    if action == "urge":
        return "post", reverse("item_urge", args=[pk]), {"text": "请抓紧"}
    if action == "comment":
        return "post", reverse("item_comment", args=[pk]), {"text": "意见"}
    if action == "edit":  # the office's edit page: the text changes, nothing else
        return (
            "post",
            reverse("item_edit", args=[pk]),
            {
                "version": item.version,
                "text": "改过的内容",
                "due_date": "2030-06-30",
                "tags": "",
                "owner-TOTAL_FORMS": 1,
                "owner-INITIAL_FORMS": 1,
                "owner-0-role": "lead",
                "owner-0-name": item.owners.get().name,
                "owner-0-link": f"u{item.owners.get().unit_id}",
                "person-TOTAL_FORMS": 0,
                "person-INITIAL_FORMS": 0,
                "deadline-TOTAL_FORMS": 0,
                "deadline-INITIAL_FORMS": 0,
            },
        )
    if action == "split":
        return (
            "post",
            reverse("item_split", args=[pk]),
            {
                "version": item.version,
                "part-TOTAL_FORMS": 1,
                "part-INITIAL_FORMS": 0,
                "part-0-text": "子任务",
                "part-0-lead": f"u{item.owners.get().unit_id}",
            },
        )
    if action == "withdraw":
        return (
            "post",
            reverse("item_withdraw", args=[pk]),
            {"version": item.version, "reason": "任务调整"},
        )
    if action == "restore":
        editing.do_withdraw(users["supervisor"], item, item.version, "任务调整")
        item.refresh_from_db()
        return "post", reverse("item_withdraw", args=[pk]), {"version": item.version}
    raise AssertionError(action)


def snapshot():
    """Everything an action could change."""
    return (
        list(
            Item.objects.order_by("pk").values_list(
                "pk",
                "status",
                "percent",
                "due_date",
                "grade",
                "version",
                "received_at",
                "completed_at",
                "text",
                "withdrawn_at",
                "parent",
            )
        ),
        list(
            ProgressReport.objects.order_by("pk").values_list("pk", "confirmed_at", "returned_at")
        ),
        list(Request.objects.order_by("pk").values_list("pk", "decision", "awaits_unit")),
        Comment.objects.count(),
        Evidence.objects.count(),
        Item.history.count(),
    )


@pytest.mark.parametrize("unit", ["own", "other"])
@pytest.mark.parametrize("action", ITEM_ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_item_pages_and_actions_follow_the_matrix(client, users, items, role, action, unit):
    item = items[unit]
    method, url, data = prepare(action, item, users)
    client.force_login(users[role])
    before = snapshot()
    response = getattr(client, method)(url, data)
    member = role in {"staff", "head"}
    if member and unit == "other":
        assert response.status_code == 404
        assert snapshot() == before
    elif not allowed(role, action):
        assert response.status_code == 403
        assert snapshot() == before
    elif method == "get":
        assert response.status_code == 200
    else:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert snapshot() != before


@pytest.mark.parametrize("role", ROLES)
def test_bulk_signing_signs_only_what_the_user_may_sign(client, users, items, role):
    """签收 in bulk: unit members and the office; another unit's item is never signed."""
    client.force_login(users[role])
    response = client.post(reverse("items_sign"), {"item": [items["own"].pk, items["other"].pk]})
    statuses = {key: Item.objects.get(pk=item.pk).status for key, item in items.items()}
    if role == "leader":
        assert response.status_code == 403
        assert set(statuses.values()) == {Item.Status.NEW}
        return
    assert response.status_code == 302
    assert statuses["own"] == Item.Status.IN_PROGRESS
    expected_other = Item.Status.NEW if role in {"staff", "head"} else Item.Status.IN_PROGRESS
    assert statuses["other"] == expected_other


@pytest.mark.parametrize("role", ROLES)
def test_the_list_and_the_export_hold_only_visible_items(client, users, items, role):
    client.force_login(users[role])
    page = client.get(reverse("item_list")).content.decode()
    sheet = load_workbook(io.BytesIO(client.get(reverse("item_export")).content)).active
    exported = {row[1] for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert "本单位牵头的任务" in page and "本单位牵头的任务" in exported
    sees_other = role not in {"staff", "head"}
    assert ("其他单位的任务" in page) is sees_other
    assert ("其他单位的任务" in exported) is sees_other


@pytest.mark.parametrize("role", ROLES)
def test_only_the_supervision_office_creates_ad_hoc_assignments(client, users, units, role):
    client.force_login(users[role])
    url = reverse("adhoc_create")
    response = client.post(
        url,
        {
            "text": "核查群众反映的问题",
            "lead": units["jyj"].pk,
            "received_on": "2030-03-04",
            "complexity": "simple",
        },
    )
    if role in {"supervisor", "admin"}:
        assert response.status_code == 302
        assert Item.objects.filter(kind=Item.Kind.ADHOC).count() == 1
    else:
        assert response.status_code == 403
        assert client.get(url).status_code == 403
        assert not Item.objects.exists()


def test_anonymous_visitors_are_sent_to_the_login_page(client, items):
    for url in [
        reverse("item_list"),
        reverse("item_detail", args=[items["own"].pk]),
        reverse("item_export"),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


def test_co_operating_units_see_and_report(client, users, make_item, units):
    item = make_item(lead=units["jyj"], co=[units["fgj"]])
    client.force_login(users["staff"])
    assert client.get(reverse("item_detail", args=[item.pk])).status_code == 200
    response = client.post(reverse("item_sign", args=[item.pk]), {"version": item.version})
    assert response.status_code == 302


@pytest.fixture
def office_pages(users):
    """Every import and reminder-management page, with what a GET or POST there needs."""
    job = ImportJob.objects.create(
        uploaded_by=users["supervisor"],
        file_name="示范.txt",
        sha256="0" * 64,
        size=3,
        data=b"abc",
        status=ImportJob.Status.FAILED,
        error="示范",
    )
    return [
        ("get", reverse("import_upload"), {}),
        ("get", reverse("import_job", args=[job.pk]), {}),
        ("get", reverse("import_status", args=[job.pk]), {}),
        ("get", reverse("import_preview", args=[job.pk]), {}),
        ("get", reverse("import_result", args=[job.pk]), {}),
        ("post", reverse("import_decisions", args=[job.pk]), {}),
        ("get", reverse("reminder_failures"), {}),
        ("post", reverse("reminder_retry"), {"delivery": ["1"]}),
        ("get", reverse("unit_groups"), {}),
        ("get", reverse("unit_group_new"), {}),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_import_and_reminder_management_are_the_offices(client, users, office_pages, role):
    client.force_login(users[role])
    for method, url, data in office_pages:
        response = getattr(client, method)(url, data)
        if role in {"supervisor", "admin"}:
            assert response.status_code != 403, url
        else:
            assert response.status_code == 403, url
    assert can(users[role], IMPORT) is (role in {"supervisor", "admin"})
    assert can(users[role], MANAGE_REMINDERS) is (role in {"supervisor", "admin"})


def test_anonymous_visitors_never_reach_the_office_pages(client, office_pages):
    for method, url, data in office_pages:
        response = getattr(client, method)(url, data)
        assert response.status_code == 302 and reverse("login") in response["Location"], url


# ---- 督办单 (tracker/supervision/): issue is the office's; reply is the addressed unit's ----

NOTICE_ACTIONS = ["issue_notice", "notice_detail", "notice_print", "reply_notice"]
NOTICE_ALLOWED = {
    "staff": {"notice_detail", "notice_print", "reply_notice"},
    "head": {"notice_detail", "notice_print", "reply_notice"},
    "leader": {"notice_detail", "notice_print"},
    "supervisor": {"issue_notice", "notice_detail", "notice_print"},
    "admin": {"issue_notice", "notice_detail", "notice_print"},
}


def notice_snapshot():
    from tracker.models import SupervisionNotice, SupervisionReply

    return (
        list(SupervisionNotice.objects.order_by("pk").values_list("pk", "status")),
        SupervisionReply.objects.count(),
    )


@pytest.mark.parametrize("unit", ["own", "other"])
@pytest.mark.parametrize("action", NOTICE_ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_supervision_notices_follow_the_matrix(client, users, items, role, action, unit):
    from tracker.models import SupervisionNotice
    from tracker.supervision import notices

    item = items[unit]
    ((notice, _c),) = notices.issue(
        users["supervisor"], [item], SupervisionNotice.Level.URGE, 3, "请反馈", f"perm-{unit}"
    )
    method, url, data = {
        "issue_notice": (
            "post",
            reverse("supervision_new"),
            {
                "items": [item.pk],
                "level": "remind",
                "reply_days": 2,
                "text": "请反馈",
                "token": "new-token",
            },
        ),
        "notice_detail": ("get", reverse("supervision_detail", args=[notice.pk]), {}),
        "notice_print": ("get", reverse("supervision_print", args=[notice.pk]), {}),
        "reply_notice": (
            "post",
            reverse("supervision_reply", args=[notice.pk]),
            {"text": "已办理"},
        ),
    }[action]
    client.force_login(users[role])
    before = notice_snapshot()
    response = getattr(client, method)(url, data)
    member = role in {"staff", "head"}
    if member and unit == "other" and action != "issue_notice":
        assert response.status_code == 404
        assert notice_snapshot() == before
    elif action not in NOTICE_ALLOWED[role]:
        assert response.status_code == 403
        assert notice_snapshot() == before
    elif method == "get":
        assert response.status_code == 200
    else:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert notice_snapshot() != before


@pytest.mark.parametrize("role", ROLES)
def test_the_notice_list_holds_only_visible_notices(client, users, items, role):
    from tracker.models import SupervisionNotice
    from tracker.supervision import notices

    for unit in ("own", "other"):
        notices.issue(
            users["supervisor"],
            [items[unit]],
            SupervisionNotice.Level.URGE,
            3,
            "请反馈",
            f"list-{unit}",
        )
    client.force_login(users[role])
    page = client.get(reverse("supervision_list")).content.decode()
    assert "区发展和改革局" in page
    assert ("区教育局" in page) is (role not in {"staff", "head"})


@pytest.mark.parametrize("role", ROLES)
def test_the_periodic_report_is_the_units(client, users, items, role):
    """One report per unit and period: unit members only; a row for another unit's item is
    never filed (each row is checked with REPORT through visible_to)."""
    for item in items.values():
        Item.objects.filter(pk=item.pk).update(status=Item.Status.IN_PROGRESS)
    client.force_login(users[role])
    url = reverse("periodic_report")
    data = {}
    for item in items.values():
        data.update(
            {
                f"i{item.pk}-version": item.version,
                f"i{item.pk}-percent": 50,
                f"i{item.pk}-narrative": "进展",
            }
        )
    response = client.post(url, data)
    if role not in {"staff", "head"}:
        assert response.status_code == 403 and client.get(url).status_code == 403
        assert not ProgressReport.objects.exists()
        return
    assert response.status_code == 302
    assert list(ProgressReport.objects.values_list("item_id", flat=True)) == [items["own"].pk]


# ---- the office's item pages: edit, split (分解), withdraw (撤销) -----------------------------


@pytest.mark.parametrize("unit", ["own", "other"])
@pytest.mark.parametrize("page", ["item_edit", "item_split", "item_withdraw"])
@pytest.mark.parametrize("role", ROLES)
def test_the_office_item_pages_open_for_the_office_only(client, users, items, role, page, unit):
    client.force_login(users[role])
    response = client.get(reverse(page, args=[items[unit].pk]))
    if role in {"staff", "head"} and unit == "other":
        assert response.status_code == 404
    elif role in {"supervisor", "admin"}:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
    detail = client.get(reverse("item_detail", args=[items[unit].pk])).content.decode()
    assert (reverse(page, args=[items[unit].pk]) in detail) is (role in {"supervisor", "admin"})


@pytest.mark.parametrize("page", ["item_edit", "item_split", "item_withdraw"])
def test_anonymous_visitors_never_reach_the_office_item_pages(client, items, page):
    response = client.get(reverse(page, args=[items["own"].pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]
