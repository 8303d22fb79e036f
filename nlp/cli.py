"""The command line: each command parses its arguments and calls one library function."""
import json
import os
import sys
import warnings

import click

from .errors import InputError
from .database import DATABASE_FORMATS
from .ocr import OCR_MODES, OcrSettings
from .write import FORMATS, write_records

__all__ = ["main"]

_format = click.option("--format", "fmt", type=click.Choice(FORMATS + DATABASE_FORMATS), default=None,
                       help="Output format: jsonl (default), json, csv, xlsx, duckdb or parquet (these three need "
                            "-o); with -o and no --format, the file's extension decides.")
_out = click.option("-o", "--out", default=None,
                    help="Output file (default: standard output); OUT.errors.jsonl beside it lists bad files, "
                         "OUT.done.jsonl the reports done, reused by a rerun.")
_model = click.option("--model", "model_dir", default=None, help="Model directory (default: the shipped model).")


def _ocr(command):
    """The options that say how scanned PDF pages are read, passed on as ``ocr``."""
    command = click.option("--ocr-timeout", default=120.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
                           help="Seconds OCR may spend on one page; a page over it is left out with a warning.")(command)
    return click.option("--ocr", "ocr_mode", type=click.Choice(OCR_MODES), default="auto", show_default=True,
                        help="Read PDF pages by OCR: auto (pages without a text layer), always, never.")(command)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli():
    """Read performance self-evaluation reports: blocks, activity tags, indicator evidence."""


def _batch(function):
    """The options of commands that take many reports: parallel processes or a Dask cluster."""
    function = click.option("--scheduler", default=None, metavar="ADDRESS",
                            help="Run on the Dask cluster of this scheduler (tcp://host:8786), or 'local' to start "
                                 "one here with --jobs workers (default: one per core); needs the dask extra.")(function)
    return click.option("--jobs", default=None, type=click.IntRange(1),
                        help="Files processed in parallel on this machine  [default: 1].")(function)


def _run(command, sources, out, jobs, scheduler, **options):
    """Run a command over files and folders; one line per bad file; exit code 2 if there were any."""
    from .batch import run_batch

    summary = run_batch(command, list(sources), out=out, jobs=jobs or 1, scheduler=scheduler, workers=jobs,
                        on_error=lambda e: click.echo(f"error: {e}", err=True), **options)
    if summary.reused:
        click.echo(f"{summary.reused} of {summary.inputs} reports unchanged since the last run into {out}: "
                   "reused", err=True)
    return 2 if summary.errors else 0


_many = click.argument("sources", metavar="INPUT...", nargs=-1, required=True)


@cli.command()
@_many
@_out
@_format
@_batch
@_ocr
def read(sources, out, fmt, jobs, scheduler, ocr_mode, ocr_timeout):
    """Split reports into headings, paragraphs, table rows and indicators (folders: every report in them;
    a compiled volume: each of its reports)."""
    return _run("read", sources, out, jobs, scheduler, fmt=fmt, ocr=OcrSettings(mode=ocr_mode, timeout=ocr_timeout))


@cli.command()
@_many
@_out
@_format
@_model
@click.option("--indicators", "indicator_file", default=None, help="Indicator table to link paragraphs to.")
@click.option("--explain", is_flag=True, help="Add the terms that pushed each label up.")
@click.option("--all-blocks", is_flag=True, help="Tag headings and table rows too, not only paragraphs.")
@_batch
@_ocr
def tag(sources, out, fmt, model_dir, indicator_file, explain, all_blocks, jobs, scheduler, ocr_mode, ocr_timeout):
    """Tag every paragraph with activity categories and calibrated scores."""
    return _run("tag", sources, out, jobs, scheduler, fmt=fmt, model_dir=model_dir, indicator_file=indicator_file,
                explain=explain, all_blocks=all_blocks, ocr=OcrSettings(mode=ocr_mode, timeout=ocr_timeout))


@cli.command()
@_many
@click.option("--indicators", "indicator_file", default=None,
              help="Indicator table (default: the report's own indicator table).")
@_out
@_format
@click.option("--top-k", default=5, show_default=True, type=click.IntRange(1), help="Links kept per indicator.")
@click.option("--min-confidence", default=None, type=click.FloatRange(0, 1),
              help="Keep links down to this confidence (default: the model's weak cut-off; 0: the best TOP-K).")
@_model
@_batch
@_ocr
def evidence(sources, indicator_file, out, fmt, top_k, min_confidence, model_dir, jobs, scheduler, ocr_mode,
             ocr_timeout):
    """For every indicator, the paragraphs that support it, with confidence and a status.

    As csv or xlsx: one row per link (rank 1 the best) beside the indicator's project, points and score.
    """
    return _run("evidence", sources, out, jobs, scheduler, fmt=fmt, model_dir=model_dir,
                indicator_file=indicator_file, top_k=top_k, min_confidence=min_confidence,
                ocr=OcrSettings(mode=ocr_mode, timeout=ocr_timeout))


@cli.command("audit")
@click.argument("sources", metavar="INPUT...", nargs=-1, required=True)
@click.option("-o", "--out", default=None, help="Output file (default: standard output).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="Output format: jsonl (default), json, csv or xlsx; with -o and no --format, the file's "
                   "extension decides.")
@click.option("--evidence", "with_evidence", is_flag=True,
              help="Also flag full marks on indicators the narrative does not support (runs the linker).")
@_model
@click.pass_context
def audit_command(ctx, sources, out, fmt, with_evidence, model_dir):
    """Check each report's indicator table: points, scores, totals, targets, budget execution rate
    (folders: every report in them)."""
    from .batch import audit_files, output_format

    if output_format(out, fmt) in DATABASE_FORMATS:
        raise InputError(out, "audit writes jsonl, json, csv or xlsx, not a database")
    failed, findings = 0, []
    for source, result in audit_files(list(sources), evidence=with_evidence, model_dir=model_dir,
                                      exclude=[out] if out not in (None, "-") else ()):
        if isinstance(result, InputError):
            click.echo(f"error: {result}", err=True)
            failed += 1
        elif result is None:
            click.echo(f"{source}: no indicator table; nothing to audit", err=True)
        else:
            findings += [f.to_dict() for f in result]
    write_records(findings, out=out, fmt=fmt)
    if failed:
        ctx.exit(2)


@cli.command()
@click.argument("sources", metavar="INPUT...", nargs=-1, required=True)
@click.option("-o", "--out", required=True, help="The page (.html) or the workbook (.xlsx) to write.")
@_model
def review(sources, out, model_dir):
    """The reviewer's page (.html) or workbook (.xlsx): indicators, evidence, findings, paragraphs
    (folders: every report in them)."""
    from .review import totals, write_review

    errors = []
    reports = write_review(list(sources), out=out, model_dir=model_dir,
                           on_error=lambda e: (errors.append(e), click.echo(f"error: {e}", err=True)))
    if not reports:
        click.echo(f"{out}: not written, no report could be read", err=True)
        return 2
    n = totals(reports)
    click.echo(f"wrote {out}: {len(reports)} report(s), {n['supported'] + n['weak'] + n['unsupported']} indicators "
               f"({n['supported']} supported, {n['weak']} weak, {n['unsupported']} unsupported), "
               f"{n['findings']} finding(s)", err=True)
    return 2 if errors else 0


@cli.command()
@click.argument("path")
@click.option("--out", default="model", show_default=True, help="Model directory to write.")
def train(path, out):
    """Train a model from a labelled corpus (checked first) and save it."""
    from .train import train_model

    model = train_model(path, out=out)
    tagging = model.meta["cross_validated"]["tagging"]
    click.echo(f"saved {out}: categories {', '.join(model.categories)}; "
               f"cross-validated macro-F1 {tagging['macro_f1']:.3f}, ECE {tagging['ece']:.3f}", err=True)


def _figure(value):
    return "n/a" if value is None else f"{value:.3f}"


def _print_metrics(metrics):
    t = metrics["tagging"]
    click.echo(f"mode: {metrics['mode']}")
    click.echo(f"{'category':24} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>7}")
    for name, m in t["per_category"].items():
        click.echo(f"{name:24} {m['precision']:9.3f} {m['recall']:7.3f} {m['f1']:6.3f} {m['support']:7d}")
    click.echo(f"macro-F1 {t['macro_f1']:.3f}   ECE {t['ece']:.3f}   exact label set {t['exact_label_set']:.3f}")
    if metrics.get("by_genre"):
        _print_by_genre(metrics["by_genre"])
    if "linking" in metrics:
        k = metrics["linking"]
        for name, part in (("in-report", k["in_report"]), ("pooled", k["pooled"]),
                           ("in-report, no structure", k["without_structure"]["in_report"]),
                           ("pooled, no structure", k["without_structure"]["pooled"])):
            if part:
                click.echo(_link_line(name, part))
        for report, part in k["per_report"].items():
            if part:
                click.echo(_link_line(f"  {report}", part))
        cut, moved = k["cutoffs"], k["cutoffs_leaving_one_report_out"]
        click.echo(f"status cut-offs: supported {cut['supported']}, weak {cut['weak']} "
                   f"(leaving one report out: supported {moved['supported']}, weak {moved['weak']})")


def _print_by_genre(parts):
    """One line per part of the evaluation by genre for the tagger, one for the keyword rule below it."""
    categories = list(next(iter(parts.values()))["tagger"]["per_category"])
    click.echo("by genre: F1 per category (" + ", ".join(categories) + "), macro-F1, ECE, exact label set")
    for name, part in parts.items():
        click.echo(f"{name} ({part['paragraphs']} paragraphs, {part['documents']} documents, {part['scored']})")
        for who in ("tagger", "keyword_rule"):
            m = part[who]
            f1 = " ".join(f"{m['per_category'][c]['f1']:.3f}" for c in categories)
            click.echo(f"  {who:13} {f1}   macro-F1 {m['macro_f1']:.3f}   ECE {m['ece']:.3f}   "
                       f"exact {m['exact_label_set']:.3f}")


def _link_line(name, m):
    return (f"links {name}: {m['indicators']} indicators ({m['indicators_with_links']} with links), "
            f"MAP {_figure(m['map'])} (BM25 {_figure(m['bm25_map'])}), success@3 {_figure(m['success_at_3'])} "
            f"(BM25 {_figure(m['bm25_success_at_3'])}), link ECE {m['link_ece']:.3f}, unsupported flagged "
            f"{m['flagged_unsupported']}, precision {_figure(m['unsupported_precision'])} "
            f"recall {_figure(m['unsupported_recall'])}")


@cli.command()
@click.argument("path")
@_model
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
@click.option("--plot", default=None, help="Write a reliability diagram of the category scores to this PNG.")
def evaluate(path, model_dir, as_json, plot):
    """Score a model on a labelled corpus: per-category F1, macro-F1, ECE, overall and by genre, link ranking."""
    from .evaluate import evaluate_model

    metrics = evaluate_model(path, model_dir=model_dir, plot=plot)
    if as_json:
        click.echo(json.dumps(metrics, ensure_ascii=False, indent=2))
    else:
        _print_metrics(metrics)


@cli.command()
@click.argument("path")
def validate(path):
    """Check a labelled corpus and print its statistics; exit 2 if it is unfit for training."""
    from .corpus import corpus_statistics, load_corpus, validate_corpus

    corpus = load_corpus(path)
    click.echo(json.dumps(corpus_statistics(corpus), ensure_ascii=False, indent=2))
    problems = validate_corpus(corpus)
    for problem in problems:
        click.echo(f"{path}: {problem}", err=True)
    if problems:
        raise InputError(path, f"not fit to train: {len(problems)} problem(s), listed above")
    click.echo(f"{path}: fit to train", err=True)


@cli.command("check-labels")
@click.argument("path", metavar="CORPUS")
@_out
@_format
def check_labels_command(path, out, fmt):
    """Likely label errors in a labelled corpus (paragraph labels, then evidence links), most suspect first."""
    from .labels import check_labels, count_checks

    issues = check_labels(path)
    write_records(issues, out=out, fmt=fmt)
    counts = count_checks(issues)
    click.echo(f"{counts['labels']} paragraph(s) with suspect labels, {counts['evidence']} suspect evidence "
               "link(s) or missing link(s)", err=True)


@cli.command()
@click.argument("sources", metavar="INPUT...", nargs=-1, required=True)
@click.option("--n", "n", required=True, type=click.IntRange(1), help="How many paragraphs to suggest.")
@_out
@click.option("--format", "fmt", type=click.Choice(FORMATS + ("label-studio",)), default=None,
              help="Output format: jsonl (default), json, csv, xlsx (needs -o), or label-studio "
                   "(a Label Studio import file, the model's guess as a prediction).")
@_model
@click.option("--labelled", default=None, metavar="CORPUS", help="Labelled corpus whose paragraphs to leave out.")
def suggest(sources, n, out, fmt, model_dir, labelled):
    """The unlabelled paragraphs worth labelling next, with the model's guess as a suggestion."""
    from .labels import label_studio_tasks, suggest as suggest_paragraphs

    rows = suggest_paragraphs(list(sources), n=n, model_dir=model_dir, labelled=labelled)
    if fmt == "label-studio":
        write_records(label_studio_tasks(rows), out=out, fmt="json")
    else:
        write_records(rows, out=out, fmt=fmt)


@cli.command("agreement")
@click.argument("first")
@click.argument("second")
def agreement_command(first, second):
    """Agreement between two labellings: Cohen's kappa per category, or the overlap of evidence links."""
    from .corpus import agreement

    result = agreement(first, second)
    if "pairs" in result:
        (a, b), both = result["supports"], result["both"]
        click.echo(f"{result['pairs']} indicator-paragraph pairs judged twice; same judgment {result['same']:.1%}, "
                   f"Cohen's kappa {result['kappa']:.3f}; supports {a} and {b}, {both} in both, F1 {result['f1']:.3f}")
        return
    if "indicators" in result:
        (a, b), both = result["links"], result["both"]
        click.echo(f"{result['indicators']} indicators linked twice; links {a} and {b}, {both} in both, "
                   f"F1 {result['f1']:.3f}; same has-evidence decision {result['has_evidence']:.1%}")
        return
    click.echo(f"{result['paragraphs']} paragraphs labelled twice; same label set {result['exact']:.1%}, "
               f"same first label {result['first_label']:.1%}")
    for category, kappa in result["kappa"].items():
        click.echo(f"{category:24} kappa {kappa:.3f}")


def _one_line(message, category, *args, **kwargs):
    return f"warning: {message}\n"


def main(argv=None):
    """Entry point of the ``nlp`` console script."""
    warnings.formatwarning = _one_line  # a warning is a line for the user, not a source location
    try:
        code = cli.main(args=argv, prog_name="nlp", standalone_mode=False)
    except InputError as e:
        click.echo(f"error: {e}", err=True)
        code = 2
    except click.exceptions.NoArgsIsHelpError as e:  # plain `nlp`: the help, as with --help
        click.echo(e.format_message())
        code = 0
    except click.UsageError as e:
        click.echo(f"error: {e.format_message()}", err=True)
        code = 2
    except click.Abort:
        code = 130
    except BrokenPipeError:
        # The reader of our output went away (e.g. `| head`); nothing more to say.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 0
    except Exception as e:  # noqa: BLE001 - the last line of defence prints one line, not a traceback
        if os.environ.get("NLP_DEBUG"):
            raise
        click.echo(f"internal error: {type(e).__name__}: {e} (set NLP_DEBUG=1 for the traceback)", err=True)
        code = 1
    sys.exit(code if isinstance(code, int) else 0)
