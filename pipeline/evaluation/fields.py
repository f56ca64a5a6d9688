"""Claim fields scored against the hand-annotated gold set in tests/data/gold/fields_gold.jsonl.

Each gold claim gives its subject, predicate (lemma), object, negation, time expression, place and
quantity, annotated from the sentence before any system output was looked at. A field may list
several acceptable answers (a pronoun and its referent; a head noun phrase with or without its
relative clause). Each gold claim is matched to the extracted claim of its sentence that gets most
of its fields right; a gold claim whose sentence gave no claim is counted as missed (that is
selection, scored by `pipeline.evaluation.claims`) and left out of the field figures.

Figures: per-field accuracy and the share of matched gold claims with every field right, for the dev and
held-out parts (the `split` of each gold sentence).
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .claims import ROOT, SEEDS
from .decontext import CORPORA, _fmt, read_gold, run_gold

GOLD = ROOT / "tests" / "data" / "gold" / "fields_gold.jsonl"
FIELDS = ("subject", "predicate", "object", "negated", "time", "place", "quantity")
_LEADING_DETERMINER = re.compile(r"^(?:the|a|an)\s+")


@dataclass(slots=True)
class FieldScore:
    """Counts of right fields over the gold claims of one split."""

    claims: int = 0
    missed: int = 0
    all_right: int = 0
    right: dict[str, int] = field(default_factory=lambda: {f: 0 for f in FIELDS})
    wrong: list[str] = field(default_factory=list)

    @property
    def matched(self) -> int:
        """Gold claims for which the sentence gave an extracted claim (selection, scored elsewhere)."""
        return self.claims - self.missed

    def accuracy(self, name: str) -> float | None:
        """Share of matched gold claims whose field `name` is right."""
        return self.right[name] / self.matched if self.matched else None

    @property
    def all_right_share(self) -> float | None:
        """Share of matched gold claims with every field right."""
        return self.all_right / self.matched if self.matched else None


def norm(text: object) -> str:
    """Lower case, straight quotes, no space before punctuation, no leading article or end punctuation."""
    s = str(text).lower().replace("’", "'").replace("“", '"').replace("”", '"')
    s = re.sub(r"\s+([,.;:!?'%)])", r"\1", re.sub(r"\s+", " ", s)).strip(" .,;:")
    return _LEADING_DETERMINER.sub("", s)


def _options(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else [value]


def field_right(name: str, gold: object, predicted: object) -> bool:
    """Whether a predicted field value is one of the gold field's acceptable answers."""
    for option in _options(gold):
        if option is None or predicted is None or isinstance(option, bool):
            if option == predicted or (option is None and predicted in ("", None)):
                return True
            continue
        g, p = norm(option), norm(predicted)
        if g == p:
            return True
        if name == "predicate" and p.startswith(g + " ") and " " not in p[len(g) + 1 :]:
            return True  # "recover from": the preposition of a prepositional object joins the verb
        if name in {"time", "quantity"} and g and p and (g in p or p in g) and re.search(r"\w", g):
            return True  # "Sunday" for "on Sunday", "50" for "More than 50"
    return False


def predicted_fields(claim: Mapping[str, object], timexes: Mapping[str, tuple[str, str | None]]) -> dict[str, object]:
    """The seven fields of an extracted claim row, the time as the text of its main time expression."""
    ids = [str(t) for t in claim["timex_ids"]]  # type: ignore[union-attr]
    time = next((timexes[t][0] for t in ids if t in timexes and timexes[t][1] == claim["time_value"]), None)
    return {
        "subject": claim["subject"],
        "predicate": claim["predicate"],
        "object": claim["object"],
        "negated": bool(claim["negated"]),
        "time": time if claim["time_value"] is not None else None,
        "place": claim["place"],
        "quantity": claim["quantity_text"],
    }


def score(gold: Sequence[Mapping[str, object]], predicted: Mapping[int, Sequence[Mapping[str, object]]], *, split: str | None = None) -> FieldScore:
    """Field accuracy of the gold claims of `split` (all when None) against the predicted fields per sentence."""
    out = FieldScore()
    for i, g in enumerate(gold):
        if split is not None and g.get("split") != split:
            continue
        pool = list(predicted.get(i, []))
        for gc in g["claims"]:  # type: ignore[union-attr]
            out.claims += 1
            best: tuple[int, dict[str, bool], Mapping[str, object] | None] = (-1, {f: False for f in FIELDS}, None)
            for p in pool:
                marks = {f: field_right(f, gc[f], p[f]) for f in FIELDS}
                if sum(marks.values()) > best[0]:
                    best = (sum(marks.values()), marks, p)
            marks, chosen = best[1], best[2]
            if chosen is None:
                out.missed += 1
                out.wrong.append(f"{g['source']}: {str(g['sentence'])[:70]}… no claim")
                continue
            pool.remove(chosen)
            for f in FIELDS:
                out.right[f] += marks[f]
            if all(marks.values()):
                out.all_right += 1
            else:
                bad = ", ".join(f"{f}={chosen[f]!r} (gold {gc[f]!r})" for f in FIELDS if not marks[f])
                out.wrong.append(f"{g['source']}: {str(g['sentence'])[:70]}… {bad}")
    return out


def evaluate(gold_path: Path = GOLD, *, seeds: Path = SEEDS, corpora: Sequence[Path] = CORPORA) -> dict[str, FieldScore]:
    """Run the pipeline over the gold set's articles and score the claims' fields per split."""
    gold = read_gold(gold_path)
    claims_for, rows = run_gold(gold, seeds=seeds, corpora=corpora, tables=("timexes",))
    texts = {str(a["article_id"]): str(a["text"] or "") for a in rows["articles"]}
    timex_of = {str(t["timex_id"]): (texts[str(t["article_id"])][t["start_char"] : t["end_char"]], t["value"]) for t in rows["timexes"]}
    predicted = {i: [predicted_fields(c, timex_of) for c in found] for i, found in claims_for.items()}
    return {split: score(gold, predicted, split=None if split == "all" else split) for split in ("dev", "held_out", "all")}


def main(argv: list[str] | None = None) -> int:
    """Print per-field accuracy and the all-fields-right share on the gold set."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--wrong", action="store_true", help="list every gold claim with a wrong field")
    show_wrong = parser.parse_args(argv).wrong
    scores = evaluate()
    print("Claim fields on the hand-annotated gold set (tests/data/gold/fields_gold.jsonl)")
    print(f"{'split':<10} {'claims':>7} {'missed':>7} " + " ".join(f"{f[:8]:>8}" for f in FIELDS) + f" {'all right':>10}")
    for split, s in scores.items():
        print(f"{split:<10} {s.claims:>7} {s.missed:>7} " + " ".join(f"{_fmt(s.accuracy(f)):>8}" for f in FIELDS) + f" {_fmt(s.all_right_share):>10}")
    if show_wrong:
        for line in scores["all"].wrong:
            print("wrong:", line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
