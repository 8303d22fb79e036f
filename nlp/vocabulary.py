"""Vocabulary: the domain's word lists, kept as data files in ``nlp/data`` and read once.

The code keeps the shapes (numbers, brackets, anchors); the words those shapes
are filled with live in the data files, so a new word is a line to edit, not a
pattern to rewrite.
"""
import re
from functools import lru_cache
from importlib import resources

__all__ = ["alternation", "data_lines", "terms", "word_lists"]


def data_lines(name):
    """Lines of a data file shipped in ``nlp/data``, without blanks and ``#`` comments."""
    text = resources.files("nlp").joinpath("data").joinpath(name).read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


@lru_cache(maxsize=None)
def word_lists(name):
    """The lists of a data file of ``list<TAB>word word …`` lines: list name -> tuple of words, in order."""
    return {key: tuple(words.split()) for key, words in (line.split("\t") for line in data_lines(name))}


def terms(name):
    """One word list of ``nlp/data/terms.txt``, the words of reports' tables, titles and numbers.

    Examples
    --------
    >>> terms("totals")[:2]
    ('合计', '总分')
    """
    return word_lists("terms.txt")[name]


def alternation(*names):
    """The words of these lists of ``terms.txt`` as alternatives of a regular expression, in their order.

    Examples
    --------
    >>> re.fullmatch(alternation("at_least"), "不低于") is not None
    True
    """
    return "|".join(re.escape(word) for name in names for word in terms(name))
