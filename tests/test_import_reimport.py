"""Re-import as a three-way merge: the parser last time, the office now, the parser now.

One test per kind of hand edit (owner, date, text, left out at import, extension granted):
re-importing after it loses none of them and the preview shows the difference, old → new,
with a choice. A field the office did not touch takes the new version; a choice for the new
value applies it; gone items are listed and never deleted; a revised document (same title,
newer date, another 文号) is linked to the one it replaces.
"""

import datetime
import json
import re

import pytest
from django.urls import reverse

from tests import import_files
from tracker.imports import confirm, decisions, jobs
from tracker.models import Comment, Deadline, Item, ItemOwner, Request, SourceDocument
from tracker.tracking import actions

pytestmark = pytest.mark.django_db

D = datetime.date
FIRST, SECOND = "完成第1项测试任务", "完成第2项测试任务"


def gazette(changes=(), **kwargs):
    text = import_files.gazette(3, unit="区发展和改革局", **kwargs)
    for old, new in changes:
        assert old in text
        text = text.replace(old, new)
    return text.encode()


def first_import(users, data=None, decided=None):
    return jobs.import_now(users["supervisor"], "分工.txt", data or gazette(), decided)


def reimport(users, data=None):
    """A new upload of the document, parsed, waiting on its preview."""
    return jobs.run_import_job(
        jobs.create_job(users["supervisor"], "分工（修订）.txt", data or gazette()).pk
    )


def preview_item(job, start):
    for d, doc in enumerate(job.preview["documents"]):
        for i, item in enumerate(doc["items"]):
            if item["text"].startswith(start):
                return confirm.item_key(d, i), item
    raise KeyError(start)


def confirm_saved(job, users, changes=None):
    if changes:
        decisions.save_changes(job.pk, job.decisions_version, changes)
        job.refresh_from_db()
    return confirm.confirm_import(job, users["supervisor"], decisions.load(job))


def page_rows(client, users, job):
    client.force_login(users["supervisor"])
    body = client.get(reverse("import_preview", args=[job.pk])).content.decode()
    state = re.search(
        r'<script id="review-state" type="application/json">(.*?)</script>', body, re.S
    )
    return {row["text"][:9]: row for row in json.loads(state.group(1))["rows"]}, body


def item(start):
    return Item.objects.get(text__startswith=start)


def test_the_parsed_values_are_kept_at_confirm(users, units):
    first_import(users)
    assert item(FIRST).parsed == {
        "text": "完成第1项测试任务，推进第1批工作，2月底前完成。〔责任单位：区发展和改革局〕",
        "owners": {"lead": ["区发展和改革局"], "co": [], "responsible": []},
        "due": "2025-02-28",
    }


def test_an_owner_changed_by_hand_is_kept(users, units, client):
    first_import(users)
    task = item(FIRST)
    task.owners.all().delete()
    ItemOwner.objects.create(
        item=task, role=ItemOwner.Role.LEAD, name="区教育局", unit=units["jyj"]
    )
    job = reimport(users)
    _key, entry = preview_item(job, FIRST)
    assert entry["differences"] == [
        {
            "field": "owners",
            "edited": True,
            "base": {"lead": ["区发展和改革局"], "co": [], "responsible": []},
            "current": {"lead": ["区教育局"], "co": [], "responsible": []},
            "new": {"lead": ["区发展和改革局"], "co": [], "responsible": []},
        }
    ]
    rows, _body = page_rows(client, users, job)
    assert rows[FIRST]["differences"] == [
        {
            "field": "owners",
            "edited": True,
            "current": "牵头单位：区教育局",
            "new": "牵头单位：区发展和改革局",
        }
    ]
    confirm_saved(job, users)
    assert list(item(FIRST).owners.values_list("name", "unit")) == [("区教育局", units["jyj"].pk)]


def test_a_date_changed_by_hand_is_kept(users, units, client):
    first_import(users)
    task = item(FIRST)
    task.deadlines.update(date=D(2025, 9, 30))
    task.refresh_due_date()
    task.save()
    job = reimport(users)
    rows, _body = page_rows(client, users, job)
    assert rows[FIRST]["differences"] == [
        {"field": "due", "edited": True, "current": "2025年9月30日", "new": "2025年2月28日"}
    ]
    confirm_saved(job, users)
    assert item(FIRST).due_date == D(2025, 9, 30)


def test_a_text_changed_by_hand_is_kept(users, units, client):
    first_import(users)
    Item.objects.filter(text__startswith=FIRST).update(text=FIRST + "（办公室改写）")
    job = reimport(users)
    rows, _body = page_rows(client, users, job)
    assert [d["field"] for d in rows[FIRST]["differences"]] == ["text"]
    assert rows[FIRST]["differences"][0]["current"] == FIRST + "（办公室改写）"
    confirm_saved(job, users)
    assert item(FIRST).text == FIRST + "（办公室改写）"


def test_an_item_left_out_at_import_is_left_out_again(users, units, client):
    job = jobs.run_import_job(jobs.create_job(users["supervisor"], "分工.txt", gazette()).pk)
    key, _entry = preview_item(job, SECOND)
    confirm_saved(job, users, {"items": {key: {"include": False}}})
    assert not Item.objects.filter(text__startswith=SECOND).exists()
    assert SourceDocument.objects.get().dropped[0]["text"].startswith(SECOND)
    job = reimport(users)
    key, entry = preview_item(job, SECOND)
    assert entry["was_dropped"] and job.preview["counts"]["items_dropped_before"] == 1
    rows, _body = page_rows(client, users, job)
    assert rows[SECOND]["was_dropped"] and rows[SECOND]["match"] is None
    confirm_saved(job, users)
    assert not Item.objects.filter(text__startswith=SECOND).exists()
    # The office may still take it in: its choice wins.
    job = reimport(users)
    key, _entry = preview_item(job, SECOND)
    confirm_saved(job, users, {"items": {key: {"include": True}}})
    assert Item.objects.filter(text__startswith=SECOND).exists()


def test_an_approved_extension_is_kept(users, units, client):
    first_import(users)
    task = item(FIRST)
    request = actions.do_request_extension(
        users["staff"], task, task.version, D(2025, 6, 30), "资金尚未到位"
    )
    task.refresh_from_db()
    actions.do_decide_extension(users["supervisor"], request, task.version, approve=True)
    assert item(FIRST).due_date == D(2025, 6, 30)
    job = reimport(users)
    rows, _body = page_rows(client, users, job)
    assert rows[FIRST]["differences"] == [
        {"field": "due", "edited": True, "current": "2025年6月30日", "new": "2025年2月28日"}
    ]
    confirm_saved(job, users)
    task = item(FIRST)
    assert task.due_date == D(2025, 6, 30)
    assert Deadline.objects.filter(item=task, superseded_at__isnull=False).exists()
    assert Request.objects.get().decision == Request.Decision.APPROVED


def test_the_new_value_applies_where_the_office_picks_it(users, units):
    first_import(users)
    Item.objects.filter(text__startswith=FIRST).update(text=FIRST + "（办公室改写）")
    job = reimport(users)
    key, _entry = preview_item(job, FIRST)
    confirm_saved(job, users, {"items": {key: {"merge": {"text": "new"}}}})
    assert item(FIRST).text.startswith(FIRST + "，推进第1批工作")


def test_a_field_the_office_did_not_touch_takes_the_new_version(users, units, client):
    first_import(users)
    task = item(SECOND)
    task.owners.all().delete()
    ItemOwner.objects.create(
        item=task, role=ItemOwner.Role.LEAD, name="区教育局", unit=units["jyj"]
    )
    revised = gazette([("推进第2批工作，3月底前完成", "推进第2批工作，7月底前完成")])
    job = reimport(users, revised)
    _key, entry = preview_item(job, SECOND)
    assert {d["field"]: d["edited"] for d in entry["differences"]} == {
        "text": False,
        "owners": True,
        "due": False,
    }
    result = confirm_saved(job, users)
    task = item(SECOND)
    assert task.due_date == D(2025, 7, 31) and "7月底前" in task.text
    assert list(task.owners.values_list("name", flat=True)) == ["区教育局"]
    assert result["fields_kept"] == 1
    client.force_login(users["supervisor"])
    page = client.get(reverse("import_result", args=[job.pk])).content.decode()
    assert "保留的手工修改 <b>1</b>" in page
    # The new version is the base now: the office's owner still counts as its own.
    job = reimport(users, revised)
    _key, entry = preview_item(job, SECOND)
    assert [(d["field"], d["edited"]) for d in entry["differences"]] == [("owners", True)]


def test_items_gone_from_the_new_version_are_listed_and_kept(users, units, client):
    first_import(users)
    job = reimport(users, import_files.gazette(2, unit="区发展和改革局").encode())
    gone = job.preview["documents"][0]["gone"]
    assert [g["text"][:9] for g in gone] == ["完成第3项测试任务"]
    _rows, body = page_rows(client, users, job)
    assert "新版本中没有的原事项 1 个" in body
    confirm_saved(job, users)
    assert Item.objects.filter(text__startswith="完成第3项测试任务").exists()
    assert Comment.objects.filter(item__text__startswith="完成第3项测试任务").count() == 1


def test_a_revised_document_is_linked_to_the_one_it_replaces(users, units, client):
    first_import(users)
    old = SourceDocument.objects.get()
    task = item(FIRST)
    task.percent = 40
    task.save()
    revised = gazette([("2025年2月20日", "2025年5月6日")], doc_number="示政办发〔2025〕15号")
    job = reimport(users, revised)
    entry = job.preview["documents"][0]
    assert entry["existing"] is None and entry["replaces"]["id"] == old.pk
    assert all(i["match"] for i in entry["items"])
    _rows, body = page_rows(client, users, job)
    assert "的修订版" in body
    confirm_saved(job, users)
    new = SourceDocument.objects.get(doc_number="示政办发〔2025〕15号")
    assert new.replaces == old and list(old.replaced_by.all()) == [new]
    assert Item.objects.count() == 3 and item(FIRST).document == new
    assert item(FIRST).percent == 40
    # An older version is no revision of it.
    assert (
        reimport(
            users, gazette([("2025年2月20日", "2025年1月6日")], doc_number="示政办发〔2025〕16号")
        )
        .preview["documents"][0]
        .get("replaces")
        is None
    )


def test_an_item_withdrawn_by_the_office_stays_withdrawn(users, units, client):
    from tracker.tracking import editing

    first_import(users)
    task = item(FIRST)
    editing.do_withdraw(users["supervisor"], task, task.version, "与另一任务重复")
    job = reimport(users)
    key, entry = preview_item(job, FIRST)
    assert entry["differences"] == [
        {"field": "withdrawn", "base": False, "current": True, "new": False, "edited": True}
    ]
    rows, _body = page_rows(client, users, job)
    assert rows[FIRST]["differences"] == [
        {
            "field": "withdrawn",
            "edited": True,
            "current": "已撤销",
            "new": "恢复（新版本仍有此事项）",
        }
    ]
    confirm_saved(job, users)
    assert item(FIRST).withdrawn_at is not None
    assert item(FIRST).withdrawn_reason == "与另一任务重复"
    # Restored only when the office picks it.
    job = reimport(users)
    key, _entry = preview_item(job, FIRST)
    confirm_saved(job, users, {"items": {key: {"merge": {"withdrawn": "new"}}}})
    assert item(FIRST).withdrawn_at is None
