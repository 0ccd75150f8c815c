"""Helpers shared by the mapping tests: write a mapping file, compile it, run it."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from newskg.mapping import MappingSet, load_mappings


@pytest.fixture
def compile_yaml(tmp_path: Path) -> Callable[..., MappingSet]:
    def compile_(text: str, name: str = "m.yaml", base: str = "http://base.example/") -> MappingSet:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return load_mappings([path], base=base)

    return compile_


@pytest.fixture
def run_yaml(compile_yaml: Callable[..., MappingSet]) -> Callable[..., set[tuple[str, ...]]]:
    def run(text: str, sources: dict[str, Any], **kw: Any) -> set[tuple[str, ...]]:
        return set(compile_yaml(text, **kw).materialise(sources))

    return run
