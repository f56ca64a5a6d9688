"""Temporal expression recognition and TIMEX3 normalization, anchored on the publication date.

Recognition is a rule grammar (models/timex/patterns.json over the word lists in models/timex/lexicon.json)
whose span conventions follow TimeBank/AQUAINT, backed up by spaCy DATE/TIME entities for what the grammar
misses. Normalization turns each span into a TIMEX3 (type, value, mod) and the interval a DATE value covers.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
import functools
import json
import re
from collections.abc import Callable, Iterable
from typing import Any
from dataclasses import dataclass
from pathlib import Path

from spacy.tokens import Doc, Span, Token

MODEL_DIR = Path(__file__).resolve().parent.parent / "models" / "timex"
DATEPARSER_SETTINGS = {"PREFER_DAY_OF_MONTH": "first", "REQUIRE_PARTS": ["year"], "STRICT_PARSING": False}
#: spaCy entity labels whose spans back up the grammar where it found nothing.
SPACY_FALLBACK_LABELS = frozenset({"DATE", "TIME"})
#: Auxiliaries that put the governing verb in the future ("would" covers reported plans: "said it would close Friday").
FUTURE_AUXILIARIES = frozenset({"will", "'ll", "shall", "wo", "would"})
#: Dependencies of a date that modifies a noun rather than the clause ("Wednesday's ruling", "the Oct. 23 slaying").
NOUN_MODIFIER_DEPS = frozenset({"poss", "compound", "nmod"})
#: Months a yearless month may lie against the tense before it moves to the neighbouring year: news often
#: mentions coming dates in past-tense sentences ("payable Dec. 15", said in October), rarely the reverse.
PAST_MONTH_SLACK = 5
#: The same slack when the governing verb is itself in the past tense ("was shot on Oct. 23", said in May).
MARKED_PAST_MONTH_SLACK = 2
FUTURE_MONTH_SLACK = 1
#: spaCy entity labels that veto a bare four-digit "year" (it is a count, an amount, an address...).
NON_DATE_LABELS = frozenset({"CARDINAL", "MONEY", "QUANTITY", "PERCENT", "ORG", "PRODUCT", "FAC", "LAW"})

Tense = str  # "PAST" | "FUTURE" | "PRESENT" (a present-tense event verb: weekdays read ahead, months stay put)


@dataclass(frozen=True, slots=True)
class _Ctx:
    """What the sentence around an expression tells its normalizer."""

    tense: Tense = "PAST"
    fiscal: bool = False  # the sentence talks about quarters: "a year ago" means the year-ago quarter
    last_date: dt.date | None = None  # the most recent explicit date in the text, anchor for "that year"
    marked_past: bool = False  # the past reading comes from past-tense morphology, not from the news default
    last_day: dt.date | None = None  # the most recent day-precise date or time, the day a bare clock time is on


@dataclass(frozen=True, slots=True)
class Timex:
    """One TIMEX3: character offsets into doc.text, type/value/mod, and the calendar interval of DATE values."""

    start_char: int
    end_char: int
    text: str
    type: str
    value: str
    mod: str | None
    start_date: dt.date | None
    end_date: dt.date | None
    anchored: bool


@dataclass(frozen=True, slots=True)
class _Norm:
    """A normalization result before it is tied to a span."""

    type: str
    value: str
    mod: str | None = None
    anchored: bool = False


@dataclass(frozen=True, slots=True)
class _Rule:
    kind: str
    regex: re.Pattern[str]
    #: lowercase words one of which every match contains (a cheap test that lets _scan skip the regex);
    #: empty when the rule always runs. needs_digit: every match contains a digit.
    needs: tuple[str, ...] = ()
    needs_digit: bool = False


# ---------------------------------------------------------------------------------------------- rule data


def _title(words: str) -> str:
    """Title case that leaves letters after an apostrophe alone: "New Year's Day", not "New Year'S Day"."""
    return " ".join(w[:1].upper() + w[1:] for w in words.split(" "))


def _alt(words: Iterable[str], *, case_sensitive: bool = False) -> str:
    """Regex alternation of words, longest first so the regex engine prefers the longest reading."""
    parts = sorted(set(words), key=len, reverse=True)
    if case_sensitive:  # proper names: "Friday", "Election Day", "FRIDAY" but not "may" or "march"
        variants = [v for w in parts for v in dict.fromkeys((w.capitalize(), _title(w), w.upper()))]
        return "(?-i:" + "|".join(re.escape(v).replace(r"\ ", r"\s+").replace("'", "['’]") for v in variants) + ")"
    return "(?:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in parts) + ")"


@dataclass(frozen=True, slots=True)
class _Lexicon:
    data: dict[str, Any]  # parsed JSON rule data
    rules: tuple[_Rule, ...]
    refs: dict[str, tuple[str, str]]
    tagged_refs: frozenset[str]
    inside_mods: frozenset[str]
    mod_prefix: re.Pattern[str]


@functools.cache
def _lexicon() -> _Lexicon:
    """Load and compile the rule data once per process."""
    data: dict[str, Any] = json.loads((MODEL_DIR / "lexicon.json").read_text())
    months: dict[str, int] = data["months"]
    weekdays: dict[str, int] = data["weekdays"]
    numbers: dict[str, float] = data["numbers"]
    units: dict[str, str] = data["units"]
    plurals: dict[str, str] = data["unit_plurals"]
    number_words = [w for w in numbers if w not in ("half", "a half", "a", "an")]
    numw = _alt(number_words)
    num = (
        r"(?:\d+(?:[.,]\d+)?(?:\s+1/2)?|" + _alt(data["vague_numbers"]) + r"|"
        + numw + r"(?:[\s-]+" + numw + r")*(?:\s+and\s+a\s+half)?|half\s+an?|an?)"
    )
    abbrevs = [m for m in months if len(m) <= 4 and m not in ("may", "june", "july")]
    month_alt = (
        "(?:" + _alt(abbrevs, case_sensitive=True) + r"\.?(?!\w)|" + _alt(set(months) - set(abbrevs), case_sensitive=True) + ")"
    )
    placeholders = {
        "MONTH": month_alt,
        "DOW": _alt(weekdays, case_sensitive=True),
        "NUM": num,
        "NUMW": numw,
        "UNIT": _alt(list(units) + list(plurals)),
        "UNITP": _alt(plurals),
        "SEASON": _alt(data["seasons"]),
        "ORDW": _alt(k for k in data["ordinals"] if k.isalpha() and k != "last"),
        "TZ": "(?-i:" + "|".join(data["timezones"]) + ")",
        "DECADEW": _alt(data["decade_words"]),
        "INMOD": _alt(data["inside_mods"]),
        "REFS": _alt(data["tagged_refs"]),
        "HOLIDAY": _alt(data["holidays"], case_sensitive=True),
        "SETADV": _alt(data["set_adverbs"]),
        "DEICTIC": r"(?:today|yesterday|tomorrow|tonight|the\s+day\s+before\s+yesterday|the\s+day\s+after\s+tomorrow)",
        "DAY": r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?!\d|:\d)",
        "YEAR": r"(?:1[6-9]\d\d|20\d\d)",
        "SPOKENYEAR": r"(?:nineteen[\s-]+(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[\s-]+(?:one|two|three|four|five|six|seven|eight|nine))?)",
    }
    # the words each placeholder's matches must contain, for the rules' "needs" prefilter
    need_words = {
        "MONTH": sorted({m[:3] for m in months}),
        "DOW": list(weekdays),
        "SEASON": list(data["seasons"]),
        "HOLIDAY": sorted({h.split()[0].split("'")[0] for h in data["holidays"]}),
        "UNIT": sorted({u.split()[-1][:6] for u in list(units) + list(plurals)}),
        "SETADV": list(data["set_adverbs"]),
        "REFS": sorted({max(r.split(), key=len) for r in data["tagged_refs"]}),
    }
    rules = []
    for spec in json.loads((MODEL_DIR / "patterns.json").read_text()):
        pattern = re.sub(r"\{([A-Z]+)\}", lambda m: placeholders[m.group(1)], spec["pattern"])
        needs: list[str] = []
        for word in spec.get("needs", []):
            needs += need_words[word[1:-1]] if word.startswith("{") and word != "{DIGIT}" else [] if word == "{DIGIT}" else [word]
        # Every match starts a word. Saying so up front lets the regex engine drop the other positions
        # at once: the scan takes a third less time, with the same matches on the BBC, ECB+ and TimeML
        # dev texts.
        regex = re.compile(r"\b(?=\w)(?:" + pattern + ")", re.I)
        rules.append(_Rule(spec["kind"], regex, tuple(needs), "{DIGIT}" in spec.get("needs", [])))
    refs = {k: (v[0], v[1]) for k, v in data["refs"].items()}
    mod_prefix = re.compile(r"^(" + _alt(data["mods"]) + r")\s+(?=\S)", re.I)
    return _Lexicon(
        data, tuple(rules), refs, frozenset(data["tagged_refs"]), frozenset(data["inside_mods"]), mod_prefix
    )


_WS_RE = re.compile(r"\s+")
_PREV_WORD_RE = re.compile(r"(\w+)\W*$")
_DIGITS_RE = re.compile(r"\d+")
_FUTURE_CONTEXT_RE = re.compile(r"\b(?:will|'ll|shall|going\s+to|next|expect(?:s|ed)?\s+to|plans?\s+to|scheduled)\b", re.I)
_FISCAL_CONTEXT_RE = re.compile(r"\bquarter|\b(?:per|a)\s+share\b|\bnet\s+(?:income|loss)\b", re.I)
_AGE_RE = re.compile(r"^(?:-|\s)*(?:years?|months?|weeks?|days?)?(?:-|\s)*old\b", re.I)
_TRIM_DET_RE = re.compile(r"^(the|a|an|its|his|her|their|that)\s+", re.I)
_RATE_BEFORE_RE = re.compile(r"(?:\d|percent|%|times|cents?|dollars?)\s*$", re.I)
_COUNT_AFTER_RE = re.compile(r"\s*(?:%|percent|shares|people|members|troops|tons|barrels|miles|dollars|units|jobs)", re.I)
_AGE_IN_RE = re.compile(r"-old$|\bold$", re.I)
_YEAR_IN_TEXT_RE = re.compile(r"\d{4}")
_DAY_IN_TEXT_RE = re.compile(r"\b\d{1,2}\b")
_TIME_WORD_RE = re.compile(r"\b(?:hours?|minutes?|seconds?|a\.m\.|p\.m\.|morning|evening|night|afternoon)\b")
#: A part of the day named without a clock time ("the morning", "mid afternoon"): TIME value ...T{MO|AF|EV|NI}.
_POD_RE = re.compile(r"\b(?:(?P<mod>mid|early|late)[\s-]*)?(?P<pod>morning|afternoon|evening|night)\b")
_UNIT_WORD_RE = re.compile(r"\b(years?|months?|weeks?|days?|decades?)\b")
#: spaCy DATE/TIME entities TimeML does not tag (rates, generic "the day", possessed periods).
_FALLBACK_VETO_RE = re.compile(r"^(?:quarterly|(?:the|this)\s+day|(?:his|her|its|their|our|my)\s.*|the\s+night(?:\s+of)?)$", re.I)
_FALLBACK_TIME_RE = re.compile(r"\d|\bmorning\b|\bafternoon\b", re.I)
_DIGIT_RE = re.compile(r"\d")
#: non-ASCII letters that re.IGNORECASE matches to an ASCII one and str.lower() leaves alone (dotless i, long s)
_CASELESS_ASCII = {0x131: "i", 0x17F: "s"}
_ZONE_AFTER_RE = re.compile(r"\s+(?:GMT|UTC)\b")
_NEXT_WORD_RE = re.compile(r"\s+([A-Za-z]+)")
_DAY_VALUE_RE = re.compile(r"\d{4}-\d\d-\d\d")
_DISCOURSE_NOW_RE = re.compile(r"\s*(?:,|for\b)", re.I)
_OPEN_QUOTE_RE = re.compile(r"(?:\"|“|``|''|‘)$")
_HIGH_BEFORE_RE = re.compile(r"\bhigh\s+$", re.I)
_DETERMINER_RE = re.compile(r"^(?:the|a|an|its|his|her|their|this|that)\s+", re.I)


def _words(text: str) -> str:
    return _WS_RE.sub(" ", text.strip().lower())


# ---------------------------------------------------------------------------------------------- calendar helpers


def _add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    idx = year * 12 + (month - 1) + delta
    return idx // 12, idx % 12 + 1


def _week_value(day: dt.date) -> str:
    iso = day.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def _quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def _number(text: str) -> float | None:
    """Numeric value of a number phrase ("twenty four", "2 1/2", "a"), None when vague ("several")."""
    lex = _lexicon().data
    words = _words(text).replace("-", " ")
    if words in lex["approx_numbers"]:  # "a couple of" counts as two (the span gets mod APPROX)
        return float(lex["approx_numbers"][words])
    if words in lex["vague_numbers"] or words.rstrip(" of") in lex["vague_numbers"]:
        return None
    if words in ("half a", "half an"):
        return 0.5
    total = 0.0
    current = 0.0
    found = False
    for tok in words.split():
        tok = tok.replace(",", "")
        if tok in ("and",):
            continue
        if tok == "1/2":
            current += 0.5
            found = True
            continue
        try:
            current += float(tok)
            found = True
            continue
        except ValueError:
            pass
        val = lex["numbers"].get(tok)
        if val is None:
            continue
        found = True
        if val in (100, 1000):
            current = (current or 1) * val
            if val == 1000:
                total += current
                current = 0
        elif val == 0.5:
            current += 0.5
        else:
            current += val
    return total + current if found else None


def _fmt_num(n: float) -> str:
    return str(int(n)) if float(n).is_integer() else f"{n:g}"


# ---------------------------------------------------------------------------------------------- durations


def _unit_code(unit: str) -> tuple[str, float]:
    """(TIMEX3 unit letter, multiplier) for a unit word; decade and century become years."""
    lex = _lexicon().data
    u = _words(unit)
    u = lex["unit_plurals"].get(u, u)
    code = lex["units"].get(u, "X")
    return {
        "DE": ("Y", 10),
        "CE": ("Y", 100),
        "ML": ("Y", 1000),
        "2W": ("W", 2),
        "WE": ("D", 2),
        "Q": ("Q", 1),
        "QC": ("Y", 25),
    }.get(code, (code, 1))


def duration_value(num: float | None, unit: str) -> str:
    """TIMEX3 duration value, e.g. (5, "years") -> P5Y, (2.5, "hours") -> PT2H30M, (None, "days") -> PXD."""
    code, mult = _unit_code(unit)
    timed = code in ("H", "MIN", "S")
    letter = {"MIN": "M"}.get(code, code)
    prefix = "PT" if timed else "P"
    if num is None:
        return f"{prefix}X{letter}"
    n = num * mult
    if not float(n).is_integer():
        whole = int(n)
        frac = n - whole
        sub = {"Y": ("M", 12), "M": ("D", 30), "D": ("H", 24), "H": ("M", 60), "MIN": ("S", 60), "W": ("D", 7)}.get(code)
        if sub:
            part = f"{_fmt_num(frac * sub[1])}{sub[0]}"
            if code == "D":
                return f"P{whole}DT{part}" if whole else f"PT{part}"
            return f"{prefix}{whole}{letter}{part}" if whole else f"{prefix}{part}"
    return f"{prefix}{_fmt_num(n)}{letter}"


# ---------------------------------------------------------------------------------------------- tense


def _ctx_from_text(context: str | None) -> _Ctx:
    if not context:
        return _Ctx()
    tense = "FUTURE" if _FUTURE_CONTEXT_RE.search(context) else "PAST"
    return _Ctx(tense, bool(_FISCAL_CONTEXT_RE.search(context)))


def _governing_verb(tok: Token) -> Token | None:
    """The verb a token hangs from (walking up at most six heads), None when there is none."""
    for _ in range(6):
        if tok.pos_ in ("VERB", "AUX") or tok.head is tok:
            break
        tok = tok.head
    return tok if tok.pos_ in ("VERB", "AUX") else None


def _explicit_past(tok: Token) -> bool:
    """The verb is past by its own morphology or a past auxiliary ("met", "had met", "was met", "did meet")."""
    return tok.tag_ in ("VBD", "VBN") or any(c.tag_ == "VBD" for c in tok.children if c.dep_ in ("aux", "auxpass"))


def _pluperfect(tok: Token) -> bool:
    """"had planned", "had been scheduled": a plan seen from a past vantage point, whose date is past too."""
    return tok.tag_ == "VBN" and any(c.lower_ in ("had", "'d") and c.dep_ == "aux" for c in tok.children)


def _infinitive_tense(tok: Token) -> Tense:
    """An infinitive points ahead ("plans to meet Friday", "a deal to close in May") unless it complements a
    past-tense verb that is not one of intention: "was allowed to inspect since Jan. 13", "had been due to expire Friday"."""
    if tok.dep_ not in ("xcomp", "advcl", "csubj", "ccomp") or tok.head is tok:
        return "FUTURE"
    if tok.head.lemma_.lower() in _lexicon().data["prospective_verbs"]:
        return "PAST" if _pluperfect(tok.head) else "FUTURE"
    matrix = _governing_verb(tok.head)
    if matrix is not None and _explicit_past(matrix):
        return "PAST"
    return "FUTURE"


def _verb_tense(tok: Token) -> Tense:
    """Tense of one verb from its morphology and auxiliaries; verbs of scheduling look ahead."""
    children = list(tok.children)
    lowers = {c.lower_ for c in children}
    # a conjoined verb shares its head's auxiliary: "will go out and test the law on Saturday"
    shared = [c for c in tok.head.children if c.dep_ == "aux"] if tok.dep_ == "conj" and tok.tag_ == "VB" else []
    if (lowers | {c.lower_ for c in shared}) & FUTURE_AUXILIARIES:
        return "FUTURE"
    if tok.lemma_.lower() in _lexicon().data["scheduling_verbs"] and tok.dep_ != "acl" and not _pluperfect(tok):
        # "has scheduled a news conference Thursday", "postponed until Tuesday"; but in "On Friday, it planned
        # to pay ..." (what is planned is the infinitive itself) Friday is when the planning was reported
        deps = {c.dep_ for c in children}
        if not (_explicit_past(tok) and "xcomp" in deps and "dobj" not in deps):
            return "FUTURE"
    if _explicit_past(tok):
        return "PAST"
    if tok.tag_ == "VBG" and lowers & {"is", "are", "'s", "'re", "am"}:
        return "FUTURE"
    if tok.tag_ == "VB" and any(c.tag_ == "MD" for c in children + shared):  # "could come as early as Tuesday"
        return "FUTURE"
    if tok.tag_ == "VB" and tok.dep_ == "ROOT" and not any(c.dep_ in ("nsubj", "nsubjpass", "aux") for c in children):
        return "FUTURE"  # an imperative: "Give this to someone on 24 December"
    if tok.tag_ == "VB" and any(c.lower_ == "to" and c.dep_ == "aux" for c in children):  # not "do harm to them"
        return _infinitive_tense(tok)
    if tok.tag_ == "VBZ" and tok.lemma_ not in ("be", "have", "say"):
        return "PRESENT"
    if tok.tag_ == "VBP" and _plural_present(tok, children):
        return "PRESENT"
    return "PAST"


def _plural_present(tok: Token, children: list[Token]) -> bool:
    """"they meet Monday" is a scheduled event like "the board meets Monday", unless the form is also the past
    ("stocks hurt the index Friday") or the verb has no plural subject (the tagger calls nouns VBP: "a telecoms deal")."""
    if tok.lemma_ in ("be", "have", "say") or tok.lower_ in _lexicon().data["invariant_past_verbs"]:
        return False
    return any(c.dep_ == "nsubj" and c.tag_ in ("NNS", "NNPS", "PRP") and c.lower_ not in ("i", "you") for c in children)


def _tense_of_span(span: Span) -> tuple[Tense, bool]:
    """Tense of the verb governing the span (walk up heads), so "Friday" can point back or ahead.

    News reports mostly past events, so only explicit future morphology ("will", "is to", "plans to") counts.
    A date that modifies a noun ("Wednesday's ruling", "a June agreement") names that thing's time, which the
    clause's tense does not fix: it keeps the default (past) reading.
    The flag tells whether a past reading is marked by past-tense morphology rather than assumed.
    """
    root = span.root
    if root.dep_ in NOUN_MODIFIER_DEPS and root.head is not root and root.head.pos_ in ("NOUN", "PROPN"):
        return "PAST", False
    verb = _governing_verb(root)
    if verb is None:
        return "PAST", False
    tense = _verb_tense(verb)
    return tense, tense == "PAST" and _explicit_past(verb)


# ---------------------------------------------------------------------------------------------- normalizers


def _year_for_month(month: int, day: int | None, published: dt.date, tense: Tense, marked_past: bool = False) -> int:
    """Year of a month (and day) written without one: the publication year unless the tense points across it."""
    ahead = (month - published.month) % 12
    slack = MARKED_PAST_MONTH_SLACK if marked_past else PAST_MONTH_SLACK
    if tense == "PAST" and (month, day or 0) > (published.month, published.day) and ahead > slack:
        return published.year - 1
    if tense == "FUTURE" and (month, day or 32) < (published.month, published.day) and (12 - ahead) % 12 > FUTURE_MONTH_SLACK:
        return published.year + 1
    return published.year


def _pod_code(pod: str | None) -> str | None:
    if not pod:
        return None
    return _lexicon().data["parts_of_day"].get(_words(pod))


def _mod_of(word: str | None) -> str | None:
    if not word:
        return None
    w = _words(word).rstrip("-").strip()
    mods: dict[str, str] = _lexicon().data["mods"]
    return mods.get(w) or mods.get("the " + w) or mods.get(w.removeprefix("the ").strip())


def _dow_date(dow: int, published: dt.date, rel: str | None, tense: Tense) -> dt.date:
    diff = published.isoweekday() - dow
    rel = _words(rel) if rel else ""
    if rel in ("last", "this past", "the previous", "past"):
        back = diff % 7 or 7
        return published - dt.timedelta(days=back)
    if rel in ("next", "this coming", "the following", "the coming"):
        fwd = (-diff) % 7 or 7
        return published + dt.timedelta(days=fwd)
    if tense in ("FUTURE", "PRESENT"):  # a present-tense event verb is a scheduled one: "the board meets Tuesday"
        return published + dt.timedelta(days=(-diff) % 7)
    return published - dt.timedelta(days=diff % 7)


def _norm_iso(g: dict[str, str | None], p: dt.date | None, ctx: _Ctx) -> _Norm:
    value = f"{g['year']}-{g['month']}-{g['day']}"
    if g.get("hour"):
        return _Norm("TIME", f"{value}T{g['hour']}:{g['minute']}")
    return _Norm("DATE", value)


def _norm_numeric_date(g: dict[str, str | None], p: dt.date | None, ctx: _Ctx) -> _Norm:
    year = int(g["year"] or 0)
    if year < 100:
        year += 2000 if year < 50 else 1900
    return _Norm("DATE", f"{year:04d}-{int(g['month'] or 0):02d}-{int(g['day'] or 0):02d}")


def _month_num(text: str) -> int:
    return _lexicon().data["months"][_words(text).rstrip(".")]


def _day_num(text: str) -> int:
    m = _DIGITS_RE.search(text)
    if m:
        return int(m.group())
    return int(_lexicon().data["ordinals"].get(_words(text), 1))


def _norm_date_abs(g: dict[str, str | None], p: dt.date | None, ctx: _Ctx) -> _Norm:
    month = _month_num(g["month"] or "")
    day = _day_num(g.get("day") or "") if g.get("day") else None
    mod = _mod_of(g.get("mod"))
    if g.get("after"):
        mod = "ON_OR_AFTER"
    rel = _words(g.get("rel") or "") if g.get("rel") else None
    anchored = False
    if g.get("year") and _DIGITS_RE.fullmatch(g["year"] or ""):
        year_s = f"{int(g['year'] or 0):04d}"
    elif g.get("year") and _spoken_year(g["year"] or ""):
        year_s = f"{_spoken_year(g['year'] or ''):04d}"
    elif p is None:
        year_s = "XXXX"
    else:
        anchored = True
        if rel and rel.endswith("year"):
            year = p.year + {"last": -1, "next": 1}.get(rel.split()[0], 0)
        elif rel in ("last", "this past", "the previous", "previous"):
            year = p.year if month < p.month else p.year - 1
        elif rel in ("next", "this coming", "the following", "the coming", "following", "coming"):
            year = p.year if month > p.month else p.year + 1
        elif rel == "this":
            year = p.year
        else:
            year = _year_for_month(month, day, p, ctx.tense, ctx.marked_past)
        year_s = f"{year:04d}"
    value = f"{year_s}-{month:02d}" + (f"-{day:02d}" if day else "")
    return _Norm("DATE", value, mod, anchored)


def _norm_time(g: dict[str, str | None], p: dt.date | None, ctx: _Ctx) -> _Norm:
    mod = _mod_of(g.get("mod"))
    if g.get("named"):
        named = _words(g["named"] or "")
        clock = {"noon": "12:00", "midnight": "24:00", "midday": "12:00"}[named]
    else:
        hour = int(g["hour"] or 0)
        minute = int(g.get("minute") or 0)
        ampm = _words(g.get("ampm") or "").replace(".", "")
        pod = _words(g.get("pod") or g.get("pod2") or g.get("pod3") or "")
        if (ampm.startswith("p") or pod in ("afternoon", "evening")) and hour < 12:
            hour += 12
        if ampm.startswith("a") and hour == 12:
            hour = 0
        clock = f"{hour:02d}:{minute:02d}"
    day_norm: _Norm | None = None
    if g.get("rel") or g.get("pod3"):
        day_norm = _norm_deictic({"rel": g.get("rel") or "today"}, p, ctx)
    elif g.get("dow"):
        day_norm = _norm_rel_dow({"dow": g["dow"]}, p, ctx)
    elif g.get("month"):
        day_norm = _norm_date_abs({"month": g["month"], "day": g["day"]}, p, ctx)
    if day_norm is not None:
        return _Norm("TIME", f"{day_norm.value}T{clock}", mod, day_norm.anchored)
    if p is None:
        return _Norm("TIME", f"XXXX-XX-XXT{clock}", mod)
    if ctx.last_day is not None and ctx.tense == "PAST":  # "was shot at 10 p.m.": on the day the story is at
        return _Norm("TIME", f"{ctx.last_day.isoformat()}T{clock}", mod, True)
    return _Norm("TIME", f"{p.isoformat()}T{clock}", mod, True)


def _norm_rel_dow(g: dict[str, str | None], p: dt.date | None, ctx: _Ctx) -> _Norm:
    dow = _lexicon().data["weekdays"][_words(g["dow"] or "").removesuffix("'s").rstrip("s") + ("" if (g["dow"] or "").lower().rstrip("s").endswith("day") else "s")]
    pod = _pod_code(g.get("pod"))
    mod = _mod_of(g.get("mod"))
    if g.get("month") and g.get("day"):
        base = _norm_date_abs({"month": g["month"], "day": g["day"]}, p, ctx)
        return _Norm("DATE", base.value, mod, base.anchored)
    if p is None:
        value = f"XXXX-WXX-{dow}"
        anchored = False
    else:
        rel = _words(g.get("rel") or "")
        # "the previous Friday" / "the following Monday" count from the date the narrative is at
        anchor = ctx.last_date if rel in ("the previous", "the following") and ctx.last_date else p
        value = _dow_date(dow, anchor, rel, ctx.tense).isoformat()
        anchored = True
    if pod:
        return _Norm("TIME", f"{value}T{pod}", mod, anchored)
    return _Norm("DATE", value, mod, anchored)


_DEICTIC_OFFSETS = {"today": 0, "tonight": 0, "this": 0, "yesterday": -1, "last": -1, "tomorrow": 1,
                    "the day before yesterday": -2, "the day after tomorrow": 2, "overnight": 0}


def _norm_deictic(g: dict[str, str | None], p: dt.date | None, ctx: _Ctx) -> _Norm:
    rel = _words(g["rel"] or "")
    pod = _pod_code(g.get("pod"))
    mod = _mod_of(g.get("mod"))
    if rel == "last" and not pod:
        pod = "NI"
    if rel in ("tonight", "overnight"):
        pod = "NI"
    if p is None:
        if rel == "today" and not pod:
            return _Norm("DATE", "PRESENT_REF", mod)
        value = "XXXX-XX-XX"
        anchored = False
    else:
        value = (p + dt.timedelta(days=_DEICTIC_OFFSETS.get(rel, 0))).isoformat()
        anchored = True
    if pod:
        return _Norm("TIME", f"{value}T{pod}", mod, anchored)
    return _Norm("DATE", value, mod, anchored)


def _norm_tonight(g: dict[str, str | None], p: dt.date | None, ctx: _Ctx) -> _Norm:
    if p is None:
        return _Norm("TIME", "XXXX-XX-XXTNI")
    return _Norm("TIME", f"{p.isoformat()}TNI", None, True)


def _norm_year(g: dict[str, str | None], p: dt.date | None, ctx: _Ctx) -> _Norm:
    mod = _mod_of(g.get("mod"))
    if g.get("after"):
        mod = "ON_OR_AFTER"
    if g.get("post"):
        mod = "AFTER" if _words(g["post"] or "") == "post" else "BEFORE"
    return _Norm("DATE", f"{int(g['year'] or 0):04d}", mod)


def _spoken_year(text: str) -> int | None:
    words = _words(text).replace("-", " ").split()
    if not words:
        return None
    if words[0] == "nineteen" and len(words) > 1:
        tail = _number(" ".join(words[1:]))
        return 1900 + int(tail) if tail is not None else None
    if words[0] == "two" and "thousand" in words:
        rest = [w for w in words[2:] if w != "and"]
        return 2000 + int(_number(" ".join(rest)) or 0) if rest else 2000
    return None


def _norm_spoken_year(g: dict[str, str | None], p: dt.date | None, ctx: _Ctx) -> _Norm:
    year = _spoken_year(g["spoken"] or "")
    return _Norm("DATE", f"{year:04d}" if year else "XXXX")


def _norm_season(g: dict[str, str | None], p: dt.date | None, ctx: _Ctx) -> _Norm:
    code = _lexicon().data["seasons"][_words(g["season"] or "")]
    rel = _words(g.get("rel") or "")
    mod = _mod_of(g.get("mod")) or (_mod_of(rel.removeprefix("the ")) if rel.startswith("the ") else None)
    if (g.get("year") or g.get("year3")) and not g.get("spoken"):
        return _Norm("DATE", f"{g.get('year') or g['year3']}-{code}", mod)
    if g.get("spoken"):
        year = _spoken_year(g["spoken"] or "")
        return _Norm("DATE", f"{year:04d}-{code}" if year else f"XXXX-{code}", mod)
    if p is None:
        return _Norm("DATE", f"XXXX-{code}", mod)
    season_month = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}[code]
    year = p.year
    if rel in ("last", "this past", "past"):
        year = p.year if season_month + 2 < p.month else p.year - 1
    elif rel in ("next", "this coming"):
        year = p.year if season_month > p.month else p.year + 1
    elif rel != "this" and ctx.tense == "PAST" and season_month > p.month:
        year -= 1
    return _Norm("DATE", f"{year:04d}-{code}", mod, True)


def _norm_decade(g: dict[str, str | None], p: dt.date | None, ctx: _Ctx) -> _Norm:
    mod = _mod_of((g.get("mod") or "").replace("the ", "")) if g.get("mod") else None
    if g.get("mod") and _words(g["mod"] or "") in ("last", "latter", "second"):
        mod = "END"
    elif g.get("mod") and _words(g["mod"] or "") == "first":
        mod = "START"
    if g.get("decadew"):
        digit = _lexicon().data["decade_words"][_words(g["decadew"] or "")]
        return _Norm("DATE", f"19{digit}", mod)
    dec = (g["decade"] or "").strip("'")
    if len(dec) == 2:
        return _Norm("DATE", f"19{dec[0]}", mod)
    return _Norm("DATE", dec[:3], mod)


def _norm_century(g: dict[str, str | None], p: dt.date | None, ctx: _Ctx) -> _Norm:
    ordinal = _words(g["ord"] or "")
    digits = _DIGITS_RE.search(ordinal)
    n = int(digits.group()) if digits else int(_lexicon().data["ordinals"].get(ordinal, 21 if ordinal == "twenty-first" else 0))
    words = _words(g.get("mod") or "")
    mod = None
    if words:
        if "first half" in words or "beginning" in words or words == "early":
            mod = "START"
        elif "half" in words or "end" in words or words == "late":
            mod = "END"
        elif "middle" in words or words == "mid":
            mod = "MID"
        elif "turn" in words:  # "the turn of the 20th century": the year the century begins with, 1900
            return _Norm("DATE", f"{n - 1:02d}00")
    return _Norm("DATE", f"{n - 1:02d}", mod)


def _norm_century_turn(g: dict[str, str | None], p: dt.date | None, ctx: _Ctx) -> _Norm:
    """"the turn of the century": the century boundary year the tense points at (1900 in a past-tense story told
    in 1998, 2000 in "will be ready by the turn of the century" told in 1989)."""
    if p is None:
        return _Norm("DATE", "XXXX")
    floor, ceil = p.year // 100 * 100, -(-p.year // 100) * 100
    if ctx.tense == "FUTURE":
        year = ceil
    elif ctx.tense == "PAST":
        year = floor
    else:
        year = floor if p.year - floor <= ceil - p.year else ceil
    return _Norm("DATE", f"{year:04d}", None, True)


def _range_end_year(g: dict[str, str | None]) -> int | None:
    """The later year of "1990-91" / "1990-1995" (a two-digit end rolls into the next century: "1999-00")."""
    start, end = int(g["year"] or 0), g["year2"] or ""
    year2 = int(end) if len(end) == 4 else start - start % 100 + int(end)
    if len(end) == 2 and year2 <= start:
        year2 += 100
        if year2 - start > 10:  # "1999-00" rolls over, "2013-03" (a year and month) does not
            return None
    return year2 if year2 > start else None


def _norm_year_range(g: dict[str, str | None], p: dt.date | None, ctx: _Ctx) -> _Norm:
    """A year range as one text ("1990-91"): the normalization of its start (find_timexes tags the two ends apart)."""
    if _range_end_year(g) is None:
        raise ValueError("not a range of years")
    return _Norm("DATE", f"{int(g['year'] or 0):04d}")


def _norm_century_this(g: dict[str, str | None], p: dt.date | None, ctx: _Ctx) -> _Norm:
    rel = _words(g["rel"] or "")
    if rel.startswith("the "):
        return _Norm("DURATION", "P100Y")
    if p is None:
        return _Norm("DATE", "XX")
    offset = {"last": -1, "next": 1}.get(rel, 0)
    return _Norm("DATE", f"{p.year // 100 + offset:02d}", None, True)


def _quarter_year(q: int, p: dt.date, tense: Tense) -> int:
    cur = _quarter_of(p)
    if q <= cur:
        return p.year
    if q == cur + 1 and tense == "FUTURE":
        return p.year
    return p.year - 1 if q > cur + 1 or tense == "PAST" else p.year


def _norm_quarter(g: dict[str, str | None], p: dt.date | None, ctx: _Ctx) -> _Norm:
    ordinal = _words(g["ord"] or "")
    q = 4 if ordinal == "final" else _day_num(ordinal)
    qmods = _words(g.get("qmod") or "")
    year_text = g.get("year") or g.get("year2") or g.get("yearpos")
    whole = _words(" ".join(v for v in g.values() if v))
    if year_text:
        return _Norm("DATE", f"{year_text}-Q{q}")
    if p is None:
        return _Norm("DATE", f"XXXX-Q{q}")
    year = _quarter_year(q, p, ctx.tense)
    det = _words(g.get("det") or "")
    qrel = _words(g.get("qrel") or "")
    if det.startswith(("last year", "next year")) or qrel in ("last", "next"):
        year = p.year + (1 if det.startswith("next") or qrel == "next" else -1)
    elif qrel == "this":
        year = p.year
    elif "year-ago" in whole or "year-earlier" in whole or "year ago" in qmods or "year earlier" in qmods:
        year -= 1
    return _Norm("DATE", f"{year}-Q{q}", None, True)


def _latest_quarter(p: dt.date) -> tuple[int, int]:
    """The most recently completed quarter: what "the quarter" means in earnings news."""
    q = _quarter_of(p) - 1
    return (p.year, q) if q else (p.year - 1, 4)


def _norm_quarter_rel(g: dict[str, str | None], p: dt.date | None, ctx: _Ctx) -> _Norm:
    whole = _words(" ".join(v for v in g.values() if v))
    year_text = g.get("year2")
    if g.get("period") and "nine months" in _words(g["period"] or ""):
        return _Norm("DURATION", "P9M")
    if year_text:
        return _Norm("DATE", f"{year_text}-Q{_latest_quarter(p)[1]}" if p else year_text, None, p is not None)
    if p is None:
        return _Norm("DATE", "XXXX-QX")
    if "current" in whole or _words(g.get("qmod") or "") == "" and "this" in whole.split()[:1]:
        year, q = p.year, _quarter_of(p)
    else:
        year, q = _latest_quarter(p)
    if "year-ago" in whole or "year-earlier" in whole or "year ago" in whole or "last year" in whole:
        year -= 1
    elif "next year" in whole:
        year += 1
    return _Norm("DATE", f"{year}-Q{q}", None, True)


def _norm_period_rel(g: dict[str, str | None], p: dt.date | None, ctx: _Ctx) -> _Norm:
    if p is None:
        return _Norm("DATE", "XXXX-QX")
    year, q = _latest_quarter(p)
    return _Norm("DATE", f"{year - 1}-Q{q}", None, True)


def _norm_half(g: dict[str, str | None], p: dt.date | None, ctx: _Ctx) -> _Norm:
    h = 1 if _words(g["ord"] or "") == "first" else 2
    if g.get("year"):
        return _Norm("DATE", f"{g['year']}-H{h}")
    if p is None:
        return _Norm("DATE", f"XXXX-H{h}")
    offset = {"last": -1, "next": 1}.get(_words(g.get("rel") or ""), 0)
    if not g.get("rel") and h == 2 and p.month <= 6 and ctx.tense == "PAST":
        offset = -1  # "profit fell in the second half", said in spring: last year's
    return _Norm("DATE", f"{p.year + offset}-H{h}", None, True)


def _unit_value(unit: str, rel_offset: int, p: dt.date) -> str:
    """Value of the calendar unit containing p, shifted by rel_offset units."""
    u = _words(unit).replace("fiscal ", "")
    if u == "week":
        return _week_value(p + dt.timedelta(weeks=rel_offset))
    if u == "weekend":
        return _week_value(p + dt.timedelta(weeks=rel_offset)) + "-WE"
    if u in ("day", "morning"):
        return (p + dt.timedelta(days=rel_offset)).isoformat()
    if u == "month":
        y, m = _add_months(p.year, p.month, rel_offset)
        return f"{y:04d}-{m:02d}"
    if u == "quarter":
        y, m = _add_months(p.year, p.month, 3 * rel_offset)
        return f"{y:04d}-Q{(m - 1) // 3 + 1}"
    if u == "decade":
        return f"{p.year // 10 + rel_offset:03d}"
    if u == "century":
        return f"{p.year // 100 + rel_offset:02d}"
    return f"{p.year + rel_offset:04d}"


_REL_OFFSETS = {"last": -1, "the last": -1, "the past": -1, "this past": -1, "the previous": -1, "the prior": -1,
                "next": 1, "the next": 1, "the coming": 1, "this coming": 1, "the following": 1}


def _norm_rel_unit(g: dict[str, str | None], p: dt.date | None, ctx: _Ctx) -> _Norm:
    rel = _words(g["rel"] or "")
    unit = _words(g["unit"] or "")
    mod = _mod_of(g.get("mod"))
    if _words(g.get("mod") or "") == "later" and rel.startswith("this"):
        mod = "END"
    offset = _REL_OFFSETS.get(rel, 0)
    if rel == "the" and g.get("mod") and p is not None:
        rel = "this"  # "earlier in the year", "later in the day": the current one, like "earlier this year"
    anchor = ctx.last_date
    pod = _pod_code(unit)
    if pod is not None:  # "the next morning", "that night": a part of the day the story is at
        if p is None:
            return _Norm("TIME", f"XXXX-XX-XXT{pod}", mod)
        shift = {"the next": 1, "the following": 1, "the previous": -1}.get(rel)
        if shift is not None or rel in ("that", "the same"):
            day = (anchor or p) + dt.timedelta(days=shift or 0)
        else:
            day = p + dt.timedelta(days=offset)
        return _Norm("TIME", f"{day.isoformat()}T{pod}", mod, True)
    narrative = ("that", "the same", "the following", "the previous") + (("the next",) if unit == "day" else ())
    if anchor is not None and rel in narrative and unit in ("day", "month", "year"):
        shift = {"the following": 1, "the next": 1, "the previous": -1}.get(rel, 0)
        return _Norm("DATE", _unit_value(unit, shift, anchor), mod, True)
    if rel in ("that", "the same", "the") or p is None:
        placeholder = {"week": "XXXX-WXX", "weekend": "XXXX-WXX-WE", "day": "XXXX-XX-XX", "month": "XXXX-XX",
                       "decade": "XXX", "century": "XX"}.get(unit.replace("fiscal ", ""), "XXXX")
        if p is None and rel.split()[-1] in ("last", "past", "previous", "prior"):
            return _Norm("DATE", "PAST_REF" if unit not in ("day",) else placeholder, mod)
        if p is None and rel.split()[-1] in ("next", "coming", "following"):
            return _Norm("DATE", "FUTURE_REF" if unit not in ("day",) else placeholder, mod)
        return _Norm("DATE", placeholder, mod)
    return _Norm("DATE", _unit_value(unit, offset, p), mod, True)


def _norm_boundary(g: dict[str, str | None], p: dt.date | None, ctx: _Ctx) -> _Norm:
    words = _words(g["mod"] or "")
    mod = "APPROX" if words == "around" else "BEFORE" if words == "by" else _mod_of(words)
    rel = _words(g["rel"] or "")
    unit = _words(g["unit"] or "")
    if p is None:
        return _Norm("DATE", {"week": "XXXX-WXX", "month": "XXXX-XX"}.get(unit, "XXXX"), mod)
    return _Norm("DATE", _unit_value(unit, _REL_OFFSETS.get(rel, 0), p), mod, True)


def _norm_year_end(g: dict[str, str | None], p: dt.date | None, ctx: _Ctx) -> _Norm:
    if p is None:
        return _Norm("DATE", "XXXX", "END")
    offset = {"last": -1, "next": 1}.get(_words(g.get("rel") or ""), 0)
    return _Norm("DATE", f"{p.year + offset:04d}", "END", True)


def _norm_ago(g: dict[str, str | None], p: dt.date | None, ctx: _Ctx) -> _Norm:
    num = _number(g["num"] or "")
    unit = _words(g["unit"] or "")
    code, mult = _unit_code(unit)
    direction = _words(g["dir"] or "")
    sign = 1 if direction in ("later", "from now", "hence") else -1
    mod = _mod_of(g.get("mod"))
    if num is None:
        return _Norm("DATE", "FUTURE_REF" if sign > 0 else "PAST_REF", mod)
    if p is None:
        return _Norm("DATE", "FUTURE_REF" if sign > 0 else "PAST_REF", mod)
    n = num * mult * sign
    if code == "Y" and abs(n) == 1 and ctx.fiscal and sign < 0:
        year, q = _latest_quarter(p)
        return _Norm("DATE", f"{year - 1}-Q{q}", mod, True)
    if code == "Y":
        if mult >= 10:
            return _Norm("DATE", f"{p.year + int(n):04d}", mod, True)
        return _Norm("DATE", f"{p.year + int(round(n)):04d}", mod, True)
    if code == "M":
        y, m = _add_months(p.year, p.month, int(round(n)))
        return _Norm("DATE", f"{y:04d}-{m:02d}", mod, True)
    if code == "Q":
        y, m = _add_months(p.year, p.month, int(round(3 * n)))
        return _Norm("DATE", f"{y:04d}-{m:02d}", mod, True)
    if code == "W":
        day = p + dt.timedelta(weeks=n)
        return _Norm("DATE", day.isoformat() if abs(n) <= 2 else _week_value(day), mod, True)
    if code == "D":
        return _Norm("DATE", (p + dt.timedelta(days=n)).isoformat(), mod, True)
    return _Norm("DATE", p.isoformat(), mod, True)


def _norm_duration(g: dict[str, str | None], p: dt.date | None, ctx: _Ctx) -> _Norm:
    lex = _lexicon().data
    num_text = _words(g.get("num") or "")
    unit = _words(g["unit"] or "")
    plural = unit in lex["unit_plurals"]
    num = _number(num_text) if num_text else (None if plural else 1.0)
    if num is not None and g.get("half") and "and a half" not in num_text:
        num += 0.5
    if g.get("range") and " to " in _words(g["range"] or ""):
        num = None  # "12 to 18 months": no single length
    mod = _mod_of(g.get("mod"))
    if num_text in lex["approx_numbers"] or g.get("orso"):
        mod = mod or "APPROX"
    rel = _words(g.get("rel") or "")
    if not num_text and rel == "recent" and unit == "years":
        return _Norm("DATE", "PAST_REF", mod)
    if rel in ("coming", "the coming") and not num_text and unit in ("months", "years", "quarters"):
        return _Norm("DATE", "FUTURE_REF", mod)
    return _Norm("DURATION", duration_value(num, unit), mod)


def _norm_duration_adj(g: dict[str, str | None], p: dt.date | None, ctx: _Ctx) -> _Norm:
    num_text = _words(g["num"] or "")
    num = None if num_text in ("several", "multi") else _number(num_text)
    return _Norm("DURATION", duration_value(num, g["unit"] or ""))


def _norm_duration_bare(g: dict[str, str | None], p: dt.date | None, ctx: _Ctx) -> _Norm:
    return _Norm("DURATION", duration_value(None, g["unit"] or ""))


def _norm_set(g: dict[str, str | None], p: dt.date | None, ctx: _Ctx) -> _Norm:
    lex = _lexicon().data
    if g.get("dow"):
        dow = lex["weekdays"][_words(g["dow"] or "").rstrip("s") if not (g["dow"] or "").lower().endswith("days") else _words(g["dow"] or "")[:-1]]
        pod = _pod_code(g.get("pod"))
        return _Norm("SET", f"XXXX-WXX-{dow}" + (f"T{pod}" if pod else ""))
    if g.get("month"):
        return _Norm("SET", f"XXXX-{_month_num(g['month'] or ''):02d}")
    unit = _words(g["unit"] or "")
    if unit == "season":
        return _Norm("SET", "P1S")
    other = "other" in _words(" ".join(v for v in g.values() if v))
    return _Norm("SET", duration_value(2.0 if other else 1.0, unit))


def _norm_set_adv(g: dict[str, str | None], p: dt.date | None, ctx: _Ctx) -> _Norm:
    return _Norm("SET", _lexicon().data["set_adverbs"][_words(g["adv"] or "")])


def _norm_ref(g: dict[str, str | None], p: dt.date | None, ctx: _Ctx) -> _Norm:
    typ, value = _lexicon().refs[_words(g["ref"] or "")]
    return _Norm(typ, value)


def _norm_ref_recent(g: dict[str, str | None], p: dt.date | None, ctx: _Ctx) -> _Norm:
    rel = _words(g["rel"] or "")
    return _Norm("DATE", "PAST_REF" if rel == "recent" else "FUTURE_REF")


def _norm_year_adj(g: dict[str, str | None], p: dt.date | None, ctx: _Ctx) -> _Norm:
    if p is None:
        return _Norm("DATE", "XXXX-QX")
    year, q = _latest_quarter(p)
    return _Norm("DATE", f"{year - 1}-Q{q}", None, True)


def _norm_weekend(g: dict[str, str | None], p: dt.date | None, ctx: _Ctx) -> _Norm:
    rel = _words(g.get("rel") or "")
    if p is None:
        return _Norm("DATE", "XXXX-WXX-WE")
    offset = _REL_OFFSETS.get(rel, 0)
    if rel == "the" and ctx.tense == "PAST" and p.isoweekday() < 6:
        offset = -1
    return _Norm("DATE", _unit_value("weekend", offset, p), None, True)


def _norm_week_of(g: dict[str, str | None], p: dt.date | None, ctx: _Ctx) -> _Norm:
    day = _norm_date_abs({"month": g["month"], "day": g["day"], "year": g.get("year")}, p, ctx)
    first, _ = interval(day.value)
    if first is None:
        return _Norm("DATE", "XXXX-WXX")
    return _Norm("DATE", _week_value(first), None, day.anchored)


def _holiday_date(code: str, year: int) -> dt.date:
    """Date of a holiday in a year; movable feasts via dateutil (a dateparser dependency)."""
    from dateutil.easter import easter
    from dateutil.relativedelta import MO, TH, relativedelta

    if code == "EASTER":
        return easter(year)
    if code == "GOODFRIDAY":
        return easter(year) - dt.timedelta(days=2)
    if code == "THANKSGIVING":
        return dt.date(year, 11, 1) + relativedelta(weekday=TH(4))
    if code == "ELECTION":
        return dt.date(year, 11, 1) + relativedelta(weekday=MO(1)) + dt.timedelta(days=1)
    if code == "MEMORIAL":
        return dt.date(year, 5, 31) + relativedelta(weekday=MO(-1))
    if code == "LABOR":
        return dt.date(year, 9, 1) + relativedelta(weekday=MO(1))
    month, day = code.split("-")
    return dt.date(year, int(month), int(day))


def _norm_holiday(g: dict[str, str | None], p: dt.date | None, ctx: _Ctx) -> _Norm:
    code: str = _lexicon().data["holidays"][_words(g["holiday"] or "").replace("’", "'")]
    if g.get("year"):
        return _Norm("DATE", _holiday_date(code, int(g["year"] or 0)).isoformat())
    if p is None:
        return _Norm("DATE", f"XXXX-{code}" if "-" in code else "XXXX-XX-XX")
    rel = _words(g.get("rel") or "")
    this_year = _holiday_date(code, p.year)
    if rel == "last" or (not rel and ctx.tense == "PAST" and this_year > p + dt.timedelta(days=31 * PAST_MONTH_SLACK)):
        year = p.year - 1 if this_year >= p else p.year
    elif rel == "next" or (ctx.tense == "FUTURE" and this_year < p):
        year = p.year + 1 if this_year <= p else p.year
    else:
        year = p.year
    return _Norm("DATE", _holiday_date(code, year).isoformat(), None, True)


def _norm_year_this(g: dict[str, str | None], p: dt.date | None, ctx: _Ctx) -> _Norm:
    """"for the year", "the first nine months of the year": the year the report is in."""
    if p is None:
        return _Norm("DATE", "XXXX")
    return _Norm("DATE", f"{p.year:04d}", None, True)


def _norm_duration_long(g: dict[str, str | None], p: dt.date | None, ctx: _Ctx) -> _Norm:
    """"yearlong", "day-long" (one unit), "decades-long" (an unknown number of them)."""
    unit = _words(g["unit"] or "")
    return _Norm("DURATION", duration_value(None if unit in _lexicon().data["unit_plurals"] else 1.0, unit))


def _norm_fiscal_year(g: dict[str, str | None], p: dt.date | None, ctx: _Ctx) -> _Norm:
    return _Norm("DURATION", "P1Y")


_Normalizer = Callable[[dict[str, str | None], dt.date | None, _Ctx], _Norm]
_NORMALIZERS: dict[str, _Normalizer] = {
    "iso": _norm_iso,
    "numeric_date": _norm_numeric_date,
    "time": _norm_time,
    "date_abs": _norm_date_abs,
    "date_rel_dow": _norm_rel_dow,
    "deictic": _norm_deictic,
    "tonight": _norm_tonight,
    "year": _norm_year,
    "spoken_year": _norm_spoken_year,
    "season": _norm_season,
    "decade": _norm_decade,
    "century": _norm_century,
    "century_this": _norm_century_this,
    "century_turn": _norm_century_turn,
    "year_range": _norm_year_range,
    "quarter": _norm_quarter,
    "quarter_rel": _norm_quarter_rel,
    "period_rel": _norm_period_rel,
    "half": _norm_half,
    "boundary": _norm_boundary,
    "year_end": _norm_year_end,
    "ago": _norm_ago,
    "rel_unit": _norm_rel_unit,
    "duration": _norm_duration,
    "duration_adj": _norm_duration_adj,
    "duration_bare": _norm_duration_bare,
    "set": _norm_set,
    "set_adv": _norm_set_adv,
    "ref": _norm_ref,
    "ref_recent": _norm_ref_recent,
    "current_adj": _norm_ref,
    "year_adj": _norm_year_adj,
    "weekend": _norm_weekend,
    "holiday": _norm_holiday,
    "fiscal_year": _norm_fiscal_year,
    "year_this": _norm_year_this,
    "duration_long": _norm_duration_long,
    "week_of": _norm_week_of,
}


# ---------------------------------------------------------------------------------------------- intervals


def interval(value: str) -> tuple[dt.date | None, dt.date | None]:
    """First and last day covered by a TIMEX3 DATE/TIME value (None, None when it is not a calendar interval)."""
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:T.*)?", value)
    if m:
        day = dt.date(int(m[1]), int(m[2]), int(m[3]))
        return day, day
    m = re.fullmatch(r"(\d{4})-(\d{2})", value)
    if m:
        y, mo = int(m[1]), int(m[2])
        return dt.date(y, mo, 1), dt.date(y, mo, calendar.monthrange(y, mo)[1])
    m = re.fullmatch(r"(\d{4})-W(\d{2})(-WE)?", value)
    if m:
        monday = dt.date.fromisocalendar(int(m[1]), int(m[2]), 1)
        if m[3]:
            return monday + dt.timedelta(days=5), monday + dt.timedelta(days=6)
        return monday, monday + dt.timedelta(days=6)
    m = re.fullmatch(r"(\d{4})-Q([1-4])", value)
    if m:
        y, q = int(m[1]), int(m[2])
        end_month = 3 * q
        return dt.date(y, end_month - 2, 1), dt.date(y, end_month, calendar.monthrange(y, end_month)[1])
    m = re.fullmatch(r"(\d{4})-H([12])", value)
    if m:
        y = int(m[1])
        return (dt.date(y, 1, 1), dt.date(y, 6, 30)) if m[2] == "1" else (dt.date(y, 7, 1), dt.date(y, 12, 31))
    m = re.fullmatch(r"(\d{4})-(SP|SU|FA|WI)", value)
    if m:
        y = int(m[1])
        spans = {"SP": ((y, 3, 1), (y, 5, 31)), "SU": ((y, 6, 1), (y, 8, 31)), "FA": ((y, 9, 1), (y, 11, 30)),
                 "WI": ((y, 12, 1), (y + 1, 2, 28 + calendar.isleap(y + 1)))}[m[2]]
        return dt.date(*spans[0]), dt.date(*spans[1])
    m = re.fullmatch(r"(\d{2,4})", value)
    if m:
        digits = m[1]
        scale = 10 ** (4 - len(digits))
        first = int(digits) * scale
        if first < 1:
            return None, None
        return dt.date(first, 1, 1), dt.date(first + scale - 1, 12, 31)
    return None, None


# ---------------------------------------------------------------------------------------------- recognition


@dataclass(frozen=True, slots=True)
class _Candidate:
    start: int
    end: int
    kind: str
    groups: dict[str, str | None]
    priority: int


#: kinds whose words are capitalized anyway (months, weekdays, holidays), so capitals do not make them a title
_NAMED_KINDS = frozenset({"date_abs", "date_rel_dow", "holiday", "set", "week_of", "iso", "numeric_date", "quarter"})


def _quoted_title(seg: str, kind: str, before: str) -> bool:
    """A title in quotes is a name, not a time: ABC's "This Week", CBS's ''60 Minutes''. A quote right before the
    span and a capitalized word after its first one ("Week", "Minutes") mark a title; quoted speech is in sentence case."""
    if kind in _NAMED_KINDS or not _OPEN_QUOTE_RE.search(before) or seg.isupper():
        return False
    lex = _lexicon().data
    names = (w.lower().rstrip(".,'’s") for w in seg.split()[1:] if w[:1].isupper())
    return any(n not in lex["months"] and n not in lex["weekdays"] for n in names)


def _reject(text: str, cand: _Candidate, after: str, before: str) -> bool:
    """Readings TimeML does not tag: ages ("five-year-old"), rates ("$5 a year"), "may"/"march" as words."""
    lex = _lexicon().data
    month = _words(cand.groups.get("month") or "").rstrip(".")
    if month in lex["ambiguous_months"] and cand.kind == "date_abs":
        bare = not (cand.groups.get("day") or cand.groups.get("year") or cand.groups.get("mod") or cand.groups.get("rel"))
        prev = _words(before).split()[-1:]
        if bare and (not prev or prev[0] not in lex["month_cue_words"]):
            return True
    if cand.kind in ("duration", "duration_adj") and _AGE_RE.match(after):
        return True
    if _quoted_title(text[cand.start : cand.end], cand.kind, before):
        return True
    if cand.kind == "time" and _words(cand.groups.get("named") or "") == "noon" and _HIGH_BEFORE_RE.search(before):
        return True  # the idiom "high noon", not twelve o'clock
    if cand.kind == "duration" and _words(cand.groups.get("unit") or "") == "second" and not cand.groups.get("rel"):
        # "a second group", "a second betrayal": the ordinal, not a second of time
        nxt = _NEXT_WORD_RE.match(after)
        if nxt and nxt.group(1).lower() not in lex["duration_followers"]:
            return True
    if cand.kind == "duration" and _words(cand.groups.get("num") or "") in ("a", "an") and not cand.groups.get("rel"):
        if not cand.groups.get("mod") and _RATE_BEFORE_RE.search(before):
            return True
    return False


def _scan(text: str) -> list[_Candidate]:
    cands: list[_Candidate] = []
    lower = text.lower().translate(_CASELESS_ASCII)  # what IGNORECASE also matches as "i"/"s"
    has_digit = _DIGIT_RE.search(text) is not None
    for prio, rule in enumerate(_lexicon().rules):
        if rule.needs_digit and not has_digit:
            continue
        if rule.needs and not any(w in lower for w in rule.needs):
            continue  # no match can exist without one of these words
        for m in rule.regex.finditer(text):
            if m.end() > m.start():
                cands.append(_Candidate(m.start(), m.end(), rule.kind, m.groupdict(), prio))
    return cands


def _select(cands: list[_Candidate]) -> list[_Candidate]:
    """Greedy longest-first, non-overlapping selection."""
    chosen: list[_Candidate] = []
    taken: list[tuple[int, int]] = []
    for c in sorted(cands, key=lambda c: (-(c.end - c.start), c.priority, c.start)):
        if any(c.start < e and s < c.end for s, e in taken):
            continue
        chosen.append(c)
        taken.append((c.start, c.end))
    return sorted(chosen, key=lambda c: c.start)


_LEAD_RE = re.compile(r"^(?:about|over|within|just|some|from|between|since|until|by|in|on|at|for|during|through|and|to)\s+", re.I)


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim spaCy entity extents to TimeML conventions (no leading prepositions/"about", no trailing 's)."""
    while True:
        m = _LEAD_RE.match(text[start:end])
        if not m:
            break
        start += m.end()
    seg = text[start:end]
    for suffix in ("'s", "’s", ".", ","):
        if seg.endswith(suffix) and not re.search(r"\b[ap]\.m\.$", seg, re.I):
            end -= len(suffix)
            seg = text[start:end]
    return start, end


def _normalize_candidate(cand: _Candidate, published: dt.date | None, ctx: _Ctx) -> _Norm | None:
    try:
        return _NORMALIZERS[cand.kind](cand.groups, published, ctx)
    except (KeyError, ValueError, TypeError, AttributeError):
        return None


@functools.lru_cache(maxsize=4096)
def _dateparser_date(text: str) -> dt.datetime | None:
    """Absolute dates the grammar did not cover (cached: dateparser is slow)."""
    import dateparser

    return dateparser.parse(text, languages=["en"], settings=DATEPARSER_SETTINGS)


def _make(text: str, start: int, end: int, norm: _Norm) -> Timex:
    first, last = interval(norm.value) if norm.type in ("DATE", "TIME") else (None, None)
    return Timex(start, end, text[start:end], norm.type, norm.value, norm.mod, first, last, norm.anchored)


def _context_reject(doc: Doc, cand: _Candidate, text: str) -> bool:
    """Parse-based vetoes: verbs that look like seasons ("prices fall"), discourse "Now,", rates ("$5 a year")."""
    span = doc.char_span(cand.start, cand.end, alignment_mode="expand")
    if span is None:
        return False
    first = span[0]
    before = doc[first.i - 1] if first.i > 0 else None
    lower = text[cand.start : cand.end].lower()
    if cand.kind == "season" and not cand.groups.get("rel") and not cand.groups.get("year"):
        if any(t.lower_ in ("fall", "spring") and t.pos_ not in ("NOUN", "PROPN") for t in span):
            return True
    if cand.kind == "ref" and lower == "now" and first.is_sent_start and text[cand.start].isupper():
        # discourse "Now," / "Now for ..." opens a new topic; "Now officials are ..." is the present
        if _DISCOURSE_NOW_RE.match(text, cand.end):
            return True
    if cand.kind == "set_adv":
        if lower in _lexicon().data["recognition_skip"]:
            return True
        if first.pos_ in ("NOUN", "PROPN") or (before is not None and before.lower_ == "average"):
            return True
    if cand.kind == "duration" and _words(cand.groups.get("num") or "") in ("a", "an") and not cand.groups.get("rel"):
        if before is not None and before.tag_ in ("NN", "NNS", "CD", "$") and not cand.groups.get("mod"):
            return True
    if cand.kind == "year":
        # spaCy often calls a whole "2004/05" token a CARDINAL: the range pattern itself is the evidence there
        if not cand.groups.get("range") and any(t.ent_type_ in NON_DATE_LABELS for t in span):
            return True
        if not any(t.ent_type_ in ("DATE", "TIME", "EVENT") for t in span) and _COUNT_AFTER_RE.match(text[cand.end : cand.end + 14]):
            return True
    return False


def _trim(text: str, cand: _Candidate) -> _Candidate:
    """TimeML leaves possessive/indefinite determiners outside: "its [fourth quarter]", "a [third-quarter] loss"."""
    seg = text[cand.start : cand.end]
    m = _TRIM_DET_RE.match(seg)
    if m is None:
        return cand
    det = m.group(1).lower()
    adjectival = cand.kind == "duration_adj" or (cand.kind == "quarter" and "-quarter" in seg.lower())
    if adjectival or (cand.kind == "quarter" and det != "the"):
        return _Candidate(cand.start + m.end(), cand.end, cand.kind, cand.groups, cand.priority)
    return cand


def _forward_cue(text: str, start: int) -> bool:
    """A word right before the date that puts it ahead whatever the tense: "payable Jan. 2", "effective Feb. 1"."""
    prev = _PREV_WORD_RE.search(text, max(0, start - 20), start)
    return prev is not None and prev.group(1).lower() in _lexicon().data["forward_cues"]


def _before(norm: _Norm, published: dt.date) -> _Norm:
    """A yearless date that must lie in the past ("since May" said in March) moves back a year when it is ahead."""
    first, _ = interval(norm.value)
    if first is None or first <= published or not norm.value[:4].isdigit():
        return norm
    return _Norm(norm.type, f"{int(norm.value[:4]) - 1:04d}{norm.value[4:]}", norm.mod, norm.anchored)


def _since_cue(text: str, start: int) -> bool:
    prev = _PREV_WORD_RE.search(text, max(0, start - 20), start)
    return prev is not None and prev.group(1).lower() == "since"


def _deadline_cue(text: str, start: int, span: Span) -> bool:
    """A deadline lies ahead of the report even in a past-tense clause: "gave the relatives until 9 a.m. Tuesday",
    "extended its deadline until Friday" (but "stayed until Friday" stays in the past)."""
    prev = _PREV_WORD_RE.search(text, max(0, start - 20), start)
    if prev is None or prev.group(1).lower() not in ("until", "till"):
        return False
    verb = _governing_verb(span.root)
    if verb is not None and verb.lemma_.lower() in _lexicon().data["deadline_verbs"]:
        # "has until Friday to respond" looks ahead; "voters had until Tuesday to return ballots" is over
        return verb.lemma_.lower() != "have" or not _explicit_past(verb)
    return any(t.lower_ == "deadline" for t in span.sent)


def _indefinite_day(span: Span, norm: _Norm) -> _Norm:
    """"one day"/"some day" as an adverb of the clause is an indefinite time, not a length of one day:
    "Islam will one day be ...", "he hopes he one day follows ..." (FUTURE_REF); "one day walked in" (PAST_REF)."""
    if _words(span.text) not in ("one day", "some day") or span.end >= len(span.doc):
        return norm
    before = span.doc[span.start - 1] if span.start > 0 else None
    after = span.doc[span.end]
    if after.tag_ == "VBD":
        return _Norm("DATE", "PAST_REF")
    if after.tag_ in ("VB", "VBP", "VBZ") or (before is not None and before.tag_ == "MD"):
        return _Norm("DATE", "FUTURE_REF")
    return norm


def _split_ranges(cands: list[_Candidate]) -> Iterable[_Candidate]:
    """TimeML marks the two ends of a range apart: "1990-91" is <TIMEX3 value="1990">1990</TIMEX3>-<TIMEX3
    value="1991">91</TIMEX3>, like "from 1990 to 1991"."""
    for cand in cands:
        if cand.kind != "year_range":
            yield cand
            continue
        g = cand.groups
        end_year = _range_end_year(g)
        if end_year is None:
            continue
        first_end = cand.end - len(g["year2"] or "") - len(g["dash"] or "")
        yield _Candidate(cand.start, first_end, "year", {"year": g["year"], "fiscal": g.get("fiscal"), "range": "1"}, cand.priority)
        yield _Candidate(first_end + len(g["dash"] or ""), cand.end, "year", {"year": str(end_year), "range": "1"}, cand.priority)


#: Sentences longer than this (text without full stops) give a window of context around a
#: timex, not the whole sentence, and no tense: reading the sentence for every timex in it made
#: one 1 MB article quadratic. Real sentences are far shorter (the longest in BBC: 1,512).
MAX_CONTEXT_CHARS = 2_000
_WINDOW = 200


class _SentenceContext:
    """The sentence around a character offset, found by bisection over sentence starts computed once
    per article (spaCy's `span.sent` walks back token by token, for every timex)."""

    def __init__(self, doc: Doc, text: str) -> None:
        self._text = text
        try:
            sents = list(doc.sents)
        except ValueError:  # no sentence boundaries (a blank pipeline)
            sents = []
        self._starts = [s.start_char for s in sents]
        self._ends = [s.end_char for s in sents]

    def around(self, start: int, end: int) -> tuple[str, bool]:
        """(the sentence holding start..end, or a window of it when the sentence is too long; whether it is whole)."""
        i = bisect.bisect_right(self._starts, start) - 1
        if i < 0:
            return "", True
        s0, s1 = self._starts[i], self._ends[i]
        if s1 - s0 <= MAX_CONTEXT_CHARS:
            return self._text[s0:s1], True
        return self._text[max(s0, start - _WINDOW) : min(s1, end + _WINDOW)], False


def find_timexes(doc: Doc, *, published: dt.date | None, text: str | None = None) -> list[Timex]:
    """Temporal expressions in a parsed doc, normalized to TIMEX3 and anchored on the publication date.

    ``text`` is the text the Doc was parsed from, when the caller has it (``doc.text`` rebuilds it
    from the tokens, a few milliseconds per article).
    """
    if text is None:
        text = doc.text
    chosen: list[_Candidate] = []
    for cand in _split_ranges(_select(_scan(text))):
        if _reject(text, cand, text[cand.end : cand.end + 12], text[max(0, cand.start - 30) : cand.start]):
            continue
        if _context_reject(doc, cand, text):
            continue
        chosen.append(_trim(text, cand))
    out: list[Timex] = []
    last_date: dt.date | None = None
    last_day: dt.date | None = None
    context = _SentenceContext(doc, text)
    for cand in chosen:
        span = doc.char_span(cand.start, cand.end, alignment_mode="expand")
        sent, usual = context.around(cand.start, cand.end)
        if not usual:  # a "sentence" of thousands of characters: its tree says nothing reliable
            span = None
        tense, marked_past = _tense_of_span(span) if span is not None else ("PAST", False)
        since = _since_cue(text, cand.start)
        if since:  # "since October": the start of a period that reaches the present
            tense, marked_past = "PAST", True
        elif _forward_cue(text, cand.start) or (span is not None and tense != "FUTURE" and _deadline_cue(text, cand.start, span)):
            tense, marked_past = "FUTURE", False
        ctx = _Ctx(tense, bool(_FISCAL_CONTEXT_RE.search(sent)), last_date, marked_past, last_day)
        norm = _normalize_candidate(cand, published, ctx)
        if norm is None:
            continue
        if cand.kind == "duration" and span is not None:
            norm = _indefinite_day(span, norm)
        explicit_year = cand.groups.get("rel") or cand.groups.get("year")  # "since June this year" stays put
        if since and norm.anchored and not explicit_year and cand.kind in ("date_abs", "season", "holiday") and published:
            norm = _before(norm, published)
        timex = _make(text, cand.start, cand.end, norm)
        out.append(timex)
        if timex.type == "DATE" and timex.start_date and timex.value[:4].isdigit() and len(timex.value) >= 4:
            last_date = timex.start_date
        if timex.type in ("DATE", "TIME") and _DAY_VALUE_RE.match(timex.value):
            last_day = timex.start_date
    taken = [(t.start_char, t.end_char) for t in out]
    for ent in doc.ents:
        if ent.label_ not in SPACY_FALLBACK_LABELS:
            continue
        start, end = _strip_span(text, ent.start_char, ent.end_char)
        if end <= start or any(start < e and s < end for s, e in taken):
            continue
        if _AGE_RE.match(text[end : end + 12]) or _AGE_IN_RE.search(text[start:end]):
            continue
        if _ZONE_AFTER_RE.match(text, end):  # "(1930 GMT)": a clock time, not the year 1930
            continue
        if _FALLBACK_VETO_RE.search(text[start:end]) or _quoted_title(text[start:end], "", text[max(0, start - 4) : start]):
            continue
        ttype, value, mod = normalize(text[start:end], published=published, context=context.around(start, end)[0])
        if value == "" or value.startswith("0") or (ttype == "TIME" and not _FALLBACK_TIME_RE.search(text[start:end])):
            continue
        norm = _Norm(ttype, value, mod, published is not None and value[:1].isdigit())
        out.append(_make(text, start, end, norm))
        taken.append((start, end))
    return sorted(out, key=lambda t: t.start_char)


def _norm_time_fallback(lower: str, published: dt.date | None) -> _Norm:
    """A TIME the grammar did not parse: the published day, with its part of day when one is named."""
    day = "XXXX-XX-XX" if published is None else published.isoformat()
    pod = _POD_RE.search(lower)
    if pod is None or _DIGITS_RE.search(lower):
        return _Norm("TIME", "XXXX-XX-XXTXX:XX" if published is None else day, None, published is not None)
    return _Norm("TIME", f"{day}T{_pod_code(pod['pod'])}", _mod_of(pod["mod"]), published is not None)


def normalize(text: str, *, published: dt.date | None, context: str | None = None) -> tuple[str, str, str | None]:
    """(type, value, mod) for one temporal expression's text (used by tests and by other stages)."""
    norm = _normalize_text(text.strip(), published, _ctx_from_text(context))
    return norm.type, norm.value, norm.mod


@functools.lru_cache(maxsize=8192)
def _normalize_text(text: str, published: dt.date | None, ctx: _Ctx) -> _Norm:
    lex = _lexicon()
    body = text
    for rule in lex.rules:
        full = rule.regex.fullmatch(body)
        if full:
            norm = _normalize_candidate(_Candidate(0, len(body), rule.kind, full.groupdict(), 0), published, ctx)
            if norm is not None:
                return norm
    m = lex.mod_prefix.match(body)
    if m and m.group(1).lower() not in ("early", "late", "mid", "mid-"):
        mod: str = lex.data["mods"][_words(m.group(1))]
        inner = _normalize_text(body[m.end() :], published, ctx)
        if inner.value:
            return _Norm(inner.type, inner.value, inner.mod or mod, inner.anchored)
    stripped = _DETERMINER_RE.sub("", body)
    if stripped != body:
        inner = _normalize_text(stripped, published, ctx)
        if inner.value:
            return inner
    parsed = _dateparser_date(body) if _YEAR_IN_TEXT_RE.search(body) else None
    if parsed is not None:
        has_day = bool(_DAY_IN_TEXT_RE.search(body))
        return _Norm("DATE", parsed.date().isoformat() if has_day else f"{parsed.year:04d}-{parsed.month:02d}")
    lower = body.lower()
    if _TIME_WORD_RE.search(lower):
        return _norm_time_fallback(lower, published)
    unit = _UNIT_WORD_RE.search(lower)
    if unit:
        return _Norm("DURATION", duration_value(None, unit.group(1)))
    return _Norm("DATE", "")
