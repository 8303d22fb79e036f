"""Time the reading of a report of about 50,000 characters.

Run on demand, not a test::

    python benchmarks/bench_read.py [--chars 50000] [--repeat 5]

The report is made of the seed reports put end to end (again and again until it
is long enough), written as a UTF-8 .txt file and read with
:func:`nlp.read.read_report`; the best and median of the runs are printed.
"""
import argparse
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path

from nlp.read import read_report

SEEDS = Path(__file__).resolve().parents[1] / "corpus" / "seeds"


def build_report(chars):
    """Return a report text of at least ``chars`` characters made of the seeds."""
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    parts, size = [], 0
    while size < chars:
        for text in seeds:
            parts.append(text)
            size += len(text)
            if size >= chars:
                break
    return "\n\n".join(parts)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=50_000, help="size of the report in characters")
    parser.add_argument("--repeat", type=int, default=5, help="number of timed runs")
    args = parser.parse_args(argv)
    text = build_report(args.chars)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.txt"
        path.write_text(text, encoding="utf-8")
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            blocks = read_report(path)
            times.append(time.perf_counter() - start)
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(Counter(b.kind for b in blocks).items()))
    print(f"read {len(text):,} characters into {len(blocks)} blocks ({kinds})")
    print(f"best {min(times) * 1000:.0f} ms, median {statistics.median(times) * 1000:.0f} ms over {args.repeat} runs")


if __name__ == "__main__":
    main()
