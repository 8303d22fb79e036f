# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: -all
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
# ---

# %% [markdown]
# # Choosing features and model by document-grouped cross-validation
#
# Open it in Jupyter, or run it as a script: `python notebooks/model_selection.py`.
# Every variant is scored on the same grouped folds as `nlp evaluate`, and its
# features are timed on the narrative of the corpus repeated to about a
# million characters. The shipped pipeline (`nlp.classify.make_text_pipeline`)
# is word 1-2-grams with the guide-word counts at C=8: character n-grams did
# not score better and cost a fifth of the tagging time.
#
# The second part scores the linker leaving one report out at a time: its
# features as they are, or with each feature's gap to the indicator's best
# other candidate added, at several regularisation strengths. The shipped linker
# uses the gaps at C=0.1.

# %%
import time
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer

from nlp.classify import ActivityClassifier, EvidenceLinker, KeywordCounts, simplify_all
from nlp.corpus import load_corpus
from nlp.link import FEATURE_NAMES
from nlp.tokenize import Tokenizer
from nlp.evaluate import cross_validate, leave_one_report_out
from nlp.metrics import expected_calibration_error, ranking_metrics

ROOT = next(p for p in (Path.cwd(), *Path.cwd().parents) if (p / "corpus" / "seeds").is_dir())
corpus = load_corpus(ROOT / "corpus")
tok = Tokenizer()
narrative = corpus.paragraphs.loc[corpus.paragraphs["kind"] == "paragraph", "text"].tolist()
big = simplify_all(narrative * (1_000_000 // sum(map(len, narrative)) + 1))


def words(ngrams=(1, 2)):
    return ("words", TfidfVectorizer(tokenizer=tok, token_pattern=None, lowercase=False,
                                     ngram_range=ngrams, min_df=2, sublinear_tf=True))


def chars(ngrams=(1, 3)):
    return ("chars", TfidfVectorizer(analyzer="char", ngram_range=ngrams, min_df=2, sublinear_tf=True,
                                     max_features=50000))


def keywords():
    return ("keywords", KeywordCounts())


def pipeline(parts, C):
    # cross_validate finds the tokenizer in the first feature block: words come first.
    return Pipeline([("simplify", FunctionTransformer(simplify_all)),
                     ("features", FeatureUnion(parts)),
                     ("classifier", ActivityClassifier(C=C))])


variants = {
    "words 1-2": lambda: [words()],
    "words 1-2 + chars 1-3": lambda: [words(), chars()],
    "words 1 + chars 2-3": lambda: [words((1, 1)), chars((2, 3))],
    "words 1-2 + keywords": lambda: [words(), keywords()],
    "words 1-2 + chars 1-3 + keywords": lambda: [words(), chars(), keywords()],
}

# %%
print(f"{'features':34} {'C':>4} {'macro-F1':>9} {'ECE':>6} {'features s/1M chars':>20}")
for name, parts in variants.items():
    for C in (2.0, 8.0, 32.0):
        model = pipeline(parts(), C)
        metrics, _ = cross_validate(corpus, tagger=model)
        t = metrics["tagging"]
        model.fit(corpus.paragraphs["text"].tolist(), corpus.label_matrix())
        start = time.perf_counter()
        model.named_steps["features"].transform(big)
        print(f"{name:34} {C:4.0f} {t['macro_f1']:9.3f} {t['ece']:6.3f} {time.perf_counter() - start:20.2f}")

# %% [markdown]
# ## The linker, leaving one report out

# %%
_, oof = cross_validate(corpus)
X, y, owner = oof["links"]
docs = corpus.indicators["doc_id"].to_numpy()[owner]
raw = [not name.endswith("_gap") for name in FEATURE_NAMES]
print(f"{'link features':34} {'C':>5} {'MAP':>6} {'R@3':>6} {'ECE':>6}")
for name, columns in (("as they are", raw), ("with gaps to the best other", slice(None))):
    for C in (0.01, 0.1, 1.0):
        conf = leave_one_report_out(X[:, columns], y, docs, linker=EvidenceLinker(C=C))
        mean_ap, recall3 = ranking_metrics(y, conf, owner)
        print(f"{name:34} {C:5.2f} {mean_ap:6.3f} {recall3:6.3f} {expected_calibration_error(y, conf):6.3f}")
