"""The stage registry is the one place stages are declared: the runner, the CLI, error messages
and the Makefile follow it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT
from pipeline import runner
from pipeline.cli import main
from pipeline.schemas import TABLES
from pipeline.stages import BY_NAME, PRODUCER, STAGES

MAKEFILE = ROOT / "Makefile"


def _rules() -> dict[str, list[str]]:
    """Makefile target → its prerequisites (continuation lines joined, `$(wildcard d/*)` and
    `$(wildcard d/*.py)` read as `d/`, other variables left as written)."""
    text = re.sub(r"\$\(wildcard (\S+)/\*(?:\.py)?\)", r"\1/", MAKEFILE.read_text(encoding="utf-8").replace("\\\n", " "))
    rules: dict[str, list[str]] = {}
    for line in text.splitlines():
        m = re.match(r"^(\S+):(?!=)\s*(.*)$", line)
        if m and not line.startswith("\t"):
            rules[m.group(1)] = m.group(2).split()
    return rules


def _variable(name: str) -> list[str]:
    m = re.search(rf"^{name}\s*:=\s*(.*(?:\\\n.*)*)", MAKEFILE.read_text(encoding="utf-8"), re.M)
    assert m, name
    return m.group(1).replace("\\\n", " ").split()


def _code(prerequisites: list[str]) -> set[str]:
    """The stage's own code in a rule: files and model folders (`$(wildcard models/x/*)` read as `models/x/`)."""
    return {p for p in prerequisites if not p.startswith("$(")}


@pytest.mark.parametrize("stage", STAGES, ids=[s.name for s in STAGES])
def test_the_makefile_rule_of_each_stage_is_the_registry_s(stage: object) -> None:
    # the Makefile is written by hand: a stage whose code or inputs drift from the registry would
    # be rebuilt too rarely (a stale table) or for nothing
    rule = _rules()[f"$(WORK)/{stage.writes}.parquet"]  # type: ignore[attr-defined]
    tables = {p.removeprefix("$(WORK)/").removesuffix(".parquet") for p in rule if p.startswith("$(WORK)/")}
    assert tables == set(stage.reads)  # type: ignore[attr-defined]
    assert _code(rule) == set(stage.code)  # type: ignore[attr-defined]
    assert ("$(PARSE)" in rule) == stage.parses  # type: ignore[attr-defined]
    assert "$(COMMON)" in rule


def test_the_common_prerequisites_hold_the_registry_itself() -> None:
    # a change to the registry (a stage's inputs or code) must make every table stale
    assert "pipeline/stages.py" in _variable("COMMON")


def test_the_runner_runs_the_registry_s_stages_in_order() -> None:
    assert list(runner.STAGES) == [s.name for s in STAGES if s.name != "ingest"]
    assert runner.STAGE_TABLES == {s.name: s.writes for s in STAGES if s.name != "ingest"}
    assert all(s.writes in TABLES for s in STAGES)


@pytest.mark.parametrize("table", sorted(PRODUCER))
def test_a_missing_table_names_the_stage_that_writes_it(tmp_path: Path, table: str) -> None:
    # io's own list sent users to an 'annotate' stage that does not exist
    from pipeline.errors import MissingTableError
    from pipeline.io import read_table

    with pytest.raises(MissingTableError) as caught:
        read_table(tmp_path, table)
    assert f"run the '{PRODUCER[table]}' stage first" in str(caught.value)
    assert PRODUCER[table] in BY_NAME


@pytest.mark.parametrize("stage", STAGES, ids=[s.name for s in STAGES])
def test_each_stage_is_a_command_with_the_registry_s_help(stage: object) -> None:
    result = CliRunner().invoke(main, [stage.name, "--help"])  # type: ignore[attr-defined]
    assert result.exit_code == 0
    assert " ".join(stage.help.split()[:4]) in " ".join(result.output.split())  # type: ignore[attr-defined]
