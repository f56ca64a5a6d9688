"""The HTML conflicts report (unit tests on small hand-built tables + a real headless-browser check),
and the generated data dictionary staying in sync with pipeline/schemas.py."""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import html.parser
import json
import re
import shutil
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from pipeline.browser import BrowserError, Page, find_browser
from pipeline.dictionary import DEFAULT_PATH, data_dictionary
from pipeline.report import (
    ReviewMark, date_words, highlight, mark_rewrites, parse_marks, plain_number, plain_numbers, render_report,
    safe_url, source_label, write_report,
)
from pipeline.schemas import ARTICLES, CLAIM_CLUSTERS, CLAIMS, CONFLICTS, ENTITIES, SENTENCES, TABLES, table_from_rows

# --------------------------------------------------------------------------- sample tables

_TEXT_A = (
    "Leaders met again. Trump and Putin first met in July 2017 at the G20 summit in Hamburg. "
    "The talks lasted over two hours."
)
_TEXT_B = "Background first. Trump and Putin first met in July 2016 in Hamburg, officials said. Nothing else was agreed."


def _sentences(article_id: str, text: str) -> list[dict]:
    rows, start = [], 0
    for i, part in enumerate(p for p in text.split(". ")):
        s = part if part.endswith(".") else part + "."
        start = text.index(s, start)
        rows.append(
            {
                "sentence_id": f"{article_id}/s{i}",
                "article_id": article_id,
                "paragraph_index": 0,
                "sentence_index": i,
                "start_char": start,
                "end_char": start + len(s),
                "text": s,
                "section": None,
                "n_tokens": len(s.split()),
            }
        )
        start += len(s)
    return rows


def _claim(claim_id: str, article_id: str, sentence: dict, text: str, **extra: object) -> dict:
    row = {
        "claim_id": claim_id,
        "article_id": article_id,
        "sentence_id": sentence["sentence_id"],
        "start_char": sentence["start_char"],
        "end_char": sentence["end_char"],
        "text": text,
        "original_text": sentence["text"],
        "subject": "Trump and Putin",
        "predicate": "meet",
        "object": None,
        "negated": False,
        "hedged": False,
        "attributed_to": None,
        "entity_ids": ["E:trump", "E:putin", "E:hamburg"],
        "timex_ids": [],
        "checkworthiness": 0.9,
        "unresolved": [],
        "is_standalone": True,
    }
    row.update(extra)
    return row


def sample_tables(*, with_conflicts: bool = True) -> dict[str, pa.Table]:
    """Three articles (two ok from two outlets, one rejected), their sentences, claims, clusters and one conflict."""
    articles = [
        {
            "article_id": "a1", "source": "a1.txt", "title": "Summit <b>history</b>", "author": "Ann", "views": 10,
            "outlet": "Daily Planet", "url": None, "published": dt.date(2018, 7, 20), "text": _TEXT_A,
            "format": "seed", "encoding": "utf-8", "n_chars": len(_TEXT_A), "status": "ok", "error": None,
            "content_sha256": "0" * 64,
        },
        {
            "article_id": "b2", "source": "news.jsonl:2", "title": "Hamburg meeting", "author": None, "views": None,
            "outlet": "Bugle & Co", "url": "https://example.org/b2", "published": None, "text": _TEXT_B,
            "format": "jsonl", "encoding": "utf-8", "n_chars": len(_TEXT_B), "status": "ok", "error": None,
            "content_sha256": "1" * 64,
        },
        {
            "article_id": "rejected:empty.txt", "source": "empty.txt", "title": None, "author": None, "views": None,
            "outlet": None, "url": None, "published": None, "text": None, "format": None, "encoding": None,
            "n_chars": None, "status": "rejected", "error": "empty file", "content_sha256": "2" * 64,
        },
    ]
    sa, sb = _sentences("a1", _TEXT_A), _sentences("b2", _TEXT_B)
    claims = [
        _claim("a1/c0", "a1", sa[1], "Trump and Putin first met in July 2017 at the G20 summit in Hamburg.",
               timex_ids=["a1/t0"], time_value="2017-07", time_start=dt.date(2017, 7, 1), time_end=dt.date(2017, 7, 31)),
        _claim("a1/c1", "a1", sa[2], "The talks <script>alert(1)</script> lasted over two hours."),
        _claim("b2/c0", "b2", sb[1], "Trump and Putin first met in July 2016 in Hamburg.",
               hedged=True, attributed_to="officials", timex_ids=["b2/t0"], time_value="2016-07",
               original_text="They first met in July 2016 in Hamburg"),
        _claim("b2/c1", "b2", sb[2], "Nothing else was agreed.", negated=True),
        _claim("a1/c2", "a1", sa[2], "The deal was worth $27.5bn.", predicate="worth", entity_ids=[], subject="The deal"),
        _claim("b2/c2", "b2", sb[2], "The deal was worth $9.3bn.", predicate="worth", entity_ids=[], subject="The deal"),
    ]
    clusters = [
        {"claim_id": "a1/c0", "cluster_id": "K1", "is_representative": True, "n_articles": 2, "n_sources": 2,
         "n_claims": 2, "event_key": "trump-putin-first-meeting"},
        {"claim_id": "b2/c0", "cluster_id": "K1", "is_representative": False, "n_articles": 2, "n_sources": 2,
         "n_claims": 2, "event_key": "trump-putin-first-meeting"},
        {"claim_id": "a1/c1", "cluster_id": "K2", "is_representative": True, "n_articles": 1, "n_sources": 1,
         "n_claims": 1, "event_key": None},
        {"claim_id": "b2/c1", "cluster_id": "K3", "is_representative": True, "n_articles": 1, "n_sources": 1,
         "n_claims": 1, "event_key": None},
        {"claim_id": "a1/c2", "cluster_id": "K4", "is_representative": True, "n_articles": 1, "n_sources": 1,
         "n_claims": 1, "event_key": "deal"},
        {"claim_id": "b2/c2", "cluster_id": "K5", "is_representative": True, "n_articles": 1, "n_sources": 1,
         "n_claims": 1, "event_key": "deal"},
    ]
    conflicts = [
        {"conflict_id": "X1", "claim_id_a": "a1/c0", "claim_id_b": "b2/c0", "article_id_a": "a1", "article_id_b": "b2",
         "kind": "date", "value_a": "July 2017", "value_b": "July 2016", "normalized_a": "2017-07",
         "normalized_b": "2016-07", "score": 0.93, "explanation": "Dates differ: 2017-07 vs 2016-07.",
         "event_key": "trump-putin-first-meeting"},
        {"conflict_id": "X2", "claim_id_a": "a1/c1", "claim_id_b": "b2/c1", "article_id_a": "a1", "article_id_b": "b2",
         "kind": "negation", "value_a": None, "value_b": "Nothing", "normalized_a": None, "normalized_b": None,
         "score": 0.41, "explanation": "One claim is negated.", "event_key": None},
        {"conflict_id": "X3", "claim_id_a": "a1/c2", "claim_id_b": "b2/c2", "article_id_a": "a1", "article_id_b": "b2",
         "kind": "quantity", "value_a": "$27.5bn", "value_b": "$9.3bn", "normalized_a": "2.75e+10 USD",
         "normalized_b": "9.3e+09 USD", "score": 0.7, "explanation": "Amounts differ: 2.75e+10 USD vs 9.3e+09 USD.",
         "event_key": "deal"},
    ]
    entities = [
        {"mention_id": f"{a}/e{i}", "article_id": a, "sentence_id": f"{a}/s1", "start_char": 0, "end_char": 5,
         "text": name, "label": label, "entity_id": eid, "canonical_name": name, "source_rule": "ner"}
        for a in ("a1", "b2")
        for i, (eid, name, label) in enumerate(
            [("E:trump", "Donald Trump", "PERSON"), ("E:putin", "Vladimir Putin", "PERSON"), ("E:hamburg", "Hamburg", "GPE")]
        )
    ]
    return {
        "articles": table_from_rows(articles, ARTICLES),
        "sentences": table_from_rows(sa + sb, SENTENCES),
        "entities": table_from_rows(entities, ENTITIES),
        "timexes": TABLES["timexes"].empty_table(),
        "claims": table_from_rows(claims, CLAIMS),
        "claim_clusters": table_from_rows(clusters, CLAIM_CLUSTERS),
        "conflicts": table_from_rows(conflicts if with_conflicts else [], CONFLICTS),
    }


def _render(tables: dict[str, pa.Table], **kwargs: object) -> str:
    return render_report(
        tables["articles"], tables["sentences"], tables["claims"], tables["claim_clusters"], tables["conflicts"],
        entities=tables["entities"], **kwargs,  # type: ignore[arg-type]
    )


class _Collector(html.parser.HTMLParser):
    """Minimal DOM-ish walk: records (tag, attrs, text inside) for elements we look for."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.elements: list[tuple[str, dict[str, str | None], list[str]]] = []
        self.open: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"br", "meta", "input", "img", "hr", "link"}:
            return
        self.elements.append((tag, dict(attrs), []))
        self.open.append(len(self.elements) - 1)

    def handle_endtag(self, tag: str) -> None:
        while self.open:
            i = self.open.pop()
            if self.elements[i][0] == tag:
                break

    def handle_data(self, data: str) -> None:
        for i in self.open:
            self.elements[i][2].append(data)

    def find(self, *, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[tuple[dict, str]]:
        out = []
        for t, a, text in self.elements:
            if tag and t != tag:
                continue
            if cls and cls not in (a.get("class") or "").split():
                continue
            if any(a.get(k.replace("_", "-")) != v for k, v in attrs.items()):
                continue
            out.append((a, "".join(text)))
        return out


def _parse(page: str) -> _Collector:
    p = _Collector()
    p.feed(page)
    p.close()
    return p


# --------------------------------------------------------------------------- unit tests

_SCIENTIFIC = re.compile(r"(?<![\w.])\d+(?:\.\d+)?[eE][-+]\d+(?!\w)")  # 2.75e+10, 1e-05 (not a hash's "7e4")


def _visible_text(page: str) -> str:
    """The page's text as a reader sees it (no tags, no script or style)."""
    body = re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def test_events_are_headed_in_words_not_hashes() -> None:
    dom = _parse(_render(sample_tables()))
    heads = {a["data-event-key"]: text for a, text in dom.find(tag="section", cls="event")}
    titles = {a_text for _, a_text in dom.find(tag="h3", cls="event-title")}
    # participants (entities' canonical names), predicate, place and date, in words
    assert "Donald Trump–Vladimir Putin: meet, Hamburg, July 2016" in titles
    assert "trump-putin-first-meeting" not in " ".join(titles) and "deal" in heads
    # an event with no entity nor date is named by its predicate; unlinked conflicts get their own heading
    assert "worth" in titles and "Conflicts not linked to an event" in titles


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (2.75e10, "27.5 billion"),  # the example: billions in words
        (9.3e9, "9.3 billion"),  # trailing zeros dropped
        (1_250_000, "1,250,000"),  # millions with separators, exact
        (0.25, "0.25"),  # fractions as decimals
        (-3e12, "-3 trillion"),  # negatives keep their sign
        (7.0, "7"),  # whole numbers without ".0"
    ],
)
def test_plain_number(value: float, words: str) -> None:
    assert plain_number(value) == words


def test_no_number_is_printed_in_scientific_notation() -> None:
    page = _render(sample_tables())
    assert plain_numbers("Amounts differ: 2.75e+10 USD vs 9.3e+09 USD.") == "Amounts differ: 27.5 billion USD vs 9.3 billion USD."
    assert "27.5 billion USD vs 9.3 billion USD" in page
    assert not _SCIENTIFIC.search(_visible_text(page))
    # the score is given as a confidence with its meaning
    assert "confidence 70%" in page and "How sure the pipeline is that the two claims disagree" in page


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("2018-07-16", "16 July 2018"),  # a day
        ("2018-07", "July 2018"),  # a month
        ("2018", "2018"),  # a year
        ("XXXX-07", ""),  # unresolved: no date in the heading
        (None, ""),  # no date
    ],
)
def test_date_words(value: str | None, words: str) -> None:
    assert date_words(value) == words


def test_sources_show_titles_outlets_dates_and_links() -> None:
    page = _render(sample_tables())
    dom = _parse(page)
    links = dom.find(tag="a", cls="title")
    assert ({"href": "https://example.org/b2"}.items() <= links[0][0].items()) and links[0][1] == "Hamburg meeting"
    event = page[page.index('data-event-key="trump-putin-first-meeting"') :]
    sources = event[event.index('class="sources"') :]
    sources = sources[: sources.index("</ul>")]
    assert "Summit &lt;b&gt;history&lt;/b&gt;" in sources and "Daily Planet" in sources and "2018-07-20" in sources
    assert "a1.txt" not in _visible_text(sources)  # titles, not file names


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("https://example.org/a?b=1", True),  # an ordinary address
        ("javascript:alert(1)", False),  # would run script when clicked
        ('https://x.org/"onmouseover="alert(1)', False),  # would break out of the attribute
        (None, False),  # no URL: the title is shown unlinked
    ],
)
def test_safe_url(url: str | None, linked: bool) -> None:
    assert (safe_url(url) is not None) is linked


def test_clusters_list_members_with_titles_and_rewritten_words_marked() -> None:
    page = _render(sample_tables())
    dom = _parse(page)
    (cluster, text), = dom.find(tag="details", cls="cluster", data_cluster_id="K1")
    assert "2 articles, 2 outlets" in text
    members = [t for _, t in dom.find(tag="li", cls="member") if "July 2016" in t]
    assert members and "Hamburg meeting" in members[0] and "as written: “They first met in July 2016 in Hamburg”" in members[0]
    assert mark_rewrites("Trump and Putin met.", "They met.") == (
        '<ins title="not in the article as written">Trump</ins> <ins title="not in the article as written">and</ins> '
        '<ins title="not in the article as written">Putin</ins> met.'
    )


def test_article_text_is_embedded_with_the_claims_marked() -> None:
    dom = _parse(_render(sample_tables()))
    (art, text), = dom.find(tag="details", cls="article", id="article-a1")
    assert _TEXT_A.replace(". ", ".") in text.replace(". ", ".") or "Leaders met again." in text
    spans = [a.get("data-claims", "") for a, _ in dom.find(tag="mark", cls="span")]
    assert any("a1/c0" in s.split("\n") for s in spans)
    links = dom.find(tag="a", cls="open-article", data_claim="a1/c0")
    assert links and links[0][0]["data-article"] == "article-a1"


def test_charts_are_inline_svg_with_one_bar_per_value() -> None:
    dom = _parse(_render(sample_tables()))
    bars = {a["data-label"]: int(a["data-value"]) for a, _ in dom.find(tag="g", cls="bar")}
    assert bars["date"] == 1 and bars["quantity"] == 1 and bars["negation"] == 1  # conflicts by kind
    assert bars["Daily Planet"] == 3 and bars["Bugle & Co"] == 3  # conflicts by outlet
    assert bars["2 sources"] == 2  # events by number of sources (both events span the two outlets)
    assert bars["Jul 2016"] == 1  # timeline: the dated event's month


def test_text_is_escaped() -> None:
    page = _render(sample_tables(), title="Report <script>x()</script>")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<title>Report &lt;script&gt;x()&lt;/script&gt;</title>" in page
    assert page.count("<script>") == 1  # only the page's own inline script


def test_summary_counts() -> None:
    page = _render(sample_tables())
    values = {k: int(n) for k, n in re.findall(r'data-stat="([a-z_]+)"><span class="n">(\d+)</span>', page)}
    assert values == {
        "articles_ok": 2, "articles_rejected": 1, "sentences": 6, "claims": 6, "clusters": 5,
        "multi_article_clusters": 1, "events": 2, "multi_source_events": 2, "conflicts": 3,
    }


@pytest.mark.parametrize(
    ("max_events", "shown"),
    [
        (0, ["deal", "trump-putin-first-meeting", ""]),  # events holding conflicts are always shown; ties by key
        (5, ["deal", "trump-putin-first-meeting", ""]),  # room to spare: no more events qualify
        # the unlinked conflicts come last: no claims of their own
    ],
)
def test_events_ranked_by_sources_then_conflicts(max_events: int, shown: list[str]) -> None:
    dom = _parse(_render(sample_tables(), max_events=max_events))
    assert [a["data-event-key"] for a, _ in dom.find(tag="section", cls="event")] == shown


def test_events_reported_by_one_article_without_conflicts_are_left_out() -> None:
    tables = sample_tables(with_conflicts=False)
    rows = [{**r, "event_key": "deal-b2"} if r["claim_id"] == "b2/c2" else r for r in tables["claim_clusters"].to_pylist()]
    tables["claim_clusters"] = table_from_rows(rows, CLAIM_CLUSTERS)  # "deal" and "deal-b2": one article each
    dom = _parse(_render(tables))
    assert [a["data-event-key"] for a, _ in dom.find(tag="section", cls="event")] == ["trump-putin-first-meeting"]


def test_empty_tables_render_a_sensible_page() -> None:
    empty = {name: schema.empty_table() for name, schema in TABLES.items()}
    page = _render(empty)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "No event is reported by two or more articles" in page and "Nothing to chart." in page


def test_output_is_deterministic_and_self_contained() -> None:
    tables = sample_tables()
    page = _render(tables)
    assert page == _render(tables)
    for needle in ("http://", "https://", "<link", "src=", "@import", "url("):
        assert needle not in page.replace("https://example.org/b2", ""), needle
    assert "Generated 2026-01-01" in _render(tables, generated="2026-01-01")


def test_write_report(tmp_path: Path) -> None:
    from pipeline.errors import MissingTableError
    from pipeline.io import write_table

    tables = sample_tables()
    with pytest.raises(MissingTableError):
        write_report(tmp_path)
    for name, table in tables.items():
        write_table(table, tmp_path, name)
    path = write_report(tmp_path)
    assert path == tmp_path / "report" / "conflicts.html"
    assert path.read_text(encoding="utf-8") == _render(tables)


@pytest.mark.parametrize(
    "max_events",
    [
        0,  # only the events holding conflicts
        1,  # the boundary falls inside the seeds' multi-article events: ties decided by rank, then key
        60,  # the default
    ],
)
def test_write_report_reads_only_what_the_page_shows_and_makes_the_same_page(
    seed_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, max_events: int
) -> None:
    # The report walks sentences, claims, texts and entities a batch at a time, keeping only the
    # rows it shows; the page must be the one the whole tables give, summary counts included.
    import pipeline.io as io_module

    out = tmp_path / "out"
    shutil.copytree(seed_run, out)
    whole = {n: io_module.read_table(out, n) for n in ("articles", "sentences", "claims", "claim_clusters", "conflicts", "entities")}
    read_whole: list[str] = []
    real = io_module.read_table
    monkeypatch.setattr(io_module, "read_table", lambda o, name, **kw: read_whole.append(name) or real(o, name, **kw))
    path = write_report(out, generated="test", max_events=max_events)
    assert read_whole == ["conflicts"]
    expected = render_report(
        whole["articles"], whole["sentences"], whole["claims"], whole["claim_clusters"], whole["conflicts"],
        entities=whole["entities"], generated="test", max_events=max_events,
    )
    assert path.read_text(encoding="utf-8") == expected


def test_seed_report_is_a_story_view(seed_run: Path) -> None:
    # the seeds' two articles share many facts: the page shows their events, not just "no conflicts"
    page = (seed_run / "report" / "conflicts.html").read_text(encoding="utf-8")
    dom = _parse(page)
    titles = [t for _, t in dom.find(tag="h3", cls="event-title")]
    assert titles and all(not re.fullmatch(r"v[0-9a-f]{16}", t) for t in titles)
    assert dom.find(tag="details", cls="cluster")


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ('{"format": "review-marks/1", "marks": [{"kind": "conflict", "id": "X1", "verdict": "wrong"}, '
         '{"kind": "cluster", "id": "K1"}]}', None),  # what the page exports (verdict defaults to wrong)
        ("[1, 2", "not JSON"),  # a truncated file
        ('{"marks": []}', "not a review file"),  # some other JSON
        ('{"format": "review-marks/1", "marks": [{"kind": "event", "id": "v1"}]}', "mark 0"),  # an unknown kind
    ],
)
def test_parse_marks(text: str, error: str | None) -> None:
    if error is None:
        assert parse_marks(text) == (ReviewMark("conflict", "X1"), ReviewMark("cluster", "K1"))
    else:
        with pytest.raises(ValueError, match=error):
            parse_marks(text)


def test_marks_of_a_previous_review_start_marked_and_are_counted() -> None:
    marks = (ReviewMark("conflict", "X1"), ReviewMark("cluster", "K1"), ReviewMark("conflict", "gone"))
    page = _render(sample_tables(), marks=marks)
    dom = _parse(page)
    (x1, _), = dom.find(tag="article", id="X1")
    assert "marked-wrong" in x1["class"].split()
    pressed = [(a["data-mark-kind"], a["data-mark-id"]) for a, _ in dom.find(tag="button", cls="mark-wrong", aria_pressed="true")]
    assert pressed == [("conflict", "X1"), ("cluster", "K1")]
    values = dict(re.findall(r'data-stat="(review_[a-z_]+)"><span class="n">(\d+)</span>', page))
    assert values == {"review_marks": "3", "review_still_reported": "2"}  # "gone" is no longer reported
    assert "review_marks" not in _render(sample_tables())  # no review, no such figures


def test_report_command_reads_feedback_and_refuses_a_bad_file(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from pipeline.cli import main
    from pipeline.io import write_table

    for name, table in sample_tables().items():
        write_table(table, tmp_path, name)
    good, bad = tmp_path / "marks.json", tmp_path / "bad.json"
    good.write_text('{"format": "review-marks/1", "marks": [{"kind": "conflict", "id": "X2"}]}', encoding="utf-8")
    bad.write_text("not json", encoding="utf-8")
    result = CliRunner().invoke(main, ["report", "--output", str(tmp_path), "--feedback", str(good)])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "report" / "conflicts.html").read_text(encoding="utf-8")
    assert 'aria-pressed="true" data-mark-kind="conflict" data-mark-id="X2"' in page
    result = CliRunner().invoke(main, ["report", "--output", str(tmp_path), "--feedback", str(bad)])
    assert result.exit_code == 2 and "not JSON" in result.output


# --------------------------------------------------------------------------- data dictionary


def test_data_dictionary_covers_every_column() -> None:
    text = data_dictionary()
    for name, schema in TABLES.items():
        assert f"## {name}\n" in text
        for field in schema:
            assert f"| `{field.name}` |" in text
    assert "| `entity_ids` | list<string> | yes |" in text
    assert "| `published` | date | yes |" in text


def test_committed_data_dictionary_is_up_to_date() -> None:
    assert DEFAULT_PATH.exists(), "docs/data_dictionary.md missing: run `python -m pipeline.dictionary --write`"
    assert DEFAULT_PATH.read_text(encoding="utf-8") == data_dictionary(), (
        "docs/data_dictionary.md is stale: run `.venv/bin/python -m pipeline.dictionary --write`"
    )


# --------------------------------------------------------------------------- PNG check


def _png_pixels(data: bytes) -> tuple[int, int, int, list[bytes]]:
    """Decode an 8-bit, non-interlaced RGB/RGBA PNG (what Chromium writes): (width, height, channels, rows)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, [], None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        ctype, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if ctype == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif ctype == b"IDAT":
            idat.append(body)
        pos += 12 + length
    assert header is not None
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and color in (2, 6) and interlace == 0, f"unsupported PNG layout {header}"
    ch = 3 if color == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * ch
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        ftype = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        if ftype == 1:
            for i in range(ch, stride):
                line[i] = (line[i] + line[i - ch]) & 0xFF
        elif ftype == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, prev))
        elif ftype == 3:
            for i in range(stride):
                left = line[i - ch] if i >= ch else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
        elif ftype == 4:
            for i in range(stride):
                a = line[i - ch] if i >= ch else 0
                b, c = prev[i], prev[i - ch] if i >= ch else 0
                p = a + b - c
                pa_, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa_ <= pb and pa_ <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, ch, rows


def _non_white_fraction(png: bytes) -> float:
    try:  # Pillow (a matplotlib dependency) is much faster; the zlib decoder is the fallback
        import io

        from PIL import Image

        img = Image.open(io.BytesIO(png)).convert("L")
        hist = img.histogram()
        return 1 - sum(hist[245:]) / (img.width * img.height)
    except ImportError:
        width, height, ch, rows = _png_pixels(png)
        sample = rows[:: max(1, height // 200)]  # every ~10th row keeps the pure-Python decode cheap
        total = dark = 0
        for row in sample:
            for x in range(0, width * ch, ch * 4):
                total += 1
                if min(row[x : x + 3]) < 245:
                    dark += 1
        return dark / total


# --------------------------------------------------------------------------- headless browser


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "conflicts.html"
    path.write_text(_render(sample_tables()), encoding="utf-8")
    return path


@contextlib.contextmanager
def _opened(path: Path, profile: Path) -> Iterator[Page]:
    """`path` open in a headless Chromium, its script run (the test skips where no browser can run)."""
    browser = find_browser()
    if browser is None:
        pytest.skip("chromium not installed: apt-get install -y chromium (.ci/run installs it)")
    try:
        tab = Page(browser, profile)
    except BrowserError as exc:
        pytest.skip(f"chromium cannot run here: {exc}")
    with tab:
        tab.open(path.as_uri(), ready="document.body && document.body.getAttribute('data-ready') === '1'")
        yield tab


@pytest.fixture
def page(report_file: Path, tmp_path: Path) -> Iterator[Page]:
    """The sample report open in a headless Chromium."""
    with _opened(report_file, tmp_path / "profile") as tab:
        yield tab


_VISIBLE = "(function (el) { return !!el && el.checkVisibility(); })"  # a closed <details> still has a box


def test_browser_shows_word_headings_titles_links_and_no_scientific_notation(page: Page) -> None:
    headings = page.eval("Array.from(document.querySelectorAll('h3.event-title')).map(h => h.innerText)")
    assert "Donald Trump–Vladimir Putin: meet, Hamburg, July 2016" in headings
    body = page.eval("document.body.innerText")
    assert not _SCIENTIFIC.search(body) and "27.5 billion USD" in body
    assert page.eval("Array.from(document.querySelectorAll('a.title')).map(a => a.href)")[0] == "https://example.org/b2"
    assert "Summit <b>history</b>" in body  # the title, escaped: shown as text, not markup


def test_browser_draws_the_charts(page: Page) -> None:
    widths = page.eval("Array.from(document.querySelectorAll('#chart-kind rect')).map(r => r.getBoundingClientRect().width)")
    assert len(widths) == 3 and all(w > 0 for w in widths)


def test_browser_cluster_expands_to_its_members(page: Page) -> None:
    member = "document.querySelector('[data-cluster-id=\"K1\"] li.member')"
    assert page.eval(f"{_VISIBLE}({member})") is False
    page.eval("document.querySelector('[data-cluster-id=\"K1\"] summary').click()")
    assert page.eval(f"{_VISIBLE}({member})") is True
    assert "Hamburg meeting" in page.eval("document.querySelector('[data-cluster-id=\"K1\"]').innerText")


def test_browser_opens_the_article_at_the_claim(page: Page) -> None:
    page.eval("document.querySelector('a.open-article[data-claim=\"a1/c0\"]').click()")
    assert page.eval("document.getElementById('article-a1').open") is True
    assert "Trump and Putin first met" in page.eval("document.querySelector('#article-a1 mark.focus').innerText")


@pytest.mark.parametrize(
    ("control", "value", "events"),
    [
        ("filter-kind", "quantity", ["deal"]),  # conflict kind: only the event holding a quantity conflict
        ("filter-text", "vladimir", ["trump-putin-first-meeting"]),  # search over entities' names
        ("filter-text", "no such thing", []),  # nothing matches: every event hidden
    ],
)
def test_browser_filters_change_what_is_shown(page: Page, control: str, value: str, events: list[str]) -> None:
    shown = "Array.from(document.querySelectorAll('section.event')).filter(e => !e.hidden).map(e => e.dataset.eventKey)"
    assert len(page.eval(shown)) == 3
    event = "input" if control == "filter-text" else "change"
    page.eval(f"(function (el) {{ el.value = {value!r}; el.dispatchEvent(new Event('{event}')); }})(document.getElementById('{control}'))")
    assert page.eval(shown) == events
    assert page.eval("document.getElementById('no-match').hidden") is bool(events)


def test_browser_marks_a_conflict_and_exports_the_marks(page: Page) -> None:
    page.eval("document.querySelector('#X1 button.mark-wrong').click()")
    page.eval("document.querySelector('[data-cluster-id=\"K1\"] button.mark-wrong').click()")
    assert page.eval("document.getElementById('marks-count').textContent") == "2"
    assert page.eval("document.getElementById('X1').classList.contains('marked-wrong')") is True
    page.eval("document.getElementById('export-marks').click()")
    text = page.eval("document.getElementById('marks-json').value")
    exported = json.loads(text)
    assert exported["marks"] == [
        {"kind": "conflict", "id": "X1", "verdict": "wrong", "claim_ids": ["a1/c0", "b2/c0"]},
        {"kind": "cluster", "id": "K1", "verdict": "wrong"},
    ]
    assert parse_marks(text) == (ReviewMark("conflict", "X1"), ReviewMark("cluster", "K1"))  # a run reads it back


def test_report_screenshot_is_not_blank(page: Page, tmp_path: Path) -> None:
    data = page.screenshot(tmp_path / "shot.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 1000
    assert _non_white_fraction(data) > 0.02, "screenshot is (almost) blank"


def test_browser_seed_report_is_a_story_view(seed_run: Path, tmp_path: Path) -> None:
    # the page a real run writes (the seeds: two articles from two outlets sharing many facts)
    with _opened(seed_run / "report" / "conflicts.html", tmp_path / "profile") as tab:
        headings = tab.eval("Array.from(document.querySelectorAll('h3.event-title')).map(h => h.innerText)")
        assert headings and not any(re.fullmatch(r"v[0-9a-f]{16}", h) for h in headings)
        assert not _SCIENTIFIC.search(tab.eval("document.body.innerText"))
        assert tab.eval("document.querySelectorAll('#chart-sources rect').length") >= 1
        tab.eval("document.querySelector('details.cluster summary').click()")
        assert tab.eval(f"{_VISIBLE}(document.querySelector('details.cluster li.member'))") is True
