"""Segment stage: articles + their parses → paragraphs, section headings and sentences with exact offsets."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import pyarrow as pa
from spacy.tokens import Doc

from .config import DEFAULT_CONFIG, PipelineConfig
from .furniture import furniture_parts
from .ingest import is_heading
from .schemas import SENTENCES, table_from_rows

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\u00a0]*\n\s*")


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph's span in the article text; headings are paragraphs too."""

    index: int
    start_char: int
    end_char: int
    is_heading: bool


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence span inside one paragraph; `furniture` is why it is page furniture, or None."""

    paragraph_index: int
    start_char: int
    end_char: int
    section: str | None
    n_tokens: int
    furniture: str | None = None


def paragraphs(text: str, *, max_heading_words: int = DEFAULT_CONFIG.max_heading_words) -> list[Paragraph]:
    """Paragraph spans (blank-line separated), trimmed of surrounding whitespace."""
    out: list[Paragraph] = []
    pos = 0
    pieces = [(m.start(), m.end()) for m in _PARAGRAPH_BREAK.finditer(text)] + [(len(text), len(text))]
    for brk_start, brk_end in pieces:
        start, end = _trim(text, pos, brk_start)
        if start < end:
            out.append(Paragraph(len(out), start, end, is_heading(text[start:end], max_words=max_heading_words)))
        pos = brk_end
    return out


def sentences(
    doc: Doc, *, text: str | None = None, max_heading_words: int = DEFAULT_CONFIG.max_heading_words
) -> Iterator[Sentence]:
    """Sentences of a parsed article, split at paragraph breaks, headings excluded and given as `section`.

    Each says whether it is page furniture (pipeline/furniture.py); a credit or gallery counter glued
    to the front of a sentence becomes a furniture sentence of its own before the rest.

    ``text`` is the article text the Doc was parsed from, when the caller has it (``doc.text``
    rebuilds it token by token).
    """
    if text is None:
        text = doc.text
    paras = paragraphs(text, max_heading_words=max_heading_words)
    starts = [p.start_char for p in paras]
    section: str | None = None
    heading_at: dict[int, str] = {p.index: text[p.start_char : p.end_char] for p in paras if p.is_heading}
    last_para = -1
    for sent in doc.sents:
        first = max(0, bisect.bisect_right(starts, sent.start_char) - 1)
        for para in paras[first:]:
            if para.start_char >= sent.end_char:
                break
            start, end = _trim(text, max(sent.start_char, para.start_char), min(sent.end_char, para.end_char))
            if start >= end:
                continue
            if para.index != last_para:
                for i in range(last_para + 1, para.index + 1):
                    if i in heading_at:
                        section = heading_at[i]
                last_para = para.index
            if para.is_heading:
                continue
            for part in furniture_parts(text[start:end]):
                p_start, p_end = _trim(text, start + part.start, start + part.end)
                if p_start >= p_end:
                    continue
                span = doc.char_span(p_start, p_end, alignment_mode="expand")
                yield Sentence(para.index, p_start, p_end, section, len(span) if span is not None else 0, part.furniture)


def segment(
    articles: pa.Table, docs: Mapping[str, Doc], *, config: PipelineConfig = DEFAULT_CONFIG
) -> pa.Table:
    """The sentences table for every accepted article.

    The texts are the `text` column when `articles` has one, else the parses' own (`doc.text`, the
    same string: a Doc is its text's tokens with their whitespace), so a stage need not read them.
    """
    rows: list[dict[str, object]] = []
    ids, statuses = articles["article_id"].to_pylist(), articles["status"].to_pylist()
    texts = articles["text"].to_pylist() if "text" in articles.column_names else [None] * len(ids)
    for article_id, status, given in zip(ids, statuses, texts, strict=True):
        if status != "ok":
            continue
        doc = docs[article_id]  # parsed from exactly this text
        text = given if given is not None else doc.text
        for index, sent in enumerate(sentences(doc, text=text, max_heading_words=config.max_heading_words)):
            rows.append(
                {
                    "sentence_id": sentence_id(article_id, index),
                    "article_id": article_id,
                    "paragraph_index": sent.paragraph_index,
                    "sentence_index": index,
                    "start_char": sent.start_char,
                    "end_char": sent.end_char,
                    "text": text[sent.start_char : sent.end_char],
                    "section": sent.section,
                    "n_tokens": sent.n_tokens,
                    "furniture": sent.furniture,
                }
            )
    return table_from_rows(rows, SENTENCES)


def sentence_id(article_id: str, index: int) -> str:
    """Stable sentence id from the article id and the sentence's position."""
    return f"{article_id}/s{index:04d}"


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


class SentenceLookup:
    """Finds the sentence that contains a character span, for stages that annotate spans."""

    def __init__(self, sentences: pa.Table) -> None:
        self._index: dict[str, tuple[list[int], list[int], list[str]]] = {}
        for aid, start, end, sid in zip(
            sentences["article_id"].to_pylist(),
            sentences["start_char"].to_pylist(),
            sentences["end_char"].to_pylist(),
            sentences["sentence_id"].to_pylist(),
            strict=True,
        ):
            starts, ends, ids = self._index.setdefault(aid, ([], [], []))
            starts.append(start)
            ends.append(end)
            ids.append(sid)

    def find(self, article_id: str, start: int, end: int) -> str | None:
        """Id of the sentence containing [start, end), or None (inside a heading, or across sentences)."""
        entry = self._index.get(article_id)
        if entry is None:
            return None
        starts, ends, ids = entry
        i = bisect.bisect_right(starts, start) - 1
        if i >= 0 and start < ends[i] and end <= ends[i]:
            return ids[i]
        return None
