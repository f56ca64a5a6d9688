"""Entities: mentions of one real-world entity share an id within and across articles; kinds never merge."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from spacy.language import Language

from pipeline.entities import AliasTable, Mention, annotate_entities, entity_key, link
from pipeline.errors import ModelError
from pipeline.ingest import RawInput, ingest
from pipeline.segment import segment

from conftest import SEEDS

ALIASES = AliasTable.load()


def _m(article: str, text: str, label: str) -> Mention:
    from pipeline.entities import KIND_OF_LABEL

    return Mention(article, 0, len(text), text, label, KIND_OF_LABEL[label], entity_key(text), "ner")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # abbreviation with dots vs full name, across articles, via the alias table
        (("x", "U.S.", "GPE"), ("y", "the United States", "GPE")),
        # bare abbreviation vs abbreviation with a determiner
        (("x", "US", "GPE"), ("y", "the US", "GPE")),
        # possessive
        (("x", "Russia's", "GPE"), ("x", "Russia", "GPE")),
        # case and punctuation
        (("x", "NATO", "ORG"), ("y", "Nato", "ORG")),
        # treaty long name vs short name (alias table)
        (("x", "Intermediate-Range Nuclear Forces Treaty", "LAW"), ("y", "the INF Treaty", "LAW")),
        # a country tagged ORG by the model is still the country
        (("x", "U.S.", "ORG"), ("y", "United States", "GPE")),
    ],
)
def test_mentions_that_share_an_id(a: tuple[str, str, str], b: tuple[str, str, str]) -> None:
    ids = link([_m(*a), _m(*b)], ALIASES)
    assert ids[0][0] == ids[1][0]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # different kinds never merge: a person and a country with the same name
        (("x", "Jordan", "PERSON"), ("y", "Jordan", "GPE")),
        # different people
        (("x", "Donald Trump", "PERSON"), ("y", "Melania Trump", "PERSON")),
        # a nationality is not the country
        (("x", "Russian", "NORP"), ("y", "Russia", "GPE")),
    ],
)
def test_mentions_that_must_not_share_an_id(a: tuple[str, str, str], b: tuple[str, str, str]) -> None:
    ids = link([_m(*a), _m(*b)], ALIASES)
    assert ids[0][0] != ids[1][0]


def test_a_known_place_outranks_a_lone_person_label() -> None:
    # the seeds: "Russia" and "U.S." tagged PERSON once each, among many GPE mentions, are the countries
    mentions = [_m("x", "Russia", "GPE"), _m("y", "Russia", "GPE"), _m("z", "Russia", "PERSON"),
                _m("x", "U.S.", "GPE"), _m("y", "United States", "GPE"), _m("z", "U.S.", "PERSON")]
    ids = [i for i, _ in link(mentions, ALIASES)]
    assert ids[2] == ids[0] == "place:russia"
    assert ids[5] == ids[3] == "place:united_states"
    # a name tagged PERSON as often as GPE keeps its person (Jordan the player, Jordan the country),
    # and so does a surname whose full name the article gives
    tie = link([_m("x", "Jordan", "GPE"), _m("y", "Jordan", "PERSON")], ALIASES)
    assert tie[0][0] != tie[1][0]
    named = link([_m("x", "Jordan", "GPE"), _m("x", "Jordan", "GPE"), _m("y", "Michael Jordan", "PERSON"),
                  _m("y", "Jordan", "PERSON")], ALIASES)
    assert named[3][0] == named[2][0] != named[0][0]


def test_surname_links_to_full_name_in_same_article_and_ambiguous_one_does_not() -> None:
    mentions = [
        _m("a", "Donald Trump", "PERSON"),
        _m("a", "Trump", "PERSON"),
        _m("b", "Donald Trump", "PERSON"),
        _m("b", "Melania Trump", "PERSON"),
        _m("b", "Trump", "PERSON"),  # two Trumps in article b: ambiguous, left alone
    ]
    ids = [i for i, _ in link(mentions, ALIASES)]
    assert ids[0] == ids[1] == ids[2]
    assert ids[4] not in {ids[2], ids[3]}


def test_canonical_names_and_readable_ids() -> None:
    ids = link([_m("x", "U.S.", "GPE"), _m("x", "Vladimir Putin", "PERSON"), _m("x", "Putin", "PERSON")], ALIASES)
    assert ids[0] == ("place:united_states", "United States")
    assert ids[1] == ids[2] == ("person:vladimir_putin", "Vladimir Putin")


def test_annotate_over_parsed_articles(nlp: Language) -> None:
    inputs = [
        # the model tags the second "Trump" ORG and misses the third: both must still be Donald Trump
        RawInput("a.txt", b"Donald Trump met Vladimir Putin in Russia. Later, Trump praised the Russian leader. Trump left."),
        RawInput("b.txt", b"The United States and Russia signed the INF Treaty in 1987."),
    ]
    articles = ingest(inputs)
    docs = {aid: nlp(text) for aid, text in zip(articles["article_id"].to_pylist(), articles["text"].to_pylist())}
    sentences = segment(articles, docs)
    rows = annotate_entities(articles, sentences, docs, aliases=ALIASES).to_pylist()
    texts = {aid: t for aid, t in zip(articles["article_id"].to_pylist(), articles["text"].to_pylist())}
    for r in rows:
        assert texts[r["article_id"]][r["start_char"] : r["end_char"]] == r["text"]
        assert r["sentence_id"].startswith(r["article_id"] + "/s")
    by_text = {(r["article_id"], r["text"]): r["entity_id"] for r in rows}
    trumps = [r["entity_id"] for r in rows if r["article_id"] == "a" and "Trump" in r["text"]]
    assert trumps == ["person:donald_trump"] * 3
    assert by_text[("a", "Russia")] == by_text[("b", "Russia")]
    assert by_text[("b", "INF Treaty")] == "law:inf_treaty"
    assert not any(r["label"] in {"DATE", "CARDINAL"} for r in rows)


def test_missing_alias_table_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(ModelError, match="alias table not found"):
        AliasTable.load(tmp_path / "nope.json")


def test_linking_in_article_batches_gives_what_linking_all_at_once_gives() -> None:
    # The stage links a batch of articles at a time (memory), yet every decision that needs the
    # whole corpus must still see it: a surname whose full name is in another batch, a name's
    # majority kind counted over all batches, the surface form most used across batches.
    from pipeline.entities import link_batches

    mentions = [
        _m("a", "Russia", "ORG"),
        _m("a", "Putin", "PERSON"),  # full name only in article c (another batch)
        _m("b", "Russia", "GPE"),
        _m("b", "Acme Corp", "ORG"),
        _m("c", "Vladimir Putin", "PERSON"),
        _m("c", "Russia", "GPE"),  # GPE twice against ORG once: a place
        _m("c", "ACME Corp", "ORG"),
        _m("d", "Acme Corp", "ORG"),  # the more frequent spelling names the entity
    ]
    by_article = [[m for m in mentions if m.article_id == a] for a in "abcd"]
    calls: list[int] = []

    def batches():  # type: ignore[no-untyped-def]
        calls.append(1)
        return iter(by_article)

    batched = [linked for batch in link_batches(batches, ALIASES) for linked in batch]
    assert batched == link(mentions, ALIASES)
    assert batched[1] == batched[4] == ("person:vladimir_putin", "Vladimir Putin")
    assert batched[0][0] == batched[2][0] == "place:russia"
    assert batched[3] == batched[6] == ("org:acme_corp", "Acme Corp")
    assert len(calls) == 4  # one walk per pass


def test_one_name_of_two_kinds_links_to_two_entities_in_every_pass() -> None:
    # Linking remembers each (kind, name)'s alias lookup across its passes: a name that is a person
    # in one article and a country in another must stay two entities, whichever comes first.
    mentions = [_m("a", "Jordan", "PERSON"), _m("b", "Jordan", "GPE"), _m("c", "Mr. Jordan", "PERSON")]
    for ordered in (mentions, mentions[::-1]):
        ids = dict(zip([(m.article_id, m.label) for m in ordered], link(ordered, ALIASES), strict=True))
        assert ids[("a", "PERSON")][0] == ids[("c", "PERSON")][0] == "person:jordan"
        assert ids[("b", "GPE")][0] == "place:jordan"


@pytest.mark.parametrize(
    "hold",
    [
        0,  # every batch's mentions go to the temp file and are read back on each pass
        1,  # the first batch is held, then the second sends both to the file
        100_000,  # all held in memory and decoded once
    ],
)
def test_entities_stage_gives_one_table_whether_mentions_are_held_or_spilled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hold: int) -> None:
    import pyarrow.parquet as pq

    from pipeline import io, runner
    from pipeline.config import PipelineConfig

    spills: list[str] = []
    mkstemp = io.tempfile.mkstemp

    def recording_mkstemp(*args: Any, **kwargs: Any) -> tuple[int, str]:
        spills.append(kwargs.get("prefix", ""))
        return mkstemp(*args, **kwargs)

    monkeypatch.setattr(io.tempfile, "mkstemp", recording_mkstemp)
    config = PipelineConfig(stream_articles=1)  # one row group per article: several batches to link
    runner.run_ingest(SEEDS, tmp_path, config=config)
    runner.run_stage("segment", tmp_path, config=config)
    monkeypatch.setattr(runner, "HOLD_MENTIONS", hold)
    runner.run_stage("entities", tmp_path, config=config)
    entities = pq.read_table(tmp_path / "entities.parquet")
    monkeypatch.setattr(runner, "HOLD_MENTIONS", 0)
    runner.run_stage("entities", tmp_path, config=config)
    assert entities.num_rows > 50 and entities.equals(pq.read_table(tmp_path / "entities.parquet"))
    assert (spills.count(".mentions.") == 2) is (hold < entities.num_rows)
