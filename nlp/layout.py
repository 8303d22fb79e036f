"""Page layout: pieces of text with their positions into lines of running text and tables.

The words of a PDF's text layer and the boxes OCR finds on a page image are
both pieces of text with a box. On a page, pieces that share a height make a
line; a line whose pieces stand apart by more than a character's width is a
row of cells, and two or more such lines close together are a table. A
table's columns are where its pieces lie on the horizontal axis; a line
belongs to the row above when every one of its pieces goes on a cell that
filled its column (the cell wrapped). What is not a table is running text,
with a blank line where a wider gap parts two lines (a new paragraph); where
paragraphs open with an indent, a line from the margin after a full line goes
on the same paragraph, on the page and over a page break. A page number alone
at the top or bottom of a page is left out.
"""
import re
from dataclasses import dataclass
from statistics import median

from .clean import join_fragments, starts_block

__all__ = ["Page", "Word", "page_items"]

# Pieces of a line further apart than this many character heights are cells of a table row.
_CELL_GAP = 0.8
# A gap above a line of a table larger than this many heights ends the table.
_TABLE_GAP = 2.0
# A page number as printed alone on a line: - 3 -, 第3页 共9页, 3/9.
_PAGE_NUMBER = re.compile(r"[-—–\s]*\d{1,4}[-—–\s]*|第\s*\d+\s*页(\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+")


@dataclass(frozen=True)
class Word:
    """A piece of text on a page and its box (points or pixels, top down)."""

    x0: float
    x1: float
    top: float
    bottom: float
    text: str

    @property
    def height(self):
        return self.bottom - self.top


@dataclass
class _Line:
    chunks: list  # (x0, x1, text), pieces merged where they touch
    top: float
    bottom: float
    height: float

    @property
    def x0(self):
        return self.chunks[0][0]

    @property
    def x1(self):
        return self.chunks[-1][1]

    def text(self):
        return " ".join(c[2] for c in self.chunks)


def _lines(words):
    """Group words into lines, top to bottom, each line's pieces left to right and merged into chunks."""
    rows = []
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        middle = (word.top + word.bottom) / 2
        if rows and rows[-1][0] <= middle <= rows[-1][1]:
            rows[-1][2].append(word)
        else:
            rows.append([word.top, word.bottom, [word]])
    lines = []
    for top, bottom, members in rows:
        members.sort(key=lambda w: w.x0)
        height = median(w.height for w in members)
        chunks = []
        for w in members:
            if chunks and w.x0 - chunks[-1][1] <= _CELL_GAP * height:
                x0, _, text = chunks[-1]
                chunks[-1] = (x0, max(w.x1, chunks[-1][1]), f"{text} {w.text}")
            else:
                chunks.append((w.x0, w.x1, w.text))
        lines.append(_Line(chunks, min(w.top for w in members), max(w.bottom for w in members), height))
    return lines


def _columns(lines, height):
    """The columns of a table: the stretches of the horizontal axis its chunks cover."""
    spans = sorted((c[0], c[1]) for line in lines for c in line.chunks)
    columns = [list(spans[0])]
    for x0, x1 in spans[1:]:
        if x0 <= columns[-1][1] + 0.3 * height:
            columns[-1][1] = max(columns[-1][1], x1)
        else:
            columns.append([x0, x1])
    return columns


def _column_of(chunk, columns):
    return next(c for c in range(len(columns) - 1, -1, -1) if columns[c][0] <= chunk[0])


def _grid(lines):
    """The cells of a table's lines, row by row."""
    height = median(line.height for line in lines)
    columns = _columns(lines, height)
    rows, last = [], {}
    for line in lines:
        placed = [(_column_of(c, columns), c) for c in line.chunks]
        wrapped = rows and all(c in last and last[c][1] >= columns[c][1] - 1.5 * height for c, _ in placed)
        if not wrapped:
            rows.append([""] * len(columns))
            last = {}
        for c, chunk in placed:
            rows[-1][c] = join_fragments(rows[-1][c], chunk[2])
            last[c] = chunk
    return rows


def _table_end(lines, start, left, width):
    """Index past the table that starts at ``start`` (a line of several cells), or ``start`` when none does."""
    end, rows = start, 0
    while end < len(lines):
        line = lines[end]
        if end > start and line.top - lines[end - 1].bottom > _TABLE_GAP * line.height:
            break
        if len(line.chunks) >= 2:
            rows += 1
        # A single piece goes on a cell when it stands inside the table, not as a line of text from the margin.
        elif not (end > start and (line.x0 > left + 3 * line.height or line.x1 < left + 0.5 * width)):
            break
        end += 1
    return end if rows >= 2 else start


def _prose(lines, left, right, indented):
    """Lines of running text, with a blank line where a wider gap than usual parts two (a new paragraph).

    Where paragraphs open with an indent, a line from the margin after a full
    line goes on the same paragraph even when the full line ends a sentence.
    """
    gaps = [b.top - a.bottom for a, b in zip(lines, lines[1:])]
    usual = sorted(gaps)[len(gaps) // 5] if gaps else 0  # the gap inside paragraphs, the commonest on most pages
    out = []
    for n, line in enumerate(lines):
        text = line.text()
        if n and gaps[n - 1] > usual + 0.5 * line.height:
            out.append("")
        elif n and indented and _full(lines[n - 1], right) and _flush(line, left):
            out[-1] = join_fragments(out[-1], text)
            continue
        out.append(text)
    return out


def _right_edge(lines):
    """Where full lines of running text end, and how many lines end there.

    The edge is the right end most lines share (the widest on a tie): text
    from a table cell left outside a table may reach further than the running
    text, so the widest line alone is not the edge.
    """
    def sharing(x1):
        return sum(abs(line.x1 - x1) <= 0.5 * line.height for line in lines)

    right = max((line.x1 for line in lines), key=lambda x1: (sharing(x1), x1))
    return right, sharing(right)


def _full(line, right):
    """Tell whether a line of running text fills the width: the text goes on on the next line."""
    return line.x1 >= right - 1.5 * line.height


def _flush(line, left):
    """Tell whether a line starts at the margin and opens no block of its own (a heading, a list item)."""
    return line.x0 <= left + 0.5 * line.height and not starts_block(line.text())


@dataclass
class Page:
    """The running text and tables of one page, and how its running text may meet the pages around it.

    Attributes
    ----------
    items : list of tuple
        Top to bottom: ``("lines", [str, ...])`` for running text (``""`` at
        a paragraph gap) and ``("grid", rows)`` for a table.
    indented : bool
        Paragraphs on the page open with an indent.
    opens_flush : bool
        The page begins with a line of running text from the margin that opens
        no block: where paragraphs are indented, it goes on the paragraph that
        the page before left.
    ends_full : bool
        The page ends with a line of running text that fills the width.
    """

    items: list
    indented: bool = False
    opens_flush: bool = False
    ends_full: bool = False


def _drop_page_numbers(runs):
    """Drop a page number printed alone at the top or bottom of a page: it would cut sentences."""
    for end in (0, -1):
        if runs and runs[end][1] == "prose" and _PAGE_NUMBER.fullmatch(runs[end][2][end].text().strip()):
            runs[end][2].pop(end)
            if not runs[end][2]:
                runs.pop(end)
    return runs


def page_items(words, tables=()):
    """The running text and tables of one page, top to bottom.

    Parameters
    ----------
    words : iterable of Word
        The page's pieces of text outside ``tables``.
    tables : iterable of (float, list of list of str)
        Tables already read from the page (ruled ones), each with the top of its box.

    Returns
    -------
    Page
        A page number standing alone at the top or bottom is left out.

    Examples
    --------
    >>> words = [Word(0, 40, 0, 10, "三级指标"), Word(60, 90, 0, 10, "指标值"), Word(140, 170, 0, 10, "完成值"),
    ...          Word(0, 40, 16, 26, "走访企业"), Word(60, 120, 16, 26, "不少于20"), Word(140, 160, 16, 26, "32家"),
    ...          Word(60, 70, 28, 38, "家"), Word(0, 90, 60, 70, "以上指标均已完成。"), Word(40, 50, 90, 100, "- 3 -")]
    >>> page_items(words).items
    [('grid', [['三级指标', '指标值', '完成值'], ['走访企业', '不少于20家', '32家']]), ('lines', ['以上指标均已完成。'])]
    """
    lines = _lines(words)
    runs = [(top, "grid", rows) for top, rows in tables]
    if not lines:
        return Page([item[1:] for item in sorted(runs, key=lambda r: r[0])])
    left, right = min(line.x0 for line in lines), max(line.x1 for line in lines)
    prose, i = [], 0
    while i < len(lines):
        if prose and any(prose[-1].top < top < lines[i].top for top, _ in tables):
            runs.append((prose[0].top, "prose", prose))
            prose = []
        end = _table_end(lines, i, left, right - left) if len(lines[i].chunks) >= 2 else i
        if end > i:
            if prose:
                runs.append((prose[0].top, "prose", prose))
            runs.append((lines[i].top, "grid", _grid(lines[i:end])))
            prose, i = [], end
        else:
            prose.append(lines[i])
            i += 1
    if prose:
        runs.append((prose[0].top, "prose", prose))
    runs = _drop_page_numbers(sorted(runs, key=lambda r: r[0]))
    text = [line for _, kind, payload in runs if kind == "prose" for line in payload]
    if not text:
        return Page([item[1:] for item in runs])
    right, sharing = _right_edge(text)
    indented = any(left + 1.5 * line.height < line.x0 < left + 3 * line.height for line in text)
    items = [("lines", _prose(payload, left, right, indented)) if kind == "prose" else (kind, payload)
             for _, kind, payload in runs]
    # A page ends full only against an edge two lines reach: one line alone may be short.
    return Page(items, indented, runs[0][1] == "prose" and _flush(runs[0][2][0], left),
                runs[-1][1] == "prose" and sharing >= 2 and _full(runs[-1][2][-1], right))
