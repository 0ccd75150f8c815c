"""Differential test of newskg's mapping engine against morph-kgc.

    .venv/bin/python scripts/morphkgc_diff.py [--seeds seeds] [--mappings mappings] [--keep DIR]

Loads the seeds exactly as ``newskg build`` does (registry document -> ``entities.json``,
each article's normalised document -> ``article.json``), runs the project's own
``mappings/*.yaml`` through newskg in this process and through morph-kgc in a subprocess
from its own venv (``.venv-morph``, or ``$NEWSKG_MORPH_PYTHON``; morph-kgc pins
pyoxigraph<0.4 and rdflib<7.3, so it cannot share newskg's venv), parses morph-kgc's N-Quads
and compares the two graphs.

The two engines differ in documented ways (docs/mapping-language.md, "Differential test
against morph-kgc"). Each difference is normalised *explicitly* by a named rule below, and
the report counts how many quads each rule touched; whatever is left after the rules is a
real, undocumented difference and makes the exit status 1.

Running morph-kgc needs two input adaptations, also documented: every article gets its own
data source section (mapping names suffixed, source paths absolute), and JSON keys that
collide with morph-kgc's internal pandas column names (``subject``, ``graph``, …) are renamed
in morph-kgc's copy of the data and mappings (morph-kgc bug: ``$(graph)`` gives ``<>`` and
``$(subject)`` as an object gives ``<<…>>``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newskg.mapping import MappingSet

ROOT = Path(__file__).resolve().parents[1]
ARTICLE_SOURCE = "article.json"
ENTITIES_SOURCE = "entities.json"
# morph-kgc's pandas pipeline keeps its own working columns in the same frame as the data.
MORPH_RESERVED = ("subject", "predicate", "object", "graph", "triple", "reference_results")
_RESERVED_REF = re.compile(r"\$\((" + "|".join(MORPH_RESERVED) + r")\)")

Quad = tuple[str, str, str, str]
DEFAULT_BASE = "https://w3id.org/newskg/"


# --------------------------------------------------------------------------- morph-kgc


def morph_python() -> tuple[Path | None, str]:
    """The Python of morph-kgc's venv, or None and the reason it cannot be used."""
    env = os.environ.get("NEWSKG_MORPH_PYTHON")
    python = Path(env) if env else ROOT / ".venv-morph" / "bin" / "python"
    if not python.exists():
        how = "set NEWSKG_MORPH_PYTHON" if not env else "fix NEWSKG_MORPH_PYTHON"
        return None, (
            f"{python} does not exist (python3 -m venv .venv-morph && "
            f".venv-morph/bin/pip install morph-kgc, or {how})"
        )
    probe = subprocess.run(
        [str(python), "-c", "import morph_kgc"], capture_output=True, text=True, check=False
    )
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or ["?"])[-1]
        return None, f"'import morph_kgc' fails in {python}: {last}"
    return python, ""


def morph_config(mapping_groups: list[list[Path]], output: Path) -> str:
    """A morph-kgc ini: one data source section per group of mapping files."""
    lines = ["[CONFIGURATION]", "output_format=N-QUADS", f"output_file={output}", ""]
    for i, files in enumerate(mapping_groups, 1):
        lines += [f"[DataSource{i}]", "mappings=" + ",".join(str(f) for f in files), ""]
    return "\n".join(lines)


def run_morphkgc(python: Path, config: Path, log: Path) -> tuple[float, int]:
    """Run morph-kgc on ``config``; return (wall seconds, peak RSS in KiB) of its process."""
    import time

    with log.open("w", encoding="utf-8") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [str(python), "-m", "morph_kgc", str(config)],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=config.parent,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        tail = "\n".join(log.read_text(encoding="utf-8").splitlines()[-15:])
        raise RuntimeError(f"morph-kgc failed (exit {proc.returncode}):\n{tail}")
    return seconds, usage.ru_maxrss


def morph_data(doc: Any) -> Any:
    """morph-kgc's copy of a document: reserved keys get a ``morphkgc_`` prefix."""
    if isinstance(doc, dict):
        return {
            (f"morphkgc_{k}" if k in MORPH_RESERVED else k): morph_data(v) for k, v in doc.items()
        }
    if isinstance(doc, list):
        return [morph_data(v) for v in doc]
    return doc


def morph_mapping(doc: Any, sources: dict[str, Path], suffix: str, base: str = "") -> Any:
    """morph-kgc's copy of a YARRRML document: absolute source paths, renamed reserved
    references, mapping names (and references to them) suffixed, and relative IRIs made
    absolute against ``base`` (departure 2: morph-kgc ignores the base)."""
    if base:
        doc = _absolute_iris(doc, base)

    def walk(node: Any, key: str | None = None) -> Any:
        if isinstance(node, dict):
            out = {}
            for k, v in node.items():
                if key is None and k in ("mappings", "m") and isinstance(v, dict):
                    out[k] = {name + suffix: walk(m, "mapping") for name, m in v.items()}
                elif k in ("mapping", "m") and isinstance(v, str):
                    out[k] = v + suffix
                else:
                    out[k] = walk(v, k)
            return out
        if isinstance(node, list):
            return [walk(v, key) for v in node]
        if isinstance(node, str):
            for name, path in sources.items():
                if node.startswith(name + "~") or (key == "access" and node == name):
                    node = str(path) + node[len(name) :]
            return _RESERVED_REF.sub(r"$(morphkgc_\1)", node)
        return node

    return walk(doc)


_SUBJECT_KEYS = ("s", "subject", "subjects")
_GRAPH_KEYS = ("g", "graph", "graphs")


def _absolute_iris(doc: Any, base: str) -> Any:
    """Subjects, graphs and ``~iri`` objects written relative to the base, resolved."""
    if not isinstance(doc, dict) or not isinstance(doc.get("mappings"), dict):
        return doc

    def absolute(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        head = value.split("$(", 1)[0]
        return base + value if head and ":" not in head else value

    mappings = {}
    for name, mapping in doc["mappings"].items():
        mapping = dict(mapping)
        for key in (*_SUBJECT_KEYS, *_GRAPH_KEYS):
            if isinstance(mapping.get(key), list):
                mapping[key] = [absolute(v) for v in mapping[key]]
            elif key in mapping:
                mapping[key] = absolute(mapping[key])
        if "po" in mapping:
            mapping["po"] = [
                [*entry[:1], absolute(entry[1]), *entry[2:]]
                if isinstance(entry, list)
                and len(entry) > 1
                and isinstance(entry[1], str)
                and entry[1].endswith("~iri")
                else entry
                for entry in mapping["po"]
            ]
        mappings[name] = mapping
    return {**doc, "mappings": mappings}


# --------------------------------------------------------------------------- inputs


@dataclass
class Inputs:
    entities: dict[str, Any]
    articles: list[tuple[str, dict[str, Any]]]
    article_maps: list[Path] = field(default_factory=list)
    entity_maps: list[Path] = field(default_factory=list)
    # Each file as load_inputs compiled it to sort it by source: newskg_quads merges these
    # rather than reading and parsing the files a second time.
    compiled: dict[Path, MappingSet] = field(default_factory=dict)


def load_inputs(seeds: Path, mappings: Path, base: str) -> Inputs:
    from newskg.inputs import ENTITIES_FILE, article_folders, load_article, load_registry
    from newskg.mapping import load_mappings
    from newskg.model.schema import MODEL_FILE, load_model

    # The project's data model sits beside its mappings, in ontology/.
    model = load_model(mappings.parent / "ontology" / MODEL_FILE)
    registry = load_registry(seeds / ENTITIES_FILE, model)
    articles = [
        (folder.name, load_article(folder, registry, model).document)
        for folder in article_folders(seeds)
    ]
    inputs = Inputs(registry.document, articles)
    for path in sorted(mappings.glob("*.yaml")):
        inputs.compiled[path] = load_mappings([path], base=base)
        names = inputs.compiled[path].source_names
        (inputs.entity_maps if ENTITIES_SOURCE in names else inputs.article_maps).append(path)
    return inputs


def newskg_quads(inputs: Inputs) -> set[Quad]:
    from newskg.mapping import merge_mappings

    entities = merge_mappings(inputs.compiled[p] for p in inputs.entity_maps)
    quads: set[Quad] = set(entities.materialise({ENTITIES_SOURCE: inputs.entities}))
    articles = merge_mappings(inputs.compiled[p] for p in inputs.article_maps)
    for _, doc in inputs.articles:
        quads.update(articles.materialise({ARTICLE_SOURCE: doc}))
    return quads


def prepare_morph(inputs: Inputs, work: Path, base: str = DEFAULT_BASE) -> Path:
    """Write morph-kgc's data, mapping copies and config under ``work``; return the config."""
    from newskg import located_yaml

    groups: list[list[Path]] = []
    plan = [("entities", ENTITIES_SOURCE, inputs.entities, inputs.entity_maps)]
    plan += [
        (f"article-{i}", ARTICLE_SOURCE, doc, inputs.article_maps)
        for i, (_, doc) in enumerate(inputs.articles)
    ]
    for tag, source, doc, maps in plan:
        if not maps:
            continue
        folder = work / tag
        folder.mkdir(parents=True)
        data = folder / source
        data.write_text(json.dumps(morph_data(doc), ensure_ascii=False), encoding="utf-8")
        files = []
        for path in maps:
            mapping = morph_mapping(located_yaml.load(path), {source: data}, "__" + tag, base)
            copy = folder / path.name  # JSON is YAML: no YAML 1.1 retyping on morph's side
            copy.write_text(json.dumps(mapping, ensure_ascii=False, indent=1), encoding="utf-8")
            files.append(copy)
        groups.append(files)
    config = work / "morph-kgc.ini"
    config.write_text(morph_config(groups, work / "morph-kgc.nq"), encoding="utf-8")
    return config


# --------------------------------------------------------------------------- parsing


def parse_nquads(text: str) -> tuple[set[Quad], list[str]]:
    """Quads in canonical term syntax (as pyoxigraph writes them) and the lines that are
    not valid N-Quads."""
    import pyoxigraph as ox

    quads: set[Quad] = set()
    bad: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            (q,) = list(ox.parse(line.encode("utf-8"), ox.RdfFormat.N_QUADS))
        except (SyntaxError, ValueError):
            bad.append(line)
            continue
        graph = "" if isinstance(q.graph_name, ox.DefaultGraph) else str(q.graph_name)
        quads.add((str(q.subject), str(q.predicate), str(q.object), graph))
    return quads, bad


def canonical(quads: Iterable[Quad]) -> set[Quad]:
    """newskg's quads through the same parser, so term spelling (escapes) cannot differ."""
    text = "".join(f"{s} {p} {o} {g} .\n" for s, p, o, g in quads)
    parsed, bad = parse_nquads(text)
    assert not bad, bad[:3]
    return parsed


# --------------------------------------------------------------------------- rules

# Each rule: (cause, side, function). A "morph-kgc" rule maps one of morph-kgc's quads to
# the quad newskg writes for the same thing; a "newskg" rule drops one of newskg's quads
# that morph-kgc by design never writes (it returns True). A rule returns None / False when
# it does not apply. They are documented one by one in docs/mapping-language.md ("Differential
# test against morph-kgc"); keep the two lists in step.

_SCHEMA_HTTP = "<http://schema.org/"
_SCHEMA_HTTPS = "<https://schema.org/"


def _schema_prefix(q: Quad) -> Quad | None:
    """morph-kgc's built-in ``schema: http://schema.org/`` beats the file's
    ``schema: https://schema.org/``; newskg keeps the file's (user prefixes win)."""
    if not any(t.startswith(_SCHEMA_HTTP) for t in q):
        return None
    return tuple(  # type: ignore[return-value]
        _SCHEMA_HTTPS + t[len(_SCHEMA_HTTP) :] if t.startswith(_SCHEMA_HTTP) else t for t in q
    )


def _empty_string(q: Quad) -> bool:
    """morph-kgc reads an empty JSON string as NULL (pandas) and writes no triple; in
    RML-Core only a missing or null value gives no term, so newskg writes ``""``."""
    return q[2] == '""'


MORPH_RULES: list[tuple[str, Callable[[Quad], Quad | None]]] = [
    ("user prefixes win (schema: is https://schema.org/)", _schema_prefix),
]
NEWSKG_RULES: list[tuple[str, Callable[[Quad], bool]]] = [
    ('an empty string is a value, not null (object "")', _empty_string),
]


@dataclass
class Report:
    newskg: int
    morph: int
    rules: Counter[str]
    only_newskg: set[Quad]
    only_morph: set[Quad]
    invalid_morph_lines: list[str]

    @property
    def equal(self) -> bool:
        return not (self.only_newskg or self.only_morph or self.invalid_morph_lines)

    def render(self, limit: int = 10) -> str:
        lines = [f"newskg: {self.newskg} quads, morph-kgc: {self.morph} quads"]
        lines += [f"  normalised ({n} quads): {cause}" for cause, n in self.rules.items()]
        for title, quads in (
            ("only in newskg", self.only_newskg),
            ("only in morph-kgc", self.only_morph),
        ):
            if quads:
                lines.append(f"{title}: {len(quads)}")
                for cause, group in sorted(_group(quads).items()):
                    lines.append(f"  {len(group)} x {cause}")
                    lines += ["    " + " ".join(q) for q in sorted(group)[:limit]]
        if self.invalid_morph_lines:
            lines.append(f"invalid N-Quads from morph-kgc: {len(self.invalid_morph_lines)}")
            lines += ["    " + x for x in self.invalid_morph_lines[:limit]]
        lines.append("EQUAL up to the documented differences" if self.equal else "DIFFERENT")
        return "\n".join(lines)


def _group(quads: set[Quad]) -> dict[str, list[Quad]]:
    """Unexplained differences grouped by predicate: a first cut at the cause."""
    out: dict[str, list[Quad]] = {}
    for q in quads:
        out.setdefault(f"predicate {q[1]}", []).append(q)
    return out


def compare(ours: set[Quad], theirs: set[Quad], invalid: list[str]) -> Report:
    used: Counter[str] = Counter()
    normalised: set[Quad] = set()
    for q in theirs:
        for cause, rule in MORPH_RULES:
            fixed = rule(q)
            if fixed is not None:
                used[cause] += 1
                q = fixed
        normalised.add(q)
    kept: set[Quad] = set()
    for q in ours:
        dropped = [cause for cause, drop in NEWSKG_RULES if drop(q)]
        used.update(dropped)
        if not dropped:
            kept.add(q)
    return Report(len(ours), len(theirs), used, kept - normalised, normalised - kept, invalid)


def differential(
    seeds: Path, mappings: Path, python: Path, work: Path, base: str = DEFAULT_BASE
) -> Report:
    inputs = load_inputs(seeds, mappings, base)
    ours = canonical(newskg_quads(inputs))
    config = prepare_morph(inputs, work, base)
    run_morphkgc(python, config, work / "morph-kgc.log")
    theirs, invalid = parse_nquads((work / "morph-kgc.nq").read_text(encoding="utf-8"))
    return compare(ours, theirs, invalid)


def differential_files(mappings: list[Path], data: Path, python: Path, work: Path) -> Report:
    """Mapping files over the data files they name (in ``data``), through `newskg map` and
    through morph-kgc run in ``data``: no adaptation, for mappings and data that avoid the
    departures that need one (reserved column names)."""
    import io

    from newskg.mapping.mapper import map as map_files

    text = io.StringIO()
    map_files(mappings, data=data, output=text)
    ours, bad = parse_nquads(text.getvalue())
    assert not bad, bad[:3]
    config = work / "morph-kgc.ini"
    config.write_text(morph_config([mappings], work / "morph-kgc.nq"), encoding="utf-8")
    with (work / "morph-kgc.log").open("w", encoding="utf-8") as log:
        subprocess.run(
            [str(python), "-m", "morph_kgc", str(config)],
            cwd=data,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=True,
        )
    theirs, invalid = parse_nquads((work / "morph-kgc.nq").read_text(encoding="utf-8"))
    return compare(ours, theirs, invalid)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=Path, default=ROOT / "seeds")
    parser.add_argument("--mappings", type=Path, default=ROOT / "mappings")
    parser.add_argument("--keep", type=Path, help="write morph-kgc's inputs and output here")
    args = parser.parse_args(argv)
    python, why = morph_python()
    if python is None:
        print(f"morph-kgc unavailable: {why}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        report = differential(args.seeds, args.mappings, python, work)
    print(report.render())
    return 0 if report.equal else 1


if __name__ == "__main__":
    sys.exit(main())
