"""Differential test: the project's mappings through newskg and through morph-kgc.

morph-kgc lives in its own venv (``.venv-morph`` or ``$NEWSKG_MORPH_PYTHON``); the test
skips, saying why, when it is not there. The graphs must be equal once the documented
differences (docs/mapping-language.md, scripts/morphkgc_diff.py rules) are normalised.
"""

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_SEEDS = ROOT / "tests" / "fixtures" / "seeds"


def _load_script():
    spec = importlib.util.spec_from_file_location(
        "morphkgc_diff", ROOT / "scripts" / "morphkgc_diff.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


diff = _load_script()


@pytest.fixture(scope="module")
def morph_python():
    python, why = diff.morph_python()
    if python is None:
        pytest.skip(f"morph-kgc unavailable: {why}")
    return python


def test_project_mappings_match_morphkgc(morph_python, tmp_path):
    report = diff.differential(FIXTURE_SEEDS, ROOT / "mappings", morph_python, tmp_path)
    assert report.equal, report.render()
    assert report.newskg > 1000 and report.morph > 1000  # the seeds were really mapped
    # The documented normalisations are the only ones that apply (and they do apply).
    assert set(report.rules) <= {cause for cause, _ in diff.MORPH_RULES + diff.NEWSKG_RULES}
    assert report.rules["user prefixes win (schema: is https://schema.org/)"] > 0


TEMPLATES_AND_JOINS = """\
prefixes: {org: "http://www.w3.org/ns/org#", ex: "http://example.com/"}
mappings:
  member:
    sources: [[people.csv~csv]]
    s: ex:person/$(id)
    po:
      - [ex:name, $(name), en~lang]
      - [ex:city, ex:city/$(city)~iri]
      - [ex:age, $(age), xsd:integer]
      - p: org:memberOf
        o:
          mapping: organisation
          condition:
            function: equal
            parameters: [[str1, $(org)], [str2, $(code)]]
  organisation:
    sources: [[orgs.json~jsonpath, "$.orgs[*]"]]
    po:
      - [a, org:Organization]
      - p: ex:label
        o: {value: "Organisation $(code) of $(country)", type: literal}
      - [ex:founded, $(founded), xsd:gYear]
    s: ex:org/$(code)/$(country)
"""


def test_templates_joins_and_csv_match_morphkgc(morph_python, tmp_path):
    """IRI and literal templates, a join from a CSV source to a JSON one. (Two morph-kgc
    bugs kept out, departures 15 and 16 in docs/mapping-language.md: a literal template in
    a shorthand entry becomes an IRI, and a self-join only joins a record with itself.)"""
    import json

    data = tmp_path / "data"
    data.mkdir()
    rows = "".join(
        f"{i},Person {i} \u00e9,{20 + i % 40},o{i % 9},City {i % 5}\n" for i in range(60)
    )
    (data / "people.csv").write_text("id,name,age,org,city\n" + rows, encoding="utf-8")
    orgs = [
        {"code": f"o{k}", "country": ["th", "cn"][k % 2], "founded": 1990 + k} for k in range(9)
    ]
    (data / "orgs.json").write_text(json.dumps({"orgs": orgs}), encoding="utf-8")
    (data / "m.yaml").write_text(TEMPLATES_AND_JOINS, encoding="utf-8")
    report = diff.differential_files([data / "m.yaml"], data, morph_python, tmp_path)
    assert report.equal, report.render()
    assert not report.rules  # nothing to normalise here
    assert report.newskg == 9 * 3 + 60 * 4  # every person joined to its organisation


def test_rules_are_narrow():
    """Each normalisation rewrites only what its cause explains."""
    q = ("<http://schema.org/x>", "<http://ex.org/p>", '"http://schema.org/"', "")
    assert diff._schema_prefix(q) == (
        "<https://schema.org/x>",
        "<http://ex.org/p>",
        '"http://schema.org/"',
        "",
    )
    assert diff._schema_prefix(("<http://ex.org/s>", "<http://ex.org/p>", '"x"', "")) is None
    assert diff._empty_string(("<s>", "<p>", '""', ""))
    assert not diff._empty_string(("<s>", "<p>", '""@en', ""))
    assert not diff._empty_string(("<s>", "<p>", '" "', ""))


def test_morph_copies_rename_reserved_columns(tmp_path):
    data = diff.morph_data({"graph": "g", "items": [{"subject": 1, "label": "x"}]})
    assert data == {"morphkgc_graph": "g", "items": [{"morphkgc_subject": 1, "label": "x"}]}
    mapping = diff.morph_mapping(
        {
            "mappings": {
                "m": {
                    "sources": [["article.json~jsonpath", "$.x[*]"]],
                    "s": "$(subject)",
                    "graphs": "$(graph)",
                    "po": [["ex:p", "$(label)"], {"p": "ex:q", "o": {"mapping": "m"}}],
                }
            }
        },
        {"article.json": tmp_path / "article.json"},
        "__a",
    )
    m = mapping["mappings"]["m__a"]
    assert m["sources"] == [[f"{tmp_path / 'article.json'}~jsonpath", "$.x[*]"]]
    assert m["s"] == "$(morphkgc_subject)" and m["graphs"] == "$(morphkgc_graph)"
    assert m["po"][0] == ["ex:p", "$(label)"] and m["po"][1]["o"] == {"mapping": "m__a"}
