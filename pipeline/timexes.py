"""Annotate stage, time: the timexes table from each article's parse, anchored on its publication date."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import pyarrow as pa
from spacy.tokens import Doc

from .schemas import TIMEXES, table_from_rows
from .segment import SentenceLookup
from .timex import find_timexes


def annotate_timexes(articles: pa.Table, sentences: pa.Table, docs: Mapping[str, Doc]) -> pa.Table:
    """The timexes table: TIMEX3-normalized expressions inside sentences (headings excluded)."""
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
        for t in find_timexes(docs[article_id], published=published):
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
