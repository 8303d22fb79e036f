"""Read performance self-evaluation reports of federations of industry and commerce (工商联).

Reading (`nlp.read`), tagging paragraphs with activity categories
(`nlp.classify`), linking paragraphs to indicators (`nlp.link`), training and
evaluating (`nlp.train`) and the model directory (`nlp.model`).
"""
from .classify import tag_blocks
from .errors import InputError
from .link import find_evidence
from .model import load_model
from .read import read_input
from .train import evaluate_model, train_model

__all__ = ["InputError", "evaluate_model", "find_evidence", "load_model", "read_input", "tag_blocks", "train_model"]
