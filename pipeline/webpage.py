"""HTML pages → article text and metadata (main text, title, date, canonical URL, site name).

Ingest's reader for `.html` files, WARC response records and JSON Lines records that carry `html`:
trafilatura finds the main text (htmldate, inside it, the publication date). The text it gives has
one paragraph a line; here paragraphs are separated by a blank line, the pipeline's paragraph
break, so that `text` is what every offset indexes. A page without an article body is rejected
with a guess at what it is (error page, login wall, index page).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, NamedTuple

from .errors import ArticleRejected
from .ingest import FINAL_PUNCT


class Page(NamedTuple):
    """What an HTML page gives an article: its body text and the page's own metadata."""

    text: str
    title: str | None
    published: dt.date | None
    url: str | None
    site_name: str | None
    author: str | None


#: trafilatura's settings, besides `favor_precision` (extract_page): favouring precision and no comments
#: lift body precision on the extraction benchmark's dev pages from .931 to .955 at a recall cost of
#: one point (docs/html-input.md).
#: htmldate's extensive search is off: it guesses a date from any year on the page ("© 2019" gives
#: 2019-01-01), and a wrong date is worse than none (a WARC record then has its WARC-Date).
_EXTRACT_OPTIONS: dict[str, object] = {
    "include_comments": False, "include_tables": True, "deduplicate": False,
    "date_extraction_params": {"extensive_search": False, "original_date": True},
}
_PASSWORD = re.compile(rb"<input[^>]+type\s*=\s*[\"']?password", re.IGNORECASE)
_ERROR_TITLE = re.compile(r"\b(404|403|410|500|not found|page (?:not|cannot be) found|error)\b", re.IGNORECASE)
_LINE_SPACE = re.compile(r"[ \t\u00a0]+")


def extract_page(html: bytes | str, *, url: str | None = None, min_chars: int = 200, recall_below: int = 500) -> Page:
    """The article of an HTML page, or ArticleRejected saying why the page has none.

    trafilatura runs favouring precision; when that leaves under `recall_below` characters (it chose a
    reprint notice over a paywalled page's article), it runs again with its balanced settings and the
    longer text is kept.
    """
    doc, text = _extract(html, url, favor_precision=True)
    if len(text) < recall_below:
        balanced, more = _extract(html, url, favor_precision=False)
        if len(more) > len(text):
            doc, text = balanced, more
    title = _clean(getattr(doc, "title", None)) if doc is not None else None
    if len(text) < min_chars:
        raise ArticleRejected(_why_no_body(html, title, len(text), min_chars))
    return Page(
        text=text,
        title=title,
        published=_date(getattr(doc, "date", None)),
        url=_clean(getattr(doc, "url", None)) or url,
        site_name=_clean(getattr(doc, "sitename", None)),
        author=_clean(getattr(doc, "author", None)),
    )


def _extract(html: bytes | str, url: str | None, *, favor_precision: bool) -> tuple[Any, str]:
    """trafilatura's document of the page (None when it found nothing) and its main text."""
    import trafilatura

    if isinstance(html, bytes) and not html.strip() or isinstance(html, str) and not html.strip():
        raise ArticleRejected("empty HTML page")
    try:
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, favor_precision=favor_precision, **_EXTRACT_OPTIONS)
    except (ValueError, TypeError, RecursionError) as exc:  # lxml on a page it cannot parse
        raise ArticleRejected(f"cannot parse the HTML page ({type(exc).__name__})") from None
    return doc, _blocks(doc.body) if doc is not None and getattr(doc, "body", None) is not None else ""


def _blocks(body: Any) -> str:
    """The main text from trafilatura's XML body: one paragraph per block (a heading, a paragraph, a
    list, a table, a quote), the lines of a block (line breaks, list items, table rows) kept together.

    A block of several lines is then never taken for a section heading (segment's rule: one short line
    without final punctuation), which a list item or a table row on a paragraph of its own would be.
    """
    from trafilatura.xml import xmltotxt

    paragraphs: list[list[str]] = []  # each a paragraph's lines
    run = False  # whether the last paragraph is a run of unpunctuated one-line blocks
    for block in body:
        tail, block.tail = block.tail, None
        if block.tag == "table":
            rows = ("\t".join(_clean(" ".join(cell.itertext())) or "" for cell in row.iter("cell")) for row in block.iter("row"))
            lines = [row.strip() for row in rows]
        else:
            lines = [_LINE_SPACE.sub(" ", line).strip() for line in xmltotxt(block, False).split("\n")]
        lines = [line for line in lines if line]
        if tail and tail.strip():
            lines.append(_LINE_SPACE.sub(" ", tail).strip())
        if not lines:
            continue
        if block.tag == "head":
            paragraphs.append([" ".join(lines)])
            run = False
            continue
        # consecutive one-line paragraphs without final punctuation (scores, dates, names) are a
        # list in all but markup: one paragraph of lines, not a string of section headings
        short = len(lines) == 1 and not lines[0].endswith(FINAL_PUNCT)
        if short and run:
            paragraphs[-1].extend(lines)
        else:
            paragraphs.append(lines)
        run = short
    return "\n\n".join("\n".join(lines) for lines in paragraphs)


def _why_no_body(html: bytes | str, title: str | None, n_chars: int, min_chars: int) -> str:
    raw = html if isinstance(html, bytes) else html.encode("utf-8", "replace")
    found = f"{n_chars} characters of main text, under {min_chars}"
    if title and _ERROR_TITLE.search(title):
        return f"no article body: an error page (title {title[:60]!r}; {found})"
    if _PASSWORD.search(raw):
        return f"no article body: a login wall (the page asks for a password; {found})"
    return f"no article body: {found} (an index, navigation or paywalled page?)"


def _date(value: object) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return _LINE_SPACE.sub(" ", value).strip() or None
