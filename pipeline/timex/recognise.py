"""Timexes in a parsed article: the grammar's candidates checked against the parse, each normalized with the
tense of the verb that governs it, then spaCy DATE/TIME entities for what the grammar missed."""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from .rules import _AGE_RE, _Candidate, _lexicon, _quoted_title, _reject, _scan, _select, _strip_span, _trim, _words
from .dates import interval, _range_end_year, Tense
from .normalise import _Ctx, _FISCAL_CONTEXT_RE, _Norm, normalize, _normalize_candidate


#: spaCy entity labels whose spans back up the grammar where it found nothing.
SPACY_FALLBACK_LABELS = frozenset({"DATE", "TIME"})
#: Auxiliaries that put the governing verb in the future ("would" covers reported plans: "said it would close Friday").
FUTURE_AUXILIARIES = frozenset({"will", "'ll", "shall", "wo", "would"})
#: Dependencies of a date that modifies a noun rather than the clause ("Wednesday's ruling", "the Oct. 23 slaying").
NOUN_MODIFIER_DEPS = frozenset({"poss", "compound", "nmod"})

#: spaCy entity labels that veto a bare four-digit "year" (it is a count, an amount, an address...).
NON_DATE_LABELS = frozenset({"CARDINAL", "MONEY", "QUANTITY", "PERCENT", "ORG", "PRODUCT", "FAC", "LAW"})


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


_PREV_WORD_RE = re.compile(r"(\w+)\W*$")

_COUNT_AFTER_RE = re.compile(r"\s*(?:%|percent|shares|people|members|troops|tons|barrels|miles|dollars|units|jobs)", re.I)
_AGE_IN_RE = re.compile(r"-old$|\bold$", re.I)

#: spaCy DATE/TIME entities TimeML does not tag (rates, generic "the day", possessed periods).
_FALLBACK_VETO_RE = re.compile(r"^(?:quarterly|(?:the|this)\s+day|(?:his|her|its|their|our|my)\s.*|the\s+night(?:\s+of)?)$", re.I)
_FALLBACK_TIME_RE = re.compile(r"\d|\bmorning\b|\bafternoon\b", re.I)

_ZONE_AFTER_RE = re.compile(r"\s+(?:GMT|UTC)\b")

_DAY_VALUE_RE = re.compile(r"\d{4}-\d\d-\d\d")
_DISCOURSE_NOW_RE = re.compile(r"\s*(?:,|for\b)", re.I)


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
