"""Claim comparison (pipeline.matching): one test per rule, with the pair that motivates it."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.matching import (
    ClaimDetail,
    ClaimFacts,
    differences,
    different_events,
    maybe_same_name,
    measured_thing,
    places_compatible,
    object_head,
    quantity_words,
    same_act,
    same_core,
    same_measure,
    structural_disagreement,
)
from pipeline.places import Gazetteer

PLACES = Gazetteer.load()


def fact(
    text: str = "x",
    *,
    entities: tuple[str, ...] = (),
    predicate: str | None = "meet",
    negated: bool = False,
    time: tuple[dt.date, dt.date] | None = None,
    place: str | None = None,
    quantity: tuple[float, str] | None = None,
    quantity_of: str | None = None,
    subject: str | None = None,
    object: str | None = None,
) -> ClaimFacts:
    """A claim's facts with only what a case sets."""
    return ClaimFacts(
        "c", "a", text, frozenset(entities), predicate, negated, time[0] if time else None, time[1] if time else None,
        place, quantity[0] if quantity else None, quantity[1] if quantity else None, None, quantity_of, subject, object,
    )


JULY_2017 = (dt.date(2017, 7, 1), dt.date(2017, 7, 31))
JULY_2018 = (dt.date(2018, 7, 1), dt.date(2018, 7, 31))
LEADERS = ("person:donald_trump", "person:vladimir_putin")


@pytest.mark.parametrize(
    ("a", "b", "compatible"),
    [
        ("New York City", "New York", True),  # ECB+ false alarm: a city name extending its state's
        ("Hamburg", "Germany", True),  # containment from the gazetteer
        ("Helsinki", "Hamburg", False),  # two cities, neither inside the other
        ("Sea Micro", "SeaMicro", True),  # the same name spaced differently
    ],
)
def test_places_compare_by_containment(a: str, b: str, compatible: bool) -> None:
    assert places_compatible(a, b, PLACES) is compatible


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("org:seamicro", "org:sea_micro", True),  # ECB+ false alarm "SeaMicro" vs "Sea Micro"
        ("org:chp", "org:california_highway_patrol", True),  # an acronym
        ("person:robert_mueller", "person:james_comey", False),  # two people
    ],
)
def test_near_identical_names_are_one_entity(a: str, b: str, same: bool) -> None:
    assert maybe_same_name(a, b) is same


def test_a_total_is_not_a_portion() -> None:
    # ECB+ false alarm: "AMD will pay $334 million" vs "$281 million in cash"
    total = fact(quantity=(334e6, "USD"), quantity_of=measured_thing("AMD will pay $334 million for it.", "$334 million"))
    cash = fact(quantity=(281e6, "USD"), quantity_of=measured_thing("It pays $281 million in cash.", "$281 million"))
    assert cash.quantity_of == "cash"
    assert not same_measure(total, cash)
    assert structural_disagreement(total, cash, places=PLACES) is None


def test_the_same_measure_with_other_values_disagrees() -> None:
    # Yukos: the same sale at $9.4bn in one source and $9.3bn in another
    a = fact(predicate="sell", quantity=(9.4e9, "USD"))
    b = fact(predicate="sell", quantity=(9.3e9, "USD"))
    assert same_measure(a, b)
    assert structural_disagreement(a, b, places=PLACES) == "quantity"


@pytest.mark.parametrize(
    ("a", "b", "different"),
    [
        # the seeds: the Hamburg meeting of July 2017 and the Helsinki one of July 2018 (date and place differ)
        (fact(entities=LEADERS, time=JULY_2017, place="Hamburg"), fact(entities=LEADERS, time=JULY_2018, place="Helsinki"), True),
        # one meeting in Hamburg, dated 2017 by one source and 2018 by another: one event, a date conflict
        (fact(entities=LEADERS, time=JULY_2017, place="Hamburg"), fact(entities=LEADERS, time=JULY_2018, place="Hamburg"), False),
        # a venue the gazetteer does not know never splits events ("Promises" vs "Malibu")
        (fact(entities=LEADERS, place="Promises"), fact(entities=LEADERS, place="Malibu"), False),
        # two dates, no place, nothing shared: two events
        (fact(predicate="annex", time=JULY_2017), fact(predicate="collapse", time=JULY_2018), True),
    ],
)
def test_time_and_place_anchor_events(a: ClaimFacts, b: ClaimFacts, different: bool) -> None:
    assert different_events(a, b, places=PLACES) is different


@pytest.mark.parametrize(
    ("value", "unit", "words"),
    [
        (9.3e9, "USD", "9.3 billion USD"),  # the report printed "9.3e+09 USD"
        (2.75e10, "USD", "27.5 billion USD"),
        (5500.0, "km", "5,500 km"),
    ],
)
def test_quantities_are_written_in_plain_numbers(value: float, unit: str, words: str) -> None:
    assert quantity_words(fact(quantity=(value, unit))) == words


def _told(text: str, subject: str, predicate: str, obj: str, entities: tuple[str, ...] = ()) -> ClaimFacts:
    return fact(text, entities=entities, predicate=predicate, subject=subject, object=obj)


RUSSIA = ("gpe:russia",)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        # the seeds: one intelligence finding, told with and without its details
        (_told("Russia conducted a multifaceted campaign to influence the 2016 U.S. presidential election, including hacking.",
               "Russia", "conduct", "a multifaceted campaign to influence the 2016 U.S. presidential election", RUSSIA),
         _told("Russia conducted a campaign to influence the 2016 US presidential election, a finding that Russia has denied.",
               "Russia", "conduct", "a campaign to influence the 2016 US presidential election", RUSSIA), True),
        # ECB+: a shorter subject naming the same entity
        (_told("Williams was booked into county jail.", "Williams", "book into", "county jail", ("person:jamal_williams",)),
         _told("Arrested on suspicion of drunken driving, Jamal Williams was booked into county jail.", "Jamal Williams",
               "book into", "county jail", ("person:jamal_williams",)), True),
        # ECB+: two fights, 2008 and 2012 (numbers neither side contains in full)
        (_told("In 2008, Klitschko stopped Thompson in the 11th round.", "Klitschko", "stop", "Thompson"),
         _told("Klitschko stopped Thompson in the sixth round on Saturday.", "Klitschko", "stop", "Thompson"), False),
        # ECB+: a negation on one side only, outside the verb
        (_told("Gigante pleaded guilty to charges he feigned mental illness.", "Gigante", "plead", "guilty"),
         _told("Gigante had pleaded not guilty.", "Gigante", "plead", "guilty"), False),
        # the same act by someone else is another fact
        (_told("Microsoft released an emergency patch for Internet Explorer.", "Microsoft", "release", "an emergency patch"),
         _told("Apple released an emergency patch for Safari.", "Apple", "release", "an emergency patch"), False),
        # the same subject and act on another object: another fact
        (_told("Cheeks guided the team to the playoffs.", "Cheeks", "guide", "the team to the playoffs"),
         _told("Cheeks guided the players through a rebuild.", "Cheeks", "guide", "the players"), False),
        # a stative verb says too little to tie two claims together
        (_told("Russia is a nuclear power.", "Russia", "be", "a nuclear power", RUSSIA),
         _told("Russia is a nuclear power with many warheads.", "Russia", "be", "a nuclear power", RUSSIA), False),
    ],
)
def test_one_fact_told_with_more_or_less_detail(a: ClaimFacts, b: ClaimFacts, same: bool) -> None:
    assert same_core(a, b) is same
    assert same_core(b, a) is same


@pytest.mark.parametrize(
    ("phrase", "head"),
    [
        ("a multifaceted campaign to influence the election", "campaign"),  # up to the first preposition
        ("the Saints' cornerback Michael Lehan, who had been with the Dolphins", "lehan"),  # up to the comma
        ("the \"bagman\" who delivered payoffs", "bagman"),  # quotes are not part of the word
        ("", None),
    ],
)
def test_object_head(phrase: str, head: str | None) -> None:
    assert object_head(phrase) == head


def test_the_same_date_words_are_no_date_conflict() -> None:
    # GVA: wire copy republished a day later says "Monday" in both copies; anchored on two
    # publication days the two Mondays do not overlap, but no source said another day.
    monday, next_monday = (dt.date(2016, 5, 2),) * 2, (dt.date(2016, 5, 9),) * 2
    a = fact("Jacquay Howard was extradited Monday.", entities=("person:jacquay_howard",), predicate="extradite", time=monday)
    b = fact("Jacquay Howard was extradited Monday.", entities=("person:jacquay_howard",), predicate="extradite", time=next_monday)

    def detail(words: str) -> ClaimDetail:
        return ClaimDetail(words, None, None, False, None, None, frozenset())

    assert differences(a, b, detail("Monday"), detail("monday"), places=PLACES, names={}) == []
    found = differences(a, b, detail("Monday"), detail("May 9"), places=PLACES, names={})
    assert [d.kind for d in found] == ["date"]


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("occur", "hold summit", True),  # the seeds: "a meeting occurred in Helsinki" / "held a summit in Helsinki"
        ("happen around", "take place", True),  # a trailing preposition does not change the act
        ("occur", "generate", False),  # "the summit generated controversy" says something else
        ("hold", "occur", False),  # "held without bond" is not an event happening
        ("withdraw", "withdraw", True),  # the same predicate is always the same act
    ],
)
def test_ways_of_saying_an_event_happened(a: str, b: str, same: bool) -> None:
    assert same_act(fact(predicate=a), fact(predicate=b)) is same


@pytest.mark.parametrize(
    ("text", "quantity", "thing"),
    [
        ("It pays $281 million in cash.", "$281 million", "cash"),  # ECB+: a portion names what it measures
        ("Seven people were killed.", "Seven", "people"),  # the noun right after the number
        ("It was sold for $9.4bn to state oil firm Rosneft.", "$9.4bn", None),  # BBC: "to …" is context
        ("It was bought for $9.4bn by a previously unknown group.", "$9.4bn", None),  # an agent, not a measure
        ("Rosneft bought it for $9.3bn in a sale forced by Russia.", "$9.3bn", None),  # "in a sale" is context
    ],
)
def test_measured_thing(text: str, quantity: str, thing: str | None) -> None:
    assert measured_thing(text, quantity) == thing
