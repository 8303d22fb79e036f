"""The shipped corpus: valid, and its seed blocks are what the reader gives."""
import pytest

from conftest import ROOT, SEEDS
from nlp.corpus import corpus_statistics, load_corpus, validate_corpus
from nlp.link import indicators_of
from nlp.read import read_report


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(ROOT / "corpus")


def test_corpus_is_valid_and_large_enough(corpus):
    assert validate_corpus(corpus) == []
    stats = corpus_statistics(corpus)
    assert stats["paragraphs"] >= 600 and stats["documents"] >= 20
    assert min(stats["paragraphs_per_category"].values()) >= 50
    assert stats["indicators"] >= 40


@pytest.mark.parametrize("seed", sorted(p.stem for p in SEEDS.glob("*.txt")))
def test_seed_blocks_match_the_reader(corpus, seed):
    blocks = read_report(SEEDS / f"{seed}.txt")
    p = corpus.paragraphs[corpus.paragraphs["doc_id"] == seed]
    expected = [(b.id, b.kind, b.section, b.text) for b in blocks if b.kind != "indicator"]
    assert list(zip(p["id"], p["kind"], p["section"], p["text"])) == expected
    ind = corpus.indicators[corpus.indicators["doc_id"] == seed]
    read = indicators_of(blocks)
    assert list(zip(ind["id"], ind["name"], ind["target"], ind["actual"], ind["context"])) == \
        [(r.id, r.name, r.target, r.actual, r.context) for r in read]
