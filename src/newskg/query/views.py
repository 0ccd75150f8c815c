"""Typed read views: meetings, agreements, programmes and quotes as frozen dataclasses.

Each view is a handful of SPARQL queries grouped in Python, so a caller gets whole objects
(a meeting with all its participants and evidence) instead of one row per combination.
User values (a speaker) are bound as RDF terms through projected variables, never pasted
into query text; Oxigraph substitutes only variables that the SELECT projects.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

import pyoxigraph as ox

from newskg.query.terms import Evidence, Solutions, evidence_from_row
from newskg.rdf import NKG


class Selects(Protocol):
    """What a view needs of a graph: SELECT with bound values (a KnowledgeGraph)."""

    def select(self, sparql: str, **bindings: Any) -> Solutions: ...


AGREEMENT_KINDS = {
    NKG + "MemorandumOfUnderstanding": "mou",
    NKG + "Contract": "contract",
    NKG + "Agreement": "agreement",
}


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference to an entity: its IRI and label."""

    iri: str
    label: str


@dataclass(frozen=True, slots=True)
class Participant:
    """Who took part in a meeting, and in which capacity (a post such as 'CEO of Huawei')."""

    person: Ref
    post: Ref | None


@dataclass(frozen=True, slots=True)
class Meeting:
    iri: str
    label: str
    date: dt.date | None
    mode: str | None  # 'virtual', 'in-person' or 'hybrid' (the vocabulary's notation)
    participants: tuple[Participant, ...]
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True)
class Figure:
    """A number as the article words it: 'over 41,000' is value 41000, 'greater-than'."""

    iri: str
    measure: str
    value: int | Decimal
    comparator: str | None  # 'exactly', 'greater-than', … (the vocabulary's notation)
    unit: str | None
    as_of: dt.date | None


@dataclass(frozen=True, slots=True)
class Agreement:
    iri: str
    label: str
    kind: str  # 'mou', 'agreement' or 'contract'
    parties: tuple[Ref, ...]
    figures: tuple[Figure, ...]
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, slots=True)
class Programme:
    iri: str
    label: str
    provider: Ref | None
    founded: str | None  # as stated: a year ('2019') or an ISO date
    figures: tuple[Figure, ...]


@dataclass(frozen=True, slots=True)
class Quote:
    iri: str
    text: str
    speaker: Ref
    meeting: Ref | None
    evidence: tuple[Evidence, ...]


# -- queries ------------------------------------------------------------------------------

NODE_EVIDENCE = """
SELECT DISTINCT ?node ?ev ?exact ?start ?end ?article ?sentence WHERE {
  { ?node nkg:evidence ?ev } UNION { ?fact nkg:evidence ?ev . ?fact ?p ?node . }
  ?ev oa:hasSource ?article ;
      oa:hasSelector ?q, ?pos .
  ?q oa:exact ?exact .
  ?pos oa:start ?start ; oa:end ?end .
  OPTIONAL { ?ev nkg:inSentence/schema:text ?sentence }
}
"""

EVIDENCE = """
SELECT ?cls ?fact ?ev ?exact ?start ?end ?article ?sentence WHERE {
  ?fact a ?cls ; nkg:evidence ?ev .
  ?ev oa:hasSource ?article ; oa:hasSelector ?q, ?pos .
  ?q oa:exact ?exact .
  ?pos oa:start ?start ; oa:end ?end .
  OPTIONAL { ?ev nkg:inSentence/schema:text ?sentence }
}
"""

MEETINGS = """
SELECT ?m ?label ?date ?mode WHERE {
  ?m a nkg:Meeting ; rdfs:label ?label .
  OPTIONAL { ?m schema:startDate ?date }
  OPTIONAL { ?m nkg:meetingMode/skos:notation ?mode }
}
"""

PARTICIPANTS = """
SELECT ?m ?person ?name ?post ?postLabel WHERE {
  ?m a nkg:Meeting ; nkg:participation ?part .
  ?part nkg:participant ?person .
  ?person rdfs:label ?name .
  OPTIONAL { ?part nkg:capacity ?post . ?post rdfs:label ?postLabel }
}
"""

AGREEMENTS = """
SELECT ?a ?label ?cls ?party ?partyLabel WHERE {
  ?a a nkg:Agreement ; a ?cls ; rdfs:label ?label .
  FILTER(?cls IN (nkg:Agreement, nkg:MemorandumOfUnderstanding, nkg:Contract))
  OPTIONAL { ?a nkg:party ?party . ?party rdfs:label ?partyLabel }
}
"""

FIGURES = """
SELECT ?cls ?of ?f ?measure ?value ?comparator ?unit ?asOf WHERE {
  ?of a ?cls ; nkg:hasFigure ?f .
  ?f nkg:measure ?measure ; schema:value ?value .
  OPTIONAL { ?f nkg:comparator/skos:notation ?comparator }
  OPTIONAL { ?f schema:unitText ?unit }
  OPTIONAL { ?f nkg:asOf ?asOf }
}
"""

PROGRAMMES = """
SELECT ?p ?label ?provider ?providerLabel ?founded WHERE {
  ?p a nkg:TrainingProgramme ; rdfs:label ?label .
  OPTIONAL { ?p schema:provider ?provider . ?provider rdfs:label ?providerLabel }
  OPTIONAL { ?p schema:foundingDate ?founded }
}
"""

QUOTES = """
SELECT ?speaker ?q ?text ?speakerLabel ?meeting ?meetingLabel WHERE {
  ?q a nkg:Quote ; schema:text ?text ; nkg:speaker ?speaker .
  ?speaker rdfs:label ?speakerLabel .
  OPTIONAL { ?q nkg:during ?meeting . ?meeting rdfs:label ?meetingLabel }
}
"""


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


def _first_label(rows: list[dict[str, Any]], key: str) -> str:
    return min(str(r[key]) for r in rows)


def evidence_of(kg: Selects, node: ox.NamedNode | ox.BlankNode) -> list[Evidence]:
    """The quotes a node's facts rest on: its own nkg:evidence, or, for an entity, the
    evidence of every fact that mentions it."""
    found = {evidence_from_row(r) for r in kg.select(NODE_EVIDENCE, node=node).values()}
    return sorted(found, key=lambda e: (e.article, e.start, e.end))


def evidence_by_fact(kg: Selects, cls: str) -> dict[str, tuple[Evidence, ...]]:
    """Evidence of every fact of class ``cls``, sorted by article and offset."""
    found: dict[str, dict[str, Evidence]] = defaultdict(dict)
    for row in kg.select(EVIDENCE, cls=ox.NamedNode(cls)).values():
        ev = evidence_from_row(row)
        # Evidence spanning two sentences comes back twice; keep one, deterministically.
        known = found[row["fact"]].get(ev.iri)
        if known is None or (ev.sentence or "") < (known.sentence or ""):
            found[row["fact"]][ev.iri] = ev
    return {
        fact: tuple(sorted(evs.values(), key=lambda e: (e.article, e.start, e.end)))
        for fact, evs in found.items()
    }


def figures_by_subject(kg: Selects, cls: str) -> dict[str, tuple[Figure, ...]]:
    out: dict[str, set[Figure]] = defaultdict(set)
    for row in kg.select(FIGURES, cls=ox.NamedNode(cls)).values():
        out[row["of"]].add(
            Figure(
                iri=row["f"],
                measure=row["measure"],
                value=row["value"],
                comparator=row["comparator"],
                unit=row["unit"],
                as_of=_date(row["asOf"]),
            )
        )
    return {k: tuple(sorted(v, key=lambda f: (f.measure, f.iri))) for k, v in out.items()}


def meetings(kg: Selects) -> list[Meeting]:
    """Every meeting, with its participants (and their posts) and evidence, by date."""
    people: dict[str, set[Participant]] = defaultdict(set)
    for row in kg.select(PARTICIPANTS).values():
        post = Ref(row["post"], row["postLabel"]) if row["post"] else None
        people[row["m"]].add(Participant(Ref(row["person"], row["name"]), post))
    evidence = evidence_by_fact(kg, NKG + "Meeting")
    rows = _grouped(kg.select(MEETINGS), "m")
    out = [
        Meeting(
            iri=iri,
            label=_first_label(group, "label"),
            date=_date(min((str(r["date"]) for r in group if r["date"]), default=None)),
            mode=min((r["mode"] for r in group if r["mode"]), default=None),
            participants=tuple(
                sorted(people[iri], key=lambda p: (p.person.label, p.post.label if p.post else ""))
            ),
            evidence=evidence.get(iri, ()),
        )
        for iri, group in rows.items()
    ]
    return sorted(out, key=lambda m: (m.date or dt.date.min, m.iri))


def agreements(kg: Selects) -> list[Agreement]:
    """Every agreement (MOUs, contracts…) with its parties, figures and evidence."""
    rows = _grouped(kg.select(AGREEMENTS), "a")
    evidence = evidence_by_fact(kg, NKG + "Agreement")
    figures = figures_by_subject(kg, NKG + "Agreement")
    out = []
    for iri, group in rows.items():
        classes = {r["cls"] for r in group}
        # The most specific kind wins: an MOU is also typed nkg:Agreement by the closure.
        kind = next(k for c, k in AGREEMENT_KINDS.items() if c in classes)
        parties = {Ref(r["party"], r["partyLabel"]) for r in group if r["party"]}
        out.append(
            Agreement(
                iri=iri,
                label=_first_label(group, "label"),
                kind=kind,
                parties=tuple(sorted(parties, key=lambda p: (p.label, p.iri))),
                figures=figures.get(iri, ()),
                evidence=evidence.get(iri, ()),
            )
        )
    return sorted(out, key=lambda a: (a.label, a.iri))


def programmes(kg: Selects) -> list[Programme]:
    """Every training programme with its provider, founding date and reported figures."""
    rows = _grouped(kg.select(PROGRAMMES), "p")
    figures = figures_by_subject(kg, NKG + "TrainingProgramme")
    out = []
    for iri, group in rows.items():
        provider = min(
            (Ref(r["provider"], r["providerLabel"]) for r in group if r["provider"]),
            key=lambda p: (p.label, p.iri),
            default=None,
        )
        founded = min((str(r["founded"]) for r in group if r["founded"] is not None), default=None)
        out.append(
            Programme(
                iri=iri,
                label=_first_label(group, "label"),
                provider=provider,
                founded=founded,
                figures=figures.get(iri, ()),
            )
        )
    return sorted(out, key=lambda p: (p.label, p.iri))


def quotes(kg: Selects, speaker: ox.NamedNode | ox.BlankNode | None = None) -> list[Quote]:
    """Direct quotes in article order; ``speaker`` narrows them."""
    bindings: dict[str, Any] = {}
    if speaker is not None:
        bindings["speaker"] = speaker
    rows = _grouped(kg.select(QUOTES, **bindings), "q")
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
    "Figure",
    "Meeting",
    "Participant",
    "Programme",
    "Quote",
    "Ref",
    "agreements",
    "meetings",
    "programmes",
    "quotes",
]
