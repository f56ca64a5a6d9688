"""Dedup stage: stories, events and same-fact clusters, each with a stable id.

Three levels, each inside the one before:

1. *stories* (`story_id`): articles reporting the same news story, by average linkage over
   article TF-IDF (`pipeline.stories`);
2. *events* (`event_key`): inside a story, claims about one real-world event, by average linkage
   over claim TF-IDF, never joining claims that `matching.different_events` keeps apart (dated to
   disjoint intervals, or set in places neither of which contains the other);
3. *facts* (`cluster_id`): inside an event, claims stating the same fact. Candidates come from
   blocking (MinHash LSH over content words and entity ids, plus claims sharing two entities),
   judged by the MRPC-calibrated text scorer with `matching`'s structural rules. A claim joins a
   cluster only when it agrees with *every* member and its mean score with them clears the
   threshold: no chaining through one look-alike member.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
from spacy.lang.en.stop_words import STOP_WORDS

from .matching import (
    ClaimFacts,
    anchored,
    places_compatible,
    same_core,
    different_events,
    facts_from,
    quantities_agree,
    structural_disagreement,
    wording_similarity,
)
from .parallel import ordered_map
from .progress import Advance, counted
from .places import Gazetteer
from .schemas import CLAIM_CLUSTERS, table_from_rows
from .config import DedupSettings, StorySettings
from .stories import DEFAULT_STORY_SETTINGS, article_texts, group_stories

if TYPE_CHECKING:
    from datasketch import MinHash

#: Candidate pairs judged per task, and claims analysed per task, when several processes share the work.
PAIRS_PER_TASK = 512
CLAIMS_PER_TASK = 64

_WORD = re.compile(r"[a-z0-9][a-z0-9'-]*")




DEFAULT_SETTINGS = DedupSettings()


def blocking_tokens(text: str, entity_ids: Iterable[str]) -> set[str]:
    """Content words and entity ids: what two claims about one fact tend to share."""
    words = {w for w in _WORD.findall(text.lower()) if w not in STOP_WORDS and len(w) > 2}
    return words | {f"@{e}" for e in entity_ids}


def exact_twins(facts: Sequence[ClaimFacts]) -> list[int]:
    """For each claim, the first claim of its article with the same text (case and spacing aside):
    a sentence an article repeats is one fact, compared once and put in one cluster."""
    first: dict[tuple[str, str], int] = {}
    return [first.setdefault((f.article_id, " ".join(f.text.lower().split())), i) for i, f in enumerate(facts)]


def _leaders(twins: Sequence[int]) -> list[int]:
    return [i for i, t in enumerate(twins) if t == i]


def candidate_pairs(
    facts: Sequence[ClaimFacts], *, settings: DedupSettings = DEFAULT_SETTINGS
) -> set[tuple[int, int]]:
    """Index pairs worth scoring (i < j): near-linear in the number of claims, never all pairs.

    A claim repeated within its article (`exact_twins`) is a candidate only through its first copy."""
    leaders = _leaders(exact_twins(facts))
    if len(leaders) < len(facts):
        return {(leaders[i], leaders[j]) for i, j in candidate_pairs([facts[k] for k in leaders], settings=settings)}
    from datasketch import MinHash, MinHashLSH  # imported here: it loads scipy, ~0.9 s every stage would pay

    pairs: set[tuple[int, int]] = set()
    token_sets = [sorted(blocking_tokens(f.text, f.entity_ids)) for f in facts]
    keep = [i for i, t in enumerate(token_sets) if t]
    if keep:
        hashes = MinHash.bulk([[t.encode() for t in token_sets[i]] for i in keep], num_perm=settings.num_perm, seed=1)
        lsh = MinHashLSH(threshold=settings.lsh_threshold, num_perm=settings.num_perm)
        with lsh.insertion_session() as session:
            for i, mh in zip(keep, hashes, strict=True):
                session.insert(i, mh, check_duplication=False)
        for table in lsh.hashtables:
            for band in table.keys():
                _add_bucket(pairs, table.get(band), settings.max_bucket)
        del lsh, token_sets  # the index is the largest object here; only its pairs are needed now
    # Claims that name the same two entities are candidates too, whatever their wording.
    buckets: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, f in enumerate(facts):
        ids = sorted(f.entity_ids)
        for a in range(len(ids)):
            for b in range(a + 1, len(ids)):
                buckets[(ids[a], ids[b])].append(i)
    for members in buckets.values():
        _add_bucket(pairs, members, settings.max_bucket)
    if keep and pairs:
        pairs = _cap_degree(pairs, dict(zip(keep, hashes, strict=True)), settings.max_candidates)
    return pairs


#: Candidate pairs whose MinHash similarity is computed at once (bounds that step's memory).
_SIMILARITY_CHUNK = 1 << 16


def _cap_degree(pairs: set[tuple[int, int]], hashes: Mapping[int, MinHash], k: int) -> set[tuple[int, int]]:
    """Keep, for each claim, only its k most similar candidates (MinHash Jaccard estimate), so the
    number of pairs to score is at most 2·k per claim however often a fact repeats."""
    ordered = sorted(pairs)
    left = np.array([i for i, _ in ordered])
    right = np.array([j for _, j in ordered])
    size = max(hashes) + 1
    width = len(next(iter(hashes.values())).hashvalues)
    table = np.zeros((size, width), dtype=np.uint64)
    has = np.zeros(size, dtype=bool)
    for i, mh in hashes.items():
        table[i] = mh.hashvalues
        has[i] = True
    similarity = np.zeros(len(ordered), dtype=np.float64)
    for lo in range(0, len(ordered), _SIMILARITY_CHUNK):  # in slices: two (pairs x num_perm) arrays at once were GBs
        a, b = left[lo : lo + _SIMILARITY_CHUNK], right[lo : lo + _SIMILARITY_CHUNK]
        similarity[lo : lo + len(a)] = np.where(has[a] & has[b], (table[a] == table[b]).mean(axis=1), 0.0)
    chosen = np.zeros(len(ordered), dtype=bool)
    for side in (left, right):
        # rank each claim's candidates: most similar first, ties by position (deterministic)
        order = np.lexsort((np.arange(len(ordered)), -similarity, side))
        ranks = np.empty(len(ordered), dtype=np.int64)
        starts = np.r_[0, np.flatnonzero(np.diff(side[order])) + 1]
        counts = np.diff(np.r_[starts, len(order)])
        ranks[order] = np.arange(len(order)) - np.repeat(starts, counts)
        chosen |= ranks < k
    return {ordered[x] for x in np.flatnonzero(chosen)}


def _add_bucket(pairs: set[tuple[int, int]], members: Iterable[int], max_bucket: int) -> None:
    ordered = sorted(set(members))
    if len(ordered) < 2 or len(ordered) > max_bucket:
        return
    for x in range(len(ordered)):
        for y in range(x + 1, len(ordered)):
            pairs.add((ordered[x], ordered[y]))


class PairScores:
    """Text scores by claim row pair (i, j), kept in two sorted arrays: 16 bytes a pair, where a dict
    of tuples takes about 180 (millions of pairs at 100k articles). ``update`` and ``get`` behave
    as a dict's do."""

    def __init__(self) -> None:
        self._keys = np.empty(0, np.int64)
        self._values = np.empty(0, np.float64)

    @staticmethod
    def _key(i: Any, j: Any) -> Any:
        return (i << 32) | j  # row numbers are far below 2**31

    @classmethod
    def from_arrays(cls, i: Sequence[int], j: Sequence[int], values: Sequence[float]) -> "PairScores":
        """From parallel columns (a cached table's); NaN marks a pair without a score."""
        scores = cls()
        keys = cls._key(np.asarray(i, np.int64), np.asarray(j, np.int64))
        vals = np.asarray(values, np.float64)
        keep = ~np.isnan(vals)
        scores._merge(keys[keep], vals[keep])
        return scores

    def update(self, items: Iterable[tuple[tuple[int, int], float]]) -> None:
        keys: list[int] = []
        values: list[float] = []
        for (i, j), value in items:
            keys.append(self._key(i, j))
            values.append(value)
        self._merge(np.array(keys, np.int64), np.array(values, np.float64))

    def _merge(self, keys: Any, values: Any) -> None:
        if not len(keys):
            return
        k = np.concatenate([self._keys, keys])
        v = np.concatenate([self._values, values])
        order = np.argsort(k, kind="stable")
        k, v = k[order], v[order]
        last = np.ones(len(k), bool)
        last[:-1] = k[1:] != k[:-1]  # a pair given again keeps its latest score, as in a dict
        self._keys, self._values = k[last], v[last]

    def get(self, pair: tuple[int, int], default: float | None = None) -> float | None:
        key = self._key(*pair)
        at = int(self._keys.searchsorted(key))
        if at < len(self._keys) and self._keys[at] == key:
            return float(self._values[at])
        return default

    def lookup(self, i: Sequence[int], j: Sequence[int]) -> Any:
        """Scores of many pairs at once (NaN where a pair has none), as a float array."""
        keys = self._key(np.asarray(i, np.int64), np.asarray(j, np.int64))
        out = np.full(len(keys), np.nan)
        if len(self._keys):
            at = np.minimum(self._keys.searchsorted(keys), len(self._keys) - 1)
            hit = self._keys[at] == keys
            out[hit] = self._values[at[hit]]
        return out

    def __len__(self) -> int:
        return len(self._keys)


@dataclass(frozen=True, slots=True)
class PairDecision:
    """The outcome of comparing two candidate claims."""

    same: bool
    same_event: bool
    #: How close the two claims are: the text probability, or the wording similarity with
    #: negations and numbers set aside when that is higher, or the threshold for one fact told
    #: with more or less detail (`same_core`).
    probability: float
    disagreement: str | None
    #: The MRPC-calibrated text score alone (what conflict detection reuses).
    text_probability: float = 0.0
    #: The closeness this pair needed to be the same fact (lower when structure anchors it): a
    #: cluster's mean closeness with a new member must reach it too.
    threshold: float = 1.0


PairJudge = Callable[[int, int], PairDecision]

#: The decision recorded for candidate pairs in different events: never compared, never the same fact.
NOT_JUDGED = PairDecision(False, False, 0.0, None, float("nan"))


def stable_id(prefix: str, members: Iterable[str]) -> str:
    """An id derived from member ids only: identical across runs and input orders."""
    digest = hashlib.sha1("\n".join(sorted(members)).encode()).hexdigest()[:16]
    return f"{prefix}{digest}"


#: The similarity given to two claims of a story that share two participants and a date or place.
ANCHOR_SIMILARITY = 0.5


def assign_events(
    facts: Sequence[ClaimFacts],
    story_of: Sequence[str],
    *,
    places: Gazetteer,
    settings: DedupSettings = DEFAULT_SETTINGS,
) -> list[str]:
    """The event_key of each claim: claims of one story grouped by average linkage over their
    TF-IDF cosine, never joining two claims `different_events` keeps apart."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    n = len(facts)
    if n == 0:
        return []
    twins = exact_twins(facts)
    leaders = _leaders(twins)
    if len(leaders) < n:  # a repeated claim is in its first copy's event
        keys = dict(zip(leaders, assign_events([facts[k] for k in leaders], [story_of[k] for k in leaders], places=places, settings=settings), strict=True))
        return [keys[t] for t in twins]
    try:
        vectors = TfidfVectorizer(stop_words="english", sublinear_tf=True, dtype=np.float32).fit_transform([f.text for f in facts])
    except ValueError:  # no word in any claim
        vectors = None
    by_story: dict[str, list[int]] = defaultdict(list)
    for i, story in enumerate(story_of):
        by_story[story].append(i)
    keys: list[str] = [""] * n
    blocks: list[list[int]] = []
    for story in sorted(by_story):
        ordered = sorted(by_story[story], key=lambda i: facts[i].claim_id)
        blocks.extend(ordered[lo : lo + settings.max_event_block] for lo in range(0, len(ordered), settings.max_event_block))
    for members in blocks:
        if vectors is not None and len(members) > 1:
            block = vectors[members]
            similarity = (block @ block.T).toarray()
        else:
            similarity = np.zeros((len(members), len(members)), np.float32)
        _boost_anchored(similarity, members, facts, places)
        cannot = _cannot_link(members, facts, places)
        for group in _events_in_story(members, similarity, cannot, settings):
            key = stable_id("v", (facts[m].claim_id for m in group))
            for m in group:
                keys[m] = key
    return keys


def _boost_anchored(similarity: np.ndarray, members: Sequence[int], facts: Sequence[ClaimFacts], places: Gazetteer) -> None:
    """Shared participants and an anchor count as close wording (`anchored` pairs get ANCHOR_SIMILARITY).

    Only pairs sharing two entities can be anchored: they are found with one sparse product, so a
    story of m claims costs far less than m² rule calls."""
    from scipy.sparse import csr_matrix

    index: dict[str, int] = {}
    rows, cols = [], []
    for x, m in enumerate(members):
        for e in facts[m].entity_ids:
            rows.append(x)
            cols.append(index.setdefault(e, len(index)))
    if not index:
        return
    incidence = csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(len(members), len(index)))
    shared = (incidence @ incidence.T).tocoo()
    for x, y, count in zip(shared.row.tolist(), shared.col.tolist(), shared.data.tolist(), strict=True):
        if x < y and count >= 2 and anchored(facts[members[x]], facts[members[y]], places=places):
            similarity[x, y] = similarity[y, x] = max(similarity[x, y], ANCHOR_SIMILARITY)


def _cannot_link(members: Sequence[int], facts: Sequence[ClaimFacts], places: Gazetteer) -> np.ndarray:
    """Which pairs of a story `different_events` keeps apart, as an m × m boolean matrix.

    The rule needs another date or another known place: those pairs are found with array
    comparisons, and only they are judged by the rule."""
    size = len(members)
    start = np.full(size, np.nan)
    end = np.full(size, np.nan)
    place_of = np.full(size, -1)
    known: dict[str, int] = {}
    for x, m in enumerate(members):
        f = facts[m]
        if f.time_start and f.time_end:
            start[x], end[x] = f.time_start.toordinal(), f.time_end.toordinal()  # type: ignore[union-attr]
        if f.place and places.knows(f.place):
            place_of[x] = known.setdefault(f.place, len(known))
    with np.errstate(invalid="ignore"):
        maybe = (end[:, None] < start[None, :]) | (end[None, :] < start[:, None])
    if known:
        names = list(known)
        compatible = np.array([[places_compatible(p, q, places) for q in names] for p in names], dtype=bool)
        both = (place_of[:, None] >= 0) & (place_of[None, :] >= 0)
        maybe |= both & ~compatible[np.maximum(place_of, 0)[:, None], np.maximum(place_of, 0)[None, :]]
    cannot = np.zeros((size, size), dtype=bool)
    for x, y in zip(*np.nonzero(np.triu(maybe, 1)), strict=True):
        if different_events(facts[members[x]], facts[members[y]], places=places):
            cannot[x, y] = cannot[y, x] = True
    return cannot


def _events_in_story(
    members: list[int], similarity: np.ndarray, cannot: np.ndarray, settings: DedupSettings
) -> list[list[int]]:
    """Average linkage inside one story, with `different_events` as cannot-link."""
    size = len(members)
    if size == 1:
        return [members]
    groups: dict[int, list[int]] = {k: [k] for k in range(size)}
    group_of = list(range(size))
    upper = np.triu_indices(size, 1)
    values = similarity[upper]
    order = np.lexsort((upper[1], upper[0], -values))
    # Groups only grow, so (group, size) names a membership: a refused merge of two unchanged groups
    # is not tried again for their other pairs.
    refused: set[tuple[int, int, int, int]] = set()
    for k in order:
        if values[k] < settings.event_threshold:
            break
        x, y = int(upper[0][k]), int(upper[1][k])
        gx, gy = group_of[x], group_of[y]
        if gx == gy or len(groups[gx]) + len(groups[gy]) > settings.max_event:
            continue
        a, b = groups[gx], groups[gy]
        attempt = (min(gx, gy), len(groups[min(gx, gy)]), max(gx, gy), len(groups[max(gx, gy)]))
        if attempt in refused:
            continue
        if float(similarity[np.ix_(a, b)].mean()) < settings.event_threshold or cannot[np.ix_(a, b)].any():
            refused.add(attempt)
            continue
        keep, gone = (gx, gy) if gx < gy else (gy, gx)
        for z in groups[gone]:
            group_of[z] = keep
        groups[keep] = groups[keep] + groups.pop(gone)
    return [[members[z] for z in g] for g in groups.values()]


def cluster(
    facts: Sequence[ClaimFacts],
    *,
    judge: PairJudge,
    outlets: Mapping[str, str],
    checkworthiness: Sequence[float],
    standalone: Sequence[bool],
    places: Gazetteer,
    settings: DedupSettings = DEFAULT_SETTINGS,
    processes: int = 1,
    pairs: Sequence[tuple[int, int]] | None = None,
    progress: Advance | None = None,
    event_of: Sequence[str] | None = None,
    story_of: Sequence[str] | None = None,
) -> tuple[pa.Table, list[PairDecision]]:
    """The claim_clusters table, and the decision on each candidate pair (in the order of `pairs`;
    pairs across events are not judged and get `NOT_JUDGED`); pairs are judged in `processes` workers.

    `pairs` are the candidate pairs when already computed (`candidate_pairs(facts)`, sorted);
    `event_of` / `story_of` give each claim's event and story (one event per article when None);
    `progress(n)` is told of each `n` pairs judged.
    """
    n = len(facts)
    if story_of is None:
        story_of = [f.article_id for f in facts]
    if event_of is None:
        event_of = assign_events(facts, story_of, places=places, settings=settings)
    if pairs is None:
        pairs = sorted(candidate_pairs(facts, settings=settings))
    twins = exact_twins(facts)
    # a claim repeated in its article is judged through its first copy, and joins that copy's cluster
    inside = [k for k, (i, j) in enumerate(pairs) if event_of[i] == event_of[j] and twins[i] == i and twins[j] == j]
    if progress is not None:
        progress(len(pairs) - len(inside))
    judged = list(counted(ordered_map(lambda k: judge(*pairs[k]), inside, processes=processes, chunk_size=PAIRS_PER_TASK), progress))
    decisions: list[PairDecision] = [NOT_JUDGED] * len(pairs)
    for k, decision in zip(inside, judged, strict=True):
        decisions[k] = decision
    known: dict[tuple[int, int], PairDecision] = {pairs[k]: decisions[k] for k in inside}

    def decide(x: int, y: int) -> PairDecision:
        key = (x, y) if x < y else (y, x)
        if key not in known:
            known[key] = judge(*key)
        return known[key]

    # Best pairs first, ties by claim id: the result depends on the claims, not on their order.
    order = sorted(
        (k for k in inside if decisions[k].same),
        key=lambda k: (-round(decisions[k].probability, 6), facts[pairs[k][0]].claim_id, facts[pairs[k][1]].claim_id),
    )
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    root = list(range(n))
    for k in order:
        i, j = pairs[k]
        ri, rj = root[i], root[j]
        if ri == rj or len(members[ri]) + len(members[rj]) > settings.max_cluster:
            continue
        cross = [decide(x, y) for x in members[ri] for y in members[rj]]
        # every member must agree with every other, and the pair must not be the group's only tie
        if any(d.disagreement is not None for d in cross):
            continue
        if sum(d.probability for d in cross) / len(cross) < decisions[k].threshold:
            continue
        keep, gone = (ri, rj) if ri < rj else (rj, ri)
        for m in members[gone]:
            root[m] = keep
        members[keep] = members[keep] + members.pop(gone)
    for i, first in enumerate(twins):
        if first != i:
            members[root[first]].append(members.pop(i)[0])
    rows: list[dict[str, object]] = []
    for group in members.values():
        cluster_id = stable_id("k", (facts[m].claim_id for m in group))
        articles = {facts[m].article_id for m in group}
        sources = {outlets.get(facts[m].article_id, facts[m].article_id) for m in group}
        best = max(group, key=lambda m: (standalone[m], round(checkworthiness[m], 6), -len(facts[m].text), facts[m].claim_id))
        for m in group:
            rows.append(
                {
                    "claim_id": facts[m].claim_id,
                    "cluster_id": cluster_id,
                    "is_representative": m == best,
                    "n_articles": len(articles),
                    "n_sources": len(sources),
                    "n_claims": len(group),
                    "event_key": event_of[m],
                    "story_id": story_of[m],
                }
            )
    return table_from_rows(rows, CLAIM_CLUSTERS), decisions


_VETO_KIND = {
    "negation_mismatch": "negation",
    "year_mismatch": "date",
    "date_mismatch": "date",
    "number_mismatch": "quantity",
    # place_mismatch is left out: the scorer's veto knows no containment (Hamburg is in Germany);
    # structural_disagreement compares places by entity with the gazetteer instead.
}


class ClaimMatcher:
    """Judges candidate pairs: the MRPC-calibrated text score combined with structure."""

    def __init__(
        self,
        facts: Sequence[ClaimFacts],
        infos: Sequence[object],
        *,
        scorer: object,
        places: Gazetteer,
        settings: DedupSettings = DEFAULT_SETTINGS,
    ) -> None:
        self.facts = facts
        self.infos = infos
        self.scorer = scorer
        self.places = places
        self.threshold = settings.same_threshold
        self.anchored_threshold = min(float(scorer.threshold), settings.same_threshold)  # type: ignore[attr-defined]
        self.anchored_min_entities = settings.anchored_min_entities
        self.event_threshold = settings.event_threshold

    def __call__(self, i: int, j: int) -> PairDecision:
        a, b = self.facts[i], self.facts[j]
        score = self.scorer.score_info(self.infos[i], self.infos[j])  # type: ignore[attr-defined]
        disagreement = structural_disagreement(a, b, places=self.places) or _VETO_KIND.get(score.veto or "")
        shared = len(a.entity_ids & b.entity_ids)
        anchored = (
            score.probability >= self.anchored_threshold
            and a.time_start is not None
            and (a.time_start, a.time_end) == (b.time_start, b.time_end)
            and shared >= self.anchored_min_entities
        )
        needed = self.anchored_threshold if anchored else self.threshold
        # One act by one subject on one object, told with more or less detail, is one fact even
        # when the paraphrase score is low; it counts as a paraphrase at the threshold.
        core = disagreement is None and same_core(a, b)
        same = (score.probability >= needed or core) and disagreement is None
        # The text score punishes a negation or a changed number hard; whether two claims are about
        # the same event is judged on the wording with those set aside.
        wording = wording_similarity(a.text, b.text) if disagreement else 0.0
        closeness = max(float(score.probability), wording, needed if core else 0.0)
        same_event = closeness >= self.event_threshold and (shared >= 2 or closeness >= self.threshold)
        return PairDecision(same, same_event, closeness, disagreement, float(score.probability), needed)


def claim_infos(
    claims: pa.Table, docs: Mapping[str, object], *, processes: int = 1, progress: Advance | None = None
) -> list[object]:
    """Text analysis of each claim's original span, from the article's existing parse (no re-parsing);
    `progress(n)` is told of each `n` claims analysed."""
    from .similarity import analyze

    def one(claim: tuple[str, int, int]) -> object:
        article_id, start, end = claim
        return analyze(docs[article_id].char_span(start, end, alignment_mode="expand"))  # type: ignore[attr-defined]

    spans = zip(claims["article_id"].to_pylist(), claims["start_char"].to_pylist(), claims["end_char"].to_pylist(), strict=True)
    # Claims come in article order: a chunk of consecutive claims reuses its worker's loaded parses.
    return list(counted(ordered_map(one, spans, processes=processes, chunk_size=CLAIMS_PER_TASK), progress))


def outlet_of(url: str | None, outlet: str | None, source: str) -> str:
    """Who published an article: the URL's domain, else the declared outlet, else the input file."""
    if url:
        from urllib.parse import urlparse

        host = urlparse(url).netloc.lower()
        if host:
            return host.removeprefix("www.")
    return outlet or source.rsplit(":", 1)[0]


def deduplicate(
    claims: pa.Table,
    articles: pa.Table,
    infos: Sequence[object],
    *,
    scorer: object,
    places: Gazetteer,
    settings: DedupSettings = DEFAULT_SETTINGS,
    processes: int = 1,
    pairs: Sequence[tuple[int, int]] | None = None,
    text_scores: PairScores | MutableMapping[tuple[int, int], float] | None = None,
    progress: Advance | None = None,
) -> pa.Table:
    """The claim_clusters table: one row per claim with its cluster, representative flag and support.

    ``text_scores``, when given, receives the text score of every judged pair (claim row numbers),
    so that conflict detection over the same claims need not score them again; ``progress(n)`` is
    told of each ``n`` candidate pairs judged.
    """
    facts = facts_from(claims)
    matcher = ClaimMatcher(facts, infos, scorer=scorer, places=places, settings=settings)
    article_ids = articles["article_id"].to_pylist()
    outlets = {
        a: outlet_of(url, outlet, source)
        for a, url, outlet, source in zip(
            article_ids,
            articles["url"].to_pylist(),
            articles["outlet"].to_pylist(),
            articles["source"].to_pylist(),
            strict=True,
        )
    }
    story_of = claim_stories(claims, articles, settings=settings.stories)
    event_of = assign_events(facts, story_of, places=places, settings=settings)
    if pairs is None:
        pairs = sorted(candidate_pairs(facts, settings=settings))
    table, decisions = cluster(
        facts,
        judge=matcher,
        outlets=outlets,
        checkworthiness=claims["checkworthiness"].to_pylist(),
        standalone=claims["is_standalone"].to_pylist(),
        places=places,
        settings=settings,
        processes=processes,
        pairs=pairs,
        progress=progress,
        event_of=event_of,
        story_of=story_of,
    )
    if text_scores is not None:
        text_scores.update((pair, d.text_probability) for pair, d in zip(pairs, decisions, strict=True) if d is not NOT_JUDGED)
    return table


def claim_stories(claims: pa.Table, articles: pa.Table, *, settings: StorySettings = DEFAULT_STORY_SETTINGS) -> list[str]:
    """The story_id of each claim's article (articles grouped on their titles and claims)."""
    with_claims = set(claims["article_id"].to_pylist())
    ids, titles, published = [], [], []
    for a, title, day, status in zip(
        articles["article_id"].to_pylist(), articles["title"].to_pylist(), articles["published"].to_pylist(),
        articles["status"].to_pylist(), strict=True,
    ):
        if status == "ok" and a in with_claims:
            ids.append(a)
            titles.append(title)
            published.append(day)
    texts = article_texts(ids, titles, claims["article_id"].to_pylist(), claims["original_text"].to_pylist())
    story = group_stories(ids, texts, published=published, settings=settings)
    return [story[a] for a in claims["article_id"].to_pylist()]
