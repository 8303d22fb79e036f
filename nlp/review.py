"""The reviewer's outputs: one HTML page or one workbook for one or several reports.

Each report is annotated (`nlp.annotate.annotate`: tags and evidence) and
audited (`nlp.audit.audit`); `review_data` puts the two side by side, and
`write_review` renders them as a self-contained page (Jinja2 templates in
``nlp/templates/``, report text always escaped) or as an .xlsx workbook.
"""
import re
from pathlib import Path

from .annotate import annotate
from .audit import SEVERITIES, audit
from .batch import find_inputs
from .errors import InputError
from .model import load_model
from .progress import progress_bar, wanted
from .read import read_input
from .records import quantities
from .vocabulary import alternation
from .write import atomic_path, check_writable

__all__ = ["NAMES", "STATUSES", "highlight", "paragraph_label", "review_data", "totals", "write_review"]

STATUSES = ("supported", "weak", "unsupported")
_UNIT = re.compile(rf"[\u4e00-\u9fff（）()]{{2,30}}?(?:{alternation('unit_name')})")
_YEAR = re.compile(r"(20\d\d)\s*年")
# What the page calls the statuses, categories and findings; the machine values stay in its data attributes.
NAMES = {
    "status": {"supported": "有依据", "weak": "依据较弱", "unsupported": "无依据"},
    "category": {"political_guidance": "政治引领", "enterprise_services": "服务企业",
                 "poverty_alleviation": "脱贫攻坚与光彩事业", "investment_promotion": "招商引资", "other": "其他"},
    "finding": {"score-above-points": "得分高于分值", "total-mismatch": "合计不符",
                "full-marks-target-missed": "未达指标值却得满分", "budget-rate-mismatch": "预算执行率不符",
                "target-missed": "未达指标值", "all-100": "完成值均为100%", "all-full-marks": "各项均得满分",
                "missing-target": "缺指标值", "missing-actual": "缺完成值", "missing-score": "缺得分",
                "missing-points": "缺分值", "full-marks-unsupported": "满分但正文无依据"},
}
_PLAIN_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?")
# Status colours of the page and the workbook (fill, as RRGGBB).
COLOURS = {"supported": "C6EFCE", "weak": "FFEB9C", "unsupported": "FFC7CE"}


def highlight(text, terms):
    """Split `text` into ``(piece, marked)`` pairs, the pieces that are one of `terms` marked.

    Examples
    --------
    >>> highlight("走访企业32家", ["走访", "32家"])
    [('走访', True), ('企业', False), ('32家', True)]
    """
    terms = sorted({t for t in terms if t}, key=len, reverse=True)
    if not terms:
        return [(text, False)] if text else []
    pattern = re.compile("|".join(re.escape(t) for t in terms))
    out, start = [], 0
    for m in pattern.finditer(text):
        if m.start() > start:
            out.append((text[start:m.start()], False))
        out.append((m.group(0), True))
        start = m.end()
    if start < len(text):
        out.append((text[start:], False))
    return out


def _terms(indicator, tokenizer):
    """The indicator's words (two characters or more) and the numbers with a unit it states."""
    words = [w for w in tokenizer.jieba.cut(f"{indicator['name']} {indicator['target']}") if len(w.strip()) >= 2]
    return [w for w in words if not w.isdigit()] + quantities(indicator["target"]) + quantities(indicator["actual"])


def _report(source, model):
    blocks = read_input(source.path, doc_id=source.doc_id)
    annotation = annotate(blocks, model=model)
    evidence = annotation.evidence
    findings = [f.to_dict() for f in audit(blocks, evidence=evidence)]
    by_indicator = {}
    for f in findings:
        by_indicator.setdefault(f["indicator"], []).append(f)
    text = "\n".join(b.text for b in blocks[:40])
    unit, year = _UNIT.search(text), _YEAR.search(text)
    numbers = {t["id"]: n for n, t in enumerate(annotation.tags, 1)}
    links = {p: [] for p in numbers}
    indicators = []
    fields = {b.indicator.id: b.indicator for b in blocks if b.kind == "indicator"}
    for row in evidence:
        ind = fields.get(row["indicator"]["id"])
        cells = ind.table_fields() if ind else row["indicator"]
        terms = _terms(cells, model.tokenizer)
        item = {"id": row["indicator"]["id"], "project": ind.project if ind else "", **cells,
                "points": cells.get("points") or "", "score": cells.get("score") or "", "status": row["status"],
                "best": row["evidence"][0]["confidence"] if row["evidence"] else None,
                "evidence": [{**e, "number": numbers.get(e["id"]),
                              "pieces": highlight(e["text"], terms + e.get("quantities", []))} for e in row["evidence"]],
                "findings": by_indicator.get(row["indicator"]["id"], [])}
        for e in row["evidence"]:
            links.setdefault(e["id"], []).append({"id": item["id"], "name": item["name"]})
        indicators.append(item)
    counts = {s: sum(i["status"] == s for i in indicators) for s in STATUSES}
    categories = list(model.categories)
    shares = {c: (sum(c in t["labels"] for t in annotation.tags) / len(annotation.tags) if annotation.tags else 0.0)
              for c in categories}
    return {"doc_id": blocks[0].doc_id, "source": source.path, "unit": unit.group(0) if unit else "",
            "year": year.group(1) if year else "", "paragraphs": annotation.tags, "indicators": indicators,
            "links": links, "counts": counts, "shares": shares, "categories": categories,
            "findings": findings, "table_findings": by_indicator.get("", []), "has_table": bool(fields)}


def review_data(sources, *, model_dir=None, progress=None, on_error=None, exclude=()):
    """What the review shows for each report: its paragraphs, indicators, evidence and findings.

    Parameters
    ----------
    sources : list of str
        Reports (or paragraph tables) and folders, searched as by `nlp.batch.find_inputs`.
    model_dir : str, optional
        Default: the shipped model.
    progress : bool, optional
        A progress bar on standard error; default: when it is a terminal and there are several reports.
    on_error : callable, optional
        Called with the `InputError` of each input that cannot be read; the others are still reviewed.
        Without it, the first such error is raised.
    exclude : collection of path-like
        Files never taken from a folder (the review's own output).

    Returns
    -------
    list of dict
        One per report: ``doc_id``, ``unit``, ``year``, ``paragraphs`` (``nlp tag`` rows), ``indicators``
        (cells, ``status``, ``best``, ``evidence`` with highlighted ``pieces`` and the paragraph's ``number``
        in the narrative, ``findings``), ``links`` (per paragraph, the indicators it is evidence for),
        ``counts`` by status, category ``shares``, ``findings``.
    """
    inputs, problems = find_inputs(sources, exclude=exclude)
    model = load_model(model_dir)
    reports = []
    for problem in problems:
        _fail(problem, on_error)
    for item in progress_bar(inputs, show=wanted(progress) and len(inputs) > 1, unit="report"):
        try:
            reports.append(_report(item, model))
        except InputError as e:
            _fail(e, on_error)
    return reports


def _fail(error, on_error):
    if on_error is None:
        raise error
    on_error(error)


def _render_html(reports):
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("nlp", "templates"), autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    return env.get_template("review.html.j2").render(reports=reports, statuses=STATUSES, colours=COLOURS,
                                                     severities=SEVERITIES, names=NAMES,
                                                     paragraph_label=paragraph_label)


def paragraph_label(number):
    """How the page names the `number`-th paragraph of a report's narrative, there and in evidence links.

    >>> paragraph_label(7)
    '第 7 段'
    """
    return f"第 {number} 段"


def _findings_text(findings, named=False):
    """Findings one a line; `named`: each after the indicator or row it is about."""
    return "\n".join((f"{f['name']}: " if named and f.get("name") else "") + f"{f['code']}: {f['message']}"
                     for f in findings)


def _number(text):
    """`text` as an int or a float when it is a plain number (``"15"``, ``"95.10"``), with its
    Excel number format (the decimals as written); else None.

    Examples
    --------
    >>> _number("95.10"), _number("2020"), _number("93.3%"), _number("007")
    ((95.1, '0.00'), (2020, 'General'), None, None)
    """
    if not _PLAIN_NUMBER.fullmatch(text.strip()):
        return None
    whole, _, decimals = text.strip().partition(".")
    return (float(text), f"0.{'0' * len(decimals)}") if decimals else (int(whole), "General")


def _sheet(wb, title, columns, rows, widths, status_column=None, numeric=()):
    """A sheet of `rows` under the header `columns`; text cells of the `numeric` columns that are
    plain numbers are stored as numbers."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    ws.append(columns)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
    wrap = Alignment(wrap_text=True, vertical="top")
    for n, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(n)].width = width
    numeric = {columns.index(c) for c in numeric}
    for line in ws.iter_rows(min_row=2):
        for n, cell in enumerate(line):
            cell.alignment = wrap
            number = _number(cell.value) if n in numeric and isinstance(cell.value, str) else None
            if number:
                cell.value, cell.number_format = number
        if status_column is not None:
            status = line[status_column].value
            if status in COLOURS:
                line[status_column].fill = PatternFill("solid", start_color=COLOURS[status], end_color=COLOURS[status])
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    return ws


def _write_xlsx(reports, path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    categories = list(dict.fromkeys(c for r in reports for c in r["categories"]))
    _sheet(wb, "summary",
           ["report", "unit", "year", "paragraphs", "indicators", *STATUSES, "findings",
            *[f"share {c}" for c in categories], "finding list"],
           [[r["doc_id"], r["unit"], r["year"], len(r["paragraphs"]), len(r["indicators"]),
             *[r["counts"][s] for s in STATUSES], len(r["findings"]),
             *[round(r["shares"].get(c, 0.0), 3) for c in categories], _findings_text(r["findings"], named=True)]
            for r in reports],
           [24, 28, 6, 11, 11, 11, 8, 12, 9, *[12] * len(categories), 80], numeric=["year"])
    _sheet(wb, "indicators",
           ["report", "id", "project", "level1", "level2", "name", "target", "actual", "points", "score", "status",
            "best confidence", "best evidence", "findings"],
           [[r["doc_id"], i["id"], i["project"], i["level1"], i["level2"], i["name"], i["target"], i["actual"],
             i["points"], i["score"], i["status"], i["best"], i["evidence"][0]["text"] if i["evidence"] else "",
             _findings_text(i["findings"])] for r in reports for i in r["indicators"]],
           [24, 26, 24, 12, 16, 24, 30, 24, 7, 7, 12, 10, 60, 50], status_column=10,
           numeric=["target", "actual", "points", "score"])
    _sheet(wb, "links", ["report", "indicator", "project", "name", "rank", "paragraph", "confidence", "text"],
           [[r["doc_id"], i["id"], i["project"], i["name"], rank, e["id"], e["confidence"], e["text"]]
            for r in reports for i in r["indicators"] for rank, e in enumerate(i["evidence"], 1)],
           [24, 26, 24, 24, 6, 26, 11, 80])
    _sheet(wb, "paragraphs", ["report", "id", "section", "text", "labels", *categories],
           [[r["doc_id"], t["id"], t["section"], t["text"], "|".join(t["labels"]),
             *[t["scores"].get(c) for c in categories]] for r in reports for t in r["paragraphs"]],
           [24, 26, 30, 80, 24, *[12] * len(categories)])
    wb.save(path)


def totals(reports):
    """How many indicators of `reports` have each status, and how many findings they have in all.

    Examples
    --------
    >>> totals([{"counts": {"supported": 2, "weak": 0, "unsupported": 1}, "findings": [{}]}])
    {'supported': 2, 'weak': 0, 'unsupported': 1, 'findings': 1}
    """
    counts = {s: sum(r["counts"][s] for r in reports) for s in STATUSES}
    return {**counts, "findings": sum(len(r["findings"]) for r in reports)}


def write_review(sources, *, out, model_dir=None, progress=None, on_error=None):
    """Write the review of `sources` to `out`: a page (.html) or a workbook (.xlsx), atomically.

    `sources`, `on_error` as for `review_data`: with `on_error`, the reports that can be read are
    written and the others handed to it; when none can be read, nothing is written.

    Returns
    -------
    list of dict
        `review_data` of the reports.

    Raises
    ------
    InputError
        `out` is neither .html nor .xlsx, or cannot be written; a report cannot be read (without `on_error`).
    """
    suffix = Path(out).suffix.lower()
    if suffix not in (".html", ".htm", ".xlsx"):
        raise InputError(out, f"unknown review type '{suffix}'; expected .html or .xlsx")
    check_writable(out)
    reports = review_data(list(sources), model_dir=model_dir, progress=progress, on_error=on_error, exclude=[out])
    if not reports:
        return reports
    with atomic_path(out) as tmp:
        if suffix == ".xlsx":
            _write_xlsx(reports, tmp)
        else:
            tmp.write_text(_render_html(reports), encoding="utf-8")
    return reports
