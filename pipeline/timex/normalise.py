"""TIMEX3 normalization: one normalizer per rule kind turns a matched span into (type, value, mod),
anchored on the publication date and read forward or back by the tense around it."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from .rules import _Candidate, _lexicon, _words
from .dates import (
    PAST_MONTH_SLACK, Tense, _add_months, _dow_date, _holiday_date, _latest_quarter, _number, _quarter_of, _quarter_year,
    _range_end_year, _unit_code, _unit_value, _week_value, _year_for_month, duration_value, interval,
)


DATEPARSER_SETTINGS = {"PREFER_DAY_OF_MONTH": "first", "REQUIRE_PARTS": ["year"], "STRICT_PARSING": False}


@dataclass(frozen=True, slots=True)
class _Ctx:
    """What the sentence around an expression tells its normalizer."""

    tense: Tense = "PAST"
    fiscal: bool = False  # the sentence talks about quarters: "a year ago" means the year-ago quarter
    last_date: dt.date | None = None  # the most recent explicit date in the text, anchor for "that year"
    marked_past: bool = False  # the past reading comes from past-tense morphology, not from the news default
    last_day: dt.date | None = None  # the most recent day-precise date or time, the day a bare clock time is on


@dataclass(frozen=True, slots=True)
class _Norm:
    """A normalization result before it is tied to a span."""

    type: str
    value: str
    mod: str | None = None
    anchored: bool = False


_DIGITS_RE = re.compile(r"\d+")
_FUTURE_CONTEXT_RE = re.compile(r"\b(?:will|'ll|shall|going\s+to|next|expect(?:s|ed)?\s+to|plans?\s+to|scheduled)\b", re.I)
_FISCAL_CONTEXT_RE = re.compile(r"\bquarter|\b(?:per|a)\s+share\b|\bnet\s+(?:income|loss)\b", re.I)

_YEAR_IN_TEXT_RE = re.compile(r"\d{4}")
_DAY_IN_TEXT_RE = re.compile(r"\b\d{1,2}\b")
_TIME_WORD_RE = re.compile(r"\b(?:hours?|minutes?|seconds?|a\.m\.|p\.m\.|morning|evening|night|afternoon)\b")
#: A part of the day named without a clock time ("the morning", "mid afternoon"): TIME value ...T{MO|AF|EV|NI}.
_POD_RE = re.compile(r"\b(?:(?P<mod>mid|early|late)[\s-]*)?(?P<pod>morning|afternoon|evening|night)\b")
_UNIT_WORD_RE = re.compile(r"\b(years?|months?|weeks?|days?|decades?)\b")

_DETERMINER_RE = re.compile(r"^(?:the|a|an|its|his|her|their|this|that)\s+", re.I)


def _ctx_from_text(context: str | None) -> _Ctx:
    if not context:
        return _Ctx()
    tense = "FUTURE" if _FUTURE_CONTEXT_RE.search(context) else "PAST"
    return _Ctx(tense, bool(_FISCAL_CONTEXT_RE.search(context)))


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
