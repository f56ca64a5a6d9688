"""The data dictionary: Markdown generated from pipeline/schemas.py (every table, every column).

    python -m pipeline.dictionary                            # print it
    python -m pipeline.dictionary --write docs/data_dictionary.md

docs/data_dictionary.md is committed; tests/test_report.py checks it equals ``data_dictionary()``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pyarrow as pa

from .config import SCHEMA_VERSION
from .schemas import SORT_KEYS, TABLES

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

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "docs" / "data_dictionary.md"


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
    elif args:
        print("usage: python -m pipeline.dictionary [--write [PATH]]", file=sys.stderr)
        return 2
    else:
        sys.stdout.write(data_dictionary())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
