"""Annotate stage, entities: spaCy NER mentions linked to one `entity_id` per real-world entity.

Linking is deliberately simple and explainable: a normalized key (case, dots, leading
"the", possessives), the alias table in models/entities/aliases.json, and surnames linked
to a full name (same article first, then the whole corpus when only one full name fits).
Entities of different kinds never merge.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import pyarrow as pa
from spacy.tokens import Doc

from .config import MODELS_DIR, read_json_data
from .schemas import ENTITIES, MENTIONS, table_from_rows
from .segment import SentenceLookup

ALIASES_PATH = MODELS_DIR / "entities" / "aliases.json"

#: spaCy label → entity kind; labels of one kind may share an id, different kinds never do.
KIND_OF_LABEL: dict[str, str] = {
    "PERSON": "person",
    "ORG": "org",
    "GPE": "place",
    "LOC": "place",
    "FAC": "facility",
    "NORP": "norp",
    "EVENT": "event",
    "LAW": "law",
    "PRODUCT": "product",
    "WORK_OF_ART": "work",
    "LANGUAGE": "language",
}
# DATE, TIME, MONEY, PERCENT, QUANTITY, CARDINAL and ORDINAL are values, handled by the
# timex and claim stages, not entities with identity.

_POSSESSIVE = re.compile(r"(?:['’]s|['’])$", re.IGNORECASE)
_LEADING_DET = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_NON_WORD = re.compile(r"[^\w\s&'-]+")
_SPACES = re.compile(r"\s+")
_SLUG = re.compile(r"[^a-z0-9]+")
#: Names whose normalized forms are remembered (entity_key, _display): linking asks for the same
#: names pass after pass, and a corpus has far fewer distinct names than mentions.
NAMES_CACHED = 1 << 16
_HONORIFIC = re.compile(r"^(?:mr|mrs|ms|dr|president|prime minister|sen|senator|gov|governor|rep)\.?\s+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class AliasTable:
    """Normalized key → canonical name, per entity kind (data in models/entities/aliases.json)."""

    by_kind: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path = ALIASES_PATH) -> AliasTable:
        """Read the alias table, with a clear error when it is missing or malformed."""
        raw = read_json_data(path, "alias table")
        by_kind = {
            kind: {entity_key(alias): str(name) for alias, name in table.items()}
            for kind, table in raw.items()
            if not kind.startswith("_") and isinstance(table, dict)
        }
        return cls(by_kind)

    def canonical(self, kind: str, key: str) -> str | None:
        """The canonical name for a key, if the table knows it."""
        return self.by_kind.get(kind, {}).get(key)


class Mention(NamedTuple):
    """One entity mention before linking (a tuple: linking decodes hundreds of thousands)."""

    article_id: str
    start_char: int
    end_char: int
    text: str
    label: str
    kind: str
    key: str
    source_rule: str  # ner | ruler | surname


@functools.lru_cache(maxsize=NAMES_CACHED)
def entity_key(text: str) -> str:
    """Normalized form used to compare names: `the U.S.'s` → `us`."""
    text = _POSSESSIVE.sub("", text.strip())
    text = _LEADING_DET.sub("", text)
    text = text.replace(".", "")
    text = _NON_WORD.sub(" ", text)
    return _SPACES.sub(" ", text).strip().casefold()


@functools.lru_cache(maxsize=NAMES_CACHED)
def _display(text: str) -> str:
    text = _POSSESSIVE.sub("", _SPACES.sub(" ", text.strip()))
    return _LEADING_DET.sub("", text)


_HYPHEN_PARTS = re.compile(r"[A-Z][\w.]*(?:\s+[A-Z][\w.]*)*")


def mentions(article_id: str, doc: Doc) -> Iterable[Mention]:
    """Named-entity mentions of one parsed article (values such as dates excluded).

    Hyphenated compounds of names ("U.S.-Russia", "Trump-Putin") are split into one
    mention per name, since each part is an entity of its own.
    """
    for ent in doc.ents:
        kind = KIND_OF_LABEL.get(ent.label_)
        if kind is None:
            continue
        from_ruler = ent.ent_id_ != ""
        parts = _hyphen_parts(ent.text) if not from_ruler else None
        if parts:
            for start, end in parts:
                text = ent.text[start:end]
                yield Mention(article_id, ent.start_char + start, ent.start_char + end, text, ent.label_, kind, entity_key(text), "ner")
            continue
        key = entity_key(ent.text)
        if key:
            yield Mention(article_id, ent.start_char, ent.end_char, ent.text, ent.label_, kind, key, "ruler" if from_ruler else "ner")


def _hyphen_parts(text: str) -> list[tuple[int, int]] | None:
    """Spans of the names in `A-B` compounds of capitalized names, else None."""
    if "-" not in text or " " in text:
        return None
    pieces = text.split("-")
    if len(pieces) < 2 or not all(p[:1].isupper() for p in pieces):
        return None
    spans, pos = [], 0
    for piece in pieces:
        spans.append((pos, pos + len(piece)))
        pos += len(piece) + 1
    return spans


def with_bare_surnames(found: list[Mention], doc: Doc) -> list[Mention]:
    """Add the bare surnames the model missed ("Trump" after "Donald Trump" in the same article)."""
    surnames = {m.text.split()[-1] for m in found if m.kind == "person" and " " in m.text.strip()}
    if not surnames:
        return found
    covered = [False] * (doc[-1].idx + len(doc[-1].text_with_ws) + 1 if len(doc) else 1)
    for m in found:
        for i in range(m.start_char, m.end_char):
            covered[i] = True
    extra = [
        Mention(found[0].article_id, t.idx, t.idx + len(t), t.text, "PERSON", "person", entity_key(t.text), "surname")
        for t in doc
        if t.text in surnames and t.pos_ == "PROPN" and not covered[t.idx]
    ]
    return sorted(found + extra, key=lambda m: (m.start_char, m.end_char))


def link(all_mentions: list[Mention], aliases: AliasTable) -> list[tuple[str, str]]:
    """(entity_id, canonical_name) for each mention, in the same order."""
    return [linked for batch in link_batches(lambda: [all_mentions], aliases) for linked in batch]


@dataclass
class _LinkIndex:
    """What linking needs to know about the whole corpus: it grows with the distinct names, not the mentions."""

    kinds_of_key: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    #: How often each one-word key is tagged PERSON (to outvote a place alias only by the corpus's majority).
    person_keys: Counter[str] = field(default_factory=Counter)
    full_global: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    surfaces: dict[tuple[str, str], Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    #: (kind, key) as found -> the base (kind, key) the alias table gives it: each pass asks again.
    base_of: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)


def link_batches(
    batches: Callable[[], Iterable[Sequence[Mention]]], aliases: AliasTable
) -> Iterator[list[tuple[str, str]]]:
    """`link` over batches of whole articles' mentions: (entity_id, canonical_name) per mention, per batch.

    `batches` is called once per pass (four passes), each time walking the same batches in the
    same order; a batch must hold all mentions of its articles. Only one batch of mentions and the
    corpus-wide index are held, so memory grows with the distinct names, not the mentions.
    """
    index = _LinkIndex()
    # The same name labeled ORG in one place and GPE in another is one entity: the kind it has
    # most often wins (ties go to place), so "Russia" tagged ORG joins "Russia" tagged GPE.
    for batch in batches():
        for kind, key in _alias_keys(batch, aliases, index):
            if kind in {"org", "place"}:
                index.kinds_of_key[key][kind] += 1
            elif kind == "person" and " " not in key:
                index.person_keys[key] += 1
    # Surnames link to the full person names ending in them: in the same article first, then the corpus.
    for batch in batches():
        for surnames in _full_names_by_article(batch, _majority_kinds(batch, aliases, index)).values():
            for surname, keys in surnames.items():
                index.full_global[surname] |= keys
    for batch in batches():
        for m, kk in zip(batch, _linked_keys(batch, aliases, index), strict=True):
            if _display(m.text) and entity_key(m.text) == kk[1]:
                index.surfaces[kk][_display(m.text)] += 1
    for batch in batches():
        yield [_entity(kind, key, aliases, index) for kind, key in _linked_keys(batch, aliases, index)]


def _alias_keys(batch: Sequence[Mention], aliases: AliasTable, index: _LinkIndex) -> list[tuple[str, str]]:
    """Base (kind, key) per mention: the alias's key if the table knows it, else its own (honorifics
    dropped for people)."""
    base_of = index.base_of
    base: list[tuple[str, str]] = []
    for m in batch:
        found = (m.kind, m.key)
        known = base_of.get(found)
        if known is None:
            known = base_of[found] = _alias_key(m.kind, m.key, aliases)
        base.append(known)
    return base


def _alias_key(kind: str, key: str, aliases: AliasTable) -> tuple[str, str]:
    if kind == "person":
        key = _HONORIFIC.sub("", key)
    if kind == "org" and aliases.canonical("org", key) is None and aliases.canonical("place", key):
        kind = "place"  # a country name tagged ORG ("U.S." in "U.S.-Russia")
    alias = aliases.canonical(kind, key)
    return (kind, entity_key(alias) if alias else key)


def _majority_kinds(batch: Sequence[Mention], aliases: AliasTable, index: _LinkIndex) -> list[tuple[str, str]]:
    kinds_of_key = index.kinds_of_key
    return [
        (max(sorted(kinds_of_key[key]), key=lambda k: (kinds_of_key[key][k], k == "place")), key)
        if kind in {"org", "place"}
        else (kind, key)
        for kind, key in _alias_keys(batch, aliases, index)
    ]


def _full_names_by_article(batch: Sequence[Mention], base: Sequence[tuple[str, str]]) -> dict[str, dict[str, set[str]]]:
    """Article → surname → the full person keys ending in it, in this batch's articles."""
    full_by_article: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for m, (kind, key) in zip(batch, base, strict=True):
        if kind == "person" and " " in key:
            last = key.rsplit(" ", 1)[1]
            for surname in {last, last.rsplit("-", 1)[-1]}:
                full_by_article[m.article_id][surname].add(key)
    return full_by_article


def _linked_keys(batch: Sequence[Mention], aliases: AliasTable, index: _LinkIndex) -> list[tuple[str, str]]:
    """The (kind, key) each mention links to, once the corpus's kinds and full names are known."""
    base = _majority_kinds(batch, aliases, index)
    full_by_article = _full_names_by_article(batch, base)
    # The small model often labels a known person's surname ORG or GPE ("Trump" as ORG): a
    # one-word mention of another kind that is a person's surname in the same article is that person.
    base = [
        ("person", key)
        if kind in {"org", "place", "norp"} and " " not in key and key in full_by_article[m.article_id]
        and aliases.canonical(kind, key) is None
        else (kind, key)
        for m, (kind, key) in zip(batch, base, strict=True)
    ]
    linked: list[tuple[str, str]] = []
    for m, (kind, key) in zip(batch, base, strict=True):
        place = aliases.canonical("place", key) if kind == "person" and " " not in key else None
        if (
            place and key not in full_by_article[m.article_id] and aliases.canonical("person", key) is None
            and index.kinds_of_key.get(entity_key(place), {}).get("place", 0) > index.person_keys[key]
        ):
            # a known place that the corpus mostly tags as a place outranks a mis-tagged PERSON label
            # ("Russia", "U.S." as PERSON once among dozens of GPE), unless the article names a person
            # with that surname ("Michael Jordan … Jordan")
            linked.append(("place", entity_key(place)))
            continue
        if kind == "person" and " " not in key:
            local = full_by_article[m.article_id].get(key, set())
            if len(local) == 1:
                key = next(iter(local))
            elif not local and len(index.full_global.get(key, ())) == 1:
                key = next(iter(index.full_global[key]))
        linked.append((kind, key))
    return linked


def _entity(kind: str, key: str, aliases: AliasTable, index: _LinkIndex) -> tuple[str, str]:
    """(entity_id, canonical name): the alias's name, else the most frequent longest surface form of the key."""
    alias = aliases.canonical(kind, key)
    if alias:
        name = alias
    elif index.surfaces.get((kind, key)):
        name = min(index.surfaces[(kind, key)].items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))[0]
    else:
        name = key.title()
    return f"{kind}:{_SLUG.sub('_', key).strip('_') or 'x'}", name


def entity_mentions(articles: pa.Table, sentences: pa.Table, docs: Mapping[str, Doc]) -> list[tuple[Mention, str]]:
    """(mention, sentence_id) for every named mention inside a sentence of the accepted articles.

    Per-article work: the run calls it on one batch of articles at a time; linking needs them all.
    """
    lookup = SentenceLookup(sentences)
    found: list[tuple[Mention, str]] = []
    for article_id, status in zip(articles["article_id"].to_pylist(), articles["status"].to_pylist(), strict=True):
        if status != "ok":
            continue
        doc = docs[article_id]
        for m in with_bare_surnames(list(mentions(article_id, doc)), doc):
            sid = lookup.find(article_id, m.start_char, m.end_char)
            if sid is not None:  # mentions in headings are not part of any sentence
                found.append((m, sid))
    return found


def mentions_to_table(found: Sequence[tuple[Mention, str]]) -> pa.Table:
    """Mentions (before linking) as rows, for the per-article cache."""
    return table_from_rows(
        [
            {"article_id": m.article_id, "sentence_id": sid, "start_char": m.start_char, "end_char": m.end_char,
             "text": m.text, "label": m.label, "kind": m.kind, "key": m.key, "source_rule": m.source_rule}
            for m, sid in found
        ],
        MENTIONS,
    )


def mentions_from_table(table: pa.Table) -> list[tuple[Mention, str]]:
    """The inverse of mentions_to_table, in the table's row order."""
    columns = [table[name].to_pylist() for name in Mention._fields]
    return list(zip(itertools.starmap(Mention, zip(*columns, strict=True)), table["sentence_id"].to_pylist(), strict=True))


def entity_table(found: Sequence[tuple[Mention, str]], ids: Sequence[tuple[str, str]]) -> pa.Table:
    """Entities rows for mentions and their linked (entity_id, canonical_name); whole articles at a time."""
    rows: list[dict[str, object]] = []
    counters: Counter[str] = Counter()
    for (m, sid), (entity_id, name) in zip(found, ids, strict=True):
        n = counters[m.article_id]
        counters[m.article_id] += 1
        rows.append(
            {
                "mention_id": f"{m.article_id}/e{n:04d}",
                "article_id": m.article_id,
                "sentence_id": sid,
                "start_char": m.start_char,
                "end_char": m.end_char,
                "text": m.text,
                "label": m.label,
                "entity_id": entity_id,
                "canonical_name": name,
                "source_rule": m.source_rule,
            }
        )
    return table_from_rows(rows, ENTITIES)


def annotate_entities(
    articles: pa.Table, sentences: pa.Table, docs: Mapping[str, Doc], *, aliases: AliasTable
) -> pa.Table:
    """The entities table: every named mention inside a sentence, with cross-article entity ids."""
    found = entity_mentions(articles, sentences, docs)
    return entity_table(found, link([m for m, _ in found], aliases))
