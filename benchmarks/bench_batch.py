"""Reports per minute of ``nlp tag`` over a folder: one process, two, and a Dask cluster of two workers.

Run on demand, not a test::

    python benchmarks/bench_batch.py [--copies 200]

The folder: ``--copies`` report files made by copying the five seed reports in
turn into ten subfolders (200 files: each seed 40 times), so every file is a
real report and the work per file varies as it does between real ones. Each
row is one ``nlp tag FOLDER -o OUT.jsonl`` run as a fresh process (model load
and, for Dask, cluster start included), wall time, in the same run:

- ``--jobs 1``: the baseline; its time per report is the per-report cost;
- ``--jobs 2``: two forked processes;
- ``--scheduler local --jobs 2``: a local Dask cluster of two worker processes
  started by the command (its scheduler runs inside the client process);
- ``--scheduler ADDRESS``: the same cluster started beforehand by this script,
  so the row has no cluster start and the client is only the client;
- a rerun into the ``--jobs 1`` output with nothing changed: every report is
  reused, so the row is the client's own cost per report (hashing, reading the
  done file, writing), which no cluster makes smaller.

Peak memory is the client process's own maximum resident set
(``ru_maxrss`` of that process), workers not included; the Dask row is
repeated on a quarter of the files to show that it does not grow with them.
"""
import argparse
import json
import logging
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = sorted((ROOT / "corpus" / "seeds").glob("*.txt"))

# Runs the command line in this process and reports its own peak memory as the last line on stderr.
CLIENT = """
import json, resource, sys
from nlp.cli import main
try:
    main(sys.argv[1:])
except SystemExit as e:
    code = e.code
print(json.dumps({"code": code, "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}), file=sys.stderr)
"""


def make_folder(folder, copies):
    for n in range(copies):
        seed = SEEDS[n % len(SEEDS)]
        target = folder / f"county{n % 10:02d}" / f"{n:04d}_{seed.name}"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(seed, target)


def run(args, out):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    start = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", CLIENT, "tag", *args, "-o", str(out)], capture_output=True, env=env)
    wall = time.perf_counter() - start
    report = json.loads(r.stderr.decode("utf-8").strip().splitlines()[-1])
    if report["code"] not in (0, None):
        sys.exit(f"failed: {args}: {r.stderr.decode('utf-8')}")
    return wall, report["maxrss_kib"] / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=200)
    options = parser.parse_args()
    from distributed import LocalCluster

    print(f"{os.cpu_count()} cores ({platform.processor() or platform.machine()}), Python {platform.python_version()}; "
          f"load average {os.getloadavg()[0]:.2f} at the start; {options.copies} reports")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        folder, quarter = tmp / "reports", tmp / "quarter"
        make_folder(folder, options.copies)
        make_folder(quarter, options.copies // 4)
        rows = [("--jobs 1", options.copies, *run([str(folder), "--jobs", "1"], tmp / "one.jsonl")),
                ("--jobs 2", options.copies, *run([str(folder), "--jobs", "2"], tmp / "two.jsonl")),
                ("--scheduler local --jobs 2", options.copies,
                 *run([str(folder), "--scheduler", "local", "--jobs", "2"], tmp / "local.jsonl"))]
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR) as cluster:
            for name, where, n in (("--scheduler ADDRESS (2 workers, started before)", folder, options.copies),
                                   ("--scheduler ADDRESS, a quarter of the files", quarter, options.copies // 4)):
                rows.append((name, n, *run([str(where), "--scheduler", cluster.scheduler_address],
                                           tmp / f"address{n}.jsonl")))
        rows.append(("rerun into the --jobs 1 output, all reused", options.copies,
                     *run([str(folder), "--jobs", "1"], tmp / "one.jsonl")))
        for name in ("two", "local", f"address{options.copies}"):
            same = sorted((tmp / f"{name}.jsonl").read_text().splitlines()) == \
                sorted((tmp / "one.jsonl").read_text().splitlines())
            print(f"{name}: output {'equals' if same else 'DIFFERS FROM'} --jobs 1 after sorting")
    base = rows[0][2] / rows[0][1]
    print()
    print("| run | reports | wall s | reports/min | s/report | speed-up over --jobs 1 | client peak RSS |")
    print("|---|---|---|---|---|---|---|")
    for name, n, wall, rss in rows:
        print(f"| {name} | {n} | {wall:.1f} | {60 * n / wall:,.0f} | {wall / n:.3f} | {base / (wall / n):.2f}x "
              f"| {rss:.0f} MiB |")
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
