"""Training: fit the tagger and the linker on a checked corpus and save the model."""
import datetime as dt
from pathlib import Path

from sklearn.base import clone

from .classify import EvidenceLinker, make_text_pipeline
from .corpus import checked_corpus
from .evaluate import FOLDS, cross_validate, drop_structure
from .link import FEATURE_NAMES, LinkScorer, synonym_groups
from .model import Model, check_model_target, library_versions, save_model
from .progress import progress_bar, wanted
from .tag import Tagger

__all__ = ["train_model"]


def train_model(corpus_path, *, out, folds=FOLDS, progress=None):
    """Check a labelled corpus, cross-validate, fit on all of it and save the model to `out`.

    Parameters
    ----------
    corpus_path : str or Path
        A corpus directory or a paragraph table with a ``labels`` column.
    out : str or Path
        Model directory; replaced only when training has succeeded.
    progress : bool, optional
        Bars of the cross-validation's folds and of the final fits on standard error; default: when
        it is a terminal.

    Returns
    -------
    Model

    Raises
    ------
    InputError
        The corpus is missing, malformed or unfit for training (nothing is written).
    """
    corpus = checked_corpus(corpus_path, folds)
    check_model_target(out)
    tagger, evidence_linker = make_text_pipeline(), EvidenceLinker()
    metrics, oof = cross_validate(corpus, folds=folds, tagger=tagger, linker=evidence_linker, progress=progress)
    p = corpus.paragraphs
    linker = without_context = None
    cutoffs = {"supported": 0.5, "weak": 0.2}
    with progress_bar(show=wanted(progress), total=3 if "links" in oof else 1, desc="final fits", unit="fit") as bar:
        tagger.fit(p["text"].tolist(), corpus.label_matrix(), classifier__groups=p["doc_id"].astype(str).to_numpy())
        bar.update(1)
        if "links" in oof:
            examples = oof["links"]
            linker = LinkScorer.from_estimator(clone(evidence_linker).fit(examples.X, examples.y))
            bar.update(1)
            without_context = LinkScorer.from_estimator(
                clone(evidence_linker).fit(drop_structure(examples.X), examples.y))
            bar.update(1)
            cutoffs = metrics["linking"]["cutoffs"]
    meta = {
        "categories": corpus.categories,
        "thresholds": [float(t) for t in tagger.named_steps["classifier"].thresholds_],
        "classifier": {k: v for k, v in tagger.named_steps["classifier"].get_params().items()},
        "linker": {**evidence_linker.get_params(), "features": FEATURE_NAMES, "synonyms": synonym_groups()}
        if linker is not None else None,
        "status_cutoffs": cutoffs,
        "versions": library_versions(),
        "corpus": {"path": Path(corpus_path).name, "sha256": corpus.fingerprint(),
                   "paragraphs": len(p), "documents": int(p["doc_id"].nunique()),
                   "indicators": len(corpus.indicators), "pooled_pairs": len(corpus.pool)},
        "trained": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "cross_validated": metrics,
    }
    model = Model(tagger=Tagger.from_pipeline(tagger), linker=linker, linker_without_context=without_context,
                  meta=meta)
    save_model(model, out)
    return model


