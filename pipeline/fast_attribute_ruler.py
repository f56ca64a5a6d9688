"""spaCy's AttributeRuler with the same output, its single-token patterns resolved once per token kind.

The model's ``attribute_ruler`` maps tags to POS and morphology with ~180 Matcher patterns and costs
about as much as its parser: the Matcher tries every pattern at every token. Nearly all patterns
look at one token only, through its TAG, LOWER, DEP and IS_SPACE values, so the set of patterns a
token matches is a function of those four values. This component computes that set once per
distinct tuple and remembers it; patterns it cannot read that way (several tokens, operators, other
attributes) stay in a Matcher of their own. Attributes are then assigned exactly as spaCy assigns
them: per token, in pattern order, with spaCy's own ``set_token_attrs``.

``tests/test_fast_components.py`` holds the output equal to the stock component's on real articles.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, NamedTuple

from spacy.attrs import DEP, IS_SPACE, LOWER, TAG
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc
from spacy.tokens._retokenize import set_token_attrs

#: Token attributes a compiled pattern may test, in the order of the signature tuple.
_SIGNATURE = (TAG, LOWER, DEP, IS_SPACE)
_FIELD = {"TAG": 0, "LOWER": 1, "DEP": 2, "IS_SPACE": 3}

Signature = tuple[str, str, str, bool]


#: Registered factory name (``nlp.replace_pipe`` needs one).
FACTORY = "fast_attribute_ruler"


class _Test(NamedTuple):
    """One attribute test of a one-token pattern: the signature field it reads, and how."""

    field: int
    check: Callable[[Any], bool]
    #: Values that pass an equality or IN test (the test is then a lookup), else None.
    values: frozenset[Any] | None


def _value_test(field: int, value: Any) -> _Test | None:
    """A test of one attribute value as the Matcher reads it, or None when it is not a form we compile."""
    if isinstance(value, bool | str):
        return _Test(field, lambda v: v == value, frozenset([value]))
    if isinstance(value, dict) and len(value) == 1:
        ((op, arg),) = value.items()
        if op == "IN" and isinstance(arg, list):
            options = frozenset(arg)
            return _Test(field, lambda v: v in options, options)
        if op == "NOT_IN" and isinstance(arg, list):
            excluded = frozenset(arg)
            return _Test(field, lambda v: v not in excluded, None)
        if op == "REGEX" and isinstance(arg, str) and field != _FIELD["IS_SPACE"]:
            regex = re.compile(arg)
            return _Test(field, lambda v: bool(regex.search(v)), None)
    return None


def _compile_token(pattern: list[dict[str, Any]]) -> list[_Test] | None:
    """The tests of a one-token Matcher pattern, or None when it must stay in the Matcher."""
    if len(pattern) != 1:
        return None
    tests = []
    for key, value in pattern[0].items():
        field = _FIELD.get(key)
        test = None if field is None else _value_test(field, value)
        if test is None:
            return None
        tests.append(test)
    return tests


class FastAttributeRuler(AttributeRuler):
    """``AttributeRuler`` with the same patterns, attributes and order, and a faster ``__call__``."""

    def _compile(self) -> None:
        #: (attr_id, tests) for every compiled one-token pattern, in attr_id order.
        self._compiled: list[tuple[int, list[_Test]]] = []
        self._residual = Matcher(self.vocab)
        self._has_residual = False
        for attr_id, entry in enumerate(self.patterns):
            for pattern in entry["patterns"]:
                tests = _compile_token(pattern)
                if tests is not None:
                    self._compiled.append((attr_id, tests))
                else:
                    self._residual.add(str(attr_id), [pattern])
                    self._has_residual = True
        # Index each compiled pattern under one of its lookup tests, so a token only checks the few
        # patterns its own values can satisfy (plus those with no lookup test at all).
        self._index: list[dict[Any, list[int]]] = [{} for _ in _FIELD]
        self._always: list[int] = []
        for k, (_attr_id, tests) in enumerate(self._compiled):
            lookups = [t for t in tests if t.values is not None]
            if not lookups:
                self._always.append(k)
                continue
            anchor = min(lookups, key=lambda t: (len(t.values or ()), -t.field))
            for value in anchor.values or ():
                self._index[anchor.field].setdefault(value, []).append(k)
        #: signature (as string ids) → attr_ids of the compiled patterns it matches, sorted.
        self._memo: dict[tuple[int, ...], tuple[int, ...]] = {}
        self._compiled_for = len(self.attrs)

    def _matches(self, key: tuple[int, ...]) -> tuple[int, ...]:
        found = self._memo.get(key)
        if found is None:
            strings = self.vocab.strings
            sig: Signature = (strings[key[0]], strings[key[1]], strings[key[2]], bool(key[3]))
            candidates = set(self._always)
            for field, index in enumerate(self._index):
                candidates.update(index.get(sig[field], ()))
            found = tuple(sorted({
                self._compiled[k][0] for k in candidates if all(t.check(sig[t.field]) for t in self._compiled[k][1])
            }))
            self._memo[key] = found
        return found

    def __call__(self, doc: Doc) -> Doc:
        """Assign the ruler's attributes to `doc`, as ``AttributeRuler.__call__`` does."""
        if getattr(self, "_compiled_for", None) != len(self.attrs):
            self._compile()  # first call, or patterns added since
        if not len(doc):
            return doc
        per_token: list[list[tuple[int, int]]] = [
            [(attr_id, i) for attr_id in self._matches(tuple(row))]
            for i, row in enumerate(doc.to_array(list(_SIGNATURE)).tolist())
        ]
        if self._has_residual:
            strings = self.vocab.strings
            for match_id, start, end in self._residual(doc, allow_missing=True, as_spans=False):
                attr_id = int(strings[match_id])
                index = self.indices[attr_id]
                target = start + index if index >= 0 else end + index
                if not start <= target < end:
                    return super().__call__(doc)  # which reports the bad index (E1001) the stock way
                per_token[target].append((attr_id, start))
        attrs = self.attrs
        for i, matched in enumerate(per_token):
            if matched:
                token = doc[i]
                # spaCy applies matches sorted by (attr_id, start): per token, the same order.
                for attr_id, _start in sorted(matched) if len(matched) > 1 else matched:
                    set_token_attrs(token, attrs[attr_id])
        return doc


@Language.factory(FACTORY, default_config={"validate": False, "scorer": {"@scorers": "spacy.attribute_ruler_scorer.v1"}})
def make_fast_attribute_ruler(nlp: Language, name: str, validate: bool, scorer: Callable | None) -> FastAttributeRuler:
    """Factory, so the component can replace the model's ``attribute_ruler`` with ``nlp.replace_pipe``."""
    return FastAttributeRuler(nlp.vocab, name, validate=validate, scorer=scorer)
