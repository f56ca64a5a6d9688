"""HTML input: a page becomes an article of its main text and metadata; a page without a body is rejected."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from spacy.language import Language

from pipeline.config import PipelineConfig
from pipeline.ingest import RawInput, ingest
from pipeline.io import read_inputs
from pipeline.segment import segment

from conftest import build_tables

PAGES = Path(__file__).parent / "data" / "html"


def _ingest_folder(folder: Path, **kw: object) -> list[dict[str, object]]:
    return ingest(read_inputs(folder, config=PipelineConfig(**kw)), config=PipelineConfig(**kw)).to_pylist()  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "name",
    [
        # a plain page
        "story.html",
        # the other common suffix
        "story.htm",
        # a saved, gzip-compressed page: the id drops both suffixes
        "story.html.gz",
    ],
)
def test_a_page_becomes_an_article_with_its_metadata(tmp_path: Path, name: str) -> None:
    raw = (PAGES / "article.html").read_bytes()
    (tmp_path / name).write_bytes(gzip.compress(raw) if name.endswith(".gz") else raw)
    (row,) = _ingest_folder(tmp_path)
    assert row["status"] == "ok", row["error"]
    assert (row["article_id"], row["format"]) == ("story", "html")
    assert row["title"] == "Two hurt in Elm Street shooting"
    assert row["url"] == "https://gazette.example.com/news/2019/03/14/elm-street-shooting"
    assert row["outlet"] == "Riverton Gazette"
    assert str(row["published"]) == "2019-03-14" and row["published_from"] == "page"
    import hashlib

    assert row["raw_sha256"] == hashlib.sha256(raw).hexdigest()
    text = str(row["text"])
    assert "Two men were wounded in a shooting on Elm Street" in text
    # navigation, related links, comments and the cookie banner are not the article
    for furniture in ("Home", "City council approves", "used to be so quiet", "We use cookies", "Follow us"):
        assert furniture not in text


@pytest.mark.parametrize(
    ("page", "reason"),
    [
        # a login wall
        ("login.html", "login wall"),
        # a section front: only links
        ("index.html", "no article body"),
        # an error page
        ("notfound.html", "error page"),
    ],
)
def test_a_page_without_an_article_body_is_rejected_with_its_reason(tmp_path: Path, page: str, reason: str) -> None:
    (tmp_path / page).write_bytes((PAGES / page).read_bytes())
    (row,) = _ingest_folder(tmp_path)
    assert row["status"] == "rejected"
    assert reason in str(row["error"])


def test_a_gzip_bomb_page_is_refused_at_the_limit(tmp_path: Path) -> None:
    (tmp_path / "big.html.gz").write_bytes(gzip.compress(b"<html><body>" + b"<p>x</p>" * 200_000 + b"</body></html>"))
    (row,) = _ingest_folder(tmp_path, max_page_bytes=100_000)
    assert row["status"] == "rejected" and "max_page_bytes" in str(row["error"])


def test_a_json_lines_record_may_carry_html_and_keeps_its_own_fields() -> None:
    html = (PAGES / "article.html").read_text()
    line = json.dumps({"id": "r1", "html": html, "title": "Given title", "published": "2019-03-15"})
    (row,) = ingest([RawInput("c.jsonl", line.encode())]).to_pylist()
    assert row["status"] == "ok", row["error"]
    assert (row["article_id"], row["format"], row["title"]) == ("r1", "html", "Given title")
    assert str(row["published"]) == "2019-03-15" and row["published_from"] == "input"
    assert "Police Chief Maria Lopez said" in str(row["text"])


def test_page_furniture_is_marked_and_never_becomes_a_claim(nlp: Language) -> None:
    html = (PAGES / "article.html").read_text()
    text = str(ingest([RawInput("c.jsonl", json.dumps({"id": "p", "html": html}).encode())])["text"][0])
    tables = build_tables(nlp, {"p": text})
    sentences = tables["sentences"].to_pylist()  # type: ignore[attr-defined]
    marked = " ".join(s["text"] for s in sentences if s["furniture"])
    assert marked == "Gazette reporter Tom Reyes contributed to this report. Copyright 2019 Riverton Gazette. All rights reserved."
    assert {s["furniture"] for s in sentences} == {None, "contributor", "copyright"}
    for s in sentences:  # offsets stay exact
        assert text[s["start_char"] : s["end_char"]] == s["text"]
    furniture_ids = {s["sentence_id"] for s in sentences if s["furniture"]}
    claims = tables["claims"].to_pylist()  # type: ignore[attr-defined]
    assert claims and not furniture_ids & {c["sentence_id"] for c in claims}


def test_a_glued_caption_is_its_own_sentence_and_the_rest_is_reporting(nlp: Language) -> None:
    text = "Photo: Brett Coomer, Houston Chronicle Image 7 of 12 A shooting victim was flown to a hospital in Houston on Monday."
    articles = ingest([RawInput("c.jsonl", json.dumps({"id": "g", "text": text}).encode())])
    rows = segment(articles, {"g": nlp(text)}).to_pylist()
    assert [(r["text"], r["furniture"]) for r in rows] == [
        ("Photo: Brett Coomer, Houston Chronicle Image 7 of 12", "gallery"),
        ("A shooting victim was flown to a hospital in Houston on Monday.", None),
    ]
    assert all(text[r["start_char"] : r["end_char"]] == r["text"] for r in rows)


LIST_AND_TABLE_PAGE = """<html><head><title>Tour dates announced</title></head><body><article>
<h1>Tour dates announced</h1>
<p>The band announced a thirty-date tour on Monday, its first in a decade, with stops across the country
and two nights in Nashville where the tour will end in the autumn after five months on the road.</p>
<h2>Where they play</h2>
<ul><li>June 9 – West Palm Beach, FL</li><li>June 10 – Tampa, FL</li><li>June 17 – Nashville, TN</li></ul>
<p>Ticket prices were set at a level the band said fans could afford, and a share of every sale goes to
a music school the drummer founded in his home town twenty years ago.</p>
<table><tr><th>City</th><th>Seats</th></tr><tr><td>Tampa</td><td>19,000</td></tr><tr><td>Nashville</td><td>20,000</td></tr></table>
</article></body></html>"""


def test_lists_and_tables_are_body_text_and_real_headings_stay_headings(nlp: Language) -> None:
    # segment takes a short line without final punctuation for a section heading: a list item or a
    # table row on a paragraph of its own would vanish from the sentences (and the extraction score)
    (row,) = ingest([RawInput("tour.html", LIST_AND_TABLE_PAGE.encode())]).to_pylist()
    assert row["status"] == "ok", row["error"]
    text = str(row["text"])
    rows = segment(ingest([RawInput("tour.html", LIST_AND_TABLE_PAGE.encode())]), {"tour": nlp(text)}).to_pylist()
    body = " ".join(r["text"] for r in rows)
    for item in ("June 9 – West Palm Beach, FL", "June 17 – Nashville, TN", "Tampa\t19,000", "Nashville\t20,000"):
        assert item in body
    assert {r["section"] for r in rows} >= {"Where they play"}
    assert all(text[r["start_char"] : r["end_char"]] == r["text"] for r in rows)
