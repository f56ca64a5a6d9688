"""GVA story-linking evaluation: the shared scorer wired to a run's tables, figures printed next to the baselines."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from pipeline.evaluation import stories

pytestmark = pytest.mark.skipif(not stories.DEFAULT_SCORER.exists(), reason="../shared/eval/stories is absent")


def test_scores_a_run_against_the_gold_incidents(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "gold.jsonl"
    records = [("a1", "x"), ("a2", "x"), ("b1", "y")]  # a1 and a2 report one incident
    corpus.write_text("".join(json.dumps({"id": i, "cluster": c, "text": "Shots were fired."}) + "\n" for i, c in records))
    out = tmp_path / "out"
    out.mkdir()
    pd.DataFrame({"claim_id": ["c1", "c2", "c3"], "article_id": ["a1", "a2", "b1"]}).to_parquet(out / "claims.parquet")
    # a1 and a2 share an event (right); b1 shares a fact with a2 (wrong)
    pd.DataFrame({"claim_id": ["c1", "c2", "c3"], "cluster_id": ["k1", "k2", "k2"], "event_key": ["v1", "v1", "v2"]}).to_parquet(
        out / "claim_clusters.parquet"
    )
    result = tmp_path / "r.json"
    assert stories.main(["--corpus", str(corpus), "--output", str(out), "--no-run", "--json", str(result)]) == 0
    figures = json.loads(result.read_text())
    assert figures["event"]["tp"] == 1 and figures["event"]["linked"] == 2  # a1-a2 right, a2-b1 wrong
    assert figures["fact"]["tp"] == 0 and figures["fact"]["purity"] == 0.0
    printed = capsys.readouterr().out
    assert "TF-IDF cosine of the two articles" in printed and "0.500  1.000" in printed
