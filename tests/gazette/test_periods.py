"""Stage 6, deadlines: a document's period (a winter plan, a two-year plan) and year,
which date the expressions that name no year. Every example here is made up.
"""

from __future__ import annotations

import datetime as dt

import pytest

from gazette.deadlines import document_period, document_year, find_deadlines

D = dt.date


def dated(text, year=2024, period=None):
    return [(m.expr, m.date) for m in find_deadlines(text, year, period=period)]


WINTER = (D(2023, 10, 1), D(2024, 3, 31))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3月底前完成散煤清零。", D(2024, 3, 31)),
        ("11月15日前完成清洁取暖改造。", D(2023, 11, 15)),
        ("10月底前完成错峰生产方案。", D(2023, 10, 31)),
        ("12月底前完成燃煤锅炉淘汰。", D(2023, 12, 31)),
        ("1月20日前报送进展。", D(2024, 1, 20)),
        ("一季度完成评估。", D(2024, 3, 31)),
        ("6月底前完成。", D(2023, 6, 30)),  # outside the period: the document's year
        ("2024年10月底前完成。", D(2024, 10, 31)),  # an explicit year wins
    ],
)
def test_winter_plan_period_picks_the_year(text, expected):
    [(_, date)] = dated(text, year=2023, period=WINTER)
    assert date == expected


def test_document_period_finds_winter_plans():
    title = "某市2023—2024年秋冬季大气污染综合治理攻坚行动方案"
    assert document_period(title, "", None) == (D(2023, 10, 1), D(2024, 3, 31))
    # the start moves up to the signing date
    assert document_period(title, "", D(2023, 11, 2)) == (D(2023, 11, 2), D(2024, 3, 31))
    assert document_period("关于做好2023-2024年采暖季供暖工作的通知", "") == (
        D(2023, 10, 1),
        D(2024, 3, 31),
    )
    assert document_period("关于做好采暖季保供工作的通知", "", D(2023, 10, 20)) == (
        D(2023, 10, 20),
        D(2024, 3, 31),
    )
    assert document_period("关于做好采暖季保供工作的通知", "", D(2024, 2, 1)) == (
        D(2024, 2, 1),
        D(2024, 3, 31),
    )


def test_document_period_finds_two_year_spans():
    assert document_period("某县人才培育行动方案(2020—2021年)", "", D(2020, 9, 15)) == (
        D(2020, 9, 15),
        D(2021, 12, 31),
    )
    assert document_period("某区2023年至2024年农村公路养护计划", "") == (
        D(2023, 1, 1),
        D(2024, 12, 31),
    )
    head = "为做好2023-2024年度考核工作,现将有关事项通知如下。"
    assert document_period("关于做好考核工作的通知", head) == (D(2023, 1, 1), D(2024, 12, 31))
    head = "实施时间为2023年11月1日至2024年3月15日。"
    assert document_period("关于货车限行的通告", head) == (D(2023, 11, 1), D(2024, 3, 15))


def test_document_period_ignores_long_spans_and_plain_documents():
    assert document_period("某市矿产资源总体规划(2021—2025年)", "", D(2023, 5, 1)) is None
    assert document_period("关于印发2024年工作要点的通知", "", D(2024, 3, 1)) is None
    assert document_period("", "", None) is None
    # another document's name in the body head does not count
    head = "根据《2022—2023年度考核办法》,制定本方案。"
    assert document_period("关于开展考核的通知", head) is None


def test_two_year_plan_signed_in_autumn():
    period = document_period("某县行动方案(2020—2021年)", "", D(2020, 9, 15))
    assert dated("3月底前完成。", year=2020, period=period) == [("3月底前", D(2021, 3, 31))]
    assert dated("12月底前完成。", year=2020, period=period) == [("12月底前", D(2020, 12, 31))]


def test_document_year():
    assert document_year(D(2024, 3, 19), "关于2023年工作的通知") == 2024
    assert document_year(None, "关于印发2022年工作要点的通知") == 2022
    assert document_year(None, "关于印发工作要点的通知", "现将2021年计划印发") == 2021
    assert document_year(None, "", "") is None


def test_bad_period_is_ignored():
    assert dated("3月底前", period=(D(2024, 5, 1), D(2024, 1, 1))) == [("3月底前", D(2024, 3, 31))]
    assert dated("3月底前", period=("x", "y")) == [("3月底前", D(2024, 3, 31))]
