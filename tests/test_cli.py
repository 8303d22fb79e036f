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


@pytest.fixture
def every_link_model(tiny_model, tmp_path):
    """The tiny model with its `weak` cut-off at 0, so that every link is listed."""
    from nlp.model import load_model, save_model

    model = load_model(tiny_model)
    model.meta["status_cutoffs"] = {"supported": 0.5, "weak": 0.0}
    save_model(model, tmp_path / "every_link")
    return tmp_path / "every_link"


def test_tag_links_stay_inside_a_document(every_link_model, table, tmp_path):
    inds = tmp_path / "inds.csv"
    inds.write_text("id,name,target,doc_id\nk1,结对帮扶贫困村,≥1个,a\nk2,理想信念教育培训,≥2期,b\n", encoding="utf-8")
    r = nlp("tag", str(table), "--model", str(every_link_model), "--indicators", str(inds))
    assert r.returncode == 0, r.stderr
    rows = jsonl(r.stdout)
    assert [[l["indicator"] for l in r["links"]] for r in rows] == [["k1"], ["k1"], ["k2"]]
    assert rows[2]["links"][0]["name"] == "理想信念教育培训"


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


def test_evidence_on_an_indicator_file(every_link_model, table, tmp_path):
    inds = tmp_path / "inds.jsonl"
    inds.write_text(json.dumps({"id": "k1", "name": "结对帮扶贫困村", "target": "≥1个", "doc_id": "a"},
                               ensure_ascii=False) + "\n", encoding="utf-8")
    r = nlp("evidence", str(table), "--indicators", str(inds), "--model", str(every_link_model), "--format", "json")
    assert r.returncode == 0, r.stderr
    (obj,) = json.loads(r.stdout)
    assert obj["doc_id"] == "a" and obj["indicator"]["id"] == "k1"
    assert sorted(e["id"] for e in obj["evidence"]) == ["p0", "p1"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_evidence_as_a_spreadsheet_has_flat_columns(fmt, tmp_path):
    import pandas as pd

    out = tmp_path / f"evidence.{fmt}"
    r = nlp("evidence", str(SEED), "-o", str(out))
    assert r.returncode == 0, r.stderr
    if fmt == "csv":
        assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel needs
    frame = pd.read_csv(out, dtype=str) if fmt == "csv" else pd.read_excel(out, dtype=str)
    assert list(frame.columns) == ["doc_id", "indicator", "project", "level1", "level2", "name", "target", "actual",
                                   "points", "score", "status", "rank", "paragraph", "confidence", "text", "quantities"]
    assert not frame["text"].fillna("").str.startswith("[").any()  # no JSON in a cell
    best = frame[frame["rank"].isin(["1", None]) | frame["rank"].isna()]
    assert best["indicator"].is_unique and len(best) == 33  # one best row per indicator, further links below it
    # The four 成本预算 rows of seed 003 belong to four projects.
    assert best[best["name"] == "成本预算"]["project"].nunique() == 4
    jsonl_rows = jsonl(nlp("evidence", str(SEED)).stdout)
    assert len(frame) == sum(max(1, len(x["evidence"])) for x in jsonl_rows)


def test_evidence_on_a_report_flags_what_the_narrative_misses():
    # The shipped model on a seed: every indicator once, links sorted, and both outcomes present.
    r = nlp("evidence", str(SEED))
    assert r.returncode == 0, r.stderr
    rows = jsonl(r.stdout)
    assert len(rows) == 33 and len({x["indicator"]["id"] for x in rows}) == 33
    for x in rows:
        confs = [e["confidence"] for e in x["evidence"]]
        assert confs == sorted(confs, reverse=True)
        assert (x["status"] == "unsupported") == (not confs)
    assert {x["status"] for x in rows} >= {"supported"}
    table_only = jsonl(nlp("evidence", str(SEEDS / "004_657db78fa8902e38.txt")).stdout)
    assert len(table_only) == 40 and {x["status"] for x in table_only} == {"unsupported"}


def test_evidence_down_to_a_lower_confidence_shows_the_ranking_under_the_cut_off():
    # Seed 000 is short: most of its indicators have no link at the weak cut-off.
    short = SEEDS / "000_fd760f674145a6ef.txt"
    default = jsonl(nlp("evidence", str(short), "--top-k", "2").stdout)
    everything = jsonl(nlp("evidence", str(short), "--top-k", "2", "--min-confidence", "0").stdout)
    assert any(len(x["evidence"]) < 2 for x in default)
    assert all(len(x["evidence"]) == 2 for x in everything)
    # The status and the links above the cut-off do not change.
    assert [x["status"] for x in everything] == [x["status"] for x in default]
    for low, high in zip(everything, default):
        assert low["evidence"][:len(high["evidence"])] == high["evidence"]
    assert nlp("evidence", str(short), "--min-confidence", "2").returncode == 2


def test_evidence_from_an_indicator_file_matches_the_reports_own_table(tmp_path):
    from conftest import ROOT

    own = jsonl(nlp("evidence", str(SEED)).stdout)
    rows = [json.loads(line) for line in (ROOT / "corpus" / "indicators.jsonl").read_text(encoding="utf-8").splitlines()]
    rows = [r for r in rows if r["doc_id"] == SEED.stem]
    with_context, bare = tmp_path / "with_context.jsonl", tmp_path / "bare.jsonl"
    with_context.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    bare.write_text("".join(json.dumps({k: r[k] for k in ("id", "doc_id", "level2", "name", "target")},
                                       ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    assert jsonl(nlp("evidence", str(SEED), "--indicators", str(with_context)).stdout) == own
    # Without the table rows above each indicator, the linker trained without them scores the links.
    given = jsonl(nlp("evidence", str(SEED), "--indicators", str(bare)).stdout)
    assert [x["indicator"]["id"] for x in given] == [x["indicator"]["id"] for x in own]
    assert sum(x["status"] != "unsupported" for x in given) >= len(given) // 2


def test_evidence_on_a_new_short_report_puts_the_reporting_paragraph_first():
    # A report written for this test: each indicator has one paragraph that reports it.
    from conftest import ROOT

    from nlp.annotate import annotate
    from nlp.model import load_model
    from nlp.read import read_input

    model = load_model()
    model.meta["status_cutoffs"]["weak"] = 0.0  # the ranking, however low a short report's confidences
    rows = annotate(read_input(ROOT / "tests" / "data" / "short_report.txt"), model=model).evidence
    first = {x["indicator"]["name"]: x["evidence"][0]["id"][-3:] for x in rows if x["evidence"]}
    assert first == {"举办教育培训班": "005", "受理企业诉求件数": "006", "项目成本": "003",
                     "结对帮扶村数": "007", "招商引资签约项目": "008"}


def test_evidence_refuses_indicators_of_another_document(tmp_path):
    inds = tmp_path / "inds.csv"
    inds.write_text("id,name,doc_id\nk1,开展走访调研,some_other_report\n", encoding="utf-8")
    assert one_line_error(nlp("evidence", str(SEED), "--indicators", str(inds)), "inds.csv")


def test_read_as_csv_and_xlsx_keeps_indicator_columns(tmp_path):
    import pandas as pd

    for fmt in ("csv", "xlsx"):
        out = tmp_path / f"blocks.{fmt}"
        assert nlp("read", str(SEED), "--format", fmt, "-o", str(out)).returncode == 0
        frame = pd.read_csv(out) if fmt == "csv" else pd.read_excel(out)
        assert {"indicator.name", "indicator.target", "indicator.actual"} <= set(frame.columns)
        assert frame["indicator.name"].notna().sum() == 33


def test_jobs_keep_input_order(tiny_model, tmp_path):
    sources = []
    for n, text in enumerate(["召开招商引资推介会。", "组织企业结对帮扶贫困村。", "举办理想信念教育培训班。"]):
        path = tmp_path / f"r{n}.txt"
        path.write_text(text, encoding="utf-8")
        sources.append(str(path))
    one = nlp("tag", *sources, "--model", str(tiny_model))
    two = nlp("tag", *sources, "--model", str(tiny_model), "--jobs", "2")
    assert two.returncode == 0, two.stderr
    assert [x["doc_id"] for x in jsonl(two.stdout)] == ["r0", "r1", "r2"]
    assert jsonl(one.stdout) == jsonl(two.stdout)


def test_jobs_report_a_bad_file_in_one_line(tiny_model, tmp_path):
    good, bad = tmp_path / "good.txt", tmp_path / "empty.txt"
    good.write_text("召开会议。", encoding="utf-8")
    bad.write_bytes(b"")
    assert one_line_error(nlp("tag", str(good), str(bad), "--model", str(tiny_model), "--jobs", "2"), "empty.txt")


def test_all_blocks_adds_headings():
    plain = jsonl(nlp("tag", str(SEED)).stdout)
    every = jsonl(nlp("tag", str(SEED), "--all-blocks").stdout)
    assert {x["kind"] for x in plain} == {"paragraph"}
    assert {x["kind"] for x in every} == {"paragraph", "heading", "table_row"}


def test_output_to_a_folder_is_refused(tiny_model, table, tmp_path):
    assert one_line_error(nlp("tag", str(table), "--model", str(tiny_model), "-o", str(tmp_path)), tmp_path.name)


def test_validate_and_agreement_on_the_corpus():
    from conftest import ROOT

    r = nlp("validate", str(ROOT / "corpus"))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["paragraphs"] >= 600
    assert r.stderr.decode().splitlines()[-1] == f"{ROOT / 'corpus'}: fit to train"
    agreement = ROOT / "corpus" / "agreement"
    r = nlp("agreement", str(agreement / "first_pass.jsonl"), str(agreement / "second_pass.jsonl"))
    lines = r.stdout.decode().splitlines()
    assert r.returncode == 0 and lines[0].startswith("309 paragraphs labelled twice")
    assert all(float(line.split()[-1]) > 0.9 for line in lines[1:])
    r = nlp("agreement", str(agreement / "links_first_pass.jsonl"), str(agreement / "links_second_pass.jsonl"))
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode().startswith("67 indicators linked twice; links 152 and 162, 139 in both, F1 0.885")


def test_evaluate_held_out_and_cross_validated(tiny_model, tiny_corpus, tmp_path):
    from conftest import ROOT

    plot = tmp_path / "reliability.png"
    r = nlp("evaluate", str(ROOT / "corpus"), "--model", str(tiny_model), "--json", "--plot", str(plot))
    assert r.returncode == 0, r.stderr
    held = json.loads(r.stdout, parse_constant=lambda name: pytest.fail(f"{name} is not JSON"))
    assert held["mode"] == "held-out" and 0 <= held["tagging"]["macro_f1"] <= 1 and "linking" in held
    # Seed 004 has no evidence to rank: its MAP is undefined, given as null.
    assert held["linking"]["per_report"]["004_657db78fa8902e38"]["map"] is None
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    by_genre = held["by_genre"]
    assert {n: (g["paragraphs"], g["scored"]) for n, g in by_genre.items()} == {
        "reports": (266, "held out"), "web_news": (381, "held out"), "web_report_like": (77, "held out"),
        "web": (458, "held out")}
    assert all(0 <= g[who]["exact_label_set"] <= 1 for g in by_genre.values() for who in ("tagger", "keyword_rule"))
    text = nlp("evaluate", str(ROOT / "corpus"), "--model", str(tiny_model)).stdout.decode()
    assert "reports (266 paragraphs, 5 documents, held out)" in text
    assert text.count("  keyword_rule  ") == 4
    r = nlp("evaluate", str(tiny_corpus), "--model", str(tiny_model), "--json")
    assert json.loads(r.stdout)["mode"] == "cross-validated"


def test_evidence_without_indicators_says_so(tiny_model, table):
    assert one_line_error(nlp("evidence", str(table), "--model", str(tiny_model)), "paragraphs.jsonl")


def test_two_reports_of_one_name_are_warned_about(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "report.txt").write_text("举办民营企业家培训班2期。\n", encoding="utf-8")
    r = nlp("tag", str(tmp_path / "a" / "report.txt"), str(tmp_path / "b" / "report.txt"))
    assert r.returncode == 0
    assert "both get document id 'report'" in r.stderr.decode()
    assert nlp("tag", str(tmp_path / "a" / "report.txt")).stderr.decode() == ""
