"""Progress: bars on standard error for the long runs (many files, a long document, training).

Every bar of the package is made here, with tqdm, and by the same rule: shown
when standard error is a terminal, unless the caller says otherwise.
"""
import sys

__all__ = ["progress_bar", "wanted"]


def wanted(progress):
    """Whether to show progress: `progress` as given, or (None) when standard error is a terminal."""
    return sys.stderr.isatty() if progress is None else bool(progress)


def progress_bar(iterable=None, *, show, **options):
    """A tqdm bar on standard error, drawn only when `show`; `options` go to tqdm (``total``, ``desc``, ``unit``)."""
    from tqdm import tqdm

    return tqdm(iterable, disable=not show, file=sys.stderr, **options)
