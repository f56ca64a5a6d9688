"""Ingest: every input file or record gets a row; unusable ones are rejected with a reason."""

from __future__ import annotations

import codecs
import json

import pytest

from pipeline.config import PipelineConfig
from pipeline.ingest import RawInput, ingest, split_header

SEED_TEXT = "A Title Here\n\nby Jane Doe 1,234 views\n\nIntro Heading\n\nFirst paragraph. Second sentence.\n\nAnother paragraph here.\n"


def _one(source: str, data: bytes, **kw: object) -> dict[str, object]:
    table = ingest([RawInput(source, data)], config=PipelineConfig(**kw))  # type: ignore[arg-type]
    assert table.num_rows == 1
    return table.to_pylist()[0]


def test_seed_header_goes_to_columns_not_text() -> None:
    row = _one("a.txt", SEED_TEXT.encode())
    assert row["status"] == "ok"
    assert (row["title"], row["author"], row["views"], row["format"]) == ("A Title Here", "Jane Doe", 1234, "seed")
    assert row["text"].startswith("Intro Heading\n\nFirst paragraph.")
    assert "views" not in row["text"] and "A Title Here" not in row["text"]
    assert row["article_id"] == "a"


@pytest.mark.parametrize(
    ("text", "title", "body_start"),
    [
        # plain text with no header: the whole text is the body
        ("Plain first sentence. More text here.\n\nSecond paragraph.", None, "Plain first"),
        # a heading-like first line followed by a blank line becomes the title
        ("Storm Hits Coast\n\nThe storm hit the coast on Monday.", "Storm Hits Coast", "The storm"),
        # a first line ending with punctuation is body text, not a title
        ("The storm hit.\n\nIt rained.", None, "The storm hit."),
    ],
)
def test_plain_text_title_detection(text: str, title: str | None, body_start: str) -> None:
    got_title, author, views, body, fmt = split_header(text, max_heading_words=14)
    assert (got_title, author, views, fmt) == (title, None, None, "plain")
    assert body.startswith(body_start)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        # empty file
        (b"", "empty file"),
        # whitespace only
        (b"  \n\n\t \n", "only whitespace"),
        # a PNG saved as .txt
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "PNG image"),
        # arbitrary binary with NUL bytes
        (b"abc\x00\x01\x02\x03" * 50, "NUL bytes"),
        # an HTML page saved as .txt
        (b"<!DOCTYPE html><html><body><p>Hi</p></body></html>", "HTML page"),
        # only a title and byline, no body
        (b"Just A Title\n\nby Someone 3 views\n", "no body text"),
        # clearly not English
        (("Der Bundestag hat am Donnerstag mit großer Mehrheit beschlossen, dass die Regierung "
          "neue Mittel für die Bahn und den Nahverkehr bereitstellen soll. " * 5).encode(), "English"),
    ],
)
def test_unusable_text_files_are_rejected_with_reason(data: bytes, reason: str) -> None:
    row = _one("bad.txt", data)
    assert row["status"] == "rejected"
    assert reason in row["error"]
    assert row["article_id"] == "rejected:bad.txt"
    assert len(row["content_sha256"]) == 64


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        # UTF-16 with BOM
        (codecs.BOM_UTF16_LE + "Café owners met on Monday. They agreed.".encode("utf-16-le"), "utf-16"),
        # Latin-1 bytes that are not valid UTF-8
        ("Café owners met on Monday in Zürich. They agreed on prices.".encode("latin-1"), None),
        # UTF-8 with BOM
        (codecs.BOM_UTF8 + "Café owners met on Monday.".encode(), "utf-8-sig"),
    ],
)
def test_other_encodings_are_decoded(data: bytes, encoding: str | None) -> None:
    row = _one("enc.txt", data)
    assert row["status"] == "ok", row["error"]
    assert row["text"].startswith("Café owners met on Monday")
    if encoding:
        assert row["encoding"] == encoding


def test_control_characters_are_blanked_keeping_length() -> None:
    row = _one("c.txt", b"The mayor\x07 resigned on Friday.\x0b Officials confirmed it.")
    assert row["status"] == "ok"
    assert "\x07" not in row["text"] and len(row["text"]) == len("The mayor\x07 resigned on Friday.\x0b Officials confirmed it.")


def test_size_limit_rejects_large_article() -> None:
    row = _one("big.txt", b"word " * 1000, max_article_bytes=1000)
    assert row["status"] == "rejected"
    assert "over the" in row["error"] and "limit" in row["error"]


def test_jsonl_each_record_is_a_row_and_bad_lines_only_reject_themselves() -> None:
    good = {"id": "n1", "title": "T", "text": "Police said the bridge closed on Monday.", "source": "Daily", "published": "2019-03-04", "url": "http://x"}
    lines = [
        json.dumps(good),
        '{"id": "n2", "text": "truncated',  # malformed / truncated line
        "",  # blank line: not a record
        json.dumps({"id": "n3", "title": "no text"}),  # missing text
        json.dumps([1, 2]),  # not an object
        json.dumps({**good, "id": "n4", "published": "not a date"}),  # unreadable date → null, still ok
    ]
    table = ingest([RawInput("feed.jsonl", "\n".join(lines).encode())])
    rows = {r["source"]: r for r in table.to_pylist()}
    assert set(rows) == {"feed.jsonl:1", "feed.jsonl:2", "feed.jsonl:4", "feed.jsonl:5", "feed.jsonl:6"}
    assert rows["feed.jsonl:1"]["status"] == "ok"
    assert rows["feed.jsonl:1"]["outlet"] == "Daily" and str(rows["feed.jsonl:1"]["published"]) == "2019-03-04"
    assert "malformed JSON" in rows["feed.jsonl:2"]["error"] and rows["feed.jsonl:2"]["error"].startswith("line 2")
    assert "no 'text'" in rows["feed.jsonl:4"]["error"]
    assert "JSON object" in rows["feed.jsonl:5"]["error"]
    assert rows["feed.jsonl:6"]["status"] == "ok" and rows["feed.jsonl:6"]["published"] is None


def test_duplicate_ids_across_txt_and_jsonl_reject_the_later_one() -> None:
    record = json.dumps({"id": "story", "text": "The council voted on Monday to close the road."})
    table = ingest(
        [RawInput("z.jsonl", record.encode()), RawInput("story.txt", b"The council voted on Tuesday.")]
    )
    rows = {r["source"]: r for r in table.to_pylist()}
    assert rows["story.txt"]["status"] == "ok" and rows["story.txt"]["article_id"] == "story"
    assert rows["z.jsonl:1"]["status"] == "rejected"
    assert "duplicate article id 'story'" in rows["z.jsonl:1"]["error"] and "story.txt" in rows["z.jsonl:1"]["error"]


def test_ids_do_not_depend_on_input_order() -> None:
    inputs = [RawInput(f"{name}.txt", f"Story {name} happened on Monday.".encode()) for name in "cab"]
    assert ingest(inputs).equals(ingest(list(reversed(inputs))))


def test_unreadable_and_unsupported_files_are_rejected() -> None:
    table = ingest([RawInput("locked.txt", None, "cannot read file: Permission denied"), RawInput("doc.pdf", b"%PDF-1.4")])
    rows = {r["source"]: r for r in table.to_pylist()}
    assert "Permission denied" in rows["locked.txt"]["error"]
    assert "unsupported file type '.pdf'" in rows["doc.pdf"]["error"]


def test_config_validates_where_it_enters() -> None:
    with pytest.raises(ValueError, match="max_article_bytes must be a positive"):
        PipelineConfig(max_article_bytes=0)
