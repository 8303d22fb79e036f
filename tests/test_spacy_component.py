import pytest

spacy = pytest.importorskip("spacy")


def test_component_sets_cats_from_the_model(tiny_model, tmp_path):
    from nlp.model import load_model

    nlp = spacy.blank("zh")
    nlp.add_pipe("activity_classifier", config={"model_dir": str(tiny_model)})
    doc = nlp("召开招商引资推介会，签约项目")
    model = load_model(tiny_model)
    expected = model.predict_proba([doc.text])[0]
    assert list(doc.cats) == model.categories
    assert [doc.cats[c] for c in model.categories] == pytest.approx(list(expected))
    assert max(doc.cats, key=doc.cats.get) == "investment_promotion"

    docs = list(nlp.pipe(["走访企业解决融资难题", "组织企业结对帮扶贫困村"]))
    assert [max(d.cats, key=d.cats.get) for d in docs] == ["enterprise_services", "poverty_alleviation"]

    nlp.to_disk(tmp_path / "pipeline")
    again = spacy.load(tmp_path / "pipeline")
    assert again("召开招商引资推介会，签约项目").cats == pytest.approx(doc.cats)


def test_factory_is_registered_by_entry_point():
    from importlib.metadata import entry_points

    (point,) = [e for e in entry_points(group="spacy_factories") if e.name == "activity_classifier"]
    assert point.value == "nlp.spacy_component:make_activity_classifier"
    assert callable(point.load())
