"""Pairwise "same fact?" scorer for cross-source claim deduplication.

Two layers:

* a *text score*: the mean of a gradient-boosted tree ensemble (Platt-calibrated)
  and a logistic regression, both over the same cheap, symmetric
  lexical / syntactic pair features (word, lemma, n-gram, char n-gram overlaps,
  IDF-weighted overlap, BLEU-like n-gram precision, edit distances, length,
  number/entity/negation agreement), calibrated on MRPC train (see
  ``pipeline.training.similarity``).  Its artifact is plain JSON in
  ``models/similarity/`` (tree arrays + LR coefficients + IDF table + calibration +
  threshold); trees are compiled to a Python function at load time.
* *structural vetoes*: explicit hard disagreements that must block merging two
  claims whatever the text score says: ``number_mismatch``, ``year_mismatch``,
  ``date_mismatch`` (month), ``negation_mismatch``, ``place_mismatch``.

The per-sentence analysis (:class:`SentenceInfo`) is computed once per text and
re-used for every pair it appears in; the dedup stage can also read its
``numbers`` / ``quantities`` / ``years`` / ``months`` / ``places`` / ``negations`` fields and combine
them with its own structure (entity ids, timex values), or call
:func:`structural_vetoes` / :func:`pair_features` itself.

Everything is pure and deterministic: features are symmetric by construction,
so ``score(a, b) == score(b, a)``.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import pathlib
import re
from itertools import repeat
from sys import intern
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Mapping, NamedTuple, Sequence

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import Indel, Levenshtein

from . import errors
from .config import DEFAULT_CONFIG

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.tokens import Doc, Span

DEFAULT_MODEL_DIR = pathlib.Path(__file__).resolve().parent.parent / "models" / "similarity"
MODEL_FILE = "model.json"
META_FILE = "meta.json"
ARTIFACT_FORMAT = "pipeline.similarity.gbdt/1"
#: The spaCy pipeline the scorer analyses text with: the pipeline's own (one loader, one setting).
SPACY_MODEL = DEFAULT_CONFIG.spacy_model

VETO_NUMBER = "number_mismatch"
VETO_YEAR = "year_mismatch"
VETO_DATE = "date_mismatch"
VETO_NEGATION = "negation_mismatch"
VETO_PLACE = "place_mismatch"
#: order in which vetoes are reported (first one found is ``PairScore.veto``)
VETO_ORDER = (VETO_NEGATION, VETO_YEAR, VETO_DATE, VETO_NUMBER, VETO_PLACE)


class ModelError(errors.ModelError):
    """The similarity artifact is missing, unreadable or inconsistent."""

    def __init__(self, path: pathlib.Path | str, reason: str) -> None:
        self.path = pathlib.Path(path)
        self.reason = reason
        super().__init__(f"similarity model at {self.path}: {reason}")


@dataclass(frozen=True, slots=True)
class PairScore:
    probability: float  # calibrated P(same meaning) in 0..1 (text score only)
    same: bool  # probability >= threshold and no hard veto
    veto: str | None  # first hard disagreement blocking a merge, if any
    vetoes: tuple[str, ...] = ()  # all hard disagreements found (VETO_ORDER order)
    text_same: bool = False  # probability >= threshold, ignoring vetoes (what MRPC labels measure)


# --------------------------------------------------------------------------
# per-sentence analysis
# --------------------------------------------------------------------------

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
    from .spans import ents_in

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


# --------------------------------------------------------------------------
# structural vetoes
# --------------------------------------------------------------------------


def _each_side_has_extra(a: frozenset, b: frozenset) -> bool:
    """Both sides state a value of this kind and each states one the other lacks."""
    return bool(a) and bool(b) and bool(a - b) and bool(b - a)


def _quantities_disagree(a: frozenset[tuple[str, float]], b: frozenset[tuple[str, float]]) -> bool:
    """For some unit stated on both sides, each side states a value the other lacks."""
    if not a or not b:
        return False
    units = {u for u, _ in a} & {u for u, _ in b}
    for u in units:
        va = frozenset(v for w, v in a if w == u)
        vb = frozenset(v for w, v in b if w == u)
        if va - vb and vb - va:
            return True
    return False


_PLACE_GENERIC = frozenset(
    {"the", "of", "new", "north", "south", "east", "west", "city", "county", "state", "republic", "airport",
     "international", "national", "saint", "st", "st.", "port", "san", "los", "las", "fort", "lake", "mount"}
)


def _place_match(p: str, q: str) -> bool:
    if p == q or p in q or q in p:
        return True
    tp = {w.rstrip(".") for w in p.split()} - _PLACE_GENERIC
    tq = {w.rstrip(".") for w in q.split()} - _PLACE_GENERIC
    if tp & tq:
        return True
    # abbreviations: "Colo." ~ "Colorado"
    pa, qa = p.rstrip("."), q.rstrip(".")
    return (p.endswith(".") and len(pa) >= 3 and q.startswith(pa)) or (
        q.endswith(".") and len(qa) >= 3 and p.startswith(qa)
    )


def _places_disagree(a: frozenset[str], b: frozenset[str]) -> bool:
    """Both name places and no place on one side matches any on the other."""
    if not a or not b:
        return False
    return not any(_place_match(p, q) for p in a for q in b)


def structural_vetoes(a: SentenceInfo, b: SentenceInfo) -> tuple[str, ...]:
    """Hard disagreements between two texts, in :data:`VETO_ORDER` order.

    * ``negation_mismatch``: one text is negated, the other not;
    * ``year_mismatch``: both mention years and each mentions one the other does not;
    * ``date_mismatch``: same for months inside date expressions;
    * ``number_mismatch``: for a unit quantified on both sides ("$", "%", "km", ...), each side
      states a (non-year) value the other lacks ("5,500 km" vs "5,000 km");
    * ``place_mismatch``: both name places (GPE/LOC/FAC) and none matches across, allowing containment
      ("New York" ~ "New York City") and a few aliases ("U.S." ~ "United States");

    A value stated on one side only (extra detail) is not a disagreement.
    """
    out = []
    if (a.negations > 0) != (b.negations > 0):
        out.append(VETO_NEGATION)
    if _each_side_has_extra(a.years, b.years):
        out.append(VETO_YEAR)
    if _each_side_has_extra(a.months, b.months):
        out.append(VETO_DATE)
    if _quantities_disagree(a.quantities, b.quantities):
        out.append(VETO_NUMBER)
    if _places_disagree(a.places, b.places):
        out.append(VETO_PLACE)
    return tuple(out)


# --------------------------------------------------------------------------
# pair features (all symmetric in a, b)
# --------------------------------------------------------------------------


def _jac(a: frozenset, b: frozenset) -> float:
    if not a and not b:
        return 1.0
    i = len(a & b)
    return i / (len(a) + len(b) - i)


def _overlap(a: frozenset, b: frozenset) -> tuple[float, float, float]:
    """(jaccard, min containment, max containment) with a single intersection."""
    if not a or not b:
        v = 1.0 if not a and not b else 0.0
        return v, v, v
    i = len(a & b)
    la, lb = len(a), len(b)
    x, y = i / la, i / lb
    return (i / (la + lb - i), x, y) if x <= y else (i / (la + lb - i), y, x)


def _cont(a: frozenset, b: frozenset) -> tuple[float, float]:
    """(min, max) over both directions of |a∩b| / |side|."""
    if not a or not b:
        v = 1.0 if not a and not b else 0.0
        return v, v
    i = len(a & b)
    x, y = i / len(a), i / len(b)
    return (x, y) if x <= y else (y, x)


def _precision(ca: frozenset, cb: frozenset) -> float:
    if not ca:
        return 1.0 if not cb else 0.0
    return len(ca & cb) / len(ca)


def _longest_common_run(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common contiguous token run (O(matches))."""
    pos: dict[str, list[int]] = {}
    for j, y in enumerate(b):
        pos.setdefault(y, []).append(j)
    best = 0
    prev: dict[int, int] = {}
    for x in a:
        cur: dict[int, int] = {}
        for j in pos.get(x, ()):
            v = prev.get(j - 1, 0) + 1
            cur[j] = v
            if v > best:
                best = v
        prev = cur
    return best


# math.fsum is exactly rounded, so a sum does not depend on the order a set is walked in: `a & b`
# walks `b` when the sets are the same size, and with some hash seeds score(a, b) differed from
# score(b, a) in the last bit (CI failed test_symmetry once).
def _idf_sum(s: Iterable[str], idf: Mapping[str, float], default: float) -> float:
    return math.fsum(map(idf.get, s, repeat(default)))


def _idf_sq(s: Iterable[str], idf: Mapping[str, float], default: float) -> float:
    return math.fsum(v * v for v in map(idf.get, s, repeat(default)))


FEATURE_NAMES: tuple[str, ...] = (
    "word_jaccard", "word_cont_min", "word_cont_max",
    "lemma_jaccard", "content_jaccard", "content_cont_min", "content_cont_max",
    "content_only_min", "content_only_max",
    "bigram_jaccard", "bigram_cont_min", "bigram_cont_max",
    "trigram_jaccard", "trigram_cont_max",
    "char3_jaccard", "char4_jaccard", "char5_jaccard", "char4_cont_min",
    "bleu_p1_min", "bleu_p2_min", "bleu_p3_min", "bleu_p4_min",
    "bleu_p1_max", "bleu_p2_max", "bleu_p4_max", "bleu_sym",
    "fz_ratio", "fz_token_sort", "fz_token_set", "fz_partial",
    "tok_lev_norm", "tok_lcs_min", "tok_lcs_max", "lcrun_min", "lcrun_max",
    "len_ratio", "len_diff", "len_sum_log", "char_len_ratio",
    "idf_jaccard", "idf_cont_min", "idf_cont_max", "idf_unmatched_max", "idf_cosine",
    "num_both", "num_any", "num_jaccard", "num_unmatched_min", "num_unmatched_max", "num_disagree",
    "year_disagree", "month_disagree",
    "ent_jaccard", "ent_unmatched_min", "ent_unmatched_max",
    "propn_jaccard", "propn_unmatched_max", "noun_jaccard", "verb_jaccard", "adj_jaccard",
    "place_disagree", "neg_mismatch", "neg_diff",
    "root_same", "subj_jaccard", "obj_jaccard",
)
N_FEATURES = len(FEATURE_NAMES)


#: The longest prefix of a claim (characters, words) the edit-distance features compare: far above
#: real claims (99.9% of ECB+, BBC and GVA claims are under 400 characters; the longest 1,512).
MAX_FUZZY_CHARS = 2_000
MAX_FUZZY_WORDS = 400
#: partial_ratio slides the shorter text along the longer: ~0.5 ms at 300 characters, 5 ms at 400,
#: 0.3 s at 2,000. It reads this much (99% of BBC and ECB+ claims are shorter).
MAX_PARTIAL_CHARS = 300


def pair_features(
    a: SentenceInfo, b: SentenceInfo, idf: Mapping[str, float], idf_default: float
) -> list[float]:
    """Symmetric feature vector (order: :data:`FEATURE_NAMES`)."""
    f: list[float] = []
    ap = f.append
    f.extend(_overlap(a.word_set, b.word_set))
    ap(_jac(a.lemma_set, b.lemma_set))
    f.extend(_overlap(a.content_set, b.content_set))
    oa, ob = len(a.content_set - b.content_set), len(b.content_set - a.content_set)
    f.extend((min(oa, ob), max(oa, ob)))
    f.extend(_overlap(a.bigram_set, b.bigram_set))
    tj, _, tmax = _overlap(a.trigram_set, b.trigram_set)
    f.extend((tj, tmax))
    ap(_jac(a.char3, b.char3))
    cj, cmin, _ = _overlap(a.char4, b.char4)
    f.extend((cj, _jac(a.char5, b.char5), cmin))
    pa = [_precision(a.ngrams[n], b.ngrams[n]) for n in range(4)]
    pb = [_precision(b.ngrams[n], a.ngrams[n]) for n in range(4)]
    mins = [min(x, y) for x, y in zip(pa, pb)]
    maxs = [max(x, y) for x, y in zip(pa, pb)]
    f.extend(mins)
    f.extend((maxs[0], maxs[1], maxs[3]))

    def bleu(p: list[float]) -> float:
        return math.exp(sum(math.log(x + 0.1) for x in p) / 4.0)

    ap(0.5 * (bleu(pa) + bleu(pb)))
    # Edit-distance features see at most MAX_FUZZY_CHARS / MAX_FUZZY_WORDS of each side: they are
    # quadratic, and one 16k-character "claim" (a text with no full stop) took 52 s a pair.
    a_norm, b_norm = a.norm[:MAX_FUZZY_CHARS], b.norm[:MAX_FUZZY_CHARS]
    a_words, b_words = a.words[:MAX_FUZZY_WORDS], b.words[:MAX_FUZZY_WORDS]
    ap(fuzz.ratio(a_norm, b_norm) / 100.0)
    ap(fuzz.token_sort_ratio(a_norm, b_norm) / 100.0)
    ap(fuzz.token_set_ratio(a_norm, b_norm) / 100.0)
    la, lb = len(a.norm), len(b.norm)
    # partial_ratio is the costliest feature (~0.1 ms) but earns its place in CV
    a_part, b_part = a_norm[:MAX_PARTIAL_CHARS], b_norm[:MAX_PARTIAL_CHARS]
    ap((fuzz.partial_ratio(a_part, b_part) if len(a_part) <= len(b_part) else fuzz.partial_ratio(b_part, a_part)) / 100.0)
    na, nb = len(a.words), len(b.words)
    nmax, nmin = max(na, nb, 1), max(min(na, nb), 1)
    ca, cb = len(a_words), len(b_words)
    ap(Levenshtein.distance(a_words, b_words) / max(ca, cb, 1))
    lcs = (ca + cb - Indel.distance(a_words, b_words)) / 2.0
    ap(lcs / nmin)
    ap(lcs / nmax)
    run = _longest_common_run(a_words, b_words)
    ap(run / nmin)
    ap(run / nmax)
    ap(min(na, nb) / nmax)
    ap(float(abs(na - nb)))
    ap(math.log1p(na + nb))
    ap(min(la, lb) / max(la, lb, 1))
    # IDF-weighted word overlap
    inter = a.word_set & b.word_set
    wi = _idf_sum(inter, idf, idf_default)
    wa = _idf_sum(a.word_set, idf, idf_default)
    wb = _idf_sum(b.word_set, idf, idf_default)
    wu = wa + wb - wi
    ap(wi / wu if wu else 1.0)
    ca, cb = (wi / wa if wa else 1.0), (wi / wb if wb else 1.0)
    ap(min(ca, cb))
    ap(max(ca, cb))
    ap(max(wa - wi, wb - wi))
    den = math.sqrt(_idf_sq(a.word_set, idf, idf_default) * _idf_sq(b.word_set, idf, idf_default))
    ap(_idf_sq(inter, idf, idf_default) / den if den else 1.0)
    # numbers / dates
    ap(float(bool(a.numbers) and bool(b.numbers)))
    ap(float(bool(a.numbers) or bool(b.numbers)))
    ap(_jac(a.numbers, b.numbers))
    ua, ub = len(a.numbers - b.numbers), len(b.numbers - a.numbers)
    ap(float(min(ua, ub)))
    ap(float(max(ua, ub)))
    ap(float(_quantities_disagree(a.quantities, b.quantities)))
    ap(float(_each_side_has_extra(a.years, b.years)))
    ap(float(_each_side_has_extra(a.months, b.months)))
    # entities
    ap(_jac(a.entities, b.entities))
    ua, ub = len(a.entities - b.entities), len(b.entities - a.entities)
    ap(float(min(ua, ub)))
    ap(float(max(ua, ub)))
    ap(_jac(a.propn_set, b.propn_set))
    ap(float(max(len(a.propn_set - b.propn_set), len(b.propn_set - a.propn_set))))
    ap(_jac(a.noun_set, b.noun_set))
    ap(_jac(a.verb_set, b.verb_set))
    ap(_jac(a.adj_set, b.adj_set))
    ap(float(_places_disagree(a.places, b.places)))
    ap(float((a.negations > 0) != (b.negations > 0)))
    ap(float(abs(a.negations - b.negations)))
    ap(float(a.root_lemma == b.root_lemma and a.root_lemma != ""))
    ap(_jac(a.subj_set, b.subj_set))
    ap(_jac(a.obj_set, b.obj_set))
    return f


# --------------------------------------------------------------------------
# gradient-boosted trees in plain arrays
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Tree:
    feature: tuple[int, ...]  # -1 at leaves
    threshold: tuple[float, ...]
    left: tuple[int, ...]
    right: tuple[int, ...]
    value: tuple[float, ...]  # leaf contributions (already scaled by learning rate)

    def predict_one(self, x: Sequence[float]) -> float:
        n = 0
        feat, thr, left, right = self.feature, self.threshold, self.left, self.right
        while feat[n] >= 0:
            n = left[n] if x[feat[n]] <= thr[n] else right[n]
        return self.value[n]


def _tree_expr(t: _Tree, n: int = 0) -> str:
    if t.feature[n] < 0:
        return repr(float(t.value[n]))
    return (
        f"({_tree_expr(t, t.left[n])} if x[{int(t.feature[n])}] <= {float(t.threshold[n])!r} "
        f"else {_tree_expr(t, t.right[n])})"
    )


def _compile(offset: float, trees: Sequence[_Tree]) -> Any:
    """Trees -> one Python function (nested conditional expressions): ~5x faster than walking arrays.

    The source is generated only from validated ints/floats, never from artifact strings.
    Summation order is offset, tree 0, tree 1, ... exactly as in :meth:`TreeEnsemble.raw_many`.
    """
    lines = ["def raw(x):", f"    r = {float(offset)!r}"]
    lines += [f"    r += {_tree_expr(t)}" for t in trees]
    lines.append("    return r")
    ns: dict[str, Any] = {}
    exec(compile("\n".join(lines), "<similarity-trees>", "exec"), ns)  # noqa: S102
    return ns["raw"]


@dataclass(frozen=True, slots=True)
class TreeEnsemble:
    """Additive tree ensemble: raw = offset + sum(tree(x)); p = sigmoid(a * raw + b)."""

    offset: float
    trees: tuple[_Tree, ...]
    calib_a: float = 1.0
    calib_b: float = 0.0
    _fn: Any = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        for t in self.trees:
            n = len(t.feature)
            if not (len(t.threshold) == len(t.left) == len(t.right) == len(t.value) == n):
                raise ValueError("tree arrays of different lengths")
            for i, f in enumerate(t.feature):
                if f >= 0 and not (i < t.left[i] < n and i < t.right[i] < n):
                    raise ValueError("tree child index out of range")
        object.__setattr__(self, "_fn", _compile(self.offset, self.trees))

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> "TreeEnsemble":
        trees = tuple(
            _Tree(
                tuple(int(v) for v in t["feature"]),
                tuple(float(v) for v in t["threshold"]),
                tuple(int(v) for v in t["left"]),
                tuple(int(v) for v in t["right"]),
                tuple(float(v) for v in t["value"]),
            )
            for t in obj["trees"]
        )
        cal = obj.get("calibration", {})
        return cls(float(obj["offset"]), trees, float(cal.get("a", 1.0)), float(cal.get("b", 0.0)))

    def to_json(self) -> dict[str, Any]:
        return {
            "offset": self.offset,
            "calibration": {"a": self.calib_a, "b": self.calib_b},
            "trees": [
                {"feature": list(t.feature), "threshold": list(t.threshold), "left": list(t.left),
                 "right": list(t.right), "value": list(t.value)}
                for t in self.trees
            ],
        }

    def raw_one(self, x: Sequence[float]) -> float:
        # same summation order as raw_many: bit-identical results
        return self._fn(x)

    def raw_many(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        out = np.full(X.shape[0], self.offset, dtype=np.float64)
        rows = np.arange(X.shape[0])
        for t in self.trees:
            feat = np.asarray(t.feature)
            thr = np.asarray(t.threshold)
            left = np.asarray(t.left)
            right = np.asarray(t.right)
            node = np.zeros(X.shape[0], dtype=np.int64)
            while True:
                f = feat[node]
                inner = f >= 0
                if not inner.any():
                    break
                go_left = X[rows, np.where(inner, f, 0)] <= thr[node]
                node = np.where(inner, np.where(go_left, left[node], right[node]), node)
            out += np.asarray(t.value)[node]
        return out

    def prob(self, raw: float) -> float:
        return _sigmoid(self.calib_a * raw + self.calib_b)


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@dataclass(frozen=True, slots=True)
class LinearModel:
    """Standardised logistic regression: p = sigmoid(intercept + sum(coef * (x - mean) / scale))."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> "LinearModel":
        m = cls(
            tuple(float(v) for v in obj["mean"]),
            tuple(float(v) for v in obj["scale"]),
            tuple(float(v) for v in obj["coef"]),
            float(obj["intercept"]),
        )
        if not len(m.mean) == len(m.scale) == len(m.coef) == N_FEATURES:
            raise ValueError("linear model size differs from the feature count")
        return m

    def to_json(self) -> dict[str, Any]:
        return {"mean": list(self.mean), "scale": list(self.scale), "coef": list(self.coef),
                "intercept": self.intercept}

    def prob(self, x: Sequence[float]) -> float:
        z = self.intercept
        for v, m, s, c in zip(x, self.mean, self.scale, self.coef):
            z += c * ((v - m) / s)
        return _sigmoid(z)


@dataclass(frozen=True, slots=True)
class BlendModel:
    """Mean of the calibrated tree-ensemble probability and the logistic-regression probability."""

    trees: TreeEnsemble
    linear: LinearModel | None = None

    def prob_one(self, x: Sequence[float]) -> float:
        p = self.trees.prob(self.trees.raw_one(x))
        return p if self.linear is None else 0.5 * (p + self.linear.prob(x))

    def prob_many(self, X: np.ndarray) -> list[float]:
        raw = self.trees.raw_many(X)
        out = [self.trees.prob(float(r)) for r in raw]
        if self.linear is not None:
            out = [0.5 * (p + self.linear.prob(x)) for p, x in zip(out, X.tolist())]
        return out


# --------------------------------------------------------------------------
# the scorer
# --------------------------------------------------------------------------

_NLP: "Language | None" = None


def get_nlp() -> "Language":
    """The pipeline's own spaCy setup (entity patterns, paragraph and sentence rules), used when the
    caller passes no Docs: training and evaluation then analyse text as a run does."""
    global _NLP
    if _NLP is None:
        from .nlp import nlp_for

        _NLP = nlp_for(DEFAULT_CONFIG)
    return _NLP


class ParaphraseScorer:
    """Calibrated "same fact?" scorer: text probability + structural vetoes."""

    __slots__ = ("threshold", "version", "model", "idf", "idf_default", "meta", "path", "_cache")

    def __init__(
        self,
        model: BlendModel,
        idf: Mapping[str, float],
        idf_default: float,
        threshold: float,
        version: str,
        meta: Mapping[str, Any] | None = None,
        path: pathlib.Path | None = None,
    ) -> None:
        self.model = model
        self.idf = dict(idf)
        self.idf_default = float(idf_default)
        self.threshold = float(threshold)
        self.version = version
        self.meta = dict(meta or {})
        self.path = path
        self._cache: dict[str, SentenceInfo] = {}

    # ---- loading -------------------------------------------------------
    @classmethod
    def load(cls, path: pathlib.Path = DEFAULT_MODEL_DIR) -> "ParaphraseScorer":
        path = pathlib.Path(path)
        file = path / MODEL_FILE if path.is_dir() or not path.suffix else path
        if not file.is_file():
            raise ModelError(file, "artifact not found (train it with `python -m pipeline.training.similarity`)")
        try:
            raw = file.read_bytes()
            obj = json.loads(raw.decode("utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ModelError(file, f"artifact unreadable: {exc}") from exc
        try:
            if obj.get("format") != ARTIFACT_FORMAT:
                raise ModelError(file, f"unsupported format {obj.get('format')!r}, expected {ARTIFACT_FORMAT!r}")
            if list(obj["feature_names"]) != list(FEATURE_NAMES):
                raise ModelError(file, "feature set differs from this code's FEATURE_NAMES; retrain the model")
            trees = TreeEnsemble.from_json(obj["model"])
            linear = LinearModel.from_json(obj["linear"]) if obj.get("linear") else None
            model = BlendModel(trees, linear)
            for t in trees.trees:
                if any(f >= N_FEATURES for f in t.feature):
                    raise ModelError(file, "tree refers to an unknown feature index")
            threshold = float(obj["threshold"])
            idf = {str(k): float(v) for k, v in obj["idf"].items()}
            idf_default = float(obj["idf_default"])
        except ModelError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            raise ModelError(file, f"artifact corrupt: {type(exc).__name__}: {exc}") from exc
        meta: dict[str, Any] = {}
        meta_file = file.parent / META_FILE
        if meta_file.is_file():
            try:
                meta = json.loads(meta_file.read_text("utf-8"))
            except (OSError, json.JSONDecodeError):
                meta = {}
        version = str(obj.get("version") or hashlib.sha256(raw).hexdigest()[:12])
        return cls(model, idf, idf_default, threshold, version, meta, file.parent)

    # ---- analysis ------------------------------------------------------
    def info(self, text: str, doc: "Doc | None" = None) -> SentenceInfo:
        """Per-text analysis (cached by text; a given Doc is used instead of parsing)."""
        hit = self._cache.get(text)
        if hit is not None:
            return hit
        if doc is None:
            doc = get_nlp()(text)
        si = analyze(doc)
        if len(self._cache) > 200_000:
            self._cache.clear()
        self._cache[text] = si
        return si

    def _infos(self, texts: Iterable[str], docs: Mapping[str, "Doc"] | None) -> None:
        todo = [t for t in dict.fromkeys(texts) if t not in self._cache and not (docs and t in docs)]
        if todo:
            for t, d in zip(todo, get_nlp().pipe(todo, batch_size=256)):
                self.info(t, d)

    def features(self, a: SentenceInfo, b: SentenceInfo) -> list[float]:
        return pair_features(a, b, self.idf, self.idf_default)

    # ---- scoring -------------------------------------------------------
    def _make(self, p: float, vetoes: tuple[str, ...]) -> PairScore:
        above = p >= self.threshold
        return PairScore(
            probability=p,
            same=above and not vetoes,
            veto=vetoes[0] if vetoes else None,
            vetoes=vetoes,
            text_same=above,
        )

    def score_info(self, a: SentenceInfo, b: SentenceInfo) -> PairScore:
        p = self.model.prob_one(self.features(a, b))
        return self._make(p, structural_vetoes(a, b))

    def score(self, a: str, b: str, *, doc_a: "Doc | None" = None, doc_b: "Doc | None" = None) -> PairScore:
        return self.score_info(self.info(a, doc_a), self.info(b, doc_b))

    def score_many(
        self, pairs: Sequence[tuple[str, str]], *, docs: Mapping[str, "Doc"] | None = None
    ) -> list[PairScore]:
        if not pairs:
            return []
        self._infos((t for p in pairs for t in p), docs)
        infos = []
        for a, b in pairs:
            ia = self.info(a, docs.get(a) if docs else None)
            ib = self.info(b, docs.get(b) if docs else None)
            infos.append((ia, ib))
        X = np.array([self.features(ia, ib) for ia, ib in infos], dtype=np.float64)
        probs = self.model.prob_many(X)
        return [self._make(p, structural_vetoes(ia, ib)) for p, (ia, ib) in zip(probs, infos)]


__all__ = [
    "ARTIFACT_FORMAT", "DEFAULT_MODEL_DIR", "FEATURE_NAMES", "ModelError", "PairScore", "ParaphraseScorer",
    "SentenceInfo", "TreeEnsemble", "LinearModel", "BlendModel", "VETO_DATE", "VETO_NEGATION", "VETO_NUMBER", "VETO_ORDER", "VETO_PLACE",
    "VETO_YEAR", "analyze", "get_nlp", "pair_features", "structural_vetoes",
]
