"""The compiled SHACL validator reports exactly what pyshacl reports.

Every comparison is on full results: focus node, path, constraint component, value node and
message, as a multiset. The reference is pyshacl: plain ``pyshacl.validate`` on the whole
union (article + entities + ontology) for the seed article and hand-broken graphs, and the
``--reference`` engine (pyshacl, same data graph) for hypothesis-driven random mutations.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rdflib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyshacl import validate as pyshacl_validate

from newskg.builder import Builder, Project
from newskg.errors import InputError, ValidationError
from newskg.inputs import article_folders
from newskg.model.ontology import shapes_files
from newskg.shacl.compiled import CompiledShapes, UnsupportedShape
from newskg.shacl.reference import report_violations
from newskg.shacl.terms import rdflib_term
from newskg.shacl.validator import ShapesValidator, Violation
from tests.conftest import FIXTURE_SEEDS, ROOT, SEED_ARTICLE

NKG = "https://w3id.org/newskg/ontology#"
OA = "http://www.w3.org/ns/oa#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
COMPARATOR = f"<{NKG}comparator>"
EVIDENCE = f"<{NKG}evidence>"
START, END, EXACT = f"<{OA}start>", f"<{OA}end>", f"<{OA}exact>"
SPEAKER = f"<{NKG}speaker>"
CONCEPT = "<https://w3id.org/newskg/id/digital-economy>"
Quad = tuple[str, str, str, str]
Key = tuple[str, str, str, str, str]


@pytest.fixture(scope="module")
def seed() -> tuple[Builder, object, list[Quad]]:
    builder = Builder(Project(ROOT, seeds=FIXTURE_SEEDS))
    validator, builder.validator = builder.validator, None
    article, quads = builder.article_quads(FIXTURE_SEEDS / SEED_ARTICLE)
    builder.validator = validator
    return builder, article, quads


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[Builder, list[list[Quad]]]:
    from newskg.tools.synth import synthesise

    seeds = tmp_path_factory.mktemp("synth") / "seeds"
    synthesise(3, seeds)
    builder = Builder(Project(ROOT, seeds=seeds), validate=False)
    articles = [builder.article_quads(f)[1] for f in article_folders(seeds)]
    return builder, articles


@pytest.fixture(scope="module")
def fast() -> ShapesValidator:
    return ShapesValidator(shapes_files(ROOT / "ontology"))


@pytest.fixture(scope="module")
def reference() -> ShapesValidator:
    return ShapesValidator(shapes_files(ROOT / "ontology"), reference=True)


def _keys(violations: list[Violation]) -> list[Key]:
    return sorted(
        (v.focus, v.path or "", v.component, v.value or "", v.message) for v in violations
    )


def _plain_pyshacl(builder: Builder, quads: list[Quad], shapes: rdflib.Graph) -> list[Key]:
    """Plain pyshacl on article + entities + ontology (no trimming), for the article's nodes."""
    text = "".join(
        f"{s} {p} {o} .\n"
        for s, p, o, _ in [*quads, *builder.entity_quads, *builder.ontology.quads]
    )
    data = rdflib.Graph().parse(data=text, format="nt")
    _, report, _ = pyshacl_validate(data, shacl_graph=shapes, inference="none")
    subjects = {str(rdflib_term(q[0])) for q in quads}
    return _keys(report_violations(report, subjects))


def _ours(builder: Builder, validator: ShapesValidator, quads: list[Quad]) -> list[Key]:
    data, subjects = builder.context.around((s, p, o) for s, p, o, _ in quads)
    return _keys(validator.violations(data, subjects))


def _replace(quads: list[Quad], predicate: str, obj: str, count: int = 1) -> list[Quad]:
    out = []
    for q in quads:
        if q[1] == predicate and count:
            count -= 1
            q = (q[0], q[1], obj, q[3])
        out.append(q)
    return out


def _drop(quads: list[Quad], predicate: str, count: int = 1) -> list[Quad]:
    out = []
    for q in quads:
        if q[1] == predicate and count:
            count -= 1
            continue
        out.append(q)
    return out


def _shift(quads: list[Quad], predicate: str, by: int) -> list[Quad]:
    out = []
    for q in quads:
        if q[1] == predicate:
            n = int(q[2].split('"')[1]) + by
            q = (q[0], q[1], f'"{n}"^^<{XSD}integer>', q[3])
        out.append(q)
    return out


def _add_duplicate(quads: list[Quad], predicate: str, obj: str) -> list[Quad]:
    subject = next(q for q in quads if q[1] == predicate)
    return [*quads, (subject[0], predicate, obj, subject[3])]


BREAKS = {
    "no evidence": lambda q: _drop(q, EVIDENCE, 3),
    "no comparator": lambda q: _drop(q, COMPARATOR),
    "bad comparator": lambda q: _replace(q, COMPARATOR, f"<{NKG}Roughly>"),
    "speaker of the wrong class": lambda q: _replace(q, SPEAKER, CONCEPT, 2),
    "date as a string": lambda q: _replace(q, "<https://schema.org/startDate>", '"2024-01-01"'),
    "ill-typed date": lambda q: _replace(
        q, "<https://schema.org/datePublished>", f'"2024-13-45"^^<{XSD}date>'
    ),
    "start after end": lambda q: _shift(q, START, 10_000),
    "offsets off by one": lambda q: _shift(_shift(q, START, 1), END, 1),
    "start past the text": lambda q: _replace(q, START, f'"99999"^^<{XSD}integer>'),
    "empty quote": lambda q: _replace(q, EXACT, '""', 2),
    "no selector start": lambda q: _drop(q, START),
    "bad language tag": lambda q: _replace(q, "<https://schema.org/inLanguage>", '"english!"'),
    "bad digest": lambda q: _replace(q, f"<{NKG}textSha256>", '"ABC"'),
    "two comparators": lambda q: _add_duplicate(q, COMPARATOR, f"<{NKG}AtLeast>"),
    "value as a string": lambda q: _replace(q, "<https://schema.org/value>", '"many"'),
    "selector untyped": lambda q: [
        x for x in q if not (x[1] == RDF_TYPE and x[2] == f"<{OA}TextQuoteSelector>")
    ],
    "evidence from another article": lambda q: _replace(
        q, f"<{OA}hasSource>", "<https://w3id.org/newskg/id/elsewhere>"
    ),
}


def test_seed_article_conforms(seed, fast):
    builder, _, quads = seed
    assert _ours(builder, fast, quads) == []


def test_seed_breaks_give_the_same_results_as_plain_pyshacl(seed, fast):
    builder, _, quads = seed
    broken = _drop(_drop(_replace(quads, SPEAKER, CONCEPT), COMPARATOR), START)
    broken = _shift(_drop(broken, EVIDENCE), END, 3)
    ours = _ours(builder, fast, broken)
    assert len(ours) >= 5
    assert ours == _plain_pyshacl(builder, broken, fast.shapes)


@pytest.mark.parametrize("name", sorted(BREAKS))
def test_broken_graphs_give_the_same_results_as_pyshacl(name, synthetic, fast, reference):
    builder, articles = synthetic
    compared = 0
    for quads in articles:
        broken = BREAKS[name](quads)
        if broken == quads:
            continue
        ours = _ours(builder, fast, broken)
        assert ours == _ours(builder, reference, broken)
        compared += len(ours)
    assert compared, f"{name}: no violation in any article"


def test_reference_engine_equals_plain_pyshacl(synthetic, reference):
    builder, articles = synthetic
    broken = BREAKS["offsets off by one"](BREAKS["speaker of the wrong class"](articles[0]))
    assert _ours(builder, reference, broken) == _plain_pyshacl(builder, broken, reference.shapes)


POOL = [
    '""',
    '"x"',
    '"5"^^<http://www.w3.org/2001/XMLSchema#integer>',
    '"-3"^^<http://www.w3.org/2001/XMLSchema#integer>',
    '"12"^^<http://www.w3.org/2001/XMLSchema#integer>',
    '"2.5"^^<http://www.w3.org/2001/XMLSchema#decimal>',
    '"2024-02-30"^^<http://www.w3.org/2001/XMLSchema#date>',
    '"2024-02-03"^^<http://www.w3.org/2001/XMLSchema#date>',
    '"1999"^^<http://www.w3.org/2001/XMLSchema#gYear>',
    '"yes"^^<http://www.w3.org/2001/XMLSchema#boolean>',
    '"en"@en',
    CONCEPT,
    f"<{NKG}Exactly>",
    f"<{NKG}Virtual>",
    "<https://w3id.org/newskg/id/nobody>",
]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_mutations_give_the_same_results_as_pyshacl(data, synthetic, fast, reference):
    """Random deletions of triples (from the article and its context) and replaced objects."""
    builder, articles = synthetic
    quads = articles[data.draw(st.integers(0, len(articles) - 1), label="article")]
    graph, subjects = builder.context.around((s, p, o) for s, p, o, _ in quads)
    triples = sorted(graph)
    drop = data.draw(st.sets(st.integers(0, len(triples) - 1), max_size=12), label="drop")
    swaps = data.draw(
        st.lists(st.tuples(st.integers(0, len(triples) - 1), st.sampled_from(POOL)), max_size=4),
        label="swap",
    )
    mutated = [t for i, t in enumerate(triples) if i not in drop]
    for i, obj in swaps:
        if i < len(mutated):
            s, p, _ = mutated[i]
            mutated[i] = (s, p, obj)
    ours = _keys(fast.violations(mutated, subjects))
    theirs = _keys(reference.violations(mutated, subjects))
    skip = _bad_offsets(mutated)
    if skip:  # the engines' SPARQL differ there; both reject the graph on core constraints
        assert [k for k in ours if k[2] != "SPARQLConstraintComponent"]
        ours, theirs = _without_offset_queries(ours, skip), _without_offset_queries(theirs, skip)
    assert ours == theirs


_OFFSET = re.compile(r'^"[0-9]+"\^\^<http://www\.w3\.org/2001/XMLSchema#integer>$')


def _bad_offsets(triples: list[tuple[str, str, str]]) -> set[str]:
    """Nodes with an oa:start/oa:end that is not a non-negative xsd:integer, and the evidence
    that selects them. rdflib's SPARQL (pyshacl's) departs from the SPARQL spec exactly there:
    SUBSTR with a start below 1 gives "" and xsd:integer("2.5"^^xsd:decimal) is an error,
    where Oxigraph follows XPath (see docs/scale.md). sh:minInclusive/sh:datatype on the
    offsets reject such graphs in both engines, so only the SPARQL results are set aside."""
    bad = {s for s, p, o in triples if p in (START, END) and not _OFFSET.match(o)}
    bad |= {s for s, p, o in triples if p == f"<{OA}hasSelector>" and o in bad}
    return {str(rdflib_term(b)) for b in bad}


def _without_offset_queries(keys: list[Key], skip: set[str]) -> list[Key]:
    return [k for k in keys if not (k[2] == "SPARQLConstraintComponent" and k[0] in skip)]


def test_violation_names_the_fact_in_facts_yaml(seed):
    builder, article, quads = seed
    with pytest.raises(ValidationError) as caught:
        builder.validator.check_article(
            _drop(quads, COMPARATOR), builder.context, builder.locations(article), "the article"
        )
    text = str(caught.value)
    assert "facts.yaml:" in text and "comparator" in text


def test_entities_graph_conforms_and_is_checked(seed):
    builder, _, _ = seed
    builder.validate_entities()  # no error
    person = "<https://w3id.org/newskg/id/ren-zhengfei>"
    label = "<http://www.w3.org/2000/01/rdf-schema#label>"
    bad = [q for q in builder.entity_quads if not (q[0] == person and q[1] == label)]
    with pytest.raises(ValidationError, match=r"'label' of an entity \(rdfs:label\): needed"):
        builder.validator.check([*bad, *builder.ontology.quads], {}, "entities", focus={person})


SHAPE_HEAD = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
"""


@pytest.mark.parametrize(
    "shape",
    [
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:xone ( [ sh:class ex:D ] ) ;"
        ' sh:message "m" .',
        'ex:S a sh:NodeShape ; sh:targetNode ex:n ; sh:class ex:D ; sh:message "m" .',
        'ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:class ex:D ; sh:message "m" ;'
        " sh:deactivated true .",
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ( ex:p ex:q ) ;"
        ' sh:minCount 1 ; sh:message "m" ] .',
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ;"
        " sh:minCount 1 ] .",
        'ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:sparql [ sh:message "m" ;'
        ' sh:select "SELECT $this WHERE { $this ex:p ?x . MINUS { $this ex:q ?x } }" ] .',
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ;"
        ' sh:languageIn ( "en" ) ; sh:message "m" ] .',
    ],
)
def test_unsupported_shape_features_are_refused(shape, tmp_path: Path):
    graph = rdflib.Graph().parse(data=SHAPE_HEAD + shape, format="turtle")
    with pytest.raises(UnsupportedShape):
        CompiledShapes(graph)
    path = tmp_path / "shapes.ttl"
    path.write_text(SHAPE_HEAD + shape, encoding="utf-8")
    with pytest.raises(InputError, match="does not support"):
        ShapesValidator(path)


def test_terms_are_built_like_rdflibs_ntriples_parser():
    lines = [
        '<http://e/s> <http://e/p> "a \\"q\\" \\\\ \\n \\u00e9 \\U0001F600" .',
        '<http://e/s> <http://e/p> "5"^^<http://www.w3.org/2001/XMLSchema#integer> .',
        '<http://e/s> <http://e/p> "hi"@en-GB .',
        "<http://e/s\\u00e9> <http://e/p> _:b1 .",
    ]
    parsed = list(rdflib.Graph().parse(data="\n".join(lines), format="nt"))
    for line in lines:
        s, p, o = line[:-2].split(" ", 2)
        triple = (rdflib_term(s), rdflib_term(p), rdflib_term(o))
        if isinstance(triple[2], rdflib.BNode):
            assert any(t[0] == triple[0] and isinstance(t[2], rdflib.BNode) for t in parsed)
        else:
            assert triple in parsed


def test_synthetic_articles_validate_one_by_one(synthetic):
    builder, articles = synthetic
    validator = ShapesValidator(shapes_files(ROOT / "ontology"))
    for quads in articles:
        assert _ours(builder, validator, quads) == []
