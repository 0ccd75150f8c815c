from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newskg.mapping import terms


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [
        ("Bob", "Bob"),
        ("Bob/Charles", "Bob%2FCharles"),
        ("Emily Smith", "Emily%20Smith"),
        ("path/../Danny", "path%2F..%2FDanny"),
        ("http://ex.com/a", "http%3A%2F%2Fex.com%2Fa"),
        ("a-b.c_d~e", "a-b.c_d~e"),
        ("Zoë Krüger", "Zoë%20Krüger"),  # ucschar survive in an IRI (RML-Core)
        ("a%b", "a%25b"),
        ("{x}<y>", "%7Bx%7D%3Cy%3E"),
    ],
)
def test_iri_safe(raw, encoded):
    assert terms.iri_safe(raw) == encoded


def test_uri_safe_encodes_non_ascii_as_utf8():
    assert terms.uri_safe("Zoë Krüger") == "Zo%C3%AB%20Kr%C3%BCger"


def test_iri_safe_lone_surrogate_is_encoded_not_crashing():
    assert terms.iri_safe("a\ud800") == "a%ED%A0%80"


@pytest.mark.parametrize(
    ("lex", "nt"),
    [
        ("plain", '"plain"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("back\\slash", '"back\\\\slash"'),
        ("two\nlines\r", '"two\\nlines\\r"'),
        ("tab\tstays", '"tab\tstays"'),
    ],
)
def test_quote_literal_uses_exactly_the_ntriples_escapes(lex, nt):
    assert terms.quote_literal(lex) == nt


@pytest.mark.parametrize(
    ("value", "pair"),
    [
        ("x", ("x", terms.XSD_STRING)),
        (True, ("true", terms.XSD_BOOLEAN)),
        (False, ("false", terms.XSD_BOOLEAN)),
        (30, ("30", terms.XSD_INTEGER)),
        (30.5, ("3.05E1", terms.XSD_DOUBLE)),
        (0.001, ("1.0E-3", terms.XSD_DOUBLE)),
        (Decimal("1.10"), ("1.10", terms.XSD_DECIMAL)),
        ([1], None),
        ({"a": 1}, None),
    ],
)
def test_natural_mapping(value, pair):
    assert terms.natural(value) == pair


@pytest.mark.parametrize("tag", ["en", "en-GB", "th", "zh-Hant-TW", "x-private", "es-419"])
def test_valid_language_tags(tag):
    assert terms.is_language_tag(tag)


@pytest.mark.parametrize("tag", ["a-english", "", "en_GB", "english-is-very-long-tag-123456789"])
def test_invalid_language_tags(tag):
    assert not terms.is_language_tag(tag)


@pytest.mark.parametrize(
    ("lex", "dt", "ok"),
    [
        ("2021-11-25", "date", True),
        ("2021-02-29", "date", False),
        ("2020-02-29", "date", True),
        ("2021-13-01", "date", False),
        ("25/11/2021", "date", False),
        ("2019", "gYear", True),
        ("19", "gYear", False),
        ("41000", "integer", True),
        ("41,000", "integer", False),
        ("-1", "nonNegativeInteger", False),
        ("0", "nonNegativeInteger", True),
        ("1.5", "decimal", True),
        ("1.5e3", "decimal", False),
        ("1.5e3", "double", True),
        ("true", "boolean", True),
        ("yes", "boolean", False),
        ("2021-11-25T10:00:00Z", "dateTime", True),
        ("2021-11-25 10:00", "dateTime", False),
        ("anything at all", "string", True),
        ("300", "byte", False),
    ],
)
def test_lexical_checks(lex, dt, ok):
    assert terms.lexical_ok(lex, terms.XSD + dt) is ok


def test_non_xsd_datatypes_are_not_checked():
    assert terms.lexical_ok("whatever", "http://example.com/datatype#int")


def test_unknown_xsd_name_is_a_problem():
    assert terms.datatype_problem(terms.XSD + "integr") == "xsd:integr is not an XSD datatype"
    assert terms.datatype_problem(terms.XSD + "integer") is None


def test_bnode_labels_are_deterministic_and_injective():
    a, b, c = (
        terms.bnode_label("Bob Smith"),
        terms.bnode_label("Bob_Smith"),
        terms.bnode_label("Bob_20Smith"),
    )
    assert a == terms.bnode_label("Bob Smith")
    assert len({a, b, c}) == 3
    assert a == "_:vBob_20Smith"


def test_iri_problem():
    assert terms.iri_problem("https://ex.com/a%20b") is None
    assert "absolute" in terms.iri_problem("relative/path")
    assert "' '" in terms.iri_problem("http://ex.com/a b")
    assert "'%'" in terms.iri_problem("http://ex.com/100%")


@given(st.lists(st.text(), max_size=8))
def test_a_column_is_encoded_as_each_of_its_values(values):
    """The column encoders (one replace per character over the joined column) give exactly
    what the per-value functions give, separator characters and '%' included."""
    assert terms.iri_safe_all(values) == [terms.iri_safe(v) for v in values]
    assert terms.escape_all(values) == [terms.quote_literal(v)[1:-1] for v in values]


@given(st.lists(st.text(st.characters(max_codepoint=127)), max_size=8))
def test_an_ascii_column_is_encoded_as_each_of_its_values(values):
    """ASCII columns take their own route (the unreserved bytes deleted to find the rest)."""
    assert terms.iri_safe_all(values) == [terms.iri_safe(v) for v in values]


@pytest.mark.parametrize(
    "values",
    [["a b", "c%d", "e%20f"], ["x\x00y", "z w"], ["Zoë\u00a0K", "100%"], ['say "hi"\\', "\n"]],
)
def test_column_encoding_examples(values):
    assert terms.iri_safe_all(values) == [terms.iri_safe(v) for v in values]
    assert terms.escape_all(values) == [terms.quote_literal(v)[1:-1] for v in values]
