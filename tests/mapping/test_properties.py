"""Property tests: encoding always yields valid IRIs, runs are deterministic, output parses."""

import textwrap
from pathlib import Path

import pyoxigraph
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newskg.mapping import load_mappings

MAPPING = textwrap.dedent(
    """\
    prefixes:
      ex: http://example.com/
    mappings:
      thing:
        sources: [data.json~jsonpath, "$.items[*]"]
        s: ex:thing/$(name)
        graphs: ex:graph/$(name)
        po:
          - [ex:label, $(name)]
          - [ex:label, $(name), en~lang]
          - [ex:tag, ex:tag/$(tags)~iri]
          - [ex:n, $(n)]
          - [ex:x, "$(name)-$(tags)"]
          - p: ex:node
            o: {value: "$(name)", type: blank}
    """
)
# Any text, including quotes, backslashes, newlines, braces and non-ASCII.
names = st.text(min_size=1, max_size=30)
items = st.lists(
    st.fixed_dictionaries(
        {
            "name": names,
            "tags": st.lists(names, max_size=3),
            "n": st.one_of(
                st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.booleans()
            ),
        }
    ),
    max_size=5,
)


def _mapping_set(tmp_path_factory):
    path: Path = tmp_path_factory.mktemp("prop") / "m.yaml"
    path.write_text(MAPPING, encoding="utf-8")
    return load_mappings([path])


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=names)
def test_any_string_in_an_iri_template_gives_a_valid_iri(tmp_path_factory, value):
    ms = _mapping_set(tmp_path_factory)
    quads = list(ms.materialise({"data.json": {"items": [{"name": value}]}}))
    for s, _, o, g in quads:
        for term in (s, g, o):
            if term.startswith("<"):
                pyoxigraph.NamedNode(term[1:-1])  # raises ValueError if not a valid IRI


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=items)
def test_materialisation_is_deterministic_and_parses_as_nquads(tmp_path_factory, data):
    ms = _mapping_set(tmp_path_factory)
    first = list(ms.materialise({"data.json": {"items": data}}))
    second = list(ms.materialise({"data.json": {"items": data}}))
    assert first == second
    assert len(first) == len(set(first))
    text = "".join(f"{s} {p} {o} {g} .\n" if g else f"{s} {p} {o} .\n" for s, p, o, g in first)
    parsed = list(pyoxigraph.parse(text.encode("utf-8"), format=pyoxigraph.RdfFormat.N_QUADS))
    assert len(parsed) == len(first)
