"""Typed read views: events, agreements, programmes, figures, quotes, post holders and an
entity's timeline, as frozen dataclasses.

Each view is a handful of SPARQL queries (:mod:`newskg.query.view_queries`) grouped in
Python, so a caller gets whole objects (an event with all its participants and evidence)
instead of one row per combination. Where articles disagree about a shared fact (two dates),
a view gives the earliest value; the ``disagreements`` saved query lists both. User values (a
speaker) are bound as RDF terms through projected variables, never pasted into query text.
The fields follow the data model (ontology/model.yaml); ``tests/model/`` checks them against
it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

import pyoxigraph as ox

from newskg.query import view_queries as q
from newskg.query.terms import Evidence, Solutions, evidence_from_row
from newskg.rdf import NKG


class Selects(Protocol):
    """What a view needs of a graph: SELECT with bound values (a KnowledgeGraph)."""

    def select(self, sparql: str, **bindings: Any) -> Solutions: ...


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference to a node: its IRI and label."""

    iri: str
    label: str


@dataclass(frozen=True, slots=True)
class Participant:
    """Who took part in an event, or signed or witnessed an agreement, in which capacity (a
    post such as 'CEO of Huawei'); ``role`` is 'participant', 'signatory' or 'witness'."""

    person: Ref
    post: Ref | None
    role: str = "participant"


@dataclass(frozen=True, slots=True)
class Event:
    """A meeting, signing ceremony, summit, conference, visit or announcement."""

    iri: str
    label: str
    date: dt.date | None
    mode: str | None  # 'virtual', 'in-person' or 'hybrid' (the vocabulary's words)
    participants: tuple[Participant, ...]
    evidence: tuple[Evidence, ...]
    kind: str = "meeting"  # the event-kind word: 'meeting', 'summit', …
    end_date: dt.date | None = None
    location: Ref | None = None
    organisers: tuple[Ref, ...] = ()
    topics: tuple[Ref, ...] = ()
    summary: str | None = None


# A meeting is an event of kind 'meeting'; the name stays for the views that return them.
Meeting = Event


@dataclass(frozen=True, slots=True)
class Figure:
    """A number as the article words it: 'over 41,000' is value 41000, 'greater-than'.
    ``kind`` is 'achieved', or 'target' for a figure to be reached ``by`` a date."""

    iri: str
    measure: str
    value: int | Decimal
    comparator: str | None  # 'exactly', 'greater-than', … (the vocabulary's words)
    unit: str | None
    as_of: dt.date | None
    kind: str = "achieved"
    by: str | None = None  # a target's date as stated: '2025', '2025-06' or a date
    speaker: Ref | None = None


@dataclass(frozen=True, slots=True)
class Agreement:
    iri: str
    label: str
    kind: str  # 'mou', 'agreement' or 'contract'
    parties: tuple[Ref, ...]
    figures: tuple[Figure, ...]
    evidence: tuple[Evidence, ...]
    signed: dt.date | None = None
    place: Ref | None = None
    signatories: tuple[Participant, ...] = ()
    witnesses: tuple[Participant, ...] = ()
    term: str | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    event: Ref | None = None


@dataclass(frozen=True, slots=True)
class Programme:
    iri: str
    label: str
    provider: Ref | None
    founded: str | None  # as stated: a year ('2019'), a month or an ISO date
    figures: tuple[Figure, ...]
    founded_in: Ref | None = None


@dataclass(frozen=True, slots=True)
class Quote:
    iri: str
    text: str
    speaker: Ref
    meeting: Ref | None
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True)
class PostHolding:
    """That ``person`` held ``post`` as of a date, per ``article``: ``stated`` when the
    article says so, else read from the capacity they acted in."""

    post: Ref
    person: Ref
    as_of: dt.date | None
    article: str
    stated: bool
    start: str | None = None
    end: str | None = None


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One fact involving an entity: when, what kind, how the entity is involved."""

    date: str  # as stated: a date, or a year or month for some facts
    kind: str  # the fact's class: 'Meeting', 'Agreement', 'Figure', …
    fact: str
    label: str | None
    role: str  # the property linking the fact to the entity: 'party', 'speaker', …
    article: str


def _date(value: Any) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def _grouped(solutions: Solutions, key: str) -> dict[str, list[dict[str, Any]]]:
    """Rows (as plain Python) grouped by the value of ``key``, in first-seen order."""
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in solutions.values():
        rows[row[key]].append(row)
    return rows


def _first(rows: list[dict[str, Any]], key: str) -> Any:
    """The least value of ``key`` over ``rows`` (as text), or None: one value, the same on
    every run, where two articles give two."""
    found = [r[key] for r in rows if r[key] is not None]
    return min(found, key=str) if found else None


def _ref(rows: list[dict[str, Any]], iri: str, label: str) -> Ref | None:
    refs = {Ref(r[iri], r[label]) for r in rows if r[iri] is not None}
    return min(refs, key=lambda r: (r.label, r.iri)) if refs else None


def _refs(rows: Iterable[dict[str, Any]], iri: str, label: str) -> tuple[Ref, ...]:
    refs = {Ref(r[iri], r[label]) for r in rows if r[iri] is not None}
    return tuple(sorted(refs, key=lambda r: (r.label, r.iri)))


def evidence_of(kg: Selects, node: ox.NamedNode | ox.BlankNode) -> list[Evidence]:
    """The quotes a node's facts rest on: its own nkg:evidence, or, for an entity, the
    evidence of every fact that mentions it."""
    found = {evidence_from_row(r) for r in kg.select(q.NODE_EVIDENCE, node=node).values()}
    return sorted(found, key=lambda e: (e.article, e.start, e.end))


def evidence_by_fact(kg: Selects, cls: str) -> dict[str, tuple[Evidence, ...]]:
    """Evidence of every fact of class ``cls``, sorted by article and offset."""
    found: dict[str, dict[str, Evidence]] = defaultdict(dict)
    for row in kg.select(q.EVIDENCE, cls=ox.NamedNode(cls)).values():
        ev = evidence_from_row(row)
        # Evidence spanning two sentences comes back twice; keep one, deterministically.
        known = found[row["fact"]].get(ev.iri)
        if known is None or (ev.sentence or "") < (known.sentence or ""):
            found[row["fact"]][ev.iri] = ev
    return {
        fact: tuple(sorted(evs.values(), key=lambda e: (e.article, e.start, e.end)))
        for fact, evs in found.items()
    }


def roles_by_fact(kg: Selects, cls: str) -> dict[str, list[Participant]]:
    out: dict[str, set[Participant]] = defaultdict(set)
    for row in kg.select(q.ROLES, cls=ox.NamedNode(cls)).values():
        post = Ref(row["post"], row["postLabel"]) if row["post"] else None
        out[row["fact"]].add(Participant(Ref(row["person"], row["name"]), post, row["role"]))
    return {
        fact: sorted(people, key=lambda p: (p.role, p.person.label, p.post.label if p.post else ""))
        for fact, people in out.items()
    }


def figures_by_subject(kg: Selects, cls: str) -> dict[str, tuple[Figure, ...]]:
    out: dict[str, set[Figure]] = defaultdict(set)
    for row in kg.select(q.FIGURES, cls=ox.NamedNode(cls)).values():
        speaker = Ref(row["speaker"], row["speakerLabel"]) if row["speaker"] else None
        out[row["of"]].add(
            Figure(
                iri=row["f"],
                measure=row["measure"],
                value=row["value"],
                comparator=row["comparator"],
                unit=row["unit"],
                as_of=_date(row["asOf"]),
                kind="target" if row["target"] else "achieved",
                by=None if row["by"] is None else str(row["by"]),
                speaker=speaker,
            )
        )
    return {k: tuple(sorted(v, key=lambda f: (f.measure, f.kind, f.iri))) for k, v in out.items()}


def events(kg: Selects, cls: str = NKG + "Event") -> list[Event]:
    """Every event of class ``cls`` (every event, by default), with its participants (and
    their posts), organisers and evidence, by date."""
    roles = roles_by_fact(kg, cls)
    organisers = _grouped(kg.select(q.ORGANISERS), "e")
    topics = _grouped(kg.select(q.TOPICS), "e")
    evidence = evidence_by_fact(kg, cls)
    out = []
    for iri, group in _grouped(kg.select(q.EVENTS, cls=ox.NamedNode(cls)), "e").items():
        out.append(
            Event(
                iri=iri,
                label=_first(group, "label"),
                date=_date(_first(group, "date")),
                mode=_first(group, "mode"),
                participants=tuple(p for p in roles.get(iri, ()) if p.role == "participant"),
                evidence=evidence.get(iri, ()),
                kind=_first(group, "kind"),
                end_date=_date(_first(group, "end")),
                location=_ref(group, "place", "placeLabel"),
                organisers=_refs(organisers.get(iri, ()), "who", "name"),
                topics=_refs(topics.get(iri, ()), "topic", "name"),
                summary=_first(group, "summary"),
            )
        )
    return sorted(out, key=lambda e: (e.date or dt.date.min, e.iri))


def meetings(kg: Selects) -> list[Event]:
    """Every meeting, with its participants (and their posts) and evidence, by date."""
    return events(kg, NKG + "Meeting")


def agreements(kg: Selects) -> list[Agreement]:
    """Every agreement (MOUs, contracts…) with its parties, signatories and witnesses, when,
    where and at which event it was signed, figures and evidence."""
    evidence = evidence_by_fact(kg, NKG + "Agreement")
    figures = figures_by_subject(kg, NKG + "Agreement")
    roles = roles_by_fact(kg, NKG + "Agreement")
    out = []
    for iri, group in _grouped(kg.select(q.AGREEMENTS), "a").items():
        people = roles.get(iri, [])
        out.append(
            Agreement(
                iri=iri,
                label=_first(group, "label"),
                kind=_first(group, "kind"),
                parties=_refs(group, "party", "partyLabel"),
                figures=figures.get(iri, ()),
                evidence=evidence.get(iri, ()),
                signed=_date(_first(group, "signed")),
                place=_ref(group, "place", "placeLabel"),
                signatories=tuple(p for p in people if p.role == "signatory"),
                witnesses=tuple(p for p in people if p.role == "witness"),
                term=_first(group, "term"),
                valid_from=_str(_first(group, "from")),
                valid_until=_str(_first(group, "until")),
                event=_ref(group, "event", "eventLabel"),
            )
        )
    return sorted(out, key=lambda a: (a.label, a.iri))


def programmes(kg: Selects) -> list[Programme]:
    """Every training programme with its provider, founding date and place, and figures."""
    figures = figures_by_subject(kg, NKG + "TrainingProgramme")
    out = []
    for iri, group in _grouped(kg.select(q.PROGRAMMES), "p").items():
        out.append(
            Programme(
                iri=iri,
                label=_first(group, "label"),
                provider=_ref(group, "provider", "providerLabel"),
                founded=_str(_first(group, "founded")),
                figures=figures.get(iri, ()),
                founded_in=_ref(group, "place", "placeLabel"),
            )
        )
    return sorted(out, key=lambda p: (p.label, p.iri))


def quotes(kg: Selects, speaker: ox.NamedNode | ox.BlankNode | None = None) -> list[Quote]:
    """Direct quotes in article order; ``speaker`` narrows them."""
    bindings: dict[str, Any] = {}
    if speaker is not None:
        bindings["speaker"] = speaker
    rows = _grouped(kg.select(q.QUOTES, **bindings), "q")
    evidence = evidence_by_fact(kg, NKG + "Quote")
    out = []
    for iri, group in rows.items():
        first = min(group, key=lambda r: (str(r["speakerLabel"]), str(r["meetingLabel"] or "")))
        meeting = Ref(first["meeting"], first["meetingLabel"]) if first["meeting"] else None
        out.append(
            Quote(
                iri=iri,
                text=first["text"],
                speaker=Ref(first["speaker"], first["speakerLabel"]),
                meeting=meeting,
                evidence=_own_words_first(evidence.get(iri, ()), first["text"]),
            )
        )
    return sorted(out, key=lambda q: _order(q.evidence, q.iri))


def post_holders(kg: Selects) -> list[PostHolding]:
    """Who held which post as of which date, per article: stated post holdings, and the
    capacity people acted in at events and signings; by post, then date."""
    out = {
        PostHolding(
            post=Ref(r["post"], r["postLabel"]),
            person=Ref(r["person"], r["name"]),
            as_of=_date(r["asOf"]),
            article=r["article"],
            stated=bool(r["stated"]),
            start=_str(r["from"]),
            end=_str(r["until"]),
        )
        for r in kg.select(q.POST_HOLDERS).values()
    }
    return sorted(
        out, key=lambda h: (h.post.label, h.as_of or dt.date.min, h.person.label, h.article)
    )


def timeline(kg: Selects, entity: ox.NamedNode | ox.BlankNode) -> list[TimelineEntry]:
    """Every fact involving ``entity``, across articles, in date order."""
    out = {
        TimelineEntry(
            date=str(r["date"]),
            kind=str(r["class"]).rsplit("#", 1)[-1],
            fact=r["fact"],
            label=r["label"],
            role=str(r["property"]).rsplit("#", 1)[-1].rsplit("/", 1)[-1],
            article=r["article"],
        )
        for r in kg.select(q.TIMELINE, entity=entity).values()
    }
    return sorted(out, key=lambda e: (e.date, e.kind, e.fact, e.role, e.label or ""))


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _own_words_first(evidence: tuple[Evidence, ...], text: str) -> tuple[Evidence, ...]:
    # A quote may also carry the passage that attributes it ("he added."); the passage that
    # is the quote's own words comes first, so quote.evidence[0] locates the words themselves.
    return tuple(sorted(evidence, key=lambda e: (e.exact != text, e.article, e.start)))


def _order(evidence: tuple[Evidence, ...], iri: str) -> tuple[str, int, str]:
    if not evidence:
        return ("", 0, iri)
    return (evidence[0].article, evidence[0].start, iri)


__all__ = [
    "Agreement",
    "Event",
    "Figure",
    "Meeting",
    "Participant",
    "PostHolding",
    "Programme",
    "Quote",
    "Ref",
    "TimelineEntry",
    "agreements",
    "events",
    "meetings",
    "post_holders",
    "programmes",
    "quotes",
    "timeline",
]
