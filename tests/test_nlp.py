"""Tests for pipeline.nlp: the paragraph_boundaries component."""

from __future__ import annotations

import pytest
import spacy

from pipeline.nlp import paragraph_boundaries


def _starts(text: str) -> list[str]:
    """Tokens the component marks as sentence starts (the first token aside)."""
    doc = paragraph_boundaries(spacy.blank("en")(text))
    return [t.text for t in doc[1:] if t.is_sent_start]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Rates rose.\n\nShares fell.", ["Shares"]),  # a blank line starts the next paragraph's sentence
        ("Rates rose.\n \n\tShares fell.", ["Shares"]),  # a blank line holding spaces and tabs
        ("Rates rose.\nShares fell.", []),  # one newline is a line break, not a paragraph
        ("Rates rose. Shares fell.", []),  # no break at all: the parser decides
        ("Title\n\nRates rose.\n\n\nShares fell.", ["Rates", "Shares"]),  # several paragraphs
        ("Rates rose.\n\n", []),  # a trailing blank line has no token after it
        ("\n\nRates rose.", ["Rates"]),  # after a leading blank line, the first word starts a sentence
    ],
)
def test_blank_lines_start_sentences(text: str, expected: list[str]) -> None:
    assert _starts(text) == expected


def test_empty_doc() -> None:
    # an empty article passes through untouched
    assert len(paragraph_boundaries(spacy.blank("en")(""))) == 0
