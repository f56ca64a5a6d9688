"""Claim stage: check-worthy factual statements, decontextualized and structured.

Built on the dependency parse, the entity and timex tables and a small trained
check-worthiness model: no LLM, no network. For each sentence:

1. *selection* rejects questions, imperatives, the article talking about itself,
   exhortations and opinions, and keeps clauses with something checkable in them
   (a named entity, a number, a date);
2. *clauses*: reported speech ("X said that …") yields the reported clause,
   attributed to X; coordinated clauses with their own verbs yield one claim each;
3. *decontextualization* replaces pronouns and short definite descriptions by
   their antecedents in the same article where one is clear, and lists what it
   could not resolve;
4. *structure*: subject, predicate (lemma + particle, light verbs folded in),
   object, time, place, quantity, negation, hedging, attribution.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
import pyarrow as pa
from spacy.tokens import Doc, Span, Token

from .config import MODELS_DIR, read_json_data
from .errors import ModelError
from .quantities import NAMING_DETERMINERS, Quantity, duration_seconds, mod_before, quantities
from .schemas import CLAIMS, table_from_rows
from .spans import ents_in

LEXICON_PATH = MODELS_DIR / "claims" / "lexicon.json"

_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj", "csubjpass"})
_OBJECT_DEPS = ("dobj", "attr", "acomp", "oprd", "dative", "xcomp")
_PRONOUN_FORMS = {
    "he": "subj", "she": "subj", "him": "obj", "her": "obj_or_poss", "his": "poss", "hers": "poss",
    "they": "subj", "them": "obj", "their": "poss", "theirs": "poss",
    "it": "subj", "its": "poss",
}
_PLURAL_PRONOUNS = frozenset({"they", "them", "their", "theirs"})
_DEMONSTRATIVES = frozenset({"this", "these", "that", "those"})
_DEFINITE = _DEMONSTRATIVES | {"the", "both"}
_NOT_DESCRIPTION = _DEMONSTRATIVES | {"a", "an"}
_PLACE_PREPS = frozenset({"in", "at", "near", "outside", "inside", "from", "to"})


class Scorer(Protocol):
    """What claim extraction needs from the check-worthiness model."""

    def score(self, texts: Sequence[str], *, docs: Sequence[Span] | None = None) -> np.ndarray: ...


@dataclass(frozen=True, slots=True)
class ClaimLexicon:
    """Word lists from models/claims/lexicon.json."""

    reporting_verbs: frozenset[str]
    opinion_verbs: frozenset[str]
    self_reference_nouns: frozenset[str]
    self_reference_verbs: frozenset[str]
    importance_adjectives: frozenset[str]
    evaluative_adjectives: frozenset[str]
    evaluative_verbs: frozenset[str]
    likelihood_words: frozenset[str]
    attention_verbs: frozenset[str]
    degree_adverbs: frozenset[str]
    measured_attention_verbs: frozenset[str]
    framing_nouns: frozenset[str]
    framing_verbs: frozenset[str]
    intent_verbs: frozenset[str]
    hedge_words: frozenset[str]
    hedge_modals: frozenset[str]
    hedge_verbs: frozenset[str]
    exhortation_modals: frozenset[str]
    light_verbs: Mapping[str, frozenset[str]]
    first_person: frozenset[str]
    plural_person_descriptions: frozenset[str]
    plural_country_descriptions: frozenset[str]
    description_heads: Mapping[str, str]

    @classmethod
    def load(cls, path: Path = LEXICON_PATH) -> ClaimLexicon:
        """Read the lexicon, with a clear error naming the file when it is missing or malformed."""
        raw = read_json_data(path, "claim lexicon")
        try:
            return cls(
                light_verbs={k: frozenset(v) for k, v in raw["light_verbs"].items()},
                description_heads=dict(raw["description_heads"]),
                **{
                    name: frozenset(w.lower() for w in raw[name])
                    for name in cls.__dataclass_fields__
                    if name not in {"light_verbs", "description_heads"}
                },
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise ModelError(f"{path}: cannot read claim lexicon: {exc!r}") from exc


@dataclass(frozen=True, slots=True)
class EntityRef:
    """An entity mention of the article, from entities.parquet."""

    start_char: int
    end_char: int
    entity_id: str
    name: str
    kind: str


@dataclass(frozen=True, slots=True)
class TimexRef:
    """A temporal expression of the article, from timexes.parquet."""

    timex_id: str
    start_char: int
    end_char: int
    type: str
    value: str
    start_date: object
    end_date: object
    mod: str | None = None


@dataclass(slots=True)
class Discourse:
    """What earlier sentences of the article offer as antecedents."""

    #: (sentence number, entity id, name, was a subject) per person mention, in order.
    persons: list[tuple[int, str, str, bool]] = field(default_factory=list)
    #: kind → [(sentence number, entity id, name)] for non-person entities.
    others: dict[str, list[tuple[int, str, str]]] = field(default_factory=lambda: defaultdict(list))
    #: head lemma → (sentence number, noun phrase text, entity ids) of the last full noun phrase.
    phrases: dict[str, tuple[int, str, tuple[str, ...]]] = field(default_factory=dict)
    #: subject of the previous sentence: (text, entity ids, is plural person list).
    last_subject: tuple[str, tuple[str, ...], str | None] | None = None


@dataclass(slots=True)
class Claim:
    """One extracted claim before it becomes a table row."""

    start_char: int
    end_char: int
    text: str
    original_text: str
    subject: str | None
    predicate: str | None
    object: str | None
    negated: bool
    hedged: bool
    attributed_to: str | None
    place: str | None
    timexes: list[TimexRef]
    quantity: Quantity | None
    entity_ids: list[str]
    unresolved: list[str]


# ----------------------------------------------------------------------------------------- selection


#: A "sentence" longer than this is text without full stops (a list, a table, a scrape), not one
#: claim: the longest real one in BBC and ECB+ is 1,512 characters. Past it, claims and their
#: matching would cost time out of proportion to the article.
MAX_CLAIM_CHARS = 2_000


def rejection(sent: Span, *, lex: ClaimLexicon) -> str | None:
    """Why a sentence yields no claim (question, imperative, self-reference, exhortation, opinion, too long), or None."""
    if sent.end_char - sent.start_char > MAX_CLAIM_CHARS:
        return "too_long"
    text = sent.text.strip()
    if not text or text.endswith("?"):
        return "question"
    toks = list(sent)  # each walk over a Span makes new Token objects: walk it once
    tokens = [t for t in toks if not t.is_punct and not t.is_space]
    if not tokens:
        return "empty"
    root = sent.root
    lowers = [t.lower_ for t in tokens]
    if lowers[0] in {"let", "let's"} or (lowers[0] == "let" and len(lowers) > 1 and lowers[1] in {"'s", "us"}):
        return "imperative"
    if root.tag_ == "VB" and not any(c.dep_ in _SUBJECT_DEPS for c in root.children) and not any(
        c.dep_ in {"aux", "auxpass"} for c in root.children
    ):
        return "imperative"
    # The article talking about itself: "this article delves…", "in this section…", "we will examine…".
    for t in toks:
        if t.lemma_.lower() in lex.self_reference_nouns and any(
            c.lower_ in {"this", "our"} for c in t.children if c.dep_ in {"det", "poss"}
        ):
            if t.lemma_.lower() not in {"report", "story", "discussion"} or t.dep_ in _SUBJECT_DEPS:
                return "self_reference"
    subjects = [c for c in root.children if c.dep_ in _SUBJECT_DEPS]
    subject_words = {s.lower_ for s in subjects}
    if subject_words & {"we", "you"} or any(t.lower_ == "guys" for t in tokens[:2]):
        return "self_reference"
    if any(t.lower_ in {"us", "you"} and t.dep_ in {"dobj", "nsubj", "dative"} and t.head.lemma_ in {"help", "allow", "let", "give", "provide", "offer"} for t in toks):
        return "self_reference"
    if root.lemma_.lower() in lex.self_reference_verbs and subject_words & {"it", "this"} and not _has_value(sent):
        return "self_reference"  # "It also examines the broader implications…"
    # Exhortation: "understanding X is crucial", "it is essential to…", "X should…".
    if any(t.lower_ in lex.exhortation_modals and t.head == root for t in toks):
        return "exhortation"
    complements = [c for c in root.children if c.dep_ in {"acomp", "attr"}]
    if root.lemma_ == "be" and any(_adjective_in(c, lex.importance_adjectives) for c in complements):
        if any(s.tag_ == "VBG" or s.dep_ == "csubj" or s.lower_ in {"it", "this", "that"} or s.lemma_ in {"need", "importance"} for s in subjects) or not subjects:
            return "exhortation"
    if subjects and subjects[0].tag_ == "VBG" and root.lemma_ in {"be", "help", "require", "demand", "remain", "allow"}:
        return "exhortation"
    if root.lemma_ in {"require", "demand", "need"} and not _has_checkable(sent):
        return "exhortation"
    # Opinion: first-person beliefs, evaluative statements with nothing checkable.
    if root.lemma_ in lex.opinion_verbs and subject_words & {"i", "we"}:
        return "opinion"
    if not _has_checkable(sent):
        return "nothing_checkable"
    if subject_words & {"i"} and root.lemma_.lower() not in lex.reporting_verbs:
        return "opinion"  # first-person statements outside reported speech
    if any(c.lower_ in {"will", "'ll"} and c.dep_ == "aux" for c in root.children) and not _has_value(sent):
        return "opinion"  # predictions
    if any(t.lower_ in {"likely", "unlikely", "perhaps", "arguably"} for t in toks) and not _has_value(sent):
        return "opinion"
    if root.lemma_ == "be" and any(_adjective_in(c, lex.evaluative_adjectives) for c in complements) and not _has_value(sent):
        return "opinion"
    if root.lemma_.lower() in lex.evaluative_verbs and not _has_value(sent):
        return "opinion"
    if any(c.lower_ in {"may", "might", "could"} and c.dep_ == "aux" for c in root.children) and not _has_value(sent):
        return "opinion"
    if (
        root.lemma_.lower() in lex.intent_verbs
        and any(c.dep_ == "xcomp" for c in root.children)
        and any(c.dep_ == "aux" and c.lemma_ == "have" for c in root.children)
        and not _has_value(sent)
    ):
        return "opinion"  # a motive over time: "Putin has consistently sought to challenge the U.S.-led order"
    return None


def _framing(root: Token, *, lex: ClaimLexicon) -> str | None:
    """Why the clause of this verb is no claim whatever it names or dates (prediction, evaluation,
    scene-setting), or None."""
    children = list(root.children)
    if any(c.lower_ in {"will", "'ll"} and c.dep_ == "aux" for c in children) and any(c.lower_ in lex.likelihood_words for c in children):
        return "prediction"  # "The legacy … will likely shape the dynamics … for years to come"
    complements = [c for c in children if c.dep_ in {"attr", "acomp", "dobj"}]
    # the verb, its complements and their modifiers ("closely watched events"), not the clauses inside them
    heads = complements + [p for c in complements for r in c.children if r.dep_ == "prep" for p in r.children if p.dep_ == "pobj"]
    watched = [root, *heads, *(m for h in heads for m in h.children if m.dep_ == "amod")]
    if any(
        t.lemma_.lower() in lex.attention_verbs
        and t.tag_ == "VBN"  # a participle: "closely watched", not "closely watches"
        and any(
            a.dep_ == "advmod" and (a.lower_ in lex.degree_adverbs or (a.lower_ == "most" and t.lemma_.lower() not in lex.measured_attention_verbs))
            for a in t.children
        )
        and not any(a.dep_ == "agent" for a in t.children)
        for t in watched
    ):
        return "evaluation"  # "The meetings … have been closely watched events on the world stage"
    if root.lemma_.lower() in lex.framing_verbs:
        named = complements + [p for c in children if c.dep_ == "prep" and c.lower_ == "as" for p in c.children if p.dep_ == "pobj"]
        if any(c.lemma_.lower() in lex.framing_nouns for c in named):
            return "scene_setting"  # "The US-Russia relationship is a key factor in international security"
    return None


def _adjective_in(token: Token, words: frozenset[str]) -> bool:
    return token.lemma_.lower() in words or any(
        c.lemma_.lower() in words for c in token.subtree if c.pos_ == "ADJ"
    )


def _has_value(span: Span) -> bool:
    """A number or a date: something a fact-checker can compare ("the two leaders" is not one)."""
    return any(
        e.label_ in {"DATE", "TIME", "CARDINAL", "QUANTITY", "MONEY", "PERCENT"} and not naming_number(e) for e in ents_in(span)
    )


def naming_number(ent: Span) -> bool:
    """A number that names a group rather than counting: `the two leaders`, `both countries`."""
    doc = ent.doc
    return ent.label_ == "CARDINAL" and ent.start > 0 and doc[ent.start - 1].lower_ in NAMING_DETERMINERS


def _has_checkable(span: Span) -> bool:
    """A value, or a named entity other than a nationality."""
    return _has_value(span) or any(e.label_ not in {"NORP", "ORDINAL"} for e in ents_in(span))


# ----------------------------------------------------------------------------------------- clauses


@dataclass(frozen=True, slots=True)
class Clause:
    """A claim-bearing clause: its verb, its subject (own or shared) and who reported it."""

    verb: Token
    subject: Token | None
    shared_subject: bool
    attributed_to: Span | None
    hedge_verb: Token | None
    #: "X did not conclude that Y": the claim keeps the whole sentence as its text, with Y's
    #: structure, attributed to X and negated.
    denied_report: bool = False


def clauses(sent: Span, *, lex: ClaimLexicon) -> list[Clause]:
    """The claim-bearing clauses of a sentence: reported content first, then coordinated verbs."""
    root = sent.root
    attributed: Span | None = None
    content = root
    reported = [c for c in root.children if c.dep_ in {"ccomp", "parataxis"} and c.pos_ in {"VERB", "AUX"}]
    denied = False
    if root.lemma_.lower() in lex.reporting_verbs and reported:
        speaker = next((c for c in root.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
        if speaker is not None and speaker.lower_ not in {"it"}:
            attributed = _subtree_span(speaker)
            content = reported[0]
            denied = any(c.dep_ == "neg" for c in root.children)
            if denied:
                return [Clause(content, _subject_of(content), False, attributed, None, denied_report=True)]
    according = _according_to(sent)
    if according is not None and attributed is None:
        attributed = according
    hedge_verb = None
    if content.lemma_.lower() in lex.hedge_verbs:
        xcomp = next((c for c in content.children if c.dep_ == "xcomp" and c.pos_ in {"VERB", "AUX"}), None)
        if xcomp is not None:
            hedge_verb, content = content, xcomp
    heads = [content] + [c for c in _conjuncts(content) if c.pos_ in {"VERB", "AUX"}]
    out: list[Clause] = []
    first_subject = _subject_of(hedge_verb or content)
    for verb in heads:
        own = _subject_of(verb)
        out.append(
            Clause(
                verb=verb,
                subject=own or first_subject,
                shared_subject=own is None and verb is not content,
                attributed_to=attributed,
                hedge_verb=hedge_verb if verb is content else None,
            )
        )
    return out


def _conjuncts(verb: Token) -> list[Token]:
    out = []
    for c in verb.children:
        if c.dep_ == "conj":
            out.append(c)
            out.extend(_conjuncts(c))
    return out


def _subject_of(verb: Token | None) -> Token | None:
    if verb is None:
        return None
    return next((c for c in verb.children if c.dep_ in _SUBJECT_DEPS), None)


def _subtree_span(token: Token) -> Span:
    doc = token.doc
    left = token.left_edge.i
    right = token.right_edge.i + 1
    span = doc[left:right]
    while len(span) > 1 and span[-1].is_punct:
        span = doc[span.start : span.end - 1]
    while len(span) > 1 and span[0].is_punct:
        span = doc[span.start + 1 : span.end]
    return span


def _according_to(sent: Span) -> Span | None:
    for t in sent:
        if t.lower_ == "according":
            to = next((c for c in t.children if c.lower_ == "to"), None)
            if to is not None:
                obj = next((c for c in to.children if c.dep_ == "pobj"), None)
                if obj is not None:
                    return _subtree_span(obj)
    return None


def _clause_tokens(clause: Clause, sent: Span, n_clauses: int) -> list[Token]:
    """Tokens of the clause's own text: the whole sentence for a single clause, else its verb's
    subtree without the other coordinated clauses."""
    if (n_clauses == 1 and clause.attributed_to is None) or clause.denied_report:
        return [t for t in sent]
    verb = clause.hedge_verb or clause.verb
    excluded: set[int] = set()
    for c in verb.children:
        if c.dep_ == "conj" and c.pos_ in {"VERB", "AUX"}:
            excluded.update(t.i for t in c.subtree)
        if c.dep_ == "cc" and any(x.dep_ == "conj" and x.pos_ in {"VERB", "AUX"} for x in verb.children):
            excluded.add(c.i)
        if c.dep_ == "mark":
            excluded.add(c.i)
    tokens = [t for t in verb.subtree if t.i not in excluded and sent.start <= t.i < sent.end]
    while tokens and (tokens[-1].is_punct or tokens[-1].dep_ == "cc"):
        tokens.pop()
    while tokens and (tokens[0].is_punct or tokens[0].dep_ in {"cc", "mark"} or tokens[0].lower_ == "that"):
        tokens.pop(0)
    return tokens


# ----------------------------------------------------------------------------------------- structure


def predicate_of(verb: Token, *, lex: ClaimLexicon) -> tuple[str, Token | None]:
    """(predicate, object token folded into it): lemma with particle; light verbs keep their noun."""
    lemma = verb.lemma_.lower()
    particle = next((c for c in verb.children if c.dep_ == "prt"), None)
    if particle is not None:
        return f"{lemma} {particle.lower_}", None
    dobj = next((c for c in verb.children if c.dep_ == "dobj"), None)
    if dobj is not None and lemma in lex.light_verbs and dobj.lemma_.lower() in lex.light_verbs[lemma]:
        if not any(c.dep_ in {"det", "amod", "compound", "poss", "nummod"} and c.lower_ not in {"a", "an"} for c in dobj.children):
            return f"{lemma} {dobj.lemma_.lower()}", dobj
    return lemma, None


def object_of(verb: Token, folded: Token | None) -> Token | None:
    """The object or complement of a verb (first prepositional object when it has none)."""
    for dep in _OBJECT_DEPS:
        for c in verb.children:
            if c.dep_ == dep and c is not folded:
                return c
    for c in verb.children:
        if c.dep_ == "agent" and any(x.dep_ == "pobj" for x in c.children):
            return c  # passive "led by Robert Mueller": the agent
    for c in verb.children:
        if c.dep_ == "prep" and c.lower_ not in _PLACE_PREPS | {"during", "on", "since", "after", "before", "until"}:
            obj = next((x for x in c.children if x.dep_ == "pobj"), None)
            if obj is not None:
                return c
    return None


def is_negated(verb: Token, tokens: Sequence[Token]) -> bool:
    """Negation on the verb or its auxiliaries, `never`, or a `no` determiner on subject or object."""
    heads = {verb} | {c for c in verb.children if c.dep_ in {"aux", "auxpass"}}
    if any(c.dep_ == "neg" or c.lower_ in {"never", "not", "n't"} for h in heads for c in h.children):
        return True
    for c in verb.children:
        if c.dep_ in _SUBJECT_DEPS | {"dobj", "attr"} and any(d.lower_ == "no" and d.dep_ == "det" for d in c.children):
            return True
        if c.dep_ in _SUBJECT_DEPS and c.lower_ in {"nobody", "nothing", "none"}:
            following = c.doc[c.i + 1].lower_ if c.i + 1 < len(c.doc) else ""
            if following not in {"less", "more", "short"}:  # "nothing less than …" affirms
                return True
    return False


def is_hedged(verb: Token, tokens: Sequence[Token], hedge_verb: Token | None, *, lex: ClaimLexicon) -> bool:
    """`reportedly`, `may have`, `appeared to`, `likely`…"""
    if hedge_verb is not None:
        return True
    if any(c.lower_ in lex.hedge_modals and c.dep_ == "aux" for c in verb.children):
        return True
    return any(t.lower_ in lex.hedge_words for t in tokens)


# ----------------------------------------------------------------------------------------- decontextualization


class _Resolver:
    """Replaces pronouns and short definite descriptions with antecedents from earlier in the article."""

    def __init__(
        self,
        discourse: Discourse,
        sentence_no: int,
        sent_entities: list[EntityRef],
        lex: ClaimLexicon,
        noun_chunks: Mapping[int, Span] | None = None,
    ) -> None:
        #: Noun chunks of the article by first token index (computed once per article).
        self.noun_chunks = noun_chunks or {}
        self.d = discourse
        self.n = sentence_no
        self.sent_entities = sent_entities
        self.lex = lex

    def _persons_before(self, position: int) -> list[tuple[str, str]]:
        """Distinct persons in this sentence before `position`, most recent first."""
        seen: dict[str, str] = {}
        for e in sorted(self.sent_entities, key=lambda e: -e.start_char):
            if e.kind == "person" and e.end_char <= position and e.entity_id not in seen:
                seen[e.entity_id] = e.name
        return list(seen.items())

    def _reporting_speaker(self, token: Token) -> tuple[str, list[str]] | None:
        """In "Trump stated that he saw…", the subject pronoun of the reported clause is the speaker."""
        verb = token.head
        if token.dep_ not in {"nsubj", "nsubjpass"} or verb.dep_ != "ccomp":
            return None
        if verb.head.lemma_.lower() not in self.lex.reporting_verbs:
            return None
        subject = next((c for c in verb.head.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
        if subject is None:
            return None
        for e in self.sent_entities:
            if e.kind == "person" and e.start_char <= subject.idx < e.end_char:
                return e.name, [e.entity_id]
        return None

    def _recent_persons(self, back: int) -> list[tuple[str, str, bool]]:
        out: dict[str, tuple[str, bool]] = {}
        for n, eid, name, subj in self.d.persons:
            if self.n - back <= n < self.n:
                prev = out.get(eid)
                out[eid] = (name, subj or (prev[1] if prev else False))
        return [(eid, name, subj) for eid, (name, subj) in out.items()]

    def person(self, token: Token) -> tuple[str, list[str]] | None:
        """Antecedent of he/she/him/his/her: one person clearly in focus, else None."""
        speaker = self._reporting_speaker(token)
        if speaker is not None:
            return speaker
        here = self._persons_before(token.idx)
        if len(here) == 1:
            return here[0][1], [here[0][0]]
        if len(here) > 1:
            return None
        for back in (1, 2):
            recent = self._recent_persons(back)
            if len(recent) == 1:
                return recent[0][1], [recent[0][0]]
            subjects = [r for r in recent if r[2]]
            if len(subjects) == 1 and self.d.last_subject and subjects[0][0] in self.d.last_subject[1]:
                return subjects[0][1], [subjects[0][0]]
            if recent:
                return None
        return None

    def plural_persons(self) -> tuple[str, list[str]] | None:
        """`the two leaders`, `they`: exactly two persons in the recent sentences (this one included)."""
        for back in (0, 1, 2):
            people: dict[str, str] = {}
            for n, eid, name, _ in self.d.persons:
                if self.n - back <= n < self.n:
                    people[eid] = name
            if back == 0:
                people = {e.entity_id: e.name for e in self.sent_entities if e.kind == "person"}
            if len(people) == 2:
                ids = sorted(people, key=lambda e: people[e])
                return " and ".join(people[i] for i in ids), ids
            if len(people) > 2:
                return None
        return None

    def plural_places(self) -> tuple[str, list[str]] | None:
        """`the two countries`: exactly two places in the recent sentences."""
        for back in (1, 2, 3):
            places: dict[str, str] = {}
            for n, eid, name in self.d.others.get("place", []):
                if self.n - back <= n < self.n:
                    places[eid] = name
            if len(places) == 2:
                ids = sorted(places, key=lambda e: places[e])
                return " and ".join(places[i] for i in ids), ids
            if len(places) > 2:
                return None
        return None

    def description(self, head: Token) -> tuple[str, list[str]] | None:
        """`the treaty`, `this summit`: the last full phrase with that head, or the last entity of its kind."""
        lemma = head.lemma_.lower()
        phrase = self.d.phrases.get(_phrase_key(head))
        if phrase is not None and self.n - phrase[0] <= 3:
            return phrase[1], list(phrase[2])
        kind = self.lex.description_heads.get(lemma)
        if kind is None:
            return None
        if kind == "person":
            return self.person(head)
        candidates = [c for c in self.d.others.get(kind, []) if self.n - c[0] <= 3]
        if candidates:
            ids = {c[1] for c in candidates}
            if len(ids) == 1 or kind in {"law", "event"}:
                _, eid, name = candidates[-1]
                if kind == "event" and lemma not in name.lower():
                    name = f"the {name} {lemma}" if not name.lower().endswith(("summit", "meeting")) else f"the {name}"
                elif kind == "law" and not name.lower().startswith("the ") and lemma in {"treaty", "agreement", "accord", "pact"}:
                    name = f"the {name}" if "treaty" in name.lower() or "agreement" in name.lower() else name
                return name, [eid]
        return None


def decontextualize(
    tokens: Sequence[Token], resolver: _Resolver, *, covered: Sequence[EntityRef], lex: ClaimLexicon, sentence: bool = False
) -> tuple[str, list[str], list[str]]:
    """(text, extra entity ids, unresolved words) for a claim's tokens."""
    if not tokens:
        return "", [], []
    pieces: list[str] = []
    extra: list[str] = []
    unresolved: list[str] = []
    replaced_until = -1
    in_entity = {i for e in covered for i in range(e.start_char, e.end_char)}
    noun_chunks = resolver.noun_chunks
    for idx, t in enumerate(tokens):
        if t.i <= replaced_until:
            continue
        lower = t.lower_
        replacement: str | None = None
        chunk = noun_chunks.get(t.i)
        if chunk is not None and chunk.end - 1 <= tokens[-1].i and chunk[0].lower_ in _DEFINITE and t.idx not in in_entity:
            chunk_text = chunk.text.lower()
            found = None
            if chunk_text in lex.plural_person_descriptions or (chunk.root.lemma_ in {"leader", "president"} and chunk.root.tag_ == "NNS"):
                found = resolver.plural_persons()
            elif chunk_text in lex.plural_country_descriptions or (chunk.root.lemma_ in {"country", "nation", "power", "side"} and chunk.root.tag_ == "NNS"):
                found = resolver.plural_places()
            elif len(chunk) <= 3 and chunk.root.lemma_.lower() in lex.description_heads and chunk.root.tag_ in {"NN", "NNP"}:
                found = resolver.description(chunk.root)
                if found is None and chunk[0].lower_ in _DEMONSTRATIVES:
                    unresolved.append(chunk.text)
            if found is not None:
                replacement = found[0]
                extra.extend(found[1])
                replaced_until = chunk.end - 1
                ws = tokens[0].doc[chunk.end - 1].whitespace_
                pieces.append(_match_case(replacement, t, first=idx == 0) + ws)
                continue
        if t.tag_ in {"PRP", "PRP$"} and lower in _PRONOUN_FORMS and t.dep_ != "expl":
            if lower in _PLURAL_PRONOUNS:
                found = resolver.plural_persons() if lower != "it" else None
            elif lower in {"it", "its"}:
                found = None
                if t.dep_ not in {"nsubj", "nsubjpass", "dobj", "pobj", "poss"} or _pleonastic(t):
                    pieces.append(t.text_with_ws)
                    continue
            else:
                found = resolver.person(t)
            if found is not None:
                form = _PRONOUN_FORMS[lower]
                name = found[0]
                if form == "poss" or (form == "obj_or_poss" and t.tag_ == "PRP$"):
                    name = name + ("'" if name.endswith("s") else "'s")
                pieces.append(_match_case(name, t, first=idx == 0) + t.whitespace_)
                extra.extend(found[1])
                continue
            unresolved.append(t.text)
        elif lower in _DEMONSTRATIVES and t.dep_ in {"nsubj", "nsubjpass"} and t.pos_ == "PRON":
            unresolved.append(t.text)
        pieces.append(t.text_with_ws)
    text = "".join(pieces).strip()
    if sentence and text and text[0].islower():
        text = text[0].upper() + text[1:]
    return text, extra, unresolved


def _pleonastic(token: Token) -> bool:
    """`it` in `it is possible that…`, `it was reported that…`."""
    head = token.head
    return head.lemma_ == "be" and any(c.dep_ in {"ccomp", "xcomp", "acomp"} for c in head.children) and token.dep_ == "nsubj" and any(
        c.dep_ == "ccomp" for c in head.children
    )


def _match_case(name: str, token: Token, *, first: bool) -> str:
    if first and name[:4].lower() == "the ":
        return "The " + name[4:]
    return name


# ----------------------------------------------------------------------------------------- the stage


def extract_claims(
    articles: pa.Table,
    sentences: pa.Table,
    entities: pa.Table,
    timexes: pa.Table,
    docs: Mapping[str, Doc],
    *,
    scorer: Scorer,
    lexicon: ClaimLexicon,
    min_checkworthiness: float = 0.15,
) -> pa.Table:
    """The claims table: selected, decontextualized, structured claims with check-worthiness scores.

    Selection is the rules' (see `rejection`); the trained score only drops statements it finds
    nearly worthless (below `min_checkworthiness`), since debate transcripts are not news.
    """
    if not 0.0 <= min_checkworthiness <= 1.0:
        raise ValueError(f"min_checkworthiness must be in [0, 1], got {min_checkworthiness!r}")
    ents_by_article: dict[str, list[EntityRef]] = defaultdict(list)
    for row in entities.select(["article_id", "start_char", "end_char", "entity_id", "canonical_name"]).to_pylist():
        kind = row["entity_id"].split(":", 1)[0]
        ents_by_article[row["article_id"]].append(
            EntityRef(row["start_char"], row["end_char"], row["entity_id"], row["canonical_name"], kind)
        )
    timex_by_article: dict[str, list[TimexRef]] = defaultdict(list)
    for row in timexes.select(["timex_id", "article_id", "start_char", "end_char", "type", "value", "start_date", "end_date", "mod"]).to_pylist():
        timex_by_article[row.pop("article_id")].append(TimexRef(**row))
    sents_by_article: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    furniture = sentences["furniture"].to_pylist() if "furniture" in sentences.column_names else [None] * sentences.num_rows
    for sid, aid, start, end, reason in zip(
        sentences["sentence_id"].to_pylist(),
        sentences["article_id"].to_pylist(),
        sentences["start_char"].to_pylist(),
        sentences["end_char"].to_pylist(),
        furniture,
        strict=True,
    ):
        if reason is None:  # page furniture (credits, copyright lines, prompts) is never a claim
            sents_by_article[aid].append((sid, start, end))

    found: list[tuple[str, str, Claim, Span]] = []
    for article_id, status in zip(articles["article_id"].to_pylist(), articles["status"].to_pylist(), strict=True):
        if status != "ok" or article_id not in sents_by_article:
            continue
        for sentence_id, claim, span in article_claims(
            docs[article_id],
            sents_by_article[article_id],
            ents_by_article.get(article_id, []),
            timex_by_article.get(article_id, []),
            lex=lexicon,
        ):
            found.append((article_id, sentence_id, claim, span))
    scores = scorer.score([c.text for _, _, c, _ in found], docs=[s for _, _, _, s in found]) if found else []
    rows: list[dict[str, object]] = []
    per_article: dict[str, int] = defaultdict(int)
    for (article_id, sentence_id, claim, _), score in zip(found, scores, strict=True):
        score = float(np.clip(score, 0.0, 1.0))
        if score < min_checkworthiness:
            continue  # the rules found a statement, the model finds nothing worth checking in it
        row = _row(article_id, sentence_id, per_article[article_id], claim)
        row["checkworthiness"] = score
        per_article[article_id] += 1
        rows.append(row)
    return table_from_rows(rows, CLAIMS)


def article_claims(
    doc: Doc,
    sentence_spans: Sequence[tuple[str, int, int]],
    entities: Sequence[EntityRef],
    timexes: Sequence[TimexRef],
    *,
    lex: ClaimLexicon,
) -> list[tuple[str, Claim, Span]]:
    """(sentence_id, claim, span) for one article's sentences, in order."""
    discourse = Discourse()
    chunks = {c.start: c for c in doc.noun_chunks}
    out: list[tuple[str, Claim, Span]] = []
    ents_sorted = sorted(entities, key=lambda e: e.start_char)
    ent_starts = [e.start_char for e in ents_sorted]
    # sentences are looked up by offset, not scanned: 12,000 sentences and timexes made 144M checks
    timexes_sorted = sorted(timexes, key=lambda t: t.start_char)
    timex_starts = [t.start_char for t in timexes_sorted]
    for number, (sentence_id, start, end) in enumerate(sentence_spans):
        sent = doc.char_span(start, end, alignment_mode="expand")
        if sent is None or len(sent) == 0:
            continue
        sent_entities = [
            e for e in ents_sorted[bisect.bisect_left(ent_starts, start) : bisect.bisect_left(ent_starts, end)] if e.end_char <= end
        ]
        sent_timexes = [
            t for t in timexes_sorted[bisect.bisect_left(timex_starts, start) : bisect.bisect_left(timex_starts, end)] if t.end_char <= end
        ]
        resolver = _Resolver(discourse, number, sent_entities, lex, chunks)
        if rejection(sent, lex=lex) is None:
            found = clauses(sent, lex=lex)
            for clause in found:
                if _framing(clause.verb, lex=lex) is not None:
                    continue  # a prediction, evaluation or scene-setting, beside the sentence's other clauses
                claim = _build_claim(clause, sent, len(found), resolver, sent_entities, sent_timexes, lex=lex)
                if claim is not None:
                    out.append((sentence_id, claim, sent))
        _remember(discourse, number, sent, sent_entities, lex=lex)
    return out


def _build_claim(
    clause: Clause,
    sent: Span,
    n_clauses: int,
    resolver: _Resolver,
    sent_entities: Sequence[EntityRef],
    sent_timexes: Sequence[TimexRef],
    *,
    lex: ClaimLexicon,
) -> Claim | None:
    tokens = _clause_tokens(clause, sent, n_clauses)
    if not tokens:
        return None
    doc = sent.doc
    start_char = tokens[0].idx
    end_char = tokens[-1].idx + len(tokens[-1].text)
    span = doc.char_span(start_char, end_char, alignment_mode="expand")
    if span is None or not _has_checkable(span):
        return None
    covered = [e for e in sent_entities if start_char <= e.start_char and e.end_char <= end_char]
    text, extra_ids, unresolved = decontextualize(tokens, resolver, covered=covered, lex=lex, sentence=True)
    subject_text = None
    if clause.subject is not None:
        subject_tokens = [t for t in clause.subject.subtree if sent.start <= t.i < sent.end]
        subject_text, subject_ids, _ = decontextualize(subject_tokens, resolver, covered=sent_entities, lex=lex)
        if clause.shared_subject:
            text = f"{subject_text[:1].upper()}{subject_text[1:]} {text[0].lower() + text[1:] if text[:1].isupper() and not tokens[0].pos_ == 'PROPN' else text}"
            extra_ids.extend(subject_ids)
    if text and text[-1] not in ".!?\"'”":
        text += "."
    predicate, folded = predicate_of(clause.verb, lex=lex)
    obj = object_of(clause.verb, folded)
    object_text = None
    if obj is not None:
        object_text, _, _ = decontextualize([t for t in obj.subtree if sent.start <= t.i < sent.end], resolver, covered=sent_entities, lex=lex)
        if obj.dep_ in {"prep", "agent"}:
            predicate = f"{predicate} {obj.lower_}"
            object_text = object_text.split(" ", 1)[1] if " " in object_text else object_text
    attributed = None
    if clause.attributed_to is not None:
        attributed, _, _ = decontextualize(list(clause.attributed_to), resolver, covered=sent_entities, lex=lex)
    times = [t for t in sent_timexes if start_char <= t.start_char and t.end_char <= end_char]
    qs = quantities(span) or _durations(times, doc)
    place = _place_of(span, covered, clause.verb)
    entity_ids = sorted({e.entity_id for e in covered} | set(extra_ids))
    if attributed is not None and clause.attributed_to is not None:
        # the speaker is part of the claim's context, but the claim is theirs, not the article's
        entity_ids = sorted(set(entity_ids) | {e.entity_id for e in sent_entities if clause.attributed_to.start_char <= e.start_char < clause.attributed_to.end_char})
    return Claim(
        start_char=start_char,
        end_char=end_char,
        text=text,
        original_text=span.text,
        subject=subject_text,
        predicate=predicate,
        object=object_text,
        negated=clause.denied_report or is_negated(clause.verb, tokens),
        hedged=is_hedged(clause.verb, tokens, clause.hedge_verb, lex=lex),
        attributed_to=attributed,
        place=place,
        timexes=times,
        quantity=qs[0] if qs else None,
        entity_ids=entity_ids,
        unresolved=unresolved,
    )


def _durations(times: Sequence[TimexRef], doc: Doc) -> list[Quantity]:
    """Durations as quantities in seconds (`over two hours` → 7200 s, MORE_THAN), so they can be compared."""
    out = []
    for t in times:
        seconds = duration_seconds(t.value) if t.type == "DURATION" else None
        if seconds is not None:
            span = doc.char_span(t.start_char, t.end_char, alignment_mode="expand")
            if span is None:
                continue
            mod = t.mod or mod_before(doc[max(0, span.start - 5) : span.start].text)
            out.append(Quantity(span.text, seconds, "second", mod, t.start_char, t.end_char))
    return out


def _place_of(span: Span, covered: Sequence[EntityRef], verb: Token | None = None) -> str | None:
    """Where the claim happened: a place entity after in/at/near…, preferring one that hangs off the
    claim's own verb ("born in the Bronx; died in Springfield" → Springfield for "die")."""
    first: EntityRef | None = None
    for e in covered:
        if e.kind not in {"place", "facility"}:
            continue
        ent = span.doc.char_span(e.start_char, e.end_char, alignment_mode="expand")
        if ent is None:
            continue
        prep = ent.root.head
        if ent.root.dep_ != "pobj" or prep.lower_ not in _PLACE_PREPS - {"from", "to"}:
            continue
        if verb is not None and (prep.head == verb or prep.head.head == verb):
            return e.name
        first = first or e
    return first.name if first else None


def _remember(discourse: Discourse, number: int, sent: Span, sent_entities: Sequence[EntityRef], *, lex: ClaimLexicon) -> None:
    """Record the sentence's entities, full noun phrases and subject as antecedents for later sentences."""
    subject = next((c for c in sent.root.children if c.dep_ in _SUBJECT_DEPS), None)
    subject_range = (subject.left_edge.idx, subject.right_edge.idx + len(subject.right_edge)) if subject is not None else (-1, -1)
    for e in sent_entities:
        if e.kind == "person":
            is_subj = subject_range[0] <= e.start_char < subject_range[1]
            discourse.persons.append((number, e.entity_id, e.name, is_subj))
        else:
            discourse.others[e.kind].append((number, e.entity_id, e.name))
    for token in sent:
        head = token.lemma_.lower()
        if token.pos_ != "NOUN" or head not in lex.description_heads:
            continue
        first = token.left_edge
        if first.lower_ in _NOT_DESCRIPTION or token.i - first.i < 1:
            continue
        if first.lower_ == "the" and token.i - first.i == 1:
            continue  # "the treaty" is not a fuller name for "the treaty"
        subtree = _clip(_subtree_span(token), sent)
        if len(subtree) > 14:
            subtree = _clip(token.doc[first.i : token.i + 1], sent)
        phrase = subtree.text
        ids = tuple(e.entity_id for e in sent_entities if subtree.start_char <= e.start_char < subtree.end_char)
        if phrase[:1].isupper() and subtree[0].pos_ == "DET":
            phrase = phrase[0].lower() + phrase[1:]
        discourse.phrases[_phrase_key(token)] = (number, phrase, ids)
    if subject is not None:
        ids = tuple(e.entity_id for e in sent_entities if subject_range[0] <= e.start_char < subject_range[1])
        discourse.last_subject = (_subtree_span(subject).text, ids, None)


def _phrase_key(token: Token) -> str:
    """Head lemma plus number, so `this meeting` never resolves to `several meetings`."""
    return token.lemma_.lower() + ("+pl" if token.tag_ in {"NNS", "NNPS"} else "")


def _clip(span: Span, sent: Span) -> Span:
    """A span cut to the sentence it belongs to (the parse may cross a sentence boundary)."""
    start, end = max(span.start, sent.start), min(span.end, sent.end)
    return span.doc[start:end] if start < end else span.doc[sent.start : sent.start]


def _row(article_id: str, sentence_id: str, index: int, claim: Claim) -> dict[str, object]:
    main_time = next((t for t in claim.timexes if t.type == "DATE" and t.start_date is not None), None)
    main_time = main_time or next((t for t in claim.timexes if t.type == "DATE"), None)
    q = claim.quantity
    return {
        "claim_id": f"{article_id}/c{index:04d}",
        "article_id": article_id,
        "sentence_id": sentence_id,
        "start_char": claim.start_char,
        "end_char": claim.end_char,
        "text": claim.text,
        "original_text": claim.original_text,
        "subject": claim.subject,
        "predicate": claim.predicate,
        "object": claim.object,
        "negated": claim.negated,
        "hedged": claim.hedged,
        "attributed_to": claim.attributed_to,
        "place": claim.place,
        "time_value": main_time.value if main_time else None,
        "time_start": main_time.start_date if main_time else None,
        "time_end": main_time.end_date if main_time else None,
        "quantity_value": q.value if q else None,
        "quantity_unit": q.unit if q else None,
        "quantity_text": q.text if q else None,
        "quantity_mod": q.mod if q else None,
        "entity_ids": claim.entity_ids,
        "timex_ids": [t.timex_id for t in claim.timexes],
        "checkworthiness": 0.0,
        "unresolved": claim.unresolved,
        "is_standalone": not claim.unresolved,
    }


__all__ = ["ClaimLexicon", "Claim", "extract_claims", "article_claims", "rejection", "clauses"]
