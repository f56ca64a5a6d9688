"""Parquet I/O: atomic writes, metadata, stable order, clear errors for missing or corrupt tables."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline import __version__
from pipeline.config import SCHEMA_VERSION
from pipeline.errors import CorruptTableError, LockedError, MissingTableError, OutputError
from pipeline.ingest import RawInput, ingest
from pipeline.io import ArticleCursor, SpillFile, TableWriter, ensure_output_dir, output_lock, read_table, table_batches, write_table


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


def _many_articles(n: int) -> object:
    return ingest([RawInput(f"{k:03d}.txt", f"Story {k} was published on Monday.".encode()) for k in range(n)])


def test_streamed_chunks_make_the_same_table_as_one_write(tmp_path: Path) -> None:
    table = _many_articles(10)
    write_table(table, tmp_path / "one", "articles")
    with TableWriter(tmp_path / "chunks", "articles") as out:
        for offset in range(0, 10, 3):
            out.write(table.slice(offset, 3))
    assert out.rows == 10
    assert read_table(tmp_path / "chunks", "articles").equals(read_table(tmp_path / "one", "articles"))
    # one row group per chunk: a reader can stream the table back in pieces
    assert pq.ParquetFile(tmp_path / "chunks" / "articles.parquet").num_row_groups == 4


def test_error_inside_a_streamed_write_keeps_last_good_table(tmp_path: Path) -> None:
    write_table(_articles(), tmp_path, "articles")
    before = (tmp_path / "articles.parquet").read_bytes()
    with pytest.raises(RuntimeError):
        with TableWriter(tmp_path, "articles") as out:
            out.write(_many_articles(3))
            raise RuntimeError("stage crashed half-way")
    assert (tmp_path / "articles.parquet").read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_chunks_out_of_article_order_are_refused(tmp_path: Path) -> None:
    table = _many_articles(4)
    with pytest.raises(OutputError, match="out of order"):
        with TableWriter(tmp_path, "articles") as out:
            out.write(table.slice(2, 2))
            out.write(table.slice(0, 2))
    assert not (tmp_path / "articles.parquet").exists()


@pytest.mark.parametrize("read_rows", [1, 3, 100])  # record batches smaller than, across, larger than an article batch
def test_article_cursor_hands_out_each_row_once_in_article_batches(tmp_path: Path, read_rows: int) -> None:
    table = _many_articles(10)
    write_table(table, tmp_path, "articles")
    cursor = ArticleCursor(tmp_path, "articles", columns=["article_id", "status"], read_rows=read_rows)
    ids = table["article_id"].to_pylist()
    got = [cursor.upto(ids[k]) for k in (2, 2, 6, 9)]
    assert [t["article_id"].to_pylist() for t in got] == [ids[:3], [], ids[3:7], ids[7:]]
    assert got[0].column_names == ["article_id", "status"]
    assert cursor.upto("zzz").num_rows == 0  # exhausted


def test_article_cursor_reports_missing_columns(tmp_path: Path) -> None:
    write_table(_articles(), tmp_path, "articles")
    with pytest.raises(MissingTableError):
        ArticleCursor(tmp_path, "sentences")


def test_a_column_subset_is_read_typed_and_unknown_columns_are_refused(tmp_path: Path) -> None:
    # Stages read the articles without their texts: the named columns only, in the asked order.
    write_table(_articles(), tmp_path, "articles")
    table = read_table(tmp_path, "articles", columns=["status", "article_id"])
    assert table.column_names == ["status", "article_id"]
    assert table["article_id"].to_pylist() == ["a", "b"]
    with pytest.raises(ValueError, match="columns of the articles table"):
        read_table(tmp_path, "articles", columns=["article_id", "body"])


def test_table_batches_walk_the_stored_rows_in_order(tmp_path: Path) -> None:
    articles = ingest([RawInput(f"{n}.txt", f"Story {n} was published on Monday.".encode()) for n in "edcba"])
    write_table(articles, tmp_path, "articles")
    batches = list(table_batches(tmp_path, "articles", columns=["article_id", "text"], rows=2))
    assert [b.num_rows for b in batches] == [2, 2, 1]
    assert [a for b in batches for a in b["article_id"].to_pylist()] == list("abcde")
    assert batches[0].column_names == ["article_id", "text"]


@pytest.mark.parametrize(
    "fail",
    [
        False,  # the with-block ends normally
        True,  # an error inside it: the temp file goes all the same
    ],
)
def test_spill_file_hands_back_each_write_as_a_group_and_leaves_nothing(tmp_path: Path, fail: bool) -> None:
    articles = _articles()
    try:
        with SpillFile(tmp_path, "articles", articles.schema) as spill:
            spill.write(articles.slice(0, 1))
            spill.write(articles.slice(0, 0))  # nothing to write: no empty group
            spill.write(articles.slice(1, 1))
            groups = [g["article_id"].to_pylist() for g in spill.groups()]
            assert groups == [g["article_id"].to_pylist() for g in spill.groups()] == [["a"], ["b"]]
            assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".spill.tmp")]
            if fail:
                raise RuntimeError("stage failed")
    except RuntimeError:
        assert fail
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("hold_rows", "on_disk_after"),
    [
        (0, [True, True]),  # nothing held: the file exists from the first write
        (1, [False, True]),  # the first row is held; the second makes both go to the file, in order
        (10, [False, False]),  # everything fits: no file, the groups come from memory
    ],
)
def test_spill_file_holds_rows_in_memory_until_there_are_more_than_hold_rows(tmp_path: Path, hold_rows: int, on_disk_after: list[bool]) -> None:
    articles = _articles()
    with SpillFile(tmp_path, "articles", articles.schema, hold_rows=hold_rows) as spill:
        seen = []
        for k in range(2):
            spill.write(articles.slice(k, 1))
            seen.append(any(p.name.endswith(".spill.tmp") for p in tmp_path.iterdir()))
        assert seen == on_disk_after
        assert spill.spilled is on_disk_after[-1]
        assert [g["article_id"].to_pylist() for g in spill.groups()] == [["a"], ["b"]]
    assert list(tmp_path.iterdir()) == []


def test_spill_file_refuses_a_negative_hold(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="hold_rows must be a non-negative integer, got -1"):
        SpillFile(tmp_path, "articles", _articles().schema, hold_rows=-1)
