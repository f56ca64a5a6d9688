"""The docs generated from the code (settings reference, stage layout) stay in step with it, and
the README's stage drawing follows the registry."""

from __future__ import annotations

import dataclasses
import re

import pytest

from conftest import ROOT
from pipeline.config import ConflictSettings, DedupSettings, PipelineConfig, StorySettings
from pipeline.dictionary import SETTINGS_PATH, STAGES_PATH, settings_reference, stage_layout, with_layout
from pipeline.stages import STAGES


def test_committed_settings_reference_is_up_to_date() -> None:
    # README used to quote thresholds by hand, and one had drifted (0.2 written, 0.25 in the code)
    assert SETTINGS_PATH.read_text(encoding="utf-8") == settings_reference(), (
        "docs/settings.md is stale: run `make docs` (python -m pipeline.dictionary --settings)"
    )


@pytest.mark.parametrize(
    ("cls", "table"),
    [
        (PipelineConfig, "Top level"),  # top-level keys of a --config file
        (DedupSettings, "[dedup]"),
        (StorySettings, "[dedup.stories]"),  # nested two deep
        (ConflictSettings, "[conflicts]"),
    ],
    ids=["top", "dedup", "stories", "conflicts"],
)
def test_settings_reference_gives_every_setting_its_default_under_its_toml_table(cls: type, table: str) -> None:
    text = settings_reference()
    section = text.split(f"## {table}\n", 1)[1].split("\n## ", 1)[0]
    defaults = cls()
    for f in dataclasses.fields(cls):
        value = getattr(defaults, f.name)
        if dataclasses.is_dataclass(value):
            continue
        row = next((line for line in section.splitlines() if line.startswith(f"| `{f.name}` |")), None)
        assert row is not None, f.name
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            assert re.search(rf"`{re.escape(f'{value:_}' if isinstance(value, int) and value >= 10_000 else str(value))}`", row), row


def test_committed_stage_layout_is_the_registry_s() -> None:
    text = STAGES_PATH.read_text(encoding="utf-8")
    assert stage_layout() in text
    assert with_layout(text) == text, "docs/stages.md's layout is stale: run `make docs`"


def test_the_readme_drawing_lists_the_registry_s_stages_and_tables_in_order() -> None:
    # the README's drawing is written by hand: a stage renamed or moved in the registry must show there
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    drawn = re.findall(r"^  [│▼] (\w+)\s+→ (\w+)\.parquet", readme, re.M)
    assert drawn == [(s.name, s.writes) for s in STAGES]
