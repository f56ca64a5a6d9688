"""Ingest stage: input files (seed .txt, plain .txt, JSON Lines) → the articles table.

Every input file, and every JSON Lines record, gets exactly one row; what cannot be
used is kept as a ``rejected`` row with an error a person understands.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import io
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

import pyarrow as pa

from .config import DEFAULT_CONFIG, PipelineConfig
from .errors import ArticleRejected
from .schemas import ARTICLES, table_from_rows


@dataclass(frozen=True, slots=True)
class RawInput:
    """One input file as bytes, or the reason it could not be read.

    A JSON Lines file, which may hold a whole corpus, can come as `lines` instead of `data`: a
    function that opens it and yields its lines, so it is read one record at a time.
    """

    source: str
    data: bytes | None
    read_error: str | None = None
    lines: Callable[[], Iterator[bytes]] | None = None


_BYLINE = re.compile(r"^by\s+(?P<author>.+?)\s+(?P<views>\d[\d,]*)\s+views?\s*$", re.IGNORECASE)
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "PNG image"),
    (b"%PDF", "PDF document"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"GIF8", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"\x1f\x8b", "gzip archive"),
    (b"\x7fELF", "executable"),
)
_HTML_START = re.compile(rb"^\s*(<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])", re.IGNORECASE)
# C0/C1 control characters other than tab and newline; replaced by spaces so offsets stay 1:1.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_FINAL_PUNCT = tuple(".!?:;…\"'”’)")
#: Characters an id keeps: letters and digits of any script (`café`, `北京-2024`, `статья-1`), and . _ : @ + -
_ID_SAFE = re.compile(r"[^\w.:@+-]+")
_WORD = re.compile(r"[^\W\d_]+")


def ingest(inputs: Iterable[RawInput], *, config: PipelineConfig = DEFAULT_CONFIG) -> pa.Table:
    """One articles row per input file or JSON Lines record, accepted or rejected."""
    return table_from_rows(list(ingest_rows(sorted(inputs, key=lambda r: r.source), config=config)), ARTICLES)


def ingest_rows(inputs: Iterable[RawInput], *, config: PipelineConfig = DEFAULT_CONFIG) -> Iterator[dict[str, object]]:
    """`ingest`'s rows as a stream, for inputs that come in source order (as `read_inputs` lists
    them): an id seen before is a duplicate, so the order decides which copy is kept."""
    seen: dict[str, tuple[str, str]] = {}  # id -> (source, raw id)
    last: str | None = None
    for raw in inputs:
        if last is not None and raw.source < last:
            raise ValueError(f"inputs must come in source order, got {raw.source!r} after {last!r}")
        last = raw.source
        for row in _rows_for_input(raw, config=config):
            if row["status"] == "ok":
                raw_id = str(row.pop(_RAW_ID))
                first = seen.get(str(row["article_id"]))
                if first is not None and first[1] != raw_id:  # two ids that the rewrite made one
                    row["article_id"] = _distinct_id(str(row["article_id"]), raw_id)
                    first = seen.get(str(row["article_id"]))
                if first is not None:
                    row = _rejected(str(row["source"]), _row_bytes(row), f"duplicate article id '{row['article_id']}' (first seen in {first[0]})")
                else:
                    seen[str(row["article_id"])] = (str(row["source"]), raw_id)
            yield row


#: The id as the input gave it (NFC), kept on an accepted row until ingest has checked duplicates.
_RAW_ID = "_raw_id"


def _row_bytes(row: dict[str, object]) -> bytes:
    return str(row.get("text") or "").encode("utf-8")


def _rows_for_input(raw: RawInput, *, config: PipelineConfig) -> Iterator[dict[str, object]]:
    suffix = PurePosixPath(raw.source).suffix.lower()
    if raw.data is None and (raw.lines is None or raw.read_error):
        yield _rejected(raw.source, b"", raw.read_error or "cannot read file")
        return
    if suffix in config.jsonl_suffixes:
        yield from _jsonl_rows(raw, config=config)
        return
    if suffix not in config.text_suffixes:
        yield _rejected(raw.source, raw.data, unsupported_type(suffix, config=config))
        return
    try:
        yield _text_row(raw, config=config)
    except ArticleRejected as exc:
        yield _rejected(raw.source, raw.data, exc.reason)


def unsupported_type(suffix: str, *, config: PipelineConfig) -> str:
    """The reason given for a file whose type ingest does not read."""
    expected = ", ".join(config.text_suffixes + config.jsonl_suffixes)
    return f"unsupported file type '{suffix or '(none)'}' (expected {expected})"


def _text_row(raw: RawInput, *, config: PipelineConfig) -> dict[str, object]:
    assert raw.data is not None
    _check_size(len(raw.data), config=config)
    text, encoding = decode_bytes(raw.data)
    text = clean_text(text)
    if not text.strip():
        raise ArticleRejected("empty file (0 bytes)" if not raw.data else "file holds only whitespace")
    title, author, views, body, fmt = split_header(text, max_heading_words=config.max_heading_words)
    if not body.strip():
        raise ArticleRejected("no body text after the title")
    _check_language(body)
    stem = PurePosixPath(raw.source).with_suffix("").as_posix()
    return _accepted(
        article_id=_safe_id(stem),
        raw_id=stem,
        source=raw.source,
        title=title,
        author=author,
        views=views,
        body=body,
        fmt=fmt,
        encoding=encoding,
    )


def _jsonl_rows(raw: RawInput, *, config: PipelineConfig) -> Iterator[dict[str, object]]:
    """One row per record, reading the file a line at a time; a file with no record is one rejected row."""
    lines = raw.lines() if raw.lines is not None else iter(io.BytesIO(raw.data or b""))
    whole = hashlib.sha256()  # of the file's bytes, for the row of a file with no records
    stem = PurePosixPath(raw.source).with_suffix("").as_posix()
    any_record = False
    number = 0
    try:
        for number, line in enumerate(lines, start=1):
            whole.update(line)
            line = line[:-1] if line.endswith(b"\n") else line
            if number == 1 and line.startswith(codecs.BOM_UTF8):
                line = line[len(codecs.BOM_UTF8) :]
            if not line.strip():
                continue
            any_record = True
            source = f"{raw.source}:{number}"
            try:
                yield _record_row(line, source=source, stem=stem, config=config)
            except ArticleRejected as exc:
                yield _rejected(source, line, f"line {number}: {exc.reason}")
    except OSError as exc:
        yield _rejected(f"{raw.source}:{number + 1}", b"", f"cannot read file after line {number}: {exc.strerror or exc}")
        return
    if not any_record:
        yield _rejected(raw.source, b"", "empty file: no JSON Lines records", digest=whole.hexdigest())


def _record_row(line: bytes, *, source: str, stem: str, config: PipelineConfig) -> dict[str, object]:
    _check_size(len(line), config=config)
    try:
        decoded = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArticleRejected(f"not valid UTF-8 at byte {exc.start}") from None
    try:
        record = json.loads(decoded)
    except json.JSONDecodeError as exc:
        raise ArticleRejected(f"malformed JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise ArticleRejected("malformed JSON (nested too deeply)") from None
    except ValueError as exc:  # e.g. an integer longer than Python's int parsing limit
        raise ArticleRejected(f"malformed JSON ({str(exc).split(':')[0]})") from None
    if not isinstance(record, dict):
        raise ArticleRejected(f"expected a JSON object, got {type(record).__name__}")
    try:
        json.dumps(record, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise ArticleRejected("invalid Unicode: a lone surrogate escape (\\ud800-\\udfff)") from None
    except RecursionError:
        raise ArticleRejected("malformed JSON (nested too deeply)") from None
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ArticleRejected("record has no 'text'")
    body = clean_text(text).strip("\n")
    _check_language(body)
    raw_id = record.get("id")
    if raw_id is None or str(raw_id).strip() == "":
        article_id = f"{_safe_id(stem)}-{hashlib.sha256(body.encode()).hexdigest()[:12]}"
        raw_id = article_id
    else:
        raw_id = unicodedata.normalize("NFC", str(raw_id).strip())
        article_id = _safe_id(raw_id)
    warnings: list[str] = []
    fields = {name: _string_field(record, name, warnings) for name in _STRING_FIELDS}
    published = parse_published(fields["published"])
    if fields["published"] is not None and published is None:
        warnings.append(
            f"'published' value {_shown(fields['published'])} is not a date it reads (an absolute date such as 2024-02-29 or "
            "'29 February 2024'; relative ones such as 'yesterday' would depend on the day of the run); stored as null"
        )
    return _accepted(
        article_id=article_id,
        raw_id=str(raw_id),
        source=source,
        title=fields["title"],
        author=fields["author"],
        views=None,
        body=body,
        fmt="jsonl",
        encoding="utf-8",
        outlet=fields["source"],
        url=fields["url"],
        published=published,
        warnings=warnings,
    )


#: The JSON Lines fields read as text besides `text` and `id`; `source` is the outlet.
_STRING_FIELDS = ("title", "author", "source", "url", "published")


def _string_field(record: Mapping[str, object], name: str, warnings: list[str]) -> str | None:
    """A text field of a record, stripped; a value of another JSON type is null with a warning, never its repr."""
    value = record.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        warnings.append(f"'{name}' is a JSON {_JSON_TYPE.get(type(value), type(value).__name__)}, not a string; stored as null")
        return None
    return value.strip() or None


_JSON_TYPE = {dict: "object", list: "array", bool: "boolean", int: "number", float: "number"}


def _shown(value: str, limit: int = 40) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "…")


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode file bytes to text, or reject them with the reason (binary, undecodable)."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise ArticleRejected(f"binary file ({kind}), not text")
    if _HTML_START.match(data[len(codecs.BOM_UTF8) :][:512] if data.startswith(codecs.BOM_UTF8) else data[:512]):
        raise ArticleRejected("looks like an HTML page, not article text (save it as plain text)")
    if data.startswith(codecs.BOM_UTF8):
        return _decode(data[len(codecs.BOM_UTF8) :], "utf-8"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode(data, "utf-16"), "utf-16"
    if b"\x00" in data[:65536]:
        # UTF-16 without a BOM has a zero in every other byte of ASCII text.
        sample = data[:4096]
        if sample[1::2].count(0) > 0.4 * len(sample[1::2]):
            return _decode(data, "utf-16-le"), "utf-16-le"
        if sample[0::2].count(0) > 0.4 * len(sample[0::2]):
            return _decode(data, "utf-16-be"), "utf-16-be"
        raise ArticleRejected("binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # English text in a legacy 8-bit encoding is overwhelmingly Windows-1252/Latin-1; detectors
    # guess wrong on short texts, so try it before asking one.
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise ArticleRejected("cannot decode: not UTF-8 and no other text encoding fits")
    return str(best), best.encoding


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ArticleRejected(f"cannot decode as {encoding} (bad byte at offset {exc.start})") from None


def clean_text(text: str) -> str:
    """Unify line endings and blank out control characters; stripped of surrounding blank lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    if _CONTROL.search(text):
        n_control = len(_CONTROL.findall(text))
        if n_control > 0.1 * max(1, len(text)):
            raise ArticleRejected("binary data: too many control characters for text")
        text = _CONTROL.sub(" ", text)
    return unicodedata.normalize("NFC", text)


def split_header(text: str, *, max_heading_words: int) -> tuple[str | None, str | None, int | None, str, str]:
    """(title, author, views, body, format): the seed header when present, else a plain text."""
    lines = text.strip("\n").split("\n")
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    if len(nonblank) >= 2:
        match = _BYLINE.match(lines[nonblank[1]].strip())
        if match:
            digits = match.group("views").replace(",", "")
            views = int(digits) if len(digits) < 20 and int(digits) < 2**63 else None  # beyond int64: unknown, not a crash
            body = "\n".join(lines[nonblank[1] + 1 :]).strip("\n")
            return lines[nonblank[0]].strip(), match.group("author").strip(), views, body, "seed"
    if not nonblank:
        return None, None, None, "", "plain"
    first = lines[nonblank[0]]
    rest = "\n".join(lines[nonblank[0] + 1 :]).strip("\n")
    # A plain text opened by a heading-like line followed by a blank line: that line is the title.
    # (A lone heading-like line is a title with no body.)
    followed_by_blank = nonblank[0] + 1 >= len(lines) or not lines[nonblank[0] + 1].strip()
    if followed_by_blank and is_heading(first, max_words=max_heading_words):
        return first.strip(), None, None, rest, "plain"
    return None, None, None, "\n".join(lines[nonblank[0] :]).strip("\n"), "plain"


def is_heading(paragraph: str, *, max_words: int) -> bool:
    """A short single line without final punctuation (the seed format's section headings)."""
    stripped = paragraph.strip()
    return (
        bool(stripped)
        and "\n" not in stripped
        and len(stripped.split()) <= max_words
        and not stripped.endswith(_FINAL_PUNCT)
    )


def parse_published(value: object) -> dt.date | None:
    """A publication date from an ISO string (or any format dateparser reads); None when absent or unreadable."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    import dateparser

    # Relative dates ("yesterday", "2 days ago") are left out: anchored on the day of the run they
    # would make the tables depend on when `make` ran. They become unknown.
    parsed = dateparser.parse(
        text, languages=["en"],
        settings={"STRICT_PARSING": True, "PARSERS": ["timestamp", "custom-formats", "absolute-time"]},
    )
    return parsed.date() if parsed else None


def _check_size(n_bytes: int, *, config: PipelineConfig) -> None:
    if n_bytes > config.max_article_bytes:
        raise ArticleRejected(
            f"article is {n_bytes / 1e6:.1f} MB, over the {config.max_article_bytes / 1e6:g} MB limit (max_article_bytes)"
        )


def _check_language(body: str) -> None:
    """Reject text that is clearly not English: the model would only produce noise on it."""
    from spacy.lang.en.stop_words import STOP_WORDS

    # Scripts written without spaces (Japanese, Chinese) give few "words": judge them by their letters.
    letters = [c for c in body[:20000] if c.isalpha()]
    if len(letters) >= 40 and sum(c < "\u0250" for c in letters) < 0.5 * len(letters):
        raise ArticleRejected("text does not look like English (mostly non-Latin script)")
    words = _WORD.findall(body[:20000].lower())
    if len(words) < 40:
        return
    share = sum(w in STOP_WORDS for w in words) / len(words)
    if share < 0.12:
        raise ArticleRejected(f"text does not look like English (only {share:.0%} English function words)")


def _safe_id(value: str) -> str:
    """An input's id, NFC-normalised, with whitespace and punctuation outside `. _ : @ + -` made `_`."""
    return _ID_SAFE.sub("_", unicodedata.normalize("NFC", value)).strip("_") or "article"


def _distinct_id(article_id: str, raw: str) -> str:
    """The id of an input whose rewritten id collided with another input's: its own raw id's hash is
    appended, so two distinct ids never become one and no record is dropped for it."""
    return f"{article_id}-{hashlib.sha256(raw.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"


def _accepted(
    *,
    article_id: str,
    source: str,
    raw_id: str | None = None,
    title: str | None,
    author: str | None,
    views: int | None,
    body: str,
    fmt: str,
    encoding: str,
    outlet: str | None = None,
    url: str | None = None,
    published: dt.date | None = None,
    warnings: Sequence[str] = (),
) -> dict[str, object]:
    return {
        "article_id": article_id,
        "source": source,
        "title": title,
        "author": author,
        "views": views,
        "outlet": outlet,
        "url": url,
        "published": published,
        "text": body,
        "format": fmt,
        "encoding": encoding,
        "n_chars": len(body),
        "status": "ok",
        "error": None,
        "content_sha256": hashlib.sha256(body.encode("utf-8")).hexdigest(),
        "warnings": "; ".join(warnings) or None,
        _RAW_ID: raw_id if raw_id is not None else article_id,
    }


def _rejected(source: str, data: bytes, reason: str, *, digest: str | None = None) -> dict[str, object]:
    return {
        "article_id": f"rejected:{source}",
        "source": source,
        "title": None,
        "author": None,
        "views": None,
        "outlet": None,
        "url": None,
        "published": None,
        "text": None,
        "format": None,
        "encoding": None,
        "n_chars": None,
        "status": "rejected",
        "error": reason,
        "content_sha256": digest or hashlib.sha256(data).hexdigest(),
        "warnings": None,
    }
