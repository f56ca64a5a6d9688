"""Settings: one config object, defaults declared once, and a TOML file that reaches every stage."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from conftest import SEEDS
from pipeline.cli import main
from pipeline.config import PipelineConfig, load_config
from pipeline.errors import ConfigError


def _toml(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("min_checkworthiness = 0.3", lambda c: c.min_checkworthiness == 0.3),  # a top-level key
        ("[dedup]\nsame_threshold = 0.7", lambda c: c.dedup.same_threshold == 0.7),  # dedup's knobs were unreachable
        ("[dedup.stories]\nmax_days_apart = 3", lambda c: c.dedup.stories.max_days_apart == 3),  # a nested table
        ("[conflicts]\nwording_threshold = 1", lambda c: c.conflicts.wording_threshold == 1.0),  # an int where a float goes
        ('text_suffixes = [".txt", ".text"]', lambda c: c.text_suffixes == (".txt", ".text")),  # a list becomes a tuple
        ("", lambda c: c == PipelineConfig()),  # an empty file is the defaults
    ],
)
def test_a_settings_file_sets_what_it_names_and_nothing_else(tmp_path: Path, text: str, read: object) -> None:
    config = load_config(_toml(tmp_path, text))
    assert read(config)  # type: ignore[operator]
    assert config.max_article_bytes == PipelineConfig().max_article_bytes


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[dedup]\nsame_treshold = 0.7", "unknown setting 'dedup.same_treshold'"),  # a typo is not ignored
        ("[dedup.stories]\nthreshold = 1.5", "threshold must be in (0, 1)"),  # the value checks of the settings
        ("min_checkworthiness = 'high'", "'min_checkworthiness' must be a float"),
        ("dedup = 3", "'dedup' must be a table"),
        ("[dedup\n", "not valid TOML"),
    ],
)
def test_a_bad_settings_file_is_one_error_naming_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = _toml(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert message in str(caught.value) and str(path) in str(caught.value)


def test_settings_change_the_cache_fingerprint() -> None:
    # cached pairs and claims are keyed on it: other dedup settings must not reuse them
    assert PipelineConfig().fingerprint() != load_config_text("[dedup]\nsame_threshold = 0.7").fingerprint()


def load_config_text(text: str) -> PipelineConfig:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        return load_config(_toml(Path(tmp), text))


def test_the_cli_runs_with_the_settings_file(tmp_path: Path) -> None:
    # [dedup] max_cluster = 2: the seeds' Hamburg cluster (3 claims by default) cannot form whole
    runner = CliRunner()
    default = runner.invoke(main, ["run", "--input", str(SEEDS), "--output", str(tmp_path / "a"), "--quiet"])
    assert default.exit_code == 0, default.output
    settings = _toml(tmp_path, "[dedup]\nmax_cluster = 2\n")
    tuned = runner.invoke(main, ["run", "--input", str(SEEDS), "--output", str(tmp_path / "b"), "--quiet", "--config", str(settings)])
    assert tuned.exit_code == 0, tuned.output
    sizes = {d: pq.read_table(tmp_path / d / "claim_clusters.parquet").column("n_claims").to_pylist() for d in ("a", "b")}
    assert max(sizes["a"]) > 2 and max(sizes["b"]) <= 2
    bad = runner.invoke(main, ["run", "--input", str(SEEDS), "--output", str(tmp_path / "c"), "--config", str(tmp_path / "nope.toml")])
    assert bad.exit_code == 2 and "config file not found" in bad.output and not (tmp_path / "c").exists()
