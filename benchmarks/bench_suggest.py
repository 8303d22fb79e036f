"""A simulated labelling round: does labelling what `nlp suggest` picks help more than labelling at random?

Run on demand, not a test::

    python benchmarks/bench_suggest.py [--seeds 5] [--start 200] [--add 100]

The paragraphs of the corpus (headings and table rows left out) are split into
five document-grouped folds, as `nlp evaluate` splits them. In each fold, from
the paragraphs of the training documents, ``--start`` are drawn at random as
the labels a team has; a tagger trained on them scores the rest (the pool).
Then ``--add`` paragraphs of the pool are added to the labels, once chosen as
`nlp suggest` chooses them (`nlp.labels.pick_for_labelling`) and once at
random, a tagger is trained on each, and all three taggers are scored on the
held-out documents. Macro-F1 is averaged over the folds (cross-validated), and
the whole is repeated for each seed of the random draws.
"""
import argparse
import os
import statistics
import time

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import GroupKFold

from nlp.classify import make_text_pipeline
from nlp.corpus import load_corpus
from nlp.evaluate import FOLDS
from nlp.labels import pick_for_labelling
from nlp.metrics import tagging_metrics

CORPUS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "corpus")


def _fit(tagger, texts, Y, groups, rows):
    return clone(tagger).fit([texts[i] for i in rows], Y[rows], classifier__groups=groups[rows])


def _macro_f1(model, texts, Y, rows, categories):
    pred = model.predict([texts[i] for i in rows])
    return tagging_metrics(Y[rows], pred, model.predict_proba([texts[i] for i in rows]), categories)["macro_f1"]


def one_seed(corpus, seed, start, add):
    """Cross-validated macro-F1 of the start labels, start + suggested, start + random, for one seed."""
    p = corpus.paragraphs
    keep = np.flatnonzero((p["kind"] == "paragraph").to_numpy())
    texts = p["text"].to_numpy()[keep].tolist()
    Y = corpus.label_matrix()[keep]
    groups = p["doc_id"].astype(str).to_numpy()[keep]
    tagger = make_text_pipeline()
    rng = np.random.default_rng(seed)
    scores = {"start": [], "suggest": [], "random": []}
    for train, test in GroupKFold(n_splits=FOLDS).split(texts, Y, groups):
        labelled = rng.choice(train, size=start, replace=False)
        pool = np.setdiff1d(train, labelled)
        first = _fit(tagger, texts, Y, groups, labelled)
        picked = pool[pick_for_labelling(first.predict_proba([texts[i] for i in pool]), groups[pool], add)]
        drawn = rng.choice(pool, size=add, replace=False)
        scores["start"].append(_macro_f1(first, texts, Y, test, corpus.categories))
        for name, extra in (("suggest", picked), ("random", drawn)):
            model = _fit(tagger, texts, Y, groups, np.r_[labelled, extra])
            scores[name].append(_macro_f1(model, texts, Y, test, corpus.categories))
    return {name: float(np.mean(values)) for name, values in scores.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="number of seeds for the random draws")
    parser.add_argument("--start", type=int, default=200, help="labelled paragraphs at the start")
    parser.add_argument("--add", type=int, default=100, help="paragraphs added in the round")
    parser.add_argument("--corpus", default=CORPUS)
    args = parser.parse_args(argv)
    corpus = load_corpus(args.corpus)
    began = time.perf_counter()
    rows = [one_seed(corpus, seed, args.start, args.add) for seed in range(args.seeds)]
    print(f"corpus {args.corpus}: {int((corpus.paragraphs['kind'] == 'paragraph').sum())} paragraphs; "
          f"{FOLDS} document-grouped folds; {args.start} labelled at the start, {args.add} added; "
          f"{time.perf_counter() - began:.0f} s\n")
    print(f"| seed | {args.start} labelled | + {args.add} by `suggest` | + {args.add} at random |")
    print("|---|---|---|---|")
    for seed, r in enumerate(rows):
        print(f"| {seed} | {r['start']:.3f} | {r['suggest']:.3f} | {r['random']:.3f} |")
    mean = {k: statistics.mean(r[k] for r in rows) for k in ("start", "suggest", "random")}
    print(f"| **mean** | **{mean['start']:.3f}** | **{mean['suggest']:.3f}** | **{mean['random']:.3f}** |")
    print(f"\nmacro-F1 gained by the round: suggest {mean['suggest'] - mean['start']:+.3f}, "
          f"random {mean['random'] - mean['start']:+.3f}")


if __name__ == "__main__":
    main()
