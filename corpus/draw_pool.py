"""Draw the candidate pairs of the cross-document link pool (`link_pool.jsonl`).

For every indicator row of `indicators.jsonl`, candidates come from the
paragraphs of the corpus' *other* documents: the top 16 by BM25 (bm25s over
the project's tokens, the indicator's name and target as the query), the top
16 by the linker of the model given, and 5 drawn at random (seeded). Each pair
records which methods drew it (`drawn_by`); judges never see that field.

    python corpus/draw_pool.py --model models/default > pool_candidates.jsonl
"""
import argparse
import json
import random
import sys
from pathlib import Path

import bm25s
import numpy as np

from nlp.link import link_confidences
from nlp.model import load_model

HERE = Path(__file__).resolve().parent
TOP, RANDOM, SEED = 16, 5, 20261206


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None)
    args = parser.parse_args()
    model = load_model(args.model)
    paragraphs = [r for r in map(json.loads, (HERE / "paragraphs.jsonl").open(encoding="utf-8"))
                  if r["kind"] == "paragraph"]
    indicators = [json.loads(line) for line in (HERE / "indicators.jsonl").open(encoding="utf-8")]
    retriever = bm25s.BM25()
    retriever.index([model.tokenizer(p["text"]) or ["<empty>"] for p in paragraphs], show_progress=False)
    rng = random.Random(SEED)
    docs = np.array([p["doc_id"] for p in paragraphs])
    for ind in indicators:
        others = np.flatnonzero(docs != ind["doc_id"])
        query = model.tokenizer(f"{ind['name']} {ind['target']}")
        bm25 = retriever.get_scores(query)[others]
        # The linker compares one indicator with one set of candidates: here, every other document's paragraphs.
        candidates = [{"text": paragraphs[j]["text"], "section": paragraphs[j].get("section", "")} for j in others]
        linker = link_confidences(candidates, [{k: v for k, v in ind.items() if k != "doc_id"}], model=model)[0]
        drawn = {}
        for name, scores in (("bm25", bm25), ("linker", linker)):
            for k in np.argsort(-scores, kind="stable")[:TOP]:
                drawn.setdefault(int(others[k]), []).append(name)
        for j in rng.sample([int(j) for j in others if int(j) not in drawn], RANDOM):
            drawn[j] = ["random"]
        for j, by in sorted(drawn.items()):
            print(json.dumps({"indicator": ind["id"], "paragraph": paragraphs[j]["id"],
                              "paragraph_doc": paragraphs[j]["doc_id"], "drawn_by": by}, ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())
