"""Batch runs: many reports from files and folders, on one process, several, or a Dask cluster.

`run_batch` is what ``nlp read``, ``nlp tag`` and ``nlp evidence`` do with
their inputs. Folders are searched recursively for the files the reader knows;
a document id follows the file's path inside the folder given. Each report is
one unit of work, done by `nlp.annotate` in a worker; results come back in input
order and are written as they come. A report that cannot be read is reported
(``on_error``) and listed in ``OUT.errors.jsonl``; the others are still written.
`audit_files` is what ``nlp audit`` does with its inputs, found the same way.

With an output file, ``OUT.done.jsonl`` beside it keeps each finished report's
SHA-256 and results: a rerun into the same output reuses the reports whose
bytes are unchanged, so a growing folder costs only its new files.
"""
import json
import logging
import os
import warnings
from collections import deque
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field, is_dataclass
from functools import partial
from pathlib import Path

from .annotate import annotate, annotate_file, evidence_file, model_for
from .database import DATABASE_FORMATS, report_rows, write_tables
from .errors import InputError
from .progress import progress_bar, wanted
from .link import indicators_of
from .read import READERS, TABLE_SUFFIXES, file_sha256, read_indicator_table, read_input
from .write import FORMATS, TABLE_FORMATS, atomic_path, check_writable, write_records
from .write import output_format as record_format

__all__ = ["Input", "Summary", "audit_files", "find_inputs", "output_format", "run_batch", "shared_document_ids",
           "sidecar"]

COMMANDS = ("read", "tag", "evidence")
_SUFFIXES = (*READERS, *TABLE_SUFFIXES)


@dataclass(frozen=True)
class Input:
    """One file to process.

    Attributes
    ----------
    path : str
        As given, or found in a folder given; ``"-"`` for standard input.
    doc_id : str or None
        The path inside the folder given, without its extension (``county/a/report``);
        None for a file named directly (the reader's default: the file stem).
    """

    path: str
    doc_id: str | None = None


@dataclass
class Summary:
    """How a batch went.

    Attributes
    ----------
    inputs : int
        Files processed (and problems found while looking for them).
    reused : int
        Reports taken unchanged from the previous run into the same output.
    errors : list of InputError
        The files that could not be processed, in input order.
    """

    inputs: int = 0
    reused: int = 0
    errors: list = field(default_factory=list)


def find_inputs(sources, *, exclude=()):
    """The files of `sources`, folders searched recursively, and the problems met on the way.

    Parameters
    ----------
    sources : list of str
        Files, folders, or ``"-"``.
    exclude : collection of Path
        Files never taken from a folder (the run's own output files).

    Returns
    -------
    inputs : list of Input
        In the order given; a folder's files sorted by path. Hidden files and folders
        (``.name``) and Office lock files (``~$name``) are passed over.
    problems : list of InputError
        Folders with no file of a known type.

    Two inputs that get the same document id (their paragraph ids would coincide) are named in a warning.

    Examples
    --------
    >>> find_inputs(["-"])
    ([Input(path='-', doc_id=None)], [])
    """
    excluded = {Path(p).resolve() for p in exclude}
    inputs, problems = [], []
    for source in sources:
        folder = Path(source)
        if source == "-" or not folder.is_dir():
            inputs.append(Input(str(source)))
            continue
        found = [p for p in sorted(folder.rglob("*"))
                 if p.suffix.lower() in _SUFFIXES and p.is_file() and p.resolve() not in excluded
                 and not any(part.startswith((".", "~$")) for part in p.relative_to(folder).parts)]
        if not found:
            problems.append(InputError(source, f"no reports found in the folder (looked for {', '.join(_SUFFIXES)})"))
        inputs += [Input(str(p), p.relative_to(folder).with_suffix("").as_posix()) for p in found]
    for first, second, doc_id in shared_document_ids(inputs):
        warnings.warn(f"{first} and {second} both get document id {doc_id!r}; their paragraph ids coincide")
    return inputs, problems


def audit_files(sources, *, evidence=False, model_dir=None, exclude=()):
    """Audit each input in turn (`nlp.audit.audit`).

    Parameters
    ----------
    sources : list of str
        Files and folders, searched as by `find_inputs`.
    evidence : bool, default=False
        Also run the linker (`nlp.annotate.annotate`) and flag full marks on unsupported indicators.
    model_dir : str, optional
        The model for `evidence`; default: the shipped one.
    exclude : collection of path-like
        Files never taken from a folder (the run's own output).

    Yields
    ------
    source : str
    result : list of Finding, None or InputError
        The findings; None when the input has no indicator table; the error when it cannot be read,
        or a folder holds no report (handed back, so that the other inputs are still audited).
    """
    from .audit import audit

    inputs, problems = find_inputs(sources, exclude=exclude)
    for problem in problems:
        yield problem.source, problem
    for item in inputs:
        try:
            blocks = read_input(item.path, doc_id=item.doc_id)
        except InputError as e:
            yield item.path, e
            continue
        if not any(b.kind == "indicator" for b in blocks):
            yield item.path, None
            continue
        links = None
        if evidence:
            links = annotate(blocks, model=model_for(model_dir)).evidence
        yield item.path, audit(blocks, evidence=links)


def shared_document_ids(inputs):
    """Pairs of inputs that get the same document id (their paragraph ids coincide)."""
    seen, shared = {}, []
    for item in inputs:
        if item.path == "-":
            continue
        doc_id = item.doc_id or Path(item.path).stem
        if doc_id in seen and seen[doc_id] != item.path:
            shared.append((seen[doc_id], item.path, doc_id))
        seen.setdefault(doc_id, item.path)
    return shared


def output_format(out, fmt):
    """The format to write: `fmt`, else the extension of `out` (``.duckdb``, ``.parquet`` or a record format)."""
    if fmt is None and out not in (None, "-") and Path(out).suffix.lower().lstrip(".") in DATABASE_FORMATS:
        return Path(out).suffix.lower().lstrip(".")
    return fmt


def sidecar(out, kind):
    """The file beside `out` that lists this run's errors (``kind="errors"``) or finished reports (``"done"``)."""
    out = Path(out)
    return out.with_name(f"{out.stem}.{kind}.jsonl")


# The work of one input. Module-level functions, so that worker processes and Dask
# workers import them by name; the model comes from `model_for`, loaded once per worker.

def _read(item, options):
    return [b.to_dict() for b in read_input(item.path, doc_id=item.doc_id, ocr=options.get("ocr"))]


def _tag(item, options):
    return annotate_file(item.path, doc_id=item.doc_id, **options).tags


def _evidence(item, options):
    return evidence_file(item.path, doc_id=item.doc_id, **options)


def _tables(item, options, sha256):
    options = {k: v for k, v in options.items() if k not in ("explain", "flat")}  # no explanations in the database
    model = model_for(options.pop("model_dir"))
    blocks = read_input(item.path, doc_id=item.doc_id, ocr=options.pop("ocr", None))
    indicators = options.pop("indicators")
    indicators = indicators_of(blocks) if indicators is None else indicators
    annotation = annotate(blocks, model=model, indicators=indicators, **options)
    return report_rows(doc_id=blocks[0].doc_id if blocks else item.doc_id, file=item.path, sha256=sha256,
                       tags=annotation.tags, evidence=annotation.evidence, indicators=indicators,
                       findings=_findings(blocks))


def _audit():
    """The audit of indicator tables (`nlp.audit`), or None where it is not installed."""
    try:
        from . import audit
    except ImportError:
        return None
    return audit


def _findings(blocks):
    """The audit's findings on a report's indicator table as records, or None without the audit."""
    audit = _audit()
    if audit is None:
        return None
    return [f if isinstance(f, dict) else f.to_dict() for f in audit.audit(blocks)]


_TASKS = {"read": _read, "tag": _tag, "evidence": _evidence}


def _attempt(task, options, job):
    item, sha256 = job
    try:
        return task(item, options, sha256) if task is _tables else task(item, options)
    except InputError as e:
        # Handed back as a value: a raise inside a pool or a Dask worker would be logged there too.
        return e


# Executors: each takes the jobs still to do and yields their results in the same order.

def _serial(jobs, work):
    yield from map(work, jobs)


def _processes(jobs, work, n):
    import multiprocessing

    # Forked workers share the model and jieba's dictionary, loaded before the fork;
    # imap hands results back in order as they come, a file at a time.
    with multiprocessing.get_context("fork").Pool(n) as pool:
        yield from pool.imap(work, jobs, chunksize=1)


def _dask(jobs, work, scheduler, workers):
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError("--scheduler", 'running on a Dask cluster needs the dask extra: pip install -e ".[dask]"') \
            from None
    with ExitStack() as stack:
        if scheduler == "local":
            scheduler = stack.enter_context(LocalCluster(
                n_workers=workers or os.cpu_count(), threads_per_worker=1, processes=True, host="127.0.0.1",
                dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR))
        try:
            client = stack.enter_context(Client(scheduler, timeout="10s"))
        except (OSError, TimeoutError, ValueError) as e:
            raise InputError("--scheduler", f"cannot reach the Dask scheduler at {scheduler} ({e})") from None
        # A few tasks per worker thread in flight: the client never holds more results than that.
        window = 2 * max(1, sum(client.nthreads().values()))
        pending = deque()
        for job in jobs:
            pending.append(client.submit(work, job, pure=False))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


class _Done:
    """The previous run's finished reports (``OUT.done.jsonl``), read one at a time when reused.

    The first line holds the run's settings (command, model, options); a later run with
    other settings reuses nothing. Each further line: ``path``, ``sha256``, ``result``.
    """

    def __init__(self, path, settings):
        self.path, self.settings, self.offsets = Path(path), settings, {}
        if not self.path.is_file():
            return
        with open(self.path, "rb") as f:
            try:
                if json.loads(f.readline()) != settings:
                    return
            except ValueError:
                return
            offset = f.tell()
            for line in iter(f.readline, b""):
                try:
                    entry = json.loads(line)
                    self.offsets[(entry["path"], entry["sha256"])] = offset
                except (ValueError, KeyError):
                    pass  # a line cut short: that report is done again
                offset = f.tell()

    def get(self, item, sha256):
        offset = self.offsets.get((item.path, sha256))
        if offset is None:
            return None
        with open(self.path, "rb") as f:
            f.seek(offset)
            return json.loads(f.readline())["result"]


def _settings(command, options, model, indicator_file, tables):
    described = {k: asdict(v) if is_dataclass(v) else v for k, v in options.items()
                 if k not in ("model_dir", "indicators", "progress")}
    return {"command": "tables" if tables else command, "options": described,
            "model": model.meta.get("checksum") if model else None,
            "indicators": file_sha256(indicator_file) if indicator_file else None}


def run_batch(command, sources, *, out=None, fmt=None, jobs=1, scheduler=None, workers=None, model_dir=None,
              indicator_file=None, on_error=None, progress=None, **options):
    """Run ``read``, ``tag`` or ``evidence`` over files and folders and write the results.

    Parameters
    ----------
    command : {"read", "tag", "evidence"}
    sources : list of str
        Files, folders (searched recursively) or ``"-"``.
    out : str, optional
        Output file (standard output when None or ``-``); ``….duckdb`` or ``….parquet``
        writes the database of `nlp.database` (``tag`` and ``evidence``).
    fmt : str, optional
        As for `nlp.write.write_records`, or ``duckdb``/``parquet``.
    jobs : int, default=1
        Processes on this machine.
    scheduler : str, optional
        Address of a running ``dask.distributed`` scheduler, or ``"local"`` to start a
        cluster of `workers` processes on this machine (default: one per core). The
        workers must see the input files and the model directory at the same paths.
    model_dir : str, optional
    indicator_file : str, optional
        Indicators to link to (default: each report's own table).
    on_error : callable, optional
        Called with each `InputError` as it happens (the run goes on).
    progress : bool, optional
        Progress on standard error (default: when it is a terminal): with several inputs, a bar of
        files; with one report to do here, the bars of a long document (`nlp.annotate.annotate`).
    **options
        ``explain``, ``all_blocks`` (tag), ``top_k``, ``min_confidence`` (evidence, database). ``evidence``
        written as csv or xlsx gives one row per link (`nlp.annotate.evidence_file` with ``flat``).

    Returns
    -------
    Summary

    Raises
    ------
    InputError
        A problem with the run as a whole: the model, the indicator file, the output, the scheduler.
    """
    fmt = output_format(out, fmt)
    tables = fmt in DATABASE_FORMATS
    if tables and command == "read":
        raise InputError(out, "nlp read writes jsonl, json, csv or xlsx; a database comes from nlp tag or nlp evidence")
    if fmt is not None and fmt not in FORMATS + DATABASE_FORMATS:
        raise InputError("--format", f"unknown format {fmt!r}; choose one of {', '.join(FORMATS + DATABASE_FORMATS)}")
    if tables and out in (None, "-"):
        raise InputError("--format", f"{fmt} needs an output: add -o FILE.{fmt}")
    to_file = out not in (None, "-")
    if to_file and Path(out).exists() and not Path(out).is_file() and not Path(out).is_dir():
        to_file = False  # a device or a pipe (/dev/null): written straight to, with nothing beside it
    if to_file:
        check_writable(out, folder=fmt == "parquet")  # before any work, not after it
    own_files = [out, sidecar(out, "errors"), sidecar(out, "done")] if to_file else []
    inputs, problems = find_inputs(sources, exclude=own_files)
    model = None if command == "read" else model_for(model_dir)  # a bad model is reported once, before any work
    if command == "evidence" and not tables:
        options.update(model_dir=model_dir, indicator_file=indicator_file,
                       flat=record_format(out, fmt) in TABLE_FORMATS)
    elif command != "read":
        options.update(model_dir=model_dir,
                       indicators=read_indicator_table(indicator_file) if indicator_file else None)
    done = _Done(sidecar(out, "done"), _settings(command, options, model, indicator_file, tables)) if to_file \
        else None
    summary = Summary(inputs=len(inputs) + len(problems))
    for problem in problems:
        summary.errors.append(problem)
        if on_error:
            on_error(problem)

    # Hash every input first: the ones already done are not sent anywhere.
    plan = []
    for item in inputs:
        try:
            sha256 = file_sha256(item.path) if item.path != "-" and Path(item.path).is_file() else None
        except OSError:
            sha256 = None  # unreadable: the reader says why
        plan.append((item, sha256, done.get(item, sha256) if done and sha256 else None))
    todo = [(item, sha256) for item, sha256, result in plan if result is None]
    show = wanted(progress) and len(plan) > 1
    if command != "read":
        options["progress"] = wanted(progress) and not show and len(todo) == 1 and not scheduler
    work = partial(_attempt, _tables if tables else _TASKS[command], options)
    if model is not None and (jobs > 1 or scheduler):
        model.tokenizer("")  # jieba's dictionary loaded once, before workers fork
    if scheduler:
        computed = _dask(todo, work, scheduler, workers)
    elif jobs > 1 and len(todo) > 1:
        computed = _processes(todo, work, jobs)
    else:
        computed = _serial(todo, work)

    def results(done_file):
        good = 0
        for item, sha256, result in progress_bar(plan, show=show, unit="file"):
            if result is None:
                result = next(computed)
            else:
                summary.reused += 1
            if isinstance(result, InputError):
                summary.errors.append(result)
                if on_error:
                    on_error(result)
                continue
            if done_file and sha256:
                done_file.write(json.dumps({"path": item.path, "sha256": sha256, "result": result},
                                           ensure_ascii=False) + "\n")
            good += 1
            yield result
        if summary.errors and not good:
            raise _NothingDone  # not one good input: an existing output stays as it was

    try:
        _write(results, out, fmt, tables, done, model)
    except _NothingDone:
        return summary
    if to_file:
        _write_errors(sidecar(out, "errors"), summary.errors)
    return summary


class _NothingDone(Exception):
    """Every input failed: nothing is written."""


def _write(results, out, fmt, tables, done, model):
    """Write the results atomically, and the done file beside them when there is an output file."""
    with ExitStack() as stack:
        done_file = None
        if done is not None:
            done_path = stack.enter_context(atomic_path(sidecar(out, "done")))
            done_file = stack.enter_context(open(done_path, "w", encoding="utf-8"))
            done_file.write(json.dumps(done.settings, ensure_ascii=False) + "\n")
        if tables:
            write_tables(results(done_file), out, fmt=fmt, categories=model.categories,
                         findings=_audit() is not None)
        else:
            write_records((row for rows in results(done_file) for row in rows), out=out, fmt=fmt)
        if done_file:
            done_file.close()


def _write_errors(path, errors):
    """List the run's errors beside the output; a run without errors removes an old list."""
    if not errors:
        path.unlink(missing_ok=True)
        return
    write_records(({"file": e.source, "problem": e.problem} for e in errors), out=path, fmt="jsonl")
