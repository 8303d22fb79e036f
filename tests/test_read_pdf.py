"""Tables in text PDFs and Word files, laid out as reviewers receive them.

Each seed report is laid out again (tests/reportfiles.py) with its indicator
table in columns, ruled or not, and as a .docx whose table a page break splits
in two; the indicator rows read back are compared with those of the .txt.
Running text laid out line by line tests how paragraphs go on over line ends
and page breaks.
"""
import re

import pytest

from conftest import SEEDS
from nlp.layout import Word, page_items
from nlp.read import read_report
from reportfiles import BODY, BODY_PITCH, FONT, MARGIN, PAGE_HEIGHT, PAGE_WIDTH, _font, table_docx, text_pdf

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
    assert page_items(words).items == [("grid", [["三级指标", "指标值", "完成值"], ["走访企业", "不少于20家", "32家"],
                                           ["培训", "2期", "3期"]])]


def test_a_paragraph_gap_is_a_blank_line_and_a_lone_spaced_line_is_text():
    words = [Word(0, 200, 0, 10, "第一段第一行"), Word(0, 100, 14, 24, "第一段第二行。"),
             Word(0, 200, 40, 50, "第二段"), Word(0, 60, 54, 64, "单位负责人：张三"), Word(120, 180, 54, 64, "填报人：李四")]
    assert page_items(words).items == [("lines", ["第一段第一行", "第一段第二行。", "", "第二段",
                                            "单位负责人：张三 填报人：李四"])]


# Words to fill lines of running text with: no numbering marks, so no line reads as a heading or list item.
_FILLER = "本会组织会员企业开展走访调研，了解企业生产经营中遇到的困难和诉求，协调有关部门帮助解决，" * 4
_CHARS = 38  # characters of 12-point text on a full line


def _line(end="", start=""):
    """A full line of running text: `start`, filler, then `end`."""
    return start + _FILLER[:_CHARS - len(start) - len(end)] + end


def _lines_pdf(path, pages):
    """A text PDF of `pages`, each a list of (indent in characters, text) lines, with a page number below.

    A line of text None is the wider space between two paragraphs.
    """
    from reportlab.pdfgen import canvas

    _font()
    pdf = canvas.Canvas(str(path), pagesize=(PAGE_WIDTH, PAGE_HEIGHT))
    for number, lines in enumerate(pages, 1):
        y = PAGE_HEIGHT - MARGIN
        for indent, text in lines:
            if text is None:
                y -= BODY_PITCH / 2
                continue
            pdf.setFont(FONT, BODY)
            pdf.drawString(MARGIN + indent * BODY, y - BODY, text)
            y -= BODY_PITCH
        pdf.setFont(FONT, 10)
        pdf.drawString(PAGE_WIDTH / 2 - 10, MARGIN / 2, f"- {number} -")
        pdf.showPage()
    pdf.save()
    return path


def _paragraphs(path):
    return [(b.kind, b.text) for b in read_report(path) if b.kind in ("heading", "paragraph")]


def test_a_paragraph_goes_on_over_a_page_break_when_the_next_page_continues_it(tmp_path):
    # Paragraphs open with an indent. The first page ends on a full line that ends a sentence;
    # the next page goes on from the margin: one paragraph. A page that opens with an indented
    # line, or with a heading, starts anew.
    a = [_line()[:_CHARS - 2], _line(), _line(end="。")]
    a_next = [_line(start="并"), "形成调研报告报送有关部门。"]
    b = [_line()[:_CHARS - 2], _line(end="。")]
    c = ["全年举办培训班三期。"]
    d = [_line()[:_CHARS - 2], _line(end="；")]
    pages = [
        [(0, "一、工作情况"), (2, a[0]), (0, a[1]), (0, a[2])],
        [(0, a_next[0]), (0, a_next[1]), (0, None), (2, b[0]), (0, b[1])],
        [(2, c[0]), (0, None), (2, d[0]), (0, d[1])],
        [(0, "二、存在问题"), (2, c[0])],
    ]
    path = _lines_pdf(tmp_path / "pages.pdf", pages)
    assert _paragraphs(path) == [("heading", "一、工作情况"), ("paragraph", "".join(a + a_next)),
                                 ("paragraph", "".join(b)), ("paragraph", c[0]), ("paragraph", "".join(d)),
                                 ("heading", "二、存在问题"), ("paragraph", c[0])]


def test_without_indents_a_page_ending_a_sentence_ends_its_paragraph(tmp_path):
    # Paragraphs set apart by space only: a full line ending a sentence may end its paragraph, so it does.
    first, second = [_line(), _line(end="。")], [_line(), "形成调研报告报送有关部门。"]
    path = _lines_pdf(tmp_path / "flat.pdf", [[(0, t) for t in first], [(0, t) for t in second]])
    assert _paragraphs(path) == [("paragraph", "".join(first)), ("paragraph", "".join(second))]


def test_a_line_ending_on_a_numbered_label_or_before_a_quotation_goes_on(tmp_path):
    # Paragraphs without indents, a wider space between them: only the re-joining of lines joins these.
    label = [_line(end="。任务3："), "开展民营企业家培训。"]
    quote = [_line(end="主要做法是："), "“万企兴万村”行动助力乡村振兴。"]
    path = _lines_pdf(tmp_path / "rejoin.pdf", [[(0, label[0]), (0, label[1]), (0, None),
                                                 (0, quote[0]), (0, quote[1])]])
    assert _paragraphs(path) == [("paragraph", "".join(label)), ("paragraph", "".join(quote))]
