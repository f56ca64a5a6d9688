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
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import __version__
from .config import SCHEMA_VERSION, PipelineConfig
from .errors import CorruptTableError, InputError, LockedError, MissingTableError, OutputError
from .ingest import RawInput, WarcRecord, input_kind, unsupported_type
from .schemas import SORT_KEYS, TABLES
from .stages import PRODUCER

MANIFEST_NAME = "manifest.json"
LOCK_NAME = ".lock"
#: Parse and pair caches, inside the output folder.
CACHE_DIR = ".cache"


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: Mode of the files the pipeline writes: what `open` would give under the umask (temp files
#: start as -rw------- and would keep it through the rename).
FILE_MODE = 0o666 & ~_umask()



def check_input_dir(input_dir: Path, output_dir: Path) -> None:
    """Refuse, before anything is created, an input folder that is missing, not a folder, or that
    holds the output folder (the next run would read the tables and report as articles)."""
    if not input_dir.exists():
        raise InputError(f"{input_dir}: input folder does not exist")
    if not input_dir.is_dir():
        raise InputError(f"{input_dir}: input is not a folder")
    inp, out = input_dir.resolve(), output_dir.resolve()
    if out == inp:
        raise InputError(f"{input_dir}: the input folder is also the output folder; give --output another folder")
    if inp in out.parents and not any(part.startswith(".") for part in out.relative_to(inp).parts):
        raise InputError(
            f"{input_dir}: the output folder {output_dir} is inside the input folder, whose next run would read it; "
            "choose an output outside it (or a hidden one)"
        )


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


_NOT_REGULAR = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _why_not_readable(path: Path, root: Path) -> str | None:
    """Why an input path must not be opened, or None: links out of the folder and anything but a
    regular file are refused by their metadata alone (opening a FIFO blocks; /dev/zero never ends)."""
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return "symbolic link to nothing (broken or looping link)"
        if not target.is_relative_to(root):
            return f"symbolic link to {target}, outside the input folder (not followed)"
    mode = path.stat().st_mode
    for test, kind in _NOT_REGULAR:
        if test(mode):
            return f"not a regular file: {kind}"
    if not stat.S_ISREG(mode):
        return "not a regular file"
    return None


def read_inputs(input_dir: Path, *, config: PipelineConfig) -> Iterator[RawInput]:
    """Read each input file; unreadable ones come back with a read error instead of raising.

    Only regular files inside the folder are opened; an unsupported type is refused by its name,
    and reads stop just past the size limit whatever `stat` says (a `.html.gz` page, past it once
    decompressed). A WARC archive is read later, record by record, the limit applying to each."""
    root = input_dir.resolve()
    for path in list_inputs(input_dir):
        name = path.relative_to(input_dir).as_posix()
        try:
            refused = _why_not_readable(path, root)
            if refused is not None:
                yield RawInput(name, None, refused)
                continue
            kind = input_kind(name, config=config)
            if kind is None:
                yield RawInput(name, None, unsupported_type(path.suffix.lower(), config=config))
                continue
            if kind == "jsonl":
                with path.open("rb"):  # readable now; its records are read one line at a time later
                    pass
                yield RawInput(name, None, lines=lambda path=path: _lines_of(path, config.max_article_bytes))  # type: ignore[misc]
                continue
            if kind == "warc":
                with path.open("rb"):
                    pass
                yield RawInput(name, None, records=lambda path=path: warc_records(path, config=config))  # type: ignore[misc]
                continue
            if kind == "html" and name.lower().endswith(".gz"):
                yield _gunzipped(path, name, config.max_page_bytes)
                continue
            limit, setting = (config.max_page_bytes, "max_page_bytes") if kind == "html" else (config.max_article_bytes, "max_article_bytes")
            with path.open("rb") as fh:
                data = fh.read(limit + 1)  # bounded: /proc-like files report size 0
            if len(data) > limit:
                size = max(path.stat().st_size, len(data))
                yield RawInput(name, None, f"file is {size / 1e6:.1f} MB, over the {limit / 1e6:g} MB limit ({setting})")
                continue
            yield RawInput(name, data)
        except OSError as exc:
            yield RawInput(name, None, f"cannot read file: {exc.strerror or exc}")


def _gunzipped(path: Path, name: str, limit: int) -> RawInput:
    """A gzip-compressed page, decompressed at most `limit` + 1 bytes (a gzip bomb stops there)."""
    import gzip
    import zlib

    try:
        with gzip.open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except (OSError, EOFError, zlib.error) as exc:
        return RawInput(name, None, f"cannot decompress: not a valid gzip file ({exc})")
    if len(data) > limit:
        return RawInput(name, None, f"page is over {limit / 1e6:g} MB once decompressed, over the limit (max_page_bytes)")
    return RawInput(name, data)


def warc_records(path: Path, *, config: PipelineConfig) -> Iterator[WarcRecord]:
    """The records of a WARC archive, streamed: only the HTTP body of a 200 HTML response is read,
    at most `max_page_bytes` + 1 bytes of it; the rest of every record is skipped in chunks.

    Damage (a truncated record, bytes that are not a record, a corrupt gzip member) ends the
    stream with one record whose `damage` says what and where."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    limit = config.max_page_bytes
    offset = 0
    with path.open("rb") as fh:
        records = ArchiveIterator(fh, arc2warc=False)
        try:
            for record in records:
                offset = records.offset
                if record.format != "warc":  # warcio reads ARC too, and takes any text line for an ARC header
                    yield WarcRecord(offset, "damaged", damage="not a WARC record (no WARC/1.x header)")
                    return
                found = _warc_record(record, offset, limit, config.html_media_types)
                while record.raw_stream.read(1 << 16):  # skip the rest of the record, a chunk at a time
                    pass
                if getattr(record.raw_stream, "limit", 0) > 0:
                    yield WarcRecord(offset, "damaged", damage=f"record truncated ({record.raw_stream.limit} of its bytes missing)")
                    return
                yield found
        except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
            yield WarcRecord(records.offset, "damaged", damage=f"not a readable WARC record ({str(exc).splitlines()[0][:160]})")
            return
        end, size = records.offset, os.fstat(fh.fileno()).st_size
        if end < size:
            yield WarcRecord(end, "damaged", damage=f"{size - end} bytes after the last whole record are not a readable record")


def _warc_record(record: Any, offset: int, limit: int, html_types: Sequence[str]) -> WarcRecord:
    """One record's headers, and its HTTP body when it is a 200 HTML response under the limit."""
    headers = record.rec_headers
    http = record.http_headers
    status: int | None = None
    content_type = headers.get_header("Content-Type")
    if http is not None:
        with contextlib.suppress(TypeError, ValueError):
            status = int(http.get_statuscode())
        content_type = http.get_header("Content-Type") or content_type
    try:
        size = int(headers.get_header("Content-Length") or 0)
    except ValueError:
        size = 0
    payload: bytes | None = None
    mime = (content_type or "").split(";")[0].strip().lower()
    if record.rec_type in ("response", "resource") and status in (None, 200) and mime in html_types and size <= limit + 4096:
        body = record.content_stream().read(limit + 1)
        payload = body if len(body) <= limit else None
        size = max(size, len(body))
    return WarcRecord(
        offset=offset,
        warc_type=record.rec_type or "unknown",
        url=headers.get_header("WARC-Target-URI"),
        warc_date=headers.get_header("WARC-Date"),
        status=status,
        content_type=content_type,
        digest=headers.get_header("WARC-Payload-Digest"),
        size=size,
        payload=payload,
    )


def _lines_of(path: Path, limit: int) -> Iterator[bytes]:
    """The file's lines, each read at most `limit` + 2 bytes at a time: a longer line is yielded cut
    (its record is then rejected as too large) and the rest of it skipped, never held whole."""
    with path.open("rb") as fh:
        while line := fh.readline(limit + 2):
            yield line
            if not line.endswith(b"\n") and len(line) >= limit + 2:
                while (rest := fh.readline(1 << 20)) and not rest.endswith(b"\n"):
                    pass


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


def atomic_write_bytes(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write bytes to a temp file beside `path`, fsync, then rename over it.

    ``durable=False`` skips the fsync: for cache entries whose readers treat an unreadable file
    as missing. The rename still means a crashed process never leaves a half-written entry; only
    a crash of the machine itself could.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _table_metadata(name: str, model: dict[str, str] | None) -> dict[bytes, bytes]:
    meta = {
        b"pipeline.table": name.encode(),
        b"pipeline.schema_version": SCHEMA_VERSION.encode(),
        b"pipeline.version": __version__.encode(),
    }
    for key, value in (model or {}).items():
        meta[f"pipeline.model.{key}".encode()] = str(value).encode()
    return meta


class TableWriter:
    """Streams a named table to Parquet, one row group per written chunk, then renames it into place.

    Chunks are written to a temp file beside the table; only a complete, closed file is renamed
    over the table, so a crash (or an exception inside the ``with``) leaves the last good table.
    Each chunk gets the table's stable row order; chunks must arrive in that order too (the
    per-article stages hand over consecutive batches of articles), which is checked.
    """

    def __init__(self, output_dir: Path, name: str, *, model: dict[str, str] | None = None) -> None:
        self.path = table_path(output_dir, name)
        self.name = name
        self.rows = 0
        self._schema = TABLES[name].with_metadata(_table_metadata(name, model))
        self._first_key = (SORT_KEYS.get(name) or [None])[0]
        self._last: object = None
        self._tmp: str | None = None
        self._writer: pq.ParquetWriter | None = None

    def __enter__(self) -> TableWriter:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, self._tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
            os.fchmod(fd, FILE_MODE)
            os.close(fd)
            self._writer = pq.ParquetWriter(self._tmp, self._schema, compression="zstd")
        except OSError as exc:
            self._discard()
            raise OutputError(f"{self.path}: cannot write table: {exc.strerror or exc}") from exc
        return self

    def write(self, table: pa.Table) -> None:
        """Append a chunk of rows (any column order; cast to the table's schema)."""
        if table.num_rows == 0:
            return
        assert self._writer is not None, "TableWriter used outside its with-block"
        chunk = sort_table(table.select(self._schema.names).cast(TABLES[self.name]), self.name)
        if self._first_key is not None:
            first = chunk[self._first_key][0].as_py()
            if self._last is not None and first < self._last:  # type: ignore[operator]
                raise OutputError(f"{self.path}: rows written out of order ({first!r} after {self._last!r})")
            self._last = chunk[self._first_key][-1].as_py()
        try:
            self._writer.write_table(chunk.replace_schema_metadata(self._schema.metadata), row_group_size=50_000)
        except OSError as exc:
            raise OutputError(f"{self.path}: cannot write table: {exc.strerror or exc}") from exc
        self.rows += chunk.num_rows

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is not None:
            self._discard()
            return
        assert self._writer is not None and self._tmp is not None
        try:
            self._writer.close()
            self._writer = None
            with open(self._tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(self._tmp, self.path)
            self._tmp = None
        except OSError as exc:
            self._discard()
            raise OutputError(f"{self.path}: cannot write table: {exc.strerror or exc}") from exc

    def _discard(self) -> None:
        _close_and_remove(self._writer, self._tmp)
        self._writer, self._tmp = None, None


def _close_and_remove(writer: pq.ParquetWriter | None, path: str | None) -> None:
    """Close a half-written Parquet file and delete it, ignoring what fails: it is discarded anyway."""
    if writer is not None:
        with contextlib.suppress(Exception):
            writer.close()
    if path is not None:
        with contextlib.suppress(OSError):
            os.unlink(path)


class SpillFile:
    """A temp Parquet file beside the tables for rows a stage must walk more than once (entity
    linking's passes over the mentions), instead of holding them: one row group per write, read back
    group by group; removed when the ``with`` ends, whatever happens.

    Up to ``hold_rows`` rows are held in memory instead, and written out only once more arrive: a
    small input costs no file and no reading back (``spilled`` says which happened).
    """

    def __init__(self, output_dir: Path, name: str, schema: pa.Schema, *, hold_rows: int = 0) -> None:
        if hold_rows < 0:
            raise ValueError(f"hold_rows must be a non-negative integer, got {hold_rows!r}")
        self._dir, self._name, self._schema = output_dir, name, schema
        self._hold_rows = hold_rows
        self._held: list[pa.Table] | None = []  # None once the rows went to the file
        self._held_rows = 0
        self._path: str | None = None
        self._writer: pq.ParquetWriter | None = None
        self._open = False

    def __enter__(self) -> SpillFile:
        self._open = True
        if self._hold_rows == 0:
            self._spill()
        return self

    @property
    def spilled(self) -> bool:
        """Whether the rows went to the temp file (more than ``hold_rows`` of them were written)."""
        return self._held is None

    def _spill(self) -> None:
        """Create the temp file and move the held rows to it; later writes go straight there."""
        held, self._held = self._held or [], None
        try:
            fd, self._path = tempfile.mkstemp(prefix=f".{self._name}.", suffix=".spill.tmp", dir=self._dir)
            os.close(fd)
            self._writer = pq.ParquetWriter(self._path, self._schema, compression="zstd")
        except OSError as exc:
            self.__exit__(None, None, None)
            raise OutputError(f"{self._dir}: cannot write a temp file: {exc.strerror or exc}") from exc
        for table in held:
            self._write_group(table)

    def _write_group(self, table: pa.Table) -> None:
        assert self._writer is not None
        try:
            self._writer.write_table(table, row_group_size=max(1, table.num_rows))
        except OSError as exc:
            raise OutputError(f"{self._path}: cannot write a temp file: {exc.strerror or exc}") from exc

    def write(self, table: pa.Table) -> None:
        """Append rows as one row group (a group is what `groups` hands back together)."""
        assert self._open, "SpillFile used outside its with-block"
        if not table.num_rows:
            return
        table = table.cast(self._schema)
        if self._held is not None:
            self._held.append(table)
            self._held_rows += table.num_rows
            if self._held_rows > self._hold_rows:
                self._spill()
            return
        self._write_group(table)

    def finished(self) -> str | None:
        """The file's path, closed for writing (what was written is all there is to read); None
        while the rows are held in memory."""
        assert self._open, "SpillFile used outside its with-block"
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        return self._path

    def groups(self) -> Iterator[pa.Table]:
        """The written row groups, in order (the file is closed for writing on the first call)."""
        path = self.finished()
        if self._held is not None:
            yield from self._held
            return
        assert path is not None
        parquet = pq.ParquetFile(path)
        for index in range(parquet.num_row_groups):
            yield parquet.read_row_group(index)

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        _close_and_remove(self._writer, self._path)
        self._writer, self._path = None, None
        self._held, self._held_rows, self._open = [], 0, False


#: Memory DuckDB may use to sort a table that came in several batches; beyond it, it sorts on disk.
SORT_MEMORY = "512MB"


def write_sorted(spill: SpillFile, output_dir: Path, name: str, *, model: dict[str, str] | None = None, rows: int = 4_096) -> int:
    """Write the rows in `spill` as the named table, in its stable order, without holding them all:
    DuckDB sorts them (an external sort, spilling to a temp folder beside the tables). Returns the rows."""
    import duckdb

    keys = ", ".join(f'"{k}"' for k in SORT_KEYS[name])
    path = spill.finished()
    assert path is not None, "write_sorted needs a SpillFile whose rows went to its file (spilled)"
    scratch = tempfile.mkdtemp(prefix=f".{name}.sort.", dir=output_dir)
    try:
        con = duckdb.connect(config={"memory_limit": SORT_MEMORY, "temp_directory": scratch, "threads": 1})
        try:
            reader = con.read_parquet(path).order(keys).to_arrow_reader(rows)
            with TableWriter(output_dir, name, model=model) as out:
                for batch in reader:
                    out.write(pa.Table.from_batches([batch]))
        finally:
            con.close()
    except duckdb.Error as exc:
        raise OutputError(f"{table_path(output_dir, name)}: cannot sort the table: {exc}") from exc
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return out.rows


def write_table(table: pa.Table, output_dir: Path, name: str, *, model: dict[str, str] | None = None) -> Path:
    """Write a whole named table atomically with schema/pipeline/model versions as key-value metadata."""
    with TableWriter(output_dir, name, model=model) as writer:
        writer.write(table)
    return writer.path


def _checked_path(output_dir: Path, name: str) -> Path:
    path = table_path(output_dir, name)
    if not path.exists():
        raise MissingTableError(path, stage=PRODUCER[name])
    return path


class ArticleCursor:
    """Reads a table stored in article order forward, one batch of consecutive articles at a time.

    The per-article stages walk the articles table in batches; ``upto(last_id)`` returns the rows of
    this table for every article up to and including ``last_id`` that were not handed out yet. Only
    one Parquet record batch beyond the current articles is ever held in memory.
    """

    def __init__(self, output_dir: Path, name: str, *, columns: list[str] | None = None, read_rows: int = 16_384) -> None:
        path = _checked_path(output_dir, name)
        self._columns = columns or TABLES[name].names
        self._schema = pa.schema([TABLES[name].field(c) for c in self._columns])
        try:
            parquet = pq.ParquetFile(path)
            missing = [c for c in self._columns if c not in parquet.schema_arrow.names]
            if missing:
                raise CorruptTableError(f"{path}: missing columns {', '.join(missing)}; rerun the '{PRODUCER[name]}' stage")
            self._batches = parquet.iter_batches(batch_size=read_rows, columns=self._columns)
        except (OSError, pa.ArrowException) as exc:
            raise CorruptTableError(f"{path}: not a readable Parquet file ({exc}); rerun the '{PRODUCER[name]}' stage") from exc
        self._path, self._name = path, name
        self._pending = self._schema.empty_table()
        self._done = False

    def upto(self, last_article_id: str) -> pa.Table:
        """Rows of the articles up to ``last_article_id`` (in the table's order) not returned before."""
        while not self._done and (
            self._pending.num_rows == 0 or self._pending["article_id"][-1].as_py() <= last_article_id
        ):
            try:
                batch = next(self._batches)
            except StopIteration:
                self._done = True
                break
            except (OSError, pa.ArrowException) as exc:
                raise CorruptTableError(f"{self._path}: not a readable Parquet file ({exc}); rerun the '{PRODUCER[self._name]}' stage") from exc
            chunk = pa.Table.from_batches([batch]).cast(self._schema)
            self._pending = pa.concat_tables([self._pending, chunk]) if self._pending.num_rows else chunk
        n = int(pc.sum(pc.less_equal(self._pending["article_id"], last_article_id)).as_py() or 0)
        out, self._pending = self._pending.slice(0, n), self._pending.slice(n)
        return out


def read_table(output_dir: Path, name: str, *, columns: Sequence[str] | None = None) -> pa.Table:
    """Read a named table (all the contract's columns, or only `columns`), checking that it exists
    and carries them."""
    path = _checked_path(output_dir, name)
    wanted = list(columns) if columns is not None else TABLES[name].names
    unknown = [c for c in wanted if c not in TABLES[name].names]
    if unknown:
        raise ValueError(f"columns must be columns of the {name} table, got {', '.join(map(repr, unknown))}")
    try:
        stored = pq.ParquetFile(path).schema_arrow.names
        missing = [c for c in wanted if c not in stored]
        if missing:
            raise CorruptTableError(f"{path}: missing columns {', '.join(missing)}; rerun the '{PRODUCER[name]}' stage")
        table = pq.read_table(path, columns=wanted)
    except (OSError, pa.ArrowException) as exc:
        raise CorruptTableError(f"{path}: not a readable Parquet file ({exc}); rerun the '{PRODUCER[name]}' stage") from exc
    return table.select(wanted).cast(pa.schema([TABLES[name].field(c) for c in wanted]))


def table_batches(output_dir: Path, name: str, *, columns: Sequence[str], rows: int = 4_096) -> Iterator[pa.Table]:
    """A named table's `columns` in stored order, `rows` at a time: to walk a large column (the
    article texts) without holding it whole."""
    path = _checked_path(output_dir, name)
    schema = pa.schema([TABLES[name].field(c) for c in columns])
    try:
        for batch in pq.ParquetFile(path).iter_batches(batch_size=rows, columns=list(columns)):
            yield pa.Table.from_batches([batch]).cast(schema)
    except (OSError, pa.ArrowException) as exc:
        raise CorruptTableError(f"{path}: not a readable Parquet file ({exc}); rerun the '{PRODUCER[name]}' stage") from exc


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


#: Descriptors of output locks this process holds: a forked worker closes its copies at once, so
#: the lock (an flock on the open file, shared with every fork) dies with the run that took it.
_HELD_LOCKS: set[int] = set()


def _close_inherited_locks() -> None:
    for fd in tuple(_HELD_LOCKS):
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD_LOCKS.clear()


os.register_at_fork(after_in_child=_close_inherited_locks)


@contextlib.contextmanager
def output_lock(output_dir: Path, *, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold an exclusive lock on the output folder so two runs never interleave writes."""
    ensure_output_dir(output_dir)
    path = output_dir / LOCK_NAME
    fh = _open_lock(path, output_dir)
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                if _same_file(fh.fileno(), path):
                    break
                # the holder removed the file as it finished: this lock is on a file nobody else sees
                fh.close()
                fh = _open_lock(path, output_dir)
                continue
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
        _HELD_LOCKS.add(fh.fileno())
        recover_publish(output_dir)
        yield
        with contextlib.suppress(OSError):
            path.unlink()  # still holding the lock: a run waiting on this file sees it gone and retries
    finally:
        _HELD_LOCKS.discard(fh.fileno())
        fh.close()


def _open_lock(path: Path, output_dir: Path) -> Any:
    try:
        return path.open("a+")
    except OSError as exc:
        raise OutputError(f"{output_dir}: cannot create lock file: {exc.strerror or exc}") from exc


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), os.stat(path))
    except FileNotFoundError:
        return False


def free_space(output_dir: Path) -> int:
    """Remove the caches, a failed run's staging folder and leftover temp files under the output
    folder (after running out of space); the published tables stay. Returns the bytes freed."""
    freed = 0
    victims = [output_dir / CACHE_DIR, output_dir / STAGING_DIR, *output_dir.glob(".*.tmp"), *output_dir.glob("*/.*.tmp")]
    for victim in victims:
        try:
            if victim.is_dir() and not victim.is_symlink():
                freed += sum(f.stat().st_size for f in victim.rglob("*") if f.is_file())
                shutil.rmtree(victim, ignore_errors=True)
            elif victim.exists():
                freed += victim.stat().st_size
                victim.unlink()
        except OSError:
            continue
    return freed


#: Where `pipeline run` builds a new set of tables, report and manifest before switching it in.
STAGING_DIR = ".next"
#: Where `make` builds the set stage by stage (kept between builds, so only stale stages rerun)
#: before `pipeline publish` switches it in.
WORK_DIR = ".work"
#: During a switch: the new set's files, linked beside their places; `.complete` marks it whole.
_INCOMING = ".incoming"
_COMPLETE = ".complete"


def published_files(staging: Path) -> list[str]:
    """What a complete set in `staging` holds (relative paths): its tables, the report folder's
    files and, last, the manifest."""
    tables = sorted(p.name for p in staging.glob("*.parquet") if p.is_file())
    report = sorted(p.relative_to(staging).as_posix() for p in (staging / "report").rglob("*") if p.is_file() and not p.name.startswith("."))
    manifest = [MANIFEST_NAME] if (staging / MANIFEST_NAME).is_file() else []
    return tables + report + manifest


def publish(staging: Path, output_dir: Path) -> list[str]:
    """Switch the set of tables, report and manifest built in `staging` into `output_dir`, as a whole.

    Each file is hard-linked (or copied) into a folder beside its place and the folder is marked
    complete; only then are the files renamed into place. A crash before the mark leaves the last
    set untouched; one after it is finished by `recover_publish`, which every locked run calls
    first. Readers never find some tables of one run beside tables of another. The caller holds
    the output folder's lock. Returns the files switched in.
    """
    incoming = output_dir / _INCOMING
    shutil.rmtree(incoming, ignore_errors=True)
    names = published_files(staging)
    for name in names:
        if (output_dir / name).is_dir():  # found now, not halfway through the switch
            what = "table" if name.endswith(".parquet") else "report" if name.startswith("report/") else "file"
            raise OutputError(f"{output_dir / name}: cannot write {what}: a folder is in its place")
    for name in names:
        target = incoming / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if name == MANIFEST_NAME:
            shutil.copyfile(staging / name, target)  # a new file: `make` sees the set as newer than its parts
            os.chmod(target, FILE_MODE)
            continue
        try:
            os.link(staging / name, target)  # no copy of the data: the staged file becomes the table
        except OSError:
            shutil.copy2(staging / name, target)
    atomic_write_bytes(incoming / _COMPLETE, json.dumps(names).encode())
    _switch_in(output_dir)
    return names


def recover_publish(output_dir: Path) -> None:
    """Finish a switch a crash interrupted after its set was complete, or drop an incomplete one."""
    incoming = output_dir / _INCOMING
    if (incoming / _COMPLETE).is_file():
        _switch_in(output_dir)
    elif incoming.exists():
        shutil.rmtree(incoming, ignore_errors=True)


def _switch_in(output_dir: Path) -> None:
    incoming = output_dir / _INCOMING
    names = json.loads((incoming / _COMPLETE).read_text(encoding="utf-8"))
    for name in names:
        source = incoming / name
        if source.exists():  # absent: switched in before the crash
            try:
                (output_dir / name).parent.mkdir(parents=True, exist_ok=True)
                os.replace(source, output_dir / name)
            except OSError as exc:
                raise OutputError(f"{output_dir / name}: cannot switch the new file in: {exc.strerror or exc}") from exc
    shutil.rmtree(incoming, ignore_errors=True)
