"""The outputs of `nlp tag` and `nlp evidence` on the seed reports, pinned.

A change to the code that moves any byte of them fails here; a change meant to
move them (a retrained model) updates the pins deliberately:

    python tests/test_pinned.py --update
"""
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PINS = ROOT / "tests" / "data" / "pinned.json"
SEEDS = sorted((ROOT / "corpus" / "seeds").glob("*.txt"))


def _digest(command, seed):
    out = subprocess.run([sys.executable, "-m", "nlp", command, str(seed)], capture_output=True, check=True).stdout
    return hashlib.sha256(out).hexdigest()


@pytest.mark.parametrize("command", ["tag", "evidence"])
@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem[:3])
def test_output_on_the_seed_reports_is_pinned(command, seed):
    assert _digest(command, seed) == json.loads(PINS.read_text())[seed.stem][command]


if __name__ == "__main__" and sys.argv[1:] == ["--update"]:
    PINS.write_text(json.dumps({s.stem: {c: _digest(c, s) for c in ("tag", "evidence")} for s in SEEDS}, indent=1) + "\n")
