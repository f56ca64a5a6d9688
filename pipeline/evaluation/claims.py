"""Claim selection scored against the hand-annotated gold set in tests/data/gold/claims_gold.jsonl.

The gold set was annotated before any system output existed. Its ECB+ sentences from topics
>= 20 are held out: the extraction rules were developed on the seeds and ECB+ topics < 20 only.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from ..config import PACKAGE_DIR, PipelineConfig, SHARED_DIR
from ..runner import run_all
from . import missing_data

ROOT = PACKAGE_DIR.parent
GOLD = ROOT / "tests" / "data" / "gold" / "claims_gold.jsonl"
SEEDS = ROOT / "seeds"
ECB = SHARED_DIR / "corpora" / "ecbplus-dev.jsonl"
HELD_OUT_FROM_TOPIC = 20


@dataclass(frozen=True, slots=True)
class SelectionScore:
    """Precision/recall of "this sentence yields at least one claim"."""

    n: int
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def split_of(source: str) -> str:
    """`dev` for seeds and ECB+ topics below 20, `held_out` for the rest."""
    match = re.match(r"ecbplus-(\d+)_", source)
    return "held_out" if match and int(match.group(1)) >= HELD_OUT_FROM_TOPIC else "dev"


def evaluate(gold_path: Path = GOLD, *, ecb_path: Path = ECB, seeds: Path = SEEDS) -> dict[str, object]:
    """Run the pipeline over the gold set's articles and score claim selection and readability."""
    gold = [json.loads(line) for line in gold_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    wanted = {g["source"] for g in gold if g["source"].startswith("ecbplus")}
    with tempfile.TemporaryDirectory() as tmp:
        inp, out = Path(tmp) / "in", Path(tmp) / "out"
        inp.mkdir()
        for seed in seeds.glob("*.txt"):
            (inp / seed.name).write_bytes(seed.read_bytes())
        if wanted:
            lines = [l for l in ecb_path.read_text(encoding="utf-8").splitlines() if l.strip() and json.loads(l)["id"] in wanted]
            (inp / "ecbplus.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        run_all(inp, out, config=PipelineConfig())
        articles = {r["article_id"]: r for r in pq.read_table(out / "articles.parquet").to_pylist()}
        claims = pq.read_table(out / "claims.parquet").to_pylist()
    by_source = {r["source"].split(":")[0] if r["source"].endswith(".txt") else None: r for r in articles.values()}
    claims_by_article: dict[str, list[dict[str, object]]] = {}
    for c in claims:
        claims_by_article.setdefault(str(c["article_id"]), []).append(c)
    counts = {split: {"tp": 0, "fp": 0, "fn": 0, "n": 0} for split in ("dev", "held_out", "all")}
    readable = {"dev": [0, 0], "held_out": [0, 0], "all": [0, 0]}
    errors: list[str] = []
    for g in gold:
        art = articles.get(g["source"]) or by_source.get(g["source"])
        if art is None or art["text"] is None:
            errors.append(f"article not found: {g['source']}")
            continue
        start = art["text"].find(g["sentence"])
        if start < 0:
            errors.append(f"sentence not found in {g['source']}: {g['sentence'][:60]}")
            continue
        end = start + len(g["sentence"])
        found = [c for c in claims_by_article.get(art["article_id"], []) if c["start_char"] < end and c["end_char"] > start]
        predicted, actual = bool(found), bool(g["is_claim"])
        for split in (split_of(g["source"]), "all"):
            counts[split]["n"] += 1
            counts[split]["tp"] += predicted and actual
            counts[split]["fp"] += predicted and not actual
            counts[split]["fn"] += actual and not predicted
            readable[split][0] += sum(bool(c["is_standalone"]) for c in found)
            readable[split][1] += len(found)
    result: dict[str, object] = {"errors": errors}
    for split, c in counts.items():
        score = SelectionScore(c["n"], c["tp"], c["fp"], c["fn"])
        result[split] = {
            "sentences": score.n,
            "precision": round(score.precision, 3),
            "recall": round(score.recall, 3),
            "f1": round(score.f1, 3),
            "claims": readable[split][1],
            "standalone_share": round(readable[split][0] / readable[split][1], 3) if readable[split][1] else None,
        }
    return result


def main(argv: list[str] | None = None) -> int:
    """Print claim-selection figures for the dev and held-out parts of the gold set."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    problem = missing_data(ECB)  # the gold set's ECB+ sentences are read from it
    if problem:
        print(problem, file=sys.stderr)
        return 2
    result = evaluate()
    print("Claim selection on the hand-annotated gold set (tests/data/gold, 238 sentences)")
    print(f"{'split':<10} {'sent':>5} {'P':>6} {'R':>6} {'F1':>6} {'claims':>7} {'standalone':>10}")
    for split in ("dev", "held_out", "all"):
        r = result[split]
        assert isinstance(r, dict)
        print(f"{split:<10} {r['sentences']:>5} {r['precision']:>6.3f} {r['recall']:>6.3f} {r['f1']:>6.3f} {r['claims']:>7} {str(r['standalone_share']):>10}")
    print("Published for scale: ClaimBuster on news claims (NewsClaims) P 13.0 / R 86.5 / F1 22.6")
    for e in result["errors"]:  # type: ignore[union-attr]
        print("warning:", e, file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
