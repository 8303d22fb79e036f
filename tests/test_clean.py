"""Cleaning: spaces, widths, artefacts, headings and the re-joining of broken lines."""
import re
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.clean import heading_level, is_date_line, normalize, rejoin, spaced_cells, squeeze_spaces
from nlp.read import read_text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("本单位 2020 年召开", "本单位2020年召开"),
        ("组织 20 余位 企业家", "组织20余位企业家"),
        ("执 委 会", "执委会"),
        ("提升 ability 和 Annual  Report", "提升 ability 和 Annual Report"),
        ("381 491.45", "381 491.45"),
        ("人员1名 2.参与疫情防控", "人员1名 2.参与疫情防控"),
        ("成本预算 ≤ 6 万元", "成本预算≤6万元"),
        ("（一） 机构、 人员构成", "（一）机构、人员构成"),
        ("  首尾\u3000", "首尾"),
    ],
)
def test_squeeze_spaces(text, expected):
    assert squeeze_spaces(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("２０２０年ＡＢＣｘｙｚ", "2020年ABCxyz"),
        ("全角标点，。（）：；％不变", "全角标点，。（）：；％不变"),
        ("[bookmark: _GoBack]3、组织学习。", "3、组织学习。"),
        ("认真学习《**中国共产党章程**》", "认真学习《中国共产党章程》"),
        ("a\r\nb\rc", "a\nb\nc"),
        ("零\u200b宽", "零宽"),
    ],
)
def test_normalize(text, expected):
    assert normalize(text) == expected


@pytest.mark.parametrize(
    "text, level",
    [
        ("附件 2", 0),
        ("附件：", 0),
        ("## 2021年度自评表", 1),
        ("澧县工商业联合会2020年度整体绩效评价报告", 1),
        ("项目支出绩效目标自评表 2", 1),
        ("一、部门概况", 2),
        ("一、抓宣传教育，强化政治引领", 2),
        ("（一）机构、人员构成", 3),
        ("(二) 项目绩效目标", 3),
        ("1、履职效能方面", 4),
        ("1. 产出目标", 4),
        ("(1) 项目成本（预算）控制情况", 5),
        ("（4）强化精准扶贫，履行社会责任", 5),
        ("① 资金到位", 6),
        ("1、机构情况：区工商联下设办公室一个", None),
        ("(1) 开展主题教育；", None),
        ("一是加强政治理论学习，提升思想政治素质。紧紧围绕促进发展。", None),
        ("1.充分发挥工商联在非公有制经济人士思想政治工作中的引导作用", None),
        ("- 芷江侗族自治县工商业联合会2023年度部门整体支出绩效评价报告", None),
        ("县财政局：", None),
        ("", None),
    ],
)
def test_heading_level(text, level):
    assert heading_level(text) == level


def test_numbered_item_after_list_item_is_not_a_heading():
    assert heading_level("4.在构建和谐劳动关系中的作用") == 4
    assert heading_level("4.在构建和谐劳动关系中的作用", previous="3.在政府管理和服务非公有制经济中的助手作用，在行业") is None
    assert heading_level("1、履职效能方面", previous="4.在构建和谐劳动关系中的作用") == 4


@pytest.mark.parametrize(
    "lines, expected",
    [
        # a sentence broken by layout, over a page-break gap
        (["开展活动，为商协会和会员企业提供专", "", "", "", "业法律服务；开办课堂。"], ["开展活动，为商协会和会员企业提供专业法律服务；开办课堂。"]),
        # a long unpunctuated line goes on too
        (["在非公有制经济人士参与国家政治生活和社会事务中发挥", "", "重要作用。"], ["在非公有制经济人士参与国家政治生活和社会事务中发挥重要作用。"]),
        # the next line opens a list item
        (["1.充分发挥引导作用", "", "2.在社会事务中的重要作用"], ["1.充分发挥引导作用", "2.在社会事务中的重要作用"]),
        # a heading takes no continuation, even without a gap
        (["（一） 机构、人员构成", "工商联是人民团体。"], ["（一） 机构、人员构成", "工商联是人民团体。"]),
        # a short unpunctuated line before a gap is a title
        (["芷江侗族自治县工商业联合会文件", "", "芷联发[2024]5号"], ["芷江侗族自治县工商业联合会文件", "芷联发[2024]5号"]),
        # a title broken over lines without a gap
        (["武汉市新洲区工商业联合会", "整体支出绩效自评报告", "", "二〇二〇年六月"], ["武汉市新洲区工商业联合会整体支出绩效自评报告", "二〇二〇年六月"]),
        # an open bracket carries a heading over its break
        (["九、绩效评价结果应用建议（以后年度预算安排、评价", "", "结果公开等)", "", "现在物价上涨。"],
         ["九、绩效评价结果应用建议（以后年度预算安排、评价结果公开等)", "现在物价上涨。"]),
        # a flattened table row and a date stand alone
        (["资金来源 全年预算数 分值", "财政拨款 381 491.45 --", "2024 年 5 月 14 日"],
         ["资金来源 全年预算数 分值", "财政拨款 381 491.45 --", "2024 年 5 月 14 日"]),
        # Latin words keep a space where the line broke
        (["the annual", "report."], ["the annual report."]),
        # a numbered label with a colon ends the line, its content on the next
        (["全年重点推进四项任务。任务3：", "开展民营企业家培训。"], ["全年重点推进四项任务。任务3：开展民营企业家培训。"]),
        # a colon ends the line and a quotation opens the next
        (["主要做法是：", "“万企兴万村”行动。"], ["主要做法是：“万企兴万村”行动。"]),
        # but a heading after the label, or a colon line and a line without a quotation, stand apart
        (["全年重点推进四项任务。任务3：", "二、存在问题"], ["全年重点推进四项任务。任务3：", "二、存在问题"]),
        (["主要做法是：", "开展培训。"], ["主要做法是：", "开展培训。"]),
    ],
)
def test_rejoin(lines, expected):
    assert [piece for piece, _ in rejoin(lines)] == expected


def test_rejoin_vertical_label():
    lines = ["", "部", "", "门", "", "职", "", "能", "", "加强和改进非公有制经济人士思想政治工作、协调维护和谐劳", "", "动关系等"]
    assert rejoin(lines) == [("部门职能", True), ("加强和改进非公有制经济人士思想政治工作、协调维护和谐劳动关系等", False)]


@pytest.mark.parametrize(
    "line, expected",
    [
        ("财政拨款 381 491.45 -- 129.00% --", ["财政拨款", "381", "491.45", "--", "129.00%", "--"]),
        ("年初设定目标 目标完成情况", ["年初设定目标", "目标完成情况"]),
        ("本单位 2020 年召开执委会", None),
        ("在 11月底前按时足", None),
        ("和商协会 100 多家，并常态化联系", None),
        ("一个词", None),
    ],
)
def test_spaced_cells(line, expected):
    assert spaced_cells(line) == expected


@pytest.mark.parametrize(
    "line, expected",
    [("2024 年 5 月 14 日", True), ("二〇二〇年六月", True), ("2023年", True), ("2023年度工作总结", False)],
)
def test_is_date_line(line, expected):
    assert is_date_line(line) is expected


def test_reader_keeps_table_lines():
    blocks = read_text("说明：\n评价指标\t自评 得分\n\t\t\n合计", doc_id="t")
    assert [b.text for b in blocks] == ["说明：", "评价指标 | 自评得分", "合计"]


_FULLWIDTH = str.maketrans({c: c - 0xFEE0 for r in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A)) for c in range(r[0], r[1] + 1)})
# The artefacts the cleaner may drop, as its documentation lists them (a mark
# does not run over a line end: \r and \f end lines too).
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_BOOKMARK = re.compile(r"\[bookmark: [^\]\n\r\f]*\]")

_PIECES = st.sampled_from(
    ["部", "门", "整体", "，", "。", "、", "：", "（", "）", "“", "”", "1", "2020", "年", "１２", "ＡＢ", "ab",
     " ", "  ", "\u3000", "\n", "\n\n", "\t", "\r\n", "**", "*", "[bookmark: _GoBack]", "[bookmark: x", "\u200b",
     "一、", "（一）", "1.", "(1)", "附件 2", "- ", "标", "≥", "%", "报告", "#", "\f"]
)
# "|" is left out: the reader joins table cells with " | ".
TEXTS = st.one_of(st.text().filter(lambda t: "|" not in t), st.lists(_PIECES, max_size=40).map("".join))


def _non_space(text):
    return Counter(c for c in text if not c.isspace())


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_reader_never_raises_and_keeps_characters(text):
    got = "".join(b.text.replace(" | ", "") for b in read_text(text, doc_id="t"))
    expected = _BOOKMARK.sub("", _ZERO_WIDTH.sub("", text.translate(_FULLWIDTH)))
    lost = _non_space(expected) - _non_space(got)
    assert not _non_space(got) - _non_space(expected)
    # Beyond the listed artefacts only Markdown marks may go: ** of bold, two at a
    # time, and the # that opens a heading.
    assert set(lost) <= {"*", "#"} and lost["*"] % 2 == 0


@settings(max_examples=200, deadline=None)
@given(TEXTS)
def test_squeeze_spaces_only_removes_spaces(text):
    assert _non_space(squeeze_spaces(text)) == _non_space(text)
