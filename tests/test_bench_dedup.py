"""The dedup and conflicts scaling benchmark on a tiny hand-made source: growth, what it counts, the result file (no timing checks)."""

from __future__ import annotations

import datetime as dt
import json

import pyarrow.parquet as pq
import pytest
import spacy

from bench import dedup as bd
from pipeline.schemas import CLAIMS, table_from_rows

TEXTS = [
    ("Police arrested 12 people in Hamburg on Monday after the protest.", ["e:police", "e:hamburg"], 12.0, "people"),
    ("Twelve people were arrested by police in Hamburg after the protest.", ["e:police", "e:hamburg"], 12.0, "people"),
    ("The company said it will cut 5,000 jobs across Europe this year.", ["e:company", "e:europe"], 5000.0, "jobs"),
    ("The minister did not sign the agreement with the union.", ["e:minister", "e:union"], None, None),
    ("An earthquake of magnitude 6 struck the coast of Chile overnight.", ["e:chile"], 6.0, "magnitude"),
]


def _claims():
    rows = []
    for i, (text, entities, qv, unit) in enumerate(TEXTS):
        rows.append({
            "claim_id": f"a{i % 2}/c{i}", "article_id": f"a{i % 2}", "sentence_id": f"a{i % 2}/s{i}",
            "start_char": 0, "end_char": len(text), "text": text, "original_text": text,
            "predicate": "say", "negated": "did not" in text, "hedged": False,
            "time_start": dt.date(2020, 1, 6), "time_end": dt.date(2020, 1, 6),
            "quantity_value": qv, "quantity_unit": unit, "entity_ids": entities,
            "checkworthiness": 0.5 + i / 20, "is_standalone": True,
        })
    return table_from_rows(rows, CLAIMS)


@pytest.fixture(scope="module")
def pool():
    claims = _claims()
    nlp = spacy.blank("en")
    docs = [nlp.make_doc(t) for t in claims["original_text"].to_pylist()]
    return bd.build_pool(claims, docs, analysis="make_doc", source="test", variants=4, seed=0)


def test_pool_variants_are_perturbed(pool):
    assert len(pool.variants) == len(TEXTS)
    for own, (text, *_rest) in zip(pool.variants, TEXTS):
        assert own[0].text == text and own[0].edit == "none"
        assert len(own) == 5
        assert all(v.edit != "none" and v.text != text for v in own[1:])
    # a changed number scales the quantity
    changed = [v for own in pool.variants for v in own if "number:" in v.edit]
    assert changed and all(v.quantity_value is not None for v in changed if v.text.startswith(("Police", "The company")))


def test_grow_yields_n_rows_in_editions_of_carried_articles(pool):
    corpus = bd.grow(pool, 230, seed=3)
    claims, articles = corpus.claims, corpus.articles
    assert claims.num_rows == 230 == len(corpus.infos) == len(corpus.edition) == len(corpus.base)
    assert claims.schema.equals(CLAIMS)
    ids = claims["claim_id"].to_pylist()
    assert len(set(ids)) == 230
    assert set(claims["article_id"].to_pylist()) <= set(articles["article_id"].to_pylist())
    # 5 base claims make 230 only through many editions; each later edition is a month later with
    # other participants (entity ids carry the edition), so editions are other stories
    assert corpus.edition.max() >= 5
    day = dict(zip(articles["article_id"].to_pylist(), articles["published"].to_pylist()))
    for article_id, edition, entities in zip(claims["article_id"].to_pylist(), corpus.edition.tolist(), claims["entity_ids"].to_pylist()):
        assert (day[article_id] - bd.BASE_DAY).days // bd.EDITION_DAYS == edition
        assert all((f":e{edition}_" in e) == (edition > 0) for e in entities)
    # deterministic for a seed
    assert bd.grow(pool, 230, seed=3).claims["text"].to_pylist() == claims["text"].to_pylist()


def test_copy_recall_counts_copies_by_other_carriers(pool):
    corpus = bd.grow(pool, 120, seed=1)
    article_ids = corpus.claims["article_id"].to_pylist()
    together = [f"{e}/{b}" for e, b in zip(corpus.edition.tolist(), corpus.base.tolist())]  # every copy merged
    apart = corpus.claims["claim_id"].to_pylist()  # nothing merged
    recall, eligible = bd.copy_recall(together, corpus)
    assert eligible > 0 and recall == 1.0
    assert bd.copy_recall(apart, corpus) == (0.0, eligible)
    # copies inside one article only do not count: the measure is about other outlets
    assert eligible == sum(
        1 for k, key in enumerate(together)
        if any(together[m] == key and article_ids[m] != article_ids[k] for m in range(len(together)))
    )


@pytest.mark.parametrize(
    ("later", "problem"),
    [
        ({"copy_recall": 0.3}, "copy_recall"),  # recall fell under half of the small size's 0.9
        ({"judged_per_claim": 0.5}, "judged_per_claim"),  # blocking stopped proposing pairs
        ({"cross_edition_clusters": 2}, "two different stories joined"),  # look-alike stories chained
        ({}, None),  # the same figures at both sizes: no problem
    ],
)
def test_collapses_names_what_fell(later, problem):
    base = {"status": "measured", "size": 10, "copy_recall": 0.9, "judged_per_claim": 2.0,
            "cross_edition_clusters": 0, "cross_edition_events": 0, "cross_edition_conflicts": 0}
    found = bd.collapses([base, {**base, "size": 100, **later}], min_ratio=0.5)
    assert (problem is None) == (not found)
    if problem:
        assert problem in found[0] and "100 claims" in found[0]


def test_main_writes_results(tmp_path):
    pq.write_table(_claims(), tmp_path / "claims.parquet")
    results = tmp_path / "bench" / "dedup_results.json"
    code = bd.main(["--source", str(tmp_path), "--sizes", "40,80", "--analysis", "make_doc", "--variants", "3",
                    "--in-process", "--results", str(results)])
    assert code == 0
    data = json.loads(results.read_text())
    for key in ("source", "base_claims", "analysis", "machine", "sizes", "linearity", "seed", "collapses"):
        assert key in data
    assert [r["size"] for r in data["sizes"]] == [40, 80]
    for row in data["sizes"]:
        assert row["status"] == "measured"
        for key in ("candidates", "candidates_per_claim", "judged_per_claim", "copy_recall", "blocking_seconds",
                    "events_seconds", "conflicts_seconds", "total_seconds", "peak_rss_mb", "us_per_claim", "clusters"):
            assert key in row
        assert 1 <= row["clusters"] <= row["size"]


def test_skips_a_size_projected_over_budget(tmp_path, capsys):
    pq.write_table(_claims(), tmp_path / "claims.parquet")
    results = tmp_path / "r.json"
    code = bd.main(["--source", str(tmp_path), "--sizes", "20,10000000", "--analysis", "make_doc", "--variants", "2",
                    "--in-process", "--max-seconds", "1", "--results", str(results)])
    assert code == 0
    skipped = json.loads(results.read_text())["sizes"][1]
    assert skipped["status"] == "skipped" and skipped["projected_total_seconds"] > 1
    assert "skipped: projected" in capsys.readouterr().out


def test_missing_source_exits_2(tmp_path, capsys):
    assert bd.main(["--source", str(tmp_path / "nowhere"), "--sizes", "10"]) == 2
    assert "claims.parquet not found" in capsys.readouterr().err
