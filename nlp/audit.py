"""Auditing: checks of a report's indicator table itself, before any of its text is read.

The table's cells are read with `nlp.records` (targets and completion values
with their units and comparisons, points, scores); budget rows (预算数,
执行数, 执行率) and total rows (合计, 总分, a group's subtotal) are read here
from the table rows around the indicators. Each problem is a `Finding`.
"""
import re
from dataclasses import asdict, dataclass, field

from .indicators import TOTALS
from .records import parse_number, quantities

__all__ = ["Finding", "SEVERITIES", "audit", "tables"]

SEVERITIES = ("error", "warning", "info")
"""Most serious first: ``error`` the table contradicts itself, ``warning`` a reviewer should look, ``info`` a gap."""

_ENUMERATION = re.compile(r"^\s*([一二三四五六七八九十]+|\d+)\s*[、.．]\s*")
# Sums and rates are printed rounded; a difference within this is not a finding.
_SUM_TOLERANCE = 0.011


@dataclass(frozen=True)
class Finding:
    """One problem found in an indicator table.

    Attributes
    ----------
    doc_id : str
    code : str
        What kind of problem, e.g. ``score-above-points`` (see `CHECKS`).
    severity : str
        One of `SEVERITIES`.
    indicator : str
        The indicator's id; "" for a finding about a table, a budget or a total row.
    name : str
        The indicator's name, or the row's label.
    cells : dict
        The cells the finding was read from, as written.
    message : str
        One plain sentence.
    """

    doc_id: str
    code: str
    severity: str
    indicator: str
    name: str
    cells: dict = field(default_factory=dict)
    message: str = ""

    def to_dict(self):
        """The finding as ``nlp audit`` writes it."""
        return asdict(self)


@dataclass
class Table:
    """The blocks of one table: consecutive table rows and indicators."""

    rows: list

    @property
    def indicators(self):
        return [b.indicator for b in self.rows if b.kind == "indicator"]


def tables(blocks):
    """The tables of a document, each a run of consecutive table rows and indicators."""
    runs, run = [], []
    for block in blocks + [None]:
        if block is not None and block.kind in ("table_row", "indicator"):
            run.append(block)
            continue
        if run:
            runs.append(Table(run))
        run = []
    return runs


def _cells(block):
    return [c.strip() for c in block.text.split(" | ")]


def _label(cell):
    return _ENUMERATION.sub("", cell).replace(" ", "")


def _percent(cell):
    return parse_number(cell) if cell.rstrip().endswith("%") else None


def _fmt(value):
    return f"{value:g}"


@dataclass
class _BudgetLine:
    block: object
    label: str
    budget: float
    spent: float
    rate: str
    points: float | None
    score: float | None


def _budget_lines(blocks):
    """The table rows under a budget header (预算… and …执行率 columns) that give a budget, a spending and a rate.

    A caption line (资金情况（万元）) may stand between the header and its rows, and the header of a wide
    table goes on over rows of sub-headers (合计 | 其中: 财政拨款 …).
    """
    lines, header = [], None
    for block in blocks:
        if block.kind != "table_row":
            continue
        cells = _cells(block)
        if any("预算" in c for c in cells) and any("执行率" in c for c in cells):
            header = cells
            continue
        if header is None:
            continue
        rate = next((i for i, c in enumerate(cells) if _percent(c) is not None), None)
        first_word = next((i for i, c in enumerate(cells) if parse_number(c) is None), None)
        if rate is None or first_word is None or first_word > rate:
            continue
        scored = len(cells) == len(header)  # points and score can be placed only in a row as wide as its header
        column = {h: i for i, h in enumerate(header)} if scored else {}
        points_at = next((i for h, i in column.items() if h == "分值"), None)
        score_at = next((i for h, i in column.items() if h == "得分"), None)
        numbers = [parse_number(c) for i, c in enumerate(cells[first_word:rate], first_word)
                   if parse_number(c) is not None and i != points_at]
        if len(numbers) < 2:
            continue
        # Merged header cells (合计 | 其中: 财政拨款 …) give the budget and the spending as many columns each.
        label = cells[next(i for i in range(first_word, rate) if parse_number(cells[i]) is not None) - 1]
        lines.append(_BudgetLine(block, label, numbers[0], numbers[len(numbers) // 2], cells[rate],
                                 parse_number(cells[points_at]) if points_at is not None else None,
                                 parse_number(cells[score_at]) if score_at is not None else None))
    return lines


def _budget_findings(doc_id, line):
    out = []
    stated = _percent(line.rate)
    if line.budget > 0:
        computed = 100 * line.spent / line.budget
        decimals = len(line.rate.rstrip("%").partition(".")[2])
        if abs(computed - stated) > max(0.5 * 10 ** -decimals, 0.1):
            out.append(Finding(doc_id, "budget-rate-mismatch", "error", "", line.label,
                               {"budget": _fmt(line.budget), "spent": _fmt(line.spent), "rate": line.rate},
                               f"execution rate {line.rate} does not follow from spending {_fmt(line.spent)} "
                               f"of budget {_fmt(line.budget)} ({computed:.2f}%)"))
    if line.points is not None and line.score is not None and line.score > line.points + 1e-9:
        out.append(Finding(doc_id, "score-above-points", "error", "", line.label,
                           {"points": _fmt(line.points), "score": _fmt(line.score)},
                           f"score {_fmt(line.score)} is above the row's {_fmt(line.points)} points"))
    return out


def _row_findings(doc_id, ind):
    out = []
    cells = {k: v for k, v in ind.table_fields().items() if k in ("target", "actual", "points", "score") and v}
    points, score = ind.points_value, ind.score_value
    if points is not None and score is not None and score > points + 1e-9:
        out.append(Finding(doc_id, "score-above-points", "error", ind.id, ind.name, cells,
                           f"score {ind.score} is above the row's {ind.points} points"))
    full = points is not None and score is not None and abs(score - points) < 1e-9
    # Compared only when each cell states one number: 完成值 "100%" beside 指标值 "≥20次" is a completion
    # rate, and a cell with several numbers does not say which is the target.
    target, actual = ind.target_quantity, ind.actual_quantity
    if (target and actual and target.unit == actual.unit and len(quantities(ind.target)) == 1
            and len(quantities(ind.actual)) == 1):
        met = actual.value <= target.value if target.comparison == "<=" else actual.value >= target.value
        if not met and full:
            out.append(Finding(doc_id, "full-marks-target-missed", "error", ind.id, ind.name, cells,
                               f"completion value {ind.actual} misses the target {ind.target}, "
                               f"yet the row has full marks ({ind.score} of {ind.points})"))
        elif not met:
            out.append(Finding(doc_id, "target-missed", "warning", ind.id, ind.name, cells,
                               f"completion value {ind.actual} misses the target {ind.target}"))
    return out


def _missing_findings(doc_id, table):
    """Cells left empty in a column the table has (some other row fills it)."""
    out = []
    inds = table.indicators
    wording = {"target": ("missing-target", "warning", "no target value (指标值)"),
               "actual": ("missing-actual", "warning", "no completion value (完成值)"),
               "score": ("missing-score", "warning", "no score (得分)"),
               "points": ("missing-points", "info", "no points (分值); its score cannot be checked")}
    for column, (code, severity, sentence) in wording.items():
        if not any(getattr(i, column) for i in inds):
            continue
        for ind in inds:
            if not (getattr(ind, column) or "").strip():
                out.append(Finding(doc_id, code, severity, ind.id, ind.name,
                                   {k: v for k, v in ind.table_fields().items() if k in wording and v},
                                   f"{sentence}, though other rows of its table have one"))
    return out


def _uniform_findings(doc_id, table, project):
    out = []
    inds = table.indicators
    where = f"the table of {project}" if project else "the table"
    if len(inds) < 2:
        return out
    if all(_percent(i.actual) == 100 for i in inds):
        out.append(Finding(doc_id, "all-100", "warning", "", project,
                           {"indicators": str(len(inds)), "from": inds[0].id, "to": inds[-1].id},
                           f"all {len(inds)} rows of {where} give 100% as their completion value"))
    scored = [i for i in inds if i.points_value is not None and i.score_value is not None]
    if len(scored) == len(inds) and all(abs(i.points_value - i.score_value) < 1e-9 for i in inds):
        out.append(Finding(doc_id, "all-full-marks", "warning", "", project,
                           {"indicators": str(len(inds)), "from": inds[0].id, "to": inds[-1].id},
                           f"all {len(inds)} rows of {where} have full marks"))
    return out


def _total_findings(doc_id, table, budget_lines):
    """Total rows (合计, 总分 …) and a group's subtotal row (一、产出 | 80 | 74) against the rows they sum."""
    out = []
    inds = table.indicators
    groups = {i.level1 for i in inds if i.level1}
    for block in table.rows:
        if block.kind != "table_row":
            continue
        cells = _cells(block)
        label = _label(cells[0])
        if label in TOTALS:
            members = inds
            extra = [ln for ln in budget_lines if ln.score is not None]  # a scored budget row counts in the total
        elif label in groups:
            members, extra = [i for i in inds if i.level1 == label], []
        else:
            continue
        numbers = [parse_number(c) for c in cells[1:] if parse_number(c) is not None and _percent(c) is None]
        if not numbers or not any(i.score_value is not None for i in members):
            continue
        stated = {"score": numbers[-1], **({"points": numbers[0]} if len(numbers) > 1 else {})}
        for column, stated_sum in stated.items():
            values = [getattr(i, f"{column}_value") for i in members] + [getattr(ln, column) for ln in extra]
            total = sum(v for v in values if v is not None)
            if abs(total - stated_sum) > _SUM_TOLERANCE:
                kind = "scores" if column == "score" else "points"
                out.append(Finding(doc_id, "total-mismatch", "error", "", cells[0],
                                   {"stated": _fmt(stated_sum), "sum": f"{total:.2f}".rstrip("0").rstrip("."),
                                    "rows": str(len(values))},
                                   f"the {kind} of its {len(values)} rows add up to "
                                   f"{total:.2f}".rstrip("0").rstrip(".") + f", not the stated {_fmt(stated_sum)}"))
    return out


def _unsupported_findings(doc_id, inds, evidence):
    status = {e["indicator"]["id"]: e["status"] for e in evidence}
    return [Finding(doc_id, "full-marks-unsupported", "warning", i.id, i.name,
                    {"points": i.points, "score": i.score, "status": "unsupported"},
                    f"full marks ({i.score} of {i.points}), but nothing in the narrative supports it")
            for i in inds
            if status.get(i.id) == "unsupported" and i.points_value is not None
            and i.score_value is not None and abs(i.points_value - i.score_value) < 1e-9]


def audit(blocks, *, evidence=None):
    """Check the indicator tables of one document.

    Parameters
    ----------
    blocks : list of nlp.records.Block
        The document, as `nlp.read.read_input` gives it.
    evidence : list of dict, optional
        The document's evidence (``nlp evidence`` shape); when given, full marks on an
        indicator whose status is ``unsupported`` is a finding too.

    Returns
    -------
    list of Finding
        In table order; empty when the document has no indicator table.

    Examples
    --------
    >>> from nlp.read import read_text
    >>> text = "一级指标\\t三级指标\\t指标值\\t完成值\\t分值\\t得分\\n产出指标\\t走访企业\\t≥20家\\t15家\\t10\\t10\\n"
    >>> [f.code for f in audit(read_text(text, doc_id="r"))]
    ['full-marks-target-missed']
    """
    found = []
    doc_tables = [t for t in tables(blocks) if t.indicators]
    budget = _budget_lines(blocks)
    for line in budget:
        found += _budget_findings(line.block.doc_id, line)
    for table in doc_tables:
        doc_id = table.rows[0].doc_id
        for ind in table.indicators:
            found += _row_findings(doc_id, ind)
        found += _missing_findings(doc_id, table)
        found += _uniform_findings(doc_id, table, table.indicators[0].project)
        found += _total_findings(doc_id, table, budget)
    if evidence:
        found += _unsupported_findings(blocks[0].doc_id, [i for t in doc_tables for i in t.indicators], evidence)
    return found
