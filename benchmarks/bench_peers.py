"""Compare the activity tagger with peer classifiers on the same document-grouped folds.

Run on demand, not a test::

    python benchmarks/bench_peers.py [--corpus corpus] [--methods nlp spacy-bow ...] [--epochs 15]

Every method is trained and scored on ``corpus/`` with the folds of
:func:`nlp.evaluate.cross_validate` (``GroupKFold`` over the paragraphs'
``doc_id``, same order), on the corpus' four categories; a paragraph labelled
``other`` has none of them. The methods:

``nlp``
    :func:`nlp.classify.make_text_pipeline` fitted with the training documents
    as calibration groups; 0/1 from ``.predict`` (per-category thresholds),
    scores from ``.predict_proba``.
``spacy-bow``, ``spacy-ensemble``
    spaCy ``textcat_multilabel`` (``spacy.TextCatBOW.v3`` with word 1-2-grams;
    ``spacy.TextCatEnsemble.v2`` with a small tok2vec) on docs built from the
    project's jieba tokens, a fixed number of epochs in minibatches, threshold 0.5.
``fasttext``
    fastText supervised with one-vs-all loss on the same tokens joined by
    spaces, threshold 0.5 (skipped, and said so, when fastText does not import).
``keywords``
    A rule: a category when the simplified text contains any of its words in
    ``nlp/data/keywords.txt``; its score is 1.0 or 0.0.

Tokens for spaCy and fastText are ``nlp.tokenize.Tokenizer()(to_simplified(text))``:
the content tokens the tagger's word features see (no stop words, no
punctuation, numbers as ``<num>``). Tokenizing is timed as part of training
and tagging.

Each method runs in a fresh Python process (this script with ``--one NAME``),
so that imports, caches and memory of one method do not touch another. Timing
and memory:

- training time: the sum over the five folds of fitting (tokenizing included);
- tagging speed: characters of the test paragraphs over the seconds spent
  scoring them (``predict_proba`` for ``nlp``; the 0/1 ``.predict`` call is
  not timed);
- memory: peak resident set size of the process during the folds minus its
  resident size just before them (Linux ``VmHWM`` after resetting it through
  ``/proc/self/clear_refs``); the libraries are imported and jieba's
  dictionary loaded before, so that is the memory the method itself needs;
- model size: the last fold's model saved as its library saves it
  (the tool's own model files, ``nlp.to_disk``, fastText's ``save_model``), bytes on disk.
"""
import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold

from nlp.classify import default_keywords, make_text_pipeline
from nlp.corpus import load_corpus
from nlp.tokenize import Tokenizer, to_simplified
from nlp.evaluate import FOLDS
from nlp.metrics import expected_calibration_error

ROOT = Path(__file__).resolve().parents[1]
METHODS = ("nlp", "spacy-bow", "spacy-ensemble", "fasttext", "keywords")
THRESHOLD = 0.5
EMPTY = "<empty>"


# --------------------------------------------------------------------------- methods

class NlpTagger:
    """This project's pipeline, fitted as :func:`nlp.evaluate.cross_validate` fits it."""

    label = "nlp (this project)"
    decision = "tuned per category"

    def __init__(self, categories, epochs):
        """No settings: the shipped pipeline's own."""

    def fit(self, texts, Y, groups):
        """Fit a fresh pipeline with the training documents as calibration groups."""
        return make_text_pipeline().fit(texts, Y, classifier__groups=groups)

    def predict_proba(self, model, texts):
        """Calibrated probabilities, shape (n_texts, n_categories)."""
        return model.predict_proba(texts)

    def predict(self, model, texts, proba):
        """The pipeline's own 0/1 decisions (per-category thresholds)."""
        return model.predict(texts)

    def save(self, model, folder):
        """Save as the tool ships a model (JSON and numpy arrays); return the bytes written."""
        from nlp.model import Model, save_model
        from nlp.tag import Tagger

        path = Path(folder) / "model"
        save_model(Model(tagger=Tagger.from_pipeline(model), meta={}), path)
        return sum(f.stat().st_size for f in path.iterdir())


def _tokens(tokenizer, text):
    """The content tokens of the simplified text (what the tagger's word features see)."""
    return tokenizer(to_simplified(text))


class SpacyTextcat:
    """spaCy ``textcat_multilabel`` trained on docs of the project's jieba tokens.

    Parameters
    ----------
    categories : list of str
    epochs : int
        Passes over the training paragraphs, in shuffled minibatches of 16.
    model : dict
        The ``model`` block of the component's config.
    label : str
        Name of the method in the table.
    """

    decision = "score >= 0.5"

    def __init__(self, categories, epochs, model, label):
        import spacy
        from spacy.tokens import Doc
        from spacy.training import Example

        self.spacy, self.Doc, self.Example = spacy, Doc, Example
        self.categories, self.epochs, self.model, self.label = categories, epochs, model, label
        self.tokenizer = Tokenizer()

    def _docs(self, nlp, texts):
        # thinc's n-gram layer fails on a doc without tokens (a text of only
        # punctuation, such as '.....', has no content token): it gets one placeholder.
        return [self.Doc(nlp.vocab, words=_tokens(self.tokenizer, t) or [EMPTY]) for t in texts]

    def fit(self, texts, Y, groups):
        """Train a blank Chinese pipeline with one ``textcat_multilabel`` for `epochs` epochs."""
        self.spacy.util.fix_random_seed(0)
        rng = random.Random(0)
        nlp = self.spacy.blank("zh")
        nlp.add_pipe("textcat_multilabel", config={"model": self.model, "threshold": THRESHOLD})
        examples = [self.Example.from_dict(doc, {"cats": dict(zip(self.categories, map(float, row)))})
                    for doc, row in zip(self._docs(nlp, texts), Y)]
        optimizer = nlp.initialize(lambda: examples)
        for _ in range(self.epochs):
            rng.shuffle(examples)
            for batch in self.spacy.util.minibatch(examples, size=16):
                nlp.update(batch, sgd=optimizer, drop=0.1)
        return nlp

    def predict_proba(self, nlp, texts):
        """``doc.cats`` of each text, in `categories` order."""
        docs = nlp.pipe(self._docs(nlp, texts), batch_size=64)
        return np.array([[doc.cats[c] for c in self.categories] for doc in docs])

    def predict(self, nlp, texts, proba):
        """Categories at or above 0.5."""
        return (proba >= THRESHOLD).astype(int)

    def save(self, nlp, folder):
        """``nlp.to_disk``; return the bytes of every file written."""
        path = Path(folder) / "spacy"
        nlp.to_disk(path)
        return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


BOW = {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": False, "ngram_size": 2,
       "no_output_layer": False, "length": 262144, "nO": None}
ENSEMBLE = {
    "@architectures": "spacy.TextCatEnsemble.v2",
    "nO": None,
    "linear_model": BOW,
    "tok2vec": {
        "@architectures": "spacy.Tok2Vec.v2",
        "embed": {"@architectures": "spacy.MultiHashEmbed.v2", "width": 64, "attrs": ["ORTH", "PREFIX", "SUFFIX"],
                  "rows": [5000, 1000, 1000], "include_static_vectors": False},
        "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": 64, "depth": 2,
                   "window_size": 1, "maxout_pieces": 3},
    },
}


class FastTextOva:
    """fastText supervised, one-vs-all loss, on space-joined jieba tokens.

    ``other`` paragraphs are written as ``__label__other`` (fastText skips a
    line without a label); that label's score is not used.
    """

    label = "fastText ova"
    decision = "score >= 0.5"
    params = dict(loss="ova", epoch=25, lr=0.5, wordNgrams=2, dim=50, bucket=200_000, minCount=1,
                  thread=1, seed=0, verbose=0)

    def __init__(self, categories, epochs):
        import fasttext

        self.fasttext, self.categories, self.tokenizer = fasttext, categories, Tokenizer()

    def fit(self, texts, Y, groups):
        """Write the training file and train on it."""
        lines = []
        for text, row in zip(texts, Y):
            labels = [f"__label__{c}" for c, y in zip(self.categories, row) if y] or ["__label__other"]
            lines.append(" ".join(labels + _tokens(self.tokenizer, text)))
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "train.txt"
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            return self.fasttext.train_supervised(input=str(path), **self.params)

    def predict_proba(self, model, texts):
        """One-vs-all probability of each category."""
        lines = [" ".join(_tokens(self.tokenizer, t)) for t in texts]
        labels, probs = model.predict(lines, k=-1, threshold=0.0)
        out = np.zeros((len(texts), len(self.categories)))
        index = {f"__label__{c}": j for j, c in enumerate(self.categories)}
        for row, (names, values) in enumerate(zip(labels, probs)):
            for name, value in zip(names, values):
                if name in index:
                    out[row, index[name]] = value
        return out

    def predict(self, model, texts, proba):
        """Categories at or above 0.5."""
        return (proba >= THRESHOLD).astype(int)

    def save(self, model, folder):
        """``save_model``; return the file's size in bytes."""
        path = Path(folder) / "model.bin"
        model.save_model(str(path))
        return path.stat().st_size


class KeywordRule:
    """A category when the simplified text contains one of its guide words; nothing to learn."""

    label = "keyword rule"
    decision = "any guide word"

    def __init__(self, categories, epochs):
        words = default_keywords()
        self.words = [words.get(c, []) for c in categories]

    def fit(self, texts, Y, groups):
        """The word lists, unchanged."""
        return self.words

    def predict_proba(self, words, texts):
        """1.0 where a word of the category occurs, else 0.0."""
        simple = [to_simplified(t) for t in texts]
        return np.array([[float(any(w in s for w in ws)) for ws in words] for s in simple])

    def predict(self, words, texts, proba):
        """The same matches as 0/1."""
        return (proba >= THRESHOLD).astype(int)

    def save(self, words, folder):
        """The word list file is the whole model; return its size in bytes."""
        return (ROOT / "nlp" / "data" / "keywords.txt").stat().st_size


def make_method(name, categories, epochs):
    """The method called `name`, with its libraries imported."""
    if name == "nlp":
        return NlpTagger(categories, epochs)
    if name == "spacy-bow":
        return SpacyTextcat(categories, epochs, BOW, "spaCy textcat BOW")
    if name == "spacy-ensemble":
        return SpacyTextcat(categories, epochs, ENSEMBLE, "spaCy textcat ensemble")
    if name == "fasttext":
        return FastTextOva(categories, epochs)
    if name == "keywords":
        return KeywordRule(categories, epochs)
    raise ValueError(f"unknown method {name!r}; expected one of {', '.join(METHODS)}")


# --------------------------------------------------------------------------- one method, in its own process

def _status_kib(field):
    """A ``VmRSS``/``VmHWM`` line of ``/proc/self/status`` in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def _reset_peak():
    """Make ``VmHWM`` start again from the current RSS; False where the kernel does not allow it."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def folds(corpus, n_folds):
    """Train/test index pairs of :func:`nlp.evaluate.cross_validate`: GroupKFold over ``doc_id``."""
    texts, Y = corpus.paragraphs["text"].tolist(), corpus.label_matrix()
    groups = corpus.paragraphs["doc_id"].astype(str).to_numpy()
    splitter = GroupKFold(n_splits=min(n_folds, len(np.unique(groups))))
    return list(splitter.split(texts, Y, groups))


def run_one(name, corpus_path, epochs):
    """Cross-validate one method and return its figures as a dict."""
    corpus = load_corpus(corpus_path)
    texts, Y = corpus.paragraphs["text"].tolist(), corpus.label_matrix()
    groups = corpus.paragraphs["doc_id"].astype(str).to_numpy()
    try:
        method = make_method(name, corpus.categories, epochs)
    except ImportError as e:
        return {"name": name, "skipped": f"did not install: {e}"}
    Tokenizer()("预热")  # jieba's dictionary is loaded once per process; no method pays for it
    proba, pred = np.zeros(Y.shape), np.zeros(Y.shape, int)
    train_s = tag_s = 0.0
    tagged_chars = 0
    base_kib = _status_kib("VmRSS")
    exact_peak = _reset_peak()
    for train, test in folds(corpus, FOLDS):
        train_texts, test_texts = [texts[i] for i in train], [texts[i] for i in test]
        start = time.perf_counter()
        model = method.fit(train_texts, Y[train], groups[train])
        train_s += time.perf_counter() - start
        start = time.perf_counter()
        proba[test] = method.predict_proba(model, test_texts)
        tag_s += time.perf_counter() - start
        tagged_chars += sum(map(len, test_texts))
        pred[test] = method.predict(model, test_texts, proba[test])
    peak_kib = _status_kib("VmHWM")
    with tempfile.TemporaryDirectory() as folder:
        size = method.save(model, folder)
    return {
        "name": name, "label": method.label, "decision": method.decision,
        "macro_f1": float(f1_score(Y, pred, average="macro", zero_division=0)),
        "per_category_f1": dict(zip(corpus.categories, f1_score(Y, pred, average=None, zero_division=0).tolist())),
        "ece": expected_calibration_error(Y, proba),
        "train_s": train_s, "tag_chars_per_s": tagged_chars / tag_s if tag_s else float("inf"),
        "peak_mib": (peak_kib - base_kib) / 1024, "peak_exact": exact_peak, "model_bytes": size,
    }


# --------------------------------------------------------------------------- the table

def run_in_process(name, corpus_path, epochs, timeout):
    """Run one method in a fresh interpreter; a dict with its figures, or with why there are none."""
    cmd = [sys.executable, __file__, "--one", name, "--corpus", str(corpus_path), "--epochs", str(epochs)]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"name": name, "skipped": f"did not finish in {timeout} s"}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        return {"name": name, "skipped": f"failed: {last}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _size(n):
    return f"{n / 1024:.0f} KiB" if n < 1 << 20 else f"{n / (1 << 20):.1f} MiB"


def format_table(results):
    """The results as a Markdown table."""
    head = ("| method | decision | macro-F1 | ECE | train s (5 folds) | tag chars/s | peak RSS + | model size |\n"
            "|---|---|---|---|---|---|---|---|")
    rows = [head]
    for r in results:
        if "skipped" in r:
            rows.append(f"| {r['name']} | {r['skipped']} | | | | | | |")
            continue
        rows.append(f"| {r['label']} | {r['decision']} | {r['macro_f1']:.3f} | {r['ece']:.3f} | {r['train_s']:.1f} | "
                    f"{r['tag_chars_per_s']:,.0f} | {r['peak_mib']:.0f} MiB | {_size(r['model_bytes'])} |")
    return "\n".join(rows)


def format_f1(results):
    """Per-category F1 of every method that ran, as a Markdown table."""
    done = [r for r in results if "skipped" not in r]
    if not done:
        return ""
    categories = list(done[0]["per_category_f1"])
    rows = ["| method | " + " | ".join(categories) + " |", "|---" * (len(categories) + 1) + "|"]
    for r in done:
        rows.append(f"| {r['label']} | " + " | ".join(f"{r['per_category_f1'][c]:.3f}" for c in categories) + " |")
    return "\n".join(rows)


def _load():
    return Path("/proc/loadavg").read_text().split()[0]


def machine():
    """One line about this machine and the libraries measured."""
    from importlib import metadata

    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    versions = []
    for dist in ("scikit-learn", "numpy", "jieba", "spacy", "thinc", "fasttext-numpy2-wheel", "fasttext-wheel",
                 "fasttext"):
        try:
            versions.append(f"{dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            pass
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}; " + ", ".join(versions)


def main(argv=None):
    """Run the chosen methods one after another and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(ROOT / "corpus"), help="labelled corpus directory")
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    parser.add_argument("--epochs", type=int, default=15, help="spaCy training epochs")
    parser.add_argument("--timeout", type=int, default=240, help="seconds allowed to one method")
    parser.add_argument("--one", choices=METHODS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one, args.corpus, args.epochs)))
        return
    print(machine())
    print(f"load average {_load()} at the start", end="; ")
    print(f"corpus {args.corpus}, document-grouped 5-fold cross-validation; spaCy {args.epochs} epochs\n")
    results = []
    for name in args.methods:
        start = time.perf_counter()
        results.append(run_in_process(name, args.corpus, args.epochs, args.timeout))
        print(f"  {name}: {time.perf_counter() - start:.0f} s", file=sys.stderr)
    print(format_table(results))
    print()
    print(format_f1(results))
    print(f"\nload average {_load()} at the end")
    if any(not r.get("peak_exact", True) for r in results):
        print("\n(peak RSS could not be reset here: the figure includes what the process held before the folds)")


if __name__ == "__main__":
    main()
