"""Writing results: jsonl, json, csv or xlsx, to a file atomically or to standard output."""
import csv
import json
import os
import shutil
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

from .errors import InputError

__all__ = ["FORMATS", "TABLE_FORMATS", "atomic_path", "check_writable", "output_format", "replace_folder",
           "write_records"]

FORMATS = ("jsonl", "json", "csv", "xlsx")
TABLE_FORMATS = ("csv", "xlsx")
"""The formats that hold one level of columns."""


def check_writable(path, *, folder=False):
    """The folder `path` goes in, once it is known to exist and `path` is not a folder (unless `folder`).

    Raises
    ------
    InputError
        The folder does not exist, or `path` is a folder where a file is expected.
    """
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(path, f"cannot write: folder {parent} does not exist")
    if path.is_dir() and not folder:
        raise InputError(path, "cannot write: it is a folder; give a file name")
    return parent


@contextmanager
def atomic_path(path):
    """Yield a temporary path beside `path`; move it onto `path` only if the block succeeds.

    A failure leaves an existing file at `path` exactly as it was and no partial file.
    """
    path = Path(path)
    folder = check_writable(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as e:
        raise InputError(path, f"cannot write: {e.strerror}") from None
    os.close(fd)
    # mkstemp makes the file private; give it the mode any new file would get.
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def replace_folder(new, target):
    """Put the folder `new` in place of `target`, whose old contents are removed only once `new` is there.

    `target` is moved aside first and moved back if `new` cannot take its place.
    """
    target = Path(target)
    old = target.with_name(f".old-{target.name}-{os.getpid()}")
    if target.exists():
        target.rename(old)
    try:
        Path(new).rename(target)
    except OSError:
        if old.exists():
            old.rename(target)
        raise
    if old.exists():
        shutil.rmtree(old)


def _flat(record):
    """One level of columns for tables: nested dicts spread as ``key.sub``, lists joined or as JSON."""
    out = {}
    for key, value in record.items():
        if isinstance(value, dict):
            for sub, v in value.items():
                out[f"{key}.{sub}"] = _cell(v)
        else:
            out[key] = _cell(value)
    return out


def _cell(value):
    """A value a table cell can hold: a list of strings joined by |, anything nested as JSON."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "|".join(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _write_stream(records, fmt, f):
    if fmt == "jsonl":
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    elif fmt == "json":
        f.write("[")
        for n, r in enumerate(records):
            f.write(("," if n else "") + "\n" + json.dumps(r, ensure_ascii=False))
        f.write("\n]\n")
    else:
        columns, rows = _table(records)
        writer = csv.DictWriter(f, fieldnames=columns)
        if columns:
            writer.writeheader()
        writer.writerows(rows)


def _table(records):
    """Flat rows and the union of their columns in order of appearance (tables need every column up front)."""
    rows = [_flat(r) for r in records]
    columns = list(dict.fromkeys(key for row in rows for key in row))
    return columns, rows


def output_format(out=None, fmt=None):
    """The format `write_records` writes: `fmt`, else the extension of `out` when it is one of `FORMATS`, else jsonl.

    Examples
    --------
    >>> output_format("tags.CSV"), output_format("tags.txt"), output_format(None, "json")
    ('csv', 'jsonl', 'json')
    """
    if fmt is not None:
        return fmt
    suffix = "" if out is None or str(out) == "-" else Path(out).suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else "jsonl"


def write_records(records, *, out=None, fmt=None):
    """Write an iterable of dicts as `fmt` to `out` (a path) or to standard output.

    Parameters
    ----------
    records : iterable of dict
        Consumed once: jsonl and json are streamed, so a generator keeps memory
        flat; csv and xlsx gather the rows first to know every column.
    out : str or Path, optional
        Output file; written atomically. None or ``-`` for standard output.
    fmt : {"jsonl", "json", "csv", "xlsx"}, optional
        Default: the extension of `out` when it is one of these, else jsonl.

    Raises
    ------
    InputError
        Unknown format, xlsx without a file, or an unwritable path.
    """
    to_stdout = out is None or str(out) == "-"
    fmt = output_format(out, fmt)
    if fmt not in FORMATS:
        raise InputError("--format", f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "xlsx" and to_stdout:
        raise InputError("--format", "xlsx needs an output file: add -o FILE.xlsx")
    if to_stdout:
        _write_stream(records, fmt, sys.stdout)
        sys.stdout.flush()
        return
    if Path(out).exists() and not Path(out).is_file() and not Path(out).is_dir():
        # A device or a pipe (/dev/null, a FIFO): nothing to replace, write straight to it.
        with open(out, "w", encoding="utf-8", newline="") as f:
            _write_stream(records, fmt, f)
        return
    with atomic_path(out) as tmp:
        if fmt == "xlsx":
            _write_xlsx(records, tmp)
        else:
            # A CSV file opens in Excel as UTF-8 only with a byte-order mark.
            with open(tmp, "w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="") as f:
                _write_stream(records, fmt, f)


def _write_xlsx(records, path):
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    columns, rows = _table(records)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("results")
    ws.append(columns)
    for row in rows:
        # A worksheet cannot hold control characters; a text cell loses them.
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in (row.get(c) for c in columns)])
    wb.save(path)
