"""Train the pairwise "same fact?" scorer on MRPC train.

    python -m pipeline.training.similarity --data ../shared/eval/mrpc --out models/similarity

Reproducible: fixed seeds, deterministic spaCy parse, sklearn GradientBoostingClassifier
(exact splits, subsample=1.0).  Steps:

1. read ``msr_paraphrase_train.txt`` (only train; test is never read here);
2. parse sentences with spaCy, :func:`pipeline.similarity.analyze` each once;
3. fit an IDF table on the train sentences;
4. 5-fold stratified CV on train: out-of-fold raw scores -> Platt calibration
   (a, b) and the F1-maximising threshold; CV accuracy/F1 reported in meta.json;
5. refit on all of train, export trees + IDF + calibration + threshold as JSON.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import hashlib
import json
import math
import pathlib
import sys
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from pipeline import similarity as sim
from pipeline.similarity import model as sim_model
from ..config import SHARED_DIR

DEFAULT_PARAMS: dict[str, Any] = {
    "n_estimators": 300,
    "learning_rate": 0.05,
    "max_depth": 3,
    "min_samples_leaf": 20,
    "subsample": 1.0,
    "random_state": 0,
}
CV_FOLDS = 5
SEED = 0
IDF_MIN_DF = 2
LINEAR_C = 1.0


@dataclass(frozen=True, slots=True)
class Pair:
    label: int
    a: str
    b: str
    id_a: str = ""
    id_b: str = ""


def read_mrpc(file: pathlib.Path) -> list[Pair]:
    """MRPC tsv: UTF-8 (BOM), CRLF, header, columns Quality, #1 ID, #2 ID, #1 String, #2 String."""
    text = pathlib.Path(file).read_text(encoding="utf-8-sig")
    out: list[Pair] = []
    for i, line in enumerate(text.splitlines()):
        if not line.strip():
            continue
        cols = line.split("\t")
        if i == 0 and cols[0].strip().lower() == "quality":
            continue
        if len(cols) != 5:
            raise ValueError(f"{file}:{i + 1}: expected 5 tab-separated columns, got {len(cols)}")
        out.append(Pair(int(cols[0]), cols[3].strip(), cols[4].strip(), cols[1], cols[2]))
    return out


def analyze_texts(texts: Sequence[str], nlp=None) -> dict[str, sim.SentenceInfo]:
    nlp = nlp or sim.get_nlp()
    uniq = list(dict.fromkeys(texts))
    return {t: sim.analyze(d) for t, d in zip(uniq, nlp.pipe(uniq, batch_size=256))}


def fit_idf(texts: Sequence[sim.SentenceInfo], min_df: int = IDF_MIN_DF) -> tuple[dict[str, float], float]:
    """Smoothed IDF over word types; words seen fewer than min_df times get the default."""
    n = len(texts)
    df: Counter = Counter()
    for si in texts:
        df.update(si.word_set)
    idf = {w: round(math.log((n + 1) / (c + 1)) + 1.0, 4) for w, c in sorted(df.items()) if c >= min_df}
    default = round(math.log((n + 1) / (min_df)) + 1.0, 4)
    return idf, default


def feature_matrix(
    pairs: Sequence[Pair], infos: dict[str, sim.SentenceInfo], idf: dict[str, float], idf_default: float
) -> np.ndarray:
    return np.array(
        [sim.pair_features(infos[p.a], infos[p.b], idf, idf_default) for p in pairs], dtype=np.float64
    )


def _gbm(params: dict[str, Any]):
    from sklearn.ensemble import GradientBoostingClassifier

    return GradientBoostingClassifier(**params)


def export_gbm(clf, X: np.ndarray) -> sim.TreeEnsemble:
    """sklearn GradientBoostingClassifier (binary) -> plain-array TreeEnsemble."""
    lr = float(clf.learning_rate)
    trees = []
    for est in clf.estimators_[:, 0]:
        t = est.tree_
        leaf = t.children_left == -1
        trees.append(
            sim_model._Tree(
                tuple(int(f) if not lf else -1 for f, lf in zip(t.feature, leaf)),
                tuple(float(v) if not lf else 0.0 for v, lf in zip(t.threshold, leaf)),
                tuple(int(v) for v in t.children_left),
                tuple(int(v) for v in t.children_right),
                tuple(float(v) * lr for v in t.value[:, 0, 0]),
            )
        )
    ens = sim.TreeEnsemble(0.0, tuple(trees))
    # the initial (prior log-odds) prediction is constant: recover it exactly
    offset = float(np.median(clf.decision_function(X[:50]) - ens.raw_many(X[:50])))
    ens = sim.TreeEnsemble(offset, tuple(trees))
    err = np.max(np.abs(ens.raw_many(X) - clf.decision_function(X)))
    if err > 1e-8:
        raise RuntimeError(f"tree export mismatch: {err}")
    return ens


def fit_platt(raw: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=1e6, solver="lbfgs", max_iter=1000)
    lr.fit(raw.reshape(-1, 1), y)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def best_threshold(prob: np.ndarray, y: np.ndarray) -> float:
    """Threshold maximising F1 (ties -> higher accuracy), rounded to 3 decimals."""
    best = (-1.0, -1.0, 0.5)
    for t in np.round(np.arange(0.05, 0.951, 0.005), 3):
        f1, acc = _f1(prob >= t, y), float(np.mean((prob >= t) == y))
        if (f1, acc) > best[:2]:
            best = (f1, acc, float(t))
    return best[2]


def _f1(pred: np.ndarray, y: np.ndarray) -> float:
    tp = float(np.sum(pred & (y == 1)))
    fp = float(np.sum(pred & (y == 0)))
    fn = float(np.sum(~pred & (y == 1)))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def metrics(pred: np.ndarray, y: np.ndarray) -> dict[str, float]:
    pred = np.asarray(pred, dtype=bool)
    return {"accuracy": round(float(np.mean(pred == y)), 4), "f1": round(_f1(pred, y), 4)}


def _linear():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=LINEAR_C, max_iter=5000))


def export_linear(pipe) -> sim.LinearModel:
    scaler, lr = pipe[0], pipe[-1]
    return sim.LinearModel(
        tuple(float(v) for v in scaler.mean_),
        tuple(float(v) for v in scaler.scale_),
        tuple(float(v) for v in lr.coef_[0]),
        float(lr.intercept_[0]),
    )


def cross_validate(
    X: np.ndarray, y: np.ndarray, params: dict[str, Any], folds: int = CV_FOLDS
) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold (GBM raw scores, logistic-regression probabilities)."""
    from sklearn.model_selection import StratifiedKFold

    oof = np.zeros(len(y))
    oof_lr = np.zeros(len(y))
    skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED)
    for tr, va in skf.split(X, y):
        clf = _gbm(params).fit(X[tr], y[tr])
        oof[va] = clf.decision_function(X[va])
        oof_lr[va] = _linear().fit(X[tr], y[tr]).predict_proba(X[va])[:, 1]
    return oof, oof_lr


def train(
    pairs: Sequence[Pair],
    params: dict[str, Any] | None = None,
    folds: int = CV_FOLDS,
    infos: dict[str, sim.SentenceInfo] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return (model_json, meta_json) for the given labelled pairs."""
    params = {**DEFAULT_PARAMS, **(params or {})}
    t0 = time.perf_counter()
    if infos is None:
        infos = analyze_texts([t for p in pairs for t in (p.a, p.b)])
    idf, idf_default = fit_idf([infos[t] for t in dict.fromkeys(t for p in pairs for t in (p.a, p.b))])
    X = feature_matrix(pairs, infos, idf, idf_default)
    y = np.array([p.label for p in pairs], dtype=np.int64)
    oof, oof_lr = cross_validate(X, y, params, folds)
    a, b = fit_platt(oof, y)
    prob_gbm = 1.0 / (1.0 + np.exp(-(a * oof + b)))
    prob = 0.5 * (prob_gbm + oof_lr)
    thr = best_threshold(prob, y)
    vetoed = np.array([bool(sim.structural_vetoes(infos[p.a], infos[p.b])) for p in pairs])
    cv = {
        "folds": folds,
        "text_only": metrics(prob >= thr, y),
        "with_vetoes": metrics((prob >= thr) & ~vetoed, y),
        "at_0.5": metrics(prob >= 0.5, y),
        "gbm_alone": metrics(prob_gbm >= best_threshold(prob_gbm, y), y),
        "linear_alone": metrics(oof_lr >= best_threshold(oof_lr, y), y),
        "log_loss": round(float(-np.mean(y * np.log(prob + 1e-12) + (1 - y) * np.log(1 - prob + 1e-12))), 4),
    }
    clf = _gbm(params).fit(X, y)
    ens = export_gbm(clf, X)
    ens = sim.TreeEnsemble(ens.offset, ens.trees, a, b)
    linear = export_linear(_linear().fit(X, y))
    model = {
        "format": sim.ARTIFACT_FORMAT,
        "feature_names": list(sim.FEATURE_NAMES),
        "threshold": thr,
        "idf_default": idf_default,
        "idf": idf,
        "model": ens.to_json(),
        "linear": linear.to_json(),
    }
    digest = hashlib.sha256(json.dumps(model, sort_keys=True).encode()).hexdigest()[:12]
    model = {"format": model.pop("format"), "version": f"gbdt-{digest}", **model}
    importances = sorted(
        zip(sim.FEATURE_NAMES, clf.feature_importances_), key=lambda kv: kv[1], reverse=True
    )
    meta = {
        "version": model["version"],
        "format": sim.ARTIFACT_FORMAT,
        "model": (
            "mean of (a) sklearn GradientBoostingClassifier exported to JSON trees, Platt-calibrated on CV "
            "out-of-fold scores and (b) standardised LogisticRegression (C=%g) as JSON coefficients" % LINEAR_C
        ),
        "params": params,
        "n_train_pairs": len(pairs),
        "n_positive": int(y.sum()),
        "threshold": thr,
        "threshold_rule": "maximise F1 of out-of-fold calibrated probabilities",
        "calibration": {"a": a, "b": b},
        "cv": cv,
        "n_features": len(sim.FEATURE_NAMES),
        "top_features": [[n, round(float(v), 4)] for n, v in importances[:15]],
        "idf_entries": len(idf),
        "spacy_model": sim_model.SPACY_MODEL,
        "train_seconds": round(time.perf_counter() - t0, 1),
    }
    return model, meta


def write_artifact(out: pathlib.Path, model: dict[str, Any], meta: dict[str, Any]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / sim_model.MODEL_FILE).write_text(json.dumps(model, separators=(",", ":")) + "\n", encoding="utf-8")
    (out / sim_model.META_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def _versions() -> dict[str, str]:
    import sklearn
    import spacy

    return {"python": sys.version.split()[0], "sklearn": sklearn.__version__, "spacy": spacy.__version__}


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=pathlib.Path, default=SHARED_DIR / "eval" / "mrpc")
    ap.add_argument("--out", type=pathlib.Path, default=sim.DEFAULT_MODEL_DIR)
    ap.add_argument("--folds", type=int, default=CV_FOLDS)
    args = ap.parse_args(argv)
    train_file = args.data / "msr_paraphrase_train.txt" if args.data.is_dir() else args.data
    pairs = read_mrpc(train_file)
    print(f"read {len(pairs)} training pairs from {train_file}", file=sys.stderr)
    model, meta = train(pairs, folds=args.folds)
    meta["data"] = {
        "file": str(train_file),
        "sha256": hashlib.sha256(train_file.read_bytes()).hexdigest(),
    }
    meta["software"] = _versions()
    meta["trained_at"] = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    write_artifact(args.out, model, meta)
    cv = meta["cv"]
    print(
        f"CV({cv['folds']}-fold) text-only acc {cv['text_only']['accuracy']:.3f} F1 {cv['text_only']['f1']:.3f}; "
        f"with vetoes acc {cv['with_vetoes']['accuracy']:.3f} F1 {cv['with_vetoes']['f1']:.3f}; "
        f"threshold {meta['threshold']}; wrote {args.out} ({model['version']})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
