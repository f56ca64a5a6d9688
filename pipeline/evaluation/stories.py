"""Story linking at scale on GVA dev (crawled local news, one gold incident per article), next to the published baselines.

    python -m pipeline.evaluation.stories [--corpus ../shared/corpora/gva-dev.jsonl] [--output DIR] [--no-run]

Runs the whole pipeline over the corpus (or scores an existing run with --output and --no-run) and
scores it with the data's own scorer (`../shared/eval/stories/score_stories.py`): two articles are
linked at event level when claims of theirs share an `event_key` or a `cluster_id`, at fact level
when they share a `cluster_id`; purity is the share of keys spanning articles whose articles are one
incident. The gold `cluster` is never read by the pipeline. GVA dev is a dev split.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from ..config import SHARED_DIR
from . import load_scorer, run_corpus

DEFAULT_CORPUS = SHARED_DIR / "corpora" / "gva-dev.jsonl"
DEFAULT_SCORER = SHARED_DIR / "eval" / "stories" / "score_stories.py"

#: (name, P, R, F1) on the same article pairs, from ../shared/eval/README.md.
REFERENCE: tuple[tuple[str, float, float, float], ...] = (
    ("TF-IDF cosine of the two articles, best threshold (published)", 0.519, 0.603, 0.558),
    ("the pipeline at 84b2c69, event level (published)", 0.001, 0.545, 0.002),
    ("the pipeline at 84b2c69, fact level (published)", 0.001, 0.455, 0.001),
)


def evaluate(corpus: Path, scorer_path: Path, output: Path | None = None, *, run: bool = True) -> dict[str, Any]:
    """Run the pipeline over the corpus (unless `run` is False) and score its story links."""
    scorer = load_scorer(scorer_path)
    if not run:
        if output is None:
            raise SystemExit("--no-run needs --output, the folder of an existing run")
        return scorer.score(corpus, output, as_json=True)
    with tempfile.TemporaryDirectory() as tmp:
        return scorer.score(corpus, run_corpus(corpus, Path(tmp), output=output), as_json=True)


def main(argv: list[str] | None = None) -> int:
    """Print article-pair P/R/F1 and key purity next to the published baselines."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--scorer", type=Path, default=DEFAULT_SCORER)
    parser.add_argument("--output", type=Path, help="keep the run's tables here (or score them with --no-run)")
    parser.add_argument("--no-run", action="store_true", help="score the run already in --output")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    for path in (args.corpus, args.scorer):
        if not path.exists():
            print(f"skipped: {path} not found (the GVA dev data lives in ../shared)", file=sys.stderr)
            return 0
    with contextlib.redirect_stdout(io.StringIO()):  # the scorer prints its JSON; we print a table
        r = evaluate(args.corpus, args.scorer, args.output, run=not args.no_run)
    print(f"Story linking, {args.corpus.name}: same-incident article pairs ({r['articles']} articles, "
          f"{r['articles_with_claims']} with claims)")
    print(f"  {'':62s}   P      R      F1   purity")
    for name, p, rec, f in REFERENCE:
        print(f"  {name:62s} {p:.3f}  {rec:.3f}  {f:.3f}")
    for level, label in (("event", "this pipeline, event level (event_key or cluster_id)"),
                         ("fact", "this pipeline, fact level (cluster_id)")):
        x = r[level]
        print(f"  {label:62s} {x['p']:.3f}  {x['r']:.3f}  {x['f']:.3f}  {x['purity']:.3f} of {x['spanning']} keys")
    if args.json:
        args.json.write_text(json.dumps(r, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
