"""Tables in text PDFs and Word files, laid out as reviewers receive them.

Each seed report is laid out again (tests/reportfiles.py) with its indicator
table in columns, ruled or not, and as a .docx whose table a page break splits
in two; the indicator rows read back are compared with those of the .txt.
"""
import re

import pytest

from conftest import SEEDS
from nlp.layout import Word, page_items
from nlp.read import read_report
from reportfiles import table_docx, text_pdf

STEMS = sorted(p.stem for p in SEEDS.glob("*.txt"))


def _key(indicator):
    return tuple(re.sub(r"\s+", "", getattr(indicator, k)) for k in ("name", "target", "actual"))


def indicator_share(expected, got):
    """Share of the indicator rows of `expected` found in `got` with the same name, target and actual."""
    left = [_key(b.indicator) for b in got if b.kind == "indicator"]
    want = [_key(b.indicator) for b in expected if b.kind == "indicator"]
    found = 0
    for key in want:
        if key in left:
            left.remove(key)
            found += 1
    return found / len(want)


@pytest.fixture(scope="module")
def seeds():
    return {stem: read_report(SEEDS / f"{stem}.txt") for stem in STEMS}


@pytest.mark.parametrize("layout", ["ruled", "unruled", "docx split in two"])
@pytest.mark.parametrize("stem", STEMS)
def test_indicator_tables_laid_out_in_columns_are_read_as_rows(stem, layout, seeds, tmp_path):
    if layout == "docx split in two":
        path = table_docx(seeds[stem], tmp_path / f"{stem}.docx")
    else:
        path = text_pdf(seeds[stem], tmp_path / f"{stem}.pdf", ruled=layout == "ruled")
    got = read_report(path)
    assert indicator_share(seeds[stem], got) >= 0.95
    assert {b.doc_id for b in got} == {stem}  # one report, not taken for a volume


def test_a_word_table_split_by_a_page_break_is_one_table(tmp_path):
    blocks = read_report(SEEDS / f"{STEMS[1]}.txt")
    split = read_report(table_docx(blocks, tmp_path / "r.docx"))
    whole = read_report(table_docx(blocks, tmp_path / "r.docx", split=False))
    # The second half's rows are indicators under the first half's header, not bare table rows.
    assert split == whole and sum(b.kind == "indicator" for b in split) >= 9


def test_columns_and_wrapped_cells_make_rows():
    words = [Word(0, 40, 0, 10, "三级指标"), Word(60, 90, 0, 10, "指标值"), Word(140, 170, 0, 10, "完成值"),
             Word(0, 40, 16, 26, "走访企业"), Word(60, 120, 16, 26, "不少于20"), Word(140, 160, 16, 26, "32家"),
             Word(60, 70, 28, 38, "家"),
             Word(0, 40, 44, 54, "培训"), Word(60, 90, 44, 54, "2期"), Word(140, 160, 44, 54, "3期")]
    assert page_items(words) == [("grid", [["三级指标", "指标值", "完成值"], ["走访企业", "不少于20家", "32家"],
                                           ["培训", "2期", "3期"]])]


def test_a_paragraph_gap_is_a_blank_line_and_a_lone_spaced_line_is_text():
    words = [Word(0, 200, 0, 10, "第一段第一行"), Word(0, 100, 14, 24, "第一段第二行。"),
             Word(0, 200, 40, 50, "第二段"), Word(0, 60, 54, 64, "单位负责人：张三"), Word(120, 180, 54, 64, "填报人：李四")]
    assert page_items(words) == [("lines", ["第一段第一行", "第一段第二行。", "", "第二段",
                                            "单位负责人：张三 填报人：李四"])]
