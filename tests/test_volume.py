"""Compiled volumes: one file of several reports reads as one document per report, each linked on its own."""
import json
import subprocess
import sys

import pytest

from conftest import SEEDS
from nlp.annotate import annotate, model_for
from nlp.read import read_report

STEMS = sorted(p.stem for p in SEEDS.glob("*.txt"))


def _without_prefix(blocks, doc_id):
    return [(b.id.removeprefix(doc_id), b.kind, b.section, b.text, b.indicator and b.indicator.table_fields())
            for b in blocks]


@pytest.fixture(scope="module")
def volume(tmp_path_factory):
    path = tmp_path_factory.mktemp("volume") / "volume.txt"
    path.write_text("\n\n".join((SEEDS / f"{stem}.txt").read_text(encoding="utf-8") for stem in STEMS),
                    encoding="utf-8")
    return path


def test_a_volume_of_the_seeds_reads_as_each_seed_alone(volume):
    blocks = read_report(volume)
    ids = list(dict.fromkeys(b.doc_id for b in blocks))
    assert ids == [f"volume-{n:02d}" for n in range(1, len(STEMS) + 1)]
    for doc_id, stem in zip(ids, STEMS):
        alone = read_report(SEEDS / f"{stem}.txt")
        assert _without_prefix([b for b in blocks if b.doc_id == doc_id], doc_id) == _without_prefix(alone, stem)
        assert all(b.indicator.doc_id == doc_id for b in blocks if b.doc_id == doc_id and b.indicator)


@pytest.mark.parametrize("stem", STEMS)
def test_a_seed_is_not_taken_for_a_volume(stem):
    assert {b.doc_id for b in read_report(SEEDS / f"{stem}.txt")} == {stem}


def test_nlp_read_shows_the_split(volume):
    out = subprocess.run([sys.executable, "-m", "nlp", "read", str(volume)], capture_output=True, text=True,
                         check=True).stdout
    rows = [json.loads(line) for line in out.splitlines()]
    first = {}
    for row in rows:
        first.setdefault(row["doc_id"], row)
    assert list(first) == [f"volume-{n:02d}" for n in range(1, 6)]
    assert first["volume-02"]["id"] == "volume-02-001" and first["volume-02"]["section"] == ""


# A project's self-evaluation table: forty indicators, two lines of prose, none of it evidence.
TABLE_ONLY = "004_657db78fa8902e38"


def _as_alone(rows, doc_id, stem):
    """Rows of one report of the volume, with its ids written as when the report is read alone."""
    return json.loads(json.dumps(rows, ensure_ascii=False).replace(f'"{doc_id}', f'"{stem}'))


@pytest.fixture(scope="module")
def volume_annotation(volume):
    blocks = read_report(volume)
    return blocks, annotate(blocks, model=model_for())


def test_indicators_of_a_volume_link_only_to_their_own_report(volume_annotation):
    blocks, result = volume_annotation
    doc_of = {b.id: b.doc_id for b in blocks}
    assert len(set(doc_of.values())) == len(STEMS)
    assert sum(len(row["evidence"]) for row in result.evidence) > 50  # enough links for the check to mean something
    for row in result.evidence:
        assert row["doc_id"] == doc_of[row["indicator"]["id"]]
        for link in row["evidence"]:
            assert {doc_of[i] for i in [link["id"], *link.get("same_text", [])]} == {row["doc_id"]}
    assert any(tag["links"] for tag in result.tags)
    for tag in result.tags:
        assert {doc_of[link["indicator"]] for link in tag["links"]} <= {tag["doc_id"]}


def test_each_report_of_a_volume_is_linked_as_when_read_alone(volume_annotation):
    blocks, result = volume_annotation
    ids = list(dict.fromkeys(b.doc_id for b in blocks))
    for doc_id, stem in zip(ids, STEMS):
        alone = annotate(read_report(SEEDS / f"{stem}.txt"), model=model_for())
        evidence = [row for row in result.evidence if row["doc_id"] == doc_id]
        assert _as_alone(evidence, doc_id, stem) == alone.evidence
        tags = [tag for tag in result.tags if tag["doc_id"] == doc_id]
        assert _as_alone(tags, doc_id, stem) == alone.tags


def test_a_table_only_report_keeps_its_indicators_unsupported_in_a_volume(volume_annotation):
    blocks, result = volume_annotation
    alone = annotate(read_report(SEEDS / f"{TABLE_ONLY}.txt"), model=model_for()).evidence
    assert len(alone) >= 20 and {row["status"] for row in alone} == {"unsupported"}
    doc_id = f"volume-{STEMS.index(TABLE_ONLY) + 1:02d}"  # the reports are numbered in order (tested above)
    in_volume = [row for row in result.evidence if row["doc_id"] == doc_id]
    assert len(in_volume) == len(alone)
    assert {row["status"] for row in in_volume} == {"unsupported"} and not any(row["evidence"] for row in in_volume)


def test_nlp_evidence_on_a_volume_keeps_each_report_to_itself(volume):
    out = subprocess.run([sys.executable, "-m", "nlp", "evidence", str(volume)], capture_output=True, text=True,
                         check=True).stdout
    rows = [json.loads(line) for line in out.splitlines()]
    assert {row["doc_id"] for row in rows} == {f"volume-{n:02d}" for n in range(1, len(STEMS) + 1)}
    for row in rows:
        assert row["indicator"]["id"].startswith(row["doc_id"] + "-")
        assert all(link["id"].startswith(row["doc_id"] + "-") for link in row["evidence"])
