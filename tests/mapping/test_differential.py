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
