"""The package's shape: imports point down the pipeline, no module imports itself back, and
modules stay small enough to read in one sitting (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "newskg"

# What each stage may import besides itself. The foundation modules sit under every stage;
# the command line and the package's face (newskg/__init__.py) may import anything.
FOUNDATION = {"errors", "files", "rdf", "located_yaml", "store", "indexes"}
ALLOWED: dict[str, set[str]] = {
    "foundation": set(),
    "model": set(),
    "inputs": {"model"},
    "drafting": {"model", "inputs"},
    "mapping": set(),
    "shacl": set(),
    # the site format of `newskg export` is the pages written out (one function-level import)
    "exports": {"model", "pages"},
    "builder": {"model", "inputs", "mapping", "shacl", "exports"},
    "query": {"model"},
    "pages": {"query"},
    "serve": {"query", "pages"},
    "tools": {"mapping", "inputs", "model", "exports"},
}
MAX_LINES = 500


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _stage(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1 or parts[1] in ("cli", "__main__"):
        return "face"  # newskg itself and newskg.cli
    return "foundation" if parts[1] in FOUNDATION else parts[1]


def _imports(module: str) -> set[str]:
    """Every newskg module ``module`` imports, at any depth of its code (function-level and
    TYPE_CHECKING imports count: a cycle through them is still a cycle for a reader)."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("newskg"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("newskg"):
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in MODULES else node.module)
    return {name for name in found if name in MODULES and name != module}


GRAPH = {module: _imports(module) for module in MODULES}


def test_the_module_list_is_read():
    assert {"newskg.rdf", "newskg.builder.plan", "newskg.query.graph"} <= set(MODULES)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down_the_pipeline(module):
    stage = _stage(module)
    if stage == "face":
        return
    allowed = {stage, "foundation", *ALLOWED[stage]}
    wrong = sorted(m for m in GRAPH[module] if _stage(m) not in allowed)
    assert not wrong, f"{module} ({stage}) may import only {sorted(allowed)}, not {wrong}"


def test_nothing_imports_the_command_line_or_the_tools():
    for module, imported in GRAPH.items():
        if _stage(module) not in ("face", "tools"):
            assert not {m for m in imported if _stage(m) in ("face", "tools")}, module


def test_no_module_imports_one_that_imports_it_back():
    cycles = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for other in sorted(GRAPH[module]):
            if state.get(other) == 1:
                cycles.append([*path[path.index(other) :], other])
            elif other not in state:
                visit(other, [*path, other])
        state[module] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module, [module])
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_a_long_module_says_why_at_its_top(module):
    text = MODULES[module].read_text(encoding="utf-8")
    if text.count("\n") <= MAX_LINES:
        return
    docstring = ast.get_docstring(ast.parse(text)) or ""
    assert "Why this module is long:" in docstring, (
        f"{module} has {text.count(chr(10))} lines: split it, or give the reason at its top "
        "in a paragraph starting 'Why this module is long:'"
    )
