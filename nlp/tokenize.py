"""Tokenizing: a jieba tokenizer of the project's own, with the domain dictionary."""
import logging
import os
import re
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import jieba

from .clean import half_width
from .vocabulary import data_lines

__all__ = ["Tokenizer", "to_simplified"]

# jieba logs every dictionary load at DEBUG to stderr; the tool's stderr is for errors.
logging.getLogger("jieba").setLevel(logging.WARNING)

_NUMBER = re.compile(r"^[0-9０-９.．%％]+$")
_HAS_WORD = re.compile(r"[0-9A-Za-z\u3400-\u9fff]")


@lru_cache(maxsize=1)
def _converter():
    from opencc import OpenCC

    return OpenCC("t2s")


@lru_cache(maxsize=1)
def _traditional_chars():
    """Characters without which the t2s converter leaves a text as it is (None: unknown)."""
    import opencc

    folder = Path(opencc.__file__).parent / "dictionary"
    chars = set()
    try:
        for name in ("TSCharacters.txt", "TSPhrases.txt"):
            for line in (folder / name).read_text(encoding="utf-8").splitlines():
                key, _, values = line.partition("\t")
                value = values.split(" ")[0]
                if values and value != key and chars.isdisjoint(key):
                    # A phrase changes only where it occurs whole: any one of its changed characters tells.
                    chars.update(k for k, v in zip(key, value) if k != v)
    except OSError:
        return None
    return frozenset(chars)


def to_simplified(text):
    """The text in simplified script with full-width letters and digits made half-width.

    The model side always sees this copy; outputs keep the original text.

    Examples
    --------
    >>> to_simplified("工商聯組織會員企業")
    '工商联组织会员企业'
    """
    text = half_width(text)
    if text.isascii():
        return text
    # Converting is the slowest step of tagging; most reports hold no traditional character at all.
    trad = _traditional_chars()
    if trad is not None and trad.isdisjoint(text):
        return text
    return _converter().convert(text)


def _cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    path = Path(base) / "nlp-gsl"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # jieba then falls back to the system temp folder
    return str(path)


@lru_cache(maxsize=4)
def _jieba_with(words):
    """A jieba tokenizer with `words` added; shared by tokenizers with the same words
    (copies made by cross-validation would otherwise each load jieba's dictionary)."""
    tk = jieba.Tokenizer()
    tk.tmp_dir = _cache_dir()
    tk.initialize()
    for word in words:
        tk.add_word(word)
    return tk


class Tokenizer:
    """jieba word segmentation with the domain dictionary and stop words.

    An instance owns its `jieba.Tokenizer` (never jieba's process-wide one) and
    pickles as its word lists, so a saved model tokenizes the same way wherever
    it is loaded.

    Parameters
    ----------
    words : list of str, optional
        Domain words added to jieba's dictionary; default: the package's list.
    stop_words : list of str, optional
        Tokens dropped from the output of ``__call__``; default: the package's list.

    Examples
    --------
    >>> tok = Tokenizer()
    >>> "万企兴万村" in tok("参与万企兴万村行动")
    True
    """

    def __init__(self, words=None, stop_words=None):
        self.words = list(data_lines("userdict.txt") if words is None else words)
        self.stop_words = list(data_lines("stopwords.txt") if stop_words is None else stop_words)
        self._jieba = None
        self._stop = frozenset(self.stop_words)
        self._seen = {}
        self._memo = None  # run of word characters -> its tokens, inside `remembering`

    def __getstate__(self):
        return {"words": self.words, "stop_words": self.stop_words}

    def __setstate__(self, state):
        self.__init__(state["words"], state["stop_words"])

    @property
    def jieba(self):
        """The underlying `jieba.Tokenizer`, built on first use."""
        if self._jieba is None:
            self._jieba = _jieba_with(tuple(self.words))
        return self._jieba

    def _content(self, word):
        """The token `word` stands for, or None for a stop word or punctuation."""
        if word in self._stop or not _HAS_WORD.search(word):
            return None
        return "<num>" if _NUMBER.match(word) else word

    @contextmanager
    def remembering(self):
        """Inside the block, a run of text is segmented once: asked again, its tokens are reused.

        jieba segments each run of word characters (``jieba.re_han_default``) on its own, so a run
        gives the same tokens wherever it stands: a paragraph linked after it was tagged, an
        indicator's name in its BM25 query and in its full text, a clause repeated in a report.

        Examples
        --------
        >>> tok = Tokenizer()
        >>> with tok.remembering():
        ...     tok("参与万企兴万村行动，成效明显") == Tokenizer()("参与万企兴万村行动，成效明显")
        True
        """
        self._memo = {}
        try:
            yield self
        finally:
            self._memo = None

    def __call__(self, text):
        """Content tokens of `text`: no stop words, no punctuation, numbers as ``<num>``."""
        memo = self._memo
        if memo is None:
            return self._tokens(text)
        out = []
        for piece in jieba.re_han_default.split(text):
            if piece:
                tokens = memo.get(piece)
                if tokens is None:
                    tokens = memo[piece] = tuple(self._tokens(piece))
                out.extend(tokens)
        return out

    def _tokens(self, text):
        seen = self._seen
        out = []
        for word in self.jieba.cut(text):
            # The same few thousand words come back again and again: decide each once.
            token = seen[word] if word in seen else seen.setdefault(word, self._content(word))
            if token is not None:
                out.append(token)
        return out
