"""Saved queries and typed views over articles of several shapes: the seed and the fixture
articles (an MOU signing ceremony, a second report of the seed's meeting, a talent summit)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from newskg.query.graph import KnowledgeGraph
from newskg.query.saved import find_query
from newskg.query.terms import Iri
from tests.conftest import ROOT

BASE = "https://w3id.org/newskg/id/"
MEETING = BASE + "prayut-ren-meeting-2021"
MOU = BASE + "depa-eec-huawei-mou-2022"
SEED_TITLE = "Thai PM Prayut Chan-o-cha and Huawei CEO Ren Zhengfei discuss digital cooperation"
SECOND_TITLE = "Huawei CEO Ren Zhengfei meets Thai Prime Minister on digital talent"


@pytest.fixture(scope="module")
def kg(beat_kg: Path) -> KnowledgeGraph:
    return KnowledgeGraph.open(beat_kg / "kg")


def rows(kg: KnowledgeGraph, name: str, **bindings) -> list[dict]:
    return kg.select(find_query(name, ROOT / "queries").text, **bindings).values()


def _people(participants) -> set[tuple[str, str | None]]:
    return {(p.person.label, p.post.label if p.post else None) for p in participants}


# --- an MOU signing ceremony --------------------------------------------------------------------


def test_an_agreement_has_its_signing_signatories_witnesses_term_and_event(kg):
    (mou,) = [a for a in kg.agreements() if a.iri == MOU]
    assert mou.kind == "mou" and mou.signed == dt.date(2022, 3, 15)
    assert mou.place is not None and mou.place.label == "Queen Sirikit National Convention Center"
    assert _people(mou.signatories) == {
        ("Kanokwan Srisuk", "President of depa"),
        ("Anan Chaiyaporn", "Secretary-General of the EEC Office"),
        ("Li Wei", "CEO of Huawei Technologies (Thailand)"),
    }
    assert _people(mou.witnesses) == {
        ("Prasert Boonmee", "Minister of Digital Economy and Society")
    }
    assert (mou.term, mou.valid_from, mou.valid_until) == ("three years", "2022-04", "2025-03")
    assert mou.event is not None and mou.event.label.startswith("Signing of the depa")
    # Reported by two articles, it is one node: the parties of both, its figures.
    assert {p.label for p in mou.parties} == {
        "Digital Economy Promotion Agency",
        "Eastern Economic Corridor Office",
        "Huawei Technologies (Thailand)",
    }
    (trained,) = mou.figures
    assert (trained.value, trained.kind, trained.speaker.label) == (3200, "achieved", "David Chen")


def test_the_agreements_query_lists_signatories_and_witnesses_with_their_posts(kg):
    found = {
        (r["role"], r["person"], r["capacity"], str(r["signed"]), r["place"])
        for r in rows(kg, "agreements")
        if r["kind"] == "Memorandum of understanding" and r["signed"] is not None
    }
    assert ("witness", "Prasert Boonmee", "Minister of Digital Economy and Society",
            "2022-03-15", "Queen Sirikit National Convention Center") in found  # fmt: skip
    assert {r[1] for r in found if r[0] == "signatory"} == {
        "Kanokwan Srisuk", "Anan Chaiyaporn", "Li Wei"
    }  # fmt: skip


def test_what_is_done_under_an_agreement_links_to_it(kg):
    under = kg.select(
        "SELECT ?a ?what WHERE { ?x nkg:underAgreement ?a ; rdfs:label|nkg:purpose ?what }",
        a=Iri(MOU),
    ).values()
    assert {r["what"] for r in under} == {
        "Cloud and 5G training programme for the Eastern Economic Corridor",
        "Train engineers for the corridor.",
    }


# --- the same meeting in two articles ----------------------------------------------------------


def test_a_meeting_two_articles_report_is_one_node(kg):
    (meeting,) = [e for e in kg.events() if e.iri == MEETING]
    assert meeting.kind == "meeting"
    assert meeting.label.startswith("Virtual executive meeting")  # the registry's label
    assert {p.person.label for p in meeting.participants} == {
        "Prayut Chan-o-cha", "Ren Zhengfei", "Li Wei", "Prasert Boonmee"
    }  # fmt: skip
    # Each article's evidence is kept: quotes from both texts.
    assert len({e.article for e in meeting.evidence}) == 2


def test_disagreements_list_each_value_with_its_article(kg):
    found = {
        (r["property"], r["valueLabel"] or str(r["value"]), r["article"][:40])
        for r in rows(kg, "disagreements")
        if r["node"] == MEETING
    }
    assert ("https://schema.org/startDate", "2021-11-25", SEED_TITLE[:40]) in found
    assert ("https://schema.org/startDate", "2021-11-24", SECOND_TITLE[:40]) in found
    assert ("https://schema.org/attendee", "Li Wei", SECOND_TITLE[:40]) in found
    # Aligned super-properties (dcterms:subject of nkg:topic) are not listed again.
    assert not any(p.startswith("http://purl.org/dc/terms/") for p, _, _ in found)


def test_the_meetings_query_pairs_each_date_with_its_own_article(kg):
    pairs = {(str(r["date"]), r["participant"]) for r in rows(kg, "meetings")}
    assert ("2021-11-24", "Li Wei") in pairs and ("2021-11-25", "Li Wei") not in pairs
    assert ("2021-11-25", "Ren Zhengfei") in pairs and ("2021-11-24", "Ren Zhengfei") in pairs


# --- a summit with agreements and targets -------------------------------------------------------


def test_a_summit_has_dates_mode_venue_organisers_and_announced_agreements(kg):
    (summit,) = [e for e in kg.events() if e.kind == "summit"]
    assert (summit.date, summit.end_date, summit.mode) == (
        dt.date(2022, 9, 6), dt.date(2022, 9, 7), "hybrid"
    )  # fmt: skip
    assert {o.label for o in summit.organisers} == {
        "Digital Economy Promotion Agency", "Huawei Technologies (Thailand)"
    }  # fmt: skip
    announced = {a.kind for a in kg.agreements() if a.event and a.event.iri == summit.iri}
    assert announced == {"agreement", "contract"}


def test_targets_for_a_later_year_are_kept_apart_from_achieved_figures(kg):
    history = rows(kg, "figure-history")
    targets = {(r["measure"], str(r["by"]), r["speaker"]) for r in history if r["kind"] == "target"}
    assert ("certified cloud professionals", "2025", "Kanokwan Srisuk") in targets
    assert ("further ICT professionals trained in Thailand", "2024", "Ren Zhengfei") in targets
    achieved = [r for r in history if r["kind"] == "achieved"]
    assert all(r["by"] is None for r in achieved)
    attendance = {(r["about"], r["comparator"], r["value"]) for r in achieved}
    assert ("Thailand Digital Talent Summit 2022", "greater than", 1500) in attendance


def test_a_goal_has_several_holders_and_a_target_year(kg):
    (goal,) = kg.select(
        "SELECT ?goal (GROUP_CONCAT(?name; separator='|') AS ?holders) ?by WHERE {"
        " ?goal a nkg:Goal ; nkg:targetDate ?by ; nkg:holder/rdfs:label ?name }"
        " GROUP BY ?goal ?by"
    ).values()
    assert set(goal["holders"].split("|")) == {"Thailand", "Digital Economy Promotion Agency"}
    assert str(goal["by"]) == "2025"


# --- posts over time, places, timeline ----------------------------------------------------------


def test_a_post_held_by_two_people_shows_each_with_its_time(kg):
    ceo = [h for h in kg.post_holders() if h.post.label == "CEO of Huawei Technologies (Thailand)"]
    assert [(h.person.label, h.as_of) for h in ceo if h.stated] == [
        ("Li Wei", dt.date(2021, 11, 26)),
        ("David Chen", dt.date(2022, 9, 8)),
        ("Li Wei", dt.date(2022, 9, 8)),
    ]
    assert {h.end for h in ceo if h.person.label == "Li Wei"} == {None, "2022-08"}


def test_places_nest(kg):
    inside = kg.select(
        "SELECT ?v ?name WHERE { ?v schema:containedInPlace+ ?p . ?p rdfs:label ?name }",
        v=Iri(BASE + "queen-sirikit-national-convention-center"),
    ).values()
    assert {r["name"] for r in inside} == {"Bangkok", "Thailand"}


def test_the_timeline_of_an_entity_is_in_date_order_across_articles(kg):
    entries = kg.timeline("huawei-thailand")
    dates = [e.date for e in entries]
    assert dates == sorted(dates)
    kinds = [e.kind for e in entries]
    assert kinds.index("MemorandumOfUnderstanding") < kinds.index("Summit")
    assert {e.article for e in entries} >= {BASE + "fx1-mou-signing-ceremony",
                                            BASE + "fx3-talent-summit"}  # fmt: skip
