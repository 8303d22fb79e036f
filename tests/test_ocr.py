"""Scanned PDFs read by OCR: a seed report scanned, a page mixing with text pages, the time limit."""
import time
import warnings

import pytest
from rapidfuzz.distance import Levenshtein
from reportlab.pdfgen import canvas

from conftest import SEEDS
from nlp.ocr import OcrPageWarning, OcrSettings
from nlp.read import read_report
from reportfiles import FONT, _font, scanned_pdf, text_pdf

SEED = SEEDS / "000_fd760f674145a6ef.txt"  # three pages: paragraphs and an indicator table


def _paragraphs(blocks):
    return [b.text for b in blocks if b.kind == "paragraph"]


def characters_right(expected, got):
    """1 - character edit distance / length, over the paragraph text."""
    want, have = "".join(_paragraphs(expected)), "".join(_paragraphs(got))
    return 1 - Levenshtein.distance(want, have) / len(want)


def paragraphs_found(expected, got):
    """Share of the paragraphs of `expected` that `got` has, each at least 90% alike (1 - edit distance / length)."""
    have = _paragraphs(got)
    want = _paragraphs(expected)
    return sum(any(Levenshtein.normalized_similarity(w, h) >= 0.9 for h in have) for w in want) / len(want)


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    """The seed as read from its .txt, and from a scan of a text PDF laid out from it."""
    folder = tmp_path_factory.mktemp("scan")
    blocks = read_report(SEED)
    text = text_pdf(blocks, folder / "text.pdf", ruled=False)
    # A loaded machine makes OCR slow, not wrong: the time limit has a test of its own.
    return blocks, read_report(scanned_pdf(text, folder / "scan.pdf"), ocr=OcrSettings(timeout=600))


def test_the_scan_has_no_text_layer(tmp_path):
    import pdfplumber

    path = scanned_pdf(text_pdf(read_report(SEED), tmp_path / "text.pdf"), tmp_path / "scan.pdf", pages=[0])
    with pdfplumber.open(path) as pdf:
        assert not pdf.pages[0].chars and pdf.pages[0].images


def test_a_scanned_seed_reads_like_its_report(scanned):
    report, got = scanned
    assert characters_right(report, got) >= 0.95
    assert paragraphs_found(report, got) >= 0.90


def test_the_indicator_table_of_a_scanned_seed_is_found(scanned):
    expected, got = scanned
    names = [b.indicator.name for b in expected if b.kind == "indicator"]
    read = [b.indicator.name for b in got if b.kind == "indicator"]
    assert sum(any(Levenshtein.normalized_similarity(n, r) >= 0.8 for r in read) for n in names) >= 0.9 * len(names)


def _mixed(path, scan_page):
    """A PDF of a text page, a scanned page (an image only) and another text page."""
    _font()
    pdf = canvas.Canvas(str(path), pagesize=(595, 842))
    for text in ("一、工作情况", None, "二、存在问题"):
        if text is None:
            pdf.drawImage(str(scan_page), 0, 0, 595, 842)
        else:
            pdf.setFont(FONT, 12)
            pdf.drawString(72, 780, text)
            pdf.drawString(72, 750, "调研成效有待提高。")
        pdf.showPage()
    pdf.save()
    return path


@pytest.fixture(scope="module")
def scan_page(tmp_path_factory):
    """An image of a page holding two short paragraphs."""
    import pypdfium2

    folder = tmp_path_factory.mktemp("page")
    pdf = canvas.Canvas(str(folder / "p.pdf"), pagesize=(595, 842))
    _font()
    pdf.setFont(FONT, 12)
    pdf.drawString(72, 780, "本单位召开执委会议2次。")
    pdf.drawString(72, 740, "深入走访会员企业80家。")
    pdf.save()
    document = pypdfium2.PdfDocument(str(folder / "p.pdf"))
    document[0].render(scale=150 / 72).to_pil().save(folder / "p.png")
    document.close()
    return folder / "p.png"


def test_a_pdf_mixing_text_and_scanned_pages_reads_each_page_its_way(scan_page, tmp_path):
    texts = [b.text for b in read_report(_mixed(tmp_path / "mixed.pdf", scan_page))]
    assert texts[:2] == ["一、工作情况", "调研成效有待提高。"]
    assert "本单位召开执委会议2次。" in texts and "深入走访会员企业80家。" in texts
    assert texts[-2:] == ["二、存在问题", "调研成效有待提高。"]
    never = [b.text for b in read_report(tmp_path / "mixed.pdf", ocr=OcrSettings(mode="never"))]
    assert "深入走访会员企业80家。" not in never and never[-1] == "调研成效有待提高。"


def test_a_page_over_the_time_limit_is_left_out_with_a_warning(scan_page, tmp_path):
    path = _mixed(tmp_path / "mixed.pdf", scan_page)
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        texts = [b.text for b in read_report(path, ocr=OcrSettings(timeout=0.05))]
    assert time.perf_counter() - start < 60
    (warning,) = [w for w in caught if issubclass(w.category, OcrPageWarning)]
    assert "page 2: OCR did not finish in 0.05 s" in str(warning.message)
    assert texts == ["一、工作情况", "调研成效有待提高。", "二、存在问题", "调研成效有待提高。"]
