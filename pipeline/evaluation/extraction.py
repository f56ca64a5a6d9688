"""Article-body extraction from real web pages (Article Extraction Benchmark, dev pages), next to the published figures.

    python -m pipeline.evaluation.extraction [--data ../shared/eval/extraction] [--output DIR] [--no-run]

Copies the 95 dev pages (`html/<id>.html.gz`) into a temp input folder, runs ingest and segment on
them and scores the run with the data's own scorer (`score_extraction.py`: the body is the run's
sentences without page furniture; shingles of 4 tokens, P and R averaged over pages). Pages not in
English are kept with their text and sentences (only claims skip them), so they count like the others.
Figures are printed over all pages and over the pages the pipeline accepts, and trafilatura's defaults
are scored on the same pages for comparison; also without the furniture step, to show what it adds.
Dev split only.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from ..config import SHARED_DIR, PipelineConfig
from . import load_scorer

DEFAULT_DATA = SHARED_DIR / "eval" / "extraction"

#: (name, F1, P, R) on the 95 dev pages, from ../shared/eval/README.md.
REFERENCE: tuple[tuple[str, float, float, float], ...] = (
    ("trafilatura 2.3.1 extract() defaults (published; P .931-.938)", 0.954, 0.931, 0.968),
    ("the pipeline at 84b2c69 (HTML rejected; published)", 0.0, 0.0, 0.0),
)


def _score(metric: ModuleType, gold: dict[str, Any], bodies: dict[str, str], pages: list[str]) -> dict[str, float]:
    """The benchmark's metric over `pages` (a missing body is empty)."""
    sub = {k: gold[k] for k in pages}
    pred = {k: {"articleBody": bodies.get(k, "")} for k in pages}
    m = metric.evaluate(sub, pred, 200)
    return {k: float(m[k]) for k in ("f1", "precision", "recall")}


def evaluate(data: Path, output: Path | None = None, *, run: bool = True) -> dict[str, Any]:
    """Run ingest and segment over the dev pages (unless `run` is False) and score the bodies."""
    import pandas as pd
    import trafilatura

    from ..runner import run_ingest, run_stage

    gold = json.loads((data / "ground-truth-dev.json").read_text(encoding="utf-8"))
    metric = load_scorer(data / "evaluate.py", "aeb_evaluate")
    with tempfile.TemporaryDirectory() as tmp:
        out = output or Path(tmp) / "out"
        seconds: dict[str, float] = {}
        if run:
            inp = Path(tmp) / "in"
            inp.mkdir()
            for page_id in gold:
                shutil.copyfile(data / "html" / f"{page_id}.html.gz", inp / f"{page_id}.html.gz")
            config = PipelineConfig()
            started = time.perf_counter()
            run_ingest(inp, out, config=config)
            seconds["ingest"] = time.perf_counter() - started
            started = time.perf_counter()
            run_stage("segment", out, config=config)
            seconds["segment"] = time.perf_counter() - started
        with contextlib.redirect_stdout(io.StringIO()):
            official = load_scorer(data / "score_extraction.py", "aeb_score").main(str(data / "ground-truth-dev.json"), str(out), True)
        arts = pd.read_parquet(out / "articles.parquet", columns=["article_id", "status", "text"])
        accepted = sorted(set(arts[arts.status == "ok"].article_id) & set(gold))
        sents = pd.read_parquet(out / "sentences.parquet").sort_values(["article_id", "start_char"])
        body = sents[sents.furniture.isna()].groupby("article_id").text.agg("\n".join).to_dict()
        every = sents.groupby("article_id").text.agg("\n".join).to_dict()
        removed = sents[sents.furniture.notna()]
    baseline = {}
    for page_id in accepted:
        html = gzip.decompress((data / "html" / f"{page_id}.html.gz").read_bytes())
        baseline[page_id] = trafilatura.extract(html) or ""
    return {
        "pages": len(gold),
        "accepted": len(accepted),
        "official": official,
        "accepted_pipeline": _score(metric, gold, body, accepted),
        "accepted_no_furniture_step": _score(metric, gold, every, accepted),
        "accepted_trafilatura_defaults": _score(metric, gold, baseline, accepted),
        "furniture_sentences": int(len(removed)),
        "furniture_by_reason": {str(k): int(v) for k, v in removed.furniture.value_counts().items()},
        "seconds": seconds,
    }


def main(argv: list[str] | None = None) -> int:
    """Print body F1/P/R next to the published figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--output", type=Path, help="keep the run's tables here (or score them with --no-run)")
    parser.add_argument("--no-run", action="store_true", help="score the run already in --output")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if not (args.data / "ground-truth-dev.json").exists():
        print(f"skipped: {args.data} not found (the extraction benchmark lives in ../shared)", file=sys.stderr)
        return 0
    if args.no_run and args.output is None:
        raise SystemExit("--no-run needs --output, the folder of an existing run")
    r = evaluate(args.data, args.output, run=not args.no_run)
    o = r["official"]
    print(f"Article-body extraction, {r['pages']} dev pages (Article Extraction Benchmark metric)")
    print(f"  {'':66s}   F1     P      R")
    for name, f, p, rec in REFERENCE:
        print(f"  {name:66s} {f:.3f}  {p:.3f}  {rec:.3f}")
    print(f"  {'this pipeline, all pages (score_extraction.py)':66s} {o['f1']:.3f}  {o['precision']:.3f}  {o['recall']:.3f}")
    n = r["accepted"]
    for key, label in (
        ("accepted_trafilatura_defaults", f"trafilatura defaults, the {n} pages the pipeline accepts"),
        ("accepted_no_furniture_step", f"this pipeline without the furniture step, same {n} pages"),
        ("accepted_pipeline", f"this pipeline, same {n} pages"),
    ):
        x = r[key]
        print(f"  {label:66s} {x['f1']:.3f}  {x['precision']:.3f}  {x['recall']:.3f}")
    print(f"  furniture sentences left out: {r['furniture_sentences']} {r['furniture_by_reason']}")
    if r["seconds"]:
        print("  seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in r["seconds"].items()))
    if args.json:
        args.json.write_text(json.dumps(r, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
