"""What a facts.yaml may contain, declared as data.

Each section of facts.yaml is a list of records; each record field has a :class:`Field` that
says how to check and normalise it. The loader (``article.py``) walks this table, so adding a
field or a section is a change here and in a mapping, not in loader code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from newskg.model.iris import ONTOLOGY

AGENTS = frozenset({"Person", "Organization", "GovernmentBody", "Country", "Group"})
ANY_ENTITY = frozenset(
    {*AGENTS, "Post", "Programme", "Strategy", "Concept"},
)


class Kind(Enum):
    TEXT = "text"  # non-empty string
    DATE = "date"  # YYYY-MM-DD
    YEAR_OR_DATE = "year-or-date"
    NUMBER = "number"  # exact number -> lexical + datatype
    LANGUAGE = "language"
    URL = "url"
    BOOL = "bool"
    ENUM = "enum"  # closed vocabulary -> ontology individual IRI
    REF = "ref"  # one entity id (of `types`) or fact id (of `sections`)
    REFS = "refs"  # list of the above
    SOURCE = "source"  # id in the article's `sources`
    PARTICIPANTS = "participants"  # list of {person, capacity}
    OCCURRENCE = "occurrence"  # which occurrence of a quote; checked with the evidence


@dataclass(frozen=True)
class Field:
    kind: Kind
    required: bool = False
    types: frozenset[str] = frozenset()  # allowed entity types for REF/REFS
    sections: frozenset[str] = frozenset()  # allowed fact sections for REF/REFS
    scheme: str | None = None  # Concept refs must be in this SKOS scheme
    values: dict[str, str] = field(default_factory=dict)  # ENUM: word -> IRI
    help: str = ""


def _concepts(scheme: str, required: bool = False) -> Field:
    return Field(Kind.REFS, required, frozenset({"Concept"}), scheme=scheme)


def _enum(words: dict[str, str]) -> Field:
    """A required closed vocabulary: curator's word -> ontology individual (local name)."""
    return Field(
        Kind.ENUM, required=True, values={w: ONTOLOGY + local for w, local in words.items()}
    )


def _agent(required: bool = True) -> Field:
    return Field(Kind.REF, required, AGENTS)


def _agents(required: bool = True) -> Field:
    return Field(Kind.REFS, required, AGENTS)


EVIDENCE_FIELD = "evidence"
COMMON = {
    "id": Field(Kind.TEXT, required=True),
    "according_to": Field(Kind.SOURCE),
    "note": Field(Kind.TEXT),
    EVIDENCE_FIELD: Field(Kind.TEXT),  # checked by evidence.py, listed here to be a known key
}

ARTICLE_FIELDS: dict[str, Field] = {
    "title": Field(Kind.TEXT, required=True),
    "date": Field(Kind.DATE, required=True),
    "publisher": Field(Kind.REF, types=frozenset({"Organization", "GovernmentBody"})),
    "language": Field(Kind.LANGUAGE, required=True),
    "url": Field(Kind.URL),
    "synthetic": Field(Kind.BOOL),
}

SOURCE_FIELDS: dict[str, Field] = {
    "id": Field(Kind.TEXT, required=True),
    "label": Field(Kind.TEXT, required=True),
    "kind": _enum(
        {
            "PressRelease": "PressRelease",
            "Statement": "Source",
            "Report": "Source",
            "Interview": "Source",
        }
    ),
}


@dataclass(frozen=True)
class Section:
    name: str  # key in facts.yaml and in the normalised document
    segment: str  # IRI path segment
    fields: dict[str, Field]
    needs_evidence: bool = True


SECTIONS: dict[str, Section] = {
    s.name: s
    for s in [
        Section(
            "meetings",
            "meeting",
            {
                "label": Field(Kind.TEXT, required=True),
                "date": Field(Kind.DATE, required=True),
                "mode": _enum(
                    {
                        "virtual": "Virtual",
                        "in-person": "InPerson",
                        "hybrid": "Hybrid",
                    }
                ),
                "participants": Field(Kind.PARTICIPANTS, required=True),
                "location": Field(Kind.REF, types=frozenset({"Country", "Organization"})),
                "topics": _concepts("topics"),
                "summary": Field(Kind.TEXT),
            },
        ),
        Section(
            "quotes",
            "quote",
            {
                "speaker": _agent(),
                "text": Field(Kind.TEXT, required=True),
                "occurrence": Field(Kind.OCCURRENCE),
                "during": Field(Kind.REF, sections=frozenset({"meetings"})),
            },
            needs_evidence=False,  # the quoted text is its own evidence
        ),
        Section(
            "statements",
            "statement",
            {
                "speaker": _agent(),
                "kind": Field(Kind.REF, True, frozenset({"Concept"}), scheme="statement-kinds"),
                "content": Field(Kind.TEXT, required=True),
                "addressee": Field(Kind.REF, types=ANY_ENTITY),
                "about": Field(Kind.REFS, types=ANY_ENTITY, sections=frozenset({"goals"})),
                "during": Field(Kind.REF, sections=frozenset({"meetings"})),
            },
        ),
        Section(
            "cooperations",
            "cooperation",
            {
                "label": Field(Kind.TEXT, required=True),
                "status": _enum(
                    {
                        "proposed": "Proposed",
                        "ongoing": "Ongoing",
                        "planned": "Planned",
                    }
                ),
                "parties": _agents(),
                "proposed_by": _agent(required=False),
                "areas": _concepts("cooperation-areas"),
                "technologies": _concepts("technologies"),
                "sectors": _concepts("sectors"),
                "scenarios": _concepts("scenarios"),
                "supports": Field(
                    Kind.REFS, types=frozenset({"Strategy"}), sections=frozenset({"goals"})
                ),
            },
        ),
        Section(
            "goals",
            "goal",
            {
                "holder": _agent(),
                "label": Field(Kind.TEXT, required=True),
                "description": Field(Kind.TEXT),
            },
        ),
        Section(
            "establishments",
            "establishment",
            {
                "subject": Field(Kind.REF, True, ANY_ENTITY),
                "founder": _agent(),
                "year": Field(Kind.YEAR_OR_DATE, required=True),
                "location": Field(Kind.REF, types=frozenset({"Country"})),
                "purpose": Field(Kind.TEXT),
            },
        ),
        Section(
            "agreements",
            "agreement",
            {
                "label": Field(Kind.TEXT, required=True),
                "kind": _enum(
                    {
                        "mou": "MemorandumOfUnderstanding",
                        "agreement": "Agreement",
                        "contract": "Contract",
                    }
                ),
                "parties": _agents(),
            },
        ),
        Section(
            "initiatives",
            "initiative",
            {
                "label": Field(Kind.TEXT, required=True),
                "organiser": _agent(),
                "beneficiaries": Field(Kind.REFS, types=ANY_ENTITY),
                "aims": Field(Kind.TEXT),
                "topics": _concepts("topics"),
            },
        ),
        Section(
            "figures",
            "figure",
            {
                "subject": Field(
                    Kind.REF,
                    True,
                    ANY_ENTITY,
                    sections=frozenset(
                        {"meetings", "cooperations", "agreements", "initiatives", "goals"}
                    ),
                ),
                "measure": Field(Kind.TEXT, required=True),
                "value": Field(Kind.NUMBER, required=True),
                "comparator": _enum(
                    {
                        "exactly": "Exactly",
                        "greater-than": "GreaterThan",
                        "less-than": "LessThan",
                        "at-least": "AtLeast",
                        "at-most": "AtMost",
                        "approximately": "Approximately",
                    }
                ),
                "unit": Field(Kind.TEXT, required=True),
                "as_of": Field(Kind.DATE),
            },
        ),
    ]
}

TOP_LEVEL_KEYS = frozenset({"article", "sources", *SECTIONS})
