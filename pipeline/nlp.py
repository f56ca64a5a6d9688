"""Loading the spaCy pipeline with the project's entity patterns, and its version fingerprint."""

from __future__ import annotations

import functools
import hashlib
import importlib
from pathlib import Path
from typing import Any

import numpy
import spacy
from spacy.attrs import DEP, HEAD, IS_SPACE
from spacy.language import Language
from spacy.tokens import Doc, Token

from .config import MODELS_DIR, PipelineConfig
from .errors import ModelError

#: EntityRuler patterns (treaties, summits, ... the statistical model misses).
ENTITY_PATTERNS = MODELS_DIR / "entities" / "patterns.jsonl"


def _patterns_hash(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    except FileNotFoundError:
        return "none"


@Language.component("paragraph_boundaries")
def paragraph_boundaries(doc: Doc) -> Doc:
    """Start a sentence after every blank line, so no parse crosses a paragraph or a heading.

    Newlines are never a token's trailing whitespace (that is one space at most): a blank line is a
    whitespace token, so only those are looked at, found in one pass over the token array.
    """
    for i in numpy.flatnonzero(doc.to_array(IS_SPACE)[:-1]).tolist():
        if doc[i].text.count("\n") >= 2:
            doc[i + 1].is_sent_start = True
    return doc


#: What ends a sentence: a boundary after one of these (or after a closing quote or bracket that
#: follows one) is the writer's, and is kept.
_TERMINAL = frozenset(".!?…:;")
_CLOSING = frozenset("\"'”’)]»")
_COORDINATORS = frozenset({"and", "but", "or", "nor", "yet", "so"})


def fragment_boundaries(doc: Doc) -> list[int]:
    """Sentence starts the parser put inside a sentence: token indices whose boundary should go.

    A boundary goes when nothing ends the sentence before it (no terminal punctuation, no line
    break) and one side is a fragment: the sentence before has no verb ("Cybersecurity" | "and" |
    "election interference have become…"), or the one after has none, or it begins with a
    coordinating conjunction or a lower-case letter ("…at all" | "but this is boxing"). A
    sentence before it in capitals ("CONTROVERSIES AND GAFFES") is an inline heading: kept apart.
    """
    sents = list(doc.sents)
    out: list[int] = []
    for before, after in zip(sents, sents[1:]):
        left = [t for t in before if not t.is_space]
        right = [t for t in after if not t.is_space]
        # a newline is never a token's trailing whitespace: only whitespace tokens can hold one
        if not left or not right or any("\n" in doc[i].text for i in range(left[-1].i + 1, right[0].i)):
            continue
        if _ends_sentence(left) or _in_capitals(left):
            continue
        first = right[0]
        if not _has_verb(left) or not _has_verb(right) or first.lower_ in _COORDINATORS or first.text[:1].islower():
            out.append(after.start)
    return out


def _ends_sentence(tokens: list[Token]) -> bool:
    last = tokens[-1].text
    if any(ch in _TERMINAL for ch in last):
        return True
    return len(tokens) > 1 and all(ch in _CLOSING for ch in last) and any(ch in _TERMINAL for ch in tokens[-2].text)


def _has_verb(tokens: list[Token]) -> bool:
    # fine-grained tags: the coarse ones are set after the parse, by the attribute ruler
    return any(t.tag_.startswith("VB") or t.tag_ == "MD" for t in tokens)


def _in_capitals(tokens: list[Token]) -> bool:
    words = [t.text for t in tokens if t.is_alpha]
    return len(words) >= 2 and all(w.isupper() for w in words)


class JoinFragments:
    """Parse again, each as one sentence, the sentences `fragment_boundaries` finds split.

    Only the joined sentences change: each is parsed on its own (its tokens' vectors are the
    article's), with no break allowed inside it, and its tree replaces its pieces' trees; every
    other token keeps its head and label.
    """

    def __init__(self, nlp: Language) -> None:
        self._nlp = nlp

    def __call__(self, doc: Doc) -> Doc:
        """The doc, with each sentence split inside a noun phrase or a coordination parsed whole."""
        joins = set(fragment_boundaries(doc))
        if not joins or doc.tensor.shape[0] != len(doc):  # no token vectors to parse from again
            return doc
        parser = self._nlp.get_pipe("parser")
        arcs = doc.to_array([HEAD, DEP])  # uint64: a head is an offset modulo 2**64
        for start, end in _joined(doc, joins):
            tokens = doc[start:end]
            part = Doc(
                doc.vocab,
                words=[t.text for t in tokens],
                spaces=[bool(t.whitespace_) for t in tokens],
                sent_starts=[True] + [False] * (len(tokens) - 1),
            )
            part.tensor = doc.tensor[start:end]
            parser(part)
            for t in part:
                arcs[start + t.i] = ((t.head.i - t.i) % 2**64, t.dep)
        doc.from_array([HEAD, DEP], arcs)
        return doc


def _joined(doc: Doc, joins: set[int]) -> list[tuple[int, int]]:
    """Token ranges of the sentences the joins make, each from two or more of the parser's."""
    out: list[tuple[int, int]] = []
    for sent in doc.sents:
        if sent.start in joins and out:
            out[-1] = (out[-1][0], sent.end)
        else:
            out.append((sent.start, sent.end))
    return [(start, end) for start, end in out if any(start < j < end for j in joins)]


@Language.factory("join_fragments")
def make_join_fragments(nlp: Language, name: str) -> JoinFragments:
    """The `join_fragments` component (needs the pipeline's parser)."""
    return JoinFragments(nlp)


def _fast_components(nlp: Language) -> None:
    """Swap the model's attribute ruler and rule lemmatizer for drop-ins with the same output.

    Together the two stock components cost about a fifth of the parse (see fast_attribute_ruler.py
    and memo_lemmatizer.py for why); the names, patterns and tables stay the model's own.
    """
    from spacy.lang.en.lemmatizer import EnglishLemmatizer
    from spacy.pipeline import AttributeRuler

    from . import fast_attribute_ruler, memo_lemmatizer

    if "attribute_ruler" in nlp.pipe_names and type(nlp.get_pipe("attribute_ruler")) is AttributeRuler:
        patterns = nlp.get_pipe("attribute_ruler").patterns  # type: ignore[attr-defined]
        ruler = nlp.replace_pipe("attribute_ruler", fast_attribute_ruler.FACTORY)
        ruler.add_patterns(patterns)  # type: ignore[attr-defined]
    stock = nlp.get_pipe("lemmatizer") if "lemmatizer" in nlp.pipe_names else None
    if type(stock) is EnglishLemmatizer and stock.mode == "rule":
        data = stock.to_bytes()
        lemmatizer = nlp.replace_pipe(
            "lemmatizer", memo_lemmatizer.FACTORY, config={"mode": stock.mode, "overwrite": stock.overwrite}
        )
        lemmatizer.from_bytes(data)  # type: ignore[attr-defined]


#: What the model's matrix products run on (recorded in the model info, so in the parse-cache key).
MATMUL = "numpy-blas-1thread"


def _numpy_matmul(nlp: Language) -> None:
    """Run the model's layers' matrix products on numpy's BLAS, one thread, instead of thinc's BLIS.

    The weights and the layers are the model's own; only who multiplies changes. numpy's OpenBLAS
    does the model's large products faster than the BLIS that thinc bundles (docs/performance.md),
    and the annotations were identical on every BBC and ECB+ dev article. One thread per process:
    parallelism is `--processes`, and a 1-process run uses one core.
    """
    from thinc.api import NumpyOps
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")  # for the process's lifetime, in forked workers too
    ops = NumpyOps(use_blis=False)
    for layer in model_layers(nlp):
        if type(layer.ops) is NumpyOps:
            layer.ops = ops


def model_layers(nlp: Language) -> list[Any]:
    """Every thinc layer of the pipeline's trainable pipes."""
    return [layer for _name, pipe in nlp.pipeline if hasattr(getattr(pipe, "model", None), "walk") for layer in pipe.model.walk()]


def matmul_of(nlp: Language) -> str:
    """Which matrix backend the model's layers use: `MATMUL` after `_numpy_matmul`, else "thinc-default"."""
    from thinc.api import NumpyOps

    ops = [layer.ops for layer in model_layers(nlp)]
    if ops and all(type(o) is NumpyOps and not o.use_blis for o in ops):
        return MATMUL
    return "thinc-default"


@functools.lru_cache(maxsize=8)
def load_nlp(model: str, *, max_length: int = 1_000_001, fast: bool = True) -> Language:
    """The installed spaCy pipeline plus an EntityRuler with our patterns, loaded once per process.

    `fast=False` keeps spaCy's own attribute ruler, lemmatizer and matrix backend (the benchmark's
    raw yardstick).
    """
    try:
        module = importlib.import_module(model)
        nlp = module.load()
    except (ImportError, OSError) as exc:
        raise ModelError(
            f"spaCy model '{model}' is not installed ({exc}); run `make` to install the project's dependencies"
        ) from exc
    nlp.max_length = max_length
    if fast:
        _fast_components(nlp)
        _numpy_matmul(nlp)
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("paragraph_boundaries", before="parser")
        nlp.add_pipe("join_fragments", after="parser")
    if not ENTITY_PATTERNS.exists():
        raise ModelError(f"{ENTITY_PATTERNS}: entity patterns not found (they ship with the project in models/)")
    if "ner" in nlp.pipe_names:
        ruler = nlp.add_pipe("entity_ruler", name="pattern_ruler", before="ner", config={"phrase_matcher_attr": "LOWER"})
        try:
            ruler.from_disk(ENTITY_PATTERNS)  # type: ignore[attr-defined]
        except (ValueError, OSError) as exc:
            raise ModelError(f"{ENTITY_PATTERNS}: cannot load entity patterns: {exc}") from exc
    return nlp


def nlp_for(config: PipelineConfig) -> Language:
    """The spaCy pipeline the configuration asks for."""
    return load_nlp(config.spacy_model, max_length=config.max_article_bytes + 1)


def model_info(nlp: Language) -> dict[str, str]:
    """Name and version of the model and of our patterns, recorded in table metadata and the manifest."""
    return {
        "name": f"{nlp.meta.get('lang', 'en')}_{nlp.meta.get('name', '?')}",
        "version": str(nlp.meta.get("version", "?")),
        "spacy_version": spacy.__version__,
        "patterns": _patterns_hash(ENTITY_PATTERNS),
        "matmul": matmul_of(nlp),
    }


def nlp_fingerprint(nlp: Language) -> str:
    """Short hash of everything that changes a parse, for the parse cache key."""
    info = model_info(nlp)
    blob = "|".join(f"{k}={info[k]}" for k in sorted(info)) + "|" + ",".join(nlp.pipe_names)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]
