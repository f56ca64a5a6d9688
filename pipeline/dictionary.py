"""Docs generated from the code, so they cannot drift from it: the data dictionary (every table and
column, from pipeline/schemas.py), the settings reference (every setting, its default and why, from
pipeline/config.py) and the stage layout in docs/stages.md (from the registry, pipeline/stages.py).

    python -m pipeline.dictionary                            # print the data dictionary
    python -m pipeline.dictionary --write docs/data_dictionary.md
    python -m pipeline.dictionary --settings docs/settings.md
    python -m pipeline.dictionary --stages docs/stages.md    # rewrites the layout between its markers

The three files are committed; tests check they equal what this module generates.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import sys
from pathlib import Path

import pyarrow as pa

from . import config
from .config import SCHEMA_VERSION, PipelineConfig
from .schemas import SORT_KEYS, TABLES
from .stages import STAGES

#: What one row of each table stands for (the contract's "one row per" column).
ROW_MEANING: dict[str, str] = {
    "articles": "input article: a file, or a JSON Lines record (accepted or rejected)",
    "sentences": "sentence of an accepted article",
    "entities": "entity mention",
    "timexes": "temporal expression",
    "claims": "extracted factual claim",
    "claim_clusters": "claim, with the cluster of claims stating the same fact",
    "conflicts": "pair of claims that disagree",
}

DOCS_DIR = Path(__file__).resolve().parent.parent / "docs"
DEFAULT_PATH = DOCS_DIR / "data_dictionary.md"
SETTINGS_PATH = DOCS_DIR / "settings.md"
STAGES_PATH = DOCS_DIR / "stages.md"
#: The generated part of docs/stages.md lies between these lines; the rest is written by hand.
LAYOUT_BEGIN = "<!-- layout: generated from pipeline/stages.py by `python -m pipeline.dictionary --stages`; do not edit -->"
LAYOUT_END = "<!-- end of layout -->"


def type_name(t: pa.DataType) -> str:
    """A short, readable name for an Arrow type (``list<string>``, ``date``, ``float64``...)."""
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return f"list<{type_name(t.value_type)}>"
    if pa.types.is_date(t):
        return "date"
    if pa.types.is_timestamp(t):
        return f"timestamp[{t.unit}{', ' + t.tz if t.tz else ''}]"
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "string"
    if pa.types.is_boolean(t):
        return "bool"
    if pa.types.is_float64(t):
        return "float64"
    if pa.types.is_float32(t):
        return "float32"
    return str(t)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _description(field: pa.Field) -> str:
    meta = field.metadata or {}
    return meta.get(b"description", b"").decode("utf-8")


def data_dictionary() -> str:
    """Markdown describing every table and column of pipeline/schemas.py."""
    lines = [
        "# Data dictionary",
        "",
        "<!-- Generated from pipeline/schemas.py by `python -m pipeline.dictionary --write docs/data_dictionary.md`;",
        "     do not edit by hand (tests check this file is up to date). -->",
        "",
        f"Schema version {SCHEMA_VERSION}. Every table is a Parquet file `<output>/<table>.parquet` carrying the "
        "key-value metadata `pipeline.schema_version`, `pipeline.version`, `pipeline.model.name` and "
        "`pipeline.model.version`. IDs are strings and stable across runs.",
        "",
        "| table | one row per | columns |",
        "|---|---|---|",
    ]
    for name, schema in TABLES.items():
        lines.append(f"| [`{name}`](#{name}) | {_cell(ROW_MEANING.get(name, ''))} | {len(schema)} |")
    for name, schema in TABLES.items():
        lines += ["", f"## {name}", ""]
        lines.append(f"`{name}.parquet`: one row per {_cell(ROW_MEANING.get(name, 'row'))}.")
        keys = SORT_KEYS.get(name)
        if keys:
            lines.append(f"Rows are sorted by {', '.join(f'`{k}`' for k in keys)}.")
        lines += ["", "| column | type | nullable | description |", "|---|---|---|---|"]
        for field in schema:
            lines.append(
                f"| `{field.name}` | {type_name(field.type)} | {'yes' if field.nullable else 'no'} | {_cell(_description(field))} |"
            )
    return "\n".join(lines) + "\n"


def _field_comments(cls: type) -> dict[str, str]:
    """The `#:` comment lines above each field of a settings class in pipeline/config.py; a field
    with none right under a commented one shares its comment ("MinHash permutations and LSH
    threshold" above `num_perm` and `lsh_threshold`)."""
    source = inspect.getsource(config)
    lines = source.splitlines()
    node = next(n for n in ast.parse(source).body if isinstance(n, ast.ClassDef) and n.name == cls.__name__)
    comments: dict[str, str] = {}
    previous: ast.AnnAssign | None = None
    for stmt in node.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            above: list[str] = []
            i = stmt.lineno - 2
            while i >= 0 and lines[i].strip().startswith("#:"):
                above.insert(0, lines[i].strip()[2:].strip())
                i -= 1
            if above:
                comments[stmt.target.id] = " ".join(above)
            elif previous is not None and previous.end_lineno == stmt.lineno - 1 and not isinstance(previous.value, ast.Call):
                shared = comments.get(previous.target.id, "")
                comments[stmt.target.id] = shared if shared.startswith("(as ") else f"(as `{previous.target.id}`)" if shared else ""
            previous = stmt
    return comments


def _default_text(value: object) -> str:
    if isinstance(value, tuple):
        return ", ".join(f"`{v}`" for v in value)
    if isinstance(value, dict):
        return "none" if not value else f"`{value}`"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10_000:
        return f"`{value:_}`"
    return f"`{value!r}`" if isinstance(value, str) or value is None else f"`{value}`"


def _settings_rows(cls: type, prefix: str) -> list[tuple[str, list[str]]]:
    """(TOML table, rows) for a settings class and the classes nested in it."""
    defaults = cls()
    comments = _field_comments(cls)
    rows: list[str] = []
    nested: list[tuple[str, list[str]]] = []
    for f in dataclasses.fields(cls):
        value = getattr(defaults, f.name)
        if dataclasses.is_dataclass(value):
            nested += _settings_rows(type(value), f"{prefix}{f.name}.")
            continue
        rows.append(f"| `{f.name}` | {_default_text(value)} | {_cell(comments.get(f.name, ''))} |")
    return [(prefix.rstrip("."), rows), *nested]


def settings_reference() -> str:
    """Markdown listing every setting of pipeline/config.py: its TOML key, default and meaning."""
    lines = [
        "# Settings",
        "",
        "<!-- Generated from pipeline/config.py by `python -m pipeline.dictionary --settings docs/settings.md`;",
        "     do not edit by hand (tests check this file is up to date). -->",
        "",
        "Every setting with its default, declared once in `pipeline/config.py`. A TOML file given with",
        "`--config FILE` changes some of them (top-level keys, then the tables below); options given on the",
        "command line win over the file. Settings that change results are part of the cache keys.",
    ]
    for table, rows in _settings_rows(PipelineConfig, ""):
        lines += ["", f"## [{table}]" if table else "## Top level", "", "| setting | default | meaning |", "|---|---|---|", *rows]
    return "\n".join(lines) + "\n"


def stage_layout() -> str:
    """The layout block of docs/stages.md: each stage, the tables it reads and writes, and its code."""
    drawing = ["```", "INPUT folder (.txt, .jsonl, .html, .warc)"]
    table = ["| stage | reads | writes | its code and model data | parses |", "|---|---|---|---|---|"]
    for stage in STAGES:
        if stage.name == "segment":
            drawing.append(f"  │ {'(parse)':<10} {'articles':<26} → .cache/docs/  one spaCy parse per article (pipeline/parse.py)")
        reads = ", ".join(stage.reads) if stage.reads else "INPUT"
        drawing.append(f"  │ {stage.name:<10} {reads:<26} → {stage.writes}.parquet")
        code = ", ".join(f"`{c}`" for c in stage.code)
        table.append(f"| `{stage.name}` | {reads} | `{stage.writes}` | {code} | {'yes' if stage.parses else 'no'} |")
    drawing += ["  ▼", "OUTPUT/*.parquet  (then report → report/conflicts.html, and publish)", "```"]
    return "\n".join([LAYOUT_BEGIN, "", *drawing, "", *table, "", LAYOUT_END])


def with_layout(text: str) -> str:
    """`text` (docs/stages.md) with its layout block replaced by the generated one."""
    head, begin, rest = text.partition(LAYOUT_BEGIN)
    _, end, tail = rest.partition(LAYOUT_END)
    if not begin or not end:
        raise ValueError(f"docs/stages.md has no layout markers ({LAYOUT_BEGIN!r} ... {LAYOUT_END!r})")
    return head + stage_layout() + tail


def write_data_dictionary(path: Path | str = DEFAULT_PATH) -> Path:
    """Write the generated Markdown to `path` (default docs/data_dictionary.md); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data_dictionary(), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] == "--write":
        target = Path(args[1]) if len(args) > 1 else DEFAULT_PATH
        print(write_data_dictionary(target))
    elif args and args[0] == "--settings":
        target = Path(args[1]) if len(args) > 1 else SETTINGS_PATH
        target.write_text(settings_reference(), encoding="utf-8")
        print(target)
    elif args and args[0] == "--stages":
        target = Path(args[1]) if len(args) > 1 else STAGES_PATH
        target.write_text(with_layout(target.read_text(encoding="utf-8")), encoding="utf-8")
        print(target)
    elif args:
        print("usage: python -m pipeline.dictionary [--write [PATH] | --settings [PATH] | --stages [PATH]]", file=sys.stderr)
        return 2
    else:
        sys.stdout.write(data_dictionary())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
