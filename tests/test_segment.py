"""Segment: sentences with exact offsets, headings as sections, paragraphs counted."""

from __future__ import annotations

import pyarrow as pa
import pytest
from spacy.language import Language

from pipeline.ingest import RawInput, ingest
from pipeline.segment import paragraphs, segment


def _segment(nlp: Language, text: str) -> list[dict[str, object]]:
    articles = ingest([RawInput("a.txt", text.encode())])
    doc = nlp(articles["text"][0].as_py())
    return segment(articles, {"a": doc}).to_pylist()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # two paragraphs, the first a heading
        ("Background\n\nThe treaty was signed in 1987.", [(0, 10, True), (12, 42, False)]),
        # blank lines with spaces between paragraphs; leading spaces trimmed
        ("One line.\n   \n\n  Two lines.", [(0, 9, False), (17, 27, False)]),
        # a heading-length line that ends with a full stop is not a heading
        ("It rained.", [(0, 10, False)]),
    ],
)
def test_paragraph_spans(text: str, expected: list[tuple[int, int, bool]]) -> None:
    assert [(p.start_char, p.end_char, p.is_heading) for p in paragraphs(text)] == expected


def test_sentences_have_exact_offsets_sections_and_ids(nlp: Language) -> None:
    text = (
        "Title Of Piece\n\nby A B 3 views\n\nIntroduction\n\nThe leaders met in Helsinki in July 2018. "
        "They talked for two hours.\n\nOutcomes\n\nNo agreement was signed.\nA statement followed."
    )
    rows = _segment(nlp, text)
    articles_text = ingest([RawInput("a.txt", text.encode())])["text"][0].as_py()
    assert [r["text"] for r in rows] == [
        "The leaders met in Helsinki in July 2018.",
        "They talked for two hours.",
        "No agreement was signed.",
        "A statement followed.",
    ]
    for r in rows:
        assert articles_text[r["start_char"] : r["end_char"]] == r["text"]
    assert [r["section"] for r in rows] == ["Introduction", "Introduction", "Outcomes", "Outcomes"]
    assert [r["paragraph_index"] for r in rows] == [1, 1, 3, 3]
    assert [r["sentence_id"] for r in rows] == [f"a/s000{i}" for i in range(4)]


def test_sentences_never_cross_paragraphs(nlp: Language) -> None:
    # no final punctuation before the break: spaCy alone might join these
    rows = _segment(nlp, "the vote was close and the result came late in the evening after a long count in the old town hall\n\nofficials said the count was fair.")
    assert len(rows) == 2 and rows[1]["paragraph_index"] == 1


def test_rejected_articles_have_no_sentences(nlp: Language) -> None:
    articles = ingest([RawInput("empty.txt", b"")])
    assert segment(articles, {}).num_rows == 0
    assert isinstance(segment(articles, {}), pa.Table)


def test_without_the_text_column_the_parses_own_text_gives_the_same_sentences(nlp: Language) -> None:
    # The segment stage reads the articles without their texts (memory); the sentences' offsets
    # and texts must be what they are with the texts given.
    text = "Background\n\nThe treaty was signed in 1987.  It lapsed in 2019.\n\nBoth sides blamed each other."
    articles = ingest([RawInput("a.txt", text.encode())])
    docs = {"a": nlp(articles["text"][0].as_py())}
    assert segment(articles.drop_columns(["text"]), docs).equals(segment(articles, docs))
