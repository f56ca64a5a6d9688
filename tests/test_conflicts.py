"""Conflicts: typed disagreements between claims about the same thing; restatements give none."""

from __future__ import annotations

import pytest
from spacy.language import Language

from conftest import build_tables
from pipeline.conflicts import ConflictSettings, detect_conflicts
from pipeline.dedup import claim_infos, deduplicate
from pipeline.places import Gazetteer
from pipeline.similarity import ParaphraseScorer

SCORER = ParaphraseScorer.load()
PLACES = Gazetteer.load()


def conflicts_between(nlp: Language, a: str, b: str) -> list[dict[str, object]]:
    t = build_tables(nlp, {"a": a, "b": b})
    claims = t["claims"]
    infos = claim_infos(claims, t["docs"])
    clusters = deduplicate(claims, t["articles"], infos, scorer=SCORER, places=PLACES)
    return detect_conflicts(claims, clusters, t["entities"], t["timexes"], infos, scorer=SCORER, places=PLACES).to_pylist()


@pytest.mark.parametrize(
    ("a", "b", "kind"),
    [
        # a different year for the same meeting
        ("Trump and Putin first met in person at the G20 summit in Hamburg in July 2017.",
         "Trump and Putin first met in person at the G20 summit in Hamburg in July 2016.", "date"),
        # a different quantity with the same unit
        ("The INF Treaty banned missiles with ranges of up to 5,500 kilometers.",
         "The INF Treaty banned missiles with ranges of up to 5,000 kilometers.", "quantity"),
        # a different place, neither inside the other
        ("Trump and Putin held their first summit in Helsinki in July 2018.",
         "Trump and Putin held their first summit in Vienna in July 2018.", "place"),
        # negation
        ("The US intelligence community concluded that Russia conducted a campaign to influence the 2016 election.",
         "The US intelligence community did not conclude that Russia conducted a campaign to influence the 2016 election.", "negation"),
        # two ways of saying an event happened, anchored on one place: their dates compare
        ("Trump and Putin held a summit in Helsinki, Finland, in July 2019.",
         "Another significant encounter occurred in Helsinki, Finland, in July 2018.", "date"),
        # BBC (issue #22): one sale, $9.4bn in one report and $9.3bn in another; "for" and "to" around
        # the amount say nothing about what it measures
        ("Yugansk was sold for $9.4bn to state oil firm Rosneft.",
         "Yugansk was sold to state-run oil group Rosneft for $9.3bn to offset a tax bill.", "quantity"),
        # restatement set (#22): a range differing at its upper end only (its value is the lower end)
        ("The INF Treaty banned ground-launched missiles with ranges of 500 to 3,500 kilometers.",
         "The INF Treaty banned ground-launched missiles with ranges of 500 to 5,500 kilometers.", "quantity"),
        # a different agent for the same action
        ("The special counsel investigation into Russian interference was led by Robert Mueller.",
         "The special counsel investigation into Russian interference was led by James Comey.", "entity"),
    ],
)
def test_changed_values_are_conflicts(nlp: Language, a: str, b: str, kind: str) -> None:
    found = conflicts_between(nlp, a, b)
    assert [c["kind"] for c in found] == [kind]
    c = found[0]
    assert c["value_a"] and c["value_b"] and c["value_a"] != c["value_b"]
    assert 0.0 < c["score"] <= 1.0 and c["explanation"]
    assert c["claim_id_a"] < c["claim_id_b"]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # ECB+ dev: not a rushing touchdown, but touchdowns on punt runbacks: another thing denied
        ("Reggie Bush has not scored a rushing touchdown this season.",
         "Reggie Bush scored three touchdowns on punt runbacks this season."),
        # ECB+ dev: a part of the game and the whole game ("During the run, Echenique scored …, and
        # blocked two shots" / "… blocked six shots")
        ("During the game's deciding 15-2 run, Gregory Echenique scored two three-point plays and blocked two shots.",
         "Gregory Echenique scored all 11 of his points in the second half and blocked six shots."),
        # one range written two ways
        ("The INF Treaty banned ground-launched missiles with ranges of 500 to 5,500 kilometers.",
         "The INF Treaty banned ground-launched missiles with ranges between 500 and 5,500 kilometers."),
        # containment: a month inside the year
        ("Trump and Putin first met in person at the G20 summit in Hamburg in July 2017.",
         "Trump and Putin first met in person at the G20 summit in Hamburg in 2017."),
        # containment: a city inside its country
        ("Trump and Putin held their first summit in Helsinki in July 2018.",
         "Trump and Putin held their first summit in Finland in July 2018."),
        # "more than 100" is consistent with "120"
        ("More than 100 journalists covered the Helsinki summit in July 2018.",
         "120 journalists covered the Helsinki summit in July 2018."),
        # unrelated claims sharing an entity
        ("Trump and Putin met in Hamburg in July 2017.", "Putin annexed Crimea in 2014."),
        # another date and another place: another meeting, not a disagreement
        ("Trump and Putin met in Hamburg in July 2017.", "Trump and Putin met in Helsinki in July 2018."),
        # ECB+: the same team placing another player on injured reserve is another act
        ("The New Orleans Saints have placed running back Reggie Bush on injured reserve because of a sprained knee.",
         "The New Orleans Saints placed Pierre Thomas on injured reserve because of an ankle injury."),
        # ECB+: another player of the same team arrested is another arrest
        ("Chargers defensive tackle Jamal Williams was arrested on suspicion of drunk driving.",
         "Chargers wide receiver Vincent Jackson was arrested on suspicion of drunken driving."),
        # ECB+: another subject and another time ("previously"): a rule changed, not a contradiction
        ("The new regulations don't require federal agencies to consult biologists at the Fish and Wildlife Service.",
         "Previously, federal agencies were required to consult biologists at the Fish and Wildlife Service."),
        # BBC: two coaches' line-ups; a number of changes by another named subject is another act
        ("France coach Bernard Laporte has made four changes to the starting line-up for Saturday's match.",
         "Wales coach Mike Ruddock has made two changes to the starting line-up for Saturday's match."),
        # BBC: one wire sentence whose "He" the resolver read as two people: the sources named no actor
        ("Tony Blair met the Cabinet on Monday. He had then changed his mind in June 2004, following intervention from Cabinet allies.",
         "Robert Peston wrote the book on Monday. He had then changed his mind in June 2004, following intervention from Cabinet allies."),
        # ECB+: a nationality describes a climber; it is not another agent of one fall
        ("A British climber has fallen to his death in New Zealand.",
         "An Australian climber has fallen to his death in New Zealand."),
        # ECB+: "the NBA Charlotte Bobcats" and "the NBA's Charlotte Bobcats" were linked as two entities;
        # a claim that names the other's entity too has no other agent
        ("Ford, now an assistant coach to fellow Tar Heel alumnus Larry Brown with the NBA Charlotte Bobcats, finished his career in 1978.",
         "Ford, now an assistant coach to Larry Brown with the NBA's Charlotte Bobcats, finished his career in 1978."),
        # ECB+: the second clause lost its subject (the Red Sox); the Orioles' offer is not the value it disagrees with
        ("The Orioles have offered Mark Teixeira a seven-year deal worth $150 million.",
         "Sources said offered Mark Teixeira an eight-year deal worth $184 million."),
        # ECB+: "he" left unresolved names nobody: LaRue denied being Deep Throat; the other "He" is Felt
        ("LaRue insisted he was not Deep Throat.", "He was Deep Throat."),
        # ECB+: a denial and an affirmation at two times do not contradict
        ("Reggie Bush has not scored a rushing touchdown this season.",
         "Reggie Bush scored a rushing touchdown the following week against Atlanta."),
        # ECB+: "between $140 and $150 million" is the same range as "between $140 million and $150 million"
        ("The Orioles have made an offer between $140 and $150 million over seven years.",
         "The Orioles made a proposal reportedly worth between $140 million and $150 million over seven years."),
    ],
)
def test_consistent_restatements_are_not_conflicts(nlp: Language, a: str, b: str) -> None:
    assert conflicts_between(nlp, a, b) == []


def test_hedged_claims_are_marked_and_weigh_less(nlp: Language) -> None:
    plain = conflicts_between(nlp, "Trump and Putin met in Hamburg in July 2017.", "Trump and Putin met in Hamburg in July 2016.")
    hedged = conflicts_between(nlp, "Trump and Putin met in Hamburg in July 2017.", "Trump and Putin reportedly met in Hamburg in July 2016.")
    assert plain and hedged
    assert "hedged" in hedged[0]["explanation"]
    assert hedged[0]["score"] < plain[0]["score"]


def test_settings_validate() -> None:
    with pytest.raises(ValueError, match="probability"):
        ConflictSettings(wording_threshold=2)


class _NoScoring:
    """A scorer that must not be asked: every pair's text score was handed over by dedup."""

    threshold = SCORER.threshold

    def score_info(self, a: object, b: object) -> object:
        raise AssertionError("conflict detection scored a pair dedup had already scored")


def test_text_scores_from_dedup_are_reused_with_the_same_result(nlp: Language) -> None:
    # A run scores each candidate pair once: dedup hands its text scores to conflict detection,
    # which must then find exactly the conflicts it finds when scoring the pairs itself.
    t = build_tables(nlp, {
        "a": "Trump and Putin held their first summit in Helsinki in July 2018. The INF Treaty banned missiles with ranges of up to 5,500 kilometers.",
        "b": "Trump and Putin held their first summit in Vienna in July 2018. The INF Treaty banned missiles with ranges of up to 5,000 kilometers.",
    })
    claims = t["claims"]
    infos = claim_infos(claims, t["docs"])
    scores: dict[tuple[int, int], float] = {}
    clusters = deduplicate(claims, t["articles"], infos, scorer=SCORER, places=PLACES, text_scores=scores)
    assert scores, "dedup judged no pair"
    own = detect_conflicts(claims, clusters, t["entities"], t["timexes"], infos, scorer=SCORER, places=PLACES)
    reused = detect_conflicts(
        claims, clusters, t["entities"], t["timexes"], infos, scorer=_NoScoring(), places=PLACES, text_scores=scores
    )
    assert sorted(c["kind"] for c in own.to_pylist()) == ["place", "quantity"]
    assert reused.to_pylist() == own.to_pylist()


@pytest.mark.parametrize(
    ("reuse_scores", "min_scored", "expected_processes"),
    [
        # every pair was scored by dedup: judging them is cheap, so no workers are forked
        (True, None, 1),
        # no scores handed over and (for this small test) a low bar: the scoring is shared out
        (False, 1, 2),
        # no scores handed over, but fewer pairs to score than the default bar: still one process
        (False, None, 1),
    ],
)
def test_workers_are_forked_only_for_work_worth_sharing(
    nlp: Language, monkeypatch: pytest.MonkeyPatch, reuse_scores: bool, min_scored: int | None, expected_processes: int
) -> None:
    import pipeline.conflicts as conflicts

    t = build_tables(nlp, {
        "a": "Trump and Putin held their first summit in Helsinki in July 2018.",
        "b": "Trump and Putin held their first summit in Vienna in July 2018.",
    })
    claims = t["claims"]
    infos = claim_infos(claims, t["docs"])
    scores: dict[tuple[int, int], float] = {}
    clusters = deduplicate(claims, t["articles"], infos, scorer=SCORER, places=PLACES, text_scores=scores)
    expected = detect_conflicts(claims, clusters, t["entities"], t["timexes"], infos, scorer=SCORER, places=PLACES)
    from conftest import spy_processes

    asked = spy_processes(monkeypatch, conflicts)
    if min_scored is not None:
        monkeypatch.setattr(conflicts, "MIN_SCORED_PAIRS_TO_FORK", min_scored)
    got = detect_conflicts(
        claims, clusters, t["entities"], t["timexes"], infos, scorer=SCORER, places=PLACES, processes=2,
        text_scores=scores if reuse_scores else None,
    )
    assert asked == [expected_processes]
    assert got.to_pylist() == expected.to_pylist() and got.num_rows > 0


def test_one_article_does_not_conflict_with_itself(nlp: Language) -> None:
    # GVA: a photo gallery's captions ("Property crime incidents: 28 … 138") gave 111 quantity
    # "conflicts" inside single articles; conflicts are sources disagreeing.
    t = build_tables(nlp, {"a": "Five people were killed in a shooting in Chicago on Saturday. "
                                "Four people were killed in a shooting in Chicago on Saturday."})
    claims = t["claims"]
    infos = claim_infos(claims, t["docs"])
    clusters = deduplicate(claims, t["articles"], infos, scorer=SCORER, places=PLACES)
    assert detect_conflicts(claims, clusters, t["entities"], t["timexes"], infos, scorer=SCORER, places=PLACES).num_rows == 0
    two = conflicts_between(nlp, "Five people were killed in a shooting in Chicago on Saturday.",
                            "Four people were killed in a shooting in Chicago on Saturday.")
    assert [c["kind"] for c in two] == ["quantity"]  # the same two sentences from two sources do conflict


@pytest.mark.parametrize(
    ("same_story", "expected"),
    [
        # restatement set (#22): "first met face to face in July 2016 at the G20 summit in Hamburg" and
        # "the first face-to-face meeting took place in July 2017 at the G20 summit in Hamburg" fell
        # into two events of one story (average linkage over each event's other claims); two shared
        # participants and one known place anchor them on one event, so their dates compare
        (True, ["date"]),
        # the same pair in two stories is two events: never compared
        (False, []),
    ],
)
def test_anchored_claims_of_one_story_conflict_across_events(nlp: Language, same_story: bool, expected: list[str]) -> None:
    import pyarrow as pa

    t = build_tables(nlp, {
        "a": "Donald Trump and Vladimir Putin first met face to face in July 2016 at the G20 summit in Hamburg, Germany.",
        "b": "The first face-to-face meeting between Donald Trump and Vladimir Putin took place in July 2017 at the G20 summit in Hamburg, Germany.",
    })
    claims = t["claims"]
    infos = claim_infos(claims, t["docs"])
    clusters = deduplicate(claims, t["articles"], infos, scorer=SCORER, places=PLACES)
    rows = clusters.to_pylist()
    assert len({r["cluster_id"] for r in rows}) == 2
    for k, r in enumerate(rows):  # each claim its own event, as when the split happens in a larger story
        r["event_key"] = f"v{k}"
        r["story_id"] = "s0" if same_story else f"s{k}"
    split = pa.Table.from_pylist(rows, schema=clusters.schema)
    found = detect_conflicts(claims, split, t["entities"], t["timexes"], infos, scorer=SCORER, places=PLACES)
    assert found.column("kind").to_pylist() == expected
