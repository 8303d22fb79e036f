# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Comparing reports: what they describe, and which indicators the text supports
#
# A starting point for research on many self-evaluation reports. It runs the
# batch over `corpus/seeds/` into a DuckDB file (for your own folder, change
# `REPORTS`), then asks the database: which kinds of work each report
# describes, how many of its indicators the narrative supports, which
# indicators have the weakest support, and why the tagger labelled a
# paragraph as it did. The same file answers any other SQL question; its
# tables are described in the README, section "Many reports".

# %%
import tempfile
from pathlib import Path

import duckdb
import matplotlib.pyplot as plt

from nlp.annotate import annotate_file
from nlp.batch import run_batch

ROOT = next(p for p in (Path.cwd(), *Path.cwd().parents) if (p / "corpus" / "seeds").is_dir())
REPORTS = ROOT / "corpus" / "seeds"
DATABASE = Path(tempfile.mkdtemp()) / "reports.duckdb"

summary = run_batch("tag", [str(REPORTS)], out=str(DATABASE), jobs=2)
print(f"{summary.inputs} reports, {len(summary.errors)} could not be read")
db = duckdb.connect(str(DATABASE), read_only=True)
db.sql("SELECT doc_id, paragraphs, indicators FROM reports ORDER BY doc_id").df()

# %% [markdown]
# ## What each report describes
#
# The share of each report's paragraphs in each category (a paragraph with two
# labels counts in both, so a bar can pass 100%).

# %%
categories = db.sql("""
    SELECT doc_id, category, count(*) / any_value(r.paragraphs) AS share
    FROM (SELECT doc_id, unnest(labels) AS category FROM paragraphs) JOIN reports r USING (doc_id)
    GROUP BY doc_id, category
""").df().pivot(index="doc_id", columns="category", values="share").fillna(0)
ax = categories.plot.barh(stacked=True, figsize=(8, 3.5), colormap="tab10")
ax.set_xlabel("share of the report's paragraphs")
ax.set_ylabel("")
ax.legend(bbox_to_anchor=(1, 1), loc="upper left", fontsize="small")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Indicators by status
#
# `supported`: the best paragraph reaches the model's `supported` cut-off;
# `weak`: worth checking by hand; `unsupported`: nothing in the text comes near.

# %%
status = db.sql("""
    SELECT doc_id, status, count(*) AS indicators FROM indicators GROUP BY doc_id, status
""").df().pivot(index="doc_id", columns="status", values="indicators").fillna(0).astype(int)
status = status.reindex(columns=[s for s in ("supported", "weak", "unsupported") if s in status.columns])
ax = status.plot.barh(stacked=True, figsize=(8, 3), color={"supported": "#4c9a2a", "weak": "#e0a526",
                                                           "unsupported": "#c0392b"})
ax.set_xlabel("indicators")
ax.set_ylabel("")
plt.tight_layout()
plt.show()
status

# %% [markdown]
# ## The weakest-supported indicators
#
# Indicators with some support, least first: where a reviewer should look for
# the evidence by hand.

# %%
db.sql("""
    SELECT i.doc_id, i.name, i.target, i.actual, i.status, i.best_confidence, p.text AS best_paragraph
    FROM indicators i
    JOIN links l ON l.doc_id = i.doc_id AND l.indicator = i.id AND l.rank = 1
    JOIN paragraphs p ON p.doc_id = l.doc_id AND p.id = l.paragraph
    ORDER BY i.best_confidence, i.doc_id, i.position
    LIMIT 8
""").df()

# %% [markdown]
# ## Why a paragraph got its labels
#
# The best-supported evidence paragraph, tagged again with `explain=True`: per
# label, the words that pushed its score up.

# %%
doc_id, paragraph, file = db.execute("""
    SELECT l.doc_id, l.paragraph, r.file FROM links l JOIN reports r USING (doc_id)
    ORDER BY l.confidence DESC, l.doc_id, l.paragraph LIMIT 1
""").fetchone()
tag = next(t for t in annotate_file(file, doc_id=doc_id, explain=True).tags if t["id"] == paragraph)
print(tag["text"])
print("labels:", ", ".join(tag["labels"]))
for label, terms in tag["explain"].items():
    print(f"{label} ({tag['scores'][label]:.2f}):", terms)
