"""`newskg viz`: an SVG of an entity's neighbourhood or of one article's graph."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET

import pytest

from tests.conftest import SEED_ARTICLE, run_cli

SVG = "{http://www.w3.org/2000/svg}"
needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz is not installed (.ci/run installs it)"
)


def svg_texts(path) -> str:
    root = ET.parse(path).getroot()
    assert root.tag == SVG + "svg"
    return " ".join("".join(t.itertext()) for t in root.iter(SVG + "text"))


@needs_dot
def test_entity_neighbourhood(built_kg, tmp_path):
    out = tmp_path / "huawei.svg"
    result = run_cli("viz", "huawei", "-o", out, "--kg", built_kg / "kg")
    assert result.code == 0, result.err
    texts = svg_texts(out)
    assert "Huawei Technologies" in texts
    assert "Huawei ASEAN Academy" in texts  # one hop: schema:provider
    assert "nkg:party" in texts  # edges are labelled with prefixed names
    assert "Ren Zhengfei" not in texts  # two hops away


@needs_dot
def test_depth_two_reaches_further(built_kg, tmp_path):
    one, two = tmp_path / "one.svg", tmp_path / "two.svg"
    assert run_cli("viz", "huawei", "-o", one, "--kg", built_kg / "kg").code == 0
    assert run_cli("viz", "huawei", "-o", two, "--depth", "2", "--kg", built_kg / "kg").code == 0
    assert "Ren Zhengfei" in svg_texts(two)
    assert len(svg_texts(two)) > len(svg_texts(one))


@needs_dot
def test_article_graph(built_kg, tmp_path):
    out = tmp_path / "article.svg"
    result = run_cli("viz", SEED_ARTICLE, "-o", out, "--kg", built_kg / "kg")
    assert result.code == 0, result.err
    texts = svg_texts(out)
    for name in ("Prayut Chan-o-cha", "Ren Zhengfei", "Thailand", "Virtual executive meeting"):
        assert name in texts
    # Plumbing is left out: no evidence passages, selectors or sentences.
    assert "/evidence/" not in out.read_text() and "/sentence/" not in out.read_text()


def test_dot_output_needs_no_graphviz_and_drops_implied_super_properties(built_kg, tmp_path):
    out = tmp_path / "ren.dot"
    assert run_cli("viz", "ren-zhengfei", "-o", out, "--kg", built_kg / "kg").code == 0
    dot = out.read_text()
    assert dot.startswith("digraph newskg {") and '"Ren Zhengfei"' in dot
    assert 'label="nkg:speaker"' in dot
    # nkg:speaker implies schema:creator and prov:wasAttributedTo: drawn once, not three times.
    assert 'label="schema:creator"' not in dot


def test_unknown_target_and_bad_depth(built_kg, tmp_path):
    result = run_cli("viz", "no-such-thing", "-o", tmp_path / "x.svg", "--kg", built_kg / "kg")
    assert result.code == 6 and "no entity or article 'no-such-thing'" in result.err
    assert not (tmp_path / "x.svg").exists()
    result = run_cli(
        "viz", "huawei", "-o", tmp_path / "x.dot", "--depth", "0", "--kg", built_kg / "kg"
    )
    assert result.code == 2 and "--depth" in result.err
