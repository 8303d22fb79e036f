"""Label quality and what to label next: likely label errors in a corpus, and paragraphs worth labelling.

Likely errors are found by cleanlab's confident learning on out-of-fold
probabilities from the document-grouped folds of `nlp.evaluate`: no paragraph
is judged by a model that saw its document. Paragraphs worth labelling are the
ones the current model is least sure of, spread over documents and categories.
"""
import math
from collections import Counter

import numpy as np

from .corpus import checked_corpus, load_corpus
from .evaluate import FOLDS, cross_validate
from .model import load_model
from .read import read_input
from .records import OTHER

__all__ = ["check_labels", "count_checks", "expected_labels", "label_issues", "link_issues", "pick_for_labelling",
           "suggest", "spread_picks", "uncertainty", "label_studio_tasks"]

# Names of the choice control and of the text in the Label Studio labelling config (README).
LABEL_STUDIO_CHOICES, LABEL_STUDIO_TEXT = "label", "text"


def check_labels(corpus_path, *, folds=FOLDS, progress=None):
    """Likely label errors of a labelled corpus: paragraph labels, then evidence links, most suspect first.

    Parameters
    ----------
    corpus_path : str or Path
        Anything `nlp.corpus.load_corpus` reads; checked as for training.
    folds : int, default=FOLDS
        The document-grouped folds of `nlp.evaluate.cross_validate`.
    progress : bool, optional
        Bars of those folds on standard error; default: when it is a terminal.

    Returns
    -------
    list of dict
        `label_issues` followed by `link_issues`.

    Raises
    ------
    InputError
        The corpus is missing, malformed or unfit for training.
    """
    corpus = checked_corpus(corpus_path, folds)
    _, oof = cross_validate(corpus, folds=folds, progress=progress)
    return label_issues(corpus, oof["paragraphs"]) + link_issues(corpus, oof)


def count_checks(issues):
    """How many of `check_labels`' issues are about paragraph labels and how many about evidence links.

    Examples
    --------
    >>> count_checks([{"check": "labels"}, {"check": "evidence"}, {"check": "labels"}])
    {'labels': 2, 'evidence': 1}
    """
    return {check: sum(i["check"] == check for i in issues) for check in ("labels", "evidence")}


def expected_labels(proba, categories):
    """The categories an out-of-fold probability row gives at least even odds, highest first, or ``other``.

    Examples
    --------
    >>> expected_labels(np.array([0.2, 0.9, 0.6]), ["a", "b", "c"])
    ['b', 'c']
    >>> expected_labels(np.array([0.2, 0.1]), ["a", "b"])
    ['other']
    """
    order = [j for j in np.argsort(-proba, kind="stable") if proba[j] >= 0.5]
    return [categories[j] for j in order] or [OTHER]


def label_issues(corpus, proba):
    """Paragraphs whose labels cleanlab finds likely wrong, lowest label quality first.

    Parameters
    ----------
    corpus : nlp.corpus.Corpus
    proba : ndarray of shape (n_paragraphs, n_categories)
        Out-of-fold category probabilities (``other`` is no category at all).

    Returns
    -------
    list of dict
        ``check`` (``labels``), ``rank``, ``doc_id``, ``id``, ``kind``, ``text``,
        ``labels`` (as given), ``expected`` (what the model gives even odds or
        better), ``quality`` (cleanlab's label quality score, 0 to 1, low is
        suspect) and ``scores`` (the out-of-fold probabilities).
    """
    from cleanlab.multilabel_classification import get_label_quality_scores
    from cleanlab.multilabel_classification.filter import find_label_issues

    given = [np.flatnonzero(row).tolist() for row in corpus.label_matrix()]
    quality = get_label_quality_scores(given, proba)
    flagged = find_label_issues(given, proba, n_jobs=1)
    p, categories = corpus.paragraphs, corpus.categories
    order = [i for i in np.argsort(quality, kind="stable") if flagged[i]]
    return [{"check": "labels", "rank": rank, "doc_id": p["doc_id"].iat[i], "id": p["id"].iat[i],
             "kind": p["kind"].iat[i], "text": p["text"].iat[i], "labels": list(p["labels"].iat[i]),
             "expected": expected_labels(proba[i], categories), "quality": round(float(quality[i]), 4),
             "scores": {c: round(float(v), 4) for c, v in zip(categories, proba[i])}}
            for rank, i in enumerate(order, 1)]


def link_issues(corpus, oof):
    """Indicator–paragraph pairs whose evidence label cleanlab finds likely wrong, lowest quality first.

    Parameters
    ----------
    corpus : nlp.corpus.Corpus
    oof : dict
        The out-of-fold output of `nlp.evaluate.cross_validate`; without ``links`` there is nothing to check.

    Returns
    -------
    list of dict
        ``check`` (``evidence``), ``rank``, ``doc_id``, ``indicator`` (its id), ``name``,
        ``id`` (the paragraph), ``text``, ``linked`` (as given), ``confidence`` (the
        out-of-fold link confidence) and ``quality``.
    """
    if "links" not in oof:
        return []
    from cleanlab.filter import find_label_issues
    from cleanlab.rank import get_label_quality_scores

    ex = oof["links"]
    y, conf = ex.y, np.asarray(oof["link_confidence"], float)
    p, ind = corpus.paragraphs.set_index("id"), corpus.indicators.set_index("id")
    pred_probs = np.c_[1 - conf, conf]
    quality = get_label_quality_scores(y, pred_probs)
    flagged = find_label_issues(y, pred_probs, n_jobs=1)
    order = [k for k in np.argsort(quality, kind="stable") if flagged[k]]
    return [{"check": "evidence", "rank": rank, "doc_id": ex.indicator_doc[k], "indicator": ex.indicator[k],
             "name": ind.at[ex.indicator[k], "name"], "pooled": bool(ex.pooled[k]), "id": ex.paragraph[k],
             "text": p.at[ex.paragraph[k], "text"], "linked": bool(y[k]),
             "confidence": round(float(conf[k]), 4), "quality": round(float(quality[k]), 4)}
            for rank, k in enumerate(order, 1)]


def uncertainty(proba):
    """How unsure calibrated category probabilities are: per row, the largest binary entropy (in bits)
    over the categories, and the category it belongs to.

    Examples
    --------
    >>> u, about = uncertainty(np.array([[0.5, 0.99], [0.1, 0.3]]))
    >>> u.round(3).tolist(), about.tolist()
    ([1.0, 0.881], [0, 1])
    """
    p = np.clip(np.asarray(proba, float), 1e-12, 1 - 1e-12)
    entropy = -(p * np.log2(p) + (1 - p) * np.log2(1 - p))
    return entropy.max(axis=1), entropy.argmax(axis=1)


def spread_picks(scores, kinds, docs, n):
    """Indices of `n` items, highest score first, taken from each kind in turn, with no document
    giving more than its share of the items (rounded up) until every document has.

    Parameters
    ----------
    scores : array-like of shape (n_items,)
    kinds, docs : array-like of shape (n_items,)
        The kind (category) and the document of each item.
    n : int

    Returns
    -------
    list of int

    Examples
    --------
    >>> spread_picks([0.9, 0.8, 0.7, 0.1], ["a", "a", "a", "b"], ["d1", "d2", "d3", "d4"], 2)
    [0, 3]
    >>> spread_picks([0.9, 0.8, 0.7, 0.1], ["a", "a", "a", "a"], ["d1", "d1", "d2", "d2"], 2)
    [0, 2]
    """
    order = np.argsort(-np.asarray(scores, float), kind="stable")
    queues = {}
    for i in order:
        queues.setdefault(kinds[i], []).append(int(i))
    sizes = Counter(docs)
    n = min(n, len(order))
    cap = {d: max(1, math.ceil(n * size / len(order))) for d, size in sizes.items()}
    taken, per_doc = [], Counter()
    while len(taken) < n:
        progressed = False
        for queue in queues.values():
            pick = next((i for i in queue if per_doc[docs[i]] < cap[docs[i]]), None)
            if pick is None or len(taken) == n:
                continue
            queue.remove(pick)
            taken.append(pick)
            per_doc[docs[pick]] += 1
            progressed = True
        if not progressed:  # every document with items left is at its share: one more each
            cap = {d: c + 1 for d, c in cap.items()}
    return taken


def pick_for_labelling(proba, docs, n):
    """Indices of the `n` paragraphs to label next: the most uncertain (`uncertainty`), spread over
    the categories they are uncertain about and over their documents (`spread_picks`).

    Parameters
    ----------
    proba : ndarray of shape (n_paragraphs, n_categories)
        Calibrated category probabilities under the current model.
    docs : sequence of str
        The document of each paragraph.
    n : int

    Returns
    -------
    list of int
    """
    unsure, about = uncertainty(proba)
    return spread_picks(unsure, about.tolist(), list(docs), n)


def suggest(sources, *, n, model_dir=None, labelled=None):
    """The paragraphs worth labelling next, with the model's current guess as a suggestion.

    Parameters
    ----------
    sources : list of str
        Reports or paragraph tables (anything `nlp.read.read_input` reads).
    n : int
        How many to suggest.
    model_dir : str or Path, optional
        The current model; default the shipped one.
    labelled : str or Path, optional
        A labelled corpus whose paragraphs (by text) are not suggested again.

    Returns
    -------
    list of dict
        Most uncertain first within each round of categories: ``rank``, ``doc_id``, ``id``,
        ``section``, ``text``, ``uncertainty`` (bits, 0 to 1), ``uncertain_about`` (the category),
        ``suggested_labels`` (the model's guess, to be checked), ``scores`` and ``labels``
        (empty, for the labeller).

    Raises
    ------
    InputError
        An input or the model cannot be read.
    """
    model = load_model(model_dir)
    known = set(load_corpus(labelled).paragraphs["text"].str.strip()) if labelled else set()
    pool = {}
    for source in sources:
        for block in read_input(source):
            text = block.text.strip()
            if block.kind == "paragraph" and text and text not in known:
                pool.setdefault(text, block)  # a repeated paragraph is labelled once
    blocks = list(pool.values())
    proba = model.predict_proba([b.text for b in blocks])
    picks = pick_for_labelling(proba, [b.doc_id for b in blocks], n) if blocks else []
    unsure, about = uncertainty(proba[picks])
    guesses = model.labels(proba[picks])
    categories = model.categories
    return [{"rank": rank, "doc_id": blocks[i].doc_id, "id": blocks[i].id, "section": blocks[i].section,
             "text": blocks[i].text, "uncertainty": round(float(u), 4), "uncertain_about": categories[a],
             "suggested_labels": guess, "scores": {c: round(float(v), 4) for c, v in zip(categories, proba[i])},
             "labels": []}
            for rank, (i, u, a, guess) in enumerate(zip(picks, unsure, about, guesses), 1)]


def label_studio_tasks(suggestions):
    """`suggest` rows as a Label Studio import: the paragraph in ``data``, the model's guess as a prediction.

    Label Studio shows a prediction as a pre-annotation marked as the model's, for the
    labeller to accept or change; the labelling config must name its choices
    `LABEL_STUDIO_CHOICES` and its text `LABEL_STUDIO_TEXT`.

    Examples
    --------
    >>> task = label_studio_tasks([{"id": "p1", "doc_id": "d", "section": "", "text": "召开推介会",
    ...                             "uncertainty": 0.9, "suggested_labels": ["investment_promotion"]}])[0]
    >>> task["predictions"][0]["result"][0]["value"]
    {'choices': ['investment_promotion']}
    """
    return [{"data": {"text": s["text"], "id": s["id"], "doc_id": s["doc_id"], "section": s["section"]},
             "predictions": [{"model_version": "nlp suggest (the model's guess)",
                              "score": round(1 - s["uncertainty"], 4),
                              "result": [{"from_name": LABEL_STUDIO_CHOICES, "to_name": LABEL_STUDIO_TEXT,
                                          "type": "choices", "value": {"choices": s["suggested_labels"]}}]}]}
            for s in suggestions]
