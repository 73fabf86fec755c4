"""Stage 4b: tab-separated tables."""

from gazette.clean import clean
from gazette.tables import parse_table

from .fixtures import PROJECT_LIST


def table_lines(text: str):
    return [line for line in clean(text) if "\t" in line.text]


def test_project_rows_with_sections_and_repeated_headers():
    records = parse_table(table_lines(PROJECT_LIST), [])
    assert [r.ref for r in records] == ["1", "2", "3"]
    assert records[0].text == "甲公司触控面板项目"
    assert records[0].section == ["一、产业转型", "(一)装备制造产业链"]
    assert records[0].fields == {"层级": "市重点", "建设地点": "开发区"}
    assert records[2].section == ["二、社会民生"]
    assert records[2].fields["建设地点"] == "全 市"
    assert {r.kind for r in records} == {"project"}


def test_task_rows_find_date_and_unit_cells_even_when_shifted():
    text = (
        "类别\t重点工作\t主要任务\t完成时限\t工程措施\t责任单位\n"
        "产业结构\t产能控制\t焦炉关停\t2023年12月底前\t关停焦炉2座。\t市工信局、甲县人民政府\n"
        "\t\t锅炉淘汰\t长期坚持\t持续开展排查整治，动态清零。\t市生态环境局\t\n"
        "\t锅炉淘汰\t2020年9月底前\t淘汰燃煤锅炉15台。\t市生态环境局\n"
    )
    records = parse_table(table_lines(text), ["附件"])
    assert [r.text for r in records] == [
        "关停焦炉2座。",
        "持续开展排查整治，动态清零。",
        "淘汰燃煤锅炉15台。",
    ]
    assert [r.units for r in records] == ["市工信局、甲县人民政府", "市生态环境局", "市生态环境局"]
    assert [r.dates[0][1] for r in records] == ["2023年12月底前", "长期坚持", "2020年9月底前"]


def test_a_table_without_a_task_or_name_column_gives_no_items():
    text = "一级区划\t二级区划\t面积\n甲区\t乙区\t12\n"
    assert parse_table(table_lines(text), []) == []
