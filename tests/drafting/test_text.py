"""The article text as the drafter reads it: offsets into the text as received."""

from newskg.drafting.text import ArticleText
from newskg.inputs.evidence import find_quote


def _located(text: str, item) -> str:
    quote, occurrence = (
        (item["quote"], item["occurrence"]) if isinstance(item, dict) else (item, None)
    )
    span = find_quote(text, quote, occurrence)
    return text[span.start : span.end]


def test_a_quotation_with_full_stops_inside_stays_one_sentence():
    article = ArticleText('He said: "We are ready. We will go." Then he left.\n\nA new one.')
    assert [s.text for s in article.sentences] == [
        'He said: "We are ready. We will go."',
        "Then he left.",
        "A new one.",
    ]
    assert [s.paragraph for s in article.sentences] == [0, 0, 1]


def test_offsets_count_a_byte_order_mark_and_crlf_line_ends():
    text = "\ufeffFirst one here.\r\nSecond one, here.\r\n\r\nThird."
    article = ArticleText(text)
    assert [s.text for s in article.sentences] == ["First one here.", "Second one, here.", "Third."]
    for sentence in article.sentences:
        assert text[sentence.start : sentence.end] == sentence.text
        assert _located(text, article.evidence(sentence.start, sentence.end)) == sentence.text


def test_a_quote_that_occurs_twice_says_which_occurrence():
    text = "Ren said. Then more happened. Ren said."
    article = ArticleText(text)
    last = article.sentences[-1]
    assert article.evidence(last.start, last.end) == {"quote": "Ren said.", "occurrence": 2}
