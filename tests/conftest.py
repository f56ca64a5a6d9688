"""Shared fixtures: the spaCy pipeline is loaded once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from spacy.language import Language

from pipeline.config import DEFAULT_CONFIG
from pipeline.nlp import nlp_for

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def nlp() -> Language:
    return nlp_for(DEFAULT_CONFIG)


@pytest.fixture(scope="session")
def seed_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One full run over seeds/ shared by the end-to-end tests (read-only for them)."""
    from pipeline.runner import run_all

    out = tmp_path_factory.mktemp("seed_run")
    run_all(SEEDS, out, config=DEFAULT_CONFIG)
    return out


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """A writable copy of seeds/."""
    dest = tmp_path / "input"
    shutil.copytree(SEEDS, dest)
    return dest
