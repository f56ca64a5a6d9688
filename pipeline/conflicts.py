"""Conflict stage: pairs of claims about the same event and the same slot that disagree, typed by kind.

Candidates are the dedup stage's blocking pairs from two articles that ended in different clusters
of ONE event (`event_key`), or of one story when two shared participants and a date or known place
anchor them (`matching.anchored`: average linkage can leave such a pair in two events of a story
because of the events' other claims); claims about two different events never conflict, and one article's
lists, galleries and background ("property crime incidents: 28 … 138") are not sources disagreeing. A pair is about the same
slot when it shares an entity and either the predicate or a good part of its wording; then
`pipeline.matching` compares the normalized values: date intervals (overlap is agreement),
quantities of one measured thing with units and bounds, places by containment, negation, the
agent, and lists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pyarrow as pa

from .config import ConflictSettings
from .dedup import DEFAULT_SETTINGS, PAIRS_PER_TASK, DedupSettings, PairScores, candidate_pairs, stable_id
from .matching import (
    ClaimDetail,
    ClaimFacts,
    anchored,
    differences,
    facts_from,
    occurrence,
    same_object,
    same_subject,
    same_words,
    verb_of,
    wording_similarity,
)
from .parallel import ordered_map
from .progress import Advance, counted
from .places import Gazetteer
from .schemas import CONFLICTS, table_from_rows

#: Below both of these (pairs still to score, pairs in all), conflicts are judged in one process.
MIN_SCORED_PAIRS_TO_FORK = 2 * PAIRS_PER_TASK
MIN_PAIRS_TO_FORK = 64 * PAIRS_PER_TASK

#: How much each kind of disagreement weighs in the score (lists differing are low severity).
SEVERITY = {"date": 1.0, "quantity": 0.9, "place": 0.9, "negation": 1.0, "entity": 0.7, "other": 0.3}




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
    story_of = dict(zip(clusters["claim_id"].to_pylist(), clusters["story_id"].to_pylist(), strict=True))
    if pairs is None:  # dedup's candidate pairs, unless the caller kept them
        pairs = sorted(candidate_pairs(facts, settings=dedup_settings))
    candidates = len(pairs)
    pairs = [
        (i, j)
        for i, j in pairs
        if facts[i].article_id != facts[j].article_id  # sources disagreeing, not one article's list or gallery
        and cluster_of.get(facts[i].claim_id) != cluster_of.get(facts[j].claim_id)
        and facts[i].entity_ids & facts[j].entity_ids
        and (
            event_of.get(facts[i].claim_id) == event_of.get(facts[j].claim_id)
            or (story_of.get(facts[i].claim_id) == story_of.get(facts[j].claim_id) and anchored(facts[i], facts[j], places=places))
        )
    ]
    if progress is not None:
        progress(candidates - len(pairs))  # one cluster, two events, or no entity in common: nothing to judge

    def pair_rows(pair: tuple[int, int]) -> list[dict[str, object]]:
        i, j = pair
        a, b = facts[i], facts[j]
        rows: list[dict[str, object]] = []
        probability = known.get(pair)
        if probability is None:
            probability = float(scorer.score_info(infos[i], infos[j]).probability)  # type: ignore[attr-defined]
        needed = settings.same_predicate_threshold if verb_of(a.predicate) == verb_of(b.predicate) else settings.wording_threshold
        if a.predicate != b.predicate and occurrence(a) and occurrence(b) and anchored(a, b, places=places):
            needed = 0.0  # "occurred in Helsinki in July 2018" / "held a summit in Helsinki in July 2019": one slot
        # The text score collapses on a negation; "concluded" vs "did not conclude" is judged on the
        # wording with the negation set aside, and only for the same predicate and subject ("The
        # regulations don't require agencies…" vs "Previously, agencies were required…" is two times).
        negation_pair = (
            a.negated != b.negated and a.predicate == b.predicate and same_subject(a, b)
            and wording_similarity(a.text, b.text, subset=True) >= settings.negation_wording_threshold
            # "has not scored … this season" / "scored … the following week": two times, no contradiction
            and not _other_times(details[i], details[j])
            and same_object(a, b)
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
            if diff.kind == "quantity" and (_scope(a) or _scope(b)) and not same_words(_scope(a), _scope(b)):
                continue  # "During the deciding run, Echenique blocked two shots" / "… blocked six shots": a part and the whole
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
                "event_key": event_of.get(a.claim_id),
            })
        return rows

    # A pair dedup already scored costs ~15 us here, one to score ~300 us: fork only for work that
    # outweighs starting the workers (~60 ms a pool).
    unscored = sum(1 for pair in pairs if known.get(pair) is None)
    if unscored < MIN_SCORED_PAIRS_TO_FORK and len(pairs) < MIN_PAIRS_TO_FORK:
        processes = 1
    found_rows = counted(ordered_map(pair_rows, pairs, processes=processes, chunk_size=PAIRS_PER_TASK), progress)
    return table_from_rows([row for rows in found_rows for row in rows], CONFLICTS)


def _scope(f: ClaimFacts) -> str | None:
    """The words a claim puts before its subject and a comma ("During the game's deciding run, …"), or None."""
    if not f.subject:
        return None
    at = f.text.lower().find(f.subject.lower())
    head = f.text[:at].strip() if at > 0 else ""
    return head.rstrip(",").strip() or None if head.endswith(",") else None


def _other_times(a: ClaimDetail, b: ClaimDetail) -> bool:
    """The claims say when in other words, or only one says when: an affirmation and a denial then
    need not contradict ("has not scored this season" / "scored the following week")."""
    return bool(a.time_text or b.time_text) and not same_words(a.time_text, b.time_text)


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
        # Only entities the source itself names: a pronoun the resolver filled ("He changed his mind"
        # read as Tony Blair in one copy, Robert Peston in another) is no other actor.
        said = (cols["original_text"][k] or "").lower()
        subject = (cols["subject"][k] or "").lower()
        subject_ids = frozenset(eid for eid in cols["entity_ids"][k] or [] if _named_in(eid, subject) and _named_in(eid, said))
        obj = (cols["object"][k] or "").lower()
        object_ids = frozenset(eid for eid in cols["entity_ids"][k] or [] if _named_in(eid, obj) and _named_in(eid, said))
        out.append(ClaimDetail(
            timex_text.get(main) if main else None, cols["quantity_text"][k], cols["object"][k], bool(cols["hedged"][k]),
            cols["attributed_to"][k], cols["time_value"][k], subject_ids, object_ids,
        ))
    return out


def _named_in(entity_id: str, subject: str) -> bool:
    """Whether an entity of the claim is named in its subject (by the last word of its id: `donald_trump` → trump)."""
    last = entity_id.split(":", 1)[1].rsplit("_", 1)[-1]
    return bool(subject) and last in subject
