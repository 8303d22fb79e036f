import numpy as np
from sklearn.utils.estimator_checks import parametrize_with_checks

from nlp.classify import ActivityClassifier, EvidenceLinker, make_text_pipeline

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


def test_tagger_arrays_give_the_pipeline_probabilities(tiny_corpus):
    from nlp.corpus import load_corpus
    from nlp.tag import Tagger

    corpus = load_corpus(tiny_corpus)
    pipe = make_text_pipeline(cv=3).fit(corpus.paragraphs["text"].tolist(), corpus.label_matrix())
    texts = ["组织会员企业到贫困村开展结对帮扶，捐赠资金", "召开招商引资推介会", "工商聯組織會員", "", "今天天气很好"]
    np.testing.assert_allclose(Tagger.from_pipeline(pipe).predict_proba(texts), pipe.predict_proba(texts), rtol=1e-9)


def test_link_scorer_gives_the_linker_probabilities():
    from nlp.link import LinkScorer

    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(200, 5)), rng.integers(0, 2, 200)
    linker = EvidenceLinker().fit(X, y)
    np.testing.assert_allclose(LinkScorer.from_estimator(linker).confidence(X), linker.predict_proba(X)[:, 1])
