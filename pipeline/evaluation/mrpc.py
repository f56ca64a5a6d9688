"""Evaluate the "same fact?" scorer on the MRPC test split.

    python -m pipeline.evaluation.mrpc [--data ../shared/eval/mrpc] [--model models/similarity]

Prints accuracy and F1 of the text score alone (probability >= threshold) and
with structural vetoes, next to published / previously measured figures.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import time
from typing import Sequence

import numpy as np

from pipeline import similarity as sim
from pipeline.training.similarity import analyze_texts, metrics, read_mrpc
from ..config import SHARED_DIR
from . import missing_data

DEFAULT_DATA = SHARED_DIR / "eval" / "mrpc"

#: (name, accuracy, F1) in percent
REFERENCE: tuple[tuple[str, float, float], ...] = (
    ("majority class (published)", 66.5, 79.9),
    ("token Jaccard (published)", 73.0, 81.3),
    ("BERT-base (published)", 86.0, 90.0),
    ("rapidfuzz token_set_ratio (measured here)", 72.2, 80.7),
    ("MinHash (measured here)", 72.0, 81.1),
    ("all-MiniLM-L6-v2 cosine (measured here)", 71.9, 80.7),
)


def evaluate(
    scorer: sim.ParaphraseScorer, pairs, infos: dict[str, sim.SentenceInfo] | None = None
) -> dict[str, dict[str, float]]:
    y = np.array([p.label for p in pairs])
    if infos is None:
        infos = analyze_texts([t for p in pairs for t in (p.a, p.b)])
    t0 = time.perf_counter()
    scores = [scorer.score_info(infos[p.a], infos[p.b]) for p in pairs]
    single = time.perf_counter() - t0
    text = np.array([s.text_same for s in scores])
    veto = np.array([s.same for s in scores])
    return {
        "text_only": metrics(text, y),
        "with_vetoes": metrics(veto, y),
        "vetoed_pairs": {"count": int(np.sum(text & ~veto)), "of_which_positive": int(np.sum(text & ~veto & (y == 1)))},
        "speed": {"pairs_per_s_single": round(len(pairs) / single, 1)},
    }


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=pathlib.Path, default=DEFAULT_DATA)
    ap.add_argument("--model", type=pathlib.Path, default=sim.DEFAULT_MODEL_DIR)
    ap.add_argument("--json", action="store_true", help="print the results as JSON too")
    args = ap.parse_args(argv)
    test_file = args.data / "msr_paraphrase_test.txt" if args.data.is_dir() else args.data
    problem = missing_data(test_file)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    scorer = sim.ParaphraseScorer.load(args.model)
    pairs = read_mrpc(test_file)
    t0 = time.perf_counter()
    infos = analyze_texts([t for p in pairs for t in (p.a, p.b)])
    parse_s = time.perf_counter() - t0
    res = evaluate(scorer, pairs, infos)
    res["speed"]["spacy_parse_sentences_per_s"] = round(len(infos) / parse_s, 1)
    cv = scorer.meta.get("cv", {})
    print(f"MRPC test: {len(pairs)} pairs, model {scorer.version}, threshold {scorer.threshold}")
    print(f"{'system':<46} {'acc':>6} {'F1':>6}")
    for name, acc, f1 in REFERENCE:
        print(f"{name:<46} {acc:>6.1f} {f1:>6.1f}")
    for key, label in (("text_only", "this scorer, text score only"), ("with_vetoes", "this scorer, with structural vetoes")):
        m = res[key]
        print(f"{label:<46} {100 * m['accuracy']:>6.1f} {100 * m['f1']:>6.1f}")
    for key in ("text_only", "with_vetoes"):
        if key in cv:
            print(f"{'  (train CV, ' + key.replace('_', ' ') + ')':<46} {100 * cv[key]['accuracy']:>6.1f} {100 * cv[key]['f1']:>6.1f}")
    better = "text score only" if res["text_only"]["f1"] >= res["with_vetoes"]["f1"] else "with vetoes"
    v = res["vetoed_pairs"]
    print(
        f"higher F1: {better}; vetoes flipped {v['count']} predicted matches "
        f"({v['of_which_positive']} of them MRPC paraphrases)"
    )
    print(
        f"speed: {res['speed']['pairs_per_s_single']:.0f} pairs/s scoring (pre-analysed sentences), "
        f"spaCy parse {res['speed']['spacy_parse_sentences_per_s']:.0f} sentences/s"
    )
    if args.json:
        print(json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
