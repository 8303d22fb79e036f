"""Compiled volumes: one file holding several reports, split into the reports.

A report of a volume begins with its own title (…绩效自评报告, …自评表,
…评价报告) on a line of its own, with what is printed above the title on its first page: an annex
label (附件2), the letterhead (…文件), a document number (…〔2024〕5号) and
the unit's name. A title starts a new report only when the report before it
has a body, and not when it is

- an annex of the report before it: that report listed its annexes (a line
  附件：) and the title comes under an annex label;
- a title the report before it already has, numbered on (自评表 2).
"""
import re

from .clean import heading_level, is_date_line
from .vocabulary import alternation

__all__ = ["split_units"]

_REPORT_TITLE = re.compile(rf"({alternation('report_title')})\s*$")
_ANNEX_LIST = re.compile(r"附件\s*[:：]\s*$")
_DOCUMENT_NUMBER = re.compile(r"[〔\[【(（]\s*\d{4}\s*[〕\]】)）]\s*\d+\s*号$")
_UNIT_NAME = re.compile(r"[\u4e00-\u9fff（）()]{2,30}")
# Characters of body text a report needs before a title can start the next one.
_BODY = 200


def _title(text):
    text = re.sub(r"^#{1,6}\s*", "", text.strip())
    if heading_level(text) != 1 or not _REPORT_TITLE.search(text):
        return None
    return re.sub(r"[\s\d]+$", "", text)


def _front_matter(text):
    """Tell whether a line may stand above a report's title on its first page."""
    text = text.strip()
    return (not text or heading_level(text) == 0 or text.endswith("文件") or bool(_DOCUMENT_NUMBER.search(text))
            or bool(_UNIT_NAME.fullmatch(text)) or is_date_line(text))


def split_units(units, text_of):
    """Split the units of a document (lines, paragraphs, tables) into the reports it holds.

    Parameters
    ----------
    units : list
        The document's pieces in order.
    text_of : callable
        The text of a unit that may be a title or a line above one, else None (a table).

    Returns
    -------
    list of list
        The units of each report; one list when the document is one report.

    Examples
    --------
    >>> body = ["一、部门概况", "本单位" + "做好服务工作，" * 40]
    >>> parts = split_units(["甲县工商联绩效自评报告"] + body + ["附件2", "乙县工商联绩效自评报告"] + body, str)
    >>> [part[0] for part in parts]
    ['甲县工商联绩效自评报告', '附件2']
    """
    starts, body, titles, annexes = [0], 0, set(), False
    label = prose = -1  # where the last annex label and the last line of running text or table are
    for i, unit in enumerate(units):
        text = text_of(unit)
        title = _title(text) if text else None
        before = text_of(units[i - 1]) if i else ""
        if title is not None and (before is None or _front_matter(before)):
            start = i
            while start > starts[-1] and text_of(units[start - 1]) is not None and _front_matter(text_of(units[start - 1])) \
                    and i - start < 8:
                start -= 1
            if body >= _BODY and title not in titles and not (annexes and label > prose):
                starts.append(start)
                body, titles, annexes = 0, set(), False
            titles.add(title)
        elif text is None:
            body, prose = body + _BODY, i  # a table is body enough
        else:
            body += len(text.strip())
            annexes = annexes or bool(_ANNEX_LIST.match(text.strip()))
            label = i if heading_level(text.strip()) == 0 else label
            prose = i if len(text.strip()) >= 40 else prose
    return [units[a:b] for a, b in zip(starts, starts[1:] + [len(units)])]
