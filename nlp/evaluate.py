"""Evaluation: document-grouped cross-validation of the tagger and the linker, and scoring a model held out.

Nothing is scored by a model that saw its document: the tagger's folds are
grouped by document, the linker leaves one report out at a time.
"""
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import GroupKFold

from .classify import EvidenceLinker, make_text_pipeline, text_tokenizer
from .corpus import checked_corpus
from .errors import InputError
from .link import CONTEXT_COLUMNS, indicator_text, pair_features, status_of
from .metrics import (expected_calibration_error, link_scores, ranking_metrics, reliability_diagram, tagging_metrics,
                      undefined_as_none)
from .model import load_model

__all__ = ["FOLDS", "cross_validate", "evaluate_model", "leave_one_report_out"]

FOLDS = 5
# Status cut-offs are chosen on out-of-fold link confidences from these candidates.
_CUTOFFS = np.round(np.arange(0.05, 0.96, 0.05), 2)


def _candidates(corpus):
    """Paragraph rows that can be evidence (headings and table rows cannot), by document."""
    out = {}
    for row, (doc, kind) in enumerate(zip(corpus.paragraphs["doc_id"], corpus.paragraphs["kind"])):
        if kind == "paragraph":
            out.setdefault(doc, []).append(row)
    return out


def _link_rows(corpus, tokenizer, par_proba, ind_proba, synonyms=None):
    """Link features of every indicator against every candidate paragraph of its document,
    with the 0/1 labels and the indicator each row belongs to."""
    p, ind = corpus.paragraphs, corpus.indicators
    rows = [r for doc_rows in _candidates(corpus).values() for r in doc_rows]
    paragraphs = p.iloc[rows].to_dict("records")
    X, pairs = pair_features(tokenizer, corpus.indicator_records(), paragraphs, ind_proba, par_proba[rows], synonyms)
    if not len(X):
        return None
    evidence = [set(e) for e in ind["evidence"]]
    y = np.array([int(paragraphs[j]["id"] in evidence[i]) for i, j in pairs])
    return X, y, pairs[:, 0]


def leave_one_report_out(X, y, docs, *, linker=None):
    """Out-of-fold link confidences: each report's pairs scored by a linker fitted on the other reports'.

    Parameters
    ----------
    X : ndarray of shape (n_pairs, n_features)
        Link features.
    y : ndarray of shape (n_pairs,)
        1 where the paragraph is evidence for the indicator.
    docs : ndarray of shape (n_pairs,)
        The report of each pair.
    linker : EvidenceLinker, optional
        Unfitted linker to clone for each report; default `EvidenceLinker()`.

    Returns
    -------
    ndarray of shape (n_pairs,)
    """
    linker = linker if linker is not None else EvidenceLinker()
    conf = np.zeros(len(y))
    for doc in np.unique(docs):
        test = docs == doc
        train_y = y[~test]
        if train_y.min() == train_y.max():
            conf[test] = train_y.mean()
            continue
        conf[test] = clone(linker).fit(X[~test], train_y).predict_proba(X[test])[:, 1]
    return conf


def _has_context(corpus):
    """Whether each indicator of the corpus comes with its table context."""
    return np.array([r.has_context for r in corpus.indicator_records()], bool)


def drop_context(X):
    """Link features as an indicator given without its table context has them."""
    X = X.copy()
    X[:, CONTEXT_COLUMNS] = 0.0
    return X


def _status_cutoffs(y, conf, owner):
    """Cut-offs for `supported` and `weak` chosen on out-of-fold confidences.

    `weak` maximises F1 of flagging indicators with no evidence as `unsupported`;
    `supported` is the lowest cut-off at or above it whose best links are right
    at least 80% of the time.
    """
    ids = np.unique(owner)
    best = np.array([conf[owner == i].max() for i in ids])
    has = np.array([y[owner == i].max() for i in ids])
    top_right = np.array([y[owner == i][np.argmax(conf[owner == i])] for i in ids])

    def f1_unsupported(t):
        flagged = best < t
        tp = (flagged & (has == 0)).sum()
        return 2 * tp / max(flagged.sum() + (has == 0).sum(), 1)

    weak = float(max(_CUTOFFS, key=f1_unsupported)) if (has == 0).any() else float(_CUTOFFS[0])
    supported = next((float(t) for t in _CUTOFFS if t >= weak and (best >= t).any()
                      and top_right[best >= t].mean() >= 0.8), max(weak, 0.5))
    return supported, weak


def _link_metrics(y, conf, owner, reports, supported, weak):
    """Link metrics over all indicators and per report (`reports`: the document of each indicator)."""
    status = {i: status_of(conf[owner == i], supported, weak) for i in np.unique(owner)}
    of_pair = np.asarray(reports)[owner]
    per_report = {str(r): link_scores(y[of_pair == r], conf[of_pair == r], owner[of_pair == r], status)
                  for r in np.unique(of_pair)}
    return {**link_scores(y, conf, owner, status), "per_report": per_report,
            "cutoffs": {"supported": supported, "weak": weak}}


def cross_validate(corpus, *, folds=FOLDS, tagger=None, linker=None):
    """Document-grouped cross-validation of the tagger and the linker on a checked corpus.

    Parameters
    ----------
    corpus : nlp.corpus.Corpus
    folds : int
        Folds for the tagger; the linker is scored leaving one document with indicators out at a time.
    tagger : Pipeline, optional
        Unfitted pipeline to score; default `make_text_pipeline()`.
    linker : EvidenceLinker, optional
        Unfitted linker to score; default `EvidenceLinker()`.

    Returns
    -------
    metrics : dict
        ``tagging`` and, when the corpus has indicators, ``linking`` metrics.
    oof : dict
        Out-of-fold paragraph and indicator probabilities (used to train the linker), and the link
        features, labels, indicators and out-of-fold confidences of the indicator–paragraph pairs.
    """
    tagger = tagger if tagger is not None else make_text_pipeline()
    p, ind = corpus.paragraphs, corpus.indicators
    texts, Y = p["text"].tolist(), corpus.label_matrix()
    groups = p["doc_id"].astype(str).to_numpy()
    par_proba = np.zeros(Y.shape, float)
    pred = np.zeros(Y.shape, int)
    ind_proba = np.zeros((len(ind), Y.shape[1]))
    ind_docs = ind["doc_id"].astype(str).to_numpy() if len(ind) else np.array([])
    records = corpus.indicator_records()
    n_folds = min(folds, len(np.unique(groups)))
    for train, test in GroupKFold(n_splits=n_folds).split(texts, Y, groups):
        model = clone(tagger).fit([texts[i] for i in train], Y[train], classifier__groups=groups[train])
        par_proba[test] = model.predict_proba([texts[i] for i in test])
        pred[test] = model.predict([texts[i] for i in test])
        held = np.flatnonzero(np.isin(ind_docs, np.unique(groups[test])))
        if len(held):
            ind_proba[held] = model.predict_proba([indicator_text(records[k]) for k in held])
    metrics = {"tagging": tagging_metrics(Y, pred, par_proba, corpus.categories), "folds": n_folds}
    oof = {"paragraphs": par_proba, "indicators": ind_proba}
    if len(ind):
        tokenizer = text_tokenizer(tagger)
        rows = _link_rows(corpus, tokenizer, par_proba, ind_proba)
        if rows is not None:
            X, y, owner = rows
            # Scored as at inference: an indicator without table context by the linker trained without it.
            bare = leave_one_report_out(drop_context(X), y, ind_docs[owner], linker=linker)
            has_context = _has_context(corpus)[owner]
            conf = np.where(has_context, leave_one_report_out(X, y, ind_docs[owner], linker=linker), bare)
            supported, weak = _status_cutoffs(y, conf, owner)
            metrics["linking"] = _link_metrics(y, conf, owner, ind_docs, supported, weak)
            # All indicators given without their table context, as from an indicator file.
            mean_ap, recall3 = ranking_metrics(y, bare, owner)
            metrics["linking"]["without_context"] = {"map": undefined_as_none(mean_ap), "recall_at_3": undefined_as_none(recall3),
                                                     "link_ece": expected_calibration_error(y, bare)}
            oof["links"] = (X, y, owner)
            oof["link_confidence"] = conf
    return metrics, oof


def _check_plot(path):
    """Refuse a plot that could not be written to `path` (no matplotlib, no such folder)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise InputError(path, "the reliability diagram needs matplotlib: pip install matplotlib") from None
    if not Path(path).resolve().parent.is_dir():
        raise InputError(path, "its folder does not exist")


def evaluate_model(corpus_path, *, model_dir=None, folds=FOLDS, plot=None):
    """Score a model on a labelled corpus.

    On the corpus the model was trained on, scores are from document-grouped
    cross-validation with the same settings (scoring a model on its own
    training data says nothing); on any other corpus the model is scored as is.

    Parameters
    ----------
    corpus_path : str or Path
    model_dir : str or Path, optional
        Default: the shipped model.
    plot : str or Path, optional
        Also write a reliability diagram of the category scores to this PNG.

    Returns
    -------
    dict
        ``mode`` (``cross-validated`` or ``held-out``), ``tagging`` and ``linking`` metrics.
    """
    corpus = checked_corpus(corpus_path, 0)
    model = load_model(model_dir)
    if plot:
        _check_plot(plot)  # refused now rather than after the cross-validation
    if corpus.fingerprint() == model.meta["corpus"]["sha256"]:
        checked_corpus(corpus_path, folds)
        tagger = make_text_pipeline(**model.meta["classifier"])
        settings = {k: v for k, v in (model.meta.get("linker") or {}).items() if k not in ("features", "synonyms")}
        metrics, oof = cross_validate(corpus, folds=folds, tagger=tagger, linker=EvidenceLinker(**settings))
        metrics, Y, proba = {"mode": "cross-validated", **metrics}, corpus.label_matrix(), oof["paragraphs"]
    else:
        held, Y, proba = _held_out(corpus, model)
        metrics = {"mode": "held-out", **held}
    if plot:
        reliability_diagram(Y, proba, plot)
    return metrics


def _held_out(corpus, model):
    p = corpus.paragraphs
    known = [c for c in corpus.categories if c in model.categories]
    cols = [model.categories.index(c) for c in known]
    proba = model.predict_proba(p["text"].tolist())
    labels = model.labels(proba)
    Y = corpus.label_matrix()[:, [corpus.categories.index(c) for c in known]]
    pred = np.array([[int(c in ls) for c in known] for ls in labels]).reshape(len(p), len(known))
    metrics = {"tagging": tagging_metrics(Y, pred, proba[:, cols], known)}
    if len(corpus.indicators) and model.linker is not None:
        ind_proba = model.predict_proba([indicator_text(r) for r in corpus.indicator_records()])
        rows = _link_rows(corpus, model.tokenizer, proba, ind_proba, model.meta["linker"]["synonyms"])
        if rows is not None:
            X, y, owner = rows
            bare = model.linker_without_context or model.linker
            conf = np.where(_has_context(corpus)[owner], model.linker.confidence(X), bare.confidence(X))
            cut = model.meta["status_cutoffs"]
            reports = corpus.indicators["doc_id"].astype(str).to_numpy()
            metrics["linking"] = _link_metrics(y, conf, owner, reports, cut["supported"], cut["weak"])
    return metrics, Y, proba[:, cols]
