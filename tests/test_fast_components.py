"""The drop-in attribute ruler and lemmatizer, and numpy's BLAS for the model's matrix products, give
spaCy's own output, token for token (entities included)."""

from __future__ import annotations

import numpy as np
import pytest
from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, LEMMA, MORPH, ORTH, POS, SENT_START, TAG
from spacy.lang.en.lemmatizer import EnglishLemmatizer
from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc

from pipeline.config import DEFAULT_CONFIG
from pipeline.fast_attribute_ruler import FastAttributeRuler
from pipeline.memo_lemmatizer import MemoLemmatizer
from pipeline.nlp import MATMUL, load_nlp, model_info, model_layers, nlp_fingerprint

from conftest import SEEDS

ATTRS = [ORTH, TAG, POS, MORPH, LEMMA, DEP, HEAD, ENT_IOB, ENT_TYPE, SENT_START]


@pytest.fixture(scope="module")
def stock() -> Language:
    return load_nlp(DEFAULT_CONFIG.spacy_model, max_length=DEFAULT_CONFIG.max_article_bytes + 1, fast=False)


@pytest.fixture(scope="module")
def fast() -> Language:
    return load_nlp(DEFAULT_CONFIG.spacy_model, max_length=DEFAULT_CONFIG.max_article_bytes + 1, fast=True)


def _rows(doc: Doc) -> list[tuple[str, str, str, str, str, str]]:
    """What a user reads off each token, for readable failure messages."""
    return [(t.text, t.tag_, t.pos_, str(t.morph), t.lemma_, t.ent_type_) for t in doc]


def test_load_nlp_swaps_only_the_two_components(stock: Language, fast: Language) -> None:
    # Same pipe names (the parse-cache fingerprint hashes them), different classes for exactly two pipes.
    assert stock.pipe_names == fast.pipe_names
    assert type(stock.get_pipe("attribute_ruler")) is AttributeRuler
    assert type(stock.get_pipe("lemmatizer")) is EnglishLemmatizer
    assert isinstance(fast.get_pipe("attribute_ruler"), FastAttributeRuler)
    assert isinstance(fast.get_pipe("lemmatizer"), MemoLemmatizer)
    assert fast.get_pipe("attribute_ruler").patterns == stock.get_pipe("attribute_ruler").patterns


def test_fast_model_multiplies_on_numpy_blas_with_one_thread(stock: Language, fast: Language) -> None:
    # Every layer of every trainable pipe moved off thinc's BLIS, the stock model left alone; the
    # backend is part of the model info, so of the parse-cache key.
    from thinc.api import NumpyOps
    from threadpoolctl import threadpool_info

    layers = model_layers(fast)
    assert len(layers) > 100 and all(type(l.ops) is NumpyOps and not l.ops.use_blis for l in layers)
    assert all(l.ops.use_blis for l in model_layers(stock) if isinstance(l.ops, NumpyOps))
    assert model_info(fast)["matmul"] == MATMUL and model_info(stock)["matmul"] != MATMUL
    assert nlp_fingerprint(fast) != nlp_fingerprint(stock)
    # one BLAS thread per process: a 1-process run uses one core, --processes N uses N
    assert all(pool["num_threads"] == 1 for pool in threadpool_info() if pool["user_api"] == "blas")


@pytest.mark.parametrize(
    "text",
    [
        # contractions: the ruler's multi-token patterns ("gon na", "let 's") run in the residual Matcher
        "They're gonna sign it, let's say, and we won't wait; I'd've known.",
        # existential "there", possessives, numbers and currency
        "There are 1,200 troops in Syria's north, costing $3.5bn a year, the ministry's report said.",
        # whitespace tokens (IS_SPACE patterns), a newline paragraph break and odd casing
        "The  treaty   was SIGNED.\n\nRussia  denied it  .",
        # comparatives, superlatives, -ing/-ed forms and nouns that are also verbs
        "The biggest protests were larger than those planned; leaders are meeting after the meeting.",
        # quotes, hyphens, abbreviations and a URL
        'Mr. Smith said: "U.S.-led talks collapsed", citing https://example.com/a-b?c=1 on Feb. 2.',
        # named entities of several kinds (the ner pipe has its own tok2vec: the largest products)
        "Angela Merkel met Emmanuel Macron in Paris on Monday; Siemens said 4,000 jobs at its Munich plant were safe.",
        # a single token and an empty text
        "Yes",
        "",
    ],
)
def test_same_tokens_as_stock_on_edge_cases(stock: Language, fast: Language, text: str) -> None:
    expected, got = stock(text), fast(text)
    assert _rows(got) == _rows(expected)
    assert np.array_equal(got.to_array(ATTRS), expected.to_array(ATTRS))


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name)
def test_same_tokens_as_stock_on_seed_articles(stock: Language, fast: Language, path) -> None:
    # The real articles the pipeline ships with, parsed in one batch as the parse stage does.
    text = path.read_text(encoding="utf-8")
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    for expected, got in zip(stock.pipe(paragraphs), fast.pipe(paragraphs), strict=True):
        assert _rows(got) == _rows(expected)
        assert np.array_equal(got.to_array(ATTRS), expected.to_array(ATTRS))


def _tagged(nlp: Language, text: str) -> Doc:
    """`text` through the model up to (not including) the attribute ruler."""
    doc = nlp.make_doc(text)
    for name, proc in nlp.pipeline:
        if name == "attribute_ruler":
            return doc
        doc = proc(doc)
    raise AssertionError("model has no attribute_ruler")


def test_patterns_added_after_first_call_take_effect(fast: Language) -> None:
    # A user (or a later model version) adding a pattern must not be served from the stale compiled index.
    ruler = FastAttributeRuler(fast.vocab, "probe")
    ruler.add(patterns=[[{"LOWER": "treaty"}]], attrs={"TAG": "NNP"})
    first = ruler(_tagged(fast, "The treaty ended."))
    assert [t.tag_ for t in first][1] == "NNP"
    ruler.add(patterns=[[{"LOWER": "ended"}]], attrs={"TAG": "VBN"})
    second = ruler(_tagged(fast, "The treaty ended."))
    assert [t.tag_ for t in second][1:3] == ["NNP", "VBN"]


def test_multi_token_pattern_index_is_honoured(fast: Language) -> None:
    # A residual (two-token) pattern with index=1 sets the attribute on the second token only, like spaCy.
    stock_ruler = AttributeRuler(fast.vocab, "stock_probe")
    fast_ruler = FastAttributeRuler(fast.vocab, "fast_probe")
    for ruler in (stock_ruler, fast_ruler):
        ruler.add(patterns=[[{"LOWER": "inf"}, {"LOWER": "treaty"}]], attrs={"TAG": "NNP"}, index=1)
        ruler.add(patterns=[[{"TAG": "NNP"}]], attrs={"LEMMA": "proper"})
    expected = stock_ruler(_tagged(fast, "The INF treaty and the treaty."))
    got = fast_ruler(_tagged(fast, "The INF treaty and the treaty."))
    assert [(t.tag_, t.lemma_) for t in got] == [(t.tag_, t.lemma_) for t in expected]


def test_lemmatizer_relearns_after_its_tables_are_reloaded(fast: Language) -> None:
    # from_bytes replaces the lookups; the memo built on the old tables must not survive it.
    lemmatizer = fast.get_pipe("lemmatizer")
    original = lemmatizer.to_bytes()
    try:
        doc = fast("The ministers were meeting.")
        assert [t.lemma_ for t in doc][1:4] == ["minister", "be", "meet"]
        lemmatizer.lookups.get_table("lemma_exc")["noun"]["ministers"] = ["envoy"]
        lemmatizer.from_bytes(lemmatizer.to_bytes())
        assert [t.lemma_ for t in fast("The ministers were meeting.")][1] == "envoy"
    finally:
        lemmatizer.from_bytes(original)
    assert [t.lemma_ for t in fast("The ministers were meeting.")][1] == "minister"


@pytest.mark.parametrize(
    "overwrite",
    [
        # default: a lemma already set (here by the caller) is kept
        False,
        # overwrite: every token gets the rule lemma
        True,
    ],
)
def test_lemmatizer_overwrite_matches_stock(fast: Language, overwrite: bool) -> None:
    stock = EnglishLemmatizer(fast.vocab, None, "stock_lemma", mode="rule", overwrite=overwrite)
    memo = MemoLemmatizer(fast.vocab, None, "memo_lemma", mode="rule", overwrite=overwrite)
    tables = fast.get_pipe("lemmatizer").to_bytes()
    stock.from_bytes(tables)
    memo.from_bytes(tables)

    def prepared() -> Doc:
        doc = _tagged(fast, "Protesters were marching and talks collapsed.")
        fast.get_pipe("attribute_ruler")(doc)
        doc[0].lemma_ = "preset"
        return doc

    assert [t.lemma_ for t in memo(prepared())] == [t.lemma_ for t in stock(prepared())]
