"""Everything made from the data model is committed as generated, and stale copies are found."""

from __future__ import annotations

import shutil

from newskg.tools.generate import artifacts, main
from tests.conftest import ROOT


def test_every_generated_artifact_is_committed_as_generated():
    made = artifacts(ROOT)
    names = {a.path.relative_to(ROOT).as_posix() for a in made}
    assert names == {
        "ontology/shapes.generated.ttl",
        "ontology/properties.generated.ttl",
        "docs/data-model.md",
        "kg/context.jsonld",
    }
    stale = [a.path.relative_to(ROOT).as_posix() for a in made if a.stale()]
    assert stale == [], "regenerate: python -m newskg.tools.generate"


def test_a_model_edit_makes_its_artifacts_stale_until_regenerated(tmp_path, monkeypatch, capsys):
    for folder in ("ontology", "docs", "kg"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("store"))
    model = tmp_path / "ontology" / "model.yaml"
    text = model.read_text(encoding="utf-8")
    field = (
        "      term: {type: text, property: nkg:term, doc: \"its term as worded: 'three years'\"}\n"
    )
    assert field in text
    added = "      renewable: {type: bool, property: nkg:renewable}\n"
    text = text.replace(field, field + added).replace(
        "properties:\n", "properties:\n  nkg:renewable: Whether the agreement may be renewed.\n"
    )
    model.write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    assert main(["--check"]) == 1
    out = capsys.readouterr().out
    for name in ("shapes.generated.ttl", "properties.generated.ttl", "data-model.md"):
        assert name in out
    assert main([]) == 0
    assert main(["--check"]) == 0
    assert "nkg:renewable" in (tmp_path / "ontology" / "shapes.generated.ttl").read_text()
    assert "`renewable`" in (tmp_path / "docs" / "data-model.md").read_text()


def test_a_broken_model_is_reported_not_raised(tmp_path, monkeypatch, capsys):
    (tmp_path / "ontology").mkdir()
    (tmp_path / "ontology" / "model.yaml").write_text("families: [\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["--check"]) == 2
    assert "model.yaml:" in capsys.readouterr().err
