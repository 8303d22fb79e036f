"""Linking: the calibrated probability that a paragraph is evidence for an indicator.

An indicator's candidates are the paragraphs of its own document. Every
feature of an indicator–paragraph pair is a function below, registered under
its name with `_feature`; what transfers from one report to another is how a
paragraph stands among its document's candidates, so most features are put in
those terms: the BM25 score's rank and standardised value, and gaps to the
best other candidate.
"""
import math
import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from itertools import chain

import numpy as np

from .clean import char_bigrams
from .errors import InputError
from .records import quantities
from .tag import sigmoid
from .tokenize import to_simplified
from .vocabulary import alternation, data_lines, word_lists

__all__ = ["Candidates", "FEATURE_NAMES", "LinkScorer", "STRUCTURE_COLUMNS", "evidence_rows", "find_evidence",
           "indicators_of", "link_confidences", "project_of", "project_scope", "status_of"]

# Titles of documents (《…》) cite a project or a rule by name; they do not report work.
_TITLE = re.compile(r"《[^》]*》")
# A line that is itself a document's title (an attachment list's …绩效评价报告): no sentence, a title's end.
_TITLE_LINE = re.compile(rf"^[^。；;，,：:！？!?]*(?:{alternation('report_title')})\s*$")
# The project an indicator belongs to, as its table names it.
_PROJECT = re.compile(r"项目(?:支出)?名称\s*\|\s*([^|]+)")
_ANY_NUMBER = re.compile(r"\d")
# An attachment label (附件3) heads a part whose title is the heading under it.
_ATTACHMENT = re.compile(r"附件\s*\d*\s*[:：]?$")
_INDICATOR_FIELDS = ("name", "target", "actual", "level1", "level2", "context")


@lru_cache(maxsize=1)
def synonym_groups():
    """The groups of words that count as the same for linking (``nlp/data/synonyms.txt``); a model keeps its own."""
    return [line.split() for line in data_lines("synonyms.txt")]


@lru_cache(maxsize=1)
def cue_words():
    """The linker's word lists (``nlp/data/cues.txt``): list name -> words."""
    return {name: list(words) for name, words in word_lists("cues.txt").items()}


def _count(text, words):
    return sum(text.count(w) for w in words)


def indicator_text(indicator):
    """The words of an indicator a paragraph is compared with: its level-2 name, name and target."""
    return " ".join((indicator.level2, indicator.name, indicator.target))


def indicators_of(blocks):
    """The indicators of a report's own tables, in order."""
    return [b.indicator for b in blocks if b.kind == "indicator"]


def project_of(indicator):
    """The project an indicator's table is about: its ``project``, else the 项目名称 row of its context; or ""."""
    match = _PROJECT.search(indicator.context)
    return indicator.project or (match.group(1).strip() if match else "")


def _part(section):
    """The part of a report a section path lies in: its first heading, with the one under an attachment label."""
    heads = section.split(" > ")
    return " > ".join(heads[:2]) if _ATTACHMENT.match(heads[0]) else heads[0]


def project_scope(sections, projects):
    """Whether each paragraph lies outside the part of the report that another project is about.

    A part (an attachment, a top-level section) belongs to the project whose name
    its title contains most (at least half the name's bigrams). A project's
    indicators keep to paragraphs of their own part and of parts that belong to
    no project (the unit's overall report).

    Parameters
    ----------
    sections : list of str
        The candidates' section paths (``附件3 > 2023年度…自评报告 > …``).
    projects : list of str
        Each indicator's project ("" for none).

    Returns
    -------
    ndarray of bool, shape (len(projects), len(sections))

    Examples
    --------
    >>> project_scope(["附件2 > 培训经费自评报告", "附件3 > 补助资金自评报告", "一、概况"], ["培训经费", "补助资金", ""]).tolist()
    [[True, False, True], [False, True, True], [True, True, True]]
    """
    names = sorted({p for p in projects if p})
    parts = [_part(to_simplified(s)) for s in sections]
    owner = {}
    for part in set(parts):
        share = {p: _containment(char_bigrams(p), [char_bigrams(part)])[0] for p in names}
        best = max(share, key=share.get, default=None)
        owner[part] = best if best is not None and share[best] >= 0.5 else None
    owners = [owner[part] for part in parts]
    return np.array([[not p or o is None or o == p for o in owners] for p in projects], bool).reshape(
        len(projects), len(sections))


def target_unit(indicator):
    """The unit of an indicator's target value (``"≥2次"`` → ``"次"``), or None."""
    return indicator.target_quantity.unit if indicator.target_quantity else None


def status_of(confidences, supported, weak):
    """``supported`` when the best link reaches `supported`, ``weak`` at `weak`, else ``unsupported``."""
    best = max(confidences, default=0.0)
    return "supported" if best >= supported else "weak" if best >= weak else "unsupported"


def _idf(sets):
    """Inverse document frequency of each item over these sets (the candidates of one document)."""
    counts = Counter(chain.from_iterable(sets))
    n = len(sets)
    return {x: math.log((1 + n) / (1 + c)) + 1 for x, c in counts.items()}


def _containment(part, wholes, weight=None):
    """Share of `part` found in each of `wholes`, weighted by `weight` (IDF)."""
    weight = weight or {}
    of = {x: weight.get(x, 1.0) for x in part}.__getitem__
    # fsum: a set's order changes from one process to the next, and so would a plain sum's last bit.
    total = math.fsum(map(of, part))
    if not total:
        return np.zeros(len(wholes))
    return np.array([math.fsum(map(of, shared)) / total if shared else 0.0 for shared in (part & w for w in wholes)])


def _gap_to_best_other(values):
    """Each value minus the best of the other values; 0 for a lone candidate.

    Examples
    --------
    >>> _gap_to_best_other(np.array([0.5, 0.2, 0.5, 0.1])).tolist()
    [0.0, -0.3, 0.0, -0.4]
    >>> _gap_to_best_other(np.array([0.9, 0.2])).round(2).tolist()
    [0.7, -0.7]
    """
    values = np.asarray(values, float)
    if len(values) < 2:
        return np.zeros_like(values)
    top = np.sort(values)
    best, second = top[-1], top[-2]
    return values - np.where(values == best, second, best)


class Candidates:
    """The candidate paragraphs of one document, with what every feature needs of them, worked out once.

    Parameters
    ----------
    paragraphs : list of dict
        ``text`` and optionally ``section``, in the document's own script.
    proba : ndarray of shape (n_paragraphs, n_categories)
        The paragraphs' category probabilities.
    tokenizer : nlp.tokenize.Tokenizer
    synonyms : list of list of str
        Groups of words that count as the same for the word-overlap features.
    """

    def __init__(self, paragraphs, proba, *, tokenizer, synonyms):
        import bm25s

        self.texts = [to_simplified(p["text"]) for p in paragraphs]
        self.sections = [to_simplified(p.get("section") or "") for p in paragraphs]
        self.proba = np.asarray(proba, float)
        self.tokenizer = tokenizer
        self._canon = {w: words[0] for words in reversed(synonyms) for w in words}
        self.words = [self.content_tokens(t) for t in self.texts]
        self.bm25 = bm25s.BM25()
        self.bm25.index([w or ["<none>"] for w in self.words], show_progress=False)
        self.tokens = [self._canonical(w) for w in self.words]
        self.bigrams = [char_bigrams(t) for t in self.texts]
        self.bigrams_outside_titles = [set() if _TITLE_LINE.match(t) else char_bigrams(_TITLE.sub("", t))
                                       for t in self.texts]
        self.section_bigrams = [char_bigrams(s) for s in self.sections]
        # Words every candidate uses (工商联, 非公经济) say little about which one is evidence.
        self.token_idf, self.bigram_idf, self.section_idf = (
            _idf(self.tokens), _idf(self.bigrams), _idf(self.section_bigrams))
        self.quantities = [quantities(t) for t in self.texts]
        self.amounts = np.array([bool(quantities(t, "万元") or quantities(t, "元")) for t in self.texts])
        self._in_unit = {}
        cues = cue_words()
        self.cues = {name: np.array([_count(t, words) for t in self.texts], float) for name, words in cues.items()}
        for name in ("function_section", "problem_section"):
            self.cues[name] = np.array([_count(s, cues[name]) > 0 for s in self.sections], float)

    def __len__(self):
        return len(self.texts)

    def content_tokens(self, text):
        """The tokens BM25 compares: the project's content tokens, numbers left out."""
        return [t for t in self.tokenizer(text) if t != "<num>"]

    def states_unit(self, unit):
        """Whether each candidate states a number in `unit`, worked out once per unit."""
        if unit not in self._in_unit:
            self._in_unit[unit] = np.array([bool(quantities(t, unit)) for t in self.texts], float)
        return self._in_unit[unit]

    def _canonical(self, tokens):
        return {self._canon.get(t, t) for t in tokens}

    def bm25_scores(self, indicator):
        """BM25 score of each candidate for the indicator's name and target (bm25s over the project's tokens)."""
        query = self.content_tokens(f"{indicator.name} {indicator.target}")
        return np.asarray(self.bm25.get_scores(query), float) if query else np.zeros(len(self))

    def rows(self, indicator, indicator_proba, *, pooled=False):
        """Feature rows of one indicator against every candidate, shape (n_candidates, len(FEATURE_NAMES)).

        Parameters
        ----------
        indicator : nlp.records.Indicator
        indicator_proba : ndarray of shape (n_categories,)
            The category probabilities of the indicator's text.
        pooled : bool, default=False
            The candidates are a pool of judged paragraphs from other documents, not a document's own.
        """
        simple = replace(indicator, **{k: to_simplified(getattr(indicator, k)) for k in _INDICATOR_FIELDS})
        pair = _Pair(self, simple, np.asarray(indicator_proba, float), pooled)
        columns = []
        for _, compute, gap in _FEATURES:
            values = np.asarray(compute(pair), float)
            if values.ndim == 0:
                values = np.full(len(self), values)
            columns.append(values)
            if gap:
                columns.append(_gap_to_best_other(values))
        return np.column_stack(columns) if len(self) else np.zeros((0, len(FEATURE_NAMES)))


@dataclass
class _Pair:
    """One indicator (simplified) against the candidates of a document."""

    c: Candidates
    indicator: object
    proba: np.ndarray
    pooled: bool

    @cached_property
    def bm25(self):
        return self.c.bm25_scores(self.indicator)

    @cached_property
    def name(self):
        return char_bigrams(self.indicator.name)

    @cached_property
    def unit(self):
        return target_unit(self.indicator)

    @cached_property
    def finance(self):
        return self.measures("finance")

    def measures(self, cue):
        """Whether the indicator's levels, name or target name the kind of thing `cue` words are about."""
        i = self.indicator
        return _count(i.level2 + i.name + i.target, cue_words()[cue]) > 0


_FEATURES = []  # (name, function of a _Pair, also its gap to the best other candidate), in column order
_STRUCTURE = set()  # features that need a report's structure: section headings or the table above an indicator


def _feature(gap=False, structure=False):
    def register(compute):
        name = compute.__name__.lstrip("_")
        _FEATURES.append((name, compute, gap))
        if structure:
            _STRUCTURE.update({name, name + "_gap"} if gap else {name})
        return compute
    return register


@_feature(gap=True)
def _bm25_share(p):
    """The BM25 score over the best candidate's."""
    return p.bm25 / p.bm25.max() if p.bm25.max() > 0 else np.zeros(len(p.c))


@_feature()
def _bm25_z(p):
    """The BM25 score standardised over the candidates."""
    return (p.bm25 - p.bm25.mean()) / p.bm25.std() if p.bm25.std() > 0 else np.zeros(len(p.c))


@_feature()
def _bm25_reciprocal_rank(p):
    """1 for the candidate BM25 ranks first, 1/2 for the second …"""
    ranks = np.empty(len(p.c))
    ranks[np.argsort(-p.bm25, kind="stable")] = np.arange(1, len(p.c) + 1)
    return 1.0 / ranks


@_feature(gap=True)
def _token_overlap(p):
    """IDF-weighted share of the indicator's words (level 2, name, target; synonyms merged) in the paragraph."""
    words = p.c._canonical(p.c.content_tokens(indicator_text(p.indicator)))
    return _containment(words, p.c.tokens, p.c.token_idf)


@_feature(gap=True)
def _name_overlap(p):
    """IDF-weighted share of the name's character bigrams in the paragraph."""
    return _containment(p.name, p.c.bigrams, p.c.bigram_idf)


@_feature()
def _name_outside_titles(p):
    """The same, with 《…》 titles left out of the paragraph, and 0 for a line that is a document's title:
    a cited title reports no work."""
    return _containment(p.name, p.c.bigrams_outside_titles, p.c.bigram_idf)


@_feature()
def _restatement(p):
    """How much of the paragraph is the indicator's name: a line restating a target, not a report."""
    return [len(p.name & b) / max(len(b), 1) for b in p.c.bigrams]


@_feature(gap=True)
def _category_agreement(p):
    """How far the paragraph's categories are the indicator's."""
    return p.c.proba @ p.proba / max(p.proba.sum(), 1e-9)


@_feature(gap=True)
def _number_in_unit(p):
    """The paragraph states a number in the unit of the indicator's target."""
    return p.c.states_unit(p.unit) if p.unit else np.zeros(len(p.c))


@_feature()
def _target_quantity(p):
    """The paragraph states the target's own quantity."""
    wanted = set(quantities(p.indicator.target))
    return [bool(wanted & set(q)) for q in p.c.quantities]


@_feature()
def _finance_both(p):
    """A finance indicator and a paragraph about money or procedure."""
    return (p.c.cues["finance"] > 0) * p.finance


@_feature()
def _finance_paragraph_only(p):
    """A paragraph about money or procedure for an indicator that is not: fund boilerplate names activities."""
    return (p.c.cues["finance"] > 0) * (not p.finance)


@_feature()
def _satisfaction_both(p):
    """A satisfaction indicator and a paragraph reporting satisfaction."""
    return (p.c.cues["satisfaction"] > 0) * p.measures("satisfaction")


@_feature(gap=True)
def _result_overlap(p):
    """IDF-weighted share of the claimed result's words (完成值, when it is more than a number) in the paragraph."""
    words = p.c._canonical(p.c.content_tokens(p.indicator.actual))
    return _containment(words, p.c.tokens, p.c.token_idf) if len(words) > 1 else np.zeros(len(p.c))


@_feature()
def _amount_for_finance(p):
    """A finance indicator and a paragraph giving an amount of money."""
    return p.c.amounts * p.finance


@_feature()
def _count_for_quantity(p):
    """A quantity indicator (数量指标) and a paragraph giving a count of anything."""
    counted = "数量" in p.indicator.level2 or bool(p.unit and p.unit not in ("%", "万元", "元"))
    return [counted and any(not q.endswith(("%", "元")) for q in qs) for qs in p.c.quantities]


@_feature()
def _done_cues(p):
    """Words telling of work done (已, 完成, 举办 …), up to five."""
    return np.minimum(p.c.cues["done"], 5) / 5


@_feature()
def _plan_cues(p):
    """Words of a function, goal or plan (职能, 计划, 要 …), up to five."""
    return np.minimum(p.c.cues["plan"], 5) / 5


@_feature()
def _log_candidates(p):
    """How many candidates the indicator has: an indicator has about as many evidence paragraphs in a short
    report as in a long one, so each candidate of a short report is likelier to be one."""
    return math.log(len(p.c)) / 5


@_feature()
def _has_number(p):
    return [bool(_ANY_NUMBER.search(t)) for t in p.c.texts]


@_feature()
def _log_length(p):
    return [math.log1p(len(t)) / 7 for t in p.c.texts]


@_feature(structure=True)
def _function_section(p):
    """The paragraph stands under a heading about the unit's functions, staff or goals."""
    return p.c.cues["function_section"]


@_feature(structure=True)
def _problem_section(p):
    """The paragraph stands under a heading about problems or next steps."""
    return p.c.cues["problem_section"]


@_feature(gap=True, structure=True)
def _name_in_section(p):
    """Share of the name's bigrams in the paragraph's section headings."""
    return _containment(p.name, p.c.section_bigrams)


@_feature(gap=True, structure=True)
def _project_match(p):
    """The project named in the table above the indicator, in the paragraph's headings or text."""
    name = project_of(p.indicator)
    if not name:
        return np.zeros(len(p.c))
    project = char_bigrams(name)
    return np.maximum(_containment(project, p.c.section_bigrams), _containment(project, p.c.bigrams))


@_feature(structure=True)
def _context_in_section(p):
    """The table rows above the indicator (project name, goals) against the paragraph's headings."""
    return _containment(char_bigrams(p.indicator.context), p.c.section_bigrams, p.c.section_idf)


@_feature()
def _pooled(p):
    """The candidates are a judged pool from other documents (training only; 0 when linking a document)."""
    return float(p.pooled)


def _names():
    names = []
    for name, _, gap in _FEATURES:
        names += [name, name + "_gap"] if gap else [name]
    return names


FEATURE_NAMES = _names()
# The columns an indicator given without structure (an indicator file, a table of paragraphs) cannot have:
# the linker for such indicators is trained with them set to zero.
STRUCTURE_COLUMNS = [k for k, name in enumerate(FEATURE_NAMES) if name in _STRUCTURE]


class LinkScorer:
    """Link confidences from feature rows: the arrays of a fitted `nlp.classify.EvidenceLinker`.

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


def _candidate_groups(paragraphs, indicators):
    """Indicators grouped by their candidates: (indicator indices, paragraph indices) per group.

    A paragraph is a candidate of an indicator of its own document; either side without
    a ``doc_id`` goes with every document. Work grows with the documents, not their square.
    """
    by_doc, anywhere = {}, []
    for j, p in enumerate(paragraphs):
        doc = p.get("doc_id")
        (anywhere if doc is None or doc != doc else by_doc.setdefault(doc, [])).append(j)
    groups = {}
    for i, ind in enumerate(indicators):
        groups.setdefault(ind.doc_id, []).append(i)
    for doc, members in groups.items():
        cols = list(range(len(paragraphs))) if doc is None else sorted(by_doc.get(doc, []) + anywhere)
        if cols:
            yield members, cols


def link_confidences(paragraphs, indicators, *, model, paragraph_proba=None, step=None):
    """Confidence that each paragraph supports each indicator.

    Parameters
    ----------
    paragraphs : list of dict
        With ``text``, ``section`` and optionally ``doc_id``.
    indicators : list of nlp.records.Indicator
        Those with table context are scored by the model's linker; those without
        by its linker trained without a report's structure.
    model : nlp.model.Model
    paragraph_proba : ndarray, optional
        The paragraphs' category probabilities, when the caller has them already.
    step : callable, optional
        Called with 1 as each indicator that has candidates is scored (a progress bar's ``update``).

    Returns
    -------
    ndarray of shape (n_indicators, n_paragraphs)
        Probabilities; NaN where the two belong to different documents, 0 where the paragraph lies in
        the part of the report about another project (`project_scope`).
    """
    conf = np.full((len(indicators), len(paragraphs)), np.nan)
    if model.linker is None or not len(indicators) or not len(paragraphs):
        return conf
    par_proba = model.predict_proba([p["text"] for p in paragraphs]) if paragraph_proba is None else paragraph_proba
    ind_proba = model.predict_proba([indicator_text(ind) for ind in indicators])
    synonyms = model.meta["linker"]["synonyms"]
    for members, cols in _candidate_groups(paragraphs, indicators):
        candidates = Candidates([paragraphs[j] for j in cols], par_proba[cols], tokenizer=model.tokenizer,
                                synonyms=synonyms)
        scope = project_scope(candidates.sections, [project_of(indicators[i]) for i in members])
        for i, in_scope in zip(members, scope):
            rows = candidates.rows(indicators[i], ind_proba[i])
            scorer = model.linker if indicators[i].has_context else model.linker_without_context or model.linker
            if scorer is not model.linker:
                rows[:, STRUCTURE_COLUMNS] = 0.0
            conf[i, cols] = np.where(in_scope, scorer.confidence(rows), 0.0)
            if step is not None:
                step(1)
    return conf


def find_evidence(paragraphs, indicators, *, model, top_k=5, min_confidence=None):
    """For every indicator, its best-supported paragraphs, a status and the quantities they state.

    Parameters
    ----------
    paragraphs : list of dict
        Candidate evidence: ``id``, ``text``, ``section``, optional ``doc_id``.
    indicators : list of nlp.records.Indicator
    model : nlp.model.Model
    top_k : int, default=5
        Links kept per indicator.
    min_confidence : float, optional
        Links under it are dropped; default: the model's ``weak`` cut-off (0 lists the best `top_k` whatever
        their confidence).

    Returns
    -------
    list of dict
        One object per indicator, in the shape of ``nlp evidence``.

    Raises
    ------
    InputError
        The model was trained without indicators and has no linker.
    """
    if model.linker is None:
        raise InputError(model.directory or "model", "the model has no linker (its corpus had no indicators)")
    return evidence_rows(paragraphs, indicators, link_confidences(paragraphs, indicators, model=model),
                         model=model, top_k=top_k, min_confidence=min_confidence)


def evidence_rows(paragraphs, indicators, conf, *, model, top_k=5, min_confidence=None):
    """`find_evidence`'s output from link confidences already computed (`link_confidences`).

    A text repeated in the document (a paragraph copied into an attachment) takes one
    place in the list; the ids of its copies are listed under ``same_text``. Links under
    `min_confidence` (default: the model's ``weak`` cut-off) are left out; the status does not depend on it.
    """
    cut = model.meta["status_cutoffs"]
    floor = cut["weak"] if min_confidence is None else min_confidence
    documents = {p.get("doc_id") for p in paragraphs}
    out = []
    for i, ind in enumerate(indicators):
        row = np.nan_to_num(conf[i], nan=-1.0)
        unit = target_unit(ind)
        evidence, listed = [], {}
        for j in np.argsort(-row, kind="stable"):
            if row[j] < floor:
                break
            text = paragraphs[j]["text"]
            if text in listed:
                listed[text].setdefault("same_text", []).append(paragraphs[j]["id"])
                continue
            if len(evidence) == top_k:
                break
            item = {"id": paragraphs[j]["id"], "confidence": round(float(row[j]), 4), "text": text}
            found = quantities(text, unit) if unit else []
            if found:
                item["quantities"] = found
            evidence.append(item)
            listed[text] = item
        out.append({
            # An indicator file without doc_id belongs to the document read, when there is one.
            "doc_id": ind.doc_id or (next(iter(documents)) if len(documents) == 1 else None),
            "indicator": {k: getattr(ind, k) for k in ("id", "level1", "level2", "name", "target", "actual")},
            "evidence": evidence,
            "status": status_of(row[row >= 0], cut["supported"], cut["weak"]),
        })
    return out
