# %% [markdown]
# # Choosing features and model by document-grouped cross-validation
#
# Run from the repository root: `python notebooks/model_selection.py [corpus/]`.
# Every variant is scored on the same grouped folds as `nlp evaluate`; the
# shipped pipeline (`nlp.classify.make_text_pipeline`) is the pick of this table.

# %%
import sys
import time

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer

from nlp.classify import ActivityClassifier, simplify_all
from nlp.corpus import load_corpus
from nlp.tokenize import Tokenizer
from nlp.train import cross_validate

corpus = load_corpus(sys.argv[1] if len(sys.argv) > 1 else "corpus")
tok = Tokenizer()


def words(ngrams=(1, 2)):
    return ("words", TfidfVectorizer(tokenizer=tok, token_pattern=None, lowercase=False,
                                     ngram_range=ngrams, min_df=2, sublinear_tf=True))


def chars(ngrams=(1, 3)):
    return ("chars", TfidfVectorizer(analyzer="char", ngram_range=ngrams, min_df=2, sublinear_tf=True,
                                     max_features=50000))


def pipeline(parts, C):
    # cross_validate reads the tokenizer from the first feature block, so keep words first when present.
    parts = parts if parts[0][0] == "words" else [words()] + parts
    weights = None if len(parts) > 1 or parts[0][0] == "words" else None
    return Pipeline([("simplify", FunctionTransformer(simplify_all)),
                     ("features", FeatureUnion(parts, transformer_weights=weights)),
                     ("classifier", ActivityClassifier(C=C))])


variants = {
    "words 1-2": lambda C: pipeline([words()], C),
    "words 1-2 + chars 1-3": lambda C: pipeline([words(), chars()], C),
    "words 1 + chars 2-4": lambda C: pipeline([words((1, 1)), chars((2, 4))], C),
}

# %%
print(f"{'features':26} {'C':>5} {'macro-F1':>9} {'ECE':>6} {'seconds':>8}")
for name, make in variants.items():
    for C in (2.0, 8.0, 32.0):
        start = time.perf_counter()
        metrics, _ = cross_validate(corpus, tagger=make(C))
        t = metrics["tagging"]
        print(f"{name:26} {C:5.0f} {t['macro_f1']:9.3f} {t['ece']:6.3f} {time.perf_counter() - start:8.1f}")
