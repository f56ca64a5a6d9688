"""Arrow schemas of every table the pipeline writes, as named constants in one place.

Column descriptions live in the field metadata (key ``description``) so the data
dictionary (``python -m pipeline dictionary``) is generated from here.
"""

from __future__ import annotations

import pyarrow as pa


def _f(name: str, type_: pa.DataType, description: str, *, nullable: bool = True) -> pa.Field:
    return pa.field(name, type_, nullable=nullable, metadata={"description": description})


_STR = pa.string()
_LIST_STR = pa.list_(pa.string())

ARTICLES = pa.schema(
    [
        _f("article_id", _STR, "Stable id: the JSON Lines `id`, the .txt/.html file name without suffix, or "
           "`ARCHIVE:OFFSET` for a WARC record (archive name without suffix, byte offset of the record).", nullable=False),
        _f("source", _STR, "Input file name, `file.jsonl:LINE` for a JSON Lines record, `file.warc.gz:OFFSET` for a WARC "
           "record (`file.warc.gz:skipped` counts an archive's records that are not pages).", nullable=False),
        _f("title", _STR, "Article title (seed format: first line; JSON Lines: `title`; HTML: the page's title)."),
        _f("author", _STR, "Author from the `by AUTHOR N views` line, when present."),
        _f("views", pa.int64(), "View count from the `by AUTHOR N views` line, when present."),
        _f("outlet", _STR, "Publishing outlet (the JSON Lines `source` field; HTML: the page's site name), when given."),
        _f("url", _STR, "Article URL, when given (HTML: the page's canonical URL; WARC: the WARC-Target-URI)."),
        _f("published", pa.date32(), "Publication date; null when unknown. Relative dates are anchored on it."),
        _f("published_from", _STR, "Where `published` comes from: `input` (the JSON Lines field), `page` (the HTML page's "
           "metadata), `warc` (the record's WARC-Date: the page gives none); null when `published` is."),
        _f("text", _STR, "Article body; every start_char/end_char in other tables indexes into it."),
        _f("format", _STR, "Input format detected: `seed`, `plain`, `jsonl` or `html` (an HTML file, a WARC record, "
           "a JSON Lines record carrying `html`)."),
        _f("language", _STR, "Language of `text`, an ISO 639-1 code (py3langid; `en` for a text under 40 words in Latin "
           "script). Only articles in the model's languages (`en`) get entities, timexes and claims; the others keep their "
           "text and sentences, with a warning. Null when rejected."),
        _f("encoding", _STR, "Text encoding the input was decoded from (`html`: the page's own, found by the extractor)."),
        _f("n_chars", pa.int64(), "Length of `text` in characters."),
        _f("status", _STR, "`ok` or `rejected`.", nullable=False),
        _f("error", _STR, "Why the input was rejected (null when ok)."),
        _f("content_sha256", _STR, "SHA-256 of the body text (ok) or of the raw input bytes (rejected).", nullable=False),
        _f("raw_sha256", _STR, "SHA-256 of the raw HTML page the text was extracted from (after gzip decompression; a "
           "WARC record's HTTP body); null for text inputs."),
        _f(
            "warnings", _STR,
            "What was wrong with an accepted input but did not reject it (a field that is not a string, a "
            "`published` value that is not a date), `; `-separated; those values are stored as null. Null when none.",
        ),
    ]
)

#: The articles columns a stage reads: all but the texts, which only parsing reads (a batch at a
#: time), so a stage's memory does not grow with the corpus's text.
ARTICLE_INDEX_COLUMNS: tuple[str, ...] = tuple(n for n in ARTICLES.names if n != "text")

SENTENCES = pa.schema(
    [
        _f("sentence_id", _STR, "Stable id: `{article_id}/s{sentence_index}`.", nullable=False),
        _f("article_id", _STR, "Article the sentence belongs to.", nullable=False),
        _f("paragraph_index", pa.int32(), "0-based index of the paragraph (headings count as paragraphs).", nullable=False),
        _f("sentence_index", pa.int32(), "0-based index of the sentence within the article.", nullable=False),
        _f("start_char", pa.int64(), "Offset of the first character in the article text.", nullable=False),
        _f("end_char", pa.int64(), "Offset after the last character: `text == article.text[start_char:end_char]`.", nullable=False),
        _f("text", _STR, "Sentence text.", nullable=False),
        _f("section", _STR, "Section heading above the sentence, or null."),
        _f("n_tokens", pa.int32(), "Number of spaCy tokens (punctuation included)."),
        _f("furniture", _STR, "Null for body text; otherwise why the sentence is page furniture (`copyright`, `credit`, "
           "`caption`, `gallery`, `byline`, `contributor`, `prompt`, `related`, `embed`; pipeline/furniture.py). Furniture "
           "never becomes a claim; a caption glued to the front of a sentence is its own furniture row."),
    ]
)

ENTITIES = pa.schema(
    [
        _f("mention_id", _STR, "Stable id: `{article_id}/e{index}`.", nullable=False),
        _f("article_id", _STR, "Article of the mention.", nullable=False),
        _f("sentence_id", _STR, "Sentence of the mention.", nullable=False),
        _f("start_char", pa.int64(), "Start offset in the article text.", nullable=False),
        _f("end_char", pa.int64(), "End offset in the article text.", nullable=False),
        _f("text", _STR, "Mention text as written.", nullable=False),
        _f("label", _STR, "spaCy entity label (PERSON, GPE, ORG, LAW, EVENT, ...).", nullable=False),
        _f("entity_id", _STR, "Same id for the same real-world entity across articles.", nullable=False),
        _f("canonical_name", _STR, "Preferred name of the entity.", nullable=False),
        _f("source_rule", _STR, "`ner` (statistical model) or `ruler` (patterns in models/)."),
    ]
)

TIMEXES = pa.schema(
    [
        _f("timex_id", _STR, "Stable id: `{article_id}/t{index}`.", nullable=False),
        _f("article_id", _STR, "Article of the expression.", nullable=False),
        _f("sentence_id", _STR, "Sentence of the expression.", nullable=False),
        _f("start_char", pa.int64(), "Start offset in the article text.", nullable=False),
        _f("end_char", pa.int64(), "End offset in the article text.", nullable=False),
        _f("text", _STR, "Expression as written.", nullable=False),
        _f("type", _STR, "TIMEX3 type: DATE, TIME, DURATION or SET.", nullable=False),
        _f("value", _STR, "TIMEX3 value (2017-07, 2016, 19, P5Y, PT2H, PRESENT_REF, XXXX-07, ...).", nullable=False),
        _f("mod", _STR, "TIMEX3 modifier (MORE_THAN, LESS_THAN, APPROX, START, END, MID, ...), or null."),
        _f("start_date", pa.date32(), "First day of the interval the value covers; null for durations or unresolved."),
        _f("end_date", pa.date32(), "Last day (inclusive) of that interval; null for durations or unresolved."),
        _f("anchored", pa.bool_(), "True when the value was resolved against the publication date."),
    ]
)

CLAIMS = pa.schema(
    [
        _f("claim_id", _STR, "Stable id: `{article_id}/c{index}`.", nullable=False),
        _f("article_id", _STR, "Article the claim comes from.", nullable=False),
        _f("sentence_id", _STR, "Sentence the claim comes from.", nullable=False),
        _f("start_char", pa.int64(), "Start offset of the original claim span in the article text.", nullable=False),
        _f("end_char", pa.int64(), "End offset of the original claim span.", nullable=False),
        _f("text", _STR, "The claim, decontextualized: readable on its own.", nullable=False),
        _f("original_text", _STR, "The claim span exactly as written in the article.", nullable=False),
        _f("subject", _STR, "Subject (resolved where a pronoun or short description stood)."),
        _f("predicate", _STR, "Lemma of the main verb with particles (`meet`, `pull out`, `be`)."),
        _f("object", _STR, "Object or complement."),
        _f("negated", pa.bool_(), "The claim is negated (`did not sign`).", nullable=False),
        _f("hedged", pa.bool_(), "The claim is hedged (`reportedly`, `may have`, `appeared to`).", nullable=False),
        _f("attributed_to", _STR, "Speaker the claim is attributed to (`Trump`, `critics`), or null."),
        _f("place", _STR, "Place the claim is located at (a GPE/LOC/FAC entity), or null."),
        _f("time_value", _STR, "TIMEX3 value of the claim's main date expression, or null."),
        _f("time_start", pa.date32(), "First day of the claim's date interval, or null."),
        _f("time_end", pa.date32(), "Last day of the claim's date interval, or null."),
        _f("quantity_value", pa.float64(), "Numeric value of the claim's main quantity, or null."),
        _f("quantity_unit", _STR, "Unit of that quantity (`km`, `percent`, `people`, `USD`), or null."),
        _f("quantity_text", _STR, "The quantity as written, or null."),
        _f("quantity_mod", _STR, "Approximation of the quantity: MORE_THAN, LESS_THAN, APPROX, or null when exact."),
        _f("entity_ids", _LIST_STR, "Entities the claim mentions (ids in entities.parquet)."),
        _f("timex_ids", _LIST_STR, "Temporal expressions in the claim (ids in timexes.parquet)."),
        _f("checkworthiness", pa.float64(), "Score 0..1 from the trained check-worthiness model.", nullable=False),
        _f("unresolved", _LIST_STR, "Pronouns or descriptions left as written because no antecedent was clear."),
        _f("is_standalone", pa.bool_(), "True when nothing in `text` needed an antecedent that was not found.", nullable=False),
    ]
)

CLAIM_CLUSTERS = pa.schema(
    [
        _f("claim_id", _STR, "Claim (one row per claim).", nullable=False),
        _f("cluster_id", _STR, "Claims stating the same fact share it; derived from the members.", nullable=False),
        _f("is_representative", pa.bool_(), "The clearest, best-supported claim of its cluster.", nullable=False),
        _f("n_articles", pa.int32(), "Distinct articles in the cluster.", nullable=False),
        _f("n_sources", pa.int32(), "Distinct outlets (or input files when no outlet is known) in the cluster."),
        _f("n_claims", pa.int32(), "Claims in the cluster."),
        _f("event_key", _STR, "Claims about the same real-world event share it, across articles and outlets, whatever the "
           "wording: claims of one story grouped by wording, never joining claims dated to disjoint intervals or set in "
           "places neither of which contains the other. A cluster lies inside one event; conflicts are only between "
           "claims of one event."),
        _f("story_id", _STR, "Articles reporting the same news story share it (average linkage over article TF-IDF, "
           "published at most 10 days apart when dates are known); an event lies inside one story."),
    ]
)

CONFLICTS = pa.schema(
    [
        _f("conflict_id", _STR, "Stable id derived from the two claim ids and the kind.", nullable=False),
        _f("claim_id_a", _STR, "First claim (the smaller id).", nullable=False),
        _f("claim_id_b", _STR, "Second claim.", nullable=False),
        _f("article_id_a", _STR, "Article of claim a.", nullable=False),
        _f("article_id_b", _STR, "Article of claim b.", nullable=False),
        _f("kind", _STR, "date, quantity, place, negation, entity or other.", nullable=False),
        _f("value_a", _STR, "The differing value in claim a, as written."),
        _f("value_b", _STR, "The differing value in claim b, as written."),
        _f("normalized_a", _STR, "Value a normalized (TIMEX3 value, number with unit, entity id)."),
        _f("normalized_b", _STR, "Value b normalized."),
        _f("score", pa.float64(), "Confidence 0..1 that the claims disagree.", nullable=False),
        _f("explanation", _STR, "Why the claims are said to disagree, in plain words.", nullable=False),
        _f("event_key", _STR, "The event both claims are about (claim_clusters.event_key)."),
    ]
)

#: Not an output table: entity mentions before linking, as cached per article under OUTPUT/.cache.
MENTIONS = pa.schema(
    [
        _f("article_id", _STR, "Article the mention is in.", nullable=False),
        _f("sentence_id", _STR, "Sentence containing the mention.", nullable=False),
        _f("start_char", pa.int64(), "Offset of the mention's first character.", nullable=False),
        _f("end_char", pa.int64(), "Offset one past the mention's last character.", nullable=False),
        _f("text", _STR, "Surface text.", nullable=False),
        _f("label", _STR, "spaCy label.", nullable=False),
        _f("kind", _STR, "Entity kind (labels of one kind may link).", nullable=False),
        _f("key", _STR, "Normalized name used for linking.", nullable=False),
        _f("source_rule", _STR, "ner | ruler | surname.", nullable=False),
    ]
)

#: Not an output table: dedup's candidate pairs (claim row numbers) and their text scores, cached
#: under OUTPUT/.cache so that the conflicts stage, run as its own process, need not recompute them.
CANDIDATE_PAIRS = pa.schema(
    [
        _f("i", pa.int64(), "Row number of the first claim in claims.parquet.", nullable=False),
        _f("j", pa.int64(), "Row number of the second claim (i < j).", nullable=False),
        _f("text_score", pa.float64(), "The pair's calibrated text score, when dedup judged it."),
    ]
)

#: Table name (file stem) → schema.
TABLES: dict[str, pa.Schema] = {
    "articles": ARTICLES,
    "sentences": SENTENCES,
    "entities": ENTITIES,
    "timexes": TIMEXES,
    "claims": CLAIMS,
    "claim_clusters": CLAIM_CLUSTERS,
    "conflicts": CONFLICTS,
}

#: Sort keys giving each table a stable row order.
SORT_KEYS: dict[str, list[str]] = {
    "articles": ["article_id", "source"],
    "sentences": ["article_id", "sentence_index"],
    "entities": ["article_id", "start_char", "end_char"],
    "timexes": ["article_id", "start_char", "end_char"],
    "claims": ["article_id", "start_char", "claim_id"],
    "claim_clusters": ["claim_id"],
    "conflicts": ["conflict_id"],
}


def empty_table(schema: pa.Schema) -> pa.Table:
    """A zero-row table with the given schema (stages with nothing to say still write a table)."""
    return schema.empty_table()


def table_from_rows(rows: list[dict[str, object]], schema: pa.Schema) -> pa.Table:
    """Build a table from row dicts, enforcing the schema (missing keys become nulls)."""
    if not rows:
        return empty_table(schema)
    return pa.Table.from_pylist(rows, schema=schema)
