"""Worst-case articles: ``python -m bench.worst`` (part of ``make bench``).

One allowed article (up to ``max_article_bytes``) must not stall a run. Each worst case below is
built at a quarter of the size limit and just under it, and each is run through ``pipeline run``
in its own process. The figure that matters is the *growth*: how much more the large article
costs than the small one, beyond what every run pays (the model load, measured on a one-line
article). Linear cost gives a growth exponent of 1 (4x the text, 4x the time); the run fails
(exit 1) when a case grows faster than ``--max-exponent`` (default 1.3) or takes longer than
``--timeout`` seconds.

* ``no_full_stops``: 1 MB of words with no punctuation: spaCy's "sentences" run to thousands of
  characters (it took >15 minutes and 3 GB before claims were capped).
* ``one_word_lines``: one word per line (879 s at 270 KB before).
* ``repeated_sentence``: one sentence repeated (14,000 copies made 14,000 clusters).
* ``distinct_facts``: distinct short sentences that each carry a name, a number, a place and a
  date: every one becomes a claim, in one story, so dedup and conflicts have the most to do.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

from pipeline.config import DEFAULT_CONFIG

DEFAULT_RESULTS = Path("bench") / "worst_results.json"

_WORDS = (
    "council budget river bridge election museum harbour winter railway school hospital market "
    "minister report police festival tunnel garden station library theatre factory airport"
).split()
_NAMES = ("Anna Berg", "Tom Keller", "Sara Lind", "Omar Haddad", "Mei Chen", "Luis Ortega")
_PLACES = ("Leeds", "Bristol", "Hamburg", "Lyon", "Porto", "Gdansk", "Turin", "Malmo")
_MONTHS = ("January", "March", "May", "July", "September", "November")


def _no_full_stops(size: int, rng: random.Random) -> str:
    words: list[str] = []
    n = 0
    while n < size:
        # function words keep it English (ingest rejects text that is not)
        words.extend((rng.choice(("the", "a", "and the", "of the", "in the", "to the")), rng.choice(_WORDS)))
        n += len(words[-2]) + len(words[-1]) + 2
    return " ".join(words)


def _one_word_lines(size: int, rng: random.Random) -> str:
    return _no_full_stops(size, rng).replace(" ", "\n")


def _repeated_sentence(size: int, rng: random.Random) -> str:
    sentence = "The council closed 12 libraries in Leeds on 3 March 2019, officials said. "
    return sentence * (size // len(sentence))


def _distinct_facts(size: int, rng: random.Random) -> str:
    parts: list[str] = []
    n = 0
    while n < size:
        s = (
            f"{rng.choice(_NAMES)} said the {rng.choice(_WORDS)} in {rng.choice(_PLACES)} cost "
            f"{rng.randint(2, 900)} million euros on {rng.randint(1, 28)} {rng.choice(_MONTHS)} {rng.randint(1990, 2024)}. "
        )
        parts.append(s)
        n += len(s)
    return "".join(parts)


CASES: dict[str, Callable[[int, random.Random], str]] = {
    "no_full_stops": _no_full_stops,
    "one_word_lines": _one_word_lines,
    "repeated_sentence": _repeated_sentence,
    "distinct_facts": _distinct_facts,
}


class Timing(NamedTuple):
    """One run of one article."""

    case: str
    bytes: int
    seconds: float
    claims: int
    exit_code: int


def run_article(text: str, *, case: str, workdir: Path, timeout: float) -> Timing:
    """`pipeline run` over one article in a fresh process and folder; a timeout counts as a failure."""
    folder = workdir / f"{case}-{len(text)}"
    (folder / "in").mkdir(parents=True)
    (folder / "in" / "article.txt").write_text(f"Worst case {case}\n\n{text}", encoding="utf-8")
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pipeline", "run", "--input", str(folder / "in"), "--output", str(folder / "out"), "--quiet", "--processes", "1"],
            capture_output=True, text=True, timeout=timeout, check=False,
        )
        code = done.returncode
    except subprocess.TimeoutExpired:
        code = -1
    seconds = time.perf_counter() - started
    claims = 0
    if code == 0:
        import pyarrow.parquet as pq

        row = pq.read_table(folder / "out" / "articles.parquet", columns=["status", "error"]).to_pylist()[0]
        if row["status"] != "ok":  # a rejected article measures nothing
            raise SystemExit(f"worst case {case}: the article was rejected ({row['error']}); fix the generator")
        claims = pq.read_metadata(folder / "out" / "claims.parquet").num_rows
    return Timing(case, len(text.encode("utf-8")), seconds, claims, code)


def growth_exponent(small: Timing, large: Timing, *, baseline: float) -> float:
    """log(time ratio) / log(size ratio), each time less the fixed cost every run pays."""
    a, b = max(small.seconds - baseline, 1e-3), max(large.seconds - baseline, 1e-3)
    return math.log(b / a) / math.log(large.bytes / small.bytes)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.worst", description=__doc__.split("\n\n")[0])
    p.add_argument("--max-bytes", type=int, default=DEFAULT_CONFIG.max_article_bytes - 4_096, help="the large article (default: just under the limit)")
    p.add_argument("--timeout", type=float, default=900.0, help="seconds one article may take (default: %(default)s)")
    p.add_argument("--max-exponent", type=float, default=1.3, help="fail above this growth exponent (default: %(default)s)")
    p.add_argument("--cases", default=",".join(CASES), help="comma-separated subset of: " + ", ".join(CASES))
    p.add_argument("--out", type=Path, default=DEFAULT_RESULTS)
    args = p.parse_args(argv)
    cases = [c for c in args.cases.split(",") if c]
    unknown = [c for c in cases if c not in CASES]
    if unknown:
        p.error(f"unknown case(s) {', '.join(unknown)}; expected some of {', '.join(CASES)}")
    rows: list[dict[str, object]] = []
    failed = False
    with tempfile.TemporaryDirectory(prefix="pipeline-worst-") as tmp:
        base = run_article("The council met on Monday.", case="baseline", workdir=Path(tmp), timeout=args.timeout)
        print(f"fixed cost of a run (one-line article): {base.seconds:.1f} s", file=sys.stderr)
        for case in cases:
            small_text = CASES[case](args.max_bytes // 4, random.Random(1))
            large_text = CASES[case](args.max_bytes, random.Random(1))
            small = run_article(small_text, case=case, workdir=Path(tmp), timeout=args.timeout)
            large = run_article(large_text, case=case, workdir=Path(tmp), timeout=args.timeout)
            ok = small.exit_code == 0 and large.exit_code == 0
            exponent = growth_exponent(small, large, baseline=base.seconds) if ok else float("nan")
            passed = ok and exponent <= args.max_exponent
            failed |= not passed
            rows.append({
                "case": case, "small_bytes": small.bytes, "small_seconds": round(small.seconds, 1), "large_bytes": large.bytes,
                "large_seconds": round(large.seconds, 1), "large_claims": large.claims, "growth_exponent": round(exponent, 2),
                "seconds_per_mb": round((large.seconds - base.seconds) / (large.bytes / 1e6), 1), "passed": passed,
            })
            print(f"{case}: {small.bytes / 1e6:.2f} MB {small.seconds:.1f} s -> {large.bytes / 1e6:.2f} MB {large.seconds:.1f} s "
                  f"({large.claims} claims), growth exponent {exponent:.2f}{'' if passed else '  FAILED'}", file=sys.stderr)
    results = {"date": dt.date.today().isoformat(), "baseline_seconds": round(base.seconds, 1), "max_exponent": args.max_exponent, "cases": rows}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    width = max(len(c) for c in cases)
    print(f"{'worst case':<{width}}  {'MB':>5}  {'s':>6}  {'s/MB':>6}  {'claims':>6}  growth")
    for r in rows:
        print(f"{r['case']:<{width}}  {r['large_bytes'] / 1e6:>5.2f}  {r['large_seconds']:>6}  {r['seconds_per_mb']:>6}  {r['large_claims']:>6}  {r['growth_exponent']} (x4 text)")
    print(f"wrote {args.out}")
    return 1 if failed else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
