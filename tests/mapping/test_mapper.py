"""`newskg map` and `newskg.map`: mappings over their files, streamed in every format."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest

import newskg
from newskg.errors import InputError, MappingError
from tests.conftest import run_cli

MAPPING = """\
prefixes:
  ex: http://example.com/
mappings:
  person:
    sources: [people.csv~csv]
    s: ex:person/$(id)
    graphs: ex:people
    po:
      - [a, ex:Person]
      - [ex:name, $(name), en~lang]
      - [ex:age, $(age), xsd:integer]
  member:
    sources: [[orgs.json~jsonpath, "$.orgs[*]"]]
    s: ex:org/$(code)
    po:
      - [ex:label, "Org $(code)"]
      - p: ex:member
        o:
          mapping: person
          condition:
            function: equal
            parameters: [[str1, $(code)], [str2, $(org)]]
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    rows = "".join(f"{i},Person {i},{20 + i % 50},o{i % 7}\n" for i in range(3000))
    (tmp_path / "people.csv").write_text("id,name,age,org\n" + rows, encoding="utf-8")
    orgs = [{"code": f"o{k}"} for k in range(7)]
    (tmp_path / "orgs.json").write_text(json.dumps({"orgs": orgs}), encoding="utf-8")
    (tmp_path / "m.yaml").write_text(MAPPING, encoding="utf-8")
    return tmp_path


def parse(text: str, fmt: ox.RdfFormat) -> set[ox.Quad]:
    return set(ox.parse(text.encode("utf-8"), format=fmt))


def test_every_format_gives_the_same_quads(project):
    outputs = {}
    for fmt in ("nq", "trig"):
        out = io.StringIO()
        report = newskg.map([project / "m.yaml"], format=fmt, output=out)
        outputs[fmt] = out.getvalue()
        assert report.quads == 3000 * 3 + 7 + 3000
    nq = parse(outputs["nq"], ox.RdfFormat.N_QUADS)
    assert parse(outputs["trig"], ox.RdfFormat.TRIG) == nq
    assert len(nq) == 3000 * 3 + 7 + 3000
    assert (
        ox.Quad(
            ox.NamedNode("http://example.com/org/o3"),
            ox.NamedNode("http://example.com/member"),
            ox.NamedNode("http://example.com/person/3"),
        )
        in nq
    )


def test_two_processes_write_what_one_writes(project, monkeypatch):
    from newskg.mapping import materialise

    monkeypatch.setattr(materialise, "CHUNK", 64)  # many chunks for the two processes
    one, two = io.StringIO(), io.StringIO()
    newskg.map([project / "m.yaml"], output=one, jobs=1)
    newskg.map([project / "m.yaml"], output=two, jobs=2)
    assert one.getvalue() == two.getvalue()


def test_two_processes_write_a_file_as_one_does(project, monkeypatch):
    """To a file the processes' text goes as UTF-8 bytes, non-ASCII text included."""
    from newskg.mapping import materialise

    monkeypatch.setattr(materialise, "CHUNK", 64)
    people = project / "people.csv"
    people.write_text(people.read_text().replace("Person 1", "Zoë 1"), encoding="utf-8")
    newskg.map([project / "m.yaml"], output=project / "one.nq", jobs=1)
    newskg.map([project / "m.yaml"], output=project / "two.nq", jobs=2)
    assert "Zoë" in (project / "one.nq").read_text(encoding="utf-8")
    assert (project / "one.nq").read_bytes() == (project / "two.nq").read_bytes()


def test_turtle_and_ntriples_refuse_named_graphs_before_writing(project):
    target = project / "out.ttl"
    with pytest.raises(MappingError) as info:
        newskg.map([project / "m.yaml"], format="ttl", output=target)
    assert (
        info.value.message == "the mappings put triples in named graphs, which Turtle cannot hold"
    )
    assert info.value.location.line == 7
    assert not target.exists()


def test_turtle_of_one_graph_parses(project):
    text = (project / "m.yaml").read_text().replace("    graphs: ex:people\n", "")
    (project / "m.yaml").write_text(text)
    out = io.StringIO()
    newskg.map([project / "m.yaml"], format="ttl", output=out)
    assert len(parse(out.getvalue(), ox.RdfFormat.TURTLE)) == 3000 * 3 + 7 + 3000


def test_a_failing_run_leaves_no_output_file(project):
    (project / "people.csv").write_text("id,name,age,org\n1,A,old,o1\n", encoding="utf-8")
    target = project / "out.nq"
    target.write_text("previous")
    with pytest.raises(MappingError):
        newskg.map([project / "m.yaml"], output=target)
    assert target.read_text() == "previous"


def test_into_a_store(project):
    result = run_cli("map", project / "m.yaml", "--into", project / "store")
    assert result.code == 0, result.err
    assert result.out == f"mapped 12007 quads (nq) to store {project / 'store'}\n"
    assert len(ox.Store(str(project / "store"))) == 12007


def test_arguments_are_checked_in_the_api(project):
    with pytest.raises(InputError):
        newskg.map([], output=io.StringIO())
    with pytest.raises(InputError):
        newskg.map([project / "m.yaml"], format="xml", output=io.StringIO())
    with pytest.raises(InputError):
        newskg.map([project / "m.yaml"])  # nowhere to write


def test_data_folder_resolves_sources(project, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("maps") / "m.yaml"
    elsewhere.write_text(MAPPING)
    result = run_cli("map", elsewhere, "--data", project)
    assert result.code == 0, result.err
    assert len(result.out.splitlines()) == 12007
    missing = run_cli("map", elsewhere)
    assert missing.code == 2
    assert "people.csv' not found" in missing.err


def test_the_readme_example_runs(tmp_path):
    import re

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    (mapping,) = re.findall(r"```yaml\n(prefixes:.*?)```", readme, re.S)
    (tmp_path / "people.yaml").write_text(mapping, encoding="utf-8")
    (tmp_path / "people.csv").write_text("id,name,org\n1,Ada,o1\n2,Alan,o1\n", encoding="utf-8")
    (tmp_path / "orgs.json").write_text('{"orgs": [{"code": "o1", "label": "A"}]}')
    result = run_cli("map", tmp_path / "people.yaml")
    assert result.code == 0, result.err
    assert (
        "<http://example.com/org/o1> <http://example.com/member> <http://example.com/person/2> ."
        in result.out
    )
    ttl = run_cli("map", tmp_path / "people.yaml", "--format", "ttl", "-o", tmp_path / "p.ttl")
    assert ttl.code == 0, ttl.err
    assert len(parse((tmp_path / "p.ttl").read_text(), ox.RdfFormat.TURTLE)) == 5


def test_columns_write_what_records_write(project):
    """The columnar run (N-Quads) and the record-by-record run (quads) agree, joins too."""
    from newskg.mapping import load_mappings
    from newskg.mapping.columns import nquad
    from newskg.mapping.sources import FileSources

    ms = load_mappings([project / "m.yaml"])
    by_record = "".join(nquad(q) for batch in ms.chunks(FileSources()) for q in batch)
    assert "".join(ms.text_chunks(FileSources())) == by_record
