"""`newskg synth`: deterministic synthetic seeds that the real loader, mappings and SHACL accept."""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml

from newskg.inputs.evidence import find_quote
from tests.conftest import ROOT, run_cli


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path):
    for name, seed in (("a", "7"), ("b", "7"), ("c", "8")):
        result = run_cli("synth", "--articles", "12", "--out", tmp_path / name, "--seed", seed)
        assert result.code == 0, result.err
    a, b, c = (_digest(tmp_path / n) for n in "abc")
    assert a == b
    assert len(a) == 1 + 12 * 2  # entities.yaml + article.txt/facts.yaml per article
    assert a != c


def test_articles_are_marked_synthetic_and_quotes_occur_in_the_text(tmp_path):
    assert run_cli("synth", "--articles", "20", "--out", tmp_path).code == 0
    sections: set[str] = set()
    for folder in sorted(p for p in tmp_path.iterdir() if p.is_dir()):
        text = (folder / "article.txt").read_text(encoding="utf-8")
        facts = yaml.safe_load((folder / "facts.yaml").read_text(encoding="utf-8"))
        assert facts["article"]["synthetic"] is True
        for section, records in facts.items():
            if section in {"article", "sources"}:
                continue
            sections.add(section)
            for record in records:
                for quote in record.get("evidence", []):
                    if isinstance(quote, dict):
                        find_quote(text, quote["quote"], quote["occurrence"])
                    else:
                        assert text.count(quote) == 1, quote
                if section == "quotes":
                    assert record["text"] in text
    # varied: every kind of fact appears somewhere in 20 articles
    assert sections >= {
        "events", "quotes", "statements", "cooperations", "goals", "establishments",
        "agreements", "initiatives", "figures",
    }  # fmt: skip


def test_synthetic_articles_build_cleanly_with_shacl(tmp_path):
    seeds = tmp_path / "seeds"
    assert run_cli("synth", "--articles", "6", "--out", seeds).code == 0
    for name in ("mappings", "ontology"):
        (tmp_path / name).symlink_to(ROOT / name)
    result = run_cli("build", "--project", tmp_path, "--seeds", seeds)
    assert result.code == 0, result.err
    assert "built 6 article(s)" in result.out
    trig = (tmp_path / "kg" / "graphs" / "syn-000000.trig").read_text(encoding="utf-8")
    assert "nkg:synthetic true" in trig or '"true"^^xsd:boolean' in trig


def test_refuses_to_write_into_an_unrelated_folder(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = run_cli("synth", "--articles", "2", "--out", tmp_path)
    assert result.code == 2
    assert "not a synthetic seeds folder" in result.err
