"""Shared fixtures: the spaCy pipeline is loaded once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from spacy.language import Language

from pipeline.config import DEFAULT_CONFIG
from pipeline.nlp import nlp_for

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"
DATA = ROOT / "tests" / "data"
#: The multi-source input: the two seeds, the restatements that change their values, five ECB+ articles of one topic.
MULTI_SOURCE_FILES = (*sorted(SEEDS.glob("*.txt")), *sorted((DATA / "conflicts").glob("changed_*.txt")), DATA / "ecbplus" / "topic1_lohan_rehab.jsonl")


@pytest.fixture(scope="session")
def nlp() -> Language:
    return nlp_for(DEFAULT_CONFIG)


@pytest.fixture(scope="session")
def seed_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One full run over seeds/ shared by the end-to-end tests (read-only for them)."""
    from pipeline.runner import run_all

    out = tmp_path_factory.mktemp("seed_run")
    run_all(SEEDS, out, config=DEFAULT_CONFIG)
    return out


@pytest.fixture(scope="session")
def multi_source_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One full run over MULTI_SOURCE_FILES (10 short articles, a few seconds), shared read-only by the tests."""
    from pipeline.runner import run_all

    source = tmp_path_factory.mktemp("multi_source_input")
    for path in MULTI_SOURCE_FILES:
        shutil.copy(path, source / path.name)
    out = tmp_path_factory.mktemp("multi_source_run")
    run_all(source, out, config=DEFAULT_CONFIG)
    return out


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """A writable copy of seeds/."""
    dest = tmp_path / "input"
    shutil.copytree(SEEDS, dest)
    return dest


class ConstantScorer:
    """Stands in for the check-worthiness model where a test is about extraction, not ranking."""

    def score(self, texts: list[str], *, docs: object = None) -> "object":
        import numpy as np

        return np.full(len(texts), 0.5)


def build_tables(nlp: Language, texts: dict[str, str], published: str | None = "2019-03-01", *, scorer: object = None) -> dict[str, object]:
    """articles … claims tables and parses for a few short articles, in memory."""
    import json

    from pipeline.claims import ClaimLexicon, extract_claims
    from pipeline.entities import AliasTable, annotate_entities
    from pipeline.ingest import RawInput, ingest
    from pipeline.segment import segment
    from pipeline.timexes import annotate_timexes

    lines = "\n".join(json.dumps({"id": k, "text": v, "published": published, "source": f"outlet-{k}"}) for k, v in texts.items())
    articles = ingest([RawInput("t.jsonl", lines.encode())])
    docs = {a: nlp(t) for a, t in zip(articles["article_id"].to_pylist(), articles["text"].to_pylist())}
    sentences = segment(articles, docs)
    entities = annotate_entities(articles, sentences, docs, aliases=AliasTable.load())
    timexes = annotate_timexes(articles, sentences, docs)
    claims = extract_claims(articles, sentences, entities, timexes, docs, scorer=scorer or ConstantScorer(), lexicon=ClaimLexicon.load())
    return {"articles": articles, "sentences": sentences, "entities": entities, "timexes": timexes, "claims": claims, "docs": docs}


def spy_processes(monkeypatch: pytest.MonkeyPatch, module: object) -> list[int]:
    """Record the `processes` of every `ordered_map` call made through `module` (the map still runs)."""
    asked: list[int] = []
    real_map = module.ordered_map  # type: ignore[attr-defined]

    def spy(fn, items, *, processes=1, **kw):  # type: ignore[no-untyped-def]
        asked.append(processes)
        return real_map(fn, items, processes=processes, **kw)

    monkeypatch.setattr(module, "ordered_map", spy)
    return asked
