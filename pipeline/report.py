"""The self-contained HTML conflicts report (``report/conflicts.html``).

:func:`render_report` is a pure function: tables in, one HTML page out (inline CSS and JS, no
network, opens from disk). The same tables always give the same bytes; nothing time-dependent
is written unless ``generated`` is passed in. :func:`write_report` is the only part touching
the file system: it reads the tables of an output folder and writes the page atomically.

Page layout:

1. a summary (articles ok/rejected, sentences, claims, clusters, clusters spanning ≥ 2 articles,
   conflicts by kind);
2. conflicts grouped by ``event_key`` (from conflicts, else from claim_clusters, else one group
   per claim pair), each shown as the two claims side by side: article title and source, the
   claim, the original sentence between its neighbours, the differing values in ``<mark>``,
   kind, score, explanation and hedged / attributed / negated flags. Client-side filters by kind
   and by source work on ``data-kind`` / ``data-source-a`` / ``data-source-b`` attributes;
3. "Most repeated claims": clusters spanning the most distinct articles, with the
   representative claim and its support (articles, sources).
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

#: Conflict kinds of the contract, in display order (unknown kinds follow, alphabetically).
KINDS: tuple[str, ...] = ("date", "quantity", "place", "negation", "entity", "other")

#: Where the report goes inside an output folder.
REPORT_RELPATH = Path("report") / "conflicts.html"

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


def _fmt_score(score: object) -> str:
    try:
        return f"{float(score):.2f}"  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "–"


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


# --------------------------------------------------------------------------- data model


@dataclass(frozen=True)
class _Index:
    articles: dict[str, Row]
    sentences: dict[str, Row]
    by_position: dict[tuple[str, int], Row]
    claims: dict[str, Row]
    clusters: dict[str, Row]  # claim_id -> cluster row


def _index(articles: pa.Table, sentences: pa.Table, claims: pa.Table, clusters: pa.Table) -> _Index:
    sent_rows = _rows(sentences)
    return _Index(
        articles={r["article_id"]: r for r in _rows(articles)},
        sentences={r["sentence_id"]: r for r in sent_rows},
        by_position={(r["article_id"], r["sentence_index"]): r for r in sent_rows},
        claims={r["claim_id"]: r for r in _rows(claims)},
        clusters={r["claim_id"]: r for r in _rows(clusters)},
    )


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


# --------------------------------------------------------------------------- page parts

_CSS = """
:root { --fg:#1d2433; --muted:#5b6577; --line:#d9dee7; --bg:#f6f7f9; --card:#fff; --accent:#2456a6; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--fg); background:var(--bg); }
header, main, footer { max-width:1200px; margin:0 auto; padding:0 20px; }
header { padding-top:20px; }
h1 { font-size:1.6em; margin:0 0 12px; }
h2 { font-size:1.25em; margin:28px 0 10px; border-bottom:2px solid var(--line); padding-bottom:4px; }
h3 { font-size:1.05em; margin:0 0 8px; }
.summary { display:grid; grid-template-columns:repeat(auto-fill,minmax(150px,1fr)); gap:10px; }
.stat { background:var(--card); border:1px solid var(--line); border-radius:6px; padding:8px 12px; }
.stat .n { font-size:1.5em; font-weight:600; display:block; }
.stat .l { color:var(--muted); font-size:.85em; }
.kinds { margin:10px 0 0; padding:0; list-style:none; display:flex; flex-wrap:wrap; gap:6px; }
.badge { display:inline-block; border-radius:10px; padding:1px 9px; font-size:.82em; background:#e7ecf5; color:#223; }
.badge.kind-date { background:#fde2c8; } .badge.kind-quantity { background:#d8ecd0; }
.badge.kind-place { background:#d6e6fa; } .badge.kind-negation { background:#f6d3dc; }
.badge.kind-entity { background:#e6dcf5; } .badge.flag { background:#fff3bf; }
#filters { background:var(--card); border:1px solid var(--line); border-radius:6px; padding:10px 12px; margin:12px 0;
  display:flex; flex-wrap:wrap; gap:16px; align-items:center; }
#filters label { font-weight:600; margin-right:6px; }
#filter-count { color:var(--muted); margin-left:auto; }
.group { margin:18px 0; }
.group > h3 .count { color:var(--muted); font-weight:normal; }
.conflict { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:12px; margin:10px 0; }
.conflict-head { display:flex; flex-wrap:wrap; gap:10px; align-items:baseline; margin-bottom:8px; }
.conflict-head .score { font-weight:600; }
.explanation { color:var(--muted); }
.pair { display:grid; grid-template-columns:1fr 1fr; gap:12px; }
@media (max-width:760px) { .pair { grid-template-columns:1fr; } }
.claim { border:1px solid var(--line); border-radius:6px; padding:10px; background:#fbfcfe; }
.claim .meta { font-size:.88em; color:var(--muted); margin-bottom:6px; }
.claim .title { font-weight:600; color:var(--fg); }
.claim .text { font-size:1.02em; margin:6px 0; }
.claim .value { font-size:.9em; margin:4px 0; }
.context { font-size:.9em; color:var(--muted); border-left:3px solid var(--line); padding-left:8px; margin-top:6px; }
.context .claim-sentence { color:var(--fg); font-weight:600; }
mark { background:#ffe066; padding:0 2px; border-radius:2px; }
.flags { display:flex; flex-wrap:wrap; gap:4px; margin-top:4px; }
.empty { background:var(--card); border:1px dashed var(--line); border-radius:6px; padding:14px; color:var(--muted); }
table.repeated { width:100%; border-collapse:collapse; background:var(--card); }
table.repeated th, table.repeated td { border:1px solid var(--line); padding:6px 8px; text-align:left; vertical-align:top; }
table.repeated th { background:#eef1f6; }
table.repeated td.num { text-align:right; white-space:nowrap; }
.ids { font-family:ui-monospace,Menlo,Consolas,monospace; font-size:.78em; color:var(--muted); }
footer { color:var(--muted); font-size:.85em; padding:20px; }
[hidden] { display:none !important; }
"""

# The page works without JS (everything visible); the script reveals and wires the filters,
# and records that it ran (body[data-filters-ready], #filter-count) so tests can check it.
_JS = r"""
(function () {
  "use strict";
  var kindSel = document.getElementById("filter-kind");
  var sourceSel = document.getElementById("filter-source");
  var counter = document.getElementById("filter-count");
  var box = document.getElementById("filters");
  if (!kindSel || !sourceSel || !counter || !box) { document.body.setAttribute("data-filters-ready", "0"); return; }
  var items = Array.prototype.slice.call(document.querySelectorAll(".conflict"));
  var groups = Array.prototype.slice.call(document.querySelectorAll(".group"));
  var noMatch = document.getElementById("no-match");
  function apply() {
    var kind = kindSel.value, source = sourceSel.value, shown = 0;
    items.forEach(function (el) {
      var ok = (kind === "" || el.getAttribute("data-kind") === kind) &&
               (source === "" || el.getAttribute("data-source-a") === source || el.getAttribute("data-source-b") === source);
      el.hidden = !ok;
      if (ok) { shown += 1; }
    });
    groups.forEach(function (g) { g.hidden = g.querySelectorAll(".conflict:not([hidden])").length === 0; });
    counter.textContent = "Showing " + shown + " of " + items.length + " conflicts";
    counter.setAttribute("data-shown", String(shown));
    if (noMatch) { noMatch.hidden = shown !== 0 || items.length === 0; }
  }
  function hasOption(sel, v) {
    return Array.prototype.some.call(sel.options, function (o) { return o.value === v; });
  }
  // Filters can be preset and shared through the URL: conflicts.html#kind=date&source=Reuters
  (location.hash || "").replace(/^#/, "").split("&").forEach(function (kv) {
    var i = kv.indexOf("="), k, v;
    if (i < 0) { return; }
    k = kv.slice(0, i);
    try { v = decodeURIComponent(kv.slice(i + 1).replace(/\+/g, " ")); } catch (e) { return; }
    if (k === "kind" && hasOption(kindSel, v)) { kindSel.value = v; }
    if (k === "source" && hasOption(sourceSel, v)) { sourceSel.value = v; }
  });
  function onChange() {
    var parts = [];
    if (kindSel.value) { parts.push("kind=" + encodeURIComponent(kindSel.value)); }
    if (sourceSel.value) { parts.push("source=" + encodeURIComponent(sourceSel.value)); }
    if (history.replaceState) { history.replaceState(null, "", parts.length ? "#" + parts.join("&") : location.pathname); }
    apply();
  }
  kindSel.addEventListener("change", onChange);
  sourceSel.addEventListener("change", onChange);
  box.hidden = false;
  apply();
  document.body.setAttribute("data-filters-ready", "1");
})();
"""


def _stat(n: int, label: str, key: str) -> str:
    return f'<div class="stat" data-stat="{_esc(key)}"><span class="n">{n}</span><span class="l">{_esc(label)}</span></div>'


@dataclass(frozen=True, slots=True)
class ReportCounts:
    """The corpus-wide figures of the page's summary, for when the page is given only the rows it shows."""

    articles_ok: int
    articles_rejected: int
    sentences: int
    claims: int
    clusters: int
    multi_article_clusters: int


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


def _summary(counts: ReportCounts, conflicts: list[Row]) -> str:
    by_kind: dict[str, int] = defaultdict(int)
    for c in conflicts:
        by_kind[c["kind"]] += 1
    stats = [
        _stat(counts.articles_ok, "articles ok", "articles_ok"),
        _stat(counts.articles_rejected, "articles rejected", "articles_rejected"),
        _stat(counts.sentences, "sentences", "sentences"),
        _stat(counts.claims, "claims", "claims"),
        _stat(counts.clusters, "clusters", "clusters"),
        _stat(counts.multi_article_clusters, "clusters spanning ≥ 2 articles", "multi_article_clusters"),
        _stat(len(conflicts), "conflicts", "conflicts"),
    ]
    kinds = "".join(
        f'<li class="badge kind-{_esc(k)}" data-kind-count="{_esc(k)}">{_esc(k)}: {by_kind[k]}</li>'
        for k in sorted(by_kind, key=_kind_order)
    )
    kinds_html = f'<ul class="kinds" aria-label="Conflicts by kind">{kinds}</ul>' if kinds else ""
    return f'<section id="summary"><div class="summary">{"".join(stats)}</div>{kinds_html}</section>'


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
        flags.append(
            f'<span class="badge flag" data-flag="attributed">attributed to {_esc(claim["attributed_to"])}</span>'
        )
    if claim.get("negated"):
        flags.append('<span class="badge flag" data-flag="negated">negated</span>')
    return f'<div class="flags">{"".join(flags)}</div>' if flags else ""


def _claim_card(idx: _Index, claim_id: str, article_id: str, value: str | None, side: str) -> str:
    claim = idx.claims.get(claim_id)
    article = idx.articles.get(article_id)
    title = _col(article or {}, "title") or article_id
    source = source_label(article, article_id)
    published = _col(article or {}, "published")
    date_html = f' · {_esc(published.isoformat() if hasattr(published, "isoformat") else published)}' if published else ""
    file_src = _col(article or {}, "source")
    file_html = f' <span class="ids">({_esc(file_src)})</span>' if file_src and file_src != source else ""
    text = claim["text"] if claim else "(claim not found in claims table)"
    value_html = f'<div class="value">value: <mark>{_esc(value)}</mark></div>' if value else ""
    return (
        f'<div class="claim claim-{side}" data-claim-id="{_esc(claim_id)}">'
        f'<div class="meta"><span class="title">{_esc(title)}</span><br>'
        f'<span class="source">{_esc(source)}</span>{file_html}{date_html}</div>'
        f'<div class="text">{highlight(text, [value])}</div>'
        f"{value_html}{_flags(claim)}{_context(idx, claim, [value])}"
        f'<div class="ids">{_esc(claim_id)}</div>'
        "</div>"
    )


def _conflict(idx: _Index, c: Row) -> str:
    src_a = source_label(idx.articles.get(c["article_id_a"]), c["article_id_a"])
    src_b = source_label(idx.articles.get(c["article_id_b"]), c["article_id_b"])
    kind = c["kind"]
    return (
        f'<article class="conflict" id="{_esc(c["conflict_id"])}" data-kind="{_esc(kind)}" '
        f'data-source-a="{_esc(src_a)}" data-source-b="{_esc(src_b)}" data-score="{_fmt_score(c.get("score"))}">'
        f'<div class="conflict-head"><span class="badge kind-{_esc(kind)}">{_esc(kind)}</span>'
        f'<span class="score">score {_fmt_score(c.get("score"))}</span>'
        f'<span class="explanation">{_esc(c.get("explanation"))}</span></div>'
        f'<div class="pair">'
        f'{_claim_card(idx, c["claim_id_a"], c["article_id_a"], c.get("value_a"), "a")}'
        f'{_claim_card(idx, c["claim_id_b"], c["article_id_b"], c.get("value_b"), "b")}'
        "</div></article>"
    )


def _group_key(idx: _Index, c: Row) -> tuple[str, bool]:
    """(group key, is an event key) of a conflict."""
    key = c.get("event_key")
    if not key:
        for claim_id in (c["claim_id_a"], c["claim_id_b"]):
            key = _col(idx.clusters.get(claim_id) or {}, "event_key")
            if key:
                break
    if key:
        return str(key), True
    return f"{c['claim_id_a']} ↔ {c['claim_id_b']}", False


def _conflicts_section(idx: _Index, conflicts: list[Row]) -> str:
    if not conflicts:
        return '<section id="conflicts"><h2>Conflicts</h2><p class="empty" id="no-conflicts">No conflicts found.</p></section>'
    groups: dict[tuple[str, bool], list[Row]] = defaultdict(list)
    for c in conflicts:
        groups[_group_key(idx, c)].append(c)

    def score(c: Row) -> float:
        try:
            return float(c.get("score") or 0.0)
        except (TypeError, ValueError):
            return 0.0

    for members in groups.values():
        members.sort(key=lambda c: (-score(c), c["conflict_id"]))
    ordered = sorted(groups.items(), key=lambda kv: (-max(score(c) for c in kv[1]), not kv[0][1], kv[0][0]))

    kinds = sorted({c["kind"] for c in conflicts}, key=_kind_order)
    sources = sorted(
        {source_label(idx.articles.get(c[k]), c[k]) for c in conflicts for k in ("article_id_a", "article_id_b")}
    )
    kind_opts = "".join(f'<option value="{_esc(k)}">{_esc(k)}</option>' for k in kinds)
    source_opts = "".join(f'<option value="{_esc(s)}">{_esc(s)}</option>' for s in sources)
    filters = (
        '<div id="filters" hidden>'
        f'<span><label for="filter-kind">Kind</label><select id="filter-kind"><option value="">all kinds</option>{kind_opts}</select></span>'
        f'<span><label for="filter-source">Source</label><select id="filter-source"><option value="">all sources</option>{source_opts}</select></span>'
        f'<span id="filter-count">{len(conflicts)} conflicts</span>'
        "</div>"
    )
    parts = []
    for n, ((key, is_event), members) in enumerate(ordered):
        label = f"Event: {_esc(key)}" if is_event else f"Claims {_esc(key)}"
        parts.append(
            f'<section class="group" id="group-{n}" data-event-key="{_esc(key if is_event else "")}">'
            f'<h3>{label} <span class="count">({len(members)} conflict{"s" if len(members) != 1 else ""})</span></h3>'
            f'{"".join(_conflict(idx, c) for c in members)}</section>'
        )
    return (
        f'<section id="conflicts"><h2>Conflicts ({len(conflicts)})</h2>{filters}'
        f'<p class="empty" id="no-match" hidden>No conflict matches these filters.</p>{"".join(parts)}</section>'
    )


def repeated_clusters(
    articles: list[Row], claims: list[Row], clusters: list[Row], *, limit: int = 20
) -> list[dict[str, Any]]:
    """Clusters spanning ≥ 2 distinct articles, most articles first (n_articles desc, then n_claims desc, id)."""
    by_article = {a["article_id"]: a for a in articles}
    by_claim = {c["claim_id"]: c for c in claims}
    members: dict[str, list[Row]] = defaultdict(list)
    for row in clusters:
        members[row["cluster_id"]].append(row)
    out = []
    for cluster_id, rows in members.items():
        article_ids = sorted({by_claim[r["claim_id"]]["article_id"] for r in rows if r["claim_id"] in by_claim})
        n_articles = max([int(_col(r, "n_articles", 0)) for r in rows] + [len(article_ids)])
        if n_articles < 2:
            continue
        rep_rows = sorted(rows, key=lambda r: (not r.get("is_representative"), r["claim_id"]))
        rep = by_claim.get(rep_rows[0]["claim_id"])
        sources = sorted({source_label(by_article.get(a), a) for a in article_ids})
        n_sources = _col(rep_rows[0], "n_sources")
        out.append(
            {
                "cluster_id": cluster_id,
                "claim_id": rep_rows[0]["claim_id"],
                "text": rep["text"] if rep else rep_rows[0]["claim_id"],
                "n_articles": n_articles,
                "n_sources": int(n_sources) if n_sources is not None else len(sources),
                "n_claims": int(_col(rep_rows[0], "n_claims", len(rows))),
                "sources": sources,
            }
        )
    out.sort(key=lambda r: (-r["n_articles"], -r["n_sources"], -r["n_claims"], r["cluster_id"]))
    return out[:limit]


def _repeated_section(articles: list[Row], claims: list[Row], clusters: list[Row], limit: int) -> str:
    rows = repeated_clusters(articles, claims, clusters, limit=limit)
    if not rows:
        return (
            '<section id="repeated"><h2>Most repeated claims</h2>'
            '<p class="empty" id="no-repeated">No claim is repeated across articles.</p></section>'
        )
    body = "".join(
        f'<tr class="repeated-claim" data-cluster-id="{_esc(r["cluster_id"])}">'
        f'<td>{_esc(r["text"])}<div class="ids">{_esc(r["cluster_id"])} · {_esc(r["claim_id"])}</div></td>'
        f'<td class="num">{r["n_articles"]}</td><td class="num">{r["n_sources"]}</td><td class="num">{r["n_claims"]}</td>'
        f'<td>{"<br>".join(_esc(s) for s in r["sources"])}</td></tr>'
        for r in rows
    )
    return (
        '<section id="repeated"><h2>Most repeated claims</h2>'
        '<table class="repeated"><thead><tr><th>Representative claim</th><th>Articles</th><th>Sources</th>'
        f"<th>Claims</th><th>Sources list</th></tr></thead><tbody>{body}</tbody></table></section>"
    )


def render_report(
    articles: pa.Table,
    sentences: pa.Table,
    claims: pa.Table,
    clusters: pa.Table,
    conflicts: pa.Table,
    *,
    title: str = "Conflicts report",
    generated: str | None = None,
    max_repeated: int = 20,
    counts: ReportCounts | None = None,
) -> str:
    """One self-contained HTML page (inline CSS/JS, no network) presenting conflicts and repeated claims.

    Pure and deterministic: the same tables give the same string. ``generated`` (e.g. a timestamp
    or the pipeline version) is printed in the footer only when given. ``counts`` are the summary's
    figures when the tables hold only the rows the page shows (see `write_report`); by default
    they are counted from the tables.
    """
    article_rows, claim_rows, cluster_rows = _rows(articles), _rows(claims), _rows(clusters)
    conflict_rows = _rows(conflicts)
    if counts is None:
        counts = report_counts(article_rows, len(sentences) if sentences is not None else 0, claim_rows, cluster_rows)
    idx = _index(articles, sentences, claims, clusters)
    footer = f"<footer>Generated {_esc(generated)}</footer>" if generated else "<footer>Generated by pipeline</footer>"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_esc(title)}</title><style>{_CSS}</style></head>\n"
        '<body data-filters-ready="0">'
        f"<header><h1>{_esc(title)}</h1></header>\n<main>"
        f"{_summary(counts, conflict_rows)}\n"
        f"{_conflicts_section(idx, conflict_rows)}\n"
        f"{_repeated_section(article_rows, claim_rows, cluster_rows, max_repeated)}\n"
        f"</main>{footer}\n<script>{_JS}</script></body></html>\n"
    )


def write_report(
    output_dir: Path | str, *, title: str = "Conflicts report", generated: str | None = None, max_repeated: int = 20
) -> Path:
    """Read the tables of `output_dir` and write ``report/conflicts.html`` atomically; returns its path.

    Only the conflicts table is read whole (the page lists every conflict). The others are walked a
    batch at a time, keeping the rows the page shows (the claims in conflicts with their sentences'
    articles, the `max_repeated` most repeated clusters) and counting the rest, so memory grows with
    the conflicts, not the corpus. The page is the one `render_report` makes from the whole tables.

    Raises MissingTableError / CorruptTableError (exit code 5) when a needed table is absent.
    """
    from .io import atomic_write_bytes  # local: keeps render_report importable without I/O

    out = Path(output_dir)
    tables, counts = _page_rows(out, max_repeated)
    page = render_report(
        tables["articles"],
        tables["sentences"],
        tables["claims"],
        tables["claim_clusters"],
        tables["conflicts"],
        title=title,
        generated=generated,
        max_repeated=max_repeated,
        counts=counts,
    )
    path = out / REPORT_RELPATH
    atomic_write_bytes(path, page.encode("utf-8"))
    return path


def _page_rows(out: Path, max_repeated: int) -> tuple[dict[str, pa.Table], ReportCounts]:
    """The rows of each table the page shows, and the summary's counts, walking each table a batch at a time."""
    import heapq

    import pyarrow.compute as pc

    from .io import read_table, table_batches
    from .schemas import ARTICLE_INDEX_COLUMNS, TABLES

    def kept(name: str, columns: list[str], key: str, wanted: set[str]) -> tuple[pa.Table, int]:
        """The rows of `name` whose `key` is in `wanted`, and how many rows it has."""
        parts, total = [], 0
        values = pa.array(sorted(wanted), pa.string())
        for batch in table_batches(out, name, columns=columns):
            total += batch.num_rows
            parts.append(batch.filter(pc.is_in(batch[key], values)))
        schema = pa.schema([TABLES[name].field(c) for c in columns])
        return pa.concat_tables([schema.empty_table(), *parts]), total

    conflicts = read_table(out, "conflicts")
    in_conflict = set(conflicts["claim_id_a"].to_pylist()) | set(conflicts["claim_id_b"].to_pylist())
    conflict_articles = set(conflicts["article_id_a"].to_pylist()) | set(conflicts["article_id_b"].to_pylist())

    # Clusters: each has one representative row, carrying the cluster's support; the page shows the
    # `max_repeated` spanning the most articles, in `repeated_clusters`' order.
    cluster_columns = TABLES["claim_clusters"].names
    clusters = multi = 0
    best: list[tuple[int, int, int, _Desc]] = []  # a min-heap of the top clusters' keys, worst first
    for batch in table_batches(out, "claim_clusters", columns=cluster_columns):
        reps = batch.filter(pc.equal(batch["is_representative"], True))
        clusters += reps.num_rows
        for cid, n_art, n_src, n_cl in zip(
            *(reps[c].to_pylist() for c in ("cluster_id", "n_articles", "n_sources", "n_claims")), strict=True
        ):
            if (n_art or 0) < 2:
                continue
            multi += 1
            item = (n_art, n_src or 0, n_cl or 0, _Desc(cid))
            if len(best) < max_repeated:
                heapq.heappush(best, item)
            elif max_repeated and item > best[0]:
                heapq.heapreplace(best, item)
    top = {item[3].value for item in best}
    cluster_rows, _ = kept("claim_clusters", cluster_columns, "cluster_id", top)
    in_conflict_rows, _ = kept("claim_clusters", cluster_columns, "claim_id", in_conflict - set(cluster_rows["claim_id"].to_pylist()))
    cluster_rows = pa.concat_tables([cluster_rows, in_conflict_rows])

    claims, n_claims = kept("claims", TABLES["claims"].names, "claim_id", in_conflict | set(cluster_rows["claim_id"].to_pylist()))
    article_ids = conflict_articles | set(claims["article_id"].to_pylist())
    articles, _ = kept("articles", list(ARTICLE_INDEX_COLUMNS), "article_id", article_ids)
    by_status: dict[str, int] = defaultdict(int)
    for batch in table_batches(out, "articles", columns=["status"]):
        for status in ("ok", "rejected"):
            by_status[status] += int(pc.sum(pc.equal(batch["status"], status)).as_py() or 0)
    # the conflicting claims' sentences and their neighbours: the sentences of the conflicts' articles
    sentences, n_sentences = kept("sentences", TABLES["sentences"].names, "article_id", conflict_articles)
    counts = ReportCounts(
        articles_ok=by_status.get("ok", 0),
        articles_rejected=by_status.get("rejected", 0),
        sentences=n_sentences,
        claims=n_claims,
        clusters=clusters,
        multi_article_clusters=multi,
    )
    tables = {"articles": articles, "sentences": sentences, "claims": claims, "claim_clusters": cluster_rows, "conflicts": conflicts}
    return tables, counts


@dataclass(frozen=True, slots=True)
class _Desc:
    """A string that sorts backwards: the heap keeps the clusters whose ids sort first on ties."""

    value: str

    def __lt__(self, other: _Desc) -> bool:
        return self.value > other.value

    def __gt__(self, other: _Desc) -> bool:
        return self.value < other.value
