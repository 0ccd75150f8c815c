"""Registry names found in the text, and the capitalised names the registry does not know."""

from newskg.drafting.mentions import EntityMatcher, folded
from newskg.drafting.text import ArticleText

ENTITIES = [
    {"id": "huawei", "type": "Organization", "label": "Huawei Technologies", "aliases": ["Huawei"]},
    {
        "id": "ceo-of-huawei",
        "type": "Post",
        "label": "CEO of Huawei",
        "aliases": ["Huawei Technologies CEO"],
    },
    {"id": "ren-zhengfei", "type": "Person", "label": "Ren Zhengfei", "aliases": ["Ren"]},
    {"id": "digital-economy", "type": "Concept", "label": "Digital economy", "aliases": []},
    {"id": "ai", "type": "Concept", "label": "Artificial intelligence", "aliases": ["AI"]},
]


def _found(text: str) -> list[tuple[str, str]]:
    return [(text[m.start : m.end], m.entity) for m in EntityMatcher(ENTITIES).mentions(text)]


def test_the_leftmost_longest_name_wins():
    text = "Huawei Technologies CEO Ren Zhengfei met Huawei staff."
    assert _found(text) == [
        ("Huawei Technologies CEO", "ceo-of-huawei"),
        ("Ren Zhengfei", "ren-zhengfei"),
        ("Huawei", "huawei"),
    ]


def test_names_match_with_their_case_and_only_as_whole_words():
    assert _found("The current renewal, Renault and ren.") == []
    assert _found("Ren's team and Huawei's plan") == [("Ren", "ren-zhengfei"), ("Huawei", "huawei")]


def test_concepts_match_as_prose_writes_them_but_not_inside_a_name_nor_acronyms_lowercased():
    assert _found("the digital economy and the Digital economy") == [
        ("digital economy", "digital-economy"),
        ("Digital economy", "digital-economy"),
    ]
    assert _found("the Digital Economy Promotion Agency") == []
    assert _found("AI, not ai") == [("AI", "ai")]


def test_folding_keeps_offsets_when_a_lower_case_is_longer():
    assert len(folded("İstanbul Huawei")) == len("İstanbul Huawei")


def test_unknown_capitalised_names_are_candidates_with_a_similar_registry_entry():
    text = (
        "BANGKOK, 3 March - Huwaei Technologies met Kanokwan Srisuk of the Eastern Economic "
        'Corridor Office. "Fine," Prasert said. The end.'
    )
    matcher = EntityMatcher(ENTITIES)
    article = ArticleText(text)
    found = {c.name: c.similar for c in matcher.candidates(article, matcher.mentions(text))}
    assert found == {
        "Huwaei Technologies": "huawei",
        "Kanokwan Srisuk": None,
        "Eastern Economic Corridor Office": None,
        "Prasert": None,
    }


def test_an_empty_registry_finds_nothing():
    assert EntityMatcher([]).mentions("Huawei") == []
