"""Dedup and conflicts scaling benchmark: ``python -m bench.dedup`` (real claims, realistic growth).

Shows that story grouping, event linking, same-fact clustering and conflict detection stay
near-linear in the number of claims *and keep finding what they found at small size*: for each
size N (default 10k, 100k, 1M) it builds a corpus of N claims from real pipeline output and
runs the dedup stage's whole path (`claim_stories`, `assign_events`, `candidate_pairs`,
`cluster`) and then `detect_conflicts`, printing time, peak memory, and what was found per claim.
Results go to ``bench/dedup_results.json``; the run exits 1 when what is found collapses.

Sources. ``--source`` (repeatable) names pipeline output folders (``claims.parquet``,
``articles.parquet``, ``entities.parquet``, ``timexes.parquet`` and the parse cache ``.cache/docs``).
``make bench-dedup`` runs the pipeline over the BBC corpus and ECB+ dev from ``../shared/corpora``
first (`bench/corpora/`), so the base is ~3,000 real articles: BBC's single-source news and ECB+'s
multi-source coverage of the same events.

Text analysis, without re-parsing at N. Each distinct base claim and each perturbed variant is
analysed once before any timing: ``--analysis parse`` (default) from the article's cached spaCy
parse, as :func:`pipeline.dedup.claim_infos` does; ``--analysis make_doc`` from tokens only
(cheap, used by the tests).

Growth, modelled on how news repeats. The corpus is a sequence of *editions*. Edition e republishes
the base articles (shuffled) ``EDITION_DAYS`` days after edition e-1, beyond the story date window:
look-alike news about other events (its entity ids get an edition prefix: other participants, same
places and wording), the hard negatives of crawled local news. Inside an edition each article is
carried by 1-5 outlets (weights ``CARRIERS``): the first copy as written, the others with every claim
perturbed (a word dropped or doubled, sometimes a number changed by a factor, as outlets rewrite
wire copy). Editions are added until N claims; the last copy is cut at exactly N.

What is counted at each size, per claim:
* ``candidates_per_claim`` (blocking), ``judged_per_claim`` (pairs inside one event);
* ``copy_recall``: of the claims whose base claim has another carrier in the same edition, the
  share that share a cluster with one of those copies (same fact, other outlet: what dedup is for);
* ``cross_edition_*``: clusters, events and conflicts that join two editions (two different
  stories by construction): must stay 0.
The run fails (exit 1) when at a larger size ``copy_recall`` or ``judged_per_claim`` falls under
``--min-ratio`` (default 0.5) of the smallest size's, or anything joins two editions.

Measurement. Each size runs in its own subprocess (``--worker``) so memory never leaks between sizes;
``peak_rss_mb`` is that worker's kernel high-water mark. A size projected (linearly, from the largest
size measured) to exceed ``--max-seconds`` is reported as ``skipped`` with the projection.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pickle
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

DEFAULT_SOURCES = (Path("outputs"),)
DEFAULT_RESULTS = Path("bench") / "dedup_results.json"
#: The project root, where `python -m bench.dedup` finds this module (it is not installed).
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
DEFAULT_VARIANTS = 8
#: Days between two editions: beyond StorySettings.max_days_apart, so editions are other stories.
EDITION_DAYS = 30
#: Share of articles carried by 1, 2, 3, 4 and 5 outlets in one edition.
CARRIERS = (0.45, 0.25, 0.15, 0.10, 0.05)
#: The day of the first edition when a base article has no publication date.
BASE_DAY = dt.date(2020, 1, 6)
MB = 1024 * 1024

_NUMBER = re.compile(r"^\d{1,3}(?:,\d{3})+$|^\d+$")
_FACTORS = (0.5, 0.75, 1.25, 1.5, 2.0, 3.0)


class SourceMissing(Exception):
    """A source folder lacks a table the benchmark reads."""


@dataclass
class Variant:
    text: str
    quantity_value: float | None
    info: Any  # SentenceInfo
    edit: str


@dataclass
class BasePool:
    """The real claims, their articles and perturbed variants, analysed once; picklable for the workers."""

    claims: pa.Table
    variants: list[list[Variant]]  # per base claim; index 0 is the claim as it is
    articles: list[tuple[str, str | None, dt.date | None]]  # (article_id, title, published) with claims
    rows_of: list[list[int]]  # claim rows of each article, in order
    names: dict[str, str]  # entity_id -> canonical name
    timexes: pa.Table  # timex_id, text, value
    analysis: str
    source: str


class Corpus(NamedTuple):
    """A grown corpus: the claims, their articles, text analyses, and each claim's edition and base claim."""

    claims: pa.Table
    articles: pa.Table
    infos: list[Any]
    edition: np.ndarray
    base: np.ndarray


# --------------------------------------------------------------------------- sources + analysis


def read_source(source: Path, *, need_articles: bool) -> tuple[pa.Table, pa.Table | None]:
    """claims.parquet (and articles.parquet when the parse analysis needs it) of one output folder."""
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


def _optional(path: Path, columns: Sequence[str]) -> pa.Table | None:
    return pq.read_table(path, columns=list(columns)) if path.is_file() else None


def base_docs(claims: pa.Table, articles: pa.Table | None, source: Path, analysis: str) -> list[Any]:
    """One spaCy Doc per base claim: its span of the cached real parse, or a tokens-only Doc."""
    if analysis == "make_doc":
        import spacy

        nlp = spacy.blank("en")
        return [nlp.make_doc(t) for t in claims["original_text"].to_pylist()]
    from pipeline.config import PipelineConfig
    from pipeline.nlp import nlp_for
    from pipeline.parse import parse_articles

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
    claims: pa.Table,
    docs: Sequence[Any],
    *,
    analysis: str,
    source: str,
    variants: int = DEFAULT_VARIANTS,
    seed: int = 0,
    articles: pa.Table | None = None,
    names: dict[str, str] | None = None,
    timexes: pa.Table | None = None,
) -> BasePool:
    """Analyse every base claim and ``variants`` perturbations of it, once; group the claims by article."""
    from pipeline.similarity import analyze

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
    meta: dict[str, tuple[str | None, dt.date | None]] = {}
    if articles is not None:
        for a, title, day in zip(articles["article_id"].to_pylist(), articles["title"].to_pylist(), articles["published"].to_pylist(), strict=True):
            meta[a] = (title, day)
    rows_of: dict[str, list[int]] = {}
    for row, article_id in enumerate(claims["article_id"].to_pylist()):
        rows_of.setdefault(article_id, []).append(row)
    return BasePool(
        claims=claims,
        variants=pool,
        articles=[(a, *meta.get(a, (None, None))) for a in rows_of],
        rows_of=list(rows_of.values()),
        names=names or {},
        timexes=timexes if timexes is not None else pa.table({"timex_id": pa.array([], pa.string()), "text": pa.array([], pa.string()), "value": pa.array([], pa.string())}),
        analysis=analysis,
        source=source,
    )


def load_pool(sources: Sequence[Path], *, analysis: str, variants: int = DEFAULT_VARIANTS, seed: int = 0) -> BasePool:
    """The base pool from one or more pipeline output folders (their claims, articles, entity names, timexes)."""
    claims_parts, docs, meta_parts, timex_parts = [], [], [], []
    names: dict[str, str] = {}
    seen: set[str] = set()
    for source in sources:
        claims, articles = read_source(source, need_articles=analysis == "parse")
        ids = set(claims["article_id"].to_pylist())
        if ids & seen:
            raise SourceMissing(f"{source}: article ids already read from another source; pass each corpus once")
        seen |= ids
        docs += base_docs(claims, articles, source, analysis)
        claims_parts.append(claims)
        meta = _optional(source / "articles.parquet", ("article_id", "title", "published"))
        if meta is not None:
            meta_parts.append(meta.cast(pa.schema([("article_id", pa.string()), ("title", pa.string()), ("published", pa.date32())])))
        entities = _optional(source / "entities.parquet", ("entity_id", "canonical_name"))
        if entities is not None:
            names.update(zip(entities["entity_id"].to_pylist(), entities["canonical_name"].to_pylist(), strict=True))
        timexes = _optional(source / "timexes.parquet", ("timex_id", "text", "value"))
        if timexes is not None:
            timex_parts.append(timexes)
    return build_pool(
        pa.concat_tables(claims_parts), docs, analysis=analysis, source=",".join(map(str, sources)), variants=variants,
        seed=seed, articles=pa.concat_tables(meta_parts) if meta_parts else None, names=names,
        timexes=pa.concat_tables(timex_parts) if timex_parts else None,
    )


# --------------------------------------------------------------------------- growth


_EDITION = re.compile(r":e\d+_")


def _in_edition(entity_id: str, edition: int) -> str:
    """The entity of another story in a later edition: `person:e3_jane_doe` (its last word kept)."""
    if edition == 0:
        return entity_id
    kind, _, name = entity_id.partition(":")
    return f"{kind}:e{edition}_{name}"


def grow(pool: BasePool, n: int, *, seed: int = 0) -> Corpus:
    """N claims in editions of the base articles, each article carried by 1-5 outlets (see the module doc)."""
    rng = np.random.default_rng(seed + n)
    copies: list[tuple[int, int, int]] = []  # (edition, base article, carrier)
    total, edition = 0, 0
    while total < n:
        for a in rng.permutation(len(pool.articles)).tolist():
            for carrier in range(1 + int(rng.choice(len(CARRIERS), p=CARRIERS))):
                copies.append((edition, a, carrier))
                total += len(pool.rows_of[a])
                if total >= n:
                    break
            if total >= n:
                break
        edition += 1
    base_rows: list[int] = []
    picks: list[int] = []
    article_of: list[str] = []
    claim_ids: list[str] = []
    editions: list[int] = []
    art_rows: dict[str, tuple[str | None, dt.date, str]] = {}
    for e, a, carrier in copies:
        base_id, title, day = pool.articles[a]
        article_id = f"e{e}-o{carrier}-{base_id}"
        art_rows[article_id] = (title, (day or BASE_DAY) + dt.timedelta(days=EDITION_DAYS * e + carrier % 3), f"outlet-{carrier}")
        for k, row in enumerate(pool.rows_of[a]):
            if len(base_rows) == n:
                break
            n_var = len(pool.variants[row])
            picks.append(0 if carrier == 0 or n_var == 1 else 1 + int(rng.integers(n_var - 1)))
            base_rows.append(row)
            article_of.append(article_id)
            claim_ids.append(f"{article_id}/c{k}")
            editions.append(e)
    table = pool.claims.take(pa.array(base_rows, pa.int64()))
    chosen = [pool.variants[b][v] for b, v in zip(base_rows, picks, strict=True)]
    entity_ids = [[_in_edition(x, e) for x in ids or []] for ids, e in zip(table["entity_ids"].to_pylist(), editions, strict=True)]
    replace = {
        "claim_id": pa.array(claim_ids, pa.string()),
        "article_id": pa.array(article_of, pa.string()),
        "text": pa.array([c.text for c in chosen], pa.string()),
        "original_text": pa.array([c.text for c in chosen], pa.string()),
        "quantity_value": pa.array([c.quantity_value for c in chosen], pa.float64()),
        "entity_ids": pa.array(entity_ids, table.schema.field("entity_ids").type),
    }
    for name, column in replace.items():
        table = table.set_column(table.schema.get_field_index(name), table.schema.field(name), column)
    ids = list(art_rows)
    articles = pa.table({
        "article_id": pa.array(ids, pa.string()),
        "title": pa.array([art_rows[a][0] for a in ids], pa.string()),
        "published": pa.array([art_rows[a][1] for a in ids], pa.date32()),
        "status": pa.array(["ok"] * len(ids), pa.string()),
        "url": pa.array([None] * len(ids), pa.string()),
        "outlet": pa.array([art_rows[a][2] for a in ids], pa.string()),
        "source": pa.array(ids, pa.string()),
    })
    return Corpus(table, articles, [c.info for c in chosen], np.array(editions, np.int32), np.array(base_rows, np.int64))


# --------------------------------------------------------------------------- measurement


def _rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / MB


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _spans_editions(keys: Sequence[str], edition: np.ndarray) -> int:
    """How many keys (clusters, events) hold claims of two editions."""
    seen: dict[str, int] = {}
    mixed: set[str] = set()
    for key, e in zip(keys, edition.tolist(), strict=True):
        if seen.setdefault(key, e) != e:
            mixed.add(key)
    return len(mixed)


def copy_recall(cluster_ids: Sequence[str], corpus: Corpus) -> tuple[float, int]:
    """Share of claims with another carrier's copy in their edition that share a cluster with one (and how many)."""
    article_ids = corpus.claims["article_id"].to_pylist()
    copies: dict[tuple[int, int], list[int]] = defaultdict(list)
    for k, (e, b) in enumerate(zip(corpus.edition.tolist(), corpus.base.tolist(), strict=True)):
        copies[(e, b)].append(k)
    linked = eligible = 0
    for members in copies.values():
        if len({article_ids[k] for k in members}) < 2:
            continue
        for k in members:
            eligible += 1
            linked += any(cluster_ids[k] == cluster_ids[m] and article_ids[m] != article_ids[k] for m in members)
    return (linked / eligible if eligible else 0.0), eligible


def measure(pool: BasePool, n: int, *, seed: int = 0) -> dict[str, Any]:
    """Time the dedup stage's whole path and conflict detection on N grown claims (in this process)."""
    import gc

    from pipeline.conflicts import detect_conflicts
    from pipeline.dedup import NOT_JUDGED, ClaimMatcher, assign_events, candidate_pairs, claim_stories, cluster, facts_from, outlet_of
    from pipeline.places import Gazetteer
    from pipeline.similarity import ParaphraseScorer

    started = time.perf_counter()
    scorer, places = ParaphraseScorer.load(), Gazetteer.load()
    corpus = grow(pool, n, seed=seed)
    claims, articles = corpus.claims, corpus.articles
    facts = facts_from(claims)
    matcher = ClaimMatcher(facts, corpus.infos, scorer=scorer, places=places)
    outlets = {a: outlet_of(None, o, a) for a, o in zip(articles["article_id"].to_pylist(), articles["outlet"].to_pylist(), strict=True)}
    used = {x for ids in claims["entity_ids"].to_pylist() for x in ids or []}
    entities = pa.table({"entity_id": pa.array(sorted(used), pa.string()),
                         "canonical_name": pa.array([pool.names.get(_EDITION.sub(":", x), x) for x in sorted(used)], pa.string())})
    setup_seconds = time.perf_counter() - started
    gc.collect()
    rss_before = _rss_mb()

    clock: dict[str, float] = {}
    t0 = time.perf_counter()
    story_of = claim_stories(claims, articles)
    clock["stories"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    event_of = assign_events(facts, story_of, places=places)
    clock["events"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    pairs = sorted(candidate_pairs(facts))
    clock["blocking"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    table, decisions = cluster(
        facts, judge=matcher, outlets=outlets, checkworthiness=claims["checkworthiness"].to_pylist(),
        standalone=claims["is_standalone"].to_pylist(), places=places, pairs=pairs, event_of=event_of, story_of=story_of,
    )
    clock["clustering"] = time.perf_counter() - t0
    judged = {pair: d.text_probability for pair, d in zip(pairs, decisions, strict=True) if d is not NOT_JUDGED}
    t0 = time.perf_counter()
    conflicts = detect_conflicts(
        claims, table, entities, pool.timexes, corpus.infos, scorer=scorer, places=places, pairs=pairs, text_scores=judged
    )
    clock["conflicts"] = time.perf_counter() - t0
    total = sum(clock.values())

    cluster_of = dict(zip(table["claim_id"].to_pylist(), table["cluster_id"].to_pylist(), strict=True))
    cluster_ids = [cluster_of[c] for c in claims["claim_id"].to_pylist()]  # the table is in cluster order
    sizes: dict[str, int] = defaultdict(int)
    for c in cluster_ids:
        sizes[c] += 1
    event_sizes: dict[str, int] = defaultdict(int)
    for v in event_of:
        event_sizes[v] += 1
    recall, eligible = copy_recall(cluster_ids, corpus)
    edition_of = dict(zip(claims["claim_id"].to_pylist(), corpus.edition.tolist(), strict=True))
    cross_conflicts = sum(
        1 for a, b in zip(conflicts["claim_id_a"].to_pylist(), conflicts["claim_id_b"].to_pylist(), strict=True) if edition_of[a] != edition_of[b]
    )
    return {
        "size": n,
        "status": "measured",
        "base_claims": pool.claims.num_rows,
        "editions": int(corpus.edition.max()) + 1,
        "articles": articles.num_rows,
        "stories": len(set(story_of)),
        "events": len(event_sizes),
        "largest_event": max(event_sizes.values()),
        "candidates": len(pairs),
        "candidates_per_claim": round(len(pairs) / n, 3),
        "judged_pairs": len(judged),
        "judged_per_claim": round(len(judged) / n, 3),
        "same_pairs": sum(1 for d in decisions if d.same),
        "clusters": len(sizes),
        "clusters_2plus": sum(1 for s in sizes.values() if s > 1),
        "largest_cluster": max(sizes.values()),
        "merged_share": round(1 - len(sizes) / n, 4),
        "copy_recall": round(recall, 4),
        "copy_claims": eligible,
        "conflicts": conflicts.num_rows,
        "conflicts_per_1k_claims": round(1000 * conflicts.num_rows / n, 3),
        "cross_edition_clusters": _spans_editions(cluster_ids, corpus.edition),
        "cross_edition_events": _spans_editions(event_of, corpus.edition),
        "cross_edition_conflicts": cross_conflicts,
        "setup_seconds": round(setup_seconds, 3),
        **{f"{step}_seconds": round(seconds, 3) for step, seconds in clock.items()},
        "total_seconds": round(total, 3),
        "us_per_claim": round(total / n * 1e6, 1),
        "rss_before_mb": round(rss_before, 1),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
    }


def collapses(rows: Sequence[dict[str, Any]], *, min_ratio: float) -> list[str]:
    """What went wrong as the corpus grew: found-per-claim figures falling, or two editions joined."""
    measured = [r for r in rows if r.get("status") == "measured"]
    problems: list[str] = []
    if not measured:
        return problems
    first = measured[0]
    for r in measured:
        for key in ("cross_edition_clusters", "cross_edition_events", "cross_edition_conflicts"):
            if r[key]:
                problems.append(f"{r['size']:,} claims: {r[key]} {key.replace('_', ' ')} (two different stories joined)")
        for key in ("copy_recall", "judged_per_claim"):
            if r is not first and first[key] > 0 and r[key] < min_ratio * first[key]:
                problems.append(f"{r['size']:,} claims: {key} {r[key]:g} < {min_ratio:g} x {first[key]:g} at {first['size']:,}")
    return problems


def run_worker(pool_path: Path, n: int, seed: int, out: Path) -> None:
    with pool_path.open("rb") as fh:
        pool = pickle.load(fh)
    out.write_text(json.dumps(measure(pool, n, seed=seed)), encoding="utf-8")


def measure_in_subprocess(pool_path: Path, n: int, seed: int, timeout: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-dedup-") as tmp:
        out = Path(tmp) / "result.json"
        cmd = [sys.executable, "-m", "bench.dedup", "--worker", str(pool_path),
               "--worker-size", str(n), "--seed", str(seed), "--worker-out", str(out)]
        started = time.perf_counter()
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
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
    head = (f"{'claims':>9} {'cand/claim':>10} {'judged/claim':>12} {'copy recall':>11} {'merged':>7} {'conflicts/1k':>12} "
            f"{'s total':>8} {'µs/claim':>9} {'peak RSS MB':>11}")
    lines = [head, "-" * len(head)]
    for r in rows:
        if r.get("status") == "measured":
            lines.append(
                f"{r['size']:>9,} {r['candidates_per_claim']:>10.2f} {r['judged_per_claim']:>12.2f} {r['copy_recall']:>11.3f} "
                f"{r['merged_share']:>7.3f} {r['conflicts_per_1k_claims']:>12.2f} {r['total_seconds']:>8.1f} "
                f"{r['us_per_claim']:>9.1f} {r['peak_rss_mb']:>11.0f}"
            )
        elif r.get("status") == "skipped":
            lines.append(
                f"{r['size']:>9,}  skipped: projected {r['projected_total_seconds']:.0f} s > --max-seconds "
                f"{r['max_seconds']:.0f} (linear projection from {r['projected_from']:,} claims)"
            )
        else:
            lines.append(f"{r['size']:>9,}  {r.get('status')}: {str(r.get('stderr', r.get('timeout_seconds', '')))[-300:]}")
    steps = [r for r in rows if r.get("status") == "measured"]
    if steps:
        lines.append("")
        lines.append("seconds by step: " + "; ".join(
            f"{r['size']:,}: " + ", ".join(f"{s} {r[f'{s}_seconds']:.1f}" for s in ("stories", "events", "blocking", "clustering", "conflicts"))
            for r in steps
        ))
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
    p = argparse.ArgumentParser(prog="python -m bench.dedup", description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES), help="comma-separated claim counts")
    p.add_argument("--source", type=Path, action="append", help="pipeline output folder with claims.parquet (repeatable; default outputs/)")
    p.add_argument("--max-seconds", type=float, default=900.0, help="skip a size projected to take longer")
    p.add_argument("--min-ratio", type=float, default=0.5, help="fail when copy recall or judged pairs per claim fall under this share of the smallest size's")
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
    if not 0.0 < args.min_ratio <= 1.0:
        print(f"error: --min-ratio must be in (0, 1], got {args.min_ratio}", file=sys.stderr)
        return 2
    sources = args.source or list(DEFAULT_SOURCES)
    t0 = time.perf_counter()
    try:
        pool = load_pool(sources, analysis=args.analysis, variants=args.variants, seed=args.seed)
    except SourceMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    pool_seconds = time.perf_counter() - t0
    distinct = len({id(v.info) for vs in pool.variants for v in vs})
    print(f"sources {pool.source}: {pool.claims.num_rows:,} base claims in {len(pool.articles):,} articles, "
          f"{distinct:,} distinct analysed texts ({args.analysis}, {pool_seconds:.1f} s)", flush=True)

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
                print(f"  {row['total_seconds']:.1f} s, {row['candidates']:,} candidates, copy recall {row['copy_recall']:.3f}, "
                      f"peak RSS {row['peak_rss_mb']:.0f} MB", flush=True)
            else:
                print(f"  {row.get('status')}", flush=True)

    print()
    print(format_table(rows))
    lin = linearity(rows)
    if lin:
        print(f"\n{lin['from']:,} -> {lin['to']:,} claims (x{lin['size_ratio']:g}): time x{lin['time_ratio']:g}, "
              f"µs/claim x{lin['us_per_claim_ratio']:g}, time ~ size^{lin['exponent']}")
    problems = collapses(rows, min_ratio=args.min_ratio)
    result = {
        "benchmark": "dedup_conflicts_scaling",
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "source": pool.source,
        "base_claims": pool.claims.num_rows,
        "base_articles": len(pool.articles),
        "analysis": args.analysis,
        "variants_per_base": args.variants,
        "carriers": list(CARRIERS),
        "edition_days": EDITION_DAYS,
        "distinct_analysed_texts": distinct,
        "pool_seconds": round(pool_seconds, 3),
        "seed": args.seed,
        "max_seconds": args.max_seconds,
        "min_ratio": args.min_ratio,
        "isolation": "in-process" if args.in_process else "one subprocess per size",
        "machine": machine_info(),
        "sizes": rows,
        "linearity": lin,
        "collapses": problems,
    }
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {args.results}")
    if problems:
        for p in problems:
            print(f"FAIL: {p}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
