"""Time ``nlp tag`` and ``nlp evidence`` on a compiled volume, against bare jieba on the same text.

Run on demand, not a test::

    python benchmarks/bench_volume.py [--copies 2 4 8]

A compiled volume is one file holding several reports, each starting with its
own title. The volume here is the five seed reports of ``corpus/seeds``, in
order, repeated ``--copies`` times (8: 40 reports), blank lines between, in a
temporary ``.txt``; the script checks that ``nlp.read.read_report`` splits it
into one document per report.

For each volume, in the same run, three processes are timed (wall and CPU
seconds, best of 2): ``nlp tag VOLUME -o OUT``, ``nlp evidence VOLUME -o OUT``
and a bare jieba process (``jieba.lcut`` of the whole file). The processes
run this checkout's code (``PYTHONPATH`` is set to it). A command's
throughput against jieba's is jieba's time over the command's: the aim is at
least 0.4 for the largest volume.

Then the growth with the number of reports, without the processes' fixed
start (imports, the model, jieba's dictionary): in this process, after one
warm-up run, the CPU seconds of reading and annotating each volume
(``nlp.read.read_report`` and ``nlp.annotate.annotate``, tags and links: what
both commands do) and of ``jieba.lcut`` of its text, best of 3. Work that
grows with the reports takes the same time per report in every volume; work
that grows with their square takes twice as long per report when the volume
doubles.
"""
import argparse
import math
import os
import sys
import tempfile
import time
from pathlib import Path

from bench_speed import JIEBA, best_wall, machine

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "corpus" / "seeds").glob("*.txt"))
NLP = [sys.executable, "-m", "nlp"]


def write_volume(path, copies):
    """Write the seed reports, repeated `copies` times, as one file; return its characters and its reports."""
    from nlp.read import read_report

    text = "\n\n".join(seed.read_text(encoding="utf-8") for _ in range(copies) for seed in SEEDS)
    path.write_text(text, encoding="utf-8")
    reports = len({b.doc_id for b in read_report(path)})
    if reports != copies * len(SEEDS):
        raise RuntimeError(f"{path.name}: read as {reports} reports, not {copies * len(SEEDS)}")
    return len(text), reports


def time_volume(folder, copies, repeat=2):
    """Wall and CPU seconds of ``nlp tag``, ``nlp evidence`` and jieba on a volume of `copies` times the seeds."""
    path = folder / f"volume{copies}.txt"
    chars, reports = write_volume(path, copies)
    # A fresh output file each time: a rerun into the same output would reuse the results (OUT.done.jsonl).
    runs = {name: min(best_wall(NLP + [name.split()[1], str(path), "-o", str(folder / f"{copies}-{name[4:]}-{k}.jsonl")], 1)
                      for k in range(repeat)) for name in ("nlp tag", "nlp evidence")}
    return {"chars": chars, "reports": reports, **runs,
            "jieba": best_wall([sys.executable, "-c", JIEBA, str(path)], repeat)}


def work_seconds(path, repeat=3):
    """CPU seconds, best of `repeat`, of reading and annotating `path` in this process, and of jieba on its text."""
    import jieba

    from nlp.annotate import annotate, model_for
    from nlp.read import read_report

    model, text = model_for(), path.read_text(encoding="utf-8")
    best = {"nlp": math.inf, "jieba": math.inf}
    for _ in range(repeat):
        start = time.process_time()
        annotate(read_report(path), model=model)
        best["nlp"] = min(best["nlp"], time.process_time() - start)
        start = time.process_time()
        jieba.lcut(text)
        best["jieba"] = min(best["jieba"], time.process_time() - start)
    return best


def main(argv=None):
    """Time every volume and print the throughput against jieba and the growth with the reports."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, nargs="+", default=[2, 4, 8],
                        help="volumes of the five seeds repeated this many times (8: 40 reports)")
    args = parser.parse_args(argv)
    os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    sys.path.insert(0, str(ROOT))
    print(machine())
    with tempfile.TemporaryDirectory() as folder:
        runs = [time_volume(Path(folder), copies) for copies in sorted(args.copies)]
        work_seconds(Path(folder) / f"volume{min(args.copies)}.txt", repeat=1)  # warm-up: jieba, the model
        for run, copies in zip(runs, sorted(args.copies)):
            run["work"] = work_seconds(Path(folder) / f"volume{copies}.txt")

    print("\n1. throughput on each volume (best of 2)\n")
    print("| reports | characters | process | wall s | CPU s | chars/s (wall) | / jieba (wall) | / jieba (CPU) |")
    print("|---|---|---|---|---|---|---|---|")
    for run in runs:
        jieba_wall, jieba_cpu = run["jieba"]
        for name in ("nlp tag", "nlp evidence", "jieba"):
            wall, cpu = run[name]
            print(f"| {run['reports']} | {run['chars']:,} | {name} | {wall:.2f} | {cpu:.2f} | "
                  f"{run['chars'] / wall:,.0f} | {jieba_wall / wall:.2f} | {jieba_cpu / cpu:.2f} |")
    last = runs[-1]
    for name in ("nlp tag", "nlp evidence"):
        print(f"\n{name} / jieba throughput on {last['reports']} reports: {last['jieba'][0] / last[name][0]:.2f} "
              f"(wall), {last['jieba'][1] / last[name][1]:.2f} (CPU); aim: at least 0.4")

    print("\n2. growth with the reports: CPU seconds in one process, without the start (best of 3)\n")
    print("| reports | read and annotate | per report | jieba.lcut | per report | jieba / annotate |")
    print("|---|---|---|---|---|---|")
    for run in runs:
        nlp_s, jieba_s = run["work"]["nlp"], run["work"]["jieba"]
        print(f"| {run['reports']} | {nlp_s:.2f} | {nlp_s / run['reports']:.3f} | {jieba_s:.2f} | "
              f"{jieba_s / run['reports']:.3f} | {jieba_s / nlp_s:.2f} |")
    first = runs[0]
    growth = (last["work"]["nlp"] / last["reports"]) / (first["work"]["nlp"] / first["reports"])
    print(f"\nseconds per report on {last['reports']} reports over those on {first['reports']}: {growth:.2f} "
          f"(1 when the work grows with the reports, {last['reports'] / first['reports']:.0f} with their square)")
    print(f"\n{machine()}")


if __name__ == "__main__":
    main()
