"""The audit trail stores codes: whoever acted in whichever language, each reader reads theirs."""

import datetime

import pytest
from django.utils import translation

from tracker.lib.dates import format_date
from tracker.models import Item
from tracker.tracking import actions, audit

pytestmark = pytest.mark.django_db


def latest_reason(item):
    return item.history.order_by("-history_id").first().history_change_reason


def test_an_english_office_decision_reads_in_chinese_and_the_other_way(users, units, make_item):
    item = make_item(
        "推进示范工程。",
        lead=units["fgj"],
        status=Item.Status.IN_PROGRESS,
        due_date=datetime.date(2030, 3, 31),
    )
    new_date = datetime.date(2030, 6, 30)
    with translation.override("zh-hans"):
        request = actions.do_request_extension(
            users["staff"], item, item.version, new_date, "需要更多时间"
        )
    item.refresh_from_db()
    with translation.override("en"):
        actions.do_decide_extension(users["supervisor"], request, item.version, approve=True)
    stored = latest_reason(item)
    assert "Extension" not in stored and "延期" not in stored  # a code, not a sentence
    with translation.override("zh-hans"):
        assert audit.told(stored) == "同意延期至2030年6月30日"
    with translation.override("en"):
        assert audit.told(stored) == "Extension approved to 30 Jun 2030"


def test_every_reason_renders_in_both_languages():
    for code, text in audit.REASONS.items():
        data = {
            key: value
            for key, value in {
                "percent": 40,
                "author": "张三",
                "date": "2030-06-30",
                "grade": "A",
            }.items()
            if f"%({key})" in str(text)
        }
        stored = audit.reason(code, **data)
        assert len(stored) <= audit.MAX_STORED
        for language in ("zh-hans", "en"):
            with translation.override(language):
                shown = audit.told(stored)
                assert shown and "{" not in shown and "%(" not in shown


def test_a_long_name_is_shortened_to_fit_the_column():
    stored = audit.reason("confirm_report", percent=40, author="很长的名字" * 30)
    assert len(stored) <= audit.MAX_STORED
    assert audit.told(stored).startswith("确认进展报告 40%")


def test_plain_text_from_before_is_shown_as_it_is():
    assert audit.told("签收") == "签收"
    assert audit.told("") == ""


def test_dates_follow_the_locale_formats():
    day = datetime.date(2024, 5, 31)
    with translation.override("zh-hans"):
        assert format_date(day) == "2024年5月31日"
    with translation.override("en"):
        assert format_date(day) == "31 May 2024"
