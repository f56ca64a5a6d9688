"""spaCy's English rule lemmatizer with the same output, computed once per (word, POS, morphology).

Two costs of the stock component, both removed without touching its rules:

* ``rule_lemmatize`` tests each candidate form with ``form in index``, and the index is a *list*
  of up to 57k words: a linear scan per candidate. Here the lists answer
  ``in`` from a set (they stay lists, so the lookups still serialize as before).
* In rule mode a token's lemma depends only on its text, POS and morphology (spaCy itself caches on
  that key, except for base forms, which it re-derives every time), yet every token costs a Python
  round trip. Here the three columns are read as one array and each row is looked up in a memo;
  spaCy's own ``rule_lemmatize`` is asked only for rows not seen before.

``tests/test_fast_components.py`` holds the output equal to the stock component's on real articles.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from spacy.attrs import LEMMA, MORPH, ORTH, POS
from spacy.errors import Errors
from spacy.lang.en import English
from spacy.lang.en.lemmatizer import EnglishLemmatizer
from spacy.language import Language
from spacy.tokens import Doc
from thinc.api import Model


#: Registered factory name (``nlp.replace_pipe`` needs one).
FACTORY = "memo_lemmatizer"


class _SearchableList(list):  # type: ignore[type-arg]
    """A list whose ``in`` is a set lookup: the lemmatizer's index tables are only ever searched."""

    def __init__(self, items: list[str]) -> None:
        super().__init__(items)
        self._members = frozenset(items)

    def __contains__(self, item: object) -> bool:
        return item in self._members


class MemoLemmatizer(EnglishLemmatizer):
    """``EnglishLemmatizer`` (rule mode) whose ``__call__`` remembers every (orth, pos, morph) it lemmatized."""

    #: The lookups object the memo was built on (None: build it on the next call).
    _memo_of: object = None

    def _forget(self) -> None:
        """Drop the memo and spaCy's own cache: the tables changed, so may the lemmas."""
        self._memo_of = None
        self.cache = {}

    def initialize(self, *args: Any, **kwargs: Any) -> None:
        """As the stock component; then forget what was lemmatized with the old tables."""
        super().initialize(*args, **kwargs)
        self._forget()

    def from_bytes(self, bytes_data: bytes, **kwargs: Any) -> MemoLemmatizer:
        """As the stock component; then forget what was lemmatized with the old tables."""
        super().from_bytes(bytes_data, **kwargs)
        self._forget()
        return self

    def from_disk(self, path: Any, **kwargs: Any) -> MemoLemmatizer:
        """As the stock component; then forget what was lemmatized with the old tables."""
        super().from_disk(path, **kwargs)
        self._forget()
        return self

    def __call__(self, doc: Doc) -> Doc:
        """Set ``token.lemma`` where it is unset (or everywhere with ``overwrite``), as the stock component does."""
        if self.mode != "rule":
            return super().__call__(doc)
        if not self._validated:
            self._validate_tables(Errors.E1004)
        if self.__dict__.get("_memo_of") is not self.lookups:
            # First call, or tables loaded or assigned since: index them, start a new memo.
            index = self.lookups.get_table("lemma_index", {})
            for pos, words in list(index.items()):
                index[pos] = _SearchableList(words)
            self._memo: dict[tuple[int, int, int], int] = {}
            self._memo_of = self.lookups
        memo = self._memo
        overwrite = self.overwrite
        strings = self.vocab.strings
        columns = doc.to_array([ORTH, POS, MORPH, LEMMA])
        for i, (orth, pos, morph, lemma) in enumerate(columns.tolist()):
            if lemma and not overwrite:
                continue
            key = (orth, pos, morph)
            found = memo.get(key)
            if found is None:
                found = memo[key] = strings.add(self.rule_lemmatize(doc[i])[0])
            columns[i, 3] = found
        doc.from_array([LEMMA], columns[:, 3:4])
        return doc


@English.factory(
    FACTORY,
    assigns=["token.lemma"],
    default_config={"model": None, "mode": "rule", "overwrite": False, "scorer": {"@scorers": "spacy.lemmatizer_scorer.v1"}},
)
def make_memo_lemmatizer(
    nlp: Language, model: Model | None, name: str, mode: str, overwrite: bool, scorer: Callable | None
) -> MemoLemmatizer:
    """Factory, so the component can replace the model's ``lemmatizer`` with ``nlp.replace_pipe``."""
    return MemoLemmatizer(nlp.vocab, model, name, mode=mode, overwrite=overwrite, scorer=scorer)
