import json
import subprocess
import sys

import pytest

from conftest import SEEDS

SEED = SEEDS / "003_9668f26784509488.txt"


def nlp(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "nlp", *args], input=stdin, capture_output=True, timeout=300)


def jsonl(out):
    return [json.loads(line) for line in out.decode("utf-8").splitlines() if line.strip()]


def one_line_error(result, name):
    err = result.stderr.decode("utf-8", "replace").strip()
    return result.returncode == 2 and name in err and len(err.splitlines()) == 1 and "Traceback" not in err


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    path = tmp_path_factory.mktemp("t") / "paragraphs.jsonl"
    rows = [{"id": "p0", "doc_id": "a", "text": "组织会员企业到贫困村开展结对帮扶，捐赠帮扶资金5万元。"},
            {"id": "p1", "doc_id": "a", "text": "召开招商引资推介会，签约项目12个，协议投资额30亿元。"},
            {"id": "p2", "doc_id": "b", "text": "举办民营企业家理想信念教育培训班2期。"}]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_read_gives_blocks_in_order():
    r = nlp("read", str(SEED))
    assert r.returncode == 0, r.stderr
    blocks = jsonl(r.stdout)
    assert {b["kind"] for b in blocks} >= {"heading", "paragraph", "indicator"}
    assert all(b["doc_id"] == SEED.stem for b in blocks)
    assert len({b["id"] for b in blocks}) == len(blocks)
    assert all(("indicator" in b) == (b["kind"] == "indicator") for b in blocks)


def test_tag_table_keeps_ids_and_scores(tiny_model, table):
    r = nlp("tag", str(table), "--model", str(tiny_model))
    rows = jsonl(r.stdout)
    assert [x["id"] for x in rows] == ["p0", "p1", "p2"]
    assert [x["labels"][0] for x in rows] == ["poverty_alleviation", "investment_promotion", "political_guidance"]
    for x in rows:
        assert all(0 <= v <= 1 for v in x["scores"].values())


def test_tag_explain_names_terms(tiny_model, table):
    rows = jsonl(nlp("tag", str(table), "--model", str(tiny_model), "--explain").stdout)
    assert rows[1]["explain"]["investment_promotion"]


def test_tag_links_stay_inside_a_document(tiny_model, table, tmp_path):
    inds = tmp_path / "inds.csv"
    inds.write_text("id,name,target,doc_id\nk1,结对帮扶贫困村,≥1个,a\nk2,理想信念教育培训,≥2期,b\n", encoding="utf-8")
    rows = jsonl(nlp("tag", str(table), "--model", str(tiny_model), "--indicators", str(inds)).stdout)
    assert all("links" in r for r in rows)
    assert {l["indicator"] for r in rows[:2] for l in r["links"]} <= {"k1"}
    assert {l["indicator"] for l in rows[2]["links"]} <= {"k2"}


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
def test_output_formats(tiny_model, table, tmp_path, fmt):
    out = tmp_path / f"out.{fmt}"
    r = nlp("tag", str(table), "--model", str(tiny_model), "--format", fmt, "-o", str(out))
    assert r.returncode == 0, r.stderr
    if fmt == "json":
        assert [x["id"] for x in json.loads(out.read_text(encoding="utf-8"))] == ["p0", "p1", "p2"]
    elif fmt == "csv":
        import pandas as pd

        frame = pd.read_csv(out)
        assert list(frame["id"]) == ["p0", "p1", "p2"] and "scores.poverty_alleviation" in frame
    else:
        import pandas as pd

        assert list(pd.read_excel(out)["id"]) == ["p0", "p1", "p2"]


def test_xlsx_needs_a_file(tiny_model, table):
    assert one_line_error(nlp("tag", str(table), "--model", str(tiny_model), "--format", "xlsx"), "-o")


def test_unknown_format_is_a_usage_error(table):
    assert one_line_error(nlp("tag", str(table), "--format", "docx"), "docx")


def test_failed_run_leaves_existing_output(tiny_model, tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("keep me\n", encoding="utf-8")
    r = nlp("tag", str(tmp_path / "missing.txt"), "--model", str(tiny_model), "-o", str(out))
    assert one_line_error(r, "missing.txt")
    assert out.read_text(encoding="utf-8") == "keep me\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl"]


def test_train_without_labels_is_refused(tmp_path, tiny_model):
    import shutil

    path = tmp_path / "unlabelled.jsonl"
    path.write_text('{"id": "1", "text": "召开会议"}\n', encoding="utf-8")
    out = tmp_path / "m"
    shutil.copytree(tiny_model, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert one_line_error(nlp("train", str(path), "--out", str(out)), "unlabelled.jsonl")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_evidence_on_an_indicator_file(tiny_model, table, tmp_path):
    inds = tmp_path / "inds.jsonl"
    inds.write_text(json.dumps({"id": "k1", "name": "结对帮扶贫困村", "target": "≥1个"}, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    r = nlp("evidence", str(table), "--indicators", str(inds), "--model", str(tiny_model))
    (obj,) = jsonl(r.stdout)
    assert obj["indicator"]["id"] == "k1" and obj["status"] in {"supported", "weak", "unsupported"}
    confs = [e["confidence"] for e in obj["evidence"]]
    assert confs == sorted(confs, reverse=True)


def test_evidence_without_indicators_says_so(tiny_model, table):
    assert one_line_error(nlp("evidence", str(table), "--model", str(tiny_model)), "paragraphs.jsonl")
