"""One spaCy parse per article per run, cached on disk by content hash and model fingerprint.

This is the edge where parsing happens: stages receive parsed Docs through the
``Mapping`` returned here and never call the model on article text themselves.
"""

from __future__ import annotations

import collections
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import pyarrow as pa
from spacy.language import Language
from spacy.tokens import Doc, DocBin

from .io import atomic_write_bytes
from .nlp import nlp_fingerprint


class DocCache(Mapping[str, Doc]):
    """Parsed articles by article_id, loaded lazily from the on-disk cache."""

    def __init__(self, nlp: Language, cache_dir: Path, keys: Mapping[str, str], *, keep: int = 256) -> None:
        self._nlp = nlp
        self._dir = cache_dir
        self._keys = dict(keys)  # article_id -> cache file stem
        self._recent: collections.OrderedDict[str, Doc] = collections.OrderedDict()
        self._keep = keep

    def path_for(self, article_id: str) -> Path:
        """Cache file of one article's parse."""
        key = self._keys[article_id]
        return self._dir / key[:2] / f"{key}.spacy"

    def __getitem__(self, article_id: str) -> Doc:
        doc = self._recent.get(article_id)
        if doc is not None:
            self._recent.move_to_end(article_id)
            return doc
        data = self.path_for(article_id).read_bytes()
        doc = next(iter(DocBin().from_bytes(data).get_docs(self._nlp.vocab)))
        self._recent[article_id] = doc
        if len(self._recent) > self._keep:
            self._recent.popitem(last=False)
        return doc

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def parse_articles(
    articles: pa.Table,
    *,
    nlp: Language,
    cache_dir: Path,
    batch_size: int = 32,
    processes: int = 1,
    progress: bool = False,
) -> tuple[DocCache, int]:
    """Parse every accepted article not yet in the cache; returns the cache and how many were parsed."""
    fingerprint = nlp_fingerprint(nlp)
    keys: dict[str, str] = {}
    todo: list[tuple[str, str]] = []
    ok = articles.filter(pa.compute.equal(articles["status"], "ok"))
    for article_id, sha, text in zip(
        ok["article_id"].to_pylist(), ok["content_sha256"].to_pylist(), ok["text"].to_pylist(), strict=True
    ):
        keys[article_id] = f"{sha[:40]}-{fingerprint}"
    cache = DocCache(nlp, cache_dir, keys)
    for article_id, text in zip(ok["article_id"].to_pylist(), ok["text"].to_pylist(), strict=True):
        if not cache.path_for(article_id).exists():
            todo.append((article_id, text))
    if todo:
        texts: Iterable[tuple[str, str]] = ((t, a) for a, t in todo)
        stream = nlp.pipe(texts, as_tuples=True, batch_size=batch_size, n_process=max(1, processes))
        if progress:
            from tqdm import tqdm

            stream = tqdm(stream, total=len(todo), desc="parse", unit="article")
        for doc, article_id in stream:
            bin_ = DocBin(store_user_data=False)
            bin_.add(doc)
            atomic_write_bytes(cache.path_for(article_id), bin_.to_bytes())
    return cache, len(todo)
