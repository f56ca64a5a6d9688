"""The HTML conflicts report (unit tests on small hand-built tables + a real headless-browser check),
and the generated data dictionary staying in sync with pipeline/schemas.py."""

from __future__ import annotations

import datetime as dt
import html.parser
import os
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pyarrow as pa
import pytest

from pipeline.dictionary import DEFAULT_PATH, data_dictionary
from pipeline.report import highlight, render_report, source_label, write_report
from pipeline.schemas import ARTICLES, CLAIM_CLUSTERS, CLAIMS, CONFLICTS, SENTENCES, TABLES, table_from_rows

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
        "entity_ids": ["E:trump", "E:putin"],
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
               hedged=True, attributed_to="officials", timex_ids=["b2/t0"], time_value="2016-07"),
        _claim("b2/c1", "b2", sb[2], "Nothing else was agreed.", negated=True),
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
    ]
    conflicts = [
        {"conflict_id": "X1", "claim_id_a": "a1/c0", "claim_id_b": "b2/c0", "article_id_a": "a1", "article_id_b": "b2",
         "kind": "date", "value_a": "July 2017", "value_b": "July 2016", "normalized_a": "2017-07",
         "normalized_b": "2016-07", "score": 0.93, "explanation": "Dates differ: 2017-07 vs 2016-07.",
         "event_key": "trump-putin-first-meeting"},
        {"conflict_id": "X2", "claim_id_a": "a1/c1", "claim_id_b": "b2/c1", "article_id_a": "a1", "article_id_b": "b2",
         "kind": "negation", "value_a": None, "value_b": "Nothing", "normalized_a": None, "normalized_b": None,
         "score": 0.41, "explanation": "One claim is negated.", "event_key": None},
    ]
    return {
        "articles": table_from_rows(articles, ARTICLES),
        "sentences": table_from_rows(sa + sb, SENTENCES),
        "entities": TABLES["entities"].empty_table(),
        "timexes": TABLES["timexes"].empty_table(),
        "claims": table_from_rows(claims, CLAIMS),
        "claim_clusters": table_from_rows(clusters, CLAIM_CLUSTERS),
        "conflicts": table_from_rows(conflicts if with_conflicts else [], CONFLICTS),
    }


def _render(tables: dict[str, pa.Table], **kwargs: object) -> str:
    return render_report(
        tables["articles"], tables["sentences"], tables["claims"], tables["claim_clusters"], tables["conflicts"],
        **kwargs,  # type: ignore[arg-type]
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


def test_conflict_shows_both_claims_side_by_side_with_context_and_flags() -> None:
    page = _render(sample_tables())
    dom = _parse(page)
    (conflict, _), = dom.find(tag="article", cls="conflict", id="X1")
    assert conflict["data-kind"] == "date"
    assert conflict["data-source-a"] == "Daily Planet" and conflict["data-source-b"] == "Bugle & Co"
    block = page[page.index('id="X1"') : page.index('id="X2"')]
    pair = block[block.index('class="pair"') :]
    a, b = pair.index('class="claim claim-a"'), pair.index('class="claim claim-b"')
    assert a < b
    side_a, side_b = pair[a:b], pair[b:]
    # article title (escaped) + source, claim text with the value marked, kind/score/explanation
    assert "Summit &lt;b&gt;history&lt;/b&gt;" in side_a and "Daily Planet" in side_a and "2018-07-20" in side_a
    assert "Hamburg meeting" in side_b and "Bugle &amp; Co" in side_b and "news.jsonl:2" in side_b
    assert "first met in <mark>July 2017</mark> at the G20" in side_a
    assert "first met in <mark>July 2016</mark> in Hamburg." in side_b
    assert "<mark>July 2016</mark>" not in side_a and "<mark>July 2017</mark>" not in side_b
    assert "score 0.93" in block and "Dates differ: 2017-07 vs 2016-07." in block and ">date<" in block
    # original sentence between its neighbours, the claim sentence emphasized
    assert '<span class="ctx-before">Leaders met again.</span>' in side_a
    assert '<span class="ctx-after">The talks lasted over two hours.</span>' in side_a
    assert '<span class="claim-sentence">Trump and Putin first met in <mark>July 2017</mark> at the G20 summit in Hamburg.</span>' in side_a
    assert '<span class="ctx-before">Background first.</span>' in side_b
    # flags: hedged + attributed on b only
    assert 'data-flag="hedged"' in side_b and "attributed to officials" in side_b
    assert 'data-flag="hedged"' not in side_a and 'data-flag="attributed"' not in side_a


def test_highlight_marks_whole_values_and_escapes() -> None:
    assert highlight("The thing of their 2017 and 17 <x>.", ["the", "17", "<x>"]) == (
        "<mark>The</mark> thing of their 2017 and <mark>17</mark> <mark>&lt;x&gt;</mark>."
    )
    assert highlight("over $5 million (about)", ["$5 million", None, ""]) == "over <mark>$5 million</mark> (about)"
    assert highlight("a & b", []) == "a &amp; b"


def test_source_label_prefers_outlet_then_input_file() -> None:
    assert source_label({"outlet": "Reuters", "source": "x.jsonl:3"}) == "Reuters"
    assert source_label({"outlet": None, "source": "news.jsonl:12"}) == "news.jsonl"  # one source per file
    assert source_label({"outlet": None, "source": "a1.txt"}) == "a1.txt"
    assert source_label(None, "a9") == "a9"


def test_conflicts_are_grouped_by_event_key_with_pair_fallback() -> None:
    dom = _parse(_render(sample_tables()))
    groups = dom.find(tag="section", cls="group")
    assert [g[0]["data-event-key"] for g in groups] == ["trump-putin-first-meeting", ""]
    assert "Event: trump-putin-first-meeting" in groups[0][1]
    assert "Claims a1/c1 ↔ b2/c1" in groups[1][1]


def test_event_key_falls_back_to_claim_clusters() -> None:
    tables = sample_tables()
    rows = tables["conflicts"].to_pylist()
    for r in rows:
        r["event_key"] = None
    tables["conflicts"] = table_from_rows(rows, CONFLICTS)
    dom = _parse(_render(tables))
    keys = [g[0]["data-event-key"] for g in dom.find(tag="section", cls="group")]
    assert keys == ["trump-putin-first-meeting", ""]


def test_text_is_escaped() -> None:
    page = _render(sample_tables(), title="Report <script>x()</script>")
    assert "<script>alert(1)</script>" not in page
    assert "The talks &lt;script&gt;alert(1)&lt;/script&gt; lasted over two hours." in page
    assert "<title>Report &lt;script&gt;x()&lt;/script&gt;</title>" in page
    assert page.count("<script>") == 1  # only the page's own inline script


def test_summary_counts() -> None:
    page = _render(sample_tables())
    values = {k: int(n) for k, n in re.findall(r'data-stat="([a-z_]+)"><span class="n">(\d+)</span>', page)}
    assert values == {
        "articles_ok": 2, "articles_rejected": 1, "sentences": 6, "claims": 4, "clusters": 3,
        "multi_article_clusters": 1, "conflicts": 2,
    }
    kinds = {a["data-kind-count"]: text for a, text in _parse(page).find(tag="li")}
    assert kinds == {"date": "date: 1", "negation": "negation: 1"}


def test_most_repeated_claims() -> None:
    dom = _parse(_render(sample_tables()))
    rows = dom.find(tag="tr", cls="repeated-claim")
    assert [r[0]["data-cluster-id"] for r in rows] == ["K1"]  # single-article clusters are not "repeated"
    text = rows[0][1]
    assert "Trump and Putin first met in July 2017 at the G20 summit in Hamburg." in text  # the representative
    assert "Bugle & Co" in text and "Daily Planet" in text


def test_empty_tables_render_a_sensible_page() -> None:
    empty = {name: schema.empty_table() for name, schema in TABLES.items()}
    page = _render(empty)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "No conflicts found" in page and "No claim is repeated across articles" in page
    assert 'id="filters"' not in page
    page2 = _render(sample_tables(with_conflicts=False))
    assert "No conflicts found" in page2 and 'class="conflict"' not in page2


def test_output_is_deterministic_and_self_contained() -> None:
    tables = sample_tables()
    page = _render(tables)
    assert page == _render(tables)
    for needle in ("http://", "https://example", "<link", "src=", "@import"):
        assert needle not in page.replace('https://example.org/b2', ""), needle
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
    "max_repeated",
    [
        0,  # no repeated section rows: the heap of top clusters stays empty
        1,  # the boundary falls inside the seeds' repeated clusters: ties decided by cluster id
        3,  # likewise, further down
        20,  # more room than repeated clusters: every one is shown
    ],
)
def test_write_report_reads_only_what_the_page_shows_and_makes_the_same_page(
    seed_run: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, max_repeated: int
) -> None:
    # The report walks sentences, claims and clusters a batch at a time, keeping only the rows it
    # shows (its memory grows with the conflicts, not the corpus); the page must be the one the
    # whole tables give, summary counts included.
    import pipeline.io as io_module
    from pipeline.schemas import ARTICLE_INDEX_COLUMNS

    out = tmp_path / "out"
    shutil.copytree(seed_run, out)
    whole = {n: io_module.read_table(out, n) for n in ("sentences", "claims", "claim_clusters", "conflicts")}
    whole["articles"] = io_module.read_table(out, "articles", columns=ARTICLE_INDEX_COLUMNS)
    assert len(set(whole["claim_clusters"]["cluster_id"].to_pylist())) > 3  # enough clusters for the cases
    read_whole: list[str] = []
    real = io_module.read_table
    monkeypatch.setattr(io_module, "read_table", lambda o, name, **kw: read_whole.append(name) or real(o, name, **kw))
    path = write_report(out, generated="test", max_repeated=max_repeated)
    assert read_whole == ["conflicts"]
    expected = render_report(
        whole["articles"], whole["sentences"], whole["claims"], whole["claim_clusters"], whole["conflicts"],
        generated="test", max_repeated=max_repeated,
    )
    assert path.read_text(encoding="utf-8") == expected


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


# --------------------------------------------------------------------------- headless browser

_BROWSER_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=1280,2000",
]
_BROWSER_TIMEOUT = 20


def _browser() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    if os.path.exists("/usr/bin/chromium"):
        return "/usr/bin/chromium"
    pytest.skip("chromium not installed: apt-get install -y chromium (looked for chromium, chromium-browser, google-chrome)")


def _run_browser(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    cmd = [browser, *_BROWSER_FLAGS, f"--user-data-dir={profile}", *args]
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=_BROWSER_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        pytest.skip(f"chromium did not finish within {_BROWSER_TIMEOUT} s: cannot run a headless browser here")
    except OSError as exc:
        pytest.skip(f"chromium not installed or not runnable: {exc}")
    return proc


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


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "conflicts.html"
    path.write_text(_render(sample_tables()), encoding="utf-8")
    return path


def test_report_runs_in_a_headless_browser(report_file: Path, tmp_path: Path) -> None:
    browser = _browser()
    proc = _run_browser(browser, tmp_path / "profile-dom", "--virtual-time-budget=3000", "--dump-dom", report_file.as_uri())
    dom = proc.stdout.decode("utf-8", "replace")
    if proc.returncode != 0 or "<html" not in dom:
        pytest.skip(f"chromium cannot run here (exit {proc.returncode}): {proc.stderr.decode(errors='replace')[-400:]}")
    # the filter script ran: it marks <body>, reveals the filters and fills the counter
    assert 'data-filters-ready="1"' in dom
    assert '<div id="filters">' in dom  # `hidden` attribute removed by the script
    assert "Showing 2 of 2 conflicts" in dom
    # conflict rows rendered with both claims and the marked values
    assert dom.count('class="conflict"') == 2
    assert "<mark>July 2017</mark>" in dom and "<mark>July 2016</mark>" in dom
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom


def test_report_filters_apply_in_the_browser(report_file: Path, tmp_path: Path) -> None:
    """Filters preset through the URL hash hide the non-matching conflicts (and their empty group)."""
    browser = _browser()
    url = report_file.as_uri() + "#kind=negation&source=Bugle%20%26%20Co"
    proc = _run_browser(browser, tmp_path / "profile-filter", "--virtual-time-budget=3000", "--dump-dom", url)
    dom = proc.stdout.decode("utf-8", "replace")
    if proc.returncode != 0 or "<html" not in dom:
        pytest.skip(f"chromium cannot run here (exit {proc.returncode}): {proc.stderr.decode(errors='replace')[-400:]}")
    assert "Showing 1 of 2 conflicts" in dom
    parsed = _parse(dom)
    (x1, _), = parsed.find(tag="article", id="X1")
    (x2, _), = parsed.find(tag="article", id="X2")
    assert "hidden" in x1 and "hidden" not in x2
    (g0, _), = parsed.find(tag="section", id="group-0")
    assert "hidden" in g0


def test_report_screenshot_is_not_blank(report_file: Path, tmp_path: Path) -> None:
    browser = _browser()
    png = tmp_path / "shot.png"
    proc = _run_browser(browser, tmp_path / "profile-shot", f"--screenshot={png}", report_file.as_uri())
    if not png.exists():
        pytest.skip(f"chromium cannot take screenshots here (exit {proc.returncode}): {proc.stderr.decode(errors='replace')[-400:]}")
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 1000
    assert _non_white_fraction(data) > 0.02, "screenshot is (almost) blank"
