"""Time ``nlp tag`` as whole processes, against bare jieba and the interpreter itself.

Run on demand, not a test::

    python benchmarks/bench_speed.py [--chars 1000000]

Three measurements, each printed with its baseline from the same run:

1. Throughput on a large report: the narrative paragraphs of
   ``corpus/paragraphs.jsonl`` (``kind == "paragraph"``) repeated until the text
   has ``--chars`` characters, one paragraph a line with blank lines between,
   in a temporary ``.txt``. ``nlp tag BIG.txt -o OUT`` and a bare jieba process
   (``jieba.lcut`` of the whole file) are timed as processes, wall time, best
   of 2; ``-o`` is a temporary file, so the time includes writing the results.
2. Cold start on one seed report: ``nlp tag corpus/seeds/003_...txt`` as a
   process (best of 3), against ``python -c pass`` and a bare jieba process on
   the same file; then, in a fresh interpreter, the split into imports, model
   load and work (reading, finding the indicators, tagging and linking), and
   the same work repeated warm, split into reading, tagging and linking.
3. Parallel files: ``nlp tag --jobs 1`` and ``--jobs 2`` on 20 reports (each
   seed copied four times), wall time best of 2, and the speed-up.
"""
import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "corpus" / "seeds"
COLD_SEED = SEEDS / "003_9668f26784509488.txt"
JIEBA = "import jieba,sys; jieba.lcut(open(sys.argv[1],encoding='utf-8').read())"

# Run in a fresh interpreter with the report's path as argv[1]; prints one JSON line.
SPLIT = """
import json, sys, time
start = time.perf_counter()
import nlp.cli, nlp.annotate, nlp.read, nlp.model
imported = time.perf_counter()
model = nlp.model.load_model()
loaded = time.perf_counter()
blocks = nlp.read.read_input(sys.argv[1])
nlp.annotate.annotate(blocks, model=model)
worked = time.perf_counter()
blocks = nlp.read.read_input(sys.argv[1])
read = time.perf_counter()
indicators = [b.indicator for b in blocks if b.kind == "indicator"]
nlp.annotate.annotate(blocks, model=model, indicators=[])
tagged = time.perf_counter()
nlp.annotate.annotate(blocks, model=model, indicators=indicators)
linked = time.perf_counter()
print(json.dumps({
    "imports": imported - start, "model load": loaded - imported, "work": worked - loaded,
    "warm read": read - worked, "warm tag": tagged - read, "warm tag and link": linked - tagged,
    "blocks": len(blocks), "indicators": len(indicators),
}))
"""


def nlp_command():
    """The ``nlp`` console script, or ``python -m nlp`` where it is not on PATH."""
    script = shutil.which("nlp")
    return [script] if script else [sys.executable, "-m", "nlp"]


def _children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def best_wall(cmd, repeat):
    """Best wall time in seconds of `repeat` runs of `cmd`, and the CPU seconds of that run.

    CPU time (user + system of the process and the children it waited for) does
    not grow when other work shares the cores; wall time does.
    """
    runs = []
    for _ in range(repeat):
        cpu, start = _children_cpu(), time.perf_counter()
        done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        runs.append((time.perf_counter() - start, _children_cpu() - cpu))
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(map(str, cmd))} exited {done.returncode}: {done.stderr.strip()[-300:]}")
    return min(runs)


def write_big_report(path, chars):
    """Write the corpus' narrative paragraphs, repeated, until `chars` characters; return the text's length."""
    rows = [json.loads(line) for line in (ROOT / "corpus" / "paragraphs.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    paragraphs = [r["text"] for r in rows if r.get("kind") == "paragraph"]
    parts, size = [], 0
    while size < chars:
        for text in paragraphs:
            parts.append(text)
            size += len(text) + 2
            if size >= chars:
                break
    text = "\n\n".join(parts) + "\n"
    path.write_text(text, encoding="utf-8")
    return len(text)


def throughput(folder, chars):
    """Characters per second of ``nlp tag`` and of bare jieba on one large report."""
    big = folder / "big.txt"
    n = write_big_report(big, chars)
    tag_s = best_wall(nlp_command() + ["tag", str(big), "-o", str(folder / "big.jsonl")], repeat=2)
    jieba_s = best_wall([sys.executable, "-c", JIEBA, str(big)], repeat=2)
    return {"chars": n, "nlp tag": tag_s, "jieba": jieba_s}


def cold_start(seed):
    """Process wall times on one seed report and the in-process split of ``nlp tag``'s time."""
    with tempfile.TemporaryDirectory() as folder:
        walls = {
            "python -c pass": best_wall([sys.executable, "-c", "pass"], repeat=3),
            "jieba.lcut of the file": best_wall([sys.executable, "-c", JIEBA, str(seed)], repeat=3),
            "nlp tag": best_wall(nlp_command() + ["tag", str(seed), "-o", str(Path(folder) / "out.jsonl")],
                                 repeat=3),
        }
    done = subprocess.run([sys.executable, "-c", SPLIT, str(seed)], capture_output=True, text=True, check=True)
    return walls, json.loads(done.stdout.strip().splitlines()[-1])


def parallel_files(folder, copies=4):
    """Wall time of ``nlp tag --jobs 1`` and ``--jobs 2`` on `copies` copies of every seed."""
    reports = folder / "reports"
    reports.mkdir()
    for seed in sorted(SEEDS.glob("*.txt")):
        for k in range(copies):
            shutil.copy(seed, reports / f"{seed.stem}_{k}.txt")
    files = sorted(str(p) for p in reports.glob("*.txt"))
    out = str(folder / "many.jsonl")
    walls = {jobs: best_wall(nlp_command() + ["tag", *files, "--jobs", str(jobs), "-o", out], repeat=2)
             for jobs in (1, 2)}
    return len(files), sum(len(Path(f).read_text(encoding="utf-8")) for f in files), walls


def machine():
    """One line about this machine and the load on it now."""
    from importlib import metadata

    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    load = Path("/proc/loadavg").read_text().split()[0]
    versions = ", ".join(f"{d} {metadata.version(d)}" for d in ("jieba", "scikit-learn", "numpy"))
    return f"{os.cpu_count()} cores ({cpu}), load average {load}; Python {platform.python_version()}, {versions}"


def main(argv=None):
    """Run the three measurements and print them with their baselines and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=1_000_000, help="size of the large report in characters")
    args = parser.parse_args(argv)
    print(machine())
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        big = throughput(folder, args.chars)
        n_files, files_chars, jobs = parallel_files(folder)
    walls, split = cold_start(COLD_SEED)

    n = big["chars"]
    print(f"\n1. large report, {n:,} characters (best of 2)\n")
    print("| process | wall s | CPU s | chars/s (wall) |\n|---|---|---|---|")
    for name in ("nlp tag", "jieba"):
        wall, cpu = big[name]
        print(f"| {name} | {wall:.2f} | {cpu:.2f} | {n / wall:,.0f} |")
    print(f"\nnlp tag / jieba throughput: {big['jieba'][0] / big['nlp tag'][0]:.2f} (wall), "
          f"{big['jieba'][1] / big['nlp tag'][1]:.2f} (CPU)")

    chars = len(COLD_SEED.read_text(encoding="utf-8"))
    print(f"\n2. cold start on {COLD_SEED.name} ({chars:,} characters; best of 3)\n")
    print("| process | wall s | CPU s |\n|---|---|---|")
    for name, (wall, cpu) in walls.items():
        print(f"| {name} | {wall:.2f} | {cpu:.2f} |")
    tag_wall = walls["nlp tag"][0]
    print(f"\nnlp tag / jieba: {tag_wall / walls['jieba.lcut of the file'][0]:.1f}x; "
          f"nlp tag / python -c pass: {tag_wall / walls['python -c pass'][0]:.0f}x (wall)")
    print(f"\nsplit in a fresh interpreter ({split['blocks']} blocks, {split['indicators']} indicators):\n")
    print("| part | seconds | share of the process |\n|---|---|---|")
    for name in ("imports", "model load", "work"):
        print(f"| {name} | {split[name]:.2f} | {split[name] / tag_wall:.0%} |")
    rest = tag_wall - (split["imports"] + split["model load"] + split["work"])
    print(f"| rest (interpreter, command line, writing) | {rest:.2f} | {rest / tag_wall:.0%} |")
    linking = split["warm tag and link"] - split["warm tag"]
    print("\nthe same work again, warm:\n")
    print("| part | seconds |\n|---|---|")
    print(f"| read the report | {split['warm read']:.2f} |")
    print(f"| tag without links | {split['warm tag']:.2f} |")
    print(f"| link to the indicators (tag with links - tag without) | {linking:.2f} |")
    print(f"| cold work - warm work (first use of jieba, caches) | "
          f"{split['work'] - split['warm read'] - split['warm tag and link']:.2f} |")

    print(f"\n3. {n_files} reports, {files_chars:,} characters (best of 2)\n")
    print("| command | wall s | CPU s | chars/s (wall) |\n|---|---|---|---|")
    for k, (wall, cpu) in jobs.items():
        print(f"| nlp tag --jobs {k} | {wall:.2f} | {cpu:.2f} | {files_chars / wall:,.0f} |")
    print(f"\n--jobs 2 speed-up over --jobs 1: {jobs[1][0] / jobs[2][0]:.2f}x (wall; 2 cores)")
    print(f"\n{machine()}")


if __name__ == "__main__":
    main()
