"""Progress bars: one per long stage on a terminal, nothing at all otherwise."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.progress import counted, progress_bar

from conftest import SEEDS


def test_a_disabled_bar_writes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    with progress_bar(10, desc="parse", unit="article", enabled=False) as advance:
        advance(10)
    assert capsys.readouterr() == ("", "")


def test_an_enabled_bar_counts_to_its_total_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    with progress_bar(7, desc="claims", unit="article", enabled=True) as advance:
        advance(3)
        advance(4)
    out, err = capsys.readouterr()
    assert out == ""  # stdout stays clean for the summary and for pipes
    assert "claims" in err and "7/7" in err


def test_a_negative_total_is_refused() -> None:
    with pytest.raises(ValueError, match="non-negative integer"):
        with progress_bar(-1, desc="x", unit="y", enabled=False):
            pass


@pytest.mark.parametrize(
    "advance",
    [
        None,  # no bar: the items pass through untouched
        "calls",  # a bar: told of each item once it has been consumed
    ],
)
def test_counted_passes_items_through_and_advances_once_each(advance: str | None) -> None:
    calls: list[int] = []
    got = list(counted(iter("abc"), calls.append if advance else None))
    assert got == ["a", "b", "c"]
    assert calls == ([1, 1, 1] if advance else [])


def test_a_run_on_a_terminal_shows_a_finished_bar_per_long_stage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from pipeline.config import PipelineConfig
    from pipeline.runner import run_all

    run_all(SEEDS, tmp_path / "out", config=PipelineConfig(processes=1), progress=True)
    err = capsys.readouterr().err
    finished = {m.group(1).strip(): m.group(2) for m in re.finditer(r"(?:^|\r|\n)([a-z ]+): 100%\|[^\r\n]*?(\d+)/\2", err)}
    for stage in ("parse", "sentences", "mentions", "link entities", "timexes", "claims", "dedup", "conflicts"):
        assert stage in finished, f"no finished bar for {stage!r}"
    assert finished["parse"] == "2" and finished["claims"] == "2"  # the two seed articles


def test_a_run_that_is_not_watched_writes_no_bars(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from click.testing import CliRunner

    from pipeline.cli import main

    result = CliRunner().invoke(main, ["run", "--input", str(SEEDS), "--output", str(tmp_path / "out"), "--processes", "1"])
    assert result.exit_code == 0, result.output
    assert "100%|" not in result.output and "it/s" not in result.output  # not a terminal: no bars
    assert "articles: 2 accepted" in result.output  # the summary still comes
    assert "100%|" not in capsys.readouterr().err
