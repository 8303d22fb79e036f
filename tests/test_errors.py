"""Every input problem: exit 2, one line on stderr naming the file, nothing lost."""
import json
import os
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlp.cli import main
from nlp.annotate import annotate
from nlp.model import load_model
from nlp.read import read_text


def run(capsys, *args):
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err


def _pdf_without_text(path):
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path))
    c.rect(100, 100, 200, 200, fill=1)
    c.save()


CASES = {
    "missing.txt": (None, "no such file"),
    "folder.txt": ("dir", "no reports found in the folder"),  # a folder is searched; this one is empty
    "empty.txt": (b"", "empty"),
    "blank.txt": (b"  \n\t\n ", "empty"),
    "binary.txt": (bytes(range(256)) * 8, "not a text file"),
    "report.rtf": (b"{\\rtf1 text}", "unknown file type"),
    "corrupt.docx": (b"PK\x03\x04 not really a zip", "not a valid .docx"),
    "corrupt.pdf": (b"%PDF-1.4 broken", "not a valid PDF"),
    "scan.pdf": ("scan", 'no text layer (a scanned image?); to read it by OCR, install the extra: pip install -e ".[ocr]"'),
    "notext.csv": ("id,body\n1,召开会议\n".encode(), "'text' column"),
    "badline.jsonl": ('{"id": "1", "text": "召开会议"}\n{"id": 2,\n'.encode(), "line 2"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_report_or_table(tmp_path, capsys, tiny_model, name, monkeypatch):
    content, message = CASES[name]
    path = tmp_path / name
    if content == "dir":
        path.mkdir()
    elif content == "scan":
        _pdf_without_text(path)
        monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)  # as without the ocr extra
    elif content is not None:
        path.write_bytes(content)
    for command in (["read", str(path)], ["tag", str(path), "--model", str(tiny_model)]):
        code, out, err = run(capsys, *command)
        assert code == 2, err
        assert out == ""
        lines = err.strip().splitlines()
        assert len(lines) == 1 and name in lines[0] and message in lines[0], err
        assert "Traceback" not in err


@pytest.mark.parametrize("content, message", [
    ("id,target\nk1,≥2次\n", "'name' column"),
    ('{"id": "k1", "name": "培训"\n', "line 1"),
])
def test_bad_indicator_file(tmp_path, capsys, tiny_model, content, message):
    table = tmp_path / "p.jsonl"
    table.write_text('{"id": "p1", "text": "举办培训班2期"}\n', encoding="utf-8")
    bad = tmp_path / ("inds.csv" if content.startswith("id,") else "inds.jsonl")
    bad.write_text(content, encoding="utf-8")
    for command in ("tag", "evidence"):
        code, out, err = run(capsys, command, str(table), "--indicators", str(bad), "--model", str(tiny_model))
        assert code == 2 and bad.name in err and message in err and len(err.strip().splitlines()) == 1, err


def test_unwritable_output(tmp_path, capsys, tiny_model):
    table = tmp_path / "p.jsonl"
    table.write_text('{"id": "p1", "text": "举办培训班2期"}\n', encoding="utf-8")
    target = tmp_path / "no" / "such" / "folder" / "out.jsonl"
    code, _, err = run(capsys, "tag", str(table), "--model", str(tiny_model), "-o", str(target))
    assert code == 2 and "out.jsonl" in err and len(err.strip().splitlines()) == 1


def _corpus(folder, rows, categories=None):
    folder.mkdir()
    (folder / "paragraphs.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                                             encoding="utf-8")
    if categories is not None:
        (folder / "categories.txt").write_bytes(categories)
    return folder


@pytest.mark.parametrize("command", [["validate"], ["train", "--out", "MODEL"]])
@pytest.mark.parametrize("rows, categories, name, message", [
    ([{"id": "1", "doc_id": "d", "text": None, "labels": ["x"]}], None, "c", "empty text"),
    ([{"id": "1", "doc_id": "d", "text": "召开会议", "labels": ["x"]}], "扶贫\n".encode("gbk"), "categories.txt",
     "not UTF-8"),
])
def test_bad_corpus(tmp_path, capsys, command, rows, categories, name, message):
    folder = _corpus(tmp_path / "c", rows, categories)
    code, _, err = run(capsys, command[0], str(folder), *[str(tmp_path / a) if a == "MODEL" else a for a in command[1:]])
    assert code == 2 and name in err and message in err, err
    assert not (tmp_path / "MODEL").exists()


def test_a_model_that_cannot_be_saved_is_refused_before_training(tmp_path, capsys, tiny_corpus, monkeypatch):
    import nlp.train

    (tmp_path / "plain").write_text("a file, not a folder")
    monkeypatch.setattr(nlp.train, "cross_validate", lambda *a, **k: pytest.fail("trained before checking --out"))
    code, _, err = run(capsys, "train", str(tiny_corpus), "--out", str(tmp_path / "plain" / "m"))
    assert code == 2 and "plain/m" in err and "cannot write a model there" in err


def test_plot_to_a_missing_folder_is_refused_before_scoring(tmp_path, capsys, tiny_model, tiny_corpus, monkeypatch):
    import nlp.evaluate

    monkeypatch.setattr(nlp.evaluate, "cross_validate", lambda *a, **k: pytest.fail("scored before checking --plot"))
    code, _, err = run(capsys, "evaluate", str(tiny_corpus), "--model", str(tiny_model),
                       "--plot", str(tmp_path / "no" / "r.png"))
    assert code == 2 and "r.png: its folder does not exist" in err


def test_no_command_prints_the_help(capsys):
    code, out, err = run(capsys)
    assert code == 0 and out.startswith("Usage: nlp") and "evidence" in out and err == ""


def test_unknown_format(tmp_path, capsys):
    code, _, err = run(capsys, "read", "x.txt", "--format", "yaml")
    assert code == 2 and "yaml" in err and len(err.strip().splitlines()) == 1


def test_tampered_model_through_the_cli(tmp_path, capsys, tiny_model):
    import shutil

    model = tmp_path / "m"
    shutil.copytree(tiny_model, model)
    (model / "words.json").write_text('{"vocabulary": []}')
    table = tmp_path / "p.jsonl"
    table.write_text('{"id": "p1", "text": "举办培训班2期"}\n', encoding="utf-8")
    code, _, err = run(capsys, "tag", str(table), "--model", str(model))
    assert code == 2 and "words.json" in err and "checksum" in err and len(err.strip().splitlines()) == 1


def test_failed_write_keeps_the_old_output(tmp_path, capsys, tiny_model):
    out = tmp_path / "out.jsonl"
    out.write_text("previous results\n", encoding="utf-8")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "p1", "text": "ok"}\n{oops\n', encoding="utf-8")
    code, _, _ = run(capsys, "tag", str(bad), "--model", str(tiny_model), "-o", str(out))
    assert code == 2
    assert out.read_text(encoding="utf-8") == "previous results\n"
    assert set(os.listdir(tmp_path)) == {"out.jsonl", "bad.jsonl"}  # no partial file left


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=400))
def test_read_and_tag_never_crash_on_text(tiny_model, text):
    blocks = read_text(text, doc_id="t") if text.strip() else []
    model = load_model(tiny_model)
    rows = annotate(blocks, model=model).tags
    assert all(r["labels"] for r in rows)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=600), suffix=st.sampled_from([".txt", ".docx", ".pdf", ".jsonl", ".csv", ".xlsx"]))
def test_arbitrary_bytes_give_exit_0_or_2(tmp_path_factory, capsys, tiny_model, data, suffix):
    path = tmp_path_factory.mktemp("bytes") / f"input{suffix}"
    path.write_bytes(data)
    with pytest.raises(SystemExit) as exit_info:
        main(["tag", str(path), "--model", str(tiny_model)])
    err = capsys.readouterr().err
    assert exit_info.value.code in (0, 2), err
    if exit_info.value.code == 2:
        assert len(err.strip().splitlines()) == 1 and "input" in err


@pytest.mark.slow
def test_large_inputs_are_tagged_whole(tmp_path):
    """A 100,000-row paragraph table and a 5 MB report go through (time and memory: benchmarks/README.md)."""
    import subprocess
    import sys

    from conftest import ROOT

    table = tmp_path / "rows.jsonl"
    with open(table, "w", encoding="utf-8") as f:
        for n in range(100_000):
            f.write(json.dumps({"id": f"p{n}", "text": f"组织会员企业开展结对帮扶，捐赠资金{n}元。"}, ensure_ascii=False) + "\n")
    narrative = [json.loads(line)["text"] for line in open(ROOT / "corpus" / "paragraphs.jsonl", encoding="utf-8")]
    report = tmp_path / "report.txt"
    report.write_text("\n\n".join(narrative * 18), encoding="utf-8")
    assert report.stat().st_size > 5_000_000
    for source, expected in ((table, 100_000), (report, None)):
        out = tmp_path / "out.jsonl"
        r = subprocess.run([sys.executable, "-m", "nlp", "tag", str(source), "-o", str(out)], capture_output=True,
                           timeout=600)
        assert r.returncode == 0, r.stderr
        lines = out.read_text(encoding="utf-8").count("\n")
        assert lines == expected if expected else lines > 10_000
