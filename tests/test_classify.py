import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from nlp.classify import ActivityClassifier, make_text_pipeline
from nlp.link import EvidenceLinker

# predict uses each category's own threshold, chosen by cross-validation, so it
# departs on purpose from the check's assumption that predict == (proba >= 0.5).
EXPECTED = {"check_classifier_multioutput": "per-category thresholds, not 0.5"}


@parametrize_with_checks([ActivityClassifier(cv=3), EvidenceLinker()],
                         expected_failed_checks=lambda est: EXPECTED if isinstance(est, ActivityClassifier) else {})
def test_sklearn_contract(estimator, check):
    check(estimator)


def _toy():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 6))
    Y = np.c_[X[:, 0] > 0.3, X[:, 1] > 0, (X[:, 2] + X[:, 0]) > 0.5].astype(int)
    groups = np.repeat(np.arange(12), 10)
    return X, Y, groups


def test_multilabel_probabilities_and_thresholds():
    X, Y, groups = _toy()
    clf = ActivityClassifier(cv=4).fit(X, Y, groups=groups)
    proba = clf.predict_proba(X)
    assert proba.shape == Y.shape and ((proba >= 0) & (proba <= 1)).all()
    assert ((clf.predict(X) == 1) == (proba >= clf.thresholds_)).all()
    assert (clf.thresholds_ > 0).all() and (clf.thresholds_ < 1).all()
    assert (clf.predict(X) == Y).mean() > 0.85


def test_calibration_learned_not_identity():
    X, Y, groups = _toy()
    clf = ActivityClassifier(cv=4).fit(X, Y, groups=groups)
    assert not np.allclose(clf.calibration_, [[1.0, 0.0]] * Y.shape[1])


def test_text_pipeline_learns_categories():
    texts = ["组织企业家开展理想信念教育", "举办党史学习教育报告会", "召开招商引资推介会签约项目",
             "赴外地开展招商考察洽谈项目", "走访民营企业解决融资难题", "开展法律服务进商会活动"] * 4
    Y = np.array([[1, 0, 0], [1, 0, 0], [0, 1, 0], [0, 1, 0], [0, 0, 1], [0, 0, 1]] * 4)
    pipe = make_text_pipeline(cv=2).fit(texts, Y)
    assert pipe.predict(["召开招商引资签约大会"]).tolist() == [[0, 1, 0]]
