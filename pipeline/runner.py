"""Runs stages over an output folder: reads tables, calls the pure stage functions, writes tables.

This is the I/O edge of every stage; the CLI is a thin layer over these functions.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pyarrow as pa
import pyarrow.compute as pc

from . import __version__
from .cache import RowCache, cache_key, code_version, rows_digest
from .config import MODELS_DIR, PACKAGE_DIR, PipelineConfig
from .ingest import RawInput, ingest_rows
from .io import (
    CACHE_DIR, STAGING_DIR, ArticleCursor, SpillFile, TableWriter, check_input_dir, ensure_output_dir, output_lock, publish, read_inputs, read_table, sha256_file, table_batches, table_path,
    update_manifest, write_sorted,
    write_table,
)
from .malloc import keep_freed_memory
from .nlp import model_info, nlp_for
from .parallel import frozen_heap, ordered_map
from .progress import counted, progress_bar
from .parse import DocCache, parse_articles
from .claims import ClaimLexicon, extract_claims
from .conflicts import detect_conflicts
from .dedup import PairScores, candidate_pairs, claim_infos, deduplicate as cluster_claims, facts_from
from .entities import AliasTable, entity_mentions, entity_table, link_batches, mentions_from_table, mentions_to_table
from .places import Gazetteer
from .report import write_report
from .schemas import ARTICLE_INDEX_COLUMNS, ARTICLES, CANDIDATE_PAIRS, CLAIMS, MENTIONS, SENTENCES, table_from_rows
from .segment import segment
from .stages import STAGES as REGISTRY
from .timexes import annotate_timexes

#: Code and data whose change makes a stage's per-article cache stale (besides settings and inputs).
SEGMENT_CODE = (PACKAGE_DIR / "segment.py", PACKAGE_DIR / "furniture.py", PACKAGE_DIR / "ingest.py", PACKAGE_DIR / "schemas.py")
ENTITIES_CODE = (PACKAGE_DIR / "entities.py", PACKAGE_DIR / "schemas.py")
CLAIMS_CODE = (
    PACKAGE_DIR / "claims.py",
    PACKAGE_DIR / "quantities.py",
    PACKAGE_DIR / "checkworthiness.py",
    PACKAGE_DIR / "schemas.py",
    MODELS_DIR / "claims",
    MODELS_DIR / "checkworthiness",
)
#: Code and data whose change makes dedup's cached candidate pairs and text scores stale.
PAIRS_CODE = (
    PACKAGE_DIR / "dedup.py", PACKAGE_DIR / "matching.py", *sorted((PACKAGE_DIR / "similarity").glob("*.py")), MODELS_DIR / "similarity"
)
#: What conflicts reads of the entities and timexes tables (the names and the dates it reports).
CONFLICTS_ENTITY_COLUMNS = ("entity_id", "canonical_name")
CONFLICTS_TIMEX_COLUMNS = ("timex_id", "text", "value")
#: Fewer articles than twice this run the stages after parsing in one process (forking costs more).
MIN_PARALLEL_ARTICLES = 8


def _claims_key(claims: pa.Table) -> tuple[int, str | None, str | None]:
    """Which claims table a per-run result was computed from (row count, first and last claim id)."""
    ids = claims["claim_id"]
    return (claims.num_rows, ids[0].as_py() if len(ids) else None, ids[-1].as_py() if len(ids) else None)


@dataclass
class RunContext:
    """What the stages of one run share: settings, the output folder, the model and the parses."""

    output_dir: Path
    config: PipelineConfig
    progress: bool = False
    #: Where parses and pairs are cached (default: the output folder's `.cache`); a full run builds
    #: its tables in a staging folder but keeps the cache of the folder it publishes to.
    cache_root: Path | None = None
    _docs: DocCache | None = None
    _infos: tuple[Any, list[Any]] | None = None
    _pairs: tuple[Any, list[tuple[int, int]]] | None = None
    _text_scores: tuple[Any, PairScores] | None = None
    _matcher: tuple[Any, Gazetteer] | None = None
    _claim_models: tuple[Any, ClaimLexicon] | None = None
    #: Run by this process while parse workers parse (run_all: what the later stages import and load).
    while_parsing: Callable[[], object] | None = None
    #: Articles whose sentences and mentions the parse found and cached as it parsed them (this run).
    segmented_while_parsing: int = 0
    #: Whether that was every accepted article (then segment and entities only read the cache).
    all_segmented_while_parsing: bool = False
    #: Whether the claims stage also makes dedup's text analyses of its claims (run_all: dedup runs
    #: next in this process; a `make` stage process would throw them away).
    analyse_claims_with_claims: bool = False
    timings: dict[str, float] = field(default_factory=dict)
    #: What each stage of this run counted (as in the manifest), by stage.
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def nlp(self) -> Any:
        return nlp_for(self.config)

    @property
    def cache_dir(self) -> Path:
        return self.cache_root if self.cache_root is not None else self.output_dir / CACHE_DIR

    def model(self) -> dict[str, str]:
        return model_info(self.nlp())

    def docs(self, articles: pa.Table) -> DocCache:
        """Parses of the accepted articles, parsing only those not cached yet."""
        if self._docs is None:
            started = time.perf_counter()
            self._docs, parsed = parse_articles(
                articles,
                nlp=self.nlp(),
                cache_dir=self.cache_dir / "docs",
                texts=table_batches(self.output_dir, "articles", columns=["article_id", "text"]),
                batch_size=self.config.batch_size,
                processes=self.config.effective_processes(),
                progress=self.progress,
                model_name=self.config.spacy_model,
                engine=self.config.engine,
                scheduler=self.config.scheduler,
                while_parsing=self.while_parsing,
                after_parse=SegmentAndMentions.of(self),
            )
            ok = int(pc.sum(pc.equal(articles["status"], "ok")).as_py() or 0)
            self.segmented_while_parsing = self._docs.articles_parsed if self.config.engine == "local" else 0
            self.all_segmented_while_parsing = self.segmented_while_parsing == ok
            if self.workers(articles.num_rows) > 1:  # before the stages fork their workers
                self._docs.prime(self._docs)
            self.timings["parse"] = time.perf_counter() - started
            self.timings["parsed_articles"] = parsed
        return self._docs

    def claim_infos(self, claims: pa.Table, articles: pa.Table) -> list[Any]:
        """Text analysis of every claim span (from the cached parses), computed once per run."""
        key = _claims_key(claims)
        if self._infos is None or self._infos[0] != key:
            docs = self.docs(articles)
            with progress_bar(claims.num_rows, desc="analyse claims", unit="claim", enabled=self.progress) as advance:
                infos = claim_infos(claims, docs, processes=self.workers(articles.num_rows), progress=advance)
            self._infos = (key, infos)
        return self._infos[1]

    def release_pair_index(self) -> None:
        """Drop what dedup and conflicts shared (claim analyses, candidate pairs, text scores)."""
        self._infos = self._pairs = self._text_scores = None

    def keep_claim_infos(self, key: tuple[int, str | None, str | None], infos: list[Any]) -> None:
        """The claims table's text analyses, made by the claims stage (`key`: see `_claims_key`)."""
        self._infos = (key, infos)

    def candidate_pairs(self, claims: pa.Table) -> list[tuple[int, int]]:
        """Dedup's candidate pairs (blocking), computed once for dedup and conflicts: once per run,
        or once per claims table when they run as separate processes (`make`), through the cache."""
        key = _claims_key(claims)
        if self._pairs is None or self._pairs[0] != key:
            stored = self._pair_cache().get(self._pairs_key())
            if stored is None:
                self._pairs = (key, sorted(candidate_pairs(facts_from(claims), settings=self.config.dedup)))
            else:
                i, j = stored["i"].to_numpy(), stored["j"].to_numpy()
                self._pairs = (key, list(zip(i.tolist(), j.tolist(), strict=True)))
                scores = stored["text_score"].to_numpy(zero_copy_only=False)  # nulls read as NaN
                self._text_scores = (key, PairScores.from_arrays(i, j, scores))
        return self._pairs[1]

    def store_pairs(self, claims: pa.Table) -> None:
        """Cache the candidate pairs and the text scores dedup computed, for a conflicts process."""
        import numpy as np

        pairs = self.candidate_pairs(claims)
        i = np.fromiter((p[0] for p in pairs), np.int64, len(pairs))
        j = np.fromiter((p[1] for p in pairs), np.int64, len(pairs))
        scores = self.text_scores(claims).lookup(i, j)
        table = pa.table([pa.array(i), pa.array(j), pa.array(scores, mask=np.isnan(scores))], schema=CANDIDATE_PAIRS)
        self._pair_cache().put(self._pairs_key(), table)

    def _pair_cache(self) -> RowCache:
        return RowCache(self.cache_dir / "pairs", CANDIDATE_PAIRS)

    def _pairs_key(self) -> str:
        """The claims table on disk (its bytes), dedup's and the scorer's code and model, the settings."""
        claims_file = sha256_file(table_path(self.output_dir, "claims"))
        return cache_key("pairs", claims_file, code_version(PAIRS_CODE), self.config.fingerprint(), __version__)

    def text_scores(self, claims: pa.Table) -> PairScores:
        """Text scores of the candidate pairs, filled by dedup and reused by conflicts in the same run."""
        key = _claims_key(claims)
        if self._text_scores is None or self._text_scores[0] != key:
            self._text_scores = (key, PairScores())
        return self._text_scores[1]

    def matcher(self) -> tuple[Any, Gazetteer]:
        """The pair scorer and the place gazetteer, loaded once per run (dedup and conflicts share them)."""
        if self._matcher is None:
            from .similarity import ParaphraseScorer

            self._matcher = (ParaphraseScorer.load(), Gazetteer.load())
        return self._matcher

    def claim_models(self) -> tuple[Any, ClaimLexicon]:
        """The check-worthiness model and the claim lexicon, loaded once per run."""
        if self._claim_models is None:
            from .checkworthiness import CheckworthinessModel

            self._claim_models = (CheckworthinessModel.load(), ClaimLexicon.load())
        return self._claim_models

    def workers(self, n_items: int) -> int:
        """Worker processes for the work after parsing: the configured count, one for small inputs."""
        return self.config.effective_processes() if n_items >= 2 * MIN_PARALLEL_ARTICLES else 1

    def work_unit(self, n_articles: int) -> int:
        """Articles per streamed batch: `stream_articles`, smaller when that keeps all workers busy."""
        workers = self.workers(n_articles)
        if workers == 1:
            return self.config.stream_articles
        return max(MIN_PARALLEL_ARTICLES, min(self.config.stream_articles, -(-n_articles // (workers * 8))))

    def write(self, table: pa.Table, name: str) -> None:
        write_table(table, self.output_dir, name, model=self.model())

    def record(self, stage: str, started: float, counts: dict[str, int], inputs: dict[str, str] | None = None) -> None:
        self.counts[stage] = counts
        entry: dict[str, Any] = {
            "seconds": round(time.perf_counter() - started, 3),
            "rows": counts,
            "finished": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        }
        if inputs is not None:
            entry["inputs"] = inputs
        if "parse" in self.timings:
            entry["parse_seconds"] = round(self.timings["parse"], 3)
            entry["parsed_articles"] = int(self.timings["parsed_articles"])
        update_manifest(
            self.output_dir,
            stage,
            entry,
            common={
                "pipeline_version": __version__,
                "model": self.model(),
                "config_fingerprint": self.config.fingerprint(),
            },
        )


#: Articles rows ingest holds before spilling them (a run with no more sorts them in memory).
INGEST_BATCH = 4_096


@dataclass(frozen=True, slots=True)
class Ingested:
    """What ingest wrote: the articles table's rows, and how many were accepted."""

    articles: int
    ok: int


def stage_ingest(ctx: RunContext, input_dir: Path) -> Ingested:
    """Read the input folder and write articles.parquet, holding about `INGEST_BATCH` rows.

    Inputs are read one file (one JSON Lines record) at a time; up to one batch of rows is sorted
    in memory, more are spilled to a temp file and sorted into the table's order by DuckDB.
    """
    started = time.perf_counter()
    hashes: dict[str, str] = {}

    def raws() -> Iterator[RawInput]:
        for raw in read_inputs(input_dir, config=ctx.config):
            if raw.data is not None or raw.lines is not None or raw.records is not None:
                hashes[raw.source] = sha256_file(input_dir / raw.source)
            yield raw

    ok = 0
    with SpillFile(ctx.output_dir, "articles", ARTICLES, hold_rows=INGEST_BATCH) as spill:
        batch: list[dict[str, object]] = []
        for row in ingest_rows(raws(), config=ctx.config):
            ok += row["status"] == "ok"
            batch.append(row)
            if len(batch) == INGEST_BATCH:
                spill.write(table_from_rows(batch, ARTICLES))
                batch = []
        spill.write(table_from_rows(batch, ARTICLES))
        if spill.spilled:
            rows = write_sorted(spill, ctx.output_dir, "articles", model=ctx.model())
        else:
            table = pa.concat_tables([ARTICLES.empty_table(), *spill.groups()])
            ctx.write(table, "articles")
            rows = table.num_rows
    ctx.record("ingest", started, {"articles": rows, "ok": ok, "rejected": rows - ok}, hashes)
    return Ingested(rows, ok)


def article_batches(articles: pa.Table, size: int) -> Iterator[pa.Table]:
    """Consecutive slices of the articles table (in its stored, article_id order) of `size` rows."""
    for offset in range(0, articles.num_rows, size):
        yield articles.slice(offset, size)


R = TypeVar("R")
#: What a per-article stage computes for one batch: its rows and counters to add up (e.g. cache misses).
Annotated = tuple[pa.Table, dict[str, int]]


def _stream(
    ctx: RunContext,
    name: str,
    articles: pa.Table,
    inputs: Sequence[str],
    annotate: Callable[[pa.Table, dict[str, pa.Table]], tuple[Any, ...]],
    *,
    processes: int | None = None,
    desc: str | None = None,
    on_batch: Callable[..., object] | None = None,
) -> tuple[int, Counter[str]]:
    """Run a per-article stage batch by batch: read its inputs' rows for the batch, write its rows.

    Memory holds a few batches of articles' parses and rows; batches are annotated in the worker
    processes, in order, and the output is renamed into place only once every batch is written.
    `annotate` returns a batch's rows, its counters, and anything else, which goes to
    `on_batch(rows, *else)` in order. Returns the rows written and the summed counters.
    """
    cursors = {t: ArticleCursor(ctx.output_dir, t) for t in inputs}
    counts: Counter[str] = Counter()
    with TableWriter(ctx.output_dir, name, model=ctx.model()) as out:
        for table, batch_counts, *rest in _annotated_batches(ctx, articles, cursors, annotate, desc=desc or name, processes=processes):
            out.write(table)
            counts.update(batch_counts)
            if on_batch is not None:
                on_batch(table, *rest)
    return out.rows, counts


def _annotated_batches(
    ctx: RunContext,
    articles: pa.Table,
    cursors: dict[str, ArticleCursor],
    annotate: Callable[[pa.Table, dict[str, pa.Table]], R],
    *,
    desc: str,
    processes: int | None = None,
) -> Iterator[R]:
    """`annotate` over consecutive article batches and their input rows, in the workers, in order
    (`processes` of them: by default `ctx.workers`), with a progress bar `desc` over the articles."""
    sizes: collections.deque[int] = collections.deque()  # of the batches handed out, not yet back

    def work() -> Iterator[tuple[pa.Table, dict[str, pa.Table]]]:
        for batch in article_batches(articles, ctx.work_unit(articles.num_rows)):
            last = batch["article_id"][-1].as_py()
            sizes.append(batch.num_rows)
            yield batch, {t: c.upto(last) for t, c in cursors.items()}

    workers = ctx.workers(articles.num_rows) if processes is None else processes
    with progress_bar(articles.num_rows, desc=desc, unit="article", enabled=ctx.progress) as advance:
        for result in ordered_map(lambda item: annotate(*item), work(), processes=workers):
            advance(sizes.popleft())
            yield result


@dataclass(frozen=True)
class ArticleRows:
    """One stage's per-article cache in OUTPUT/.cache/<name>: an article's rows under a key of its id,
    its parse key (content + model), its rows in each input table, the settings and the `code` files."""

    cache: RowCache
    version: str

    @classmethod
    def of(cls, ctx: RunContext, name: str, schema: pa.Schema, code: Sequence[Path]) -> ArticleRows:
        """The cache `name` of this run's output folder, versioned by the settings and `code`."""
        return cls(RowCache(ctx.cache_dir / name, schema), cache_key(name, code_version(code), ctx.config.fingerprint()))

    def key(self, article_id: str, parse_key: str, inputs: Sequence[pa.Table] = ()) -> str:
        """An article's key, from its id, its parse key and its rows in each input table (in order)."""
        # the id too: copies of one text share a parse, but their rows carry their own ids
        return cache_key(self.version, article_id, parse_key, *(rows_digest(t) for t in inputs))


def _per_article_cache(
    ctx: RunContext,
    docs: DocCache,
    *,
    name: str,
    schema: pa.Schema,
    code: Sequence[Path],
    inputs: Sequence[str],
    compute: Callable[[pa.Table, dict[str, pa.Table]], pa.Table],
) -> Callable[[pa.Table, dict[str, pa.Table]], Annotated]:
    """Wrap a per-article computation with its per-article cache (`ArticleRows`).

    Only articles whose key has no entry are computed (together, in one call), and their rows are
    stored per article. Rows come back in article order.
    """
    rows = ArticleRows.of(ctx, name, schema, code)
    cache = rows.cache

    def annotate(batch: pa.Table, inp: dict[str, pa.Table]) -> Annotated:
        ok = batch.filter(pc.equal(batch["status"], "ok"))
        found: dict[str, pa.Table] = {}
        todo: dict[str, str] = {}
        for article_id in ok["article_id"].to_pylist():
            own = [inp[t].filter(pc.equal(inp[t]["article_id"], article_id)) for t in inputs]
            key = rows.key(article_id, docs.key_of(article_id), own)
            cached = cache.get(key)
            if cached is None:
                todo[article_id] = key
            else:
                found[article_id] = cached
        if todo:
            wanted = pa.array(list(todo), pa.string())
            fresh = compute(
                ok.filter(pc.is_in(ok["article_id"], wanted)),
                {t: inp[t].filter(pc.is_in(inp[t]["article_id"], wanted)) for t in inputs},
            ).cast(schema)
            for article_id, key in todo.items():
                found[article_id] = fresh.filter(pc.equal(fresh["article_id"], article_id))
                cache.put(key, found[article_id])
        ordered = [found[a].cast(schema) for a in ok["article_id"].to_pylist()]
        # one chunk per column, not one per article: a forked worker pickles the batch's table back
        # to the main process, and pyarrow pickles each chunk on its own (docs/performance.md)
        return pa.concat_tables([schema.empty_table(), *ordered]).combine_chunks(), {"articles_computed": len(todo)}

    return annotate


#: The columns of sentences.parquet the entities stage reads (and its mention cache keys hash).
ENTITY_SENTENCE_COLUMNS = ["article_id", "sentence_id", "start_char", "end_char"]
#: Mentions entity linking holds in memory, decoded, across its passes (about 60 MB); a corpus with
#: more has them read back from a temp file on each pass. All of BBC (2,225 articles) has ~60,000.
HOLD_MENTIONS = 100_000


@dataclass(frozen=True)
class SegmentAndMentions:
    """Sentences and entity mentions of an article, found by the parse worker that just parsed it.

    They need only the article's own parse, so they are computed where it is still in memory and
    stored under the keys the segment and entities stages look up: those stages then only read
    the cache, and no process reloads the parses or forks workers for them.
    """

    sentences: ArticleRows
    mentions: ArticleRows
    config: PipelineConfig

    @classmethod
    def of(cls, ctx: RunContext) -> SegmentAndMentions:
        """The segment and entities stages' caches of this run's output folder and settings."""
        return cls(
            ArticleRows.of(ctx, "sentences", SENTENCES, SEGMENT_CODE),
            ArticleRows.of(ctx, "mentions", MENTIONS, ENTITIES_CODE),
            ctx.config,
        )

    def __call__(self, article_id: str, parse_key: str, doc: Any) -> None:
        """Segment one freshly parsed article, find its mentions, and cache both."""
        docs = {article_id: doc}
        article = pa.table({"article_id": [article_id], "status": ["ok"]})
        sentences = segment(article, docs, config=self.config).cast(SENTENCES)
        self.sentences.cache.put(self.sentences.key(article_id, parse_key), sentences)
        own = sentences.select(ENTITY_SENTENCE_COLUMNS)
        found = mentions_to_table(entity_mentions(article, own, docs))
        self.mentions.cache.put(self.mentions.key(article_id, parse_key, [own]), found)


def model_read(articles: pa.Table, config: PipelineConfig) -> pa.Table:
    """The articles in a language the model reads (`model_languages`): the only ones entities, timexes
    and claims look at; the others keep their text and sentences."""
    language = articles["language"]
    readable = pc.or_kleene(pc.is_null(language), pc.is_in(language, pa.array(config.model_languages, pa.string())))
    return articles.filter(readable)


def stage_segment(ctx: RunContext) -> int:
    """Parse the accepted articles (cached) and write sentences.parquet (cached per article)."""
    started = time.perf_counter()
    articles = read_table(ctx.output_dir, "articles", columns=ARTICLE_INDEX_COLUMNS)
    docs = ctx.docs(articles)
    annotate = _per_article_cache(
        ctx, docs, name="sentences", schema=SENTENCES, code=SEGMENT_CODE, inputs=(),
        compute=lambda batch, _: segment(batch, docs, config=ctx.config),
    )
    # When the parse found them all, the stage only reads the cache: forking would cost more.
    rows, counts = _stream(ctx, "sentences", articles, [], annotate, processes=1 if ctx.all_segmented_while_parsing else None)
    ctx.record("segment", started, {"sentences": rows, "articles_segmented": counts["articles_computed"] + ctx.segmented_while_parsing})
    return rows


def stage_entities(ctx: RunContext) -> int:
    """Named-entity mentions with cross-article entity ids → entities.parquet.

    Mentions are found per article (cached per article). Up to `HOLD_MENTIONS` are held in memory,
    decoded once; more are spilled to a temp file, a row group per batch of articles, and linking
    walks that file batch by batch (`link_batches`), so memory holds one batch of mentions and
    the linking index (the distinct names). The rows are written a batch at a time.
    """
    started = time.perf_counter()
    articles = model_read(read_table(ctx.output_dir, "articles", columns=ARTICLE_INDEX_COLUMNS), ctx.config)
    docs = ctx.docs(articles)
    sentences = ArticleCursor(ctx.output_dir, "sentences", columns=ENTITY_SENTENCE_COLUMNS)
    annotate = _per_article_cache(
        ctx, docs, name="mentions", schema=MENTIONS, code=ENTITIES_CODE, inputs=("sentences",),
        compute=lambda batch, inp: mentions_to_table(entity_mentions(batch, inp["sentences"], docs)),
    )
    computed = 0
    mentions = 0
    with SpillFile(ctx.output_dir, "mentions", MENTIONS, hold_rows=HOLD_MENTIONS) as spill:
        processes = 1 if ctx.all_segmented_while_parsing else None  # then the mentions are all cached
        for table, counts in _annotated_batches(ctx, articles, {"sentences": sentences}, annotate, desc="mentions", processes=processes):
            spill.write(table)  # one row group per batch: whole articles
            computed += counts["articles_computed"]
            mentions += table.num_rows
        # held in memory: decoded once for the five walks below, instead of once per walk
        decoded = None if spill.spilled else [mentions_from_table(group) for group in spill.groups()]

        def batches() -> Iterator[list[tuple[Any, str]]]:
            if decoded is not None:
                return iter(decoded)
            return (mentions_from_table(group) for group in spill.groups())

        distinct: set[str] = set()
        # linking walks the mentions four times (see link_batches): one bar over the four passes
        with TableWriter(ctx.output_dir, "entities", model=ctx.model()) as out, progress_bar(
            4 * mentions, desc="link entities", unit="mention", enabled=ctx.progress
        ) as advance:

            def passes() -> Iterator[list[Any]]:
                for group in batches():
                    yield [m for m, _ in group]
                    advance(len(group))

            found = batches()
            for ids in link_batches(passes, AliasTable.load()):
                out.write(entity_table(next(found), ids))
                distinct.update(entity_id for entity_id, _ in ids)
    ctx.record("entities", started, {"entities": out.rows, "distinct_entities": len(distinct), "articles_annotated_here": computed + ctx.segmented_while_parsing})
    return out.rows


def stage_timexes(ctx: RunContext) -> int:
    """Temporal expressions normalized to TIMEX3 → timexes.parquet."""
    started = time.perf_counter()
    articles = model_read(read_table(ctx.output_dir, "articles", columns=ARTICLE_INDEX_COLUMNS), ctx.config)
    docs = ctx.docs(articles)

    def annotate(batch: pa.Table, inp: dict[str, pa.Table]) -> Annotated:
        before = docs.timexes_computed  # counted in the process that runs the batch
        table = annotate_timexes(batch, inp["sentences"], docs, source=docs.timexes)
        return table, {"articles_annotated_here": docs.timexes_computed - before}

    # The parse workers cache each article's timexes as they parse: when every article's entry is
    # there, the stage only reads them, and forking workers would cost more than it shares.
    ok = articles.filter(pc.equal(articles["status"], "ok"))
    missing = sum(
        not docs.timex_path_for(a, day).exists()
        for a, day in zip(ok["article_id"].to_pylist(), ok["published"].to_pylist(), strict=True)
    )
    processes = ctx.workers(missing) if missing else 1
    rows, counts = _stream(ctx, "timexes", articles, ["sentences"], annotate, processes=processes)
    ctx.record("timexes", started, {"timexes": rows, "articles_annotated_here": counts["articles_annotated_here"]})
    return rows


def stage_claims(ctx: RunContext) -> int:
    """Selected, decontextualized, structured claims with check-worthiness → claims.parquet.

    Claims are cached per article under a key of its parse, its sentences, entity mentions (with
    their cross-article ids and names) and timexes, the settings and the claims code: an article
    is extracted again only when one of them changed.
    """
    started = time.perf_counter()
    articles = model_read(read_table(ctx.output_dir, "articles", columns=ARTICLE_INDEX_COLUMNS), ctx.config)
    docs = ctx.docs(articles)
    scorer, lexicon = ctx.claim_models()
    cached = _per_article_cache(
        ctx, docs, name="claims", schema=CLAIMS, code=CLAIMS_CODE, inputs=("sentences", "entities", "timexes"),
        compute=lambda batch, inp: extract_claims(
            batch, inp["sentences"], inp["entities"], inp["timexes"], docs,
            scorer=scorer, lexicon=lexicon, min_checkworthiness=ctx.config.min_checkworthiness,
        ),
    )

    analyse = ctx.analyse_claims_with_claims

    def annotate(batch: pa.Table, inp: dict[str, pa.Table]) -> tuple[pa.Table, dict[str, int], list[Any]]:
        table, counts = cached(batch, inp)
        standalone = int(pc.sum(table["is_standalone"]).as_py() or 0) if table.num_rows else 0
        # dedup's text analyses of these claims, made while the batch's parses are in this worker
        infos = claim_infos(table, docs) if analyse else []
        return table, {**counts, "standalone": standalone}, infos

    infos: list[Any] = []
    ids: list[str] = []  # the first and the last claim id written: with the row count, `_claims_key`

    def keep(table: pa.Table, batch_infos: list[Any]) -> None:
        infos.extend(batch_infos)
        if table.num_rows:
            first = ids[0] if ids else table["claim_id"][0].as_py()
            ids[:] = [first, table["claim_id"][-1].as_py()]

    rows, counts = _stream(ctx, "claims", articles, ["sentences", "entities", "timexes"], annotate, on_batch=keep)
    if analyse:
        ctx.keep_claim_infos((rows, ids[0] if ids else None, ids[-1] if ids else None), infos)
    ctx.record("claims", started, {"claims": rows, "standalone": counts["standalone"], "articles_extracted": counts["articles_computed"]})
    return rows


def _pair_judging(ctx: RunContext, claims: pa.Table, articles: pa.Table, pairs: list[tuple[int, int]], advance: Any) -> dict[str, Any]:
    """What dedup and conflicts judge candidate pairs with: the run's scorer and gazetteer, its
    workers, the pairs and the text scores already known, and the progress callback."""
    scorer, places = ctx.matcher()
    return {
        "scorer": scorer, "places": places, "processes": ctx.workers(articles.num_rows), "pairs": pairs,
        "text_scores": ctx.text_scores(claims), "progress": advance,
    }


def stage_dedup(ctx: RunContext) -> int:
    """Claims stating the same fact share a cluster → claim_clusters.parquet."""
    started = time.perf_counter()
    articles = read_table(ctx.output_dir, "articles", columns=ARTICLE_INDEX_COLUMNS)
    claims = read_table(ctx.output_dir, "claims")
    infos = ctx.claim_infos(claims, articles)
    pairs = ctx.candidate_pairs(claims)
    with progress_bar(len(pairs), desc="dedup", unit="pair", enabled=ctx.progress) as advance:
        table = cluster_claims(
            claims, articles, infos, settings=ctx.config.dedup, **_pair_judging(ctx, claims, articles, pairs, advance)
        )
    ctx.write(table, "claim_clusters")
    ctx.store_pairs(claims)
    multi = len({c for c, n in zip(table["cluster_id"].to_pylist(), table["n_articles"].to_pylist(), strict=True) if n > 1})
    ctx.record("dedup", started, {"claims": table.num_rows, "clusters": len(set(table["cluster_id"].to_pylist())), "clusters_2plus_articles": multi})
    return table.num_rows


def stage_conflicts(ctx: RunContext) -> int:
    """Pairs of claims about the same thing that disagree → conflicts.parquet."""
    started = time.perf_counter()
    articles = read_table(ctx.output_dir, "articles", columns=ARTICLE_INDEX_COLUMNS)
    claims = read_table(ctx.output_dir, "claims")
    clusters = read_table(ctx.output_dir, "claim_clusters")
    entities = read_table(ctx.output_dir, "entities", columns=CONFLICTS_ENTITY_COLUMNS)
    timexes = read_table(ctx.output_dir, "timexes", columns=CONFLICTS_TIMEX_COLUMNS)
    infos = ctx.claim_infos(claims, articles)
    pairs = ctx.candidate_pairs(claims)
    with progress_bar(len(pairs), desc="conflicts", unit="pair", enabled=ctx.progress) as advance:
        table = detect_conflicts(
            claims, clusters, entities, timexes, infos, settings=ctx.config.conflicts, dedup_settings=ctx.config.dedup,
            **_pair_judging(ctx, claims, articles, pairs, advance),
        )
    ctx.write(table, "conflicts")
    by_kind: dict[str, int] = {}
    for kind in table["kind"].to_pylist():
        by_kind[kind] = by_kind.get(kind, 0) + 1
    ctx.record("conflicts", started, {"conflicts": table.num_rows, **{f"kind_{k}": v for k, v in sorted(by_kind.items())}})
    return table.num_rows


#: Stages after ingest, in the registry's order: name → function over the run context.
STAGES: dict[str, Callable[[RunContext], int]] = {
    "segment": stage_segment,
    "entities": stage_entities,
    "timexes": stage_timexes,
    "claims": stage_claims,
    "dedup": stage_dedup,
    "conflicts": stage_conflicts,
}


#: The table each stage after ingest writes (from the stage registry, `pipeline.stages`).
STAGE_TABLES: dict[str, str] = {s.name: s.writes for s in REGISTRY if s.name in STAGES}


@dataclass(frozen=True, slots=True)
class RunSummary:
    """Counts for the final summary line."""

    accepted: int
    rejected: int
    rows: dict[str, int]
    seconds: dict[str, float]
    #: Clusters of claims (claim_clusters has a row per claim), and those reported by 2+ articles.
    clusters: int = 0
    repeated_clusters: int = 0


@contextlib.contextmanager
def _long_lived(config: PipelineConfig) -> Iterator[None]:
    """Load the model, then keep what exists (the model above all) out of the cyclic collector's walks.

    The model lives as long as the process, yet every full collection walked its objects again:
    about 2 % of a run's time. They are handed back to the collector when the run ends. The C
    allocator keeps freed memory for the next batch (`keep_freed_memory`), for this process and
    the workers it forks.
    """
    keep_freed_memory()
    nlp_for(config)
    with frozen_heap():
        yield


def _ready_later_stages(ctx: RunContext) -> None:
    """Import and load what the stages after parsing need, while parse workers keep the cores busy.

    Otherwise the run would pay for it later with the workers gone: datasketch alone imports scipy.
    A `make` stage process never calls this: it imports only what its own stage uses.
    """
    import datasketch  # noqa: F401  (dedup's blocking)
    from rapidfuzz import fuzz  # noqa: F401  (dedup's and conflicts' wording similarity)

    ctx.claim_models()
    ctx.matcher()


def run_all(input_dir: Path, output_dir: Path, *, config: PipelineConfig, progress: bool = False) -> RunSummary:
    """Every stage, in order, under the output folder's lock; the new tables, report and manifest
    are built in a staging folder and switched in together, so a failed run leaves the last set."""
    check_input_dir(input_dir, output_dir)
    ensure_output_dir(output_dir)
    with output_lock(output_dir), _long_lived(config):
        staging = output_dir / STAGING_DIR
        shutil.rmtree(staging, ignore_errors=True)  # what a failed run left
        ensure_output_dir(staging)
        ctx = RunContext(staging, config, progress=progress, analyse_claims_with_claims=True, cache_root=output_dir / CACHE_DIR)
        ctx.while_parsing = lambda: _ready_later_stages(ctx)
        seconds: dict[str, float] = {}
        started = time.perf_counter()
        ingested = stage_ingest(ctx, input_dir)
        seconds["ingest"] = time.perf_counter() - started
        rows = {"articles": ingested.articles}
        ok = ingested.ok
        for name, fn in STAGES.items():
            started = time.perf_counter()
            rows[STAGE_TABLES[name]] = fn(ctx)
            seconds[name] = time.perf_counter() - started
        ctx.release_pair_index()  # the report reads the tables; dedup's index is no longer needed
        started = time.perf_counter()
        write_report(staging, generated=f"by pipeline {__version__}")
        publish(staging, output_dir)
        shutil.rmtree(staging, ignore_errors=True)
        seconds["report"] = time.perf_counter() - started
        dedup = ctx.counts.get("dedup", {})
        return RunSummary(
            ok, rows["articles"] - ok, rows, seconds, dedup.get("clusters", 0), dedup.get("clusters_2plus_articles", 0)
        )


def run_stage(name: str, output_dir: Path, *, config: PipelineConfig, progress: bool = False) -> int:
    """One stage after ingest, under the output folder's lock; returns the rows it wrote."""
    with output_lock(output_dir), _long_lived(config):
        return STAGES[name](RunContext(output_dir, config, progress=progress))


def run_ingest(input_dir: Path, output_dir: Path, *, config: PipelineConfig) -> Ingested:
    """The ingest stage alone, under the output folder's lock."""
    check_input_dir(input_dir, output_dir)
    ensure_output_dir(output_dir)
    with output_lock(output_dir):
        return stage_ingest(RunContext(output_dir, config), input_dir)
