"""The labelled corpus: loading (a corpus directory, a paragraph table, or a Label Studio or doccano
export), checking and statistics."""
import hashlib
import json
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError
from .records import OTHER, Indicator
from .read import TABLE_SUFFIXES, read_json, read_records

__all__ = ["Corpus", "load_corpus", "checked_corpus", "validate_corpus", "corpus_statistics", "agreement", "OTHER"]

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_POOL_COLUMNS = ["indicator", "paragraph", "supports", "note"]


@dataclass
class Corpus:
    """Labelled paragraphs and, where there are any, indicators with their evidence.

    Attributes
    ----------
    source : Path
        The directory or table it was read from.
    paragraphs : pandas.DataFrame
        Columns ``doc_id``, ``id``, ``text``, ``labels`` (list, most important first)
        and whatever else the file had (``section``, ``kind``, ``note``); ``genre`` (``report`` for a
        seed report's blocks, a web paragraph's from ``extra_paragraphs.jsonl``, else empty).
    indicators : pandas.DataFrame
        Columns ``doc_id``, ``id``, ``name``, ``target``, ``actual``, ``level1``,
        ``level2``, ``evidence`` (list of paragraph ids); empty when there are none.
    categories : list of str
        The activity categories, without ``other``: declared in
        ``categories.txt`` when the directory has one, else those found.
    pool : pandas.DataFrame
        Judged pairs of an indicator and a paragraph of *another* document
        (``link_pool.jsonl``): columns ``indicator``, ``paragraph``, ``supports``
        (bool), ``note``; empty when the corpus has none.
    """

    source: Path
    paragraphs: pd.DataFrame
    indicators: pd.DataFrame
    categories: list
    pool: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=_POOL_COLUMNS))

    def label_matrix(self):
        """0/1 matrix of shape (n_paragraphs, n_categories) in `categories` order."""
        index = {c: i for i, c in enumerate(self.categories)}
        Y = np.zeros((len(self.paragraphs), len(self.categories)), dtype=int)
        for row, labels in enumerate(self.paragraphs["labels"]):
            for label in labels:
                if label in index:
                    Y[row, index[label]] = 1
        return Y

    def indicator_records(self):
        """The indicator rows as `nlp.records.Indicator` objects, in table order."""
        return [Indicator.from_record(r) for r in self.indicators.to_dict("records")]

    def fingerprint(self):
        """SHA-256 of what training learns from (texts, labels, indicators, evidence, categories),
        to tell which corpus a model was trained on; notes and column order do not count."""
        paragraphs = self.paragraphs[["doc_id", "id", "kind", "section", "text", "labels"]]
        indicators = self.indicators.reindex(columns=["doc_id", "id", "level1", "level2", "name", "target",
                                                      "actual", "context", "evidence"]).fillna("")
        content = [self.categories, paragraphs.values.tolist(), indicators.values.tolist()]
        if len(self.pool):  # kept out when empty, so corpora without a pool keep their fingerprint
            content.append(self.pool[["indicator", "paragraph", "supports"]].values.tolist())
        return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode("utf-8")).hexdigest()


def _read_table(path):
    columns, records = read_records(path)
    return pd.DataFrame([r for _, r in records], columns=columns or None)


def _as_list(value, path, row, column):
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    text = str(value).strip()
    if text.startswith("["):
        try:
            return _as_list(json.loads(text), path, row, column)
        except json.JSONDecodeError:
            raise InputError(path, f"row {row}: column {column!r} is not a JSON list") from None
    return [v.strip() for v in text.split("|") if v.strip()]


def _choices(annotation):
    """The labels chosen in one Label Studio annotation, in the order given."""
    chosen = []
    for item in annotation.get("result") or []:
        if isinstance(item, dict) and item.get("type") == "choices":
            chosen += [c for c in (item.get("value") or {}).get("choices") or [] if c not in chosen]
    return chosen


def _label_studio_table(path):
    """The labelled tasks of a Label Studio JSON export as paragraph rows.

    A task's ``data`` gives ``text`` and any other fields (``id``, ``doc_id``, ``section``);
    its labels are the choices of its latest annotation that was not cancelled.
    """
    tasks = read_json(path)
    if not isinstance(tasks, list) or not all(isinstance(t, dict) for t in tasks):
        raise InputError(path, "not a Label Studio export: expected a JSON list of tasks")
    rows, unlabelled = [], 0
    for n, task in enumerate(tasks, 1):
        data = task.get("data")
        if not isinstance(data, dict) or "text" not in data:
            raise InputError(path, f"task {n}: no data.text; a Label Studio task holds its paragraph in data.text")
        done = [a for a in task.get("annotations") or [] if isinstance(a, dict) and not a.get("was_cancelled")]
        if not done:
            unlabelled += 1
            continue
        rows.append({**data, "id": data.get("id", task.get("id", n)), "labels": _choices(done[-1])})
    if unlabelled:
        warnings.warn(f"{path}: {unlabelled} task(s) without an annotation left out", stacklevel=3)
    return pd.DataFrame(rows, columns=None if rows else ["id", "text", "labels"])


def _doccano_table(table):
    """The labelled rows of a doccano text-classification export (``label``: a list of names)."""
    for n, value in enumerate(table["label"], 1):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InputError(table.attrs["path"], f"line {n}: 'label' is not a list of label names, as a doccano "
                                                  "text-classification export has it")
    if "id" not in table.columns:
        table["id"] = range(1, len(table) + 1)
    labelled = table[[bool(v) for v in table["label"]]]
    if len(labelled) < len(table):
        warnings.warn(f"{table.attrs['path']}: {len(table) - len(labelled)} row(s) without a label left out",
                      stacklevel=3)
    return labelled.rename(columns={"label": "labels"}).reset_index(drop=True)


def _paragraph_table(path):
    """Paragraph rows of a labelled table or an annotation tool's export (by extension and columns)."""
    if path.suffix.lower() == ".json":
        return _label_studio_table(path)
    table = _read_table(path)
    if path.suffix.lower() == ".jsonl" and "label" in table.columns and "labels" not in table.columns:
        table.attrs["path"] = path
        return _doccano_table(table)
    return table


def _genres(paragraphs, extra):
    """Each paragraph's genre: its own ``genre`` cell, else the one ``extra_paragraphs.jsonl`` gives its id,
    else ``report`` for a seed report's block (``source`` ``seed``), else empty."""
    genre = paragraphs["genre"].fillna("").astype(str) if "genre" in paragraphs.columns else \
        pd.Series("", index=paragraphs.index)
    if extra is not None and extra.is_file():
        table = _read_table(extra)
        if {"id", "genre"} <= set(table.columns):
            given = dict(zip(table["id"].astype(str), table["genre"].fillna("").astype(str)))
            genre = genre.where(genre != "", paragraphs["id"].map(given).fillna(""))
    if "source" in paragraphs.columns:
        genre = genre.where((genre != "") | (paragraphs["source"] != "seed"), "report")
    return genre


def load_corpus(path):
    """Read a labelled corpus.

    It may be a corpus directory (``paragraphs.jsonl`` [+ ``indicators.jsonl``,
    ``categories.txt``]), a paragraph table with a ``labels`` column, a Label
    Studio JSON export (text classification with choices) or a doccano JSONL
    export (``text`` and ``label``). Without ``categories.txt``, the categories
    are the labels found.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    Corpus

    Raises
    ------
    InputError
        When the path is missing, a table lacks a required column or an export is malformed.

    Examples
    --------
    >>> import json, tempfile
    >>> task = {"data": {"text": "召开招商推介会", "doc_id": "d1"},
    ...         "annotations": [{"result": [{"type": "choices", "value": {"choices": ["investment_promotion"]}}]}]}
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = Path(folder, "export.json").write_text(json.dumps([task]), encoding="utf-8")
    ...     load_corpus(Path(folder, "export.json")).categories
    ['investment_promotion']
    """
    path = Path(path)
    declared = None
    if path.is_dir():
        table = path / "paragraphs.jsonl"
        if not table.is_file():
            raise InputError(path, "not a corpus: it has no paragraphs.jsonl")
        indicator_table = path / "indicators.jsonl"
        if (path / "categories.txt").is_file():
            try:
                lines = (path / "categories.txt").read_text(encoding="utf-8").splitlines()
            except UnicodeDecodeError:
                raise InputError(path / "categories.txt", "not UTF-8 text") from None
            declared = [c.strip() for c in lines if c.strip() and not c.startswith("#")]
    elif path.is_file():
        if path.suffix.lower() not in TABLE_SUFFIXES + (".json",):
            raise InputError(path, "a corpus is a directory, a .jsonl/.csv/.xlsx table or a Label Studio .json "
                                   f"export, not a {path.suffix or 'file without extension'}")
        table, indicator_table = path, None
    else:
        raise InputError(path, "no such file or directory")

    paragraphs = _paragraph_table(table)
    missing = [c for c in ("id", "text", "labels") if c not in paragraphs.columns]
    if missing:
        raise InputError(table, f"missing column(s) {', '.join(missing)}; a corpus needs id, text, labels")
    paragraphs["id"] = paragraphs["id"].astype(str)
    # Empty cells read as NaN: text becomes "" (reported by validate_corpus), and a paragraph
    # without a document is its own document, so grouped folds still exist.
    for column, fill in (("doc_id", paragraphs["id"]), ("kind", "paragraph"), ("text", ""), ("section", "")):
        if column not in paragraphs.columns:
            paragraphs[column] = fill
        paragraphs[column] = paragraphs[column].where(paragraphs[column].notna(), fill).astype(str)
    paragraphs["labels"] = [_as_list(v, table, i + 1, "labels") for i, v in enumerate(paragraphs["labels"])]

    indicators = pd.DataFrame(columns=["doc_id", "id", "name", "target", "actual", "level1", "level2", "evidence"])
    if indicator_table is not None and indicator_table.is_file():
        indicators = _read_table(indicator_table)
        for column in ("doc_id", "id", "name", "evidence"):
            if column not in indicators.columns:
                raise InputError(indicator_table, f"missing column {column!r}")
        for column in ("doc_id", "id", "name", "target", "actual", "level1", "level2", "context"):
            if column not in indicators.columns:
                indicators[column] = ""
            indicators[column] = indicators[column].fillna("").astype(str)
        indicators["evidence"] = [_as_list(v, indicator_table, i + 1, "evidence")
                                  for i, v in enumerate(indicators["evidence"])]

    paragraphs["genre"] = _genres(paragraphs, path / "extra_paragraphs.jsonl" if path.is_dir() else None)

    found = sorted({l for labels in paragraphs["labels"] for l in labels} - {OTHER})
    categories = [c for c in declared if c != OTHER] if declared else found
    pool = pd.DataFrame(columns=_POOL_COLUMNS)
    if path.is_dir() and (path / "link_pool.jsonl").is_file():
        pool = _read_table(path / "link_pool.jsonl").reindex(columns=_POOL_COLUMNS + ["judged", "drawn_by"])
        for column in ("indicator", "paragraph", "note"):
            pool[column] = pool[column].fillna("").astype(str)
    return Corpus(source=path, paragraphs=paragraphs, indicators=indicators, categories=categories, pool=pool)


def _near_duplicates(paragraphs, threshold):
    """Pairs of paragraphs in different documents whose character 3-grams mostly coincide."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.preprocessing import normalize

    texts = paragraphs["text"].astype(str).tolist()
    keep = [i for i, t in enumerate(texts) if len(t) >= 20]
    if len(keep) < 2:
        return []
    X = CountVectorizer(analyzer="char", ngram_range=(3, 3), binary=True).fit_transform([texts[i] for i in keep])
    X = normalize(X)
    sim = (X @ X.T).tocoo()
    docs = paragraphs["doc_id"].astype(str).tolist()
    ids = paragraphs["id"].tolist()
    pairs = []
    for a, b, s in zip(sim.row, sim.col, sim.data):
        i, j = keep[a], keep[b]
        if i < j and s >= threshold and docs[i] != docs[j]:
            pairs.append((ids[i], ids[j], float(s)))
    return pairs


def validate_corpus(corpus, *, folds=5, near_duplicate=0.9):
    """Problems that make the corpus unfit for training, in the corpus' own terms.

    Parameters
    ----------
    corpus : Corpus
    folds : int, default=5
        Cross-validation folds training will use; every category needs at least
        this many paragraphs in at least two documents (0: no such check, as
        for a held-out test set).
    near_duplicate : float, default=0.9
        Cosine similarity of character 3-grams above which two paragraphs of
        different documents count as the same text.

    Returns
    -------
    list of str
        One line per problem; empty when the corpus is fit for training.

    Examples
    --------
    >>> import pandas as pd
    >>> c = Corpus("t.jsonl", pd.DataFrame({"doc_id": ["d"], "id": ["1"], "text": ["召开会议"],
    ...            "labels": [["other", "x_y"]]}), pd.DataFrame(), ["x_y"])
    >>> validate_corpus(c)[0]
    "paragraph 1: 'other' is mixed with other labels"
    """
    problems = []
    p = corpus.paragraphs
    known = set(corpus.categories) | {OTHER}
    if p.empty:
        return ["the corpus has no paragraphs"]
    for pid, labels, text in zip(p["id"], p["labels"], p["text"]):
        if not labels:
            problems.append(f"paragraph {pid}: no labels")
        for label in labels:
            if not _NAME.match(label):
                problems.append(f"paragraph {pid}: label {label!r} is not a snake_case name")
            elif label not in known:
                problems.append(f"paragraph {pid}: unknown label {label!r} (known: {', '.join(sorted(known))})")
        if OTHER in labels and len(labels) > 1:
            problems.append(f"paragraph {pid}: 'other' is mixed with other labels")
        if len(set(labels)) != len(labels):
            problems.append(f"paragraph {pid}: a label is repeated")
        if not str(text).strip():
            problems.append(f"paragraph {pid}: empty text")
    for pid in p["id"][p["id"].duplicated()].unique():
        problems.append(f"paragraph id {pid} is used more than once")
    if not corpus.categories:
        problems.append("no paragraph has an activity label: nothing to learn (every label is 'other' or missing)")
    for category in corpus.categories if folds else []:
        has = p[[category in labels for labels in p["labels"]]]
        if len(has) < folds or has["doc_id"].nunique() < 2:
            problems.append(f"category {category!r} has {len(has)} paragraph(s) in {has['doc_id'].nunique()} "
                            f"document(s); training needs at least {folds} in at least 2 documents")

    ind = corpus.indicators
    if not ind.empty:
        doc_of = dict(zip(p["id"], p["doc_id"]))
        for iid in ind["id"][ind["id"].duplicated()].unique():
            problems.append(f"indicator id {iid} is used more than once")
        for iid, doc, evidence in zip(ind["id"], ind["doc_id"], ind["evidence"]):
            for pid in evidence:
                if pid not in doc_of:
                    problems.append(f"indicator {iid}: evidence {pid} is not a paragraph of the corpus")
                elif doc_of[pid] != doc:
                    problems.append(f"indicator {iid}: evidence {pid} belongs to document {doc_of[pid]}, not {doc}")
    problems += _pool_problems(corpus)
    for a, b, s in _near_duplicates(p, near_duplicate):
        problems.append(f"paragraphs {a} and {b} are near-duplicates across documents (similarity {s:.2f})")
    return problems


def checked_corpus(path, folds):
    """The corpus at `path`, refused with its first problem; `folds=0` skips the training-size check.

    Raises
    ------
    InputError
        The corpus is missing, malformed or unfit.
    """
    corpus = load_corpus(path)
    problems = validate_corpus(corpus, folds=folds)
    if problems:
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        raise InputError(path, problems[0] + more)
    return corpus


def _pool_problems(corpus):
    """What is wrong with the judged cross-document pairs: unknown ids, a pair twice, a pair inside one document."""
    pool, problems = corpus.pool, []
    if pool.empty:
        return problems
    doc_of_paragraph = dict(zip(corpus.paragraphs["id"], corpus.paragraphs["doc_id"]))
    doc_of_indicator = dict(zip(corpus.indicators["id"], corpus.indicators["doc_id"]))
    for n, (iid, pid, supports) in enumerate(zip(pool["indicator"], pool["paragraph"], pool["supports"]), 1):
        where = f"link_pool.jsonl line {n}"
        if iid not in doc_of_indicator:
            problems.append(f"{where}: indicator {iid!r} is not an indicator of the corpus")
        if pid not in doc_of_paragraph:
            problems.append(f"{where}: paragraph {pid!r} is not a paragraph of the corpus")
        elif doc_of_indicator.get(iid) == doc_of_paragraph[pid]:
            problems.append(f"{where}: paragraph {pid} is in the indicator's own document "
                            f"{doc_of_paragraph[pid]}; such links belong in indicators.jsonl's evidence")
        if not isinstance(supports, (bool, np.bool_)):
            problems.append(f"{where}: 'supports' is {supports!r}; expected true or false")
    for iid, pid in pool[pool.duplicated(["indicator", "paragraph"])][["indicator", "paragraph"]].values:
        problems.append(f"link_pool.jsonl: the pair {iid} / {pid} is judged more than once")
    return problems


def corpus_statistics(corpus):
    """Counts per category and per document, and indicator coverage, as a dict."""
    p = corpus.paragraphs
    per_category = {c: int(sum(c in labels for labels in p["labels"])) for c in corpus.categories + [OTHER]}
    ind = corpus.indicators
    with_evidence = int(sum(bool(e) for e in ind["evidence"])) if not ind.empty else 0
    return {
        "paragraphs": len(p),
        "documents": int(p["doc_id"].nunique()),
        "paragraphs_per_category": per_category,
        "multi_label_paragraphs": int(sum(len(labels) > 1 for labels in p["labels"])),
        "paragraphs_per_document": {str(k): int(v) for k, v in p["doc_id"].value_counts().sort_index().items()},
        "indicators": len(ind),
        "indicators_with_evidence": with_evidence,
        "links": int(sum(len(e) for e in ind["evidence"])) if not ind.empty else 0,
        "pooled_pairs": len(corpus.pool),
        "pooled_supports": int(corpus.pool["supports"].eq(True).sum()),
        "pooled_indicators": int(corpus.pool["indicator"].nunique()),
    }


def agreement(first, second, *, categories=None):
    """Agreement between two labellings of the same paragraphs, or of the same indicators' evidence.

    Parameters
    ----------
    first, second : str or Path
        Both tables with ``id`` and ``labels`` (paragraphs), or both with ``id``
        and ``evidence`` (indicators); only ids in both are compared.
    categories : list of str, optional
        Paragraph labels to compare; default every label found in either,
        ``other`` included.

    Returns
    -------
    dict
        For judged pairs (tables with ``indicator``, ``paragraph``, ``supports``):
        ``pairs`` compared, Cohen's ``kappa`` of the judgments, ``supports`` (positives
        in each), ``both``, ``f1`` of the positive judgments and ``same`` (share alike).
        For paragraphs: ``paragraphs`` compared, Cohen's ``kappa`` per category,
        ``exact`` (share with the same label set) and ``first_label`` (share with
        the same first label). For evidence: ``indicators`` compared, ``links`` in
        each, ``both`` (links in both), ``f1`` of the two link sets and
        ``has_evidence`` (share of indicators both give evidence or both give none).

    Raises
    ------
    InputError
        A table is unreadable, is neither kind, the two are of different kinds,
        or they share no id.
    """
    from sklearn.metrics import cohen_kappa_score

    labellings, kinds = [], []
    for path in (first, second):
        table = _read_table(Path(path))
        if {"indicator", "paragraph", "supports"} <= set(table.columns):
            kinds.append("supports")
            labellings.append({f"{i} {p}": [str(bool(v))] for i, p, v in
                               zip(table["indicator"], table["paragraph"], table["supports"])})
            continue
        kind = "labels" if "labels" in table.columns else "evidence" if "evidence" in table.columns else None
        if "id" not in table.columns or kind is None:
            raise InputError(path, "a labelling needs an id column and a labels or an evidence column, "
                                   "or indicator, paragraph and supports columns")
        labellings.append({str(i): _as_list(v, path, i, kind) for i, v in zip(table["id"], table[kind])})
        kinds.append(kind)
    if kinds[0] != kinds[1]:
        raise InputError(second, f"holds {kinds[1]} but {first} holds {kinds[0]}; compare two labellings of one kind")
    a, b = labellings
    ids = [i for i in a if i in b]
    if not ids:
        raise InputError(second, f"shares no id with {first}")
    if kinds[0] == "supports":
        x, y = ([d[i] == ["True"] for i in ids] for d in (a, b))
        both = sum(u and v for u, v in zip(x, y))
        return {"pairs": len(ids), "kappa": float(cohen_kappa_score(x, y)), "supports": [sum(x), sum(y)],
                "both": both, "f1": 2 * both / (sum(x) + sum(y)) if sum(x) + sum(y) else 1.0,
                "same": sum(u == v for u, v in zip(x, y)) / len(ids)}
    if kinds[0] == "evidence":
        both = sum(len(set(a[i]) & set(b[i])) for i in ids)
        links = [sum(len(set(x[i])) for i in ids) for x in (a, b)]
        return {"indicators": len(ids), "links": links, "both": both,
                "f1": 2 * both / sum(links) if sum(links) else 1.0,
                "has_evidence": sum(bool(a[i]) == bool(b[i]) for i in ids) / len(ids)}
    categories = categories or sorted({l for i in ids for l in a[i] + b[i]})
    kappa = {c: float(cohen_kappa_score([c in a[i] for i in ids], [c in b[i] for i in ids])) for c in categories}
    return {"paragraphs": len(ids), "kappa": kappa,
            "exact": sum(set(a[i]) == set(b[i]) for i in ids) / len(ids),
            "first_label": sum(a[i][:1] == b[i][:1] for i in ids) / len(ids)}
