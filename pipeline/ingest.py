"""Ingest stage: input files (seed .txt, plain .txt, JSON Lines, HTML pages, WARC archives) → the articles table.

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
    records: Callable[[], Iterator[WarcRecord]] | None = None


@dataclass(frozen=True, slots=True)
class WarcRecord:
    """One record of a WARC archive as the reader in io.py hands it over (payload read bounded).

    `payload` is the HTTP body of a 200 HTML response no larger than the article limit, else None;
    `damage` says the archive cannot be read past this offset (truncated record, corrupt data).
    """

    offset: int
    warc_type: str
    url: str | None = None
    warc_date: str | None = None
    status: int | None = None
    content_type: str | None = None
    digest: str | None = None
    size: int = 0
    payload: bytes | None = None
    damage: str | None = None


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
#: How a line of body text ends: a short line without it is a section heading.
FINAL_PUNCT = tuple(".!?:;…\"'”’)。！？」』")
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
    kind = input_kind(raw.source, config=config)
    if raw.data is None and (raw.lines is None and raw.records is None or raw.read_error):
        yield _rejected(raw.source, b"", raw.read_error or "cannot read file")
        return
    if kind == "jsonl":
        yield from _jsonl_rows(raw, config=config)
        return
    if kind == "warc":
        yield from _warc_rows(raw, config=config)
        return
    if kind is None:
        yield _rejected(raw.source, raw.data or b"", unsupported_type(PurePosixPath(raw.source).suffix.lower(), config=config))
        return
    try:
        yield _html_row(raw, config=config) if kind == "html" else _text_row(raw, config=config)
    except ArticleRejected as exc:
        yield _rejected(raw.source, raw.data or b"", exc.reason)


def input_kind(name: str, *, config: PipelineConfig) -> str | None:
    """`text`, `jsonl`, `html` or `warc` by the file name's suffix (`.html.gz` is html), None when unsupported."""
    lower = name.lower()
    for kind, suffixes in (
        ("html", config.html_suffixes), ("warc", config.warc_suffixes), ("jsonl", config.jsonl_suffixes), ("text", config.text_suffixes)
    ):
        if lower.endswith(suffixes) and not any(lower == s for s in suffixes):
            return kind
    return None


def input_stem(name: str, *, config: PipelineConfig) -> str:
    """The file name without its input suffix (`page.html.gz` → `page`): the article id of a one-article file."""
    lower = name.lower()
    suffixes = config.html_suffixes + config.warc_suffixes + config.jsonl_suffixes + config.text_suffixes
    for suffix in sorted(suffixes, key=len, reverse=True):
        if lower.endswith(suffix):
            return name[: -len(suffix)]
    return PurePosixPath(name).with_suffix("").as_posix()


def unsupported_type(suffix: str, *, config: PipelineConfig) -> str:
    """The reason given for a file whose type ingest does not read."""
    expected = ", ".join(config.text_suffixes + config.jsonl_suffixes + config.html_suffixes + config.warc_suffixes)
    return f"unsupported file type '{suffix or '(none)'}' (expected {expected})"


def _html_row(raw: RawInput, *, config: PipelineConfig) -> dict[str, object]:
    """An HTML page (its bytes, already decompressed) → one article of its main text."""
    assert raw.data is not None
    stem = input_stem(raw.source, config=config)
    return _page_row(raw.data, article_id=_safe_id(stem), raw_id=stem, source=raw.source, url=None, config=config)


def _page_row(
    html: bytes | str, *, article_id: str, raw_id: str, source: str, url: str | None, config: PipelineConfig,
    fallback_date: dt.date | None = None, fallback_from: str | None = None, outlet: str | None = None,
    title: str | None = None, author: str | None = None, published: dt.date | None = None, fmt: str = "html",
    warnings: Sequence[str] = (),
) -> dict[str, object]:
    """The article row of an HTML page; fields given by the input (JSON Lines, WARC) win over the page's."""
    from .webpage import extract_page

    page = extract_page(html, url=url, min_chars=config.min_html_body_chars, recall_below=config.html_recall_below_chars)
    body = clean_text(page.text).strip("\n")
    _check_size(len(body.encode("utf-8")), config=config)
    date, date_from = (published, "input") if published is not None else (page.published, "page") if page.published else (fallback_date, fallback_from)
    raw_bytes = html if isinstance(html, bytes) else html.encode("utf-8", "surrogatepass")
    return _accepted(
        article_id=article_id,
        raw_id=raw_id,
        source=source,
        title=title or page.title,
        author=author or page.author,
        views=None,
        body=body,
        fmt=fmt,
        encoding="html",
        outlet=outlet or page.site_name,
        url=url or page.url,
        published=date,
        published_from=date_from if date is not None else None,
        raw_sha256=hashlib.sha256(raw_bytes).hexdigest(),
        warnings=warnings,
        config=config,
    )


#: WARC record types that are not pages: counted in one row per archive, not one row each.
_NOT_PAGES = ("request", "warcinfo", "metadata", "conversion", "continuation")


def _warc_rows(raw: RawInput, *, config: PipelineConfig) -> Iterator[dict[str, object]]:
    """One row per response, resource or revisit record of an archive; other records counted in one row."""
    assert raw.records is not None
    stem = input_stem(raw.source, config=config)
    skipped: dict[str, int] = {}
    digests: dict[str, int] = {}
    n_records = 0
    damaged = False
    for record in raw.records():
        source = f"{raw.source}:{record.offset}"
        if record.damage is not None:
            damaged = True
            kept = f"; the {n_records} record(s) before it were read" if n_records else ""
            yield _rejected(source, b"", f"archive damaged at byte {record.offset}: {record.damage}{kept}")
            break
        n_records += 1
        if record.warc_type in _NOT_PAGES:
            skipped[record.warc_type] = skipped.get(record.warc_type, 0) + 1
            continue
        try:
            yield _warc_record_row(record, source=source, stem=stem, digests=digests, config=config)
        except ArticleRejected as exc:
            yield _rejected(source, record.payload or b"", f"WARC record at byte {record.offset} ({record.url or 'no URL'}): {exc.reason}")
    if skipped:
        counts = ", ".join(f"{n} {kind}" for kind, n in sorted(skipped.items()))
        yield _rejected(f"{raw.source}:skipped", b"", f"{sum(skipped.values())} WARC record(s) that are not pages skipped: {counts}")
    if not n_records and not damaged:
        yield _rejected(raw.source, b"", "empty archive: no WARC records")


def _warc_record_row(
    record: WarcRecord, *, source: str, stem: str, digests: dict[str, int], config: PipelineConfig
) -> dict[str, object]:
    if record.warc_type == "revisit":
        raise ArticleRejected("revisit record: the page is stored in an earlier capture, not here")
    if record.warc_type not in ("response", "resource"):
        raise ArticleRejected(f"'{record.warc_type}' record, not a page")
    if record.status is not None and record.status != 200:
        raise ArticleRejected(f"HTTP status {record.status}, not a page")
    mime = (record.content_type or "").split(";")[0].strip().lower()
    if mime not in config.html_media_types:
        raise ArticleRejected(f"not an HTML page (Content-Type {mime or 'missing'})")
    if record.digest:
        first = digests.setdefault(record.digest, record.offset)
        if first != record.offset:
            raise ArticleRejected(f"same payload as the record at byte {first} (duplicate {record.digest.split(':')[0]} digest)")
    if record.payload is None:
        raise ArticleRejected(
            f"page is {record.size / 1e6:.1f} MB, over the {config.max_page_bytes / 1e6:g} MB limit (max_page_bytes)"
        )
    raw_id = f"{stem}:{record.offset}"
    return _page_row(
        record.payload, article_id=_safe_id(raw_id), raw_id=raw_id, source=source, url=record.url, config=config,
        fallback_date=parse_published(record.warc_date), fallback_from="warc",
    )


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
        config=config,
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
    html = record.get("html")
    if (not isinstance(text, str) or not text.strip()) and isinstance(html, str) and html.strip():
        return _html_record_row(record, html, source=source, stem=stem, config=config)
    if not isinstance(text, str) or not text.strip():
        raise ArticleRejected("record has no 'text' (nor 'html')")
    body = clean_text(text).strip("\n")
    article_id, raw_id = _record_id(record, stem, body)
    fields, published, warnings = _record_fields(record)
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
        published_from="input" if published is not None else None,
        warnings=warnings,
        config=config,
    )


def _record_id(record: Mapping[str, object], stem: str, body: str) -> tuple[str, str]:
    """(article_id, raw id) of a record: its `id`, or the file stem and a hash of its body."""
    raw_id = record.get("id")
    if raw_id is None or str(raw_id).strip() == "":
        article_id = f"{_safe_id(stem)}-{hashlib.sha256(body.encode('utf-8', 'surrogatepass')).hexdigest()[:12]}"
        return article_id, article_id
    raw = unicodedata.normalize("NFC", str(raw_id).strip())
    return _safe_id(raw), raw


def _record_fields(record: Mapping[str, object]) -> tuple[dict[str, str | None], dt.date | None, list[str]]:
    """The record's text fields, its `published` date and the warnings about them."""
    warnings: list[str] = []
    fields = {name: _string_field(record, name, warnings) for name in _STRING_FIELDS}
    published = parse_published(fields["published"])
    if fields["published"] is not None and published is None:
        warnings.append(
            f"'published' value {_shown(fields['published'])} is not a date it reads (an absolute date such as 2024-02-29 or "
            "'29 February 2024'; relative ones such as 'yesterday' would depend on the day of the run); stored as null"
        )
    return fields, published, warnings


def _html_record_row(
    record: Mapping[str, object], html: str, *, source: str, stem: str, config: PipelineConfig
) -> dict[str, object]:
    """A JSON Lines record carrying `html` instead of `text`: the page's article, the record's fields first."""
    article_id, raw_id = _record_id(record, stem, html)
    fields, published, warnings = _record_fields(record)
    return _page_row(
        html, article_id=article_id, raw_id=raw_id, source=source, url=fields["url"], config=config,
        outlet=fields["source"], title=fields["title"], author=fields["author"], published=published,
        fmt="html", warnings=warnings,
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
        and not stripped.endswith(FINAL_PUNCT)
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


def language_of(body: str) -> str:
    """The ISO 639-1 code of a text's language: py3langid's, or `en` for a short text in Latin script."""
    import py3langid

    sample = body[:20000]
    letters = [c for c in sample if c.isalpha()]
    # py3langid guesses wildly on a few words; the model reads such a text in Latin script as before
    # (scripts written without spaces, such as Japanese, have few "words": judged by their letters)
    if len(_WORD.findall(sample)) < 40 and (len(letters) < 40 or sum(c < "\u0250" for c in letters) >= 0.5 * len(letters)):
        return "en"
    return str(py3langid.classify(sample)[0])


def _language_warnings(language: str, config: PipelineConfig) -> list[str]:
    if language in config.model_languages:
        return []
    return [f"text is in language '{language}', not one the model reads ({', '.join(config.model_languages)}): "
            "kept with its sentences, but no entities, timexes or claims are drawn from it"]


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
    published_from: str | None = None,
    raw_sha256: str | None = None,
    warnings: Sequence[str] = (),
    config: PipelineConfig,
) -> dict[str, object]:
    language = language_of(body)
    warnings = [*warnings, *_language_warnings(language, config)]
    return {
        "article_id": article_id,
        "source": source,
        "title": title,
        "author": author,
        "views": views,
        "outlet": outlet,
        "url": url,
        "published": published,
        "published_from": published_from,
        "text": body,
        "format": fmt,
        "language": language,
        "encoding": encoding,
        "n_chars": len(body),
        "status": "ok",
        "error": None,
        "content_sha256": hashlib.sha256(body.encode("utf-8")).hexdigest(),
        "raw_sha256": raw_sha256,
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
        "published_from": None,
        "text": None,
        "format": None,
        "language": None,
        "encoding": None,
        "n_chars": None,
        "status": "rejected",
        "error": reason,
        "content_sha256": digest or hashlib.sha256(data).hexdigest(),
        "raw_sha256": None,
        "warnings": None,
    }
