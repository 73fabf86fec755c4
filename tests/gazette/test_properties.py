"""Property tests: the parser never fails on text, is deterministic, keeps spans."""

import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gazette.decode import GazetteDecodeError
from gazette.pipeline import parse_bytes, parse_text, to_json

from .fixtures import DIVISION_OF_LABOUR, PROJECT_LIST, WINTER_PLAN

# pieces that steer random text into the parser's interesting paths
PIECES = [
    "一、",
    "（一）",
    "(二)",
    "1. ",
    "2.5月底前",
    "〔责任单位：",
    "市交通局，",
    "各县（市、区）人民政府",
    "〕",
    "［",
    "］",
    "(分管领导:",
    "张三;",
    "责任人:",
    ")",
    "。",
    "，",
    "\n",
    "\n\n",
    "\t",
    "某政办发〔2024〕9号",
    "2024年3月19日",
    "关于印发某方案的通知",
    "某某市人民政府",
    "11.. 标题标题。。",
    "**",
    "年底前",
    "每月25日前上报",
    "3-5个工作日内",
    "“4·30”",
    "附件：",
    "序号\t项目名称\t层级\n",
    "合计(3个)\t\t\n",
    "9月大事记",
    "牵头的工作",
    "负责的工作",
    "（",
    "）",
]
gazette_text = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=60).map(
    "".join
)


def check_spans(gazette) -> None:
    for parsed in gazette.documents:
        doc = parsed.document
        assert doc.line_start <= doc.line_end
        for item in parsed.items:
            assert doc.line_start <= item.line <= doc.line_end


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(gazette_text)
def test_any_text_parses_deterministically_within_spans(text):
    first = parse_text(text, "t.txt")
    assert to_json(first) == to_json(parse_text(text, "t.txt"))
    check_spans(first)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.sampled_from([DIVISION_OF_LABOUR, PROJECT_LIST, WINTER_PLAN]), max_size=4),
    st.text(max_size=40),
)
def test_gazettes_glued_with_noise_keep_item_lines_inside_documents(parts, noise):
    text = noise.join(parts)
    gazette = parse_text(text)
    check_spans(gazette)
    total_lines = text.count("\n") + 1
    for parsed in gazette.documents:
        assert parsed.document.line_start >= 1 and parsed.document.line_end <= total_lines


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_parse_or_raise_only_the_decode_error(data):
    try:
        gazette = parse_bytes(data, "blob.bin")
    except GazetteDecodeError as exc:
        assert "blob.bin" in str(exc)
    else:
        check_spans(gazette)


# --- linear growth ------------------------------------------------------------------
# Parse time itself is measured in bench/bench_parse.py (a timing test would flake on
# a shared machine). Here the number of Python lines executed stands in for the work
# done: it is deterministic, and a stage that loops over everything seen so far for
# every new line, or over every length of a long line, shows up as a count that grows
# with the square of the input. Work hidden inside one C call (one regex over an ever
# longer string) is not counted; the bench's growth line covers that.


def _work(text: str) -> int:
    from gazette.lines import fold
    from gazette.owners import _annotations, _parse_annotation_cached

    fold.cache_clear()
    _annotations.cache_clear()
    _parse_annotation_cached.cache_clear()
    count = 0

    def trace(frame, event, arg):
        nonlocal count
        count += 1
        return trace

    sys.settrace(trace)
    try:
        parse_text(text, "t.txt")
    finally:
        sys.settrace(None)
    return count


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from([DIVISION_OF_LABOUR, PROJECT_LIST, WINTER_PLAN]), min_size=1, max_size=3
    ),
    gazette_text,
)
def test_doubling_the_input_at_most_about_doubles_the_work(parts, noise):
    text = "\n".join(parts) + "\n" + noise
    # repeated a few times first, so fixed costs (the first document, empty caches)
    # do not dominate the ratio
    once = "\n".join([text] * 3)
    twice = "\n".join([once] * 2)
    assert _work(twice) <= 2.3 * _work(once)


def test_one_long_line_costs_work_in_proportion_to_its_length():
    # a paragraph without line breaks that opens like a doubled bold heading
    paragraph = "推进某项工作，完成年度任务。（责任单位：某局）" * 40
    once = "某某市某某工作方案\n（（一一））" + paragraph * 5
    twice = "某某市某某工作方案\n（（一一））" + paragraph * 10
    assert _work(twice) <= 2.3 * _work(once)
