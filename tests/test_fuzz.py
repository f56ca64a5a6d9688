"""Property-based tests: sentence offsets are exact on any text, and ingest survives any bytes."""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import re

import pyarrow.parquet as pq
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from spacy.language import Language

from pipeline.ingest import RawInput, ingest
from pipeline.schemas import ARTICLES
from pipeline.segment import paragraphs, segment

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\u00a0]*\n")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# ----------------------------------------------------------------------------------------------
# segmentation

WORDS = st.sampled_from(
    [
        "the", "The", "council", "voted", "on", "Monday", "Mr.", "Dr", "U.S.", "e.g.", "3.5", "1987", "Helsinki",
        "said", "it", "rained", "Putin", "Trump", "don't", "well-known", "NATO", "résumé", "naïve", "Zürich", "I",
        "a", "BREAKING", "10,000", "http://x.org/a.b", "@user", "#tag", "3pm", "19th", "O'Brien",
    ]
)
PUNCT = st.sampled_from([".", ",", "!", "?", ";", ":", "...", "…", "—", "-", '"', "'", "(", ")", "“", "”", "•", "*"])
SPACE = st.sampled_from([" ", "  ", "\n", "\n\n", "\n \n", "\n\n\n", "\t", "\u00a0", "\r\n", "\r\n\r\n", " \n\t\n "])
ARTICLE_TEXT = st.lists(
    st.tuples(st.one_of(WORDS, WORDS, WORDS, PUNCT, SPACE), st.sampled_from(["", " ", " "])), min_size=1, max_size=80
).map(lambda parts: "".join(token + sep for token, sep in parts))

NLP_SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def _check_sentences(nlp: Language, raw: str) -> None:
    articles = ingest([RawInput("a.txt", raw.encode("utf-8", "surrogatepass"))])
    [row] = articles.to_pylist()
    assume(row["status"] == "ok")
    text = row["text"]
    rows = segment(articles, {"a": nlp(text)}).to_pylist()
    paras = paragraphs(text)
    covered = [0] * len(text)
    previous_end = 0
    for i, r in enumerate(rows):
        start, end = r["start_char"], r["end_char"]
        # the slice is the sentence, exactly, and it is trimmed and not empty
        assert text[start:end] == r["text"]
        assert start < end and not r["text"][0].isspace() and not r["text"][-1].isspace()
        # in order, no overlap, numbered in order
        assert start >= previous_end
        previous_end = end
        assert r["sentence_index"] == i and r["sentence_id"] == f"a/s{i:04d}"
        # inside its (non-heading) paragraph; never across a blank line
        para = paras[r["paragraph_index"]]
        assert para.start_char <= start and end <= para.end_char and not para.is_heading
        assert not _PARAGRAPH_BREAK.search(r["text"])
        for k in range(start, end):
            covered[k] += 1
    # nothing of the body is lost: every visible character of a non-heading paragraph is in a sentence
    for para in paras:
        if not para.is_heading:
            for k in range(para.start_char, para.end_char):
                assert covered[k] == 1 or text[k].isspace(), (k, text[k], text)


@NLP_SETTINGS
@given(raw=ARTICLE_TEXT)
def test_sentence_offsets_on_generated_articles(nlp: Language, raw: str) -> None:
    _check_sentences(nlp, raw)


@NLP_SETTINGS
@given(raw=st.text(max_size=300))
def test_sentence_offsets_on_arbitrary_text(nlp: Language, raw: str) -> None:
    _check_sentences(nlp, raw)


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from("ab .\n\t \u00a0\r"), max_size=60) | st.text(max_size=80))
def test_paragraph_spans_are_trimmed_ordered_and_never_hold_a_blank_line(text: str) -> None:
    previous_end = 0
    for i, p in enumerate(paragraphs(text)):
        assert p.index == i and previous_end <= p.start_char < p.end_char <= len(text)
        chunk = text[p.start_char : p.end_char]
        assert not chunk[0].isspace() and not chunk[-1].isspace()
        assert not re.search(r"\n[ \t\u00a0]*\n", chunk)
        previous_end = p.end_char
    # every visible character is in some paragraph
    inside = {k for p in paragraphs(text) for k in range(p.start_char, p.end_char)}
    assert all(k in inside or c.isspace() for k, c in enumerate(text))


# ----------------------------------------------------------------------------------------------
# ingest

PREFIXES = st.sampled_from(
    [
        b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, b"\x89PNG\r\n\x1a\n", b"<html>", b"%PDF-",
        b"Storm Hits Coast\n\nby Jane Doe 1,234 views\n\n", b"Storm Hits Coast\n\n", b"\x00", b"\r\n",
    ]
)
ENCODINGS = st.sampled_from(["utf-8", "utf-16", "utf-16-le", "utf-16-be", "latin-1", "cp1252", "shift_jis", "koi8-r"])
TEXT_BYTES = st.builds(lambda t, enc: t.encode(enc, errors="ignore"), st.text(max_size=400), ENCODINGS)
# seed-format header with any view count (up to far beyond int64)
BYLINE = st.builds(
    lambda n, body: f"Storm Hits Coast\n\nby Jane Doe {n:,} views\n\n{body}".encode(),
    st.integers(min_value=0, max_value=10**40),
    st.text(max_size=100),
)
ANY_BYTES = st.one_of(
    st.binary(max_size=2000),
    TEXT_BYTES,
    BYLINE,
    st.builds(lambda p, body: p + body, PREFIXES, st.one_of(st.binary(max_size=500), TEXT_BYTES)),
)

# text that may hold lone surrogates (json.loads turns "\\ud800" escapes into them)
TEXT_WITH_SURROGATES = st.builds(
    lambda a, s, b: a + s + b, st.text(max_size=40), st.sampled_from(["", "", "\ud800", "\udfff", "\ud83d\ude00"]), st.text(max_size=40)
)
JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), TEXT_WITH_SURROGATES,
    st.sampled_from(["\ud800", "x\udfffy", "2020-02-30", "1999-12-31T23:59:59Z", "yesterday", "", " ", "0" * 40]),
)
JSON_VALUES = st.recursive(JSON_SCALARS, lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=5), kids, max_size=3), max_leaves=8)
RECORD = st.fixed_dictionaries(
    {},
    optional={
        "id": JSON_VALUES, "title": JSON_VALUES, "source": JSON_VALUES, "url": JSON_VALUES,
        "published": JSON_VALUES, "author": JSON_VALUES,
        "text": st.one_of(st.text(max_size=300), TEXT_WITH_SURROGATES, JSON_VALUES, st.just("The council voted on Monday.")),
    },
)
JSON_LINE = st.one_of(
    st.builds(lambda r, ascii_: json.dumps(r, ensure_ascii=ascii_).encode("utf-8", "surrogatepass"), RECORD, st.booleans()),
    st.builds(lambda r, cut: json.dumps(r).encode()[:cut], RECORD, st.integers(0, 60)),  # truncated
    st.binary(max_size=80).filter(lambda b: b"\n" not in b),
    st.sampled_from([b"", b"  ", b"\r", b"[]", b"null", b"1", b'"text"', b"{}", b"\xef\xbb\xbf{}"]),
    # valid-looking JSON that json.loads still refuses: a 5000-digit integer, 20000-deep nesting
    st.sampled_from([b'{"text": "The vote was held.", "n": ' + b"9" * 5000 + b"}", b'{"text": "x", "a": ' + b"[" * 20000 + b"]" * 20000 + b"}"]),
)
JSONL_BYTES = st.one_of(st.lists(JSON_LINE, max_size=6).map(b"\n".join), ANY_BYTES)

INGEST_SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check_rows(rows: list[dict[str, object]]) -> None:
    for r in rows:
        assert r["status"] in {"ok", "rejected"}
        assert (r["error"] is None) == (r["status"] == "ok"), r
        if r["status"] == "rejected":
            assert isinstance(r["error"], str) and r["error"].strip() and "\n" not in r["error"]
            assert r["article_id"] == f"rejected:{r['source']}" and r["text"] is None
        else:
            text = r["text"]
            assert isinstance(text, str) and text.strip() and r["article_id"]
            assert r["n_chars"] == len(text)
            assert r["content_sha256"] == hashlib.sha256(text.encode("utf-8")).hexdigest()
            assert "\r" not in text and not _CONTROL.search(text)
        assert len(str(r["content_sha256"])) == 64


def _roundtrip(table: object) -> None:
    """The table can be written as Parquet and read back unchanged."""
    sink = io.BytesIO()
    pq.write_table(table, sink)
    assert pq.read_table(io.BytesIO(sink.getvalue())).cast(ARTICLES).equals(table)


@INGEST_SETTINGS
@given(data=ANY_BYTES)
@example(data=b"Storm Hits Coast\n\nby Jane Doe 99999999999999999999 views\n\nThe storm hit the coast.")
def test_ingest_txt_never_raises_and_gives_one_row(data: bytes) -> None:
    table = ingest([RawInput("a.txt", data)])
    rows = table.to_pylist()
    assert len(rows) == 1 and rows[0]["source"] == "a.txt"
    assert rows[0]["article_id"] in {"a", "rejected:a.txt"}
    _check_rows(rows)
    _roundtrip(table)


def _expected_jsonl_sources(name: str, data: bytes) -> set[str]:
    body = data[3:] if data.startswith(codecs.BOM_UTF8) else data
    numbers = [n for n, line in enumerate(body.split(b"\n"), start=1) if line.strip()]
    return {f"{name}:{n}" for n in numbers} if numbers else {name}


@INGEST_SETTINGS
@given(data=JSONL_BYTES)
@example(data=b'{"text": "The mayor \\ud800 resigned."}')
@example(data=b'{"id": "\\udfff", "text": "The mayor resigned."}')
@example(data=b'{"text": "The vote.", "n": ' + b"1" * 4301 + b"}")
@example(data=b"[" * 100_000)
def test_ingest_jsonl_never_raises_and_gives_one_row_per_record(data: bytes) -> None:
    table = ingest([RawInput("feed.jsonl", data)])
    rows = table.to_pylist()
    assert len(rows) == len({r["source"] for r in rows})
    assert {r["source"] for r in rows} == _expected_jsonl_sources("feed.jsonl", data)
    _check_rows(rows)
    _roundtrip(table)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    files=st.dictionaries(
        st.tuples(st.sampled_from(["a", "b", "story", "x1", "feed"]), st.sampled_from([".txt", ".jsonl", ".TXT", ".md", ""])),
        st.one_of(JSONL_BYTES, ANY_BYTES),
        max_size=5,
    )
)
def test_ingest_of_many_files_accounts_for_each_and_keeps_ids_unique(files: dict[tuple[str, str], bytes]) -> None:
    inputs = [RawInput(stem + suffix, data) for (stem, suffix), data in files.items()]
    table = ingest(inputs)
    rows = table.to_pylist()
    expected: set[str] = set()
    for raw in inputs:
        is_jsonl = raw.source.lower().endswith(".jsonl")
        expected |= _expected_jsonl_sources(raw.source, raw.data or b"") if is_jsonl else {raw.source}
    assert {r["source"] for r in rows} == expected and len(rows) == len(expected)
    _check_rows(rows)
    ok_ids = [r["article_id"] for r in rows if r["status"] == "ok"]
    assert len(ok_ids) == len(set(ok_ids))
    # the result does not depend on the order the files come in
    assert ingest(list(reversed(inputs))).equals(table)
