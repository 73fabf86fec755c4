"""The conventions of task-assigning documents from any place, one test per
convention. Every fixture here is made up for the test."""

from __future__ import annotations

from datetime import date

from gazette.pipeline import parse_text, to_json


def _docs(text: str):
    return parse_text(text, "t.txt").documents


def _items(text: str):
    return [item for parsed in _docs(text) for item in parsed.items]


# --- 1. a file is at least one document ---------------------------------------------

WEB_COPY = """\
标　　题：|某某县人民政府办公室关于印发某某县2023年农村道路提升行动方案的通知
文件编号：|某县政办发〔2023〕7號
发布机构：|某某县人民政府办公室
成文日期：|2023年4月2日
各乡镇人民政府，县直各单位：
现将《某某县2023年农村道路提升行动方案》印发给你们，请认真贯彻执行。
一、重点任务
1.完成乡村道路硬化20公里。（责任单位：县交通运输局）
"""

NUMBER_AFTER_TITLE = """\
某某市人民政府关于加快老旧小区改造的实施意见（某政发〔2022〕15号）
各区人民政府，市政府各部门：
一、主要任务
（一）改造老旧小区30个。（牵头单位：市住房城乡建设局）
"""

NUMBER_UNDER_DATE = """\
某某区关于做好防汛工作的通知
时间：2021-05-06 10:12
某区办〔2021〕3号
各街道办事处：
1.清理排水沟渠。（责任单位：区水务局）
"""

NO_TITLE = """\
为推动农产品加工业发展，制定以下措施。
一、支持建设加工园区，年内新建园区2个。（责任单位：市农业农村局）
"""


def test_1_any_file_is_one_document_with_its_header_read_from_where_it_stands():
    doc = _docs(WEB_COPY)[0].document
    assert doc.title == "某某县人民政府办公室关于印发某某县2023年农村道路提升行动方案的通知"
    assert doc.doc_number == "某县政办发〔2023〕7號"
    assert doc.issuer == "某某县人民政府办公室"
    assert doc.signed == date(2023, 4, 2)
    assert doc.addressees == "各乡镇人民政府，县直各单位："

    doc = _docs(NUMBER_AFTER_TITLE)[0].document
    assert doc.doc_number == "某政发〔2022〕15号"
    assert doc.title == "某某市人民政府关于加快老旧小区改造的实施意见"

    parsed = _docs(NUMBER_UNDER_DATE)
    assert len(parsed) == 1
    assert parsed[0].document.title == "某某区关于做好防汛工作的通知"
    assert parsed[0].document.doc_number == "某区办〔2021〕3号"
    assert [i.owners.lead_units for i in parsed[0].items] == [["区水务局"]]

    parsed = _docs(NO_TITLE)
    assert len(parsed) == 1 and parsed[0].document.title == ""
    assert parsed[0].items[0].owners.lead_units == ["市农业农村局"]
    assert "no document found" not in " ".join(parse_text(NO_TITLE).warnings)


def test_1_an_empty_text_is_no_document_and_json_keys_stay():
    assert parse_text("\n \n").documents == []
    out = to_json(parse_text(WEB_COPY))
    assert {"title", "doc_number", "issuer", "signed", "items"} <= set(out["documents"][0])


# --- 4. several assignments in one paragraph --------------------------------------

SEVERAL = """\
某某县人民政府关于印发某某县节水行动方案的通知
一、重点任务
（一）推进节水改造。推进灌区渠道防渗改造，年内完成8千米（责任单位：县水利局）。完善农业水价形成机制，建立精准补贴制度（责任单位：县发展改革局、县财政局）。
（二）强化用水管理。严格取水许可审批，加强计量监测。开展用水统计调查，定期通报用水情况。（牵头单位：县水利局）
"""


def test_4_each_annotated_sentence_is_an_item_and_a_closing_annotation_owns_its_paragraph():
    items = _items(SEVERAL)
    assert [i.owners.lead_units for i in items] == [
        ["县水利局"],
        ["县发展改革局", "县财政局"],
        ["县水利局"],
    ]
    assert items[0].text.startswith("推进节水改造。推进灌区渠道防渗改造")
    assert items[1].text.startswith("完善农业水价形成机制")
    # the last annotation closes two sentences: one item for the paragraph
    assert "严格取水许可审批" in items[2].text and "定期通报用水情况" in items[2].text


RUN_ON = (
    "某某市加快数字乡村建设的工作方案\n"
    "为推进数字乡村建设，制定本方案。一、总体要求（一）工作目标。到2025年，建成数字乡村示范村20个。"
    "二、重点任务（一）完善基础设施。推进光纤网络进村入户，年内实现行政村全覆盖。（责任单位：市通信发展办）"
    "（二）发展智慧农业。建设农业物联网示范基地5个。（牵头单位：市农业农村局，配合单位：市科技局）"
    "（三）提升治理水平。推广村级事务线上办理。（市民政局负责）\n"
)


def test_4_paragraphs_run_together_are_cut_at_the_numbering():
    items = _items(RUN_ON)
    assert [i.owners.lead_units + i.owners.responsible_units for i in items] == [
        ["市通信发展办"],
        ["市农业农村局"],
        ["市民政局"],
    ]
    assert items[1].owners.co_units == ["市科技局"]
    assert items[1].text.startswith("发展智慧农业")


SUB_ITEMS_EACH_OWNED = """\
某某市促进消费的若干措施
（一）扩大服务消费。
1.发展家政服务，培育家政龙头企业5家。（市商务局负责）
2.发展养老服务，新建社区养老服务站10个。（市民政局负责）
"""


def test_4_sub_items_with_their_own_annotations_are_not_folded_into_the_heading():
    items = _items(SUB_ITEMS_EACH_OWNED)
    assert [i.owners.responsible_units for i in items] == [["市商务局"], ["市民政局"]]
    assert items[0].text.startswith("发展家政服务")


# --- 2. owner and time fields on their own lines ------------------------------------

FIELD_LINES = """\
某某县2024年城乡环境整治工作方案
一、整治任务
1.清理农村生活垃圾，建立村收集、镇转运体系。
牵头单位：县住房和城乡建设局
配合单位：县生态环境分局，各乡镇人民政府
完成时限：2024年6月底前
2.整治河道沿岸违法建筑。
牵头责任单位:县水利局；协同责任单位：县自然资源局、县公安局
时间节点：9月30日前
3.治理农贸市场周边秩序。牵头县领导：王某某，责任单位：县市场监管局
"""


def test_2_field_lines_below_the_task_and_fields_in_running_text():
    items = _items(FIELD_LINES)
    assert [i.owners.lead_units for i in items] == [
        ["县住房和城乡建设局"],
        ["县水利局"],
        ["县市场监管局"],
    ]
    assert items[0].owners.co_units == ["县生态环境分局", "各乡镇人民政府"]
    assert items[0].due == date(2024, 6, 30)
    assert items[1].owners.co_units == ["县自然资源局", "县公安局"]
    assert items[1].due == date(2024, 9, 30)
    assert items[2].owners.responsible_leaders == ["王某某"]
    # the field lines are read from their own lines, the item starts at its task
    assert [i.line for i in items] == [3, 7, 10]


RUN_TOGETHER_FIELDS = (
    "某某片区2020年人居环境整治分工方案\n"
    "（一）开展村庄清洁行动。清理村内塘沟和农业生产废弃物。牵头单位：甲处主抓单位：乙处、丙处"
    "责任单位：各行政村（二）推进厕所改造。年内完成改厕300户。牵头单位：丁处，配合单位：戊处\n"
)


def test_2_fields_run_together_without_separators():
    items = _items(RUN_TOGETHER_FIELDS)
    assert [i.owners.lead_units for i in items] == [["甲处"], ["丁处"]]
    assert items[0].owners.responsible_units == ["乙处", "丙处", "各行政村"]
    assert items[1].owners.co_units == ["戊处"]


# --- 5. roles in prose and annotations --------------------------------------------

ROLES = """\
某某市人民政府关于促进外贸稳定增长的若干意见
一、主要措施
（一）扩大出口信用保险覆盖面，降低小微企业投保费率。（市商务局牵头负责，市财政局、市税务局，人行某某中心支行配合）
（二）优化出口退税服务，压缩办理时间至3个工作日。（市税务局、市商务局按职责分工负责）
（三）加快外贸新业态发展。（市商务局负责落实）
（四）推进口岸提效降费。（牵头单位：市口岸办，配合单位：某某海关）
"""


def test_5_roles_with_verbless_lists_and_comma_separated_keys():
    items = _items(ROLES)
    assert items[0].owners.lead_units == ["市商务局"]
    assert items[0].owners.co_units == ["市财政局", "市税务局", "人行某某中心支行"]
    assert items[1].owners.responsible_units == ["市税务局", "市商务局"]
    assert items[2].owners.responsible_units == ["市商务局"]
    assert items[3].owners.lead_units == ["市口岸办"]
    assert items[3].owners.co_units == ["某某海关"]


# --- 8. tables in every rendering --------------------------------------------------


def _table_doc(rows: str) -> str:
    return "某某县2024年重点工作任务分解表\n" + rows


PIPE_TABLE = _table_doc("""\
| 序号 | 工作任务 | 牵头单位 | 配合单位 | 完成时限 |
|---|---|---|---|---|
| 1 | 新建城乡供水管网30公里 | 县水利局 | 县财政局 | 2024年10月底前 |
| 2 | 改造农村公路危桥5座 | 县交通运输局 |  | 2024年12月底前 |
""")

CELL_PER_LINE = _table_doc("""\
序号
重点任务
牵头单位
责任领导
时间节点
1
完成老旧小区改造12个
县住房和城乡建设局
李某某
9月底前
2
建成口袋公园3处
县城市管理局
张某某
11月底前
""")

SPACE_ALIGNED = _table_doc("""\
序号  任务名称              责任单位        完成时限
1     建设智慧停车平台      县公安局        2024年8月底前
2     更新公交车辆20辆      县交通运输局    2024年11月底前
""")

TAB_MERGED = _table_doc(
    "序号\t主要任务\t牵头单位\t完成时限\t进展情况\n"
    "1\t完成高标准农田建设2万亩\t县农业农村局\t2024年10月底前\t已完成招标\n"
    "2\t建设农产品冷链仓储中心\t\t\t正在选址\n"
    "序号\t主要任务\t牵头单位\t完成时限\t进展情况\n"
    "3\t培育农业龙头企业3家\t县发展改革局\t2024年12月底前\t\n"
)


def test_8_tables_in_every_rendering_read_by_column_meaning():
    for text in (PIPE_TABLE, CELL_PER_LINE, SPACE_ALIGNED):
        items = _items(text)
        assert len(items) == 2, text
        assert all(i.owners.lead_units for i in items)
        assert all(i.due is not None for i in items)
    pipe = _items(PIPE_TABLE)
    assert pipe[0].text == "新建城乡供水管网30公里"
    assert pipe[0].owners.lead_units == ["县水利局"] and pipe[0].owners.co_units == ["县财政局"]
    assert pipe[0].due == date(2024, 10, 31)
    cells = _items(CELL_PER_LINE)
    assert cells[0].owners.responsible_leaders == ["李某某"]
    assert cells[1].text == "建成口袋公园3处"
    assert _items(SPACE_ALIGNED)[1].owners.lead_units == ["县交通运输局"]


def test_8_merged_cells_carry_down_headers_repeat_progress_is_no_task():
    items = _items(TAB_MERGED)
    assert [i.text for i in items] == [
        "完成高标准农田建设2万亩",
        "建设农产品冷链仓储中心",
        "培育农业龙头企业3家",
    ]
    assert items[1].owners.lead_units == ["县农业农村局"]  # merged with the row above
    assert items[1].due == date(2024, 10, 31)
    assert items[2].owners.lead_units == ["县发展改革局"]
    assert items[0].fields["进展情况"] == "已完成招标"


# --- 12. when in doubt, propose -------------------------------------------------------

DOUBT = """\
某某区2024年安全生产工作要点
一、重点工作
（一）开展危化品企业专项检查，年内覆盖全部企业。（责任单位：区应急管理局）
（二）区消防救援大队要牵头开展高层建筑消防隐患排查，建立整改台账。
"""


def test_12_an_unmatched_assignment_is_an_uncertain_candidate_and_every_item_says_its_rule():
    items = _items(DOUBT)
    assert [(i.rule, i.uncertain) for i in items] == [("annotation", False), ("candidate", True)]
    assert items[1].owners.lead_units + items[1].owners.responsible_units == ["区消防救援大队"]
    assert all(0 < i.confidence <= 1 for i in _items(DOUBT + FIELD_LINES + PIPE_TABLE))
    out = to_json(parse_text(DOUBT))["documents"][0]["items"]
    assert [(o["rule"], o["uncertain"]) for o in out] == [
        ("annotation", False),
        ("candidate", True),
    ]
    assert out[1]["confidence"] < out[0]["confidence"]


# --- 3. leader headings in every form ---------------------------------------------

LEADERS = """\
某某县人民政府关于2024年县政府领导分工负责重点工作的通知
一、县长赵某某主抓的重点工作
（一）推进县城新区建设，年内完成道路主框架。（责任单位：县住房和城乡建设局）
二、钱某某副县长牵头负责的工作
（一）孙某某分管的工作
1.完成义务教育学校新建2所。（责任单位：县教育局）
"""


def test_3_leader_headings_in_every_form_accumulate():
    items = _items(LEADERS)
    assert items[0].owners.responsible_leaders == ["赵某某"]
    assert items[1].owners.responsible_leaders == ["钱某某", "孙某某"]
    assert items[1].owners.lead_units == ["县教育局"]


# --- 6. document-level rules ----------------------------------------------------------

DOC_RULES = """\
某某市优化营商环境若干措施
各项措施责任单位中列第一位的为牵头单位（下同）。
一、政务服务
1.推行企业开办一日办结。（责任单位：市政务服务中心、市市场监管局、市税务局）
2.压减工程建设项目审批时间。（责任单位：*市住房城乡建设局、市自然资源局）
3.推行惠企政策免申即享。（责任单位：市发展改革委★、市财政局；以下均需各区人民政府负责，不再列出）
4.建立企业诉求快速响应机制。（责任单位：市工商联）
"""


def test_6_document_level_rules_lead_marks_and_standing_units():
    items = _items(DOC_RULES)
    assert items[0].owners.lead_units == ["市政务服务中心"]
    assert items[0].owners.co_units == ["市市场监管局", "市税务局"]
    assert items[1].owners.lead_units == ["市住房城乡建设局"]
    assert items[1].owners.co_units == ["市自然资源局"]
    assert items[2].owners.lead_units == ["市发展改革委"]
    assert "以下均需" not in " ".join(items[2].owners.co_units + items[2].owners.responsible_units)
    assert "各区人民政府" in items[3].owners.responsible_units + items[3].owners.co_units


# --- 7. collective names stay whole ------------------------------------------------

COLLECTIVE = """\
某某市人民政府关于加强耕地保护的实施意见
一、主要任务
（一）严格落实耕地保护责任。（责任单位：各县（市、区）人民政府，市自然资源局等有关部门）
（二）开展撂荒地整治。（各区、县级市人民政府负责）
"""


def test_7_collective_names_stay_whole():
    items = _items(COLLECTIVE)
    owners = items[0].owners
    assert owners.lead_units == ["各县（市、区）人民政府"]
    assert owners.co_units == ["市自然资源局等有关部门"] or owners.co_units == ["市自然资源局"]
    assert items[1].owners.responsible_units == ["各区、县级市人民政府"]


# --- 10. traditional script and stray annotations ---------------------------------

TRADITIONAL = """\
某某縣人民政府關於印發某某縣防災減災工作方案的通知
某縣政發〔2023〕5號
各鄉鎮人民政府：
一、主要任務
（一）完成山洪災害預警設施建設。（牽頭單位：縣水利局；責任單位：各鄉鎮人民政府）
（二）開展避險演練。（區(qū)應急管理局負責）
"""


def test_10_traditional_script_is_read_through_a_normalised_copy():
    parsed = _docs(TRADITIONAL)
    assert len(parsed) == 1
    doc = parsed[0].document
    assert doc.doc_number == "某縣政發〔2023〕5號"  # shown as written
    assert doc.title.startswith("某某縣人民政府關於")
    items = parsed[0].items
    assert items[0].owners.lead_units == ["縣水利局"]
    assert items[0].owners.responsible_units == ["各鄉鎮人民政府"]
    # the pinyin a page left in brackets is dropped
    assert items[1].owners.responsible_units == ["區應急管理局"]


# --- 11. time expressions ------------------------------------------------------------

TIMES = """\
某某市人民政府办公室关于做好根治欠薪工作的通知
某政办发〔2023〕8号
各区人民政府：
一、清理欠薪。春节前实现欠薪动态清零。（责任单位：市人力资源社会保障局）
二、排查在建项目，自本通知印发之日起30日内完成。（责任单位：市住房城乡建设局）
三、建立工资专户制度，3个月内实现全覆盖。（责任单位：市人力资源社会保障局）
四、落实小微企业扶持政策，对入驻企业3月免租，按4月份数据核定补贴。（责任单位：市财政局）
五、国庆前完成年度考核。（责任单位：市政府督查室）
某某市人民政府办公室
2023年11月20日
"""


def test_11_relative_and_holiday_deadlines_and_months_that_are_not_due():
    items = _items(TIMES)
    assert items[0].due == date(2024, 2, 9)  # the Spring Festival after the document's date
    assert items[1].due == date(2023, 12, 20)
    assert items[2].due == date(2024, 2, 20)
    assert items[3].deadlines == []
    assert items[4].due == date(2024, 9, 30)


# --- 9. attachments and measures ---------------------------------------------------

ATTACHED = """\
某某市人民政府办公室关于印发某某市2024年文旅消费提振方案的通知
某政办发〔2024〕21号
各区人民政府，市直各单位：
现将《某某市2024年文旅消费提振方案》印发给你们，请认真贯彻落实。
某某市人民政府办公室
2024年3月1日
某某市2024年文旅消费提振方案
一、重点任务
（一）举办夜间文旅消费季活动。（责任单位：市文化广电旅游局）
二、保障措施
（一）加强组织领导。建立工作专班，定期调度推进情况，协调解决重大问题。
（二）强化资金保障。统筹安排专项资金，支持文旅消费场景建设。
附件
重点任务清单
序号\t工作任务\t完成时限\t责任单位
1\t新建文旅消费集聚区2个\t2024年9月底前\t市商务局
"""


def test_9_attachment_task_lists_and_numbered_measures_belong_to_the_document():
    parsed = _docs(ATTACHED)
    assert len(parsed) == 1
    items = parsed[0].items
    rules = [(i.text[:6], i.rule) for i in items]
    assert ("举办夜间文旅", "annotation") in rules
    assert ("加强组织领导", "measure") in rules and ("强化资金保障", "measure") in rules
    row = next(i for i in items if i.rule == "table")
    assert row.text == "新建文旅消费集聚区2个"
    assert row.owners.lead_units == ["市商务局"] and row.due == date(2024, 9, 30)


def test_11_units_alone_with_their_time_and_a_heading_that_sets_the_time():
    text = """\
某某区2023年河道保洁工作方案
一、主要任务
（一）开展河道集中清理（9月30日前完成）
1.清理河道漂浮物。（区水利局）
2.修缮破损堤岸。（区住房和城乡建设局、区财政局，6月底前完成）
某某区人民政府办公室
2023年3月1日
"""
    items = _items(text)
    assert items[0].owners.responsible_units == ["区水利局"]
    assert items[0].due == date(2023, 9, 30)  # the heading's time
    assert items[1].owners.responsible_units == ["区住房和城乡建设局", "区财政局"]
    assert items[1].due == date(2023, 6, 30)
