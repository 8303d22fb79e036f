"""Linking: the calibrated probability that a paragraph is evidence for an indicator."""
import math
import re
from dataclasses import replace
from functools import lru_cache

import numpy as np

from .clean import char_bigrams
from .errors import InputError
from .records import quantities
from .tag import sigmoid
from .tokenize import data_lines, to_simplified

__all__ = ["LinkScorer", "evidence_rows", "find_evidence", "indicators_of", "link_confidences"]

_ANY_NUMBER = re.compile(r"\d")
# Cues that a paragraph reports work done rather than a function, goal or plan.
_DONE = re.compile(r"已|完成|共计|累计|举办|召开|组织|开展了|走访|达到|实现|发放|捐赠|捐款|签约|帮助|解决|参加|慰问|培训了|共")
_PLAN = re.compile(r"职能|职责|负责|目标|计划|拟|将要|力争|应当|加强|推进|坚持|进一步|要")
_FUNCTION_SECTION = re.compile(r"职能|职责|概况|基本情况|机构|人员|目标(?!.*完成)")
_PROBLEM_SECTION = re.compile(r"问题|不足|措施|建议|整改|下一步")
# Money and procedure: fund boilerplate names activities without reporting them, and
# financial indicators are supported by exactly such paragraphs.
_FINANCE = re.compile(r"经费|预算|资金|决算|支出|成本|三公|执行率|控制率|采购|拨付|到位|公开")
_SATISFACTION = re.compile(r"满意")
# Titles of documents (《…》) cite a project or a rule by name; they do not report work.
_TITLE = re.compile(r"《[^》]*》")

# Features of a paragraph against an indicator, then of the paragraph alone.
_PAIR_FEATURES = [
    "category_agreement", "indicator_category_prob", "token_overlap", "relative_token_overlap",
    "name_overlap", "relative_name_overlap", "name_outside_titles", "restatement",
    "name_in_section", "context_in_section", "target_quantity", "same_unit_number",
    "finance_both", "finance_paragraph_only", "satisfaction_both",
]
_PARAGRAPH_FEATURES = ["has_number", "done_cues", "plan_cues", "function_section", "problem_section", "log_length"]
# Which paragraph stands out for an indicator within its report transfers between reports
# better than absolute values do: each pair feature (but the relative ones, which say it
# already) is also given as its gap to the best other candidate.
_GAP_FEATURES = [name for name in _PAIR_FEATURES if not name.startswith("relative_")]
_GAP_COLUMNS = [_PAIR_FEATURES.index(name) for name in _GAP_FEATURES]
FEATURE_NAMES = _PAIR_FEATURES + _PARAGRAPH_FEATURES + [name + "_gap" for name in _GAP_FEATURES]
# The columns that compare a paragraph with the table rows above an indicator: zero for an
# indicator given without them (an indicator file), which gets a linker trained without them.
CONTEXT_COLUMNS = [k for k, name in enumerate(FEATURE_NAMES) if "context" in name]
_INDICATOR_FIELDS = ("name", "target", "actual", "level1", "level2", "context")


@lru_cache(maxsize=1)
def synonym_groups():
    """The groups of words that count as the same for linking (``nlp/data/synonyms.txt``); a model keeps its own."""
    return [line.split() for line in data_lines("synonyms.txt")]


def _canonical(groups):
    canon = {}
    for words in groups:
        for w in words:
            canon.setdefault(w, words[0])
    return canon


def target_unit(indicator):
    """The unit of an indicator's target value (``"≥2次"`` → ``"次"``), or None."""
    return indicator.target_quantity.unit if indicator.target_quantity else None


def indicator_text(indicator):
    """The words of an indicator a paragraph is compared with: its level-2 name, name and target."""
    return " ".join((indicator.level2, indicator.name, indicator.target))


def indicators_of(blocks):
    """The indicators of a report's own tables, in order."""
    return [b.indicator for b in blocks if b.kind == "indicator"]


def status_of(confidences, supported, weak):
    """``supported`` when the best link reaches `supported`, ``weak`` at `weak`, else ``unsupported``."""
    best = max(confidences, default=0.0)
    return "supported" if best >= supported else "weak" if best >= weak else "unsupported"


def _containment(part, wholes, weight=None):
    """Share of `part` found in each of `wholes` (weighted by `weight`), and that share over its best value."""
    weight = weight or {}
    # fsum: a set's order changes from one process to the next, and so would a plain sum's last bit.
    total = math.fsum(weight.get(x, 1.0) for x in part)
    if not total:
        zeros = np.zeros(len(wholes))
        return zeros, zeros
    share = np.array([math.fsum(weight.get(x, 1.0) for x in part & w) / total for w in wholes])
    return share, share / max(share.max(), 1e-9)


def _gap_to_best_other(values):
    """Each row's values minus the best value of the other rows, column by column; 0 for a lone row.

    Examples
    --------
    >>> _gap_to_best_other(np.array([[0.5], [0.2], [0.5], [0.1]])).ravel().tolist()
    [0.0, -0.3, 0.0, -0.4]
    >>> _gap_to_best_other(np.array([[0.9], [0.2]])).ravel().round(2).tolist()
    [0.7, -0.7]
    """
    values = np.asarray(values, float)
    if len(values) < 2:
        return np.zeros_like(values)
    top = np.sort(values, axis=0)
    best, second = top[-1], top[-2]
    return values - np.where(values == best, second, best)


def _idf(sets):
    """Inverse document frequency of each item over these sets (the paragraphs of one report)."""
    counts = {}
    for s in sets:
        for x in s:
            counts[x] = counts.get(x, 0) + 1
    n = len(sets)
    return {x: math.log((1 + n) / (1 + c)) + 1 for x, c in counts.items()}


class _Report:
    """What the linker needs of the candidate paragraphs of one report, worked out once.

    Parameters
    ----------
    tokenizer : nlp.tokenize.Tokenizer
    paragraphs : list of dict
        ``text`` and ``section`` (simplified texts).
    proba : ndarray of shape (n_paragraphs, n_categories)
        The paragraphs' category probabilities.
    synonyms : list of list of str
        Groups of words that count as the same.
    """

    def __init__(self, tokenizer, paragraphs, proba, synonyms):
        canon = _canonical(synonyms)
        self.tokens_of = lambda text: {canon.get(t, t) for t in tokenizer(text) if t != "<num>"}
        self.texts = [p["text"] for p in paragraphs]
        sections = [p.get("section") or "" for p in paragraphs]
        self.proba = proba
        self.tokens = [self.tokens_of(t) for t in self.texts]
        self.bigrams = [char_bigrams(t) for t in self.texts]
        self.bigrams_outside_titles = [char_bigrams(_TITLE.sub("", t)) for t in self.texts]
        self.section_bigrams = [char_bigrams(s) for s in sections]
        # Words every paragraph of the report uses (工商联, 非公经济) say little about which one is evidence.
        self.token_idf, self.bigram_idf, self.section_idf = (
            _idf(self.tokens), _idf(self.bigrams), _idf(self.section_bigrams))
        self.quantities = [quantities(t) for t in self.texts]
        self.finance = np.array([bool(_FINANCE.search(t)) for t in self.texts])
        self.satisfaction = np.array([bool(_SATISFACTION.search(t)) for t in self.texts])
        self.static = np.array([[
            bool(_ANY_NUMBER.search(t)),
            min(len(_DONE.findall(t)), 5) / 5,
            min(len(_PLAN.findall(t)), 5) / 5,
            bool(_FUNCTION_SECTION.search(s)),
            bool(_PROBLEM_SECTION.search(s)),
            math.log1p(len(t)) / 7,
        ] for t, s in zip(self.texts, sections)], dtype=float).reshape(len(self.texts), 6)

    def rows(self, indicator, indicator_proba):
        """Feature rows of one indicator against each paragraph, shape (n_paragraphs, n_features).

        The columns are `FEATURE_NAMES`: the pair features, the paragraph's own
        features, then the gaps of the pair features to their best value among
        the other paragraphs.

        Parameters
        ----------
        indicator : dict
            ``name``, ``target``, ``level2``, ``context`` (simplified texts).
        indicator_proba : ndarray of shape (n_categories,)
        """
        token_share, token_rel = _containment(self.tokens_of(indicator_text(indicator)), self.tokens,
                                              self.token_idf)
        name = char_bigrams(indicator.name)
        context = char_bigrams(indicator.context)
        name_share, name_rel = _containment(name, self.bigrams, self.bigram_idf)
        outside_titles, _ = _containment(name, self.bigrams_outside_titles, self.bigram_idf)
        # How much of the paragraph is the indicator's name: a line restating a target, not a report.
        restatement = [len(name & b) / max(len(b), 1) for b in self.bigrams]
        in_section, _ = _containment(name, self.section_bigrams)
        # The project an indicator belongs to is often named in the heading of the report part about it.
        _, context_in_section = _containment(context, self.section_bigrams, self.section_idf)
        unit = target_unit(indicator)
        wanted = set(quantities(indicator.target))
        words = indicator.name + indicator.level2
        finance = bool(_FINANCE.search(words))
        rows = np.column_stack([
            self.proba @ indicator_proba / max(indicator_proba.sum(), 1e-9),
            self.proba[:, int(np.argmax(indicator_proba))],
            token_share, token_rel, name_share, name_rel, outside_titles, restatement,
            in_section, context_in_section,
            [bool(wanted & set(q)) for q in self.quantities],
            [bool(unit and quantities(t, unit)) for t in self.texts],
            self.finance * finance, self.finance * (not finance),
            self.satisfaction * bool(_SATISFACTION.search(words)),
            self.static,
        ]).astype(float)
        return np.hstack([rows, _gap_to_best_other(rows[:, _GAP_COLUMNS])])


def _indicator_rows(tokenizer, indicators, paragraphs, indicator_proba, paragraph_proba, synonyms):
    """For each indicator with candidates: its index, the candidates' indices and their feature rows."""
    simple = [{"text": to_simplified(p["text"]), "section": to_simplified(p.get("section") or "")}
              for p in paragraphs]
    reports = {}  # one per set of candidate paragraphs, so each paragraph is tokenized once
    for i, ind in enumerate(indicators):
        cols = tuple(j for j, p in enumerate(paragraphs) if _same_doc(p.get("doc_id"), ind.doc_id))
        if not cols:
            continue
        if cols not in reports:
            reports[cols] = _Report(tokenizer, [simple[j] for j in cols], paragraph_proba[list(cols)], synonyms)
        record = replace(ind, **{k: to_simplified(getattr(ind, k)) for k in _INDICATOR_FIELDS})
        yield i, cols, reports[cols].rows(record, indicator_proba[i])


def pair_features(tokenizer, indicators, paragraphs, indicator_proba, paragraph_proba, synonyms=None):
    """Feature rows for every indicator against every paragraph of its document.

    Parameters
    ----------
    tokenizer : nlp.tokenize.Tokenizer
    indicators, paragraphs : list of dict
        Original texts (simplified here); ``doc_id`` keeps links inside a document
        where both sides have one.
    indicator_proba, paragraph_proba : ndarray
        Category probabilities of the indicator texts and of the paragraphs.
    synonyms : list of list of str, optional
        Groups of words that count as the same; default `synonym_groups()`.

    Returns
    -------
    X : ndarray of shape (n_pairs, n_features)
    pairs : ndarray of shape (n_pairs, 2)
        Indicator index and paragraph index of each row.
    """
    X, pairs = [], []
    synonyms = synonym_groups() if synonyms is None else synonyms
    for i, cols, rows in _indicator_rows(tokenizer, indicators, paragraphs, indicator_proba, paragraph_proba,
                                         synonyms):
        X.append(rows)
        pairs.extend((i, j) for j in cols)
    if not X:
        return np.zeros((0, len(FEATURE_NAMES))), np.zeros((0, 2), int)
    return np.vstack(X), np.array(pairs)


class LinkScorer:
    """Link confidences from link features: the arrays of a fitted `nlp.classify.EvidenceLinker`.

    Parameters
    ----------
    mean, scale : array of shape (n_features,)
        The standardisation learned on the training pairs.
    coef : array of shape (n_features,)
    intercept : float
    """

    def __init__(self, *, mean, scale, coef, intercept):
        self.mean = np.asarray(mean, float)
        self.scale = np.asarray(scale, float)
        self.coef = np.asarray(coef, float)
        self.intercept = float(intercept)

    @classmethod
    def from_estimator(cls, linker):
        """The arrays of a fitted `EvidenceLinker`."""
        return cls(mean=linker.scaler_.mean_, scale=linker.scaler_.scale_, coef=linker.model_.coef_[0],
                   intercept=linker.model_.intercept_[0])

    def confidence(self, X):
        """Probability that each feature row is a link."""
        return sigmoid(((np.asarray(X, float) - self.mean) / self.scale) @ self.coef + self.intercept)

    def arrays(self):
        """The state, for saving with numpy."""
        return {"mean": self.mean, "scale": self.scale, "coef": self.coef, "intercept": np.array(self.intercept)}


def _same_doc(a, b):
    return a is None or b is None or a != a or b != b or a == b  # None or NaN: no document given


def link_confidences(paragraphs, indicators, *, model, paragraph_proba=None):
    """Confidence that each paragraph supports each indicator.

    Parameters
    ----------
    paragraphs : list of dict
        With ``text``, ``section`` and optionally ``doc_id``.
    indicators : list of dict
        With ``name``, ``target``, ``level2``, optionally ``context`` and ``doc_id``;
        those without ``context`` are scored by the model's linker trained without it.
    model : nlp.model.Model
    paragraph_proba : ndarray, optional
        The paragraphs' category probabilities, when the caller has them already.

    Returns
    -------
    ndarray of shape (n_indicators, n_paragraphs)
        Probabilities; NaN where the two belong to different documents.
    """
    conf = np.full((len(indicators), len(paragraphs)), np.nan)
    if model.linker is None or not len(indicators) or not len(paragraphs):
        return conf
    par_proba = model.predict_proba([p["text"] for p in paragraphs]) if paragraph_proba is None else paragraph_proba
    ind_proba = model.predict_proba([indicator_text(ind) for ind in indicators])
    # Scored an indicator at a time: the rows of all pairs of a long report would not fit in memory.
    synonyms = model.meta["linker"]["synonyms"]
    for i, cols, rows in _indicator_rows(model.tokenizer, indicators, paragraphs, ind_proba, par_proba, synonyms):
        scorer = model.linker if indicators[i].has_context else model.linker_without_context or model.linker
        conf[i, list(cols)] = scorer.confidence(rows)
    return conf


def find_evidence(paragraphs, indicators, *, model, top_k=5):
    """For every indicator, its best-supported paragraphs, a status and the quantities they state.

    Parameters
    ----------
    paragraphs : list of dict
        Candidate evidence: ``id``, ``text``, ``section``, optional ``doc_id``.
    indicators : list of dict
        ``id``, ``name`` and optionally ``level1``, ``level2``, ``target``, ``actual``, ``doc_id``.
    model : nlp.model.Model
    top_k : int, default=5
        Links kept per indicator; links under the ``weak`` cut-off are dropped.

    Returns
    -------
    list of dict
        One object per indicator, in the contract's ``evidence`` shape.

    Raises
    ------
    InputError
        The model was trained without indicators and has no linker.
    """
    if model.linker is None:
        raise InputError(model.directory or "model", "the model has no linker (its corpus had no indicators)")
    return evidence_rows(paragraphs, indicators, link_confidences(paragraphs, indicators, model=model),
                         model=model, top_k=top_k)


def evidence_rows(paragraphs, indicators, conf, *, model, top_k=5):
    """`find_evidence`'s output from link confidences already computed (`link_confidences`)."""
    cut = model.meta["status_cutoffs"]
    documents = {p.get("doc_id") for p in paragraphs}
    out = []
    for i, ind in enumerate(indicators):
        row = np.nan_to_num(conf[i], nan=-1.0)
        order = [j for j in np.argsort(-row, kind="stable")[:top_k] if row[j] >= cut["weak"]]
        unit = target_unit(ind)
        evidence = []
        for j in order:
            item = {"id": paragraphs[j]["id"], "confidence": round(float(row[j]), 4), "text": paragraphs[j]["text"]}
            found = quantities(paragraphs[j]["text"], unit) if unit else []
            if found:
                item["quantities"] = found
            evidence.append(item)
        out.append({
            # An indicator file without doc_id belongs to the document read, when there is one.
            "doc_id": ind.doc_id or (next(iter(documents)) if len(documents) == 1 else None),
            "indicator": {k: getattr(ind, k) for k in ("id", "level1", "level2", "name", "target", "actual")},
            "evidence": evidence,
            "status": status_of(row[row >= 0], cut["supported"], cut["weak"]),
        })
    return out
