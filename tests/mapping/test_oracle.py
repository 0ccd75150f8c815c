"""Random mappings over random data, the engine against a small oracle written apart.

Hypothesis draws a mapping from a subset of the language (subject template, class, literal
references with or without a language, literal and IRI templates, constants, a graph) and
records to run it on, JSON or CSV. The oracle below computes the expected RDF terms directly
from the RML-Core rules, as pyoxigraph terms, so that no spelling (escapes, percent-encoding
case) is shared with the engine. The same drawn mapping is written in YARRRML and in RML
Turtle; both must give exactly the oracle's quads, and the engine's columnar run the same
text as its record-by-record run.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newskg.mapping import load_mappings
from newskg.mapping.columns import nquad
from newskg.mapping.materialise import document_sources

EX = "http://example.com/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
KEYS = ("a", "b", "c")
# Characters of every kind the encoder treats differently: kept, encoded, non-ASCII kept.
TEXT = st.text(alphabet="xyZ09 -._~/:%#?\"\\'é\n{}()$", max_size=6)

# --------------------------------------------------------------------------- the oracle


def values(record: dict[str, Any], key: str) -> list[Any]:
    """RML-Core: a missing or null value gives nothing; YARRRML: a list gives each item."""
    v = record.get(key)
    if v is None:
        return []
    items = v if isinstance(v, list) else [v]
    return [i for i in items if i is not None]


def lexical(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def iri_safe(text: str) -> str:
    """Percent-encode everything but ASCII letters, digits, -._~ and the letter é."""
    out = []
    for ch in text:
        if (ch.isascii() and (ch.isalnum() or ch in "-._~")) or ch == "é":
            out.append(ch)
        else:
            out.extend(f"%{b:02X}" for b in ch.encode("utf-8"))
    return "".join(out)


def template(parts: list[tuple[str, str]], record: dict[str, Any], encode: Any) -> list[str]:
    """("text", s) and ("ref", key) parts -> every combination of the references' values."""
    results = [""]
    for kind, text in parts:
        if kind == "text":
            results = [r + text for r in results]
        else:
            vals = [encode(lexical(v)) for v in values(record, text)]
            results = [r + v for r in results for v in vals]
    return results


def natural(v: Any, csv_source: bool) -> ox.Literal:
    if csv_source or isinstance(v, str):
        return ox.Literal(lexical(v))
    kind = "boolean" if isinstance(v, bool) else "integer"
    return ox.Literal(lexical(v), datatype=ox.NamedNode(XSD + kind))


def oracle(
    spec: dict[str, Any], records: list[dict[str, Any]], csv_source: bool, yarrrml: bool = False
) -> set[Any]:
    """``yarrrml``: a value that is one reference and nothing else is a reference (natural
    datatype), not a template, in YARRRML; RML Turtle says which it is."""
    out = set()
    for rec in records:
        if spec["graph"] == "ref":  # named after a value; none: the default graph
            gs = [ox.NamedNode(EX + "g/" + iri_safe(lexical(v))) for v in values(rec, "a")]
            graphs: list[Any] = gs or [ox.DefaultGraph()]
        else:
            graphs = [ox.NamedNode(EX + spec["graph"]) if spec["graph"] else ox.DefaultGraph()]
        subjects = [ox.NamedNode(EX + "s/" + s) for s in template(spec["subject"], rec, iri_safe)]
        triples = []
        if spec["class"]:
            triples.append((ox.NamedNode(RDF_TYPE), ox.NamedNode(EX + "C")))
        for pred, kind, arg in spec["pos"]:
            p = ox.NamedNode(EX + pred)
            if kind == "ref":
                objs = [natural(v, csv_source) for v in values(rec, arg)]
            elif kind == "lang":
                objs = [ox.Literal(lexical(v), language="en") for v in values(rec, arg)]
            elif (
                kind == "text"
                and yarrrml
                and [p for p in arg if p != ("text", "")][:1]
                == [p for p in arg if p != ("text", "")]
                and next(p for p in arg if p != ("text", ""))[0] == "ref"
            ):
                ref = next(p for p in arg if p != ("text", ""))[1]
                objs = [natural(v, csv_source) for v in values(rec, ref)]
            elif kind == "text":
                objs = [ox.Literal(t) for t in template(arg, rec, str)]
            elif kind == "iri":
                objs = [ox.NamedNode(EX + "o/" + t) for t in template(arg, rec, iri_safe)]
            else:
                objs = [ox.Literal(arg)]
            triples.extend((p, o) for o in objs)
        for s in subjects:
            for p, o in triples:
                for graph in graphs:
                    out.add(ox.Quad(s, p, o, graph))
    return out


def _lone_reference(parts: list[tuple[str, str]]) -> str:
    """The key when a YARRRML value is one reference and nothing else, else ""."""
    written = [p for p in parts if p != ("text", "")]
    return written[0][1] if len(written) == 1 and written[0][0] == "ref" else ""


# --------------------------------------------------------------------------- the mapping


def yarrrml_text(parts: list[tuple[str, str]]) -> str:
    return "".join(t if k == "text" else f"$({t})" for k, t in parts)


def yarrrml(spec: dict[str, Any], source: list[str]) -> str:
    pos: list[Any] = [["a", "ex:C"]] if spec["class"] else []
    for pred, kind, arg in spec["pos"]:
        p = "ex:" + pred
        if kind == "ref":
            pos.append([p, f"$({arg})"])
        elif kind == "lang":
            pos.append([p, f"$({arg})", "en~lang"])
        elif kind == "text":
            pos.append({"p": p, "o": {"value": yarrrml_text(arg), "type": "literal"}})
        elif kind == "iri":
            pos.append([p, "ex:o/" + yarrrml_text(arg) + "~iri"])
        else:
            pos.append({"p": p, "o": {"value": arg, "type": "literal"}})
    mapping: dict[str, Any] = {"sources": [source], "s": "ex:s/" + yarrrml_text(spec["subject"])}
    if spec["graph"]:
        mapping["graphs"] = "ex:g/$(a)" if spec["graph"] == "ref" else "ex:" + spec["graph"]
    mapping["po"] = pos
    return json.dumps({"prefixes": {"ex": EX}, "mappings": {"m": mapping}})  # JSON is YAML


def rml_text(parts: list[tuple[str, str]], csv_source: bool) -> str:
    def ref(key: str) -> str:
        return "{" + (key if csv_source else f"$.{key}") + "}"

    return "".join(t if k == "text" else ref(t) for k, t in parts)


def turtle(spec: dict[str, Any], csv_source: bool) -> str:
    source = (
        '[ rml:source "data.csv" ; rml:referenceFormulation rml:CSV ]'
        if csv_source
        else '[ rml:source "data.json" ; rml:referenceFormulation rml:JSONPath ;'
        ' rml:iterator "$.items[*]" ]'
    )
    ref = "{a}" if csv_source else "{$.a}"
    graph = f" ; rml:graph ex:{spec['graph']}" if spec["graph"] else ""
    if spec["graph"] == "ref":
        graph = f' ; rml:graphMap [ rml:template "g/{ref}" ]'
    cls = " ; rml:class ex:C" if spec["class"] else ""
    subject = json.dumps("s/" + rml_text(spec["subject"], csv_source))
    lines = [
        "@prefix rml: <http://w3id.org/rml/> .",
        f"@prefix ex: <{EX}> .",
        "@base <http://example.com/> .",
        "<#m> a rml:TriplesMap ;",
        f"  rml:logicalSource {source} ;",
        f"  rml:subjectMap [ rml:template {subject}{cls}{graph} ]",
    ]
    for pred, kind, arg in spec["pos"]:
        ref = json.dumps(arg if csv_source else f"$.{arg}") if kind in ("ref", "lang") else ""
        if kind == "ref":
            om = f"rml:reference {ref}"
        elif kind == "lang":
            om = f'rml:reference {ref} ; rml:language "en"'
        elif kind == "text":
            om = f"rml:template {json.dumps(rml_text(arg, csv_source))} ; rml:termType rml:Literal"
        elif kind == "iri":
            om = f"rml:template {json.dumps('o/' + rml_text(arg, csv_source))}"
        else:
            om = f"rml:constant {json.dumps(arg)}"
        lines[-1] += " ;"
        lines.append(
            f"  rml:predicateObjectMap [ rml:predicate ex:{pred} ; rml:objectMap [ {om} ] ]"
        )
    return "\n".join(lines) + " .\n"


# --------------------------------------------------------------------------- strategies

# Literal text in templates stays clear of each syntax's special characters: the escapes
# have their own tests.
plain = st.text(alphabet="xyz09 -_", max_size=4)


def templates(text: st.SearchStrategy[str]) -> st.SearchStrategy[list[tuple[str, str]]]:
    part = st.one_of(
        st.tuples(st.just("text"), text), st.tuples(st.just("ref"), st.sampled_from(KEYS))
    )
    return st.lists(part, min_size=1, max_size=3).filter(lambda ps: any(k == "ref" for k, _ in ps))


parts = templates(plain)
iri_parts = templates(st.text(alphabet="xyz09-_/", max_size=4))  # no space: a valid IRI
objects = st.one_of(
    st.tuples(st.just("ref"), st.sampled_from(KEYS)),
    st.tuples(st.just("lang"), st.sampled_from(KEYS)),
    st.tuples(st.just("text"), parts),
    st.tuples(st.just("iri"), iri_parts),
    st.tuples(st.just("const"), plain),
)
specs = st.fixed_dictionaries(
    {
        "subject": iri_parts,
        "class": st.booleans(),
        "graph": st.sampled_from(["", "g1", "ref"]),
        "pos": st.lists(
            st.tuples(st.sampled_from(["p", "q", "r"])).flatmap(
                lambda p: objects.map(lambda o: (p[0], *o))
            ),
            max_size=4,
        ),
    }
)
json_value = st.one_of(
    st.none(), TEXT, st.integers(-5, 50), st.booleans(), st.lists(TEXT, max_size=2)
)
json_records = st.lists(st.dictionaries(st.sampled_from(KEYS), json_value, max_size=3), max_size=4)
csv_records = st.lists(st.fixed_dictionaries({k: TEXT for k in KEYS}), max_size=4)


def quads_of(path: Path, data: dict[str, Any]) -> set[Any]:
    """The engine's quads; its two ways of running (record by record, and as columns of
    N-Quads text) must give the same text."""
    ms = load_mappings([path], base=EX)
    by_record = "".join(nquad(q) for batch in ms.chunks(document_sources(data)) for q in batch)
    assert "".join(ms.text_chunks(document_sources(data))) == by_record
    text = "".join(nquad(q) for q in ms.materialise(data))
    return set(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.N_QUADS))


def csv_text(records: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(KEYS)
    for rec in records:
        writer.writerow([rec[k] for k in KEYS])
    return buf.getvalue()


SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(spec=specs, records=json_records)
def test_yarrrml_over_json_equals_the_oracle(tmp_path_factory, spec, records):
    path = tmp_path_factory.mktemp("oracle") / "m.yaml"
    path.write_text(yarrrml(spec, ["data.json~jsonpath", "$.items[*]"]), encoding="utf-8")
    assert quads_of(path, {"data.json": {"items": records}}) == oracle(
        spec, records, False, yarrrml=True
    )


@SETTINGS
@given(spec=specs, records=csv_records)
def test_yarrrml_and_rml_over_csv_equal_the_oracle(tmp_path_factory, spec, records):
    folder = tmp_path_factory.mktemp("oracle")
    (folder / "m.yaml").write_text(yarrrml(spec, ["data.csv~csv"]), encoding="utf-8")
    (folder / "m.ttl").write_text(turtle(spec, True), encoding="utf-8")
    data = {"data.csv": csv_text(records)}
    expected = oracle(spec, records, True)
    assert quads_of(folder / "m.yaml", data) == expected
    assert quads_of(folder / "m.ttl", data) == expected


@SETTINGS
@given(
    spec=specs,
    records=st.lists(
        st.dictionaries(
            st.sampled_from(KEYS), st.one_of(st.none(), TEXT, st.integers(-5, 50)), max_size=3
        ),
        max_size=4,
    ),
)
def test_rml_over_json_equals_the_oracle(tmp_path_factory, spec, records):
    path = tmp_path_factory.mktemp("oracle") / "m.ttl"
    path.write_text(turtle(spec, False), encoding="utf-8")
    assert quads_of(path, {"data.json": {"items": records}}) == oracle(spec, records, False)
