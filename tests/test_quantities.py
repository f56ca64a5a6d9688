"""Quantities: numbers read from entity text, with their scale."""

from __future__ import annotations

import pytest

from pipeline.quantities import parse_number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("5,500", 5_500.0),  # digits with a thousands separator
        ("1.13bn", 1.13e9),  # a short scale word
        ("two million", 2e6),  # words
        # ECB+: "between $140 and $150 million" was 140 USD against another outlet's "$140 million",
        # a conflict of 140 million USD vs 140 USD; the range writes its scale once, at the end
        ("between $140 and $150 million", 1.4e8),
        ("2 to 3 billion", 2e9),
        ("$140 million and $150 million", 1.4e8),  # each end with its own scale
        ("between 140 and 150", 140.0),  # no scale anywhere: the plain lower bound
        ("12 and 13", 12.0),
    ],
)
def test_a_number_keeps_the_scale_written_with_it_or_at_the_end_of_its_range(text: str, value: float) -> None:
    assert parse_number(text) == pytest.approx(value)
