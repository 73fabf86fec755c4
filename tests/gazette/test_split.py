"""Stage 3: a gazette split into its documents."""

from datetime import date

from gazette.clean import clean
from gazette.split import split

from .fixtures import COVER, DIVISION_OF_LABOUR, GAZETTE, PROJECT_LIST


def test_cover_and_table_of_contents_are_not_documents():
    docs = split(clean(GAZETTE))
    assert [d.doc_number for d in docs] == [
        "某政办发〔2024〕9号",
        "某市政办〔2024〕12号",
        "某政办发〔2023〕39号",
    ]


def test_a_document_has_title_issuer_date_and_addressees():
    doc = split(clean(DIVISION_OF_LABOUR))[0]
    assert doc.title == "某某区人民政府办公室关于印发2024年区《政府工作报告》任务分工的通知"
    assert doc.issuer == "某某区人民政府办公室"
    assert doc.signed == date(2024, 3, 19)
    assert doc.addressees == "各镇（街道）、区直各单位："
    assert doc.year == 2024


def test_the_line_span_is_that_of_the_original_file():
    text = COVER + "\n" + PROJECT_LIST
    doc = split(clean(text))[0]
    lines = text.split("\n")
    assert lines[doc.line_start - 1].startswith("某某市人民政府办公室 关于印发")
    assert lines[doc.line_end - 1].startswith("3\t丙河道治理工程")


def test_document_numbers_in_any_bracket_or_spacing():
    for number in (
        "晋市政发[2024]1号",
        "晋市政发〔2024〕1 号",
        "临教基［2023］20号",
        "某政发 〔2021〕 4号",
    ):
        text = f"某某市人民政府 关于做好某项工作的通知\n\n{number}\n\n各单位：\n\n正文。\n"
        # blanks are dropped, brackets kept as written
        assert split(clean(text))[0].doc_number == number.replace(" ", "")


def test_a_title_over_several_lines():
    text = (
        "某某市人民政府\n\n关于做好2021年某某工作的\n\n通 知\n\n某市政发〔2021〕1号\n\n各单位：\n"
    )
    assert split(clean(text))[0].title == "某某市人民政府关于做好2021年某某工作的通知"


def test_attachments_are_listed():
    text = (
        "某某市人民政府 关于印发某方案的通知\n\n某市政发〔2021〕3号\n\n各单位：\n\n正文。\n\n"
        "附件：1.联络表\n2.工作规程\n\n某某市人民政府\n\n2021年3月1日\n"
    )
    assert split(clean(text))[0].attachments == ["联络表", "工作规程"]


def test_a_chronicle_is_its_own_document():
    text = DIVISION_OF_LABOUR + "\n某某市人民政府9月大事记\n\n9月1日 市长主持召开会议。\n"
    docs = split(clean(text))
    assert docs[-1].title == "某某市人民政府9月大事记"
    assert docs[-1].doc_number == ""


def _notice(signature: str) -> str:
    return (
        "某某市人民政府 关于做好某项工作的通知\n\n某政发〔2024〕4号\n\n各县（市、区）人民政府：\n\n"
        f"请认真贯彻落实。\n\n{signature}\n\n（此件公开发布）\n"
    )


def test_a_signing_date_in_chinese_numerals():
    doc = split(clean(_notice("某某市人民政府\n\n二〇二四年三月二十八日")))[0]
    assert (doc.signed, doc.issuer) == (date(2024, 3, 28), "某某市人民政府")
    doc = split(clean(_notice("某某市人民政府\n\n二○二三年十二月十日")))[0]
    assert doc.signed == date(2023, 12, 10)


def test_issuer_and_signing_date_on_one_line():
    doc = split(clean(_notice("某某市人民政府办公室 2024年3月8日")))[0]
    assert (doc.signed, doc.issuer) == (date(2024, 3, 8), "某某市人民政府办公室")


def test_a_document_that_prints_no_signing_date_has_none():
    doc = split(clean(_notice("某某市人民政府")))[0]
    assert doc.signed is None and doc.year == 2024
