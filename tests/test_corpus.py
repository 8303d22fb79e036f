import json

import pytest

from conftest import tiny_rows, write_corpus
from nlp.corpus import agreement, corpus_statistics, load_corpus, validate_corpus
from nlp.errors import InputError


def test_tiny_corpus_is_valid(tiny_corpus):
    corpus = load_corpus(tiny_corpus)
    assert validate_corpus(corpus) == []
    stats = corpus_statistics(corpus)
    assert stats["paragraphs"] == 40 and stats["documents"] == 8
    assert stats["paragraphs_per_category"]["other"] == 8


def _broken(rows, n, **change):
    rows = [dict(r) for r in rows]
    rows[n].update(change)
    return rows


@pytest.mark.parametrize("change, message", [
    (lambda r: _broken(r, 0, labels=["other", "political_guidance"]), "'other' is mixed"),
    (lambda r: _broken(r, 0, labels=[]), "no labels"),
    (lambda r: _broken(r, 1, id=r[0]["id"]), "used more than once"),
    (lambda r: _broken(r, 0, labels=["Political Guidance"]), "not a snake_case name"),
    (lambda r: _broken(r, 0, text="  "), "empty text"),
    (lambda r: [x for x in r if x["labels"] != ["investment_promotion"]][:-4] +
     [x for x in r if x["labels"] == ["investment_promotion"]][:3], "'investment_promotion' has 3 paragraph"),
    (lambda r: r + [dict(r[0], id="copy", doc_id="elsewhere", text=r[0]["text"] * 3)] +
     [dict(r[0], id="copy2", doc_id="another", text=r[0]["text"] * 3 + "。")], "near-duplicates"),
    (lambda r: [dict(x, labels=["other"]) for x in r], "nothing to learn"),
])
def test_validator_names_the_problem(tmp_path, change, message):
    corpus = load_corpus(write_corpus(tmp_path / "c", change(tiny_rows())))
    problems = validate_corpus(corpus)
    assert any(message in p for p in problems), problems


def test_unknown_label_against_declared_categories(tmp_path):
    folder = write_corpus(tmp_path / "c", _broken(tiny_rows(), 0, labels=["culture"]))
    (folder / "categories.txt").write_text("political_guidance\nenterprise_services\npoverty_alleviation\n"
                                           "investment_promotion\nother\n", encoding="utf-8")
    assert any("unknown label 'culture'" in p for p in validate_corpus(load_corpus(folder)))


def test_evidence_must_exist_in_the_same_document(tmp_path):
    rows = tiny_rows()
    indicators = [{"doc_id": "d0", "id": "k1", "name": "捐赠", "evidence": ["nope"]},
                  {"doc_id": "d0", "id": "k2", "name": "捐赠", "evidence": [rows[1]["id"]]}]
    problems = validate_corpus(load_corpus(write_corpus(tmp_path / "c", rows, indicators)))
    assert any("evidence nope is not a paragraph" in p for p in problems)
    assert any(f"evidence {rows[1]['id']} belongs to document d1" in p for p in problems)


@pytest.mark.parametrize("content, message", [
    ('{"id": 1, "text": "x", "labels": ["a"]}\n{broken\n', "line 2: not valid JSON"),
    ('{"id": 1, "labels": ["a"]}\n', "missing column"),
])
def test_unreadable_tables(tmp_path, content, message):
    path = tmp_path / "t.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        load_corpus(path)


def test_labels_as_pipe_joined_names(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("id,text,labels\n1,招商引资,investment_promotion|enterprise_services\n", encoding="utf-8")
    assert load_corpus(path).paragraphs["labels"][0] == ["investment_promotion", "enterprise_services"]


def _jsonl(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_the_fingerprint_ignores_notes_but_not_labels(tmp_path):
    rows = tiny_rows()
    base = load_corpus(write_corpus(tmp_path / "a", rows)).fingerprint()
    noted = load_corpus(write_corpus(tmp_path / "b", [dict(r, note="read again") for r in rows])).fingerprint()
    relabelled = [dict(r) for r in rows]
    relabelled[0]["labels"] = ["other"]
    assert noted == base != load_corpus(write_corpus(tmp_path / "c", relabelled)).fingerprint()


def test_agreement_of_paragraph_labels(tmp_path):
    a = _jsonl(tmp_path / "a.jsonl", [{"id": "1", "labels": ["x"]}, {"id": "2", "labels": ["y"]},
                                      {"id": "3", "labels": ["x", "y"]}, {"id": "4", "labels": ["y"]}])
    b = _jsonl(tmp_path / "b.jsonl", [{"id": "1", "labels": ["x"]}, {"id": "2", "labels": ["x"]},
                                      {"id": "3", "labels": ["x", "y"]}, {"id": "5", "labels": ["y"]}])
    result = agreement(a, b)
    assert result["paragraphs"] == 3 and result["exact"] == pytest.approx(2 / 3)
    assert result["first_label"] == pytest.approx(2 / 3)
    assert result["kappa"]["y"] == pytest.approx(0.4)  # observed 2/3, by chance 4/9


def test_agreement_of_evidence_links(tmp_path):
    a = _jsonl(tmp_path / "a.jsonl", [{"id": "i1", "evidence": ["p1", "p2"]}, {"id": "i2", "evidence": []},
                                      {"id": "i3", "evidence": ["p3"]}])
    b = _jsonl(tmp_path / "b.jsonl", [{"id": "i1", "evidence": ["p2"]}, {"id": "i2", "evidence": ["p4"]},
                                      {"id": "i3", "evidence": ["p3"]}])
    result = agreement(a, b)
    assert result["indicators"] == 3 and result["links"] == [3, 3] and result["both"] == 2
    assert result["f1"] == pytest.approx(2 / 3) and result["has_evidence"] == pytest.approx(2 / 3)


def test_agreement_needs_labels_or_evidence(tmp_path):
    a = _jsonl(tmp_path / "a.jsonl", [{"id": "1", "text": "x"}])
    with pytest.raises(InputError, match="needs an id column and a labels or an evidence column"):
        agreement(a, a)


def test_agreement_refuses_two_kinds(tmp_path):
    labels = _jsonl(tmp_path / "labels.jsonl", [{"id": "1", "labels": ["x"]}])
    evidence = _jsonl(tmp_path / "evidence.jsonl", [{"id": "1", "evidence": ["p1"]}])
    with pytest.raises(InputError, match="holds labels but .*evidence.jsonl holds evidence"):
        agreement(evidence, labels)


@pytest.mark.parametrize("pair, message", [
    ({"indicator": "nope", "paragraph": "other-1", "supports": True}, "indicator 'nope' is not an indicator"),
    ({"indicator": "d0-k1", "paragraph": "gone", "supports": False}, "paragraph 'gone' is not a paragraph"),
    ({"indicator": "d0-k1", "paragraph": "other-0", "supports": True}, "is in the indicator's own document d0"),
    ({"indicator": "d0-k1", "paragraph": "other-1", "supports": "yes"}, "expected true or false"),
])
def test_a_broken_link_pool_is_named(tmp_path, pair, message):
    from conftest import tiny_indicators, tiny_rows, write_corpus
    from nlp.corpus import load_corpus, validate_corpus

    folder = write_corpus(tmp_path / "c", tiny_rows(), tiny_indicators())
    good = {"indicator": "d0-k1", "paragraph": "poverty_alleviation-1", "supports": False, "note": ""}
    (folder / "link_pool.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in (good, {**pair, "note": ""})), encoding="utf-8")
    problems = validate_corpus(load_corpus(folder))
    assert any(message in p and "line 2" in p for p in problems), problems


def test_a_pair_judged_twice_is_named(tmp_path):
    from conftest import tiny_indicators, tiny_rows, write_corpus
    from nlp.corpus import load_corpus, validate_corpus

    folder = write_corpus(tmp_path / "c", tiny_rows(), tiny_indicators())
    pair = {"indicator": "d0-k1", "paragraph": "poverty_alleviation-1", "supports": False, "note": ""}
    (folder / "link_pool.jsonl").write_text((json.dumps(pair) + "\n") * 2, encoding="utf-8")
    assert any("judged more than once" in p for p in validate_corpus(load_corpus(folder)))


def test_the_shipped_pool_is_valid_and_large_enough():
    from conftest import ROOT
    from nlp.corpus import corpus_statistics, load_corpus

    corpus = load_corpus(ROOT / "corpus")
    stats = corpus_statistics(corpus)
    assert stats["pooled_pairs"] >= 3000 and stats["pooled_indicators"] >= 100
    assert (corpus.pool["judged"] != "once").sum() >= stats["pooled_pairs"] / 5
