"""Evaluation: document-grouped cross-validation of the tagger and the linker, and scoring a model held out.

Nothing is scored by a model that saw its document: the tagger's folds are
grouped by document, the linker leaves one report out at a time.
"""
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import GroupKFold

from .classify import EvidenceLinker, default_keywords, make_text_pipeline, simplify_all, text_tokenizer
from .corpus import checked_corpus
from .errors import InputError
from .link import STRUCTURE_COLUMNS, Candidates, indicator_text, project_of, project_scope, synonym_groups
from .metrics import link_scores, reliability_diagram, tagging_metrics
from .model import load_model
from .tag import guide_word_counts
from .progress import progress_bar, wanted

__all__ = ["FOLDS", "GENRE_PARTS", "LinkExamples", "cross_validate", "drop_structure", "evaluate_model",
           "keyword_rule", "link_examples", "link_fold_count", "one_report_out", "out_of_fold_links",
           "tagging_by_genre"]

FOLDS = 5
# Status cut-offs are chosen on out-of-fold link confidences from these candidates.
_CUTOFFS = np.round(np.arange(0.05, 0.96, 0.05), 2)
# The parts of the evaluation by genre: the seed reports' paragraph blocks, and web paragraphs by genre
# (news, and those written like a federation's own report).
GENRE_PARTS = {"reports": ("report",), "web_news": ("news",),
               "web_report_like": ("work_summary", "budget_disclosure", "other"),
               "web": ("news", "work_summary", "budget_disclosure", "other")}


@dataclass
class LinkExamples:
    """Every labelled indicator–paragraph pair of a corpus as a feature row.

    Attributes
    ----------
    X : ndarray of shape (n_pairs, n_features)
        `nlp.link.FEATURE_NAMES` columns.
    y : ndarray of shape (n_pairs,)
        1 where the paragraph supports the indicator.
    group : ndarray of str
        The candidate set a pair was ranked in: an indicator with its report's
        paragraphs, or an indicator with its judged pool.
    pooled : ndarray of bool
        The pair comes from the cross-document pool (else from the report's own evidence).
    indicator, paragraph : ndarray of str
        The ids of each pair's indicator and paragraph.
    indicator_doc, paragraph_doc : ndarray of str
    has_context : ndarray of bool
        The indicator comes with its table context (so is linked with structure).
    bm25 : ndarray
        The paragraph's BM25 score for the indicator among its candidates: the baseline.
    in_scope : ndarray of bool
        False where the paragraph lies in the part of its report about another project
        (`nlp.link.project_scope`): inference gives such a pair confidence 0.
    """

    X: np.ndarray
    y: np.ndarray
    group: np.ndarray
    pooled: np.ndarray
    indicator: np.ndarray
    paragraph: np.ndarray
    indicator_doc: np.ndarray
    paragraph_doc: np.ndarray
    has_context: np.ndarray
    bm25: np.ndarray
    in_scope: np.ndarray


def link_examples(corpus, tokenizer, par_proba, ind_proba, synonyms):
    """`LinkExamples` of a corpus: its reports' own evidence (every paragraph of a report a candidate) and
    its pool of judged pairs from other documents. None when it has neither."""
    p = corpus.paragraphs
    row_of = {pid: n for n, pid in enumerate(p["id"])}
    narrative = {}
    for n, (doc, kind) in enumerate(zip(p["doc_id"], p["kind"])):
        if kind == "paragraph":
            narrative.setdefault(doc, []).append(n)
    pool = {}
    for iid, pid, supports in zip(corpus.pool["indicator"], corpus.pool["paragraph"], corpus.pool["supports"]):
        pool.setdefault(iid, []).append((row_of[pid], bool(supports)))
    parts = []

    records = corpus.indicator_records()
    projects = {}
    for r in records:
        projects.setdefault(r.doc_id, []).append(project_of(r))

    def add(indicator, k, rows, labels, pooled):
        candidates = Candidates(p.iloc[rows].to_dict("records"), par_proba[rows], tokenizer=tokenizer,
                                synonyms=synonyms)
        n = len(rows)
        in_scope = np.ones(n, bool)
        if not pooled:
            names = projects[indicator.doc_id]
            in_scope = project_scope(candidates.sections, names)[names.index(project_of(indicator))]
        parts.append(dict(X=candidates.rows(indicator, ind_proba[k], pooled=pooled), y=np.asarray(labels, int),
                          group=np.full(n, f"{indicator.id} {'pool' if pooled else 'report'}"),
                          pooled=np.full(n, pooled), indicator=np.full(n, indicator.id),
                          paragraph=p["id"].to_numpy()[rows].astype(str), indicator_doc=np.full(n, str(indicator.doc_id)),
                          paragraph_doc=p["doc_id"].to_numpy()[rows].astype(str),
                          has_context=np.full(n, indicator.has_context), bm25=candidates.bm25_scores(indicator),
                          in_scope=in_scope))

    for k, (indicator, evidence) in enumerate(zip(records, corpus.indicators["evidence"])):
        rows = narrative.get(indicator.doc_id, [])
        if rows:
            add(indicator, k, rows, [p["id"].iat[n] in set(evidence) for n in rows], pooled=False)
        if indicator.id in pool:
            judged = pool[indicator.id]
            add(indicator, k, [n for n, _ in judged], [s for _, s in judged], pooled=True)
    if not parts:
        return None
    return LinkExamples(**{f: np.concatenate([part[f] for part in parts]) for f in parts[0]})


def drop_structure(X):
    """Link features as an indicator given without a report's structure (an indicator file) has them."""
    X = X.copy()
    X[:, STRUCTURE_COLUMNS] = 0.0
    return X


def _half(doc):
    """A fixed half (0 or 1) of the documents, for folds whose paragraphs are unseen too."""
    return int(hashlib.sha1(doc.encode("utf-8")).hexdigest()[:8], 16) % 2


def _link_folds(ex):
    """(train, test) masks of the link evaluation, so nothing is scored by a linker that saw its document.

    In-report pairs: one report out at a time (its indicators and its paragraphs unseen).
    Pooled pairs: one report's indicators against one half of the documents' paragraphs, the
    linker trained on the other reports' indicators and the other half's paragraphs.
    """
    halves = np.array([_half(d) for d in ex.paragraph_doc])
    for report in np.unique(ex.indicator_doc):
        seen = (ex.indicator_doc != report) & (ex.paragraph_doc != report)
        yield seen, ~ex.pooled & (ex.indicator_doc == report)
        for h in (0, 1):
            yield seen & (halves != h), ex.pooled & (ex.indicator_doc == report) & (halves == h)


def link_fold_count(ex):
    """How many folds of `_link_folds` have pairs to score: the linker fits of `out_of_fold_links`."""
    return sum(bool(test.any()) for _, test in _link_folds(ex))


def out_of_fold_links(ex, *, linker=None, structure=True, step=None):
    """Link confidences of every pair from a linker that saw neither its indicator's report nor its paragraph's.

    Parameters
    ----------
    ex : LinkExamples
    linker : EvidenceLinker, optional
        Unfitted linker to clone for each fold; default `EvidenceLinker()`.
    structure : bool, default=True
        False: score as without a report's structure (`drop_structure`).
    step : callable, optional
        Called with 1 after each fold (a progress bar's ``update``); `link_fold_count` folds in all.
    """
    linker = linker if linker is not None else EvidenceLinker()
    X = ex.X if structure else drop_structure(ex.X)
    conf = np.full(len(ex.y), np.nan)
    for train, test in _link_folds(ex):
        if not test.any():
            continue
        y = ex.y[train]
        conf[test] = (y.mean() if y.min() == y.max() else
                      clone(linker).fit(X[train], y).predict_proba(X[test])[:, 1])
        if step is not None:
            step(1)
    return conf


def _status_cutoffs(y, conf, group):
    """Cut-offs for `supported` and `weak` chosen on out-of-fold confidences.

    `weak` maximises F1 of flagging groups with no link as `unsupported`;
    `supported` is the lowest cut-off at or above it whose best links are right
    at least 80% of the time.
    """
    ids = np.unique(group)
    best = np.array([conf[group == g].max() for g in ids])
    has = np.array([y[group == g].max() for g in ids])
    top_right = np.array([y[group == g][np.argmax(conf[group == g])] for g in ids])

    def f1_unsupported(t):
        flagged = best < t
        tp = (flagged & (has == 0)).sum()
        return 2 * tp / max(flagged.sum() + (has == 0).sum(), 1)

    weak = float(max(_CUTOFFS, key=f1_unsupported)) if (has == 0).any() else float(_CUTOFFS[0])
    supported = next((float(t) for t in _CUTOFFS if t >= weak and (best >= t).any()
                      and top_right[best >= t].mean() >= 0.8), max(weak, 0.5))
    return supported, weak


def _link_metrics(ex, conf, bare, supported, weak):
    """Link figures in-report and pooled, with structure and without, each beside BM25; in-report by report."""
    def scores(mask, c):
        return link_scores(ex.y[mask], c[mask], ex.group[mask], ex.bm25[mask], weak) if mask.any() else None

    report = ~ex.pooled
    out = {"in_report": scores(report, conf), "pooled": scores(ex.pooled, conf),
           "without_structure": {"in_report": scores(report, bare), "pooled": scores(ex.pooled, bare)},
           "per_report": {d: scores(report & (ex.indicator_doc == d), conf)
                          for d in np.unique(ex.indicator_doc[report])},
           "cutoffs": {"supported": supported, "weak": weak}}
    # How far the cut-offs move when one report's indicators are left out of choosing them.
    moved = [_status_cutoffs(ex.y[keep], conf[keep], ex.group[keep])
             for keep in (ex.indicator_doc != d for d in np.unique(ex.indicator_doc))]
    out["cutoffs_leaving_one_report_out"] = {"supported": [min(m[0] for m in moved), max(m[0] for m in moved)],
                                             "weak": [min(m[1] for m in moved), max(m[1] for m in moved)]}
    return out


def _as_inference(ex, structured, bare):
    """Confidences as inference gives them: an indicator without table context scored without structure,
    a paragraph in another project's part of the report 0."""
    return np.where(ex.in_scope, np.where(ex.has_context, structured, bare), 0.0)


def cross_validate(corpus, *, folds=FOLDS, tagger=None, linker=None, progress=None):
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
    progress : bool, optional
        Bars of the tagger's and the linker's folds on standard error; default: when it is a terminal.

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
    show = wanted(progress)
    for train, test in progress_bar(GroupKFold(n_splits=n_folds).split(texts, Y, groups), show=show,
                                    total=n_folds, desc="tagger folds", unit="fold"):
        model = clone(tagger).fit([texts[i] for i in train], Y[train], classifier__groups=groups[train])
        par_proba[test] = model.predict_proba([texts[i] for i in test])
        pred[test] = model.predict([texts[i] for i in test])
        held = np.flatnonzero(np.isin(ind_docs, np.unique(groups[test])))
        if len(held):
            ind_proba[held] = model.predict_proba([indicator_text(records[k]) for k in held])
    metrics = {"tagging": tagging_metrics(Y, pred, par_proba, corpus.categories), "folds": n_folds}
    oof = {"paragraphs": par_proba, "predictions": pred, "indicators": ind_proba}
    examples = link_examples(corpus, text_tokenizer(tagger), par_proba, ind_proba, synonym_groups())
    if examples is not None and examples.y.any():
        with progress_bar(show=show, total=2 * link_fold_count(examples), desc="linker folds", unit="fold") as bar:
            bare = out_of_fold_links(examples, linker=linker, structure=False, step=bar.update)
            conf = _as_inference(examples, out_of_fold_links(examples, linker=linker, step=bar.update), bare)
        supported, weak = _status_cutoffs(examples.y, conf, examples.group)
        metrics["linking"] = _link_metrics(examples, conf, bare, supported, weak)
        oof["links"] = examples
        oof["link_confidence"] = conf
    return metrics, oof


def keyword_rule(texts, categories, keywords=None):
    """The baseline scored beside the tagger: a category is given when any of its guide words occurs in the
    (simplified) text, with score 1, else score 0.

    Parameters
    ----------
    texts : list of str
    categories : list of str
    keywords : dict of str to list of str, optional
        Default: ``nlp/data/keywords.txt``, the words the tagger's guide-word columns count.

    Returns
    -------
    ndarray of int, shape (n_texts, n_categories)
    """
    keywords = keywords or default_keywords()
    by_category = {c: keywords.get(c, ()) for c in categories}
    rows = [guide_word_counts(text, by_category) > 0 for text in simplify_all(texts)]
    return np.array(rows, int).reshape(len(texts), len(categories))


def _genre_masks(p):
    """Name and row mask of each part of the evaluation by genre that has paragraphs (see `GENRE_PARTS`);
    of the reports, only paragraph blocks (not headings or table rows)."""
    genre = p["genre"].to_numpy() if "genre" in p.columns else np.full(len(p), "")
    paragraph = (p["kind"] == "paragraph").to_numpy()
    masks = {name: np.isin(genre, genres) & (paragraph if name == "reports" else True)
             for name, genres in GENRE_PARTS.items()}
    return {name: mask for name, mask in masks.items() if mask.any()}


def one_report_out(corpus, tagger, rows):
    """Probabilities and 0/1 predictions of `rows`, each from `tagger` fitted on every document but its own.

    Parameters
    ----------
    corpus : nlp.corpus.Corpus
    tagger : Pipeline
        Unfitted text pipeline to clone for each document.
    rows : ndarray of int
        Paragraph rows to score (the seed reports' paragraphs).
    """
    p = corpus.paragraphs
    texts, Y = p["text"].tolist(), corpus.label_matrix()
    groups = p["doc_id"].astype(str).to_numpy()
    proba, pred = np.zeros((len(rows), Y.shape[1])), np.zeros((len(rows), Y.shape[1]), int)
    for doc in np.unique(groups[rows]):
        train, held = np.flatnonzero(groups != doc), groups[rows] == doc
        model = clone(tagger).fit([texts[i] for i in train], Y[train], classifier__groups=groups[train])
        proba[held] = model.predict_proba([texts[i] for i in rows[held]])
        pred[held] = model.predict([texts[i] for i in rows[held]])
    return proba, pred


def tagging_by_genre(corpus, Y, proba, pred, categories, *, tagger=None):
    """Tagging figures by genre, the tagger's beside the keyword rule's (`keyword_rule`) on the same paragraphs.

    Parameters
    ----------
    corpus : nlp.corpus.Corpus
    Y, proba, pred : ndarray of shape (n_paragraphs, n_categories)
        Labels, and the tagger's scores and predictions of every paragraph (out of fold, or of a model
        held out), in `categories` order.
    categories : list of str
    tagger : Pipeline, optional
        When given, the seed reports' paragraphs are scored again leaving one report out (`one_report_out`);
        the other parts keep `proba` and `pred`.

    Returns
    -------
    dict
        Per part: ``paragraphs``, ``documents``, ``scored`` (how), ``tagger`` and ``keyword_rule``
        (`nlp.metrics.tagging_metrics`).
    """
    p = corpus.paragraphs
    rule = keyword_rule(p["text"].tolist(), categories)
    out = {}
    for name, mask in _genre_masks(p).items():
        rows = np.flatnonzero(mask)
        scored, part_proba, part_pred = "grouped folds" if tagger is not None else "held out", proba[rows], pred[rows]
        if name == "reports" and tagger is not None:
            scored, (part_proba, part_pred) = "one report out", one_report_out(corpus, tagger, rows)
        out[name] = {"paragraphs": len(rows), "documents": int(p["doc_id"].iloc[rows].nunique()), "scored": scored,
                     "tagger": tagging_metrics(Y[rows], part_pred, part_proba, categories),
                     "keyword_rule": tagging_metrics(Y[rows], rule[rows], rule[rows], categories)}
    return out


def _check_plot(path):
    """Refuse a plot that could not be written to `path` (no matplotlib, no such folder)."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise InputError(path, "the reliability diagram needs matplotlib: pip install matplotlib") from None
    if not Path(path).resolve().parent.is_dir():
        raise InputError(path, "its folder does not exist")


def evaluate_model(corpus_path, *, model_dir=None, folds=FOLDS, plot=None, progress=None):
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
    progress : bool, optional
        As for `cross_validate`.

    Returns
    -------
    dict
        ``mode`` (``cross-validated`` or ``held-out``), ``tagging``, ``by_genre`` (`tagging_by_genre`) and
        ``linking`` metrics.
    """
    corpus = checked_corpus(corpus_path, 0)
    model = load_model(model_dir)
    if plot:
        _check_plot(plot)  # refused now rather than after the cross-validation
    if corpus.fingerprint() == model.meta["corpus"]["sha256"]:
        checked_corpus(corpus_path, folds)
        tagger = make_text_pipeline(**model.meta["classifier"])
        settings = {k: v for k, v in (model.meta.get("linker") or {}).items() if k not in ("features", "synonyms")}
        metrics, oof = cross_validate(corpus, folds=folds, tagger=tagger, linker=EvidenceLinker(**settings),
                                      progress=progress)
        metrics, Y, proba = {"mode": "cross-validated", **metrics}, corpus.label_matrix(), oof["paragraphs"]
        metrics["by_genre"] = tagging_by_genre(corpus, Y, proba, oof["predictions"], corpus.categories, tagger=tagger)
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
    metrics = {"tagging": tagging_metrics(Y, pred, proba[:, cols], known),
               "by_genre": tagging_by_genre(corpus, Y, proba[:, cols], pred, known)}
    if model.linker is not None:
        ind_proba = model.predict_proba([indicator_text(r) for r in corpus.indicator_records()])
        ex = link_examples(corpus, model.tokenizer, proba, ind_proba, model.meta["linker"]["synonyms"])
        if ex is not None:
            bare_scorer = model.linker_without_context or model.linker
            bare = bare_scorer.confidence(drop_structure(ex.X))
            conf = _as_inference(ex, model.linker.confidence(ex.X), bare)
            cut = model.meta["status_cutoffs"]
            metrics["linking"] = _link_metrics(ex, conf, bare, cut["supported"], cut["weak"])
    return metrics, Y, proba[:, cols]
