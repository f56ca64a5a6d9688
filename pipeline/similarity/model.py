"""The same-fact model and scorer: gradient-boosted trees in plain arrays (compiled to a Python
function at load time), a logistic regression, their blend, and :class:`ParaphraseScorer`, which loads
the artifact in models/similarity and scores pairs of texts."""

from __future__ import annotations

import hashlib
import json
import math
import pathlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

import numpy as np

from .. import errors
from ..config import DEFAULT_CONFIG
from .analyse import SentenceInfo, analyze
from .features import FEATURE_NAMES, N_FEATURES, pair_features, structural_vetoes

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.tokens import Doc


DEFAULT_MODEL_DIR = pathlib.Path(__file__).resolve().parents[2] / "models" / "similarity"
MODEL_FILE = "model.json"
META_FILE = "meta.json"
ARTIFACT_FORMAT = "pipeline.similarity.gbdt/1"
#: The spaCy pipeline the scorer analyses text with: the pipeline's own (one loader, one setting).
SPACY_MODEL = DEFAULT_CONFIG.spacy_model


class ModelError(errors.ModelError):
    """The similarity artifact is missing, unreadable or inconsistent."""

    def __init__(self, path: pathlib.Path | str, reason: str) -> None:
        self.path = pathlib.Path(path)
        self.reason = reason
        super().__init__(f"similarity model at {self.path}: {reason}")


@dataclass(frozen=True, slots=True)
class PairScore:
    probability: float  # calibrated P(same meaning) in 0..1 (text score only)
    same: bool  # probability >= threshold and no hard veto
    veto: str | None  # first hard disagreement blocking a merge, if any
    vetoes: tuple[str, ...] = ()  # all hard disagreements found (VETO_ORDER order)
    text_same: bool = False  # probability >= threshold, ignoring vetoes (what MRPC labels measure)


@dataclass(frozen=True, slots=True)
class _Tree:
    feature: tuple[int, ...]  # -1 at leaves
    threshold: tuple[float, ...]
    left: tuple[int, ...]
    right: tuple[int, ...]
    value: tuple[float, ...]  # leaf contributions (already scaled by learning rate)

    def predict_one(self, x: Sequence[float]) -> float:
        n = 0
        feat, thr, left, right = self.feature, self.threshold, self.left, self.right
        while feat[n] >= 0:
            n = left[n] if x[feat[n]] <= thr[n] else right[n]
        return self.value[n]


def _tree_expr(t: _Tree, n: int = 0) -> str:
    if t.feature[n] < 0:
        return repr(float(t.value[n]))
    return (
        f"({_tree_expr(t, t.left[n])} if x[{int(t.feature[n])}] <= {float(t.threshold[n])!r} "
        f"else {_tree_expr(t, t.right[n])})"
    )


def _compile(offset: float, trees: Sequence[_Tree]) -> Any:
    """Trees -> one Python function (nested conditional expressions): faster than walking arrays.

    The source is generated only from validated ints/floats, never from artifact strings.
    Summation order is offset, tree 0, tree 1, ... exactly as in :meth:`TreeEnsemble.raw_many`.
    """
    lines = ["def raw(x):", f"    r = {float(offset)!r}"]
    lines += [f"    r += {_tree_expr(t)}" for t in trees]
    lines.append("    return r")
    ns: dict[str, Any] = {}
    exec(compile("\n".join(lines), "<similarity-trees>", "exec"), ns)  # noqa: S102
    return ns["raw"]


@dataclass(frozen=True, slots=True)
class TreeEnsemble:
    """Additive tree ensemble: raw = offset + sum(tree(x)); p = sigmoid(a * raw + b)."""

    offset: float
    trees: tuple[_Tree, ...]
    calib_a: float = 1.0
    calib_b: float = 0.0
    _fn: Any = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        for t in self.trees:
            n = len(t.feature)
            if not (len(t.threshold) == len(t.left) == len(t.right) == len(t.value) == n):
                raise ValueError("tree arrays of different lengths")
            for i, f in enumerate(t.feature):
                if f >= 0 and not (i < t.left[i] < n and i < t.right[i] < n):
                    raise ValueError("tree child index out of range")
        object.__setattr__(self, "_fn", _compile(self.offset, self.trees))

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> "TreeEnsemble":
        trees = tuple(
            _Tree(
                tuple(int(v) for v in t["feature"]),
                tuple(float(v) for v in t["threshold"]),
                tuple(int(v) for v in t["left"]),
                tuple(int(v) for v in t["right"]),
                tuple(float(v) for v in t["value"]),
            )
            for t in obj["trees"]
        )
        cal = obj.get("calibration", {})
        return cls(float(obj["offset"]), trees, float(cal.get("a", 1.0)), float(cal.get("b", 0.0)))

    def to_json(self) -> dict[str, Any]:
        return {
            "offset": self.offset,
            "calibration": {"a": self.calib_a, "b": self.calib_b},
            "trees": [
                {"feature": list(t.feature), "threshold": list(t.threshold), "left": list(t.left),
                 "right": list(t.right), "value": list(t.value)}
                for t in self.trees
            ],
        }

    def raw_one(self, x: Sequence[float]) -> float:
        # same summation order as raw_many: bit-identical results
        return self._fn(x)

    def raw_many(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        out = np.full(X.shape[0], self.offset, dtype=np.float64)
        rows = np.arange(X.shape[0])
        for t in self.trees:
            feat = np.asarray(t.feature)
            thr = np.asarray(t.threshold)
            left = np.asarray(t.left)
            right = np.asarray(t.right)
            node = np.zeros(X.shape[0], dtype=np.int64)
            while True:
                f = feat[node]
                inner = f >= 0
                if not inner.any():
                    break
                go_left = X[rows, np.where(inner, f, 0)] <= thr[node]
                node = np.where(inner, np.where(go_left, left[node], right[node]), node)
            out += np.asarray(t.value)[node]
        return out

    def prob(self, raw: float) -> float:
        return _sigmoid(self.calib_a * raw + self.calib_b)


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@dataclass(frozen=True, slots=True)
class LinearModel:
    """Standardised logistic regression: p = sigmoid(intercept + sum(coef * (x - mean) / scale))."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> "LinearModel":
        m = cls(
            tuple(float(v) for v in obj["mean"]),
            tuple(float(v) for v in obj["scale"]),
            tuple(float(v) for v in obj["coef"]),
            float(obj["intercept"]),
        )
        if not len(m.mean) == len(m.scale) == len(m.coef) == N_FEATURES:
            raise ValueError("linear model size differs from the feature count")
        return m

    def to_json(self) -> dict[str, Any]:
        return {"mean": list(self.mean), "scale": list(self.scale), "coef": list(self.coef),
                "intercept": self.intercept}

    def prob(self, x: Sequence[float]) -> float:
        z = self.intercept
        for v, m, s, c in zip(x, self.mean, self.scale, self.coef):
            z += c * ((v - m) / s)
        return _sigmoid(z)


@dataclass(frozen=True, slots=True)
class BlendModel:
    """Mean of the calibrated tree-ensemble probability and the logistic-regression probability."""

    trees: TreeEnsemble
    linear: LinearModel | None = None

    def prob_one(self, x: Sequence[float]) -> float:
        p = self.trees.prob(self.trees.raw_one(x))
        return p if self.linear is None else 0.5 * (p + self.linear.prob(x))

    def prob_many(self, X: np.ndarray) -> list[float]:
        raw = self.trees.raw_many(X)
        out = [self.trees.prob(float(r)) for r in raw]
        if self.linear is not None:
            out = [0.5 * (p + self.linear.prob(x)) for p, x in zip(out, X.tolist())]
        return out


_NLP: "Language | None" = None


def get_nlp() -> "Language":
    """The pipeline's own spaCy setup (entity patterns, paragraph and sentence rules), used when the
    caller passes no Docs: training and evaluation then analyse text as a run does."""
    global _NLP
    if _NLP is None:
        from ..nlp import nlp_for

        _NLP = nlp_for(DEFAULT_CONFIG)
    return _NLP


class ParaphraseScorer:
    """Calibrated "same fact?" scorer: text probability + structural vetoes."""

    __slots__ = ("threshold", "version", "model", "idf", "idf_default", "meta", "path", "_cache")

    def __init__(
        self,
        model: BlendModel,
        idf: Mapping[str, float],
        idf_default: float,
        threshold: float,
        version: str,
        meta: Mapping[str, Any] | None = None,
        path: pathlib.Path | None = None,
    ) -> None:
        self.model = model
        self.idf = dict(idf)
        self.idf_default = float(idf_default)
        self.threshold = float(threshold)
        self.version = version
        self.meta = dict(meta or {})
        self.path = path
        self._cache: dict[str, SentenceInfo] = {}

    # ---- loading -------------------------------------------------------
    @classmethod
    def load(cls, path: pathlib.Path = DEFAULT_MODEL_DIR) -> "ParaphraseScorer":
        path = pathlib.Path(path)
        file = path / MODEL_FILE if path.is_dir() or not path.suffix else path
        if not file.is_file():
            raise ModelError(file, "artifact not found (train it with `python -m pipeline.training.similarity`)")
        try:
            raw = file.read_bytes()
            obj = json.loads(raw.decode("utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ModelError(file, f"artifact unreadable: {exc}") from exc
        try:
            if obj.get("format") != ARTIFACT_FORMAT:
                raise ModelError(file, f"unsupported format {obj.get('format')!r}, expected {ARTIFACT_FORMAT!r}")
            if list(obj["feature_names"]) != list(FEATURE_NAMES):
                raise ModelError(file, "feature set differs from this code's FEATURE_NAMES; retrain the model")
            trees = TreeEnsemble.from_json(obj["model"])
            linear = LinearModel.from_json(obj["linear"]) if obj.get("linear") else None
            model = BlendModel(trees, linear)
            for t in trees.trees:
                if any(f >= N_FEATURES for f in t.feature):
                    raise ModelError(file, "tree refers to an unknown feature index")
            threshold = float(obj["threshold"])
            idf = {str(k): float(v) for k, v in obj["idf"].items()}
            idf_default = float(obj["idf_default"])
        except ModelError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            raise ModelError(file, f"artifact corrupt: {type(exc).__name__}: {exc}") from exc
        meta: dict[str, Any] = {}
        meta_file = file.parent / META_FILE
        if meta_file.is_file():
            try:
                meta = json.loads(meta_file.read_text("utf-8"))
            except (OSError, json.JSONDecodeError):
                meta = {}
        version = str(obj.get("version") or hashlib.sha256(raw).hexdigest()[:12])
        return cls(model, idf, idf_default, threshold, version, meta, file.parent)

    # ---- analysis ------------------------------------------------------
    def info(self, text: str, doc: "Doc | None" = None) -> SentenceInfo:
        """Per-text analysis (cached by text; a given Doc is used instead of parsing)."""
        hit = self._cache.get(text)
        if hit is not None:
            return hit
        if doc is None:
            doc = get_nlp()(text)
        si = analyze(doc)
        if len(self._cache) > 200_000:
            self._cache.clear()
        self._cache[text] = si
        return si

    def _infos(self, texts: Iterable[str], docs: Mapping[str, "Doc"] | None) -> None:
        todo = [t for t in dict.fromkeys(texts) if t not in self._cache and not (docs and t in docs)]
        if todo:
            for t, d in zip(todo, get_nlp().pipe(todo, batch_size=256)):
                self.info(t, d)

    def features(self, a: SentenceInfo, b: SentenceInfo) -> list[float]:
        return pair_features(a, b, self.idf, self.idf_default)

    # ---- scoring -------------------------------------------------------
    def _make(self, p: float, vetoes: tuple[str, ...]) -> PairScore:
        above = p >= self.threshold
        return PairScore(
            probability=p,
            same=above and not vetoes,
            veto=vetoes[0] if vetoes else None,
            vetoes=vetoes,
            text_same=above,
        )

    def score_info(self, a: SentenceInfo, b: SentenceInfo) -> PairScore:
        p = self.model.prob_one(self.features(a, b))
        return self._make(p, structural_vetoes(a, b))

    def score(self, a: str, b: str, *, doc_a: "Doc | None" = None, doc_b: "Doc | None" = None) -> PairScore:
        return self.score_info(self.info(a, doc_a), self.info(b, doc_b))

    def score_many(
        self, pairs: Sequence[tuple[str, str]], *, docs: Mapping[str, "Doc"] | None = None
    ) -> list[PairScore]:
        if not pairs:
            return []
        self._infos((t for p in pairs for t in p), docs)
        infos = []
        for a, b in pairs:
            ia = self.info(a, docs.get(a) if docs else None)
            ib = self.info(b, docs.get(b) if docs else None)
            infos.append((ia, ib))
        X = np.array([self.features(ia, ib) for ia, ib in infos], dtype=np.float64)
        probs = self.model.prob_many(X)
        return [self._make(p, structural_vetoes(ia, ib)) for p, (ia, ib) in zip(probs, infos)]
