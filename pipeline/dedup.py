"""Dedup stage: claims stating the same fact, across sources, share a stable `cluster_id`.

Near-linear: candidates come from blocking (MinHash LSH over content words and entity
ids, plus claims sharing two entities), never from all pairs; only candidates are
scored, by the MRPC-calibrated text scorer combined with structure (time, place,
quantity, negation). Claims that look alike but disagree on a value are kept apart,
and linked by `event_key` so conflict detection can compare them.
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

from .parallel import ordered_map
from .progress import Advance, counted
from .places import Gazetteer
from .schemas import CLAIM_CLUSTERS, table_from_rows

if TYPE_CHECKING:
    from datasketch import MinHash

#: Candidate pairs judged per task, and claims analysed per task, when several processes share the work.
PAIRS_PER_TASK = 512
CLAIMS_PER_TASK = 64

_WORD = re.compile(r"[a-z0-9][a-z0-9'-]*")


@dataclass(frozen=True, slots=True)
class DedupSettings:
    """Blocking and decision settings, with their defaults."""

    #: MinHash permutations and LSH Jaccard threshold for text blocking.
    num_perm: int = 64
    lsh_threshold: float = 0.3
    #: Buckets larger than this are too generic to block on (e.g. one very common entity).
    max_bucket: int = 60
    #: Each claim keeps at most this many candidates (its most similar), so scoring stays linear.
    max_candidates: int = 10
    #: Text probability above which two claims with no structural disagreement are the same fact.
    #: Stricter than the MRPC-calibrated threshold, which accepts loose paraphrases: a wrong merge
    #: hides a claim, and union-find chains merges.
    same_threshold: float = 0.6
    #: Below `same_threshold`, claims still merge from the scorer's own (MRPC) threshold up when
    #: structure backs the text: the same dated interval and at least this many shared entities.
    anchored_min_entities: int = 2
    #: Largest group of claims one event_key may hold.
    max_event: int = 25
    #: Looser closeness above which two claims sharing two entities are about the same event
    #: (`event_key`, used to group conflicts); union-find chains these, so not too loose.
    event_threshold: float = 0.5

    def __post_init__(self) -> None:
        if self.num_perm < 16 or self.num_perm % 2:
            raise ValueError(f"num_perm must be an even number >= 16, got {self.num_perm!r}")
        if not 0.0 < self.lsh_threshold < 1.0:
            raise ValueError(f"lsh_threshold must be in (0, 1), got {self.lsh_threshold!r}")
        if self.max_candidates < 1:
            raise ValueError(f"max_candidates must be >= 1, got {self.max_candidates!r}")
        if self.max_event < 2:
            raise ValueError(f"max_event must be >= 2, got {self.max_event!r}")
        if self.max_bucket < 2:
            raise ValueError(f"max_bucket must be >= 2, got {self.max_bucket!r}")


DEFAULT_SETTINGS = DedupSettings()


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


def facts_from(claims: pa.Table) -> list[ClaimFacts]:
    """ClaimFacts for every row of the claims table, in row order."""
    cols = claims.select(
        ["claim_id", "article_id", "text", "entity_ids", "predicate", "negated", "time_start", "time_end", "place",
         "quantity_value", "quantity_unit", "quantity_mod"]
    ).to_pydict()
    return [
        ClaimFacts(
            cols["claim_id"][i], cols["article_id"][i], cols["text"][i], frozenset(cols["entity_ids"][i] or ()),
            cols["predicate"][i], bool(cols["negated"][i]), cols["time_start"][i], cols["time_end"][i],
            cols["place"][i], cols["quantity_value"][i], cols["quantity_unit"][i], cols["quantity_mod"][i],
        )
        for i in range(claims.num_rows)
    ]


def blocking_tokens(text: str, entity_ids: Iterable[str]) -> set[str]:
    """Content words and entity ids: what two claims about one fact tend to share."""
    words = {w for w in _WORD.findall(text.lower()) if w not in STOP_WORDS and len(w) > 2}
    return words | {f"@{e}" for e in entity_ids}


def candidate_pairs(
    facts: Sequence[ClaimFacts], *, settings: DedupSettings = DEFAULT_SETTINGS
) -> set[tuple[int, int]]:
    """Index pairs worth scoring (i < j): near-linear in the number of claims, never all pairs."""
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


def structural_disagreement(a: ClaimFacts, b: ClaimFacts, *, places: Gazetteer) -> str | None:
    """Why two claims cannot state the same fact (date, place, quantity, negation), or None."""
    if a.negated != b.negated:
        return "negation"
    if a.time_start and b.time_start and a.time_end and b.time_end:
        if a.time_end < b.time_start or b.time_end < a.time_start:  # type: ignore[operator]
            return "date"
    if a.place and b.place and not places.compatible(a.place, b.place):
        return "place"
    if a.quantity_value is not None and b.quantity_value is not None and a.quantity_unit and a.quantity_unit == b.quantity_unit:
        if not quantities_agree(a.quantity_value, a.quantity_mod, b.quantity_value, b.quantity_mod):
            return "quantity"
    if a.predicate == b.predicate and swapped_entity(a, b) is not None:
        return "entity"
    return None


#: Entity kinds compared for "a different agent or object"; places are compared with containment instead.
_SWAPPABLE_KINDS = ("person", "org", "norp", "law", "event", "facility", "product", "work")


def swapped_entity(a: ClaimFacts, b: ClaimFacts) -> tuple[str, str] | None:
    """The one entity each claim has where the other has a different one of the same kind
    (`led by James Comey` vs `led by Robert Mueller`), when the claims share another entity."""
    if not (a.entity_ids & b.entity_ids):
        return None
    only_a, only_b = a.entity_ids - b.entity_ids, b.entity_ids - a.entity_ids
    for kind in _SWAPPABLE_KINDS:
        ka = sorted(i for i in only_a if i.startswith(kind + ":"))
        kb = sorted(i for i in only_b if i.startswith(kind + ":"))
        if len(ka) == 1 and len(kb) == 1 and not _maybe_same_name(ka[0], kb[0]):
            return ka[0], kb[0]
    return None


def _maybe_same_name(a: str, b: str) -> bool:
    """Ids that may name one entity the linker kept apart: a shared word (`gigante` in
    `vincent_the_chin_gigante`) or an acronym (`chp` / `california_highway_patrol`)."""
    wa = a.split(":", 1)[1].split("_")
    wb = b.split(":", 1)[1].split("_")
    if set(wa) & set(wb):
        return True
    initials_a, initials_b = "".join(w[:1] for w in wa), "".join(w[:1] for w in wb)
    return (len(wa) == 1 and wa[0] == initials_b) or (len(wb) == 1 and wb[0] == initials_a)


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


_NEGATION_WORDS = re.compile(r"\b(?:not|n't|never|no)\b", re.IGNORECASE)
_DIGITS = re.compile(r"[\d.,]+")


def wording_similarity(a: str, b: str, *, subset: bool = False) -> float:
    """Similarity of two claims' wording with negations and numbers set aside (0..1, rapidfuzz).

    With `subset`, one wording inside the other counts as similar (`X` vs `S did not conclude that X`).
    """
    from rapidfuzz import fuzz

    def strip(text: str) -> str:
        return _DIGITS.sub("#", _NEGATION_WORDS.sub(" ", text.lower()))

    scorer = fuzz.token_set_ratio if subset else fuzz.token_sort_ratio
    return scorer(strip(a), strip(b)) / 100.0


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = defaultdict(list)
        for i in range(len(self.parent)):
            out[self.find(i)].append(i)
        return out


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
    #: negations and numbers set aside when that is higher.
    probability: float
    disagreement: str | None
    #: The MRPC-calibrated text score alone (what conflict detection reuses).
    text_probability: float = 0.0


PairJudge = Callable[[int, int], PairDecision]


def _compatible(a: list[int], b: list[int], facts: Sequence[ClaimFacts], places: Gazetteer, limit: int) -> bool:
    """No structural disagreement between any member of one group and any of the other."""
    if len(a) * len(b) > limit * limit:
        return True  # too large to check exhaustively; the pair itself was checked
    return all(structural_disagreement(facts[x], facts[y], places=places) is None for x in a for y in b)


def stable_id(prefix: str, members: Iterable[str]) -> str:
    """An id derived from member ids only: identical across runs and input orders."""
    digest = hashlib.sha1("\n".join(sorted(members)).encode()).hexdigest()[:16]
    return f"{prefix}{digest}"


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
) -> tuple[pa.Table, list[PairDecision]]:
    """The claim_clusters table, and the decision on each candidate pair (in the order of `pairs`);
    pairs are judged in `processes` workers.

    `pairs` are the candidate pairs when already computed (`candidate_pairs(facts)`, sorted);
    `progress(n)` is told of each `n` pairs judged.
    """
    n = len(facts)
    same = _UnionFind(n)
    event = _UnionFind(n)
    if pairs is None:
        pairs = sorted(candidate_pairs(facts, settings=settings))
    decisions = list(counted(ordered_map(lambda pair: judge(*pair), pairs, processes=processes, chunk_size=PAIRS_PER_TASK), progress))
    # Best pairs first, ties by claim id: the result depends on the claims, not on their order.
    # (Positions are sorted, not (i, j, decision) triples: millions of pairs at 100k articles.)
    order = sorted(
        range(len(pairs)),
        key=lambda k: (-round(decisions[k].probability, 6), facts[pairs[k][0]].claim_id, facts[pairs[k][1]].claim_id),
    )
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    event_size = {i: 1 for i in range(n)}
    for k in order:
        i, j = pairs[k]
        decision = decisions[k]
        if decision.same or decision.same_event:
            ri, rj = event.find(i), event.find(j)
            # union-find chains "same event" links; cap a group so one busy topic does not swallow all
            if ri != rj and event_size[ri] + event_size[rj] <= settings.max_event:
                total = event_size[ri] + event_size[rj]
                event.union(ri, rj)
                event_size[event.find(ri)] = total
        if not decision.same:
            continue
        ri, rj = same.find(i), same.find(j)
        if ri == rj or not _compatible(members[ri], members[rj], facts, places, settings.max_bucket):
            continue  # a chain of merges must not join claims that disagree on a value
        same.union(ri, rj)
        root = same.find(ri)
        members[root] = members.pop(ri if root != ri else rj) + members[root]
    del order
    event_key = {
        i: stable_id("v", (facts[m].claim_id for m in members)) for members in event.groups().values() for i in members
    }
    rows: list[dict[str, object]] = []
    for members in same.groups().values():
        cluster_id = stable_id("k", (facts[m].claim_id for m in members))
        articles = {facts[m].article_id for m in members}
        sources = {outlets.get(facts[m].article_id, facts[m].article_id) for m in members}
        best = max(members, key=lambda m: (standalone[m], round(checkworthiness[m], 6), -len(facts[m].text), facts[m].claim_id))
        for m in members:
            rows.append(
                {
                    "claim_id": facts[m].claim_id,
                    "cluster_id": cluster_id,
                    "is_representative": m == best,
                    "n_articles": len(articles),
                    "n_sources": len(sources),
                    "n_claims": len(members),
                    "event_key": event_key[m],
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
        same = (score.probability >= self.threshold or anchored) and disagreement is None
        # The text score punishes a negation or a changed number hard; whether two claims are about
        # the same event is judged on the wording with those set aside.
        wording = wording_similarity(a.text, b.text) if disagreement else 0.0
        closeness = max(float(score.probability), wording)
        same_event = closeness >= self.event_threshold and (shared >= 2 or closeness >= self.threshold)
        return PairDecision(same, same_event, closeness, disagreement, float(score.probability))


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
    outlets = {
        a: outlet_of(url, outlet, source)
        for a, url, outlet, source in zip(
            articles["article_id"].to_pylist(),
            articles["url"].to_pylist(),
            articles["outlet"].to_pylist(),
            articles["source"].to_pylist(),
            strict=True,
        )
    }
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
    )
    if text_scores is not None:
        text_scores.update(zip(pairs, (d.text_probability for d in decisions), strict=True))
    return table
