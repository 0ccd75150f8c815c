"""Fuzzing the loader and mapping layers: mutated facts, entities and mappings either give a
graph that passes SHACL or raise NewskgError, never any other exception.

In-process and without stores: each example loads one document and materialises quads.
SHACL runs on the first few documents that load (it is the slow part); the rest are checked
to be well-formed N-Quads, which is what the store would be given.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newskg import located_yaml
from newskg.builder import Builder, Project
from newskg.builder.project import ARTICLE_SOURCE, ENTITIES_SOURCE
from newskg.errors import NewskgError
from newskg.inputs import load_article, load_registry
from newskg.mapping import load_mappings
from newskg.model.ontology import shapes_files
from newskg.shacl.validator import ShapesValidator
from tests.conftest import FIXTURE_SEEDS, ROOT, SEED, SEED_ARTICLE

FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SHACL_RUNS = 2  # per test: SHACL on the first documents that load

# --- values and mutations --------------------------------------------------------------------

TEXT = st.text(
    st.characters(codec="utf-8", categories=["L", "M", "N", "P", "S", "Z", "Cc", "Cf"]),
    max_size=30,
)
SCALARS = st.one_of(
    TEXT,
    st.sampled_from(
        ["", "huawei", "2021-02-30", "NO", "1.10", "$(", "} ; DROP ALL", "<x>", "a b", "%", "::"]
    ),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.booleans(),
    st.none(),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)


def _plain(node: Any) -> Any:
    """YDict/YList/Decimal -> plain Python that yaml.safe_dump writes."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, Decimal):
        return str(node)
    return node


def _containers(node: Any, out: list[Any]) -> list[Any]:
    if isinstance(node, dict | list):
        out.append(node)
        for child in node.values() if isinstance(node, dict) else node:
            _containers(child, out)
    return out


def _mutate(data: Any, draw: Callable[..., Any]) -> Any:
    """Apply a few random edits anywhere in the tree: delete, replace, wrap, unwrap, rename."""
    for _ in range(draw(st.integers(1, 4))):
        containers = _containers(data, [])
        target = containers[draw(st.integers(0, len(containers) - 1))]
        keys = list(target) if isinstance(target, dict) else list(range(len(target)))
        if not keys:
            continue
        key = keys[draw(st.integers(0, len(keys) - 1))]
        op = draw(st.sampled_from(["delete", "replace", "wrap", "unwrap", "rename"]))
        if op == "delete":
            del target[key]
        elif op == "replace":
            target[key] = draw(VALUES)
        elif op == "wrap":
            target[key] = draw(st.sampled_from([[target[key]], {"x": target[key]}]))
        elif op == "unwrap" and isinstance(target[key], list | dict) and target[key]:
            inner = target[key]
            target[key] = next(iter(inner.values())) if isinstance(inner, dict) else inner[0]
        elif op == "rename" and isinstance(target, dict):
            target[draw(TEXT)] = target.pop(key)
    return data


@st.composite
def mutated_yaml(draw: Callable[..., Any], path: Path) -> str:
    """The file's data with random edits, dumped as YAML; sometimes its text, edited raw."""
    text = path.read_text(encoding="utf-8")
    if draw(st.integers(0, 4)) == 0:  # raw text edit: hits the YAML parser itself
        at = draw(st.integers(0, len(text)))
        cut = draw(st.integers(0, 20))
        return text[:at] + draw(TEXT) + text[at + cut :]
    data = _plain(located_yaml.loads(text, str(path)))
    return yaml.safe_dump(_plain(_mutate(data, draw)), allow_unicode=True, sort_keys=False)


# --- the layers under test -------------------------------------------------------------------


@pytest.fixture(scope="module")
def builder() -> Builder:
    return Builder(Project(ROOT, seeds=FIXTURE_SEEDS), validate=False)


@pytest.fixture(scope="module")
def shacl() -> ShapesValidator:
    return ShapesValidator(shapes_files(ROOT / "ontology"))


def _well_formed(quads: list[tuple[str, str, str, str]]) -> None:
    nquads = "".join(f"{s} {p} {o} {g} .\n" for s, p, o, g in quads)
    parsed = list(ox.parse(input=nquads.encode("utf-8"), format=ox.RdfFormat.N_QUADS))
    assert len(parsed) == len(quads)


class Outcomes:
    """Counts what happened, so that a test can show it exercised both paths."""

    def __init__(self) -> None:
        self.loaded = 0
        self.refused = 0
        self.shacl_runs = 0


def _check_article(
    builder: Builder, shacl: ShapesValidator, folder: Path, registry: Any, seen: Outcomes
) -> None:
    try:
        article = load_article(folder, registry, builder.model)
        quads = list(builder.mappings.articles.materialise({ARTICLE_SOURCE: article.document}))
        quads = sorted(set(builder.ontology.materialise(quads)))
        _well_formed(quads)
        if seen.shacl_runs < SHACL_RUNS:
            seen.shacl_runs += 1
            shacl.check(
                [*quads, *builder.entity_quads, *builder.ontology.quads],
                article.locations,
                f"article {article.id}",
            )
    except NewskgError as exc:
        assert exc.diagnostics and str(exc)
        seen.refused += 1
        return
    seen.loaded += 1


def test_mutated_facts(builder, shacl, tmp_path):
    seen = Outcomes()
    folder = tmp_path / SEED_ARTICLE
    shutil.copytree(SEED, folder)

    @FUZZ
    @given(text=mutated_yaml(SEED / "facts.yaml"))
    def run(text: str) -> None:
        (folder / "facts.yaml").write_text(text, encoding="utf-8")
        _check_article(builder, shacl, folder, builder.registry, seen)

    run()
    assert seen.refused > 0 and seen.loaded > 0


def test_mutated_entities(builder, shacl, tmp_path):
    seen = Outcomes()
    path = tmp_path / "entities.yaml"
    # The registry reads shared-facts.yaml beside it; the seed article names a shared event.
    shutil.copy(FIXTURE_SEEDS / "shared-facts.yaml", tmp_path)

    @FUZZ
    @given(text=mutated_yaml(FIXTURE_SEEDS / "entities.yaml"))
    def run(text: str) -> None:
        path.write_text(text, encoding="utf-8")
        try:
            registry = load_registry(path, builder.model)
            quads = list(
                builder.mappings.entities.materialise({ENTITIES_SOURCE: registry.document})
            )
            _well_formed(quads)
        except NewskgError:
            seen.refused += 1
            return
        _check_article(builder, shacl, SEED, registry, seen)

    run()
    assert seen.refused > 0 and seen.loaded > 0


@pytest.mark.parametrize("name", ["events.yaml", "cooperation.yaml"])
def test_mutated_mappings(builder, tmp_path, name):
    seen = Outcomes()
    path = tmp_path / name
    document = load_article(SEED, builder.registry, builder.model).document

    @FUZZ
    @given(text=mutated_yaml(ROOT / "mappings" / name))
    def run(text: str) -> None:
        path.write_text(text, encoding="utf-8")
        try:
            mappings = load_mappings([path], base=builder.project.base)
            _well_formed(list(mappings.materialise({ARTICLE_SOURCE: document})))
        except NewskgError:
            seen.refused += 1
            return
        seen.loaded += 1

    run()
    assert seen.refused > 0 and seen.loaded > 0
