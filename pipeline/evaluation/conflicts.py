"""Conflict detection measured on our own test articles (tests/data/conflicts).

`changed_*.txt` restate seed facts with one deliberate change per sentence (date, quantity,
place, negation, entity); `consistent_*.txt` restate them faithfully. We run the whole pipeline
over the seeds plus these articles and report recall on the changed sentences (a conflict of
the expected kind between a claim of the changed sentence and a claim of the seed sentence) and
false conflicts on the consistent ones.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq

from ..config import PACKAGE_DIR, PipelineConfig
from ..runner import run_all

ROOT = PACKAGE_DIR.parent
DATA = ROOT / "tests" / "data" / "conflicts"
SEEDS = ROOT / "seeds"


def evaluate(data: Path = DATA, seeds: Path = SEEDS) -> dict[str, object]:
    """Recall per kind on changed restatements, false conflicts on consistent ones."""
    expected = [json.loads(l) for l in (data / "expected.jsonl").read_text(encoding="utf-8").splitlines() if l.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        inp, out = Path(tmp) / "in", Path(tmp) / "out"
        inp.mkdir()
        for f in [*seeds.glob("*.txt"), *data.glob("*.txt")]:
            (inp / f.name).write_bytes(f.read_bytes())
        run_all(inp, out, config=PipelineConfig())
        articles = {r["source"]: r for r in pq.read_table(out / "articles.parquet").to_pylist()}
        claims = {r["claim_id"]: r for r in pq.read_table(out / "claims.parquet").to_pylist()}
        conflicts = pq.read_table(out / "conflicts.parquet").to_pylist()

    def claim_ids(file: str, sentence: str) -> set[str]:
        art = articles[file]
        start = art["text"].find(sentence)
        end = start + len(sentence)
        return {
            cid for cid, c in claims.items()
            if c["article_id"] == art["article_id"] and c["start_char"] < end and c["end_char"] > start
        }

    found: Counter[str] = Counter()
    any_kind: Counter[str] = Counter()
    total: Counter[str] = Counter()
    false_pairs = 0
    consistent = 0
    misses: list[str] = []
    for e in expected:
        test_ids = claim_ids(e["file"], e["sentence"])
        seed_ids = claim_ids(e["seed_file"], e["seed_sentence"])
        between = [
            c for c in conflicts
            if ({c["claim_id_a"], c["claim_id_b"]} & test_ids) and ({c["claim_id_a"], c["claim_id_b"]} & seed_ids)
        ]
        if e["kind"] is None:
            consistent += 1
            false_pairs += bool(between)
            continue
        total[e["kind"]] += 1
        if any(c["kind"] == e["kind"] for c in between):
            found[e["kind"]] += 1
        else:
            misses.append(f"{e['kind']}: {e['sentence'][:90]} (claims: test {len(test_ids)}, seed {len(seed_ids)})")
        any_kind[e["kind"]] += bool(between)
    n_changed = sum(total.values())
    return {
        "changed": n_changed,
        "recall": round(sum(found.values()) / n_changed, 3) if n_changed else None,
        "recall_any_kind": round(sum(any_kind.values()) / n_changed, 3) if n_changed else None,
        "recall_by_kind": {k: f"{found[k]}/{total[k]}" for k in sorted(total)},
        "consistent": consistent,
        "false_conflicts": false_pairs,
        "false_conflict_rate": round(false_pairs / consistent, 3) if consistent else None,
        "conflicts_total": len(conflicts),
        "misses": misses,
    }


def main(argv: list[str] | None = None) -> int:
    """Print recall on changed restatements and false conflicts on consistent ones."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--misses", action="store_true", help="list the changed sentences with no conflict found")
    args = parser.parse_args(argv)
    r = evaluate()
    print("Conflict detection on our restatements of seed facts (tests/data/conflicts)")
    print(f"  changed sentences: {r['changed']}, recall (expected kind) {r['recall']}, recall (any kind) {r['recall_any_kind']}")
    print(f"  by kind: {r['recall_by_kind']}")
    print(f"  consistent restatements: {r['consistent']}, with a false conflict: {r['false_conflicts']} (rate {r['false_conflict_rate']})")
    print(f"  conflicts in the whole run: {r['conflicts_total']}")
    if args.misses:
        for m in r["misses"]:  # type: ignore[union-attr]
            print("  miss:", m)
    if args.json:
        args.json.write_text(json.dumps(r, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
