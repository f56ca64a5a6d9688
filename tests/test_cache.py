"""Per-article result caches: keys change with any input, and a bad entry is recomputed, never trusted."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from pipeline.cache import RowCache, cache_key, code_version, rows_digest

SCHEMA = pa.schema([("article_id", pa.string()), ("n", pa.int64())])


def test_rows_round_trip(tmp_path: Path) -> None:
    cache = RowCache(tmp_path, SCHEMA)
    rows = pa.table({"article_id": ["a", "a"], "n": [1, 2]}, schema=SCHEMA)
    assert cache.get("k" * 40) is None
    cache.put("k" * 40, rows)
    assert cache.get("k" * 40).equals(rows)


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(b"half a file"),  # an interrupted or corrupted entry
        lambda p: p.write_bytes(b""),  # an empty file
    ],
)
def test_unreadable_entry_is_a_miss(tmp_path: Path, damage) -> None:  # type: ignore[no-untyped-def]
    cache = RowCache(tmp_path, SCHEMA)
    cache.put("a" * 40, pa.table({"article_id": ["a"], "n": [1]}, schema=SCHEMA))
    damage(cache.path("a" * 40))
    assert cache.get("a" * 40) is None


def test_entry_of_another_schema_is_a_miss(tmp_path: Path) -> None:
    old = RowCache(tmp_path, pa.schema([("article_id", pa.string())]))
    old.put("b" * 40, pa.table({"article_id": ["a"]}))
    assert RowCache(tmp_path, SCHEMA).get("b" * 40) is None


def test_code_version_follows_file_contents(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "a.json").write_text("{}")
    (tmp_path / "code.py").write_text("x = 1")
    before = code_version([tmp_path / "code.py", tmp_path / "rules"])
    assert code_version([tmp_path / "code.py", tmp_path / "rules"]) == before  # stable
    (tmp_path / "rules" / "a.json").write_text('{"new": 1}')
    assert code_version([tmp_path / "code.py", tmp_path / "rules"]) != before  # data inside a folder counts


def test_keys_depend_on_row_values_not_layout() -> None:
    rows = pa.table({"article_id": ["a", "b"], "n": [1, 2]}, schema=SCHEMA)
    sliced = pa.concat_tables([rows.slice(0, 1), rows.slice(1, 1)])  # same rows, other chunks
    assert rows_digest(sliced) == rows_digest(rows)
    assert rows_digest(rows.slice(0, 1)) != rows_digest(rows)
    assert cache_key("v1", rows_digest(rows)) != cache_key("v2", rows_digest(rows))
