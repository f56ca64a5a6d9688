"""WARC input: each HTML response record is an article; other records are counted or rejected with
reasons; a damaged archive keeps what came before the damage; the limit applies per record."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipeline.config import PipelineConfig
from pipeline.ingest import ingest
from pipeline.io import read_inputs

PAGE = (Path(__file__).parent / "data" / "html" / "article.html").read_bytes()


def _record(writer: WARCWriter, url: str, body: bytes, *, status: str = "200 OK", mime: str = "text/html; charset=utf-8",
            kind: str = "response") -> object:
    headers = StatusAndHeaders(status, [("Content-Type", mime)], protocol="HTTP/1.1")
    return writer.create_warc_record(url, kind, payload=io.BytesIO(body), http_headers=headers)


def _archive(path: Path, records: list[tuple[str, bytes, dict[str, str]]], *, gzip: bool = True, cut_last: bool = False) -> None:
    """Write a WARC built at test time; `cut_last` truncates the last record halfway."""
    done = io.BytesIO()
    writer = WARCWriter(done, gzip=gzip)
    writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
    for url, body, kw in records[:-1] if cut_last else records:
        writer.write_record(_record(writer, url, body, **kw))
    data = done.getvalue()
    if cut_last:
        last = io.BytesIO()
        url, body, kw = records[-1]
        WARCWriter(last, gzip=gzip).write_record(_record(WARCWriter(last, gzip=gzip), url, body, **kw))
        data += last.getvalue()[: len(last.getvalue()) // 2]
    path.write_bytes(data)


def _rows(folder: Path, **kw: object) -> list[dict[str, object]]:
    config = PipelineConfig(**kw)  # type: ignore[arg-type]
    return ingest(read_inputs(folder, config=config), config=config).to_pylist()


def _page(n: int) -> bytes:
    return PAGE.replace(b"Elm Street", f"Elm Street {n}".encode())


@pytest.mark.parametrize(
    "gzip",
    [
        # the usual .warc.gz, one gzip member a record
        True,
        # an uncompressed .warc
        False,
    ],
)
def test_html_responses_become_articles_and_everything_else_has_a_reason(tmp_path: Path, gzip: bool) -> None:
    name = "crawl.warc.gz" if gzip else "crawl.warc"
    _archive(tmp_path / name, [
        ("https://gazette.example.com/a", _page(1), {}),
        ("https://gazette.example.com/b", _page(2), {}),
        ("https://gazette.example.com/logo.png", b"\x89PNG\r\n" + bytes(300), {"mime": "image/png"}),
        ("https://gazette.example.com/gone", b"<html><title>404</title></html>", {"status": "404 Not Found"}),
        ("https://gazette.example.com/a-again", _page(1), {}),  # the same payload again
        ("https://gazette.example.com/c", _page(3), {}),  # truncated
    ], gzip=gzip, cut_last=True)
    rows = _rows(tmp_path)
    ok = [r for r in rows if r["status"] == "ok"]
    assert sorted(r["url"] for r in ok) == ["https://gazette.example.com/a", "https://gazette.example.com/b"]
    assert all(r["format"] == "html" and str(r["source"]).startswith(f"{name}:") for r in ok)
    assert all(r["published_from"] == "page" and str(r["published"]) == "2019-03-14" for r in ok)
    errors = sorted(str(r["error"]) for r in rows if r["status"] == "rejected")
    assert len(errors) == 5, errors
    joined = " | ".join(errors)
    for reason in ("Content-Type image/png", "HTTP status 404", "duplicate", "archive damaged", "1 warcinfo"):
        assert reason in joined


GERMAN_PAGE = ("<html><head><title>Neue Brücke</title></head><body><article><p>"
               + "Der Stadtrat hat am Montag beschlossen, dass die alte Brücke über den Fluss im Frühjahr "
               "abgerissen und bis zum Ende des nächsten Jahres durch einen Neubau ersetzt werden soll. " * 4
               + "</p></article></body></html>").encode()


def test_a_page_in_another_language_is_an_article_of_its_own_language(tmp_path: Path) -> None:
    # a crawl's count of pages adds up: the German page is kept (no claims are drawn from it later)
    _archive(tmp_path / "mixed.warc.gz", [
        ("https://gazette.example.com/a", _page(1), {}),
        ("https://zeitung.example.de/b", GERMAN_PAGE, {}),
    ])
    rows = {r["url"]: r for r in _rows(tmp_path) if r["status"] == "ok"}
    assert {url: r["language"] for url, r in rows.items()} == {"https://gazette.example.com/a": "en", "https://zeitung.example.de/b": "de"}
    assert "Stadtrat" in str(rows["https://zeitung.example.de/b"]["text"])
    assert "not one the model reads" in str(rows["https://zeitung.example.de/b"]["warnings"])
    assert rows["https://gazette.example.com/a"]["warnings"] is None


def test_the_article_limit_applies_per_record_not_to_the_archive(tmp_path: Path) -> None:
    pages = [(f"https://gazette.example.com/{n}", _page(n) + b"<!--" + bytes(20_000) + b"-->", {}) for n in range(6)]
    _archive(tmp_path / "big.warc", pages, gzip=False)
    assert (tmp_path / "big.warc").stat().st_size > 100_000
    rows = _rows(tmp_path, max_article_bytes=30_000, max_page_bytes=30_000)
    assert [r["status"] for r in rows].count("ok") == 6


def test_a_record_over_the_page_limit_is_rejected_and_the_next_one_read(tmp_path: Path) -> None:
    _archive(tmp_path / "mixed.warc.gz", [
        ("https://gazette.example.com/huge", _page(1) + b"<!--" + bytes(50_000) + b"-->", {}),
        ("https://gazette.example.com/ok", _page(2), {}),
    ])
    rows = _rows(tmp_path, max_page_bytes=20_000)
    by_url = {r["url"]: r for r in rows if r["status"] == "ok"}
    assert list(by_url) == ["https://gazette.example.com/ok"]
    assert any("max_page_bytes" in str(r["error"]) for r in rows if r["status"] == "rejected")


def test_the_warc_date_stands_in_when_the_page_has_no_date(tmp_path: Path) -> None:
    undated = PAGE.replace(b'<meta property="article:published_time" content="2019-03-14T08:30:00-05:00">', b"").replace(
        b"/2019/03/14", b""
    )
    _archive(tmp_path / "u.warc.gz", [("https://gazette.example.com/u", undated, {})])
    (row,) = [r for r in _rows(tmp_path) if r["status"] == "ok"]
    assert row["published_from"] == "warc" and row["published"] is not None


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        # not a WARC at all
        (b"this is not an archive\n" * 20, "archive damaged"),
        # an empty file
        (b"", "empty archive"),
    ],
)
def test_an_unreadable_archive_is_one_rejected_row(tmp_path: Path, data: bytes, reason: str) -> None:
    (tmp_path / "bad.warc").write_bytes(data)
    (row,) = _rows(tmp_path)
    assert row["status"] == "rejected" and reason in str(row["error"])


def test_the_manifest_records_the_archive_hash(tmp_path: Path) -> None:
    import hashlib
    import json

    from pipeline.runner import run_ingest

    inp = tmp_path / "in"
    inp.mkdir()
    _archive(inp / "a.warc.gz", [("https://gazette.example.com/a", _page(1), {})])
    run_ingest(inp, tmp_path / "out", config=PipelineConfig())
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["stages"]["ingest"]["inputs"]["a.warc.gz"] == hashlib.sha256((inp / "a.warc.gz").read_bytes()).hexdigest()
