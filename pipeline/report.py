"""The self-contained HTML report (``report/conflicts.html``): a story view of events across sources.

:func:`render_report` is a pure function: tables in, one HTML page out (inline CSS, JS and SVG, no
network, opens from disk). The same tables always give the same bytes; nothing time-dependent is
written unless ``generated`` is passed in. :func:`write_report` is the only part touching the file
system: it reads the rows the page shows from an output folder and writes the page atomically.

Page layout:

1. a summary (articles ok/rejected, sentences, claims, clusters, events, conflicts) and charts drawn
   as inline SVG at build time: conflicts by kind and by outlet, events by number of sources, and a
   timeline of the shown events by month when their dates are known;
2. filters (search over event headings, entities, outlets and titles; outlet; conflict kind) and
   review marks (mark a conflict or a cluster as wrong, export the marks as JSON);
3. the story view: events (``claim_clusters.event_key``) under their story (``story_id``), ranked by
   the sources covering them and the conflicts they hold. Each has a heading in words (participants,
   predicate, place, date), its conflicts (both claims side by side, values in plain numbers, an
   explanation in words), its same-fact clusters (articles and outlets stating each; expanding one
   lists every member claim with its article and original sentence, rewritten words marked) and its
   sources (titles, outlets, dates, links). Only events reported by 2+ articles or holding a
   conflict are shown, at most ``max_events`` of them (events with conflicts always), with a note;
4. the texts of the articles the shown claims come from, collapsed, each claim's span marked.
"""

from __future__ import annotations

import html
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

#: Conflict kinds of the contract, in display order (unknown kinds follow, alphabetically).
KINDS: tuple[str, ...] = ("date", "quantity", "place", "negation", "entity", "other")

#: Where the report goes inside an output folder.
REPORT_RELPATH = Path("report") / "conflicts.html"

#: The page's title unless one is given.
DEFAULT_TITLE = "Claims and conflicts across sources"

#: Events shown at most (events holding a conflict are always shown), and clusters per event.
MAX_EVENTS = 60
MAX_CLUSTERS_PER_EVENT = 8

#: Verbs too light to name an event by when another predicate is there.
_LIGHT_PREDICATES = frozenset({"be", "have", "say", "do", "get", "tell", "add", "make"})
#: Entity labels naming who or what takes part (places and numbers name no participant).
_PARTICIPANT_LABELS = frozenset({"PERSON", "ORG", "NORP", "EVENT", "WORK_OF_ART", "PRODUCT", "LAW"})
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")

Row = dict[str, Any]


def _esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _rows(table: pa.Table | None) -> list[Row]:
    return [] if table is None else table.to_pylist()


def _col(row: Mapping[str, Any], name: str, default: Any = None) -> Any:
    value = row.get(name, default)
    return default if value is None else value


def _kind_order(kind: str) -> tuple[int, str]:
    return (KINDS.index(kind) if kind in KINDS else len(KINDS), kind)


def _score(row: Mapping[str, Any]) -> float:
    try:
        return float(row.get("score") or 0.0)
    except (TypeError, ValueError):
        return 0.0


def _plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


# --------------------------------------------------------------------------- words and numbers


def plain_number(value: float) -> str:
    """A number as a reader writes it: 27.5 billion, 9.3 billion, 1,250,000, 0.25 — never 2.75e+10."""
    if not math.isfinite(value):
        return str(value)
    sign, x = ("-" if value < 0 else ""), abs(value)
    for size, word in ((1e12, "trillion"), (1e9, "billion")):
        if x >= size:
            return f"{sign}{_trim(f'{x / size:,.3f}')} {word}"
    if x >= 1 or x == 0:
        return sign + _trim(f"{x:,.2f}")
    return sign + _trim(f"{x:.6f}")


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


_SCIENTIFIC = re.compile(r"(?<![\w.])[-+]?\d+(?:\.\d+)?[eE][-+]?\d+(?![\w.])")


def plain_numbers(text: str) -> str:
    """`text` with every number in scientific notation written out (2.75e+10 USD → 27.5 billion USD)."""
    return _SCIENTIFIC.sub(lambda m: plain_number(float(m.group(0))), text)


def date_words(value: str | None) -> str:
    """A TIMEX3 date value in words: 2018-07-16 → 16 July 2018, 2018-07 → July 2018, 2018 → 2018; else ''."""
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value or "")
    if not m:
        return ""
    year, month, day = m.groups()
    if not month or not 1 <= int(month) <= 12:
        return year
    words = f"{_MONTHS[int(month) - 1]} {year}"
    return f"{int(day)} {words}" if day else words


def _confidence(row: Mapping[str, Any]) -> str:
    return f"{round(_score(row) * 100)}%"


def safe_url(url: object) -> str | None:
    """`url` when it is an http(s) address a link may point to, else None (no javascript: links)."""
    text = str(url or "").strip()
    return text if re.match(r"https?://[^\s\"'<>]+$", text, re.IGNORECASE) else None


# --------------------------------------------------------------------------- highlighting


def highlight(text: str, values: Iterable[str | None]) -> str:
    """Escape `text`, wrapping every (case-insensitive, whole-word, non-overlapping) occurrence of a value in <mark>."""
    needles = sorted({v.strip() for v in values if v and v.strip()}, key=lambda v: (-len(v), v))
    if not text:
        return ""
    if not needles:
        return _esc(text)
    # Whole words only: "the" must not light up inside "their" (nor "17" inside "2017").
    def word(ch: str) -> bool:
        return ch.isalnum() or ch == "_"

    alternatives = [
        ("(?<!\\w)" if word(v[0]) else "") + re.escape(v) + ("(?!\\w)" if word(v[-1]) else "") for v in needles
    ]
    pattern = re.compile("|".join(alternatives), re.IGNORECASE)
    out: list[str] = []
    pos = 0
    for m in pattern.finditer(text):
        out.append(_esc(text[pos : m.start()]))
        out.append(f"<mark>{_esc(m.group(0))}</mark>")
        pos = m.end()
    out.append(_esc(text[pos:]))
    return "".join(out)


def mark_rewrites(text: str, original: str | None) -> str:
    """Escape the claim `text`, wrapping in <ins> each word that is not in the `original` span as written."""
    if not text:
        return ""
    if not original:
        return _esc(text)
    written = {w.lower() for w in re.findall(r"\w+", original)}
    out: list[str] = []
    pos = 0
    for m in re.finditer(r"\w+", text):
        if m.group(0).lower() in written:
            continue
        out.append(_esc(text[pos : m.start()]))
        out.append(f'<ins title="not in the article as written">{_esc(m.group(0))}</ins>')
        pos = m.end()
    out.append(_esc(text[pos:]))
    return "".join(out)


def source_label(article: Mapping[str, Any] | None, article_id: str = "") -> str:
    """How a source is named in the report: the outlet when known, else the input file (without `:LINE`)."""
    if not article:
        return article_id or "unknown source"
    outlet = _col(article, "outlet")
    if outlet:
        return str(outlet)
    source = _col(article, "source")
    if source:
        return re.sub(r"(\.jsonl?):\d+$", r"\1", str(source))
    return article_id or "unknown source"


# --------------------------------------------------------------------------- data model


@dataclass(frozen=True, slots=True)
class ReportCounts:
    """The corpus-wide figures of the page's summary, for when the page is given only the rows it shows."""

    articles_ok: int
    articles_rejected: int
    sentences: int
    claims: int
    clusters: int
    multi_article_clusters: int


@dataclass(frozen=True, slots=True)
class EventStat:
    """One event's support across the corpus: what ranks it and what the page's charts count."""

    event_key: str
    story_id: str
    n_claims: int
    n_clusters: int
    article_ids: tuple[str, ...]
    sources: tuple[str, ...]
    n_conflicts: int

    @property
    def rank(self) -> tuple[int, int, int, int, str]:
        """Sort key: most sources, then most conflicts, articles, claims; ties by key."""
        return (-len(self.sources), -self.n_conflicts, -len(self.article_ids), -self.n_claims, self.event_key)


@dataclass(frozen=True, slots=True)
class ReviewMark:
    """A reader's verdict on a conflict or a cluster, as the page exports it (`review-marks/1`)."""

    kind: str  # "conflict" or "cluster"
    id: str
    verdict: str = "wrong"


#: The format tag of the JSON the page exports and `parse_marks` reads.
MARKS_FORMAT = "review-marks/1"


def parse_marks(text: str) -> tuple[ReviewMark, ...]:
    """The marks of an exported review file; ValueError saying what is wrong when it is not one."""
    import json

    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(doc, dict) or doc.get("format") != MARKS_FORMAT or not isinstance(doc.get("marks"), list):
        raise ValueError(f'not a review file: expected {{"format": "{MARKS_FORMAT}", "marks": [...]}}')
    out = []
    for i, m in enumerate(doc["marks"]):
        if not (isinstance(m, dict) and m.get("kind") in ("conflict", "cluster") and isinstance(m.get("id"), str)):
            raise ValueError(f'mark {i}: expected {{"kind": "conflict" or "cluster", "id": "..."}}')
        out.append(ReviewMark(kind=m["kind"], id=m["id"], verdict=str(m.get("verdict") or "wrong")))
    return tuple(out)


def report_counts(articles: list[Row], n_sentences: int, claims: list[Row], clusters: list[Row]) -> ReportCounts:
    """The summary's figures from whole tables' rows."""
    cluster_articles: dict[str, int] = {}
    for row in clusters:
        cid = row["cluster_id"]
        cluster_articles[cid] = max(cluster_articles.get(cid, 0), int(_col(row, "n_articles", 0)))
    return ReportCounts(
        articles_ok=sum(1 for a in articles if a.get("status") == "ok"),
        articles_rejected=sum(1 for a in articles if a.get("status") == "rejected"),
        sentences=n_sentences,
        claims=len(claims),
        clusters=len(cluster_articles),
        multi_article_clusters=sum(1 for n in cluster_articles.values() if n >= 2),
    )


def conflict_event(c: Mapping[str, Any], event_of_claim: Mapping[str, str]) -> str:
    """The event a conflict is shown under: its event_key, else its claims' event, else '' (unlinked)."""
    return str(c.get("event_key") or event_of_claim.get(c["claim_id_a"]) or event_of_claim.get(c["claim_id_b"]) or "")


def event_stats(
    articles: Sequence[Mapping[str, Any]],
    article_of_claim: Mapping[str, str],
    clusters: Sequence[Mapping[str, Any]],
    conflicts: Sequence[Mapping[str, Any]],
) -> list[EventStat]:
    """Every event's support (claims, clusters, articles, outlets, conflicts), best-covered first."""
    by_article = {a["article_id"]: a for a in articles}
    claims: dict[str, int] = defaultdict(int)
    cluster_ids: dict[str, set[str]] = defaultdict(set)
    arts: dict[str, set[str]] = defaultdict(set)
    story: dict[str, str] = {}
    event_of_claim: dict[str, str] = {}
    for row in clusters:
        key = row.get("event_key")
        if not key:
            continue
        event_of_claim[row["claim_id"]] = key
        claims[key] += 1
        cluster_ids[key].add(row["cluster_id"])
        article = article_of_claim.get(row["claim_id"])
        if article:
            arts[key].add(article)
        story.setdefault(key, str(row.get("story_id") or ""))
    n_conflicts: dict[str, int] = defaultdict(int)
    for c in conflicts:
        key = conflict_event(c, event_of_claim)
        n_conflicts[key] += 1
        if key not in claims:  # a conflict without an event: shown under '' (unlinked)
            arts[key].update((c["article_id_a"], c["article_id_b"]))
    out = [
        EventStat(
            event_key=key,
            story_id=story.get(key, ""),
            n_claims=claims.get(key, 0),
            n_clusters=len(cluster_ids.get(key, ())),
            article_ids=tuple(sorted(arts[key])),
            sources=tuple(sorted({source_label(by_article.get(a), a) for a in arts[key]})),
            n_conflicts=n_conflicts.get(key, 0),
        )
        for key in set(claims) | set(n_conflicts)
    ]
    return sorted(out, key=lambda e: e.rank)


def shown_events(stats: Sequence[EventStat], *, max_events: int = MAX_EVENTS) -> list[EventStat]:
    """The events the page shows, in rank order: those holding a conflict, then the best covered of those
    reported by 2+ articles, up to `max_events` in all (more when more events hold conflicts)."""
    with_conflicts = [e for e in stats if e.n_conflicts]
    room = max(0, max_events - len(with_conflicts))
    others = [e for e in stats if not e.n_conflicts and len(e.article_ids) >= 2][:room]
    keep = {e.event_key for e in with_conflicts} | {e.event_key for e in others}
    return [e for e in stats if e.event_key in keep]


@dataclass(frozen=True)
class _Index:
    articles: dict[str, Row]
    sentences: dict[str, Row]
    by_position: dict[tuple[str, int], Row]
    claims: dict[str, Row]
    clusters: dict[str, Row]  # claim_id -> cluster row
    entities: dict[str, tuple[str, str]]  # entity_id -> (canonical_name, label)
    marked: frozenset[tuple[str, str]]  # (kind, id) a previous review marked wrong


def _index(
    articles: pa.Table, sentences: pa.Table, claims: pa.Table, clusters: pa.Table, entities: pa.Table | None,
    marks: Iterable[ReviewMark] = (),
) -> _Index:
    sent_rows = _rows(sentences)
    names: dict[str, tuple[str, str]] = {}
    if entities is not None and entities.num_rows:
        for eid, name, label in zip(*(entities[c].to_pylist() for c in ("entity_id", "canonical_name", "label")), strict=True):
            names.setdefault(eid, (name, label))
    return _Index(
        articles={r["article_id"]: r for r in _rows(articles)},
        sentences={r["sentence_id"]: r for r in sent_rows},
        by_position={(r["article_id"], r["sentence_index"]): r for r in sent_rows},
        claims={r["claim_id"]: r for r in _rows(claims)},
        clusters={r["claim_id"]: r for r in _rows(clusters)},
        entities=names,
        marked=frozenset((m.kind, m.id) for m in marks if m.verdict == "wrong"),
    )


def event_title(claims: Sequence[Mapping[str, Any]], entities: Mapping[str, tuple[str, str]]) -> str:
    """An event's heading in words: participants, predicate, place, date ("Trump–Putin: meet, Helsinki, July 2018")."""
    who: Counter[str] = Counter()
    places: Counter[str] = Counter()
    for claim in claims:
        for eid in dict.fromkeys(claim.get("entity_ids") or ()):
            name, label = entities.get(eid, ("", ""))
            if name and label in _PARTICIPANT_LABELS:
                who[name] += 1
            elif name and label in _PLACE_LABELS:
                places[name] += 1
    for claim in claims:
        if claim.get("place"):
            places[str(claim["place"])] += 2  # the claim's own place outweighs a place it merely names
    participants = [n for n, _ in sorted(who.items(), key=lambda kv: (-kv[1], kv[0]))[:2]]
    predicates = Counter(str(c["predicate"]) for c in claims if re.fullmatch(r"[a-z][a-z' -]*", str(c.get("predicate") or "")))
    heavy = Counter({p: n for p, n in predicates.items() if p not in _LIGHT_PREDICATES})
    verbs = heavy or predicates
    predicate = sorted(verbs.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] if verbs else ""
    place = sorted(places.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] if places else ""
    dates = Counter(d for d in (date_words(c.get("time_value")) for c in claims) if d)
    date = sorted(dates.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] if dates else ""
    head = "–".join(participants)
    head = f"{head}: {predicate}" if head and predicate else head or predicate
    title = ", ".join(p for p in (head, place if place not in participants else "", date) if p)
    if title:
        return title
    text = str(claims[0].get("text") or "") if claims else ""
    return (text[:77] + "…") if len(text) > 80 else (text or "Unnamed event")


def _event_month(claims: Sequence[Mapping[str, Any]]) -> str | None:
    """The month (YYYY-MM) most of an event's dated claims fall in, or None."""
    months = Counter(str(c["time_value"])[:7] for c in claims if re.match(r"\d{4}-\d{2}", str(c.get("time_value") or "")))
    return sorted(months.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] if months else None


# --------------------------------------------------------------------------- charts (inline SVG)


def bar_chart(items: Sequence[tuple[str, int]], *, title: str, chart_id: str, note: str = "") -> str:
    """A horizontal bar chart as inline SVG (one bar per (label, count)); an empty-state figure when no items."""
    if not items:
        return (
            f'<figure class="chart" id="{_esc(chart_id)}"><figcaption>{_esc(title)}</figcaption>'
            '<p class="empty">Nothing to chart.</p></figure>'
        )
    row_h, label_w, bar_w, pad = 20, 150, 190, 4
    top = max(n for _, n in items) or 1
    height = row_h * len(items) + pad
    bars = []
    for i, (label, n) in enumerate(items):
        y = i * row_h + pad
        w = max(1.0, bar_w * n / top)
        short = label if len(label) <= 22 else label[:21] + "…"
        bars.append(
            f'<g class="bar" data-label="{_esc(label)}" data-value="{n}"><title>{_esc(label)}: {n}</title>'
            f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end">{_esc(short)}</text>'
            f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{row_h - 6}" rx="2"></rect>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + 13}" class="n">{n}</text></g>'
        )
    note_html = f'<p class="note">{_esc(note)}</p>' if note else ""
    return (
        f'<figure class="chart" id="{_esc(chart_id)}"><figcaption>{_esc(title)}</figcaption>'
        f'<svg role="img" aria-label="{_esc(title)}" viewBox="0 0 {label_w + bar_w + 40} {height}" '
        f'width="{label_w + bar_w + 40}" height="{height}">{"".join(bars)}</svg>{note_html}</figure>'
    )


def _charts(
    idx: _Index, conflicts: list[Row], stats: Sequence[EventStat], shown: Sequence[EventStat],
    event_claims: Mapping[str, list[Row]], *, max_bars: int = 12,
) -> str:
    kinds = Counter(c["kind"] for c in conflicts)
    by_kind = [(k, kinds[k]) for k in sorted(kinds, key=_kind_order)]
    outlets: Counter[str] = Counter()
    for c in conflicts:
        for side in {c["article_id_a"], c["article_id_b"]}:
            outlets[source_label(idx.articles.get(side), side)] += 1
    by_outlet = sorted(outlets.items(), key=lambda kv: (-kv[1], kv[0]))
    sizes = Counter(min(len(e.sources), 5) for e in stats if e.event_key)
    by_sources = [(f"{n}+ sources" if n == 5 else _plural(n, "source"), sizes[n]) for n in sorted(sizes)]
    months = Counter(m for e in shown if (m := _event_month(event_claims.get(e.event_key, ()))))
    timeline = [(f"{_MONTHS[int(m[5:7]) - 1][:3]} {m[:4]}" if 1 <= int(m[5:7]) <= 12 else m, months[m]) for m in sorted(months)]
    cut = f"the {max_bars} busiest shown" if len(timeline) > max_bars else ""
    if cut:
        busiest = {m for m, _ in sorted(months.items(), key=lambda kv: (-kv[1], kv[0]))[:max_bars]}
        timeline = [t for t, m in zip(timeline, sorted(months), strict=True) if m in busiest]
    return (
        '<section id="charts" class="charts">'
        + bar_chart(by_kind, title="Conflicts by kind", chart_id="chart-kind")
        + bar_chart(by_outlet[:max_bars], title="Conflicts by outlet (either side)", chart_id="chart-outlet",
                    note=f"{len(by_outlet) - max_bars} more outlets not drawn" if len(by_outlet) > max_bars else "")
        + bar_chart(by_sources, title="Events by number of sources", chart_id="chart-sources")
        + bar_chart(timeline, title="Shown events by month of their date", chart_id="chart-timeline",
                    note=f"months: {cut}" if cut else "")
        + "</section>"
    )


# --------------------------------------------------------------------------- page parts

_CSS = """
:root { --fg:#1d2433; --muted:#5b6577; --line:#d9dee7; --bg:#f6f7f9; --card:#fff; --accent:#2456a6; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--fg); background:var(--bg); }
header, main, footer { max-width:1200px; margin:0 auto; padding:0 20px; }
header { padding-top:20px; }
h1 { font-size:1.6em; margin:0 0 12px; }
h2 { font-size:1.25em; margin:28px 0 10px; border-bottom:2px solid var(--line); padding-bottom:4px; }
h3 { font-size:1.1em; margin:0 0 6px; }
h4 { font-size:.95em; margin:12px 0 6px; color:var(--muted); text-transform:uppercase; letter-spacing:.03em; }
a { color:var(--accent); }
.summary { display:grid; grid-template-columns:repeat(auto-fill,minmax(140px,1fr)); gap:10px; }
.stat { background:var(--card); border:1px solid var(--line); border-radius:6px; padding:8px 12px; }
.stat .n { font-size:1.5em; font-weight:600; display:block; }
.stat .l { color:var(--muted); font-size:.85em; }
.charts { display:grid; grid-template-columns:repeat(auto-fill,minmax(400px,1fr)); gap:10px; margin-top:12px; }
.chart { background:var(--card); border:1px solid var(--line); border-radius:6px; padding:8px 12px; margin:0; }
.chart figcaption { font-weight:600; margin-bottom:4px; }
.chart svg { font-size:11px; max-width:100%; height:auto; }
.chart rect { fill:var(--accent); } .chart text { fill:var(--fg); } .chart text.n { fill:var(--muted); }
.note { color:var(--muted); font-size:.85em; margin:4px 0; }
.badge { display:inline-block; border-radius:10px; padding:1px 9px; font-size:.82em; background:#e7ecf5; color:#223; }
.badge.kind-date { background:#fde2c8; } .badge.kind-quantity { background:#d8ecd0; }
.badge.kind-place { background:#d6e6fa; } .badge.kind-negation { background:#f6d3dc; }
.badge.kind-entity { background:#e6dcf5; } .badge.flag { background:#fff3bf; }
#filters { background:var(--card); border:1px solid var(--line); border-radius:6px; padding:10px 12px; margin:12px 0;
  display:flex; flex-wrap:wrap; gap:14px; align-items:center; position:sticky; top:0; z-index:2; }
#filters label { font-weight:600; margin-right:6px; }
#filter-count { color:var(--muted); margin-left:auto; }
#marks-json { width:100%; font-family:ui-monospace,Menlo,Consolas,monospace; font-size:.8em; }
.story { margin:22px 0; }
.story > .story-head { color:var(--muted); font-size:.9em; margin-bottom:4px; }
.event { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:12px 14px; margin:10px 0; }
.event-meta { color:var(--muted); font-size:.9em; margin-bottom:4px; }
.conflict { border:1px solid var(--line); border-left:4px solid #c0392b; border-radius:6px; padding:10px; margin:8px 0; background:#fffdfd; }
.conflict-head { display:flex; flex-wrap:wrap; gap:10px; align-items:baseline; margin-bottom:8px; }
.conflict-head .values { font-weight:600; }
.explanation { color:var(--muted); }
.pair { display:grid; grid-template-columns:1fr 1fr; gap:12px; }
@media (max-width:760px) { .pair { grid-template-columns:1fr; } }
.claim { border:1px solid var(--line); border-radius:6px; padding:10px; background:#fbfcfe; }
.claim .meta { font-size:.88em; color:var(--muted); margin-bottom:6px; }
.claim .title { font-weight:600; color:var(--fg); }
.claim .text { font-size:1.02em; margin:6px 0; }
.context { font-size:.9em; color:var(--muted); border-left:3px solid var(--line); padding-left:8px; margin-top:6px; }
.context .claim-sentence { color:var(--fg); font-weight:600; }
mark { background:#ffe066; padding:0 2px; border-radius:2px; }
mark.span { background:#fff3bf; } mark.span.focus { background:#ffc94d; outline:2px solid #e67700; }
ins { background:#d3f9d8; text-decoration:none; border-bottom:1px dotted #2b8a3e; }
.flags { display:flex; flex-wrap:wrap; gap:4px; margin-top:4px; }
.cluster { border-top:1px solid var(--line); padding:6px 0; }
.cluster summary { cursor:pointer; }
.cluster .support { color:var(--muted); font-size:.88em; white-space:nowrap; }
.members { margin:6px 0 4px 18px; padding:0; }
.members li { margin:4px 0; }
.members .original { color:var(--muted); font-size:.9em; }
ul.sources { margin:4px 0; padding-left:18px; }
.marked-wrong { opacity:.55; }
button.mark-wrong { font-size:.8em; margin-left:auto; }
button.mark-wrong[aria-pressed="true"] { background:#c0392b; color:#fff; border-color:#c0392b; }
.empty { background:var(--card); border:1px dashed var(--line); border-radius:6px; padding:14px; color:var(--muted); }
.article-text { white-space:pre-wrap; background:var(--card); border:1px solid var(--line); border-radius:6px; padding:10px; }
details.article { margin:4px 0; }
.ids { font-family:ui-monospace,Menlo,Consolas,monospace; font-size:.78em; color:var(--muted); }
footer { color:var(--muted); font-size:.85em; padding:20px; }
[hidden] { display:none !important; }
"""

# The page works without JS (everything visible, clusters and articles expandable); the script
# wires filters, opening an article at a claim, and review marks, and records that it ran
# (body[data-ready]) so tests can check it. It reads only the page's own attributes.
_JS = r"""
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var all = function (sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); };
  var text = $("filter-text"), sourceSel = $("filter-source"), kindSel = $("filter-kind");
  var counter = $("filter-count"), box = $("filters");
  var events = all(".event"), stories = all(".story"), conflicts = all(".conflict");
  function lines(el, name) { return (el.getAttribute(name) || "").split("\n"); }
  function apply() {
    var q = text.value.trim().toLowerCase(), source = sourceSel.value, kind = kindSel.value, shown = 0, shownC = 0;
    events.forEach(function (ev) {
      var ok = (q === "" || (ev.getAttribute("data-search") || "").indexOf(q) >= 0) &&
               (source === "" || lines(ev, "data-sources").indexOf(source) >= 0) &&
               (kind === "" || lines(ev, "data-kinds").indexOf(kind) >= 0);
      ev.hidden = !ok;
      if (ok) { shown += 1; }
      all(".conflict", ev).forEach(function (c) {
        c.hidden = kind !== "" && c.getAttribute("data-kind") !== kind;
        if (ok && !c.hidden) { shownC += 1; }
      });
    });
    stories.forEach(function (s) { s.hidden = s.querySelectorAll(".event:not([hidden])").length === 0; });
    counter.textContent = "Showing " + shown + " of " + events.length + " events, " + shownC + " of " + conflicts.length + " conflicts";
    counter.setAttribute("data-shown", String(shown));
    $("no-match").hidden = shown !== 0 || events.length === 0;
  }
  function hasOption(sel, v) { return Array.prototype.some.call(sel.options, function (o) { return o.value === v; }); }
  function fromHash() {
    (location.hash || "").replace(/^#/, "").split("&").forEach(function (kv) {
      var i = kv.indexOf("="), k, v;
      if (i < 0) { return; }
      k = kv.slice(0, i);
      try { v = decodeURIComponent(kv.slice(i + 1).replace(/\+/g, " ")); } catch (e) { return; }
      if (k === "q") { text.value = v; }
      if (k === "source" && hasOption(sourceSel, v)) { sourceSel.value = v; }
      if (k === "kind" && hasOption(kindSel, v)) { kindSel.value = v; }
    });
  }
  function onChange() {
    var parts = [];
    if (text.value.trim()) { parts.push("q=" + encodeURIComponent(text.value.trim())); }
    if (sourceSel.value) { parts.push("source=" + encodeURIComponent(sourceSel.value)); }
    if (kindSel.value) { parts.push("kind=" + encodeURIComponent(kindSel.value)); }
    if (history.replaceState) { history.replaceState(null, "", parts.length ? "#" + parts.join("&") : location.pathname); }
    apply();
  }
  // Open an article's text at a claim: expand it, light up the claim's span, scroll there.
  all("a.open-article").forEach(function (a) {
    a.addEventListener("click", function (e) {
      var art = $(a.getAttribute("data-article")), claim = a.getAttribute("data-claim");
      if (!art) { return; }
      e.preventDefault();
      art.open = true;
      all("mark.focus").forEach(function (m) { m.classList.remove("focus"); });
      var span = all("mark.span", art).filter(function (m) { return lines(m, "data-claims").indexOf(claim) >= 0; })[0];
      (span || art).classList.add("focus");
      (span || art).scrollIntoView({ block: "center" });
    });
  });
  // Review marks: a conflict or a cluster marked wrong, exported as JSON.
  var marks = $("marks-count"), out = $("marks-json");
  function marked() {
    return all("button.mark-wrong[aria-pressed='true']").map(function (b) {
      var m = { kind: b.getAttribute("data-mark-kind"), id: b.getAttribute("data-mark-id"), verdict: "wrong" };
      if (b.hasAttribute("data-claims")) { m.claim_ids = lines(b, "data-claims"); }
      return m;
    });
  }
  all("button.mark-wrong").forEach(function (b) {
    b.addEventListener("click", function (e) {
      e.preventDefault();  // inside a cluster's <summary>: marking does not expand it
      var on = b.getAttribute("aria-pressed") !== "true";
      b.setAttribute("aria-pressed", on ? "true" : "false");
      b.textContent = on ? "Marked wrong (undo)" : "Mark wrong";
      var card = b.closest(".conflict, .cluster");
      if (card) { card.classList.toggle("marked-wrong", on); }
      marks.textContent = String(marked().length);
    });
  });
  $("export-marks").addEventListener("click", function () {
    var doc = JSON.stringify({ format: "review-marks/1", report: document.title, marks: marked() }, null, 2);
    out.value = doc;
    out.hidden = false;
    try {
      var a = document.createElement("a");
      a.href = URL.createObjectURL(new Blob([doc], { type: "application/json" }));
      a.download = "review-marks.json";
      document.body.appendChild(a); a.click(); a.remove();
    } catch (e) { /* the JSON stays in the text box to copy */ }
  });
  marks.textContent = String(marked().length);  // marks of a previous review start pressed
  text.addEventListener("input", onChange);
  sourceSel.addEventListener("change", onChange);
  kindSel.addEventListener("change", onChange);
  fromHash();
  box.hidden = false;
  apply();
  document.body.setAttribute("data-ready", "1");
})();
"""


def _stat(n: int, label: str, key: str) -> str:
    return f'<div class="stat" data-stat="{_esc(key)}"><span class="n">{n:,}</span><span class="l">{_esc(label)}</span></div>'


def _still_reported(
    marked: frozenset[tuple[str, str]], conflicts: Sequence[Row], clusters: Sequence[Row]
) -> tuple[int, int] | None:
    """(marks of a previous review, those whose conflict or cluster this run still reports), or None without marks."""
    if not marked:
        return None
    present = {("conflict", c["conflict_id"]) for c in conflicts} | {("cluster", r["cluster_id"]) for r in clusters}
    return len(marked), len(marked & present)


def _summary(counts: ReportCounts, conflicts: list[Row], stats: Sequence[EventStat], review: tuple[int, int] | None) -> str:
    stats_html = [
        _stat(counts.articles_ok, "articles ok", "articles_ok"),
        _stat(counts.articles_rejected, "articles rejected", "articles_rejected"),
        _stat(counts.sentences, "sentences", "sentences"),
        _stat(counts.claims, "claims", "claims"),
        _stat(counts.clusters, "same-fact clusters", "clusters"),
        _stat(counts.multi_article_clusters, "clusters stated by ≥ 2 articles", "multi_article_clusters"),
        _stat(sum(1 for e in stats if e.event_key), "events", "events"),
        _stat(sum(1 for e in stats if e.event_key and len(e.sources) >= 2), "events covered by ≥ 2 sources", "multi_source_events"),
        _stat(len(conflicts), "conflicts", "conflicts"),
    ]
    if review is not None:
        stats_html.append(_stat(review[0], "marked wrong in the last review", "review_marks"))
        stats_html.append(_stat(review[1], "of those still reported by this run", "review_still_reported"))
    return f'<section id="summary"><div class="summary">{"".join(stats_html)}</div></section>'


def _article_meta(article: Mapping[str, Any] | None, article_id: str) -> str:
    """Title (linked to its URL when there is one), outlet and date of an article."""
    title = _col(article or {}, "title") or article_id
    url = safe_url(_col(article or {}, "url"))
    title_html = (
        f'<a class="title" href="{_esc(url)}" rel="noopener noreferrer" target="_blank">{_esc(title)}</a>'
        if url else f'<span class="title">{_esc(title)}</span>'
    )
    published = _col(article or {}, "published")
    date_html = f' · <span class="date">{_esc(published.isoformat() if hasattr(published, "isoformat") else published)}</span>' if published else ""
    return f'{title_html} · <span class="source">{_esc(source_label(article, article_id))}</span>{date_html}'


def _open_link(article_id: str, claim_id: str, embedded: set[str]) -> str:
    if article_id not in embedded:
        return ""
    return (
        f' <a class="open-article" href="#{_esc(_article_anchor(article_id))}" data-article="{_esc(_article_anchor(article_id))}" '
        f'data-claim="{_esc(claim_id)}">read in the article</a>'
    )


def _article_anchor(article_id: str) -> str:
    return "article-" + article_id


def _context(idx: _Index, claim: Row | None, values: list[str | None]) -> str:
    if not claim:
        return ""
    sentence = idx.sentences.get(claim.get("sentence_id") or "")
    if not sentence:
        return ""
    key = (sentence["article_id"], sentence["sentence_index"])
    before = idx.by_position.get((key[0], key[1] - 1))
    after = idx.by_position.get((key[0], key[1] + 1))
    parts = []
    if before:
        parts.append(f'<span class="ctx-before">{_esc(before["text"])}</span>')
    parts.append(f'<span class="claim-sentence">{highlight(sentence["text"], values)}</span>')
    if after:
        parts.append(f'<span class="ctx-after">{_esc(after["text"])}</span>')
    section = _col(sentence, "section")
    head = f'<div class="section">§ {_esc(section)}</div>' if section else ""
    return f'<div class="context">{head}{" ".join(parts)}</div>'


def _flags(claim: Row | None) -> str:
    if not claim:
        return ""
    flags = []
    if claim.get("hedged"):
        flags.append('<span class="badge flag" data-flag="hedged">hedged</span>')
    if claim.get("attributed_to"):
        flags.append(f'<span class="badge flag" data-flag="attributed">attributed to {_esc(claim["attributed_to"])}</span>')
    if claim.get("negated"):
        flags.append('<span class="badge flag" data-flag="negated">negated</span>')
    return f'<div class="flags">{"".join(flags)}</div>' if flags else ""


def _claim_card(idx: _Index, claim_id: str, article_id: str, value: str | None, side: str, embedded: set[str]) -> str:
    claim = idx.claims.get(claim_id)
    text = claim["text"] if claim else "(claim not found in claims table)"
    return (
        f'<div class="claim claim-{side}" data-claim-id="{_esc(claim_id)}">'
        f'<div class="meta">{_article_meta(idx.articles.get(article_id), article_id)}{_open_link(article_id, claim_id, embedded)}</div>'
        f'<div class="text">{highlight(text, [value])}</div>'
        f"{_flags(claim)}{_context(idx, claim, [value])}"
        "</div>"
    )


def _value_words(c: Mapping[str, Any], side: str) -> str:
    value = c.get(f"value_{side}")
    normalized = c.get(f"normalized_{side}")
    shown = plain_numbers(str(value if value else normalized or "—"))
    if c["kind"] == "quantity" and normalized and value and plain_numbers(str(normalized)) != shown:
        shown += f" ({plain_numbers(str(normalized))})"
    return shown


def _mark_button(kind: str, mark_id: str, marked: frozenset[tuple[str, str]], extra: str = "") -> str:
    on = (kind, mark_id) in marked
    return (
        f'<button type="button" class="mark-wrong" aria-pressed="{"true" if on else "false"}" data-mark-kind="{kind}" '
        f'data-mark-id="{_esc(mark_id)}"{extra}>{"Marked wrong (undo)" if on else "Mark wrong"}</button>'
    )


def _marked_class(kind: str, mark_id: str, marked: frozenset[tuple[str, str]]) -> str:
    return " marked-wrong" if (kind, mark_id) in marked else ""


def _conflict(idx: _Index, c: Row, embedded: set[str]) -> str:
    kind, cid, marked = c["kind"], c["conflict_id"], idx.marked
    return (
        f'<article class="conflict{_marked_class("conflict", cid, marked)}" id="{_esc(cid)}" data-kind="{_esc(kind)}">'
        f'<div class="conflict-head"><span class="badge kind-{_esc(kind)}">{_esc(kind)}</span>'
        f'<span class="values">{_esc(_value_words(c, "a"))} vs {_esc(_value_words(c, "b"))}</span>'
        f'<span class="confidence" title="How sure the pipeline is that the two claims disagree (its score {_score(c):.2f} on 0–1)">'
        f"confidence {_confidence(c)}</span>"
        f'<span class="explanation">{_esc(plain_numbers(str(c.get("explanation") or "")))}</span>'
        + _mark_button("conflict", cid, marked, f' data-claims="{_esc(c["claim_id_a"])}\n{_esc(c["claim_id_b"])}"')
        + "</div>"
        f'<div class="pair">'
        f'{_claim_card(idx, c["claim_id_a"], c["article_id_a"], c.get("value_a"), "a", embedded)}'
        f'{_claim_card(idx, c["claim_id_b"], c["article_id_b"], c.get("value_b"), "b", embedded)}'
        "</div></article>"
    )


def _cluster(idx: _Index, cluster_id: str, members: list[Row], embedded: set[str]) -> str:
    marked = idx.marked
    members = sorted(members, key=lambda r: (not r.get("is_representative"), r["claim_id"]))
    rep = idx.claims.get(members[0]["claim_id"]) or {}
    claims = [idx.claims[r["claim_id"]] for r in members if r["claim_id"] in idx.claims]
    article_ids = sorted({c["article_id"] for c in claims})
    outlets = sorted({source_label(idx.articles.get(a), a) for a in article_ids})
    items = []
    for claim in claims:
        original = claim.get("original_text")
        items.append(
            f'<li class="member" data-claim-id="{_esc(claim["claim_id"])}">'
            f'<div class="meta">{_article_meta(idx.articles.get(claim["article_id"]), claim["article_id"])}'
            f'{_open_link(claim["article_id"], claim["claim_id"], embedded)}</div>'
            f'<div class="text">{mark_rewrites(claim["text"], original)}</div>'
            + (f'<div class="original">as written: “{_esc(original)}”</div>' if original and original != claim["text"] else "")
            + "</li>"
        )
    return (
        f'<details class="cluster{_marked_class("cluster", cluster_id, marked)}" data-cluster-id="{_esc(cluster_id)}">'
        f'<summary>{_esc(rep.get("text") or cluster_id)} '
        f'<span class="support">— {_plural(len(article_ids), "article")}, {_plural(len(outlets), "outlet")}: {_esc(", ".join(outlets))}</span>'
        + _mark_button("cluster", cluster_id, marked)
        + f'</summary><ul class="members">{"".join(items)}</ul></details>'
    )


def _event(
    idx: _Index, stat: EventStat, claims: list[Row], conflicts: list[Row], embedded: set[str], *, max_clusters: int
) -> str:
    title = event_title(claims, idx.entities) if stat.event_key else "Conflicts not linked to an event"
    ordered = _event_clusters(idx, claims)
    names = sorted({idx.entities[e][0] for c in claims for e in (c.get("entity_ids") or ()) if e in idx.entities})
    titles = [str(_col(idx.articles.get(a) or {}, "title", "")) for a in stat.article_ids]
    search = " ".join([title, *names, *stat.sources, *titles]).lower()
    kinds = sorted({c["kind"] for c in conflicts}, key=_kind_order)
    conflicts_html = (
        f'<h4>Conflicts ({len(conflicts)})</h4>' + "".join(_conflict(idx, c, embedded) for c in conflicts) if conflicts else ""
    )
    more = len(ordered) - max_clusters
    clusters_html = (
        f'<h4>Same facts ({len(ordered)})</h4>'
        + "".join(_cluster(idx, rows[0]["cluster_id"], rows, embedded) for rows in ordered[:max_clusters])
        + (f'<p class="note">{_plural(more, "more cluster")} of this event not shown.</p>' if more > 0 else "")
        if ordered else ""
    )
    sources = "".join(
        f'<li>{_article_meta(idx.articles.get(a), a)}</li>' for a in stat.article_ids
    )
    meta = (
        f'{_plural(len(stat.sources), "source")} · {_plural(len(stat.article_ids), "article")} · '
        f'{_plural(stat.n_claims, "claim")} · {_plural(stat.n_conflicts, "conflict")}'
    )
    return (
        f'<section class="event" data-event-key="{_esc(stat.event_key)}" data-search="{_esc(search)}" '
        f'data-sources="{_esc(chr(10).join(stat.sources))}" data-kinds="{_esc(chr(10).join(kinds))}">'
        f'<h3 class="event-title">{_esc(title)}</h3><div class="event-meta">{meta}</div>'
        f'{conflicts_html}{clusters_html}<h4>Sources ({len(stat.article_ids)})</h4><ul class="sources">{sources}</ul></section>'
    )


def _story_view(
    idx: _Index, stats: Sequence[EventStat], shown: Sequence[EventStat], event_claims: Mapping[str, list[Row]],
    event_conflicts: Mapping[str, list[Row]], embedded: set[str], *, max_clusters: int,
) -> str:
    if not shown:
        return (
            '<section id="events"><h2>Events</h2><p class="empty" id="no-events">No event is reported by two or more '
            'articles, and no conflict was found.</p></section>'
        )
    stories: dict[str, list[EventStat]] = {}
    for e in shown:
        stories.setdefault(e.story_id or f"event:{e.event_key}", []).append(e)
    parts = []
    for n, (story, evs) in enumerate(stories.items()):
        arts = sorted({a for e in evs for a in e.article_ids})
        head = f'<div class="story-head">Story of {_plural(len(arts), "article")}: “{_esc(_col(idx.articles.get(arts[0]) or {}, "title", arts[0]))}”</div>' if len(evs) > 1 else ""
        body = "".join(_event(idx, e, event_claims.get(e.event_key, []), event_conflicts.get(e.event_key, []), embedded,
                              max_clusters=max_clusters) for e in evs)
        parts.append(f'<section class="story" id="story-{n}" data-story-id="{_esc(story)}">{head}{body}</section>')
    n_events = sum(1 for e in stats if e.event_key)
    unlinked = " (and the conflicts linked to no event)" if any(not e.event_key for e in shown) else ""
    note = (
        f'<p class="note" id="events-note">Showing {sum(1 for e in shown if e.event_key)} of {n_events:,} events{unlinked}: '
        "those holding a conflict, then the best covered of those reported by two or more articles (most sources, then "
        "conflicts, articles, claims).</p>"
    )
    return f'<section id="events"><h2>Events across sources</h2>{note}<p class="empty" id="no-match" hidden>No event matches these filters.</p>{"".join(parts)}</section>'


def _filters(stats: Sequence[EventStat], conflicts: list[Row]) -> str:
    sources = sorted({s for e in stats for s in e.sources})
    kinds = sorted({c["kind"] for c in conflicts}, key=_kind_order)
    source_opts = "".join(f'<option value="{_esc(s)}">{_esc(s)}</option>' for s in sources)
    kind_opts = "".join(f'<option value="{_esc(k)}">{_esc(k)}</option>' for k in kinds)
    return (
        '<div id="filters" hidden>'
        '<span><label for="filter-text">Search</label><input id="filter-text" type="search" '
        'placeholder="event, entity, outlet, title"></span>'
        f'<span><label for="filter-source">Outlet</label><select id="filter-source"><option value="">all outlets</option>{source_opts}</select></span>'
        f'<span><label for="filter-kind">Conflict</label><select id="filter-kind"><option value="">any or none</option>{kind_opts}</select></span>'
        '<span>Marked wrong: <b id="marks-count">0</b> <button type="button" id="export-marks">Export marks (JSON)</button></span>'
        '<span id="filter-count"></span>'
        '<textarea id="marks-json" rows="4" readonly hidden aria-label="Exported review marks"></textarea>'
        "</div>"
    )


def _article_text(article: Mapping[str, Any], spans: list[tuple[int, int, str]]) -> str:
    """The article's text, escaped, the claims' spans (start, end, claim id) in <mark>; overlapping spans merge."""
    text = str(article.get("text") or "")
    merged: list[list[Any]] = []
    for start, end, claim_id in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            merged[-1][2].append(claim_id)
        else:
            merged.append([start, end, [claim_id]])
    out, pos = [], 0
    for start, end, ids in merged:
        start, end = max(start, pos), min(end, len(text))
        if start >= end:
            continue
        out.append(_esc(text[pos:start]))
        out.append(f'<mark class="span" data-claims="{_esc(chr(10).join(ids))}">{_esc(text[start:end])}</mark>')
        pos = end
    out.append(_esc(text[pos:]))
    return "".join(out)


def _articles_section(idx: _Index, embedded: set[str], spans: Mapping[str, list[tuple[int, int, str]]]) -> str:
    if not embedded:
        return ""
    parts = "".join(
        f'<details class="article" id="{_esc(_article_anchor(a))}"><summary>{_article_meta(idx.articles.get(a), a)}</summary>'
        f'<div class="article-text">{_article_text(idx.articles[a], spans.get(a, []))}</div></details>'
        for a in sorted(embedded)
    )
    return f'<section id="articles"><h2>Articles ({len(embedded)})</h2><p class="note">The texts the shown claims come from; each claim is marked.</p>{parts}</section>'


# --------------------------------------------------------------------------- the page


def _event_clusters(idx: _Index, claims: Sequence[Row]) -> list[list[Row]]:
    """An event's same-fact clusters (their cluster rows), stated by the most articles first."""
    clusters: dict[str, list[Row]] = defaultdict(list)
    for claim in claims:
        row = idx.clusters.get(claim["claim_id"])
        if row:
            clusters[row["cluster_id"]].append(row)

    def support(rows: list[Row]) -> tuple[int, int, str]:
        arts = {idx.claims[r["claim_id"]]["article_id"] for r in rows if r["claim_id"] in idx.claims}
        return (-len(arts), -len(rows), rows[0]["cluster_id"])

    return sorted(clusters.values(), key=support)


def render_report(
    articles: pa.Table,
    sentences: pa.Table,
    claims: pa.Table,
    clusters: pa.Table,
    conflicts: pa.Table,
    *,
    entities: pa.Table | None = None,
    title: str = DEFAULT_TITLE,
    generated: str | None = None,
    max_events: int = MAX_EVENTS,
    max_clusters: int = MAX_CLUSTERS_PER_EVENT,
    counts: ReportCounts | None = None,
    stats: Sequence[EventStat] | None = None,
    marks: Sequence[ReviewMark] = (),
) -> str:
    """One self-contained HTML page (inline CSS/JS/SVG, no network): the events across sources, their claims and conflicts.

    Pure and deterministic: the same tables give the same string. ``generated`` is printed in the
    footer only when given. ``entities`` (entity_id, canonical_name, label) name the events'
    participants. ``counts`` and ``stats`` are the corpus-wide figures and event support when the
    tables hold only the rows the page shows (see `write_report`); by default they are computed
    from the tables. ``marks`` (from a previous review, see `parse_marks`) start marked, and the
    summary says how many of them this run still reports.
    """
    article_rows, claim_rows, cluster_rows = _rows(articles), _rows(claims), _rows(clusters)
    conflict_rows = _rows(conflicts)
    if counts is None:
        counts = report_counts(article_rows, len(sentences) if sentences is not None else 0, claim_rows, cluster_rows)
    if stats is None:
        stats = event_stats(article_rows, {c["claim_id"]: c["article_id"] for c in claim_rows}, cluster_rows, conflict_rows)
    idx = _index(articles, sentences, claims, clusters, entities, marks)
    shown = shown_events(stats, max_events=max_events)
    keys = {e.event_key for e in shown}
    event_claims: dict[str, list[Row]] = defaultdict(list)
    for row in sorted(cluster_rows, key=lambda r: r["claim_id"]):
        if row.get("event_key") in keys and row["claim_id"] in idx.claims:
            event_claims[row["event_key"]].append(idx.claims[row["claim_id"]])
    event_of_claim = {r["claim_id"]: r["event_key"] for r in cluster_rows if r.get("event_key")}
    event_conflicts: dict[str, list[Row]] = defaultdict(list)
    for c in sorted(conflict_rows, key=lambda c: (-_score(c), c["conflict_id"])):
        event_conflicts[conflict_event(c, event_of_claim)].append(c)
    # the articles whose text the page embeds: those of the shown claims, each claim's span marked
    rendered = [c for e in shown for rows in _event_clusters(idx, event_claims.get(e.event_key, []))[:max_clusters]
                for r in rows if (c := idx.claims.get(r["claim_id"]))]
    rendered += [idx.claims[i] for c in conflict_rows for i in (c["claim_id_a"], c["claim_id_b"]) if i in idx.claims]
    spans: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for c in {c["claim_id"]: c for c in rendered}.values():
        spans[c["article_id"]].append((int(c["start_char"]), int(c["end_char"]), c["claim_id"]))
    embedded = {a for a in spans if _col(idx.articles.get(a) or {}, "text")}
    footer = f"<footer>Generated {_esc(generated)}</footer>" if generated else "<footer>Generated by pipeline</footer>"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_esc(title)}</title><style>{_CSS}</style></head>\n"
        '<body data-ready="0">'
        f"<header><h1>{_esc(title)}</h1></header>\n<main>"
        f"{_summary(counts, conflict_rows, stats, _still_reported(idx.marked, conflict_rows, cluster_rows))}\n"
        f"{_charts(idx, conflict_rows, stats, shown, event_claims)}\n"
        f"{_filters(shown, conflict_rows)}\n"
        f"{_story_view(idx, stats, shown, event_claims, event_conflicts, embedded, max_clusters=max_clusters)}\n"
        f"{_articles_section(idx, embedded, spans)}\n"
        f"</main>{footer}\n<script>{_JS}</script></body></html>\n"
    )


def write_report(
    output_dir: Path | str,
    *,
    title: str = DEFAULT_TITLE,
    generated: str | None = None,
    max_events: int = MAX_EVENTS,
    max_clusters: int = MAX_CLUSTERS_PER_EVENT,
    feedback: Path | str | None = None,
) -> Path:
    """Read the rows the page shows from `output_dir` and write ``report/conflicts.html`` atomically; returns its path.

    The conflicts and the claim_clusters rows are read whole, with the articles' index and each
    claim's article (a few short columns a claim); the texts, sentences, claims and entities are
    walked a batch at a time, keeping the rows of the shown events and the conflicts. The page is
    the one `render_report` makes from the whole tables.

    ``feedback`` is a review file the page exported (``review-marks/1``): its marks start marked and
    the summary says how many this run still reports.

    Raises MissingTableError / CorruptTableError (exit code 5) when a needed table is absent, and
    InputError (exit code 2) when `feedback` cannot be read or is not a review file.
    """
    from .errors import InputError
    from .io import atomic_write_bytes  # local: keeps render_report importable without I/O

    marks: tuple[ReviewMark, ...] = ()
    if feedback is not None:
        try:
            marks = parse_marks(Path(feedback).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise InputError(f"{feedback}: {exc}") from None
    out = Path(output_dir)
    tables, counts, stats = _page_rows(out, max_events)
    page = render_report(
        tables["articles"], tables["sentences"], tables["claims"], tables["claim_clusters"], tables["conflicts"],
        entities=tables["entities"], title=title, generated=generated, max_events=max_events,
        max_clusters=max_clusters, counts=counts, stats=stats, marks=marks,
    )
    path = out / REPORT_RELPATH
    atomic_write_bytes(path, page.encode("utf-8"))
    return path


#: The articles columns the page reads (besides the texts of the articles it embeds).
ARTICLE_PAGE_COLUMNS: tuple[str, ...] = ("article_id", "source", "title", "outlet", "url", "published", "status")
#: The entities columns the page reads (the names of the events' participants and places).
ENTITY_COLUMNS: tuple[str, ...] = ("entity_id", "canonical_name", "label")


def _page_rows(out: Path, max_events: int) -> tuple[dict[str, pa.Table], ReportCounts, list[EventStat]]:
    """The rows of each table the page shows, the summary's counts and every event's support."""
    import pyarrow.compute as pc

    from .io import read_table, table_batches
    from .schemas import ARTICLES, TABLES

    def kept(name: str, columns: Sequence[str], key: str, wanted: set[str]) -> tuple[pa.Table, int]:
        """The rows of `name` whose `key` is in `wanted`, and how many rows it has."""
        parts, total = [], 0
        values = pa.array(sorted(wanted), pa.string())
        for batch in table_batches(out, name, columns=list(columns)):
            total += batch.num_rows
            parts.append(batch.filter(pc.is_in(batch[key], values)))
        schema = pa.schema([TABLES[name].field(c) for c in columns])
        return pa.concat_tables([schema.empty_table(), *parts]), total

    def whole(name: str, columns: Sequence[str]) -> pa.Table:
        schema = pa.schema([TABLES[name].field(c) for c in columns])
        return pa.concat_tables([schema.empty_table(), *table_batches(out, name, columns=list(columns))])

    conflicts = read_table(out, "conflicts")
    conflict_rows = conflicts.to_pylist()
    index_rows = whole("articles", ARTICLE_PAGE_COLUMNS).to_pylist()
    clusters = whole("claim_clusters", TABLES["claim_clusters"].names)
    cluster_rows = clusters.to_pylist()
    claim_articles = whole("claims", ["claim_id", "article_id"])
    article_of_claim = dict(zip(claim_articles["claim_id"].to_pylist(), claim_articles["article_id"].to_pylist(), strict=True))
    stats = event_stats(index_rows, article_of_claim, cluster_rows, conflict_rows)
    keys = {e.event_key for e in shown_events(stats, max_events=max_events)}
    in_conflict = {c[k] for c in conflict_rows for k in ("claim_id_a", "claim_id_b")}
    wanted = in_conflict | {r["claim_id"] for r in cluster_rows if r.get("event_key") in keys}
    claims, n_claims = kept("claims", TABLES["claims"].names, "claim_id", wanted)
    conflict_articles = {c[k] for c in conflict_rows for k in ("article_id_a", "article_id_b")}
    texts, _ = kept("articles", ["article_id", "text"], "article_id", set(claims["article_id"].to_pylist()))
    text_of = dict(zip(texts["article_id"].to_pylist(), texts["text"].to_pylist(), strict=True))
    articles = pa.Table.from_pylist([{**r, "text": text_of.get(r["article_id"])} for r in index_rows], schema=ARTICLES)
    entity_ids = {e for ids in claims["entity_ids"].to_pylist() for e in (ids or ())}
    entities, _ = kept("entities", ENTITY_COLUMNS, "entity_id", entity_ids)
    # the conflicting claims' sentences and their neighbours: the sentences of the conflicts' articles
    sentences, n_sentences = kept("sentences", TABLES["sentences"].names, "article_id", conflict_articles)
    full = report_counts(index_rows, n_sentences, [], cluster_rows)
    counts = ReportCounts(
        articles_ok=full.articles_ok, articles_rejected=full.articles_rejected, sentences=n_sentences, claims=n_claims,
        clusters=full.clusters, multi_article_clusters=full.multi_article_clusters,
    )
    tables = {"articles": articles, "sentences": sentences, "claims": claims, "claim_clusters": clusters,
              "conflicts": conflicts, "entities": entities}
    return tables, counts, stats
