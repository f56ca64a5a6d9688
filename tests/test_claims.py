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


def test_a_fractions_denominator_is_no_amount(nlp: Language) -> None:
    # ECB+ dev: "served 41 / 2 months" (4 1/2 as tokenized) read as 2 months conflicted with "four months"
    claims = claims_of(nlp, "Fred LaRue served 41 / 2 months in federal prison for conspiracy to obstruct justice.")
    assert claims and all(c["quantity_value"] is None or c["quantity_text"] != "2 months" for c in claims)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # restatement set (#22): the treaty's ranges are a fact other sources state alone
        ("The Intermediate-Range Nuclear Forces (INF) Treaty, which banned ground-launched missiles with ranges of 500 to 5,500 kilometers, was another significant issue.",
         "The Intermediate-Range Nuclear Forces (INF) Treaty banned ground-launched missiles with ranges of 500 to 5,500 kilometers."),
        # `who` after a person; an age set off by commas is not part of the name
        ("Gaetano Lo Presti, 52, who had taken over control of Mafia clans in Palermo, was found dead in his cell.",
         "Gaetano Lo Presti had taken over control of Mafia clans in Palermo."),
        # seeds: `which` cannot be about Putin; it is the encounter the preposition hangs on
        ("One of the most anticipated meetings was the first face-to-face encounter between Trump and Putin, which took place at the G20 summit in Hamburg.",
         "The first face-to-face encounter between Trump and Putin took place at the G20 summit in Hamburg."),
        # a list stays whole: the third belongs to all three groups
        ("The population includes immigrants from Vietnam, Cambodia and Laos, who comprise a third of the town.",
         "Immigrants from Vietnam, Cambodia and Laos comprise a third of the town."),
    ],
)
def test_a_non_restrictive_relative_clause_is_a_claim_about_its_noun(nlp: Language, text: str, expected: str) -> None:
    claims = claims_of(nlp, text)
    assert expected in [c["text"] for c in claims]
    subject = next(c["subject"] for c in claims if c["text"] == expected)
    assert expected.lower().startswith(subject.lower()) and " which " not in subject and " who " not in subject


@pytest.mark.parametrize(
    "text",
    [
        # restrictive: "the man" alone names nobody
        "The police arrested the man who shot three people in Chicago on Monday.",
        # ECB+: the parse hangs the clause on Banstead, but it is the blaze that broke out
        "More than 50 firefighters tackled the blaze at the store in High Street, Banstead, which broke out on the roof at about 2045 GMT on Friday.",
        # ECB+: `was` is singular, the forests plural: the plan was finalized
        "The administration would reexamine a plan for overseeing Oregon's forests, which was finalized on Dec. 30.",
        # ECB+: points are no one; the team dropped the games
        "Dar Tucker poured in 18 points for the Blue Demons, who have dropped four of their last five games.",
        # ECB+: an opinion's complement swallowed by the clause
        "Opponents considered the rule, which took effect the day before the inauguration, a thinly veiled maneuver.",
        # `which` about a whole clause, after a verb
        "He resigned on Monday, which surprised everyone in Washington.",
    ],
)
def test_a_relative_clause_whose_noun_is_unsure_gives_no_claim_of_its_own(nlp: Language, text: str) -> None:
    for c in claims_of(nlp, text):
        assert c["start_char"] == 0 or not text[: c["start_char"]].rstrip().endswith((", which", ", who", " who", " which")), c["text"]


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


def _claim_on(claims: list[dict[str, object]], text: str, words: str) -> dict[str, object]:
    """The claim made from the sentence of `text` that contains `words`."""
    start = text.index(words)
    return next(c for c in claims if int(c["start_char"]) <= start < int(c["end_char"]))  # type: ignore[call-overload]


@pytest.mark.parametrize(
    ("text", "words", "kept", "not_invented"),
    [
        # BASIL dev: the speaker's gender is unknown and a woman stands in his phrase: "she" stays
        ("Tom Kirsch, an attorney for Jackson's wife, said she has signed a plea agreement with federal prosecutors and would plead guilty to one tax count.",
         "plead guilty", "would plead guilty", "Tom Kirsch would"),
        # seed: two places named apart are not "the two countries"
        ("Trump and Putin discussed North Korea and counterterrorism in 2017. Syria was discussed in 2018. "
         "The two countries possess 90 percent of the world's nuclear weapons.", "The two countries possess", "The two countries", "North Korea"),
        # seed: "the INF Treaty" names itself; it is not the New START treaty of the sentence before
        ("The New START treaty, which limits the number of strategic nuclear warheads, was signed in 2010. "
         "Disagreements persisted in 2019 over the future of the INF Treaty.", "Disagreements persisted", "the future of the INF Treaty", "New START"),
        # seed: "the leaders of …" says whose leaders; no names pasted in front of "of"
        ("Donald Trump met Vladimir Putin in Helsinki in 2018. The 2018 summit gave a platform to the leaders of the world's two major nuclear powers.",
         "The 2018 summit", "the leaders of the world's two major nuclear powers", "Putin of the world"),
        # BBC Yukos: "the firm" is not the state gas firm that opted out of the auction
        ("Yukos' main unit could fall into the hands of Gazprom, the state gas firm which opted out of the auction in December 2004. "
         "Yukos' US lawyers claim the auction was illegal in December 2004 because the firm had filed for bankruptcy in Houston.", "because the firm", "because", "which opted out"),
        # BBC Yukos: "they" are the prosecutors, not the judge of the sentence before and Yukos
        ("Judge Letitia Clark said the hearing would continue on Thursday. Russian prosecutors are forcing the sale of Yuganskneftegas "
         "to help pay a $27bn back tax bill, which they claim is owed by Yukos.", "Russian prosecutors", "they claim", "Letitia Clark and"),
        # BBC Yukos: "any company that buys its assets" names no company
        ("Russian oil company Yukos filed for bankruptcy in Houston in December 2004. Yukos has vowed to go after any company that buys its assets. "
         "The company wants damages of $20bn from Rosneft in 2005.", "The company wants", "damages of $20bn", "Any company"),
        # ECB+: "the main city of Manokwari" says which city; no place from before is pasted in
        ("A 7.6-magnitude quake was felt in Japan on Sunday. The quake destroyed 100 houses in the main city of Manokwari on Sunday.",
         "The quake destroyed", "the main city of Manokwari", "Japan of"),
        # ECB+: "the new star" is not the person named last (it was Capaldi)
        ("Matt Smith left Doctor Who in 2013. Peter Capaldi was named on Sunday. The new star will start filming in January 2014.",
         "The new star", "The new star", "Matt Smith"),
        # ECB+: "she" is bound in her own sentence, never to a gun the tagger took for a person
        ("Yvonne Hiller was suspended in September 2010. She returned with a .357 Magnum that she legally owned on September 9, 2010.",
         "She returned", "that she legally owned", "Magnum legally"),
        # ECB+: "she" spoke of Hiller just before; the gun named since is no one
        ("Yvonne Hiller drove into the plant in September 2010. She returned with a .357 Magnum that she owned. "
         "She pointed the gun at two security guards on September 9, 2010.", "She pointed", "pointed the gun", "Magnum pointed"),
        # ECB+: "her" is the ship the sentence before was about, not the captain quoted two sentences back
        ("The pirates fled, Captain Manohar Nambiar said on Friday. INS Sukanya intercepted three boats on Friday. "
         "This is the fifth operation by INS Sukanya in the course of her patrol mission in 2011.", "This is the fifth", "her patrol", "Nambiar's"),
        # ECB+: two men in the sentence before (the partner who told police, the gunman he told of): "He" is not certain
        ("Alan Steinberg later told police Anthony LaCalamita fired at him on Monday. He then walked toward the office of Paul Riva on Monday.",
         "He then walked", "He then walked", "Steinberg then walked"),
        # ECB+: "the deal" on offer is not the $90 million deal it is compared with
        ("The Angels have made an offer to Mark Teixeira, surpassing the $90 million deal they gave to Torii Hunter last season. "
         "The deal is believed to be an offer of eight years and around $160 million.", "The deal is believed", "The deal is believed", "$90 million deal is"),
        # ECB+: "the election" coming up is not the 2007 one it was contrasted with
        ("There has been little campaigning in Turkmenistan, in contrast with the February 2007 presidential election. "
         "Four days before the election, 288 candidates were running for 125 seats.", "Four days before", "before the election", "February 2007 presidential election, 288"),
        # ECB+: "both men" who credited Felt are not Felt and one of them
        ("Carl Bernstein and Bob Woodward wrote about the Watergate break-in in 1972. Both men credited Mark Felt for helping them in 2005.",
         "Both men credited", "credited Mark Felt", "and Mark Felt credited"),
        # ECB+: "she" after a sentence about Page (Neal only in its while-clause) is not Neal
        ("Bettie Page married Billy Neal in February 1943. While Neal served in the war, Page lived in Nashville. "
         "In 1947, she filed for divorce and moved to New York.", "In 1947", "filed for divorce", "Neal filed"),
        # a firm named in its own sentence, with no article before it (this used to crash)
        ("Acme Corp said the firm lost $5bn in 2009.", "the firm lost", "firm lost", "Acme Corp lost"),
    ],
)
def test_uncertain_referents_keep_the_original_words(nlp: Language, text: str, words: str, kept: str, not_invented: str) -> None:
    claim = _claim_on(claims_of(nlp, text), text, words)
    assert kept in str(claim["text"])
    assert not_invented not in str(claim["text"])


@pytest.mark.parametrize(
    ("text", "words", "expected"),
    [
        # BBC Yukos: the firm the article is about, also the last sentence's subject → its short name
        ("Russian oil firm Yukos filed for bankruptcy in Houston in December 2004. Yukos says the sale of Yugansk was illegal. "
         "The firm sought a court injunction against the sale in December 2004.", "The firm sought", "Yukos sought"),
        # seed: the treaty named in the sentence before, by its short name, without its relative clause
        ("The New START treaty, which limits the number of strategic nuclear warheads, was signed in 2010. "
         "The treaty was extended for five years in 2021.", "The treaty was", "The New START treaty was extended"),
        # seed: "this meeting" is the meeting just named, with what says which meeting it was
        ("The first face-to-face meeting between Trump and Putin took place in July 2017 at the G20 summit in Hamburg. "
         "This meeting was highly anticipated in 2017.", "This meeting", "The first face-to-face meeting between Trump and Putin was highly anticipated"),
        # BBC: "the deal" an indefinite phrase introduced just before
        ("Rosneft had signed a long-term oil supply deal with China in 2005. The deal sees Rosneft receive $6bn in credits from China's CNPC.",
         "The deal sees", "The long-term oil supply deal with China sees"),
        # two countries named together just before
        ("The relationship between the United States and Russia was tense in 2017. The two countries signed no agreement in 2018.",
         "The two countries", "United States and Russia signed no agreement"),
        # reported speech: the speaker
        ("After meeting Vladimir Putin in Helsinki in 2018, Donald Trump said that he saw no reason for the 2016 hack.", "he saw", "Donald Trump saw"),
        # "it" after a named thing that was the subject just before
        ("Yugansk was auctioned in December 2004. Yugansk was sold to pay off $27.5bn in unpaid taxes. It was bought for $9.4bn by Rosneft in 2004.",
         "It was bought", "Yugansk was bought"),
    ],
)
def test_certain_referents_are_short_and_right(nlp: Language, text: str, words: str, expected: str) -> None:
    claim = _claim_on(claims_of(nlp, text), text, words)
    assert expected in str(claim["text"])


@pytest.mark.parametrize(
    ("text", "words", "left"),
    [
        # ECB+: "It has agreed to buy…" with nothing certain to stand for
        ("Shares rose 5% on Monday. It has agreed to buy the Dutch rival for $5bn in 2009.", "It has agreed", "It"),
        # ECB+: "The merger…" needs its article
        ("Both boards met in New York on Monday. The merger was completed in March 2009 for $5bn.", "The merger", "The merger"),
        # ECB+: "the 40-year-old American southpaw" needs the article to say who
        ("Klitschko knocked Tony Thompson down in the sixth round on Saturday. The 40-year-old American southpaw never recovered in 2012.",
         "The 40-year-old", "The 40-year-old American southpaw"),
        # ECB+: a shared subject "he" put in front of a coordinated clause is as unresolved as anywhere
        ("A witness saw the shooting in Athens on Saturday. The officer said that he took out his revolver and fired two or three times in the air on Saturday.",
         "fired two or three times", "he"),
        # ECB+: a place word that points back ("There, LaSalle…")
        ("Police stopped a car in Bloomington on Friday. There, LaSalle was eventually Tasered and taken into custody on Friday.", "LaSalle was", "There"),
        # ECB+: "20 more people" than whom?
        ("Three bank workers died in Athens on Wednesday. Around 20 more people had to be ushered to safety in Athens on Wednesday.", "Around 20", "more"),
        # ECB+: "other" than whom?
        ("Two guards were shot in Philadelphia on Thursday. Seven other workers were hiding in a closet nearby on Thursday.", "Seven other", "other"),
        # ECB+: "the run" a misparse hangs "with two charity shots" on says nothing about which run
        ("Creighton led 20-10 on Friday. Gibbs ended the run with two charity shots on Friday.", "Gibbs ended", "the run"),
        # words that point back
        ("Another earthquake struck Indonesia on January 4, 2009, killing 4 people.", "Another earthquake", "Another"),
    ],
)
def test_context_left_in_a_claim_is_listed_and_not_standalone(nlp: Language, text: str, words: str, left: str) -> None:
    claim = _claim_on(claims_of(nlp, text), text, words)
    assert left in claim["unresolved"]  # type: ignore[operator]
    assert claim["is_standalone"] is False
    assert words in str(claim["text"])  # kept as written, not dropped


@pytest.mark.parametrize(
    "text",
    [
        # BBC: a quote with no one named before it
        '"We lost $2bn in 2004 because of the tax claims," he said.',
        # BBC: two people named before the quote: "he" could be either
        'Steven Theede met Bruce Misamore in Houston. "Yukos lost $2bn in 2004 because of the tax claims," he said.',
    ],
)
def test_attribution_is_never_a_bare_pronoun(nlp: Language, text: str) -> None:
    claims = claims_of(nlp, text)
    assert claims
    for c in claims:
        assert str(c["attributed_to"]).lower() not in {"he", "she", "they", "it"}


@pytest.mark.parametrize(
    "text",
    [
        # a "the" date is the timex stage's business, not a referent to find
        "David Stevens featured Bettie Page in comics from the early 1980s.",
        # unique without the article
        "Riots spread across Greece after the police shot a teenager in Athens on December 6, 2008.",
        # a pronoun whose antecedent is in the claim itself
        "Microsoft patched Internet Explorer in 2008 before it reached 2 million users.",
        # reported speech: "it" is the organisation that said it
        "Microsoft said it lost $2bn in Russia in 2004.",
    ],
)
def test_claims_that_need_no_context_are_standalone(nlp: Language, text: str) -> None:
    claims = claims_of(nlp, text)
    assert claims and all(c["is_standalone"] for c in claims), [(c["text"], c["unresolved"]) for c in claims]


def _fields_on(nlp: Language, text: str, words: str) -> dict[str, object]:
    """The claim on `words` of `text`, with `time_text`: the words of its main time expression."""
    tables = build_tables(nlp, {"t": text})
    claim = _claim_on(tables["claims"].to_pylist(), text, words)
    timexes = {t["timex_id"]: t for t in tables["timexes"].to_pylist()}
    main = next((timexes[i] for i in claim["timex_ids"] if timexes[i]["value"] == claim["time_value"]), None)  # type: ignore[union-attr]
    return {**claim, "time_text": text[main["start_char"] : main["end_char"]] if main and claim["time_value"] else None}


@pytest.mark.parametrize(
    ("text", "words", "expected"),
    [
        # issue #23: "took place" has no object "place", and "off Aden" is where
        ("The incident took place about 150 nautical miles off Aden.", "took", {"predicate": "take place", "object": None, "place": "Aden"}),
        # ECB+ 8_9: nor does the rest of the sentence become its object
        ("Extensive clashes took place in central Athens on Sunday, with hundreds of people battering store fronts.", "took", {"predicate": "take place", "object": None}),
        # an object is the clause's whole noun phrase, even when the parse cut it after a coordination
        ("Wladimir Klitschko retained his WBA, IBF and WBO heavyweight title belts by stopping Tony Thompson in Berne in 2012.", "retained", {"object": "Wladimir Klitschko's WBA, IBF and WBO heavyweight title belts"}),
        # a prepositional object that is not a place or a time is the object ("recovered from")
        ("Thompson never recovered from a big right hand from Klitschko in Berne in 2012.", "recovered", {"predicate": "recover from", "object": "a big right hand", "negated": True}),
        # ECB+ 3_1: the comma the parse hung on the verb stays between the words of the object
        ("The trial has already cost more than $2 million, likely the most expensive in state history.", "cost", {"object": "more than $2 million, likely the most expensive in state history"}),
        # ECB+ 35_1: a verbal object keeps its own words; its date and place are the claim's time and place
        ("Jamal Williams was pulled over for speeding early Sunday on a freeway in San Diego.", "pulled", {"object": "speeding"}),
        # BBC business-361: "for the first time" is a time phrase, not an object
        ("The feel-good factor among US consumers rose in December for the first time since July.", "rose", {"predicate": "rise", "object": None}),
        # BBC entertainment-307: "in nine of the films" counts what she starred in, it is not where
        ("Rowlands starred in nine of the Carry On films in London, alongside Sid James.", "starred", {"predicate": "star in"}),
    ],
)
def test_subject_predicate_and_object_come_from_the_clause(nlp: Language, text: str, words: str, expected: dict[str, object]) -> None:
    got = _fields_on(nlp, text, words)
    assert {k: got[k] for k in expected} == expected
    for key in ("subject", "object"):
        assert not str(got[key] or "").endswith((" and", " or", ",")), got[key]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        # issue #23: a report coordinated with another clause still reports its content, negated
        ("The judge dismissed the charge on Monday and noted that prosecutors were not seeking the death penalty for Jose Orozco.", "prosecutors"),
        # a negated complement of the claim's verb negates the claim
        ("Gazprom decided not to bid for Yuganskneftegas in December.", "Gazprom"),
    ],
)
def test_negation_covers_the_clause_verb_and_its_complements(nlp: Language, text: str, words: str) -> None:
    assert _fields_on(nlp, text, words)["negated"] is True


@pytest.mark.parametrize(
    ("text", "words", "time_text"),
    [
        # ECB+ 13_13: "the 1930s" dates the relative clause, the fire is Tuesday's
        ("A fire on Tuesday destroyed Palmer's historic Matanuska Maid Dairy warehouse building, which was built in the 1930s.", "destroyed", "Tuesday"),
        # ECB+ 3_9: the verdict is last month's, not the March 2005 rampage's
        ("Brian Nichols was found guilty last month of murder for the March 2005 rampage in Atlanta.", "found", "last month"),
        # ECB+ 18_10: a Christmas party names a party, "Friday" dates the shooting
        ("Eric Allen Kirkpatrick opened fire at a Vancouver office Christmas party Friday.", "opened", "Friday"),
        # ECB+ 8_2: a day with its part of day is the claim's time
        ("The explosion occurred Friday afternoon at a bank in Woodburn.", "occurred", "Friday afternoon"),
        # ECB+ 7_4: a clock reading alone ("at 2:56" of a fight) names no day
        ("Referee Sam Williams stopped the fight in Berne at 2:56.", "stopped", None),
    ],
)
def test_time_belongs_to_the_claims_clause(nlp: Language, text: str, words: str, time_text: str | None) -> None:
    assert _fields_on(nlp, text, words)["time_text"] == time_text


@pytest.mark.parametrize(
    ("text", "words", "quantity_text"),
    [
        # ECB+ 20_1: "40 percent" is the oil of the relative clause, not the tremor's
        ("The tremor struck the town of Dargahan on Qeshm island, through which 40 percent of the world's traded oil passes.", "struck", None),
        # ECB+ 10_4: Teixeira's age beside his name is not the offer
        ("The Red Sox offered Mark Teixeira, 28, an eight-year deal worth $184 million in December.", "offered", "$184 million"),
        # ECB+ 22_8: the hour of "just after 8: 30pm Thursday night" is a time, not an amount
        ("The shooting took place just after 8: 30pm Thursday night at the Kraft Foods plant in Philadelphia.", "took", None),
        # issue #23: "one" of a participial clause is not the quantity of "a 7.3 magnitude quake"
        ("A 7.3 magnitude quake struck Lombok on August 4, killing one man.", "struck", "7.3"),
    ],
)
def test_quantity_belongs_to_the_claims_clause(nlp: Language, text: str, words: str, quantity_text: str | None) -> None:
    assert _fields_on(nlp, text, words)["quantity_text"] == quantity_text


@pytest.mark.parametrize(
    ("text", "words", "place"),
    [
        # ECB+ 13_13: Alaska is where the colonists arrived, not where the fire was
        ("A fire destroyed the Matanuska Maid Dairy warehouse on Tuesday, which was built when colonists arrived in Alaska.", "destroyed", None),
        # ECB+ 18_10: a place naming the office where it happened
        ("Eric Allen Kirkpatrick opened fire at a Vancouver office Christmas party Friday.", "opened", "Vancouver"),
        # BBC business-001: "US media giant TimeWarner" is a company, not a place
        ("Quarterly profits at US media giant TimeWarner jumped 76% in December.", "jumped", None),
    ],
)
def test_place_belongs_to_the_claims_clause(nlp: Language, text: str, words: str, place: str | None) -> None:
    assert _fields_on(nlp, text, words)["place"] == place


def test_a_coordinated_report_is_the_reported_claim_with_its_speaker(nlp: Language) -> None:
    # ECB+ 28_2: "…, but the coroner said he believed the death occurred July 24" is the death's claim
    text = "His body was found by a motel maid on July 27, but coroner Gary Hargrove said he believed the death occurred July 24."
    got = _fields_on(nlp, text, "the death")
    assert (got["subject"], got["predicate"], got["attributed_to"], got["time_text"]) == ("the death", "occur", "coroner Gary Hargrove", "July 24")
