"""Dedup: paraphrases across sources merge; different events, values and negations do not; ids are stable."""

from __future__ import annotations

import random

import pyarrow as pa
import pytest
from spacy.language import Language

from conftest import build_tables
from pipeline.dedup import (
    ClaimMatcher,
    DedupSettings,
    candidate_pairs,
    claim_infos,
    deduplicate,
    facts_from,
    quantities_agree,
)
from pipeline.places import Gazetteer
from pipeline.similarity import ParaphraseScorer

SCORER = ParaphraseScorer.load()
PLACES = Gazetteer.load()


def _decide(nlp: Language, a: str, b: str) -> tuple[bool, bool]:
    """(same fact, same event) for the single claims of two one-sentence articles."""
    t = build_tables(nlp, {"a": a, "b": b})
    claims = t["claims"]
    assert claims.num_rows == 2, claims.to_pylist()
    facts = facts_from(claims)
    decision = ClaimMatcher(facts, claim_infos(claims, t["docs"]), scorer=SCORER, places=PLACES)(0, 1)
    return decision.same, decision.same_event


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # the paraphrase: different wording, same fact (Hamburg is where the G20 was)
        ("The first face-to-face meeting between Trump and Putin took place in July 2017 at the G20 summit in Hamburg.",
         "In July 2017 Trump and Putin met in person for the first time, in Hamburg."),
        # near-identical restatement across outlets
        ("The United States withdrew from the INF Treaty in 2019, citing Russian violations.",
         "In 2019 the United States withdrew from the INF Treaty, citing violations by Russia."),
    ],
)
def test_paraphrases_merge(nlp: Language, a: str, b: str) -> None:
    assert _decide(nlp, a, b)[0]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # shared entities, different event (place and year differ)
        ("Trump and Putin met in Hamburg in July 2017.", "Trump and Putin met in Helsinki in July 2018."),
        # value disagreement
        ("The treaty banned missiles with ranges of up to 5,500 kilometers in 1987.",
         "The treaty banned missiles with ranges of up to 5,000 kilometers in 1987."),
        # negation
        ("U.S. intelligence agencies concluded in 2017 that Russia interfered in the election.",
         "U.S. intelligence agencies did not conclude in 2017 that Russia interfered in the election."),
        # the seeds: two lists of topics that differ are two facts (they were one cluster)
        ("Donald Trump and Vladimir Putin discussed a range of issues, including Syria, Ukraine, and arms control.",
         "Donald Trump and Vladimir Putin discussed a range of topics, including Syria, Ukraine, and counter-terrorism."),
    ],
)
def test_disagreeing_claims_do_not_merge_but_stay_linked(nlp: Language, a: str, b: str) -> None:
    same, same_event = _decide(nlp, a, b)
    assert not same
    assert same_event, "conflict detection needs the two claims linked by event"


@pytest.mark.parametrize(
    ("a", "mod_a", "b", "mod_b", "agree"),
    [
        (100, "MORE_THAN", 120, None, True),  # "more than 100" vs "120"
        (5500, None, 5000, None, False),  # "5,500 km" vs "5,000 km"
        (30, "APPROX", 32, None, True),  # "about 30" vs "32"
        (2, None, 0.5, None, False),  # "two hours" vs "half an hour"
    ],
)
def test_quantity_agreement(a: float, mod_a: str | None, b: float, mod_b: str | None, agree: bool) -> None:
    assert quantities_agree(a, mod_a, b, mod_b) is agree
    assert quantities_agree(b, mod_b, a, mod_a) is agree


TEXTS = {
    "x1": "Trump and Putin met in Hamburg in July 2017. The United States withdrew from the INF Treaty in 2019.",
    "x2": "In July 2017 Trump and Putin met in Hamburg. In 2019 the United States withdrew from the INF Treaty.",
    "x3": "Trump and Putin met in Helsinki in July 2018. More than 100 people attended the summit in Helsinki in 2018.",
}


@pytest.fixture(scope="module")
def tables(nlp: Language) -> dict[str, object]:
    return build_tables(nlp, TEXTS)


def _clusters(tables: dict[str, object], order: list[int] | None = None) -> dict[str, str]:
    claims: pa.Table = tables["claims"]  # type: ignore[assignment]
    if order is not None:
        claims = claims.take(order)
    infos = claim_infos(claims, tables["docs"])  # type: ignore[arg-type]
    out = deduplicate(claims, tables["articles"], infos, scorer=SCORER, places=PLACES)  # type: ignore[arg-type]
    return dict(zip(out["claim_id"].to_pylist(), out["cluster_id"].to_pylist()))


def test_cluster_ids_identical_across_runs_and_input_orders(tables: dict[str, object]) -> None:
    base = _clusters(tables)
    n = tables["claims"].num_rows  # type: ignore[attr-defined]
    order = list(range(n))
    random.Random(7).shuffle(order)
    assert _clusters(tables, order) == base == _clusters(tables)


def test_cross_article_clusters_and_support(tables: dict[str, object]) -> None:
    claims: pa.Table = tables["claims"]  # type: ignore[assignment]
    out = deduplicate(claims, tables["articles"], claim_infos(claims, tables["docs"]), scorer=SCORER, places=PLACES)  # type: ignore[arg-type]
    rows = {r["claim_id"]: r for r in out.to_pylist()}
    assert rows["x1/c0000"]["cluster_id"] == rows["x2/c0000"]["cluster_id"]  # Hamburg 2017, two sources
    assert rows["x1/c0000"]["n_articles"] == 2 and rows["x1/c0000"]["n_sources"] == 2
    assert rows["x3/c0000"]["cluster_id"] != rows["x1/c0000"]["cluster_id"]  # Helsinki 2018 is another meeting
    for cluster_id in {r["cluster_id"] for r in rows.values()}:
        assert sum(r["is_representative"] for r in rows.values() if r["cluster_id"] == cluster_id) == 1


def test_blocking_is_not_all_pairs(tables: dict[str, object]) -> None:
    facts = facts_from(tables["claims"])  # type: ignore[arg-type]
    n = len(facts)
    pairs = candidate_pairs(facts)
    assert all(i < j for i, j in pairs)
    assert len(pairs) < n * (n - 1) // 2


def test_settings_validate_where_they_enter() -> None:
    with pytest.raises(ValueError, match="lsh_threshold must be in"):
        DedupSettings(lsh_threshold=1.5)


def test_candidates_per_claim_are_capped() -> None:
    # thirty restatements of one fact: without a cap every pair (435) would be scored
    from pipeline.dedup import ClaimFacts

    facts = [
        ClaimFacts(f"a{i}/c0000", f"a{i}", f"Trump and Putin met in Hamburg in July 2017 said source {i}.",
                   frozenset({"person:donald_trump", "person:vladimir_putin"}), "meet", False, None, None, None, None, None, None)
        for i in range(30)
    ]
    pairs = candidate_pairs(facts, settings=DedupSettings(max_candidates=3))
    degree = [sum(i in p for p in pairs) for i in range(30)]
    assert 0 < len(pairs) <= 2 * 3 * 30  # each claim chooses at most 2k partners
    assert min(degree) >= 1  # nobody is left without a candidate


@pytest.mark.parametrize(
    "batches",
    [
        [],  # nothing judged: every pair is missing
        [[((0, 1), 0.5), ((2, 7), 0.25)]],  # one update
        [[((3, 4), 0.1)], [((3, 4), 0.9), ((0, 2), 0.3)]],  # a pair given again keeps its latest score
        [[((i, j), (i * 31 + j) % 97 / 97) for i in range(40) for j in range(i + 1, 40, 3)], [((5, 6), 1.0)]],  # many
    ],
)
def test_pair_scores_answer_as_a_dict_would(batches: list[list[tuple[tuple[int, int], float]]]) -> None:
    # Dedup hands conflicts its text scores in this compact form; it must answer exactly as the
    # dict it replaces, or conflicts would judge pairs on other scores.
    import numpy as np

    from pipeline.dedup import PairScores

    compact, plain = PairScores(), {}
    for batch in batches:
        compact.update(batch)
        plain.update(batch)
    asked = [(i, j) for i in range(41) for j in range(i + 1, 41)]
    assert [compact.get(p) for p in asked] == [plain.get(p) for p in asked]
    assert len(compact) == len(plain) and bool(compact) == bool(plain)
    looked = compact.lookup([i for i, _ in asked], [j for _, j in asked])
    assert [None if np.isnan(v) else float(v) for v in looked] == [plain.get(p) for p in asked]
    again = PairScores.from_arrays([i for i, _ in asked], [j for _, j in asked], looked)
    assert [again.get(p) for p in asked] == [plain.get(p) for p in asked]


def test_a_sentence_repeated_in_one_article_is_one_cluster_judged_once(nlp: Language) -> None:
    # 14,000 copies of one sentence in one article made 14,000 clusters, and every copy was
    # blocked, grouped into events (a 14,000² matrix) and judged against the others.
    fact = "The council closed 12 libraries in Leeds in March 2019. "
    tables = build_tables(nlp, {"a": fact * 6 + "The mayor resigned in Leeds in April 2019.", "b": fact})
    claims: pa.Table = tables["claims"]  # type: ignore[assignment]
    facts = facts_from(claims)
    copies = [i for i, f in enumerate(facts) if f.article_id == "a" and "libraries" in f.text]
    assert len(copies) == 6
    assert not any(i in pair for pair in candidate_pairs(facts) for i in copies[1:])  # only the first copy is compared
    judged: list[tuple[int, int]] = []
    matcher = ClaimMatcher(facts, claim_infos(claims, tables["docs"]), scorer=SCORER, places=PLACES)

    def judge(i: int, j: int) -> object:
        judged.append((i, j))
        return matcher(i, j)

    from pipeline.dedup import cluster

    out, _ = cluster(
        facts, judge=judge, outlets={}, checkworthiness=[0.5] * len(facts), standalone=[True] * len(facts), places=PLACES,
        story_of=["one story"] * len(facts),
    )
    by_id = {r["claim_id"]: r for r in out.to_pylist()}
    rows = [by_id[f.claim_id] for f in facts]
    ids = {rows[i]["cluster_id"] for i in copies}
    assert len(ids) == 1  # one cluster for the repeated sentence...
    (cluster_id,) = ids
    members = [r for r in rows if r["cluster_id"] == cluster_id]
    assert {r["n_claims"] for r in members} == {len(members)} and sum(r["is_representative"] for r in members) == 1
    assert any(facts[k].article_id == "b" for k, r in enumerate(rows) if r["cluster_id"] == cluster_id)  # ...that b's copy joins
    assert not any(i in pair for pair in judged for i in copies[1:])
    assert len({rows[i]["event_key"] for i in copies}) == 1
