"""Command line: a thin click layer over pipeline.runner; typed errors become one-line messages.

Exit codes: 0 success (rejected articles included), 1 unexpected error, 2 bad input folder
or usage, 3 output folder not writable or any other I/O failure (a full disk), 4 output folder locked by another run,
5 a needed table is missing or corrupt, 6 a shipped model file is missing or broken.
"""

from __future__ import annotations

import dataclasses
import errno
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .config import PipelineConfig
from .errors import PipelineError
from .report import DEFAULT_TITLE
from .stages import BY_NAME, STAGES

F = TypeVar("F", bound=Callable[..., Any])


def _fail_cleanly(fn: F) -> F:
    """Turn the library's typed errors into a one-line message and the error's exit code."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except PipelineError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except OSError as exc:  # a write or read the library did not expect to fail (full disk, permissions)
            where = f"{exc.filename}: " if exc.filename else ""
            message = f"error: {where}{exc.strerror or exc}"
            output_dir = kwargs.get("output_dir")
            if exc.errno in (errno.ENOSPC, errno.EDQUOT) and isinstance(output_dir, Path):
                from .io import free_space

                message += f"; removed the caches and temp files ({free_space(output_dir) / 1e6:.1f} MB), the last complete tables are left in place"
            click.echo(message, err=True)
            sys.exit(3)
        except KeyboardInterrupt:
            click.echo("error: interrupted; the last complete tables are left in place", err=True)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


def _config(
    processes: int | None, max_article_bytes: int | None, engine: str | None = None, scheduler: str | None = None,
    config_file: Path | None = None,
) -> PipelineConfig:
    """The settings of this command: the --config file's (or the defaults), then the options given.

    Without a file or --processes, the CLI uses every core (the library's default is 1 process)."""
    from .config import load_config

    base = load_config(config_file) if config_file is not None else PipelineConfig(processes=0)
    given = {"processes": processes, "max_article_bytes": max_article_bytes, "engine": engine, "scheduler": scheduler}
    try:
        return dataclasses.replace(base, **{k: v for k, v in given.items() if v is not None})
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


_output_option = click.option(
    "--output",
    "output_dir",
    type=click.Path(path_type=Path),
    default=Path("outputs"),
    show_default=True,
    help="Folder holding the tables.",
)
_processes_option = click.option(
    "--processes", type=int, default=None,
    help="Worker processes for parsing and the work after it (0 = one per core)  [default: the config file's, else 0]",
)
_config_option = click.option(
    "--config", "config_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="TOML settings file: top-level PipelineConfig keys, [dedup], [dedup.stories], [conflicts] (docs/settings.md).",
)
_engine_option = click.option(
    "--engine", type=click.Choice(["local", "dask"]), default=None,
    help="Where articles are parsed: this machine, or a Dask cluster (needs the 'dask' extra)  [default: local]",
)
#: A stage command parses only the articles with no parse cached in OUTPUT/.cache (segment parses them all).
_stage_engine_option = click.option(
    "--engine", type=click.Choice(["local", "dask"]), default=None,
    help="Where articles with no cached parse (OUTPUT/.cache) are parsed: this machine, or a Dask cluster "
    "(needs the 'dask' extra). Only the parse runs there.  [default: local]",
)
_scheduler_option = click.option(
    "--scheduler", default=None, metavar="ADDRESS",
    help="Dask scheduler address (tcp://host:8786) for --engine dask; default: start a local cluster.",
)
_max_bytes_option = click.option(
    "--max-article-bytes",
    type=int,
    default=None,
    help=f"Longer articles are rejected with a reason  [default: the config file's, else {PipelineConfig().max_article_bytes:,}]",
)
_quiet_option = click.option("--quiet", is_flag=True, help="Print nothing on success (errors still print).")


def _count(n: int, noun: str, plural: str | None = None) -> str:
    """'1 conflict', '2 conflicts', '1 entity', '3 entities'."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


class _InOrder(click.Group):
    """Lists commands in the order they were declared (run, then the stages in the order a run runs
    them), each with its whole first sentence wrapped, not cut at the terminal's width."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, self.commands[name].get_short_help_str(limit=10_000)) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=_InOrder, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pipeline")
def main() -> None:
    """News claim extraction: articles in, Parquet tables and an HTML conflicts report out."""


@main.command()
@click.option(
    "--input",
    "input_dir",
    type=click.Path(path_type=Path),
    required=True,
    help="Folder of articles: seed-format or plain .txt, .jsonl, .html (.htm, .html.gz) and .warc(.gz) files.",
)
@_output_option
@_processes_option
@_engine_option
@_scheduler_option
@_max_bytes_option
@_config_option
@_quiet_option
@_fail_cleanly
def run(
    input_dir: Path, output_dir: Path, processes: int | None, engine: str | None, scheduler: str | None, max_article_bytes: int | None,
    config_file: Path | None, quiet: bool,
) -> None:
    """Run every stage: INPUT folder → all tables in OUTPUT.

    Every input file (and JSON Lines record) gets a row in articles.parquet; unusable ones are
    rejected with a reason and the run goes on. Prints a summary line (none with --quiet) and exits 0.
    """
    from .runner import run_all

    config = _config(processes, max_article_bytes, engine, scheduler, config_file)
    summary = run_all(input_dir, output_dir, config=config, progress=not quiet and sys.stderr.isatty())
    if quiet:
        return
    rows = summary.rows
    counts = (
        f"{_count(rows.get('sentences', 0), 'sentence')}, {_count(rows.get('entities', 0), 'entity', 'entities')}, "
        f"{_count(rows.get('timexes', 0), 'timex', 'timexes')}, {_count(rows.get('claims', 0), 'claim')} in "
        f"{_count(summary.clusters, 'cluster')} ({summary.repeated_clusters} reported by 2+ articles), "
        f"{_count(rows.get('conflicts', 0), 'conflict')}"
    )
    click.echo(f"articles: {summary.accepted} accepted / {summary.rejected} rejected; {counts}")
    times = ", ".join(f"{name} {sec:.1f}s" for name, sec in summary.seconds.items())
    click.echo(f"time: {times}", err=True)


@main.command("ingest", help=BY_NAME["ingest"].help)
@click.option("--input", "input_dir", type=click.Path(path_type=Path), required=True, help="Folder of articles.")
@_output_option
@_max_bytes_option
@_config_option
@_fail_cleanly
def ingest_cmd(input_dir: Path, output_dir: Path, max_article_bytes: int | None, config_file: Path | None) -> None:
    from .runner import run_ingest

    ingested = run_ingest(input_dir, output_dir, config=_config(1, max_article_bytes, config_file=config_file))
    click.echo(f"articles: {ingested.ok} accepted / {ingested.articles - ingested.ok} rejected")


def _stage_command(name: str, help_text: str, parses: bool) -> None:
    def command(
        output_dir: Path, processes: int | None, config_file: Path | None, quiet: bool,
        engine: str | None = None, scheduler: str | None = None,
    ) -> None:
        from .runner import run_stage

        config = _config(processes, None, engine, scheduler, config_file)
        rows = run_stage(name, output_dir, config=config, progress=not quiet and sys.stderr.isatty())
        if not quiet:
            click.echo(f"{name}: {_count(rows, 'row')}")

    # only a stage that needs the parses can send work to a Dask cluster
    options = [_output_option, _processes_option, *([_stage_engine_option, _scheduler_option] if parses else []), _config_option, _quiet_option]
    for option in reversed(options):
        command = option(command)
    main.command(name, help=help_text)(_fail_cleanly(command))


for _stage in STAGES[1:]:  # ingest has its own command: it reads an input folder
    _stage_command(_stage.name, _stage.help, _stage.parses)


@main.command("report")
@_output_option
@click.option("--title", default=DEFAULT_TITLE, show_default=True, help="Page title.")
@click.option(
    "--feedback", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Review marks exported from a previous page (review-marks.json): they start marked, and the summary "
    "says how many this run still reports.",
)
@_fail_cleanly
def report_cmd(output_dir: Path, title: str, feedback: Path | None) -> None:
    """OUTPUT tables (parquet) → OUTPUT/report/conflicts.html (self-contained, opens from disk)."""
    from .io import output_lock
    from .report import write_report

    with output_lock(output_dir):
        click.echo(write_report(output_dir, title=title, generated=f"by pipeline {__version__}", feedback=feedback))


@main.command("publish")
@_output_option
@click.option(
    "--from", "staging", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Folder holding the new set  [default: OUTPUT/.work, where `make` builds it stage by stage]",
)
@_fail_cleanly
def publish_cmd(output_dir: Path, staging: Path | None) -> None:
    """Switch a complete set of tables, report and manifest into OUTPUT as a whole: readers never see
    tables of two runs side by side, and a crash mid-switch is finished by the next command."""
    from .errors import InputError
    from .io import WORK_DIR, output_lock, publish

    staging = staging if staging is not None else output_dir / WORK_DIR
    if not (staging / "manifest.json").is_file():
        raise InputError(f"{staging}: no complete set of tables to publish (no manifest.json); build it first")
    with output_lock(output_dir):
        names = publish(staging, output_dir)
    click.echo(f"published {len(names)} files from {staging} to {output_dir}")


@main.command("dictionary")
@click.option(
    "--write", "path", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Write the Markdown to this file instead of printing it.",
)
def dictionary_cmd(path: Path | None) -> None:
    """The data dictionary of every table (parquet columns, types, meanings), generated from pipeline/schemas.py."""
    from .dictionary import data_dictionary, write_data_dictionary

    if path:
        click.echo(write_data_dictionary(path))
    else:
        click.echo(data_dictionary(), nl=False)


if __name__ == "__main__":  # pragma: no cover
    main()
