"""Pairwise "same fact?" scorer for cross-source claim deduplication.

Two layers:

* a *text score*: the mean of a gradient-boosted tree ensemble (Platt-calibrated)
  and a logistic regression, both over the same cheap, symmetric
  lexical / syntactic pair features (word, lemma, n-gram, char n-gram overlaps,
  IDF-weighted overlap, BLEU-like n-gram precision, edit distances, length,
  number/entity/negation agreement), calibrated on MRPC train (see
  ``pipeline.training.similarity``).  Its artifact is plain JSON in
  ``models/similarity/`` (tree arrays + LR coefficients + IDF table + calibration +
  threshold); trees are compiled to a Python function at load time.
* *structural vetoes*: explicit hard disagreements that must block merging two
  claims whatever the text score says: ``number_mismatch``, ``year_mismatch``,
  ``date_mismatch`` (month), ``negation_mismatch``, ``place_mismatch``.

The per-sentence analysis (:class:`SentenceInfo`) is computed once per text and
re-used for every pair it appears in; the dedup stage can also read its
``numbers`` / ``quantities`` / ``years`` / ``months`` / ``places`` / ``negations`` fields and combine
them with its own structure (entity ids, timex values), or call
:func:`structural_vetoes` / :func:`pair_features` itself.

The modules: ``analyse`` (per-sentence analysis), ``features`` (vetoes and pair features) and
``model`` (the trees, the logistic regression and the scorer that loads them).

Everything is pure and deterministic: features are symmetric by construction,
so ``score(a, b) == score(b, a)``.
"""

from .analyse import SentenceInfo, analyze
from .features import (
    FEATURE_NAMES, MAX_FUZZY_CHARS, VETO_DATE, VETO_NEGATION, VETO_NUMBER, VETO_ORDER, VETO_PLACE, VETO_YEAR,
    pair_features, structural_vetoes,
)
from .model import (
    ARTIFACT_FORMAT, DEFAULT_MODEL_DIR, BlendModel, LinearModel, ModelError, PairScore, ParaphraseScorer, TreeEnsemble,
    get_nlp,
)

__all__ = [
    "ARTIFACT_FORMAT", "DEFAULT_MODEL_DIR", "FEATURE_NAMES", "MAX_FUZZY_CHARS", "ModelError", "PairScore", "ParaphraseScorer",
    "SentenceInfo", "TreeEnsemble", "LinearModel", "BlendModel", "VETO_DATE", "VETO_NEGATION", "VETO_NUMBER", "VETO_ORDER", "VETO_PLACE",
    "VETO_YEAR", "analyze", "get_nlp", "pair_features", "structural_vetoes",
]
