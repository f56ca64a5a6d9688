"""Decontextualization scored against the hand-annotated gold set in tests/data/gold/decontext_gold.jsonl.

Each gold sentence lists its context-dependent words ("he", "the firm", "the two countries") with
the referents a reader of the whole article would put in their place. A claim's substitutions are
read off the difference between its original words and its rewritten text; one is right when the
words it replaced are a gold mention and the words put in are one of that mention's referents
(or a shorter form of one: "Capaldi" for "Peter Capaldi"). A claim stands alone when no
substitution is wrong and every context-dependent gold mention inside it was replaced.

Figures: substitution precision (right / all substitutions made), the share of claims that stand
alone, and is_standalone precision (claims marked standalone that do stand alone). ECB+ topics
>= 20 are reported apart as held out, as in the claim-selection gold set.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

from ..config import PipelineConfig, SHARED_DIR
from ..runner import run_all
from .claims import ROOT, SEEDS, split_of

GOLD = ROOT / "tests" / "data" / "gold" / "decontext_gold.jsonl"
CORPORA = (SHARED_DIR / "corpora" / "ecbplus-dev.jsonl", SHARED_DIR / "corpora" / "bbc.jsonl")
_WORD = re.compile(r"\w[\w.'’&-]*\w|\w")
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")


@dataclass(frozen=True, slots=True)
class Substitution:
    """Words of the original claim replaced by other words in its rewritten text."""

    original: str
    replacement: str


@dataclass(slots=True)
class DecontextScore:
    """Counts behind the three figures."""

    substitutions: int = 0
    right: int = 0
    claims: int = 0
    standalone: int = 0
    marked: int = 0
    marked_right: int = 0
    needed: int = 0
    found: int = 0
    wrong: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    false_standalone: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        """Right referents among all substitutions made."""
        return self.right / self.substitutions if self.substitutions else None

    @property
    def standalone_share(self) -> float | None:
        """Claims that truly stand alone among all claims."""
        return self.standalone / self.claims if self.claims else None

    @property
    def found_share(self) -> float | None:
        """Context-dependent words with a known referent that the rewrite resolved."""
        return self.found / self.needed if self.needed else None

    @property
    def is_standalone_precision(self) -> float | None:
        """Claims that truly stand alone among those marked is_standalone."""
        return self.marked_right / self.marked if self.marked else None


def _norm(text: str) -> str:
    words = [_POSSESSIVE.sub("", w) for w in _WORD.findall(text.lower())]
    while words and words[0] in {"the", "a", "an"}:
        words = words[1:]
    return " ".join(w for w in words if w)


def substitutions(original: str, text: str) -> list[Substitution]:
    """What a rewrite replaced: word runs of `original` changed in `text` (case and added words ignored)."""
    before, after = original.split(), text.split()
    key = lambda w: _norm(w)  # noqa: E731 - compare words without case, punctuation or possessive
    matcher = difflib.SequenceMatcher(a=[key(w) for w in before], b=[key(w) for w in after], autojunk=False)
    ops = matcher.get_opcodes()
    groups: list[list[tuple[str, int, int, int, int]]] = []
    for i, op in enumerate(ops):
        if op[0] == "equal":
            continue
        if op[0] == "insert" and op[1] == 0:
            continue  # a shared subject put in front of a coordinated clause
        gap = ops[i - 1] if i > 0 else None
        if groups and gap is not None and gap[0] == "equal" and gap[2] - gap[1] <= 2 and ops[i - 2] is groups[-1][-1]:
            groups[-1].extend([gap, op])  # "This meeting" -> "The first face-to-face meeting between Trump and Putin"
        else:
            groups.append([op])
    out = []
    for group in groups:
        a0, a1, b0, b1 = group[0][1], group[-1][2], group[0][3], group[-1][4]
        if a0 == a1:  # words added inside a phrase ("the summit" -> "the Helsinki summit"): judge it with its neighbours
            a0, b0 = max(0, a0 - 1), max(0, b0 - 1)
            a1, b1 = min(len(before), a1 + 1), min(len(after), b1 + 1)
        if a0 < a1 and b0 < b1:  # a word only dropped ("that") is no substitution
            out.append(Substitution(" ".join(before[a0:a1]), " ".join(after[b0:b1])))
    return out


def _contains(outer: str, inner: str) -> bool:
    return bool(inner) and f" {inner} " in f" {outer} "


def is_right(sub: Substitution, mentions: Sequence[Mapping[str, object]]) -> bool:
    """A substitution replaced a gold mention by one of its referents (or a shorter form of one)."""
    replaced, put = _norm(sub.original), _norm(sub.replacement)
    for m in mentions:
        text = _norm(str(m["text"]))
        if not (_contains(replaced, text) or _contains(text, replaced)):
            continue
        for ref in m["referents"]:  # type: ignore[union-attr]
            ref = _norm(str(ref))
            # the rest of the replaced run must come through unchanged
            rest_before = replaced.replace(text, "", 1).split()
            if not all(w in put.split() for w in rest_before):
                continue
            core = " ".join(w for w in put.split() if w not in rest_before)
            if _contains(ref, core) or (_contains(core, ref) and len(core.split()) <= len(ref.split()) + 2):
                return True
    return False


def _mention_in(mention: Mapping[str, object], text: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(str(mention["text"]).lower()) + r"(?!\w)", text.lower()) is not None


def score_claims(gold: Iterable[Mapping[str, object]], claims_for: Mapping[int, Sequence[Mapping[str, object]]], *, split: str | None = None) -> DecontextScore:
    """Score the claims found on each gold sentence (`claims_for[i]` for the i-th gold record)."""
    result = DecontextScore()
    for i, g in enumerate(gold):
        if split is not None and split_of(str(g["source"])) != split:
            continue
        mentions = g["mentions"]
        assert isinstance(mentions, list)
        for c in claims_for.get(i, []):
            subs = substitutions(str(c["original_text"]), str(c["text"]))
            right = [is_right(s, mentions) for s in subs]
            result.substitutions += len(subs)
            result.right += sum(right)
            result.wrong.extend(f"{g['source']}: {s.original!r} -> {s.replacement!r}  [{c['text']}]" for s, ok in zip(subs, right, strict=True) if not ok)
            resolved = {id(m) for m in mentions for s, ok in zip(subs, right, strict=True) if ok and is_right(s, [m])}
            left = [m for m in mentions if m["context_dependent"] and _mention_in(m, str(c["original_text"])) and id(m) not in resolved]
            alone = all(right) and not left
            needed = [m for m in mentions if m["context_dependent"] and m["referents"] and _mention_in(m, str(c["original_text"]))]
            result.needed += len(needed)
            result.found += sum(id(m) in resolved for m in needed)
            result.missed.extend(f"{g['source']}: {m['text']!r} [{c['text']}]" for m in needed if id(m) not in resolved)
            result.claims += 1
            result.standalone += alone
            if c["is_standalone"]:
                result.marked += 1
                result.marked_right += alone
                if not alone:
                    result.false_standalone.append(f"{g['source']}: left {[m['text'] for m in left]} [{c['text']}]")
    return result


def _inputs(gold: Sequence[Mapping[str, object]], inp: Path, *, seeds: Path, corpora: Sequence[Path]) -> None:
    wanted = {str(g["source"]) for g in gold}
    for seed in seeds.glob("*.txt"):
        if seed.name in wanted:
            (inp / seed.name).write_bytes(seed.read_bytes())
    for corpus in corpora:
        if corpus.exists():
            lines = [l for l in corpus.read_text(encoding="utf-8").splitlines() if l.strip() and json.loads(l)["id"] in wanted]
            if lines:
                (inp / corpus.name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_gold(path: Path) -> list[dict[str, object]]:
    """The records of a JSON-lines gold file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def run_gold(
    gold: Sequence[Mapping[str, object]], *, seeds: Path = SEEDS, corpora: Sequence[Path] = CORPORA, tables: Sequence[str] = ()
) -> tuple[dict[int, list[dict[str, object]]], dict[str, list[dict[str, object]]]]:
    """Run the pipeline over the gold set's articles: the claims starting in each gold sentence, and the rows of `tables`."""
    with tempfile.TemporaryDirectory() as tmp:
        inp, out = Path(tmp) / "in", Path(tmp) / "out"
        inp.mkdir()
        _inputs(gold, inp, seeds=seeds, corpora=corpora)
        run_all(inp, out, config=PipelineConfig())
        rows = {name: pq.read_table(out / f"{name}.parquet").to_pylist() for name in {"articles", "claims", *tables}}
    articles = rows["articles"]
    by_key = {str(a["source"]).split(":")[0]: a for a in articles if str(a["source"]).endswith(".txt")}
    by_key.update({str(a["article_id"]): a for a in articles})
    claims_by_article: dict[str, list[dict[str, object]]] = {}
    for c in rows["claims"]:
        claims_by_article.setdefault(str(c["article_id"]), []).append(c)
    claims_for: dict[int, list[dict[str, object]]] = {}
    for i, g in enumerate(gold):
        art = by_key.get(str(g["source"]))
        start = art["text"].find(str(g["sentence"])) if art and art["text"] else -1
        if start < 0:
            print(f"warning: sentence not found in {g['source']}: {str(g['sentence'])[:60]}", file=sys.stderr)
            continue
        end = start + len(str(g["sentence"]))
        claims_for[i] = [c for c in claims_by_article.get(str(art["article_id"]), []) if start <= c["start_char"] < end]
    return claims_for, rows


def evaluate(gold_path: Path = GOLD, *, seeds: Path = SEEDS, corpora: Sequence[Path] = CORPORA) -> dict[str, DecontextScore]:
    """Run the pipeline over the gold set's articles and score decontextualization per split."""
    gold = read_gold(gold_path)
    claims_for, _ = run_gold(gold, seeds=seeds, corpora=corpora)
    return {split: score_claims(gold, claims_for, split=None if split == "all" else split) for split in ("dev", "held_out", "all")}


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def main(argv: list[str] | None = None) -> int:
    """Print substitution precision, standalone share and is_standalone precision on the gold set."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--wrong", action="store_true", help="list every wrong substitution")
    args = parser.parse_args(argv)
    scores = evaluate()
    print("Decontextualization on the hand-annotated gold set (tests/data/gold/decontext_gold.jsonl)")
    print(f"{'split':<10} {'claims':>7} {'subst':>6} {'subst P':>8} {'found':>6} {'standalone':>10} {'is_standalone P':>16}")
    for split, s in scores.items():
        print(
            f"{split:<10} {s.claims:>7} {s.substitutions:>6} {_fmt(s.precision):>8} {_fmt(s.found_share):>6} "
            f"{_fmt(s.standalone_share):>10} {_fmt(s.is_standalone_precision):>16}"
        )
    print("subst P: right referents / substitutions made; found: context words with a referent that were resolved;")
    print("standalone: claims with nothing context-dependent left; is_standalone P: marked standalone and truly so.")
    if args.wrong:
        for w in scores["all"].wrong:
            print("wrong:", w)
        for w in scores["dev"].missed:
            print("missed (dev):", w)
        for w in scores["all"].false_standalone:
            print("marked standalone, is not:", w)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
