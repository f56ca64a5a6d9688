"""Check-worthiness scorer: ranking sanity, range, determinism, artifact errors, reproducible training."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.checkworthiness import (
    ARTIFACT_NAME,
    DEFAULT_MODEL_DIR,
    CheckworthinessModel,
    ModelError,
)

needs_model = pytest.mark.skipif(
    not (DEFAULT_MODEL_DIR / ARTIFACT_NAME).exists(), reason="shipped check-worthiness model not present"
)


@pytest.fixture(scope="module")
def model() -> CheckworthinessModel:
    return CheckworthinessModel.load()


CLAIMS = [
    # statistic with a number, unit and a year: the prototypical check-worthy claim
    "The unemployment rate fell to 4.1 percent in 2017.",
    # quantity + money + time frame attributed to an actor
    "The government spent $3 billion on the program last year.",
    # comparative fact about a named entity that can be verified
    "Crime in New York dropped by 20 percent over the past decade.",
    # voting-record style claim, the most frequent type in ClaimBuster
    "My opponent voted against the tax cut three times.",
]

NON_CLAIMS = [
    # opinion / exhortation with no verifiable content
    "Understanding this is crucial for everyone.",
    # question: asks, does not assert
    "What are we going to do about it?",
    # self-referential framing of a news article
    "This article explores the history of the conflict.",
    # pleasantry / discourse filler
    "Thank you very much, it is a pleasure to be here.",
    # first-person belief statement
    "I think we can do better as a nation.",
]


@needs_model
@pytest.mark.parametrize("claim", CLAIMS)
@pytest.mark.parametrize("other", NON_CLAIMS)
def test_claims_outscore_non_claims(model: CheckworthinessModel, claim: str, other: str) -> None:
    claim_score, other_score = model.score([claim, other])
    assert claim_score > other_score, (claim, claim_score, other, other_score)


@needs_model
@pytest.mark.parametrize(
    "text, expected",
    [
        # clear statistic: above the shipped threshold
        ("The unemployment rate fell to 4.1 percent in 2017.", True),
        # curly apostrophe (news typography) is normalised like ASCII: same decision as the claim
        ("The deficit has tripled since 2009, according to the CBO’s figures.", True),
        # exhortation: below the threshold
        ("Understanding this is crucial for everyone.", False),
        # question: below the threshold
        ("Do you really believe that?", False),
        # self-referential article framing: absent from the debate training data, capped by
        # the artifact's meta_discourse rule (the linear part alone scores it ~0.78)
        ("This article explores the history of the conflict.", False),
        # ... but a report *finding* something is a claim and is not caught by that rule
        ("This report found that 30 percent of children live in poverty.", True),
    ],
)
def test_decisions_on_clear_cases(model: CheckworthinessModel, text: str, expected: bool) -> None:
    assert bool(model.predict([text])[0]) is expected, (text, model.score([text])[0], model.threshold)


@needs_model
def test_scores_in_unit_interval_and_shape(model: CheckworthinessModel) -> None:
    texts = CLAIMS + NON_CLAIMS + ["", "   ", "?", "1 2 3 4 5", "x" * 5000, "Ünïcödé ☃ 😀 text"]
    scores = model.score(texts)
    assert scores.shape == (len(texts),)
    assert scores.dtype == np.float64
    assert np.all(np.isfinite(scores)) and np.all((scores >= 0.0) & (scores <= 1.0))
    assert model.score([]).shape == (0,)


@needs_model
def test_deterministic_and_batch_independent(model: CheckworthinessModel) -> None:
    texts = CLAIMS + NON_CLAIMS
    a = model.score(texts)
    b = CheckworthinessModel.load().score(list(reversed(texts)))[::-1]
    singles = np.array([model.score([t])[0] for t in texts])
    np.testing.assert_array_equal(a, model.score(texts))
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    np.testing.assert_allclose(a, singles, rtol=0, atol=1e-12)


@needs_model
def test_metadata(model: CheckworthinessModel) -> None:
    assert 0.0 < model.threshold < 1.0
    assert [r["name"] for r in model.rules] == ["meta_discourse"]  # rules are part of the versioned artifact
    assert isinstance(model.version, str) and len(model.version) == 16
    meta = json.loads((DEFAULT_MODEL_DIR / "meta.json").read_text())
    assert meta["version"] == model.version
    assert meta["threshold"] == pytest.approx(model.threshold)


@needs_model
def test_docs_are_accepted(model: CheckworthinessModel, nlp) -> None:
    texts = ["The unemployment rate fell to 4.1 percent in 2017.", "Understanding this is crucial for everyone."]
    docs = list(nlp.pipe(texts))
    np.testing.assert_allclose(model.score(texts, docs=docs), model.score(texts))
    np.testing.assert_allclose(model.score([], docs=docs), model.score(texts))
    np.testing.assert_allclose(model.score([], docs=[d[:] for d in docs]), model.score(texts))
    with pytest.raises(ValueError):
        model.score(texts[:1], docs=docs)


def test_single_string_is_rejected() -> None:
    m = _tiny_model()
    with pytest.raises(TypeError):
        m.score("a sentence, not a list")  # type: ignore[arg-type]


# ------------------------------------------------------------------ artifact errors
def test_missing_artifact_raises_typed_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as info:
        CheckworthinessModel.load(tmp_path / "nowhere")
    assert "nowhere" in str(info.value) and "not found" in str(info.value)
    assert info.value.path == tmp_path / "nowhere" / ARTIFACT_NAME


@pytest.mark.parametrize(
    "payload, problem",
    [
        # not gzip at all
        (b"this is not a model", "corrupt"),
        # gzip, but not JSON
        (gzip.compress(b"{not json"), "corrupt"),
        # JSON of the wrong shape / another format
        (gzip.compress(b'{"format": "something-else"}'), "unsupported model format"),
        # right format tag but missing fields
        (gzip.compress(b'{"format": "checkworthiness-linear-tfidf/1", "blocks": []}'), "corrupt"),
    ],
)
def test_corrupt_artifact_raises_typed_error(tmp_path: Path, payload: bytes, problem: str) -> None:
    (tmp_path / ARTIFACT_NAME).write_bytes(payload)
    with pytest.raises(ModelError) as info:
        CheckworthinessModel.load(tmp_path)
    assert str(tmp_path / ARTIFACT_NAME) in str(info.value)
    assert problem in str(info.value)


def test_inconsistent_block_raises_typed_error(tmp_path: Path) -> None:
    m = _tiny_model()
    obj = m.to_json()
    obj["blocks"][0]["coef"] = obj["blocks"][0]["coef"][:-1]  # one weight short
    (tmp_path / ARTIFACT_NAME).write_bytes(gzip.compress(json.dumps(obj).encode()))
    with pytest.raises(ModelError, match="lengths differ"):
        CheckworthinessModel.load(tmp_path)


# ------------------------------------------------------------ reproducible training
TINY = [
    ("The unemployment rate fell to 4.1 percent in 2017.", 1),
    ("We spent 3 billion dollars on defense last year.", 1),
    ("Taxes rose by 20 percent under his plan.", 1),
    ("Crime dropped 10 percent in New York since 2010.", 1),
    ("I think we need to do better.", -1),
    ("Thank you very much.", -1),
    ("What do you think about that?", 0),
    ("That is a great question.", -1),
]


def _write_tiny(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    df = pd.DataFrame(
        {
            "Sentence_id": range(len(TINY)),
            "Text": [t for t, _ in TINY],
            "Speaker": "X",
            "Verdict": [v for _, v in TINY],
        }
    )
    df.to_csv(folder / "crowdsourced.csv", index=False)
    # one test sentence overlapping the train file: it must be dropped from training
    pd.DataFrame({"Sentence_id": [99], "Text": ["Thank you very much."], "Verdict": [-1]}).to_csv(
        folder / "groundtruth.csv", index=False
    )
    return folder


def _tiny_model() -> CheckworthinessModel:
    from pipeline.training.checkworthiness import train

    model, _ = train([t for t, _ in TINY], [int(v == 1) for _, v in TINY])
    return model


def test_training_is_byte_reproducible(tmp_path: Path) -> None:
    from pipeline.training.checkworthiness import main

    data = _write_tiny(tmp_path / "data")
    assert main(["--data", str(data), "--out", str(tmp_path / "a")]) == 0
    assert main(["--data", str(data), "--out", str(tmp_path / "b")]) == 0
    for name in (ARTIFACT_NAME, "meta.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name

    meta = json.loads((tmp_path / "a" / "meta.json").read_text())
    assert meta["training_data"]["rows_dropped_overlap_with_test"] == 1
    assert meta["training_data"]["rows_used"] == len(TINY) - 1

    loaded = CheckworthinessModel.load(tmp_path / "a")
    assert loaded.version == meta["version"]
    claim, other = loaded.score(["Taxes fell 5 percent in 2012.", "Thank you, what a question."])
    assert claim > other


ANALYZER_TEXTS = [
    # plain sentence with a number and a percent sign kept as a token
    "The unemployment rate fell to 4.1 percent (or 4.1%) in 2017?",
    # one-letter and two-letter words: char_wb stops after the whole padded word
    "I a an ox -- it is, $5 OK",
    # non-ASCII letters and digits that \w matches, mixed case
    "Zürich's CAFÉ sold ١٢ items; naïve déjà-vu",
    # runs of whitespace, tabs and a newline between words
    "  spaced\tout \n text  ",
    # empty text: no n-grams at all
    "",
]


@pytest.mark.parametrize("text", ANALYZER_TEXTS)
@pytest.mark.parametrize(("kind", "ngram_range"), [("word", (1, 2)), ("word", (2, 3)), ("char", (2, 5)), ("char", (1, 3))])
def test_runtime_ngrams_match_sklearn(text: str, kind: str, ngram_range: tuple[int, int]) -> None:
    """Scoring tokenises without scikit-learn: its n-grams must be exactly those training used."""
    from pipeline.checkworthiness import char_wb_ngrams, make_analyzer, word_ngrams

    expected = make_analyzer(kind, ngram_range).build_analyzer()(text)
    if kind == "word":
        got = word_ngrams(text, ngram_range)
    else:
        got = [g for word in text.lower().split() for g in char_wb_ngrams(word, ngram_range)]
    assert sorted(got) == sorted(expected)


@needs_model
def test_scores_match_sklearn_tokenisation(model: CheckworthinessModel) -> None:
    """The shipped model's scores equal those computed from sklearn's own counts of the same texts."""
    from pipeline.checkworthiness import _tfidf_values, make_analyzer, normalize_text

    texts = CLAIMS + NON_CLAIMS + ANALYZER_TEXTS
    norm = [normalize_text(t) for t in texts]
    z = np.full(len(texts), model.intercept)
    for block in model.blocks:
        x = make_analyzer(block.kind, block.ngram_range, block.vocabulary).transform(norm).tocoo()
        order = np.lexsort((x.col, x.row))
        rows, cols, counts = x.row[order].astype(np.int64), x.col[order].astype(np.int64), x.data[order]
        data = _tfidf_values(rows, cols, counts.astype(np.float64), block.idf, len(texts))
        z += np.bincount(rows, weights=data * block.coef[cols], minlength=len(texts))
    np.testing.assert_allclose(model.decision_function(texts), z, rtol=1e-9, atol=1e-12)
