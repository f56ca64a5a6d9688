"""The benchmark's own logic on a tiny synthetic corpus (no timing thresholds are asserted)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench import throughput as benchmark
from conftest import ROOT

ARTICLES = [
    {
        "id": f"synthetic-{i}",
        "title": f"Council approves budget number {i}",
        "text": (
            f"The city council of Springfield approved a budget of {i + 2} million dollars on Monday.\n\n"
            "Mayor Jane Smith said the money would be spent on schools and roads. "
            "Critics in the opposition argued that the plan raised taxes too quickly."
        ),
        "source": "Synthetic News",
        "published": "2024-03-0{}".format(i + 1),
    }
    for i in range(6)
]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    path = tmp_path / "corpus.jsonl"
    benchmark.write_jsonl(ARTICLES, path)
    return path


def test_helpers() -> None:
    assert benchmark.count_words(["a b  c\n\nd", "e"]) == 5
    scaled = benchmark.scaled_records(ARTICLES[:2], 3)
    assert [r["id"] for r in scaled] == [
        "synthetic-0", "synthetic-1", "synthetic-0-r1", "synthetic-1-r1", "synthetic-0-r2", "synthetic-1-r2",
    ]
    assert all(s["text"] == ARTICLES[i % 2]["text"] for i, s in enumerate(scaled))
    stages = {
        "timexes": {"seconds": 1.0, "parse_seconds": 3.0, "finished": "t"},
        "ingest": {"seconds": 0.5, "finished": "t"},
        "segment": {"seconds": 4.0, "parse_seconds": 3.0, "finished": "t"},
    }
    rows = dict(benchmark.stage_breakdown(stages))
    assert list(rows) == ["ingest", "segment: parse (spaCy + cache write)", "segment: rest", "timexes"]
    assert rows["segment: rest"] == pytest.approx(1.0)


def test_missing_corpus_is_skipped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "bench" / "results.json"
    assert benchmark.main(["--corpus", str(tmp_path / "nope.jsonl"), "--out", str(out)]) == 0
    assert "skipped" in capsys.readouterr().out
    assert not out.exists()


def _in_process_worker(worker_args: list[str]) -> dict:
    """benchmark.run_worker without the subprocess (the model is loaded once per test session)."""
    args = benchmark.build_parser().parse_args(["--worker", *worker_args])
    if args.worker in ("raw", "raw-tuned"):
        result = benchmark.worker_raw(args.input, args.processes, stock=args.worker == "raw")
    else:
        result = benchmark.worker_pipeline(args.input, args.output_dir, args.processes, args.exclude_stage)
    result["steal_seconds"] = 0.25  # as if the hypervisor took a quarter second during each run
    result["peak_rss_tree_bytes"] = result["max_rss"]["self"]
    result["peak_rss_single_bytes"] = max(result["max_rss"].values())
    return result


def test_results_json_on_tiny_corpus(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, nlp: object, capsys: pytest.CaptureFixture[str]
) -> None:
    # Subprocess start-up (import spaCy, load the model: 3 x several seconds) would dominate a
    # 5-article run, so the measurements run in this process; `run_worker` itself is covered by
    # test_run_worker_subprocess_reports_rss.
    monkeypatch.setattr(benchmark, "run_worker", _in_process_worker)
    # Only ingest + segment (the parse): this tests the benchmark, not the later stages or their models.
    from pipeline.runner import STAGES

    stop = list(STAGES)[1:2]
    out = tmp_path / "bench" / "results.json"  # the folder is created
    argv = ["--corpus", str(corpus), "--articles", "5", "--out", str(out), "--quiet", "--rounds", "2"]
    assert benchmark.main(argv + [a for s in stop for a in ("--stop-before", s)]) == 0
    results = json.loads(out.read_text())
    for key in ("raw_wps", "pipeline_wps", "ratio", "speedup_2proc", "peak_rss_mb"):
        value = results[key]
        assert isinstance(value, (int, float)) and value > 0 and math.isfinite(value), key
    assert results["articles"] == 5
    assert results["words"] == benchmark.count_words(a["text"] for a in ARTICLES[:5])
    assert results["ratio"] == pytest.approx(results["pipeline_wps"] / results["raw_wps"], rel=1e-3)
    # the pipeline against a bare parse with its own model setup: what the work around the parse costs
    assert results["overhead_ratio"] == pytest.approx(results["pipeline_wps"] / results["raw_tuned_wps"], rel=1e-3)
    assert results["speedup_2proc"] == pytest.approx(results["pipeline_wps_2proc"] / results["pipeline_wps"], rel=1e-3)
    assert results["raw_speedup_2proc"] == pytest.approx(results["raw_wps_2proc"] / results["raw_wps"], rel=1e-3)
    # every measurement ran once per round, and the figures are the fastest round's
    assert results["rounds"] == 2
    assert {k: len(v) for k, v in results["samples"].items()} == {"raw": 2, "raw_tuned": 2, "raw2": 2, "p1": 2, "p2": 2}
    for key, name in (("raw", "raw"), ("raw_tuned", "raw_tuned"), ("pipeline_1proc", "p1"), ("pipeline_2proc", "p2"), ("raw_2proc", "raw2")):
        assert results["seconds"][key] == pytest.approx(min(results["samples"][name]), abs=2e-3), key
    machine = results["machine"]
    assert machine["cpu_count"] >= 1 and machine["python"] and machine["spacy"] and machine["platform"]
    assert results["timestamp"]
    assert "ingest" in results["stages_1proc"]
    assert any(name.endswith("parse (spaCy + cache write)") for name in results["stages_1proc"])
    assert results["stopped_before_stage"] == stop
    # CPU the hypervisor took during each run is kept per round and printed: it explains slow runs
    assert results["steal_samples"] == {k: [0.25, 0.25] for k in ("raw", "raw_tuned", "raw2", "p1", "p2")}
    assert "CPU stolen by the hypervisor during each run (s): raw [0.25, 0.25]" in capsys.readouterr().out


def test_run_worker_subprocess_reports_rss(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real subprocess path: raw measurement in a child, the tree's RSS polled and the largest
    process's read from getrusage, the steal counter read before and after it; the poller looks for
    child processes only every CHILDREN_EVERY polls, since that search is what takes CPU from the
    measured run."""
    import psutil

    readings = iter([100.0, 102.5])
    monkeypatch.setattr(benchmark, "steal_seconds", lambda: next(readings))
    searches: list[int] = []
    children = psutil.Process.children
    monkeypatch.setattr(psutil.Process, "children", lambda self, **kw: searches.append(1) or children(self, **kw))
    started = time.perf_counter()
    result = benchmark.run_worker(["raw", "--input", str(corpus)])
    polls = (time.perf_counter() - started) / benchmark.POLL_SECONDS
    assert 1 <= len(searches) <= polls / benchmark.CHILDREN_EVERY + 1
    assert result["steal_seconds"] == 2.5
    assert result["docs"] == len(ARTICLES)
    assert result["seconds"] > 0
    assert result["peak_rss_tree_bytes"] > 50 * benchmark.MB  # a loaded spaCy model
    assert result["peak_rss_single_bytes"] > 50 * benchmark.MB


@pytest.mark.parametrize(
    ("content", "expected_ticks"),
    [
        ("cpu  10 0 5 900 1 0 2 250 0 0\ncpu0 5 0 2 450 0 0 1 125 0 0\n", 250),  # the 8th number is steal
        ("cpu  10 0 5 900\n", None),  # an old kernel without the column
        (None, None),  # no /proc/stat at all (not Linux)
    ],
)
def test_steal_seconds_reads_the_steal_column(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str | None, expected_ticks: int | None) -> None:
    stat = tmp_path / "stat"
    if content is not None:
        stat.write_text(content)
    monkeypatch.setattr(benchmark, "PROC_STAT", str(stat))
    expected = None if expected_ticks is None else expected_ticks / os.sysconf("SC_CLK_TCK")
    assert benchmark.steal_seconds() == expected


def test_pipeline_worker_imports_what_pyarrow_imports_lazily_before_the_clock() -> None:
    # pyarrow imports pandas on its first use (~0.3 s): a start-up cost the timed run must not include
    code = "import sys; from bench import throughput as benchmark; assert 'pandas' not in sys.modules; benchmark._import_lazily_imported(); print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.strip() == "True"


def test_worker_failure_is_reported(tmp_path: Path) -> None:
    with pytest.raises(benchmark.WorkerError, match="failed"):
        benchmark.run_worker(["raw", "--input", str(tmp_path / "missing.jsonl")])


def test_scale_runs_report_rows_and_per_stage_peaks(tmp_path: Path) -> None:
    """1x then 2x the corpus: the second run sees twice the articles, reuses the parses, and every
    stage's own peak RSS is recorded (what shows whether memory grows with the corpus)."""
    rows = benchmark.run_scale(ARTICLES, [2, 1], tmp_path, budget=10_000, log=lambda *a, **k: None)
    assert [r["factor"] for r in rows] == [1, 2]  # sorted
    one, two = rows
    assert (one["parse_cache"], two["parse_cache"]) == ("cold", "warm")
    assert two["rows"]["articles"] == 2 * one["rows"]["articles"] == 2 * len(ARTICLES)
    assert two["rows"]["sentences"] == 2 * one["rows"]["sentences"]
    if Path("/proc/self/clear_refs").exists():
        stages = {"ingest", "segment", "entities", "timexes", "claims", "dedup", "conflicts", "report"}
        assert set(one["stage_peak_rss_mb"]) == stages
        assert all(v > 50 for v in one["stage_peak_rss_mb"].values())  # the loaded model is resident
    assert set(one["stage_seconds"]) >= {"segment", "dedup"}
