"""The draft of the seed article, made from its text alone with the registry as it is: what
issue 16's "Done when" asks of it, and that it is a facts file the loader reads back."""

from __future__ import annotations

import pytest

from newskg import located_yaml
from newskg.drafting.writer import render
from newskg.inputs.evidence import find_quote
from newskg.inputs.review import DRAFT, DRAFT_SECTIONS
from tests.conftest import FIXTURE_ARTICLES, SEED


@pytest.fixture(scope="module")
def seed_draft(draft):
    return draft((SEED / "article.txt").read_text(encoding="utf-8")).sections


def test_every_direct_quote_is_drafted_with_its_speaker(seed_draft):
    curated = located_yaml.load(SEED / "facts.yaml")["quotes"]
    drafted = {(q["text"], q["speaker"]) for q in seed_draft["quotes"]}
    assert {(q["text"], q["speaker"]) for q in curated} == drafted


def test_every_figure_is_drafted_with_its_comparator(seed_draft):
    figures = [(f["value"], f["comparator"], f["unit"]) for f in seed_draft["figures"]]
    assert figures == [
        (41000, "greater-than", "ICT professionals"),
        (1300, "exactly", "small and medium-sized enterprises"),
        (20, "greater-than", "Thai universities"),
    ]
    assert [f.get("according_to") for f in seed_draft["figures"]] == ["press-release"] * 2 + [None]


def test_the_meeting_is_drafted_with_its_date_mode_and_participants_in_their_posts(seed_draft):
    (meeting,) = seed_draft["events"]
    assert (meeting["kind"], meeting["date"], meeting["mode"]) == (
        "meeting",
        "2021-11-25",
        "virtual",
    )
    assert meeting["participants"] == [
        {"person": "prayut-chan-o-cha", "capacity": "prime-minister-of-thailand"},
        {"person": "ren-zhengfei", "capacity": "ceo-of-huawei"},
    ]
    assert meeting["label"] is None and "fill: label" in meeting[DRAFT]
    assert all(q["during"] == meeting["id"] for q in seed_draft["quotes"])


def test_skeletons_take_what_their_sentences_name(seed_draft):
    (mou,) = seed_draft["agreements"]
    assert (mou["kind"], mou["parties"]) == ("mou", ["huawei", "thai-universities"])
    (founding,) = seed_draft["establishments"]
    assert (founding["subject"], founding["founder"], founding["date"]) == (
        "huawei-asean-academy-thailand",
        "huawei",
        2019,
    )
    assert [(p["person"], p["post"]) for p in seed_draft["post_holdings"]] == [
        ("prayut-chan-o-cha", "prime-minister-of-thailand"),
        ("ren-zhengfei", "ceo-of-huawei"),
    ]
    assert seed_draft["article"]["date"] == "2021-11-25"
    assert seed_draft["article"]["title"] is None  # the seed has no headline: to fill


def test_every_record_is_marked_and_no_name_is_added_to_the_registry(seed_draft):
    for section, records in seed_draft.items():
        if section in DRAFT_SECTIONS or section == "article":
            continue
        assert all(DRAFT in record for record in records), section
    assert seed_draft["article"][DRAFT]
    assert [c["name"] for c in seed_draft["candidates"]] == ["Thai"]


@pytest.mark.parametrize(
    "folder",
    [SEED, *sorted(p for p in FIXTURE_ARTICLES.iterdir() if p.is_dir())],
    ids=lambda p: p.name,
)
def test_the_written_draft_reads_back_and_every_quote_is_verbatim(draft, folder):
    text = (folder / "article.txt").read_text(encoding="utf-8")
    written = render(draft(text))
    data = located_yaml.loads(written, "facts.yaml")
    quotes = 0
    for section, records in data.items():
        for record in records if isinstance(records, list) else [records]:
            items = list(record.get("evidence", []))
            if section == "quotes":
                items.append({"quote": record["text"], "occurrence": record.get("occurrence")})
            for item in items:
                quote, occurrence = (
                    (item["quote"], item["occurrence"]) if isinstance(item, dict) else (item, None)
                )
                find_quote(text, quote, occurrence)  # raises if not verbatim and unique
                quotes += 1
    assert quotes > 10


def test_a_text_with_crlf_and_a_byte_order_mark_drafts_quotes_found_in_it(draft):
    text = (
        "\ufeffHuawei Technologies CEO Ren Zhengfei met Thai officials on 3 March 2023.\r\n"
        '\r\n"We will train over 5,000 engineers there," Ren said.\r\n'
    )
    data = located_yaml.loads(render(draft(text)), "facts.yaml")
    assert data["article"]["date"] == "2023-03-03"
    (quote,) = data["quotes"]
    assert quote["speaker"] == "ren-zhengfei"
    for item in [*data["events"][0]["evidence"], quote["text"], *quote["evidence"]]:
        find_quote(text, item, None)
    assert data["figures"][0]["value"] == 5000
