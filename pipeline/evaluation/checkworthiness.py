"""Evaluate the check-worthiness scorer on ClaimBuster ``groundtruth.csv`` (TEST).

    python -m pipeline.evaluation.checkworthiness [--data ../shared/eval/claimbuster] [--model models/checkworthiness]

Prints precision / recall / F1 of the check-worthy class (Verdict == 1) at the model's
CV-chosen threshold, ROC AUC, the train-CV figures stored in meta.json, model size and
scoring speed, next to reference figures.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys
import time
from typing import Any, Sequence


from pipeline import checkworthiness as cw
from pipeline.training.checkworthiness import TEST_FILE, figures, read_claimbuster
from ..config import SHARED_DIR

DEFAULT_DATA = SHARED_DIR / "eval" / "claimbuster"

#: (name, precision, recall, F1) on groundtruth.csv
REFERENCE: tuple[tuple[str, float | None, float | None, float], ...] = (
    ("TF-IDF word 1-2-grams + balanced LR (floor, measured here)", 0.753, 0.945, 0.838),
    ("all-MiniLM-L6-v2 embeddings + LR (measured here)", None, None, 0.819),
    ("Full Fact detector (reported)", None, None, 0.83),
)


def measure_speed(model: cw.CheckworthinessModel, texts: Sequence[str], *, repeat: int = 3) -> dict[str, float]:
    """Sentences per second, batched (whole list per call) and one sentence per call."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        model.score(texts)
        best = min(best, time.perf_counter() - t0)
    sample = list(texts[:200])
    t0 = time.perf_counter()
    for t in sample:
        model.score([t])
    single = time.perf_counter() - t0
    return {
        "batched_sentences_per_s": round(len(texts) / best, 1),
        "single_call_sentences_per_s": round(len(sample) / single, 1),
    }


def evaluate(model: cw.CheckworthinessModel, data: pathlib.Path) -> dict[str, Any]:
    texts, labels = read_claimbuster(data / TEST_FILE)
    scores = model.score(texts)
    out: dict[str, Any] = {
        "test": figures(labels, scores, model.threshold),
        "test_at_0.5": figures(labels, scores, 0.5),
        "threshold": model.threshold,
        "speed": measure_speed(model, texts),
    }
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=pathlib.Path, default=DEFAULT_DATA, help="ClaimBuster folder with groundtruth.csv")
    ap.add_argument("--model", type=pathlib.Path, default=cw.DEFAULT_MODEL_DIR)
    ap.add_argument("--json", action="store_true", help="print the results as JSON too")
    args = ap.parse_args(argv)

    try:
        model = cw.CheckworthinessModel.load(args.model)
    except cw.ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not (args.data / TEST_FILE).is_file():
        print(f"error: {args.data / TEST_FILE}: not found", file=sys.stderr)
        return 2
    res = evaluate(model, args.data)
    meta_file = pathlib.Path(model.path).parent / "meta.json" if model.path else None
    meta = json.loads(meta_file.read_text()) if meta_file and meta_file.is_file() else {}
    size = pathlib.Path(model.path).stat().st_size if model.path else 0
    res["model"] = {"version": model.version, "artifact_bytes": size, "features": sum(len(b.vocabulary) for b in model.blocks)}
    res["dev_cv"] = meta.get("dev_cv")

    t = res["test"]
    print(f"check-worthiness model {model.version} ({size / 1e6:.2f} MB, {res['model']['features']} features), "
          f"threshold {model.threshold:.4f}")
    print(f"{'':60s} {'P':>6s} {'R':>6s} {'F1':>6s}")
    print(f"{'this model, groundtruth.csv (test)':60s} {t['precision']:6.3f} {t['recall']:6.3f} {t['f1']:6.3f}"
          f"   AUC {t['roc_auc']:.3f}  n={t['n']} pos={t['positives']}")
    t5 = res["test_at_0.5"]
    print(f"{'this model, test, at score >= 0.5':60s} {t5['precision']:6.3f} {t5['recall']:6.3f} {t5['f1']:6.3f}")
    if res["dev_cv"]:
        d = res["dev_cv"]
        print(f"{'this model, 5-fold CV on train (crowdsourced.csv)':60s} {d['precision']:6.3f} {d['recall']:6.3f} "
              f"{d['f1']:6.3f}   AUC {d.get('roc_auc', float('nan')):.3f}")
    for name, p, r, f in REFERENCE:
        ps = f"{p:6.3f}" if p is not None else f"{'-':>6s}"
        rs = f"{r:6.3f}" if r is not None else f"{'-':>6s}"
        print(f"{name:60s} {ps} {rs} {f:6.3f}")
    s = res["speed"]
    print(f"speed: {s['batched_sentences_per_s']:.0f} sentences/s batched, "
          f"{s['single_call_sentences_per_s']:.0f} sentences/s one per call")
    if args.json:
        print(json.dumps(res, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
