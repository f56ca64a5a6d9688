"""Cross-source event and fact linking on ECB+ dev gold, next to the published baselines.

    python -m pipeline.evaluation.events [--corpus ../shared/corpora/ecbplus-dev.jsonl]
                                         [--gold ../shared/eval/ecbplus/events-dev.json] [--output DIR]

Runs the whole pipeline over the ECB+ dev articles (or scores an existing run with --output and
--no-run), then scores it with the data's own scorer (`score_events.py`): two annotated sentences
in different articles are linked at fact level when claims of theirs share a `cluster_id`, at
event level when they share a `cluster_id` or an `event_key`; conflicts between annotated
sentences are checked against the gold events. ECB+ dev is a dev split: tuning on it is allowed.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from ..config import SHARED_DIR
from . import load_scorer, run_corpus

DEFAULT_CORPUS = SHARED_DIR / "corpora" / "ecbplus-dev.jsonl"
DEFAULT_GOLD = SHARED_DIR / "eval" / "ecbplus" / "events-dev.json"

#: (name, P, R, F1) on the same pairs, from ../shared/eval/README.md.
REFERENCE: tuple[tuple[str, float, float, float], ...] = (
    ("TF-IDF cosine of the two sentences, best threshold (published)", 0.512, 0.506, 0.509),
    ("all-MiniLM-L6-v2 cosine, best threshold (published)", 0.529, 0.592, 0.559),
    ("every pair within a gold topic half (published)", 0.502, 0.992, 0.667),
    ("the pipeline at 84b2c69, event level (published)", 0.713, 0.089, 0.158),
    ("the pipeline at 84b2c69, fact level (published)", 0.950, 0.035, 0.068),
)



def _scorer(gold: Path) -> Any:
    """The data's own scorer module (score_events.py beside the gold file)."""
    return load_scorer(gold.parent / "score_events.py")


def evaluate(corpus: Path, gold: Path, output: Path | None = None, *, run: bool = True) -> dict[str, Any]:
    """Run the pipeline over the corpus (unless `run` is False) and score it against the gold."""
    scorer = _scorer(gold)
    if not run:
        if output is None:
            raise SystemExit("--no-run needs --output, the folder of an existing run")
        return scorer.score(gold, output, as_json=True)
    with tempfile.TemporaryDirectory() as tmp:
        return scorer.score(gold, run_corpus(corpus, Path(tmp), output=output), as_json=True)


def main(argv: list[str] | None = None) -> int:
    """Print event- and fact-level pair P/R/F1 next to the published baselines."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    parser.add_argument("--output", type=Path, help="keep the run's tables here (or score them with --no-run)")
    parser.add_argument("--no-run", action="store_true", help="score the run already in --output")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    for path in (args.corpus, args.gold):
        if not path.exists():
            print(f"skipped: {path} not found (the ECB+ dev data lives in ../shared)", file=sys.stderr)
            return 0
    import contextlib
    import io

    with contextlib.redirect_stdout(io.StringIO()):  # the scorer prints its JSON; we print a table
        r = evaluate(args.corpus, args.gold, args.output, run=not args.no_run)
    print("Cross-source linking, ECB+ dev (topics 1-35): same-event sentence pairs across articles")
    print(f"  annotated sentences {r['annotated_sentences']}, with a claim {r['sentences_with_claims']}; "
          f"gold pairs {r['gold_pairs']} ({r['gold_pairs_both_have_claims']} where both sentences have a claim)")
    print(f"  {'':66s}   P      R      F1")
    for name, p, rec, f in REFERENCE:
        print(f"  {name:66s} {p:.3f}  {rec:.3f}  {f:.3f}")
    for level, label in (("event", "this pipeline, event level (cluster_id or event_key)"),
                         ("fact", "this pipeline, fact level (cluster_id)"),
                         ("event_on_covered", "this pipeline, event level, pairs whose sentences have claims")):
        x = r[level]
        print(f"  {label:66s} {x['p']:.3f}  {x['r']:.3f}  {x['f']:.3f}")
    print(f"  conflicts {r['conflicts']}: {r['conflicts_judged']} between annotated sentences, "
          f"{r['conflicts_same_event']} of them about one gold event")
    if args.json:
        args.json.write_text(json.dumps(r, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
