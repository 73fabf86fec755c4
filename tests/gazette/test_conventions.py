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
