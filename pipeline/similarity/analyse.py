"""Per-sentence analysis for the same-fact scorer: one :class:`SentenceInfo` per text (words, lemmas,
n-grams, numbers, quantities, years, months, places, negations, subject and object), computed once and
reused for every pair the text is in."""

from __future__ import annotations

import functools
import re
from sys import intern
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, NamedTuple, Sequence

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Span


_NEG_WORDS = frozenset(
    {"not", "n't", "no", "never", "nobody", "nothing", "none", "neither", "nor", "nowhere", "cannot"}
)
_IMPLICIT_NEG = frozenset({"fail", "refuse"})


def _in_hyphenated(doc: "Doc", i: int) -> bool:
    """Token inside a hyphenated compound ("do-not-call")."""
    return (i > 0 and doc[i - 1].text == "-" and not doc[i - 1].whitespace_) or (
        i + 1 < len(doc) and doc[i + 1].text == "-" and not doc[i].whitespace_
    )


_NUM_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
    "dozen": 12,
}
_MULTIPLIERS = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "bn": 1e9, "mn": 1e6, "m": 1e6}
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
         ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
         ("october", "oct"), ("november", "nov"), ("december", "dec")]
    )
    for m in names
}
_NUM_RE = re.compile(r"^[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_ORD_RE = re.compile(r"^(\d+)(?:st|nd|rd|th)$")
_YEAR_RE = re.compile(r"^(1[5-9]\d\d|20\d\d)$")
_DECADE_RE = re.compile(r"^(1[5-9]\d0|20\d0)'?s$")
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_PLACE_ALIASES = {
    "u.s.": "united states", "us": "united states", "u.s": "united states", "usa": "united states",
    "u.s.a.": "united states", "america": "united states", "the united states": "united states",
    "uk": "united kingdom", "u.k.": "united kingdom", "britain": "united kingdom",
    "great britain": "united kingdom", "the united kingdom": "united kingdom",
    "u.n.": "united nations", "un": "united nations", "the united nations": "united nations",
    "eu": "european union", "e.u.": "european union", "the european union": "european union",
    "n.y.": "new york", "nyc": "new york", "new york city": "new york",
    "l.a.": "los angeles", "d.c.": "washington", "washington d.c.": "washington",
    "washington, d.c.": "washington", "the netherlands": "netherlands", "holland": "netherlands",
}
_CONTENT_POS = frozenset({"NOUN", "PROPN", "VERB", "ADJ", "ADV", "NUM"})
_WORD_RE = re.compile(r"\w", re.UNICODE)


def _parse_number(text: str) -> float | None:
    t = text.lower().lstrip("$£€")
    if _NUM_RE.match(t):
        return float(t.replace(",", ""))
    m = _ORD_RE.match(t)
    if m:
        return float(m.group(1))
    if t in _NUM_WORDS:
        return float(_NUM_WORDS[t])
    return None


_TENS = frozenset({"twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"})
_UNITS = frozenset({"one", "two", "three", "four", "five", "six", "seven", "eight", "nine"})
_CURRENCY = {"$": "$", "£": "£", "€": "€", "dollar": "$", "cent": "$", "euro": "€", "pound": "£",
             "usd": "$", "eur": "€", "gbp": "£"}
_PERCENT = frozenset({"%", "percent", "pct", "percentage"})


def _unit(doc: "Doc", i: int, j: int) -> str:
    """Unit of the number at token i whose expression ends before token j."""
    tok = doc[i]
    if tok.text[:1] in "$£€":
        return _CURRENCY[tok.text[:1]]
    if i > 0:
        prev = doc[i - 1].text
        if prev[-1:] in "$£€":
            return _CURRENCY[prev[-1]]
    if j < len(doc):
        nxt = doc[j]
        low = nxt.lower_
        if low in _PERCENT or (low == "per" and j + 1 < len(doc) and doc[j + 1].lower_ == "cent"):
            return "%"
        if low == "-" and j + 1 < len(doc):
            nxt = doc[j + 1]
        lemma = nxt.lemma_.lower()
        if lemma in _CURRENCY:
            return _CURRENCY[lemma]
        if nxt.pos_ in ("NOUN", "PROPN") and nxt.is_alpha:
            return lemma
    return ""


def _norm_place(text: str) -> str:
    t = " ".join(text.lower().replace("’", "'").split())
    t = _PLACE_ALIASES.get(t, t)
    if t.startswith("the "):
        t = t[4:]
    return _PLACE_ALIASES.get(t, t)


#: The one empty set every info shares (each ``frozenset()`` would be a new 216-byte object).
_EMPTY: frozenset = frozenset()


class _SetOf:
    """A stored sorted tuple read as a frozenset (cached: a claim meets its candidates in a row)."""

    def __init__(self, field: str) -> None:
        self.field = field

    def __get__(self, info: Any, owner: type | None = None) -> Any:
        return self if info is None else _as_set(getattr(info, self.field))


class _FromWords:
    """A value derived from an info's words (word set, normalised text, n-gram sets), cached."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, info: Any, owner: type | None = None) -> Any:
        return self if info is None else getattr(_grams(info.words), self.name)


@dataclass(frozen=True, slots=True)
class SentenceInfo:
    """Everything the pair features need about one text, computed once.

    The dedup index holds one per claim, so it is kept small (about 3 KB, from 54 KB): the word
    set, the normalised text and the word and character n-gram sets are not stored but derived from
    ``words``, and the lemma, part-of-speech and dependency sets are stored as sorted tuples (a
    tenth of a set's size) and made sets when a pair is scored, all through small LRU caches (a
    claim meets its candidates in a row). Word and lemma strings are interned, so each distinct
    word is stored once, and empty sets are one shared object.
    """

    text: str
    words: tuple[str, ...]  # lower-cased word tokens (no punctuation)
    lemmas: tuple[str, ...]  # each tuple of strings below: sorted, no repeats
    content: tuple[str, ...]  # lemmas of non-stop content tokens
    propns: tuple[str, ...]
    nouns: tuple[str, ...]
    verbs: tuple[str, ...]
    adjs: tuple[str, ...]
    numbers: frozenset[float]  # non-year numeric values (with multipliers applied)
    quantities: frozenset[tuple[str, float]]  # (unit, value): unit "$", "%", a noun lemma, or ""
    years: frozenset[int]
    months: frozenset[int]  # months mentioned inside DATE entities
    places: frozenset[str]  # normalised GPE/LOC/FAC entity strings
    entities: frozenset[str]  # all named-entity strings (lower), excluding numeric-only types
    negations: int  # number of negation markers
    root_lemma: str
    subjs: tuple[str, ...]  # lemmas of subjects
    objs: tuple[str, ...]  # lemmas of objects

    lemma_set = _SetOf("lemmas")
    content_set = _SetOf("content")
    propn_set = _SetOf("propns")
    noun_set = _SetOf("nouns")
    verb_set = _SetOf("verbs")
    adj_set = _SetOf("adjs")
    subj_set = _SetOf("subjs")
    obj_set = _SetOf("objs")
    word_set = _FromWords("word_set")
    norm = _FromWords("norm")  # the lower-cased words joined by single spaces
    ngrams = _FromWords("ngrams")  # word n-gram sets, n = 1..4
    char3 = _FromWords("char3")
    char4 = _FromWords("char4")
    char5 = _FromWords("char5")

    @property
    def bigram_set(self) -> frozenset:
        return _grams(self.words).ngrams[1]

    @property
    def trigram_set(self) -> frozenset:
        return _grams(self.words).ngrams[2]


class _Grams(NamedTuple):
    word_set: frozenset[str]
    norm: str
    ngrams: tuple[frozenset, ...]
    char3: frozenset[str]
    char4: frozenset[str]
    char5: frozenset[str]


@functools.lru_cache(maxsize=2048)
def _grams(words: tuple[str, ...]) -> _Grams:
    """The n-gram sets of a text's words (recent texts cached: a claim meets its candidates in a row)."""
    norm = " ".join(words)
    return _Grams(
        frozenset(words),
        norm,
        tuple(_ngram_set(words, n) for n in (1, 2, 3, 4)),
        _char_ngrams(norm, 3),
        _char_ngrams(norm, 4),
        _char_ngrams(norm, 5),
    )


def _ngram_set(words: Sequence[str], n: int) -> frozenset:
    return frozenset(tuple(words[i : i + n]) for i in range(len(words) - n + 1))


def _char_ngrams(s: str, n: int) -> frozenset[str]:
    s = f" {s} "
    return frozenset(s[i : i + n] for i in range(len(s) - n + 1))


def _frozen(items: Iterable[Any]) -> frozenset:
    return frozenset(items) or _EMPTY


#: A stored tuple as a set, cached: a claim meets its candidates in a row.
_as_set = functools.lru_cache(maxsize=8192)(_frozen)


def _sorted(items: set[str]) -> tuple[str, ...]:
    return tuple(sorted(items)) if items else ()


_NUMERIC_ENT = frozenset({"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"})


def analyze(doc: "Doc | Span") -> SentenceInfo:
    """Per-text analysis from a spaCy Doc or Span (en_core_web_sm-style pipeline).

    A Span is read as ``span.as_doc()`` would read it, without the copy (which cost as much as the
    analysis): a token whose head lies outside the span has the generic dependency ``dep``, children
    outside the span are not seen, and an entity cut by the span's edge does not count.
    """
    from ..spans import ents_in

    whole_ents = ents_in(doc)
    first = doc[0].i if len(doc) else 0
    last = first + len(doc)
    in_entity = {k for e in whole_ents for k in range(e.start, e.end)}
    words: list[str] = []
    lemmas: set[str] = set()
    content: set[str] = set()
    propn: set[str] = set()
    noun: set[str] = set()
    verb: set[str] = set()
    adj: set[str] = set()
    numbers: set[float] = set()
    years: set[int] = set()
    months: set[int] = set()
    subj: set[str] = set()
    obj: set[str] = set()
    quantities: set[tuple[str, float]] = set()
    consumed: set[int] = set()
    negations = 0
    root_lemma = ""
    n_tok = len(doc)
    for i, tok in enumerate(doc):
        low = intern(tok.lower_)
        if tok.is_punct or tok.is_space or not _WORD_RE.search(low):
            # "$" "%" carry meaning for numbers, keep them as words
            if low in ("$", "%", "£", "€"):
                words.append(low)
            continue
        words.append(low)
        lemma = intern(tok.lemma_.lower())
        lemmas.add(lemma)
        pos = tok.pos_
        if pos in _CONTENT_POS and not tok.is_stop:
            content.add(lemma)
        if pos == "PROPN":
            propn.add(lemma)
        elif pos == "NOUN":
            noun.add(lemma)
        elif pos == "VERB":
            verb.add(lemma)
        elif pos == "ADJ":
            adj.add(lemma)
        dep = tok.dep_ if first <= tok.head.i < last else "dep"
        if (dep == "neg" or low in _NEG_WORDS) and not _in_hyphenated(doc, i):
            negations += 1
        elif lemma in _IMPLICIT_NEG and any(c.dep_ == "xcomp" and first <= c.i < last for c in tok.children):
            negations += 1  # "failed to meet" ~ "did not meet"
        if dep == "ROOT" and not root_lemma:
            root_lemma = lemma
        if dep in ("nsubj", "nsubjpass"):
            subj.add(lemma)
        elif dep in ("dobj", "pobj", "attr"):
            obj.add(lemma)
        # numbers / years
        ent = tok.ent_type_ if tok.i in in_entity else ""
        if ent == "ORDINAL" and not low[:1].isdigit():
            continue  # "first", "second": not a value
        if _YEAR_RE.match(low) and (ent in ("DATE", "") or ent == "CARDINAL" and i > 0 and doc[i - 1].lower_ in _MONTHS):
            years.add(int(low))
            continue
        m = _DECADE_RE.match(low)
        if m:
            years.add(int(m.group(1)))
            continue
        if ent == "DATE" and low in _MONTHS and (low != "may" or pos == "PROPN"):
            months.add(_MONTHS[low])
            continue
        if i in consumed:
            continue
        val = _parse_number(low) if (tok.like_num or low[:1].isdigit() or low[:1] in "$£€") else None
        if val is not None:
            if ent == "DATE" and val <= 31 and val == int(val):
                continue  # day of month: part of a date, not a quantity
            j = i + 1
            # "twenty-eight"
            if low in _TENS and j + 1 < n_tok and doc[j].text == "-" and doc[j + 1].lower_ in _UNITS:
                val += _NUM_WORDS[doc[j + 1].lower_]
                consumed.add(j + 1)
                j += 2
            # "2.5 billion", "38-million", "$1.2m"
            k = j + 1 if j < n_tok and doc[j].text == "-" else j
            if k < n_tok and doc[k].lower_ in _MULTIPLIERS and (doc[k].lower_ != "m" or low[:1] in "$£€"):
                val *= _MULTIPLIERS[doc[k].lower_]
                j = k + 1
            numbers.add(round(val, 6))
            quantities.add((_unit(doc, i, j), round(val, 6)))
    places = frozenset(_norm_place(e.text) for e in whole_ents if e.label_ in _PLACE_LABELS)
    entities = frozenset(
        " ".join(e.text.lower().split()) for e in whole_ents if e.label_ not in _NUMERIC_ENT
    )
    return SentenceInfo(
        text=doc.text_with_ws,
        words=tuple(words),
        lemmas=_sorted(lemmas),
        content=_sorted(content),
        propns=_sorted(propn),
        nouns=_sorted(noun),
        verbs=_sorted(verb),
        adjs=_sorted(adj),
        numbers=_frozen(numbers),
        quantities=_frozen(quantities),
        years=_frozen(years),
        months=_frozen(months),
        places=places or _EMPTY,
        entities=entities or _EMPTY,
        negations=negations,
        root_lemma=root_lemma,
        subjs=_sorted(subj),
        objs=_sorted(obj),
    )
