"""The item page: source paragraph in context, owners, deadlines, history, requests, comments."""

import datetime

import pytest
from django.template import engines
from django.urls import reverse

from tests.tracking import make_document
from tracker.models import Deadline, ItemPerson
from tracker.tracking import actions
from tracker.tracking.views import source_context

pytestmark = pytest.mark.django_db

DOCUMENT = "\n".join(f"第{n}行" for n in range(100, 121))  # lines 100..120 of the file


@pytest.fixture
def item(make_item, units):
    document = make_document(DOCUMENT, line_start=100)
    item = make_item(
        "推进第110行到第111行的任务。",
        lead=units["fgj"],
        co=[units["jyj"]],
        document=document,
        line_start=110,
        line_end=111,
        ref="二.(一).3",
        due_date=datetime.date(2030, 5, 31),
    )
    ItemPerson.objects.create(item=item, role=ItemPerson.Role.LEADER, name="王副区长")
    ItemPerson.objects.create(item=item, role=ItemPerson.Role.PERSON, name="张三")
    Deadline.objects.create(item=item, expr="5月底前", date=datetime.date(2030, 5, 31))
    return item


def test_source_context_numbers_lines_as_in_the_original_file(item):
    context = source_context(item, around=2)
    assert [number for number, _text, _hit in context] == [108, 109, 110, 111, 112, 113]
    assert [text for number, text, hit in context if hit] == ["第110行", "第111行"]


def test_source_context_stops_at_the_document_edges(item):
    item.line_start = item.line_end = 100
    assert [n for n, _t, _h in source_context(item, around=3)] == [100, 101, 102, 103]


def test_the_page_shows_the_item_its_owners_people_deadlines_and_source(client, users, item):
    client.force_login(users["staff"])
    response = client.get(reverse("item_detail", args=[item.pk]))
    page = response.content.decode()
    for expected in [
        "推进第110行到第111行的任务。",
        "区发展和改革局",
        "区教育局",
        "王副区长",
        "张三",
        "5月底前",
        "2030年5月31日",
        "晋市政办〔2024〕12号",
        '<div class="hit">',
    ]:
        assert expected in page
    assert page.count('class="hit"') == 2


def test_the_page_shows_progress_evidence_requests_comments_and_the_audit_trail(
    client, users, item
):
    actions.do_sign(users["staff"], item, item.version)
    actions.do_report(users["staff"], item, item.version, 30, "完成选址。")
    actions.do_request_extension(
        users["staff"], item, item.version, datetime.date(2030, 8, 31), "审批延迟"
    )
    actions.do_urge(users["supervisor"], item, "请加快进度")
    actions.do_comment(users["leader"], item, "要确保质量")
    client.force_login(users["supervisor"])
    page = client.get(reverse("item_detail", args=[item.pk])).content.decode()
    for expected in [
        "完成选址。",
        "30%",
        "申请延期",
        "2030年8月31日",
        "审批延迟",
        "请加快进度",
        "催办",
        "领导批示",
        "要确保质量",
        "签收",
        "报送进展 30%",
        "待签收 → 办理中",
    ]:
        assert expected in page, expected


def test_the_reminders_section_appears_once_its_template_exists(client, users, item, settings):
    client.force_login(users["staff"])
    url = reverse("item_detail", args=[item.pk])
    assert "REMINDERS-PLACEHOLDER" not in client.get(url).content.decode()
    locmem = {"tracker/_item_reminders.html": "REMINDERS-PLACEHOLDER {{ item.pk }}"}
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "APP_DIRS": False,
            "OPTIONS": {
                **settings.TEMPLATES[0]["OPTIONS"],
                "loaders": [
                    ("django.template.loaders.locmem.Loader", locmem),
                    "django.template.loaders.filesystem.Loader",
                    "django.template.loaders.app_directories.Loader",
                ],
            },
        }
    ]
    engines.__dict__.pop("templates", None)
    engines._engines = {}
    try:
        assert f"REMINDERS-PLACEHOLDER {item.pk}" in client.get(url).content.decode()
    finally:
        engines.__dict__.pop("templates", None)
        engines._engines = {}


def test_an_ad_hoc_item_without_a_document_has_a_page_too(client, users, make_item, units):
    bare = make_item("临时交办", lead=units["fgj"])
    client.force_login(users["staff"])
    assert client.get(reverse("item_detail", args=[bare.pk])).status_code == 200


def test_the_page_costs_the_same_queries_for_one_or_many_reports(
    client, users, item, django_assert_max_num_queries, settings, tmp_path
):
    from tests.tracking import pdf_upload

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    actions.do_sign(users["staff"], item, item.version)
    client.force_login(users["head"])
    url = reverse("item_detail", args=[item.pk])

    def report(n):
        for i in range(n):
            actions.do_report(users["staff"], item, item.version, i, f"进展{i}", [pdf_upload()])
            actions.do_comment(users["staff"], item, f"备注{i}")

    report(1)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    report(8)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "进展7" in client.get(url).content.decode()
