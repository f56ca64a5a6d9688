"""Throughput and memory benchmark: ``python -m bench.throughput`` (``make bench``).

Every figure comes from ONE invocation, on the same corpus and machine:

* ``raw_wps``       raw spaCy ``nlp.pipe(texts, batch_size=64)`` words/s, 1 process, the model as
                    loaded by :func:`pipeline.nlp.load_nlp` (full pipeline incl. our EntityRuler)
                    with ``fast=False``: spaCy's *stock* attribute ruler and lemmatizer. The pipeline
                    swaps those two for drop-ins with identical output (``fast_attribute_ruler.py``,
                    ``memo_lemmatizer.py``); the yardstick stays what a user gets from spaCy itself.
* ``pipeline_wps``  ``pipeline.runner.run_all`` words/s on the same articles (written as one .jsonl
                    in a temp input folder), fresh output folder (cold parse cache), ``processes=1``.
* ``ratio``         ``pipeline_wps / raw_wps`` (goal: >= 0.85).
* ``raw_tuned_wps`` raw ``nlp.pipe`` as above, but with the pipeline's own model setup (the drop-in
                    components and numpy's BLAS): a bare parse as fast as the pipeline's. Beside it,
                    ``overhead_ratio`` = ``pipeline_wps / raw_tuned_wps`` says what everything around
                    the parse costs (timexes, cache writes, the stages after parsing), which ``ratio``
                    hides once the pipeline parses faster than stock spaCy.
* ``speedup_2proc`` ``pipeline_wps`` with ``processes=2`` (fresh output folder) / with ``processes=1``
                    (goal: >= 1.7 on 2 cores).
* ``peak_rss_mb``   peak resident memory of the 1-process pipeline run.
* ``raw_speedup_2proc`` raw spaCy ``nlp.pipe(..., n_process=2)`` / ``n_process=1``: what the model
                    alone gains from a second process on this machine, the yardstick for
                    ``speedup_2proc`` (two vCPUs that are hyperthreads of one core give far less than 2).

``--rounds N`` (default 3) repeats every measurement N times, interleaved (raw, raw x2, pipeline,
pipeline x2, then again), and keeps each one's fastest run: the usual way (``timeit``) to read a
machine whose other load comes and goes. All rounds' seconds are kept under ``samples``.

Words are whitespace-separated tokens of the article texts (the same count for every measurement).

Each measurement runs in its own subprocess (``python -m bench.throughput --worker ...``), so model
loads, caches and memory never leak between measurements. Inside the subprocess the spaCy model is
loaded and warmed up *before* the clock starts, for the raw and the pipeline measurements alike; the
load time is reported separately (``model_load_seconds``). The pipeline worker also makes pyarrow do
its lazy import of pandas (~0.3 s) before the clock: imports are start-up, untimed for raw spaCy too.

``steal_samples`` holds, per run, the CPU seconds the hypervisor gave to other guests meanwhile
(``steal`` in /proc/stat): on a virtual machine, a run that lost CPU this way is slower for reasons
outside the code. It does not see other load sharing the physical cores, which can slow runs too.

Memory is read two ways and both are recorded:

* ``peak_rss_mb``: the parent polls the worker's process tree with psutil every 50 ms (looking for
  new child processes every 0.5 s, which is what costs CPU) and keeps the
  largest *sum* of RSS over the worker and all its descendants (spaCy's ``n_process`` workers).
  Pages shared copy-on-write between forked workers are counted once per process, so for
  multi-process runs this is an upper bound; a peak shorter than 50 ms, or a child process that
  lives less than 0.5 s, can be missed.
* ``peak_rss_single_mb``: ``max(getrusage(RUSAGE_SELF), getrusage(RUSAGE_CHILDREN)).ru_maxrss`` read
  inside the worker: the high-water mark of the largest *single* process (exact, kernel-tracked).

Per-stage seconds are read from ``manifest.json`` of the 1-process run ("seconds" per stage; the
segment entry's "parse_seconds" is the spaCy parse + parse-cache writes, which segment triggers).

``--scale 1,5,10`` additionally runs the pipeline (1 process) over 1x, 5x, 10x the whole corpus
(records repeated with new ids ``<id>-r<k>``) and tabulates articles, words, seconds and peak RSS.
A scale whose run is predicted (linearly from the largest scale measured so far) to exceed
``--scale-budget`` seconds (default 900) is not run; its figures are extrapolated linearly and marked
as such.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from pipeline.config import SHARED_DIR

DEFAULT_CORPUS = SHARED_DIR / "corpora" / "bbc.jsonl"
DEFAULT_RESULTS = Path("bench") / "results.json"
DEFAULT_ARTICLES = 300
RAW_BATCH_SIZE = 64
POLL_SECONDS = 0.05
#: Polls between two searches for the measured process's children (workers are found within 0.5 s).
#: A search reads every process's /proc entry: about 1.3 ms, 2.6 % of a core at every poll, which
#: the 2-process run, using both cores, would pay for and the 1-process run would not.
CHILDREN_EVERY = 10
PROC_STAT = "/proc/stat"
MB = 1024 * 1024


# --------------------------------------------------------------------------- corpus helpers


def read_corpus(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    """The first ``limit`` JSON Lines records of ``path`` that have a text (all when limit is None)."""
    records: list[dict[str, Any]] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if limit is not None and len(records) >= limit:
                break
            line = line.strip()
            if not line:
                continue
            record = json.loads(line)
            if isinstance(record, dict) and isinstance(record.get("text"), str):
                records.append(record)
    return records


def count_words(texts: Iterable[str]) -> int:
    """Whitespace-separated tokens: the word count every words/s figure divides by."""
    return sum(len(t.split()) for t in texts)


def scaled_records(records: Sequence[dict[str, Any]], factor: int) -> list[dict[str, Any]]:
    """``factor`` copies of the corpus; copy k >= 1 gets ids ``<id>-r<k>`` (copy 0 keeps its ids)."""
    out: list[dict[str, Any]] = []
    for k in range(factor):
        for record in records:
            if k == 0:
                out.append(dict(record))
            else:
                out.append({**record, "id": f"{record.get('id', 'article')}-r{k}"})
    return out


def write_jsonl(records: Iterable[dict[str, Any]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


def machine_info() -> dict[str, Any]:
    import psutil
    import spacy

    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - non-Linux
        usable = os.cpu_count() or 1
    return {
        "cpu_count": os.cpu_count(),
        "usable_cpus": usable,
        "cpu_model": _cpu_model(),
        "memory_mb": round(psutil.virtual_memory().total / MB),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "spacy": spacy.__version__,
        "load_average_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


# --------------------------------------------------------------------------- worker (subprocess side)


def _max_rss_bytes() -> dict[str, int]:
    """Kernel high-water marks of this process and of its largest waited-for child (bytes)."""
    scale = 1 if sys.platform == "darwin" else 1024  # Linux reports KiB
    return {
        "self": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale,
        "children": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale,
    }


def _reset_peak_rss() -> bool:
    """Reset this process's kernel high-water mark (Linux /proc/self/clear_refs "5"); False if unsupported."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _peak_rss_since_reset() -> int | None:
    """VmHWM of this process in bytes (its peak since the last reset), or None off Linux."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _with_stage_peaks(fn: Any, name: str, peaks: dict[str, int]) -> Any:
    """Wrap a runner stage so that its own peak RSS (this process) is recorded in ``peaks``."""

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not _reset_peak_rss():
            return fn(*args, **kwargs)
        try:
            return fn(*args, **kwargs)
        finally:
            peak = _peak_rss_since_reset()
            if peak is not None:
                peaks[name] = peak

    return wrapped


def _cpu_seconds() -> float:
    """User + system CPU seconds of this process and its waited-for children (spaCy workers)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def _load_model(*, stock: bool = False) -> tuple[Any, float]:
    """The pipeline's model (the lru-cached object run_all will use), or with ``stock`` spaCy's own components."""
    from pipeline.config import PipelineConfig
    from pipeline.nlp import load_nlp, nlp_for

    started = time.perf_counter()
    config = PipelineConfig()
    nlp = load_nlp(config.spacy_model, max_length=config.max_article_bytes + 1, fast=False) if stock else nlp_for(config)
    nlp("Warm-up sentence for the benchmark. It is not timed.")
    return nlp, time.perf_counter() - started


def _import_lazily_imported() -> None:
    """Import what pyarrow imports on its first use, pandas (about 0.3 s), before the clock starts.

    Imports are a process's one-off start-up, like the model load: the raw measurements do theirs
    untimed too, and neither belongs in a words-per-second figure.
    """
    import pyarrow as pa

    pa.array([0])


def worker_raw(input_file: Path, processes: int = 1, *, stock: bool = True) -> dict[str, Any]:
    """Raw spaCy throughput over the texts of ``input_file`` (batch_size=64, ``n_process=processes``);
    ``stock=False`` parses with the pipeline's own model setup instead of spaCy's."""
    texts = [r["text"] for r in read_corpus(input_file)]
    nlp, load_seconds = _load_model(stock=stock)
    cpu = _cpu_seconds()
    started = time.perf_counter()
    n_docs = 0
    for _doc in nlp.pipe(texts, batch_size=RAW_BATCH_SIZE, n_process=processes):
        n_docs += 1
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "cpu_seconds": _cpu_seconds() - cpu,
        "docs": n_docs,
        "model_load_seconds": load_seconds,
        "max_rss": _max_rss_bytes(),
    }


def worker_pipeline(input_dir: Path, output_dir: Path, processes: int, exclude: Sequence[str] = ()) -> dict[str, Any]:
    """``run_all`` over ``input_dir`` into a fresh ``output_dir``; reads back the manifest."""
    from pipeline import runner
    from pipeline.config import PipelineConfig
    from pipeline.runner import run_all

    # --stop-before: only for benchmarking while a stage is broken; drops it and every later stage (they
    # read its table). Recorded in the results and printed as a warning.
    saved = dict(runner.STAGES)
    saved_report = getattr(runner, "write_report", None)
    saved_ingest = runner.stage_ingest
    stage_peaks: dict[str, int] = {}
    runner.stage_ingest = _with_stage_peaks(saved_ingest, "ingest", stage_peaks)  # type: ignore[assignment]
    for name, fn in saved.items():
        runner.STAGES[name] = _with_stage_peaks(fn, name, stage_peaks)
    if saved_report is not None:  # the report is a stage too: it reads every table
        runner.write_report = _with_stage_peaks(saved_report, "report", stage_peaks)  # type: ignore[attr-defined]
    for name in exclude:
        if name in runner.STAGES:
            names = list(runner.STAGES)
            for later in names[names.index(name) :]:
                runner.STAGES.pop(later, None)
            if saved_report is not None:  # the final report reads the tables of the dropped stages
                runner.write_report = lambda *a, **k: None  # type: ignore[attr-defined]
    try:
        _nlp, load_seconds = _load_model()
        _import_lazily_imported()
        cpu = _cpu_seconds()
        started = time.perf_counter()
        summary = run_all(input_dir, output_dir, config=PipelineConfig(processes=processes))
        seconds = time.perf_counter() - started
        cpu = _cpu_seconds() - cpu
    finally:
        runner.stage_ingest = saved_ingest  # type: ignore[assignment]
        runner.STAGES.clear()
        runner.STAGES.update(saved)
        if saved_report is not None:
            runner.write_report = saved_report  # type: ignore[attr-defined]
    manifest_path = output_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "model_load_seconds": load_seconds,
        "accepted": summary.accepted,
        "rejected": summary.rejected,
        "rows": summary.rows,
        "run_all_seconds": summary.seconds,
        "manifest_stages": manifest.get("stages", {}),
        "max_rss": _max_rss_bytes(),
        "stage_peak_rss": stage_peaks,
    }


def _worker_main(args: argparse.Namespace) -> int:
    if args.worker in ("raw", "raw-tuned"):
        result = worker_raw(args.input, args.processes, stock=args.worker == "raw")
    else:
        result = worker_pipeline(args.input, args.output_dir, args.processes, args.exclude_stage)
    Path(args.result).write_text(json.dumps(result))
    return 0


# --------------------------------------------------------------------------- parent side


class WorkerError(RuntimeError):
    pass


def steal_seconds() -> float | None:
    """CPU seconds the hypervisor has given to other guests while this machine's CPUs wanted to run
    (``steal`` in /proc/stat, since boot); None where the kernel does not report it."""
    try:
        with open(PROC_STAT) as fh:
            fields = fh.readline().split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def run_worker(worker_args: list[str], *, poll: float = POLL_SECONDS) -> dict[str, Any]:
    """Run one measurement in a subprocess; returns its result plus the polled peak tree RSS and the
    CPU time stolen by the hypervisor meanwhile."""
    import psutil

    stolen_before = steal_seconds()

    with tempfile.TemporaryDirectory(prefix="bench-result-") as tmp:
        result_file = Path(tmp) / "result.json"
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parent.parent)
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        cmd = [sys.executable, "-m", "bench.throughput", "--worker", *worker_args, "--result", str(result_file)]
        log_file = (Path(tmp) / "worker.log").open("w+")  # a file, not a pipe: a chatty worker never blocks
        proc = subprocess.Popen(cmd, env=env, stdout=log_file, stderr=subprocess.STDOUT, text=True)
        peak_tree = 0
        try:
            root_proc = psutil.Process(proc.pid)
            children: list[Any] = []
            polls = 0
            while proc.poll() is None:
                total = 0
                try:
                    # finding the children scans every process on the machine: only every
                    # CHILDREN_EVERY polls, so the poller takes little CPU from a run that uses all cores
                    if polls % CHILDREN_EVERY == 0:
                        children = root_proc.children(recursive=True)
                    total += root_proc.memory_info().rss
                    for child in children:
                        try:
                            total += child.memory_info().rss
                        except (psutil.NoSuchProcess, psutil.AccessDenied):
                            pass
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    pass
                peak_tree = max(peak_tree, total)
                polls += 1
                time.sleep(poll)
        except psutil.NoSuchProcess:
            pass
        except BaseException:  # interrupted: do not leave the measurement (and its workers) running
            for child in _descendants(proc.pid):
                child.kill()
            proc.kill()
            proc.wait()
            raise
        proc.wait()
        log_file.seek(0)
        output = log_file.read()
        log_file.close()
        if proc.returncode != 0 or not result_file.exists():
            tail = "\n".join(output.strip().splitlines()[-15:])
            raise WorkerError(f"benchmark worker {' '.join(worker_args[:1])} failed (exit {proc.returncode}):\n{tail}")
        result = json.loads(result_file.read_text())
    stolen_after = steal_seconds()
    result["steal_seconds"] = None if stolen_before is None or stolen_after is None else round(stolen_after - stolen_before, 2)
    max_rss = result.get("max_rss", {})
    result["peak_rss_tree_bytes"] = peak_tree
    result["peak_rss_single_bytes"] = max(int(max_rss.get("self", 0)), int(max_rss.get("children", 0)))
    return result


def _descendants(pid: int) -> list[Any]:
    import psutil

    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _mb(n_bytes: float) -> float:
    return round(n_bytes / MB, 1)


def stage_breakdown(manifest_stages: dict[str, Any], run_all_seconds: dict[str, float] | None = None) -> list[tuple[str, float]]:
    """(name, seconds) per stage in run order, with the parse split out of the stage that triggered it.

    Steps ``run_all`` timed that have no manifest entry (e.g. the final HTML report) are appended
    from ``run_all_seconds`` (RunSummary.seconds).
    """
    rows: list[tuple[str, float]] = []
    parse_done = False
    try:
        from pipeline.runner import STAGES

        known = ["ingest", *STAGES]
    except Exception:  # pragma: no cover - runner being edited
        known = ["ingest"]
    rank = {name: i for i, name in enumerate(known)}
    ordered = sorted(
        manifest_stages.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[1].get("finished", ""), kv[0])
    )
    for name, entry in ordered:
        seconds = float(entry.get("seconds", 0.0))
        if not parse_done and "parse_seconds" in entry:
            parse = float(entry["parse_seconds"])
            rows.append((f"{name}: parse (spaCy + cache write)", parse))
            rows.append((f"{name}: rest", max(0.0, seconds - parse)))
            parse_done = True
        else:
            rows.append((name, seconds))
    for name, seconds in (run_all_seconds or {}).items():
        if name not in manifest_stages:
            rows.append((f"{name} (run_all timer)", float(seconds)))
    return rows


def _fmt_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[str(h) for h in headers]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for j, r in enumerate(cells):
        lines.append("  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))))
        if j == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def measure(
    records: list[dict[str, Any]],
    workdir: Path,
    *,
    two_proc: bool = True,
    exclude: Sequence[str] = (),
    rounds: int = 1,
    log=print,
) -> dict[str, Any]:
    """raw / raw(2) / pipeline(1) / pipeline(2) measurements over ``records``, best of ``rounds``."""
    if rounds < 1:
        raise ValueError(f"rounds must be a positive integer, got {rounds!r}")
    input_dir = workdir / "input"
    write_jsonl(records, input_dir / "articles.jsonl")
    words = count_words(r["text"] for r in records)
    extra = [a for name in exclude for a in ("--stop-before", name)]
    runs: dict[str, list[dict[str, Any]]] = {"raw": [], "raw_tuned": [], "raw2": [], "p1": [], "p2": []}
    steps = 5 if two_proc else 3
    for r in range(rounds):
        tag = f" (round {r + 1}/{rounds})" if rounds > 1 else ""
        log(f"[1/{steps}] raw spaCy nlp.pipe over {len(records)} articles{tag} ...")
        runs["raw"].append(run_worker(["raw", "--input", str(input_dir / "articles.jsonl"), "--processes", "1"]))
        log(f"[2/{steps}] raw spaCy nlp.pipe with the pipeline's model setup{tag} ...")
        runs["raw_tuned"].append(run_worker(["raw-tuned", "--input", str(input_dir / "articles.jsonl"), "--processes", "1"]))
        if two_proc:
            log(f"[3/{steps}] raw spaCy nlp.pipe, n_process=2{tag} ...")
            runs["raw2"].append(run_worker(["raw", "--input", str(input_dir / "articles.jsonl"), "--processes", "2"]))
        for processes in (1, 2) if two_proc else (1,):
            log(f"[{steps - (2 - processes) if two_proc else 3}/{steps}] pipeline run_all, processes={processes}, cold cache{tag} ...")
            out = workdir / f"out-p{processes}"
            shutil.rmtree(out, ignore_errors=True)  # every round starts from a cold cache
            runs[f"p{processes}"].append(
                run_worker(["pipeline", "--input", str(input_dir), "--output-dir", str(out), "--processes", str(processes), *extra])
            )
    best = {k: min(v, key=lambda res: res["seconds"]) if v else None for k, v in runs.items()}
    raw, raw_tuned, raw2, p1, p2 = best["raw"], best["raw_tuned"], best["raw2"], best["p1"], best["p2"]
    assert raw is not None and raw_tuned is not None and p1 is not None
    return {
        "words": words,
        "raw": raw,
        "raw_tuned": raw_tuned,
        "raw_tuned_wps": words / raw_tuned["seconds"],
        "raw2": raw2,
        "p1": p1,
        "p2": p2,
        "raw_wps": words / raw["seconds"],
        "raw2_wps": words / raw2["seconds"] if raw2 else None,
        "pipeline_wps": words / p1["seconds"],
        "p2_wps": words / p2["seconds"] if p2 else None,
        "rounds": rounds,
        "samples": {k: [round(res["seconds"], 3) for res in v] for k, v in runs.items() if v},
        "steal_samples": {k: [res.get("steal_seconds") for res in v] for k, v in runs.items() if v},
    }


def run_scale(
    corpus: list[dict[str, Any]],
    factors: Sequence[int],
    workdir: Path,
    *,
    budget: float,
    exclude: Sequence[str] = (),
    prior: dict[str, Any] | None = None,
    processes: int = 1,
    seed_cache: Path | None = None,
    log=print,
) -> list[dict[str, Any]]:
    """Peak RSS and seconds of the 1-process pipeline over ``factor`` copies of the corpus.

    ``prior`` ({"words", "seconds", "rss"} of the main 1-process run) predicts the first scale's time.
    """
    rows: list[dict[str, Any]] = []
    measured: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = [prior] if prior else []
    base_words = count_words(r["text"] for r in corpus)
    shared_cache = workdir / "scale-parse-cache"
    if seed_cache is not None and (seed_cache / "docs").is_dir():
        shutil.copytree(seed_cache / "docs", shared_cache / "docs")  # parses only: later caches are per run
    for factor in sorted(set(factors)):
        articles = len(corpus) * factor
        words = base_words * factor
        row: dict[str, Any] = {"factor": factor, "articles": articles, "words": words}
        if history:
            ref = history[-1]
            # with the parses reused, only the work after parsing grows with the copies
            grows = ref["seconds"] - (ref.get("parse_seconds", 0.0) if shared_cache.exists() else 0.0)
            predicted = grows * words / ref["words"]
        else:
            predicted = 0.0
        if history and predicted > budget:
            row.update(_extrapolate(history, words))
            row["extrapolated"] = True
            row["note"] = f"not run: predicted {predicted:.0f} s > budget {budget:.0f} s; linear extrapolation"
            log(f"  scale {factor}x: skipped (predicted {predicted / 60:.1f} min > {budget / 60:.0f} min budget); extrapolating")
        else:
            log(f"  scale {factor}x: {articles} articles, {words} words ...")
            sub = workdir / f"scale-{factor}"
            write_jsonl(scaled_records(corpus, factor), sub / "input" / "articles.jsonl")
            extra = [a for name in exclude for a in ("--stop-before", name)]
            # The copies are the same texts, which a run parses once anyway; the parses of the
            # previous scale run are reused so only the first run pays for parsing.
            warm = shared_cache.exists()
            if warm:
                shutil.copytree(shared_cache / "docs", sub / "out" / ".cache" / "docs")
            res = run_worker(
                ["pipeline", "--input", str(sub / "input"), "--output-dir", str(sub / "out"), "--processes", str(processes), *extra]
            )
            if not warm and (sub / "out" / ".cache" / "docs").exists():
                shared_cache.mkdir(parents=True, exist_ok=True)
                shutil.move(str(sub / "out" / ".cache" / "docs"), shared_cache / "docs")
            shutil.rmtree(sub, ignore_errors=True)
            row.update(
                seconds=round(res["seconds"], 2),
                peak_rss_mb=_mb(res["peak_rss_tree_bytes"]),
                peak_rss_single_mb=_mb(res["peak_rss_single_bytes"]),
                parse_cache="warm" if warm else "cold",
                rows=res.get("rows", {}),
                stage_peak_rss_mb={k: _mb(v) for k, v in res.get("stage_peak_rss", {}).items()},
                stage_seconds={k: round(float(v.get("seconds", 0.0)), 2) for k, v in res.get("manifest_stages", {}).items()},
                extrapolated=False,
            )
            parse_seconds = float(res.get("manifest_stages", {}).get("segment", {}).get("parse_seconds", 0.0))
            row["processes"] = processes
            measured.append({"words": words, "seconds": res["seconds"], "rss": res["peak_rss_tree_bytes"], "parse_seconds": parse_seconds})
            history.append(measured[-1])
        rows.append(row)
    return rows


def _extrapolate(measured: list[dict[str, Any]], words: int) -> dict[str, Any]:
    last = measured[-1]
    seconds = last["seconds"] * words / last["words"]
    if len(measured) >= 2:  # RSS = fixed + per-word slope, fitted through the two largest runs
        a, b = measured[-2], measured[-1]
        slope = (b["rss"] - a["rss"]) / max(1, b["words"] - a["words"])
        rss = b["rss"] + slope * (words - b["words"])
    else:  # one point cannot separate the fixed model size from the per-word growth
        rss = None
    return {"seconds": round(seconds, 2), "peak_rss_mb": _mb(rss) if rss is not None else None, "peak_rss_single_mb": None}


def build_results(m: dict[str, Any], *, articles: int, corpus: Path) -> dict[str, Any]:
    raw_wps = round(m["raw_wps"], 1)
    pipeline_wps = round(m["pipeline_wps"], 1)
    p1, p2 = m["p1"], m["p2"]
    results: dict[str, Any] = {
        "raw_wps": raw_wps,
        "pipeline_wps": pipeline_wps,
        "ratio": round(pipeline_wps / raw_wps, 4),
        "raw_tuned_wps": round(m["raw_tuned_wps"], 1),
        "overhead_ratio": round(pipeline_wps / m["raw_tuned_wps"], 4),
        "speedup_2proc": round(m["p2_wps"] / pipeline_wps, 4) if m["p2_wps"] else None,
        "pipeline_wps_2proc": round(m["p2_wps"], 1) if m["p2_wps"] else None,
        "raw_wps_2proc": round(m["raw2_wps"], 1) if m.get("raw2_wps") else None,
        "raw_speedup_2proc": round(m["raw2_wps"] / m["raw_wps"], 4) if m.get("raw2_wps") else None,
        "rounds": m.get("rounds", 1),
        "samples": m.get("samples", {}),
        "steal_samples": m.get("steal_samples", {}),
        "peak_rss_mb": _mb(p1["peak_rss_tree_bytes"]),
        "peak_rss_single_mb": _mb(p1["peak_rss_single_bytes"]),
        "peak_rss_mb_2proc": _mb(p2["peak_rss_tree_bytes"]) if p2 else None,
        "peak_rss_single_mb_2proc": _mb(p2["peak_rss_single_bytes"]) if p2 else None,
        "raw_peak_rss_mb": _mb(m["raw"]["peak_rss_tree_bytes"]),
        "peak_rss_method": (
            "peak_rss_mb: max over psutil polls (every 50 ms) of the summed RSS of the measured subprocess "
            "and all its descendants; peak_rss_single_mb: max(getrusage RUSAGE_SELF, RUSAGE_CHILDREN).ru_maxrss "
            "inside that subprocess = largest single process"
        ),
        "articles": articles,
        "accepted_articles": p1["accepted"],
        "words": m["words"],
        "seconds": {
            "raw": round(m["raw"]["seconds"], 3),
            "raw_tuned": round(m["raw_tuned"]["seconds"], 3),
            "raw_2proc": round(m["raw2"]["seconds"], 3) if m.get("raw2") else None,
            "pipeline_1proc": round(p1["seconds"], 3),
            "pipeline_2proc": round(p2["seconds"], 3) if p2 else None,
            "model_load": round(p1["model_load_seconds"], 3),
        },
        # CPU seconds (process + spaCy workers): less sensitive than wall time to other load on the machine
        "cpu_seconds": {
            "raw": round(m["raw"].get("cpu_seconds", 0.0), 3),
            "pipeline_1proc": round(p1.get("cpu_seconds", 0.0), 3),
            "pipeline_2proc": round(p2.get("cpu_seconds", 0.0), 3) if p2 else None,
        },
        "cpu_ratio": round(m["raw"].get("cpu_seconds", 0.0) / p1["cpu_seconds"], 4) if p1.get("cpu_seconds") else None,
        "stages_1proc": {name: round(sec, 3) for name, sec in stage_breakdown(p1["manifest_stages"], p1.get("run_all_seconds"))},
        "stages_2proc": {name: round(sec, 3) for name, sec in stage_breakdown(p2["manifest_stages"], p2.get("run_all_seconds"))} if p2 else None,
        "raw_batch_size": RAW_BATCH_SIZE,
        "corpus": str(corpus),
        "goals": {},
        "machine": machine_info(),
        "timestamp": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    results["goals"] = {
        "ratio>=0.85": results["ratio"] >= 0.85,
        "speedup_2proc>=1.7": (results["speedup_2proc"] or 0) >= 1.7,
    }
    return results


def report(results: dict[str, Any]) -> str:
    r = results
    sec = r["seconds"]
    m = r["machine"]
    lines = [
        f"Benchmark: {r['articles']} articles ({r['accepted_articles']} accepted), {r['words']:,} words  "
        f"[{m['usable_cpus']} CPUs, {m['cpu_model']}, Python {m['python']}, spaCy {m['spacy']}, "
        f"load avg {m.get('load_average_1min_start')} -> {m.get('load_average_1min')}]",
        *(
            [f"WARNING: pipeline runs stopped before stage {', '.join(r['stopped_before_stage'])} (--stop-before)"]
            if r.get("stopped_before_stage")
            else []
        ),
        "",
        _fmt_table(
            ["measurement", "seconds", "words/s", "peak RSS MB (tree)", "peak RSS MB (1 proc)"],
            [
                ["raw nlp.pipe (batch 64, 1 proc)", f"{sec['raw']:.2f}", f"{r['raw_wps']:,.0f}", r["raw_peak_rss_mb"], "-"],
                ["raw nlp.pipe, pipeline's model setup", f"{sec['raw_tuned']:.2f}", f"{r['raw_tuned_wps']:,.0f}", "-", "-"],
                *(
                    [["raw nlp.pipe (batch 64, n_process=2)", f"{sec['raw_2proc']:.2f}", f"{r['raw_wps_2proc']:,.0f}", "-", "-"]]
                    if r.get("raw_wps_2proc")
                    else []
                ),
                ["pipeline run_all, processes=1", f"{sec['pipeline_1proc']:.2f}", f"{r['pipeline_wps']:,.0f}", r["peak_rss_mb"], r["peak_rss_single_mb"]],
            ]
            + (
                [["pipeline run_all, processes=2", f"{sec['pipeline_2proc']:.2f}", f"{r['pipeline_wps_2proc']:,.0f}", r["peak_rss_mb_2proc"], r["peak_rss_single_mb_2proc"]]]
                if r["speedup_2proc"] is not None
                else []
            ),
        ),
        "",
        f"ratio pipeline/raw   = {r['ratio']:.3f}   (goal >= 0.85: {'MET' if r['goals']['ratio>=0.85'] else 'NOT met'})",
        f"overhead ratio       = {r['overhead_ratio']:.3f}   (pipeline / a bare parse with its own model setup: what the rest costs)",
        (
            f"speed-up 2 processes = {r['speedup_2proc']:.3f}   (goal >= 1.7: {'MET' if r['goals']['speedup_2proc>=1.7'] else 'NOT met'})"
            if r["speedup_2proc"] is not None
            else "speed-up 2 processes = not measured"
        ),
        *(
            [f"raw spaCy speed-up 2 processes = {r['raw_speedup_2proc']:.3f}   (what the model alone gains from a second process here)"]
            if r.get("raw_speedup_2proc")
            else []
        ),
        f"best of {r.get('rounds', 1)} interleaved round(s); all rounds' seconds: "
        + ", ".join(f"{k} {v}" for k, v in r.get("samples", {}).items()),
        *(
            ["CPU stolen by the hypervisor during each run (s): " + ", ".join(f"{k} {v}" for k, v in r["steal_samples"].items())]
            if any(x for v in r.get("steal_samples", {}).values() for x in v)
            else []
        ),
        f"model load (untimed) = {sec['model_load']:.2f} s",
        f"CPU seconds          = raw {r['cpu_seconds']['raw']:.1f}, pipeline {r['cpu_seconds']['pipeline_1proc']:.1f}"
        + (f", pipeline 2 proc {r['cpu_seconds']['pipeline_2proc']:.1f}" if r["cpu_seconds"]["pipeline_2proc"] is not None else "")
        + (f"  (CPU-time ratio raw/pipeline = {r['cpu_ratio']:.3f}; wall-clock figures are skewed when the machine is busy)" if r.get("cpu_ratio") else ""),
        "",
        "Where the 1-process pipeline run spends its time (manifest.json):",
        _fmt_table(
            ["stage", "seconds", "share"],
            [[n, f"{s:.2f}", f"{100 * s / max(sec['pipeline_1proc'], 1e-9):.0f}%"] for n, s in r["stages_1proc"].items()],
        ),
    ]
    if r.get("stages_2proc"):
        lines += ["", "2-process run:", _fmt_table(["stage", "seconds"], [[n, f"{s:.2f}"] for n, s in r["stages_2proc"].items()])]
    if r.get("scale"):
        lines += [
            "",
            f"Scale (pipeline, processes={r['scale'][0].get('processes', 1)}, whole corpus repeated; parses reused after the first run):",
            _fmt_table(
                ["factor", "articles", "words", "seconds", "peak RSS MB (tree)", "peak RSS MB (1 proc)", "measured"],
                [
                    [f"{s['factor']}x", s["articles"], f"{s['words']:,}", s["seconds"], s["peak_rss_mb"] if s["peak_rss_mb"] is not None else "?", s["peak_rss_single_mb"] or "-", "extrapolated" if s["extrapolated"] else "yes"]
                    for s in r["scale"]
                ],
            ),
        ]
        measured = [s for s in r["scale"] if s.get("stage_peak_rss_mb")]
        if measured:
            stages = list(dict.fromkeys(k for s in measured for k in s["stage_peak_rss_mb"]))
            lines += [
                "",
                "Peak RSS (MB) of the run's process while each stage ran (parse workers not included):",
                _fmt_table(
                    ["stage", *[f"{s['factor']}x" for s in measured]],
                    [[k, *[s["stage_peak_rss_mb"].get(k, "-") for s in measured]] for k in stages],
                ),
            ]
    return "\n".join(lines)


def _write_results(results: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)


def _parse_factors(value: str) -> list[int]:
    try:
        factors = [int(v) for v in value.split(",") if v.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--scale wants comma-separated positive integers, got {value!r}") from None
    if not factors or any(f <= 0 for f in factors):
        raise argparse.ArgumentTypeError(f"--scale wants comma-separated positive integers, got {value!r}")
    return factors


def _positive(value: str) -> int:
    n = int(value)
    if n <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {value!r}")
    return n


def _terminate(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.throughput", description=__doc__.split("\n\n")[0])
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="JSON Lines corpus (default: %(default)s)")
    p.add_argument("--articles", type=_positive, default=DEFAULT_ARTICLES, help="first N articles (default: %(default)s)")
    p.add_argument("--out", type=Path, default=DEFAULT_RESULTS, help="results file (default: %(default)s)")
    p.add_argument("--no-2proc", dest="two_proc", action="store_false", help="skip the processes=2 runs")
    p.add_argument("--rounds", type=_positive, default=3, help="interleaved repetitions; the fastest of each is kept (default: %(default)s)")
    p.add_argument("--scale", type=_parse_factors, default=None, help="e.g. 1,5,10: peak RSS over k x the whole corpus (slow)")
    p.add_argument("--scale-budget", type=float, default=900.0, help="max predicted seconds per scale run (default: %(default)s)")
    p.add_argument("--scale-processes", type=_positive, default=1, help="processes for the scale runs (default: %(default)s)")
    p.add_argument("--scale-cache", type=Path, default=None, help="a parse cache (OUTPUT/.cache) of the corpus to start the scale runs from")
    p.add_argument("--quiet", action="store_true", help="only the final table")
    p.add_argument(
        "--stop-before",
        dest="exclude_stage",
        action="append",
        default=[],
        metavar="STAGE",
        help="run runner.STAGES only up to (not including) STAGE, e.g. one that is broken; recorded in the results",
    )
    # internal: one measurement inside a subprocess
    p.add_argument("--worker", choices=["raw", "raw-tuned", "pipeline"], help=argparse.SUPPRESS)
    p.add_argument("--input", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--output-dir", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--processes", type=int, default=1, help=argparse.SUPPRESS)
    p.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.worker:
        return _worker_main(args)
    previous = signal.signal(signal.SIGTERM, _terminate)  # so `kill` also stops the measurement subprocess
    try:
        return _bench_main(args)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _bench_main(args: argparse.Namespace) -> int:
    log = (lambda *a, **k: None) if args.quiet else (lambda *a, **k: print(*a, **k, file=sys.stderr, flush=True))
    if not args.corpus.is_file():
        print(f"benchmark skipped: corpus {args.corpus} not found (pass --corpus PATH to a JSON Lines file)")
        return 0
    records = read_corpus(args.corpus, args.articles)
    if not records:
        print(f"benchmark skipped: corpus {args.corpus} has no records with a text")
        return 0
    if len(records) < args.articles:
        log(f"note: corpus has only {len(records)} articles with text; using all of them")

    load_start = round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None
    with tempfile.TemporaryDirectory(prefix="pipeline-bench-") as tmp:
        workdir = Path(tmp)
        try:
            m = measure(records, workdir, two_proc=args.two_proc, exclude=args.exclude_stage, rounds=args.rounds, log=log)
            results = build_results(m, articles=len(records), corpus=args.corpus)
            results["stopped_before_stage"] = list(args.exclude_stage)
            results["machine"]["load_average_1min_start"] = load_start
            _write_results(results, args.out)  # before the (slow) scale runs, rewritten after them
            if args.scale:
                log(f"scale runs {args.scale} over the whole corpus (processes={args.scale_processes}) ...")
                results["scale"] = run_scale(
                    read_corpus(args.corpus),
                    args.scale,
                    workdir,
                    budget=args.scale_budget,
                    exclude=args.exclude_stage,
                    prior={"words": m["words"], "seconds": m["p1"]["seconds"], "rss": m["p1"]["peak_rss_tree_bytes"]},
                    processes=args.scale_processes,
                    seed_cache=args.scale_cache,
                    log=log,
                )
        except WorkerError as exc:
            print(f"benchmark failed: {exc}", file=sys.stderr)
            return 1

    _write_results(results, args.out)
    print(report(results))
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
