"""Check-worthiness scorer: how likely a sentence is a check-worthy factual claim.

The model is a linear classifier (balanced logistic regression) over TF-IDF blocks
computed from the sentence text only:

* ``word``: word 1-2-grams (lower-cased; ``?``, ``%`` and ``$`` kept as tokens);
* ``char``: character 2-5-grams inside word boundaries (``char_wb``), which catch
  digits, number shapes, suffixes and spelling variants the word block misses.

Each block: raw counts -> sublinear tf (1 + ln tf) -> x idf -> L2 row normalisation,
then dot with the block's coefficients; the blocks' sums plus the intercept go through
a logistic function, giving a score in 0..1.

Artifact (``models/checkworthiness/model.json.gz``): gzip'd JSON holding, per block,
the analyzer settings, the vocabulary (in column order), the idf values and the
coefficients, plus intercept and decision threshold.  Nothing is pickled: the scorer is
re-assembled at load time from plain lists and numpy arithmetic, so the artifact does not
depend on scikit-learn's internal pickle layout and survives library upgrades. Training
tokenises with :class:`sklearn.feature_extraction.text.CountVectorizer`; scoring uses
:func:`word_ngrams` and :func:`char_wb_ngrams`, which give the same n-grams (a test holds them
to sklearn's) without importing scikit-learn and SciPy's statistics at run time (a second per
process, more than scoring a corpus of a few hundred articles takes).

Rules stored in the artifact cap the score of patterns the debate-transcript training
data never shows, e.g. an article describing itself ("This article explores ...").

Training code lives in :mod:`pipeline.training.checkworthiness`; it uses
:func:`featurize` from this module so that training and scoring share one code path.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import pathlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping, Sequence

import numpy as np

from . import errors

if TYPE_CHECKING:  # pragma: no cover - typing only
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import CountVectorizer
    from spacy.tokens import Doc, Span

#: Where the shipped artifact lives (``<repo>/models/checkworthiness``).
DEFAULT_MODEL_DIR = pathlib.Path(__file__).resolve().parent.parent / "models" / "checkworthiness"
#: File name of the weights inside the model directory.
ARTIFACT_NAME = "model.json.gz"
#: Format tag written into the artifact; bump when the layout changes.
FORMAT = "checkworthiness-linear-tfidf/1"

#: Token pattern of the word block: words plus a few symbols that matter for claims.
WORD_TOKEN_PATTERN = r"(?u)\b\w+\b|[?%$]"

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "--"})
_WS = re.compile(r"\s+")


class ModelError(errors.ModelError):
    """The check-worthiness artifact is missing, unreadable or inconsistent."""

    def __init__(self, path: pathlib.Path | str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = pathlib.Path(path)
        self.problem = problem


def normalize_text(text: str) -> str:
    """Canonical form fed to the analyzers (train and run time alike).

    Curly quotes/dashes -> ASCII (news uses ``’``, the debate transcripts ``'``),
    whitespace collapsed.  Case is handled by the vectorizers (lowercase=True).
    """
    return _WS.sub(" ", text.translate(_QUOTES)).strip()


_WORD_TOKEN = re.compile(WORD_TOKEN_PATTERN)


def word_ngrams(text: str, ngram_range: Sequence[int]) -> list[str]:
    """Word n-grams of a normalised text, as ``CountVectorizer(analyzer="word")`` of :func:`make_analyzer`."""
    tokens = _WORD_TOKEN.findall(text.lower())
    lo, hi = int(ngram_range[0]), int(ngram_range[1])
    out = list(tokens) if lo == 1 else []
    for n in range(max(lo, 2), min(hi, len(tokens)) + 1):
        out.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return out


def char_wb_ngrams(word: str, ngram_range: Sequence[int]) -> list[str]:
    """Character n-grams of one lower-cased word padded with spaces, as sklearn's ``char_wb``.

    Like sklearn, a word no longer than ``n`` (padding included) yields itself once and stops.
    """
    w = f" {word} "
    out: list[str] = []
    for n in range(int(ngram_range[0]), int(ngram_range[1]) + 1):
        if len(w) <= n:
            out.append(w)
            break
        out.extend(w[i : i + n] for i in range(len(w) - n + 1))
    return out


def make_analyzer(kind: str, ngram_range: Sequence[int], vocabulary: Sequence[str] | None = None) -> CountVectorizer:
    """The sklearn tokenizer/n-gram counter of one feature block (``kind`` = ``word`` or ``char``), for training."""
    from sklearn.feature_extraction.text import CountVectorizer

    lo, hi = int(ngram_range[0]), int(ngram_range[1])
    vocab = None if vocabulary is None else {term: i for i, term in enumerate(vocabulary)}
    if kind == "word":
        return CountVectorizer(
            analyzer="word",
            token_pattern=WORD_TOKEN_PATTERN,
            lowercase=True,
            ngram_range=(lo, hi),
            vocabulary=vocab,
            dtype=np.float64,
        )
    if kind == "char":
        return CountVectorizer(
            analyzer="char_wb",
            lowercase=True,
            ngram_range=(lo, hi),
            vocabulary=vocab,
            dtype=np.float64,
        )
    raise ValueError(f"unknown feature block kind {kind!r}")


def _tfidf_values(rows: np.ndarray, cols: np.ndarray, counts: np.ndarray, idf: np.ndarray, n: int) -> np.ndarray:
    """Sublinear tf x idf, L2-normalised per row (= TfidfVectorizer(sublinear_tf=True)), on COO arrays."""
    data = (np.log(counts) + 1.0) * idf[cols]
    norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=n))
    norms[norms == 0.0] = 1.0
    return data / norms[rows]


@dataclass(frozen=True)
class Block:
    """One fitted feature block: analyzer settings, vocabulary, idf, coefficients."""

    name: str
    kind: str
    ngram_range: tuple[int, int]
    vocabulary: tuple[str, ...]
    idf: np.ndarray
    coef: np.ndarray

    def __post_init__(self) -> None:
        if self.kind not in ("word", "char"):
            raise ValueError(f"unknown feature block kind {self.kind!r}")
        object.__setattr__(self, "_index", {t: i for i, t in enumerate(self.vocabulary)})
        object.__setattr__(self, "_word_cache", {})

    def counts(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """n-gram counts of already normalised texts as COO arrays (rows, cols, counts), row-major."""
        if self.kind == "char":
            return self._char_counts(texts)
        index = self._index  # type: ignore[attr-defined]
        cols = [[index[g] for g in word_ngrams(text, self.ngram_range) if g in index] for text in texts]
        return self._coo(cols, len(texts))

    def _coo(self, cols: list[list[int]] | list[np.ndarray], n_texts: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Vocabulary columns per text -> (rows, cols, counts) sorted by row then column."""
        lengths = np.fromiter((len(c) for c in cols), dtype=np.int64, count=len(cols))
        col = np.concatenate([np.asarray(c, dtype=np.int64) for c in cols]) if cols else np.zeros(0, dtype=np.int64)
        row = np.repeat(np.arange(n_texts, dtype=np.int64), lengths)
        keys, counts = np.unique(row * len(self.vocabulary) + col, return_counts=True)
        return keys // len(self.vocabulary), keys % len(self.vocabulary), counts.astype(np.float64)

    def features(self, texts: Sequence[str]) -> sp.csr_matrix:
        """TF-IDF matrix of already normalised texts (used for training)."""
        import scipy.sparse as sp

        rows, cols, counts = self.counts(texts)
        data = _tfidf_values(rows, cols, counts, self.idf, len(texts))
        return sp.csr_matrix((data, (rows, cols)), shape=(len(texts), len(self.vocabulary)))

    def decision(self, texts: Sequence[str]) -> np.ndarray:
        """This block's share of the linear score, without building a sparse matrix."""
        rows, cols, counts = self.counts(texts)
        data = _tfidf_values(rows, cols, counts, self.idf, len(texts))
        return np.bincount(rows, weights=data * self.coef[cols], minlength=len(texts))

    def _char_counts(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """char_wb n-gram counts, identical to ``CountVectorizer(analyzer="char_wb").transform``.

        char_wb n-grams never cross whitespace, so a text's n-grams are the concatenation of
        its words' n-grams; the vocabulary columns of each distinct word are cached, which
        makes this several times faster than sklearn's per-character Python loop.
        """
        cache: dict[str, list[int]] = self._word_cache  # type: ignore[attr-defined]
        if len(cache) > 200_000:
            cache.clear()
        index = self._index  # type: ignore[attr-defined]
        cols: list[list[int]] = []
        for text in texts:
            row: list[int] = []
            for word in text.lower().split():
                hit = cache.get(word)
                if hit is None:
                    hit = [index[g] for g in char_wb_ngrams(word, self.ngram_range) if g in index]
                    cache[word] = hit
                row.extend(hit)
            cols.append(row)
        return self._coo(cols, len(texts))

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "ngram_range": list(self.ngram_range),
            "vocabulary": list(self.vocabulary),
            "idf": [round_float(v) for v in self.idf],
            "coef": [round_float(v) for v in self.coef],
        }

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> "Block":
        vocab = tuple(str(t) for t in obj["vocabulary"])
        idf = np.asarray(obj["idf"], dtype=np.float64)
        coef = np.asarray(obj["coef"], dtype=np.float64)
        if not (len(vocab) == idf.shape[0] == coef.shape[0]):
            raise ValueError(
                f"block {obj.get('name')!r}: vocabulary/idf/coef lengths differ "
                f"({len(vocab)}/{idf.shape[0]}/{coef.shape[0]})"
            )
        if len(set(vocab)) != len(vocab):
            raise ValueError(f"block {obj.get('name')!r}: duplicate vocabulary entries")
        if not (np.all(np.isfinite(idf)) and np.all(np.isfinite(coef))):
            raise ValueError(f"block {obj.get('name')!r}: non-finite weights")
        rng = obj["ngram_range"]
        return cls(str(obj["name"]), str(obj["kind"]), (int(rng[0]), int(rng[1])), vocab, idf, coef)


def round_float(v: float) -> float:
    """Weights are stored with 7 significant digits (keeps the artifact small and stable)."""
    return float(f"{float(v):.7g}")


def featurize(blocks: Sequence[Block], texts: Sequence[str]) -> sp.csr_matrix:
    """Feature matrix of normalised texts: the blocks side by side (used by training too)."""
    import scipy.sparse as sp

    norm = [normalize_text(t) for t in texts]
    return sp.hstack([b.features(norm) for b in blocks], format="csr")


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # overflow-free logistic


class CheckworthinessModel:
    """Scores sentences 0..1 for being check-worthy factual claims.

    >>> model = CheckworthinessModel.load()
    >>> model.score(["The unemployment rate fell to 4.1 percent in 2017."])  # doctest: +SKIP
    array([0.97...])

    ``threshold`` is the decision threshold on the score (chosen by cross-validation
    on the training set to maximise F1); ``version`` is a hash of the artifact bytes.
    """

    threshold: float
    version: str

    def __init__(
        self,
        blocks: Sequence[Block],
        intercept: float,
        threshold: float,
        *,
        version: str = "unsaved",
        meta: Mapping[str, Any] | None = None,
        path: pathlib.Path | None = None,
        rules: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        if not blocks:
            raise ValueError("a model needs at least one feature block")
        self.blocks = tuple(blocks)
        self.intercept = float(intercept)
        self.threshold = float(threshold)
        self.version = version
        self.meta = dict(meta or {})
        self.path = path
        self.rules = tuple(
            {"name": str(r["name"]), "pattern": str(r["pattern"]), "cap": float(r["cap"])} for r in rules
        )
        self._rules = tuple((re.compile(r["pattern"], re.IGNORECASE), r["cap"]) for r in self.rules)

    # ------------------------------------------------------------------ I/O
    @classmethod
    def load(cls, path: pathlib.Path = DEFAULT_MODEL_DIR) -> "CheckworthinessModel":
        """Load from a model directory (or directly from a ``model.json.gz`` file).

        Raises :class:`ModelError` naming the path if the artifact is missing or corrupt.
        """
        path = pathlib.Path(path)
        file = path / ARTIFACT_NAME if path.is_dir() or path.suffix != ".gz" else path
        try:
            raw = file.read_bytes()
        except FileNotFoundError:
            raise ModelError(
                file,
                "check-worthiness model not found; train it with "
                "`python -m pipeline.training.checkworthiness --data ../shared/eval/claimbuster "
                "--out models/checkworthiness`",
            ) from None
        except OSError as exc:
            raise ModelError(file, f"cannot read check-worthiness model: {exc}") from exc
        try:
            obj = json.loads(gzip.decompress(raw).decode("utf-8"))
        except (OSError, EOFError, UnicodeDecodeError, ValueError) as exc:
            raise ModelError(file, f"corrupt check-worthiness model (not gzip'd JSON): {exc}") from exc
        return cls.from_json(obj, version=artifact_version(raw), path=file)

    @classmethod
    def from_json(
        cls, obj: Any, *, version: str = "unsaved", path: pathlib.Path | None = None
    ) -> "CheckworthinessModel":
        where = path if path is not None else "<in-memory model>"
        if not isinstance(obj, dict):
            raise ModelError(where, "corrupt check-worthiness model: top level is not a JSON object")
        if obj.get("format") != FORMAT:
            raise ModelError(where, f"unsupported model format {obj.get('format')!r}; expected {FORMAT!r}")
        try:
            blocks = [Block.from_json(b) for b in obj["blocks"]]
            intercept = float(obj["intercept"])
            threshold = float(obj["threshold"])
            meta = dict(obj.get("meta") or {})
            rules = list(obj.get("rules") or [])
            for r in rules:
                re.compile(str(r["pattern"]))
                if not 0.0 <= float(r["cap"]) <= 1.0:
                    raise ValueError(f"rule {r.get('name')!r}: cap outside 0..1")
            if not blocks:
                raise ValueError("no feature blocks")
            if not 0.0 <= threshold <= 1.0:
                raise ValueError(f"threshold {threshold} outside 0..1")
        except (KeyError, TypeError, ValueError, IndexError, re.error) as exc:
            raise ModelError(where, f"corrupt check-worthiness model: {exc!r}") from exc
        return cls(blocks, intercept, threshold, version=version, meta=meta, path=path, rules=rules)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "blocks": [b.to_json() for b in self.blocks],
            "intercept": round_float(self.intercept),
            "threshold": round_float(self.threshold),
            "meta": self.meta,
            "rules": [dict(r) for r in self.rules],
        }

    # -------------------------------------------------------------- scoring
    def decision_function(self, texts: Sequence[str]) -> np.ndarray:
        """Raw linear score (logit) per text."""
        if isinstance(texts, str):
            raise TypeError("score() takes a sequence of texts, not a single string")
        if len(texts) == 0:
            return np.zeros(0, dtype=np.float64)
        norm = [normalize_text(t) for t in texts]
        z = np.full(len(norm), self.intercept, dtype=np.float64)
        for block in self.blocks:
            z += block.decision(norm)
        return z

    def score(
        self,
        texts: Sequence[str],
        *,
        docs: "Sequence[Doc | Span] | None" = None,
    ) -> np.ndarray:
        """Probability-like score in 0..1 per text that it is a check-worthy factual claim.

        The features are computed from the text alone, so ``docs`` (spaCy Docs/Spans of
        the same sentences, as handed over by the claim extractor) is optional and only
        used as the text source when given: ``texts`` may then be empty/None-like and the
        docs' ``.text`` is scored instead.  No parse is ever run here.
        """
        if docs is not None:
            if texts is not None and len(texts) not in (0, len(docs)):
                raise ValueError(f"texts and docs differ in length ({len(texts)} vs {len(docs)})")
            if texts is None or len(texts) == 0:
                texts = [d.text for d in docs]
        scores = _sigmoid(self.decision_function(texts))
        for pattern, cap in self._rules:
            for i, text in enumerate(texts):
                if scores[i] > cap and pattern.search(normalize_text(text)):
                    scores[i] = cap
        return scores

    def predict(self, texts: Sequence[str], *, docs: "Sequence[Doc | Span] | None" = None) -> np.ndarray:
        """Boolean check-worthy decision per text (score >= threshold)."""
        return self.score(texts, docs=docs) >= self.threshold

    def __repr__(self) -> str:
        n = sum(len(b.vocabulary) for b in self.blocks)
        return f"CheckworthinessModel(version={self.version!r}, features={n}, threshold={self.threshold:.3f})"


def artifact_version(raw: bytes) -> str:
    """Version string of an artifact: first 16 hex digits of its SHA-256."""
    return hashlib.sha256(raw).hexdigest()[:16]


def dump_artifact(model: CheckworthinessModel) -> bytes:
    """Deterministic bytes of the artifact (sorted keys, gzip with mtime 0 and no file name)."""
    text = json.dumps(model.to_json(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)
