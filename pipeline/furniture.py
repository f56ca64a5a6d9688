"""Page furniture: the sentences of a page that are not its reporting, found by rules.

Copyright and rights lines, photo and video credits, captions and gallery counters, bylines,
"contributed to this report" lines, subscribe / log-in / cookie / share / follow prompts,
related-link lists and the attribution lines of embedded posts. The segment stage keeps them in `sentences` with the reason in its `furniture`
column, and the claims stage never reads them, so no claim, cluster or conflict is built from them.
They come from every input format: trafilatura leaves some in HTML, crawled text keeps them all.

Rules, not a trained classifier: each reason is a short list of patterns a reader can check, and the
measured figures (docs/html-input.md) show where they stop. A credit or gallery counter glued to the
front of a real sentence ("Photo: Brett Coomer, Houston Chronicle Image 7 of 12 A shooting victim
is…") is cut off as a part of its own; the rest of the sentence keeps its exact offsets.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_I = re.IGNORECASE

#: Credits, bylines, prompts and link lists are short: a longer sentence that starts like one
#: ("Video by a bystander shows…") is reporting.
_SHORT = 25

#: (reason, pattern matched against the whole sentence, most words); the first that matches gives the reason.
_WHOLE: tuple[tuple[str, re.Pattern[str], int | None], ...] = (
    ("copyright", re.compile(
        r"^[\s(\[]*(?:source:[^©]*)?(?:tm and\s+)?(?:©|\(c\)\s*\d{4}|copyright\b)"
        r"|\ball rights reserved\b"
        r"|\bmay not be (?:re)?published,? broadcast,? rewritten,? or redistributed\b"
        r"|\b(?:tm and )?copyright (?:©\s*)?(?:19|20)\d\d\b"
        r"|\bfor your personal,? non-?commercial use only\b|\bto order (?:presentation-ready|multiple) copies\b"
        r"|\bgoverned by our subscriber agreement\b", _I), None),
    ("contributor", re.compile(
        r"\bcontributed (?:to )?(?:this |the )?(?:report|story|article|reporting)\W*$"
        r"|^\W*(?:the )?associated press contributed\W*$", _I), None),
    ("gallery", re.compile(
        r"^\W*(?:image|photo|slide|picture)\s+\d+\s+(?:of|/)\s*/?\s*\d+\W*(?:caption\W*)?(?:close\W*)?$"
        r"|\bcaption close\b|^\W*(?:view|hide|show)?\s*(?:full )?caption\W*(?:close)?\W*$"
        r"|^\W*(?:enlarge|expand|launch|view)\s+(?:this\s+)?(?:photo|image|gallery|slideshow)\W*$"
        r"|gallery_\w+\||\bback to gallery\b|\bskip in skip\b|\bembed x share\b|\bad loading\.\.\."
        r"|\b(?:image|photo|slide)\s+\d+\s+of\s+/?\s*\d+\b", _I), None),
    ("caption", re.compile(
        r"\bview full caption\b"
        r"|\((?:photo|photos|video|image|file photo|graphic)(?: source| courtesy| credit)?\s*:[^()]*\)\W*$"
        r"|\(\s*[^()]{0,60}\bfile photo\)\W*$"
        r"|^\W*file\s*[-–—]\s"
        r"|^\W*(?:caption|buy photo)\b"
        r"|^\s*\((?:ap |reuters |afp |getty |courtesy |staff |file )?(?:photo|photos|image|video)\b[^()]{0,80}\)"
        r"|^\s*\(courtesy\b[^()]{0,80}\)"
        r"|^(?-i:(?:more|less) [A-Z])", _I), None),
    ("credit", re.compile(
        r"^\W*(?:photo|photos|image|video|graphic|file photo)s?\s*(?:courtesy|credit|by|source)?\s*(?::|/|by\b|courtesy\b)"
        r"|^\W*\(?(?:photo|video|image)s? (?:courtesy|credit)\b"
        r"|^[^.]{0,80}\b(?:/|\|)\s*(?:getty images|ap photo|associated press|reuters|afp)\W*$"
        r"|^\W*photo taken\b|^\W*source:\s"
        r"|\b(?:getty images|ap photo|shutterstock)\W*$"
        r"|^(?:\s*\([^()/]{1,60}/[^()]{1,60}\))+\W*$"
        r"|^\s*\((?-i:(?:[A-Z][\w.&'’-]*\s*){1,6})\)\W*$", _I), 12),
    ("byline", re.compile(
        r"^\W*(?i:by|written by|story by|reporting by)\s+(?:[A-Z][\w.'’-]*\s*){1,4}(?:(?:and|&)\s+(?:[A-Z][\w.'’-]*\s*){1,4})?"
        r"(?:[,|/–—-]\s*(?:[A-Z][\w.'’&-]*\s*){1,6})?\W*$"
        r"|^\W*(?i:posted|updated|published|last updated)\s*(?::|(?i:on|at)\b|\w+day\b|\d)"
        r"|^\W*(?i:e-?mail|contact) (?i:the )?(?i:author|reporter|writer)\b"
        r"|^\W*(?i:read more (?:articles|stories) by)\b"
        r"|^\W*(?i:update)\s*\([^()]{1,40}\)\W*$"
        r"|^\W*(?i:call|contact|reach|e-?mail)\s+(?:[\w.'’-]+\s+){0,4}(?i:reporter|writer|columnist|editor)\b"
        r"|^(?:[A-Z][\w.'’-]*\s+){0,3}[A-Z][\w.-]*['’]s (?i:report)\W*$"), _SHORT),
    ("prompt", re.compile(
        r"^\W*(?:click here|click to|tap here|sign up|subscribe\b|log ?in\b|sign in\b|register\b|follow us|follow @|like us"
        r"|share (?:this|on)|download (?:our|the)|get (?:free |the )?(?:real-time |breaking )?news alerts"
        r"|watch:|watch (?:the )?video\b|listen:|email newsletters?|have an online subscription|need an online subscription"
        r"|for access to this article|please (?:log|sign|enable|disable|subscribe|turn off)|you need an online service"
        r"|we use cookies|this (?:site|website) uses cookies|by (?:using|continuing to use) this (?:site|website)"
        r"|accept cookies|text \w+ to \d+|or sign up|copy link|print this|comments? \(\d+\)|leave a comment"
        r"|join the conversation|new comments are|comments are closed|to continue reading|already a (?:print )?subscriber|close skip\b"
        r"|[-•*]?\s*order reprints\b|[-•*]?\s*print article\b|this article has been sent to\b)"
        r"|\bskip in skip\b|\bembed x share\b|\bphotos can be ordered\b"
        r"|\b(?:sign up for (?:our|one of our|the)\b[^.]{0,40}newsletters?|subscribe (?:now|today)|\{\* \w+ \*\})", _I), _SHORT),
    ("related", re.compile(
        r"^\W*(?:related|related stories|related coverage|related content|related links|related articles|also read|read also"
        r"|read more|more|see also|recommended|trending|trending now|more from [\w ]{1,30}|more stories|previous|next|top stories)"
        r"\s*(?::|>>|\||$)"
        r"|^\s*(?:>>|»)\s*(?:read|more|related|watch|click|see)\b"
        r"|^\W*for more (?:on this story|information|news|coverage)\b[^.]{0,60}\b(?:visit|see|go to|watch)\b", _I), _SHORT),
    ("related", re.compile(r"^[^|]{0,120}\|[^|]{0,120}\|"), None),
    # a bare link on a line of its own (the page's address, a "read more" target)
    ("related", re.compile(r"^\W*(?:https?://|www\.)\S+\W*$", _I), None),
    ("byline", re.compile(r"\b(?:updated|posted|published):\s*(?:\w+day,|\w+\.? \d{1,2},|\d{1,2}/\d{1,2}/\d{2,4})", _I), None),
    ("embed", re.compile(
        r"\bpic\.twitter\.com/"
        r"|[—–-]\s*[^()]{0,60}\(@\w{1,30}\)\s+\w+\s+\d{1,2},\s+\d{4}\W*$", _I), None),
)

#: A credit or gallery counter glued to the front of a sentence: cut up to its end.
_PREFIX = re.compile(
    r"^\s*\((?i:photo|photos|video|image)\s*:[^()]{0,80}\)\s*(?i:buy photo\s*)?(?i:story highlights)\s+(?=\S)"
    r"|"
    r"^\W*(?:(?i:photo|photos|video|image)\s*:\s*[^.:]{1,80}?\s+|(?:[A-Z][\w.'’-]*,?\s+){1,6})?"
    r"(?i:image|photo|slide)\s+\d+\s+(?i:of|/)\s*/?\s*\d+(?:\s*(?i:caption\s*close)\s*(?i:image|photo|slide)\s+\d+\s+(?i:of)\s+\d+)?\s+"
    r"(?=[A-Z0-9\"“‘'(])"
)


#: The attribution line of an embedded post glued to the end of its text ("… pic.twitter.com/x — Name
#: (@handle) March 6, 2017"): the post's own words may be reporting, the tail is furniture.
_EMBED_TAIL = re.compile(
    r"\s*(?:(?:[@#]\w+\s+)*pic\.twitter\.com/\w+\s*)?[—–]\s*[^()—–]{0,60}\(@\w{1,30}\)\s+\w+\.? \d{1,2},\s+\d{4}\W*$"
)


class Part(NamedTuple):
    """A piece of a sentence, offsets relative to the sentence: furniture (with its reason) or body (None)."""

    start: int
    end: int
    furniture: str | None


def furniture_reason(sentence: str) -> str | None:
    """Why a sentence is page furniture (`copyright`, `credit`, ...), or None when it is body text."""
    text = sentence.strip()
    if not text:
        return None
    n_words = len(text.split())
    for reason, pattern, most_words in _WHOLE:
        if (most_words is None or n_words <= most_words) and pattern.search(text):
            return reason
    return None


def furniture_parts(sentence: str) -> list[Part]:
    """The sentence as one part, or cut into a leading credit/gallery part, the rest (judged on its
    own) and a trailing embed attribution."""
    parts: list[Part] = []
    start, end = 0, len(sentence)
    match = _PREFIX.match(sentence)
    if match is not None and match.end() < len(sentence.rstrip()):
        start = match.end()
        head = "credit" if "highlights" in sentence[:start].lower() else "gallery"
        parts.append(Part(0, len(sentence[:start].rstrip()), head))
    tail = _EMBED_TAIL.search(sentence, start)
    body_end = tail.start() if tail is not None else end
    if tail is not None and len(sentence[start:body_end].split()) >= 4:
        parts.append(Part(start, body_end, furniture_reason(sentence[start:body_end])))
        parts.append(Part(body_end + (len(sentence[body_end:]) - len(sentence[body_end:].lstrip())), end, "embed"))
        return parts
    parts.append(Part(start, end, furniture_reason(sentence[start:])))
    return parts
