"""Ingest: every input file or record gets a row; unusable ones are rejected with a reason."""

from __future__ import annotations

import codecs
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline.config import PipelineConfig
from pipeline.ingest import RawInput, ingest, parse_published, split_header

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
    ],
)
def test_unusable_text_files_are_rejected_with_reason(data: bytes, reason: str) -> None:
    row = _one("bad.txt", data)
    assert row["status"] == "rejected"
    assert reason in row["error"]
    assert row["article_id"] == "rejected:bad.txt"
    assert len(row["content_sha256"]) == 64


@pytest.mark.parametrize(
    ("text", "language", "read"),
    [
        # German: kept, named, with a warning (no claims are drawn from it)
        ("Der Bundestag hat am Donnerstag mit großer Mehrheit beschlossen, dass die Regierung "
         "neue Mittel für die Bahn und den Nahverkehr bereitstellen soll. " * 5, "de", False),
        # Japanese: few space-separated words, judged by its script
        ("月曜日、両国の首脳がヘルシンキで会談した。会談は約二時間続き、軍備管理について話し合った。" * 4, "ja", False),
        # English scores and names with few function words (a sports round-up) is still English
        ("Viera 35, Rockledge 14: Quarterback Sam Jones threw three touchdowns. Melbourne 21, Palm Bay 7. "
         "Eau Gallie 28, Cocoa 10. Satellite 17, Titusville 13. Merritt Island 42, Astronaut 0. " * 3, "en", True),
        # a short English text: too few words for a guess, English as before
        ("Café owners met on Monday. They agreed.", "en", True),
    ],
)
def test_language_is_named_and_other_languages_are_kept_with_a_warning(text: str, language: str, read: bool) -> None:
    row = _one("story.txt", text.encode())
    assert row["status"] == "ok" and row["text"].strip() == text.strip()
    assert row["language"] == language
    assert (row["warnings"] is None) == read
    if not read:
        assert f"language '{language}'" in row["warnings"] and "no entities, timexes or claims" in row["warnings"]


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


@pytest.mark.parametrize(
    "data",
    [
        b'\xef\xbb\xbf{"id": "a", "text": "It rained in Paris on Monday."}\n\n{"id": "b"}\n',  # BOM, blank line, a bad record
        b"\n  \n",  # no records: one rejected row for the file
        b'{"id": "c", "text": "The mayor resigned on Friday."}',  # no final newline
        b"",  # empty
    ],
)
def test_json_lines_read_line_by_line_give_the_rows_read_whole(data: bytes) -> None:
    # read_inputs hands JSON Lines files over as a line reader (a file can be a whole corpus)
    whole = ingest([RawInput("feed.jsonl", data)])
    streamed = ingest([RawInput("feed.jsonl", None, lines=lambda: iter(io.BytesIO(data)))])
    assert streamed.equals(whole)


def test_streamed_inputs_out_of_source_order_are_refused() -> None:
    from pipeline.ingest import ingest_rows

    with pytest.raises(ValueError, match="source order"):
        list(ingest_rows([RawInput("b.txt", b"One."), RawInput("a.txt", b"Two.")]))


def test_ingest_in_spilled_batches_writes_the_table_one_batch_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Past INGEST_BATCH rows, ingest spills its rows and DuckDB sorts them into the table's order:
    # the table must be the one sorted in memory, ids with accents and case included, duplicates
    # and rejected rows too.
    from pipeline import runner
    from pipeline.config import PipelineConfig

    inp = tmp_path / "in"
    inp.mkdir()
    records = [{"id": i, "text": f"Story {i} says the bridge reopened on Monday."} for i in ["zeta", "Éclair", "alpha", "Beta", "alpha", "ébène"]]
    (inp / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records) + "not json\n", encoding="utf-8")
    (inp / "m.txt").write_text("Title\n\nThe council met on Tuesday and approved the budget.", encoding="utf-8")
    (inp / "b.pdf").write_bytes(b"%PDF-1.4")
    tables = {}
    for batch in (2, 10_000):
        monkeypatch.setattr(runner, "INGEST_BATCH", batch)
        out = tmp_path / f"out{batch}"
        ingested = runner.run_ingest(inp, out, config=PipelineConfig())
        tables[batch] = pq.read_table(out / "articles.parquet")
        assert (ingested.articles, ingested.ok) == (9, 6)
        assert not [p for p in out.iterdir() if ".tmp" in p.name or ".sort." in p.name]  # no spill left
    assert tables[2].equals(tables[10_000])
    assert tables[2].schema.metadata == tables[10_000].schema.metadata


@pytest.mark.parametrize(
    "ids",
    [
        ("café", "cafè"),  # accents: two words, two ids (both were "caf")
        ("北京-2024", "東京-2024"),  # two cities in another script (both were "2024")
        ("статья-1", "новость-1"),  # Cyrillic (both were "1")
        ("a b", "a_b"),  # a rewrite (space -> _) still may not merge two inputs: a hash tells them apart
    ],
)
def test_distinct_ids_stay_distinct(ids: tuple[str, str]) -> None:
    records = "\n".join(json.dumps({"id": i, "text": f"The council voted on Tuesday in {n}."}) for n, i in enumerate(ids))
    rows = ingest([RawInput("feed.jsonl", records.encode())]).to_pylist()
    assert [r["status"] for r in rows] == ["ok", "ok"], [r["error"] for r in rows]
    assert len({r["article_id"] for r in rows}) == 2
    assert rows[0]["article_id"] == ids[0].replace(" ", "_")


def test_ids_are_nfc_normalised() -> None:
    # "é" typed as e + combining accent is the same id as the precomposed "é": a true duplicate
    records = "\n".join(json.dumps({"id": i, "text": f"The council voted on Tuesday, item {k}."}) for k, i in enumerate(("cafe\u0301", "caf\u00e9")))
    rows = ingest([RawInput("feed.jsonl", records.encode())]).to_pylist()
    assert rows[0]["article_id"] == "caf\u00e9"
    assert rows[1]["status"] == "rejected" and "duplicate article id" in rows[1]["error"]


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("yesterday", None),  # relative to the day of the run: the tables would change from day to day
        ("2 days ago", None),
        ("2019-03-03T10:00:00Z", "2019-03-03"),  # ISO, the common case
        ("Friday, January 31, 2014 10:21 AM EST", "2014-01-31"),  # a crawled page's dateline
        ("2024-02-30", None),  # no such day
    ],
)
def test_published_dates_do_not_depend_on_the_day_of_the_run(value: str, day: str | None) -> None:
    parsed = parse_published(value)
    assert (parsed.isoformat() if parsed else None) == day


@pytest.mark.parametrize(
    ("fields", "column", "warning"),
    [
        ({"title": {"x": 1}}, "title", "'title' is a JSON object"),  # was stored as the repr "{'x': 1}"
        ({"source": ["Daily", "Wire"]}, "outlet", "'source' is a JSON array"),  # a list of outlets is not one outlet
        ({"url": 42}, "url", "'url' is a JSON number"),
        ({"author": True}, "author", "'author' is a JSON boolean"),
        ({"published": "2024-02-30"}, "published", "'published' value '2024-02-30' is not a date"),  # no such day: was null silently
        ({"published": "-1"}, "published", "'published' value '-1' is not a date"),
        ({"published": "yesterday"}, "published", "would depend on the day of the run"),  # unknown, and says why
    ],
)
def test_unusable_fields_are_null_with_a_warning_in_the_row(fields: dict[str, object], column: str, warning: str) -> None:
    record = {"id": "a1", "text": "The council voted on Tuesday to close the library.", **fields}
    row = ingest([RawInput("feed.jsonl", json.dumps(record).encode())]).to_pylist()[0]
    assert row["status"] == "ok" and row[column] is None
    assert warning in row["warnings"]


def test_clean_records_have_no_warnings() -> None:
    record = {"id": "a1", "text": "The council voted.", "title": "Vote", "source": "Daily", "url": "https://d.example/1", "published": "2024-02-29"}
    row = ingest([RawInput("feed.jsonl", json.dumps(record).encode())]).to_pylist()[0]
    assert row["warnings"] is None and str(row["published"]) == "2024-02-29" and row["title"] == "Vote"
