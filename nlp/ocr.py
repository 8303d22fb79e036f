"""Reading page images by OCR: the pages of a PDF that have no text layer.

Pages are rendered with pypdfium2 and read with RapidOCR (rapidocr-onnxruntime,
whose detection and recognition models ship inside the wheel: nothing is
downloaded). Each text line it finds comes back as a :class:`nlp.layout.Word`
in PDF points, so a scanned page goes through the same layout as a page with
a text layer. Pages are read by worker processes; a page that takes longer
than the time limit is given up with a warning and the rest is read.

Both packages come with the optional extra ``ocr``.
"""
import os
import tempfile
import warnings
from dataclasses import dataclass

from .errors import InputError
from .layout import Word

__all__ = ["OCR_MODES", "OcrPageWarning", "OcrSettings", "ocr_pages"]

OCR_MODES = ("auto", "always", "never")
INSTALL = 'pip install -e ".[ocr]"'
# Pages are rendered at 150 dpi: on scans of the seed reports (benchmarks/bench_ocr.py) RapidOCR's detector,
# at its default box threshold, dropped whole lines of 12-point text at 200 dpi and none at 150 dpi.
DPI = 150


class OcrPageWarning(UserWarning):
    """A page that OCR could not read in the time allowed; the rest of the document is read."""


@dataclass(frozen=True)
class OcrSettings:
    """How pages without a text layer are read.

    Attributes
    ----------
    mode : str
        ``"auto"``: by OCR when a page has no text layer; ``"always"``: every
        page by OCR; ``"never"``: pages without text are skipped.
    timeout : float
        Seconds one page may take.
    jobs : int or None
        Worker processes; default: one a CPU, at most one a page.
    """

    mode: str = "auto"
    timeout: float = 120.0
    jobs: int | None = None


def _check_installed(name):
    try:
        import pebble  # noqa: F401
        import pypdfium2  # noqa: F401
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        raise InputError(name, f"PDF has no text layer (a scanned image?); to read it by OCR, "
                               f"install the extra: {INSTALL}") from None


_engine = None


def _start_worker(threads):
    global _engine  # one engine a worker process, made once when the process starts
    from rapidocr_onnxruntime import RapidOCR

    _engine = RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1)


def _read_page(path, number):
    """The text lines of one page, as words in PDF points."""
    import numpy as np
    import pypdfium2

    document = pypdfium2.PdfDocument(path)
    try:
        image = document[number].render(scale=DPI / 72).to_pil().convert("RGB")
    finally:
        document.close()
    result, _ = _engine(np.asarray(image))
    scale = 72 / DPI
    words = []
    for box, text, _score in result or []:
        xs, ys = [p[0] for p in box], [p[1] for p in box]
        words.append(Word(min(xs) * scale, max(xs) * scale, min(ys) * scale, max(ys) * scale, text))
    return words


def ocr_pages(data, numbers, *, name, settings):
    """Read pages of a PDF by OCR, on worker processes.

    Parameters
    ----------
    data : bytes
        The PDF.
    numbers : list of int
        The pages to read (0-based).
    name : str
        The file, for messages.
    settings : OcrSettings

    Yields
    ------
    (int, list of Word)
        Each page's number and text lines, in page order; a page given up
        (over the time limit) yields no words, with an :class:`OcrPageWarning`.

    Raises
    ------
    InputError
        The ``ocr`` extra is not installed.
    """
    _check_installed(name)
    from concurrent.futures import TimeoutError

    from pebble import ProcessPool

    jobs = max(1, min(settings.jobs or os.cpu_count() or 1, len(numbers)))
    threads = max(1, (os.cpu_count() or 1) // jobs)
    with tempfile.NamedTemporaryFile(suffix=".pdf") as copy:
        copy.write(data)
        copy.flush()
        with ProcessPool(max_workers=jobs, initializer=_start_worker, initargs=(threads,)) as pool:
            futures = [pool.schedule(_read_page, (copy.name, n), timeout=settings.timeout) for n in numbers]
            for number, future in zip(numbers, futures):
                try:
                    yield number, future.result()
                except TimeoutError:
                    warnings.warn(f"{name}: page {number + 1}: OCR did not finish in {settings.timeout:g} s; "
                                  "the page is left out", OcrPageWarning, stacklevel=2)
                    yield number, []
