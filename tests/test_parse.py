"""Parsing: one parse per article, cached; a process pool and a Dask cluster give identical tables."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline.config import PipelineConfig
from pipeline.parse import _chunks
from pipeline.runner import STAGE_TABLES, run_all

from conftest import SEEDS

TABLES = ["articles", *STAGE_TABLES.values()]


@pytest.mark.parametrize(
    ("lengths", "n"),
    [
        ([5, 1, 9, 3, 7], 2),  # more items than chunks
        ([4], 3),  # fewer items than chunks: no empty chunk
    ],
)
def test_chunks_cover_every_item_once_and_balance_lengths(lengths: list[int], n: int) -> None:
    items = [(f"a{i}", "x" * length, f"p{i}") for i, length in enumerate(lengths)]
    chunks = _chunks(items, n)
    assert sorted(it for c in chunks for it in c) == sorted(items)
    assert all(chunks) and len(chunks) <= n


def _articles(n: int):  # type: ignore[no-untyped-def]
    """Ids and an accepted-articles table of `n` short distinct texts, as ingest writes it."""
    import pyarrow as pa

    ids = [f"a{k}" for k in range(n)]
    return ids, pa.table({
        "article_id": ids,
        "status": ["ok"] * n,
        "content_sha256": [f"{k:x}" * 64 for k in range(n)],
        "text": [f"Article number {k} was published in Paris on Monday." for k in range(n)],
        "published": [None] * n,
    })


def _tables(out: Path) -> dict[str, object]:
    return {t: pq.read_table(out / f"{t}.parquet") for t in TABLES}


def test_dask_engine_gives_the_same_tables_as_local(seed_run: Path, tmp_path: Path) -> None:
    pytest.importorskip("distributed", reason="the dask extra is not installed")
    from distributed import LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    try:
        out = tmp_path / "dask"
        run_all(SEEDS, out, config=PipelineConfig(engine="dask", scheduler=cluster.scheduler_address, processes=2))
    finally:
        cluster.close()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["stages"]["segment"]["parsed_articles"] == 2  # parsed on the cluster, not reused
    local = _tables(seed_run)
    for name, table in _tables(out).items():
        assert table.equals(local[name]), name


def test_deleting_an_article_removes_its_rows(seed_run: Path, tmp_path: Path) -> None:
    inp = tmp_path / "in"
    shutil.copytree(SEEDS, inp)
    removed = sorted(inp.iterdir())[0]
    removed.unlink()
    out = tmp_path / "out"
    shutil.copytree(seed_run / ".cache", out / ".cache")
    run_all(inp, out, config=PipelineConfig(processes=1))
    gone = removed.stem
    for name in ("articles", "sentences", "claims"):
        assert gone not in pq.read_table(out / f"{name}.parquet")["article_id"].to_pylist()


def test_copies_of_one_text_are_parsed_once_and_annotated_each(tmp_path: Path) -> None:
    text = "Officials in Denver said the bridge reopened on Monday after repairs costing $4 million."
    records = [
        {"id": "wire-a", "text": text, "published": "2024-03-06"},
        {"id": "wire-b", "text": text, "published": "2024-03-13"},  # same story, a week later elsewhere
        {"id": "other", "text": "The mayor resigned on Friday.", "published": "2024-03-08"},
    ]
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "feed.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    run_all(inp, tmp_path / "out", config=PipelineConfig(processes=1))
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["stages"]["segment"]["parsed_articles"] == 2  # two distinct texts
    timexes = pq.read_table(tmp_path / "out" / "timexes.parquet").to_pylist()
    monday = {t["article_id"]: t["value"] for t in timexes if t["text"] == "Monday"}
    # each copy's "Monday" is still anchored on its own publication date
    assert monday == {"wire-a": "2024-03-04", "wire-b": "2024-03-11"}
    # and each copy has its own rows (ids), though they share one parse, also when rebuilt from the caches
    run_all(inp, tmp_path / "out", config=PipelineConfig(processes=1))
    for table in ("sentences", "entities", "claims"):
        rows = pq.read_table(tmp_path / "out" / f"{table}.parquet").to_pylist()
        by_article = {a: [r for r in rows if r["article_id"] == a] for a in ("wire-a", "wire-b")}
        assert len(by_article["wire-a"]) == len(by_article["wire-b"]) > 0, table
        assert all(r["sentence_id"].startswith(a + "/") for a, rs in by_article.items() for r in rs), table


def test_primed_parses_are_served_from_memory_first_articles_only(tmp_path: Path, nlp) -> None:  # type: ignore[no-untyped-def]
    # Before the stages fork their workers the parent loads the parses the stages walk first, so
    # the workers inherit them instead of each reading them from disk again; no more than `keep`.
    from pipeline.parse import DocCache, parse_articles

    ids, articles = _articles(4)
    parsed, n = parse_articles(articles, nlp=nlp, cache_dir=tmp_path / "docs", processes=1)
    assert n == 4
    fresh = DocCache(nlp, tmp_path / "docs", {a: parsed.key_of(a) for a in ids}, keep=2)
    assert fresh.prime(reversed(ids)) == 2  # only the first two ids in the stages' order
    for a in ids:
        fresh.path_for(a).unlink()
    assert [fresh[a].text for a in ids[:2]] == ["Article number 0 was published in Paris on Monday.",
                                                "Article number 1 was published in Paris on Monday."]
    with pytest.raises(FileNotFoundError):
        fresh["a2"]  # not primed: read from disk, which is gone


def test_loading_parses_scans_entry_points_once_and_gives_spacys_docs(tmp_path: Path, nlp, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # srsly's decoder registry scanned the installed packages' entry points on every parse loaded
    # (a third of the load); the cache asks once per process, and loads the same Doc as DocBin does.
    import catalogue
    from spacy.tokens import DocBin

    from pipeline.parse import DocCache, load_doc, parse_articles

    ids, articles = _articles(3)
    parsed, _ = parse_articles(articles, nlp=nlp, cache_dir=tmp_path / "docs", processes=1)
    scans: list[object] = []
    original = catalogue.Registry.get_entry_points
    monkeypatch.setattr(catalogue.Registry, "get_entry_points", lambda self: scans.append(self) or original(self))
    import srsly.msgpack

    if "get_all" in vars(srsly.msgpack.msgpack_decoders):  # as in a fresh process
        monkeypatch.delattr(srsly.msgpack.msgpack_decoders, "get_all")
    fresh = DocCache(nlp, tmp_path / "docs", {a: parsed.key_of(a) for a in ids})
    for a in ids:
        data = fresh.path_for(a).read_bytes()
        ours = load_doc(data, nlp.vocab)
        stock = next(iter(DocBin().from_bytes(data).get_docs(nlp.vocab)))
        assert ours.to_json() == stock.to_json()
        assert [t.lemma_ for t in fresh[a]] == [t.lemma_ for t in stock]
    assert len(scans) <= 1


@pytest.mark.parametrize(
    ("processes", "expected_calls"),
    [
        # workers parse: the parent does the later stages' loading meanwhile, once, before they finish
        (2, 1),
        # one process parses itself: there is no idle time to fill, so nothing is run
        (1, 0),
    ],
)
def test_while_parsing_runs_in_the_parent_while_workers_parse(tmp_path: Path, nlp, processes: int, expected_calls: int) -> None:  # type: ignore[no-untyped-def]
    import os

    from pipeline.parse import parse_articles

    ids, articles = _articles(6)
    calls: list[int] = []
    parsed, n = parse_articles(
        articles, nlp=nlp, cache_dir=tmp_path / "docs", processes=processes, while_parsing=lambda: calls.append(os.getpid())
    )
    assert n == 6 and [parsed[a].text for a in ids] == articles["text"].to_pylist()
    assert calls == [os.getpid()] * expected_calls


@pytest.mark.parametrize(
    "processes",
    [
        1,  # parsed in this process, window after window
        2,  # parsed by a pool, each window dealt out in chunks
    ],
)
def test_texts_are_read_a_window_at_a_time_and_every_article_is_parsed(tmp_path: Path, nlp, processes: int) -> None:  # type: ignore[no-untyped-def]
    # The stages hand the parse a table without texts and the texts as a stream of batches: a
    # window of texts is read only once the window before the last is parsed, so a large corpus's
    # texts are never all in memory, and the parses are the same as from one table with texts.
    from pipeline.parse import parse_articles

    ids, articles = _articles(9)
    cache_dir = tmp_path / "docs"
    parsed_when_read: list[int] = []

    def texts():  # type: ignore[no-untyped-def]
        for k in range(0, 9, 2):  # batches of 2 rows, windows of 2 articles
            parsed_when_read.append(sum(1 for _ in cache_dir.rglob("*.spacy")) if cache_dir.exists() else 0)
            yield articles.slice(k, 2).select(["article_id", "text"])

    docs, n = parse_articles(articles.drop_columns(["text"]), nlp=nlp, cache_dir=cache_dir, texts=texts(), processes=processes, window=2)
    assert n == 9
    assert [docs[a].text for a in ids] == articles["text"].to_pylist()
    # reading window w (batch w) waits for windows up to w - 2 to be parsed
    assert all(done >= 2 * (w - 1) for w, done in enumerate(parsed_when_read) if w >= 2), parsed_when_read


def test_only_articles_missing_from_the_cache_have_their_texts_parsed(tmp_path: Path, nlp) -> None:  # type: ignore[no-untyped-def]
    from pipeline.parse import parse_articles

    ids, articles = _articles(3)
    parse_articles(articles.slice(0, 2), nlp=nlp, cache_dir=tmp_path / "docs")
    _, n = parse_articles(articles.drop_columns(["text"]), nlp=nlp, cache_dir=tmp_path / "docs", texts=[articles.select(["article_id", "text"])])
    assert n == 1  # a2 only

    def never():  # type: ignore[no-untyped-def]
        raise AssertionError("texts read although every article is cached")
        yield

    _, n = parse_articles(articles.drop_columns(["text"]), nlp=nlp, cache_dir=tmp_path / "docs", texts=never())
    assert n == 0


def test_a_window_below_one_is_refused(tmp_path: Path, nlp) -> None:  # type: ignore[no-untyped-def]
    from pipeline.parse import parse_articles

    with pytest.raises(ValueError, match="window must be a positive integer"):
        parse_articles(_articles(1)[1], nlp=nlp, cache_dir=tmp_path / "docs", window=0)


@pytest.mark.parametrize(
    "processes",
    [
        1,  # parsed inline: the hook runs in this process
        2,  # parsed in forked workers: they inherit the hook (it is never pickled) and run it there
    ],
)
def test_after_parse_runs_once_for_each_article_parsed(tmp_path: Path, nlp, processes: int) -> None:  # type: ignore[no-untyped-def]
    import pyarrow as pa

    from pipeline.parse import parse_articles

    ids, articles = _articles(6)
    # a seventh article repeats the text of the second (a wire story two outlets ran)
    copy = articles.slice(1, 1).set_column(0, "article_id", pa.array(["a6"]))
    articles, ids = pa.concat_tables([articles, copy]), [*ids, "a6"]
    seen = tmp_path / "seen"
    seen.mkdir()

    def after(article_id: str, parse_key: str, doc) -> None:  # type: ignore[no-untyped-def]
        (seen / article_id).write_text(f"{parse_key}\n{doc.text}")

    parsed, n = parse_articles(articles, nlp=nlp, cache_dir=tmp_path / "docs", processes=processes, after_parse=after)
    assert n == 6  # the copy's text is parsed once
    # ... and the hook still runs for the copy, on that parse
    assert sorted(p.name for p in seen.iterdir()) == sorted(ids)
    assert parsed.articles_parsed == 7
    for article_id, text in zip(ids, articles["text"].to_pylist(), strict=True):
        assert (seen / article_id).read_text() == f"{parsed.key_of(article_id)}\n{text}"
    # a second run finds every parse cached: nothing is parsed, so the hook does not run
    for p in seen.iterdir():
        p.unlink()
    assert parse_articles(articles, nlp=nlp, cache_dir=tmp_path / "docs", processes=processes, after_parse=after)[1] == 0
    assert not list(seen.iterdir())


@pytest.mark.parametrize(
    ("in_worker", "expected_calls"),
    [
        (True, 1),  # a worker given no model (a Dask worker is not forked from the run): it sets the allocator itself
        (False, 0),  # inline, with the run's model: the run set it already
    ],
)
def test_parse_workers_set_the_allocator_themselves(tmp_path: Path, nlp, monkeypatch, in_worker: bool, expected_calls: int) -> None:  # type: ignore[no-untyped-def]
    from pipeline import parse

    calls: list[int] = []
    monkeypatch.setattr(parse, "keep_freed_memory", lambda: calls.append(1) or True)
    item = ("a0", "Paris was quiet on Monday.", str(tmp_path / "a0.spacy"), None, ())
    done = parse._parse_chunk([item], model=PipelineConfig().spacy_model, max_length=nlp.max_length, batch_size=4, nlp=None if in_worker else nlp)
    assert done == ["a0"] and (tmp_path / "a0.spacy").exists()
    assert len(calls) == expected_calls
