"""All file I/O of the pipeline: reading inputs, atomic Parquet writes, the manifest, the lock.

Stage modules never touch the file system; the CLI and the runner call these.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from . import __version__
from .config import SCHEMA_VERSION, PipelineConfig
from .errors import CorruptTableError, InputError, LockedError, MissingTableError, OutputError
from .ingest import RawInput
from .schemas import SORT_KEYS, TABLES

MANIFEST_NAME = "manifest.json"
LOCK_NAME = ".lock"

#: Which stage writes which table (for "run that stage first" messages).
PRODUCER = {
    "articles": "ingest",
    "sentences": "segment",
    "entities": "annotate",
    "timexes": "annotate",
    "claims": "claims",
    "claim_clusters": "dedup",
    "conflicts": "conflicts",
}


def list_inputs(input_dir: Path) -> list[Path]:
    """Every non-hidden file under the input folder, in a stable order."""
    if not input_dir.exists():
        raise InputError(f"{input_dir}: input folder does not exist")
    if not input_dir.is_dir():
        raise InputError(f"{input_dir}: input is not a folder")
    try:
        files = [
            p
            for p in input_dir.rglob("*")
            if not any(part.startswith(".") for part in p.relative_to(input_dir).parts) and not p.is_dir()
        ]
    except OSError as exc:
        raise InputError(f"{input_dir}: cannot list folder: {exc.strerror or exc}") from exc
    return sorted(files, key=lambda p: p.relative_to(input_dir).as_posix())


def read_inputs(input_dir: Path, *, config: PipelineConfig) -> Iterator[RawInput]:
    """Read each input file; unreadable ones come back with a read error instead of raising."""
    for path in list_inputs(input_dir):
        name = path.relative_to(input_dir).as_posix()
        try:
            size = path.stat().st_size
            # Read a little past the limit so ingest can say how large the file is without loading it all.
            if size > config.max_article_bytes and path.suffix.lower() not in config.jsonl_suffixes:
                yield RawInput(name, None, f"file is {size / 1e6:.1f} MB, over the {config.max_article_bytes / 1e6:g} MB limit (max_article_bytes)")
                continue
            yield RawInput(name, path.read_bytes())
        except OSError as exc:
            yield RawInput(name, None, f"cannot read file: {exc.strerror or exc}")


def sha256_file(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def ensure_output_dir(output_dir: Path) -> None:
    """Create the output folder and check it is writable, with a one-line error otherwise."""
    if output_dir.exists() and not output_dir.is_dir():
        raise OutputError(f"{output_dir}: output is a file, not a folder")
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{output_dir}: cannot create output folder: {exc.strerror or exc}") from exc
    if not os.access(output_dir, os.W_OK | os.X_OK):
        raise OutputError(f"{output_dir}: output folder is not writable")


def table_path(output_dir: Path, name: str) -> Path:
    """Where a named table lives."""
    return output_dir / f"{name}.parquet"


def sort_table(table: pa.Table, name: str) -> pa.Table:
    """Give a table its stable row order."""
    keys = SORT_KEYS.get(name)
    if not keys or table.num_rows == 0:
        return table
    return table.sort_by([(k, "ascending") for k in keys])


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write bytes to a temp file beside `path`, fsync, then rename over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_table(table: pa.Table, output_dir: Path, name: str, *, model: dict[str, str] | None = None) -> Path:
    """Write a named table atomically with schema/pipeline/model versions as key-value metadata."""
    schema = TABLES[name]
    table = sort_table(table.select(schema.names).cast(schema), name)
    meta = {
        b"pipeline.table": name.encode(),
        b"pipeline.schema_version": SCHEMA_VERSION.encode(),
        b"pipeline.version": __version__.encode(),
    }
    for key, value in (model or {}).items():
        meta[f"pipeline.model.{key}".encode()] = str(value).encode()
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), **meta})
    path = table_path(output_dir, name)
    sink = pa.BufferOutputStream()
    try:
        pq.write_table(table, sink, compression="zstd", row_group_size=50_000)
        atomic_write_bytes(path, sink.getvalue().to_pybytes())
    except OSError as exc:
        raise OutputError(f"{path}: cannot write table: {exc.strerror or exc}") from exc
    return path


def read_table(output_dir: Path, name: str) -> pa.Table:
    """Read a named table, checking that it exists and carries the contract's columns."""
    path = table_path(output_dir, name)
    if not path.exists():
        raise MissingTableError(path, stage=PRODUCER[name])
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise CorruptTableError(f"{path}: not a readable Parquet file ({exc}); rerun the '{PRODUCER[name]}' stage") from exc
    missing = [c for c in TABLES[name].names if c not in table.column_names]
    if missing:
        raise CorruptTableError(f"{path}: missing columns {', '.join(missing)}; rerun the '{PRODUCER[name]}' stage")
    return table.select(TABLES[name].names).cast(TABLES[name])


def read_manifest(output_dir: Path) -> dict[str, Any]:
    """The manifest, or an empty one when missing or unreadable."""
    path = output_dir / MANIFEST_NAME
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def update_manifest(output_dir: Path, stage: str, entry: dict[str, Any], *, common: dict[str, Any] | None = None) -> None:
    """Record one stage's counts, timings and inputs in manifest.json (atomically)."""
    manifest = read_manifest(output_dir)
    manifest.update(common or {})
    manifest.setdefault("stages", {})[stage] = entry
    atomic_write_bytes(
        output_dir / MANIFEST_NAME,
        (json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n").encode(),
    )


@contextlib.contextmanager
def output_lock(output_dir: Path, *, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold an exclusive lock on the output folder so two runs never interleave writes."""
    ensure_output_dir(output_dir)
    path = output_dir / LOCK_NAME
    try:
        fh = path.open("a+")
    except OSError as exc:
        raise OutputError(f"{output_dir}: cannot create lock file: {exc.strerror or exc}") from exc
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise LockedError(
                        f"{output_dir}: another pipeline run is writing to this folder; wait for it to finish"
                    ) from None
                time.sleep(0.2)
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        yield
    finally:
        fh.close()
