"""Claim comparison: the one place that decides, for two claims, whether they can state the same
fact and where they disagree (date, quantity, place, negation, a different actor).

Dedup (same-fact clusters, events) and conflicts consume these decisions; neither keeps rules of
its own. Every rule here compares *normalized* values: date intervals (overlap is agreement),
quantities with units and bounds, places by containment (New York City is in New York), entities
by linked id with near-identical names taken as one (SeaMicro / Sea Micro).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pyarrow as pa

from .places import Gazetteer
from .quantities import range_of
from .similarity import MAX_FUZZY_CHARS

#: Predicates that say an event happened (when or where): two claims about one event using any of
#: them ("a subsequent meeting occurred in Helsinki" / "they held a summit in Helsinki") state the
#: same slot, whatever the verb.
OCCURRENCE = frozenset({"occur", "happen", "take place", "hold summit", "meet"})

#: Entity kinds compared for "a different agent or object"; places are compared with containment instead.
SWAPPABLE_KINDS = ("person", "org", "norp", "law", "event", "facility", "product", "work")

#: Predicates too general for "a different agent did it" to be a disagreement.
STATIVE = frozenset({"be", "have", "become", "remain", "include", "seem", "appear"})

#: Kinds of disagreement, in the order they are reported.
KINDS = ("date", "quantity", "place", "negation", "entity", "other")


@dataclass(frozen=True, slots=True)
class ClaimFacts:
    """What structure says about one claim, for comparing it with another."""

    claim_id: str
    article_id: str
    text: str
    entity_ids: frozenset[str]
    predicate: str | None
    negated: bool
    time_start: object
    time_end: object
    place: str | None
    quantity_value: float | None
    quantity_unit: str | None
    quantity_mod: str | None
    #: The words the quantity measures ("magnitude", "cash", "dead"): two numbers compare only
    #: when they measure the same thing.
    quantity_of: str | None = None
    #: Who or what does the act, and what it is done to (the claim's `subject` and `object`).
    subject: str | None = None
    object: str | None = None
    #: Both ends when the quantity is a range ("500 to 5,500 kilometers"); its value is the lower end.
    quantity_range: tuple[float, float] | None = None


_FACT_COLUMNS = [
    "claim_id", "article_id", "text", "entity_ids", "predicate", "negated", "time_start", "time_end", "place",
    "quantity_value", "quantity_unit", "quantity_mod",
]


def facts_from(claims: pa.Table) -> list[ClaimFacts]:
    """ClaimFacts for every row of the claims table, in row order."""
    columns = _FACT_COLUMNS + [c for c in ("quantity_text", "subject", "object") if c in claims.column_names]
    cols = claims.select(columns).to_pydict()
    none = [None] * claims.num_rows
    quantity_text, subject, obj = cols.get("quantity_text", none), cols.get("subject", none), cols.get("object", none)
    return [
        ClaimFacts(
            cols["claim_id"][i], cols["article_id"][i], cols["text"][i], frozenset(cols["entity_ids"][i] or ()),
            cols["predicate"][i], bool(cols["negated"][i]), cols["time_start"][i], cols["time_end"][i],
            cols["place"][i], cols["quantity_value"][i], cols["quantity_unit"][i], cols["quantity_mod"][i],
            measured_thing(cols["text"][i], quantity_text[i]), subject[i], obj[i], range_of(quantity_text[i]),
        )
        for i in range(claims.num_rows)
    ]


_MEASURE_WORD = re.compile(r"[A-Za-z][A-Za-z-]*")
#: Words after a number that say nothing about what it measures, read past ("$9.3 billion US dollars").
_FILLER = frozenset({
    "in", "of", "more", "less", "than", "about", "some", "nearly", "almost", "over", "under", "million", "billion",
    "thousand", "hundred", "trillion", "bn", "m", "mn", "k", "us", "usd", "dollars", "dollar", "euros", "pounds",
    "percent", "per-cent",
})
#: Words after a number that end the search: what follows is context, not the thing measured
#: ("$9.4bn by a previously unknown group", "$9.3bn in a sale", "$334 million for it").
_STOP = frozenset({"the", "a", "an", "on", "at", "to", "and", "or", "for", "per", "with", "from", "by", "as", "after"})


def measured_thing(text: str | None, quantity_text: str | None) -> str | None:
    """The content word right after the quantity ("$281 million in cash" → cash), or None when a
    preposition or article comes first."""
    if not text or not quantity_text:
        return None
    at = text.find(quantity_text)
    if at < 0:
        return None
    for word in _MEASURE_WORD.findall(text[at + len(quantity_text) : at + len(quantity_text) + 40]):
        w = word.lower()
        if w in _STOP:
            return None
        if w not in _FILLER:
            return w.removesuffix("s") if len(w) > 3 else w
    return None


def quantities_agree(a: float, mod_a: str | None, b: float, mod_b: str | None) -> bool:
    """`more than 100` agrees with `120`; `about 30` with `32`; `5,500` does not with `5,000`.

    A bound on one side only is checked as a bound; the same bound on both sides (`up to 5,500`
    vs `up to 5,000`) states two different limits, so the values themselves must agree.
    """
    if mod_a == mod_b and mod_a in {"MORE_THAN", "LESS_THAN"}:
        mod_a = mod_b = None
    if mod_a == "MORE_THAN" and b >= a or mod_b == "MORE_THAN" and a >= b:
        return True
    if mod_a == "LESS_THAN" and b <= a or mod_b == "LESS_THAN" and a <= b:
        return True
    tolerance = 0.1 if "APPROX" in (mod_a, mod_b) else 0.005
    return abs(a - b) <= tolerance * max(abs(a), abs(b), 1e-9)


def amounts_agree(a: ClaimFacts, b: ClaimFacts) -> bool:
    """Two amounts of one measure agree; a range agrees with a range with the same ends, or with
    a value inside it ("500 to 3,500 km" vs "500 to 5,500 km" differ at their upper end)."""
    ra, rb = a.quantity_range, b.quantity_range
    if ra and rb:
        return quantities_agree(ra[0], None, rb[0], None) and quantities_agree(ra[1], None, rb[1], None)
    if ra or rb:
        (lo, hi), value = (ra, b.quantity_value) if ra else (rb, a.quantity_value)  # type: ignore[misc]
        return value is not None and lo <= value <= hi
    return quantities_agree(a.quantity_value, a.quantity_mod, b.quantity_value, b.quantity_mod)  # type: ignore[arg-type]


def same_measure(a: ClaimFacts, b: ClaimFacts) -> bool:
    """Both quantities have one unit and measure one thing: a total is not a portion (`$334M` vs
    `$281M in cash`), a magnitude is not a death toll."""
    if a.quantity_value is None or b.quantity_value is None or not a.quantity_unit or a.quantity_unit != b.quantity_unit:
        return False
    if a.quantity_of or b.quantity_of:
        return a.quantity_of == b.quantity_of
    return verb_of(a.predicate) == verb_of(b.predicate)


def dates_disjoint(a: ClaimFacts, b: ClaimFacts) -> bool:
    """Both claims are dated and their intervals do not overlap (July 2017 vs July 2018)."""
    if not (a.time_start and b.time_start and a.time_end and b.time_end):
        return False
    return bool(a.time_end < b.time_start or b.time_end < a.time_start)  # type: ignore[operator]


_NAME_NOISE = re.compile(r"[\s._'’-]+")


def places_compatible(a: str, b: str, places: Gazetteer) -> bool:
    """Same place, one inside the other (gazetteer), or one name extending the other
    (`New York City` / `New York`)."""
    if places.compatible(a, b):
        return True
    x, y = _NAME_NOISE.sub(" ", a.casefold()).strip(), _NAME_NOISE.sub(" ", b.casefold()).strip()
    x, y = x.removeprefix("the "), y.removeprefix("the ")
    return x == y or x.startswith(y + " ") or y.startswith(x + " ") or x.replace(" ", "") == y.replace(" ", "")


def one_location(f: ClaimFacts, places: Gazetteer) -> bool:
    """Whether the claim's place is a place it names, and every place it names is one location (a
    city with its country counts as one).

    A claim naming two places ("born in the Bronx; died in Springfield, Mo.", "in Oman and the
    United Arab Emirates") has no single place to compare: on ECB+ dev such claims gave most false
    place conflicts."""
    names = sorted(e.split(":", 1)[1].replace("_", " ") for e in f.entity_ids if e.startswith("place:"))
    if not f.place or _NAME_NOISE.sub(" ", f.place.casefold()).strip().removeprefix("the ") not in names:
        return False  # the claim's place is not a place it names ("at the … Circuits Conference")
    return all(places_compatible(x, y, places) for k, x in enumerate(names) for y in names[k + 1 :])


def maybe_same_name(a: str, b: str) -> bool:
    """Ids that may name one entity the linker kept apart: a shared word (`gigante` in
    `vincent_the_chin_gigante`), an acronym (`chp` / `california_highway_patrol`) or the same letters
    spaced differently (`seamicro` / `sea_micro`)."""
    wa = a.split(":", 1)[-1].split("_")
    wb = b.split(":", 1)[-1].split("_")
    if set(wa) & set(wb) or "".join(wa) == "".join(wb):
        return True
    initials_a, initials_b = "".join(w[:1] for w in wa), "".join(w[:1] for w in wb)
    return (len(wa) == 1 and wa[0] == initials_b) or (len(wb) == 1 and wb[0] == initials_a)


def swapped_entity(a: ClaimFacts, b: ClaimFacts) -> tuple[str, str] | None:
    """The one entity each claim has where the other has a different one of the same kind
    (`led by James Comey` vs `led by Robert Mueller`), when the claims share another entity."""
    if not (a.entity_ids & b.entity_ids):
        return None
    only_a, only_b = a.entity_ids - b.entity_ids, b.entity_ids - a.entity_ids
    for kind in SWAPPABLE_KINDS:
        ka = sorted(i for i in only_a if i.startswith(kind + ":"))
        kb = sorted(i for i in only_b if i.startswith(kind + ":"))
        if len(ka) == 1 and len(kb) == 1 and not maybe_same_name(ka[0], kb[0]):
            return ka[0], kb[0]
    return None


def structural_disagreement(a: ClaimFacts, b: ClaimFacts, *, places: Gazetteer) -> str | None:
    """Why two claims cannot state the same fact (negation, date, place, quantity, entity, list), or None."""
    if a.negated != b.negated:
        return "negation"
    if dates_disjoint(a, b):
        return "date"
    if a.place and b.place and not places_compatible(a.place, b.place, places):
        return "place"
    if same_measure(a, b) and not amounts_agree(a, b):
        return "quantity"
    if a.predicate == b.predicate and swapped_entity(a, b) is not None:
        return "entity"
    if lists_differ(a, b):
        return "list"
    return None


def lists_differ(a: ClaimFacts, b: ClaimFacts) -> bool:
    """Both objects list names and the lists are not the same: "discussed … Syria, Ukraine, and arms
    control" and "covered … Syria, Ukraine, and counter-terrorism" are two facts, not one."""
    if not (a.object and b.object):
        return False
    items_a, items_b = _list_items(a.object), _list_items(b.object)
    return len(items_a) >= 2 and len(items_b) >= 2 and items_a != items_b


def different_events(a: ClaimFacts, b: ClaimFacts, *, places: Gazetteer) -> bool:
    """Two claims that cannot be about one event.

    Time and place anchor an event. Both differing (the Hamburg meeting of July 2017, the Helsinki
    one of July 2018) means two events. One differing while the other is the same (a meeting in
    Hamburg dated 2016 by one source and 2017 by another) is one event with a disagreement, and so
    is one statement with only its value changed (same predicate, a shared participant, the same
    wording once numbers are set aside).

    Places count only when the gazetteer knows both: a claim's `place` is often a venue or a
    mis-tagged name (measured on ECB+ dev: splitting on every place pair cost a third of the
    event recall for +0.02 precision).
    """
    other_date = dates_disjoint(a, b)
    known = bool(a.place and b.place and places.knows(a.place) and places.knows(b.place))  # type: ignore[arg-type]
    other_place = known and not places_compatible(a.place, b.place, places)  # type: ignore[arg-type]
    if not (other_date or other_place):
        return False
    if other_date and other_place:
        return True
    if one_statement(a, b):
        return False
    shared = len(a.entity_ids & b.entity_ids)
    if shared >= 2 and a.predicate == b.predicate and a.predicate not in STATIVE:
        return False  # the same act by the same participants, one value differing
    if other_date:  # the same known place, the same participants: one event, two dates
        return not (known and shared >= 2)
    return not (dates_overlap(a, b) and shared >= 2)


def dates_overlap(a: ClaimFacts, b: ClaimFacts) -> bool:
    """Both claims are dated and their intervals overlap."""
    return bool(a.time_start and b.time_start and a.time_end and b.time_end) and not dates_disjoint(a, b)


def anchored(a: ClaimFacts, b: ClaimFacts, *, places: Gazetteer) -> bool:
    """Two claims sharing two participants and an anchor (overlapping dates or one known place):
    very likely one event, whatever the wording."""
    if len(a.entity_ids & b.entity_ids) < 2:
        return False
    if dates_overlap(a, b):
        return True
    return bool(a.place and b.place and places.knows(a.place) and places_compatible(a.place, b.place, places))


#: Wording similarity (numbers and negations set aside) above which two claims are one statement.
RESTATEMENT_WORDING = 0.8


def one_statement(a: ClaimFacts, b: ClaimFacts) -> bool:
    """The same statement with at most its values changed: same predicate, a shared entity, and
    the same wording once numbers and negations are set aside."""
    return (
        a.predicate == b.predicate
        and bool(a.entity_ids & b.entity_ids)
        and wording_similarity(a.text, b.text) >= RESTATEMENT_WORDING
    )


_NEGATION_WORDS = re.compile(r"\b(?:not|never|no)\b|n\s?['’]\s?t\b", re.IGNORECASE)


def negation_count(text: str) -> int:
    """Negation words in a text (`not`, `never`, `no`, `n't` however the apostrophe is written or spaced)."""
    return len(_NEGATION_WORDS.findall(text))
_LEADING = re.compile(r"^(?:the|a|an|this|that|these|those|its|his|her|their|mr|ms|mrs|dr)\.?\s+")
_OBJECT_END = re.compile(r"\s+(?:of|to|in|on|at|for|with|from|by|that|which|who|including|as|after|before)\b|[,(;:]")
_NUMBER_WORD = re.compile(
    r"\b(?:\d[\d,.:-]*(?:st|nd|rd|th)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
    r"|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth)\b",
    re.IGNORECASE,
)


def _phrase(text: str) -> str:
    out = text.lower().strip(" ,.")
    while (shorter := _LEADING.sub("", out)) != out:
        out = shorter
    return out


def object_head(text: str | None) -> str | None:
    """The head word of an object phrase: `a multifaceted campaign to influence the election` → campaign."""
    if not text:
        return None
    words = _OBJECT_END.split(_phrase(text), maxsplit=1)[0].split()
    return words[-1].strip("\"'“”‘’") if words else None


def occurrence(f: ClaimFacts) -> bool:
    """Whether a claim says that an event happened (`occur`, `take place`, `occur around`, …)."""
    p = f.predicate or ""
    return p in OCCURRENCE or p.rsplit(" ", 1)[0] in OCCURRENCE


_PARTICLES = frozenset({
    "about", "across", "after", "around", "as", "at", "before", "beyond", "between", "by", "down", "for", "from",
    "in", "into", "of", "off", "on", "out", "over", "to", "up", "with",
})


def verb_of(predicate: str | None) -> str:
    """A predicate without its trailing preposition: `sell for` → sell, `buy by` → buy, `take place` stays."""
    head, _, last = (predicate or "").rpartition(" ")
    return head if head and last in _PARTICLES else (predicate or "")


def same_act(a: ClaimFacts, b: ClaimFacts) -> bool:
    """The same verb (its preposition aside: "sold for $9.4bn" / "sold … for $9.3bn"), or two ways of
    saying that an event happened."""
    return bool(a.predicate) and (verb_of(a.predicate) == verb_of(b.predicate) or (occurrence(a) and occurrence(b)))


#: Subjects that name nobody: a pronoun left in a claim is one whose referent was not certain.
_PRONOUN_SUBJECTS = frozenset({"he", "she", "it", "they", "we", "i", "you", "this", "that", "these", "those", "him", "her", "them"})


def same_subject(a: ClaimFacts, b: ClaimFacts) -> bool:
    """Both claims name their subject and it is one phrase, or one inside the other as whole words
    ("The 2018 Trump-Putin summit" / "The summit"). A bare pronoun names nobody: "LaRue insisted he
    was not Deep Throat" and another article's "He was Deep Throat" (Felt) are two people."""
    if not (a.subject and b.subject):
        return False
    sa, sb = _phrase(a.subject), _phrase(b.subject)
    if sa in _PRONOUN_SUBJECTS or sb in _PRONOUN_SUBJECTS:
        return False
    return sa == sb or f" {sa} " in f" {sb} " or f" {sb} " in f" {sa} "


_WORD = re.compile(r"[a-z]+")
_FUNCTION_WORDS = frozenset({"a", "an", "the", "no", "not", "any", "of", "in", "on", "at", "for", "to", "and", "or", "that", "which"})
#: Share of the shorter object's content words the other object must have.
SAME_OBJECT_SHARE = 0.6


def same_object(a: ClaimFacts, b: ClaimFacts) -> bool:
    """Most content words of the shorter object (numbers, function words and plural endings aside)
    are in the other's: "has not scored a rushing touchdown this season" is not denied by "scored
    three touchdowns on punt runbacks this season" (ECB+ dev: 1 of 2), while "did not conclude that
    Russia conducted a campaign to influence the 2016 presidential election" is by "Russia conducted
    a multifaceted campaign to influence the election" (3 of 4). Claims without an object pass."""
    if not (a.object and b.object):
        return True
    wa, wb = ({w.removesuffix("s") for w in _WORD.findall(o.lower())} - _FUNCTION_WORDS for o in (a.object, b.object))
    short, other = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    return not short or len(short & other) >= SAME_OBJECT_SHARE * len(short)


def same_core(a: ClaimFacts, b: ClaimFacts) -> bool:
    """One fact told with more or less detail: the same act, by the same subject, on the same object.

    "Russia conducted a multifaceted campaign to influence the election, including hacking…" and
    "Russia conducted a campaign to influence the election, a finding Russia denies" state one fact
    that a paraphrase score rates low (each side has words the other lacks). Read on 30 such pairs
    of ECB+ dev: right but for two, which these guards now refuse: numbers that neither side
    contains in full ("stopped Thompson in the 11th round" in 2008 vs "in the sixth round" in 2012)
    and a negation on one side only ("pleaded guilty" vs "pleaded not guilty").
    """
    if not a.predicate or a.predicate != b.predicate or a.predicate in STATIVE or a.negated != b.negated:
        return False
    if not (a.subject and b.subject and a.object and b.object):
        return False
    sa, sb = _phrase(a.subject), _phrase(b.subject)
    if sa != sb and not (a.entity_ids & b.entity_ids and (sa in sb or sb in sa)):
        return False
    head = object_head(a.object)
    if head is None or head != object_head(b.object):
        return False
    na = {m.lower().replace(",", "") for m in _NUMBER_WORD.findall(a.text)}
    nb = {m.lower().replace(",", "") for m in _NUMBER_WORD.findall(b.text)}
    if na and nb and not (na <= nb or nb <= na):
        return False
    return negation_count(a.text) == negation_count(b.text)
_DIGITS = re.compile(r"[\d.,]+")


def wording_similarity(a: str, b: str, *, subset: bool = False) -> float:
    """Similarity of two claims' wording with negations and numbers set aside (0..1, rapidfuzz).

    With `subset`, one wording inside the other counts as similar (`X` vs `S did not conclude that X`).
    """
    from rapidfuzz import fuzz

    def strip(text: str) -> str:
        return _DIGITS.sub("#", _NEGATION_WORDS.sub(" ", text.lower()))

    scorer = fuzz.token_set_ratio if subset else fuzz.token_sort_ratio
    return scorer(strip(a[:MAX_FUZZY_CHARS]), strip(b[:MAX_FUZZY_CHARS])) / 100.0


@dataclass(frozen=True, slots=True)
class ClaimDetail:
    """What an explanation of a difference needs beyond ClaimFacts."""

    time_text: str | None
    quantity_text: str | None
    object: str | None
    hedged: bool
    attributed_to: str | None
    time_value: str | None
    subject_ids: frozenset[str]
    object_ids: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Difference:
    """One typed disagreement between two claims."""

    kind: str
    value_a: str | None
    value_b: str | None
    normalized_a: str | None
    normalized_b: str | None
    explanation: str


def differences(
    a: ClaimFacts, b: ClaimFacts, da: ClaimDetail, db: ClaimDetail, *, places: Gazetteer, names: Mapping[str, str]
) -> list[Difference]:
    """Every typed disagreement between two claims about the same thing (empty when they agree)."""
    out: list[Difference] = []
    # Two claims whose subjects name different entities are about two acts ("France's coach made
    # four changes" / "Wales's coach made two"): their values do not compare; only the actor can differ.
    if da.subject_ids and db.subject_ids and not (da.subject_ids & db.subject_ids):
        return _other_actor(a, b, da, db, names)
    # One claim names its actor, the other has no subject at all (a clause cut from it: "…offered
    # Teixeira $184 million", the Red Sox's offer, against the Orioles'): whose value it is is unknown.
    if (da.subject_ids and not b.subject) or (db.subject_ids and not a.subject):
        return []
    if dates_disjoint(a, b) and not same_words(da.time_text, db.time_text):
        # "Monday" and "Monday" anchored on two publication days is one report copied, not a disagreement
        out.append(Difference(
            "date", da.time_text or da.time_value, db.time_text or db.time_value, da.time_value, db.time_value,
            f"The dates do not overlap: {_date_words(da, a)} vs {_date_words(db, b)}.",
        ))
    if same_measure(a, b) and not amounts_agree(a, b):
        na, nb = quantity_words(a), quantity_words(b)
        thing = a.quantity_of or a.quantity_unit or "the same thing"
        out.append(Difference("quantity", da.quantity_text, db.quantity_text, na, nb, f"Different amounts of {thing}: {na} vs {nb}."))
    if (
        a.place and b.place and same_act(a, b) and not places_compatible(a.place, b.place, places)
        and one_location(a, places) and one_location(b, places)
    ):
        # the place of the same act only: "born in the Bronx" vs "died in Springfield" is two slots
        out.append(Difference("place", a.place, b.place, a.place, b.place, f"Different places, neither inside the other: {a.place} vs {b.place}."))
    if a.negated != b.negated and negation_count(a.text) != negation_count(b.text):
        # the words must differ too: "didn ’ t return" (a tokenizer's spacing) is no affirmation
        va = f"{'not ' if a.negated else ''}{a.predicate}"
        vb = f"{'not ' if b.negated else ''}{b.predicate}"
        out.append(Difference("negation", va, vb, str(a.negated), str(b.negated), f"One claim affirms what the other denies ({va} vs {vb})."))
    out.extend(_other_actor(a, b, da, db, names))
    if not out and a.predicate == b.predicate and da.object and db.object:
        items_a, items_b = _list_items(da.object), _list_items(db.object)
        if len(items_a) >= 2 and len(items_b) >= 2 and items_a != items_b and items_a & items_b:
            only_a, only_b = sorted(items_a - items_b), sorted(items_b - items_a)
            out.append(Difference(
                "other", ", ".join(only_a) or None, ", ".join(only_b) or None, None, None,
                f"The lists differ (low severity): only in a: {', '.join(only_a) or '—'}; only in b: {', '.join(only_b) or '—'}.",
            ))
    return out


def _other_actor(a: ClaimFacts, b: ClaimFacts, da: ClaimDetail, db: ClaimDetail, names: Mapping[str, str]) -> list[Difference]:
    """An `entity` difference when another agent does the same act (see `_same_act_other_agent`)."""
    swapped = swapped_entity(a, b) if a.predicate == b.predicate and a.predicate not in STATIVE else None
    if swapped is None or not _same_act_other_agent(swapped, a, b, da, db):
        return []
    ia, ib = swapped
    va, vb = names.get(ia, ia), names.get(ib, ib)
    if maybe_same_name(_NAME_NOISE.sub("_", va.casefold()), _NAME_NOISE.sub("_", vb.casefold())):
        return []
    if _names(vb, a.text) or _names(va, b.text):
        return []  # each claim names the other's entity too ("the NBA Charlotte Bobcats", linked apart)
    return [Difference("entity", va, vb, ia, ib, f"A different {ia.split(':', 1)[0]} for the same action '{a.predicate}': {va} vs {vb}.")]


_NON_WORD = re.compile(r"\W+")


def _names(name: str, text: str) -> bool:
    """Whether `text` contains `name` as whole words (case and punctuation aside)."""
    squash = lambda t: f" {' '.join(_NON_WORD.sub(' ', t.casefold()).split())} "  # noqa: E731
    return squash(name) in squash(text)


def _same_act_other_agent(swapped: tuple[str, str], a: ClaimFacts, b: ClaimFacts, da: ClaimDetail, db: ClaimDetail) -> bool:
    """Whether a swapped entity is another agent of one act, not another act.

    Read on ECB+ dev, every entity conflict between annotated sentences of two different events
    was one of: another patient ("the Saints placed Reggie Bush / Pierre Thomas on injured
    reserve": the Saints place many players), another subject with nothing done to a shared
    thing ("Jamal Williams / Vincent Jackson was arrested"), or a nationality ("a British /
    an Australian climber fell"). So only these count: another subject doing the act to the same
    thing (same object head), or another agent in a passive ("was led by Robert Mueller / James
    Comey"); nationalities describe and never count.
    """
    first, second = swapped
    if first.startswith("norp:") or second.startswith("norp:"):
        return False
    if first in da.subject_ids and second in db.subject_ids:
        head = object_head(a.object)
        return head is not None and head == object_head(b.object)
    if first in da.object_ids and second in db.object_ids:
        return bool(a.predicate and a.predicate.endswith(" by"))
    return False  # other swaps are mostly linking misses


def same_words(a: str | None, b: str | None) -> bool:
    """Both texts given and the same words (case and spacing aside): "Monday" / "monday"."""
    return bool(a and b) and a.casefold().split() == b.casefold().split()  # type: ignore[union-attr]


def _date_words(d: ClaimDetail, f: ClaimFacts) -> str:
    return f"{d.time_text or d.time_value} ({f.time_start} to {f.time_end})"


_SCALE = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))


def quantity_words(f: ClaimFacts) -> str:
    """A quantity in plain words: `more than 9.3 billion USD`, `about 30 people`, never `9.3e+09`."""
    mod = {"MORE_THAN": "more than ", "LESS_THAN": "less than ", "APPROX": "about "}.get(f.quantity_mod or "", "")
    value = float(f.quantity_value or 0.0)
    for size, word in _SCALE:
        if abs(value) >= size:
            number = f"{value / size:,.3f}".rstrip("0").rstrip(".") + f" {word}"
            break
    else:
        number = f"{value:,.3f}".rstrip("0").rstrip(".")
    return f"{mod}{number} {f.quantity_unit or ''}".strip()


def _list_items(text: str) -> set[str]:
    """Items of a list of short names in an object phrase: `issues, including Syria, Ukraine, and arms
    control` → {syria, ukraine, arms control}; empty when the phrase is not such a list."""
    body = text.lower()
    for marker in ("including", "such as", "like", ":"):
        if marker in body:
            body = body.split(marker, 1)[1]
            break
    else:
        return set()
    parts = [p.strip(" .") for p in body.replace(" and ", ",").replace(" or ", ",").split(",")]
    items = {p.removeprefix("the ").strip() for p in parts if p.strip()}
    return items if all(len(i.split()) <= 4 for i in items) else set()
