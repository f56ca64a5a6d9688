"""The worst-case benchmark's own logic: the articles it builds and how it reads growth (no timing checks)."""

from __future__ import annotations

import random

import pytest

from bench.worst import CASES, Timing, growth_exponent
from pipeline.ingest import RawInput, ingest


@pytest.mark.parametrize("case", ["no_full_stops", "one_word_lines", "repeated_sentence", "distinct_facts"])
def test_worst_case_articles_are_the_size_asked_and_what_they_claim(case: str) -> None:
    # the worst-case benchmark compares a 1/4-size article with a full one: sizes must be right
    text = CASES[case](200_000, random.Random(1))
    assert 190_000 <= len(text.encode()) <= 201_000
    # ingest accepts it (a rejected article would measure nothing: the first version was not English)
    assert ingest([RawInput("a.txt", f"Worst case\n\n{text}".encode())]).column("status").to_pylist() == ["ok"]
    if case in ("no_full_stops", "one_word_lines"):
        assert "." not in text  # no sentence ends: the pathological part
    if case == "repeated_sentence":
        assert len(set(text.split(". "))) <= 2
    if case == "distinct_facts":
        sentences = text.split(". ")
        assert len(set(sentences)) > 0.95 * len(sentences)


@pytest.mark.parametrize(
    ("small", "large", "exponent"),
    [
        ((1.0, 13.0), (4.0, 49.0), 1.0),  # 4x the text, 4x the time beyond the 1 s every run pays
        ((1.0, 5.0), (4.0, 65.0), 2.0),  # quadratic
    ],
)
def test_growth_exponent_sets_the_fixed_cost_aside(small: tuple[float, float], large: tuple[float, float], exponent: float) -> None:
    a = Timing("x", int(small[0] * 1e5), small[1], 0, 0)
    b = Timing("x", int(large[0] * 1e5), large[1], 0, 0)
    assert growth_exponent(a, b, baseline=1.0) == pytest.approx(exponent)
