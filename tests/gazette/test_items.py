"""Stage 4: items found in each format, owners inherited, deadlines attached."""

from datetime import date

from gazette.pipeline import parse_text, to_json

from .fixtures import DIVISION_OF_LABOUR, NOTICE_WITH_REPORTS, PROJECT_LIST, WINTER_PLAN


def items_of(text: str):
    (parsed,) = parse_text(text).documents
    return parsed.items


def by_start(items, start: str):
    return next(item for item in items if item.text.startswith(start))


def test_division_of_labour_items_and_their_refs():
    items = items_of(DIVISION_OF_LABOUR)
    assert [item.ref for item in items] == [
        "一.(一).1",
        "二.(一).1",
        "二.(一).2",
        "二.(一).3",
        "三.(一).1",
    ]
    assert items[0].text.startswith("抓好重点项目建设")


def test_a_heading_leader_and_the_task_annotation():
    item = by_start(items_of(DIVISION_OF_LABOUR), "抓好重点项目建设")
    assert item.owners.responsible_leaders == ["王一"]
    assert item.owners.lead_units == ["各镇（街道）及区直各有关单位"]
    assert item.owners.responsible_persons == ["各单位主要负责人"]


def test_owners_inherited_from_headings_and_added_by_the_task():
    item = by_start(items_of(DIVISION_OF_LABOUR), "新增充电桩")
    assert item.owners.lead_units == ["区发展和改革局(区能源局)"]
    assert item.owners.responsible_leaders == ["赵二", "钱三", "孙四", "李五"]
    assert item.owners.responsible_offices == ["能源股", "城建科"]
    assert item.owners.responsible_persons == ["周六", "吴七"]


def test_a_task_split_across_a_page_break_is_one_item():
    items = items_of(DIVISION_OF_LABOUR)
    item = by_start(items, "推进老旧小区改造")
    assert "开工率上半年达到80%以上" in item.text
    assert item.owners.responsible_persons == ["郑八"]
    assert {d.date for d in item.deadlines} == {
        date(2024, 12, 31),
        date(2024, 3, 31),
        date(2024, 6, 30),
    }
    assert item.due == date(2024, 12, 31)


def test_tags_and_quoted_dates():
    items = items_of(DIVISION_OF_LABOUR)
    assert by_start(items, "新建口袋公园").owners.tags == ["民生实事项目"]
    item = by_start(items, "确保玉苑社区")
    assert item.owners.lead_units == ["甲街道办事处"]
    assert item.due == date(2024, 4, 30)


def test_project_table_rows_are_items():
    items = items_of(PROJECT_LIST)
    assert [(i.ref, i.kind) for i in items] == [
        ("1", "project"),
        ("2", "project"),
        ("3", "project"),
    ]
    assert items[1].fields == {"层级": "省重点", "建设地点": "甲县"}
    assert items[0].section == "一、产业转型 / (一)装备制造产业链"


def test_march_in_a_winter_plan_falls_in_the_next_year():
    item = by_start(items_of(WINTER_PLAN), "深入推进散煤治理")
    dates = sorted(d.date for d in item.deadlines if d.date)
    assert dates == [date(2023, 10, 31), date(2024, 3, 31)]
    assert item.due == date(2024, 3, 31)


def test_lead_co_and_responsible_units_in_a_winter_plan():
    items = items_of(WINTER_PLAN)
    item = by_start(items, "深入推进散煤治理")
    assert item.owners.lead_units == ["市能源局", "市住建局"]
    assert item.owners.co_units == ["市财政局"]
    assert item.owners.responsible_units == ["各县（市、区）人民政府"]
    verbs = by_start(items, "加强工业企业治理")
    assert verbs.owners.lead_units == ["市生态环境局"]
    assert verbs.owners.co_units == ["市工信局"]


def test_a_task_table_with_date_and_unit_columns():
    items = items_of(WINTER_PLAN)
    row = by_start(items, "关停4.3米焦炉")
    assert row.owners.lead_units == ["市工信局", "甲县人民政府"]
    assert row.due == date(2023, 12, 31)
    ongoing = by_start(items, "持续开展排查整治")
    assert ongoing.due is None
    assert any(d.ongoing for d in ongoing.deadlines)


def test_report_obligations_in_running_text():
    items = items_of(NOTICE_WITH_REPORTS)
    assert len(items) == 1
    item = items[0]
    assert item.kind == "report"
    assert "各镇（街道）" in item.owners.responsible_units
    assert date(2024, 2, 10) in {d.date for d in item.deadlines}
    assert "monthly:25" in {d.recurrence for d in item.deadlines}


def test_intro_paragraphs_and_signatures_are_not_items():
    texts = [item.text for item in items_of(DIVISION_OF_LABOUR)]
    assert not any("印发给你们" in text or "全面负责" in text for text in texts)


def test_json_has_the_fields_the_scorer_reads():
    data = to_json(parse_text(DIVISION_OF_LABOUR, "x.txt"))
    assert data["source"] == "x.txt"
    doc = data["documents"][0]
    assert {"title", "doc_number", "issuer", "signed", "line_start", "line_end"} <= set(doc)
    item = doc["items"][1]
    assert {
        "ref",
        "line",
        "text",
        "kind",
        "section",
        "lead_units",
        "co_units",
        "responsible_units",
        "responsible_leaders",
        "responsible_offices",
        "responsible_persons",
        "tags",
        "deadlines",
        "fields",
    } <= set(item)
    assert item["deadlines"][0] == {
        "expr": "5月底前",
        "date": "2024-05-31",
        "recurrence": "",
        "what": item["deadlines"][0]["what"],
    }


def test_a_chronicle_has_no_items():
    text = (
        DIVISION_OF_LABOUR
        + "\n某某市人民政府9月大事记\n\n9月1日 各县（市、区）要在9月5日前上报情况。\n"
    )
    gazette = parse_text(text)
    assert gazette.documents[-1].items == []


def test_a_numbered_paragraph_closes_its_sibling_heading():
    text = (
        "某某市人民政府 关于某项工作的通知\n\n某政发〔2024〕1号\n\n各单位：\n\n"
        "(一)采供血机构\n\n1. 建立血液管理信息系统；\n\n(二)医疗机构应当落实减免政策。"
        "(市卫健委负责)\n"
    )
    items = items_of(text)
    assert [(i.ref, i.owners.lead_units or i.owners.responsible_units) for i in items] == [
        ("(一).1", ["采供血机构"]),
        ("(二)", ["市卫健委"]),
    ]


def _doc(title: str, number: str, body: str) -> str:
    return f"{title}\n\n{number}\n\n各县（市、区）人民政府，市直各单位：\n\n{body}\n\n某某市人民政府\n\n2024年3月8日\n"


PROSE_NOTICE = _doc(
    "某某市人民政府 关于做好2024年某项工作的通知",
    "某政发〔2024〕1号",
    """\
为做好某项工作，现通知如下。

一、指导思想

（一）总体思路。坚持以人民为中心，统筹发展和安全，推进各项工作。

二、重点任务

1. 压实属地责任。各县（市、区）人民政府要制定本地区实施方案，5月底前报市甲局。

2. 强化部门监管。市甲局会同市乙局开展联合检查，每季度通报一次。

——矿山：由市丙局负责，严厉打击违法生产行为。

3. 加强宣传引导。利用各类媒体广泛宣传，营造良好氛围。""",
)


def test_a_notice_without_annotations_tracks_its_numbered_paragraphs():
    items = items_of(PROSE_NOTICE)
    assert [item.ref for item in items] == ["二.1", "二.2", "二.—1", "二.3"]
    first = items[0]
    assert first.owners.responsible_units == ["各县（市、区）人民政府"]
    assert first.due == date(2024, 5, 31)
    second = items[1]
    assert (second.owners.lead_units, second.owners.co_units) == (["市甲局"], ["市乙局"])
    assert items[2].owners.responsible_units == ["市丙局"]
    assert items[3].owners.is_empty()
    assert all(item.kind == "task" for item in items)


def test_a_plan_issued_by_a_notice_is_read_like_a_notice():
    text = PROSE_NOTICE.replace(
        "关于做好2024年某项工作的通知", "关于印发某某市某项工作实施方案的通知"
    )
    assert len(items_of(text)) == 4


def test_regulations_and_emergency_plans_give_no_prose_items():
    body = "一、总则\n\n1. 各县（市、区）人民政府要加强领导，落实责任，做好相关工作。"
    for title in (
        "关于印发某某市某项管理办法（试行）的通知",
        "关于印发某某市某类事故应急预案的通知",
        "关于成立某某市某项工作领导小组的通知",
        "关于某项目方案的批复",
    ):
        assert items_of(_doc("某某市人民政府 " + title, "某政发〔2024〕2号", body)) == [], title
    articles = "\n\n".join(
        f"第{n}条 各单位应当按照本方案做好相关工作，落实责任。" for n in "一二三"
    )
    assert (
        items_of(_doc("某某市人民政府 关于某项工作的实施意见", "某政发〔2024〕3号", articles)) == []
    )


def test_an_annotated_document_keeps_to_its_annotations():
    text = _doc(
        "某某市人民政府 关于做好某项工作的通知",
        "某政发〔2024〕4号",
        "1. 甲任务要落实。（市甲局负责）\n\n2. 各县（市、区）人民政府要做好乙任务，加强督导。",
    )
    items = items_of(text)
    assert [item.text[:3] for item in items if not item.uncertain] == ["甲任务"]
    # the prose paragraph naming a unit is only proposed, marked uncertain
    assert [(item.text[:3], item.rule) for item in items if item.uncertain] == [
        ("各县（", "candidate")
    ]


def test_goals_in_a_dash_list_and_scope_sections_are_not_tasks():
    body = """\
一、主要目标

到2025年，实现以下目标：

——交通网取得突破性进展。构建综合运输通道，推进高速铁路网建设。

二、整治范围

（一）小型场所。包括小商店、小餐饮、小旅店等场所。

三、重点任务

1. 加强综合治理。各县（市、区）要开展专项整治，落实属地责任。

——矿山：严厉打击违法生产行为，落实企业主体责任。"""
    items = items_of(_doc("某某市人民政府 关于印发某某市行动计划的通知", "某政发〔2024〕5号", body))
    assert [item.ref for item in items] == ["三.1", "三.—1"]


def test_a_short_numbered_line_without_a_full_stop_is_a_task_unless_items_follow():
    body = """\
（一）甲街道牵头的工作

1. 新建口袋公园5个（民生实事项目）

2. 改造背街小巷3条

（二）乙街道牵头的工作

1. 完成管网改造"""
    items = items_of(
        _doc("某某区人民政府 关于印发2024年任务分工的通知", "某政办发〔2024〕6号", body)
    )
    assert [(i.ref, i.owners.lead_units) for i in items] == [
        ("(一).1", ["甲街道"]),
        ("(一).2", ["甲街道"]),
        ("(二).1", ["乙街道"]),
    ]
    assert items[0].owners.tags == ["民生实事项目"]


def test_a_short_line_followed_by_prose_stays_a_heading_that_titles_the_task_below():
    body = (
        "（一）加强组织领导\n\n各县（市、区）要成立领导小组。\n\n（二）指挥部组成\n\n"
        "指挥长由市甲局局长担任，市乙局要派员参加。\n\n（三）强化督导检查\n\n1. 开展专项督查，通报进展。"
    )
    items = items_of(_doc("某某市人民政府 关于做好某项工作的通知", "某政发〔2024〕7号", body))
    assert [item.ref for item in items] == ["(一)", "(三).1"]
    assert items[0].text == "加强组织领导。各县（市、区）要成立领导小组。"
    assert items[0].owners.responsible_units == ["各县（市、区）"]


def test_a_list_of_attachments_closes_the_plan():
    body = """\
1. 加强组织领导。各县（市、区）要成立领导小组。

附件：1.工作联络表

2.事项目录

3.承诺书格式

申请人对事项作出如下承诺：

（一）已经知晓行政机关告知的全部内容；"""
    items = items_of(
        _doc(
            "某某市人民政府办公室 关于印发某某市某项制度实施方案的通知", "某政办发〔2024〕8号", body
        )
    )
    assert [item.ref for item in items] == ["1"]


def test_an_annotation_closing_a_sub_list_belongs_to_the_task_that_opened_it():
    body = """\
1. 推进甲项治理。10月底前完成。(牵头部门:市甲局;责任单位:各县（市、区）人民政府)

2. 实施错峰生产。对重点行业企业实施差异化管控，2024年3月31日前执行完毕。

（1）钢铁行业

①A级企业不予错峰。

②B级企业限产20%。

（2）焦化行业

①C级企业停产。

(牵头部门:市乙局、市丙局;责任单位:各县（市、区）人民政府)

3. 加强监测。(牵头部门:市丁局)"""
    for title in ("关于印发某某市秋冬季攻坚行动方案的通知", "关于印发某某市某项管理办法的通知"):
        items = items_of(_doc("某某市人民政府 " + title, "某政发〔2023〕9号", body))
        assert [(i.ref, i.owners.lead_units) for i in items] == [
            ("1", ["市甲局"]),
            ("2", ["市乙局", "市丙局"]),
            ("3", ["市丁局"]),
        ], title
        assert items[1].due == date(2024, 3, 31)


def test_a_note_names_a_unit_for_every_later_task():
    body = """\
（一）落实领导责任。定期研究工作。(市甲办、各县〈市、区〉人民政府负责。以下均需各县〈市、区〉人民政府负责，不再一一列出)

（二）落实部门责任。制定责任清单。(市乙局负责)"""
    items = items_of(_doc("某某市人民政府 关于做好某项工作的通知", "某政发〔2024〕1号", body))
    assert items[0].owners.responsible_units == ["市甲办", "各县〈市、区〉人民政府"]
    assert items[1].owners.responsible_units == ["市乙局", "各县〈市、区〉人民政府"]


def test_a_numbered_title_and_its_annotated_body_paragraph_are_one_task():
    body = "（一）强化综合协调。\n\n各专业委员会每月召开一次会议，研究解决问题。(市甲办、市乙局)\n\n（二）下一项。(市丙局负责)"
    items = items_of(_doc("某某市人民政府 关于做好某项工作的通知", "某政发〔2024〕2号", body))
    assert [(i.ref, i.owners.responsible_units) for i in items] == [
        ("(一)", ["市甲办", "市乙局"]),
        ("(二)", ["市丙局"]),
    ]
    assert (
        items[0].text
        == "强化综合协调。各专业委员会每月召开一次会议，研究解决问题。(市甲办、市乙局)"
    )
    assert items[0].end_line > items[0].line


def test_report_duties_in_regulations_and_emergency_plans_are_standing_rules():
    body = "第一条 承担储备任务的企业每半年将储备情况报送市甲局。\n\n第二条 每年3月底前上报年度计划。\n\n第三条 本办法自印发之日起施行。"
    for title in ("关于印发某某市某项储备管理办法的通知", "关于印发某某市某类事故应急预案的通知"):
        assert items_of(_doc("某某市人民政府 " + title, "某政发〔2024〕3号", body)) == [], title
    notice = _doc(
        "某某市人民政府 关于开展某项检查的通知",
        "某政发〔2024〕4号",
        "各县（市、区）要在3月10日前上报检查方案。",
    )
    assert [item.kind for item in items_of(notice)] == ["report"]
