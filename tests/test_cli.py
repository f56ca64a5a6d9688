"""CLI: one-line errors with documented exit codes, summary line, every input accounted for."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from pipeline.cli import main


@pytest.fixture
def mixed_input(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("Storm Hits Coast\n\nThe storm hit the coast on Monday. Two people were hurt.\n")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    (folder / "feed.jsonl").write_text(
        json.dumps({"id": "f1", "text": "The mayor resigned on Friday after a vote.", "published": "2020-01-03"})
        + "\n{not json\n"
    )
    return folder


def test_run_accounts_for_every_input_and_prints_summary(mixed_input: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", "--input", str(mixed_input), "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "2 accepted / 3 rejected" in result.output
    articles = pq.read_table(out / "articles.parquet").to_pylist()
    assert {a["source"] for a in articles} == {"good.txt", "empty.txt", "image.txt", "feed.jsonl:1", "feed.jsonl:2"}
    assert all((a["status"] == "ok") == (a["error"] is None) for a in articles)
    assert (out / "sentences.parquet").exists() and (out / "manifest.json").exists()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        # a missing input folder
        (["run", "--input", "{tmp}/nope", "--output", "{tmp}/out"], 2, "input folder does not exist"),
        # an input that is a file, not a folder
        (["run", "--input", "{tmp}/afile", "--output", "{tmp}/out"], 2, "input is not a folder"),
        # an output folder that cannot be created
        (["run", "--input", "{tmp}/in", "--output", "{tmp}/afile/out"], 3, "cannot create output folder"),
        # a stage run before its input table exists
        (["segment", "--output", "{tmp}/empty_out"], 5, "run the 'ingest' stage first"),
    ],
)
def test_errors_are_one_line_with_exit_code(tmp_path: Path, args: list[str], code: int, message: str) -> None:
    (tmp_path / "afile").write_text("x")
    (tmp_path / "in").mkdir()
    (tmp_path / "empty_out").mkdir()
    result = CliRunner().invoke(main, [a.format(tmp=tmp_path) for a in args])
    assert result.exit_code == code, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
    assert "Traceback" not in result.output


def test_empty_input_folder_writes_empty_tables(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    result = CliRunner().invoke(main, ["run", "--input", str(tmp_path / "in"), "--output", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "0 accepted / 0 rejected" in result.output
    assert pq.read_table(tmp_path / "out" / "sentences.parquet").num_rows == 0


def test_quiet_prints_nothing_on_success(tmp_path: Path) -> None:
    # --quiet is for scripts and make: it used to print the summary all the same
    (tmp_path / "in").mkdir()
    out = str(tmp_path / "out")
    run = CliRunner().invoke(main, ["run", "--input", str(tmp_path / "in"), "--output", out, "--quiet"])
    assert run.exit_code == 0 and run.output == ""
    stage = CliRunner().invoke(main, ["conflicts", "--output", out, "--quiet"])
    assert stage.exit_code == 0 and stage.output == ""
    loud = CliRunner().invoke(main, ["conflicts", "--output", out])
    assert loud.exit_code == 0 and loud.output.strip() == "conflicts: 0 rows"


@pytest.mark.parametrize(
    ("n", "noun", "plural", "expected"),
    [
        (1, "conflict", None, "1 conflict"),  # it said "1 conflicts"
        (0, "conflict", None, "0 conflicts"),  # none is plural
        (2, "row", None, "2 rows"),
        (1, "entity", "entities", "1 entity"),  # an irregular plural, one
        (3, "entity", "entities", "3 entities"),  # an irregular plural, many
    ],
)
def test_counts_in_the_summary_agree_in_number(n: int, noun: str, plural: str | None, expected: str) -> None:
    from pipeline.cli import _count

    assert _count(n, noun, plural) == expected


def test_top_level_help_lists_commands_in_stage_order_without_cutting_them() -> None:
    # the commands were listed alphabetically, each description cut at the terminal's width ("...")
    from pipeline.stages import STAGES

    result = CliRunner().invoke(main, ["--help"], terminal_width=80)
    assert result.exit_code == 0
    listed = [line.split()[0] for line in result.output.split("Commands:")[1].splitlines() if line.startswith("  ") and not line.startswith("    ")]
    assert listed == ["run", *[s.name for s in STAGES], "report", "publish", "dictionary"]
    assert "..." not in result.output.split("Commands:")[1]
    flat = " ".join(result.output.split())
    assert all(" ".join(s.help.split()[-3:]) in flat for s in STAGES)  # every description to its end


@pytest.mark.parametrize("stage", ["segment", "entities", "timexes", "claims", "dedup", "conflicts"])
def test_a_stage_offers_the_dask_engine_only_when_it_parses(stage: str) -> None:
    # the engine only parses: a stage that reads no parse (conflicts) has nothing to send to Dask
    from pipeline.stages import BY_NAME

    result = CliRunner().invoke(main, [stage, "--help"])
    assert result.exit_code == 0
    assert ("--engine" in result.output) == BY_NAME[stage].parses
    assert ("--scheduler" in result.output) == BY_NAME[stage].parses


def test_every_command_documents_inputs_and_outputs() -> None:
    runner = CliRunner()
    for command in main.commands:
        result = runner.invoke(main, [command, "--help"])
        assert result.exit_code == 0
        assert "parquet" in result.output.lower() or "tables" in result.output.lower(), command


def test_run_summary_times_and_report_command(mixed_input: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", "--input", str(mixed_input), "--output", str(out), "--processes", "1"])
    assert result.exit_code == 0, result.output
    assert "time: ingest" in result.output and "conflicts" in result.output  # per-stage times after the summary
    (out / "report" / "conflicts.html").unlink()
    again = CliRunner().invoke(main, ["report", "--output", str(out), "--title", "My <report>"])
    assert again.exit_code == 0, again.output
    page = (out / "report" / "conflicts.html").read_text()
    assert "My &lt;report&gt;" in page and "<script src=" not in page  # self-contained, title escaped


def test_run_summary_counts_clusters_not_rows(tmp_path: Path) -> None:
    # claim_clusters has a row per claim; the summary says how many clusters (facts) there are,
    # and how many of them two or more articles report
    import pyarrow.parquet as pq

    from conftest import SEEDS

    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["run", "--input", str(SEEDS), "--output", str(out), "--processes", "1"])
    assert result.exit_code == 0, result.output
    clusters = pq.read_table(out / "claim_clusters.parquet").to_pylist()
    distinct = {r["cluster_id"] for r in clusters}
    repeated = {r["cluster_id"] for r in clusters if r["n_articles"] > 1}
    assert 0 < len(repeated) and len(distinct) < len(clusters)  # the two seeds restate some facts
    assert f"{len(clusters)} claims in {len(distinct)} clusters ({len(repeated)} reported by 2+ articles)" in result.output


@pytest.mark.parametrize(
    "heavy",
    [
        "pandas",  # only the notebook helpers convert to DataFrames
        "datasketch",  # only dedup's blocking needs MinHash (it pulls in scipy)
        "scipy",
    ],
)
def test_stage_processes_do_not_import_what_they_do_not_use(heavy: str) -> None:
    # `make` runs each stage in its own process: an import every stage pays is paid eight times
    # when one article is edited, for nothing.
    import subprocess
    import sys

    code = f"import sys, pipeline.cli, pipeline.runner; print({heavy!r} in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
