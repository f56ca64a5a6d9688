"""Per-article result caches under OUTPUT/.cache: the I/O and hashing edge of incremental rebuilds.

A cached result is found by a key that hashes everything it was made from: the article's parse
key (content hash + model fingerprint), the rows of the tables it read for that article, the
settings that change results, and the version of the code and data that made it. Change any of
these and the key changes, so a stale result is never reused; entries no key points to any more
are simply never read (`make clean` removes them).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa

from .io import atomic_write_bytes


def code_version(paths: Iterable[Path]) -> str:
    """Hash of source and data files (folders: every file inside), in a stable order."""
    h = hashlib.sha256()
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path])
    for path in files:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def rows_digest(table: pa.Table) -> str:
    """Hash of a table's rows (values, not their Arrow layout), for cache keys."""
    blob = json.dumps(table.to_pylist(), sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def cache_key(*parts: str) -> str:
    """One key from its parts."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


class RowCache:
    """Rows of one table for one article, each entry an Arrow IPC file named by its key."""

    def __init__(self, root: Path, schema: pa.Schema) -> None:
        self.root = root
        self.schema = schema

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.arrow"

    def get(self, key: str) -> pa.Table | None:
        """The cached rows, or None when missing or unreadable (then they are computed again)."""
        try:
            with pa.ipc.open_file(pa.memory_map(str(self.path(key)))) as reader:
                table = reader.read_all()
        except (OSError, pa.ArrowException):
            return None
        return table if table.schema.equals(self.schema) else None

    def put(self, key: str, table: pa.Table) -> None:
        """Store rows atomically (temp file, rename); `get` treats a torn entry as missing, so no fsync."""
        sink = pa.BufferOutputStream()
        with pa.ipc.new_file(sink, self.schema) as writer:
            writer.write_table(table.select(self.schema.names).cast(self.schema))
        atomic_write_bytes(self.path(key), sink.getvalue().to_pybytes(), durable=False)
