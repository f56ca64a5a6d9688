"""What two analysed sentences share: the structural vetoes (hard disagreements that block a merge
whatever the text score) and the symmetric pair features the text score is computed from."""

from __future__ import annotations

import math
from itertools import repeat
from typing import Iterable, Mapping, Sequence

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel, Levenshtein

from .analyse import SentenceInfo


VETO_NUMBER = "number_mismatch"
VETO_YEAR = "year_mismatch"
VETO_DATE = "date_mismatch"
VETO_NEGATION = "negation_mismatch"
VETO_PLACE = "place_mismatch"
#: order in which vetoes are reported (first one found is ``PairScore.veto``)
VETO_ORDER = (VETO_NEGATION, VETO_YEAR, VETO_DATE, VETO_NUMBER, VETO_PLACE)


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
#: partial_ratio slides the shorter text along the longer, so its cost grows steeply with length
#: (docs/performance.md). It reads this much (99% of BBC and ECB+ claims are shorter).
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
    # quadratic, and one 16k-character "claim" (a text with no full stop) made one pair take most
    # of a minute (docs/performance.md).
    a_norm, b_norm = a.norm[:MAX_FUZZY_CHARS], b.norm[:MAX_FUZZY_CHARS]
    a_words, b_words = a.words[:MAX_FUZZY_WORDS], b.words[:MAX_FUZZY_WORDS]
    ap(fuzz.ratio(a_norm, b_norm) / 100.0)
    ap(fuzz.token_sort_ratio(a_norm, b_norm) / 100.0)
    ap(fuzz.token_set_ratio(a_norm, b_norm) / 100.0)
    la, lb = len(a.norm), len(b.norm)
    # partial_ratio is the costliest feature but earns its place in CV
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
