"""Classifying: the estimators trained on the corpus, for activity categories and for evidence links."""
import warnings

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.exceptions import DataConversionWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer, LabelBinarizer, StandardScaler
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from .metrics import best_f1_threshold
from .tag import guide_word_counts, sigmoid
from .tokenize import Tokenizer, to_simplified
from .vocabulary import word_lists

__all__ = ["ActivityClassifier", "EvidenceLinker", "make_text_pipeline", "text_tokenizer"]


class ActivityClassifier(ClassifierMixin, BaseEstimator):
    """One logistic regression per category, Platt-calibrated out of fold, with its own threshold.

    For a 2-d indicator `y` (multi-label) `predict_proba` gives each category's
    calibrated probability and `predict` the categories at or above their
    threshold. For a 1-d `y` it is an ordinary classifier: probabilities
    normalised to sum to one and `predict` the most probable class.

    Parameters
    ----------
    C : float, default=8.0
        Inverse regularisation strength of each logistic regression.
    cv : int, default=5
        Folds used to collect the out-of-fold scores that fit the calibration
        and choose the thresholds; grouped when `fit` gets `groups`.

    Attributes
    ----------
    classes_ : ndarray
        Category names (or class labels for 1-d `y`).
    coef_, intercept_ : ndarray
        The stacked logistic regressions, one row per category.
    calibration_ : ndarray of shape (n_categories, 2)
        Slope and offset of the sigmoid that maps a decision score to a probability.
    thresholds_ : ndarray of shape (n_categories,)
        Probability at or above which a category is predicted (multi-label only).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.r_[np.zeros((20, 2)), np.ones((20, 2))] + np.arange(40)[:, None] % 3 * 0.1
    >>> y = np.r_[np.zeros(20, int), np.ones(20, int)]
    >>> ActivityClassifier(cv=2).fit(X, y).predict([[0, 0], [1, 1]]).tolist()
    [0, 1]
    """

    def __init__(self, C=8.0, cv=5):
        self.C = C
        self.cv = cv

    def fit(self, X, y, groups=None):
        """Fit one calibrated model per category.

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
        y : array-like of shape (n_samples,) or (n_samples, n_categories)
            Class labels, or a 0/1 indicator matrix for multi-label.
        groups : array-like of shape (n_samples,), optional
            Document of each sample; the calibration folds never split one.

        Returns
        -------
        self : ActivityClassifier
        """
        X, y = validate_data(self, X, y, accept_sparse="csr", multi_output=True)
        if y.ndim == 2 and y.shape[1] == 1:
            warnings.warn("a column-vector y was passed; use shape (n_samples,)", DataConversionWarning)
            y = y.ravel()
        self.multilabel_ = y.ndim == 2
        if self.multilabel_:
            if type_of_target(y) not in ("multilabel-indicator", "binary"):
                raise ValueError("a 2-d y must be a 0/1 indicator matrix, one column per category")
            Y = y.astype(int)
            self.classes_ = np.arange(Y.shape[1])
        else:
            if type_of_target(y) == "continuous":
                raise ValueError("Unknown label type: continuous values are not classes")
            binarizer = LabelBinarizer().fit(y)
            self.classes_ = binarizer.classes_
            Y = binarizer.transform(y)
            if Y.shape[1] == 1 and len(self.classes_) == 2:
                Y = np.c_[1 - Y, Y]
            elif len(self.classes_) == 1:
                Y = np.ones((len(y), 1), int)
        n = Y.shape[1]
        self.coef_ = np.zeros((n, X.shape[1]))
        self.intercept_ = np.zeros(n)
        self.calibration_ = np.tile([1.0, 0.0], (n, 1))
        self.thresholds_ = np.full(n, 0.5)
        for j in range(n):
            self._fit_category(j, X, Y[:, j], groups)
        return self

    def _logreg(self):
        # Balanced weights: the rarer categories would otherwise never pass a threshold.
        return LogisticRegression(C=self.C, class_weight="balanced", solver="liblinear")

    def _fit_category(self, j, X, yj, groups):
        if yj.min() == yj.max():
            # One value only: a constant score far on that side.
            self.intercept_[j] = 10.0 if yj[0] else -10.0
            return
        model = self._logreg().fit(X, yj)
        self.coef_[j], self.intercept_[j] = model.coef_[0], model.intercept_[0]
        n_splits = min(self.cv, np.bincount(yj).min())
        if groups is not None:
            n_splits = min(n_splits, len(np.unique(groups)))
        if n_splits < 2:
            return
        scores = np.zeros(len(yj))
        splitter = (StratifiedGroupKFold(n_splits) if groups is not None else StratifiedKFold(n_splits))
        for train, test in splitter.split(X, yj, groups):
            if yj[train].min() == yj[train].max():
                scores[test] = 10.0 if yj[train][0] else -10.0
                continue
            scores[test] = self._logreg().fit(X[train], yj[train]).decision_function(X[test])
        platt = LogisticRegression(C=1e4).fit(scores.reshape(-1, 1), yj)
        self.calibration_[j] = platt.coef_[0, 0], platt.intercept_[0]
        self.thresholds_[j] = best_f1_threshold(yj, sigmoid(scores * platt.coef_[0, 0] + platt.intercept_[0]))

    def _logits(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse="csr", reset=False)
        scores = np.asarray(X @ self.coef_.T) + self.intercept_
        return scores * self.calibration_[:, 0] + self.calibration_[:, 1]

    def decision_function(self, X):
        """Calibrated log-odds of each category (for two classes, of the second)."""
        logits = self._logits(X)
        if self.multilabel_ or len(self.classes_) > 2:
            return logits
        return logits[:, -1] - logits[:, 0]

    def predict_proba(self, X):
        """Calibrated probability of each category, shape (n_samples, n_categories)."""
        proba = sigmoid(self._logits(X))
        if not self.multilabel_:
            if len(self.classes_) == 1:
                return np.ones((X.shape[0], 1))
            proba = proba / proba.sum(axis=1, keepdims=True)
        return proba

    def predict(self, X):
        """0/1 matrix of the categories at or above threshold, or the most probable class."""
        proba = self.predict_proba(X)
        if self.multilabel_:
            return (proba >= self.thresholds_).astype(int)
        return self.classes_[proba.argmax(axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.classifier_tags.multi_label = True
        tags.target_tags.multi_output = True
        return tags


class KeywordCounts(TransformerMixin, BaseEstimator):
    """Log counts of each category's guide words in a text: one column per category.

    Parameters
    ----------
    keywords : dict of str to list of str, optional
        Words per category; default: the package's ``data/keywords.txt``.
    """

    def __init__(self, keywords=None):
        self.keywords = keywords

    def fit(self, X, y=None):
        """Nothing to learn; records the word lists."""
        self.keywords_ = dict(self.keywords or default_keywords())
        return self

    def transform(self, X):
        """Sparse matrix of shape (n_texts, n_categories)."""
        check_is_fitted(self)
        rows = [guide_word_counts(text, self.keywords_) for text in X]
        return sparse.csr_matrix(np.array(rows, float).reshape(len(rows), len(self.keywords_)))

    def get_feature_names_out(self, input_features=None):
        """One name per column: ``keywords:<category>``."""
        check_is_fitted(self)
        return np.array([f"keywords:{c}" for c in self.keywords_], dtype=object)


def default_keywords():
    """The guide's typical words per category, shipped with the package."""
    return {category: list(words) for category, words in word_lists("keywords.txt").items()}


def simplify_all(texts):
    """`to_simplified` over a sequence of texts (the first step of the text pipeline)."""
    return [to_simplified(t) for t in texts]


def text_tokenizer(pipeline):
    """The `Tokenizer` a text pipeline's word features use."""
    return pipeline.named_steps["features"].transformer_list[0][1].tokenizer


def make_text_pipeline(tokenizer=None, **classifier_params):
    """The text-in, categories-out pipeline: simplify, word TF-IDF, guide words, classifier.

    Character n-grams scored no better in grouped cross-validation and cost a
    fifth of the tagging time (``notebooks/model_selection.py``).

    Parameters
    ----------
    tokenizer : Tokenizer, optional
        Word segmentation for the word features; default: the domain tokenizer.
    **classifier_params
        Passed to `ActivityClassifier`.

    Returns
    -------
    sklearn.pipeline.Pipeline
    """
    tokenizer = tokenizer or Tokenizer()
    features = FeatureUnion([
        ("words", TfidfVectorizer(tokenizer=tokenizer, token_pattern=None, lowercase=False,
                                  ngram_range=(1, 2), min_df=2, sublinear_tf=True)),
        ("keywords", KeywordCounts()),
    ])
    return Pipeline([
        ("simplify", FunctionTransformer(simplify_all)),
        ("features", features),
        ("classifier", ActivityClassifier(**classifier_params)),
    ])


class EvidenceLinker(ClassifierMixin, BaseEstimator):
    """Logistic regression over link features; its probabilities are the link confidences.

    Parameters
    ----------
    C : float, default=0.01
        Inverse regularisation strength; strong, as links are learned from a few reports
        and a pool of judged pairs (weaker settings ranked and calibrated worse out of fold).

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

    def __init__(self, C=0.01):
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
