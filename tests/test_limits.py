"""Limits that keep the machine safe: a .docx bomb, a PDF of thousands of pages (peak memory measured)."""
import json
import subprocess
import sys
import zipfile

import docx
import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from conftest import ROOT

# Reads a report in a fresh process and reports its blocks or error and the peak of the memory Python allocated while reading (tracemalloc;
# the process's maximum resident size would count the forking parent's).
_MEASURE = """
import json, sys, tracemalloc
from nlp.errors import InputError
from nlp.read import read_report
tracemalloc.start()
try:
    blocks, error = len(read_report(sys.argv[1])), None
except InputError as e:
    blocks, error = None, str(e)
print(json.dumps({"blocks": blocks, "error": error,
                  "peak_mb": tracemalloc.get_traced_memory()[1] / 2**20}))
"""


def _read_in_a_process(path):
    out = subprocess.run([sys.executable, "-c", _MEASURE, str(path)], capture_output=True, text=True, check=True,
                         cwd=ROOT, timeout=300)
    return json.loads(out.stdout)


def _docx_bomb(path, megabytes):
    document = docx.Document()
    document.add_paragraph("走访会员企业。")
    document.save(path)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as package:
        with package.open("word/media/padding.bin", "w", force_zip64=True) as member:
            chunk = b"\0" * 2**20
            for _ in range(megabytes):
                member.write(chunk)
    return path


def test_a_docx_bomb_is_refused_before_it_is_unpacked(tmp_path):
    path = _docx_bomb(tmp_path / "bomb.docx", 400)
    assert path.stat().st_size < 2 * 2**20  # 400 MB of parts in a file under 2 MB
    result = _read_in_a_process(path)
    assert result["error"].startswith(f"{path}: its parts would unpack to 401 MB, over the limit of 200 MB")
    assert result["peak_mb"] < 50


def test_a_docx_bomb_on_the_command_line_is_one_line_and_exit_2(tmp_path):
    path = _docx_bomb(tmp_path / "bomb.docx", 300)
    run = subprocess.run([sys.executable, "-m", "nlp", "read", str(path)], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.count("\n") == 1 and run.stderr.startswith(f"error: {path}: its parts would unpack to")


def _tiny_pages(path, pages):
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf = canvas.Canvas(str(path), pagesize=(200, 60))
    for number in range(1, pages + 1):
        pdf.setFont("STSong-Light", 8)
        pdf.drawString(5, 30, f"第{number}页：走访会员企业，开展服务。")
        pdf.showPage()
    pdf.save()
    return path


@pytest.mark.parametrize("pages", [2000])
def test_a_pdf_of_thousands_of_pages_is_read_in_bounded_memory(pages, tmp_path):
    few = _read_in_a_process(_tiny_pages(tmp_path / "few.pdf", 100))
    many = _read_in_a_process(_tiny_pages(tmp_path / "many.pdf", pages))
    assert (few["blocks"], many["blocks"]) == (100, pages)
    # Twenty times the pages: the peak grows by the blocks kept, not by the pages parsed.
    assert many["peak_mb"] - few["peak_mb"] < 60, (few, many)
