"""The command line: each command parses its arguments and calls one library function."""
import json
import os
import sys
import warnings

import click

from .errors import InputError
from .database import DATABASE_FORMATS
from .write import FORMATS

__all__ = ["main"]

_format = click.option("--format", "fmt", type=click.Choice(FORMATS + DATABASE_FORMATS), default=None,
                       help="Output format: jsonl (default), json, csv, xlsx, duckdb or parquet (these three need "
                            "-o); with -o and no --format, the file's extension decides.")
_out = click.option("-o", "--out", default=None,
                    help="Output file (default: standard output); OUT.errors.jsonl beside it lists bad files, "
                         "OUT.done.jsonl the reports done, reused by a rerun.")
_model = click.option("--model", "model_dir", default=None, help="Model directory (default: the shipped model).")


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
    from .batch import find_inputs, run_batch, shared_document_ids

    for first, second, doc_id in shared_document_ids(find_inputs(sources)[0]):
        click.echo(f"warning: {first} and {second} both get document id {doc_id!r}; "
                   "their paragraph ids coincide", err=True)
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
def read(sources, out, fmt, jobs, scheduler):
    """Split reports into headings, paragraphs, table rows and indicators (folders: every report in them)."""
    return _run("read", sources, out, jobs, scheduler, fmt=fmt)


@cli.command()
@_many
@_out
@_format
@_model
@click.option("--indicators", "indicator_file", default=None, help="Indicator table to link paragraphs to.")
@click.option("--explain", is_flag=True, help="Add the terms that pushed each label up.")
@click.option("--all-blocks", is_flag=True, help="Tag headings and table rows too, not only paragraphs.")
@_batch
def tag(sources, out, fmt, model_dir, indicator_file, explain, all_blocks, jobs, scheduler):
    """Tag every paragraph with activity categories and calibrated scores."""
    return _run("tag", sources, out, jobs, scheduler, fmt=fmt, model_dir=model_dir, indicator_file=indicator_file,
                explain=explain, all_blocks=all_blocks)


@cli.command()
@_many
@click.option("--indicators", "indicator_file", default=None,
              help="Indicator table (default: the report's own indicator table).")
@_out
@_format
@click.option("--top-k", default=5, show_default=True, type=click.IntRange(1), help="Links kept per indicator.")
@_model
@_batch
def evidence(sources, indicator_file, out, fmt, top_k, model_dir, jobs, scheduler):
    """For every indicator, the paragraphs that support it, with confidence and a status."""
    return _run("evidence", sources, out, jobs, scheduler, fmt=fmt, model_dir=model_dir,
                indicator_file=indicator_file, top_k=top_k)


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
    click.echo(f"macro-F1 {t['macro_f1']:.3f}   ECE {t['ece']:.3f}")
    if "linking" in metrics:
        k = metrics["linking"]
        click.echo(f"links: {k['indicators']} indicators ({k['indicators_with_evidence']} with evidence), "
                   f"MAP {_figure(k['map'])}, recall@3 {_figure(k['recall_at_3'])}, link ECE {k['link_ece']:.3f}, "
                   f"unsupported precision {_figure(k['unsupported_precision'])} "
                   f"recall {_figure(k['unsupported_recall'])}")
        for report, r in k.get("per_report", {}).items():
            click.echo(f"  {report}: {r['indicators']} indicators ({r['indicators_with_evidence']} with evidence), "
                       f"MAP {_figure(r['map'])}, recall@3 {_figure(r['recall_at_3'])}; "
                       f"flagged unsupported {r['flagged_unsupported']}, {r['flagged_right']} of them rightly, "
                       f"of {r['indicators'] - r['indicators_with_evidence']} without evidence")


@cli.command()
@click.argument("path")
@_model
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
@click.option("--plot", default=None, help="Write a reliability diagram of the category scores to this PNG.")
def evaluate(path, model_dir, as_json, plot):
    """Score a model on a labelled corpus: per-category F1, macro-F1, ECE, link ranking."""
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
        raise InputError(path, f"{len(problems)} problem(s), listed above")


@cli.command("agreement")
@click.argument("first")
@click.argument("second")
def agreement_command(first, second):
    """Agreement between two labellings: Cohen's kappa per category, or the overlap of evidence links."""
    from .corpus import agreement

    result = agreement(first, second)
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
