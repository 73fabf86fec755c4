"""Stage 2: artefacts of PDF extraction undone, original line numbers kept."""

from gazette.clean import clean
from gazette.lines import fold
from gazette.undouble import undouble


def texts(raw: str) -> list[str]:
    return [line.text for line in clean(raw)]


def test_fold_keeps_length_and_maps_bracket_variants():
    raw = "〔责任单位：甲局；乙局〕［丙］（丁）"
    assert fold(raw) == "[责任单位:甲局;乙局][丙](丁)"
    assert len(fold(raw)) == len(raw)


def test_a_sentence_broken_across_a_page_break_is_joined():
    raw = "1. 加快推进某某工程建设，做到难办的\n\n事不推、该办的事不拖。\n\n2. 第二项任务。\n"
    lines = clean(raw)
    assert [line.text for line in lines] == [
        "1. 加快推进某某工程建设，做到难办的事不推、该办的事不拖。",
        "2. 第二项任务。",
    ]
    assert (lines[0].lineno, lines[0].end) == (1, 3)
    assert lines[1].lineno == 5


def test_two_column_lines_join_into_one_paragraph():
    raw = "1.完善基础设施。对标时间节\n\n点，加快路面工程进度，确保\n\n年底前建成。［责任单位：市交通局，甲县、乙\n\n县人民政府］\n"
    assert texts(raw) == [
        "1.完善基础设施。对标时间节点，加快路面工程进度，确保年底前建成。"
        "［责任单位：市交通局，甲县、乙县人民政府］"
    ]


def test_an_annotation_on_its_own_line_joins_its_task():
    raw = "4. 深化改革，完成某项任务。\n〔责任单位:区财政局;责任人:主要负责人〕\n"
    assert texts(raw) == ["4. 深化改革，完成某项任务。〔责任单位:区财政局;责任人:主要负责人〕"]


def test_a_heading_broken_inside_its_brackets_is_joined():
    raw = "(五)区某某服务中心牵头的工作(责任领\n\n导:张三)\n\n1. 任务。\n"
    assert texts(raw)[0] == "(五)区某某服务中心牵头的工作(责任领导:张三)"


def test_a_bare_heading_does_not_swallow_the_next_paragraph():
    raw = "一、总体要求\n\n以某某思想为指导，全面推进各项工作。\n"
    assert texts(raw) == ["一、总体要求", "以某某思想为指导，全面推进各项工作。"]


def test_doubled_bold_text_is_undone():
    assert texts("11.. 加强组织领导加强组织领导。。各部门要落实责任。\n") == [
        "1. 加强组织领导。各部门要落实责任。"
    ]
    assert texts("（（二二））围绕围绕““景景”，”，建成景观系统建成景观系统\n") == [
        "（二）围绕“景”，建成景观系统"
    ]


def test_a_doubled_heading_continues_doubled_on_the_next_line():
    raw = "（（一一））围绕围绕““路路”，”，确保环线建成通车确保环线建成通车，，谋划推进谋划推进\n\n支线建设支线建设\n"
    assert texts(raw) == ["（一）围绕“路”，确保环线建成通车，谋划推进支线建设"]


def test_undouble_reports_how_much_it_decoded():
    assert undouble("标题标题。。正文") == ("标题。", 6)


def test_stray_bold_markers_are_dropped_and_glued_headings_split():
    lines = clean("四、副区长张三负责的工作**(一)区教育局牵头的工作(责任领导:李四)**\n")
    assert [line.text for line in lines] == [
        "四、副区长张三负责的工作",
        "(一)区教育局牵头的工作(责任领导:李四)",
    ]
    assert {line.lineno for line in lines} == {1}


def test_placeholder_asterisks_are_kept():
    assert texts("***企业产能确定公示\n") == ["***企业产能确定公示"]


def test_page_numbers_and_running_heads_are_dropped():
    raw = "\n".join(["封面"] * 70) + "\n一、任务。\n\n- 12 -\n\n某某市人民政府公报\n\n二、任务。\n"
    out = texts(raw)
    assert "- 12 -" not in out and "某某市人民政府公报" not in out
    assert out[-2:] == ["一、任务。", "二、任务。"]


def test_table_rows_are_never_joined():
    raw = "序号\t项目名称\t层级\n1\t某某项目\t市重点\n2\t另一项目\t省重点\n"
    assert len(clean(raw)) == 3


def test_a_signature_is_not_joined_to_an_unfinished_line():
    raw = "附件：某某分区表\n\n某某市人民政府\n\n2021年3月15日\n"
    assert texts(raw) == ["附件：某某分区表", "某某市人民政府", "2021年3月15日"]


def test_a_task_cut_at_a_full_stop_keeps_its_closing_annotation():
    raw = (
        "3. 加强某项治理。完成甲工程建设。\n\n按期完成乙工程，确保达标。〔责任单位：市甲局，各县人民政府〕\n\n"
        "4. 下一项任务。〔责任单位：市乙局〕\n"
    )
    assert texts(raw) == [
        "3. 加强某项治理。完成甲工程建设。按期完成乙工程，确保达标。〔责任单位：市甲局，各县人民政府〕",
        "4. 下一项任务。〔责任单位：市乙局〕",
    ]


def test_an_unnumbered_paragraph_with_its_own_annotation_after_an_annotated_task_stays():
    raw = "1. 甲任务。〔责任单位：市甲局〕\n\n乙任务要落实。〔责任单位：市乙局〕\n"
    assert len(texts(raw)) == 2
    raw = "一、总体要求\n\n各部门要落实。（市甲局负责）\n"
    assert len(texts(raw)) == 2


TWO_COLUMNS = [  # 20 characters a line, as two-column pages print them
    "1. 压实企业责任。各集团公司要每",
    "月组织召开会议，研究解决本企业（集团）",
    "内的安全问题，每季度开展一次检查。",
    "2. 强化宣教保障。在各级行政学院开设安",
    "全和应急管理课程，强化对领导干部的培训；",
    "各部门要加强与主流媒体沟通联系，加大宣",
    "传报道力度，营造良好氛围。",
    "——煤矿：严格落实特别规定。",
]


def test_a_two_column_line_that_reaches_the_margin_goes_on_whatever_it_ends_with():
    filler = ["某某某某某某某某某某某某某某某某某某某。"] * 10  # sets the wrap width
    lines = texts("\n\n".join(filler + TWO_COLUMNS) + "\n")[10:]
    assert lines == [
        "1. 压实企业责任。各集团公司要每月组织召开会议，研究解决本企业（集团）内的安全问题，每季度开展一次检查。",
        "2. 强化宣教保障。在各级行政学院开设安全和应急管理课程，强化对领导干部的培训；各部门要加强与主流媒体沟通联系，加大宣传报道力度，营造良好氛围。",
        "——煤矿：严格落实特别规定。",
    ]


def test_a_line_ending_inside_a_name_in_brackets_goes_on():
    raw = "5. 实施征收。征地申请获批后，区（县）\n\n人民政府要发布公告。\n\n（此件公开发布）\n"
    assert texts(raw) == [
        "5. 实施征收。征地申请获批后，区（县）人民政府要发布公告。",
        "（此件公开发布）",
    ]


def test_a_bold_heading_ends_where_the_plain_text_starts():
    raw = "（（一一））建立健全调度指挥系统建立健全调度指挥系统，，完善考核完善考核\n\n办法办法\n\n由市甲局牵头，依托现有体系，建立三级调度机制。\n"
    assert texts(raw) == [
        "（一）建立健全调度指挥系统，完善考核办法",
        "由市甲局牵头，依托现有体系，建立三级调度机制。",
    ]
    raw = "（（三三））建立分级响应工作方建立分级响应工作方\n\n案案\n\n由市甲局牵头。\n"
    assert texts(raw) == ["（三）建立分级响应工作方案", "由市甲局牵头。"]
