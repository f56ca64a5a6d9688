"""Dedup scaling benchmark: ``python -m pipeline.benchmark_dedup`` (claims clustering on synthetic growth).

Shows that clustering stays near-linear in the number of claims: for each size N (default
10k, 100k, 1M) it builds N synthetic claims by sampling real claims with replacement and
perturbing them, then times blocking (:func:`pipeline.dedup.candidate_pairs`) and the full
:func:`pipeline.dedup.cluster` call (with :class:`pipeline.dedup.ClaimMatcher` as judge, as
:func:`pipeline.dedup.deduplicate` does), and prints a table of time and peak memory per size.
Results go to ``bench/dedup_results.json``.

Source. ``claims.parquet`` (+ ``articles.parquet`` and its parse cache ``.cache/docs``) of an
output folder: ``--source`` (default ``outputs/``, produced by ``make``). A richer source is a run
over ECB+ (e.g. ``--source /tmp/ecbout``, 7,746 claims). A missing source is reported and exits 2.

Text analysis, without re-parsing at N. ``ClaimMatcher`` needs a
:class:`pipeline.similarity.SentenceInfo` per claim. Each *distinct base* claim is analysed once,
before any timing:

* ``--analysis parse`` (default): from the article's real spaCy parse, loaded from the parse cache
  with the model of ``nlp_for(PipelineConfig())`` (articles missing from the cache are parsed once),
  exactly as :func:`pipeline.dedup.claim_infos` does.
* ``--analysis make_doc``: ``analyze(spacy.blank("en").make_doc(text))`` (tokens only: no POS,
  lemmas, dependencies or entities). Cheap, used by the tests.

Synthetic growth. Every base claim gets a fixed pool of ``--variants`` (default 8) perturbed
variants, made once on the base claim's Doc (token attributes kept, so perturbed variants are
analysed as if parsed): drop or duplicate one non-entity, non-numeric, non-root word, and with
probability 0.3 change one number (not inside a DATE/TIME entity); when a number changes,
``quantity_value`` is scaled by the same factor. The edit is applied to the claim's
decontextualized ``text`` too (first whole-word occurrence). Copy k of size N samples (seed
``--seed``) a base claim and one of its perturbed variants, gets ``claim_id = syn-<k>`` and
``article_id = syn-a<j>`` with j uniform over ~N/10 synthetic articles (published by 10 synthetic
outlets ``syn-o<j % 10>``), and keeps the base's entity_ids, time, place, predicate, negation and quantity
unit/modifier. So the distinct texts stay bounded (base x variants) and their analysis is shared.

Caveat worth reading the figures with: sampling with replacement from B base claims repeats each
fact about N/B times (``copies_per_base``). Once that exceeds ``DedupSettings.max_bucket`` (60),
the LSH and entity-pair buckets of those facts are too large and are skipped by design, so
candidates per claim fall: at large N this synthetic corpus is more repetitive than real news.

Measurement. Each size runs in its own subprocess (``--worker``), so memory never leaks between
sizes. Inside it, the base pool is unpickled, the N claims built and ``facts_from`` run before the
clock starts; then ``candidate_pairs`` is timed alone (``blocking_seconds``) and then the whole
``cluster`` call (``total_seconds``: blocking again + judging every candidate + union-find + the
table). ``peak_rss_mb`` is ``getrusage(RUSAGE_SELF).ru_maxrss`` of the worker (kernel high-water
mark, includes the setup); ``rss_before_mb`` is its RSS just before timing. A size whose total is
projected (linearly, from the largest size measured) to exceed ``--max-seconds`` is not run: it is
reported as ``skipped`` with the projection, clearly labelled.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

DEFAULT_SOURCE = Path("outputs")
DEFAULT_RESULTS = Path("bench") / "dedup_results.json"
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
DEFAULT_VARIANTS = 8
ARTICLE_RATIO = 10  # claims per synthetic article
N_OUTLETS = 10
MB = 1024 * 1024

_NUMBER = re.compile(r"^\d{1,3}(?:,\d{3})+$|^\d+$")
_FACTORS = (0.5, 0.75, 1.25, 1.5, 2.0, 3.0)


class SourceMissing(Exception):
    """The source folder lacks claims.parquet (or articles.parquet for the parse analysis)."""


@dataclass
class Variant:
    text: str
    quantity_value: float | None
    info: Any  # SentenceInfo
    edit: str


@dataclass
class BasePool:
    """The real claims and their perturbed variants, analysed once; picklable for the workers."""

    claims: pa.Table
    variants: list[list[Variant]]  # per base claim; index 0 is the claim as it is
    analysis: str
    source: str


# --------------------------------------------------------------------------- source + analysis


def read_source(source: Path, *, need_articles: bool) -> tuple[pa.Table, pa.Table | None]:
    claims_path = source / "claims.parquet"
    articles_path = source / "articles.parquet"
    if not claims_path.is_file():
        raise SourceMissing(f"{claims_path} not found: run `make` (or pass --source with a pipeline output folder)")
    if need_articles and not articles_path.is_file():
        raise SourceMissing(f"{articles_path} not found (needed to read the claims' parses); use --analysis make_doc")
    claims = pq.read_table(claims_path)
    if claims.num_rows == 0:
        raise SourceMissing(f"{claims_path} has no claims")
    return claims, pq.read_table(articles_path) if need_articles else None


def base_docs(claims: pa.Table, articles: pa.Table | None, source: Path, analysis: str) -> list[Any]:
    """One spaCy Doc per base claim: its span of the cached real parse, or a tokens-only Doc."""
    if analysis == "make_doc":
        import spacy

        nlp = spacy.blank("en")
        return [nlp.make_doc(t) for t in claims["original_text"].to_pylist()]
    from .config import PipelineConfig
    from .nlp import nlp_for
    from .parse import parse_articles

    config = PipelineConfig()
    docs, parsed = parse_articles(
        articles, nlp=nlp_for(config), cache_dir=source / ".cache" / "docs", batch_size=config.batch_size
    )
    if parsed:
        print(f"note: parsed {parsed} articles missing from {source}/.cache/docs", file=sys.stderr)
    out = []
    for article_id, start, end in zip(
        claims["article_id"].to_pylist(), claims["start_char"].to_pylist(), claims["end_char"].to_pylist(), strict=True
    ):
        out.append(docs[article_id].char_span(start, end, alignment_mode="expand").as_doc())
    return out


def _rebuild(doc: Any, words: list[str], spaces: list[bool], src: list[int], heads: list[int] | None) -> Any:
    """A Doc with the given words, copying token attributes from ``doc`` token ``src[i]``."""
    from spacy.tokens import Doc

    kwargs: dict[str, Any] = {}
    toks = [doc[i] for i in src]
    if doc.has_annotation("POS"):
        kwargs["pos"] = [t.pos_ or None for t in toks]
    if doc.has_annotation("TAG"):
        kwargs["tags"] = [t.tag_ or None for t in toks]
    if doc.has_annotation("LEMMA"):
        kwargs["lemmas"] = [t.lemma_ for t in toks]
    if doc.has_annotation("DEP") and heads is not None:
        kwargs["heads"] = heads
        kwargs["deps"] = [t.dep_ for t in toks]
    if doc.has_annotation("ENT_IOB"):
        kwargs["ents"] = [f"{t.ent_iob_}-{t.ent_type_}" if t.ent_iob_ in ("B", "I") else "O" for t in toks]
    return Doc(doc.vocab, words=words, spaces=spaces, **kwargs)


def _edit_word(doc: Any, k: int, op: str) -> Any:
    """``doc`` with token k dropped or duplicated; dependents of a dropped token attach to its head."""
    n = len(doc)
    heads = [t.head.i for t in doc]
    words = [t.text for t in doc]
    spaces = [bool(t.whitespace_) for t in doc]
    if op == "drop":
        keep = [i for i in range(n) if i != k]
        new_index = {old: new for new, old in enumerate(keep)}
        new_heads = [new_index[heads[k] if heads[i] == k else heads[i]] for i in keep]
        return _rebuild(doc, [words[i] for i in keep], [spaces[i] for i in keep], keep, new_heads)
    order = list(range(k + 1)) + [k] + list(range(k + 1, n))  # duplicate: copy right after k
    shift = [i if i <= k else i + 1 for i in range(n)]
    new_heads = [shift[heads[i]] for i in order]
    new_spaces = [spaces[i] for i in order]
    new_spaces[k] = True
    return _rebuild(doc, [words[i] for i in order], new_spaces, order, new_heads)


def _edit_number(doc: Any, k: int, new: str) -> Any:
    words = [t.text for t in doc]
    words[k] = new
    return _rebuild(doc, words, [bool(t.whitespace_) for t in doc], list(range(len(doc))), [t.head.i for t in doc])


def _replace_word(text: str, word: str, new: str) -> str:
    return re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", new, text, count=1)


def _is_root(tok: Any) -> bool:
    return tok.dep_ == "ROOT" or (tok.doc.has_annotation("DEP") and tok.head.i == tok.i)


def perturb(doc: Any, text: str, quantity: float | None, rng: np.random.Generator) -> tuple[Any, str, float | None, str]:
    """One perturbed variant: (doc, text, quantity_value, edit)."""
    edits: list[str] = []
    words = [
        t.i for t in doc
        if t.is_alpha and t.ent_iob_ not in ("B", "I") and not t.like_num and not _is_root(t)
        and t.whitespace_ and (t.i == 0 or doc[t.i - 1].whitespace_)  # a whole word, not part of `face-to-face`
    ]
    if words:
        k = int(rng.choice(words))
        word = doc[k].text
        if rng.random() < 0.5 and len(doc) > 3:
            doc, text = _edit_word(doc, k, "drop"), re.sub(rf"\s*(?<!\w){re.escape(word)}(?!\w)", "", text, count=1)
            edits.append(f"drop:{word}")
        else:
            doc, text = _edit_word(doc, k, "dup"), _replace_word(text, word, f"{word} {word}")
            edits.append(f"dup:{word}")
    numbers = [t.i for t in doc if _NUMBER.match(t.text) and t.ent_type_ not in ("DATE", "TIME")]
    if numbers and (rng.random() < 0.3 or not edits):
        k = int(rng.choice(numbers))
        old_text = doc[k].text
        old = float(old_text.replace(",", ""))
        factor = float(rng.choice(_FACTORS))
        value = max(1, round(old * factor))
        if value == old:
            value += 1
        new_text = f"{value:,}" if "," in old_text else str(value)
        doc, text = _edit_number(doc, k, new_text), _replace_word(text, old_text, new_text)
        if quantity is not None:
            quantity = quantity * value / old if old else quantity
        edits.append(f"number:{old_text}->{new_text}")
    return doc, text, quantity, ",".join(edits) or "none"


def build_pool(
    claims: pa.Table, docs: Sequence[Any], *, analysis: str, source: str, variants: int = DEFAULT_VARIANTS, seed: int = 0
) -> BasePool:
    """Analyse every base claim and ``variants`` perturbations of it, once."""
    from .similarity import analyze

    rng = np.random.default_rng(seed)
    cache: dict[str, Any] = {}
    pool: list[list[Variant]] = []
    for doc, text, qv in zip(docs, claims["text"].to_pylist(), claims["quantity_value"].to_pylist(), strict=True):
        own = [Variant(text, qv, analyze(doc), "none")]
        for _ in range(variants):
            try:
                vdoc, vtext, vqv, edit = perturb(doc, text, qv, rng)
            except (ValueError, KeyError, IndexError):  # a Doc spaCy refuses to rebuild: keep the claim
                vdoc, vtext, vqv, edit = doc, text, qv, "none"
            key = f"{vdoc.text}\x00{vtext}"
            if key not in cache:
                cache[key] = analyze(vdoc)
            own.append(Variant(vtext, vqv, cache[key], edit))
        pool.append(own)
    return BasePool(claims, pool, analysis, source)


# --------------------------------------------------------------------------- growth


def grow(pool: BasePool, n: int, *, seed: int = 0) -> tuple[pa.Table, list[Any], dict[str, str]]:
    """N synthetic claims (rows of the claims schema), their SentenceInfos, and article -> outlet."""
    rng = np.random.default_rng(seed + n)
    n_base = pool.claims.num_rows
    base = rng.integers(0, n_base, size=n)
    n_var = np.array([len(v) for v in pool.variants])
    # variant 1.. (every copy is perturbed) unless the pool has only the claim itself
    pick = np.where(n_var[base] > 1, 1 + (rng.random(n) * (n_var[base] - 1)).astype(np.int64), 0)
    n_articles = max(1, n // ARTICLE_RATIO)
    article = rng.integers(0, n_articles, size=n)
    table = pool.claims.take(pa.array(base))
    chosen = [pool.variants[b][v] for b, v in zip(base.tolist(), pick.tolist())]
    replace = {
        "claim_id": pa.array([f"syn-{k}" for k in range(n)], pa.string()),
        "article_id": pa.array([f"syn-a{j}" for j in article.tolist()], pa.string()),
        "text": pa.array([c.text for c in chosen], pa.string()),
        "quantity_value": pa.array([c.quantity_value for c in chosen], pa.float64()),
    }
    for name, column in replace.items():
        table = table.set_column(table.schema.get_field_index(name), table.schema.field(name), column)
    outlets = {f"syn-a{j}": f"syn-o{j % N_OUTLETS}" for j in range(n_articles)}
    return table, [c.info for c in chosen], outlets


# --------------------------------------------------------------------------- measurement


def _rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / MB


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def measure(pool: BasePool, n: int, *, seed: int = 0, scorer: Any = None, places: Any = None) -> dict[str, Any]:
    """Time blocking and the full cluster() for N synthetic claims (in this process)."""
    import gc

    from .dedup import ClaimMatcher, candidate_pairs, cluster, facts_from
    from .places import Gazetteer
    from .similarity import ParaphraseScorer

    started = time.perf_counter()
    scorer = scorer or ParaphraseScorer.load()
    places = places or Gazetteer.load()
    table, infos, outlets = grow(pool, n, seed=seed)
    facts = facts_from(table)
    matcher = ClaimMatcher(facts, infos, scorer=scorer, places=places)
    checkworthiness = table["checkworthiness"].to_pylist()
    standalone = table["is_standalone"].to_pylist()
    setup_seconds = time.perf_counter() - started
    gc.collect()
    rss_before = _rss_mb()

    t0 = time.perf_counter()
    pairs = candidate_pairs(facts)
    blocking = time.perf_counter() - t0
    n_pairs = len(pairs)
    del pairs
    gc.collect()

    t0 = time.perf_counter()
    clusters, decisions = cluster(
        facts, judge=matcher, outlets=outlets, checkworthiness=checkworthiness, standalone=standalone, places=places
    )
    total = time.perf_counter() - t0
    ids = clusters["cluster_id"].to_pylist()
    sizes: dict[str, int] = {}
    for c in ids:
        sizes[c] = sizes.get(c, 0) + 1
    return {
        "size": n,
        "status": "measured",
        "base_claims": pool.claims.num_rows,
        "copies_per_base": round(n / pool.claims.num_rows, 2),
        "articles": len(outlets),
        "candidates": n_pairs,
        "candidates_per_claim": round(n_pairs / n, 3),
        "judged_pairs": len(decisions),
        "same_pairs": sum(1 for d in decisions if d.same),
        "clusters": len(sizes),
        "clusters_2plus": sum(1 for s in sizes.values() if s > 1),
        "largest_cluster": max(sizes.values()),
        "setup_seconds": round(setup_seconds, 3),
        "blocking_seconds": round(blocking, 3),
        "total_seconds": round(total, 3),
        "judge_seconds": round(max(0.0, total - blocking), 3),
        "us_per_claim": round(total / n * 1e6, 1),
        "us_per_candidate": round(total / max(1, n_pairs) * 1e6, 1),
        "rss_before_mb": round(rss_before, 1),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
    }


def run_worker(pool_path: Path, n: int, seed: int, out: Path) -> None:
    with pool_path.open("rb") as fh:
        pool = pickle.load(fh)
    out.write_text(json.dumps(measure(pool, n, seed=seed)), encoding="utf-8")


def measure_in_subprocess(pool_path: Path, n: int, seed: int, timeout: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-dedup-") as tmp:
        out = Path(tmp) / "result.json"
        cmd = [sys.executable, "-m", "pipeline.benchmark_dedup", "--worker", str(pool_path),
               "--worker-size", str(n), "--seed", str(seed), "--worker-out", str(out)]
        started = time.perf_counter()
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"size": n, "status": "timeout", "timeout_seconds": round(timeout, 1)}
        wall = time.perf_counter() - started
        if proc.returncode != 0 or not out.is_file():
            return {"size": n, "status": "failed", "returncode": proc.returncode, "stderr": proc.stderr[-2000:]}
        result = json.loads(out.read_text(encoding="utf-8"))
        result["worker_wall_seconds"] = round(wall, 3)
        return result


def machine_info() -> dict[str, Any]:
    import psutil

    return {
        "cpu_count": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 1024**3, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


# --------------------------------------------------------------------------- report


def format_table(rows: Sequence[dict[str, Any]]) -> str:
    head = f"{'claims':>9} {'candidates':>11} {'cand/claim':>10} {'s blocking':>10} {'s total':>9} {'peak RSS MB':>11} {'µs/claim':>9} {'clusters':>9}"
    lines = [head, "-" * len(head)]
    for r in rows:
        if r.get("status") == "measured":
            lines.append(
                f"{r['size']:>9,} {r['candidates']:>11,} {r['candidates_per_claim']:>10.2f} {r['blocking_seconds']:>10.2f} "
                f"{r['total_seconds']:>9.2f} {r['peak_rss_mb']:>11.0f} {r['us_per_claim']:>9.1f} {r['clusters']:>9,}"
            )
        elif r.get("status") == "skipped":
            lines.append(
                f"{r['size']:>9,}  skipped: projected {r['projected_total_seconds']:.0f} s > --max-seconds "
                f"{r['max_seconds']:.0f} (linear projection from {r['projected_from']:,} claims)"
            )
        else:
            lines.append(f"{r['size']:>9,}  {r.get('status')}: {str(r.get('stderr', r.get('timeout_seconds', '')))[-300:]}")
    return "\n".join(lines)


def linearity(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    measured = [r for r in rows if r.get("status") == "measured"]
    if len(measured) < 2:
        return {}
    first, last = measured[0], measured[-1]
    growth = last["size"] / first["size"]
    time_growth = last["total_seconds"] / max(first["total_seconds"], 1e-9)
    return {
        "from": first["size"],
        "to": last["size"],
        "size_ratio": round(growth, 2),
        "time_ratio": round(time_growth, 2),
        "us_per_claim_ratio": round(last["us_per_claim"] / max(first["us_per_claim"], 1e-9), 2),
        # exponent b in time ~ size^b between the smallest and the largest measured size
        "exponent": round(float(np.log(time_growth) / np.log(growth)), 3),
    }


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m pipeline.benchmark_dedup", description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES), help="comma-separated claim counts")
    p.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="pipeline output folder with claims.parquet")
    p.add_argument("--max-seconds", type=float, default=900.0, help="skip a size projected to take longer")
    p.add_argument("--analysis", choices=("parse", "make_doc"), default="parse")
    p.add_argument("--variants", type=int, default=DEFAULT_VARIANTS, help="perturbed variants per base claim")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--results", type=Path, default=DEFAULT_RESULTS)
    p.add_argument("--in-process", action="store_true", help="measure in this process (no per-size subprocess)")
    p.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--worker-size", type=int, help=argparse.SUPPRESS)
    p.add_argument("--worker-out", type=Path, help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        run_worker(args.worker, args.worker_size, args.seed, args.worker_out)
        return 0
    try:
        sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        print(f"error: --sizes must be comma-separated integers, got {args.sizes!r}", file=sys.stderr)
        return 2
    if not sizes or sizes[0] < 1:
        print("error: --sizes needs positive integers", file=sys.stderr)
        return 2
    try:
        claims, articles = read_source(args.source, need_articles=args.analysis == "parse")
    except SourceMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    t0 = time.perf_counter()
    docs = base_docs(claims, articles, args.source, args.analysis)
    pool = build_pool(claims, docs, analysis=args.analysis, source=str(args.source), variants=args.variants, seed=args.seed)
    del docs
    pool_seconds = time.perf_counter() - t0
    distinct = len({id(v.info) for vs in pool.variants for v in vs})
    print(f"source {args.source}: {claims.num_rows:,} base claims, {distinct:,} distinct analysed texts "
          f"({args.analysis}, {pool_seconds:.1f} s)", flush=True)

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-dedup-") as tmp:
        pool_path = Path(tmp) / "pool.pkl"
        if not args.in_process:
            with pool_path.open("wb") as fh:
                pickle.dump(pool, fh, protocol=pickle.HIGHEST_PROTOCOL)
        last: dict[str, Any] | None = None
        for n in sizes:
            if last is not None:
                projected = last["total_seconds"] * n / last["size"]
                if projected > args.max_seconds:
                    rows.append({"size": n, "status": "skipped", "projected_total_seconds": round(projected, 1),
                                 "projected_from": last["size"], "max_seconds": args.max_seconds,
                                 "projection": "linear in claims from the largest measured size"})
                    print(f"{n:,}: skipped: projected {projected:.0f} s > --max-seconds {args.max_seconds:.0f} "
                          f"(linear projection)", flush=True)
                    continue
            print(f"{n:,} claims ...", flush=True)
            if args.in_process:
                row = measure(pool, n, seed=args.seed)
            else:
                row = measure_in_subprocess(pool_path, n, args.seed, timeout=max(120.0, 4 * args.max_seconds))
            rows.append(row)
            if row.get("status") == "measured":
                last = row
                print(f"  {row['total_seconds']:.2f} s, {row['candidates']:,} candidates, "
                      f"peak RSS {row['peak_rss_mb']:.0f} MB", flush=True)
            else:
                print(f"  {row.get('status')}", flush=True)

    print()
    print(format_table(rows))
    lin = linearity(rows)
    if lin:
        print(f"\n{lin['from']:,} -> {lin['to']:,} claims (x{lin['size_ratio']:g}): time x{lin['time_ratio']:g}, "
              f"µs/claim x{lin['us_per_claim_ratio']:g}, time ~ size^{lin['exponent']}")
    result = {
        "benchmark": "dedup_scaling",
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "source": str(args.source),
        "base_claims": claims.num_rows,
        "analysis": args.analysis,
        "variants_per_base": args.variants,
        "distinct_analysed_texts": distinct,
        "pool_seconds": round(pool_seconds, 3),
        "seed": args.seed,
        "max_seconds": args.max_seconds,
        "isolation": "in-process" if args.in_process else "one subprocess per size",
        "machine": machine_info(),
        "sizes": rows,
        "linearity": lin,
    }
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
