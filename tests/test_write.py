import json

import pytest

from nlp.errors import InputError
from nlp.write import write_records

ROWS = [{"id": "a", "scores": {"x": 0.5}}, {"id": "b", "scores": {"x": 0.1}, "links": [{"indicator": "k"}]}]


def test_tables_get_every_column(tmp_path):
    out = tmp_path / "t.csv"
    write_records(iter(ROWS), out=out, fmt="csv")
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # a byte-order mark, for Excel
    header, first, second = out.read_text(encoding="utf-8-sig").splitlines()
    assert header == "id,scores.x,links"
    assert second.startswith("b,0.1,")


def test_a_pipe_is_written_to_not_replaced(tmp_path):
    # A named pipe stands for any special file (a device, /dev/stdout): written to, never swapped for a file.
    import os
    import stat
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    write_records(iter(ROWS), out=fifo, fmt="jsonl")
    reader.join(timeout=10)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert [json.loads(line)["id"] for line in received[0].decode().splitlines()] == ["a", "b"]


def test_the_format_follows_the_file_extension(tmp_path):
    write_records(iter(ROWS), out=tmp_path / "t.csv")
    write_records(iter(ROWS), out=tmp_path / "t.xlsx")
    write_records(iter(ROWS), out=tmp_path / "t.txt")
    assert (tmp_path / "t.csv").read_text(encoding="utf-8-sig").startswith("id,scores.x")
    assert (tmp_path / "t.xlsx").read_bytes()[:2] == b"PK"
    assert json.loads((tmp_path / "t.txt").read_text(encoding="utf-8").splitlines()[0])["id"] == "a"


def test_control_characters_are_left_out_of_a_worksheet(tmp_path):
    import openpyxl

    write_records(iter([{"id": "a", "text": "有\x01控制字符"}]), out=tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx").active
    assert [c.value for c in sheet[2]] == ["a", "有控制字符"]


def test_new_files_get_the_usual_mode(tmp_path):
    import os

    out = tmp_path / "t.jsonl"
    write_records(iter(ROWS), out=out)
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask
    assert [json.loads(line)["id"] for line in out.read_text().splitlines()] == ["a", "b"]


def test_failure_midway_keeps_the_old_file(tmp_path):
    out = tmp_path / "t.jsonl"
    out.write_text("old\n")

    def rows():
        yield ROWS[0]
        raise InputError("input.txt", "broken halfway")

    with pytest.raises(InputError):
        write_records(rows(), out=out)
    assert out.read_text() == "old\n" and [p.name for p in tmp_path.iterdir()] == ["t.jsonl"]


def test_lists_inside_nested_values_fit_a_worksheet(tmp_path):
    import openpyxl

    rows = [{"id": "a", "explain": {"x": ["培训", "走访"]}, "links": [{"indicator": "k", "confidence": 0.5}]}]
    write_records(iter(rows), out=tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx").active
    assert [c.value for c in sheet[1]] == ["id", "explain.x", "links"]
    assert [c.value for c in sheet[2]] == ["a", "培训|走访", '[{"indicator": "k", "confidence": 0.5}]']
