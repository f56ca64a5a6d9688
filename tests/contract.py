"""The minimum output contract (shared/tables.md), written out independently of pipeline.schemas."""

REQUIRED_COLUMNS: dict[str, list[str]] = {
    "articles": ["article_id", "source", "title", "author", "published", "text", "status", "error", "content_sha256"],
    "sentences": ["sentence_id", "article_id", "paragraph_index", "sentence_index", "start_char", "end_char", "text", "section"],
    "entities": ["mention_id", "article_id", "sentence_id", "start_char", "end_char", "text", "label", "entity_id", "canonical_name"],
    "timexes": ["timex_id", "article_id", "sentence_id", "start_char", "end_char", "text", "type", "value", "start_date", "end_date"],
    "claims": [
        "claim_id", "article_id", "sentence_id", "start_char", "end_char", "text", "subject", "predicate", "object",
        "negated", "hedged", "attributed_to", "entity_ids", "timex_ids", "checkworthiness",
    ],
    "claim_clusters": ["claim_id", "cluster_id", "is_representative", "n_articles"],
    "conflicts": [
        "conflict_id", "claim_id_a", "claim_id_b", "article_id_a", "article_id_b", "kind", "value_a", "value_b",
        "score", "explanation",
    ],
}
