"""Page furniture: credits, copyright lines, captions and prompts are found; reporting is not."""

from __future__ import annotations

import pytest

from pipeline.furniture import furniture_parts, furniture_reason


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        # a station's copyright line (gva-dev)
        ("Copyright 2017 WMC Action News 5.", "copyright"),
        # a copyright sign with a media group
        ("© 2016 Cox Media Group.", "copyright"),
        # the wire's redistribution notice
        ("This material may not be published, broadcast, rewritten or redistributed.", "copyright"),
        # a photo credit in parentheses: the sentence is a caption
        ("(Photo: Daniel Mears / Detroit News)", "caption"),
        # a caption that ends in its credit
        ("Family of 5 found dead in Culpeper, Va. (Photo: Culpeper County Sheriff's Office)", "caption"),
        # a contributor line
        ("Review-Journal reporter Jenny Wilson contributed to this report.", "contributor"),
        # a bare gallery counter
        ("Image 4 of 17", "gallery"),
        # a byline with a role
        ("By Dana Whitfield, Staff Writer", "byline"),
        # a link prompt
        ("Click here to watch Gary Nelson's report.", "prompt"),
        # a newsletter prompt
        ("Sign up for one of our email newsletters.", "prompt"),
        # a cookie banner
        ("We use cookies to improve your experience.", "prompt"),
        # a related-link heading with its link
        ("RELATED: Witness describes skate park shooting", "related"),
        # a broadcaster's notice with its copyright in the middle
        ("CBS RADIO and EYE Logo TM and Copyright 2016 CBS Broadcasting Inc. Used under license.", "copyright"),
        # a caption led by its wire credit
        ("(AP Photo/John Minchillo) Police operate at a crime scene outside the club on Sunday.", "caption"),
        # a caption led by a reprint button
        ("Buy Photo Wayne County Prosecutor Kym Worthy announces charges during a news conference.", "caption"),
        # a photo credit alone, twice
        ("(Abel Uribe / Chicago Tribune) (Abel Uribe / Chicago Tribune)", "credit"),
        # how to reach the reporter
        ("Call Star reporter Tony Cook at (317) 444-6081.", "byline"),
        # the attribution line of an embedded tweet
        ("pic.twitter.com/aA7SwsOYYI — Cincinnati Police (@CincyPD) March 6, 2017", "embed"),
        # a run of related links
        ("Fly high | Editorial: Gavin Long's failed mission | Gunman's manifesto describes actions", "related"),
        # a video player's controls before the video's title
        ("The Enquirer 7 of 15 CLOSE Skip in Skip x Embed x Share CAMEO NIGHTCLUB SHOOTING What we know about the shooting at the club on Sunday", "gallery"),
        # a long run of related headlines
        ("Biden honors all officers: 'We owe you' | Baton Rouge shooter may have embraced bizarre outlook | Officer Matthew Gerald was a veteran who served three tours", "related"),
        # a credit line
        ("Source: Miles Jackson, WAVE 3 News", "credit"),
        # an outlet's name alone, as a credit
        ("(New York Daily News)", "credit"),
        # an update stamp alone
        ("UPDATE (1:38 p.m. 5/15/16)", "byline"),
        # the comment box
        ("New comments are only accepted for two weeks from the date of publication.", "prompt"),
        # a publication stamp
        ("(Published Thursday, July 30, 2015)", "byline"),
        # a headline with its update stamp
        ("Four shot in Broad Ripple; suspect arrested after claiming self-defense Updated: Monday, July 7, 2014 6:44 PM EDT", "byline"),
        # where to read more
        ("For more on this story, visit www.journalgazette.net later today or see Tuesday's print edition.", "related"),
        # a gallery counter in the middle of a slide's text
        ("Property crime incidents: 56 Violent crime incidents: 1 Photo: Google Maps Image 13 of 44 31.", "gallery"),
        # a paywalled page's reprint notice (extraction dev pages)
        ("This copy is for your personal, non-commercial use only.", "copyright"),
        # the reprint and print buttons as a list
        ("- Order Reprints\n- Print Article", "prompt"),
        # the page's own address on a line of its own
        ("https://www.barrons.com/articles/home-depot-stock-earnings-report-51574168486", "related"),
    ],
)
def test_furniture_is_found_with_its_reason(sentence: str, reason: str) -> None:
    assert furniture_reason(sentence) == reason


@pytest.mark.parametrize(
    "sentence",
    [
        # starts like a byline, but is reporting
        "By Tuesday, police had arrested three men in connection with the shooting.",
        # starts like a credit, but is a long sentence about a video
        "Video shows the two men running from the car toward the park before officers arrived at the scene.",
        # "more" that is not a link list
        "More than 20 people were hurt in the crash.",
        # "more" and "less" as words of a sentence
        "less than an hour later, police found the car.",
        # a broadcast transcript's speaker turn
        ">> IT IS A STARK REMINDER FOR GUN OWNERS TO SECURE THEIR WEAPONS.",
        # an aside in parentheses that is a sentence
        "(He was later released.)",
        # parentheses that are not a credit
        "Police said the shooter (a 20-year-old man) fled on foot.",
        # a plain report of a shooting
        "Police said the man was shot twice and taken to a hospital.",
        # a quote about copyright is still reporting
        "The lawsuit says the station broke copyright law when it aired the footage last year without permission from the family.",
        # a sentence that gives an address is reporting
        "The city posted the new rules at https://example.gov/rules on Monday.",
        # printing as news
        "Print articles in the Gazette fell by half last year.",
    ],
)
def test_reporting_is_not_furniture(sentence: str) -> None:
    assert furniture_reason(sentence) is None
    assert [p.furniture for p in furniture_parts(sentence)] == [None]


@pytest.mark.parametrize(
    ("sentence", "body"),
    [
        # a credit and a gallery counter glued to a caption (gva-dev)
        ("Photo: Brett Coomer, Houston Chronicle Image 7 of 12 A shooting victim is loaded into a medical helicopter.",
         "A shooting victim is loaded into a medical helicopter."),
        # a gallery run glued to a sentence
        ("Image 1 of / 5 Caption Close Image 1 of 5 Joe Frederick Hawkins was booked Monday.", "Joe Frederick Hawkins was booked Monday."),
        # a story's highlights behind its photo credit
        ("(Photo: Mike Groll AP) Story Highlights Kurt Myers, 64, was killed in shootout Thursday morning",
         "Kurt Myers, 64, was killed in shootout Thursday morning"),
        # a photographer's name before the counter, a number after it
        ("Kimberly Veklerov Image 3 of 4 7 people were shot in East Oakland, police said.", "7 people were shot in East Oakland, police said."),
    ],
)
def test_a_glued_prefix_is_cut_and_the_rest_keeps_exact_offsets(sentence: str, body: str) -> None:
    head, rest = furniture_parts(sentence)
    assert head.furniture in {"gallery", "credit"} and head.start == 0
    assert sentence[rest.start : rest.end] == body and rest.furniture is None


def test_an_embedded_post_keeps_its_words_and_loses_its_attribution_line() -> None:
    sentence = "#breaking 16 year old boy shoots grandma and sister @WSMV pic.twitter.com/Lg1lt4mNhj — Kevin Trager (@KevinWSMV) March 5, 2016"
    body, tail = furniture_parts(sentence)
    assert (sentence[body.start : body.end], body.furniture) == ("#breaking 16 year old boy shoots grandma and sister", None)
    assert sentence[tail.start : tail.end].startswith("@WSMV pic.twitter.com") and tail.furniture == "embed"
