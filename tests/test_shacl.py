"""Per-article SHACL with a trimmed context reports what pyshacl reports on the whole union."""

from __future__ import annotations

import pytest
import rdflib
from pyshacl import validate as pyshacl_validate

from newskg.build import Builder, Project
from newskg.errors import ValidationError
from newskg.facts import article_folders
from newskg.shacl import SH, rdflib_term
from tests.conftest import ROOT, SEED_ARTICLE

COMPARATOR = "<https://w3id.org/newskg/ontology#comparator>"
EVIDENCE = "<https://w3id.org/newskg/ontology#evidence>"
START = "<http://www.w3.org/ns/oa#start>"
SPEAKER = "<https://w3id.org/newskg/ontology#speaker>"


@pytest.fixture(scope="module")
def seed() -> tuple[Builder, object, list]:
    builder = Builder(Project(ROOT))
    validator, builder.validator = builder.validator, None
    article, quads = builder.article_quads(ROOT / "seeds" / SEED_ARTICLE)
    builder.validator = validator
    return builder, article, quads


def _reference(builder: Builder, quads: list) -> set[tuple[str, str, str]]:
    """Plain pyshacl on article + entities + ontology (the old way), for the article's nodes."""
    text = "".join(f"{s} {p} {o} .\n" for s, p, o, _ in [*quads, *builder.entity_quads])
    text += "".join(f"{s} {p} {o} .\n" for s, p, o, _ in builder.ontology.quads)
    data = rdflib.Graph().parse(data=text, format="nt")
    _, report, _ = pyshacl_validate(data, shacl_graph=builder.validator.shapes, inference="none")
    subjects = {s[1:-1] for s, _, _, _ in quads}
    found = set()
    for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        focus = str(report.value(result, SH.focusNode))
        if focus in subjects:
            path = report.value(result, SH.resultPath)
            found.add((focus, str(path), str(report.value(result, SH.resultMessage))))
    return found


def _ours(builder: Builder, quads: list) -> set[tuple[str, str, str]]:
    data, subjects = builder.context.around((s, p, o) for s, p, o, _ in quads)
    return {(v.focus, str(v.path), v.message) for v in builder.validator.violations(data, subjects)}


def _break(quads: list) -> list:
    """Drop a figure's comparator, a fact's evidence, a selector's start; retype a speaker."""
    dropped = {COMPARATOR: 1, EVIDENCE: 1, START: 1}
    out = []
    for q in quads:
        if dropped.get(q[1]):
            dropped[q[1]] -= 1
            continue
        if q[1] == SPEAKER:
            q = (q[0], q[1], "<https://w3id.org/newskg/id/concept/digital-economy>", q[3])
        out.append(q)
    return out


def test_seed_article_conforms(seed):
    builder, _, quads = seed
    assert _ours(builder, quads) == set()


def test_broken_article_gives_the_same_violations_as_plain_pyshacl(seed):
    builder, _, quads = seed
    broken = _break(quads)
    ours = _ours(builder, broken)
    assert len(ours) >= 3
    assert ours == _reference(builder, broken)


def test_violation_names_the_fact_in_facts_yaml(seed):
    builder, article, quads = seed
    with pytest.raises(ValidationError) as caught:
        builder.validator.check_article(
            _break(quads), builder.context, article.locations, f"article {article.id}"
        )
    text = str(caught.value)
    assert "facts.yaml:" in text and "comparator" in text


def test_entities_graph_conforms_and_is_checked(seed):
    builder, _, _ = seed
    builder.validate_entities()  # no error
    person = "<https://w3id.org/newskg/id/person/ren-zhengfei>"
    name = "<https://schema.org/name>"
    bad = [q for q in builder.entity_quads if not (q[0] == person and q[1] == name)]
    with pytest.raises(ValidationError, match=r"schema:name|person needs"):
        builder.validator.check([*bad, *builder.ontology.quads], {}, "entities")


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


def test_synthetic_articles_validate_one_by_one(tmp_path):
    from newskg.synth import synthesise

    synthesise(4, tmp_path / "seeds")
    builder = Builder(Project(ROOT, seeds=tmp_path / "seeds"))
    for folder in article_folders(tmp_path / "seeds"):
        builder.article_quads(folder)  # raises on any violation
