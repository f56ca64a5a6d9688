"""The stage registry: each stage's name, the table it writes, the tables it reads, the code that
makes its output stale and its help line, declared once.

The runner's order, the CLI's commands and help, the "run that stage first" messages and the
Makefile's rules all follow it (`tests/test_stages.py` holds the Makefile to it). Metadata only:
importing this module loads no stage.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Stage:
    """One stage of the pipeline."""

    name: str
    #: The table (a Parquet file in the output folder) the stage writes.
    writes: str
    #: Tables it reads directly (the Makefile rule's table prerequisites).
    reads: tuple[str, ...]
    #: Files and folders (from the project root) whose change makes its output stale, besides what
    #: every stage depends on (the package's core modules, the install). A folder of the package
    #: means its modules (`pipeline/timex/` is `pipeline/timex/*.py`); a model folder, every file in it.
    code: tuple[str, ...]
    #: Whether it needs the articles' parses (then the model and parser code make it stale too).
    parses: bool
    #: The CLI help line.
    help: str


#: In the order a run runs them.
STAGES: tuple[Stage, ...] = (
    Stage(
        "ingest", "articles", (), ("pipeline/ingest.py", "pipeline/webpage.py"), False,
        "INPUT (.txt, .jsonl, .html, .warc) → OUTPUT/articles.parquet, one row per file, record or archived page "
        "(accepted, or rejected with a reason).",
    ),
    Stage(
        "segment", "sentences", ("articles",), ("pipeline/segment.py", "pipeline/furniture.py"), True,
        "OUTPUT/articles.parquet → OUTPUT/sentences.parquet: paragraphs, section headings and sentences "
        "with exact character offsets, page furniture (credits, captions, copyright lines) marked "
        "(parses articles once; parses are cached in OUTPUT/.cache).",
    ),
    Stage(
        "entities", "entities", ("sentences",), ("pipeline/entities.py", "models/entities/aliases.json"), True,
        "OUTPUT/articles.parquet + sentences.parquet → OUTPUT/entities.parquet: spaCy NER mentions (plus the "
        "patterns in models/entities/patterns.jsonl) with one entity_id per real-world entity across articles.",
    ),
    Stage(
        "timexes", "timexes", ("sentences",), ("pipeline/timexes.py", "pipeline/timex/", "models/timex/"), True,
        "OUTPUT/articles.parquet + sentences.parquet → OUTPUT/timexes.parquet: dates, times, durations and sets "
        "normalized to TIMEX3 values, relative ones anchored on each article's publication date.",
    ),
    Stage(
        "claims", "claims", ("entities", "timexes"),
        ("pipeline/claims.py", "pipeline/quantities.py", "pipeline/checkworthiness.py", "models/claims/", "models/checkworthiness/"),
        True,
        "OUTPUT/articles, sentences, entities and timexes .parquet → OUTPUT/claims.parquet: check-worthy factual "
        "claims, decontextualized (only where the referent is certain) and structured (subject, predicate, object, "
        "time, place, quantity, negation, hedging, attribution), scored by the model in models/checkworthiness.",
    ),
    Stage(
        "dedup", "claim_clusters", ("claims",),
        ("pipeline/dedup.py", "pipeline/matching.py", "pipeline/stories.py", "pipeline/similarity/", "pipeline/places.py",
         "models/similarity/", "models/places/"),
        True,
        "OUTPUT/claims.parquet → OUTPUT/claim_clusters.parquet: articles grouped into stories, claims into events "
        "(event_key) and same-fact clusters across sources (cluster_id; MinHash LSH blocking, the MRPC-calibrated "
        "matcher in models/similarity plus structure).",
    ),
    Stage(
        "conflicts", "conflicts", ("claim_clusters",),
        ("pipeline/conflicts.py", "pipeline/matching.py", "pipeline/dedup.py", "pipeline/similarity/", "models/places/"),
        False,
        "OUTPUT/claims + claim_clusters + entities + timexes .parquet → OUTPUT/conflicts.parquet: pairs of claims "
        "about the same event and slot that disagree on a date, quantity, place, negation, agent or list.",
    ),
)

BY_NAME: dict[str, Stage] = {s.name: s for s in STAGES}

#: Which stage writes which table (for "run that stage first" messages).
PRODUCER: dict[str, str] = {s.writes: s.name for s in STAGES}
