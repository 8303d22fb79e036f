"""Recognising the rows of indicator tables (绩效指标表) in a report.

Three shapes reach this module:

- a grid: rows of cells, from a Word table or from tab-separated lines, with a
  header naming the columns (一级指标, 三级指标, 年度指标值, 全年完成值, 得分, …).
  Scoring tables (评价指标 / 自评得分) and criteria tables fit here too; so do
  wide tables that hold one project a row and, for each kind of indicator, a
  pair of columns 年度指标内容 / 完成情况.
- tab lines: the grid as text, either one row a line or one cell a line with
  blank lines between rows (a cell may go on over several lines).
- a flattened table: a PDF table whose cells extraction spread over many short
  lines, labels cut into pieces (产出指 / 标) and each row ending on a line
  "完成值 分值 得分".

Each row comes back as a :class:`Row`: an indicator with its fields, or a plain
table row (headers, budget lines, totals).
"""
import re
from dataclasses import dataclass
from itertools import combinations

from .clean import SIMPLIFIED_TERMS, char_bigrams, heading_level, join_fragments, squeeze_spaces
from .vocabulary import alternation, terms

__all__ = ["Row", "TOTALS", "flat_table_end", "from_flat_lines", "from_grid", "from_tab_lines", "header_roles",
           "is_flat_header", "is_header_row"]

LEVEL1, LEVEL2 = terms("level1"), terms("level2")
# Column headers and the field each one fills.
_ROLES = {role: terms(f"header_{role}") for role in ("level1", "level2", "name", "target", "actual", "score")}
_POINTS = terms("header_points")
_HEADER_WORDS = {name for names in _ROLES.values() for name in names}
_FLAT_HEADER_WORDS = set(terms("flat_header"))
# The labels of a total row (its score is the sum of the rows above).
TOTALS = set(terms("totals"))
# A line of a flattened table is a piece of a narrow cell; a line this long is prose after it.
_PROSE_LINE = 40
_EMPTY = {"", "不适用", "无", "/", "-", "--", "—"}
_ENUM = re.compile(r"\s*(\d+\s*(、|\.(?!\d)|．)|[（(]\s*\d+\s*[）)])\s*")
_GROUP = re.compile(r"\s*[一二三四五六七八九十]+\s*[、.．]\s*")
_SCORE_TAIL = re.compile(r"(?:^|\s)(?:(\S{0,8}\d\S{0,3}|--)\s+)?(\d+(?:\.\d+)?)\s+(\d+(?:\.\d+)?)\s*$")
# Cues used to put back the cells that extraction dropped from a wide row.
_SATISFACTION = re.compile(alternation("satisfaction"))
_TARGET_CUE = re.compile(rf"[≥≤]|{alternation('target_cue')}|^({alternation('target_opening')})")
_ACTUAL_CUE = re.compile(rf"{alternation('actual_cue')}|\d+月|\d+日|^\d+(\.\d+)?%$")
_TAIL_CUE = re.compile(rf"^({alternation('tail_cell')})$|{alternation('tail_cue')}")


@dataclass
class Row:
    """One row of a table as the reader emits it.

    Attributes
    ----------
    kind : str
        ``"indicator"`` or ``"table_row"``.
    text : str
        The row's non-empty cells joined by `` | ``.
    indicator : dict or None
        For indicators: level1, level2, name, target, actual (strings, "" when
        absent) and score when the table has a score column.
    """

    kind: str
    text: str
    indicator: dict | None = None


def _key(cell):
    return re.sub(r"\s+", "", cell)


def _term(cell):
    """A cell as compared with the known headers and level names: no spaces, simplified script."""
    return _key(cell).translate(SIMPLIFIED_TERMS)


def _row_text(cells):
    return " | ".join(c for c in cells if c)


def _is_term(cell):
    return _term(cell) in LEVEL1 or _term(cell) in LEVEL2


def header_roles(cells):
    """Map field -> column for a header row, or None when the row is not a header.

    Examples
    --------
    >>> header_roles(["一级指标", "二级指标", "三级指标", "指标值", "完成值", "得分"])
    {'level1': 0, 'level2': 1, 'name': 2, 'target': 3, 'actual': 4, 'score': 5}
    """
    roles, hits = {}, 0
    for i, cell in enumerate(cells):
        key = _term(cell)
        for role, names in _ROLES.items():
            if key in names:
                hits += 1
                roles.setdefault(role, i)
                break
    if hits < 2:
        return None
    # The points column (分值) is read but does not make a header: budget tables have one too.
    # A criteria table gives each level its 分值; the row's own is the one after the name (三级指标).
    columns = [i for i, cell in enumerate(cells) if _term(cell) in _POINTS]
    points = next((i for i in columns if i > roles.get("name", len(cells))), columns[0] if columns else None)
    return roles if points is None else {**roles, "points": points}


def is_header_row(cells):
    """Tell whether a table row's cells name the columns of an indicator table.

    Examples
    --------
    >>> is_header_row(["一级指标", "二级指标", "三级指标", "指标值", "完成值"])
    True
    >>> is_header_row(["项目名称", "老工商业者困难补助"])
    False
    """
    return header_roles(cells) is not None


def _ffill(cells, width):
    out, last = [], ""
    for cell in list(cells) + [""] * (width - len(cells)):
        last = cell or last
        out.append(last)
    return out


@dataclass
class _Plain:
    roles: dict
    width: int


@dataclass
class _Wide:
    pairs: list
    groups: list
    name_col: int | None
    width: int


def _wide_layout(cells, history):
    """Read a header with several 年度指标内容 / 完成情况 pairs, labelled by the rows above."""
    width = len(cells)
    pairs = [
        (i, i + 1)
        for i, c in enumerate(cells[:-1])
        if _term(c) in _ROLES["target"] and _term(cells[i + 1]) in _ROLES["actual"]
    ]
    if len(pairs) < 2:
        return None
    above = [_ffill(r, width) for r in history[-2:]]
    level2 = above[-1] if above else [""] * width
    level1 = above[-2] if len(above) > 1 else [""] * width
    # Wide tables head the groups 产出目标 / 效益目标; the fields call them 产出指标 / 效益指标.
    groups = [(re.sub("目标$", "指标", level1[t]), level2[t]) for t, _ in pairs]
    name_col = next((i for r in history[-3:] for i, c in enumerate(r) if _term(c) in ("项目名称", "项目")), None)
    return _Wide(pairs, groups, name_col, width)




def _overlap(x, y):
    """Shared character bigrams of two cells (given as their bigram sets) over the smaller set."""
    return len(x & y) / min(len(x), len(y)) if x and y else 0.0


def _alignment_score(cells, slots, bigrams):
    """How well ``cells`` fit the slots (role T, A or tail, with the pair's group label); `bigrams`: cell -> its bigrams."""
    score = 0.0
    for cell, (role, group) in zip(cells, slots):
        if not cell:
            # Ecological indicators are the pair these reports most often leave blank.
            score += 0.5 if role != "tail" and "生态" in group else 0.0
            continue
        satisfaction = bool(_SATISFACTION.search(cell))
        if role == "T":
            if "满意" in group:
                score += 3 if satisfaction else 0
            elif satisfaction:
                score -= 2
            score += bool(_TARGET_CUE.search(cell)) - bool(_ACTUAL_CUE.search(cell))
        elif role == "A":
            score += bool(_ACTUAL_CUE.search(cell)) - 2 * satisfaction
        else:
            score += bool(cell in _EMPTY or _TAIL_CUE.search(cell)) - 2 * satisfaction
    for i, (role, _) in enumerate(slots[:-1]):
        if role != "T":
            continue
        if cells[i] and cells[i + 1]:
            # A target and its result tend to share words.
            score += 2 * _overlap(bigrams[cells[i]], bigrams[cells[i + 1]])
        elif cells[i] or cells[i + 1]:
            # A pair is more often left blank whole than half.
            score -= 1
    return score


def _rstrip_empty(cells):
    end = len(cells)
    while end and not cells[end - 1]:
        end -= 1
    return cells[:end]


def _realign(cells, slots):
    """Put back, where they fit best, the empty cells extraction moved to the row's end."""
    k = len(cells) - len(_rstrip_empty(cells))
    if not 0 < k <= 3:
        return cells
    content = cells[: len(cells) - k]
    bigrams = {cell: char_bigrams(cell) for cell in content}  # each placement below compares the same cells
    best, best_cells = None, cells
    for empty in combinations(range(len(cells)), k):
        it = iter(content)
        placed = ["" if i in empty else next(it) for i in range(len(cells))]
        score = _alignment_score(placed, slots, bigrams)
        # Strictly better only: among equals the earliest placement wins.
        if best is None or score > best + 1e-9:
            best, best_cells = score, placed
    return best_cells


def _wide_rows(cells, layout):
    cells = cells + [""] * (layout.width - len(cells))
    start = layout.pairs[0][0]
    roles = {t: "T" for t, _ in layout.pairs} | {a: "A" for _, a in layout.pairs}
    group_of = {c: g[1] or g[0] for (t, a), g in zip(layout.pairs, layout.groups) for c in (t, a)}
    slots = [(roles.get(c, "tail"), group_of.get(c, "")) for c in range(start, len(cells))]
    cells = cells[:start] + _realign(cells[start:], slots)
    in_pair = set(roles)
    rows = [Row("table_row", _row_text(c for i, c in enumerate(cells) if i not in in_pair))]
    name = cells[layout.name_col] if layout.name_col is not None else ""
    for (t, a), (level1, level2) in zip(layout.pairs, layout.groups):
        target, actual = cells[t], cells[a]
        if target in _EMPTY and actual in _EMPTY:
            continue
        indicator = {"level1": level1, "level2": level2, "name": name, "target": target, "actual": actual}
        rows.append(Row("indicator", _row_text([name, level1, level2, target, actual]), indicator))
    return rows


def _plain_row(cells, layout, carry):
    roles, width = layout.roles, layout.width
    if len(cells) < width:
        # A row short of cells lost empty ones in the middle; a score stays last.
        if roles.get("score") == width - 1 and len(cells) > 1:
            cells = cells[:-1] + [""] * (width - len(cells)) + cells[-1:]
        else:
            cells = cells + [""] * (width - len(cells))
    text = _row_text(cells)
    name_col = roles.get("name")
    if name_col is None:
        return Row("table_row", text)
    # Level labels found in the name column mean the row was shifted right.
    terms = [i for i, c in enumerate(cells) if _is_term(c)]
    shift = max(0, terms[-1] + 1 - name_col) if terms else 0

    def at(role):
        i = roles.get(role)
        return cells[i + shift] if i is not None and i + shift < len(cells) else ""

    level1 = next((_key(c) for c in cells[: name_col + shift] if _term(c) in LEVEL1), "")
    level2 = next((_key(c) for c in cells[: name_col + shift] if _term(c) in LEVEL2), "")
    if level1:
        carry.update(level1=level1, level2=level2)
    elif level2:
        carry["level2"] = level2
    raw_name = at("name")
    group = _GROUP.match(raw_name)
    if group:
        carry.update(level1=raw_name[group.end():], level2="")
        return Row("table_row", text)
    name = _ENUM.sub("", raw_name, count=1) if _ENUM.match(raw_name) else raw_name
    target, actual, score = at("target"), at("actual"), at("score")
    if not name or _term(name) in TOTALS or _term(name) in _HEADER_WORDS or not (target or actual or score):
        return Row("table_row", text)
    if not level1 and at("level1") and not _is_term(at("level1")):
        carry.update(level1=at("level1"), level2="")
    if not level2 and at("level2") and not _is_term(at("level2")):
        carry["level2"] = at("level2")
    indicator = {"level1": carry["level1"], "level2": carry["level2"], "name": name, "target": target, "actual": actual}
    for role in ("points", "score"):
        if role in roles:
            indicator[role] = at(role)
    return Row("indicator", text, indicator)


def _merge_split_rows(rows):
    """Glue rows whose label cells extraction cut in two (绩 / 效 指 标).

    The second part holds only the ends of labels (…指标) under short first parts.
    """
    out = []
    for cells in rows:
        if out and _continues_labels(out[-1], cells):
            out[-1] = [join_fragments(a, _key(b)) if b else a for a, b in zip(out[-1], cells + [""] * len(out[-1]))]
            continue
        out.append(cells)
    return out


def _continues_labels(prev, cells):
    filled = [i for i, c in enumerate(cells) if c]
    return bool(filled) and all(
        i < len(prev) and prev[i] and len(_key(prev[i])) <= 4 and len(_key(cells[i])) <= 7 and _term(cells[i]).endswith("标")
        for i in filled
    )


def from_grid(rows):
    """Classify the rows of a table into indicators and plain table rows.

    Parameters
    ----------
    rows : list of list of str
        The table's cells, row by row (raw text; it is cleaned here).

    Returns
    -------
    list of Row
        One row per non-empty input row; a wide row gives a table row for its
        project and then one indicator per filled target/result pair.

    Examples
    --------
    >>> rows = [["一级指标", "二级指标", "三级指标", "指标值", "完成值"],
    ...         ["产出指标", "数量指标", "走访企业", "≥ 20 家", "32 家"]]
    >>> from_grid(rows)[1].indicator
    {'level1': '产出指标', 'level2': '数量指标', 'name': '走访企业', 'target': '≥20家', 'actual': '32家'}
    """
    rows = _merge_split_rows([[squeeze_spaces(c) for c in r] for r in rows])
    out, history, layout = [], [], None
    carry = {"level1": "", "level2": ""}
    for cells in rows:
        if not any(cells):
            continue
        roles = header_roles(cells)
        if roles is not None:
            layout = _wide_layout(cells, history) or _Plain(roles, len(cells))
            carry = {"level1": "", "level2": ""}
            out.append(Row("table_row", _row_text(cells)))
        elif isinstance(layout, _Wide):
            out.extend(_wide_rows(cells, layout))
        elif isinstance(layout, _Plain):
            out.append(_plain_row(cells, layout, carry))
        else:
            out.append(Row("table_row", _row_text(cells)))
        history.append(cells)
    return out


def from_tab_lines(lines):
    """Read a table given as tab-separated lines.

    Either each line is a row, or (when most lines hold a single cell after a
    leading tab) each line is a cell and blank lines separate the rows. A line
    without tabs goes on the cell above it.

    Parameters
    ----------
    lines : list of str
        The table's lines.

    Returns
    -------
    list of Row
        As :func:`from_grid`.
    """
    tabbed = [line for line in lines if "\t" in line]
    one_cell = sum(1 for line in tabbed if line.startswith("\t") and line.count("\t") == 1)
    vertical = one_cell * 2 > len(tabbed)
    rows, row = [], []
    for line in lines:
        if "\t" in line:
            if vertical:
                row.extend(line.split("\t")[1:])
            else:
                rows.append(line.split("\t"))
        elif not line.strip():
            if vertical and row:
                rows.append(row)
                row = []
        elif vertical and row:
            row[-1] = join_fragments(row[-1], line.strip())
        elif rows and not vertical:
            rows[-1][-1] = join_fragments(rows[-1][-1], line.strip())
        else:
            row.append(line.strip())
    if row:
        rows.append(row)
    return from_grid(rows)


def is_flat_header(line):
    """Tell whether ``line`` is the header of an indicator table flattened into spaced words.

    Examples
    --------
    >>> is_flat_header("二级指标 三级指标 目标值 完成值 分值 得分 未完成原因 改进措施")
    True
    """
    return "\t" not in line and sum(_term(t) in _FLAT_HEADER_WORDS for t in line.split()) >= 4


def flat_table_end(lines, start):
    """Return the index just past a flattened table whose header is at ``start``.

    The table runs to its total line (总分, 合计), to the first heading or long
    line of prose after it (its cells are short pieces), or to the end of the text.

    Examples
    --------
    >>> flat_table_end(["三级指标 指标值 完成值 分值 得分", "培训 2期 2期 10 10", "四、存在的问题", "……"], 0)
    2
    """
    for i in range(start + 1, len(lines)):
        line = lines[i].strip()
        words = line.split()
        if words and (words[0] in TOTALS or "".join(words[:2]) in TOTALS):  # 合计, or 合 计 spaced out
            return i + 1
        if line and (heading_level(line) is not None or len(line) >= _PROSE_LINE):
            return i
    return len(lines)


class _Label:
    """A level label being pieced together from fragments (产出指 + 标)."""

    def __init__(self, text, terms):
        self.text, self.terms = text, terms

    def open(self):
        return self.text not in self.terms

    def takes(self, piece):
        return self.open() and any(t.startswith(self.text + piece) for t in self.terms)


def _starts(piece, terms):
    return len(piece) >= 2 and any(t.startswith(piece) for t in terms)


def from_flat_lines(lines):
    """Read an indicator table that PDF extraction flattened into short lines.

    Parameters
    ----------
    lines : list of str
        From the pieces of the header (一级指 / 标, …) to the total line. Level
        labels may come in fragments, before their row or after it; a row opens
        with its name and the first words of its target, its target goes on
        over the following lines (even past a page break), and it closes with a
        line "完成值 分值 得分".

    Returns
    -------
    list of Row
        The header, stray labels and totals as table rows, and one indicator
        per recognised row (with ``score``).
    """
    lines = [line.strip() for line in lines if line.strip()]
    head = next(i for i, line in enumerate(lines) if is_flat_header(line))
    items = [("text", ["".join(lines[:head])] + lines[head].split() if head else lines[head].split())]
    level1 = level2 = None
    open_row = last_row = None
    labelled = False
    for line in lines[head + 1:]:
        tail = _SCORE_TAIL.search(line)
        words = (line[: tail.start()] if tail else line).split()
        scores = [g for g in tail.groups() if g] if tail else []
        if words and words[0] in TOTALS:
            items.append(("text", words + scores))
            break
        while words:
            word = words[0]
            if level1 and level1.takes(word):
                level1.text += word
            elif level2 and level2.takes(word):
                level2.text += word
            elif _starts(word, LEVEL1):
                level1, level2, labelled = _Label(word, LEVEL1), None, True
            elif _starts(word, LEVEL2):
                level2, labelled = _Label(word, LEVEL2), True
            else:
                break
            words.pop(0)
        if words:
            if open_row is not None:
                open_row["target"].append(" ".join(words))
            elif len(words) >= 2 and (labelled or (last_row and words[0] == last_row["name"])):
                open_row = {"name": words[0], "target": [" ".join(words[1:])], "level1": level1, "level2": level2}
                items.append(("row", open_row))
                labelled = False
            elif last_row is not None and not labelled:
                # What a page break cut off the end of the previous row's target.
                last_row["target"].append(" ".join(words))
            elif items[-1][0] == "stray":
                items[-1][1].append("".join(words))
            else:
                items.append(("stray", ["".join(words)]))
        if tail:
            actual, points, score = tail.groups()
            if open_row is not None:
                open_row.update(actual=actual or "", points=points, score=score)
                last_row, open_row = open_row, None
            else:
                label = level2.text if level2 else level1.text if level1 else ""
                items.append(("text", [label] + scores))
    return [_flat_item(kind, value) for kind, value in items]


def _flat_item(kind, value):
    if kind == "text":
        return Row("table_row", _row_text(squeeze_spaces(v) for v in value))
    if kind == "stray":
        return Row("table_row", squeeze_spaces("".join(value)))
    target = ""
    for part in value["target"]:
        target = join_fragments(target, part)
    indicator = {
        "level1": value["level1"].text if value["level1"] else "",
        "level2": value["level2"].text if value["level2"] else "",
        "name": squeeze_spaces(value["name"]),
        "target": squeeze_spaces(target),
        "actual": value.get("actual", ""),
        "points": value.get("points", ""),
        "score": value.get("score", ""),
    }
    fields = [indicator[k] for k in ("level1", "level2", "name", "target", "actual", "points", "score")]
    return Row("indicator", _row_text(fields), indicator)
