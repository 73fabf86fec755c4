"""Stage 6, deadlines: time expressions normalized to dates (no database needed).

Every example sentence here is written for these tests; none is copied from the seeds.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gazette import deadlines, periods
from gazette.deadlines import (
    DeadlineMatch,
    document_year,
    find_deadlines,
    latest_date,
)

D = dt.date
YEAR = 2024


def dated(text, year=YEAR, period=None):
    return [(m.expr, m.date) for m in find_deadlines(text, year, period=period)]


# --------------------------------------------------------------------------- dates

DATED = [
    # month end, with and without 前
    ("新建的体育公园5月底前向市民开放。", [("5月底前", D(2024, 5, 31))]),
    ("12月底前完成全部改造。", [("12月底前", D(2024, 12, 31))]),
    ("供水管网改造2月底前完工。", [("2月底前", D(2024, 2, 29))]),
    ("11月底完成验收。", [("11月底", D(2024, 11, 30))]),
    ("9月末交付使用。", [("9月末", D(2024, 9, 30))]),
    ("6月份启动招标。", [("6月份", D(2024, 6, 30))]),
    ("确保社区食堂8月全面运营。", [("8月", D(2024, 8, 31))]),
    ("10月前完成设备调试。", [("10月前", D(2024, 10, 31))]),
    # days and parts of months
    ("各单位4月20日前报送自查报告。", [("4月20日前", D(2024, 4, 20))]),
    ("6月18号前完成。", [("6月18号前", D(2024, 6, 18))]),
    ("定于9月3日召开推进会。", [("9月3日", D(2024, 9, 3))]),
    ("4月中旬完成方案编制。", [("4月中旬", D(2024, 4, 20))]),
    ("4月上旬组织初验。", [("4月上旬", D(2024, 4, 10))]),
    ("11月下旬完成复核。", [("11月下旬", D(2024, 11, 30))]),
    ("3月初完成摸底。", [("3月初", D(2024, 3, 10))]),
    ("(10月中旬前)", [("10月中旬前", D(2024, 10, 20))]),
    # explicit years win
    ("2024年6月30日前完成清零。", [("2024年6月30日前", D(2024, 6, 30))]),
    ("力争2025年底前全部建成。", [("2025年底前", D(2025, 12, 31))]),
    ("确保2024年底前实现全覆盖。", [("2024年底前", D(2024, 12, 31))]),
    ("确保2024年底全面完成整改。", [("2024年底", D(2024, 12, 31))]),
    ("2025年内完成搬迁。", [("2025年内", D(2025, 12, 31))]),
    ("2024年年底前完成。", [("2024年年底前", D(2024, 12, 31))]),
    ("2026年3月底前投入使用。", [("2026年3月底前", D(2026, 3, 31))]),
    ("到2025年,全区绿化覆盖率达到45%。", [("到2025年", D(2025, 12, 31))]),
    ("至2026年建成智慧平台。", [("至2026年", D(2026, 12, 31))]),
    ("2025年前基本完成。", [("2025年前", D(2025, 12, 31))]),
    ("2024年至2025年实施管网更新。", [("2024年至2025年", D(2025, 12, 31))]),
    ("2024—2025年开展提升行动。", [("2024—2025年", D(2025, 12, 31))]),
    # year words
    ("年底前完成资产清查。", [("年底前", D(2024, 12, 31))]),
    ("年内新增就业岗位800个。", [("年内", D(2024, 12, 31))]),
    ("全年举办招聘会20场。", [("全年", D(2024, 12, 31))]),
    ("年末开展考核评估。", [("年末", D(2024, 12, 31))]),
    ("今年底前完成。", [("今年底前", D(2024, 12, 31))]),
    ("明年6月底前完工。", [("明年6月底前", D(2025, 6, 30))]),
    ("次年3月底前报回审核意见。", [("次年3月底前", D(2025, 3, 31))]),
    # quarters and halves
    ("一季度完成立项。", [("一季度", D(2024, 3, 31))]),
    ("第一季度实现开工。", [("第一季度", D(2024, 3, 31))]),
    ("一季度末完成签约。", [("一季度末", D(2024, 3, 31))]),
    ("二季度组织验收。", [("二季度", D(2024, 6, 30))]),
    ("三季度末全面竣工。", [("三季度末", D(2024, 9, 30))]),
    ("第四季度开展评估。", [("第四季度", D(2024, 12, 31))]),
    ("前三季度完成投资的75%。", [("前三季度", D(2024, 9, 30))]),
    ("2025年一季度完成招标。", [("2025年一季度", D(2025, 3, 31))]),
    ("上半年完成主体工程。", [("上半年", D(2024, 6, 30))]),
    ("下半年全面投运。", [("下半年", D(2024, 12, 31))]),
    ("2025年上半年建成。", [("2025年上半年", D(2025, 6, 30))]),
    # quoted dates
    ("确保安置小区“6·30”交付。", [("“6·30”", D(2024, 6, 30))]),
    ('确保学校"9.1"开学前投用。', [('"9.1"', D(2024, 9, 1))]),
    ("确保“5•31”完成。", [("“5•31”", D(2024, 5, 31))]),
    ("确保「10．15」达标。", [("「10．15」", D(2024, 10, 15))]),
    ("冲刺7·15节点。", [("7·15", D(2024, 7, 15))]),
    # ranges: the end
    ("(2024年3月4日至3月8日)集中整治。", [("2024年3月4日至3月8日", D(2024, 3, 8))]),
    ("9月10日—9月12日组织现场评审。", [("9月10日—9月12日", D(2024, 9, 12))]),
    ("10—12月开展专项检查。", [("10—12月", D(2024, 12, 31))]),
    ("7月至9月开展督查。", [("7月至9月", D(2024, 9, 30))]),
    ("11月至次年2月开展巡查。", [("11月至次年2月", D(2025, 2, 28))]),
    # Chinese numerals, full-width digits, spaces inside numbers
    ("十二月底前完成。", [("十二月底前", D(2024, 12, 31))]),
    ("三月十五日前报送。", [("三月十五日前", D(2024, 3, 15))]),
    ("二〇二四年十一月底前完成。", [("二〇二四年十一月底前", D(2024, 11, 30))]),
    ("二○二五年底前建成。", [("二○二五年底前", D(2025, 12, 31))]),
    ("２０２４年７月底前完成。", [("２０２４年７月底前", D(2024, 7, 31))]),
    ("2 0 2 4年 8 月底前完成。", [("2 0 2 4年 8 月底前", D(2024, 8, 31))]),
    ("5 月底前完成。", [("5 月底前", D(2024, 5, 31))]),
    ("2024 年 10 月 15 日前完成。", [("2024 年 10 月 15 日前", D(2024, 10, 15))]),
    ("１０月底前完成。", [("１０月底前", D(2024, 10, 31))]),
    # numeric formats (tables)
    ("2024.6.30前完成。", [("2024.6.30前", D(2024, 6, 30))]),
    ("完成时限:2024-09-15", [("2024-09-15", D(2024, 9, 15))]),
    ("2025/3/1前投用。", [("2025/3/1前", D(2025, 3, 1))]),
    ("6.30前完成签约。", [("6.30前", D(2024, 6, 30))]),
    # more parts of months and years
    ("5月中下旬完成。", [("5月中下旬", D(2024, 5, 31))]),
    ("本年度内完成。", [("本年度内", D(2024, 12, 31))]),
    ("今年内完成。", [("今年内", D(2024, 12, 31))]),
    ("下年度1月初报送。", [("下年度1月初", D(2025, 1, 10))]),
    ("11月底至12月初开展复查。", [("11月底至12月初", D(2024, 12, 10))]),
    ("2024年11月至2025年2月开展专项行动。", [("2024年11月至2025年2月", D(2025, 2, 28))]),
    ("5月31日(星期五)前报送。", [("5月31日(星期五)前", D(2024, 5, 31))]),
    ("6月30日18时前提交材料。", [("6月30日18时前", D(2024, 6, 30))]),
    ("十二月三十一日前完成。", [("十二月三十一日前", D(2024, 12, 31))]),
    ("2024年第三季度完成。", [("2024年第三季度", D(2024, 9, 30))]),
]


@pytest.mark.parametrize(("text", "expected"), DATED, ids=[t for t, _ in DATED])
def test_dated_expressions(text, expected):
    assert dated(text) == expected


def test_repeated_expressions_are_reported_each_time():
    text = "续建项目一季度全部复工,新建项目一季度开工过半,上半年全部开工。"
    assert dated(text) == [
        ("一季度", D(2024, 3, 31)),
        ("一季度", D(2024, 3, 31)),
        ("上半年", D(2024, 6, 30)),
    ]


def test_several_deadlines_in_one_task_and_the_latest_wins():
    text = "4月底前完成征地,8月底前完成主体,11月底前竣工验收。"
    found = find_deadlines(text, YEAR)
    assert [m.date for m in found] == [D(2024, 4, 30), D(2024, 8, 31), D(2024, 11, 30)]
    assert latest_date(found) == D(2024, 11, 30)
    assert latest_date(find_deadlines("长期坚持", YEAR)) is None


def test_document_year_is_the_default():
    assert dated("5月底前完成。", year=2021) == [("5月底前", D(2021, 5, 31))]
    assert dated("年内完成。", year=2022) == [("年内", D(2022, 12, 31))]
    assert dated("一季度完成。", year=2023) == [("一季度", D(2023, 3, 31))]


def test_past_year_with_before_is_kept_when_recent():
    # a document signed early in 2024 may still list a December 2023 deadline
    assert dated("2023年12月底前完成。") == [("2023年12月底前", D(2023, 12, 31))]


def test_whole_cell_ongoing():
    for cell in ("长期", "持续", " 长期坚持 ", "常态化"):
        [m] = find_deadlines(cell, YEAR)
        assert (m.ongoing, m.date, cell[m.start : m.end]) == (True, None, cell.strip())


def test_every_year_end_and_last_working_day():
    [m] = find_deadlines("每年年底开展总评。", YEAR)
    assert (m.expr, m.recurrence) == ("每年年底", "yearly:12-31")
    # 最后一个工作日 is not an offset of one working day
    assert [m.working_days for m in find_deadlines("每月最后一个工作日报送。", YEAR)] == [None]


def test_bare_year_cell_is_that_years_end():
    assert dated("2025 年") == [("2025 年", D(2025, 12, 31))]
    assert dated("2024年度") == [("2024年度", D(2024, 12, 31))]


# --------------------------------------------------------------------------- recurrences


RECURRING = [
    ("每月25日前上报当月进展。", "每月25日前", "monthly:25"),
    ("每月5日前报送上月数据。", "每月5日前", "monthly:5"),
    ("每月 10 日(遇节假日顺延)前完成考核。", "每月 10 日(遇节假日顺延)前", "monthly:10"),
    ("每月初10日内报送报表。", "每月初10日内", "monthly:first10days"),
    ("每月初5个工作日内报送。", "每月初5个工作日内", "monthly:first5workdays"),
    ("每月月初上报计划。", "每月月初", "monthly:start"),
    ("每月上旬召开调度会。", "每月上旬", "monthly:first10days"),
    ("每月底前报送台账。", "每月底前", "monthly:end"),
    ("每月召开一次调度会。", "每月", "monthly"),
    ("按月通报进展。", "按月", "monthly"),
    ("每季度开展一次检查。", "每季度", "quarterly"),
    ("每季度末报送总结。", "每季度末", "quarterly:end"),
    ("按季度报送资金使用情况。", "按季度", "quarterly"),
    ("每半年开展一次评估。", "每半年", "semiannual"),
    ("每周调度一次。", "每周", "weekly"),
    ("每周五报送周报。", "每周五", "weekly:5"),
    ("每日通报巡查情况。", "每日", "daily"),
    ("每年组织一次演练。", "每年", "yearly"),
    ("每年度开展述职。", "每年度", "yearly"),
    ("每年三月底前报送年报。", "每年三月底前", "yearly:03-31"),
    ("每年11月15日前完成检修。", "每年11月15日前", "yearly:11-15"),
    ("每年底开展总评。", "每年底", "yearly:12-31"),
    ("每年一季度开展普查。", "每年一季度", "yearly:03-31"),
]


@pytest.mark.parametrize(("text", "expr", "rec"), RECURRING, ids=[t for t, _, _ in RECURRING])
def test_recurring_expressions(text, expr, rec):
    [m] = find_deadlines(text, YEAR)
    assert (m.expr, m.recurrence, m.date) == (expr, rec, None)


@pytest.mark.parametrize(
    "text",
    [
        "每人每月补贴200元。",
        "按每人每年500元标准补助。",
        "每年3万人次参加培训。",
        "道路养护每年每公里8000元。",
        "每月300元的生活补贴。",
    ],
)
def test_rates_are_not_recurrences(text):
    assert find_deadlines(text, YEAR) == []


# --------------------------------------------------------------------------- relative, ongoing


WORKING_DAYS = [
    ("收到通知后1个工作日内研究部署。", "1个工作日内", (1, 1)),
    ("3-5个工作日内反馈办理结果。", "3-5个工作日内", (3, 5)),
    ("复杂事项5—7个工作日反馈。", "5—7个工作日", (5, 7)),
    ("应在2个工作日内完成现场核查。", "2个工作日内", (2, 2)),
    ("三个工作日内答复。", "三个工作日内", (3, 3)),
    ("两个工作日内上报。", "两个工作日内", (2, 2)),
    ("公示期为 5 个工作日。", "5 个工作日", (5, 5)),
    ("当天接收交办任务。", "当天", (0, 0)),
    ("工作人员当日呈报。", "当日", (0, 0)),
]


@pytest.mark.parametrize(
    ("text", "expr", "days"), WORKING_DAYS, ids=[t for t, _, _ in WORKING_DAYS]
)
def test_working_day_offsets(text, expr, days):
    [m] = find_deadlines(text, YEAR)
    assert (m.expr, m.working_days, m.date, m.recurrence) == (expr, days, None, "")


@pytest.mark.parametrize(
    ("text", "expr"),
    [
        ("长期坚持巡河制度。", "长期坚持"),
        ("持续推进背街小巷整治。", "持续推进"),
        ("常态化开展安全检查。", "常态化"),
        ("持续开展执法检查。", "持续开展"),
        ("长期开展志愿服务。", "长期开展"),
    ],
)
def test_ongoing_expressions(text, expr):
    [m] = find_deadlines(text, YEAR)
    assert (m.expr, m.ongoing, m.date, m.working_days) == (expr, True, None, None)


def test_ongoing_words_that_are_not_ongoing_work():
    assert find_deadlines("编制中长期发展规划。", YEAR) == []
    assert find_deadlines("污染预计持续36小时以上。", YEAR) == []
    assert find_deadlines("推动经济可持续发展。", YEAR) == []


# --------------------------------------------------------------------------- what is due


def test_what_is_due_for_report_by_sentences():
    text = "各街道于3月5日前上报实施方案,3月20日前报送工作总结。"
    assert [(m.expr, m.what) for m in find_deadlines(text, YEAR)] == [
        ("3月5日前", "上报实施方案"),
        ("3月20日前", "报送工作总结"),
    ]


def test_what_is_shared_by_a_list_of_dates():
    text = "4月8日、4月22日前上报进展情况。"
    assert [(m.expr, m.what) for m in find_deadlines(text, YEAR)] == [
        ("4月8日", "上报进展情况"),
        ("4月22日前", "上报进展情况"),
    ]


def test_what_after_a_comma_and_for_recurrences():
    [m] = find_deadlines("6月底前,将排查台账报送区应急局。", YEAR)
    assert m.what == "将排查台账报送区应急局"
    [m] = find_deadlines("每月25日前向区督查室报告进展。", YEAR)
    assert (m.recurrence, m.what) == ("monthly:25", "向区督查室报告进展")


def test_no_what_for_plain_tasks():
    assert [m.what for m in find_deadlines("5月底前建成游园。", YEAR)] == [""]


# --------------------------------------------------------------------------- false positives


FALSE_POSITIVES = [
    "2023年全区GDP增长5.2%。",
    "2024年完成老旧小区改造35个。",
    "全区共有156个项目,总投资80亿元。",
    "政务大厅24小时不打烊。",
    "谋划“十四五”重大项目。",
    "近3年累计投入资金2亿元。",
    "根据《关于推进改革的意见》(某政发〔2024〕12号)精神。",
    "依据某办发[2023]5号文件执行。",
    "优良天数比例达到80%以上。",
    "截至2022年底,全市共有企业3000家。",
    "比2020年底减少15%。",
    "本办法自2024年5月1日起施行。",
    "自11月1日起降至最低负荷生产。",
    "从2023年9月开始实施。",
    "2024年一季度同比增长20%以上的企业给予奖励。",
    "对2024年一季度入统的新开工项目给予奖励。",
    "1—6月份销售额达到200万元的给予奖励。",
    "吸取“7·12”重大火灾事故教训。",
    "落实《某市交通规划(2021—2035年)》要求。",
    "依据《2024年6月30日前完成事项清单》。",
    "规划期(2021—2025年)内建设项目30个。",
    "2021—2025年为规划期。",
    "发现问题1年内启动整改,三年内不得参加评优,两年内完成。",
    "建成年产能5000吨的生产线。",
    "力争年营业收入突破亿元。",
    "每3个月报送一次。",
    "上年底结转资金。",
    "2017年8月31日以前出生的儿童。",
    "在 个工作日内给予书面回复。",
    "3.15万元的补贴。",
    "同年12月完成了初稿。",
    "2024年3月至5月先后召开了三次论证会。",
    "2024年2月已完成初步设计。",
    "经2024年3月12日区政府常务会议研究同意。",
    "增长6.30%。",
    "执行GB 3095-2012标准。",
    "总投资2024.6万元。",
]


@pytest.mark.parametrize("text", FALSE_POSITIVES)
def test_false_positives(text):
    assert dated(text) == []


def test_incident_name_and_deadline_in_one_sentence():
    text = "汲取“1·24”火灾事故教训,“6·30”前完成隐患整改。"
    assert dated(text) == [("“6·30”前", D(2024, 6, 30))]


def test_percentages_and_counts_around_real_deadlines():
    text = "6月底前完成80%的任务,覆盖156个村,24小时值守。"
    assert dated(text) == [("6月底前", D(2024, 6, 30))]


def test_invalid_dates_are_skipped():
    assert dated("2月30日前完成。") == []
    assert dated("13月底前完成。") == []
    assert dated("五季度完成。") == []


# --------------------------------------------------------------------------- API shape


def test_match_fields_and_offsets():
    text = "确保污水处理站5月底前全面投用。"
    [m] = find_deadlines(text, YEAR)
    assert isinstance(m, DeadlineMatch)
    assert m == DeadlineMatch("5月底前", D(2024, 5, 31), "", "", None, False, 7, 11)
    assert text[m.start : m.end] == m.expr
    with pytest.raises(AttributeError):
        m.date = None  # frozen


def test_results_are_in_text_order():
    text = "每月25日前上报进展,3-5个工作日内反馈,持续推进,年底前完成。"
    found = find_deadlines(text, YEAR)
    assert [m.start for m in found] == sorted(m.start for m in found)
    assert [m.expr for m in found] == ["每月25日前", "3-5个工作日内", "持续推进", "年底前"]


def test_text_across_a_line_break():
    assert dated("确保太平路12月\n底前建成通车。") == [("12月\n底前", D(2024, 12, 31))]


@pytest.mark.parametrize("bad", [None, 12, b"5\xe6\x9c\x88", ["5月底前"]])
def test_non_strings_give_nothing(bad):
    assert find_deadlines(bad, YEAR) == []


@pytest.mark.parametrize("year", [0, -1, 10_000, "x", None])
def test_odd_years_never_raise(year):
    assert find_deadlines("5月底前完成。", year) == []


def test_empty_text():
    assert find_deadlines("", YEAR) == []


def test_a_long_text_yields_every_repeated_expression():
    # Speed is measured by bench/bench_parse.py, not here; this checks nothing is dropped.
    text = (
        "各单位5月底前上报方案,一季度完成立项,每月25日前报送进展,3-5个工作日内反馈。"
        "2023年全区GDP增长5.2%,156个项目,24小时。\n"
    ) * 2000
    found = find_deadlines(text, YEAR)
    assert len(found) == 8000


# --------------------------------------------------------------------------- properties

_ALPHABET = st.sampled_from(
    list(
        "0123456789０１２３４５６７８９年月日号底末前内旬上中下初季度半全每周按天个工作"
        "长期坚持续推进常态化当次明今到至于〇一二三四五六七八九十两·.．“”\"'《》()（）、，,。-—～ \n"
    )
)
_TEXTS = st.one_of(st.text(max_size=80), st.lists(_ALPHABET, max_size=60).map("".join))


@settings(max_examples=400, deadline=None)
@given(text=_TEXTS, year=st.integers(min_value=1990, max_value=2060))
def test_property_never_raises_deterministic_offsets(text, year):
    # the internal function, so that an exception would surface here
    first = deadlines._find(text, year, None)
    assert first == find_deadlines(text, year)
    for m in first:
        assert text[m.start : m.end] == m.expr
        assert m.expr
        assert m.date is None or isinstance(m.date, dt.date)
        assert m.working_days is None or m.working_days[0] <= m.working_days[1]
    starts = [m.start for m in first]
    assert starts == sorted(starts)
    assert all(a.end <= b.start for a, b in zip(first, first[1:], strict=False))


@settings(max_examples=150, deadline=None)
@given(
    text=_TEXTS,
    lo=st.dates(min_value=D(2000, 1, 1), max_value=D(2050, 1, 1)),
    days=st.integers(min_value=0, max_value=800),
)
def test_property_with_a_period(text, lo, days):
    period = (lo, lo + dt.timedelta(days=days))
    found = deadlines._find(text, lo.year, period)
    assert found == find_deadlines(text, lo.year, period=period)
    assert all(text[m.start : m.end] == m.expr for m in found)


@settings(max_examples=150, deadline=None)
@given(title=_TEXTS, head=_TEXTS, signed=st.one_of(st.none(), st.dates()))
def test_property_document_helpers_never_raise(title, head, signed):
    period = periods._document_period(title, head, signed)
    assert period is None or period[0] <= period[1]
    year = document_year(signed, title, head)
    assert year is None or isinstance(year, int)


@settings(max_examples=200, deadline=None)
@given(month=st.integers(1, 12), year=st.integers(2000, 2050))
def test_property_month_end_is_the_last_day(month, year):
    [m] = find_deadlines(f"{month}月底前完成", year)
    nxt = D(year + (month == 12), month % 12 + 1, 1)
    assert m.date == nxt - dt.timedelta(days=1)
