"""Report files made from the blocks of a seed, as reviewers receive them.

A seed read from its .txt is laid out again: headings and paragraphs as wrapped
lines of running text, its indicator tables as tables in columns (a header
一级指标 … 得分 and one indicator a row, cells wrapped inside their column,
with or without ruled lines), the other table rows as rows of cells. From that
come a text PDF, a scanned PDF (the pages rendered to images and put back
into a PDF with no text layer) and a .docx whose indicator table a page break
splits in two.
"""
from pathlib import Path

from nlp.indicators import is_header_row

FONT_FILE = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
FONT = "WenQuanYi"
FIELDS = (("level1", "一级指标"), ("level2", "二级指标"), ("name", "三级指标"), ("target", "指标值"),
          ("actual", "完成值"), ("points", "分值"), ("score", "得分"))
PAGE_WIDTH, PAGE_HEIGHT = 595, 842
MARGIN = 56
BODY, BODY_PITCH = 12, 20  # 12-point text with wide line spacing
CELL, CELL_PITCH, PAD = 9, 12, 4


def _font():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_FILE), subfontIndex=0))
    return FONT


def pieces(blocks):
    """The report as ``("text", kind, str)`` and ``("table", rows)`` pieces, tables as grids of cells."""
    out, run = [], []

    def flush():
        if run:
            out.extend(_tables(run))
            run.clear()

    for block in blocks:
        if block.kind in ("table_row", "indicator"):
            run.append(block)
        else:
            flush()
            out.append(("text", block.kind, block.text))
    flush()
    return out


def _tables(run):
    """A run of table blocks: the rows before its first indicator, then its indicator table."""
    first = next((i for i, b in enumerate(run) if b.kind == "indicator"), len(run))
    last = max((i for i, b in enumerate(run) if b.kind == "indicator"), default=-1)
    out = []
    context = [b.text.split(" | ") for b in run[:first] if not is_header_row(b.text.split(" | "))]
    if context:
        out.append(("table", context))
    if last >= 0:
        table = run[first:last + 1]
        fields = [(f, h) for f, h in FIELDS
                  if any((b.indicator.table_fields().get(f) or "") for b in table if b.kind == "indicator")]
        rows = [[h for _, h in fields]]
        for b in table:
            if b.kind == "indicator":
                values = b.indicator.table_fields()
                rows.append([values.get(f) or "" for f, _ in fields])
            elif not is_header_row(b.text.split(" | ")):
                rows.append(b.text.split(" | ")[:len(fields)])
        out.append(("table", rows))
    after = [b.text.split(" | ") for b in run[last + 1:]] if last >= 0 else []
    if after:
        out.append(("table", after))
    return out


def _wrap(text, width, size):
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines, line = [], ""
    for char in text:
        if line and stringWidth(line + char, FONT, size) > width:
            lines.append(line)
            line = ""
        line += char
    return lines + [line] if line else lines or [""]


def _widths(rows, total):
    columns = max(len(r) for r in rows)
    need = [max(min(len(r[c]) if c < len(r) else 0, 14) for r in rows) + 2 for c in range(columns)]
    return [total * n / sum(need) for n in need]


class _Pages:
    def __init__(self, path):
        from reportlab.pdfgen import canvas

        _font()
        self.pdf = canvas.Canvas(str(path), pagesize=(PAGE_WIDTH, PAGE_HEIGHT))
        self.y, self.page = PAGE_HEIGHT - MARGIN, 1

    def need(self, height, size=BODY):
        if self.y - height < MARGIN:
            self.pdf.setFont(FONT, 10)
            self.pdf.drawString(PAGE_WIDTH / 2 - 10, MARGIN / 2, f"- {self.page} -")
            self.pdf.showPage()
            self.y, self.page = PAGE_HEIGHT - MARGIN, self.page + 1
        self.pdf.setFont(FONT, size)

    def text(self, kind, text):
        indent = 2 * BODY if kind == "paragraph" else 0
        lines = _wrap(text, PAGE_WIDTH - 2 * MARGIN - indent, BODY)
        for n, line in enumerate(lines):
            self.need(BODY_PITCH)
            self.pdf.drawString(MARGIN + (indent if n == 0 else 0), self.y - BODY, line)
            self.y -= BODY_PITCH
        self.y -= BODY_PITCH / 2  # space between paragraphs

    def table(self, rows, ruled):
        widths = _widths(rows, PAGE_WIDTH - 2 * MARGIN)
        for row in rows:
            cells = [_wrap(c, w - 2 * PAD, CELL) for c, w in zip(row, widths)]
            height = max(len(c) for c in cells) * CELL_PITCH + 2 * PAD
            self.need(height, CELL)
            x = MARGIN
            for lines, width in zip(cells, widths):
                for n, line in enumerate(lines):
                    self.pdf.drawString(x + PAD, self.y - PAD - CELL - n * CELL_PITCH + 2, line)
                if ruled:
                    self.pdf.rect(x, self.y - height, width, height)
                x += width
            self.y -= height
        self.y -= BODY_PITCH

    def save(self):
        self.need(PAGE_HEIGHT)  # numbers and closes the last page
        self.pdf.save()


def text_pdf(blocks, path, *, ruled=True):
    """Write `blocks` as a PDF with a text layer; tables ruled or not."""
    pages = _Pages(path)
    for piece in pieces(blocks):
        if piece[0] == "text":
            pages.text(piece[1], piece[2])
        else:
            pages.table(piece[1], ruled)
    pages.save()
    return path


def scanned_pdf(source, path, *, dpi=150, pages=None):
    """Render the pages of PDF `source` to images and put them in a PDF with no text layer."""
    import pypdfium2

    document = pypdfium2.PdfDocument(str(source))
    numbers = range(len(document)) if pages is None else pages
    images = [document[n].render(scale=dpi / 72).to_pil().convert("L") for n in numbers]
    document.close()
    images[0].save(path, save_all=True, append_images=images[1:], resolution=dpi)
    return path


def table_docx(blocks, path, *, split=True):
    """Write `blocks` as a .docx whose indicator tables a page break splits in two (unless not `split`)."""
    import docx
    from docx.enum.text import WD_BREAK

    document = docx.Document()
    for piece in pieces(blocks):
        if piece[0] == "text":
            if piece[1] == "heading":
                document.add_heading(piece[2], level=1)
            else:
                document.add_paragraph(piece[2])
            continue
        rows = piece[1]
        halves = [rows[:len(rows) // 2 + 1], rows[len(rows) // 2 + 1:]] if split and is_header_row(rows[0]) else [rows]
        width = max(len(r) for r in rows)
        for n, half in enumerate(h for h in halves if h):
            if n:
                document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            table = document.add_table(rows=len(half), cols=width)
            for i, row in enumerate(half):
                for j, cell in enumerate(row):
                    table.cell(i, j).text = cell
    document.save(path)
    return path
