"""Tagging: calibrated activity categories for the paragraphs of a document.

The trained text pipeline is kept as arrays (vocabulary, idf, weights,
calibration) and applied here with numpy alone, so tagging neither imports
scikit-learn nor unpickles anything.
"""
import math
from collections import Counter

import numpy as np

from .tokenize import Tokenizer, to_simplified

__all__ = ["Tagger", "guide_word_counts", "sigmoid"]


def sigmoid(z):
    """The logistic function, elementwise."""
    return 1.0 / (1.0 + np.exp(-z))


def guide_word_counts(text, keywords):
    """Log counts of each category's guide words in `text` (one value per category of `keywords`)."""
    chars = set(text)  # a word whose first character is absent cannot occur: skip counting it
    return np.log1p([sum(text.count(w) for w in words if w[0] in chars) for words in keywords.values()])


class Tagger:
    """Category probabilities from the arrays of a fitted `nlp.classify.make_text_pipeline`.

    Computes what the pipeline computes: TF-IDF of word 1-2-grams (sublinear tf,
    l2-normalised), log counts of each category's guide words, one linear score
    per category, then its Platt calibration.

    Parameters
    ----------
    vocabulary : list of str
        Word n-grams in column order.
    idf : array of shape (n_terms,)
    keywords : dict of str to list of str
        Guide words per category, in column order after the n-grams.
    coef : array of shape (n_categories, n_terms + n_keyword_columns)
    intercept : array of shape (n_categories,)
    calibration : array of shape (n_categories, 2)
        Slope and offset of each category's sigmoid.
    tokenizer : nlp.tokenize.Tokenizer
    """

    def __init__(self, *, vocabulary, idf, keywords, coef, intercept, calibration, tokenizer):
        self.vocabulary = list(vocabulary)
        self.idf = np.asarray(idf, float)
        self.keywords = dict(keywords)
        self.coef = np.asarray(coef, float)
        self.intercept = np.asarray(intercept, float)
        self.calibration = np.asarray(calibration, float)
        self.tokenizer = tokenizer
        self._index = {term: i for i, term in enumerate(self.vocabulary)}

    @classmethod
    def from_pipeline(cls, pipeline):
        """The arrays of a fitted text pipeline (see `nlp.classify.make_text_pipeline`)."""
        words, keywords = (step for _, step in pipeline.named_steps["features"].transformer_list)
        classifier = pipeline.named_steps["classifier"]
        return cls(vocabulary=sorted(words.vocabulary_, key=words.vocabulary_.get), idf=words.idf_,
                   keywords=keywords.keywords_, coef=classifier.coef_, intercept=classifier.intercept_,
                   calibration=classifier.calibration_, tokenizer=words.tokenizer)

    def _features(self, text):
        """Column indices and values of the word features, and the guide-word column values."""
        tokens = self.tokenizer(text)
        grams = tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]
        counts = Counter(g for g in grams if g in self._index)
        index = np.fromiter((self._index[g] for g in counts), int, len(counts))
        values = (1.0 + np.log(np.fromiter(counts.values(), float, len(counts)))) * self.idf[index]
        norm = math.sqrt(values @ values)
        if norm:
            values /= norm
        guide = guide_word_counts(text, self.keywords)
        return index, values, guide

    def predict_proba(self, texts):
        """Calibrated probability of each category, shape (n_texts, n_categories)."""
        n_terms = len(self.vocabulary)
        scores = np.empty((len(texts), len(self.intercept)))
        for row, text in enumerate(texts):
            index, values, guide = self._features(to_simplified(text))
            scores[row] = self.coef[:, index] @ values + self.coef[:, n_terms:] @ guide + self.intercept
        return sigmoid(scores * self.calibration[:, 0] + self.calibration[:, 1])

    def explain(self, text, categories, top=5):
        """Per category, the terms of `text` that pushed its score up most.

        A category's guide words count as one term, shown with the ones found:
        ``"guide words of poverty_alleviation: 结对帮扶、捐赠"``.
        """
        simple = to_simplified(text)
        index, values, guide = self._features(simple)
        found = {c: "、".join([w for w in words if w in simple][:3]) for c, words in self.keywords.items()}
        names = [self.vocabulary[i] for i in index] + [f"guide words of {c}: {w}" for c, w in found.items()]
        out = {}
        for j, category in enumerate(categories):
            contrib = np.r_[self.coef[j, index] * values, self.coef[j, len(self.vocabulary):] * guide]
            out[category] = [names[b] for b in np.argsort(-contrib)[:top] if contrib[b] > 0]
        return out

    def arrays(self):
        """The numeric state, for saving with numpy."""
        return {"idf": self.idf, "coef": self.coef, "intercept": self.intercept, "calibration": self.calibration}

    def words(self):
        """The non-numeric state, for saving as JSON."""
        return {"vocabulary": self.vocabulary, "keywords": self.keywords,
                "tokenizer": {"words": self.tokenizer.words, "stop_words": self.tokenizer.stop_words}}

    @classmethod
    def load(cls, words, arrays):
        """Rebuild from `words()` and `arrays()` output."""
        return cls(vocabulary=words["vocabulary"], keywords=words["keywords"],
                   tokenizer=Tokenizer(**words["tokenizer"]), **arrays)
