"""End to end over seeds/: the contract's columns, exact offsets, determinism, incremental reuse."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from contract import REQUIRED_COLUMNS
from pipeline.config import DEFAULT_CONFIG
from pipeline.runner import STAGE_TABLES, run_all

from conftest import SEEDS

WRITTEN = ["articles", *STAGE_TABLES.values()]


@pytest.mark.parametrize("table", WRITTEN)
def test_contract_columns_present(seed_run: Path, table: str) -> None:
    schema = pq.read_schema(seed_run / f"{table}.parquet")
    missing = [c for c in REQUIRED_COLUMNS[table] if c not in schema.names]
    assert not missing
    assert schema.metadata[b"pipeline.schema_version"]


def test_every_seed_sentence_slices_exactly(seed_run: Path) -> None:
    texts = {a["article_id"]: a["text"] for a in pq.read_table(seed_run / "articles.parquet").to_pylist()}
    sentences = pq.read_table(seed_run / "sentences.parquet").to_pylist()
    assert len(sentences) > 200
    for s in sentences:
        assert texts[s["article_id"]][s["start_char"] : s["end_char"]] == s["text"]
        assert s["text"] == s["text"].strip()
    # seed headings are sections, never sentences
    assert "Introduction" in {s["section"] for s in sentences}
    assert "Introduction" not in {s["text"] for s in sentences}


def test_seed_articles_parsed_into_columns(seed_run: Path) -> None:
    rows = pq.read_table(seed_run / "articles.parquet").to_pylist()
    assert {r["author"] for r in rows} == {"Elias Adebayo", "Henrik Larsen"}
    assert all(r["status"] == "ok" and r["views"] > 0 and not r["text"].startswith(r["title"]) for r in rows)


def test_manifest_records_hashes_counts_and_timings(seed_run: Path) -> None:
    manifest = json.loads((seed_run / "manifest.json").read_text())
    assert manifest["model"]["version"] == "3.8.0"
    assert set(manifest["stages"]["ingest"]["inputs"]) == {p.name for p in SEEDS.iterdir()}
    assert manifest["stages"]["segment"]["rows"]["sentences"] == pq.read_table(seed_run / "sentences.parquet").num_rows
    assert all(entry["seconds"] >= 0 for entry in manifest["stages"].values())


def test_second_run_gives_identical_tables_and_reuses_parses(seed_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "again"
    shutil.copytree(seed_run / ".cache", out / ".cache")
    run_all(SEEDS, out, config=DEFAULT_CONFIG)
    for table in WRITTEN:
        assert pq.read_table(out / f"{table}.parquet").equals(pq.read_table(seed_run / f"{table}.parquet")), table
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["stages"]["segment"]["parsed_articles"] == 0


def test_editing_one_article_reparses_only_that_one(seed_run: Path, tmp_path: Path) -> None:
    inp = tmp_path / "in"
    shutil.copytree(SEEDS, inp)
    first = sorted(inp.iterdir())[0]
    first.write_text(first.read_text() + "\nThe summit ended on a Tuesday.\n")
    out = tmp_path / "out"
    shutil.copytree(seed_run / ".cache", out / ".cache")
    run_all(inp, out, config=DEFAULT_CONFIG)
    assert json.loads((out / "manifest.json").read_text())["stages"]["segment"]["parsed_articles"] == 1


def test_timexes_are_cached_per_article(seed_run: Path, tmp_path: Path) -> None:
    # the seed run found every article's timexes while parsing; a rerun on its cache finds none anew
    out = tmp_path / "again"
    shutil.copytree(seed_run / ".cache", out / ".cache")
    run_all(SEEDS, out, config=DEFAULT_CONFIG)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["stages"]["timexes"]["rows"]["articles_annotated_here"] == 0
    assert pq.read_table(out / "timexes.parquet").equals(pq.read_table(seed_run / "timexes.parquet"))
    # without cached timexes they are found again, identically
    for cached in (out / ".cache").rglob("*.timex.json"):
        cached.unlink()
    run_all(SEEDS, out, config=DEFAULT_CONFIG)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["stages"]["timexes"]["rows"]["articles_annotated_here"] == 2
    assert pq.read_table(out / "timexes.parquet").equals(pq.read_table(seed_run / "timexes.parquet"))


def test_sentences_mentions_and_claims_are_cached_per_article(seed_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "again"
    shutil.copytree(seed_run / ".cache", out / ".cache")
    run_all(SEEDS, out, config=DEFAULT_CONFIG)
    stages = json.loads((out / "manifest.json").read_text())["stages"]
    assert stages["segment"]["rows"]["articles_segmented"] == 0  # sentences, mentions and claims ...
    assert stages["entities"]["rows"]["articles_annotated_here"] == 0
    claims = stages["claims"]["rows"]
    assert claims["articles_extracted"] == 0  # ... of the seed run are reused ...
    assert pq.read_table(out / "claims.parquet").equals(pq.read_table(seed_run / "claims.parquet"))  # ... unchanged
    # editing one article extracts that article's claims again, and only those
    inp = tmp_path / "in"
    shutil.copytree(SEEDS, inp)
    first = sorted(inp.iterdir())[0]
    first.write_text(first.read_text() + "\nThe ministry said 40 people were injured on Tuesday.\n")
    run_all(inp, out, config=DEFAULT_CONFIG)
    stages = json.loads((out / "manifest.json").read_text())["stages"]
    assert stages["segment"]["rows"]["articles_segmented"] == 1
    assert stages["entities"]["rows"]["articles_annotated_here"] == 1
    assert stages["claims"]["rows"]["articles_extracted"] == 1
    texts = pq.read_table(out / "claims.parquet").filter(pc.equal(pq.read_table(out / "claims.parquet")["article_id"], first.stem))["text"].to_pylist()
    assert any("40 people were injured" in t for t in texts)


def test_conflicts_run_alone_reuses_dedups_pairs_and_scores(seed_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `make` runs dedup and conflicts as separate processes: conflicts reads the candidate pairs
    # and text scores dedup computed for the same claims instead of recomputing them.
    import pipeline.runner as runner
    from pipeline.similarity import ParaphraseScorer

    out = tmp_path / "out"
    shutil.copytree(seed_run, out)
    expected = pq.read_table(out / "conflicts.parquet")
    runner.run_stage("dedup", out, config=DEFAULT_CONFIG)

    def recomputed(*args: object, **kwargs: object) -> None:
        raise AssertionError("recomputed what dedup had cached")

    monkeypatch.setattr(runner, "candidate_pairs", recomputed)
    monkeypatch.setattr(ParaphraseScorer, "score_info", recomputed)
    runner.run_stage("conflicts", out, config=DEFAULT_CONFIG)
    assert pq.read_table(out / "conflicts.parquet").equals(expected)


def test_conflicts_recompute_pairs_when_the_claims_changed(seed_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The cached pairs are dedup's for one claims table: other claims (here one fewer) get their own.
    import pipeline.runner as runner
    from pipeline.io import write_table

    out = tmp_path / "out"
    shutil.copytree(seed_run, out)
    claims = pq.read_table(out / "claims.parquet")
    write_table(claims.slice(1), out, "claims")
    calls: list[int] = []
    real = runner.candidate_pairs

    def counted(facts, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(len(facts))
        return real(facts, **kwargs)

    monkeypatch.setattr(runner, "candidate_pairs", counted)
    runner.run_stage("conflicts", out, config=DEFAULT_CONFIG)
    assert calls == [claims.num_rows - 1]


def test_claims_stage_hands_dedup_the_analyses_of_the_claims_it_wrote(seed_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # In one run the claims stage makes dedup's text analyses while each batch's parses are at
    # hand; they must be those of the claims table as written, row for row, or dedup would pair
    # one claim's facts with another's wording.
    import pipeline.runner as runner
    from pipeline.dedup import claim_infos
    from pipeline.io import read_table
    from pipeline.schemas import ARTICLE_INDEX_COLUMNS

    out = tmp_path / "out"
    shutil.copytree(seed_run, out)
    ctx = runner.RunContext(out, DEFAULT_CONFIG, analyse_claims_with_claims=True)
    runner.stage_claims(ctx)

    def recomputed(*args: object, **kwargs: object) -> None:
        raise AssertionError("dedup analysed the claims again")

    monkeypatch.setattr(runner, "claim_infos", recomputed)
    claims = read_table(out, "claims")
    articles = read_table(out, "articles", columns=ARTICLE_INDEX_COLUMNS)
    handed = ctx.claim_infos(claims, articles)
    fresh = claim_infos(claims, ctx.docs(articles))
    assert claims.num_rows > 50 and len(handed) == claims.num_rows
    assert handed == fresh  # SentenceInfo: a frozen dataclass, equal field by field
    # a stage process of `make` does not make them: dedup, in its own process, would discard them
    assert runner.RunContext(out, DEFAULT_CONFIG).analyse_claims_with_claims is False
