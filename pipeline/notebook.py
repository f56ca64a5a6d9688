"""Notebook helpers: the output tables as typed pandas DataFrames, and a DuckDB connection over them.

    from pipeline.notebook import load, duckdb_connection
    t = load("outputs")              # t.claims, t.conflicts, ... (also t["claims"], dict(t.items()))
    con = duckdb_connection("outputs")
    con.sql("select kind, count(*) from conflicts group by 1").df()

Types in the DataFrames (chosen so rows can be used as plain Python values):

- ids and other text: pandas' default string dtype (``str`` on pandas 3, ``object`` on pandas 2);
  every value is a Python ``str``; nulls are missing values (``pd.isna``);
- list columns (``entity_ids``, ``timex_ids``, ``unresolved``): Python ``list`` of ``str``; a null
  list becomes ``[]`` so ``.explode()`` and ``len`` work without special cases;
- date columns (``published``, ``start_date``, ``end_date``, ``time_start``, ``time_end``):
  ``datetime.date`` objects (object dtype), ``None`` when unknown; ``pd.to_datetime(col)`` gives
  datetime64 for resampling or plotting;
- booleans: numpy ``bool``; a nullable boolean column that actually holds nulls becomes pandas'
  ``boolean`` dtype;
- integers: numpy ``int32``/``int64`` for non-nullable columns, pandas nullable ``Int32``/``Int64``
  for nullable ones (``views``, ``n_sources``, ...); floats: ``float64`` with NaN for null.

Each DataFrame's ``attrs["pipeline"]`` holds the table's Parquet key-value metadata
(schema version, pipeline version, model name and version).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.parquet as pq

from .errors import MissingTableError
from .io import PRODUCER, read_table, table_path
from .schemas import TABLES

if TYPE_CHECKING:
    import duckdb
    import pandas as pd


@dataclass(frozen=True)
class Tables:
    """The seven output tables as DataFrames; attribute access, ``t["name"]`` and ``t.items()`` all work."""

    articles: pd.DataFrame
    sentences: pd.DataFrame
    entities: pd.DataFrame
    timexes: pd.DataFrame
    claims: pd.DataFrame
    claim_clusters: pd.DataFrame
    conflicts: pd.DataFrame

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in TABLES:
            raise KeyError(f"unknown table {name!r}; tables are: {', '.join(TABLES)}")
        return getattr(self, name)

    def keys(self) -> list[str]:
        return [f.name for f in dataclasses.fields(self)]

    def items(self) -> Iterator[tuple[str, pd.DataFrame]]:
        return ((name, getattr(self, name)) for name in self.keys())

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self.keys())


def to_pandas(table: pa.Table, schema: pa.Schema) -> pd.DataFrame:
    """Convert one table to a DataFrame with the notebook-friendly types described in the module doc."""
    import pandas as pd  # imported here: every stage process imports this package, few need pandas

    meta = table.schema.metadata or {}
    table = table.select(schema.names).cast(schema)
    columns: dict[str, pd.Series] = {}
    for field in schema:
        col = table.column(field.name)
        t = field.type
        if pa.types.is_list(t) or pa.types.is_large_list(t):
            series = pd.Series([list(v) if v is not None else [] for v in col.to_pylist()], dtype=object)
        elif pa.types.is_date(t):
            series = pd.Series(col.to_pylist(), dtype=object)
        elif pa.types.is_boolean(t):
            values = col.to_pylist()
            if col.null_count:
                series = pd.Series(values, dtype=pd.BooleanDtype())
            else:
                series = pd.Series(values, dtype=bool)
        elif pa.types.is_integer(t) and field.nullable:
            series = pd.Series(col.to_pylist(), dtype=pd.Int32Dtype() if t == pa.int32() else pd.Int64Dtype())
        else:
            series = col.to_pandas()
        columns[field.name] = series.reset_index(drop=True)
    df = pd.DataFrame(columns, index=pd.RangeIndex(table.num_rows))
    df.attrs["pipeline"] = {k.decode(): v.decode() for k, v in meta.items() if k.startswith(b"pipeline.")}
    return df


def _read(output_dir: Path, name: str, allow_missing: bool) -> pa.Table:
    try:
        table = read_table(output_dir, name)
    except MissingTableError:
        if not allow_missing:
            raise
        return TABLES[name].empty_table()
    # read_table's cast keeps data but drops file metadata: put it back for df.attrs.
    meta = pq.read_schema(table_path(output_dir, name)).metadata
    return table.replace_schema_metadata(meta)


def load(output_dir: str | Path = "outputs", *, allow_missing: bool = False) -> Tables:
    """Every output table of `output_dir` as typed pandas DataFrames.

    Raises MissingTableError (naming the table and the stage that writes it) when a table is
    absent, unless ``allow_missing=True``, which gives empty DataFrames with the right columns.
    Raises CorruptTableError when a file is not readable Parquet or lacks contract columns.
    """
    out = Path(output_dir)
    return Tables(**{name: to_pandas(_read(out, name, allow_missing), schema) for name, schema in TABLES.items()})


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def duckdb_connection(output_dir: str | Path = "outputs", *, allow_missing: bool = False) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with one VIEW per table (``articles``, ``sentences``, ...).

    Views read the Parquet files directly, so queries always see the current files. A missing
    table raises MissingTableError, unless ``allow_missing=True``, which creates an empty
    table with the right columns in its place.
    """
    import duckdb

    out = Path(output_dir)
    missing = [n for n in TABLES if not table_path(out, n).exists()]
    if missing and not allow_missing:
        raise MissingTableError(table_path(out, missing[0]), stage=PRODUCER[missing[0]])
    con = duckdb.connect(":memory:")
    for name, schema in TABLES.items():
        path = table_path(out, name)
        if path.exists():
            con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet({_sql_string(str(path.resolve()))})")
        else:
            con.from_arrow(schema.empty_table()).create(name)
    return con
