"""Read performance self-evaluation reports of federations of industry and commerce (工商联).

Reading (`nlp.read`), tagging paragraphs with activity categories
(`nlp.tag`; the estimators are in `nlp.classify`), linking paragraphs to indicators (`nlp.link`), training and
evaluating (`nlp.train`) and the model directory (`nlp.model`).
"""
from importlib import import_module

__all__ = ["InputError", "evaluate_model", "find_evidence", "load_model", "read_input", "tag_blocks", "train_model"]

_HOME = {"InputError": "errors", "evaluate_model": "train", "find_evidence": "link", "load_model": "model",
         "read_input": "read", "tag_blocks": "tag", "train_model": "train"}


def __getattr__(name):
    # Imported on first use: `nlp read` and `nlp --help` should not wait for scikit-learn.
    if name in _HOME:
        return getattr(import_module(f".{_HOME[name]}", __name__), name)
    raise AttributeError(f"module 'nlp' has no attribute {name!r}")
