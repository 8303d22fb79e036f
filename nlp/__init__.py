"""Read performance self-evaluation reports of federations of industry and commerce (工商联).

The stages, each in its own module: reading (`nlp.read`) into records
(`nlp.records`), tagging (`nlp.tag`), linking (`nlp.link`), both applied to a
document by `nlp.annotate`, and writing (`nlp.write`); training
(`nlp.train`), evaluation (`nlp.evaluate`) and the model directory (`nlp.model`).
"""
from importlib import import_module

__all__ = ["Block", "Indicator", "InputError", "annotate", "evaluate_model", "load_model", "read_input",
           "train_model"]

_HOME = {"Block": "records", "Indicator": "records", "InputError": "errors", "annotate": "annotate",
         "evaluate_model": "evaluate", "load_model": "model", "read_input": "read", "train_model": "train"}


def __getattr__(name):
    # Imported on first use: `nlp read` and `nlp --help` should not wait for scikit-learn.
    if name in _HOME:
        return getattr(import_module(f".{_HOME[name]}", __name__), name)
    raise AttributeError(f"module 'nlp' has no attribute {name!r}")
