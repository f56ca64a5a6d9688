"""Numbers with units and approximation, read from spaCy number entities (shared by claims and conflicts)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Span

from .spans import ents_in

_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
    "half": 0.5,
}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
           "trillion": 1_000_000_000_000, "dozen": 12, "k": 1_000, "m": 1_000_000, "mn": 1_000_000, "bn": 1_000_000_000}
_UNITS = {
    "km": "km", "kilometer": "km", "kilometre": "km", "mile": "mile", "meter": "m", "metre": "m",
    "foot": "foot", "feet": "foot", "kg": "kg", "kilogram": "kg", "ton": "tonne", "tonne": "tonne",
    "percent": "percent", "%": "percent", "per cent": "percent", "hour": "hour", "minute": "minute",
    "second": "second", "day": "day", "week": "week", "month": "month", "year": "year",
    "$": "USD", "dollar": "USD", "usd": "USD", "£": "GBP", "pound": "GBP", "€": "EUR", "euro": "EUR",
}
_MODS = [
    (re.compile(r"\b(?:more than|over|above|at least|upwards of|in excess of|exceeding)\s*$", re.I), "MORE_THAN"),
    (re.compile(r"\b(?:less than|under|below|fewer than|at most|up to|no more than)\s*$", re.I), "LESS_THAN"),
    (re.compile(r"\b(?:about|around|approximately|roughly|nearly|almost|some|an estimated|close to|circa)\s*$", re.I), "APPROX"),
]
_NUMBER = re.compile(r"(?P<num>\d[\d,]*(?:\.\d+)?)[\s-]*(?P<scale>hundred|thousand|million|billion|trillion|bn|mn|m|k)?\b", re.I)
#: Determiners that make a number name a group rather than count it ("the two leaders").
NAMING_DETERMINERS = frozenset({"the", "these", "those", "both", "all"})
QUANTITY_LABELS = frozenset({"CARDINAL", "QUANTITY", "MONEY", "PERCENT"})


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number with its unit and approximation, as written and normalized."""

    text: str
    value: float
    unit: str | None
    mod: str | None  # MORE_THAN, LESS_THAN, APPROX or None (exact)
    start_char: int
    end_char: int


_RANGE_END = re.compile(r"\s*(?:and|to|or|-|–)\s*\d[\d,]*(?:\.\d+)?[\s-]*(?P<scale>hundred|thousand|million|billion|trillion|bn|mn)\b", re.I)


def parse_number(text: str) -> float | None:
    """The numeric value of `5,500`, `1.13bn`, `two`, `two million`, `a dozen`; None when not a number."""
    cleaned = text.lower().replace("$", "").replace("£", "").replace("€", "").replace("%", "").strip()
    match = _NUMBER.search(cleaned)
    if match:
        try:
            value = float(match.group("num").replace(",", ""))
        except ValueError:
            return None
        scale = match.group("scale")
        if not scale:  # "between $140 and $150 million": the range's scale is written once, at its end
            following = _RANGE_END.match(cleaned, match.end())
            scale = following.group("scale") if following else None
        return value * _SCALES[scale.lower()] if scale else value
    total, current, seen = 0.0, 0.0, False
    for word in re.split(r"[\s-]+", cleaned):
        if word in _WORDS:
            current += _WORDS[word]
            seen = True
        elif word in {"a", "an"} and not seen:
            continue
        elif word in _SCALES and (seen or word in {"dozen", "hundred", "thousand", "million", "billion"}):
            seen = True
            current = max(current, 1) * _SCALES[word]
            if _SCALES[word] >= 1000:
                total, current = total + current, 0.0
        elif word in {"and", "of"}:
            continue
        elif seen:
            break
    return total + current if seen else None


_RANGE = re.compile(
    r"(?P<lo>\d[\d,]*(?:\.\d+)?)\s*(?:to|-|–|and)\s*\$?(?P<hi>\d[\d,]*(?:\.\d+)?)[\s-]*(?P<scale>hundred|thousand|million|billion|trillion|bn|mn|m|k)?\b",
    re.I,
)


def range_of(text: str | None) -> tuple[float, float] | None:
    """Both ends of a range written as one quantity: `500 to 5,500 kilometers` → (500, 5500),
    `between $140 and $150 million` → (140e6, 150e6); None for a single number."""
    match = _RANGE.search((text or "").lower())
    if match is None:
        return None
    scale = _SCALES[match.group("scale")] if match.group("scale") else 1
    try:
        lo, hi = (float(match.group(k).replace(",", "")) * scale for k in ("lo", "hi"))
    except ValueError:
        return None
    return (lo, hi) if lo < hi else None


def unit_of(ent: Span) -> str | None:
    """Unit of a number entity: its own unit word, currency or %, or the noun it counts (`105 children` → child)."""
    text = ent.text.lower()
    if ent.label_ == "PERCENT" or "%" in text or "percent" in text:
        return "percent"
    if ent.label_ == "MONEY":
        before = ent.doc[ent.start - 1].text if ent.start > 0 else ""
        for sym, code in (("$", "USD"), ("£", "GBP"), ("€", "EUR")):
            if sym in text or sym in before:
                return code
        for tok in ent:
            if tok.lemma_.lower() in _UNITS:
                return _UNITS[tok.lemma_.lower()]
        return "money"
    for tok in reversed(list(ent)):
        if not tok.like_num and tok.lemma_.lower() in _UNITS:
            return _UNITS[tok.lemma_.lower()]
    head = ent.root.head
    if head.i >= ent.end and head.pos_ in {"NOUN", "PROPN"}:
        lemma = head.lemma_.lower()
        return _UNITS.get(lemma, lemma)
    return None


def mod_before(text_before: str) -> str | None:
    """TIMEX3-style modifier from the words just before a number."""
    for pattern, mod in _MODS:
        if pattern.search(text_before[-30:]):
            return mod
    return None


def mod_inside(text: str) -> str | None:
    """Modifier at the start of an entity that includes it (`more than 100`)."""
    words = text.split()
    for n in (3, 2, 1):
        if len(words) > n:
            mod = mod_before(" ".join(words[:n]))
            if mod:
                return mod
    return None


def quantities(span: Span) -> list[Quantity]:
    """Number entities in a span (not dates or ordinals), with value, unit and modifier."""
    out: list[Quantity] = []
    doc = span.doc
    for ent in ents_in(span):
        if ent.label_ not in QUANTITY_LABELS:
            continue
        value = parse_number(ent.text)
        if value is None:
            continue
        if ent.label_ == "CARDINAL" and ent.start > 0 and doc[ent.start - 1].lower_ in NAMING_DETERMINERS:
            continue  # "the two leaders" names people, it does not count them
        mod = mod_before(doc[max(0, ent.start - 5) : ent.start].text) or mod_inside(ent.text)
        out.append(Quantity(ent.text, value, unit_of(ent), mod, ent.start_char, ent.end_char))
    return out


_DURATION = re.compile(r"^P(?:(?P<date>[\d.]+)(?P<dunit>[YMWD])|T(?P<time>[\d.]+)(?P<tunit>[HMS]))$")
_SECONDS = {"Y": 365.25 * 86400, "M": 30.44 * 86400, "W": 7 * 86400, "D": 86400, "H": 3600, "TM": 60, "S": 1}


def duration_seconds(value: str) -> float | None:
    """Seconds in a TIMEX3 duration value (`PT2H` → 7200, `P5Y` → 157788000); None for vague ones (`PXY`)."""
    match = _DURATION.match(value)
    if not match:
        return None
    if match.group("date"):
        return float(match.group("date")) * _SECONDS[match.group("dunit")]
    unit = match.group("tunit")
    return float(match.group("time")) * _SECONDS["TM" if unit == "M" else unit]
