"""Direct quotations and who may have said them.

A quotation is the text between a pair of quotation marks ("…" or “…”) in one paragraph; a
mark left open at the end of a paragraph runs to its end, as a quotation continued in the
next one does. Its attribution is the rest of its sentence ("He emphasised that", "he
added."), or the short sentence after it when it ends the sentence ("… solutions." Ren
said.). The speaker candidates are the people that attribution names (a post stands for the
person the article says holds it), then the other agents it names; an attribution by
pronoun ("he added") points at the last person named before the quotation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from newskg.drafting.mentions import Mention
from newskg.drafting.text import ArticleText, Span
from newskg.inputs.evidence import trimmed

SPEECH_VERBS = frozenset(
    [
        "said",
        "says",
        "say",
        "saying",
        "added",
        "adds",
        "told",
        "tells",
        "stated",
        "states",
        "stating",
        "noted",
        "explained",
        "emphasised",
        "emphasized",
        "stressed",
        "remarked",
        "continued",
        "according",
        "highlighted",
        "insisted",
        "declared",
        "announced",
        "commented",
        "asked",
        "replied",
        "wrote",
        "urged",
        "warned",
    ]
)
PRONOUNS = frozenset({"he", "she", "they"})
# A scare quote ("so-called 'smart' city") is no quotation: a quotation has this many words
# at least, or an attribution with a verb of speech.
MIN_WORDS = 4
# The sentence after a quotation is its attribution only when it is this short.
ATTRIBUTION_WORDS = 8
_OPENING, _CLOSING, _STRAIGHT = "“", "”", '"'


@dataclass(frozen=True, slots=True)
class Quotation:
    start: int  # the quoted words, without the marks
    end: int
    attribution: tuple[Span, ...]  # the words around it that say who spoke
    speakers: tuple[str, ...]  # candidate entity ids, the likeliest first


def quotations(
    article: ArticleText,
    mentions: list[Mention],
    holders: Mapping[str, str],
    agent_types: frozenset[str],
) -> list[Quotation]:
    """Every direct quotation of the article, in text order. ``holders`` maps a post to the
    person the article says holds it."""
    text = article.text
    found: list[Quotation] = []
    for start, end in _quoted(text):
        if end <= start:
            continue
        attribution = _attribution(article, start, end)
        said = _has_speech_verb(text, attribution)
        if len(article.words(start, end)) < MIN_WORDS and not said:
            continue
        speakers = _speakers(text, attribution, mentions, holders, agent_types, start)
        found.append(Quotation(start, end, attribution, speakers))
    return found


def _quoted(text: str) -> list[tuple[int, int]]:
    """(start, end) of the text inside each pair of quotation marks, paragraph by paragraph."""
    spans: list[tuple[int, int]] = []
    paragraph_start = 0
    for paragraph in re.split(r"(\n[ \t\r\f\v]*\n)", text):
        opened: int | None = None
        for index, char in enumerate(paragraph):
            at = paragraph_start + index
            if char == _OPENING or (char == _STRAIGHT and opened is None):
                opened = at + 1
            elif opened is not None and char in (_CLOSING, _STRAIGHT):
                spans.append((opened, at))
                opened = None
        if opened is not None and paragraph.strip():
            spans.append(trimmed(text, opened, paragraph_start + len(paragraph)))
        paragraph_start += len(paragraph)
    return spans


def _attribution(article: ArticleText, start: int, end: int) -> tuple[Span, ...]:
    text = article.text
    first, last = article.sentence_at(start - 1), article.sentence_at(end)
    spans: list[Span] = []
    before = trimmed(text, first.start, start - 1)
    if _has_words(text, *before):
        spans.append(Span(*before))
    after = trimmed(text, min(end + 1, last.end), last.end)
    if _has_words(text, *after):
        spans.append(Span(*after))
    elif last.number < len(article.sentences):
        following = article.sentences[last.number]  # numbers are 1-based
        short = len(article.words(following.start, following.end)) <= ATTRIBUTION_WORDS
        if following.paragraph == last.paragraph and short:
            span = Span(following.start, following.end)
            if _has_speech_verb(text, (span,)):
                spans.append(span)
    return tuple(spans)


def _speakers(
    text: str,
    attribution: tuple[Span, ...],
    mentions: list[Mention],
    holders: Mapping[str, str],
    agent_types: frozenset[str],
    quote_start: int,
) -> tuple[str, ...]:
    people: list[str] = []
    agents: list[str] = []
    for span in attribution:
        for mention in mentions:
            if span.start <= mention.start and mention.end <= span.end:
                person = _person(mention, holders)
                if person and person not in people:
                    people.append(person)
                elif mention.type in agent_types and mention.type != "Person":
                    agents.append(mention.entity)
    if not people and _names_by_pronoun(text, attribution):
        earlier = (m for m in reversed(mentions) if m.end <= quote_start)
        person = next((p for m in earlier if (p := _person(m, holders))), None)
        if person:
            people.append(person)
    return tuple(dict.fromkeys(people or agents))


def _person(mention: Mention, holders: Mapping[str, str]) -> str | None:
    if mention.type == "Person":
        return mention.entity
    return holders.get(mention.entity) if mention.type == "Post" else None


def _has_words(text: str, start: int, end: int) -> bool:
    return any(c.isalnum() for c in text[start:end])


def _lower_words(text: str, spans: tuple[Span, ...]) -> set[str]:
    return {
        w.lower() for span in spans for w in re.findall(r"[A-Za-z]+", text[span.start : span.end])
    }


def _has_speech_verb(text: str, spans: tuple[Span, ...]) -> bool:
    return bool(_lower_words(text, spans) & SPEECH_VERBS)


def _names_by_pronoun(text: str, spans: tuple[Span, ...]) -> bool:
    return bool(_lower_words(text, spans) & PRONOUNS)
