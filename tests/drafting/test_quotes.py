"""Direct quotations, their attribution and speaker candidates."""

from newskg.drafting.mentions import EntityMatcher
from newskg.drafting.quotes import quotations
from newskg.drafting.text import ArticleText

ENTITIES = [
    {"id": "ren", "type": "Person", "label": "Ren Zhengfei", "aliases": ["Ren"]},
    {"id": "prayut", "type": "Person", "label": "Prayut", "aliases": []},
    {"id": "pm", "type": "Post", "label": "Thai PM", "aliases": []},
    {"id": "huawei", "type": "Organization", "label": "Huawei", "aliases": []},
]
AGENTS = frozenset({"Person", "Organization"})


def _quotes(text: str, holders=None):
    article = ArticleText(text)
    mentions = EntityMatcher(ENTITIES).mentions(text)
    return [
        (
            text[q.start : q.end],
            [text[s.start : s.end] for s in q.attribution],
            list(q.speakers),
        )
        for q in quotations(article, mentions, holders or {}, AGENTS)
    ]


def test_the_attribution_after_and_before_a_quotation():
    text = (
        '"We are ready to build it all," Ren said.\n\n'
        'Prayut stated that "Thailand welcomes every partner here."'
    )
    assert _quotes(text) == [
        ("We are ready to build it all,", ["Ren said."], ["ren"]),
        ("Thailand welcomes every partner here.", ["Prayut stated that"], ["prayut"]),
    ]


def test_the_short_sentence_after_a_closed_quotation_is_its_attribution():
    text = 'Ren met him.\n\n"We have strong belief in it. Our team will work." Ren said.'
    assert _quotes(text)[0][1:] == (["Ren said."], ["ren"])


def test_a_pronoun_points_at_the_last_person_named_and_a_post_at_its_holder():
    text = 'The Thai PM spoke first. "I am deeply impressed by all of this," he added.'
    assert _quotes(text, {"pm": "prayut"})[0][2] == ["prayut"]


def test_an_agent_speaks_when_no_person_is_named():
    assert _quotes('"Growth will continue next year," Huawei said.')[0][2] == ["huawei"]


def test_scare_quotes_are_no_quotations_and_an_open_mark_runs_to_the_paragraph_end():
    text = 'A so-called "smart" city. She spoke: "This goes on and on\n\nNext.'
    assert _quotes(text) == [("This goes on and on", ["She spoke:"], [])]
