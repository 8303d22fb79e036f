"""Compiled volumes: one file of several reports reads as one document per report."""
import json
import subprocess
import sys

import pytest

from conftest import SEEDS
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
