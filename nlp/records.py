"""Records: the typed blocks and indicators that flow from reading to tagging, linking and writing.

Numbers with a unit (``≥20次``, ``300多家次``, ``5万元``) are parsed here and
nowhere else.
"""
import re
from dataclasses import dataclass, fields
from functools import cached_property

from .vocabulary import alternation, terms

__all__ = ["Block", "Indicator", "Quantity", "OTHER", "parse_number", "parse_quantity", "quantities"]

OTHER = "other"
"""The catch-all category: a paragraph none of the activity categories fits."""

_UNITS = alternation("units")
_QUANTITY = re.compile(rf"(\d+(?:\.\d+)?)\s*({alternation('more_than')})?\s*({_UNITS})")
_COMPARISON = re.compile(rf"[≥≤><=＞＜]|{alternation('at_least', 'at_most')}")
_AT_LEAST = ("≥", ">", "＞", *terms("at_least"))


@dataclass(frozen=True)
class Quantity:
    """A number with its unit, and how a target compares with it.

    Attributes
    ----------
    value : float
    unit : str
        ``次``, ``家次``, ``万元``, ``%`` …
    comparison : str
        ``">="``, ``"<="`` or ``"="``.
    text : str
        The words it was read from (``"300多家次"``).
    """

    value: float
    unit: str
    comparison: str
    text: str


def parse_quantity(text):
    """The first number with a unit in `text`, with its comparison, or None.

    Examples
    --------
    >>> parse_quantity("≥20次")
    Quantity(value=20.0, unit='次', comparison='>=', text='20次')
    >>> parse_quantity("不超过5万元").comparison
    '<='
    >>> parse_quantity("按时完成") is None
    True
    """
    m = _QUANTITY.search(text or "")
    if not m:
        return None
    cue = _COMPARISON.search(text)
    comparison = "=" if not cue else ">=" if cue.group(0) in _AT_LEAST else "<="
    return Quantity(float(m.group(1)), m.group(3), comparison, m.group(0).replace(" ", ""))


_NUMBER = re.compile(r"\s*([-+]?\d+(?:\.\d+)?)\s*(" + _UNITS + r"|分)?\s*")


def parse_number(cell):
    """The number a table cell holds (``"7.10"``, ``"129.00%"``, ``"15分"``), or None when it holds more.

    Examples
    --------
    >>> parse_number("129.00%"), parse_number(" 15 "), parse_number("≥20次"), parse_number("")
    (129.0, 15.0, None, None)
    """
    m = _NUMBER.fullmatch(cell or "")
    return float(m.group(1)) if m else None


def quantities(text, unit=None):
    """Numbers with a unit in `text`, e.g. ``["300多家次"]``; only those of `unit` if given.

    Examples
    --------
    >>> quantities("走访企业300多家次，举办培训2期", "次")
    ['300多家次']
    """
    found = []
    for m in _QUANTITY.finditer(text or ""):
        if unit is None or m.group(3) == unit or (unit == "次" and m.group(3).endswith(unit)):  # 家次, 人次
            found.append(m.group(0).replace(" ", ""))
    return found


@dataclass(frozen=True)
class Indicator:
    """One row of an indicator table.

    Attributes
    ----------
    id : str
    name : str
        The 三级指标.
    level1, level2 : str
        The 一级 and 二级指标.
    target, actual : str
        指标值 and 完成值, as written.
    points, score : str or None
        分值 (the row's points) and 得分 (the score it was given); None when the
        table has no such column.
    project : str
        The project its table is about (the 项目名称 / 项目支出名称 row above it); "" when the table names
        none. Reports with one table per project repeat indicator names (成本预算) from table to table.
    context : str
        The table rows above the indicator (project name, goals), column headers
        left out; "" when unknown (an indicator file without a ``context`` column).
    doc_id : str or None
        The document it belongs to; None when not given.
    """

    id: str
    name: str
    level1: str = ""
    level2: str = ""
    target: str = ""
    actual: str = ""
    points: str | None = None
    score: str | None = None
    project: str = ""
    context: str = ""
    doc_id: str | None = None

    @classmethod
    def from_record(cls, record):
        """An indicator from a mapping (a table row, a corpus record); unknown keys are ignored.

        Empty cells (None, NaN) become "" (None for ``doc_id``, ``points`` and ``score``).
        """
        values = {}
        for f in fields(cls):
            value = record.get(f.name)
            if value is None or value != value:  # NaN: an empty cell
                value = None if f.default is None else ""
            elif not isinstance(value, str):
                value = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
            values[f.name] = value
        values["doc_id"] = values["doc_id"] or None
        return cls(**values)

    @property
    def has_context(self):
        """Whether the table rows above it are known (it is then scored by the linker trained with them)."""
        return bool(self.context.strip())

    @cached_property
    def target_quantity(self):
        """The target's number, unit and comparison (`Quantity`), or None."""
        return parse_quantity(self.target)

    @cached_property
    def actual_quantity(self):
        """The completion value's number and unit (`Quantity`), or None."""
        return parse_quantity(self.actual)

    @cached_property
    def points_value(self):
        """The row's points (分值) as a number, or None when absent or not a number."""
        return parse_number(self.points)

    @cached_property
    def score_value(self):
        """The score given (得分) as a number, or None when absent or not a number."""
        return parse_number(self.score)

    def table_fields(self):
        """The cells as the ``read`` command writes them: levels, name, target, actual, and points
        and score where the table has them."""
        out = {"level1": self.level1, "level2": self.level2, "name": self.name, "target": self.target,
               "actual": self.actual}
        out.update({k: getattr(self, k) for k in ("points", "score") if getattr(self, k) is not None})
        return out


@dataclass(frozen=True)
class Block:
    """One block of a document.

    Attributes
    ----------
    doc_id : str
        The document it comes from.
    id : str
        ``f"{doc_id}-{n:03d}"``, n the 1-based position of the block in the
        document (blocks of every kind counted).
    kind : str
        ``"heading"``, ``"paragraph"``, ``"table_row"`` or ``"indicator"``.
    section : str
        Texts of the enclosing headings joined by `` > ``; "" at the top.
    text : str
        The cleaned text, in the document's own script. Table rows and
        indicators give their cells joined by `` | ``.
    indicator : Indicator or None
        Only for indicators.
    """

    doc_id: str
    id: str
    kind: str
    section: str
    text: str
    indicator: Indicator | None = None

    def to_dict(self):
        """Return the block as the ``read`` command writes it.

        Examples
        --------
        >>> Block("d", "d-001", "paragraph", "", "正文。").to_dict()
        {'doc_id': 'd', 'id': 'd-001', 'kind': 'paragraph', 'section': '', 'text': '正文。'}
        """
        out = {"doc_id": self.doc_id, "id": self.id, "kind": self.kind, "section": self.section, "text": self.text}
        if self.kind == "indicator":
            out["indicator"] = self.indicator.table_fields() if self.indicator else {}
        return out
