"""Reading reports and tables: the seeds, encodings, Word and PDF files, bad inputs."""
import io
import json
import re
import sys
from pathlib import Path

import docx
import openpyxl
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from nlp.errors import InputError
from nlp.ocr import OcrSettings
from nlp.records import Indicator, Quantity
from nlp.read import Block, read_indicator_table, read_input, read_paragraph_table, read_report, read_text

SEEDS = Path(__file__).resolve().parents[1] / "corpus" / "seeds"
DATA = Path(__file__).resolve().parent / "data" / "read"
STEMS = sorted(p.stem for p in SEEDS.glob("*.txt"))


@pytest.fixture(scope="module")
def seed_blocks():
    return {stem: read_report(SEEDS / f"{stem}.txt") for stem in STEMS}


def _squash(text):
    return re.sub(r"\s+", "", text)


def _joins(stem):
    lines = (DATA / f"{stem}.joins.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize("stem", STEMS)
def test_broken_sentences_come_back_whole(stem, seed_blocks):
    texts = [_squash(b.text) for b in seed_blocks[stem]]
    missing = [s for s in _joins(stem) if not any(_squash(s) in t for t in texts)]
    assert not missing


@pytest.mark.parametrize("stem", STEMS)
@pytest.mark.parametrize("encoding", ["gbk", "utf-16", "utf-8-sig"])
def test_encodings_give_the_same_blocks(stem, encoding, tmp_path, seed_blocks):
    copy = tmp_path / f"{stem}.txt"
    copy.write_bytes((SEEDS / f"{stem}.txt").read_text(encoding="utf-8").encode(encoding))
    assert read_report(copy) == seed_blocks[stem]


@pytest.mark.parametrize("stem", STEMS)
def test_blocks_are_numbered_in_order(stem, seed_blocks):
    blocks = seed_blocks[stem]
    assert [b.id for b in blocks] == [f"{stem}-{n:03d}" for n in range(1, len(blocks) + 1)]
    assert all(b.doc_id == stem and b.text for b in blocks)
    assert all((b.indicator is not None) == (b.kind == "indicator") for b in blocks)


def test_sections_follow_headings():
    text = "附件 1\n\n一、部门概况\n（一）机构设置\n下设办公室一个。\n二、绩效情况\n完成了各项任务。"
    got = [(b.kind, b.section, b.text) for b in read_text(text, doc_id="d")]
    assert got == [
        ("heading", "", "附件1"),
        ("heading", "附件1", "一、部门概况"),
        ("heading", "附件1 > 一、部门概况", "（一）机构设置"),
        ("paragraph", "附件1 > 一、部门概况 > （一）机构设置", "下设办公室一个。"),
        ("heading", "附件1", "二、绩效情况"),
        ("paragraph", "附件1 > 二、绩效情况", "完成了各项任务。"),
    ]


def test_traditional_script_is_kept():
    assert read_text("當好政府管理和服務非公有制經濟的助手。", doc_id="t")[0].text == "當好政府管理和服務非公有制經濟的助手。"


def test_to_dict_has_indicator_only_for_indicators():
    row = Block("d", "d-002", "indicator", "", "发放人数 | 14", Indicator("d-002", "发放人数", target="14", points="5"))
    assert Block("d", "d-001", "paragraph", "", "正文。").to_dict() == {
        "doc_id": "d", "id": "d-001", "kind": "paragraph", "section": "", "text": "正文。"
    }
    assert row.to_dict()["indicator"] == {"level1": "", "level2": "", "name": "发放人数", "target": "14", "actual": "",
                                          "points": "5"}


PARAGRAPHS = [
    "本单位2020年召开执委会议2次，组织会员企业参加培训，围绕“两个健康”开展理想信念教育，共有120余名企业家参加。",
    "深入走访会员企业80家，帮助企业解决融资、用工等实际困难15个。",
]
TABLE = [
    ["一级指标", "二级指标", "三级指标", "年度指标值", "全年完成值"],
    ["产出指标", "数量指标", "走访企业数", "≥50家", "80家"],
    ["产出指标", "质量指标", "问题解决率", "90%", "100%"],
    ["满意度指标", "服务对象满意度指标", "企业满意度", "≥95%", "98%"],
]
INDICATORS = [
    {"level1": "产出指标", "level2": "数量指标", "name": "走访企业数", "target": "≥50家", "actual": "80家"},
    {"level1": "产出指标", "level2": "质量指标", "name": "问题解决率", "target": "90%", "actual": "100%"},
    {"level1": "满意度指标", "level2": "服务对象满意度指标", "name": "企业满意度", "target": "≥95%", "actual": "98%"},
]


def _write_docx(path):
    document = docx.Document()
    document.add_heading("一、工作情况", level=1)
    for text in PARAGRAPHS:
        document.add_paragraph(text)
    table = document.add_table(rows=len(TABLE), cols=len(TABLE[0]))
    for i, row in enumerate(TABLE):
        for j, cell in enumerate(row):
            table.cell(i, j).text = cell
    document.add_paragraph("以上指标均已完成。")
    document.save(path)


def test_docx_paragraphs_and_indicator_table(tmp_path):
    path = tmp_path / "report.docx"
    _write_docx(path)
    blocks = read_report(path)
    assert blocks[0].kind == "heading" and blocks[0].text == "一、工作情况"
    assert [b.text for b in blocks if b.kind == "paragraph"] == PARAGRAPHS + ["以上指标均已完成。"]
    assert [b.indicator.table_fields() for b in blocks if b.kind == "indicator"] == INDICATORS
    assert [b.kind for b in blocks] == ["heading", "paragraph", "paragraph", "table_row"] + ["indicator"] * 3 + ["paragraph"]
    assert {b.section for b in blocks[1:]} == {"一、工作情况"}


def test_word_paragraphs_stay_apart_and_their_line_breaks_are_joined(tmp_path):
    document = docx.Document()
    document.add_paragraph("全年组织会员企业参加各类展销会和项目推介活动共计十二场次并取得较好成效")  # no closing mark
    document.add_paragraph("举办民营企业家培训班2期。")
    document.add_paragraph("走访会员企业\n120家次。")  # a line break inside one paragraph
    path = tmp_path / "report.docx"
    document.save(path)
    assert [b.text for b in read_report(path)] == [
        "全年组织会员企业参加各类展销会和项目推介活动共计十二场次并取得较好成效", "举办民营企业家培训班2期。", "走访会员企业120家次。"]


def _write_pdf(path, lines_per_page):
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for number, lines in enumerate(lines_per_page, start=1):
        pdf.setFont("STSong-Light", 12)
        y = 780
        for line in lines:
            pdf.drawString(72, y, line)
            y -= 18
        pdf.drawString(290, 40, f"- {number} -")
        pdf.showPage()
    pdf.save()


def _printed_lines(text, width=30):
    return [text[i:i + width] for i in range(0, len(text), width)]


def test_pdf_paragraphs_across_lines_and_pages(tmp_path):
    path = tmp_path / "report.pdf"
    first, second = _printed_lines(PARAGRAPHS[0]), _printed_lines(PARAGRAPHS[1])
    # The second paragraph starts on page 1 and ends on page 2, past the page number.
    _write_pdf(path, [["一、工作情况"] + first + second[:1], second[1:] + ["二、存在问题", "调研成效有待提高。"]])
    got = [(b.kind, b.text) for b in read_report(path)]
    assert got == [
        ("heading", "一、工作情况"),
        ("paragraph", PARAGRAPHS[0]),
        ("paragraph", PARAGRAPHS[1]),
        ("heading", "二、存在问题"),
        ("paragraph", "调研成效有待提高。"),
    ]


def test_pdf_without_text_layer_names_the_ocr_extra_when_it_is_missing(tmp_path, monkeypatch):
    path = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.rect(72, 400, 300, 200, fill=1)
    pdf.save()
    monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)  # as if the extra were not installed
    with pytest.raises(InputError, match=r"scan\.pdf: PDF has no text layer .*pip install -e \"\.\[ocr\]\""):
        read_report(path)
    with pytest.raises(InputError, match=r"scan\.pdf: .*no text layer.*OCR is off"):
        read_report(path, ocr=OcrSettings(mode="never"))


def _stdin(monkeypatch, data):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


def test_stdin_text(monkeypatch):
    _stdin(monkeypatch, "一、概况\n\n本单位 2020 年召开执委会、会\n\n长会议 2 次。".encode("gb18030"))
    blocks = read_input("-")
    assert [(b.id, b.text) for b in blocks] == [("stdin-001", "一、概况"), ("stdin-002", "本单位2020年召开执委会、会长会议2次。")]


def test_stdin_pdf(monkeypatch, tmp_path):
    path = tmp_path / "r.pdf"
    _write_pdf(path, [["服务企业的力度有待加强。"]])
    _stdin(monkeypatch, path.read_bytes())
    assert [b.text for b in read_report("-", doc_id="x")] == ["服务企业的力度有待加强。"]


def _csv(tmp_path, text, name="t.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _xlsx(tmp_path, rows, name="t.xlsx"):
    path = tmp_path / name
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def _jsonl(tmp_path, records, name="t.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "make",
    [
        lambda d: _csv(d, "id,text,doc_id,labels\np1,召开执委会。,r1,other\np2,走访企业。,,\n"),
        lambda d: _xlsx(d, [["id", "text", "doc_id", "labels"], ["p1", "召开执委会。", "r1", "other"], ["p2", "走访企业。", None, None]]),
        lambda d: _jsonl(d, [{"id": "p1", "text": "召开执委会。", "doc_id": "r1", "labels": ["other"]}, {"id": "p2", "text": "走访企业。"}]),
    ],
    ids=["csv", "xlsx", "jsonl"],
)
def test_paragraph_tables(make, tmp_path):
    blocks = read_input(make(tmp_path))
    assert [b.to_dict() for b in blocks] == [
        {"doc_id": "r1", "id": "p1", "kind": "paragraph", "section": "", "text": "召开执委会。"},
        {"doc_id": "t", "id": "p2", "kind": "paragraph", "section": "", "text": "走访企业。"},
    ]


def test_paragraph_table_taken_as_is(tmp_path):
    path = _csv(tmp_path, "id,section,text\n7,一、概况,  本单位 2020 年  \n")
    (block,) = read_paragraph_table(path, doc_id="r")
    assert (block.doc_id, block.id, block.section, block.text) == ("r", "7", "一、概况", "  本单位 2020 年  ")


def test_gbk_csv(tmp_path):
    path = tmp_path / "g.csv"
    path.write_bytes("id,text\n1,服务企业。\n".encode("gbk"))
    assert read_paragraph_table(path)[0].text == "服务企业。"


def test_indicator_table(tmp_path):
    path = _csv(tmp_path, "id,name,target,doc_id,extra\ni1,走访企业数,≥50家,r1,x\ni2,企业满意度,,,\n")
    assert read_indicator_table(path) == [Indicator("i1", "走访企业数", target="≥50家", doc_id="r1"),
                                          Indicator("i2", "企业满意度")]


def _bytes(name, data):
    def make(tmp_path):
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return make


def _zip(name):
    """A zip archive that holds none of the parts of an Office file."""
    def make(tmp_path):
        import zipfile

        path = tmp_path / name
        with zipfile.ZipFile(path, "w") as package:
            package.writestr("notes.txt", "x")
        return path

    return make


def _directory(tmp_path):
    path = tmp_path / "reports.txt"
    path.mkdir()
    return path


BIG5 = "當好政府管理和服務非公有制經濟的助手，積極參與光彩事業。".encode("big5")


@pytest.mark.parametrize(
    "make, read, problem",
    [
        (lambda d: d / "missing.txt", read_report, "no such file"),
        (_directory, read_report, "is a directory"),
        (_bytes("empty.txt", b""), read_report, "file is empty"),
        (_bytes("blank.md", b" \n\r\n\t "), read_report, "file is empty"),
        (_bytes("blank16.txt", "\n \n".encode("utf-16")), read_report, "holds no text"),
        (_bytes("report.doc", b"x"), read_report, r"unknown file type '\.doc'"),
        (_bytes("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), read_report, "not a text file"),
        (_bytes("bad.txt", b"\xff\xff\xfe\x80"), read_report, "not a text file"),
        (_bytes("big5.txt", BIG5), read_report, "not a text file"),
        (_bytes("broken.docx", b"PK\x03\x04 not a zip"), read_report,
         r"not a valid \.docx file \(it is not a zip archive, as a \.docx file is\)$"),
        (_zip("parts.docx"), read_report, r"not a valid \.docx file \(a part every \.docx file has is missing from it\)$"),
        (_bytes("broken.pdf", b"%PDF-1.4 nothing else"), read_report, r"not a valid PDF file \(it is damaged or cut short\)$"),
        (_bytes("page.pdf", b"<html></html>"), read_report,
         r"not a valid PDF file \(it does not begin with %PDF, as a PDF file does\)$"),
        (_bytes("t.csv", "id,body\n1,x\n".encode()), read_paragraph_table, "no 'text' column"),
        (_bytes("t.csv", "text\nx\n".encode()), read_input, "no 'id' column"),
        (_bytes("t.csv", "id,text\n".encode()), read_paragraph_table, "holds no rows"),
        (_bytes("t.csv", "id,text\n,x\n".encode()), read_paragraph_table, "line 2: empty id"),
        (_bytes("t.jsonl", b'{"id": 1, "text": "a"}\n{"id": 2, "text": \n'), read_input, "line 2: not valid JSON"),
        (_bytes("t.jsonl", b'{"id": 1, "text": "a"}\n\n[1, 2]\n'), read_input,
         r"line 3: expected a JSON object \{\.\.\.\}, found an array$"),
        (_bytes("t.xlsx", b"not a workbook"), read_input, r"not a valid \.xlsx file \(it is not a zip archive, as a \.xlsx file is\)$"),
        (_zip("t.xlsx"), read_input, r"not a valid \.xlsx file \(a part every \.xlsx file has is missing from it\)$"),
        (_bytes("t.tsv", b"id\ttext\n"), read_paragraph_table, r"unknown table type '\.tsv'"),
        (_bytes("ind.csv", "id,text\n1,x\n".encode()), read_indicator_table, "no 'name' column"),
    ],
)
def test_bad_inputs_name_the_file(make, read, problem, tmp_path):
    path = make(tmp_path)
    with pytest.raises(InputError, match=rf"^{re.escape(str(path))}: .*{problem}"):
        read(path)


AFTER_TABLE = ["四、存在的问题", "部分会员企业参与培训积极性不高，培训形式较为单一，下一步将丰富培训形式。", "五、下一步工作",
               "继续做好服务企业工作。"]


@pytest.mark.parametrize("table", [
    # Tab-separated, as Word saves a table as text: no blank line before what follows.
    "一级指标\t二级指标\t三级指标\t指标值\t完成值\t得分\n产出指标\t数量指标\t举办教育培训班\t≥3期\t4期\t10\n",
    # Flattened by PDF extraction, with no total row.
    "一级指标 二级指标 三级指标 指标值 完成值 得分\n\n产出指标 数量指标 举办教育培训班 ≥3期 4期 10\n\n",
])
def test_the_text_after_an_indicator_table_stays_text(table):
    blocks = read_text("三、绩效指标完成情况\n" + table + "\n".join(AFTER_TABLE) + "\n", doc_id="d")
    assert [b.kind for b in blocks][-4:] == ["heading", "paragraph", "heading", "paragraph"]
    assert [b.text for b in blocks][-4:] == AFTER_TABLE
    assert any(b.kind == "indicator" and "举办教育培训班" in b.text for b in blocks)


def test_an_indicator_table_headed_as_in_a_report(tmp_path):
    path = tmp_path / "指标.csv"
    path.write_text("一级指标,二级指标,三级指标,指标值,完成值,得分\n产出指标,数量指标,举办教育培训班,≥3期,4期,10\n",
                    encoding="utf-8")
    (indicator,) = read_indicator_table(path)
    assert indicator == Indicator("指标-001", "举办教育培训班", level1="产出指标", level2="数量指标", target="≥3期",
                                  actual="4期", score="10")
    assert indicator.target_quantity == Quantity(3.0, "期", ">=", "3期")


def test_a_note_and_the_signature_line_after_a_table_stay_text():
    text = ("一级指标\t二级指标\t三级指标\t指标值\t完成值\t得分\n满意度指标\t服务对象满意度指标\t会员企业满意度\t≥90%\t95%\t5\n"
            "注：满意度数据来源于会员企业问卷调查。\n单位负责人：刘建华 填报人：王敏\n")
    blocks = read_text(text, doc_id="d")
    assert [b.kind for b in blocks] == ["table_row", "indicator", "paragraph", "paragraph"]
    assert blocks[1].indicator.score == "5" and blocks[2].text == "注：满意度数据来源于会员企业问卷调查。"


def test_an_indicator_table_in_traditional_script(tmp_path):
    text = ("二、績效指標完成情況\n一級指標\t二級指標\t三級指標\t指標值\t完成值\t得分\n"
            "產出指標\t數量指標\t舉辦培訓班\t≥3期\t4期\t10\n")
    (block,) = [b for b in read_text(text, doc_id="d") if b.kind == "indicator"]
    assert block.indicator.name == "舉辦培訓班" and block.indicator.level2 == "數量指標"
    path = tmp_path / "指標.csv"
    path.write_text("一級指標,二級指標,三級指標,指標值,完成值\n產出指標,數量指標,舉辦培訓班,≥3期,4期\n", encoding="utf-8")
    assert read_indicator_table(path)[0].name == "舉辦培訓班"
