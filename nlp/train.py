"""Training and evaluation: document-grouped cross-validation, metrics, the shipped model."""
import datetime as dt
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.metrics import precision_recall_fscore_support
from sklearn.model_selection import GroupKFold

from .classify import EvidenceLinker, make_text_pipeline, text_tokenizer
from .corpus import load_corpus, validate_corpus
from .errors import InputError
from .link import (CONTEXT_COLUMNS, FEATURE_NAMES, LinkScorer, has_context, indicator_text, pair_features,
                   status_of, synonym_groups)
from .model import Model, check_model_target, library_versions, load_model, save_model
from .tag import Tagger

__all__ = ["train_model", "evaluate_model", "cross_validate", "expected_calibration_error", "leave_one_report_out",
           "ranking_metrics", "reliability_diagram"]

FOLDS = 5
# Status cut-offs are chosen on out-of-fold link confidences from these candidates.
_CUTOFFS = np.round(np.arange(0.05, 0.96, 0.05), 2)


def expected_calibration_error(y, proba, bins=10):
    """ECE: the mean gap between confidence and frequency over equal-width bins, weighted by bin size.

    Examples
    --------
    >>> expected_calibration_error([0, 1], [0.0, 1.0])
    0.0
    """
    y, proba = np.asarray(y, float).ravel(), np.asarray(proba, float).ravel()
    if not len(y):
        return 0.0
    which = np.minimum((proba * bins).astype(int), bins - 1)
    gap = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            gap += mask.sum() * abs(proba[mask].mean() - y[mask].mean())
    return float(gap / len(y))


def _checked(path, folds):
    """The corpus at `path`, refused with its first problem; `folds=0` skips the training-size check."""
    corpus = load_corpus(path)
    problems = validate_corpus(corpus, folds=folds)
    if problems:
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise InputError(path, problems[0] + more)
    return corpus


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
    X, pairs = pair_features(tokenizer, ind.to_dict("records"), paragraphs, ind_proba, par_proba[rows], synonyms)
    if not len(X):
        return None
    evidence = [set(e) for e in ind["evidence"]]
    y = np.array([int(paragraphs[j]["id"] in evidence[i]) for i, j in pairs])
    return X, y, pairs[:, 0]


def ranking_metrics(y, conf, owner, k=3):
    """Mean average precision and recall@k over indicators that have evidence.

    Recall@k is capped: the share of the top ``min(k, n_evidence)`` places held by
    evidence, so an indicator with ten supporting paragraphs can still score 1.
    """
    aps, recalls = [], []
    for i in np.unique(owner):
        mask = owner == i
        yi, ci = y[mask], conf[mask]
        if yi.sum() == 0:
            continue
        order = np.argsort(-ci, kind="stable")
        hits = yi[order]
        precision_at = np.cumsum(hits) / np.arange(1, len(hits) + 1)
        aps.append(float((precision_at * hits).sum() / hits.sum()))
        recalls.append(float(hits[:k].sum() / min(k, hits.sum())))
    return (float(np.mean(aps)) if aps else float("nan"), float(np.mean(recalls)) if recalls else float("nan"))


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


def _has_context(indicators):
    """`has_context` of each row of a corpus' indicator table."""
    return np.array([has_context(r) for r in indicators.to_dict("records")], bool)


def _without_context(X):
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


def _defined(figure):
    """None for an undefined figure (NaN: nothing to rank or nothing flagged), so metrics stay valid JSON."""
    return None if figure != figure else figure


def _link_scores(y, conf, owner, supported, weak):
    mean_ap, recall3 = ranking_metrics(y, conf, owner)
    ids = np.unique(owner)
    status = np.array([status_of(conf[owner == i], supported, weak) for i in ids])
    has = np.array([y[owner == i].max() for i in ids])
    flagged = status == "unsupported"
    tp = int((flagged & (has == 0)).sum())
    return {
        "indicators": int(len(ids)), "indicators_with_evidence": int(has.sum()), "pairs": int(len(y)),
        "map": _defined(mean_ap), "recall_at_3": _defined(recall3),
        "link_ece": expected_calibration_error(y, conf),
        "flagged_unsupported": int(flagged.sum()), "flagged_right": tp,
        "unsupported_precision": float(tp / flagged.sum()) if flagged.any() else None,
        "unsupported_recall": float(tp / (has == 0).sum()) if (has == 0).any() else None,
    }


def _link_metrics(y, conf, owner, reports, supported, weak):
    """Link metrics over all indicators and per report (`reports`: the document of each indicator)."""
    of_pair = np.asarray(reports)[owner]
    per_report = {str(r): _link_scores(y[of_pair == r], conf[of_pair == r], owner[of_pair == r], supported, weak)
                  for r in np.unique(of_pair)}
    return {**_link_scores(y, conf, owner, supported, weak), "per_report": per_report,
            "cutoffs": {"supported": supported, "weak": weak}}


def _tagging_metrics(Y, pred, proba, categories):
    p, r, f, s = precision_recall_fscore_support(Y, pred, zero_division=0)
    per = {c: {"precision": float(p[j]), "recall": float(r[j]), "f1": float(f[j]), "support": int(s[j])}
           for j, c in enumerate(categories)}
    return {"per_category": per, "macro_f1": float(np.mean(f)), "ece": expected_calibration_error(Y, proba)}


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
        Out-of-fold paragraph and indicator probabilities (used to train the linker).
    """
    tagger = tagger if tagger is not None else make_text_pipeline()
    p, ind = corpus.paragraphs, corpus.indicators
    texts, Y = p["text"].tolist(), corpus.label_matrix()
    groups = p["doc_id"].astype(str).to_numpy()
    par_proba = np.zeros(Y.shape, float)
    pred = np.zeros(Y.shape, int)
    ind_proba = np.zeros((len(ind), Y.shape[1]))
    ind_docs = ind["doc_id"].astype(str).to_numpy() if len(ind) else np.array([])
    n_folds = min(folds, len(np.unique(groups)))
    for train, test in GroupKFold(n_splits=n_folds).split(texts, Y, groups):
        model = clone(tagger).fit([texts[i] for i in train], Y[train], classifier__groups=groups[train])
        par_proba[test] = model.predict_proba([texts[i] for i in test])
        pred[test] = model.predict([texts[i] for i in test])
        held = np.isin(ind_docs, np.unique(groups[test]))
        if held.any():
            ind_proba[held] = model.predict_proba([indicator_text(r) for r in ind[held].to_dict("records")])
    metrics = {"tagging": _tagging_metrics(Y, pred, par_proba, corpus.categories), "folds": n_folds}
    oof = {"paragraphs": par_proba, "indicators": ind_proba}
    if len(ind):
        tokenizer = text_tokenizer(tagger)
        rows = _link_rows(corpus, tokenizer, par_proba, ind_proba)
        if rows is not None:
            X, y, owner = rows
            # Scored as at inference: an indicator without table context by the linker trained without it.
            bare = leave_one_report_out(_without_context(X), y, ind_docs[owner], linker=linker)
            has_context = _has_context(ind)[owner]
            conf = np.where(has_context, leave_one_report_out(X, y, ind_docs[owner], linker=linker), bare)
            supported, weak = _status_cutoffs(y, conf, owner)
            metrics["linking"] = _link_metrics(y, conf, owner, ind_docs, supported, weak)
            # All indicators given without their table context, as from an indicator file.
            mean_ap, recall3 = ranking_metrics(y, bare, owner)
            metrics["linking"]["without_context"] = {"map": _defined(mean_ap), "recall_at_3": _defined(recall3),
                                                     "link_ece": expected_calibration_error(y, bare)}
            oof["links"] = (X, y, owner)
    return metrics, oof


def train_model(corpus_path, *, out, folds=FOLDS):
    """Check a labelled corpus, cross-validate, fit on all of it and save the model to `out`.

    Parameters
    ----------
    corpus_path : str or Path
        A corpus directory or a paragraph table with a ``labels`` column.
    out : str or Path
        Model directory; replaced only when training has succeeded.

    Returns
    -------
    Model

    Raises
    ------
    InputError
        The corpus is missing, malformed or unfit for training (nothing is written).
    """
    corpus = _checked(corpus_path, folds)
    check_model_target(out)
    tagger, evidence_linker = make_text_pipeline(), EvidenceLinker()
    metrics, oof = cross_validate(corpus, folds=folds, tagger=tagger, linker=evidence_linker)
    p = corpus.paragraphs
    tagger.fit(p["text"].tolist(), corpus.label_matrix(), classifier__groups=p["doc_id"].astype(str).to_numpy())
    linker = without_context = None
    cutoffs = {"supported": 0.5, "weak": 0.2}
    if "links" in oof:
        X, y, _ = oof["links"]
        linker = LinkScorer.from_estimator(clone(evidence_linker).fit(X, y))
        without_context = LinkScorer.from_estimator(clone(evidence_linker).fit(_without_context(X), y))
        cutoffs = metrics["linking"]["cutoffs"]
    meta = {
        "categories": corpus.categories,
        "thresholds": [float(t) for t in tagger.named_steps["classifier"].thresholds_],
        "classifier": {k: v for k, v in tagger.named_steps["classifier"].get_params().items()},
        "linker": {**evidence_linker.get_params(), "features": FEATURE_NAMES, "synonyms": synonym_groups()}
        if linker is not None else None,
        "status_cutoffs": cutoffs,
        "versions": library_versions(),
        "corpus": {"path": Path(corpus_path).name, "sha256": corpus.fingerprint(),
                   "paragraphs": len(p), "documents": int(p["doc_id"].nunique()),
                   "indicators": len(corpus.indicators)},
        "trained": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "cross_validated": metrics,
    }
    model = Model(tagger=Tagger.from_pipeline(tagger), linker=linker, linker_without_context=without_context,
                  meta=meta)
    save_model(model, out)
    return model


def _plotting(path):
    """matplotlib, once a plot can be written to `path`."""
    try:
        import matplotlib
    except ImportError:
        raise InputError(path, "the reliability diagram needs matplotlib: pip install matplotlib") from None
    if not Path(path).resolve().parent.is_dir():
        raise InputError(path, "its folder does not exist")
    return matplotlib


def reliability_diagram(Y, proba, path, bins=10):
    """Write a reliability diagram (mean score against observed frequency per bin) as a PNG."""
    from .write import atomic_path

    _plotting(path).use("Agg")
    import matplotlib.pyplot as plt

    y, p = np.asarray(Y, float).ravel(), np.asarray(proba, float).ravel()
    which = np.minimum((p * bins).astype(int), bins - 1)
    used = [b for b in range(bins) if (which == b).any()]
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, 1], [0, 1], ls="--", c="grey", lw=1)
    ax.plot([p[which == b].mean() for b in used], [y[which == b].mean() for b in used], "o-")
    ax.set(xlabel="mean predicted probability", ylabel="observed frequency", xlim=(0, 1), ylim=(0, 1),
           title=f"category scores, ECE {expected_calibration_error(y, p):.3f}")
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=100)
    plt.close(fig)


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
    corpus = _checked(corpus_path, 0)
    model = load_model(model_dir)
    if plot:
        _plotting(plot)  # refused now rather than after the cross-validation
    if corpus.fingerprint() == model.meta["corpus"]["sha256"]:
        _checked(corpus_path, folds)
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
    metrics = {"tagging": _tagging_metrics(Y, pred, proba[:, cols], known)}
    if len(corpus.indicators) and model.linker is not None:
        ind_proba = model.predict_proba([indicator_text(r) for r in corpus.indicators.to_dict("records")])
        rows = _link_rows(corpus, model.tokenizer, proba, ind_proba, model.meta["linker"]["synonyms"])
        if rows is not None:
            X, y, owner = rows
            bare = model.linker_without_context or model.linker
            conf = np.where(_has_context(corpus.indicators)[owner], model.linker.confidence(X), bare.confidence(X))
            cut = model.meta["status_cutoffs"]
            reports = corpus.indicators["doc_id"].astype(str).to_numpy()
            metrics["linking"] = _link_metrics(y, conf, owner, reports, cut["supported"], cut["weak"])
    return metrics, Y, proba[:, cols]
