"""Cleaning of text extracted from reports: artefacts, widths, spaces, broken lines.

Text pulled out of a PDF or a Word file keeps the page layout: a sentence is cut
where the printed line ended, sometimes with the blank lines of a page break in
the middle; the labels of narrow table columns come out one character a line;
extraction puts spaces between Chinese characters and digits; conversion leaves
marks such as ``[bookmark: _GoBack]``. This module undoes that. It also knows
the numbering marks that start headings and list items, because a broken line
must not be joined onto one of those.
"""
import re

from .vocabulary import alternation

__all__ = [
    "char_bigrams",
    "half_width",
    "heading_level",
    "is_date_line",
    "join_fragments",
    "normalize",
    "rejoin",
    "spaced_cells",
    "squeeze_spaces",
    "starts_block",
]

# Full-width digits and ASCII letters only: a blanket NFKC would also turn the
# full-width Chinese punctuation (，。（）：；) into ASCII, which changes the text.
_HALFWIDTH = str.maketrans(
    {cp: cp - 0xFEE0 for lo, hi in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A)) for cp in range(lo, hi + 1)}
)
# The artefacts removed, in this order (a property test relies on the list).
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_BOOKMARK = re.compile(r"\[bookmark: [^\]\n]*\]")
_BOLD = re.compile(r"\*\*(?=\S)([^*\n]+?)(?<=\S)\*\*")

# Characters that set Chinese text: ideographs, CJK and full-width punctuation,
# curly quotes, dashes, ellipses and ≤ ≥ as Chinese typesetting uses them.
_CJK = "\u2e80-\u2fff\u3001-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff01-\uffef\u2018\u2019\u201c\u201d\u2014\u2026\u00b7\u2264\u2265"
_SPACE = r"[^\S\n]+"
_SPACE_CJK_CJK = re.compile(rf"(?<=[{_CJK}]){_SPACE}(?=[{_CJK}])")
# A space before a number is kept when the number opens an enumeration ("…1名 2.参与").
_SPACE_CJK_DIGIT = re.compile(rf"(?<=[{_CJK}]){_SPACE}(?=\d)(?!\d+[.、．](?!\d))")
_SPACE_DIGIT_CJK = re.compile(rf"(?<=[\d%]){_SPACE}(?=[{_CJK}])")
_RUNS = re.compile(_SPACE)

_CN = "一二三四五六七八九十百零〇"
# Numbering marks and the heading level each one opens (smaller is higher).
_MARKS = (
    (re.compile(r"附件\s*\d*\s*[:：]?\s*$"), 0),
    (re.compile(r"#{1,6}\s"), 1),
    (re.compile(rf"第[{_CN}]+(部分|章)"), 2),
    (re.compile(rf"[{_CN}]+\s*、"), 2),
    (re.compile(rf"[（(]\s*[{_CN}]+\s*[）)]"), 3),
    (re.compile(rf"第[{_CN}]+节"), 3),
    (re.compile(r"\d+\s*(、|\.(?!\d)|．)"), 4),
    (re.compile(r"[（(]\s*\d+\s*[）)]"), 5),
    (re.compile("[\u2460-\u2473]"), 6),
    (re.compile(rf"([{_CN}]+是|第[{_CN}]+[，、,：:])"), 7),
)
_BULLET = re.compile(r"([-•●■◆□▪]\s|注[:：])")
_DATE = re.compile(
    r"\d{4}\s*年(\s*\d{1,2}\s*月(\s*\d{1,2}\s*日)?)?"
    r"|[〇零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,2}月([一二三四五六七八九十]{1,3}日)?"
)
# Ends of a title, in simplified and traditional script (報告, 自評表 …).
_TITLE_END = re.compile(rf"({alternation('title_end')})\s*\d*$")
# The traditional forms of the characters of title ends, column headers and level names
# (報告, 一級指標): enough to recognise them without the full script converter.
SIMPLIFIED_TERMS = str.maketrans("報結級標評價實際績預計劃況稱項總綜滿數質時經濟會態續響務對產費額環値",
                                 "报结级标评价实际绩预计划况称项总综满数质时经济会态续响务对产费额环值")
_SENTENCE_PUNCT = re.compile(r"[，。；：,;:！？!?]")
_PROSE_PUNCT = re.compile(r"[，。、；：]")
_CLOSING = "。！？；!?;：:…"
_CLOSERS = "”’」』）)】〉》\"'"
# Openers and closers that must balance; full-width and ASCII round brackets get mixed.
_PAIRS = (("“", "”"), ("（(", "）)"), ("《", "》"), ("「", "」"), ("『", "』"), ("【", "】"), ("〈", "〉"))
# A numbered label ending a line (任务3：, 目标1:), its content on the next line.
_LABEL_COLON = re.compile(r"(^|[。；！？，])[\u4e00-\u9fff]{1,6}\d{1,2}\s*[：:]$")
_OPENING_QUOTES = ("“", "‘", "「", "『", "《")
_NUMBER = re.compile(r"[\d.,%-]+")
_UNIT_START = "年月日个家人名次万元亿余多期位项条篇场户笔"
_CELL_PUNCT = re.compile(r"[，。；、：:“”‘’《》,;]")
_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")
_HAN = re.compile(r"[\u3400-\u9fff]")


def char_bigrams(text):
    """The set of adjacent pairs of Chinese characters in `text` (other characters skipped).

    Examples
    --------
    >>> sorted(char_bigrams("开展 培训2次"))
    ['培训', '展培', '开展', '训次']
    """
    chars = _HAN.findall(text)
    return {a + b for a, b in zip(chars, chars[1:])}


def half_width(text):
    """Full-width digits and ASCII letters made half-width; everything else kept.

    Examples
    --------
    >>> half_width("２０２０年ＡＢ，。")
    '2020年AB，。'
    """
    return text.translate(_HALFWIDTH)


def normalize(text):
    """Unify line ends, turn full-width digits and letters half-width, drop artefacts.

    Parameters
    ----------
    text : str
        Text as decoded from the file.

    Returns
    -------
    str
        The text with ``\\n`` line ends, form feeds as page breaks, and without
        zero-width characters, ``[bookmark: …]`` marks or ``**bold**`` markers.

    Examples
    --------
    >>> normalize("[bookmark: _GoBack]２０２０年**总结**\\r\\n")
    '2020年总结\\n'
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    text = half_width(text)
    text = _ZERO_WIDTH.sub("", text)
    text = _BOOKMARK.sub("", text)
    return _BOLD.sub(r"\1", text)


def squeeze_spaces(text):
    """Remove the spaces extraction put between Chinese characters and numbers.

    Spaces between Latin words, between two numbers and before a number that
    opens an enumeration are kept (runs of them become one space).

    Parameters
    ----------
    text : str
        One line or block of text.

    Returns
    -------
    str
        The text, stripped.

    Examples
    --------
    >>> squeeze_spaces("本单位 2020 年 召开 Annual Meeting  2 次")
    '本单位2020年召开 Annual Meeting 2次'
    """
    text = _SPACE_CJK_CJK.sub("", text)
    text = _SPACE_CJK_DIGIT.sub("", text)
    text = _SPACE_DIGIT_CJK.sub("", text)
    return _RUNS.sub(" ", text).strip()


def join_fragments(left, right):
    """Join two pieces of one sentence that a line break separated.

    A space goes between them only where both sides are Latin letters or digits.

    Examples
    --------
    >>> join_fragments("协调维护和谐劳", "动关系等")
    '协调维护和谐劳动关系等'
    >>> join_fragments("annual", "report")
    'annual report'
    """
    left, right = left.rstrip(), right.lstrip()
    if left and right and left[-1].isascii() and left[-1].isalnum() and right[0].isascii() and right[0].isalnum():
        return f"{left} {right}"
    return left + right


def _mark(line):
    """Return the heading level of the numbering mark opening ``line``, or None."""
    for pattern, level in _MARKS:
        if pattern.match(line):
            return level
    return None


def _style(text):
    """The shape of the numbering mark opening ``text`` (1、 and 2、 share one), or None."""
    for pattern, _ in _MARKS:
        match = pattern.match(text)
        if match:
            return re.sub(rf"\d+|[{_CN}]+", "N", match.group(0)).strip()
    return None


def is_date_line(line):
    """Tell whether ``line`` is only a date, as under a signature.

    Examples
    --------
    >>> is_date_line("2024 年 5 月 14 日"), is_date_line("二〇二〇年六月"), is_date_line("2020年召开")
    (True, True, False)
    """
    return bool(_DATE.fullmatch(line.strip()))


def spaced_cells(line):
    """Split a table row that extraction flattened into space-separated cells.

    Parameters
    ----------
    line : str
        One line of text.

    Returns
    -------
    list of str or None
        The cells when the line reads as a row of short cells: at least two,
        none over 12 characters nor a lone letter, some Chinese, no sentence
        punctuation, and no number followed by its unit (that would be a
        sentence with spaces put around its numbers). None otherwise.

    Examples
    --------
    >>> spaced_cells("财政拨款 381 491.45 -- 129.00% --")
    ['财政拨款', '381', '491.45', '--', '129.00%', '--']
    >>> spaced_cells("2023 年度工商联") is None
    True
    """
    cells = line.split()
    if len(cells) < 2 or _CELL_PUNCT.search(line) or any(len(c) > 12 for c in cells):
        return None
    # A lone character between spaces is a word of a sentence, not a cell;
    # the rows wanted here are Chinese ones.
    if any(len(c) < 2 and not c.isdigit() for c in cells) or not _CJK_CHAR.search(line):
        return None
    if _mark(line.strip()) is not None or is_date_line(line):
        return None
    for a, b in zip(cells, cells[1:]):
        if _NUMBER.fullmatch(a) and b[0] in _UNIT_START:
            return None
    return cells


def heading_level(text, previous=None):
    """Return the level of ``text`` as a heading, or None for body text.

    Levels: 0 for an annex line (附件2), 1 for a title or Markdown heading,
    2 for 一、, 3 for （一）, 4 for 1、 and 1., 5 for （1）, 6 for ①, 7 for 一是.
    A numbered line is a heading only when it is short and does not read as a
    sentence (no 。, no closing ；, no "label：content"); otherwise it is a list
    item. An unnumbered line is a title when it is short, unpunctuated and ends
    like one (…报告, …自评表, …文件); a bulleted line never is.

    Parameters
    ----------
    text : str
        A cleaned line or block.
    previous : str, optional
        The block just before. When it is a list item numbered the same way
        (1. before 4.), ``text`` is the next item of that list, not a heading.

    Examples
    --------
    >>> heading_level("一、部门概况"), heading_level("(1) 项目成本（预算）控制情况")
    (2, 5)
    >>> heading_level("1、机构情况：区工商联下设办公室一个") is None
    True
    >>> heading_level("澧县工商业联合会2020年度整体绩效评价报告"), heading_level("某縣工商業聯合會整體績效自評報告")
    (1, 1)
    """
    text = text.strip()
    if not text or _BULLET.match(text):
        return None
    level = _mark(text)
    if level in (0, 1):
        return level
    if level is not None:
        limit = 40 if level <= 3 else 24
        if len(text) > limit or "。" in text or text[-1] in "；;！？!?，,、：:" or "：" in text[:-1]:
            return None
        if level >= 4 and previous and _style(previous) == _style(text) and heading_level(previous) is None:
            return None
        return level
    if len(text) <= 60 and not _SENTENCE_PUNCT.search(text) and _TITLE_END.search(text.translate(SIMPLIFIED_TERMS)):
        return 1
    return None


def starts_block(line):
    """Tell whether ``line`` opens a block of its own (heading, list item, row, date).

    Examples
    --------
    >>> starts_block("2、人员情况"), starts_block("动关系等")
    (True, False)
    """
    return (
        "\t" in line
        or _mark(line) is not None
        or bool(_BULLET.match(line))
        or is_date_line(line)
        or spaced_cells(line) is not None
    )


def _closed(text):
    """Tell whether ``text`` ends a sentence (closing quotes and brackets aside)."""
    stripped = text.rstrip().rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in _CLOSING


def _unbalanced(text):
    """Tell whether ``text`` leaves a quote or bracket open, so it must go on."""
    return any(sum(map(text.count, o)) > sum(map(text.count, c)) for o, c in _PAIRS)


def _continues(left, right, gap):
    """Tell whether ``right`` goes on the sentence that ``left`` leaves open.

    ``gap`` says blank lines separated them: then only a line that reads as
    prose (punctuated, or long) goes on; a short unpunctuated line before a gap
    is a title or a label. A colon does not end the line's sentence when it
    follows a numbered label (任务3：) or a quotation opens the next line: the
    text goes on there.
    """
    if starts_block(right):
        return False
    if not gap and heading_level(left) is None and (_LABEL_COLON.search(left) or (left.rstrip()[-1:] in "：:" and right.startswith(_OPENING_QUOTES))):
        return True
    if _closed(left) or _starts_block_alone(left):
        return False
    if heading_level(left) is not None:
        return _unbalanced(left) and _mark(left) is not None
    if gap:
        return bool(_PROSE_PUNCT.search(left)) or len(left) >= 25 or _unbalanced(left)
    return True


def _starts_block_alone(line):
    """Tell whether ``line`` takes no continuation: a table row, a date, an annex or Markdown heading."""
    return "\t" in line or is_date_line(line) or spaced_cells(line) is not None or _mark(line) in (0, 1)


def _single_char(line):
    stripped = line.strip()
    return len(stripped) == 1 and "\u4e00" <= stripped <= "\u9fff"


def rejoin(lines):
    """Re-join the lines of running text that page layout broke.

    A line that ends without closing punctuation goes on onto the next one,
    unless the next one opens a heading, a list item or a table row; blank lines
    inside such a sentence (a page break) are dropped. Runs of one character a
    line (a narrow table column's label printed vertically) become one line.

    Parameters
    ----------
    lines : list of str
        Lines of text without tab-separated table rows.

    Returns
    -------
    list of tuple (str, bool)
        Each re-joined piece and whether it came from a vertical run of single
        characters (a table label rather than prose). Spaces are not squeezed.

    Examples
    --------
    >>> rejoin(["全年重点推进四项任务。任务3：", "开展民营企业家培训。", "主要做法是：", "“万企兴万村”行动。"])
    [('全年重点推进四项任务。任务3：开展民营企业家培训。', False), ('主要做法是：“万企兴万村”行动。', False)]
    >>> rejoin(["3.在政府管理和服务非公有制经济中的助手作用，在行业协会商会改革", "", "发展中的促进作用", "部", "门"])
    [('3.在政府管理和服务非公有制经济中的助手作用，在行业协会商会改革发展中的促进作用', False), ('部门', True)]
    """
    pieces = []
    current = None
    gap = False
    i = 0
    while i < len(lines):
        line = lines[i].strip()
        if not line:
            gap = True
            i += 1
            continue
        run, j = [line], i + 1
        if _single_char(line):
            while j < len(lines):
                if not lines[j].strip():
                    j += 1
                elif _single_char(lines[j]):
                    run.append(lines[j].strip())
                    j += 1
                else:
                    break
        if len(run) > 1:
            if current is not None:
                pieces.append((current, False))
            pieces.append(("".join(run), True))
            current, gap, i = None, False, j
            continue
        if current is not None and _continues(current, line, gap):
            current = join_fragments(current, line)
        else:
            if current is not None:
                pieces.append((current, False))
            current = line
        gap = False
        i += 1
    if current is not None:
        pieces.append((current, False))
    return pieces

