"""Tests for the pairwise "same fact?" scorer (pipeline.similarity)."""

from __future__ import annotations

import json
import pathlib

import pytest

from pipeline import similarity as sim
from pipeline.similarity import ModelError, PairScore, ParaphraseScorer
from pipeline.similarity import features as sim_features, model as sim_model


@pytest.fixture(scope="module")
def scorer() -> ParaphraseScorer:
    return ParaphraseScorer.load()


SAME_FACT = [
    # the product's reference example: same event, different wording/detail (G20 summit ~ Hamburg)
    (
        "The first face-to-face meeting between Trump and Putin took place in July 2017 at the G20 summit.",
        "In July 2017 Trump and Putin met in person for the first time, in Hamburg.",
    ),
    # active/passive + synonym ("cut" ~ "eliminate"), same number
    (
        "The company said on Monday it would cut 2,000 jobs.",
        "On Monday the company announced it will eliminate 2,000 jobs.",
    ),
    # passive voice, same value
    (
        "The central bank raised interest rates by 0.5 percentage points.",
        "Interest rates were raised by the central bank by 0.5 percentage points.",
    ),
    # money with multiplier written identically, reordered
    (
        "Apple reported revenue of $90 billion for the quarter.",
        "Apple's quarterly revenue came in at $90 billion.",
    ),
]

DIFFERENT_FACT = [
    # shared entities (Trump, Putin) but a different event: other city, other year
    (
        "Trump and Putin met in Hamburg in July 2017.",
        "Trump and Putin met in Helsinki in July 2018.",
        {sim.VETO_YEAR, sim.VETO_PLACE},
    ),
    # same wording, value disagreement
    ("The pipeline is 5,500 km long.", "The pipeline is 5,000 km long.", {sim.VETO_NUMBER}),
    # same wording, negation disagreement
    (
        "The commission has concluded its investigation into the crash.",
        "The commission has not concluded its investigation into the crash.",
        {sim.VETO_NEGATION},
    ),
    # money disagreement with multipliers
    (
        "Apple reported revenue of $90 billion for the quarter.",
        "Apple reported revenue of $95 billion for the quarter.",
        {sim.VETO_NUMBER},
    ),
]


@pytest.mark.parametrize(("a", "b"), SAME_FACT)
def test_same_fact_matches(scorer: ParaphraseScorer, a: str, b: str) -> None:
    s = scorer.score(a, b)
    assert s.veto is None, s
    assert s.same, s
    assert s.text_same
    assert s.probability >= scorer.threshold


@pytest.mark.parametrize(("a", "b", "vetoes"), DIFFERENT_FACT)
def test_different_fact_vetoed(scorer: ParaphraseScorer, a: str, b: str, vetoes: set[str]) -> None:
    s = scorer.score(a, b)
    assert not s.same, s
    assert s.veto is not None
    assert vetoes <= set(s.vetoes), s
    assert s.veto == s.vetoes[0]


def test_extra_detail_is_not_a_disagreement(scorer: ParaphraseScorer) -> None:
    # a number/place stated on one side only is extra detail, not a contradiction
    s = scorer.score(
        "Trump and Putin met in Hamburg in July 2017 on the sidelines of the summit of 20 economies.",
        "Trump and Putin met in July 2017.",
    )
    assert s.vetoes == ()


def test_unrelated_sentences_do_not_match(scorer: ParaphraseScorer) -> None:
    s = scorer.score("The pipeline is 5,500 km long.", "Shares of the carmaker fell sharply on Tuesday.")
    assert not s.same
    assert s.probability < scorer.threshold


@pytest.mark.parametrize(("a", "b"), [p for p in SAME_FACT] + [p[:2] for p in DIFFERENT_FACT])
def test_symmetry(scorer: ParaphraseScorer, a: str, b: str) -> None:
    assert scorer.score(a, b) == scorer.score(b, a)


def test_idf_sums_do_not_depend_on_the_order_a_set_is_walked_in() -> None:
    # `a & b` walks b when both sets have one size: a plain sum then depended on the hash seed
    idf = {"w1": 0.1, "w2": 0.2, "w3": 0.3, "w4": 1e-17}
    words = ["w1", "w2", "w3", "w4"]
    assert sim_features._idf_sum(words, idf, 1.0) == sim_features._idf_sum(words[::-1], idf, 1.0)
    assert sim_features._idf_sq(words, idf, 1.0) == sim_features._idf_sq(words[::-1], idf, 1.0)


def test_determinism_and_batch_equals_single(scorer: ParaphraseScorer) -> None:
    pairs = [p for p in SAME_FACT] + [p[:2] for p in DIFFERENT_FACT]
    first = [scorer.score(a, b) for a, b in pairs]
    fresh = ParaphraseScorer.load()  # new instance, empty cache
    assert fresh.score_many(pairs) == first
    assert scorer.score_many(pairs) == first
    assert fresh.version == scorer.version


def test_docs_are_used(scorer: ParaphraseScorer) -> None:
    nlp = sim.get_nlp()
    a, b = SAME_FACT[1]
    fresh = ParaphraseScorer.load()
    s = fresh.score(a, b, doc_a=nlp(a), doc_b=nlp(b))
    assert s == scorer.score(a, b)
    assert fresh.score_many([(a, b)], docs={a: nlp(a), b: nlp(b)}) == [s]


def test_probability_range_and_types(scorer: ParaphraseScorer) -> None:
    s = scorer.score("Same sentence here.", "Same sentence here.")
    assert isinstance(s, PairScore)
    assert 0.0 <= s.probability <= 1.0
    assert s.same
    assert 0.0 < scorer.threshold < 1.0
    assert scorer.version


def test_structural_signals_exposed(scorer: ParaphraseScorer) -> None:
    info = scorer.info("The company paid $2.5 billion in 2019 to settle claims in Texas, not $3 billion.")
    assert 2.5e9 in info.numbers and 3e9 in info.numbers
    assert ("$", 2.5e9) in info.quantities
    assert info.years == frozenset({2019})
    assert "texas" in info.places
    assert info.negations == 1


def _deep_size(obj: object, seen: set[int]) -> int:
    import sys

    if id(obj) in seen:
        return 0
    seen.add(id(obj))
    size = sys.getsizeof(obj)
    if isinstance(obj, (tuple, frozenset)):
        size += sum(_deep_size(x, seen) for x in obj)
    return size


@pytest.mark.parametrize(
    "text",
    [
        # a typical news claim: numbers, a place, a date, a named entity
        "The company said on Monday it would cut 2,000 jobs at its plant in Ohio by the end of 2020.",
        # a long one, many distinct words
        "Officials in the northern province said the floods, which began after three days of heavy rain, "
        "had destroyed at least 1,200 homes and forced more than 15,000 people to leave their villages.",
    ],
)
def test_analysis_is_compact(scorer: ParaphraseScorer, text: str) -> None:
    # The dedup index holds one analysis per claim (a million claims for 100k articles): the word
    # set and the normalised text are derived, words are shared strings, empty sets one object.
    info = scorer.info(text)
    other = scorer.info(text + " Nothing else changed.")
    assert info.word_set == frozenset(info.words) and info.norm == " ".join(info.words)
    assert all(w is v for w, v in zip(info.words, other.words))  # interned: stored once for both
    assert info.lemma_set == frozenset(info.lemmas) and list(info.lemmas) == sorted(set(info.lemmas))
    empties = [getattr(info, f) for f in info.__slots__ if getattr(info, f) == frozenset()]
    assert empties and all(e is empties[0] for e in empties)
    seen: set[int] = set(map(id, info.words))  # the word strings are shared, not the info's own
    own = sum(_deep_size(getattr(info, f), seen) for f in info.__slots__)
    assert own < 40 * len(info.words) + 2400, own  # 2.7 and 3.0 KB; stored sets made it 8.9 and 11.1


def test_missing_artifact_raises_typed_error(tmp_path: pathlib.Path) -> None:
    missing = tmp_path / "no-such-model"
    with pytest.raises(ModelError) as exc:
        ParaphraseScorer.load(missing)
    assert str(missing) in str(exc.value)


@pytest.mark.parametrize(
    "content",
    [
        "not json {",
        json.dumps({"format": "something-else"}),
        json.dumps({"format": sim.ARTIFACT_FORMAT, "feature_names": list(sim.FEATURE_NAMES)}),
    ],
)
def test_corrupt_artifact_raises_typed_error(tmp_path: pathlib.Path, content: str) -> None:
    (tmp_path / sim_model.MODEL_FILE).write_text(content)
    with pytest.raises(ModelError) as exc:
        ParaphraseScorer.load(tmp_path)
    assert str(tmp_path) in str(exc.value)


def _synthetic_pairs():
    from pipeline.training.similarity import Pair

    subjects = ["The council", "The company", "The union", "The ministry", "The court", "The agency"]
    objects = ["the budget", "the merger", "the strike", "the new rules", "the appeal", "the report"]
    pairs = []
    for i, (s, o) in enumerate(zip(subjects, objects)):
        pairs.append(Pair(1, f"{s} approved {o} on Monday.", f"On Monday {s.lower()} approved {o}."))
        pairs.append(Pair(1, f"{s} rejected {o} after a long debate.", f"After a long debate, {o} was rejected by {s.lower()}."))
        other = objects[(i + 1) % len(objects)]
        pairs.append(Pair(0, f"{s} approved {o} on Monday.", f"{subjects[(i + 2) % 6]} criticised {other} in a statement."))
        pairs.append(Pair(0, f"{s} rejected {o} after a long debate.", f"Officials said {other} would be published later."))
    return pairs


def test_training_is_reproducible(tmp_path: pathlib.Path) -> None:
    from pipeline.training import similarity as train

    pairs = _synthetic_pairs()
    params = {"n_estimators": 20, "min_samples_leaf": 2}
    m1, meta1 = train.train(pairs, params=params, folds=2)
    m2, meta2 = train.train(pairs, params=params, folds=2)
    assert json.dumps(m1, sort_keys=True) == json.dumps(m2, sort_keys=True)
    assert meta1["cv"] == meta2["cv"]
    train.write_artifact(tmp_path, m1, meta1)
    loaded = ParaphraseScorer.load(tmp_path)
    assert loaded.version == m1["version"]
    s = loaded.score(pairs[0].a, pairs[0].b)
    assert 0.0 <= s.probability <= 1.0


def test_read_mrpc_format(tmp_path: pathlib.Path) -> None:
    from pipeline.training.similarity import read_mrpc

    f = tmp_path / "m.txt"
    f.write_bytes(
        "\ufeffQuality\t#1 ID\t#2 ID\t#1 String\t#2 String\r\n1\t1\t2\tA \"quoted\" one.\tAnother one.\r\n".encode()
    )
    (p,) = read_mrpc(f)
    assert (p.label, p.a, p.b) == (1, 'A "quoted" one.', "Another one.")


def test_edit_distance_features_read_a_bounded_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    # A text with no full stop became one 16k-character claim; one pair took 52 s in the quadratic
    # features. Whatever the claims' length, those features see at most the caps.
    import spacy

    nlp = spacy.blank("en")
    long_a = sim.analyze(nlp.make_doc(" ".join(f"word{k % 700} alpha" for k in range(5_000))))
    long_b = sim.analyze(nlp.make_doc(" ".join(f"word{k % 650} beta" for k in range(5_000))))
    seen: list[int] = []

    def spy(original):
        def wrapped(x, y, *args, **kwargs):
            seen.extend((len(x), len(y)))
            return original(x, y, *args, **kwargs)
        return wrapped

    partial: list[int] = []

    def spy_partial(x, y, *args, **kwargs):
        partial.extend((len(x), len(y)))
        return original_partial(x, y, *args, **kwargs)

    original_partial = sim_features.fuzz.partial_ratio
    monkeypatch.setattr(sim_features.fuzz, "partial_ratio", spy_partial)
    monkeypatch.setattr(sim_features.Levenshtein, "distance", spy(sim_features.Levenshtein.distance))
    monkeypatch.setattr(sim_features, "_longest_common_run", spy(sim_features._longest_common_run))
    features = sim.pair_features(long_a, long_b, {}, 1.0)
    assert len(features) == sim_features.N_FEATURES and all(f == f for f in features)  # no NaN
    assert len(seen) == 4 and max(seen) <= sim_features.MAX_FUZZY_CHARS
    # partial_ratio is the steepest (0.3 s a pair at 2,000 characters): it reads the shortest prefix
    assert len(partial) == 2 and max(partial) <= sim_features.MAX_PARTIAL_CHARS


def test_the_scorer_analyses_text_with_the_pipeline_s_own_spacy_setup() -> None:
    # training and evaluation used plain spacy.load: no entity patterns, no sentence rules, so they
    # analysed text differently from the runs the model scores
    from pipeline.config import DEFAULT_CONFIG
    from pipeline.nlp import nlp_for

    assert sim.get_nlp().pipe_names == nlp_for(DEFAULT_CONFIG).pipe_names
    assert {"pattern_ruler", "paragraph_boundaries", "join_fragments"} <= set(sim.get_nlp().pipe_names)
