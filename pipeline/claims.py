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
import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple, Protocol

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
_MASCULINE = frozenset({"he", "him", "his"})
_FEMININE = frozenset({"she", "her", "hers"})
_YEAR = re.compile(r"^(1[89]|20)\d\d$")
#: Prepositions after a head noun that can say which one it is ("the city of Manokwari", "the talks in Helsinki").
_NAMING_PREPS = frozenset({"of", "in", "at", "from", "between", "on", "for", "against", "over"})
#: Heads of demonstrative phrases that are dates ("this year"), left to the timex stage.
_TIME_HEADS = frozenset({
    "year", "month", "week", "day", "time", "morning", "afternoon", "evening", "night", "season", "weekend",
    "summer", "winter", "spring", "fall", "autumn", "century", "decade", "hour", "minute", "moment", "point", "stage", "way",
})
_DEMONSTRATIVES = frozenset({"this", "these", "that", "those"})
_DEFINITE = _DEMONSTRATIVES | {"the", "both"}
_NOT_DESCRIPTION = _DEMONSTRATIVES | {"a", "an"}
_PLACE_PREPS = frozenset({"in", "at", "near", "outside", "inside", "from", "to"})
#: Prepositions whose phrase says where, never what: "died at a branch", "returned to normal" has an object.
_LOCATIVE_PREPS = frozenset({"in", "at", "near", "outside", "inside", "off"})
_TIME_PREPS = frozenset({"during", "on", "since", "after", "before", "until"})
#: A word of three letters or more: a time expression with one names a day or a part of one, not just a clock reading.
_CLOCK_FREE_WORD = re.compile(r"[^\W\d_]{3,}")
#: What follows the hour of a clock reading, in ECB+'s spacing too ("8: 30pm", "10:15").
_CLOCK_AFTER = re.compile(r"\s?:\s?\d\d")
_PLACE_OR_TIME_LABELS = frozenset({"GPE", "LOC", "FAC", "DATE", "TIME"})
#: Dependencies that open a clause of its own (a verb's "conj" too): a date, number or place inside
#: belongs to that clause, not the claim's. Complements ("charged with murdering … on June 24") do not.
_CLAUSE_DEPS = frozenset({"relcl", "acl", "advcl", "ccomp", "csubj", "csubjpass", "parataxis"})


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
    #: Light verbs whose folded noun leaves no object: "took place | a broad swathe of Athens, with hundreds…".
    intransitive_light_verbs: frozenset[str]
    #: Nouns of a time phrase, not an object: "rose in December for the first time since July".
    time_nouns: frozenset[str]
    first_person: frozenset[str]
    plural_person_descriptions: frozenset[str]
    plural_country_descriptions: frozenset[str]
    description_heads: Mapping[str, str]
    context_nouns: frozenset[str]
    context_words: frozenset[str]
    self_evident_nouns: frozenset[str]
    gender_cues: Mapping[str, str]
    kind_cues: Mapping[str, str]
    #: Common nouns naming people: the only ones a relative clause with `who` may be about.
    person_nouns: frozenset[str]
    #: "Opponents considered the rule, which took effect…, a maneuver": the parse can put the
    #: object's complement inside a relative clause on it.
    object_complement_verbs: frozenset[str]

    @classmethod
    def load(cls, path: Path = LEXICON_PATH) -> ClaimLexicon:
        """Read the lexicon, with a clear error naming the file when it is missing or malformed."""
        raw = read_json_data(path, "claim lexicon")
        try:
            return cls(
                light_verbs={k: frozenset(v) for k, v in raw["light_verbs"].items()},
                description_heads=dict(raw["description_heads"]),
                gender_cues=dict(raw["gender_cues"]),
                kind_cues=dict(raw["kind_cues"]),
                **{
                    name: frozenset(w.lower() for w in raw[name])
                    for name in cls.__dataclass_fields__
                    if name not in {"light_verbs", "description_heads", "gender_cues", "kind_cues"}
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
    #: person entity id → "m" / "f", from titles and gendered nouns next to the name.
    genders: dict[str, str] = field(default_factory=dict)
    #: two entities named together: (sentence number, kind, "the United States and Russia", ids, as the subject).
    pairs: list[tuple[int, str, str, tuple[str, ...], bool]] = field(default_factory=list)
    #: sentence number → (entity id, name) its main subject names, when it is one entity.
    subject_entity: dict[int, tuple[str, str]] = field(default_factory=dict)
    #: sentence number → genders ("m", "f") of the he/she pronouns that are subjects in it.
    pronoun_subjects: dict[int, frozenset[str]] = field(default_factory=dict)
    #: sentence number → entity ids in its main subject.
    subjects: dict[int, tuple[str, ...]] = field(default_factory=dict)
    #: entity id → what the article calls it when that differs from the entity stage ("oil firm Yukos" → org).
    kinds: dict[str, str] = field(default_factory=dict)
    #: entity id → mentions so far, places and nationalities aside (what the article is about).
    mentions: Counter[str] = field(default_factory=Counter)
    #: sentences with a plural noun outside their subject (another possible `they`).
    plural_elsewhere: set[int] = field(default_factory=set)
    #: one-word person names two persons of the article share ("Felt" for Mark and Joan Felt).
    ambiguous_names: frozenset[str] = frozenset()


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
    #: The claim's own date: of its clause, an adverbial before a noun's modifier, explicit before relative.
    time: TimexRef | None
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
    #: The relative pronoun of a non-restrictive relative clause ("the INF Treaty, which banned…"):
    #: its noun phrase stands in its place, the subject is that noun.
    relative: Token | None = None


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
        if verb is not content and (reported_clause := _reported(verb, lex=lex)) is not None and (own or first_subject) is not None:
            # "…, but the coroner said he believed the death occurred July 24": the death's claim, the coroner's word
            out.append(Clause(reported_clause, _subject_of(reported_clause), False, _subtree_span(own or first_subject), None))
            continue
        out.append(
            Clause(
                verb=verb,
                subject=own or first_subject,
                shared_subject=own is None and verb is not content,
                attributed_to=attributed,
                hedge_verb=hedge_verb if verb is content else None,
            )
        )
    inside_report = set() if attributed is None or according is not None else {t.i for t in content.subtree}
    for verb, pronoun, noun in _relative_clauses(sent, lex=lex):
        said = attributed if according is not None or verb.i in inside_report else None
        out.append(Clause(verb, noun, True, said, None, relative=pronoun))
    return out


def _relative_clauses(sent: Span, *, lex: ClaimLexicon) -> Iterator[tuple[Token, Token, Token]]:
    """(verb, relative pronoun, noun) of each non-restrictive relative clause whose pronoun is its subject.

    "The INF Treaty, which banned missiles with ranges of 500 to 5,500 kilometers, was another
    issue" states that the INF Treaty banned them: a fact of its own that other sources state alone.
    Only clauses set off by a comma, after a noun, with `which`/`who` as subject: a restrictive
    clause ("the man who shot him") narrows its noun and says nothing alone, and an object
    relative ("which Russia denied") would need its noun put back inside the clause.
    """
    doc = sent.doc
    for verb in sent:
        if verb.dep_ != "relcl" or verb.pos_ not in {"VERB", "AUX"} or verb.lemma_.lower() in lex.reporting_verbs:
            continue
        head = verb.head
        if head.pos_ not in {"NOUN", "PROPN"} or head.i > verb.i or verb.left_edge.i <= sent.start:
            continue
        pronoun = next((c for c in verb.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
        if pronoun is None or pronoun.lower_ not in {"which", "who"} or pronoun.i != verb.left_edge.i:
            continue
        if doc[verb.left_edge.i - 1].text != ",":
            continue
        head = _above_person(head, pronoun, lex=lex)
        if head is not None and _sure_antecedent(head, verb, pronoun, lex=lex):
            yield verb, pronoun, head


def _above_person(head: Token, pronoun: Token, *, lex: ClaimLexicon) -> Token | None:
    """`which` cannot be about a person: "the first encounter between Trump and Putin, which took
    place…" is about the encounter, the noun the persons' preposition hangs on."""
    if pronoun.lower_ != "which" or not _is_person(head, lex):
        return head
    noun = head
    while noun.dep_ == "conj":
        noun = noun.head
    if noun.dep_ != "pobj" or noun.head.dep_ != "prep":
        return None
    above = noun.head.head
    return above if above.pos_ == "NOUN" and not _is_person(above, lex) else None


def _is_person(token: Token, lex: ClaimLexicon) -> bool:
    return token.ent_type_ in {"PERSON", "NORP"} or token.pos_ == "NOUN" and token.lemma_.lower() in lex.person_nouns


#: The roles of a noun a non-restrictive relative clause may be read as being about.
_ANTECEDENT_DEPS = frozenset({"nsubj", "nsubjpass", "dobj", "attr", "appos", "ROOT"})
#: What may stand before a noun in a noun phrase whose head a relative clause can name.
_NOUN_PREMODIFIERS = frozenset({"det", "amod", "compound", "poss", "nummod", "nmod", "punct", "case", "quantmod", "advmod", "predet", "prep"})
_SINGULAR_FORMS = frozenset({"is", "was", "has", "does"})
_PLURAL_FORMS = frozenset({"are", "were", "have", "do"})
_NOUN_PHRASE_POS = frozenset({"DET", "PROPN", "NOUN", "ADJ", "NUM", "PRON"})


def _sure_antecedent(head: Token, verb: Token, pronoun: Token, *, lex: ClaimLexicon) -> bool:
    """Whether the noun a relative clause hangs on is surely the one it is about. Each refusal was
    read on ECB+ dev, where the parse hangs the clause on the nearest noun:
    "the first encounter between Trump and Putin, which took place…" (the encounter, not Putin);
    "the store in High Street, Banstead, which broke out on the roof" (the blaze);
    "a plan for overseeing Oregon's forests, which was finalized" (the plan: `was` is singular);
    "18 points for the Blue Demons, who have dropped four games" (the team, and points are no one);
    "her bikinis and see-through lingerie, which were tacked on walls" (both, not the last);
    "protect our customers, which may include…" (the action: customers are people);
    "Opponents considered the rule, which took effect…, a thinly veiled maneuver" (an opinion swallowed);
    "the Sea Me We 4 and Sea Me We 3 lines" (a noun phrase the parse cut: a name runs on before it)."""
    if head.dep_ not in _ANTECEDENT_DEPS or any(c.dep_ not in _NOUN_PREMODIFIERS for c in head.lefts):
        return False
    if head.dep_ == "dobj" and head.head.lemma_.lower() in lex.object_complement_verbs:
        return False
    start = head.left_edge.i
    if start > head.sent.start and head.doc[start - 1].pos_ in _NOUN_PHRASE_POS:
        return False
    noun = head
    while noun.dep_ == "appos":
        noun = noun.head
    if noun.dep_ in {"pobj", "conj", "npadvmod"}:
        return False
    person = _is_person(head, lex)
    if pronoun.lower_ == "which" and person:
        return False
    if pronoun.lower_ == "who" and not (person or head.pos_ == "PROPN" and head.ent_type_ == ""):
        return False
    if verb.lower_.startswith(("'", "’")):
        return False  # "Hansbrough, who's on pace…": a contracted verb reads badly once the pronoun is gone
    finite = next((c for c in verb.children if c.dep_ in {"aux", "auxpass"}), verb).lower_
    plural = head.tag_ in {"NNS", "NNPS"}
    singular_verb = finite in _SINGULAR_FORMS or verb.tag_ == "VBZ"
    plural_verb = finite in _PLURAL_FORMS or verb.tag_ == "VBP"
    return not (singular_verb and plural or plural_verb and not plural)


def _reported(verb: Token, *, lex: ClaimLexicon) -> Token | None:
    """The clause a reporting verb reports, through nested reports ("said he believed the death occurred")."""
    found = None
    while verb.lemma_.lower() in lex.reporting_verbs and not any(c.dep_ == "neg" for c in verb.children):
        nxt = next((c for c in verb.children if c.dep_ == "ccomp" and c.pos_ in {"VERB", "AUX"} and _subject_of(c) is not None), None)
        if nxt is None:
            break
        found = verb = nxt
    return found


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
    if ((n_clauses == 1 and clause.attributed_to is None) or clause.denied_report) and clause.relative is None:
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
    if clause.relative is not None:
        excluded.add(clause.relative.i)
    # in document order: a non-projective parse walks a subtree out of order ("the pirates two countries … were")
    tokens = sorted((t for t in verb.subtree if t.i not in excluded and sent.start <= t.i < sent.end), key=lambda t: t.i)
    tokens = _trimmed(tokens)
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


def object_of(verb: Token, folded: Token | None, *, time_nouns: frozenset[str] = frozenset()) -> Token | None:
    """The object or complement of a verb (first prepositional object when it has none).

    A folded light-verb noun is not the object ("took place": no object); a place or time phrase is
    not either ("for the first time"), but "recovered from a big right hand", "charged with
    murdering" and "starred in nine of the films" have one.
    """
    for dep in _OBJECT_DEPS:
        for c in verb.children:
            if c.dep_ == dep and (folded is None or (c.i != folded.i and dep != "dobj")):  # tokens are views: compare positions
                return c  # beside a folded noun a second "object" is a misparsed measure ("took place 150 miles off Aden")
    for c in verb.children:
        if c.dep_ == "agent" and any(x.dep_ == "pobj" for x in c.children):
            return c  # passive "led by Robert Mueller": the agent
    for c in verb.children:
        obj = next((x for x in c.children if x.dep_ in {"pobj", "pcomp"}), None)
        if c.dep_ != "prep" or obj is None or c.lower_ in _TIME_PREPS or obj.lemma_.lower() in time_nouns:
            continue
        if obj.ent_type_ in _PLACE_OR_TIME_LABELS and c.lower_ in _PLACE_PREPS | _LOCATIVE_PREPS:
            continue
        if c.lower_ in _LOCATIVE_PREPS and not (obj.like_num and obj.ent_type_ not in _PLACE_OR_TIME_LABELS):
            continue  # "died at a branch" says where; "starred in nine of the films" says what
        return c
    return None


def is_negated(verb: Token, tokens: Sequence[Token]) -> bool:
    """Negation on the verb or its auxiliaries, on a complement clause of the verb inside the claim
    ("noted that prosecutors were not approaching…", "decided not to sell"), `never`, or a `no`
    determiner on subject or object."""
    inside = {t.i for t in tokens}
    complements = [c for c in verb.children if c.dep_ in {"ccomp", "xcomp"} and c.i in inside]
    heads = {verb, *complements} | {c for h in (verb, *complements) for c in h.children if c.dep_ in {"aux", "auxpass"}}
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


class Resolution(NamedTuple):
    """What a context-dependent word becomes: a referent, kept as bound in the claim, or neither."""

    text: str | None = None
    ids: tuple[str, ...] = ()
    #: its antecedent is inside the claim itself ("Yukos said it would…"): keep the word, nothing to resolve.
    bound: bool = False


_UNRESOLVED = Resolution()
_BOUND = Resolution(bound=True)


class Description(NamedTuple):
    """A short definite description: `the firm`, `this summit`, `the two countries`."""

    first: Token
    head: Token
    #: person / org / place / law / event (from the lexicon), pair-person, pair-place, or other.
    kind: str


class _Resolver:
    """Replaces pronouns and short definite descriptions by their referent, only when it is certain."""

    def __init__(
        self,
        discourse: Discourse,
        sentence_no: int,
        sent_entities: list[EntityRef],
        lex: ClaimLexicon,
        noun_chunks: Mapping[int, Span] | None = None,
    ) -> None:
        #: Noun chunks of the article by first token index (kept for callers; descriptions are read off the parse).
        self.noun_chunks = noun_chunks or {}
        self.d = discourse
        self.n = sentence_no
        self.sent_entities = sent_entities
        self.lex = lex

    # -- entities of this sentence

    def entity_of(self, token: Token, kinds: frozenset[str] | None = None) -> EntityRef | None:
        """The entity this noun phrase head names (or its apposition names: `his daughter Joan Felt`)."""
        for t in (token, *(c for c in token.children if c.dep_ == "appos")):
            for e in self.sent_entities:
                if e.start_char <= t.idx < e.end_char and (kinds is None or e.kind in kinds):
                    return e
        return None

    def kind_of(self, entity_id: str) -> str:
        """The entity's kind, as the article names it where that differs from the entity stage."""
        return self.d.kinds.get(entity_id, entity_id.split(":", 1)[0])

    def thing(self, token: Token) -> Resolution:
        """`It` as a sentence's subject: the previous sentence's subject when that is a named thing the
        article has named before ("Yugansk was auctioned… It was bought for $9.4bn")."""
        if token.dep_ not in {"nsubj", "nsubjpass"} or token.head.dep_ != "ROOT" or token.lower_ != "it":
            return _UNRESOLVED
        previous = self.d.subject_entity.get(self.n - 1)
        if previous is None:
            return _UNRESOLVED
        eid, name = previous
        named = sum(e == eid for mentions in self.d.others.values() for _, e, _ in mentions)
        if self.kind_of(eid) in {"person", "norp"} or named < 2:
            return _UNRESOLVED
        return Resolution(name, (eid,))

    def _plausible_person(self, entity_id: str, name: str, gender: str | None) -> bool:
        if self.d.kinds.get(entity_id, "person") != "person":
            return False  # "oil firm Yukos" is no "he"
        if gender is not None and self.d.genders.get(entity_id, gender) != gender:
            return False  # "she" is never a man the article calls Mr or "he"
        return not (len(name.split()) == 1 and name.lower() in self.d.ambiguous_names)

    # -- pronouns

    def binder(self, token: Token) -> Token | None:
        """Subject of the nearest clause above a pronoun that can be its antecedent ("Yukos said it…").

        Its own clause counts only for a possessive ("Creighton took its first lead"); a subject or
        object pronoun never means its own clause's subject. Subjects after the pronoun are not used.
        """
        t = token
        while t.head.i != t.i:
            if t.dep_ == "conj" and _subject_of(t) is not None:
                return None  # "Klitschko staggered Rahman, and the ref stopped it": a sister clause binds nothing
            t = t.head
            if t.pos_ not in {"VERB", "AUX"}:
                continue
            subject = _subject_of(t)
            if subject is None or subject.left_edge.i <= token.i <= subject.right_edge.i:
                continue
            if token.dep_ != "poss" and (token.head == t or (token.head.dep_ in {"prep", "agent"} and token.head.head == t)):
                continue
            return subject if subject.i < token.i else None
        return None

    def pronoun(self, token: Token, inside: frozenset[int]) -> Resolution:
        """Referent of he/she/it/they… in a claim whose tokens are `inside`."""
        lower = token.lower_
        if lower in _PLURAL_PRONOUNS:
            number = "plural"
        elif lower in {"it", "its"}:
            number = "neuter"
        else:
            number = "m" if lower in _MASCULINE else "f"
        binder = self.binder(token)
        if binder is not None and binder.tag_ in {"WDT", "WP"} and binder.head.dep_ in {"relcl", "acl"}:
            binder = binder.head.head  # "any company that buys its assets": the noun the clause is about
        if binder is not None:
            found = self._bound_to(binder, number, inside)
            if found is not None:
                return found
        if number == "plural":
            return self.plural_pair(token)
        if number == "neuter":
            return self.thing(token)
        return self.person(token, number)

    def _bound_to(self, binder: Token, number: str, inside: frozenset[int]) -> Resolution | None:
        """The binder as antecedent when it agrees in number and kind; None when it cannot be meant."""
        if binder.tag_ in {"PRP"}:
            same = (binder.lower_ in _PLURAL_PRONOUNS) == (number == "plural") and (
                number in {"plural", "neuter"} and binder.lower_ in {"they", "it"}
                or (number == "m") == (binder.lower_ in _MASCULINE) and binder.lower_ in _MASCULINE | _FEMININE
            )
            if not same:
                return None
            if binder.i in inside:
                return _BOUND
            return self.pronoun(binder, inside)
        if number in {"m", "f"}:
            e = self.entity_of(binder, frozenset({"person"}))
            if e is None or not self._plausible_person(e.entity_id, e.name, number):
                return None
            if e.entity_id not in self.d.genders and any(
                self.lex.gender_cues.get(t.lower_) == number and not e.start_char <= t.idx < e.end_char for t in binder.subtree
            ):
                # "Tom Kirsch, an attorney for Jackson's wife, said she has signed a plea agreement": the
                # speaker's gender is unknown and a woman stands in the subject: "she" may be either
                return None
            return _BOUND if binder.i in inside else Resolution(e.name, (e.entity_id,))
        plural = binder.tag_ in {"NNS", "NNPS"} or any(c.dep_ == "conj" for c in binder.children)
        if (number == "plural") != plural:
            return None
        if number == "neuter":
            named = self.entity_of(binder)
            if (named is not None and self.kind_of(named.entity_id) in {"person", "norp"}) or (binder.pos_ == "PROPN" and named is None):
                return None
        if binder.i in inside:
            return _BOUND
        e = self.entity_of(binder)
        if e is not None and number == "neuter":
            return Resolution(e.name, (e.entity_id,))
        words = list(_subtree_span(binder))
        desc = _description(words[0], self.lex) if words else None
        if desc is not None and desc.head.i == binder.i:
            return self.description(desc)  # "The company added it…": only as certain as "the company" is
        if len(words) <= 3 and not any(w.tag_ in {"PRP", "PRP$", "DT"} and w.lower_ != "the" or w.dep_ in {"relcl", "acl"} for w in words):
            return Resolution(" ".join(w.text for w in words), ())
        return _UNRESOLVED

    def _persons_before(self, position: int) -> list[tuple[str, str]]:
        """Distinct persons in this sentence before `position`, most recent first."""
        seen: dict[str, str] = {}
        for e in sorted(self.sent_entities, key=lambda e: -e.start_char):
            if e.kind == "person" and e.end_char <= position and e.entity_id not in seen:
                seen[e.entity_id] = e.name
        return list(seen.items())

    def _recent_persons(self, back: int) -> list[tuple[str, str, bool]]:
        out: dict[str, tuple[str, bool]] = {}
        for n, eid, name, subj in self.d.persons:
            if self.n - back <= n < self.n:
                prev = out.get(eid)
                out[eid] = (name, subj or (prev[1] if prev else False))
        return [(eid, name, subj) for eid, (name, subj) in out.items()]

    def person(self, token: Token, gender: str | None = None) -> Resolution:
        """Antecedent of he/she/him/his/her from earlier sentences: one person clearly in focus, else none."""
        if self._persons_before(token.idx):
            return _UNRESOLVED  # a person in this very sentence the pronoun is not bound to: not certain
        for back in (1, 2):
            if back == 2 and self.kind_of(self.d.subject_entity.get(self.n - 1, ("person:", ""))[0]) != "person":
                return _UNRESOLVED  # the sentence just before is about a named thing: the focus has moved
            others = self._co_arguments(token)
            recent = [r for r in self._recent_persons(back) if r[0] not in others]
            if not recent:
                continue
            # only someone a sentence was about (its subject) is in focus: "While Neal served…, Page lived…" is about Page
            fitting = [r for r in recent if r[2] and self._plausible_person(r[0], r[1], gender)]
            rivals = [r for r in recent if r not in fitting and self.kind_of(r[0]) == "person" and self.d.genders.get(r[0]) in {None, gender}]
            if len(fitting) == 1 and not rivals:
                return Resolution(fitting[0][1], (fitting[0][0],))  # one person in focus; the others are of the other gender
            return _UNRESOLVED
        return _UNRESOLVED

    def _co_arguments(self, token: Token) -> set[str]:
        """Persons named as other arguments of the pronoun's own verb ("He praised Putin": not Putin)."""
        verb = token.head.head if token.head.dep_ in {"prep", "agent"} else token.head
        if token.dep_ == "poss":
            verb = token.head.head
        out: set[str] = set()
        for c in verb.children:
            if c.i == token.i or c.dep_ not in _SUBJECT_DEPS | {"dobj", "dative", "attr", "prep", "agent"}:
                continue
            for t in (c, *(x for x in c.children if x.dep_ == "pobj")):
                e = self.entity_of(t, frozenset({"person"}))
                if e is not None:
                    out.add(e.entity_id)
        return out

    def plural_pair(self, token: Token) -> Resolution:
        """`they`: two people named together as the previous sentence's subject, with no other plural in between."""
        pair = next((p for p in reversed(self.d.pairs) if p[0] == self.n - 1 and p[1] == "person" and p[4]), None)
        if pair is None or self.n - 1 in self.d.plural_elsewhere:
            return _UNRESOLVED
        sent = token.sent
        if any(t.tag_ in {"NNS", "NNPS"} or t.lower_ in _PLURAL_PRONOUNS for t in token.doc[sent.start : token.i]):
            return _UNRESOLVED
        return Resolution(pair[2], pair[3])

    # -- descriptions

    def plural_persons(self, head: Token) -> Resolution:
        """`the two leaders`: two persons named together just before, or the only two persons in the
        recent sentences (this one included), never one named beside them in the same clause."""
        others = self._co_arguments(head)
        for back in (0, 1, 2):
            people: dict[str, str] = {}
            for n, eid, name, _ in self.d.persons:
                if self.n - back <= n < self.n and eid not in others and self.kind_of(eid) == "person":
                    people[eid] = name
            if back == 0:
                people = {e.entity_id: e.name for e in self.sent_entities if e.kind == "person" and e.entity_id not in others}
            if len(people) == 2:
                ids = sorted(people, key=lambda e: people[e])
                return Resolution(" and ".join(people[i] for i in ids), tuple(ids))
            if len(people) > 2:
                return _UNRESOLVED
        return _UNRESOLVED

    def plural_places(self) -> Resolution:
        """`the two countries`: two places named together ("the United States and Russia") in the last
        three sentences, with no other place named since."""
        for n, kind, text, ids, _ in reversed(self.d.pairs):
            if kind != "place" or not self.n - 3 <= n < self.n:
                continue
            since = {eid for m, eid, _ in self.d.others.get("place", []) if m >= n}
            since |= {e.entity_id for e in self.sent_entities if e.kind == "place"}
            return Resolution(text, ids) if since <= set(ids) else _UNRESOLVED
        return _UNRESOLVED

    def organisation(self, position: int) -> Resolution:
        """`the company`, `the firm`: the organisation the article is about, when it is also the one in focus."""
        here = {e.entity_id for e in self.sent_entities if self.d.kinds.get(e.entity_id, e.kind) == "org" and e.end_char <= position}
        window = here | {eid for n, eid, _ in self.d.others.get("org", []) if self.n - 2 <= n < self.n}
        if not window:
            return _UNRESOLVED
        counts = self.d.mentions
        ranked = sorted(counts, key=lambda eid: -counts[eid])
        if not ranked:
            return _UNRESOLVED
        top = ranked[0]
        second = counts[ranked[1]] if len(ranked) > 1 else 0
        if self.d.kinds.get(top, top.split(":", 1)[0]) != "org" or top not in window or counts[top] < 2 or counts[top] < 2 * second:
            return _UNRESOLVED  # the article is not plainly about one organisation
        if here - {top}:
            return _UNRESOLVED  # another organisation is nearer in this sentence
        previous_subject = {eid for eid in self.d.subjects.get(self.n - 1, ()) if self.d.kinds.get(eid, eid.split(":", 1)[0]) == "org"}
        if previous_subject - {top}:
            return _UNRESOLVED  # the last sentence was about another organisation
        name = next(name for n, eid, name in reversed(self.d.others["org"]) if eid == top) if top not in here else next(
            e.name for e in self.sent_entities if e.entity_id == top
        )
        return Resolution(name, (top,))

    def description(self, desc: Description) -> Resolution:
        """Referent of a short definite description, or none when it is not certain."""
        if desc.kind == "pair-person":
            return self.plural_persons(desc.head)
        if desc.kind == "pair-place":
            return self.plural_places()
        if desc.kind == "org":
            return self.organisation(desc.first.idx)
        if desc.kind in {"law", "event"}:
            return self.named_thing(desc.head)
        return _UNRESOLVED

    def named_thing(self, head: Token) -> Resolution:
        """`the treaty`, `this summit`: the nearest earlier phrase with that head, cut to its name."""
        lemma = head.lemma_.lower()
        kind = self.lex.description_heads.get(lemma)
        phrase = self.d.phrases.get(_phrase_key(head))
        if phrase is not None and self.n - phrase[0] > 3:
            phrase = None
        named = [(n, eid, name) for n, eid, name in self.d.others.get(kind or "", []) if self.n - 3 <= n < self.n and lemma in name.lower()]
        if named and (phrase is None or named[-1][0] > phrase[0]):
            nearest = [x for x in named if x[0] == named[-1][0]]
            if len({eid for _, eid, _ in nearest}) > 1:
                return _UNRESOLVED
            _, eid, name = nearest[-1]
            return Resolution(name if name.lower().startswith("the ") else f"the {name}", (eid,))
        if phrase is None:
            return _UNRESOLVED
        rivals = [p for key, p in self.d.phrases.items() if p[0] > phrase[0] and self.lex.description_heads.get(key.split("+")[0]) == self.lex.description_heads.get(head.lemma_.lower())]
        if rivals:
            return _UNRESOLVED  # a nearer thing of the same kind, under another word
        return Resolution(phrase[1], phrase[2])


def _description(t: Token, lex: ClaimLexicon) -> Description | None:
    """A short definite description starting at `t` that needs the article to be understood."""
    if t.lower_ not in _DEFINITE or t.dep_ not in {"det", "predet", "preconj", "nummod"}:
        return None
    head = t.head
    if head.i <= t.i or head.pos_ != "NOUN" or head.i - t.i > 3:
        return None
    words = t.doc[t.i : head.i + 1]
    if any(w.pos_ == "PROPN" for w in words) or head.lemma_.lower() in _TIME_HEADS:
        return None
    text = words.text.lower()
    lemma = head.lemma_.lower()
    if text in lex.plural_person_descriptions or (lemma in {"leader", "president"} and head.tag_ == "NNS" and head.i - t.i <= 2):
        kind = "pair-person"
    elif text in lex.plural_country_descriptions or (lemma in {"country", "nation", "power", "side"} and head.tag_ == "NNS" and head.i - t.i <= 2):
        kind = "pair-place"
    elif head.i == t.i + 1 and (lemma in lex.description_heads or lemma in lex.context_nouns or head.lower_ in lex.context_nouns):
        kind = lex.description_heads.get(lemma, "other") if head.tag_ == "NN" else "other"
    elif head.i == t.i + 1 and t.lower_ in _DEMONSTRATIVES:
        kind = "other"
    else:
        return None
    for c in head.children:
        if c.i < head.i:
            continue
        if c.dep_ in {"prep", "appos"} or (c.dep_ in {"relcl", "acl"} and t.doc[c.left_edge.i - 1].text != ","):
            return None  # "the main city of Manokwari", "the firm that bought it": the phrase says which
    return Description(t, head, kind)


def _pointing_word(t: Token, lex: ClaimLexicon) -> bool:
    """A word that points at the article or its speaker: locative `there`/`here`, `I`/`you`/`we`, `20 more people`."""
    if t.lower_ in {"there", "here"}:
        return t.dep_ == "advmod"  # not the "there" of "there were"
    if t.lower_ in lex.first_person and t.tag_ in {"PRP", "PRP$"}:
        return True
    if t.lower_ == "other" and t.dep_ == "amod":
        return True  # "seven other workers", "two other Russian firms": other than whom?
    return t.lower_ == "more" and t.dep_ == "amod" and t.i > 0 and t.doc[t.i - 1].like_num


def _bare_definite(t: Token, lex: ClaimLexicon) -> str | None:
    """A `the` phrase that only the article can pin down ("the frigate", "the court ruling", "the two"), or None.

    Not one that says which thing it is (a prepositional phrase or restrictive clause after its head,
    an apposition, a name as its head) or one that is unique anyway ("the world", "the police").
    """
    if t.lower_ != "the" or t.dep_ != "det":
        return None
    head = t.head
    if head.i <= t.i or head.pos_ not in {"NOUN", "NUM", "ADJ"} or head.lemma_.lower() in lex.self_evident_nouns:
        return None
    if head.lemma_.lower() in _TIME_HEADS or any(ch.isdigit() for ch in head.text):
        return None  # "the early 1980s" is a date, left to the timex stage
    if any(_YEAR.match(w.text) for w in t.doc[t.i + 1 : head.i]):
        return None  # "the 2016 US presidential election" says which one ("the 40-year-old southpaw" does not)
    for c in head.children:
        if c.i <= head.i:
            continue
        if c.dep_ == "appos" and c.pos_ != "PRON":
            return None  # "the studio, Lionsgate"
        restrictive = c.dep_ in {"acl", "relcl"} and t.doc[c.left_edge.i - 1].text != ","
        if (c.dep_ == "prep" and c.lower_ in _NAMING_PREPS or restrictive) and _names_something(c):
            return None  # "the main city of Manokwari", "the firm that bought Yugansk"
    if head.dep_ == "compound" or (head.pos_ == "ADJ" and head.dep_ == "amod"):
        return None
    return t.doc[t.i : head.i + 1].text


def _names_something(token: Token) -> bool:
    """A name or a year under `token`: what makes "the city of Manokwari" say which city ("the run with two shots" does not)."""
    return any(w.pos_ == "PROPN" or _YEAR.match(w.text) for w in token.subtree)


def decontextualize(
    tokens: Sequence[Token], resolver: _Resolver, *, covered: Sequence[EntityRef], lex: ClaimLexicon, sentence: bool = False
) -> tuple[str, list[str], list[str]]:
    """(text, extra entity ids, unresolved words) for a claim's tokens; uncertain words stay as written."""
    if not tokens:
        return "", [], []
    pieces: list[str] = []
    extra: list[str] = []
    unresolved: list[str] = []
    replaced_until = -1
    in_entity = {i for e in covered for i in range(e.start_char, e.end_char)}
    inside = frozenset(t.i for t in tokens)
    for idx, t in enumerate(tokens):
        if t.i <= replaced_until:
            continue
        lower = t.lower_
        desc = _description(t, lex) if t.idx not in in_entity else None
        if desc is not None and desc.head.i <= tokens[-1].i:
            found = resolver.description(desc)
            if found.text is not None:
                extra.extend(found.ids)
                replaced_until = desc.head.i
                pieces.append(_match_case(found.text, t, first=idx == 0) + desc.head.whitespace_)
                continue
            unresolved.append(t.doc[t.i : desc.head.i + 1].text)
        elif desc is None and t.idx not in in_entity and (bare := _bare_definite(t, lex)) is not None:
            unresolved.append(bare)
        elif t.tag_ in {"PRP", "PRP$"} and lower in _PRONOUN_FORMS and t.dep_ != "expl":
            if lower in {"it", "its"} and (t.dep_ not in {"nsubj", "nsubjpass", "dobj", "pobj", "poss"} or _pleonastic(t)):
                pieces.append(t.text_with_ws)
                continue
            found = resolver.pronoun(t, inside)
            if found.text is not None:
                form = _PRONOUN_FORMS[lower]
                name = found.text
                if form == "poss" or (form == "obj_or_poss" and t.tag_ == "PRP$"):
                    name = name + ("'" if name.endswith("s") else "'s")
                pieces.append(_match_case(name, t, first=idx == 0) + t.whitespace_)
                extra.extend(found.ids)
                continue
            if not found.bound:
                unresolved.append(t.text)
        elif lower in _DEMONSTRATIVES and t.dep_ in {"nsubj", "nsubjpass", "dobj"} and t.pos_ == "PRON" and t.tag_ == "DT":
            unresolved.append(t.text)
        elif lower in lex.context_words or _pointing_word(t, lex) or (idx == 0 and t.tag_ in {"WP", "WDT"}):
            # the last: a relative clause cut off from its noun ("Who have won two in a row…")
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
    discourse = Discourse(ambiguous_names=_shared_names(entities))
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
        subject_tokens = _argument_tokens(clause.subject, sent)
        if clause.relative is not None:
            subject_tokens = _antecedent(subject_tokens, clause.subject, clause.verb)
        subject_text, subject_ids, subject_unresolved = decontextualize(subject_tokens, resolver, covered=sent_entities, lex=lex)
        if clause.shared_subject:
            unresolved.extend(subject_unresolved)  # the shared subject is put in front of the text: so is what it leaves open
            text = f"{subject_text[:1].upper()}{subject_text[1:]} {text[0].lower() + text[1:] if text[:1].isupper() and not tokens[0].pos_ == 'PROPN' else text}"
            scope = _fronted_scope(clause, sent)
            if scope:
                scope_text, _, scope_unresolved = decontextualize(scope, resolver, covered=sent_entities, lex=lex)
                unresolved.extend(scope_unresolved)
                text = f"{scope_text[:1].upper()}{scope_text[1:]}, {text[:1].lower() if not clause.subject.pos_ == 'PROPN' else text[:1]}{text[1:]}"
            extra_ids.extend(subject_ids)
            # the entities the subject names: "Trump met Putin and signed…" is a claim about Trump too
            if subject_tokens:
                first, last = subject_tokens[0].idx, subject_tokens[-1].idx + len(subject_tokens[-1])
                extra_ids.extend(e.entity_id for e in sent_entities if first <= e.start_char and e.end_char <= last)
    if text and text[-1] not in ".!?\"'”":
        text += "."
    predicate, folded = predicate_of(clause.verb, lex=lex)
    obj = None if predicate in lex.intransitive_light_verbs else object_of(clause.verb, folded, time_nouns=lex.time_nouns)
    object_text = None
    if obj is not None:
        object_text, _, _ = decontextualize(_argument_tokens(obj, sent), resolver, covered=sent_entities, lex=lex)
        if obj.dep_ in {"prep", "agent"}:
            predicate = f"{predicate} {obj.lower_}"
            object_text = object_text.split(" ", 1)[1] if " " in object_text else object_text
    attributed = None
    if clause.attributed_to is not None:
        attributed, _, _ = decontextualize(list(clause.attributed_to), resolver, covered=sent_entities, lex=lex)
        if attributed.lower() in _PRONOUN_FORMS or attributed.lower() in _DEMONSTRATIVES:
            unresolved.append(attributed)  # who said it is not known here: never a bare "he"
            attributed = None
    times = [t for t in sent_timexes if start_char <= t.start_char and t.end_char <= end_char]
    dated = [(t.start_char, t.end_char) for t in times if t.type in {"DATE", "TIME"}]
    counted = [
        q for q in quantities(span)
        if not any(a < q.end_char and q.start_char < b for a, b in dated) and not _CLOCK_AFTER.match(doc.text, q.end_char)
    ]  # a date's or a clock's number ("8: 30pm") is no amount
    # a fraction's denominator is no amount: "served 4 1/2 months" ("41 / 2" once tokenized) is not 2 months
    amounts = [q for q in [*counted, *_durations(times, doc)] if not doc.text[: q.start_char].rstrip().endswith("/")]
    qs = _own_quantities(amounts, doc, clause.verb)
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
        time=_own_time(times, doc, clause.verb),
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
    """Where the claim happened: a place entity in a phrase after in/at/near/off… of the claim's own
    clause. A place before a facility, one that heads its phrase before one that modifies a noun in
    it ("at a Vancouver office", "in the town of Woodburn"), one that hangs off the claim's verb
    ("born in the Bronx; died in Springfield" → Springfield for "die"). A place of a relative or
    adverbial clause ("built … in Alaska") is not the claim's."""
    ranked = []
    for position, e in enumerate(covered):
        if e.kind not in {"place", "facility"}:
            continue
        ent = span.doc.char_span(e.start_char, e.end_char, alignment_mode="expand")
        if ent is None:
            continue
        prep = _place_prep(ent.root)
        if prep is None or (verb is not None and _clause_link(prep, verb) is None):
            continue
        on_verb = verb is not None and (prep.head.i == verb.i or prep.head.head.i == verb.i)
        ranked.append((e.kind != "place", ent.root.dep_ != "pobj", not on_verb, position, e.name))
    return min(ranked)[4] if ranked else None


def _place_prep(token: Token) -> Token | None:
    """The locative preposition whose phrase a place name is in: "in Berne", "at a Vancouver office", "in the town of Woodburn"."""
    t = token
    while t.dep_ in {"compound", "amod", "nmod"} and t.head.i != t.i:
        t = t.head
        if t.pos_ == "PROPN" or any(c.dep_ == "appos" and c.pos_ == "PROPN" for c in t.children):
            return None  # "US media giant TimeWarner": the place qualifies a name, it is not where
    if t.dep_ == "pobj" and t.head.lower_ == "of" and t.head.head.pos_ == "NOUN" and t.head.head.dep_ == "pobj":
        t = t.head.head  # "the town of Woodburn": the town's preposition
    if t.dep_ == "pobj" and t.head.lower_ in _LOCATIVE_PREPS:
        return t.head
    return None


def _clause_link(token: Token, verb: Token) -> int | None:
    """How a token hangs off a clause's verb: 0 in one of its adverbials ("on Sunday", "Friday"), 1 inside
    one of its arguments ("the March 2005 rampage"), None in another clause (relative, adverbial, reported)."""
    t = token
    while t.i != verb.i:
        if t.dep_ in _CLAUSE_DEPS or (t.dep_ == "conj" and t.pos_ in {"VERB", "AUX"}):
            return None
        if t.head.i == t.i:
            return None  # the root, without meeting the verb: the claim's verb is below it
        if t.head.i == verb.i:
            direct = t.i == token.i or (t.dep_ == "prep" and token.head.i == t.i)
            return 0 if direct and t.dep_ not in _SUBJECT_DEPS else 1
        t = t.head
    return 0


def _own_time(times: Sequence[TimexRef], doc: Doc, verb: Token) -> TimexRef | None:
    """The claim's date: one of its own clause, an adverbial of the verb before a date inside an
    argument, an explicit date ("August 4") before an unanchored one ("Sunday" of an unknown week),
    a day before a part of one ("Friday afternoon")."""
    ranked = []
    for position, t in enumerate(times):
        span = doc.char_span(t.start_char, t.end_char, alignment_mode="expand")
        if t.type not in {"DATE", "TIME"} or (t.type == "TIME" and (span is None or not _CLOCK_FREE_WORD.search(span.text))):
            continue  # a clock reading alone ("at 2:56" of a fight, "2 a.m.") names no day; "Friday afternoon" does
        link = _clause_link(span.root, verb) if span is not None else None
        if link is not None:
            ranked.append((link, t.start_date is None, t.type != "DATE", position, t))
    return min(ranked, key=lambda r: r[:4])[4] if ranked else None


def _own_quantities(found: Sequence[Quantity], doc: Doc, verb: Token) -> list[Quantity]:
    """The amounts of the claim's own clause, its verb's adverbials and arguments first; not an age
    given beside a name ("Teixeira, 28,") nor a number of a relative clause ("40 percent of the oil passes")."""
    ranked = []
    for position, q in enumerate(found):
        span = doc.char_span(q.start_char, q.end_char, alignment_mode="expand")
        if span is None or _is_age(span):
            continue
        link = _clause_link(span.root, verb)
        if link is not None:
            ranked.append((link, position, q))
    return [q for _, _, q in sorted(ranked, key=lambda r: r[:2])]


def _is_age(span: Span) -> bool:
    """A bare number between commas after a name: "Brian Nichols, 37, was found guilty"."""
    doc = span.doc
    before = doc[span.start - 2 : span.start] if span.start >= 2 else None
    after = doc[span.end] if span.end < len(doc) else None
    return (
        len(span) == 1
        and span[0].like_num
        and before is not None
        and before[1].text == ","
        and before[0].pos_ == "PROPN"
        and (after is None or after.is_punct)
    )


def _fronted_scope(clause: Clause, sent: Span) -> list[Token]:
    """What stands before a shared subject and scopes over every coordinated verb: "During the
    game's deciding 15-2 run, Echenique scored two three-point plays … and blocked two shots" says
    he blocked two shots during the run, not in the game (ECB+ dev, where the game total was six)."""
    if clause.relative is not None or clause.subject is None:
        return []
    first = clause.subject.head
    fronted = [c for c in first.lefts if c.dep_ in {"prep", "advcl", "npadvmod"} and c.i < clause.subject.i]
    if not fronted or first is clause.verb:
        return []
    return _trimmed([t for t in sent.doc[fronted[0].left_edge.i : fronted[-1].right_edge.i + 1] if sent.start <= t.i < sent.end])


def _antecedent(tokens: Sequence[Token], head: Token, clause: Token) -> list[Token]:
    """The noun phrase a relative clause hangs on, without the clause and without what a comma
    sets off after the noun: "Gaetano Lo Presti, 52, who…" → Gaetano Lo Presti; "L. Patrick Gray,
    the acting FBI director, who…" → L. Patrick Gray. A list stays whole ("immigrants from
    Vietnam, Cambodia and Laos, who…")."""
    cut = {t.i for t in clause.subtree}
    for c in head.rights:
        if c.dep_ in {"appos", "npadvmod", "amod", "nummod"} and head.doc[c.left_edge.i - 1].text == ",":
            cut.update(t.i for t in c.subtree)
    kept = [t for t in tokens if t.i < clause.left_edge.i and t.i not in cut]
    return _trimmed([t for k, t in enumerate(kept) if not (t.text == "," and k + 1 < len(kept) and kept[k + 1].text == ",")])


def _trimmed(tokens: list[Token]) -> list[Token]:
    """Without trailing punctuation or a dangling coordinator; a closing bracket whose opening one is inside stays."""
    while tokens and (tokens[-1].is_punct or tokens[-1].dep_ == "cc"):
        if tokens[-1].text == ")" and any(t.text == "(" for t in tokens):
            break
        tokens.pop()
    return tokens


def _argument_tokens(head: Token, sent: Span) -> list[Token]:
    """A subject's or object's words: its subtree, completed when the parse cut a noun phrase after a
    coordination ("his WBA, IBF and WBO | heavyweight title belts"), never a fragment ending in "and"."""
    doc = head.doc
    dropped: set[int] = set()
    verbal = head if head.pos_ in {"VERB", "AUX"} else next((c for c in head.children if c.dep_ == "pcomp" and c.pos_ == "VERB"), None)
    if verbal is not None:
        # a verbal object keeps its own arguments; its dates and places are the claim's time and place
        # fields ("pulled over for speeding | early Sunday on a freeway", "began modeling | in 1950")
        for c in verbal.children:
            if c.ent_type_ in {"DATE", "TIME"} or (c.dep_ == "prep" and c.lower_ in _TIME_PREPS | _LOCATIVE_PREPS):
                dropped.update(t.i for t in c.subtree)
    tokens = sorted((t for t in head.subtree if sent.start <= t.i < sent.end and t.i not in dropped), key=lambda t: t.i)
    if not tokens:
        return tokens
    inside = {t.i for t in tokens}
    # punctuation the parse hung elsewhere stays in ("$2 million, likely the most…", not "millionlikely")
    tokens = [t for t in doc[tokens[0].i : tokens[-1].i + 1] if t.i in inside or (t.is_punct and t.i not in dropped)]
    end = tokens[-1].i + 1
    if tokens[-1].dep_ == "conj" or tokens[-1].dep_ == "cc":
        # the words right after, modifiers of a noun further right, finish the cut noun phrase
        i = end
        while i < sent.end and doc[i].dep_ in {"compound", "amod", "nummod"} and i < doc[i].head.i < sent.end:
            i = doc[i].head.i
        end = i + 1 if i > end else end
        if tokens[-1].dep_ == "cc" and end < sent.end and doc[end].pos_ in {"NOUN", "PROPN"}:
            end += 1
        tokens = list(doc[tokens[0].i : end])
    while len(tokens) > 1 and (tokens[-1].dep_ == "cc" or tokens[-1].text in {",", ";", ":"}):
        tokens.pop()  # "Russia's actions in Ukraine, Syria, and": the dangling coordinator goes
    return tokens


def _shared_names(entities: Sequence[EntityRef]) -> frozenset[str]:
    """One-word names two different persons of the article could go by ("Felt": Mark and Joan Felt)."""
    owners: dict[str, set[str]] = defaultdict(set)
    for e in entities:
        if e.kind == "person":
            for word in e.name.lower().split():
                owners[word].add(e.name.lower())
    return frozenset(word for word, names in owners.items() if len(names) > 1)


def _remember(discourse: Discourse, number: int, sent: Span, sent_entities: Sequence[EntityRef], *, lex: ClaimLexicon) -> None:
    """Record the sentence's entities, genders, pairs, short noun phrases and subject as antecedents for later sentences."""
    subject = next((c for c in sent.root.children if c.dep_ in _SUBJECT_DEPS), None)
    subject_range = (subject.left_edge.idx, subject.right_edge.idx + len(subject.right_edge)) if subject is not None else (-1, -1)
    doc = sent.doc
    for e in sent_entities:
        cue = _noun_cue(doc, e, lex.kind_cues)
        if cue is not None and cue != e.kind:
            discourse.kinds.setdefault(e.entity_id, cue)
    for e in sent_entities:
        if discourse.kinds.get(e.entity_id, e.kind) != e.kind:
            discourse.others[discourse.kinds[e.entity_id]].append((number, e.entity_id, e.name))
        elif e.kind == "person":
            is_subj = subject_range[0] <= e.start_char < subject_range[1]
            discourse.persons.append((number, e.entity_id, e.name, is_subj))
            gender = _gender_cue(doc, e, lex)
            if gender is not None:
                discourse.genders.setdefault(e.entity_id, gender)
        else:
            discourse.others[e.kind].append((number, e.entity_id, e.name))
        if e.kind not in {"place", "norp"}:
            discourse.mentions[e.entity_id] += 1
    if subject is not None and not any(c.dep_ == "conj" for c in subject.children):
        named = next((e for e in sent_entities for t in (subject, *(c for c in subject.children if c.dep_ == "appos")) if e.start_char <= t.idx < e.end_char), None)
        if named is not None:
            discourse.subject_entity[number] = (named.entity_id, named.name)
    discourse.pronoun_subjects[number] = frozenset(
        "m" if t.lower_ in _MASCULINE else "f" for t in sent if t.dep_ in _SUBJECT_DEPS and t.lower_ in _MASCULINE | _FEMININE
    )
    discourse.subjects[number] = tuple(e.entity_id for e in sent_entities if subject_range[0] <= e.start_char < subject_range[1])
    if any(t.tag_ in {"NNS", "NNPS"} and not subject_range[0] <= t.idx < subject_range[1] for t in sent):
        discourse.plural_elsewhere.add(number)
    for t in sent:
        pair = _pair(t, sent_entities)
        if pair is not None:
            kind, text, ids = pair
            discourse.pairs.append((number, kind, text, ids, subject is not None and t.head == subject or t == subject))
    for token in sent:
        head = token.lemma_.lower()
        if token.pos_ != "NOUN" or head not in lex.description_heads:
            continue
        first = token.left_edge
        if first.lower_ not in {"the", "a", "an"} and first.pos_ != "PROPN" and first.dep_ != "poss":
            continue  # "any company that buys its assets" names no company
        if token.i - first.i < 1 or (first.lower_ == "the" and token.i - first.i == 1):
            continue  # "the treaty" is not a fuller name for "the treaty"
        if any(any(ch.isdigit() for ch in w.text) for w in doc[first.i : token.i]) or any(
            a.dep_ in {"advcl", "acl", "relcl", "pcomp"} for a in token.ancestors
        ):
            continue  # "surpassing the $90 million deal", "in contrast with the February 2007 election": a comparison, not the topic
        end = token.i
        prep = next((c for c in token.children if c.dep_ == "prep" and c.i > token.i), None)
        if prep is not None and sum(not w.is_punct for w in doc[first.i : prep.right_edge.i + 1]) <= 10:
            end = prep.right_edge.i  # "the first meeting between Trump and Putin": which meeting, not just "the first meeting"
        phrase_span = _clip(doc[first.i : end + 1], sent)
        ids = tuple(e.entity_id for e in sent_entities if phrase_span.start_char <= e.start_char < phrase_span.end_char)
        named = [e for e in sent_entities if phrase_span.start_char <= e.start_char < phrase_span.end_char and e.kind == lex.description_heads[head]]
        if len(named) == 1:
            phrase = named[0].name  # the short name ("New START"), not the whole phrase
            if head not in phrase.lower():
                phrase = f"the {phrase} {head}"  # "the G20 summit", "the New START treaty"
            elif head in phrase.lower() and not phrase.lower().startswith("the "):
                phrase = f"the {phrase}"
        elif any(w.tag_ in {"PRP$", "PRP"} or w.lower_ in _DEMONSTRATIVES or w.dep_ in {"relcl", "acl"} for w in phrase_span) or sum(
            not w.is_punct for w in phrase_span
        ) > 10:
            continue  # "its deal", "this summit": not a name to copy
        else:
            phrase = phrase_span.text
            if first.lower_ in {"a", "an"}:
                phrase = "the " + phrase.split(" ", 1)[1]
            elif phrase[:1].isupper() and phrase_span[0].pos_ == "DET":
                phrase = phrase[0].lower() + phrase[1:]
        discourse.phrases[_phrase_key(token)] = (number, phrase, ids)
    if subject is not None:
        ids = tuple(e.entity_id for e in sent_entities if subject_range[0] <= e.start_char < subject_range[1])
        discourse.last_subject = (_subtree_span(subject).text, ids, None)


def _gender_cue(doc: Doc, e: EntityRef, lex: ClaimLexicon) -> str | None:
    """m / f from a title before the name ("Mr", "Mrs") or a gendered noun it stands in apposition with."""
    return _noun_cue(doc, e, lex.gender_cues)


def _noun_cue(doc: Doc, e: EntityRef, cues: Mapping[str, str]) -> str | None:
    """What `cues` says of the word just before a name ("Mr", "firm") or of a noun in apposition with it."""
    span = doc.char_span(e.start_char, e.end_char, alignment_mode="expand")
    if span is None:
        return None
    before = doc[span.start - 1].lower_ if span.start > 0 else ""
    if before in cues:
        return cues[before]
    root = span.root
    related = [root.head] if root.dep_ in {"appos", "compound"} else []
    related += [c for c in root.children if c.dep_ == "appos"]
    for r in related:
        if r.lemma_.lower() in cues and r.pos_ == "NOUN":
            return cues[r.lemma_.lower()]
    return None


def _pair(token: Token, sent_entities: Sequence[EntityRef]) -> tuple[str, str, tuple[str, ...]] | None:
    """("person" | "place", "the United States and Russia", ids) when `token` heads a coordination of exactly two such entities."""
    conj = [c for c in token.children if c.dep_ == "conj"]
    if len(conj) != 1 or any(c.dep_ == "conj" for c in conj[0].children):
        return None
    if not any(c.dep_ == "cc" and c.lower_ == "and" for c in token.children):
        return None

    def entity(t: Token) -> EntityRef | None:
        return next((e for e in sent_entities if e.start_char <= t.idx < e.end_char and e.kind in {"person", "place"}), None)

    a, b = entity(token), entity(conj[0])
    if a is None or b is None or a.kind != b.kind or a.entity_id == b.entity_id:
        return None
    doc = token.doc
    span = doc.char_span(min(a.start_char, b.start_char), max(a.end_char, b.end_char), alignment_mode="expand")
    if span is None:
        return None
    text = span.text
    if span.start > 0 and doc[span.start - 1].lower_ == "the" and not text.lower().startswith("the "):
        text = "the " + text
    return a.kind, text, (a.entity_id, b.entity_id)


def _phrase_key(token: Token) -> str:
    """Head lemma plus number, so `this meeting` never resolves to `several meetings`."""
    return token.lemma_.lower() + ("+pl" if token.tag_ in {"NNS", "NNPS"} else "")


def _clip(span: Span, sent: Span) -> Span:
    """A span cut to the sentence it belongs to (the parse may cross a sentence boundary)."""
    start, end = max(span.start, sent.start), min(span.end, sent.end)
    return span.doc[start:end] if start < end else span.doc[sent.start : sent.start]


def _row(article_id: str, sentence_id: str, index: int, claim: Claim) -> dict[str, object]:
    main_time = claim.time
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
