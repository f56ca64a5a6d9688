"""Conflict stage: pairs of claims about the same thing that disagree, typed by kind.

Candidates are the dedup stage's blocking pairs that ended in different clusters; a
pair is "about the same thing" when it shares an entity and either the predicate or
a good part of its wording. Then values are compared after normalization: date
intervals (containment is agreement), quantities with units and approximation,
places with containment (Hamburg is in Germany), negation, the agent, and lists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pyarrow as pa

from .dedup import (
    DEFAULT_SETTINGS,
    PAIRS_PER_TASK,
    ClaimFacts,
    DedupSettings,
    PairScores,
    candidate_pairs,
    facts_from,
    quantities_agree,
    stable_id,
    swapped_entity,
    wording_similarity,
)
from .parallel import ordered_map
from .progress import Advance, counted
from .places import Gazetteer
from .schemas import CONFLICTS, table_from_rows

#: Below both of these (pairs still to score, pairs in all), conflicts are judged in one process.
MIN_SCORED_PAIRS_TO_FORK = 2 * PAIRS_PER_TASK
MIN_PAIRS_TO_FORK = 64 * PAIRS_PER_TASK

#: Predicates too general for "a different agent did it" to be a disagreement.
_STATIVE = frozenset({"be", "have", "become", "remain", "include", "seem", "appear"})

#: How much each kind of disagreement weighs in the score (lists differing are low severity).
SEVERITY = {"date": 1.0, "quantity": 0.9, "place": 0.9, "negation": 1.0, "entity": 0.7, "other": 0.3}


@dataclass(frozen=True, slots=True)
class ConflictSettings:
    """When two claims count as being about the same thing."""

    #: Text probability (MRPC-calibrated scorer) needed when the predicates differ.
    wording_threshold: float = 0.5
    #: Text probability needed when the predicates are the same.
    same_predicate_threshold: float = 0.25
    #: Wording similarity (negations and numbers set aside) for a negation conflict.
    negation_wording_threshold: float = 0.7

    def __post_init__(self) -> None:
        for name in ("wording_threshold", "same_predicate_threshold", "negation_wording_threshold"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be a probability in [0, 1], got {value!r}")


@dataclass(frozen=True, slots=True)
class ClaimDetail:
    """What the conflict explanation needs beyond ClaimFacts."""

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
    if a.time_start and b.time_start and a.time_end and b.time_end:
        if a.time_end < b.time_start or b.time_end < a.time_start:  # type: ignore[operator]
            out.append(Difference(
                "date", da.time_text or da.time_value, db.time_text or db.time_value, da.time_value, db.time_value,
                f"The dates do not overlap: {da.time_value} ({a.time_start}–{a.time_end}) vs "
                f"{db.time_value} ({b.time_start}–{b.time_end}).",
            ))
    if (
        a.quantity_value is not None and b.quantity_value is not None and a.quantity_unit and a.quantity_unit == b.quantity_unit
        and not quantities_agree(a.quantity_value, a.quantity_mod, b.quantity_value, b.quantity_mod)
    ):
        na, nb = _quantity_norm(a), _quantity_norm(b)
        out.append(Difference("quantity", da.quantity_text, db.quantity_text, na, nb, f"Different amounts of {a.quantity_unit or 'the same thing'}: {na} vs {nb}."))
    if a.place and b.place and not places.compatible(a.place, b.place):
        out.append(Difference("place", a.place, b.place, a.place, b.place, f"Different places, neither inside the other: {a.place} vs {b.place}."))
    if a.negated != b.negated:
        va = f"{'not ' if a.negated else ''}{a.predicate}"
        vb = f"{'not ' if b.negated else ''}{b.predicate}"
        out.append(Difference("negation", va, vb, str(a.negated), str(b.negated), f"One claim affirms what the other denies ({va} vs {vb})."))
    swapped = swapped_entity(a, b) if a.predicate == b.predicate and a.predicate not in _STATIVE else None
    if swapped is not None and not (
        (swapped[0] in da.subject_ids and swapped[1] in db.subject_ids)
        or (swapped[0] in da.object_ids and swapped[1] in db.object_ids)
    ):
        swapped = None  # only a different agent or object is reported: other swaps are mostly linking misses
    if swapped is not None:
        ia, ib = swapped
        va, vb = names.get(ia, ia), names.get(ib, ib)
        out.append(Difference("entity", va, vb, ia, ib, f"A different {ia.split(':', 1)[0]} for the same action '{a.predicate}': {va} vs {vb}."))
    if not out and a.predicate == b.predicate and da.object and db.object:
        items_a, items_b = _list_items(da.object), _list_items(db.object)
        if len(items_a) >= 2 and len(items_b) >= 2 and items_a != items_b and items_a & items_b:
            only_a, only_b = sorted(items_a - items_b), sorted(items_b - items_a)
            out.append(Difference(
                "other", ", ".join(only_a) or None, ", ".join(only_b) or None, None, None,
                f"The lists differ (low severity): only in a: {', '.join(only_a) or '—'}; only in b: {', '.join(only_b) or '—'}.",
            ))
    return out


def _quantity_norm(f: ClaimFacts) -> str:
    mod = {"MORE_THAN": "> ", "LESS_THAN": "< ", "APPROX": "~"}.get(f.quantity_mod or "", "")
    value = f"{f.quantity_value:g}"
    return f"{mod}{value} {f.quantity_unit or ''}".strip()


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


def detect_conflicts(
    claims: pa.Table,
    clusters: pa.Table,
    entities: pa.Table,
    timexes: pa.Table,
    infos: Sequence[object],
    *,
    scorer: object,
    places: Gazetteer,
    settings: ConflictSettings = ConflictSettings(),
    dedup_settings: DedupSettings = DEFAULT_SETTINGS,
    processes: int = 1,
    pairs: Sequence[tuple[int, int]] | None = None,
    text_scores: PairScores | Mapping[tuple[int, int], float] | None = None,
    progress: Advance | None = None,
) -> pa.Table:
    """The conflicts table: pairs of claims about the same thing that disagree (judged in `processes` workers).

    ``text_scores`` are text scores dedup already computed for these claims (by row numbers); pairs
    missing from it are scored here. ``progress(n)`` is told of each ``n`` candidate pairs judged.
    """
    known = text_scores if text_scores is not None else {}
    facts = facts_from(claims)
    details = _details(claims, timexes)
    names = dict(zip(entities["entity_id"].to_pylist(), entities["canonical_name"].to_pylist(), strict=True))
    cluster_of = dict(zip(clusters["claim_id"].to_pylist(), clusters["cluster_id"].to_pylist(), strict=True))
    event_of = dict(zip(clusters["claim_id"].to_pylist(), clusters["event_key"].to_pylist(), strict=True))
    if pairs is None:  # dedup's candidate pairs, unless the caller kept them
        pairs = sorted(candidate_pairs(facts, settings=dedup_settings))
    candidates = len(pairs)
    pairs = [
        (i, j)
        for i, j in pairs
        if cluster_of.get(facts[i].claim_id) != cluster_of.get(facts[j].claim_id) and facts[i].entity_ids & facts[j].entity_ids
    ]
    if progress is not None:
        progress(candidates - len(pairs))  # in one cluster, or no entity in common: nothing to judge

    def pair_rows(pair: tuple[int, int]) -> list[dict[str, object]]:
        i, j = pair
        a, b = facts[i], facts[j]
        rows: list[dict[str, object]] = []
        probability = known.get(pair)
        if probability is None:
            probability = float(scorer.score_info(infos[i], infos[j]).probability)  # type: ignore[attr-defined]
        needed = settings.same_predicate_threshold if a.predicate == b.predicate else settings.wording_threshold
        # The text score collapses on a negation; "concluded" vs "did not conclude" is judged on the
        # wording with the negation set aside, and only for the same predicate.
        negation_pair = (
            a.negated != b.negated and a.predicate == b.predicate
            and wording_similarity(a.text, b.text, subset=True) >= settings.negation_wording_threshold
        )
        if probability < needed and not negation_pair:
            return rows
        if negation_pair:
            probability = max(probability, wording_similarity(a.text, b.text, subset=True))
        found = differences(a, b, details[i], details[j], places=places, names=names)
        if {"date", "place"} <= {d.kind for d in found}:
            return rows  # another date AND another place: most likely another event, not a disagreement
        for diff in found:
            if diff.kind == "negation" and not negation_pair:
                continue
            hedge = 0.7 if details[i].hedged or details[j].hedged else 1.0
            score = round(min(1.0, SEVERITY[diff.kind] * hedge * (0.5 + probability / 2)), 4)
            explanation = diff.explanation + _caveats(details[i], details[j])
            rows.append({
                "conflict_id": stable_id("x", (a.claim_id, b.claim_id, diff.kind)),
                "claim_id_a": a.claim_id,
                "claim_id_b": b.claim_id,
                "article_id_a": a.article_id,
                "article_id_b": b.article_id,
                "kind": diff.kind,
                "value_a": diff.value_a,
                "value_b": diff.value_b,
                "normalized_a": diff.normalized_a,
                "normalized_b": diff.normalized_b,
                "score": score,
                "explanation": explanation,
                "event_key": event_of.get(a.claim_id) if event_of.get(a.claim_id) == event_of.get(b.claim_id)
                else stable_id("v", (cluster_of.get(a.claim_id, a.claim_id), cluster_of.get(b.claim_id, b.claim_id))),
            })
        return rows

    # A pair dedup already scored costs ~15 us here, one to score ~300 us: fork only for work that
    # outweighs starting the workers (~60 ms a pool).
    unscored = sum(1 for pair in pairs if known.get(pair) is None)
    if unscored < MIN_SCORED_PAIRS_TO_FORK and len(pairs) < MIN_PAIRS_TO_FORK:
        processes = 1
    found_rows = counted(ordered_map(pair_rows, pairs, processes=processes, chunk_size=PAIRS_PER_TASK), progress)
    return table_from_rows([row for rows in found_rows for row in rows], CONFLICTS)


def _caveats(a: ClaimDetail, b: ClaimDetail) -> str:
    notes = []
    for label, d in (("a", a), ("b", b)):
        if d.attributed_to:
            notes.append(f"claim {label} is attributed to {d.attributed_to}")
        if d.hedged:
            notes.append(f"claim {label} is hedged")
    return (" Note: " + "; ".join(notes) + ".") if notes else ""


def _details(claims: pa.Table, timexes: pa.Table) -> list[ClaimDetail]:
    timex_text = dict(zip(timexes["timex_id"].to_pylist(), timexes["text"].to_pylist(), strict=True))
    timex_value = dict(zip(timexes["timex_id"].to_pylist(), timexes["value"].to_pylist(), strict=True))
    cols = claims.select(
        ["article_id", "start_char", "text", "original_text", "subject", "timex_ids", "time_value", "quantity_text", "object", "hedged", "attributed_to", "entity_ids"]
    ).to_pydict()
    out: list[ClaimDetail] = []
    for k in range(claims.num_rows):
        main = next((t for t in cols["timex_ids"][k] or [] if timex_value.get(t) == cols["time_value"][k]), None)
        subject = (cols["subject"][k] or "").lower()
        subject_ids = frozenset(eid for eid in cols["entity_ids"][k] or [] if _named_in(eid, subject))
        obj = (cols["object"][k] or "").lower()
        object_ids = frozenset(eid for eid in cols["entity_ids"][k] or [] if _named_in(eid, obj))
        out.append(ClaimDetail(
            timex_text.get(main) if main else None, cols["quantity_text"][k], cols["object"][k], bool(cols["hedged"][k]),
            cols["attributed_to"][k], cols["time_value"][k], subject_ids, object_ids,
        ))
    return out


def _named_in(entity_id: str, subject: str) -> bool:
    """Whether an entity of the claim is named in its subject (by the last word of its id: `donald_trump` → trump)."""
    last = entity_id.split(":", 1)[1].rsplit("_", 1)[-1]
    return bool(subject) and last in subject
