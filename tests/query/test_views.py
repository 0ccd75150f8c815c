"""Typed read views: meetings, agreements, programmes, quotes as frozen dataclasses."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

import newskg
from newskg.errors import NotFoundError
from newskg.query.views import Agreement, Meeting, Programme, Quote

BASE = "https://w3id.org/newskg/id/"


@pytest.fixture(scope="module")
def kg(built_kg):
    return newskg.KnowledgeGraph.open(built_kg / "kg")


def test_meetings(kg, built_kg):
    (meeting,) = kg.meetings()
    assert isinstance(meeting, Meeting)
    assert meeting.date == dt.date(2021, 11, 25) and meeting.mode == "virtual"
    people = {p.person.label: p.post.label if p.post else None for p in meeting.participants}
    assert people == {
        "Prayut Chan-o-cha": "Prime Minister of Thailand",
        "Ren Zhengfei": "Chief Executive Officer of Huawei Technologies",
    }
    text = (built_kg / "seeds" / "000_62ce04f1d7ffd07b" / "article.txt").read_text()
    assert meeting.evidence and all(text[e.start : e.end] == e.exact for e in meeting.evidence)
    with pytest.raises(dataclasses.FrozenInstanceError):
        meeting.label = "changed"  # type: ignore[misc]
    hash(meeting)  # frozen and made of tuples: usable in sets


def test_agreements_have_kind_parties_and_wording_of_the_count(kg):
    (mous,) = kg.agreements()
    assert isinstance(mous, Agreement) and mous.kind == "mou"
    assert {p.iri for p in mous.parties} == {
        BASE + "huawei",
        BASE + "thai-universities",
    }
    (count,) = mous.figures
    assert (count.value, count.comparator, count.unit) == (20, "greater-than", "Thai university")


def test_programmes(kg):
    (academy,) = kg.programmes()
    assert isinstance(academy, Programme)
    assert academy.provider is not None and academy.provider.iri == BASE + "huawei"
    assert academy.founded == "2019"
    trained = {f.measure: (f.comparator, f.value) for f in academy.figures}
    assert trained["ICT professionals trained"] == ("greater-than", 41000)


def test_quotes_by_speaker_id_label_or_node(kg, built_kg):
    text = (built_kg / "seeds" / "000_62ce04f1d7ffd07b" / "article.txt").read_text()
    everyone = kg.quotes()
    ren = kg.quotes(speaker="ren-zhengfei")
    assert all(isinstance(q, Quote) for q in everyone)
    assert 0 < len(ren) < len(everyone)
    assert {q.speaker.label for q in ren} == {"Ren Zhengfei"}
    assert kg.quotes(speaker="Ren Zhengfei") == ren
    assert kg.quotes(speaker=kg.node("ren-zhengfei")) == ren
    for quote in everyone:
        own = quote.evidence[0]
        assert own.exact == quote.text == text[own.start : own.end]
    starts = [q.evidence[0].start for q in everyone]
    assert starts == sorted(starts)
    assert {q.meeting.iri for q in everyone if q.meeting} <= {m.iri for m in kg.meetings()}


def test_speaker_is_bound_not_pasted(kg):
    # A value that would break a query if it were formatted into the text.
    with pytest.raises(NotFoundError):
        kg.quotes(speaker='x" } ; DROP ALL ; #')
    assert kg.quotes(speaker=newskg.Iri("urn:x:nobody")) == []
