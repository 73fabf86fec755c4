"""Flattened tables whose rows run over many lines, bare unit lists that share
their place, fields and assignments in text that lost its line breaks. Every
fixture here is made up for the test."""

from __future__ import annotations

from datetime import date

from gazette.owners import find_annotations, inline_fields
from gazette.pipeline import parse_text


def _items(text: str):
    return [item for parsed in parse_text(text, "t.txt").documents for item in parsed.items]


# a project list copied from a web page: one cell per line, a row's cells of
# several lines (a contact over three lines, two leaders, owner fields with the
# unit names under them, the people of the units, numbered duties)
FLATTENED = """\
某某新区管委会办公室关于印发重点签约项目任务分解表的通知
各局办：
现将任务分解表印发给你们，请抓好落实。
附件
重点签约项目任务分解表
序号
项目名称
项目内容
投资额（亿元）
企业联系人
牵头领导
责任单位
责任单位负责人
负责事项
一、产业类项目
1
海湾新材料产业园
建设新材料研发生产基地，首期用地三百亩。
20
某某新材料有限公司
张某某
副总经理
138****0001
王甲乙
周丙
牵头单位：
新区经济发展局
配合单位：
新区自然资源局
新区财政局
赵一
钱二
孙三
1.新区经济发展局负责对接企业并做好服务。
2、新区自然资源局负责用地保障。
2
滨海康养小镇
建设康养社区和配套设施。
15
李某
139****0002
吴丁
牵头单位：新区社会事务局配合单位：
新区文旅局
郑四
新区社会事务局负责牵头对接。
3
港口物流中心
建设冷链仓储和分拨中心。
8
陈某
137****0003
冯戊
新区交通局
新区商务局
蒋五
沈六
新区交通局负责对接，新区商务局配合。
"""


def test_a_flattened_row_of_many_lines_is_one_item_with_its_owner_fields():
    items = _items(FLATTENED)
    assert [i.text for i in items] == ["海湾新材料产业园", "滨海康养小镇", "港口物流中心"]
    assert [i.rule for i in items] == ["table", "table", "table"]
    first, second, third = (i.owners for i in items)
    assert first.lead_units == ["新区经济发展局"]
    assert first.co_units == ["新区自然资源局", "新区财政局"]
    assert first.responsible_leaders == ["王甲乙", "周丙"]  # the people of the units are no leaders
    assert second.lead_units == ["新区社会事务局"]
    assert second.co_units == ["新区文旅局"]
    # without owner fields: the unit lines under the unit column
    assert third.lead_units == ["新区交通局", "新区商务局"]
    assert third.responsible_leaders == ["冯戊"]
    assert (items[0].line, items[0].end_line, items[1].line) == (16, 35, 36)


LOST_LEADER_CELL = """\
某某区重点项目推进表
序号
项目名称
项目内容
企业联系人
牵头领导
责任单位
责任单位负责人
1
智慧园区项目
建设园区数据平台和智能安防系统。
刘某
区数据局
区公安分局
区城管局
韩七
杨八
朱九
"""


def test_a_row_that_lost_its_leader_cell_reads_its_units_one_column_left():
    items = _items(LOST_LEADER_CELL)
    assert [i.text for i in items] == ["智慧园区项目"]
    assert items[0].owners.lead_units == ["区数据局", "区公安分局", "区城管局"]
    assert items[0].owners.responsible_leaders == []


def test_a_bare_unit_list_whose_units_share_their_place_is_an_annotation():
    owners, spans = find_annotations(
        "5．建立联合审批机制。（区行政审批局、经济发展局、自然资源局、财政局，2025年9月底前完成）"
    )
    assert owners.responsible_units == ["区行政审批局", "经济发展局", "自然资源局", "财政局"]
    assert len(spans) == 1
    # a list that is not one of owners stays what it is
    owners, spans = find_annotations("加快重点项目建设。（包括区甲局、乙局的项目）")
    assert owners.is_empty() and spans == []


SHARED_PLACE = """\
某某区统一公共资源交易平台实施方案
一、加快资源整合
1．制定交易平台整合方案。（区行政审批局、管委会办公室、财政金融局，2025年4月底前完成。列第一位的为牵头单位，下同）
2．推进各类交易项目进入统一平台。（区行政审批局、经济发展局、交通与建设局，
2025年9月底前完成）3．公布交易目录。（区管委会办公室，2025年6月底前完成）
"""


def test_tasks_with_shared_place_unit_lists_and_a_bracket_over_a_line_break():
    items = _items(SHARED_PLACE)
    assert [i.due for i in items] == [date(2025, 4, 30), date(2025, 9, 30), date(2025, 6, 30)]
    assert items[1].owners.lead_units == ["区行政审批局"]
    assert items[1].owners.co_units == ["经济发展局", "交通与建设局"]
    assert items[2].owners.responsible_units == ["区管委会办公室"]


def test_a_field_value_ends_where_the_next_heading_begins():
    owners, _ = inline_fields("完善监测网络。牵头单位：区甲局，配合单位：区乙办（三）强化人才保障")
    assert owners.lead_units == ["区甲局"]
    assert owners.co_units == ["区乙办"]
    owners, _ = inline_fields("推进数据共享。牵头单位：区丙局，配合单位：区丁委“互联网+”教育")
    assert owners.co_units == ["区丁委"]


NO_BREAKS = (
    "某某区数字化行动方案\n"
    "一、主要任务\n"
    "（一）数字农业。推进物联网在种植中的应用。\n"
    "牵头单位：区农业局，配合单位：区数据局（二）数字林业。建设林区监测网络，"
    "提升火情预警能力。\n"
    "牵头单位：区林业局，配合单位：区应急局（三）数字国土。建设土地资源监测平台。\n"
    "牵头单位：区自然资源局\n"
)


def test_assignments_of_a_text_without_line_breaks_keep_the_line_where_they_begin():
    items = _items(NO_BREAKS)
    by_lead = {i.owners.lead_units[0]: i for i in items if i.owners.lead_units}
    assert set(by_lead) == {"区农业局", "区林业局", "区自然资源局"}
    assert by_lead["区林业局"].owners.co_units == ["区应急局"]
    assert by_lead["区林业局"].line == 4
    assert by_lead["区自然资源局"].line == 5


YEAR_AFTER_NUMBER = """\
某某区企业诚信体系建设实施方案
一、工作目标
（一）分步推进。
1.2025年底前，区应急管理局建立企业诚信承诺制度。
2.2026年底前，区应急管理局建成企业诚信信息平台。
"""


def test_a_paragraph_number_followed_by_a_year_is_still_a_number():
    items = _items(YEAR_AFTER_NUMBER)
    assert [i.ref.rsplit(".", 1)[-1] for i in items] == ["1", "2"]
    assert [i.due for i in items] == [date(2025, 12, 31), date(2026, 12, 31)]


def test_a_company_named_after_you_is_responsible():
    from gazette.prose_owners import sentence_owners

    owners = sentence_owners(
        "责任分工：由某某燃气有限公司负责，各片区管理局组织实施，区直部门配合。"
    )
    assert owners.responsible_units[:1] == ["某某燃气有限公司"]
    # a company that is only mentioned is no owner
    assert sentence_owners("支持某某燃气有限公司扩大供气范围。").is_empty()


SPACED_KEYS = """\
某某片区专项整治工作方案
一、整治重点
1.解决农村学生辍学问题。整改措施：配合教育部门做好劝返工作。责 任 人：赵某某整改时限：立整立改
2.规范统计行为。整改措施：严肃查处统计造假。牵　头　单　位：片区统计办
"""


def test_keys_padded_with_spaces_are_keys():
    items = _items(SPACED_KEYS)
    assert [i.owners.responsible_persons for i in items] == [["赵某某"], []]
    assert items[1].owners.lead_units == ["片区统计办"]


GLUED_ROWS = """\
某某区2025年生态环境保护工作要点
附件
工作要点分工表
序号主要工作任务具体工作措施完成时限主要责任单位
1、组织编制全区生态保护规划12月区生态环境局
2、出台生态保护红线管控配套措施，明确管控清单9月区自然资源局区生态环境局
3、清理河道沿线散养畜禽户6月各乡镇人民政府
"""


def test_units_run_together_after_the_time_cell_of_a_flattened_row():
    items = _items(GLUED_ROWS)
    assert [i.owners.responsible_units for i in items] == [
        ["区生态环境局"],
        ["区自然资源局", "区生态环境局"],
        ["各乡镇人民政府"],
    ]
    assert [i.due for i in items] == [date(2025, 12, 31), date(2025, 9, 30), date(2025, 6, 30)]


def test_a_month_and_a_unit_inside_a_sentence_are_no_glued_cells():
    from gazette.prose_owners import glued_units

    assert glued_units("会议定于12月区政府召开") == []
    assert glued_units("计划于12月底前完成。") == []
