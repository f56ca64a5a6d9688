"""The pipeline's error catalogue: every error a user can see is defined here."""

from __future__ import annotations

from pathlib import Path


class PipelineError(Exception):
    """Base of every error the library raises on purpose; the CLI prints it as one line."""

    #: Process exit code the CLI uses for this error (documented in README).
    exit_code: int = 1


class InputError(PipelineError):
    """The input folder or file cannot be used at all (missing, not a folder, unreadable)."""

    exit_code = 2


class ConfigError(PipelineError):
    """A settings file (`--config`) is missing, not TOML, or names an unknown or invalid setting."""

    exit_code = 2


class OutputError(PipelineError):
    """The output folder cannot be created or written."""

    exit_code = 3


class LockedError(PipelineError):
    """Another run holds the output folder's lock."""

    exit_code = 4


class MissingTableError(PipelineError):
    """A stage needs a table that an earlier stage has not written yet."""

    exit_code = 5

    def __init__(self, path: Path, *, stage: str) -> None:
        super().__init__(f"{path}: table not found; run the '{stage}' stage first (or 'pipeline run')")
        self.path = path
        self.stage = stage


class CorruptTableError(PipelineError):
    """A table on disk is not readable Parquet or lacks required columns."""

    exit_code = 5


class ModelError(PipelineError):
    """A model or rule file shipped in models/ is missing or unreadable."""

    exit_code = 6


class ArticleRejected(PipelineError):
    """One input article cannot be used; ingest records it as a rejected row instead of failing."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
