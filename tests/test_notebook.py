"""Notebook-ready outputs: load() types, DuckDB views, and notebooks/explore.ipynb executing end to end."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline.errors import MissingTableError
from pipeline.io import write_table
from pipeline.notebook import Tables, duckdb_connection, load
from pipeline.schemas import TABLES
from test_report import sample_tables

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"


def _write(out: Path, *, with_conflicts: bool = True, skip: tuple[str, ...] = ()) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    for name, table in sample_tables(with_conflicts=with_conflicts).items():
        if name not in skip:
            write_table(table, out, name, model={"name": "en_core_web_sm", "version": "3.8.0"})
    return out


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write(tmp_path_factory.mktemp("outputs"))


def test_load_gives_typed_dataframes(outputs: Path) -> None:
    t = load(outputs)
    assert isinstance(t, Tables)
    assert list(t) == list(TABLES) and t["claims"] is t.claims
    assert {name: len(df) for name, df in t.items()} == {
        "articles": 3, "sentences": 6, "entities": 6, "timexes": 0, "claims": 6, "claim_clusters": 6, "conflicts": 3,
    }
    for name, df in t.items():
        assert list(df.columns) == TABLES[name].names, name
    claims = t.claims.set_index("claim_id")
    # list columns are Python lists (null lists become [])
    assert all(type(v) is list for v in t.claims["entity_ids"])
    assert claims.loc["a1/c0", "entity_ids"] == ["E:trump", "E:putin", "E:hamburg"]
    assert claims.loc["a1/c0", "timex_ids"] == ["a1/t0"] and claims.loc["a1/c1", "timex_ids"] == []
    # dates are datetime.date objects, None when unknown
    assert t.articles.set_index("article_id")["published"].to_dict() == {
        "a1": dt.date(2018, 7, 20), "b2": None, "rejected:empty.txt": None,
    }
    assert claims.loc["a1/c0", "time_start"] == dt.date(2017, 7, 1) and claims.loc["a1/c1", "time_start"] is None
    assert t.articles[t.articles["published"] >= dt.date(2018, 1, 1)]["article_id"].tolist() == ["a1"]
    # booleans are bool, ids are str, ints keep nulls as pandas NA
    for col in ("negated", "hedged", "is_standalone"):
        assert t.claims[col].dtype == bool, col
    assert t.claim_clusters["is_representative"].dtype == bool
    assert claims.loc["b2/c0", "hedged"] and not claims.loc["a1/c0", "hedged"]
    for df, col in ((t.claims, "claim_id"), (t.claims, "article_id"), (t.conflicts, "conflict_id"), (t.articles, "article_id")):
        assert all(isinstance(v, str) for v in df[col]), col
    assert str(t.articles["views"].dtype) == "Int64" and pd.isna(t.articles["views"].iloc[1])
    assert t.sentences["start_char"].dtype == "int64" and t.conflicts["score"].dtype == "float64"
    # Parquet key-value metadata travels in attrs
    assert t.claims.attrs["pipeline"]["pipeline.table"] == "claims"
    assert t.claims.attrs["pipeline"]["pipeline.model.name"] == "en_core_web_sm"
    assert "pipeline.schema_version" in t.claims.attrs["pipeline"]


def test_load_empty_tables_keep_columns_and_types(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for name, schema in TABLES.items():
        write_table(schema.empty_table(), out, name)
    t = load(out)
    assert len(t.conflicts) == 0 and list(t.conflicts.columns) == TABLES["conflicts"].names
    assert t.claims["negated"].dtype == bool


def test_missing_table_is_a_typed_error(tmp_path: Path) -> None:
    out = _write(tmp_path / "out", skip=("conflicts",))
    with pytest.raises(MissingTableError, match=r"conflicts\.parquet: table not found; run the 'conflicts' stage"):
        load(out)
    with pytest.raises(MissingTableError, match="conflicts"):
        duckdb_connection(out)
    t = load(out, allow_missing=True)
    assert len(t.conflicts) == 0 and list(t.conflicts.columns) == TABLES["conflicts"].names
    con = duckdb_connection(out, allow_missing=True)
    assert con.execute("select count(*) from conflicts").fetchone() == (0,)
    with pytest.raises(MissingTableError):
        load(tmp_path / "does-not-exist")


def test_duckdb_views(outputs: Path) -> None:
    con = duckdb_connection(outputs)
    views = {r[0] for r in con.sql("select view_name from duckdb_views() where not internal").fetchall()}
    assert views == set(TABLES)
    assert con.sql("select kind, count(*) from conflicts group by 1 order by 1").fetchall() == [("date", 1), ("negation", 1), ("quantity", 1)]
    joined = con.sql(
        """
        select k.cluster_id, count(distinct c.article_id) as n
        from claims c join claim_clusters k using (claim_id)
        group by 1 having n >= 2
        """
    ).fetchall()
    assert joined == [("K1", 2)]
    assert con.execute("select entity_ids from claims where claim_id = 'a1/c0'").fetchone() == (["E:trump", "E:putin", "E:hamburg"],)


def test_duckdb_path_with_quote(tmp_path: Path) -> None:
    out = _write(tmp_path / "it's here")
    assert duckdb_connection(out).execute("select count(*) from articles").fetchone() == (3,)


# --------------------------------------------------------------------------- the example notebook


def test_committed_notebook_has_no_outputs() -> None:
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [] and cell.get("execution_count") is None


@pytest.mark.parametrize("with_conflicts", [True, False], ids=["conflicts", "no-conflicts"])
def test_notebook_executes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, with_conflicts: bool) -> None:
    nbformat = pytest.importorskip("nbformat", reason="nbformat not installed: pip install nbformat nbclient ipykernel")
    nbclient = pytest.importorskip("nbclient", reason="nbclient not installed: pip install nbclient ipykernel")
    pytest.importorskip("ipykernel", reason="ipykernel not installed: pip install ipykernel")
    pytest.importorskip("matplotlib", reason="matplotlib not installed: pip install matplotlib")

    out = _write(tmp_path / "outputs", with_conflicts=with_conflicts)
    work = tmp_path / "notebooks"
    work.mkdir()
    shutil.copy(NOTEBOOK, work / NOTEBOOK.name)
    monkeypatch.setenv("PIPELINE_OUTPUT", str(out))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(work / NOTEBOOK.name, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(work)}}, allow_errors=False
    )
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as exc:  # pragma: no cover - the message is the diagnosis
        pytest.fail(f"notebook failed:\n{exc}")
    except Exception as exc:  # the kernel cannot start at all (no kernelspec, no sockets, dies at startup)
        cannot_start = type(exc).__name__ in {"NoSuchKernel", "DeadKernelError"} or (
            type(exc) is RuntimeError and "kernel" in str(exc).lower()
        )
        if cannot_start:
            pytest.skip(f"cannot start a Jupyter kernel here: {type(exc).__name__}: {exc}")
        raise

    outputs = [o for cell in nb.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    texts = "\n".join(o.get("data", {}).get("text/plain", "") for o in outputs if o.output_type == "execute_result")
    assert "conflicts" in texts  # the row-count table
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 1  # the events plot
    assert "Donald Trump–Vladimir Putin" in texts  # events are headed in words, as on the page
    if with_conflicts:
        assert "July 2017" in texts and "Trump and Putin first met" in texts
