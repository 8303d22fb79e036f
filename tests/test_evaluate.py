"""The evaluation by genre: seed reports left out whole, web paragraphs by genre, the keyword rule beside."""
import json

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.pipeline import Pipeline

from conftest import ROOT, tiny_rows, write_corpus
from nlp.corpus import load_corpus
from nlp.evaluate import keyword_rule, one_report_out, tagging_by_genre
from nlp.metrics import tagging_metrics


class Memory(ClassifierMixin, BaseEstimator):
    """Gives each text the labels it was trained with, nothing to a text it never saw."""

    def fit(self, X, Y, groups=None):
        self.seen_ = {text: row for text, row in zip(X, np.asarray(Y))}
        self.width_ = np.asarray(Y).shape[1]
        return self

    def predict_proba(self, X):
        return np.array([self.seen_.get(text, np.zeros(self.width_)) for text in X], float)

    def predict(self, X):
        return (self.predict_proba(X) >= 0.5).astype(int)


def memory():
    return Pipeline([("classifier", Memory())])


def genre_corpus(folder):
    """The tiny corpus: documents d0, d1 seed reports; the rest web pages, d2 a work summary, others news."""
    rows = tiny_rows()
    for row in rows:
        row["source"] = "seed" if row["doc_id"] in ("d0", "d1") else "http://example.org/" + row["doc_id"]
    write_corpus(folder, rows)
    extra = [{"id": r["id"], "genre": "work_summary" if r["doc_id"] == "d2" else "news"}
             for r in rows if r["source"] != "seed"]
    (folder / "extra_paragraphs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in extra), encoding="utf-8")
    return load_corpus(folder)


def test_genres_come_from_the_extra_table_and_the_seed_source(tmp_path):
    genre = genre_corpus(tmp_path).paragraphs.set_index("id")["genre"]
    assert genre["other-0"] == genre["other-1"] == "report"
    assert genre["other-2"] == "work_summary" and genre["other-3"] == "news"


def test_the_shipped_corpus_has_a_genre_for_every_paragraph():
    genre = load_corpus(ROOT / "corpus").paragraphs["genre"]
    assert genre.value_counts().to_dict() == {"report": 522, "news": 381, "work_summary": 33,
                                              "budget_disclosure": 23, "other": 21}


def test_keyword_rule_gives_a_category_when_one_of_its_words_occurs():
    words = {"a": ["招商", "签约"], "b": ["扶贫"]}
    got = keyword_rule(["召开招商推介会", "精准扶贫与项目签约", "單位預算"], ["a", "b"], words)
    assert got.tolist() == [[1, 0], [1, 1], [0, 0]]
    # Traditional script is simplified first, as the tagger does.
    assert keyword_rule(["組織扶貧"], ["a", "b"], words).tolist() == [[0, 1]]


def test_exact_label_set_counts_whole_rows():
    Y = np.array([[1, 0], [0, 0], [1, 1]])
    pred = np.array([[1, 0], [0, 0], [1, 0]])
    assert tagging_metrics(Y, pred, pred, ["a", "b"])["exact_label_set"] == pytest.approx(2 / 3)


def test_one_report_out_never_scores_a_report_with_a_model_that_saw_it(tmp_path):
    corpus = genre_corpus(tmp_path)
    p = corpus.paragraphs
    # Every text is unique, so a model that remembers texts can only be right on ones it was trained with.
    rows = np.flatnonzero(p["doc_id"].isin(["d0", "d1"]).to_numpy())
    proba, pred = one_report_out(corpus, memory(), rows)
    assert proba.shape == (len(rows), len(corpus.categories)) and not pred.any()
    # The same memory scores its training texts perfectly: the check above can fail.
    Y = corpus.label_matrix()
    assert (memory().fit(p["text"].tolist(), Y).predict(p["text"].tolist()) == Y).all()


def test_tagging_by_genre_parts_counts_and_keyword_rule(tmp_path):
    corpus = genre_corpus(tmp_path)
    Y = corpus.label_matrix()
    parts = tagging_by_genre(corpus, Y, Y.astype(float), Y, corpus.categories, tagger=memory())
    assert list(parts) == ["reports", "web_news", "web_report_like", "web"]
    assert [parts[n]["paragraphs"] for n in parts] == [10, 25, 5, 30]
    assert parts["reports"]["scored"] == "one report out" and parts["web"]["scored"] == "grouped folds"
    # The given scores are perfect on the web parts; the reports are rescored by a memory that never saw them.
    assert parts["web"]["tagger"]["macro_f1"] == 1.0 and parts["web"]["tagger"]["exact_label_set"] == 1.0
    assert parts["reports"]["tagger"]["macro_f1"] == 0.0
    rule = keyword_rule(corpus.paragraphs["text"].tolist(), corpus.categories)
    web = corpus.paragraphs["genre"].ne("report").to_numpy()
    assert parts["web"]["keyword_rule"] == tagging_metrics(Y[web], rule[web], rule[web], corpus.categories)
    held = tagging_by_genre(corpus, Y, Y.astype(float), Y, corpus.categories)
    assert held["reports"]["scored"] == "held out" and held["reports"]["tagger"]["macro_f1"] == 1.0
