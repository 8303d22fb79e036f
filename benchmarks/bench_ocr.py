"""OCR of scanned reports: characters right, lines missed and seconds per page, by render and detection settings.

Run on demand, not a test::

    python benchmarks/bench_ocr.py [--seed 001] [--pages 2]

A seed report is laid out as a PDF (12-point text, wide line spacing, its
indicator table in columns; tests/reportfiles.py), its pages rendered to
images and put back into a PDF with no text layer, and each page read with
RapidOCR at several resolutions and detection settings. For each it prints the
share of characters right against the text layer (1 - edit distance / length),
the number of text lines of which OCR found nothing, and the seconds per page
on one process. The first row, RapidOCR's defaults at 200 dpi, is the baseline.
Then the whole reader (`nlp.read.read_report`) on the scan, its pages on one
worker process and on two: seconds per page, start-up included.
"""
import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pdfplumber
import pypdfium2
from rapidfuzz.distance import Levenshtein
from rapidocr_onnxruntime import RapidOCR

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from reportfiles import scanned_pdf, text_pdf  # noqa: E402

from nlp.ocr import OcrSettings  # noqa: E402
from nlp.read import read_report  # noqa: E402

SETTINGS = [
    ("defaults, 200 dpi", 200, {}, {}),
    ("defaults, 150 dpi (what nlp uses)", 150, {}, {}),
    ("defaults, 300 dpi", 300, {}, {}),
    ("300 dpi, max_side_len 4000", 300, {"max_side_len": 4000}, {}),
    ("200 dpi, box_thresh 0.3, unclip 2.0", 200, {}, {"box_thresh": 0.3, "unclip_ratio": 2.0}),
]


def _squash(text):
    return re.sub(r"\s+", "", text)


def measure(path, truths, dpi, engine_options, call_options):
    engine = RapidOCR(**engine_options)
    document = pypdfium2.PdfDocument(str(path))
    right = total = missed = 0
    start = time.perf_counter()
    for number, truth in enumerate(truths):
        image = np.asarray(document[number].render(scale=dpi / 72).to_pil().convert("RGB"))
        found, _ = engine(image, **call_options)
        boxes = [_squash(text) for _, text, _ in found or []]
        got, want = "".join(boxes), _squash(truth)
        total += len(want)
        right += len(want) - Levenshtein.distance(want, got)
        for line in filter(None, map(_squash, truth.split("\n"))):
            if len(line) > 3 and max((Levenshtein.normalized_similarity(line, b) for b in boxes), default=0) < 0.5:
                missed += 1
    document.close()
    return right / total, missed, (time.perf_counter() - start) / len(truths)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", default="001", help="first digits of the seed report's file name")
    parser.add_argument("--pages", type=int, default=2, help="pages read (from the first)")
    args = parser.parse_args(argv)
    seed = next((ROOT / "corpus" / "seeds").glob(f"{args.seed}*.txt"))
    with tempfile.TemporaryDirectory() as folder:
        text, scan = Path(folder) / "text.pdf", Path(folder) / "scan.pdf"
        text_pdf(read_report(seed), text, ruled=False)
        with pdfplumber.open(text) as pdf:
            truths = [page.extract_text() for page in pdf.pages[: args.pages]]
        scanned_pdf(text, scan, dpi=300, pages=range(len(truths)))
        print(f"{seed.stem}, {len(truths)} pages scanned at 300 dpi; {os.cpu_count()} CPUs, "
              f"load average {os.getloadavg()[0]:.2f} at the start")
        print(f"{'settings':40} {'chars right':>11} {'lines missed':>12} {'s/page':>7}")
        for name, dpi, engine_options, call_options in SETTINGS:
            share, missed, seconds = measure(scan, truths, dpi, engine_options, call_options)
            print(f"{name:40} {share:11.2%} {missed:12d} {seconds:7.1f}")
        print(f"\n{'nlp.read.read_report on the scan':40} {'s/page':>7}")
        for jobs in (1, 2):
            start = time.perf_counter()
            read_report(scan, ocr=OcrSettings(jobs=jobs))
            print(f"{f'{jobs} worker(s)':40} {(time.perf_counter() - start) / len(truths):7.1f}")


if __name__ == "__main__":
    main()
