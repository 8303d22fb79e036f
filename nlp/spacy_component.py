"""The spaCy component: ``activity_classifier`` sets ``doc.cats`` from a trained model."""
from pathlib import Path

from spacy.language import Language

from .model import load_model

__all__ = ["ActivityClassifierComponent", "make_activity_classifier"]


class ActivityClassifierComponent:
    """Sets ``doc.cats`` to the model's calibrated category probabilities.

    Parameters
    ----------
    model_dir : str or None
        Model directory; None for the shipped model.

    Examples
    --------
    >>> import spacy
    >>> nlp = spacy.blank("zh")
    >>> _ = nlp.add_pipe("activity_classifier")
    >>> doc = nlp("召开招商引资推介会，签约项目12个。")
    >>> max(doc.cats, key=doc.cats.get)
    'investment_promotion'
    """

    def __init__(self, model_dir=None):
        self.model_dir = model_dir
        self._model = None

    @property
    def model(self):
        """The model, loaded on first use (so `from_disk` never loads two)."""
        if self._model is None:
            self._model = load_model(self.model_dir)
        return self._model

    def __call__(self, doc):
        proba = self.model.predict_proba([doc.text])[0]
        doc.cats = {c: float(p) for c, p in zip(self.model.categories, proba)}
        return doc

    def pipe(self, stream, batch_size=256):
        batch = []
        for doc in stream:
            batch.append(doc)
            if len(batch) >= batch_size:
                yield from self._batch(batch)
                batch = []
        yield from self._batch(batch)

    def _batch(self, docs):
        if not docs:
            return
        proba = self.model.predict_proba([d.text for d in docs])
        for doc, row in zip(docs, proba):
            doc.cats = {c: float(p) for c, p in zip(self.model.categories, row)}
            yield doc

    def to_disk(self, path, *, exclude=tuple()):
        """Save the model directory inside the pipeline's folder."""
        from .model import save_model

        save_model(self.model, Path(path))

    def from_disk(self, path, *, exclude=tuple()):
        """Load the model saved by `to_disk` (checksums checked)."""
        self._model = load_model(Path(path))
        return self


@Language.factory("activity_classifier", default_config={"model_dir": None})
def make_activity_classifier(nlp, name, model_dir):
    """spaCy factory for `ActivityClassifierComponent` (version 1 of the component)."""
    return ActivityClassifierComponent(model_dir)
