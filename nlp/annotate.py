"""Annotating: one document tagged and linked.

`annotate` is what `nlp tag` and `nlp evidence` do to one document; the
command line, notebooks and batch runs (`nlp.batch`) all call it.
"""
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .errors import InputError
from .link import evidence_rows, indicators_of, link_confidences
from .model import load_model
from .progress import progress_bar, wanted
from .read import read_input

__all__ = ["Annotation", "annotate", "annotate_file", "evidence_file", "model_for"]


@dataclass
class Annotation:
    """What the tool says about one document.

    Attributes
    ----------
    tags : list of dict
        One object per paragraph (per block with ``all_blocks``), in the shape of ``nlp tag``.
    evidence : list of dict
        One object per indicator, in the shape of ``nlp evidence``; empty when no
        indicators are known or the model has no linker.
    """

    tags: list
    evidence: list


_CHUNK = 500  # paragraphs tagged between two updates of the progress bar


def _predict_proba(model, texts, bar):
    """`model.predict_proba(texts)`, in chunks that move the progress `bar` (each paragraph is scored on its own)."""
    parts = []
    for start in range(0, len(texts), _CHUNK):
        parts.append(model.predict_proba(texts[start:start + _CHUNK]))
        bar.update(len(parts[-1]))
    return np.vstack(parts) if parts else model.predict_proba(texts)


def _documents(items, indicators):
    """The items and indicators of each document, as index lists: a compiled volume is done report by report.

    A paragraph is linked to the indicators of its own document only (`nlp.link`), so doing one
    document at a time gives the same results, in work that grows with the reports, not their square.
    When a paragraph or an indicator has no doc_id (it goes with every document) it is one piece.
    """
    def known(doc):
        return doc is not None and doc == doc  # not None, not NaN

    if not all(known(b.doc_id) for b in items) or not all(known(i.doc_id) for i in indicators):
        return [(list(range(len(items))), list(range(len(indicators))))]
    parts = {}
    for n, block in enumerate(items):
        parts.setdefault(block.doc_id, ([], []))[0].append(n)
    for k, indicator in enumerate(indicators):
        parts.setdefault(indicator.doc_id, ([], []))[1].append(k)
    return list(parts.values())


def annotate(blocks, *, model, indicators=None, explain=False, all_blocks=False, top_k=5, min_confidence=None,
             progress=False):
    """Tag the paragraphs of a document and link them to its indicators.

    A file of several reports (a compiled volume) is done one report at a time; each report's
    paragraphs are segmented once, for tagging and linking both.

    Parameters
    ----------
    blocks : list of nlp.records.Block
    model : nlp.model.Model
    indicators : list of nlp.records.Indicator, optional
        Default: the document's own indicator table (``[]``: no links). A paragraph lists the links
        at or above the model's ``weak`` cut-off.
    explain : bool, default=False
        Add ``explain`` to each tag: per label, the terms that pushed it up.
    all_blocks : bool, default=False
        Tag headings and table rows too (they get no links).
    top_k : int, default=5
        Links kept per indicator in ``evidence``.
    min_confidence : float, optional
        Links under it are left out of ``evidence``; default: the model's ``weak`` cut-off.
    progress : bool or None, default=False
        Progress bars on standard error while a long document (over 500 paragraphs) is tagged and
        linked indicator by indicator; None: when it is a terminal.

    Returns
    -------
    Annotation
    """
    indicators = indicators_of(blocks) if indicators is None else indicators
    items = [b for b in blocks if b.kind == "paragraph" or (all_blocks and b.kind != "indicator")]
    linked = bool(indicators) and model.linker is not None
    tags, evidence = [None] * len(items), [None] * len(indicators)
    show = len(items) > _CHUNK and wanted(progress)
    with progress_bar(show=show, total=len(items), desc="tagging", unit="paragraph") as tagging, \
            progress_bar(show=show and linked, total=len(indicators), desc="linking", unit="indicator") as linking:
        for item_ids, indicator_ids in _documents(items, indicators):
            with model.tokenizer.remembering():
                part = _annotate_part([items[n] for n in item_ids], [indicators[k] for k in indicator_ids],
                                      model=model, linked=linked, explain=explain, top_k=top_k,
                                      min_confidence=min_confidence, bars=(tagging, linking))
            for n, row in zip(item_ids, part.tags):
                tags[n] = row
            for k, row in zip(indicator_ids, part.evidence):
                evidence[k] = row
    return Annotation(tags=tags, evidence=evidence if linked else [])


def _annotate_part(items, indicators, *, model, linked, explain, top_k, min_confidence, bars):
    """`annotate` on the items and indicators of one document; `bars` the tagging and linking progress bars."""
    tagging, linking = bars
    proba = _predict_proba(model, [b.text for b in items], tagging)
    labels = model.labels(proba)
    narrative = [n for n, b in enumerate(items) if b.kind == "paragraph"]  # only paragraphs are evidence
    paragraphs = [{"id": items[n].id, "text": items[n].text, "section": items[n].section, "doc_id": items[n].doc_id}
                  for n in narrative]
    conf = np.full((len(indicators), len(narrative)), np.nan)
    if linked and indicators:
        conf = link_confidences(paragraphs, indicators, model=model, paragraph_proba=proba[narrative],
                                step=linking.update)
    weak = model.meta["status_cutoffs"]["weak"] if linked else None
    column_of = dict(zip(narrative, np.nan_to_num(conf, nan=-1.0).T))
    tags = []
    for n, block in enumerate(items):
        row = {"doc_id": block.doc_id, "id": block.id, "kind": block.kind, "text": block.text,
               "section": block.section, "labels": labels[n],
               "scores": {c: round(float(p), 4) for c, p in zip(model.categories, proba[n])}}
        if linked:
            column = column_of.get(n, np.zeros(0))
            passed = np.flatnonzero(column >= weak)
            order = passed[np.argsort(-column[passed], kind="stable")]
            row["links"] = [{"indicator": indicators[i].id, "name": indicators[i].name,
                             "confidence": round(float(column[i]), 4)} for i in order]
        if explain:
            terms = model.tagger.explain(block.text, model.categories)
            row["explain"] = {c: terms[c] for c in labels[n] if c in terms}
        tags.append(row)
    evidence = evidence_rows(paragraphs, indicators, conf, model=model, top_k=top_k,
                             min_confidence=min_confidence) if linked else []
    return Annotation(tags=tags, evidence=evidence)


@lru_cache(maxsize=4)
def model_for(model_dir=None):
    """The model of `model_dir` (None: the shipped one), loaded once per process.

    Forked workers inherit it; a Dask worker loads it on its first task and keeps it.
    """
    return load_model(model_dir)


def annotate_file(source, *, doc_id=None, model_dir=None, indicators=None, ocr=None, **options):
    """`annotate` one input file (a report or a paragraph table), the model loaded once per process.

    `doc_id` is as for `nlp.read.read_input`; ``ocr`` (`nlp.ocr.OcrSettings`) says how scanned PDF pages are read.
    """
    return annotate(read_input(source, doc_id=doc_id, ocr=ocr), model=model_for(model_dir), indicators=indicators,
                    **options)


def _flat_evidence(rows, indicators):
    """Evidence as a spreadsheet wants it: one row per link (rank 1 the best), the indicator's cells on each,
    and one row with no link for an indicator without evidence."""
    by_id = {i.id: i for i in indicators}
    for row in rows:
        ind = by_id[row["indicator"]["id"]]
        cells = {"doc_id": row["doc_id"], "indicator": ind.id, "project": ind.project, "level1": ind.level1,
                 "level2": ind.level2, "name": ind.name, "target": ind.target, "actual": ind.actual,
                 "points": ind.points or "", "score": ind.score or "", "status": row["status"]}
        for rank, link in enumerate(row["evidence"] or [None], 1):
            link = link or {}
            yield {**cells, "rank": rank if link else None, "paragraph": link.get("id", ""),
                   "confidence": link.get("confidence"), "text": link.get("text", ""),
                   "quantities": "|".join(link.get("quantities", []))}


def evidence_file(source, *, doc_id=None, model_dir=None, indicator_file=None, top_k=5, min_confidence=None,
                  flat=False, ocr=None, progress=False):
    """The evidence of every indicator of one input: its own indicator table's, or `indicator_file`'s.

    With `flat`, one row per link for a spreadsheet (``rank``, ``paragraph``, ``confidence``, ``text``
    beside the indicator's cells, its ``project``, ``points`` and ``score``); else the ``nlp evidence`` shape.
    ``ocr`` (`nlp.ocr.OcrSettings`) says how scanned PDF pages are read; `min_confidence` and ``progress`` are
    as for `annotate`.

    Raises
    ------
    InputError
        No indicators, an indicator file of another document, or a model without a linker.
    """
    from .read import read_indicator_table

    model = model_for(model_dir)
    if model.linker is None:
        raise InputError(model.directory or "model", "the model has no linker (its corpus had no indicators)")
    blocks = read_input(source, doc_id=doc_id, ocr=ocr)
    indicators = read_indicator_table(indicator_file) if indicator_file else indicators_of(blocks)
    if not indicators:
        raise InputError(source, "no indicator table found in the report; give one with --indicators FILE")
    documents, named = {b.doc_id for b in blocks}, {i.doc_id for i in indicators} - {None}
    if named and not named & documents:
        raise InputError(indicator_file, f"no indicator's doc_id is a document of {source} "
                                         f"({', '.join(sorted(documents)[:3])}); fix or drop the doc_id column")
    rows = annotate(blocks, model=model, indicators=indicators, top_k=top_k, min_confidence=min_confidence,
                    progress=progress).evidence
    return list(_flat_evidence(rows, indicators)) if flat else rows
