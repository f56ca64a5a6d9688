"""Claims: selection, reported speech, coordination, decontextualization and structure, sentence by sentence."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language

from conftest import build_tables
from pipeline.claims import ClaimLexicon
from pipeline.errors import ModelError

def claims_of(nlp: Language, text: str) -> list[dict[str, object]]:
    return build_tables(nlp, {"t": text})["claims"].to_pylist()


@pytest.mark.parametrize(
    "text",
    [
        "This article delves into the history of the Trump-Putin relationship since 2016.",  # the article about itself
        "In this section, we will examine the 2018 Helsinki summit.",  # self-reference with "we"
        "Understanding the historical context of the 1991 collapse is crucial.",  # exhortation
        "Let's look at the key meetings between Trump and Putin.",  # imperative
        "Did Trump meet Putin in Hamburg in 2017?",  # question
        "The relationship between the two countries has been complex.",  # opinion, nothing checkable
        "Guys, understanding these summits is essential for anyone following politics.",  # exhortation to the reader
        # seed 003: a prediction, "will" with a likelihood word, dated or not
        "The legacy of the Trump-Putin era will likely shape the dynamics of this relationship for years to come.",
        # seed 003: an evaluation of attention ("closely watched"), whoever it names
        "The meetings between Donald Trump and Vladimir Putin have been closely watched events on the world stage.",
        # seed 000: an unmeasured superlative of attention ("one of the most discussed"), dated or not
        "The relationship between former U.S. President Donald Trump and Russian President Vladimir Putin has been one of the most discussed and scrutinized aspects of international relations in recent years.",
        # seed 003: scene-setting, the subject framed as a factor
        "The US-Russia relationship is a key factor in international security, and the summits have contributed to the ongoing debate about the future of the global order.",
        # seed 003: scene-setting, the subject framed as a platform
        "These summits, held in various international locations, have provided a platform for direct dialogue between the leaders of the world's two major nuclear powers.",
        # seed 000: a motive ("sought to"), nothing dated or counted
        "Putin has consistently sought to challenge the U.S.-led international order and to restore Russia's status as a major global power.",
        # seed 003: an evaluative verb ("contributed to"), nothing dated or counted
        "Key events, such as NATO expansion, US intervention in the Balkans, and Russia's internal conflicts, contributed to a growing sense of mutual suspicion.",
    ],
)
def test_sentences_that_yield_no_claim(nlp: Language, text: str) -> None:
    assert claims_of(nlp, text) == []


def test_a_run_on_text_without_full_stops_is_not_one_claim(nlp: Language) -> None:
    # A 900 KB text without punctuation parsed into "sentences" of thousands of characters, each
    # one a claim that matching then compared at length. Past MAX_CLAIM_CHARS it is no claim.
    from pipeline.claims import MAX_CLAIM_CHARS

    fact = "the council closed 12 libraries in Leeds in 2019 and "
    run_on = (fact * (MAX_CLAIM_CHARS // len(fact) + 1)).strip()
    assert claims_of(nlp, run_on[0].upper() + run_on[1:] + ".") == []
    short = "The council closed 12 libraries in Leeds in 2019."
    assert [c["original_text"] for c in claims_of(nlp, short)] == [short]  # the same fact, stopped, is one


@pytest.mark.parametrize(
    "text",
    [
        # gold fact (seed 003): "key" before a noun that is not a framing one is no evaluation
        "The New START treaty, which limits the number of strategic nuclear warheads, delivery systems, and launchers, has been a key point of contention.",
        # gold fact (ECB+ 28_11ecb): "led to" an event is a fact, not an evaluation
        "The Watergate break-in eventually led to the 1974 resignation of President Richard Nixon.",
        # BBC business-107: "will" without a likelihood word is no prediction
        "The power-sharing National Transition Government of Liberia will remain in place until elections on 11 October.",
        # BBC business-131: "sought to" in the simple past is an event, not a motive
        "Yukos unsuccessfully sought to halt the auction by applying for bankruptcy through the US courts.",
        # BBC business-152: "closely" with an active verb is a practice, not an evaluation of attention
        "Opec closely watches global stocks to ensure that there is not an excessive supply in the market.",
        # ECB+ 28_12ecb: "hotly debated" deep inside the object is not the claim's evaluation
        "His disclosure ended a mystery that had intrigued Washington insiders and journalists for three decades and provided the grist for many hotly debated books.",
        # ECB+ 2_5ecb: "most-watched" is a ranking by audience, not an evaluation of attention
        "Still, even an audience of that size makes the telecast annually one of the most-watched U.S. TV shows.",
        # gold fact (seed 000): "most anticipated" in the subject does not evaluate the claim
        "One of the most anticipated meetings was the first face-to-face encounter between Trump and Putin, which took place at the G20 summit in Hamburg, Germany, in July 2017.",
    ],
)
def test_facts_near_the_evaluation_rules_yield_claims(nlp: Language, text: str) -> None:
    assert claims_of(nlp, text) != []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # plain event with time and place
        ("Trump met Putin in Helsinki in July 2018.", {"subject": "Trump", "predicate": "meet", "object": "Putin", "place": "Helsinki", "time_value": "2018-07", "negated": False, "hedged": False}),
        # light verb folded into the predicate
        ("The summit took place in Hamburg in July 2017.", {"predicate": "take place", "place": "Hamburg", "time_value": "2017-07"}),
        # negation
        ("The two leaders did not sign an agreement in Helsinki in 2018.", {"negated": True, "predicate": "sign"}),
        # hedging adverb
        ("Russia reportedly interfered in the 2016 election.", {"hedged": True, "predicate": "interfere"}),
        # hedging verb: the content verb becomes the predicate
        ("In 2018, Trump appeared to side with Putin over U.S. intelligence agencies.", {"hedged": True, "predicate": "side with", "object": "Putin"}),
        # modal hedge
        ("Russian hackers may have accessed 500 voter databases in 2016.", {"hedged": True}),
        # reported speech: the claim belongs to the speaker
        ("Trump stated that the meeting took place in July 2017.", {"attributed_to": "Trump", "predicate": "take place", "time_value": "2017-07"}),
        # "according to" attribution
        ("According to Reuters, the talks in Helsinki lasted two hours.", {"attributed_to": "Reuters", "predicate": "last"}),
        # group speaker
        ("Critics argued that the 2018 summit in Helsinki produced no agreement.", {"attributed_to": "Critics"}),
        # quantity with unit
        ("The treaty banned missiles with a range of 5,500 kilometers in 1987.", {"quantity_value": 5500.0, "quantity_unit": "km"}),
        # approximate quantity
        ("More than 100 people died in the floods in 2019.", {"quantity_value": 100.0, "quantity_mod": "MORE_THAN"}),
        # a duration is a comparable quantity, in seconds
        ("Trump and Putin talked for over two hours in Helsinki in 2018.", {"quantity_value": 7200.0, "quantity_unit": "second", "quantity_mod": "MORE_THAN"}),
    ],
)
def test_structured_fields(nlp: Language, text: str, expected: dict[str, object]) -> None:
    claims = claims_of(nlp, text)
    assert len(claims) == 1, claims
    got = {k: claims[0][k] for k in expected}
    if "time_value" in expected:
        assert claims[0]["timex_ids"], "time must link to the timexes table"
    assert got == expected


def test_coordinated_clauses_yield_one_claim_each(nlp: Language) -> None:
    claims = claims_of(nlp, "Trump met Putin in Hamburg in 2017, and Biden met Putin in Geneva in 2021.")
    assert [(c["subject"], c["place"], c["time_value"]) for c in claims] == [
        ("Trump", "Hamburg", "2017"),
        ("Biden", "Geneva", "2021"),
    ]
    for c in claims:
        assert c["start_char"] < c["end_char"]


def test_shared_subject_is_repeated_in_second_claim(nlp: Language) -> None:
    claims = claims_of(nlp, "Putin arrived in Helsinki on July 16, 2018 and met Trump at the presidential palace.")
    assert len(claims) == 2
    assert claims[1]["text"].startswith("Putin met Trump")


@pytest.mark.parametrize(
    ("text", "needle", "resolved"),
    [
        # personal pronoun → the one person in focus
        ("Donald Trump met Vladimir Putin in Hamburg in July 2017. He praised Putin in Helsinki in July 2018.", "Donald Trump praised", True),
        # definite description → the treaty named before
        ("The INF Treaty was signed in 1987. The United States withdrew from the treaty in 2019.", "withdrew from the INF Treaty", True),
        # "the two leaders" → the two people named before
        ("Donald Trump met Vladimir Putin in July 2017. The two leaders discussed Syria in Hamburg.", "Donald Trump and Vladimir Putin discussed", True),
        # no antecedent: keep the claim, mark it
        ("He signed the bill in Washington in 2019.", "He signed", False),
    ],
)
def test_decontextualization(nlp: Language, text: str, needle: str, resolved: bool) -> None:
    claims = claims_of(nlp, text)
    last = claims[-1]
    assert needle in last["text"]
    assert last["is_standalone"] is resolved
    assert bool(last["unresolved"]) is (not resolved)
    article_text = text
    assert article_text[last["start_char"] : last["end_char"]] == last["original_text"]


def test_resolved_antecedent_adds_entity_id(nlp: Language) -> None:
    claims = claims_of(nlp, "Donald Trump met Vladimir Putin in Hamburg in July 2017. He praised Putin in Helsinki in July 2018.")
    assert "person:donald_trump" in claims[-1]["entity_ids"]


def test_claim_ids_are_stable_and_ordered(nlp: Language) -> None:
    text = "Trump met Putin in Hamburg in 2017. Biden met Putin in Geneva in 2021."
    first, second = claims_of(nlp, text), claims_of(nlp, text)
    assert [c["claim_id"] for c in first] == ["t/c0000", "t/c0001"] == [c["claim_id"] for c in second]


def test_missing_lexicon_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="claim lexicon not found"):
        ClaimLexicon.load(tmp_path / "none.json")


def test_claims_the_model_finds_worthless_are_dropped(nlp: Language) -> None:
    import numpy as np

    class Zero:
        def score(self, texts: list[str], *, docs: object = None) -> np.ndarray:
            return np.zeros(len(texts))

    text = "Trump met Putin in Helsinki in July 2018."
    assert build_tables(nlp, {"t": text}, scorer=Zero())["claims"].num_rows == 0
    assert build_tables(nlp, {"t": text})["claims"].num_rows == 1


def test_pronoun_in_reported_clause_is_the_speaker(nlp: Language) -> None:
    # two people before "he": only the reporting verb's subject can be meant
    claims = claims_of(nlp, "After meeting Vladimir Putin in Helsinki in 2018, Donald Trump said that he saw no reason for the 2016 hack.")
    assert claims and claims[0]["text"].startswith("Donald Trump saw no reason")
    assert claims[0]["attributed_to"] == "Donald Trump"


def test_a_framing_clause_leaves_the_clause_coordinated_with_it(nlp: Language) -> None:
    # BBC business-251: the scene-setting clause goes, the coordinated dated one stays, in its own words
    claims = claims_of(nlp, "The scandal was a key factor in a global slide in share prices and the reverberations are still being felt today.")
    assert [c["predicate"] for c in claims] == ["feel"]
    assert "factor" not in claims[0]["text"]
