"""Progress on the long runs: a long document (tag, evidence), training's folds and fits; never in the output."""
import json
import re

from nlp.annotate import annotate
from nlp.batch import run_batch
from nlp.corpus import checked_corpus
from nlp.evaluate import cross_validate, link_fold_count, out_of_fold_links
from nlp.link import link_confidences
from nlp.model import load_model
from nlp.records import Block, Indicator
from nlp.train import train_model

TEXTS = ["组织企业结对帮扶贫困村", "召开招商引资推介会签约项目", "举办企业经营管理培训班"]
INDICATORS = [Indicator("k1", "结对帮扶贫困村", target="≥1个"), Indicator("k2", "招商引资签约项目", target="≥5个")]


def _long_report(path, paragraphs=600):
    path.write_text("\n\n".join(f"{TEXTS[n % 3]}第{n}次。" for n in range(paragraphs)) + "\n", encoding="utf-8")
    return path


def _finished(err, desc):
    """The counts a bar named `desc` reached, as (done, total) pairs."""
    return [(int(a), int(b)) for a, b in re.findall(rf"{re.escape(desc)}: *\d+%\|[^|]*\| *(\d+)/(\d+)", err)]


def test_linking_steps_once_per_indicator(tiny_model):
    model = load_model(tiny_model)
    paragraphs = [{"id": f"p{n}", "text": t, "section": ""} for n, t in enumerate(TEXTS)]
    steps = []
    conf = link_confidences(paragraphs, INDICATORS, model=model, step=steps.append)
    assert steps == [1, 1]
    assert (conf == link_confidences(paragraphs, INDICATORS, model=model)).all()


def test_a_long_document_shows_tagging_then_linking(tiny_model, capsys):
    model = load_model(tiny_model)
    blocks = [Block("d", f"d-{n:04d}", "paragraph", "", TEXTS[n % 3]) for n in range(600)]
    quiet = annotate(blocks, model=model, indicators=INDICATORS)
    assert capsys.readouterr().err == ""
    shown = annotate(blocks, model=model, indicators=INDICATORS, progress=True)
    err = capsys.readouterr().err
    assert (600, 600) in _finished(err, "tagging") and (2, 2) in _finished(err, "linking")
    assert shown == quiet
    # A short document shows nothing, even when asked.
    annotate(blocks[:10], model=model, indicators=INDICATORS, progress=True)
    assert capsys.readouterr().err == ""


def test_one_large_file_shows_its_progress_and_several_files_a_bar_of_files(tiny_model, tmp_path, capsys):
    big = _long_report(tmp_path / "big.txt")
    indicators = tmp_path / "indicators.jsonl"
    indicators.write_text("".join(json.dumps({"id": i.id, "name": i.name, "target": i.target}, ensure_ascii=False)
                                  + "\n" for i in INDICATORS), encoding="utf-8")
    run_batch("tag", [str(big)], out=str(tmp_path / "tags.jsonl"), model_dir=str(tiny_model), progress=True)
    err = capsys.readouterr().err
    assert (600, 600) in _finished(err, "tagging") and "file" not in err
    run_batch("evidence", [str(big)], out=str(tmp_path / "evidence.jsonl"), model_dir=str(tiny_model),
              indicator_file=str(indicators), progress=True)
    assert (2, 2) in _finished(capsys.readouterr().err, "linking")
    second = _long_report(tmp_path / "big2.txt")
    run_batch("tag", [str(big), str(second)], out=str(tmp_path / "both.jsonl"), model_dir=str(tiny_model),
              progress=True)
    err = capsys.readouterr().err
    assert re.search(r"2/2 .*file", err) and "tagging" not in err
    # Not asked and not a terminal: nothing on standard error, and the same output.
    run_batch("tag", [str(big)], out=str(tmp_path / "quiet.jsonl"), model_dir=str(tiny_model))
    assert capsys.readouterr().err == ""
    assert (tmp_path / "quiet.jsonl").read_bytes() == (tmp_path / "tags.jsonl").read_bytes()


def test_training_shows_its_folds_and_fits(tiny_corpus, tmp_path, capsys):
    train_model(tiny_corpus, out=tmp_path / "m", folds=3, progress=True)
    err = capsys.readouterr().err
    assert _finished(err, "tagger folds")[-1] == (3, 3)
    done, total = _finished(err, "linker folds")[-1]
    assert done == total > 0
    assert _finished(err, "final fits")[-1] == (3, 3)
    train_model(tiny_corpus, out=tmp_path / "quiet", folds=3)
    assert capsys.readouterr().err == ""


def test_every_link_fold_is_a_step(tiny_corpus):
    corpus = checked_corpus(tiny_corpus, 3)
    _, oof = cross_validate(corpus, folds=3, progress=False)
    examples = oof["links"]
    steps = []
    out_of_fold_links(examples, step=steps.append)
    assert len(steps) == link_fold_count(examples) > 0
