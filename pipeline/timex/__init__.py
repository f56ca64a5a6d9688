"""Temporal expression recognition and TIMEX3 normalization, anchored on the publication date.

Recognition is a rule grammar (models/timex/patterns.json over the word lists in models/timex/lexicon.json)
whose span conventions follow TimeBank/AQUAINT, backed up by spaCy DATE/TIME entities for what the grammar
misses. Normalization turns each span into a TIMEX3 (type, value, mod) and the interval a DATE value covers.

The modules, from the bottom up: `rules` (the grammar and the text-level scan), `dates` (calendar
arithmetic), `normalise` (one normalizer per rule kind) and `recognise` (the parse around each span).
"""

from .dates import duration_value, interval
from .normalise import normalize
from .recognise import Timex, find_timexes

__all__ = ["Timex", "duration_value", "find_timexes", "interval", "normalize"]
