"""Batch runs: folders, bad files, reruns, a real Dask cluster, the database and Parquet outputs."""
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, SEEDS
from nlp import batch
from nlp.batch import Input, find_inputs, run_batch, sidecar


def nlp(*args, code=None):
    command = ["-m", "nlp", *args] if code is None else ["-c", code, *args]
    return subprocess.run([sys.executable, *command], capture_output=True, timeout=600)


def lines(path):
    return Path(path).read_text(encoding="utf-8").splitlines()


@pytest.fixture
def folder(tmp_path):
    """Three seed reports in nested folders, with a hidden file and a Word lock file to pass over."""
    root = tmp_path / "reports"
    (root / "north" / "2024").mkdir(parents=True)
    (root / ".cache").mkdir()
    shutil.copy(SEEDS / "000_fd760f674145a6ef.txt", root / "000.txt")
    shutil.copy(SEEDS / "001_4aaa0c80d4c4e163.txt", root / "north" / "001.txt")
    shutil.copy(SEEDS / "002_6a7ee6d8afefd441.txt", root / "north" / "2024" / "002.txt")
    (root / ".cache" / "x.txt").write_text("不是报告", encoding="utf-8")
    (root / "north" / "~$001.docx").write_bytes(b"lock")
    (root / "notes.rtf").write_text("not a known type", encoding="utf-8")
    return root


def test_folders_are_searched_recursively_and_doc_ids_follow_the_path(folder):
    inputs, problems = find_inputs([str(folder), str(SEEDS / "003_9668f26784509488.txt")])
    assert [i.doc_id for i in inputs] == ["000", "north/001", "north/2024/002", None]
    assert problems == []
    empty = folder / "empty"
    empty.mkdir()
    _, problems = find_inputs([str(empty)])
    assert [str(p) for p in problems] == [f"{empty}: no reports found in the folder "
                                          "(looked for .txt, .md, .docx, .pdf, .jsonl, .csv, .xlsx)"]


def test_a_folder_gives_the_same_tags_as_its_files(folder, tmp_path):
    r = nlp("tag", str(folder), "-o", str(tmp_path / "tags.jsonl"))
    assert r.returncode == 0, r.stderr
    rows = [json.loads(line) for line in lines(tmp_path / "tags.jsonl")]
    assert list(dict.fromkeys(row["doc_id"] for row in rows)) == ["000", "north/001", "north/2024/002"]
    assert rows[0]["id"].startswith("000-")
    direct = nlp("tag", str(SEEDS / "001_4aaa0c80d4c4e163.txt"))
    expected = [json.loads(line) for line in direct.stdout.decode("utf-8").splitlines()]
    found = [row for row in rows if row["doc_id"] == "north/001"]
    assert [r["scores"] for r in found] == [r["scores"] for r in expected]
    assert [r["id"].replace("north/001", "001_4aaa0c80d4c4e163") for r in found] == [r["id"] for r in expected]


def test_a_corrupt_file_is_one_line_and_every_good_report_is_written(folder, tmp_path):
    (folder / "north" / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    out = tmp_path / "tags.jsonl"
    r = nlp("tag", str(folder), "-o", str(out), "--jobs", "2")
    err = r.stderr.decode("utf-8").strip()
    assert r.returncode == 2
    assert err.splitlines() == [f"error: {folder / 'north' / 'broken.docx'}: not a valid .docx file (it is not a zip archive, as a .docx file is)"]
    assert {json.loads(line)["doc_id"] for line in lines(out)} == {"000", "north/001", "north/2024/002"}
    assert [json.loads(line) for line in lines(sidecar(out, "errors"))] == [
        {"file": str(folder / "north" / "broken.docx"), "problem": "not a valid .docx file (it is not a zip archive, as a .docx file is)"}]
    # Once the file is gone, the next run is clean and the list of errors goes with it.
    (folder / "north" / "broken.docx").unlink()
    assert nlp("tag", str(folder), "-o", str(out)).returncode == 0
    assert not sidecar(out, "errors").exists()


def test_a_rerun_does_only_new_and_changed_reports(folder, tmp_path, monkeypatch):
    done = []

    def counted(item, options):
        done.append(item.doc_id)
        return real(item, options)

    real = batch._TASKS["tag"]
    monkeypatch.setitem(batch._TASKS, "tag", counted)
    out = tmp_path / "tags.jsonl"
    assert run_batch("tag", [str(folder)], out=str(out)).reused == 0
    assert done == ["000", "north/001", "north/2024/002"]
    done.clear()
    shutil.copy(SEEDS / "003_9668f26784509488.txt", folder / "north" / "003.txt")
    (folder / "000.txt").write_text((folder / "000.txt").read_text(encoding="utf-8") + "\n新增一段。\n",
                                    encoding="utf-8")
    summary = run_batch("tag", [str(folder)], out=str(out))
    assert sorted(done) == ["000", "north/003"] and summary.reused == 2
    fresh = tmp_path / "fresh.jsonl"
    run_batch("tag", [str(folder)], out=str(fresh))
    assert out.read_bytes() == fresh.read_bytes()
    done.clear()
    run_batch("tag", [str(folder)], out=str(out), all_blocks=True)  # other options: nothing is reused
    assert len(done) == 4


def test_a_rerun_says_what_it_reused(folder, tmp_path):
    out = tmp_path / "tags.csv"
    nlp("tag", str(folder), "-o", str(out))
    first = out.read_bytes()
    r = nlp("tag", str(folder), "-o", str(out))
    assert r.returncode == 0
    assert r.stderr.decode("utf-8").strip() == f"3 of 3 reports unchanged since the last run into {out}: reused"
    assert out.read_bytes() == first


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    import logging

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR) as cluster, \
            distributed.Client(cluster) as client:
        yield cluster, client


def test_a_dask_cluster_gives_the_output_of_one_job(cluster, tmp_path):
    local, client = cluster
    folder = tmp_path / "many"
    for n in range(3):
        for seed in sorted(SEEDS.glob("*.txt")):
            (folder / f"batch{n}").mkdir(parents=True, exist_ok=True)
            shutil.copy(seed, folder / f"batch{n}" / seed.name)
    one = nlp("tag", str(folder), "-o", str(tmp_path / "one.jsonl"), "--jobs", "1")
    on_dask = nlp("tag", str(folder), "-o", str(tmp_path / "dask.jsonl"), "--scheduler", local.scheduler_address)
    assert one.returncode == 0 and on_dask.returncode == 0, on_dask.stderr
    assert on_dask.stderr == b""
    assert sorted(lines(tmp_path / "dask.jsonl")) == sorted(lines(tmp_path / "one.jsonl"))
    assert len({json.loads(line)["doc_id"] for line in lines(tmp_path / "one.jsonl")}) == 15
    # Both workers did some of the 15 reports, and each loaded the model once.
    loads = client.run(lambda: __import__("nlp.annotate").annotate.model_for.cache_info())
    assert len(loads) == 2
    assert all(info.misses == 1 and info.hits >= 1 for info in loads.values()), loads


def test_a_local_cluster_reports_a_bad_file_as_the_other_runs_do(folder, tmp_path):
    pytest.importorskip("distributed")
    (folder / "empty.txt").write_bytes(b"")
    r = nlp("evidence", str(folder), "-o", str(tmp_path / "ev.jsonl"), "--scheduler", "local", "--jobs", "2")
    assert r.returncode == 2
    assert r.stderr.decode("utf-8").strip() == f"error: {folder / 'empty.txt'}: file is empty"
    assert {json.loads(line)["doc_id"] for line in lines(tmp_path / "ev.jsonl")} == {"000", "north/001",
                                                                                       "north/2024/002"}


@pytest.mark.parametrize("module, option, extra", [
    ("distributed", ["--scheduler", "local"], "dask"),
    ("duckdb", ["-o", "OUT/x.duckdb"], "db"),
])
def test_a_missing_extra_names_what_to_install(module, option, extra, tmp_path):
    code = (f"import sys; sys.modules[{module!r}] = None; from nlp.cli import main; "
            "main(sys.argv[1:])")
    option = [o.replace("OUT", str(tmp_path)) for o in option]
    r = nlp("tag", str(SEEDS / "000_fd760f674145a6ef.txt"), *option, code=code)
    assert r.returncode == 2
    assert r.stderr.decode("utf-8").strip().endswith(f'needs the {extra} extra: pip install -e ".[{extra}]"')
    assert not list(tmp_path.iterdir())


def _readme_sql():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sql\n(.*?)```", text, flags=re.S)


@pytest.fixture(scope="module")
def seeds_db(tmp_path_factory):
    out = tmp_path_factory.mktemp("db") / "seeds.duckdb"
    r = nlp("tag", str(SEEDS), "-o", str(out))
    assert r.returncode == 0, r.stderr
    return out


def test_the_database_answers_the_readmes_sql(seeds_db, tmp_path):
    duckdb = pytest.importorskip("duckdb")
    unsupported, by_category = _readme_sql()
    con = duckdb.connect(str(seeds_db), read_only=True)
    shares = {doc: (n, share) for doc, n, share in con.execute(unsupported).fetchall()}
    evidence = nlp("evidence", str(SEEDS), "-o", str(tmp_path / "ev.jsonl"))
    assert evidence.returncode == 0
    expected = {}
    for row in map(json.loads, lines(tmp_path / "ev.jsonl")):
        expected.setdefault(row["doc_id"], []).append(row["status"] == "unsupported")
    assert shares == {doc: (len(flags), round(sum(flags) / len(flags), 3)) for doc, flags in expected.items()}
    assert shares["004_657db78fa8902e38"] == (40, 1.0)
    counts = {(doc, category): n for doc, category, n in con.execute(by_category).fetchall()}
    tags = nlp("tag", str(SEEDS))
    expected = {}
    for row in map(json.loads, tags.stdout.decode("utf-8").splitlines()):
        for label in row["labels"]:
            expected[row["doc_id"], label] = expected.get((row["doc_id"], label), 0) + 1
    assert counts == expected


def test_the_tables_join_on_their_keys(seeds_db):
    duckdb = pytest.importorskip("duckdb")
    con = duckdb.connect(str(seeds_db), read_only=True)
    orphans = con.execute("""SELECT count(*) FROM links l
        LEFT JOIN paragraphs p ON p.doc_id = l.doc_id AND p.id = l.paragraph
        LEFT JOIN indicators i ON i.doc_id = l.doc_id AND i.id = l.indicator
        WHERE p.id IS NULL OR i.id IS NULL""").fetchone()[0]
    assert orphans == 0
    assert con.execute("SELECT count(*) FROM links").fetchone()[0] > 0
    reports = con.execute("SELECT doc_id, paragraphs, indicators FROM reports ORDER BY doc_id").fetchall()
    assert [r[0] for r in reports] == sorted(p.stem for p in SEEDS.glob("*.txt"))
    assert reports == con.execute("""SELECT r.doc_id, (SELECT count(*) FROM paragraphs p WHERE p.doc_id = r.doc_id),
        (SELECT count(*) FROM indicators i WHERE i.doc_id = r.doc_id) FROM reports r ORDER BY r.doc_id""").fetchall()


def test_parquet_holds_the_same_tables(seeds_db, tmp_path):
    duckdb = pytest.importorskip("duckdb")
    out = tmp_path / "seeds.parquet"
    assert nlp("tag", str(SEEDS), "-o", str(out)).returncode == 0
    con = duckdb.connect(str(seeds_db), read_only=True)
    for table in ("reports", "paragraphs", "indicators", "links"):
        query = "SELECT * EXCLUDE (file) FROM {} ORDER BY ALL" if table == "reports" else "SELECT * FROM {} ORDER BY ALL"
        assert con.execute(query.format(table)).fetchall() == \
            con.execute(query.format(f"read_parquet('{out / (table + '.parquet')}')")).fetchall()


def test_a_folder_of_other_files_is_never_replaced_by_parquet(tmp_path):
    out = tmp_path / "mine.parquet"
    out.mkdir()
    (out / "thesis.docx").write_bytes(b"keep me")
    r = nlp("tag", str(SEEDS / "000_fd760f674145a6ef.txt"), "-o", str(out))
    assert r.returncode == 2 and b"not a folder of Parquet files" in r.stderr
    assert (out / "thesis.docx").read_bytes() == b"keep me"


def test_read_takes_a_folder_and_refuses_a_database(folder, tmp_path):
    r = nlp("read", str(folder))
    assert r.returncode == 0
    assert {json.loads(line)["doc_id"] for line in r.stdout.decode("utf-8").splitlines()} == {
        "000", "north/001", "north/2024/002"}
    r = nlp("read", str(folder), "-o", str(tmp_path / "blocks.duckdb"))
    assert r.returncode == 2 and b"a database comes from nlp tag or nlp evidence" in r.stderr


def test_standard_input_is_one_input():
    assert find_inputs(["-"]) == ([Input("-")], [])
