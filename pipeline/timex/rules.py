"""The timex rule grammar: the word lists and patterns in models/timex compiled once, and the text-level
scan that finds candidate spans (longest first, without overlaps) and drops readings TimeML does not tag."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from typing import Any
from dataclasses import dataclass
from pathlib import Path

MODEL_DIR = Path(__file__).resolve().parents[2] / "models" / "timex"


@dataclass(frozen=True, slots=True)
class _Rule:
    kind: str
    regex: re.Pattern[str]
    #: lowercase words one of which every match contains (a cheap test that lets _scan skip the regex);
    #: empty when the rule always runs. needs_digit: every match contains a digit.
    needs: tuple[str, ...] = ()
    needs_digit: bool = False


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
        # at once (a faster scan, docs/performance.md), with the same matches on the BBC, ECB+ and
        # TimeML dev texts.
        regex = re.compile(r"\b(?=\w)(?:" + pattern + ")", re.I)
        rules.append(_Rule(spec["kind"], regex, tuple(needs), "{DIGIT}" in spec.get("needs", [])))
    refs = {k: (v[0], v[1]) for k, v in data["refs"].items()}
    mod_prefix = re.compile(r"^(" + _alt(data["mods"]) + r")\s+(?=\S)", re.I)
    return _Lexicon(
        data, tuple(rules), refs, frozenset(data["tagged_refs"]), frozenset(data["inside_mods"]), mod_prefix
    )


_WS_RE = re.compile(r"\s+")

_AGE_RE = re.compile(r"^(?:-|\s)*(?:years?|months?|weeks?|days?)?(?:-|\s)*old\b", re.I)
_TRIM_DET_RE = re.compile(r"^(the|a|an|its|his|her|their|that)\s+", re.I)
_RATE_BEFORE_RE = re.compile(r"(?:\d|percent|%|times|cents?|dollars?)\s*$", re.I)

_DIGIT_RE = re.compile(r"\d")
#: non-ASCII letters that re.IGNORECASE matches to an ASCII one and str.lower() leaves alone (dotless i, long s)
_CASELESS_ASCII = {0x131: "i", 0x17F: "s"}

_NEXT_WORD_RE = re.compile(r"\s+([A-Za-z]+)")

_OPEN_QUOTE_RE = re.compile(r"(?:\"|“|``|''|‘)$")
_HIGH_BEFORE_RE = re.compile(r"\bhigh\s+$", re.I)


def _words(text: str) -> str:
    return _WS_RE.sub(" ", text.strip().lower())


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
