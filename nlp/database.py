"""Writing results a researcher can query: a DuckDB database or a folder of Parquet files.

Tables, keyed so they join (every key is a pair with ``doc_id``, since paragraph
and indicator ids come from the reports):

- ``reports``: ``doc_id``, ``file``, ``sha256``, ``paragraphs``, ``indicators``;
- ``paragraphs``: ``doc_id``, ``id``, ``position``, ``kind``, ``section``, ``text``,
  ``labels`` (a list), ``scores`` (a struct with a field per category);
- ``indicators``: ``doc_id``, ``id``, ``position``, the table's cells (``level1``,
  ``level2``, ``name``, ``target``, ``actual``, ``points``, ``score``),
  ``status``, ``best_confidence`` (of its best link at or above the ``weak``
  cut-off, else null) and ``evidence`` (how many such links);
- ``links``: ``doc_id``, ``indicator`` (an indicator ``id``), ``paragraph`` (a
  paragraph ``id``), ``rank`` (1 for the best), ``confidence``;
- ``findings``: ``doc_id``, ``indicator``, ``code``, ``severity``, ``message``,
  ``cells`` (JSON), written when the audit of indicator tables (``nlp.audit``) is
  installed.

Both need the ``db`` extra (duckdb, pyarrow), imported only when used.
"""
import json
import shutil
import tempfile
from contextlib import contextmanager
from itertools import islice
from pathlib import Path

from .errors import InputError
from .write import atomic_path, check_writable, replace_folder

__all__ = ["DATABASE_FORMATS", "TABLES", "report_rows", "write_tables"]

DATABASE_FORMATS = ("duckdb", "parquet")

_TEXT, _INT, _FLOAT = "string", "int64", "float64"
TABLES = {
    "reports": {"doc_id": _TEXT, "file": _TEXT, "sha256": _TEXT, "paragraphs": _INT, "indicators": _INT},
    "paragraphs": {"doc_id": _TEXT, "id": _TEXT, "position": _INT, "kind": _TEXT, "section": _TEXT, "text": _TEXT,
                   "labels": "labels", "scores": "scores"},
    "indicators": {"doc_id": _TEXT, "id": _TEXT, "position": _INT, "level1": _TEXT, "level2": _TEXT, "name": _TEXT,
                   "target": _TEXT, "actual": _TEXT, "points": _TEXT, "score": _TEXT, "status": _TEXT,
                   "best_confidence": _FLOAT, "evidence": _INT},
    "links": {"doc_id": _TEXT, "indicator": _TEXT, "paragraph": _TEXT, "rank": _INT, "confidence": _FLOAT},
    "findings": {"doc_id": _TEXT, "indicator": _TEXT, "code": _TEXT, "severity": _TEXT, "message": _TEXT,
                 "cells": _TEXT},
}
"""The columns of each table and their types (``labels`` a list of strings, ``scores`` a struct)."""

_BATCH = 200  # reports gathered before their rows go to the database: memory stays bounded


def report_rows(*, doc_id, file, sha256, tags, evidence, indicators, findings=None):
    """The rows one report adds to each table.

    Parameters
    ----------
    doc_id, file, sha256 : str
        The report's document id, its path as found, and the SHA-256 of its bytes.
    tags, evidence : list of dict
        `nlp.annotate.Annotation`'s ``tags`` and ``evidence`` (empty when nothing was linked).
    indicators : list of nlp.records.Indicator
        The indicators linked to, in the order of `evidence`.
    findings : list of dict, optional
        Records ``{doc_id, indicator, code, severity, message, cells}``; None when there is no audit.

    Returns
    -------
    dict
        Table name -> list of row dicts (JSON-serialisable); ``findings`` only when given.
    """
    paragraphs = [{"doc_id": t["doc_id"], "id": t["id"], "position": n, "kind": t["kind"], "section": t["section"],
                   "text": t["text"], "labels": t["labels"], "scores": t["scores"]} for n, t in enumerate(tags, 1)]
    rows, links = [], []
    for n, indicator in enumerate(indicators, 1):
        found = evidence[n - 1] if evidence else {"evidence": [], "status": None}
        rows.append({"doc_id": doc_id, "id": indicator.id, "position": n,
                     **{k: getattr(indicator, k) for k in ("level1", "level2", "name", "target", "actual", "points",
                                                           "score")},
                     "status": found["status"],
                     "best_confidence": found["evidence"][0]["confidence"] if found["evidence"] else None,
                     "evidence": len(found["evidence"])})
        links += [{"doc_id": doc_id, "indicator": indicator.id, "paragraph": link["id"], "rank": rank,
                   "confidence": link["confidence"]} for rank, link in enumerate(found["evidence"], 1)]
    out = {"reports": [{"doc_id": doc_id, "file": file, "sha256": sha256, "paragraphs": len(paragraphs),
                        "indicators": len(rows)}],
           "paragraphs": paragraphs, "indicators": rows, "links": links}
    if findings is not None:
        out["findings"] = [{"doc_id": f.get("doc_id") or doc_id, "indicator": f.get("indicator"), "code": f.get("code"),
                            "severity": f.get("severity"), "message": f.get("message"),
                            "cells": json.dumps(f.get("cells"), ensure_ascii=False)} for f in findings]
    return out


def _schema(table, categories):
    import pyarrow as pa

    types = {_TEXT: pa.string(), _INT: pa.int64(), _FLOAT: pa.float64(), "labels": pa.list_(pa.string()),
             "scores": pa.struct([(c, pa.float64()) for c in categories])}
    return pa.schema([(name, types[kind]) for name, kind in TABLES[table].items()])


def _needs_db_extra(out):
    try:
        import duckdb  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError:
        raise InputError(out, 'writing a database or Parquet files needs the db extra: pip install -e ".[db]"') from None


def write_tables(results, out, *, fmt, categories, findings=False):
    """Write the rows of many reports as a DuckDB database or a folder of Parquet files, atomically.

    Parameters
    ----------
    results : iterable of dict
        `report_rows` of each report; consumed once, a few hundred reports at a time.
    out : str or Path
        ``….duckdb`` (a file) or ``….parquet`` (a folder with one ``TABLE.parquet`` per table).
    fmt : {"duckdb", "parquet"}
    categories : list of str
        The model's categories: the fields of ``paragraphs.scores``.
    findings : bool, default=False
        Write the ``findings`` table too.

    Raises
    ------
    InputError
        The ``db`` extra is missing, or `out` cannot be written.
    """
    _needs_db_extra(out)
    tables = [t for t in TABLES if t != "findings" or findings]
    schemas = {t: _schema(t, categories) for t in tables}
    results = iter(results)
    if fmt == "duckdb":
        with atomic_path(out) as tmp:
            _write_duckdb(results, tmp, schemas)
    else:
        with _atomic_folder(out) as tmp:
            _write_parquet(results, tmp, schemas)


def _batches(results, schemas):
    import pyarrow as pa

    while batch := list(islice(results, _BATCH)):
        yield {t: pa.Table.from_pylist([row for r in batch for row in r.get(t, [])], schema=s)
               for t, s in schemas.items()}


def _write_duckdb(results, path, schemas):
    import duckdb

    path.unlink()  # DuckDB makes its own file; an empty one is not a database
    con = duckdb.connect(str(path))
    try:
        for name, schema in schemas.items():
            empty = schema.empty_table()  # noqa: F841 - read by name in the SQL
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM empty")
        for batch in _batches(results, schemas):
            for name, rows in batch.items():
                con.register("batch", rows)
                con.execute(f"INSERT INTO {name} SELECT * FROM batch")
                con.unregister("batch")
    finally:
        con.close()


def _write_parquet(results, folder, schemas):
    import pyarrow.parquet as pq

    writers = {name: pq.ParquetWriter(folder / f"{name}.parquet", schema) for name, schema in schemas.items()}
    try:
        for batch in _batches(results, schemas):
            for name, rows in batch.items():
                writers[name].write_table(rows)
    finally:
        for writer in writers.values():
            writer.close()


@contextmanager
def _atomic_folder(path):
    """Yield a new folder beside `path`; put it in place of `path` only if the block succeeds.

    An existing `path` is replaced only when it holds nothing but ``.parquet`` files
    (an earlier output), so a folder of the user's is never deleted.
    """
    path = Path(path)
    parent = check_writable(path, folder=True)
    if path.is_file() or (path.is_dir() and any(p.suffix != ".parquet" for p in path.iterdir())):
        raise InputError(path, "cannot write: it exists and is not a folder of Parquet files")
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".part", dir=parent))
    except OSError as e:
        raise InputError(path, f"cannot write: {e.strerror}") from None
    try:
        yield tmp
        tmp.chmod(0o755)
        replace_folder(tmp, path)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
