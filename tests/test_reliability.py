"""Reliability: bad inputs never sink a run, kills never corrupt tables, runs never interleave,
and the same input always gives the same tables.

Every fixture is generated in tmp folders here (no binary files are committed).
"""

from __future__ import annotations

import codecs
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.config import DEFAULT_CONFIG, PipelineConfig
from pipeline.ingest import ingest_rows
from pipeline.io import LOCK_NAME, STAGING_DIR, read_inputs
from pipeline.runner import STAGE_TABLES, run_all

from conftest import ROOT, SEEDS

SEED_IDS = sorted(p.stem for p in SEEDS.glob("*.txt"))
#: Every table a full run writes, in the order the stages write them.
ALL_TABLES = ["articles", *STAGE_TABLES.values()]


# ----------------------------------------------------------------------------------------------
# helpers


def _png() -> bytes:
    """A real, valid 4x4 RGB PNG (signature, IHDR, IDAT, IEND with CRCs)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"".join(bytes([x * 60, y * 60, 128]) for x in range(4)) for y in range(4))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _tables(out: Path) -> dict[str, pa.Table]:
    """Every *.parquet in an output folder, read with plain pyarrow (no pipeline code)."""
    return {p.stem: pq.read_table(p) for p in sorted(out.glob("*.parquet"))}


def _assert_same_tables(got: Path, expected: Path) -> None:
    want = _tables(expected)
    have = _tables(got)
    assert sorted(have) == sorted(want), (sorted(have), sorted(want))
    assert set(ALL_TABLES) <= set(want)
    for name in want:
        assert have[name].equals(want[name], check_metadata=True), f"{name}.parquet differs"


def _cli(*args: str) -> object:
    return CliRunner().invoke(main, list(args))


def _one_line_error(output: str) -> str:
    lines = output.strip().splitlines()
    assert len(lines) == 1, output
    assert lines[0].startswith("error: "), output
    assert "Traceback" not in output
    return lines[0]


# ----------------------------------------------------------------------------------------------
# 1. bad inputs, all in one folder with the good seeds

GERMAN = (
    "Der Bundestag hat am Donnerstag mit großer Mehrheit beschlossen, dass die Regierung neue Mittel "
    "für die Bahn und den Nahverkehr bereitstellen soll. "
) * 5
JAPANESE = "\n\n".join(["月曜日、両国の首脳がヘルシンキで会談した。会談は約二時間続き、軍備管理やシリア情勢について話し合った。" * 3] * 3)
RUSSIAN = (
    "В понедельник лидеры двух стран встретились в Хельсинки. Переговоры продолжались около двух часов, "
    "стороны обсудили контроль над вооружениями и ситуацию в Сирии. "
) * 4
ENGLISH = "The council met on Monday in the old town hall. Officials said the bridge would reopen in May."
CAFE = "Café owners met on Monday in Zürich. They agreed on new prices for coffee."
LIMIT_MB = DEFAULT_CONFIG.max_article_bytes / 1e6


def _feed_lines() -> list[bytes]:
    """feed.jsonl, line by line (line N is source feed.jsonl:N)."""
    return [
        json.dumps({"id": "feed-ok", "title": "Bridge", "text": ENGLISH, "source": "Daily", "published": "2019-03-04"}).encode(),
        b"{not json",
        b'{"id": "feed-trunc", "text": "The storm hit the',
        json.dumps({"id": "dup_story", "text": "The council voted on Tuesday to close the road."}).encode(),
        json.dumps({"id": SEED_IDS[0], "text": "A record that reuses a seed's id was filed on Monday."}).encode(),
        json.dumps({"id": "feed-notext", "title": "no body"}).encode(),
        json.dumps(["a", "list"]).encode(),
        json.dumps({"id": "feed-ru", "text": RUSSIAN}).encode(),
        "{\"id\": \"feed-latin1\", \"text\": \"Café\"}".encode("latin-1"),
        b'{"id": "feed-bigint", "text": "The mayor resigned on Friday.", "views": ' + b"7" * 5000 + b"}",
        b'{"id": "feed-deep", "text": "The mayor resigned on Friday.", "x": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
        b'{"id": "feed-surrogate", "text": "The mayor \\ud800 resigned on Friday."}',
        b"",  # a blank line is not a record and gets no row
        json.dumps({"id": "feed-last", "text": "The last record arrived on Sunday."}).encode(),
        b'{"id": "feed-tail", "text": "cut off mid-rec',  # truncated last line, no final newline
    ]


def _write_bad_inputs(folder: Path) -> None:
    w = lambda name, data: (folder / name).write_bytes(data)  # noqa: E731
    w("empty.txt", b"")
    w("whitespace.txt", b"  \n\n\t \r\n  \n")
    w("image.txt", _png())
    w("utf16_bom.txt", ("Bridge Report\n\n" + CAFE + "\n").encode("utf-16"))
    w("utf16_nobom.txt", (CAFE + "\n").encode("utf-16-le"))
    w("latin1.txt", (CAFE + "\n").encode("latin-1"))
    w("page.txt", b"<!DOCTYPE html>\n<html><head><title>News</title></head><body><p>" + ENGLISH.encode() + b"</p></body></html>\n")
    w("page_bom.txt", codecs.BOM_UTF8 + b"<!doctype html><html><body><p>" + ENGLISH.encode() + b"</p></body></html>")
    w("huge.txt", b"word " * 4_000_000)  # 20 MB of words on one line
    w("huge.jsonl", b'{"id": "huge", "text": "' + b"word " * 4_000_000 + b'"}')
    w("title_only.txt", b"Storm Hits Coast\n")
    w("title_byline_only.txt", b"Storm Hits Coast\n\nby Jane Doe 12 views\n\n")
    w("dup_story.txt", ENGLISH.encode())
    w("feed.jsonl", b"\n".join(_feed_lines()))
    w("german.txt", GERMAN.encode())
    w("japanese.txt", JAPANESE.encode())
    w("control_few.txt", b"The mayor\x07 resigned on Friday.\x0b Officials\x1b confirmed it.\x1f\n")
    w("nul_byte.txt", ENGLISH.encode() + b"\x00\n")
    w("control_many.txt", bytes(range(1, 32)) * 20 + b" The mayor resigned.")
    w("crlf.txt", b"Vote Count\r\n\r\nThe count ended on Monday.\r\nThe result was close.\r\n")
    w("byline_overflow.txt", b"Storm Hits Coast\n\nby Jane Doe 99999999999999999999999 views\n\n" + ENGLISH.encode())
    w("notes.md", b"# not an article type\n")
    w(".DS_Store", b"\x00\x00\x00\x01Bud1")  # hidden: not an input at all
    (folder / ".git").mkdir()
    (folder / ".git" / "HEAD").write_bytes(b"ref: refs/heads/main\n")


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, object]], str]:
    """One CLI run over the seeds plus every bad input: (output folder, articles by source, output)."""
    base = tmp_path_factory.mktemp("bad_inputs")
    folder = base / "in"
    shutil.copytree(SEEDS, folder)
    _write_bad_inputs(folder)
    result = CliRunner().invoke(main, ["run", "--input", str(folder), "--output", str(base / "out")])
    assert result.exit_code == 0, (result.output, result.exception)
    rows = pq.read_table(base / "out" / "articles.parquet").to_pylist()
    by_source = {str(r["source"]): r for r in rows}
    assert len(by_source) == len(rows)
    return base / "out", by_source, result.output


# (source, status, phrase in error (rejected) or in text (ok))
BAD_INPUT_CASES = [
    # an empty file
    ("empty.txt", "rejected", "empty file"),
    # only spaces, tabs and (CR)LF newlines
    ("whitespace.txt", "rejected", "only whitespace"),
    # a real PNG image saved with a .txt name
    ("image.txt", "rejected", "binary file (PNG image)"),
    # UTF-16 with a BOM (and a title line): decoded, title split off
    ("utf16_bom.txt", "ok", "Café owners met on Monday in Zürich."),
    # UTF-16-LE without a BOM: detected from the zero bytes
    ("utf16_nobom.txt", "ok", "Café owners met on Monday in Zürich."),
    # Latin-1 bytes that are not valid UTF-8
    ("latin1.txt", "ok", "Café owners met on Monday in Zürich."),
    # an HTML page saved as .txt
    ("page.txt", "rejected", "HTML page"),
    # the same with a UTF-8 BOM in front (Windows editors add one)
    ("page_bom.txt", "rejected", "HTML page"),
    # 20 MB on a single line: over the size limit, never read
    ("huge.txt", "rejected", f"20.0 MB, over the {LIMIT_MB:g} MB limit"),
    # a 20 MB JSON Lines record: over the limit for that record
    ("huge.jsonl:1", "rejected", f"over the {LIMIT_MB:g} MB limit"),
    # a file that holds nothing but a title line
    ("title_only.txt", "rejected", "no body text"),
    # a seed header (title + byline) with no body
    ("title_byline_only.txt", "rejected", "no body text"),
    # the first holder of an id keeps it (file-name order: dup_story.txt < feed.jsonl)
    ("dup_story.txt", "ok", ENGLISH),
    # a good JSON Lines record
    ("feed.jsonl:1", "ok", ENGLISH),
    # malformed JSON
    ("feed.jsonl:2", "rejected", "line 2: malformed JSON"),
    # a JSON line cut off inside a string
    ("feed.jsonl:3", "rejected", "line 3: malformed JSON"),
    # the same id as dup_story.txt, which comes first
    ("feed.jsonl:4", "rejected", "duplicate article id 'dup_story' (first seen in dup_story.txt)"),
    # a record reusing a seed file's id must not push the seed out
    ("feed.jsonl:5", "rejected", f"duplicate article id '{SEED_IDS[0]}'"),
    # a record without text
    ("feed.jsonl:6", "rejected", "no 'text'"),
    # a JSON value that is not an object
    ("feed.jsonl:7", "rejected", "expected a JSON object, got list"),
    # a record in Russian: kept, not read by the English model (test_other_languages_get_sentences_only)
    ("feed.jsonl:8", "ok", "В понедельник лидеры"),
    # a record in Latin-1, not UTF-8
    ("feed.jsonl:9", "rejected", "not valid UTF-8"),
    # an integer too long for Python's int parser (ValueError, not JSONDecodeError)
    ("feed.jsonl:10", "rejected", "line 10:"),
    # nesting deep enough to exhaust the JSON decoder's recursion
    ("feed.jsonl:11", "rejected", "line 11:"),
    # a lone UTF-16 surrogate escape: not encodable text
    ("feed.jsonl:12", "rejected", "line 12:"),
    # a good record after all the bad ones (line 13 is blank: no row)
    ("feed.jsonl:14", "ok", "The last record arrived on Sunday."),
    # the final line is truncated and has no newline
    ("feed.jsonl:15", "rejected", "line 15: malformed JSON"),
    # German: kept, not read by the English model
    ("german.txt", "ok", "Der Bundestag hat am Donnerstag"),
    # Japanese in three paragraphs: few "words" (no spaces), but clearly not English: kept, not read
    ("japanese.txt", "ok", "月曜日、両国の首脳"),
    # a few control characters become spaces (offsets stay exact)
    ("control_few.txt", "ok", "The mayor  resigned on Friday.  Officials  confirmed it."),
    # one NUL byte in otherwise plain text: treated as binary (like git does), by design
    ("nul_byte.txt", "rejected", "binary file (contains NUL bytes)"),
    # mostly control characters: binary junk
    ("control_many.txt", "rejected", "too many control characters"),
    # Windows line endings are unified
    ("crlf.txt", "ok", "The count ended on Monday.\nThe result was close."),
    # a byline view count beyond int64 must not crash the table build
    ("byline_overflow.txt", "ok", ENGLISH),
    # not a supported file type
    ("notes.md", "rejected", "unsupported file type '.md'"),
]


def test_every_bad_input_is_accounted_for(bad_run: tuple[Path, dict[str, dict[str, object]], str]) -> None:
    out, rows, output = bad_run
    expected = {source for source, _, _ in BAD_INPUT_CASES} | {f"{s}.txt" for s in SEED_IDS}
    # exactly one row per file / record: hidden files and blank JSON lines get none
    assert set(rows) == expected
    n_ok = sum(1 for r in rows.values() if r["status"] == "ok")
    assert f"articles: {n_ok} accepted / {len(rows) - n_ok} rejected" in output
    for r in rows.values():
        assert (r["status"] == "ok") == (r["error"] is None)
        assert r["status"] == "ok" or "\n" not in str(r["error"])  # one-line reasons
    # every accepted article has an id of its own
    ok_ids = [r["article_id"] for r in rows.values() if r["status"] == "ok"]
    assert len(ok_ids) == len(set(ok_ids))


@pytest.mark.parametrize(("source", "status", "phrase"), BAD_INPUT_CASES, ids=[c[0] for c in BAD_INPUT_CASES])
def test_bad_input_row(bad_run: tuple[Path, dict[str, dict[str, object]], str], source: str, status: str, phrase: str) -> None:
    _, rows, _ = bad_run
    row = rows[source]
    assert row["status"] == status, row["error"]
    if status == "rejected":
        assert phrase in str(row["error"]), row["error"]
        assert row["article_id"] == f"rejected:{source}" and row["text"] is None
    else:
        assert phrase in str(row["text"]), row["text"]
        assert row["error"] is None and row["n_chars"] == len(str(row["text"]))


def test_bad_input_details(bad_run: tuple[Path, dict[str, dict[str, object]], str]) -> None:
    out, rows, _ = bad_run
    assert rows["utf16_bom.txt"]["encoding"] == "utf-16" and rows["utf16_bom.txt"]["title"] == "Bridge Report"
    assert rows["utf16_nobom.txt"]["encoding"] == "utf-16-le"
    assert rows["latin1.txt"]["encoding"] == "cp1252"
    assert rows["byline_overflow.txt"]["author"] == "Jane Doe"
    assert rows["feed.jsonl:1"]["article_id"] == "feed-ok" and rows["feed.jsonl:1"]["outlet"] == "Daily"
    assert not any(c in str(rows["control_few.txt"]["text"]) for c in "\x07\x0b\x1b\x1f")
    assert "\r" not in str(rows["crlf.txt"]["text"])
    # accepted non-seed articles were segmented too
    sentences = pq.read_table(out / "sentences.parquet")
    got = set(sentences["article_id"].to_pylist())
    assert {"feed-ok", "feed-last", "utf16_bom", "latin1", "dup_story", "crlf"} <= got
    assert not any(a.startswith("rejected:") for a in got)


def test_other_languages_get_sentences_only(bad_run: tuple[Path, dict[str, dict[str, object]], str]) -> None:
    out, rows, _ = bad_run
    others = {"feed.jsonl:8": "ru", "german.txt": "de", "japanese.txt": "ja"}
    ids = {rows[source]["article_id"] for source in others}
    assert {source: rows[source]["language"] for source in others} == others
    assert all("not one the model reads" in str(rows[source]["warnings"]) for source in others)
    # their text is segmented (a reader and the extraction score see it) ...
    assert ids <= set(pq.read_table(out / "sentences.parquet")["article_id"].to_pylist())
    # ... but the English model draws no entity, time expression or claim from it
    for table in ("entities", "timexes", "claims"):
        assert not ids & set(pq.read_table(out / f"{table}.parquet")["article_id"].to_pylist()), table
    # English articles are read as before
    assert rows["latin1.txt"]["article_id"] in set(pq.read_table(out / "claims.parquet")["article_id"].to_pylist())


def test_bad_inputs_lose_nothing_of_the_seeds(bad_run: tuple[Path, dict[str, dict[str, object]], str], seed_run: Path) -> None:
    out, rows, _ = bad_run
    alone = _tables(seed_run)
    mixed = _tables(out)
    is_seed = lambda t: pc.is_in(t["article_id"], pa.array(SEED_IDS))  # noqa: E731
    # the seeds' articles rows and every one of their sentences are exactly as in a seeds-only run
    for name in ("articles", "sentences"):
        assert mixed[name].filter(is_seed(mixed[name])).equals(alone[name]), name
    assert alone["sentences"].num_rows > 100


def test_oversized_file_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "huge.txt").write_bytes(b"word " * 4_000_000)
    started = time.perf_counter()
    [raw] = list(read_inputs(tmp_path, config=DEFAULT_CONFIG))
    assert raw.data is None and "over the" in str(raw.read_error)
    assert time.perf_counter() - started < 1.0


def test_run_with_unreadable_file_still_completes(tmp_path: Path) -> None:
    """A dangling symlink cannot be read even as root: rejected with a reason, the rest goes on."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(ENGLISH)
    (folder / "broken.txt").symlink_to(tmp_path / "does-not-exist")
    result = _cli("run", "--input", str(folder), "--output", str(tmp_path / "out"), "--quiet")
    assert result.exit_code == 0, result.output
    rows = {r["source"]: r for r in pq.read_table(tmp_path / "out" / "articles.parquet").to_pylist()}
    assert rows["good.txt"]["status"] == "ok"
    assert rows["broken.txt"]["status"] == "rejected" and "symbolic link to nothing" in rows["broken.txt"]["error"]


def _block_with_file(tmp: Path) -> tuple[str, str]:
    (tmp / "afile").write_text("x")
    return str(SEEDS), str(tmp / "afile" / "out")


def _table_is_a_folder(tmp: Path) -> tuple[str, str]:
    (tmp / "out" / "articles.parquet").mkdir(parents=True)
    return str(SEEDS), str(tmp / "out")


def _lock_is_a_folder(tmp: Path) -> tuple[str, str]:
    (tmp / "out" / LOCK_NAME).mkdir(parents=True)
    return str(SEEDS), str(tmp / "out")


def _report_is_a_folder(tmp: Path) -> tuple[str, str]:
    (tmp / "out" / "report" / "conflicts.html").mkdir(parents=True)
    return str(SEEDS), str(tmp / "out")


def _cache_is_a_file(tmp: Path) -> tuple[str, str]:
    (tmp / "out").mkdir()
    (tmp / "out" / ".cache").write_text("x")
    return str(SEEDS), str(tmp / "out")


def _output_is_input(tmp: Path) -> tuple[str, str]:
    shutil.copytree(SEEDS, tmp / "in")
    return str(tmp / "in"), str(tmp / "in")


def _output_inside_input(tmp: Path) -> tuple[str, str]:
    shutil.copytree(SEEDS, tmp / "in")
    return str(tmp / "in"), str(tmp / "in" / "out")


def _missing_input(tmp: Path) -> tuple[str, str]:
    return str(tmp / "nope"), str(tmp / "out")


def _input_is_file(tmp: Path) -> tuple[str, str]:
    (tmp / "afile").write_text("x")
    return str(tmp / "afile"), str(tmp / "out")


@pytest.mark.parametrize(
    ("setup", "code", "message"),
    [
        # the input folder does not exist
        (_missing_input, 2, "input folder does not exist"),
        # the input is a file, not a folder
        (_input_is_file, 2, "input is not a folder"),
        # output below an existing *file*: mkdir fails even for root
        (_block_with_file, 3, "cannot create output folder"),
        # a folder sits where a table must go: the write fails even for root
        (_table_is_a_folder, 3, "cannot write table"),
        # a folder sits where the lock file must go
        (_lock_is_a_folder, 3, "cannot create lock file"),
        # below the top level: a folder where the report must go (was a 40-line traceback, exit 1)
        (_report_is_a_folder, 3, "cannot write report"),
        # the cache cannot be created: any I/O failure is one line and exit 3 (was a traceback, exit 1)
        (_cache_is_a_file, 3, ".cache"),
        # the output folder is the input folder: the next run would ingest the tables and report
        (_output_is_input, 2, "also the output folder"),
        (_output_inside_input, 2, "inside the input folder"),
    ],
)
def test_folder_level_errors(tmp_path: Path, setup: Callable[[Path], tuple[str, str]], code: int, message: str) -> None:
    input_dir, output_dir = setup(tmp_path)
    result = _cli("run", "--input", input_dir, "--output", output_dir, "--quiet")
    assert result.exit_code == code, result.output
    assert message in _one_line_error(result.output)
    # nothing half-written is left behind
    assert not list(tmp_path.rglob("*.tmp"))


def test_a_refused_input_creates_nothing(tmp_path: Path) -> None:
    # a missing input folder used to create the output folder (and its lock) before being refused
    result = _cli("run", "--input", str(tmp_path / "nope"), "--output", str(tmp_path / "out"), "--quiet")
    assert result.exit_code == 2 and not (tmp_path / "out").exists()
    result = _cli("ingest", "--input", str(tmp_path / "nope"), "--output", str(tmp_path / "out"))
    assert result.exit_code == 2 and not (tmp_path / "out").exists()


def test_files_honour_the_umask_and_no_lock_is_left(tmp_path: Path) -> None:
    # tables, manifest and report were -rw------- whatever the umask; .lock stayed after success
    from pipeline.io import FILE_MODE

    assert _cli("run", "--input", str(SEEDS), "--output", str(tmp_path / "out"), "--quiet").exit_code == 0
    written = [p for p in (tmp_path / "out").rglob("*") if p.is_file() and ".cache" not in p.parts]
    assert len(written) >= 9  # seven tables, the manifest, the report
    assert {p.stat().st_mode & 0o777 for p in written} == {FILE_MODE}
    assert not (tmp_path / "out" / LOCK_NAME).exists()
    assert not (tmp_path / "out" / STAGING_DIR).exists()


def test_a_full_disk_is_one_line_exit_3_and_frees_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # after a full disk the folder mixed a new articles.parquet with older tables and the cache
    # kept the disk full: now the last complete set stays and the cache goes
    import errno as errno_

    import pipeline.runner as runner

    out = tmp_path / "out"
    one = tmp_path / "one"
    one.mkdir()
    shutil.copy(SEEDS / f"{SEED_IDS[0]}.txt", one)
    assert _cli("run", "--input", str(one), "--output", str(out), "--quiet").exit_code == 0
    before = _tables(out)

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno_.ENOSPC, "No space left on device", str(out / "x"))

    monkeypatch.setattr(runner, "publish", full)
    result = _cli("run", "--input", str(SEEDS), "--output", str(out), "--quiet")
    assert result.exit_code == 3, result.output
    assert "No space left on device" in _one_line_error(result.output) and "removed the caches" in result.output
    assert not (out / ".cache").exists() and not (out / STAGING_DIR).exists()
    after = _tables(out)
    assert set(after) == set(before) and all(after[n].equals(before[n]) for n in before)


def test_make_builds_in_a_work_folder_and_publish_switches_the_set_in(tmp_path: Path) -> None:
    # `make` runs each stage as its own command into OUT/.work; `pipeline publish` makes it OUT's set
    out = tmp_path / "out"
    result = _cli("publish", "--output", str(out))
    assert result.exit_code == 2 and "no complete set" in _one_line_error(result.output) and not (out / "articles.parquet").exists()
    assert _cli("run", "--input", str(SEEDS), "--output", str(out / ".work"), "--quiet").exit_code == 0
    result = _cli("publish", "--output", str(out))
    assert result.exit_code == 0, result.output
    _assert_same_tables(out, out / ".work")
    assert (out / "report" / "conflicts.html").read_bytes() == (out / ".work" / "report" / "conflicts.html").read_bytes()
    assert not (out / ".incoming").exists()


def test_output_that_is_a_file_is_one_line_exit_3(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    result = _cli("run", "--input", str(SEEDS), "--output", str(tmp_path / "afile"), "--quiet")
    assert result.exit_code == 3, result.output
    _one_line_error(result.output)


@pytest.mark.parametrize(
    "make",
    [
        # an empty folder
        lambda d: None,
        # only hidden files and hidden folders
        lambda d: ((d / ".hidden.txt").write_text(ENGLISH), (d / ".cache").mkdir(), (d / ".cache" / "a.txt").write_text(ENGLISH)),
        # only empty sub-folders
        lambda d: (d / "sub" / "deeper").mkdir(parents=True),
    ],
    ids=["empty", "hidden-only", "empty-subfolders"],
)
def test_folder_with_no_articles_gives_empty_tables(tmp_path: Path, make: Callable[[Path], object]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    make(folder)
    result = _cli("run", "--input", str(folder), "--output", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "articles: 0 accepted / 0 rejected" in result.output
    tables = _tables(tmp_path / "out")
    assert set(ALL_TABLES) <= set(tables) and all(t.num_rows == 0 for t in tables.values())


# ----------------------------------------------------------------------------------------------
# 2. crash safety: SIGKILL in the middle of each stage


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns


#: The CLI with os.fsync slowed down (test-side instrumentation, no hook in library code): every
#: atomic write then keeps its temp file for 0.25 s before the rename, so a kill can land inside it.
_SLOW_FSYNC = (
    "import os, time; _fsync = os.fsync; os.fsync = lambda fd: (time.sleep(0.25), _fsync(fd))[1]; "
    "_replace = os.replace; "
    "os.replace = lambda a, b, **k: (time.sleep(0.2) if '.incoming' in str(a) else None, _replace(a, b, **k))[1]; "
    "from pipeline.cli import main; main(prog_name='pipeline')"
)


def _spawn(input_dir: Path, out: Path, *extra: str, slow_writes: bool = False) -> subprocess.Popen[bytes]:
    """`python -m pipeline run` in a child process; stderr goes to a file beside the output (never blocks)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    entry = ["-c", _SLOW_FSYNC] if slow_writes else ["-m", "pipeline"]
    with (out.parent / f"{out.name}.{time.monotonic_ns()}.stderr").open("w+b") as err:
        proc = subprocess.Popen(
            [sys.executable, *entry, "run", "--input", str(input_dir), "--output", str(out), "--quiet", *extra],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    proc.stderr_path = Path(err.name)  # type: ignore[attr-defined]
    return proc


def _stderr(proc: subprocess.Popen[bytes]) -> str:
    return proc.stderr_path.read_text(errors="replace")  # type: ignore[attr-defined]


def _wait_for(proc: subprocess.Popen[bytes], condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if proc.poll() is not None:
            raise AssertionError(f"run ended (rc={proc.returncode}) before the kill point: {_stderr(proc)}")
        if time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("kill point never reached")
        time.sleep(0.002)


@pytest.fixture(scope="module")
def two_states(tmp_path_factory: pytest.TempPathFactory, seed_run: Path) -> dict[str, Path]:
    """An "old" output (first seed only) and the clean "new" output of both seeds (the session's seed run)."""
    base = tmp_path_factory.mktemp("states")
    old_in = base / "old_in"
    old_in.mkdir()
    shutil.copy(SEEDS / f"{SEED_IDS[0]}.txt", old_in)
    new_in = base / "new_in"
    shutil.copytree(SEEDS, new_in)
    run_all(old_in, base / "old", config=DEFAULT_CONFIG)
    return {"old_in": old_in, "new_in": new_in, "old": base / "old", "new": seed_run}


def _kill_points(out: Path, pid: int) -> dict[str, Callable[[], bool]]:
    """Kill point → a condition that holds at a moment inside a stage (or inside a write) of run `pid`.

    A run builds its tables in the staging folder and switches the whole set in at the end."""
    staging = out / STAGING_DIR
    before = {name: _stat(staging / f"{name}.parquet") for name in ALL_TABLES}
    points: dict[str, Callable[[], bool]] = {
        # lock taken, articles.parquet not yet replaced: inside ingest (reading, decoding, model load)
        "ingest": lambda: _stat(out / LOCK_NAME) is not None and (out / LOCK_NAME).read_text().strip() == str(pid),
        # inside an atomic write (temp file written, not yet renamed): a table (write_table), a cached
        # parse (atomic_write_bytes, which the manifest uses too)
        "write:articles": lambda: any(staging.glob(".articles.parquet.*.tmp")),
        "write:parse-cache": lambda: any(out.glob(".cache/docs/*/.*.tmp")),
    }
    # the previous stage's staged table has just been written: the run is inside the next stage
    # (its manifest update, then e.g. parsing for segment, annotating for entities)
    for (stage, _), prev in zip(STAGE_TABLES.items(), ALL_TABLES):
        points[f"stage:{stage}"] = lambda prev=prev: _stat(staging / f"{prev}.parquet") not in (None, before[prev])
    # the switch: files linked beside their places but not yet marked complete, then being renamed in
    points["publish:linking"] = lambda: (out / ".incoming").is_dir() and not (out / ".incoming" / ".complete").exists()
    points["publish:switching"] = lambda: (out / ".incoming" / ".complete").exists()
    return points


def test_sigkill_in_each_stage_leaves_readable_tables_and_next_run_recovers(tmp_path: Path, two_states: dict[str, Path]) -> None:
    """A chain of runs over one output folder that holds an older run's tables; each run is SIGKILLed at
    the next kill point (inside a stage, or inside an atomic write), so each must first get past the
    leftovers of the kill before it (stale lock, temp files, half-done parse cache). A last run completes."""
    old_tables, new_tables = _tables(two_states["old"]), _tables(two_states["new"])
    assert not any(old_tables[n].equals(new_tables[n]) for n in ("articles", "sentences"))
    out = tmp_path / "out"
    shutil.copytree(two_states["old"], out)
    started = time.monotonic()
    for point in _kill_points(out, 0):
        proc = _spawn(two_states["new_in"], out, slow_writes=point.startswith(("write:", "publish:")))
        try:
            _wait_for(proc, _kill_points(out, proc.pid)[point], timeout=120)
            proc.kill()
        finally:
            proc.wait(timeout=30)
        assert proc.returncode == -9, (point, proc.returncode, _stderr(proc))
        if point == "publish:switching":
            # killed between renames: the next command that takes the folder's lock finishes the switch
            assert _cli("report", "--output", str(out)).exit_code == 0
        # every table on disk is readable, and the set is wholly the old or wholly the new one
        tables = _tables(out)
        assert set(tables) == set(old_tables), point
        expected = new_tables if point == "publish:switching" else old_tables
        for name, table in tables.items():
            assert table.equals(expected[name]), (point, name)
        assert json.loads((out / "manifest.json").read_text())["stages"], point
    # the next run completes and gives the same tables as a clean run
    run_all(two_states["new_in"], out, config=DEFAULT_CONFIG)
    _assert_same_tables(out, two_states["new"])
    print(f"crash chain: {time.monotonic() - started:.1f}s")


# ----------------------------------------------------------------------------------------------
# 3. concurrency: one writer per output folder


def test_second_run_on_a_locked_folder_is_refused_and_writes_do_not_interleave(tmp_path: Path, two_states: dict[str, Path]) -> None:
    out = tmp_path / "out"
    first = _spawn(two_states["new_in"], out)
    try:
        _wait_for(first, lambda: (out / LOCK_NAME).exists() and (out / LOCK_NAME).read_text().strip() == str(first.pid))
        # while the first holds the lock: a second run (other input), and a lone stage, are refused
        for args in (
            ["run", "--input", str(two_states["old_in"]), "--output", str(out), "--quiet"],
            ["ingest", "--input", str(two_states["old_in"]), "--output", str(out)],
            ["segment", "--output", str(out), "--quiet"],
        ):
            result = _cli(*args)
            assert result.exit_code == 4, (args, result.output)
            assert "another pipeline run is writing to this folder" in _one_line_error(result.output)
        # a second *process* is refused the same way
        second = _spawn(two_states["old_in"], out)
        second.wait(timeout=60)
        assert first.poll() is None, "first run ended before the second was refused: test did not overlap"
        assert second.returncode == 4, _stderr(second)
        assert "another pipeline run is writing to this folder" in _one_line_error(_stderr(second))
    finally:
        first.wait(timeout=300)
    assert first.returncode == 0, _stderr(first)
    # only the first run wrote: its tables equal a clean run's
    _assert_same_tables(out, two_states["new"])
    # the lock is released when the first run ends
    assert _cli("run", "--input", str(two_states["new_in"]), "--output", str(out), "--quiet").exit_code == 0
    _assert_same_tables(out, two_states["new"])


# ----------------------------------------------------------------------------------------------
# 4. determinism


def _mixed_folder(folder: Path, order: list[str] | None = None, mtime_base: int = 1_600_000_000) -> Path:
    """Seeds + a feed with a duplicate id + a few rejects, copied in the given order with distinct mtimes."""
    files: dict[str, bytes] = {p.name: p.read_bytes() for p in SEEDS.glob("*.txt")}
    files["b_feed.jsonl"] = b"\n".join(
        [
            json.dumps({"id": "x1", "text": ENGLISH}).encode(),
            json.dumps({"text": "A record without an id was filed on Monday."}).encode(),
            json.dumps({"id": "a_story", "text": "Same id as a_story.txt, which sorts first."}).encode(),
            b"{broken",
        ]
    )
    files["a_story.txt"] = ("Storm Hits Coast\n\n" + ENGLISH).encode()
    files["c_empty.txt"] = b""
    files["sub/d_nested.txt"] = CAFE.encode("latin-1")
    folder.mkdir(parents=True)
    (folder / "sub").mkdir()
    for i, name in enumerate(order or sorted(files)):
        (folder / name).write_bytes(files[name])
        os.utime(folder / name, (mtime_base + i * 1000, mtime_base + i * 1000))
    return folder


def test_tables_are_identical_across_runs_processes_and_input_order(tmp_path: Path) -> None:
    names = sorted(p.name for p in SEEDS.glob("*.txt")) + ["b_feed.jsonl", "a_story.txt", "c_empty.txt", "sub/d_nested.txt"]
    forward = _mixed_folder(tmp_path / "fwd", sorted(names))
    backward = _mixed_folder(tmp_path / "bwd", sorted(names, reverse=True), mtime_base=1_700_000_000)

    def run(input_dir: Path, out: str, *extra: str) -> Path:
        result = _cli("run", "--input", str(input_dir), "--output", str(tmp_path / out), "--quiet", *extra)
        assert result.exit_code == 0, (result.output, result.exception)
        return tmp_path / out

    first = run(forward, "first")
    assert pq.read_table(first / "sentences.parquet").num_rows > 100
    _assert_same_tables(run(forward, "first"), first)  # a rerun over its own output (parse cache hits)
    # a second fresh run in another folder, parsed again, by 2 worker processes
    _assert_same_tables(run(forward, "two_procs", "--processes", "2"), first)
    # files created in reverse order with other mtimes, in another folder (parses reused to save time:
    # their order-independence is covered above; this checks ingest and everything after it)
    shutil.copytree(first / ".cache", tmp_path / "backward" / ".cache")
    _assert_same_tables(run(backward, "backward"), first)
    # one article per streamed batch (a row group and a cursor step per article) writes the same tables
    shutil.copytree(first / ".cache", tmp_path / "tiny_batches" / ".cache")
    run_all(forward, tmp_path / "tiny_batches", config=replace(DEFAULT_CONFIG, processes=1, stream_articles=1))
    _assert_same_tables(tmp_path / "tiny_batches", first)
    with_sentences = len(set(pq.read_table(first / "sentences.parquet")["article_id"].to_pylist()))
    assert pq.ParquetFile(tmp_path / "tiny_batches" / "sentences.parquet").num_row_groups == with_sentences


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        # a link out of the folder would ingest /etc/shadow as an article: refused, not followed
        (lambda folder, outside: (folder / "s.txt").symlink_to(outside / "secret.txt"), "outside the input folder"),
        # /dev/zero reports size 0 and never ends: a link to it is outside the folder
        (lambda folder, outside: (folder / "z.txt").symlink_to("/dev/zero"), "outside the input folder"),
        # a FIFO blocks whoever opens it: refused from its metadata, never opened
        (lambda folder, outside: os.mkfifo(folder / "p.txt"), "named pipe"),
        (lambda folder, outside: os.mkfifo(folder / "p.jsonl"), "named pipe"),
        (lambda folder, outside: os.mkfifo(folder / "p.md"), "named pipe"),
    ],
)
def test_only_regular_files_inside_the_folder_are_read(tmp_path: Path, make, reason: str) -> None:
    folder, outside = tmp_path / "in", tmp_path / "outside"
    folder.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text(ENGLISH)
    (folder / "good.txt").write_text(ENGLISH)
    make(folder, outside)
    rows = {r.source: r for r in read_inputs(folder, config=DEFAULT_CONFIG)}
    [name] = set(rows) - {"good.txt"}
    assert rows[name].data is None and rows[name].lines is None and reason in str(rows[name].read_error)
    assert rows["good.txt"].data == ENGLISH.encode()


def test_a_link_inside_the_folder_is_followed(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ENGLISH)
    (tmp_path / "b.txt").symlink_to(tmp_path / "a.txt")
    rows = {r.source: r for r in read_inputs(tmp_path, config=DEFAULT_CONFIG)}
    assert rows["b.txt"].data == rows["a.txt"].data == ENGLISH.encode()


def test_an_unsupported_type_is_refused_by_name_without_reading(tmp_path: Path) -> None:
    # 2 MB of markdown: before, it was read (or sized) first; the reason is its type either way
    (tmp_path / "notes.md").write_bytes(b"# title\n" + b"word " * 400_000)
    [raw] = list(read_inputs(tmp_path, config=DEFAULT_CONFIG))
    assert raw.data is None and "unsupported file type '.md'" in str(raw.read_error)


def test_a_jsonl_line_is_read_bounded(tmp_path: Path) -> None:
    # one 3 MB line with no newline, then a good record: the long one is rejected, never held whole
    big = json.dumps({"id": "big", "text": "word " * 600_000})
    good = json.dumps({"id": "good", "title": "A title", "text": ENGLISH})
    (tmp_path / "c.jsonl").write_text(big + "\n" + good + "\n")
    config = PipelineConfig(max_article_bytes=1_000_000)
    [raw] = list(read_inputs(tmp_path, config=config))
    lines = list(raw.lines())
    assert max(len(line) for line in lines) <= config.max_article_bytes + 2
    rows = list(ingest_rows([raw], config=config))
    assert [r["status"] for r in rows] == ["rejected", "ok"]
    assert "over the" in rows[0]["error"] or "MB" in rows[0]["error"]


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_a_killed_run_takes_its_workers_and_its_lock_with_it(tmp_path: Path, sig: signal.Signals) -> None:
    # Found on a real machine: forked parse workers outlived a killed run under pid 1, kept the
    # output folder's lock, and every later run exited 4 until someone killed them by hand.
    import psutil

    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    text = (SEEDS / f"{SEED_IDS[0]}.txt").read_text()
    for k in range(40):  # enough articles for the parse pool to start
        (folder / f"a{k:02d}.txt").write_text(f"Report {k}.\n\n{text}")
    proc = _spawn(folder, out, "--processes", "2")
    parent = psutil.Process(proc.pid)
    _wait_for(proc, lambda: len(parent.children(recursive=True)) >= 2)
    workers = parent.children(recursive=True)
    os.kill(proc.pid, sig)
    proc.wait(timeout=30)
    _gone, alive = psutil.wait_procs(workers, timeout=10)
    assert not alive, f"workers outlived the run: {[p.pid for p in alive]}"
    rerun = subprocess.run(
        [sys.executable, "-m", "pipeline", "run", "--input", str(folder), "--output", str(out), "--quiet"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, timeout=600,
    )
    assert rerun.returncode == 0, rerun.stderr.decode(errors="replace")[-2000:]
