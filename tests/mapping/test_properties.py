"""Property tests: encoding always yields valid IRIs, runs are deterministic, output parses."""

import io
import textwrap
from pathlib import Path
from urllib.parse import quote

import pyoxigraph
import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib.compare import isomorphic

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


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=names)
def test_any_string_in_an_iri_template_gives_a_valid_iri(tmp_path_factory, value):
    ms = _mapping_set(tmp_path_factory)
    quads = list(ms.materialise({"data.json": {"items": [{"name": value}]}}))
    for s, _, o, g in quads:
        for term in (s, g, o):
            if term.startswith("<"):
                pyoxigraph.NamedNode(term[1:-1])  # raises ValueError if not a valid IRI


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
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


def _is_valid_rdflib_iri(iri: str) -> bool:
    from rdflib.term import _is_valid_uri

    return _is_valid_uri(iri)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=st.text(max_size=30), prefix=st.sampled_from(["", "a/", "x#", "?q="]))
def test_any_string_in_an_iri_template_is_valid_for_both_parsers(tmp_path_factory, value, prefix):
    """Templates anywhere in the IRI (path, fragment, query), checked by pyoxigraph and
    rdflib, term by term and as a parsed N-Quads line."""
    path: Path = tmp_path_factory.mktemp("tpl") / "m.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            mappings:
              t:
                sources: [data.json~jsonpath, "$.items[*]"]
                s: http://example.com/{prefix}$(v)
                po:
                  - [http://example.com/p, "http://example.com/{prefix}$(v)/x~iri"]
            """
        ),
        encoding="utf-8",
    )
    (quad,) = {
        q[:3] for q in load_mappings([path]).materialise({"data.json": {"items": [{"v": value}]}})
    }
    for term in (quad[0], quad[2]):
        iri = term[1:-1]
        pyoxigraph.NamedNode(iri)
        assert _is_valid_rdflib_iri(iri), iri
    line = " ".join(quad) + " .\n"
    g = rdflib.Graph().parse(data=line, format="nt")
    assert len(g) == 1
    assert {str(t) for t in next(iter(g))} >= {quad[0][1:-1], quad[2][1:-1]}


def _fold(rows) -> rdflib.Graph:
    """(s, p, o, graph-name) rdflib terms as one graph, each graph name folded into the
    predicate, so that rdflib.compare.isomorphic matches blank nodes across graphs."""
    g = rdflib.Graph()
    for s, p, o, c in rows:
        g.add((s, rdflib.URIRef(f"urn:graph:{quote(c, safe='')}:{quote(str(p), safe='')}"), o))
    return g


def _dataset_rows(data: str, format: str):
    """(s, p, o, graph-name) rows of a parsed dataset, "" for the default graph."""
    ds = rdflib.Dataset()
    ds.parse(data=data, format=format)
    for s, p, o, c in ds.quads((None, None, None, None)):
        name = c.identifier if isinstance(c, rdflib.Graph) else c
        default = name is None or name == rdflib.graph.DATASET_DEFAULT_GRAPH_ID
        yield s, p, o, "" if default else str(name)


def _rdflib_rows(trig: str):
    return _dataset_rows(trig, "trig")


def _nquads_rows(quads):
    text = "".join(f"{s} {p} {o} {c} .\n" if c else f"{s} {p} {o} .\n" for s, p, o, c in quads)
    return _dataset_rows(text, "nquads")


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=items)
def test_export_then_reparse_is_isomorphic(tmp_path_factory, data):
    """newskg's TriG and Turtle exports, re-parsed by rdflib and pyoxigraph, give back the
    same graph (blank nodes up to renaming)."""
    from newskg.exports.rdf_text import write_trig, write_turtle

    ms = _mapping_set(tmp_path_factory)
    quads = sorted(ms.materialise({"data.json": {"items": data}}))
    trig, ttl = io.StringIO(), io.StringIO()
    write_trig(quads, trig)
    write_turtle(quads, ttl)

    assert isomorphic(_fold(_rdflib_rows(trig.getvalue())), _fold(_nquads_rows(quads)))

    ox_quads = list(pyoxigraph.parse(trig.getvalue().encode(), format=pyoxigraph.RdfFormat.TRIG))
    assert len(ox_quads) == len(quads)
    union = rdflib.Graph().parse(data=ttl.getvalue(), format="turtle")
    triples = {q[:3] for q in quads}
    expected = rdflib.Graph().parse(
        data="".join(" ".join(t) + " .\n" for t in triples), format="nt"
    )
    assert isomorphic(union, expected)
