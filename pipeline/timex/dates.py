"""Calendar arithmetic for TIMEX3 values: months, weeks and quarters, number words, durations, holidays,
and the interval of days a DATE value covers."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from .rules import _lexicon, _words


#: Months a yearless month may lie against the tense before it moves to the neighbouring year: news often
#: mentions coming dates in past-tense sentences ("payable Dec. 15", said in October), rarely the reverse.
PAST_MONTH_SLACK = 5
#: The same slack when the governing verb is itself in the past tense ("was shot on Oct. 23", said in May).
MARKED_PAST_MONTH_SLACK = 2
FUTURE_MONTH_SLACK = 1

Tense = str  # "PAST" | "FUTURE" | "PRESENT" (a present-tense event verb: weekdays read ahead, months stay put)


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


def _year_for_month(month: int, day: int | None, published: dt.date, tense: Tense, marked_past: bool = False) -> int:
    """Year of a month (and day) written without one: the publication year unless the tense points across it."""
    ahead = (month - published.month) % 12
    slack = MARKED_PAST_MONTH_SLACK if marked_past else PAST_MONTH_SLACK
    if tense == "PAST" and (month, day or 0) > (published.month, published.day) and ahead > slack:
        return published.year - 1
    if tense == "FUTURE" and (month, day or 32) < (published.month, published.day) and (12 - ahead) % 12 > FUTURE_MONTH_SLACK:
        return published.year + 1
    return published.year


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


def _range_end_year(g: dict[str, str | None]) -> int | None:
    """The later year of "1990-91" / "1990-1995" (a two-digit end rolls into the next century: "1999-00")."""
    start, end = int(g["year"] or 0), g["year2"] or ""
    year2 = int(end) if len(end) == 4 else start - start % 100 + int(end)
    if len(end) == 2 and year2 <= start:
        year2 += 100
        if year2 - start > 10:  # "1999-00" rolls over, "2013-03" (a year and month) does not
            return None
    return year2 if year2 > start else None


def _quarter_year(q: int, p: dt.date, tense: Tense) -> int:
    cur = _quarter_of(p)
    if q <= cur:
        return p.year
    if q == cur + 1 and tense == "FUTURE":
        return p.year
    return p.year - 1 if q > cur + 1 or tense == "PAST" else p.year


def _latest_quarter(p: dt.date) -> tuple[int, int]:
    """The most recently completed quarter: what "the quarter" means in earnings news."""
    q = _quarter_of(p) - 1
    return (p.year, q) if q else (p.year - 1, 4)


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
