"""The model directory: a tagger and a linker, saved atomically and loaded only when intact.

A model is plain data: ``meta.json``, ``words.json`` (vocabulary, guide words,
the tokenizer's dictionary) and ``weights.npz`` (numbers, loaded with
``allow_pickle=False``). Loading one runs no code from it.
"""
import hashlib
import json
import os
import shutil
import tempfile
import warnings
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import numpy as np

from .errors import InputError
from .read import file_sha256
from .records import OTHER
from .link import FEATURE_NAMES, LinkScorer
from .tag import Tagger
from .write import replace_folder

__all__ = ["Model", "save_model", "load_model", "check_model_target", "default_model_dir", "library_versions",
           "InconsistentVersionWarning"]

FORMAT = "nlp-gsl-model/6"
_FILES = ("words.json", "weights.npz")
# jieba decides the tokens, numpy the arithmetic; scikit-learn made the numbers.
_LIBRARIES = ("jieba", "numpy", "scikit-learn")


class InconsistentVersionWarning(UserWarning):
    """A model made with other versions of the libraries that decide its numbers."""


def default_model_dir():
    """The model shipped in the repository's ``models/default``.

    ``NLP_MODEL`` overrides it; an install that is not in the repository
    (``pip install .``) looks in ``./models/default``.
    """
    env = os.environ.get("NLP_MODEL")
    if env:
        return Path(env)
    beside = Path(__file__).resolve().parent.parent / "models" / "default"
    return beside if beside.is_dir() else Path("models") / "default"


def library_versions():
    """Versions of the libraries that made the model and that apply it."""
    return {name: metadata.version(name) for name in _LIBRARIES}


@dataclass
class Model:
    """A trained tagger and linker with what was recorded about them.

    Attributes
    ----------
    tagger : nlp.tag.Tagger
        Texts in, calibrated category probabilities out.
    linker : nlp.link.LinkScorer or None
        Link confidences from link features; None when the corpus had no indicators.
    linker_without_context : nlp.link.LinkScorer or None
        The same, trained without the features of an indicator's table context,
        for indicators given without it.
    meta : dict
        Categories, thresholds, status cut-offs, versions, corpus hash, date, metrics.
    directory : Path or None
        Where it was loaded from.
    """

    tagger: object
    linker: object = None
    linker_without_context: object = None
    meta: dict = field(default_factory=dict)
    directory: Path | None = None

    @property
    def categories(self):
        return list(self.meta["categories"])

    @property
    def tokenizer(self):
        """The tagger's word tokenizer (the linker uses the same)."""
        return self.tagger.tokenizer

    def predict_proba(self, texts):
        """Category probabilities of `texts`, an array of shape (n_texts, n_categories)."""
        if not len(texts):
            return np.zeros((0, len(self.categories)))
        return self.tagger.predict_proba(list(texts))

    def labels(self, proba):
        """Labels from `predict_proba` output: per row, the categories at or above their
        threshold, highest first, else ``["other"]`` (a list of lists of str)."""
        thresholds = np.asarray(self.meta["thresholds"])
        out = []
        for row in np.atleast_2d(proba):
            passed = [j for j in np.argsort(-row) if row[j] >= thresholds[j]]
            out.append([self.categories[j] for j in passed] or [OTHER])
        return out



def _meta_digest(meta):
    """SHA-256 of everything in meta.json but the digest itself (categories, thresholds, cut-offs...)."""
    rest = {k: v for k, v in meta.items() if k != "checksum"}
    return hashlib.sha256(json.dumps(rest, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def save_model(model, directory):
    """Write `model` to `directory`, replacing what was there only once all of it is written.

    The files are built in a temporary sibling folder and moved into place, so an
    interrupted save leaves the previous model as it was.

    Parameters
    ----------
    model : Model
    directory : str or Path
        A new folder, an empty one, or a model directory to replace.

    Raises
    ------
    InputError
        `directory` exists and holds something other than a model: it is never deleted.
    """
    directory = Path(directory)
    tmp = _scratch_beside(directory)
    try:
        (tmp / "words.json").write_text(json.dumps(model.tagger.words(), ensure_ascii=False), encoding="utf-8")
        arrays = {f"tagger_{k}": v for k, v in model.tagger.arrays().items()}
        for prefix, scorer in (("linker_", model.linker), ("nocontext_", model.linker_without_context)):
            if scorer is not None:
                arrays.update({prefix + k: v for k, v in scorer.arrays().items()})
        np.savez(tmp / "weights.npz", **arrays)
        meta = dict(model.meta, format=FORMAT, files={name: file_sha256(tmp / name) for name in _FILES})
        meta["checksum"] = _meta_digest(meta)
        (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        replace_folder(tmp, directory)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)


def _scratch_beside(directory):
    """A new empty folder beside `directory`, once `directory` is known to be one a model may go to."""
    if directory.exists() and not _is_model_dir(directory) and (not directory.is_dir() or any(directory.iterdir())):
        raise InputError(directory, "exists and is not a model directory; choose a new or empty folder")
    try:
        directory.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=directory.parent))
    except OSError as e:
        raise InputError(directory, f"cannot write a model there ({e.strerror or e})") from None
    tmp.chmod(0o755)
    return tmp


def check_model_target(directory):
    """Raise InputError now if a model could not be saved to `directory` (before hours of training)."""
    shutil.rmtree(_scratch_beside(Path(directory)))


def _is_model_dir(directory):
    """A model of this tool, of this format or an older one (so retraining can replace it)."""
    try:
        found = json.loads((directory / "meta.json").read_text(encoding="utf-8")).get("format")
        return str(found).startswith(FORMAT.split("/")[0] + "/")
    except (OSError, ValueError, AttributeError):
        return False


def _scorer(arrays, prefix):
    found = {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}
    return LinkScorer(**found) if found else None


def load_model(directory=None):
    """Load a model directory after checking that every file is the one its meta.json names.

    The files are data only (JSON and numpy arrays read without pickle), and each
    must match the SHA-256 recorded for it (meta.json carries the digest of the
    rest of itself); a directory that is not a model of this format is refused.

    Raises
    ------
    InputError
        The directory is missing, foreign or altered.
    """
    directory = Path(directory) if directory else default_model_dir()
    meta_path = directory / "meta.json"
    if not directory.is_dir():
        raise InputError(directory, "no such model directory")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise InputError(directory, "not a model directory (no readable meta.json)") from None
    found = meta.get("format") if isinstance(meta, dict) else None
    if found != FORMAT or set(meta.get("files", {})) != set(_FILES):
        raise InputError(directory, f"not a model of format {FORMAT} (meta.json says format {found!r})")
    if meta.get("checksum") != _meta_digest(meta):
        raise InputError(meta_path, "checksum does not match; the model was altered, refusing to load it")
    for name, digest in meta["files"].items():
        path = directory / name
        if not path.is_file() or file_sha256(path) != digest:
            raise InputError(path, "checksum does not match meta.json; the model was altered, refusing to load it")
    recorded = meta.get("versions", {})
    current = library_versions()
    changed = [f"{k} {recorded.get(k)} -> {v}" for k, v in current.items() if recorded.get(k) not in (None, v)]
    if changed:
        warnings.warn(f"{directory}: trained with other library versions ({', '.join(changed)}); "
                      "retrain if results look wrong", InconsistentVersionWarning, stacklevel=2)
    try:
        words = json.loads((directory / "words.json").read_text(encoding="utf-8"))
        with np.load(directory / "weights.npz", allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        tagger = Tagger.load(words, {k[7:]: v for k, v in arrays.items() if k.startswith("tagger_")})
        linker, without_context = _scorer(arrays, "linker_"), _scorer(arrays, "nocontext_")
    except (ValueError, KeyError, TypeError) as e:
        raise InputError(directory, f"model files do not fit together ({type(e).__name__}: {e})") from None
    if linker is not None and (meta.get("linker") or {}).get("features") != FEATURE_NAMES:
        raise InputError(directory, "its linker was trained on other link features than this version computes; "
                                    "retrain it with nlp train")
    return Model(tagger=tagger, linker=linker, linker_without_context=without_context, meta=meta,
                 directory=directory)
