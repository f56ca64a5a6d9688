"""Tests for pipeline.nlp: the paragraph_boundaries and join_fragments components."""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.nlp import fragment_boundaries, paragraph_boundaries


def _starts(text: str) -> list[str]:
    """Tokens the component marks as sentence starts (the first token aside)."""
    doc = paragraph_boundaries(spacy.blank("en")(text))
    return [t.text for t in doc[1:] if t.is_sent_start]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Rates rose.\n\nShares fell.", ["Shares"]),  # a blank line starts the next paragraph's sentence
        ("Rates rose.\n \n\tShares fell.", ["Shares"]),  # a blank line holding spaces and tabs
        ("Rates rose.\nShares fell.", []),  # one newline is a line break, not a paragraph
        ("Rates rose. Shares fell.", []),  # no break at all: the parser decides
        ("Title\n\nRates rose.\n\n\nShares fell.", ["Rates", "Shares"]),  # several paragraphs
        ("Rates rose.\n\n", []),  # a trailing blank line has no token after it
        ("\n\nRates rose.", ["Rates"]),  # after a leading blank line, the first word starts a sentence
    ],
)
def test_blank_lines_start_sentences(text: str, expected: list[str]) -> None:
    assert _starts(text) == expected


def test_empty_doc() -> None:
    # an empty article passes through untouched
    assert len(paragraph_boundaries(spacy.blank("en")(""))) == 0


def _tagged(text: str) -> Doc:
    """A doc from `word/TAG` tokens, with the parser's sentence starts where `|` stands."""
    words: list[str] = []
    tags: list[str] = []
    starts: list[bool] = []
    spaces: list[bool] = []
    new_sentence = True
    for piece in text.split(" "):
        if piece == "|":
            new_sentence = True
            continue
        word, _, tag = piece.rpartition("/")
        word = word.replace("\\n", "\n")
        if word == "\n" and spaces:
            spaces[-1] = False
        words.append(word)
        tags.append(tag)
        starts.append(new_sentence)
        spaces.append(word != "\n")
        new_sentence = False
    return Doc(spacy.blank("en").vocab, words=words, spaces=spaces, tags=tags, sent_starts=starts)


@pytest.mark.parametrize(
    "text, joined",
    [
        # seed 003: a subject without a verb, then its conjunction, split off the sentence they begin
        ("Cybersecurity/NNP | and/CC | election/NN interference/NN have/VBP become/VBN issues/NNS ./.", ["and", "election"]),
        # ECB+ 7_11ecb: a coordinated clause split off at its conjunction
        ("He/PRP should/MD not/RB be/VB in/IN the/DT ring/NN | but/CC this/DT is/VBZ boxing/NN ./.", ["but"]),
        # ECB+ 1_2ecbplus: a name split in two by the parser
        ("Lindsay/NNP | Lohan/NNP has/VBZ left/VBN the/DT clinic/NN ./.", ["Lohan"]),
        # ECB+ 18_11ecb: the end of a noun phrase split off, lower case and without a verb
        ("Police/NNS identified/VBD the/DT victim/NN at/IN | the/DT TallGrass/NNP plant/NN ./.", ["the"]),
        # a full stop ends the sentence: the next one stays apart even in lower case
        ("Rates/NNS rose/VBD ./. | shares/NNS fell/VBD ./.", []),
        # a line break ends a byline: the sentence after it stays apart
        ("By/IN John/NNP Smith/NNP \\n/_SP | The/DT leaders/NNS met/VBD ./.", []),
        # BBC entertainment: an inline heading in capitals stays apart from the sentence after it
        ("CONTROVERSIES/NNS AND/CC OTHER/JJ GAFFES/NNS | Three/CD people/NNS have/VBP refused/VBN Oscars/NNPS ./.", []),
        # two sentences with verbs, the second capitalised: the parser's break stands
        ("Rates/NNS rose/VBD | Shares/NNS fell/VBD ./.", []),
    ],
)
def test_fragment_boundaries(text: str, joined: list[str]) -> None:
    doc = _tagged(text)
    assert [doc[i].text for i in fragment_boundaries(doc)] == joined


def test_a_sentence_split_inside_its_subject_is_parsed_whole(nlp: Language) -> None:
    # seed 003: the parser made "Cybersecurity" / "and" / "election interference have become…" three sentences
    paragraph = (
        "Cybersecurity and election interference have become increasingly prominent issues in US-Russia relations, "
        "particularly in the aftermath of the 2016 US presidential election. Allegations of Russian interference in "
        "the election, including hacking and disinformation campaigns, have cast a long shadow over the relationship."
    )
    text = f"Cybersecurity and Election Interference\n\n{paragraph}"
    doc = nlp(text)
    sents = [s for s in doc.sents if not s.text.startswith("Cybersecurity and Election")]
    assert [s.text.strip() for s in sents] == [s + "." for s in paragraph.rstrip(".").split(". ")]
    first = sents[0]
    assert first.root.lemma_ == "become"
    assert [t.text for t in first.root.children if t.dep_ == "nsubj"] == ["Cybersecurity"]
    with nlp.select_pipes(disable=["join_fragments"]):
        assert len(list(nlp(text).sents)) > len(list(doc.sents))  # the case the component is for
