"""Reading reports and tables into blocks: the first stage of the pipeline.

A report (.txt, .md, .docx, .pdf or standard input) becomes a list of
:class:`Block` in document order: headings, paragraphs (what the later stages
classify and link), table rows, and indicators (the rows of its indicator
tables). A paragraph table (.jsonl, .csv, .xlsx) is taken as it is, one
paragraph a row; an indicator table gives the indicators to link to.
"""
import codecs
import functools
import csv
import hashlib
import io
import json
import re
import sys
from pathlib import Path

from . import clean, indicators, layout, volume
from .errors import InputError
from .ocr import OcrSettings
from .progress import progress_bar, wanted
from .records import Block, Indicator
from .vocabulary import alternation

__all__ = ["Block", "file_sha256", "read_indicator_table", "read_input", "read_json", "read_paragraph_table",
           "read_records", "read_report", "read_text"]

TABLE_SUFFIXES = (".jsonl", ".csv", ".xlsx")

# Lines that follow a table rather than go on its last cell: a note, the form's signature line.
_AFTER_TABLE = re.compile(rf"^\s*({alternation('note')})\s*[：:]|({alternation('signature')})\s*[：:]")
# Control characters do not occur in text files (tab, line ends and form feed aside).
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f\x7f]")
# What Chinese text is made of, beyond ASCII: a GB18030 decoding of bytes in
# another encoding (Big5, say) gives kana, box drawing and private-use characters.
_CHINESE = re.compile(
    "[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef\u2000-\u206f\u00b7\u00d7\u2100-\u22ff\u2460-\u24ff\u25a0-\u25ff]"
)
# A .docx unpacking to more than this is refused before it is unpacked (a zip bomb).
MAX_UNPACKED = 200 * 2**20
# Files of at least this many pages show their progress page by page (on a terminal).
_PROGRESS_PAGES = 20


class _Builder:
    """Numbers the blocks and keeps the path of enclosing headings."""

    def __init__(self, doc_id):
        self.doc_id, self.blocks, self.path = doc_id, [], []
        self.table = []  # the rows of the table being read, column headers left out
        self.project = ""  # the value of the last 项目名称 row

    def add(self, kind, text, cells=None, level=None):
        if kind == "heading":
            while self.path and self.path[-1][0] >= level:
                self.path.pop()
        section = " > ".join(t for _, t in self.path)
        block_id = f"{self.doc_id}-{len(self.blocks) + 1:03d}"
        indicator = None
        if kind == "indicator":
            # The rows above an indicator (project name, goals) tell indicators of different projects apart.
            indicator = Indicator(id=block_id, doc_id=self.doc_id, context=" ".join(self.table)[:300],
                                  project=self.project, **cells)
        elif kind == "table_row":
            cells = text.split(" | ")
            if not indicators.is_header_row(cells):
                self.table.append(text)
            if len(cells) > 1 and cells[0].replace(" ", "") in ("项目名称", "项目支出名称"):
                self.project = cells[1]
        else:
            self.table = []
        self.blocks.append(Block(self.doc_id, block_id, kind, section, text, indicator))
        if kind == "heading":
            self.path.append((level, text))

    def add_prose(self, lines, rejoin=True):
        previous = None
        for piece, vertical in clean.rejoin(lines) if rejoin else ((line, False) for line in lines):
            text = clean.squeeze_spaces(piece)
            if not text:
                continue
            level = None if vertical else clean.heading_level(text, previous)
            previous = text
            cells = None if vertical or level is not None else clean.spaced_cells(piece)
            if vertical:
                self.add("table_row", text)
            elif level is not None:
                self.add("heading", re.sub(r"^#{1,6}\s*", "", text), level=level)
            elif cells is not None:
                self.add("table_row", " | ".join(cells))
            else:
                self.add("paragraph", text)

    def add_rows(self, rows):
        for row in rows:
            self.add(row.kind, row.text, row.indicator)


def _fragment(line):
    """A short piece of a table label left on a line of its own (一级指 / 标)."""
    stripped = line.strip()
    return 0 < len(stripped) <= 4 and not re.search(r"[\d，。、；：,.;:]", stripped)


def _tab_end(lines, start):
    """Return the index just past the tab-separated table that starts at ``start``.

    The table goes on over blank lines (at most two) followed by another row,
    and over lines without tabs that directly follow a row (a cell going on),
    unless such a line is a heading, a note (注：…) or the form's signature
    line (单位负责人：… 填报人：…): the text after the table.
    """
    j = start
    while j < len(lines):
        if "\t" in lines[j]:
            j += 1
        elif not lines[j].strip():
            k = j
            while k < len(lines) and not lines[k].strip() and "\t" not in lines[k]:
                k += 1
            if k < len(lines) and "\t" in lines[k] and k - j <= 2:
                j = k
            else:
                break
        elif lines[j - 1].strip() and clean.heading_level(lines[j].strip()) is None \
                and not _AFTER_TABLE.search(lines[j]):
            j += 1
        else:
            break
    return j


def _segments(lines):
    """Split a document's lines into running text and tables, in order."""
    segments, prose = [], []
    i = 0
    while i < len(lines):
        line = lines[i]
        if "\t" in line and line.strip():
            end = _tab_end(lines, i)
            segments += [("prose", prose), ("tab", lines[i:end])]
            prose, i = [], end
        elif indicators.is_flat_header(line):
            # The header's first cell may sit above it, cut into pieces.
            pieces = []
            while prose and (not prose[-1].strip() or _fragment(prose[-1])):
                pieces.insert(0, prose.pop())
            end = indicators.flat_table_end(lines, i)
            segments += [("prose", prose), ("flat", pieces + lines[i:end])]
            prose, i = [], end
        else:
            prose.append(line)
            i += 1
    segments.append(("prose", prose))
    return segments


def _build(segments, doc_id):
    builder = _Builder(doc_id)
    for kind, payload in segments:
        if kind == "prose":
            builder.add_prose(payload)
        elif kind == "paragraphs":
            builder.add_prose(payload, rejoin=False)
        elif kind == "tab":
            builder.add_rows(indicators.from_tab_lines(payload))
        elif kind == "flat":
            builder.add_rows(indicators.from_flat_lines(payload))
        elif kind == "grid":
            builder.add_rows(indicators.from_grid(payload))
        else:
            level, text = payload
            builder.add("heading", text, level=level)
    return builder.blocks


def read_text(text, *, doc_id):
    """Split already-decoded report text into blocks.

    Parameters
    ----------
    text : str
        The report's text, as extracted (broken lines and all).
    doc_id : str
        Identifier of the document, used in the blocks' ids.

    Returns
    -------
    list of Block
        In document order; empty for a blank text.

    Examples
    --------
    >>> blocks = read_text("一、工作情况\\n\\n本单位 2020 年召开执委会、会\\n\\n长会议 2 次。", doc_id="r")
    >>> [(b.id, b.kind, b.section, b.text) for b in blocks]
    [('r-001', 'heading', '', '一、工作情况'), ('r-002', 'paragraph', '一、工作情况', '本单位2020年召开执委会、会长会议2次。')]
    """
    return _build(_segments(clean.normalize(text).split("\n")), doc_id)


def _unit_text(unit):
    kind, payload = unit
    if kind == "heading":
        return payload[1]
    return payload if kind in ("line", "paragraph") else None


def _group(units):
    """Consecutive units of a kind back into segments: lines into prose, paragraphs together, tables apart."""
    segments = []
    for kind, payload in units:
        if kind == "line" and not payload.strip() and segments and segments[-1][0] == "grid":
            continue  # a page break after a table: the table may go on on the next page
        if kind == "line":
            kind = "prose"
        if kind in ("prose", "paragraph") and segments and segments[-1][0] == kind:
            segments[-1][1].append(payload)
        elif kind in ("prose", "paragraph"):
            segments.append((kind, [payload]))
        elif kind == "grid" and segments and segments[-1][0] == "grid" and not _has_header(payload):
            segments[-1] = ("grid", segments[-1][1] + payload)  # a table that a page break split in two
        else:
            segments.append((kind, payload))
    return segments


def _has_header(rows):
    return any(indicators.is_header_row(row) for row in rows[:3])


def _build_volume(units, doc_id):
    """Blocks of a document's units; a compiled volume's reports each get their own doc_id (stem-01, …)."""
    parts = volume.split_units(units, _unit_text)
    if len(parts) == 1:
        return _build_units(units, doc_id)
    return [block for n, part in enumerate(parts, 1) for block in _build_units(part, f"{doc_id}-{n:02d}")]


def _build_units(units, doc_id):
    segments = []
    for kind, payload in _group(units):
        if kind == "prose":
            segments += _segments(payload)
        elif kind == "paragraph":
            segments.append(("paragraphs", payload))
        else:
            segments.append((kind, payload))
    return _build(segments, doc_id)


def _decode(data, source):
    """Decode the bytes of a text file: UTF-8 (BOM or not), UTF-16 with BOM, or GB18030.

    The encoding is never guessed past these: bytes that are none of them, or
    that only GB18030's lax byte ranges accept as nonsense, are refused.
    """
    if not data.strip():
        raise InputError(source, "file is empty")
    try:
        if data.startswith(codecs.BOM_UTF8):
            text = data[len(codecs.BOM_UTF8):].decode("utf-8")
        elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = data.decode("utf-16")
        elif b"\x00" in data:
            raise InputError(source, "not a text file (it holds binary data)")
        else:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = data.decode("gb18030")
                wide = [c for c in text if ord(c) > 127]
                if wide and sum(bool(_CHINESE.match(c)) for c in wide) < 0.95 * len(wide):
                    raise InputError(
                        source, "not a text file, or not in UTF-8, UTF-16 with BOM or GB18030; save it as UTF-8"
                    ) from None
    except UnicodeDecodeError:
        raise InputError(source, "not a text file (its bytes are not UTF-8, UTF-16 with BOM or GB18030)") from None
    if _CONTROL.search(text):
        raise InputError(source, "not a text file (it holds control characters)")
    if not text.strip():
        raise InputError(source, "file holds no text")
    return text


def file_sha256(path):
    """The SHA-256 of a file's bytes, read a megabyte at a time."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _check_file(path):
    if not path.exists():
        raise InputError(path, "no such file")
    if path.is_dir():
        raise InputError(path, "is a directory, not a file")


def _read_bytes(path):
    try:
        return path.read_bytes()
    except OSError as e:
        raise InputError(path, f"cannot be read ({e.strerror})") from None


def _package_problem(data, error, kind):
    """Why an Office file of `kind` (``.docx``, ``.xlsx``: a zip archive of XML parts) cannot be opened, in plain words."""
    import zipfile

    from lxml.etree import XMLSyntaxError

    if not zipfile.is_zipfile(io.BytesIO(data)):
        return f"it is not a zip archive, as a {kind} file is"
    if isinstance(error, KeyError):
        return f"a part every {kind} file has is missing from it"
    if isinstance(error, zipfile.BadZipFile):
        return "its zip archive is damaged"
    if isinstance(error, XMLSyntaxError):
        return "a part of it is not well-formed XML"
    return f"it is a zip archive, but not a {kind} file"


def _pdf_problem(data, error):
    """Why a PDF cannot be opened, in plain words."""
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    cause = error.args[0] if error.args and isinstance(error.args[0], Exception) else error
    if isinstance(cause, (PDFPasswordIncorrect, PDFEncryptionError)):
        return "it is protected by a password"
    if not data.lstrip()[:5].startswith(b"%PDF"):
        return "it does not begin with %PDF, as a PDF file does"
    return "it is damaged or cut short"


def _check_unpacked_size(data, name):
    """Refuse a .docx whose parts would unpack to more than MAX_UNPACKED bytes, before unpacking any."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            size = sum(member.file_size for member in package.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise InputError(name, f"not a valid .docx file ({_package_problem(data, e, '.docx')})") from None
    if size > MAX_UNPACKED:
        raise InputError(name, f"its parts would unpack to {size / 2**20:,.0f} MB, over the limit of "
                               f"{MAX_UNPACKED / 2**20:,.0f} MB for a .docx")


def _docx_units(data, name):
    import docx
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    _check_unpacked_size(data, name)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as e:  # python-docx raises many kinds on a broken package
        raise InputError(name, f"not a valid .docx file ({_package_problem(data, e, '.docx')})") from None
    units = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            paragraph = Paragraph(child, document)
            text = clean.normalize(paragraph.text).replace("\t", " ")
            level = _docx_heading_level(paragraph)
            if level is not None and text.strip():
                units.append(("heading", (level, clean.squeeze_spaces(text))))
            elif text.strip():
                # A Word paragraph is whole: page layout never broke it, so it is not joined to the
                # next; its own line breaks (Shift+Enter) are.
                units.append(("paragraph", functools.reduce(
                    clean.join_fragments, (t.strip() for t in text.split("\n") if t.strip()))))
        elif child.tag == qn("w:tbl"):
            units.append(("grid", _docx_rows(Table(child, document))))
    return units


def _docx_heading_level(paragraph):
    name = paragraph.style.name if paragraph.style is not None else ""
    if name == "Title":
        return 1
    match = re.match(r"(Heading|标题)\s*(\d)", name)
    return int(match.group(2)) + 1 if match else None


def _docx_rows(table):
    rows = []
    for row in table.rows:
        cells, previous = [], None
        for cell in row.cells:
            text = ""
            # A cell spanning several grid columns is listed once per column:
            # its text goes in the first, the others stay empty as in a merged header.
            if cell._tc is not previous:
                for line in clean.normalize(cell.text).split("\n"):
                    text = clean.join_fragments(text, line.strip())
            previous = cell._tc
            cells.append(text)
        rows.append(cells)
    return rows


def _pdf_units(data, name, ocr):
    """The lines and tables of a PDF's pages, each page read from its text layer or by OCR."""
    import pdfplumber

    ocr = ocr or OcrSettings()
    pages, scanned = {}, []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            show = wanted(None) and len(pdf.pages) >= _PROGRESS_PAGES
            for number, page in enumerate(progress_bar(pdf.pages, show=show, desc=f"{name}", unit="page")):
                if ocr.mode == "always" or (not page.chars and ocr.mode == "auto"):
                    scanned.append(number)
                elif page.chars:
                    pages[number] = _text_page(page)
                page.close()  # a page's parsed objects are let go: memory stays bounded on long files
            count = len(pdf.pages)
    except InputError:
        raise
    except Exception as e:  # pdfminer raises many kinds on a broken file
        raise InputError(name, f"not a valid PDF file ({_pdf_problem(data, e)})") from None
    if not pages and not scanned:
        raise InputError(name, "PDF has no text layer (a scanned image?) and OCR is off (--ocr never)")
    if scanned:
        from .ocr import ocr_pages

        show = wanted(None) and len(scanned) > 1
        for number, words in progress_bar(ocr_pages(data, scanned, name=name, settings=ocr), show=show,
                                          total=len(scanned), desc=f"{name} (OCR)", unit="page"):
            pages[number] = layout.page_items(words)
    return _page_units([pages.get(number, layout.Page([])) for number in range(count)])


def _page_units(pages):
    """The lines and tables of a PDF's pages in order, a blank line at each page break.

    Where the document's paragraphs open with an indent, a page that ends on a
    full line and a next page that begins with a line from the margin (not a
    heading or list item) hold one paragraph: the two lines are joined, even
    when the first ends a sentence.
    """
    units, indented, before = [], False, None
    for page in pages:
        indented = indented or page.indented
        items = page.items
        if before is not None and indented and before.ends_full and page.opens_flush:
            units[-1] = ("line", clean.join_fragments(units[-1][1], items[0][1][0]))
            items = [("lines", items[0][1][1:])] + items[1:]
        elif before is not None:
            units.append(("line", ""))
        for kind, payload in items:
            units += [("line", line) for line in payload] if kind == "lines" else [("grid", payload)]
        before = page
    return units


def _text_page(page):
    """The running text and tables of a page with a text layer: ruled tables as pdfplumber finds them."""
    tables = []
    for table in page.find_tables():
        rows = [[clean.normalize(cell or "").replace("\n", "") for cell in row] for row in table.extract()]
        if len(rows) >= 2 and max(len(r) for r in rows) >= 2:
            tables.append((table.bbox, rows))
    words = [layout.Word(w["x0"], w["x1"], w["top"], w["bottom"], clean.normalize(w["text"]))
             for w in page.extract_words()
             if not any(x0 <= (w["x0"] + w["x1"]) / 2 <= x1 and top <= (w["top"] + w["bottom"]) / 2 <= bottom
                        for (x0, top, x1, bottom), _ in tables)]
    return layout.page_items(words, [(bbox[1], rows) for bbox, rows in tables])


def _read_docx(data, name, doc_id, ocr=None):
    return _build_volume(_docx_units(data, name), doc_id)


def _read_pdf(data, name, doc_id, ocr=None):
    return _build_volume(_pdf_units(data, name, ocr), doc_id)


def _read_plain(data, name, doc_id, ocr=None):
    return _build_volume([("line", line) for line in clean.normalize(_decode(data, name)).split("\n")], doc_id)


# The reader of each report format, by file extension: (bytes, name for messages, doc_id, OcrSettings) -> blocks.
READERS = {".txt": _read_plain, ".md": _read_plain, ".docx": _read_docx, ".pdf": _read_pdf}


def _blocks_from_bytes(data, name, doc_id, kind, ocr):
    blocks = READERS[kind](data, name, doc_id, ocr)
    if not blocks:
        raise InputError(name, "holds no text")
    return blocks


def read_report(source, *, doc_id=None, ocr=None):
    """Read a report into blocks; a compiled volume into the blocks of each of its reports.

    Parameters
    ----------
    source : str or path-like
        A .txt/.md (UTF-8 with or without BOM, UTF-16 with BOM, or GB18030),
        .docx or .pdf file, or ``"-"`` for standard input (text, or a PDF or
        .docx recognised by its first bytes).
    doc_id : str, optional
        Defaults to the file stem, ``"stdin"`` for ``"-"``. The reports of a
        compiled volume get ``{doc_id}-01``, ``{doc_id}-02`` …
    ocr : nlp.ocr.OcrSettings, optional
        How PDF pages without a text layer are read (default: by OCR).

    Returns
    -------
    list of Block

    Raises
    ------
    InputError
        Missing file, directory, unknown type, empty file, undecodable or
        binary text, broken .docx or PDF, a .docx unpacking past
        ``MAX_UNPACKED``, a scanned PDF without the ``ocr`` extra.
    """
    if str(source) == "-":
        data = sys.stdin.buffer.read()
        kind = ".pdf" if data.startswith(b"%PDF") else ".docx" if data.startswith(b"PK\x03\x04") else ".txt"
        return _blocks_from_bytes(data, "<stdin>", doc_id or "stdin", kind, ocr)
    path = Path(source)
    _check_file(path)
    suffix = path.suffix.lower()
    if suffix not in READERS:
        raise InputError(
            path, f"unknown file type '{suffix}'; expected a report (.txt, .md, .docx, .pdf) or a table (.jsonl, .csv, .xlsx)"
        )
    return _blocks_from_bytes(_read_bytes(path), path, doc_id or path.stem, suffix, ocr)


def _as_text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def read_records(path):
    """The columns and rows of a .jsonl, .csv or .xlsx table.

    Returns
    -------
    columns : list of str
    records : list of (str, dict)
        Each row with where it stands in the file (``"line 3"``, ``"row 2"``).
    """
    path = Path(path)
    _check_file(path)
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return _jsonl_records(path)
    if suffix == ".csv":
        return _csv_records(path)
    if suffix == ".xlsx":
        return _xlsx_records(path)
    raise InputError(path, f"unknown table type '{suffix}'; expected .jsonl, .csv or .xlsx")


def read_json(path):
    """One JSON document from a file, decoded as text files are.

    Raises
    ------
    InputError
        Missing, empty or binary file, or not valid JSON.
    """
    path = Path(path)
    _check_file(path)
    try:
        return json.loads(_decode(_read_bytes(path), path))
    except json.JSONDecodeError as e:
        raise InputError(path, f"line {e.lineno}: not valid JSON ({e.msg})") from None


_JSON_KINDS = {list: "an array", str: "a string", int: "a number", float: "a number", bool: "true or false",
               type(None): "null"}


def _jsonl_records(path):
    columns, records = {}, []
    for number, line in enumerate(_decode(_read_bytes(path), path).split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            raise InputError(path, f"line {number}: not valid JSON ({e.msg})") from None
        if not isinstance(record, dict):
            raise InputError(path, f"line {number}: expected a JSON object {{...}}, found {_JSON_KINDS[type(record)]}")
        columns.update(dict.fromkeys(record))
        records.append((f"line {number}", record))
    return list(columns), records


def _csv_records(path):
    reader = csv.reader(io.StringIO(_decode(_read_bytes(path), path), newline=""))
    try:
        header = next(reader, [])
        records = [
            (f"line {reader.line_num}", dict(zip(header, row)))
            for row in reader
            if any(cell.strip() for cell in row)
        ]
    except csv.Error as e:
        raise InputError(path, f"line {reader.line_num}: {e}") from None
    return [h.strip() for h in header], [(w, {k.strip(): v for k, v in r.items()}) for w, r in records]


def _xlsx_records(path):
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        rows = list(workbook.worksheets[0].iter_rows(values_only=True))
        workbook.close()
    except Exception as e:  # openpyxl raises many kinds on a broken workbook
        raise InputError(path, f"not a valid .xlsx file ({_package_problem(_read_bytes(path), e, '.xlsx')})") from None
    if not rows:
        return [], []
    header = [_as_text(h).strip() for h in rows[0]]
    records = [
        (f"row {number}", dict(zip(header, row)))
        for number, row in enumerate(rows[1:], start=2)
        if any(_as_text(v).strip() for v in row)
    ]
    return header, records


def _table(path, required, read=None):
    columns, records = read if read is not None else read_records(path)
    for column in required:
        if column not in columns:
            found = ", ".join(c for c in columns if c) or "none"
            raise InputError(path, f"no '{column}' column (columns found: {found})")
    if not records:
        raise InputError(path, "holds no rows")
    for where, record in records:
        if not _as_text(record.get("id")).strip():
            raise InputError(path, f"{where}: empty id")
    return records


def read_paragraph_table(path, *, doc_id=None):
    """Read a table of paragraphs, each row one paragraph taken as it is.

    Parameters
    ----------
    path : str or path-like
        A .jsonl, .csv or .xlsx table with columns ``id`` and ``text``, and
        optionally ``doc_id`` and ``section`` (other columns are ignored).
    doc_id : str, optional
        The document of rows without a ``doc_id``; defaults to the file stem.

    Returns
    -------
    list of Block
        One ``paragraph`` block a row, with the table's ids.

    Raises
    ------
    InputError
        Missing file, unknown type, broken file or JSON line, no ``id`` or
        ``text`` column, no rows, an empty id.
    """
    records = _table(path, ("id", "text"))
    default = doc_id or Path(path).stem
    return [
        Block(
            doc_id=_as_text(record.get("doc_id")) or default,
            id=_as_text(record["id"]).strip(),
            kind="paragraph",
            section=_as_text(record.get("section")),
            text=_as_text(record.get("text")),
        )
        for _, record in records
    ]


def read_indicator_table(path):
    """Read a table of indicators to link paragraphs to.

    Parameters
    ----------
    path : str or path-like
        A .jsonl, .csv or .xlsx table with columns ``id`` and ``name`` (the
        三级指标), and optionally ``level1``, ``level2``, ``target``,
        ``actual``, ``doc_id`` and ``context`` (the table rows above the
        indicator in its report, as `nlp read` gives it).
        A table headed as in a report (一级指标, 二级指标, 三级指标, 指标值,
        完成值, 得分) is read too; its rows are numbered as ids when it has no
        ``id`` column.

    Returns
    -------
    list of nlp.records.Indicator

    Raises
    ------
    InputError
        As :func:`read_paragraph_table`, with ``name`` in place of ``text``.
    """
    columns, records = read_records(path)
    roles = indicators.header_roles(columns) if "name" not in columns else None
    if roles and "name" in roles:
        stem = Path(path).stem
        records = [(where, {"id": f"{stem}-{n:03d}", **record, **{f: record.get(columns[i]) for f, i in roles.items()}})
                   for n, (where, record) in enumerate(records, 1)]
        columns = list(dict.fromkeys(["id", *columns, *roles]))
    return [Indicator.from_record({**{k: _as_text(v) for k, v in record.items() if v is not None},
                                   "id": _as_text(record["id"]).strip()})
            for _, record in _table(path, ("id", "name"), (columns, records))]


def read_input(source, *, doc_id=None, ocr=None):
    """Read any input: a paragraph table by its extension, else a report.

    Parameters
    ----------
    source : str or path-like
        A .jsonl/.csv/.xlsx paragraph table, a report file, or ``"-"`` for a
        report on standard input.
    doc_id : str, optional
        As for :func:`read_report`; for a table, the document of rows that
        name none.
    ocr : nlp.ocr.OcrSettings, optional
        As for :func:`read_report`.

    Returns
    -------
    list of Block
    """
    if str(source) != "-" and Path(source).suffix.lower() in TABLE_SUFFIXES:
        return read_paragraph_table(source, doc_id=doc_id)
    return read_report(source, doc_id=doc_id, ocr=ocr)
