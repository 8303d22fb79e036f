"""Linking: the calibrated probability that a paragraph is evidence for an indicator."""
import math
import re

import numpy as np
from importlib import resources
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["EvidenceLinker", "LinkFeatures", "find_evidence", "link_confidences", "quantities", "indicator_text", "status_of"]

_UNITS = "万元|亿元|元|人次|家次|户次|次|场|期|批|家|个|人|名|项|篇|条|户|村|所|份|件|天|%"
_QUANTITY = re.compile(r"(\d+(?:\.\d+)?)\s*(多|余)?\s*(" + _UNITS + ")")
_ANY_NUMBER = re.compile(r"\d")
# Cues that a paragraph reports work done rather than a function, goal or plan.
_DONE = re.compile(r"已|完成|共计|累计|举办|召开|组织|开展了|走访|达到|实现|发放|捐赠|捐款|签约|帮助|解决|参加|慰问|培训了|共")
_PLAN = re.compile(r"职能|职责|负责|目标|计划|拟|将要|力争|应当|加强|推进|坚持|进一步|要")
_FUNCTION_SECTION = re.compile(r"职能|职责|概况|基本情况|机构|人员|目标")
_PROBLEM_SECTION = re.compile(r"问题|不足|措施|建议|整改|下一步")
_RESULT_SECTION = re.compile(r"绩效|成效|完成|履职|产出|效益|工作开展|主要工作")

FEATURE_NAMES = [
    "category_agreement", "indicator_category_prob", "token_overlap", "relative_overlap",
    "char_overlap", "relative_char_overlap", "same_unit_number", "has_number", "done_cues",
    "plan_cues", "function_section", "problem_section", "result_section", "log_length",
]


def _synonym_groups():
    text = resources.files("nlp").joinpath("data").joinpath("synonyms.txt").read_text(encoding="utf-8")
    canon = {}
    for line in text.splitlines():
        words = line.split()
        if words and not line.startswith("#"):
            for w in words:
                canon.setdefault(w, words[0])
    return canon


def quantities(text, unit=None):
    """Numbers with a unit in `text`, e.g. ``["300多家次"]``; only `unit` if given."""
    found = []
    for m in _QUANTITY.finditer(text):
        if unit is None or m.group(3) == unit or (unit in ("次", "家") and m.group(3).endswith(unit)):
            found.append(m.group(0).replace(" ", ""))
    return found


def target_unit(target):
    """The unit of an indicator's target value (``"≥2次"`` → ``"次"``), or None."""
    m = _QUANTITY.search(target or "")
    return m.group(3) if m else None


def indicator_text(indicator):
    """The words of an indicator a paragraph is compared with: its name, levels and target."""
    return " ".join(str(indicator.get(k) or "") for k in ("level2", "name", "target"))


def status_of(confidences, supported, weak):
    """``supported`` when the best link reaches `supported`, ``weak`` at `weak`, else ``unsupported``."""
    best = max(confidences, default=0.0)
    return "supported" if best >= supported else "weak" if best >= weak else "unsupported"


class LinkFeatures:
    """Turns (indicator, paragraph) pairs of one document into the linker's feature rows.

    Parameters
    ----------
    tokenizer : nlp.tokenize.Tokenizer
        Word segmentation, applied to the simplified texts.
    """

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer
        self._canon = _synonym_groups()

    def _tokens(self, text):
        return {self._canon.get(t, t) for t in self.tokenizer(text) if t != "<num>"}

    @staticmethod
    def _bigrams(text):
        text = re.sub(r"[^\u3400-\u9fff]", "", text)
        return {text[i:i + 2] for i in range(len(text) - 1)}

    def transform(self, indicators, paragraphs, indicator_probs, paragraph_probs):
        """Feature matrix of shape (n_indicators * n_paragraphs, n_features), indicator-major.

        Parameters
        ----------
        indicators : list of dict
            With ``name``, ``target`` and optionally ``level2``; texts simplified.
        paragraphs : list of dict
            With ``text`` and ``section``; texts simplified.
        indicator_probs, paragraph_probs : ndarray
            Category probabilities of the indicator texts and of the paragraphs.
        """
        par_tokens = [self._tokens(p["text"]) for p in paragraphs]
        par_bigrams = [self._bigrams(p["text"]) for p in paragraphs]
        par_static = np.array([[
            bool(_ANY_NUMBER.search(p["text"])),
            min(len(_DONE.findall(p["text"])), 5) / 5,
            min(len(_PLAN.findall(p["text"])), 5) / 5,
            bool(_FUNCTION_SECTION.search(p.get("section") or "")),
            bool(_PROBLEM_SECTION.search(p.get("section") or "")),
            bool(_RESULT_SECTION.search(p.get("section") or "")),
            math.log1p(len(p["text"])) / 7,
        ] for p in paragraphs], dtype=float).reshape(len(paragraphs), 7)
        rows = []
        for i, ind in enumerate(indicators):
            tokens = self._tokens(indicator_text(ind)) or {""}
            bigrams = self._bigrams(indicator_text(ind)) or {""}
            unit = target_unit(ind.get("target"))
            overlap = np.array([len(tokens & t) / len(tokens) for t in par_tokens])
            char_overlap = np.array([len(bigrams & b) / len(bigrams) for b in par_bigrams])
            top = int(np.argmax(indicator_probs[i]))
            agreement = paragraph_probs @ indicator_probs[i] / max(indicator_probs[i].sum(), 1e-9)
            same_unit = np.array([bool(unit and quantities(p["text"], unit)) for p in paragraphs], float)
            rows.append(np.column_stack([
                agreement,
                paragraph_probs[:, top],
                overlap,
                overlap / max(overlap.max(), 1e-9),
                char_overlap,
                char_overlap / max(char_overlap.max(), 1e-9),
                same_unit,
                par_static,
            ]))
        return np.vstack(rows) if rows else np.zeros((0, len(FEATURE_NAMES)))


class EvidenceLinker(ClassifierMixin, BaseEstimator):
    """Logistic regression over link features; its probabilities are the link confidences.

    Parameters
    ----------
    C : float, default=1.0
        Inverse regularisation strength.

    Attributes
    ----------
    classes_ : ndarray
    scaler_ : StandardScaler
    model_ : LogisticRegression

    Examples
    --------
    >>> import numpy as np
    >>> X = np.r_[np.zeros((10, 2)), np.ones((10, 2))]
    >>> y = np.r_[np.zeros(10, int), np.ones(10, int)]
    >>> EvidenceLinker().fit(X, y).predict([[1, 1]]).tolist()
    [1]
    """

    def __init__(self, C=1.0):
        self.C = C

    def fit(self, X, y):
        """Fit on feature rows `X` and 0/1 link labels `y`."""
        X, y = validate_data(self, X, y)
        self.scaler_ = StandardScaler().fit(X)
        # No class weighting: the probabilities must stay calibrated to the real link rate.
        self.model_ = LogisticRegression(C=self.C, max_iter=2000).fit(self.scaler_.transform(X), y)
        self.classes_ = self.model_.classes_
        return self

    def decision_function(self, X):
        """Log-odds of a link."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return self.model_.decision_function(self.scaler_.transform(X))

    def predict_proba(self, X):
        """Probability of each class; column ``1`` is the link confidence."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return self.model_.predict_proba(self.scaler_.transform(X))

    def predict(self, X):
        """The more probable class for each row."""
        check_is_fitted(self)
        return self.classes_[self.predict_proba(X).argmax(axis=1)]


def _same_doc(a, b):
    return a is None or b is None or a == b


def link_confidences(model, paragraphs, indicators):
    """Confidence that each paragraph supports each indicator.

    Parameters
    ----------
    model : nlp.model.Model
    paragraphs : list of dict
        With ``text``, ``section`` and optionally ``doc_id``.
    indicators : list of dict
        With ``name``, ``target``, ``level2`` and optionally ``doc_id``.

    Returns
    -------
    ndarray of shape (n_indicators, n_paragraphs)
        Probabilities; NaN where the two belong to different documents.
    """
    from .tokenize import to_simplified

    conf = np.full((len(indicators), len(paragraphs)), np.nan)
    if model.linker is None or not len(indicators) or not len(paragraphs):
        return conf
    simple = [{"text": to_simplified(p["text"]), "section": to_simplified(p.get("section") or "")}
              for p in paragraphs]
    par_proba = model.predict_proba([p["text"] for p in paragraphs])
    ind_records = [{k: to_simplified(str(ind.get(k) or "")) for k in ("name", "target", "level2")}
                   for ind in indicators]
    ind_proba = model.predict_proba([indicator_text(r) for r in ind_records])
    features = LinkFeatures(model.tokenizer)
    for i, ind in enumerate(indicators):
        cols = [j for j, p in enumerate(paragraphs) if _same_doc(p.get("doc_id"), ind.get("doc_id"))]
        if cols:
            X = features.transform([ind_records[i]], [simple[j] for j in cols], ind_proba[i:i + 1], par_proba[cols])
            conf[i, cols] = model.linker.predict_proba(X)[:, 1]
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
    """
    conf = link_confidences(model, paragraphs, indicators)
    cut = model.meta["status_cutoffs"]
    out = []
    for i, ind in enumerate(indicators):
        row = np.nan_to_num(conf[i], nan=-1.0)
        order = [j for j in np.argsort(-row, kind="stable")[:top_k] if row[j] >= cut["weak"]]
        unit = target_unit(ind.get("target"))
        evidence = []
        for j in order:
            item = {"id": paragraphs[j]["id"], "confidence": round(float(row[j]), 4), "text": paragraphs[j]["text"]}
            found = quantities(paragraphs[j]["text"], unit) if unit else []
            if found:
                item["quantities"] = found
            evidence.append(item)
        out.append({
            "doc_id": ind.get("doc_id"),
            "indicator": {k: ind.get(k, "") for k in ("id", "level1", "level2", "name", "target", "actual")},
            "evidence": evidence,
            "status": status_of(row[row >= 0], cut["supported"], cut["weak"]),
        })
    return out
