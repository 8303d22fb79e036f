import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from conftest import TINY, tiny_rows, write_corpus
from nlp.errors import InputError
from nlp.model import InconsistentVersionWarning, load_model, save_model
from nlp.train import train_model

TEXTS = ["组织会员企业到贫困村开展结对帮扶", "召开招商引资推介会签约项目", "走访企业解决融资难题"]


def _snapshot(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_train_save_load_same_predictions(tiny_corpus, tmp_path):
    model = train_model(tiny_corpus, out=tmp_path / "m")
    again = load_model(tmp_path / "m")
    np.testing.assert_allclose(model.predict_proba(TEXTS), again.predict_proba(TEXTS))
    assert again.labels(again.predict_proba(TEXTS)) == model.labels(model.predict_proba(TEXTS))
    meta = again.meta
    assert set(meta["categories"]) == set(TINY) - {"other"}
    assert {"thresholds", "versions", "corpus", "trained", "cross_validated", "files"} <= set(meta)
    assert len(meta["corpus"]["sha256"]) == 64


def test_every_text_gets_a_label(tiny_model):
    model = load_model(tiny_model)
    for labels in model.labels(model.predict_proba(TEXTS + ["今天天气很好"])):
        assert labels


def test_new_category_is_learned_without_code_change(tmp_path):
    culture = ["举办民营企业文化节展演", "组织企业文化建设交流活动", "开展企业文化品牌评选", "举办商会文艺晚会",
               "编印企业文化读本", "组织企业家书画摄影展", "开展企业文化讲座", "举办商会运动会丰富文化生活"]
    folder = write_corpus(tmp_path / "c", tiny_rows(dict(TINY, culture=culture)))
    model = train_model(folder, out=tmp_path / "m")
    assert "culture" in model.categories
    proba = load_model(tmp_path / "m").predict_proba(["举办企业文化节展演活动"])
    assert model.categories[int(np.argmax(proba[0]))] == "culture"


def test_failed_training_leaves_the_old_model_byte_for_byte(tiny_model, tmp_path):
    out = tmp_path / "m"
    shutil.copytree(tiny_model, out)
    before = _snapshot(out)
    unlabelled = write_corpus(tmp_path / "bad", [dict(r, labels=[]) for r in tiny_rows()])
    with pytest.raises(InputError, match="no labels"):
        train_model(unlabelled, out=out)
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad", "m"]  # no temporary folder left


def test_tampered_model_is_refused(tiny_model, tmp_path):
    out = tmp_path / "m"
    shutil.copytree(tiny_model, out)
    with open(out / "weights.npz", "ab") as f:
        f.write(b"\0")
    with pytest.raises(InputError, match="checksum does not match"):
        load_model(out)


@pytest.mark.parametrize("setup, message", [
    (lambda d: None, "no such model directory"),
    (lambda d: d.mkdir(), "no readable meta.json"),
    (lambda d: (d.mkdir(), (d / "meta.json").write_text('{"format": "other"}')), "not a model of format"),
])
def test_foreign_directories_are_refused(tmp_path, setup, message):
    folder = tmp_path / "m"
    setup(folder)
    with pytest.raises(InputError, match=message):
        load_model(folder)


def _resaved(tiny_model, out, change):
    """A copy of the tiny model with its meta changed by `change` and saved the proper way."""
    model = load_model(tiny_model)
    change(model.meta)
    save_model(model, out)
    return out


def test_a_linker_of_other_features_is_refused(tiny_model, tmp_path):
    out = _resaved(tiny_model, tmp_path / "m", lambda meta: meta["linker"].update(features=["other"]))
    with pytest.raises(InputError, match="other link features than this version computes; retrain"):
        load_model(out)


def test_edited_meta_is_refused(tiny_model, tmp_path):
    out = tmp_path / "m"
    shutil.copytree(tiny_model, out)
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    meta["categories"].reverse()
    (out / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(InputError, match="meta.json: checksum does not match"):
        load_model(out)


def test_other_library_versions_warn_once(tiny_model, tmp_path):
    out = _resaved(tiny_model, tmp_path / "m", lambda meta: meta["versions"].update({"scikit-learn": "0.1"}))
    with pytest.warns(InconsistentVersionWarning, match="other library versions") as caught:
        load_model(out)
    assert len(caught) == 1


def test_other_library_versions_warn_on_one_line_from_the_command_line(tiny_model, tmp_path):
    out = _resaved(tiny_model, tmp_path / "m", lambda meta: meta["versions"].update({"scikit-learn": "0.1"}))
    report = tmp_path / "r.txt"
    report.write_text("组织企业开展结对帮扶。", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "nlp", "tag", str(report), "--model", str(out)],
                          capture_output=True, text=True)
    assert done.returncode == 0
    assert done.stderr.splitlines() == [f"warning: {out}: trained with other library versions "
                                        "(scikit-learn 0.1 -> " + done.stderr.split("-> ")[1].split(")")[0] + "); "
                                        "retrain if results look wrong"]


def test_save_replaces_an_existing_model(tiny_model, tmp_path):
    out = tmp_path / "m"
    shutil.copytree(tiny_model, out)
    (out / "stale.txt").write_text("old")
    save_model(load_model(tiny_model), out)
    assert sorted(p.name for p in out.iterdir()) == ["meta.json", "weights.npz", "words.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


def test_save_never_deletes_a_folder_that_is_not_a_model(tiny_model, tmp_path):
    out = tmp_path / "thesis"
    out.mkdir()
    (out / "chapter1.txt").write_text("keep")
    with pytest.raises(InputError, match="not a model directory"):
        save_model(load_model(tiny_model), out)
    assert (out / "chapter1.txt").read_text() == "keep"


def test_failed_save_leaves_the_old_model(tiny_model, tmp_path, monkeypatch):
    out = tmp_path / "m"
    shutil.copytree(tiny_model, out)
    before = _snapshot(out)
    model = load_model(tiny_model)

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", fail)
    with pytest.raises(OSError, match="disk full"):
        save_model(model, out)
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]
