"""Span helpers that stay linear in the article length.

spaCy's ``Span.ents`` walks every token of the whole Doc on each call, so asking it for each
sentence of an article is quadratic in the article length (it was the largest single cost of the
claims stage). The Doc's entities are listed once here and each span takes its slice by bisection.
"""

from __future__ import annotations

import bisect
import collections

from spacy.tokens import Doc, Span

#: Docs whose entity lists are kept: the stages walk one article at a time, a few suffice.
_KEEP = 8
_ENTS: collections.OrderedDict[int, tuple[Doc, tuple[Span, ...], list[int]]] = collections.OrderedDict()


def _doc_ents(doc: Doc) -> tuple[tuple[Span, ...], list[int]]:
    entry = _ENTS.get(id(doc))
    if entry is not None and entry[0] is doc:  # the Doc is held, so its id cannot be reused meanwhile
        _ENTS.move_to_end(id(doc))
        return entry[1], entry[2]
    ents = tuple(doc.ents)
    starts = [e.start for e in ents]
    _ENTS[id(doc)] = (doc, ents, starts)
    if len(_ENTS) > _KEEP:
        _ENTS.popitem(last=False)
    return ents, starts


def ents_in(span: Span | Doc) -> list[Span]:
    """The entities lying wholly inside ``span``: the same as ``span.ents``, without the whole-Doc walk.

    The Doc's entities are read once while it is among the last few Docs asked about; a Doc whose
    entities are changed afterwards must not be passed again (the pipeline never changes them).
    """
    if isinstance(span, Doc):
        return list(span.ents)
    ents, starts = _doc_ents(span.doc)
    out: list[Span] = []
    for k in range(bisect.bisect_left(starts, span.start), len(ents)):
        ent = ents[k]
        if ent.end > span.end:
            break
        out.append(ent)
    return out
