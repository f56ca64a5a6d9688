"""Parquet I/O: atomic writes, metadata, stable order, clear errors for missing or corrupt tables."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline import __version__
from pipeline.config import SCHEMA_VERSION
from pipeline.errors import CorruptTableError, LockedError, MissingTableError, OutputError
from pipeline.ingest import RawInput, ingest
from pipeline.io import ensure_output_dir, output_lock, read_table, write_table


def _articles() -> object:
    return ingest([RawInput(f"{n}.txt", f"Story {n} was published on Monday.".encode()) for n in "ba"])


def test_write_adds_metadata_and_sorts(tmp_path: Path) -> None:
    write_table(_articles(), tmp_path, "articles", model={"name": "m", "version": "1"})
    meta = pq.read_schema(tmp_path / "articles.parquet").metadata
    assert meta[b"pipeline.schema_version"] == SCHEMA_VERSION.encode()
    assert meta[b"pipeline.version"] == __version__.encode()
    assert meta[b"pipeline.model.name"] == b"m"
    assert read_table(tmp_path, "articles")["article_id"].to_pylist() == ["a", "b"]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_failed_write_keeps_last_good_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_table(_articles(), tmp_path, "articles")
    before = (tmp_path / "articles.parquet").read_bytes()

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("pipeline.io.os.replace", boom)
    with pytest.raises(OutputError, match="No space left"):
        write_table(ingest([RawInput("c.txt", b"Other story on Friday.")]), tmp_path, "articles")
    assert (tmp_path / "articles.parquet").read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_missing_and_corrupt_tables_raise_typed_errors(tmp_path: Path) -> None:
    with pytest.raises(MissingTableError, match="run the 'ingest' stage first"):
        read_table(tmp_path, "articles")
    (tmp_path / "articles.parquet").write_bytes(b"not parquet")
    with pytest.raises(CorruptTableError, match="not a readable Parquet file"):
        read_table(tmp_path, "articles")


def test_second_holder_of_the_lock_is_refused(tmp_path: Path) -> None:
    with output_lock(tmp_path):
        with pytest.raises(LockedError, match="another pipeline run"):
            with output_lock(tmp_path):
                pass
    with output_lock(tmp_path):  # released: can be taken again
        pass


def test_unwritable_output_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="cannot create output folder"):
        ensure_output_dir(blocker / "out")
