"""Annotate stage, time: the timexes table from each article's parse, anchored on its publication date."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Callable, Mapping

import pyarrow as pa
from spacy.tokens import Doc

from .schemas import TIMEXES, table_from_rows
from .segment import SentenceLookup
from .config import MODELS_DIR, PACKAGE_DIR
from .timex import Timex, find_timexes


def _version() -> str:
    """Hash of the recognizer's code and rules: cached timexes from other versions are not reused."""
    h = hashlib.sha256()
    for path in [*sorted((PACKAGE_DIR / "timex").glob("*.py")), *sorted((MODELS_DIR / "timex").glob("*"))]:
        h.update(path.read_bytes())
    return h.hexdigest()[:12]


#: Part of every per-article timex cache key.
TIMEX_VERSION = _version()

#: How a stage gets one article's timexes: (article_id, published) → timexes (computed or cached).
TimexSource = Callable[[str, dt.date | None], list[Timex]]


def timex_to_json(t: Timex) -> dict[str, object]:
    """A JSON-ready record of one timex (for the per-article cache)."""
    return {
        "start_char": t.start_char, "end_char": t.end_char, "text": t.text, "type": t.type, "value": t.value,
        "mod": t.mod, "start_date": t.start_date.isoformat() if t.start_date else None,
        "end_date": t.end_date.isoformat() if t.end_date else None, "anchored": t.anchored,
    }


def timex_from_json(d: Mapping[str, object]) -> Timex:
    """The inverse of timex_to_json."""
    def day(v: object) -> dt.date | None:
        return dt.date.fromisoformat(str(v)) if v else None

    return Timex(
        int(d["start_char"]), int(d["end_char"]), str(d["text"]), str(d["type"]), str(d["value"]),  # type: ignore[call-overload]
        d["mod"] if d["mod"] is None else str(d["mod"]), day(d["start_date"]), day(d["end_date"]), bool(d["anchored"]),
    )


def annotate_timexes(
    articles: pa.Table, sentences: pa.Table, docs: Mapping[str, Doc], *, source: TimexSource | None = None
) -> pa.Table:
    """The timexes table: TIMEX3-normalized expressions inside sentences (headings excluded).

    `source` supplies each article's timexes (the run passes the per-article cache); by default
    they are found in `docs`.
    """
    if source is None:
        def source(article_id: str, published: dt.date | None) -> list[Timex]:
            return find_timexes(docs[article_id], published=published)

    lookup = SentenceLookup(sentences)
    rows: list[dict[str, object]] = []
    for article_id, status, published in zip(
        articles["article_id"].to_pylist(),
        articles["status"].to_pylist(),
        articles["published"].to_pylist(),
        strict=True,
    ):
        if status != "ok":
            continue
        n = Counter[str]()
        for t in source(article_id, published):
            sid = lookup.find(article_id, t.start_char, t.end_char)
            if sid is None:
                continue
            rows.append(
                {
                    "timex_id": f"{article_id}/t{n[article_id]:04d}",
                    "article_id": article_id,
                    "sentence_id": sid,
                    "start_char": t.start_char,
                    "end_char": t.end_char,
                    "text": t.text,
                    "type": t.type,
                    "value": t.value,
                    "mod": t.mod,
                    "start_date": t.start_date,
                    "end_date": t.end_date,
                    "anchored": t.anchored,
                }
            )
            n[article_id] += 1
    return table_from_rows(rows, TIMEXES)
