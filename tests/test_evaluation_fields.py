"""The claim-field scorer: what counts as a right field, and how unmatched gold claims are counted."""

from __future__ import annotations

import pytest

from pipeline.evaluation.fields import field_right, score


@pytest.mark.parametrize(
    ("name", "gold", "predicted", "right"),
    [
        # a pronoun or its referent are both acceptable when the gold lists both
        ("subject", ["he", "Ray Scheidnes"], "Ray Scheidnes", True),
        # the article and spacing of the text do not matter
        ("object", "The Oscars", "the Oscars", True),
        # "recover from": the preposition of a prepositional object joins the verb
        ("predicate", "recover", "recover from", True),
        # but "take" is not "take place"
        ("predicate", "take place", "take", False),
        # issue #23: "One" is not the quantity of "a 7.3 magnitude quake"
        ("quantity", "7.3", "One", False),
        # "on Sunday" for "Sunday"
        ("time", "Sunday", "on Sunday", True),
        # a place where the gold has none is wrong
        ("place", None, "Alaska", False),
        ("negated", True, False, False),
    ],
)
def test_field_right(name: str, gold: object, predicted: object, right: bool) -> None:
    assert field_right(name, gold, predicted) is right


def test_unmatched_gold_claims_are_missed_not_wrong_fields() -> None:
    claim = {"subject": "Thompson", "predicate": "recover", "object": None, "negated": True, "time": None, "place": None, "quantity": None}
    gold = [{"source": "a", "split": "dev", "sentence": "s", "claims": [claim]}, {"source": "b", "split": "dev", "sentence": "t", "claims": [claim]}]
    result = score(gold, {0: [dict(claim)], 1: []})
    assert (result.claims, result.missed, result.all_right_share) == (2, 1, 1.0)
