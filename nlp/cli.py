"""The command line: each command parses its arguments and calls one library function."""
import json
import os
import sys
import warnings

import click

from .errors import InputError
from .write import FORMATS, write_records

__all__ = ["main"]

_format = click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
                       help="Output format: jsonl (default), json, csv or xlsx (needs -o); "
                            "with -o and no --format, the file's extension decides.")
_out = click.option("-o", "--out", default=None, help="Output file (default: standard output).")
_model = click.option("--model", "model_dir", default=None, help="Model directory (default: the shipped model).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli():
    """Read performance self-evaluation reports: blocks, activity tags, indicator evidence."""


@cli.command()
@click.argument("source", metavar="INPUT")
@_out
@_format
def read(source, out, fmt):
    """Split a report into headings, paragraphs, table rows and indicators."""
    from .read import read_input

    write_records((b.to_dict() for b in read_input(source)), out=out, fmt=fmt)


@cli.command()
@click.argument("sources", metavar="INPUT...", nargs=-1, required=True)
@_out
@_format
@_model
@click.option("--indicators", "indicator_file", default=None, help="Indicator table to link paragraphs to.")
@click.option("--explain", is_flag=True, help="Add the terms that pushed each label up.")
@click.option("--all-blocks", is_flag=True, help="Tag headings and table rows too, not only paragraphs.")
@click.option("--jobs", default=1, show_default=True, type=click.IntRange(1), help="Files tagged in parallel.")
def tag(sources, out, fmt, model_dir, indicator_file, explain, all_blocks, jobs):
    """Tag every paragraph with activity categories and calibrated scores."""
    from .annotate import annotate_files, shared_document_ids
    from .read import read_indicator_table

    for first, second, doc_id in shared_document_ids(sources):
        click.echo(f"warning: {first} and {second} both get document id {doc_id!r}; "
                   "their paragraph ids coincide", err=True)
    indicators = read_indicator_table(indicator_file) if indicator_file else None
    results = annotate_files(list(sources), jobs=jobs, model_dir=model_dir, indicators=indicators,
                             explain=explain, all_blocks=all_blocks)
    write_records((row for rows in results for row in rows), out=out, fmt=fmt)


@cli.command()
@click.argument("source", metavar="INPUT")
@click.option("--indicators", "indicator_file", default=None,
              help="Indicator table (default: the report's own indicator table).")
@_out
@_format
@click.option("--top-k", default=5, show_default=True, type=click.IntRange(1), help="Links kept per indicator.")
@_model
def evidence(source, indicator_file, out, fmt, top_k, model_dir):
    """For every indicator, the paragraphs that support it, with confidence and a status."""
    from .annotate import evidence_file

    write_records(evidence_file(source, model_dir=model_dir, indicator_file=indicator_file, top_k=top_k),
                  out=out, fmt=fmt)


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


@cli.command("check-labels")
@click.argument("path", metavar="CORPUS")
@_out
@_format
def check_labels_command(path, out, fmt):
    """Likely label errors in a labelled corpus (paragraph labels, then evidence links), most suspect first."""
    from .labels import check_labels

    issues = check_labels(path)
    write_records(issues, out=out, fmt=fmt)
    counts = {check: sum(i["check"] == check for i in issues) for check in ("labels", "evidence")}
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
