"""The audit of indicator tables: the seed reports' findings, checked by hand, and each check on a small table."""
import json
import subprocess
import sys

import pytest

from conftest import SEEDS
from nlp.audit import audit
from nlp.read import read_report, read_text

# The findings of `nlp audit` on each seed, read off its indicator table by hand (the raw .txt):
# (code, the indicator's block number, "" for a finding about a table or a row that is no indicator).
SEED_FINDINGS = [
    # 000: scores 14+15+10+9+10+10+10+10 = 88 plus the budget row's 7.10 = 95.10 = 总分; points 90 + 10 = 100;
    # execution rate 491.45 / 381 = 128.99% ≈ 129.00%; no score above its points; each target cell states
    # several numbers or none comparable with the completion rate. Nothing to report.
    ("000_fd760f674145a6ef", []),
    # 001: 10+10+11+14+11+9+9 = 74 of 80 (一、产出 | 80 | 74), 9+10 = 19 of 20 (二、效果), 93 of 100 (综合绩效);
    # every score at or below its 评级分值. Nothing to report.
    ("001_4aaa0c80d4c4e163", []),
    # 002: scores add up to 95 and points to 100 (合计 | 100 | 100 | 100 | 95); 社会效益 shares the merged
    # 分值 cell of 经济效益 (6) and so has none of its own.
    ("002_6a7ee6d8afefd441", [("missing-points", "073")]),
    # 003: four project tables, every completion value 100%; budget 6/6, 17/17, 15.2/15.2, 2/2 at 100%.
    ("003_9668f26784509488", [("all-100", ""), ("all-100", ""), ("all-100", ""), ("all-100", "")]),
    # 004: the 质量指标 of 商会组织建设 has no 年度指标内容; 党建事务's 社会效益指标 and 满意度 have no 完成情况;
    # rates 3.02/3.07 = 98.37%, 4.39/4.39, 31.12/40 = 77.80%, 40.26/40.26, 38.73/44.81 = 86.43%,
    # 150.46/155.96 = 96.47%, all as stated.
    ("004_657db78fa8902e38", [("missing-target", "032"), ("missing-actual", "050"), ("missing-actual", "052")]),
]


@pytest.mark.parametrize("stem, expected", SEED_FINDINGS, ids=[s[:3] for s, _ in SEED_FINDINGS])
def test_seed_findings_are_the_hand_checked_ones(stem, expected):
    found = audit(read_report(SEEDS / f"{stem}.txt"))
    assert [(f.code, f.indicator[-3:]) for f in found] == expected
    assert all(f.message and f.severity in ("error", "warning", "info") for f in found)


def test_each_all_100_finding_names_its_project_table():
    found = audit(read_report(SEEDS / "003_9668f26784509488.txt"))
    assert [(f.cells["from"][-3:], f.cells["to"][-3:], f.cells["indicators"]) for f in found] == [
        ("281", "289", "7"), ("306", "314", "8"), ("331", "342", "10"), ("359", "368", "8")]


HEADER = "一级指标\t二级指标\t三级指标\t指标值\t完成值\t分值\t得分"


def _codes(*rows, extra=""):
    text = "\n".join([HEADER, *rows]) + "\n" + extra
    return [(f.code, f.name) for f in audit(read_text(text, doc_id="r"))]


@pytest.mark.parametrize("rows, expected", [
    # a score above the row's points
    (["产出指标\t数量指标\t走访企业\t≥20家\t32家\t10\t12", "产出指标\t质量指标\t报告采用率\t80%\t90%\t10\t8"],
     [("score-above-points", "走访企业")]),
    # a target missed with full marks, and missed without
    (["产出指标\t数量指标\t走访企业\t≥20家\t15家\t10\t10", "产出指标\t数量指标\t培训\t≥3期\t2期\t10\t6"],
     [("full-marks-target-missed", "走访企业"), ("target-missed", "培训")]),
    # an upper bound respected (≤) and exceeded
    (["产出指标\t成本指标\t会议费\t≤5万元\t4.5万元\t10\t9", "产出指标\t成本指标\t培训费\t≤5万元\t6万元\t10\t9"],
     [("target-missed", "培训费")]),
    # different units are not compared: 100% is a completion rate
    (["产出指标\t数量指标\t走访企业\t≥20家\t100%\t10\t9", "产出指标\t数量指标\t培训\t≥3期\t3期\t10\t9"], []),
    # every row with full marks
    (["产出指标\t数量指标\t走访企业\t≥20家\t32家\t10\t10", "产出指标\t数量指标\t培训\t≥3期\t3期\t10\t10"],
     [("all-full-marks", "")]),
    # every completion value 100%, and an empty completion cell
    (["产出指标\t数量指标\t走访企业\t≥20家\t100%\t10\t9", "产出指标\t数量指标\t培训\t≥3期\t100%\t10\t9"],
     [("all-100", "")]),
    (["产出指标\t数量指标\t走访企业\t≥20家\t32家\t10\t9", "产出指标\t数量指标\t培训\t≥3期\t\t10\t9"],
     [("missing-actual", "培训")]),
])
def test_row_checks(rows, expected):
    assert _codes(*rows) == expected


def test_totals_that_do_not_add_up():
    rows = ["产出指标\t数量指标\t走访企业\t≥20家\t32家\t10\t9", "产出指标\t数量指标\t培训\t≥3期\t3期\t10\t8"]
    assert _codes(*rows, "合计\t\t\t\t\t20\t17") == []
    found = audit(read_text("\n".join([HEADER, *rows, "合计\t\t\t\t\t20\t18"]), doc_id="r"))
    assert [(f.code, f.cells["stated"], f.cells["sum"]) for f in found] == [("total-mismatch", "18", "17")]


@pytest.mark.parametrize("spent, rate, expected", [("4.5", "90%", []), ("4.5", "95.00%", ["budget-rate-mismatch"]),
                                                    ("4.49", "89.80%", [])])
def test_budget_execution_rate(spent, rate, expected):
    text = (f"项目资金（万元）\t全年预算数（A）\t全年执行数（B）\t执行率（B/A）\n年度资金总额\t5\t{spent}\t{rate}\n\n"
            + HEADER + "\n产出指标\t数量指标\t走访企业\t≥20家\t32家\t10\t9\n")
    assert [f.code for f in audit(read_text(text, doc_id="r"))] == expected


def test_full_marks_on_an_unsupported_indicator():
    blocks = read_text(HEADER + "\n产出指标\t数量指标\t走访企业\t≥20家\t32家\t10\t10\n"
                                "产出指标\t数量指标\t培训\t≥3期\t3期\t10\t9\n", doc_id="r")
    ids = [b.indicator.id for b in blocks if b.kind == "indicator"]
    evidence = [{"indicator": {"id": ids[0]}, "status": "unsupported"}, {"indicator": {"id": ids[1]}, "status": "unsupported"}]
    found = audit(blocks, evidence=evidence)
    # Only the row with full marks: 培训 has 9 of 10.
    assert [(f.code, f.name) for f in found if f.code == "full-marks-unsupported"] == [("full-marks-unsupported", "走访企业")]
    evidence[0]["status"] = "weak"
    assert not [f for f in audit(blocks, evidence=evidence) if f.code == "full-marks-unsupported"]


def test_unsupported_full_marks_agree_with_the_evidence_output():
    """Whatever the linker says, the finding fires exactly on unsupported indicators with full marks."""
    from nlp.annotate import annotate_file

    for stem in ("000_fd760f674145a6ef", "001_4aaa0c80d4c4e163"):
        blocks = read_report(SEEDS / f"{stem}.txt")
        evidence = annotate_file(SEEDS / f"{stem}.txt").evidence
        cells = {b.indicator.id: b.indicator for b in blocks if b.kind == "indicator"}
        expected = [e["indicator"]["id"] for e in evidence if e["status"] == "unsupported"
                    and cells[e["indicator"]["id"]].points_value == cells[e["indicator"]["id"]].score_value]
        found = [f.indicator for f in audit(blocks, evidence=evidence) if f.code == "full-marks-unsupported"]
        assert found == expected


def nlp(*args):
    return subprocess.run([sys.executable, "-m", "nlp", *args], capture_output=True, timeout=120)


def test_cli_audits_several_reports_and_says_when_there_is_no_table(tmp_path):
    plain = tmp_path / "plain.txt"
    plain.write_text("一、工作情况\n\n本会全年走访企业30家。\n", encoding="utf-8")
    r = nlp("audit", str(plain))
    assert r.returncode == 0 and r.stdout == b""
    assert r.stderr.decode().strip().splitlines() == [f"{plain}: no indicator table; nothing to audit"]
    r = nlp("audit", str(SEEDS / "003_9668f26784509488.txt"), str(plain), str(SEEDS / "004_657db78fa8902e38.txt"))
    rows = [json.loads(line) for line in r.stdout.decode().splitlines()]
    assert r.returncode == 0 and [x["code"] for x in rows] == ["all-100"] * 4 + ["missing-target"] + ["missing-actual"] * 2
    assert set(rows[0]) == {"doc_id", "code", "severity", "indicator", "name", "cells", "message"}


def test_cli_refuses_to_write_findings_as_a_database(tmp_path):
    r = nlp("audit", str(SEEDS / "003_9668f26784509488.txt"), "-o", str(tmp_path / "findings.duckdb"))
    assert r.returncode == 2 and not (tmp_path / "findings.duckdb").exists()
    assert r.stderr.decode().strip() == f"error: {tmp_path / 'findings.duckdb'}: audit writes jsonl, json, csv or xlsx, not a database"


def test_cli_goes_on_past_a_bad_file_then_exits_2(tmp_path):
    r = nlp("audit", str(tmp_path / "missing.txt"), str(SEEDS / "002_6a7ee6d8afefd441.txt"))
    assert r.returncode == 2
    assert r.stderr.decode().strip() == f"error: {tmp_path / 'missing.txt'}: no such file"
    assert [json.loads(line)["code"] for line in r.stdout.decode().splitlines()] == ["missing-points"]


def test_cli_audits_every_report_of_a_folder(tmp_path):
    folder = tmp_path / "reports"
    (folder / "north").mkdir(parents=True)
    (folder / "002.txt").write_bytes((SEEDS / "002_6a7ee6d8afefd441.txt").read_bytes())
    (folder / "north" / "004.txt").write_bytes((SEEDS / "004_657db78fa8902e38.txt").read_bytes())
    (folder / "north" / "empty.txt").write_bytes(b"")
    out = folder / "findings.jsonl"
    for _ in range(2):  # the second time, the output itself is in the folder and is not read
        r = nlp("audit", str(folder), "-o", str(out))
        assert r.returncode == 2
        assert r.stderr.decode().strip() == f"error: {folder / 'north' / 'empty.txt'}: file is empty"
        rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        assert [(x["doc_id"], x["code"]) for x in rows] == [
            ("002", "missing-points"), ("north/004", "missing-target"), ("north/004", "missing-actual"),
            ("north/004", "missing-actual")]
