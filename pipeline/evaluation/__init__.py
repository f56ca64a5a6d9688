"""Quality on the public data in ../shared/eval: one module per stage or task, each printing its
figures next to the published ones. What several of them share lives here."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from types import ModuleType


def missing_data(*paths: Path) -> str | None:
    """One line naming the first of `paths` that does not exist (None when all do), for a main() to print."""
    for path in paths:
        if not path.exists():
            return f"error: {path}: not found (the shared data: set PIPELINE_SHARED=DIR, or run `make eval SHARED=DIR`)"
    return None


def load_scorer(path: Path, name: str | None = None) -> ModuleType:
    """A scorer shipped with the shared data (a script beside the gold), imported as a module."""
    spec = importlib.util.spec_from_file_location(name or path.stem, path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"{path}: scorer not found")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_corpus(corpus: Path, workdir: Path, *, output: Path | None = None) -> Path:
    """Every stage over one corpus file (copied into `workdir`, never changed); returns the output
    folder, `output` when given (to keep the tables), else one inside `workdir`."""
    from ..config import PipelineConfig
    from ..runner import run_all

    inp = workdir / "in"
    inp.mkdir()
    shutil.copyfile(corpus, inp / corpus.name)
    out = output or workdir / "out"
    run_all(inp, out, config=PipelineConfig(), progress=False)
    return out
