"""Label quality (check-labels), what to label next (suggest), and labels from annotation tools."""
import json
import random
import shutil
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT, SEEDS, tiny_indicators, tiny_rows, write_corpus
from test_cli import jsonl, nlp, one_line_error

EXPORTS = ROOT / "tests" / "data" / "annotations"
LABEL_STUDIO = EXPORTS / "label_studio_export.json"
DOCCANO = EXPORTS / "doccano_export.jsonl"


def test_check_labels_finds_most_of_the_labels_changed_at_random(tmp_path):
    rows = [json.loads(line) for line in (ROOT / "corpus" / "paragraphs.jsonl").read_text(encoding="utf-8").splitlines()]
    categories = [c for c in (ROOT / "corpus" / "categories.txt").read_text(encoding="utf-8").split() if c]
    rng = random.Random(17)
    changed = rng.sample(range(len(rows)), round(0.05 * len(rows)))
    for i in changed:
        rows[i]["labels"] = [rng.choice([c for c in categories if [c] != rows[i]["labels"]])]
    corpus = write_corpus(tmp_path / "noisy", rows)
    shutil.copy(ROOT / "corpus" / "categories.txt", corpus)
    out = tmp_path / "suspects.jsonl"
    r = nlp("check-labels", str(corpus), "-o", str(out))
    assert r.returncode == 0, r.stderr
    suspects = [s for s in jsonl(out.read_bytes()) if s["check"] == "labels"]
    assert [s["rank"] for s in suspects] == list(range(1, len(suspects) + 1))
    assert [s["quality"] for s in suspects] == sorted(s["quality"] for s in suspects)
    first = {s["id"] for s in suspects[:2 * len(changed)]}
    found = sum(rows[i]["id"] in first for i in changed)
    assert found >= 0.6 * len(changed), f"{found} of {len(changed)} changed labels among the first suspects"
    # What a person fixing them reads: the labels given, the model's expectation, the paragraph.
    by_id = {row["id"]: row for row in rows}
    assert all(s["labels"] == by_id[s["id"]]["labels"] and s["expected"] and s["text"] for s in suspects)


@pytest.fixture(scope="module")
def corrupted_tiny(tmp_path_factory):
    """The tiny corpus with one label changed, one evidence link dropped and one wrong link added."""
    rows, indicators = tiny_rows(), tiny_indicators()
    rows[3]["labels"] = ["investment_promotion"]  # political_guidance-3
    indicators[2]["evidence"] = []  # d1-k1 loses poverty_alleviation-1
    indicators[4]["evidence"] = ["other-2"]  # d2-k1 links a paragraph about fixed assets
    return write_corpus(tmp_path_factory.mktemp("corrupted"), rows, indicators)


def test_check_labels_names_the_wrong_label_and_the_wrong_links(corrupted_tiny):
    r = nlp("check-labels", str(corrupted_tiny))
    assert r.returncode == 0, r.stderr
    rows = jsonl(r.stdout)
    labels = [x for x in rows if x["check"] == "labels"]
    assert labels[0]["id"] == "political_guidance-3"
    assert labels[0]["labels"] == ["investment_promotion"] and labels[0]["expected"] == ["political_guidance"]
    links = [(x["indicator"], x["id"], x["linked"]) for x in rows if x["check"] == "evidence"]
    # The link added to a paragraph about something else comes first.
    assert links[0] == ("d2-k1", "other-2", True)
    assert "suspect labels" in r.stderr.decode("utf-8")


def test_check_labels_as_a_workbook(corrupted_tiny, tmp_path):
    # The people who fix labels work in a spreadsheet; the other formats are written by the same writer.
    out = tmp_path / "suspects.xlsx"
    assert nlp("check-labels", str(corrupted_tiny), "-o", str(out)).returncode == 0
    frame = pd.read_excel(out)
    assert {"quality", "indicator", "linked", "confidence", "scores.political_guidance"} <= set(frame.columns)
    first = frame.iloc[0]
    assert (first["check"], first["id"], first["labels"], first["expected"]) == \
        ("labels", "political_guidance-3", "investment_promotion", "political_guidance")


def test_check_labels_refuses_a_corpus_unfit_for_folds(tmp_path):
    corpus = write_corpus(tmp_path / "small", tiny_rows()[:3])
    assert one_line_error(nlp("check-labels", str(corpus)), "small")


@pytest.mark.parametrize("export, categories", [
    (LABEL_STUDIO, ["political_guidance", "poverty_alleviation", "talent_services"]),
    (DOCCANO, ["ecological_protection", "enterprise_services", "investment_promotion"]),
])
def test_annotation_tool_exports_train_a_model_with_their_categories(export, categories, tmp_path):
    out = tmp_path / "model"
    r = nlp("train", str(export), "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert json.loads((out / "meta.json").read_text(encoding="utf-8"))["categories"] == categories
    table = tmp_path / "new.jsonl"
    table.write_text(json.dumps({"id": "n1", "text": "为民营企业举办人才招聘会并落实人才住房补贴"}, ensure_ascii=False)
                     + "\n" + json.dumps({"id": "n2", "text": "推动企业节能减排开展污染治理"}, ensure_ascii=False)
                     + "\n", encoding="utf-8")
    rows = jsonl(nlp("tag", str(table), "--model", str(out)).stdout)
    assert all(list(row["scores"]) == categories for row in rows)
    new = categories[-1] if export == LABEL_STUDIO else categories[0]
    assert new in rows[0 if export == LABEL_STUDIO else 1]["labels"]
    if export == LABEL_STUDIO:
        evaluated = nlp("evaluate", str(export), "--model", str(out), "--json")
        assert set(json.loads(evaluated.stdout)["tagging"]["per_category"]) == set(categories)


def test_label_studio_export_read_as_documented():
    from nlp.corpus import load_corpus

    with pytest.warns(UserWarning, match="1 task"):
        p = load_corpus(LABEL_STUDIO).paragraphs.set_index("id")
    assert len(p) == 18 and "ls-99" not in p.index  # the task nobody labelled is left out
    assert p.loc["ls-01", "labels"] == ["political_guidance", "talent_services"]  # two choices
    assert p.loc["ls-02", "labels"] == ["political_guidance"]  # a rating beside the choices adds nothing
    assert p.loc["ls-03", "labels"] == ["political_guidance"]  # the cancelled annotation does not count
    assert p.loc["ls-07", "doc_id"] == "county-0"


def test_doccano_export_read_as_documented():
    from nlp.corpus import load_corpus

    with pytest.warns(UserWarning, match="1 row"):
        p = load_corpus(DOCCANO).paragraphs.set_index("id")
    assert len(p) == 18 and p.loc["7", "labels"] == ["enterprise_services", "investment_promotion"]
    assert p.loc["7", "doc_id"] == "town-0"


@pytest.mark.parametrize("name, content, message", [
    ("a.json", '{"data": {"text": "x"}}', "expected a JSON list of tasks"),
    ("a.json", '[{"data": {"title": "x"}, "annotations": []}]', "task 1: no data.text"),
    ("a.json", '[{"data": {"text": "x"}', "not valid JSON"),
    ("a.jsonl", '{"id": 1, "text": "x", "label": [[0, 2, "ORG"]]}\n', "line 1: 'label' is not a list of label names"),
])
def test_malformed_exports_are_one_line_errors(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    r = nlp("validate", str(path))
    assert one_line_error(r, name) and message in r.stderr.decode("utf-8")


def test_spread_picks_mixes_categories_and_documents():
    from nlp.labels import spread_picks

    rng = np.random.default_rng(0)
    kinds = ["a"] * 80 + ["b"] * 10 + ["c"] * 10
    docs = [f"d{i % 10}" for i in range(100)]
    scores = np.r_[rng.uniform(0.8, 1.0, 80), rng.uniform(0.1, 0.5, 20)]
    picks = spread_picks(scores, kinds, docs, 30)
    # Ranked by score alone, all thirty would be of kind a.
    assert min(Counter(kinds[i] for i in picks).values()) >= 9
    assert max(Counter(docs[i] for i in picks).values()) <= 3
    assert len(set(picks)) == 30


def test_suggest_from_reports(tmp_path):
    out = tmp_path / "next.jsonl"
    r = nlp("suggest", *map(str, sorted(SEEDS.glob("*.txt"))), "--n", "20", "-o", str(out))
    assert r.returncode == 0, r.stderr
    rows = jsonl(out.read_bytes())
    assert len(rows) == 20 and len({x["text"] for x in rows}) == 20
    assert len({x["uncertain_about"] for x in rows}) >= 3 and len({x["doc_id"] for x in rows}) >= 3
    for x in rows:
        assert x["suggested_labels"] and x["labels"] == [] and 0 <= x["uncertainty"] <= 1
    # The first round is the most uncertain paragraph of each category.
    first = rows[:len({x["uncertain_about"] for x in rows})]
    assert min(x["uncertainty"] for x in first) >= np.median([x["uncertainty"] for x in rows])


def test_suggest_writes_a_label_studio_import_that_reads_back(tiny_model, tmp_path):
    table = tmp_path / "pool.csv"
    pd.DataFrame({"id": [f"p{i}" for i in range(6)], "doc_id": ["a", "a", "b", "b", "c", "c"],
                  "text": ["组织企业结对帮扶贫困村", "召开招商引资推介会", "走访企业解决融资难题",
                           "开展理想信念教育", "商会换届选举", "为企业举办法律讲座并捐赠助学金"]}).to_csv(table, index=False)
    tasks_file = tmp_path / "tasks.json"
    r = nlp("suggest", str(table), "--n", "4", "--model", str(tiny_model), "--format", "label-studio",
            "-o", str(tasks_file))
    assert r.returncode == 0, r.stderr
    tasks = json.loads(tasks_file.read_text(encoding="utf-8"))
    assert len(tasks) == 4
    for task in tasks:
        (prediction,) = task["predictions"]
        assert prediction["model_version"].startswith("nlp suggest") and task["data"]["text"]
        assert prediction["result"][0]["type"] == "choices" and prediction["result"][0]["value"]["choices"]
    # A labeller accepts the suggestions; the export reads back as a corpus with those labels.
    for task in tasks:
        task["annotations"] = [{"result": task["predictions"][0]["result"], "was_cancelled": False}]
    export = tmp_path / "export.json"
    export.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    from nlp.corpus import load_corpus

    p = load_corpus(export).paragraphs
    assert list(p["id"]) == [t["data"]["id"] for t in tasks]
    assert list(p["labels"]) == [t["predictions"][0]["result"][0]["value"]["choices"] for t in tasks]


def test_suggest_leaves_out_labelled_paragraphs(tiny_model, tmp_path):
    table = tmp_path / "pool.jsonl"
    rows = [{"id": "new", "text": "组织企业参加人才招聘会"}, {"id": "old", "text": "组织企业结对帮扶贫困村"}]
    table.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in rows), encoding="utf-8")
    labelled = write_corpus(tmp_path / "done", tiny_rows())
    r = nlp("suggest", str(table), "--n", "5", "--model", str(tiny_model), "--labelled", str(labelled))
    assert r.returncode == 0, r.stderr
    assert [x["id"] for x in jsonl(r.stdout)] == ["new"]
