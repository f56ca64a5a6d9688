"""The report a real run writes from a multi-source input (the seeds, restatements that change their values,
and five ECB+ articles of one topic), opened in headless Chromium: what a reader sees and can do."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import DATA
from pipeline.browser import Page
from pipeline.io import read_table
from pipeline.report import REPORT_RELPATH, ReviewMark, parse_marks
from test_report import _SCIENTIFIC, _VISIBLE, _opened

ECB_EXCERPT = DATA / "ecbplus" / "topic1_lohan_rehab.jsonl"
_HASH = re.compile(r"v[0-9a-f]{16}")
_SHOWN_EVENTS = "Array.from(document.querySelectorAll('section.event')).filter(e => !e.hidden).map(e => e.dataset.eventKey)"
# every text node a reader can reach (closed <details> included), not the page's script or style
_ALL_TEXT = (
    "(function () { var b = document.body.cloneNode(true);"
    " b.querySelectorAll('script, style').forEach(n => n.remove()); return b.textContent; })()"
)


def _excerpt() -> list[dict[str, str]]:
    """The committed ECB+ records (id, title, url, source, text)."""
    return [json.loads(line) for line in ECB_EXCERPT.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def multi_page(multi_source_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    """The multi-source report open in one headless Chromium for the module (tests reset what they change)."""
    with _opened(multi_source_run / REPORT_RELPATH, tmp_path_factory.mktemp("profile")) as tab:
        yield tab


@pytest.fixture
def page(multi_page: Page) -> Iterator[Page]:
    """The page with filters cleared before and after the test."""
    reset = (
        "(function () { var t = document.getElementById('filter-text'); t.value = ''; t.dispatchEvent(new Event('input'));"
        " ['filter-source', 'filter-kind'].forEach(function (id) { var s = document.getElementById(id); s.value = '';"
        " s.dispatchEvent(new Event('change')); }); })()"
    )
    multi_page.eval(reset)
    yield multi_page
    multi_page.eval(reset)


def test_input_has_many_sources_and_conflicts(multi_source_run: Path) -> None:
    # the premise of the tests below: several outlets, conflicts of more than one kind, repeated facts
    articles = read_table(multi_source_run, "articles")
    assert articles.num_rows == 10 and set(articles["status"].to_pylist()) == {"ok"}
    assert len(set(read_table(multi_source_run, "conflicts")["kind"].to_pylist())) >= 2
    assert max(read_table(multi_source_run, "claim_clusters")["n_articles"].to_pylist()) >= 2


def test_event_headings_are_words_from_every_input(page: Page) -> None:
    headings = page.eval("Array.from(document.querySelectorAll('h3.event-title')).map(h => h.innerText)")
    assert len(headings) >= 2
    for heading in headings:
        assert not _HASH.search(heading) and re.search(r"[A-Za-z]{3,}", heading), heading
    # the ECB+ topic and the restated seeds are both told as events: their people head them
    assert any("Lohan" in h for h in headings) and any("Putin" in h for h in headings)


def test_no_number_is_in_scientific_notation(page: Page) -> None:
    text = page.eval(_ALL_TEXT)
    assert len(text) > 1000 and not _SCIENTIFIC.search(text), _SCIENTIFIC.search(text)


def test_article_titles_and_links_are_shown(page: Page) -> None:
    links = page.eval("Array.from(document.querySelectorAll('a.title')).map(a => [a.textContent, a.href])")
    shown = {(title.strip(), href) for title, href in links}
    for record in _excerpt():
        assert (record["title"], record["url"]) in shown, record["id"]
    # the outlets are named in the source filter, next to the seeds' outlets
    outlets = page.eval("Array.from(document.getElementById('filter-source').options).map(o => o.value)")
    assert {r["source"] for r in _excerpt()} <= set(outlets)


def test_charts_are_drawn(page: Page, multi_source_run: Path) -> None:
    kinds = set(read_table(multi_source_run, "conflicts")["kind"].to_pylist())
    widths = page.eval("Array.from(document.querySelectorAll('#chart-kind rect')).map(r => r.getBoundingClientRect().width)")
    assert len(widths) == len(kinds) and all(w > 0 for w in widths)  # one visible bar per conflict kind
    assert page.eval("document.querySelectorAll('#chart-sources rect').length") >= 1


def test_a_cluster_expands_to_its_members(page: Page, multi_source_run: Path) -> None:
    clusters = read_table(multi_source_run, "claim_clusters").to_pylist()
    shown = page.eval("Array.from(document.querySelectorAll('details.cluster')).map(d => d.dataset.clusterId)")
    repeated = [r["cluster_id"] for r in clusters if r["n_articles"] >= 2 and r["cluster_id"] in shown]
    assert repeated, "no cluster stated by two articles is shown"
    cluster = repeated[0]
    members = sorted(r["claim_id"] for r in clusters if r["cluster_id"] == cluster)
    sel = f"document.querySelector('details.cluster[data-cluster-id=\"{cluster}\"]')"
    assert page.eval(f"{_VISIBLE}({sel}.querySelector('li.member'))") is False
    page.eval(f"{sel}.querySelector('summary').click()")
    try:
        assert page.eval(f"Array.from({sel}.querySelectorAll('li.member')).filter(li => {_VISIBLE}(li)).length") == len(members)
        assert sorted(page.eval(f"Array.from({sel}.querySelectorAll('li.member')).map(li => li.dataset.claimId)")) == members
    finally:
        page.eval(f"{sel}.open = false")


@pytest.mark.parametrize(
    ("control", "pick"),
    [
        ("filter-kind", "conflict kind"),  # only events holding a conflict of that kind
        ("filter-source", "ECB+ outlet"),  # only events an ECB+ outlet reports
        ("filter-text", "no match"),  # a search nothing matches hides every event
    ],
)
def test_filters_change_what_is_shown(page: Page, control: str, pick: str) -> None:
    every = page.eval(_SHOWN_EVENTS)
    if pick == "conflict kind":
        value = page.eval("document.getElementById('filter-kind').options[1].value")
        attr = "kinds"
    elif pick == "ECB+ outlet":
        value = _excerpt()[0]["source"]
        attr = "sources"
    else:
        value = "no event says this"
        attr = ""
    event = "input" if control == "filter-text" else "change"
    page.eval(f"(function (el) {{ el.value = {json.dumps(value)}; el.dispatchEvent(new Event('{event}')); }})(document.getElementById('{control}'))")
    shown = page.eval(_SHOWN_EVENTS)
    assert len(shown) < len(every) and set(shown) <= set(every)
    if attr:
        assert shown, f"{control}={value!r} hid every event"
        for key in every:
            holds = value in page.eval(f"document.querySelector('section.event[data-event-key=\"{key}\"]').dataset.{attr}.split('\\n')")
            assert (key in shown) is holds, key
    assert page.eval("document.getElementById('no-match').hidden") is bool(shown)


def test_marking_a_conflict_and_exporting(page: Page, multi_source_run: Path) -> None:
    conflict_id = page.eval("document.querySelector('.conflict').id")
    button = f"document.querySelector('#{conflict_id} button.mark-wrong')"
    page.eval(f"{button}.click()")
    try:
        assert page.eval("document.getElementById('marks-count').textContent") == "1"
        assert page.eval(f"document.getElementById('{conflict_id}').classList.contains('marked-wrong')") is True
        page.eval("document.getElementById('export-marks').click()")
        text = page.eval("document.getElementById('marks-json').value")
    finally:
        page.eval(f"{button}.click()")  # undo: the page is shared by the module's tests
    row = next(r for r in read_table(multi_source_run, "conflicts").to_pylist() if r["conflict_id"] == conflict_id)
    assert json.loads(text)["marks"] == [
        {"kind": "conflict", "id": conflict_id, "verdict": "wrong", "claim_ids": [row["claim_id_a"], row["claim_id_b"]]}
    ]
    assert parse_marks(text) == (ReviewMark("conflict", conflict_id),)  # the next run reads it back
