"""``newskg build``: seeds -> validate -> map -> SHACL -> store + exports, atomically.

Nothing under the output folder changes until every article has been loaded, mapped and
validated and the new store and exports are complete; then :meth:`StagedBuild.commit` swaps
them in. Any error before that leaves the previous build untouched.

Scale (docs/scale.md): articles are processed one at a time (in worker processes when there
are many) and each article's output goes straight to files: its quads and TriG block to
scratch files of the build, its sorted per-subject Turtle run to ``kg/.runs/`` (named by
content, kept between builds). Nothing holds every quad. The store is bulk-loaded from the
N-Quads, the TriG export is the blocks in graph order (article graphs are disjoint), and the
Turtle export (the union) is a merge of the runs.

Incremental builds: the manifest records a fingerprint of everything every article depends
on (entities.yaml, mappings, ontology and shapes, base IRI, newskg's code) and a content hash
of each article's article.txt + facts.yaml. When the fingerprint is unchanged, only new and
changed articles are loaded, mapped and validated; the previous store is copied (a RocksDB
checkpoint) and their named graphs replaced, deleted articles' graphs removed, and the
previous exports patched (:mod:`newskg.export_patch`): only the changed graphs' TriG blocks
and the subjects the changed articles describe are written anew, the rest is copied. Any
change to the fingerprint rebuilds everything.
"""

from __future__ import annotations

import contextlib
import hashlib
import heapq
import json
import multiprocessing
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from newskg.errors import InputError, MappingError, NewskgError, StoreError, location_of
from newskg.export_patch import TRIG, TURTLE, NotPatchable, patch_export
from newskg.facts import (
    ENTITIES_FILE,
    ArticleDocument,
    Registry,
    article_folders,
    load_article,
    load_registry,
)
from newskg.iris import DEFAULT_BASE, IriPolicy
from newskg.mapping import MappingSet, load_mappings, merge_mappings
from newskg.ontology import SHAPES_FILE, Ontology, Quad, load_ontology
from newskg.serialize import (
    header,
    parse_record,
    render_rows,
    sort_key,
    sorted_unique_triples,
    subject_key,
    subject_records,
    trig_graph_block,
    write_turtle_from_runs,
)
from newskg.shacl import EntityContext, ShapesValidator
from newskg.store import (
    MANIFEST_FILE,
    TRIG_EXPORT,
    TURTLE_EXPORT,
    KgLayout,
    StagedBuild,
    build_lock,
)

ARTICLE_SOURCE = "article.json"
ENTITIES_SOURCE = "entities.json"


@dataclass(frozen=True)
class Project:
    """Where a build reads from and writes to; every path defaults to the project layout."""

    root: Path = Path()
    seeds: Path | None = None
    mappings: Path | None = None
    ontology: Path | None = None
    out: Path | None = None
    base: str = DEFAULT_BASE

    @property
    def seeds_dir(self) -> Path:
        return self.seeds or self.root / "seeds"

    @property
    def mappings_dir(self) -> Path:
        return self.mappings or self.root / "mappings"

    @property
    def ontology_dir(self) -> Path:
        return self.ontology or self.root / "ontology"

    @property
    def out_dir(self) -> Path:
        return self.out or self.root / "kg"


@dataclass
class BuildReport:
    articles: int = 0
    quads: int = 0
    graphs: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    rebuilt: int = 0  # articles loaded, mapped and validated by this build
    removed: int = 0  # articles of the previous build that are gone
    incremental: bool = False
    jobs: int = 1
    store: Path | None = None
    exports: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class Mappings:
    """The compiled mapping sets, split by the source they read."""

    articles: MappingSet
    entities: MappingSet


def mapping_files(folder: Path) -> list[Path]:
    """The mapping files of ``folder`` (YARRRML or RML), sorted: what a build compiles."""
    return sorted(p for p in folder.glob("*") if p.suffix.lower() in {".yaml", ".yml", ".ttl"})


def compile_mappings(folder: Path, base: str) -> Mappings:
    files = mapping_files(folder)
    if not files:
        raise InputError(
            "no mapping files found",
            location=location_of(folder),
            hint="put YARRRML (*.yaml) or RML (*.ttl) mappings in mappings/",
        )
    # Each file compiled once, on its own: that is how a file reading the wrong source is
    # found and named; the sets are then merged without reading anything again.
    by_source: dict[str, list[MappingSet]] = {ARTICLE_SOURCE: [], ENTITIES_SOURCE: []}
    for path in files:
        mapping_set = load_mappings([path], base=base)
        names = mapping_set.source_names
        unknown = names - set(by_source)
        if unknown or len(names) != 1:
            raise MappingError(
                f"a mapping file must read exactly one of {ARTICLE_SOURCE} or {ENTITIES_SOURCE}; "
                f"this one reads {', '.join(sorted(names)) or 'nothing'}",
                location=location_of(path),
                hint="split the file so that each reads one source",
            )
        by_source[next(iter(names))].append(mapping_set)
    return Mappings(
        articles=merge_mappings(by_source[ARTICLE_SOURCE]),
        entities=merge_mappings(by_source[ENTITIES_SOURCE]),
    )


MANIFEST_FORMAT = 3
RUN_BATCH = 256  # article runs merged into one intermediate Turtle run (bounds open files)
WORK_DIR = "work"  # scratch files of a build in progress, deleted before its commit
PARALLEL_MIN = 64  # below this many articles, starting worker processes costs more than it saves


@dataclass
class ArticleOutput:
    """What one article contributes to a build (see the module docstring for where it goes)."""

    id: str
    quads: int
    nquads: str  # sorted N-Quads of the article graph
    trig: str  # the article's TriG graph block
    prefixes: list[str]  # prefixes the TriG block uses
    records: list[str]  # sorted per-subject Turtle run lines
    turtle_prefixes: list[str]  # prefixes the run's blocks use
    seconds: dict[str, float]


@dataclass(frozen=True)
class _Failure:
    """A user error in a worker process, sent back as data (exceptions pickle badly)."""

    kind: type[NewskgError]
    diagnostics: tuple[Any, ...]


class Builder:
    """Everything compiled once per build: registry, mappings, ontology, shapes."""

    def __init__(
        self, project: Project, *, validate: bool = True, reference_shacl: bool = False
    ) -> None:
        self.project = project
        self.iris = IriPolicy(project.base)
        self.registry: Registry = load_registry(project.seeds_dir / ENTITIES_FILE, self.iris)
        self.mappings = compile_mappings(project.mappings_dir, project.base)
        self.ontology: Ontology = load_ontology(
            project.ontology_dir, f"<{self.iris.ontology_graph}>"
        )
        self.validator = (
            ShapesValidator(project.ontology_dir / SHAPES_FILE, reference=reference_shacl)
            if validate
            else None
        )
        self.entity_quads: list[Quad] = self._entity_quads()
        self.context = EntityContext([*self.entity_quads, *self.ontology.quads])

    def _entity_quads(self) -> list[Quad]:
        quads = self.mappings.entities.materialise({ENTITIES_SOURCE: self.registry.document})
        return sorted(set(self.ontology.materialise(quads)))

    def validate_entities(self) -> None:
        """The entities and ontology graphs against every shape (once per build)."""
        if self.validator is not None:
            quads = [*self.entity_quads, *self.ontology.quads]
            self.validator.check(quads, {}, f"entities ({self.project.seeds_dir / ENTITIES_FILE})")

    def article_quads(
        self, folder: Path, seconds: dict[str, float] | None = None
    ) -> tuple[ArticleDocument, list[Quad]]:
        """Load, map and (if validating) check one article; its quads sorted and unique.
        Time spent is added to ``seconds`` ("load+map", "shacl") when given."""
        mark = time.perf_counter()
        article = load_article(folder, self.registry, self.iris)
        mapped = self.mappings.articles.materialise({ARTICLE_SOURCE: article.document})
        quads = sorted(set(self.ontology.materialise(mapped)))
        if seconds is not None:
            seconds["load+map"] = time.perf_counter() - mark
        if self.validator is not None:
            mark = time.perf_counter()
            self.validator.check_article(
                quads, self.context, article.locations, f"article {article.id}"
            )
            if seconds is not None:
                seconds["shacl"] = time.perf_counter() - mark
        return article, quads

    def process(self, folder: Path) -> ArticleOutput:
        """One article, ready to be written: N-Quads, TriG block and Turtle run records."""
        seconds: dict[str, float] = {}
        article, quads = self.article_quads(folder, seconds)
        mark = time.perf_counter()
        graph = f"<{self.iris.article_graph(article.id)}>"
        stray = next((q for q in quads if q[3] != graph), None)
        if stray is not None:
            raise MappingError(
                f"an article mapping wrote into graph {stray[3] or '(default)'}, "
                f"not the article's graph {graph}",
                location=location_of(self.project.mappings_dir),
                hint="give every article mapping 'graphs: $(graph)'",
            )
        triples = sorted_unique_triples((s, p, o) for s, p, o, _ in quads)
        used: set[str] = set()
        trig = trig_graph_block(graph, triples, used)
        turtle_used: set[str] = set()
        records = list(subject_records(triples, turtle_used))
        output = ArticleOutput(
            id=article.id,
            quads=len(quads),
            nquads="".join(f"{s} {p} {o} {g} .\n" for s, p, o, g in quads),
            trig=trig,
            prefixes=sorted(used),
            records=records,
            turtle_prefixes=sorted(turtle_used),
            seconds=seconds,
        )
        seconds["serialise"] = time.perf_counter() - mark
        return output


_ACTIVE: Builder | None = None  # the builder worker processes inherit (fork)


def _process(folder: Path) -> ArticleOutput | _Failure:
    assert _ACTIVE is not None
    try:
        return _ACTIVE.process(folder)
    except NewskgError as exc:
        return _Failure(type(exc), exc.diagnostics)


def _outputs(builder: Builder, folders: list[Path], jobs: int) -> Iterator[ArticleOutput]:
    """Process ``folders`` in order, in ``jobs`` worker processes when that pays."""
    global _ACTIVE
    if jobs <= 1:
        for folder in folders:
            yield builder.process(folder)
        return
    _ACTIVE = builder
    try:
        # fork: workers inherit the compiled builder instead of re-reading everything.
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            for item in pool.imap(_process, folders, chunksize=4):
                if isinstance(item, _Failure):
                    raise item.kind(diagnostics=item.diagnostics)
                yield item
    finally:
        _ACTIVE = None


def default_jobs(articles: int) -> int:
    """Worker processes for ``articles`` articles: every core, unless there are few."""
    if articles < PARALLEL_MIN:
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def content_hash(folder: Path) -> str:
    """What decides whether an article is rebuilt: its text and facts, byte for byte."""
    digest = hashlib.sha256()
    base = os.fspath(folder)
    for name in ("article.txt", "facts.yaml"):
        digest.update(_file_bytes(os.path.join(base, name)))
        digest.update(b"\0")
    return digest.hexdigest()


def _file_bytes(path: str) -> bytes:
    """A file's bytes, or a marker when it is missing or unreadable (a folder, no
    permission): the article is then rebuilt and load_article names the file and the
    problem, where an error here would read as a failed write. os-level calls: every build
    hashes every article, and pathlib's per-call overhead was a third of a one-article
    rebuild at 10k articles."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return b"\xff missing"
    except OSError:
        return b"\xff unreadable"
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError:  # os.open succeeds on a folder; reading it fails
        return b"\xff unreadable"
    finally:
        os.close(fd)


def fingerprint(project: Project) -> str:
    """Everything every article depends on: if any of it changes, everything is rebuilt."""
    digest = hashlib.sha256(f"{MANIFEST_FORMAT}\0{project.base}\0".encode())

    def add(path: Path, name: str) -> None:
        digest.update(name.encode() + b"\0")
        try:
            digest.update(path.read_bytes())
        except FileNotFoundError:
            digest.update(b"\xff missing")
        digest.update(b"\0")

    add(project.seeds_dir / ENTITIES_FILE, "entities")
    for path in mapping_files(project.mappings_dir):
        add(path, f"mappings/{path.name}")
    for path in sorted(project.ontology_dir.glob("*.ttl")):
        add(path, f"ontology/{path.name}")
    code = Path(__file__).resolve().parent
    for path in sorted(code.rglob("*.py")):
        add(path, f"code/{path.relative_to(code)}")
    return digest.hexdigest()


@dataclass(frozen=True)
class _Previous:
    dir: Path
    inputs: dict[str, dict[str, Any]]
    fixed_prefixes: dict[str, list[str]]  # what the entities and ontology graphs use, per export


class _FullBuildNeeded(Exception):
    """An incremental build found something it cannot patch; the build starts over, full."""


def run_name(article_id: str, sha256: str, print_: str) -> str:
    """The run file of an article, named by everything its content depends on, so that a
    build never overwrites a file that the current build still refers to."""
    digest = hashlib.sha256(f"{print_}\0{sha256}".encode()).hexdigest()[:24]
    return f"{article_id}.{digest}.run"


def _export_stamp(path: Path) -> dict[str, int]:
    """Size and mtime of an export: whether kg/ still holds what the build wrote."""
    info = path.stat()
    return {"size": info.st_size, "mtime_ns": info.st_mtime_ns}


def _previous_build(
    layout: KgLayout, print_: str, validate: bool, runs: set[str]
) -> _Previous | None:
    """The current build, if an incremental build may start from it: same fingerprint, its
    exports in kg/ untouched since, and the run file of every article still there."""
    if not layout.store.is_symlink():
        return None
    folder = layout.store.resolve().parent
    try:
        manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        return None
    if manifest.get("fingerprint") != print_ or (validate and not manifest.get("validated")):
        return None
    if not (folder / "store").is_dir():
        return None
    exports, inputs, fixed = (manifest.get(k) for k in ("exports", "inputs", "fixed_prefixes"))
    if not isinstance(exports, dict) or not isinstance(inputs, dict) or not isinstance(fixed, dict):
        return None
    for name, path in ((TURTLE_EXPORT, layout.turtle), (TRIG_EXPORT, layout.trig)):
        try:
            if exports.get(name) != _export_stamp(path):
                return None  # edited or replaced since: patching it would not give a build
        except OSError:
            return None
    for article_id, entry in inputs.items():
        if (
            not isinstance(entry, dict)
            or run_name(article_id, str(entry.get("sha256")), print_) not in runs
        ):
            return None
    return _Previous(folder, inputs, fixed)


def _progress(total: int, show: bool | None) -> Any:
    """A progress bar on a terminal; nothing when output goes to a file or pipe."""
    if show is None:
        show = sys.stdout.isatty() and sys.stderr.isatty()
    if not show or total == 0:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="article", desc="build", file=sys.stderr, leave=False)


def build(
    project: Project | None = None,
    *,
    validate: bool = True,
    full: bool = False,
    jobs: int | None = None,
    progress: bool | None = None,
) -> BuildReport:
    """Build the knowledge graph of ``project`` and swap it into its output folder.

    Incremental unless ``full``: only articles whose text or facts changed since the last
    build are rebuilt (see the module docstring). ``jobs`` worker processes (default: every
    core when there are many articles); ``progress`` bar (default: on a terminal only)."""
    project = project or Project()
    started = time.perf_counter()
    layout = KgLayout(project.out_dir)
    with contextlib.ExitStack() as held:
        try:
            held.enter_context(build_lock(layout))
        except OSError as exc:  # the output folder cannot even be created
            raise _write_error(exc, layout, committed=False) from None
        try:
            report = _build_locked(project, layout, validate, full, jobs, progress)
        except _FullBuildNeeded:
            report = _build_locked(project, layout, validate, True, jobs, progress)
    report.seconds = time.perf_counter() - started
    return report


def _build_locked(
    project: Project,
    layout: KgLayout,
    validate: bool,
    full: bool,
    jobs: int | None,
    progress: bool | None,
) -> BuildReport:
    started = time.perf_counter()
    report = BuildReport()
    builder = Builder(project, validate=validate)
    report.timings["compile"] = time.perf_counter() - started

    folders = article_folders(project.seeds_dir)
    graph_of = {f.name: f"<{builder.iris.article_graph(f.name)}>" for f in folders}
    # The exports list graphs in sort_key order of their IRIs, which is not always the order
    # of the folder names ("a" < "a-1" but "<…/a>" > "<…/a-1>").
    folders.sort(key=lambda f: sort_key(graph_of[f.name]))
    print_ = fingerprint(project)
    try:
        staged = StagedBuild(layout)  # finishes a commit that a killed build left first
        layout.runs.mkdir(exist_ok=True)
    except OSError as exc:
        raise _write_error(exc, layout, committed=False) from None
    try:
        runs = {entry.name for entry in os.scandir(layout.runs)}
        previous = None if full else _previous_build(layout, print_, validate, runs)
        result = _build_into(
            staged, builder, folders, graph_of, previous, report, jobs, progress, print_
        )
        staged.write_manifest(
            {
                "format": MANIFEST_FORMAT,
                "base": project.base,
                "fingerprint": print_,
                "validated": validate,
                "articles": report.articles,
                "quads": report.quads,
                "graphs": report.graphs,
                "inputs": result.inputs,
                "fixed_prefixes": result.fixed_prefixes,
                "exports": {
                    name: _export_stamp(staged.export_path(name))
                    for name in (TURTLE_EXPORT, TRIG_EXPORT)
                },
            }
        )
        staged.commit()
    except OSError as exc:  # disk full, permissions, ...: an error for the user, not a crash
        staged.abort()
        raise _write_error(exc, layout, committed=staged.committed) from None
    except BaseException:
        staged.abort()
        raise
    keep = {run_name(i, e["sha256"], print_) for i, e in result.inputs.items()}
    _collect_runs(layout.runs, keep)
    report.store = layout.store
    report.exports = [layout.turtle, layout.trig]
    return report


@dataclass
class _Built:
    inputs: dict[str, dict[str, Any]]  # the manifest's per-article entries
    fixed_prefixes: dict[str, list[str]]


def _build_into(
    staged: StagedBuild,
    builder: Builder,
    folders: list[Path],
    graph_of: dict[str, str],
    previous: _Previous | None,
    report: BuildReport,
    jobs: int | None,
    progress: bool | None,
    print_: str,
) -> _Built:
    """Fill the staged build and ``report``; return what the manifest records."""
    layout = staged.layout
    work = staged.dir / WORK_DIR
    work.mkdir()
    content = {f.name: content_hash(f) for f in folders}
    inputs: dict[str, dict[str, Any]] = {}
    todo: list[Path] = []
    for folder in folders:
        old = previous.inputs.get(folder.name) if previous else None
        if old is not None and old.get("sha256") == content[folder.name]:
            inputs[folder.name] = old
        else:
            todo.append(folder)
    ids = [f.name for f in folders]
    removed: list[str] = []  # articles of the previous build that are gone
    if previous is not None:
        report.incremental = True
        removed = sorted(set(previous.inputs) - set(content))
        report.removed = len(removed)
    elif builder.validator is not None:
        mark = time.perf_counter()
        builder.validate_entities()
        report.timings["shacl"] = time.perf_counter() - mark
    removed_graphs = [f"<{builder.iris.article_graph(i)}>" for i in removed]
    fixed = _fixed_graphs(builder)

    # -- load, map, validate the articles that need it --------------------------------------
    # Their quads go to one N-Quads file (for a full build after the entities and ontology
    # graphs: the store is bulk-loaded from it), their TriG blocks to another, in graph order.
    mark = time.perf_counter()
    report.jobs = default_jobs(len(todo)) if jobs is None else max(1, jobs)
    bar = _progress(len(todo), progress)
    spent: dict[str, float] = {}
    nquads, trig_blocks = work / "articles.nq", work / "articles.trig"
    spans: dict[str, tuple[int, int]] = {}  # article -> its block in trig_blocks
    try:
        with (
            nquads.open("w", encoding="utf-8", newline="\n") as nq,
            trig_blocks.open("wb") as blocks,
        ):
            if previous is None:
                for graph, triples in fixed.items():
                    nq.writelines(f"{s} {p} {o} {graph} .\n" for s, p, o in triples)
            for out in _outputs(builder, todo, report.jobs):
                nq.write(out.nquads)
                block = out.trig.encode("utf-8")
                spans[out.id] = (blocks.tell(), len(block))
                blocks.write(block)
                _write_run(layout.runs, run_name(out.id, content[out.id], print_), out.records)
                inputs[out.id] = {
                    "sha256": content[out.id],
                    "quads": out.quads,
                    "prefixes": out.prefixes,
                    "turtle_prefixes": out.turtle_prefixes,
                }
                for key, value in out.seconds.items():
                    spent[key] = spent.get(key, 0.0) + value
                if bar is not None:
                    bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    report.rebuilt = len(todo)
    report.timings["articles"] = time.perf_counter() - mark
    # CPU seconds summed over workers: what validation costs, reported apart from the rest.
    if "shacl" in spent:
        report.timings["shacl"] = report.timings.get("shacl", 0.0) + spent["shacl"]

    # -- the store ------------------------------------------------------------------------
    mark = time.perf_counter()
    if previous is not None:
        stale = [graph_of[f.name] for f in todo if f.name in previous.inputs] + removed_graphs
        staged.update_from(previous.dir / "store", stale, nquads if todo else None)
    else:
        staged.load_nquads(nquads)
    nquads.unlink()
    report.timings["store"] = time.perf_counter() - mark

    # -- exports --------------------------------------------------------------------------
    mark = time.perf_counter()

    def run_path(article_id: str) -> Path:
        return layout.runs / run_name(article_id, inputs[article_id]["sha256"], print_)

    trig_used = {p for i in ids for p in inputs[i]["prefixes"]}
    turtle_used = {p for i in ids for p in inputs[i]["turtle_prefixes"]}
    if previous is None:
        fixed_prefixes = {
            "trig": write_trig(staged, fixed, ids, graph_of, spans, trig_blocks, trig_used),
            "turtle": write_turtle(staged, fixed, [run_path(i) for i in ids], turtle_used, work),
        }
    else:
        fixed_prefixes = previous.fixed_prefixes
        old_runs = {
            i: layout.runs / run_name(i, previous.inputs[i]["sha256"], print_)
            for i in [*(f.name for f in todo if f.name in previous.inputs), *removed]
        }
        try:
            _patch_trig(
                staged,
                graph_of,
                spans,
                trig_blocks,
                removed_graphs,
                header([*fixed_prefixes["trig"], *trig_used]),
            )
            _patch_turtle(
                staged,
                fixed,
                graph_of,
                run_path,
                {f.name for f in todo},
                old_runs,
                header([*fixed_prefixes["turtle"], *turtle_used]),
            )
        except NotPatchable:
            raise _FullBuildNeeded from None
    shutil.rmtree(work)
    report.timings["export"] = time.perf_counter() - mark

    report.articles = len(ids)
    report.quads = sum(len(t) for t in fixed.values()) + sum(int(inputs[i]["quads"]) for i in ids)
    report.graphs = len(fixed) + sum(1 for i in ids if inputs[i]["quads"])
    return _Built({i: inputs[i] for i in ids}, fixed_prefixes)


def _fixed_graphs(builder: Builder) -> dict[str, list[tuple[str, str, str]]]:
    """The entities and ontology graphs (small: held in memory), triples sorted per graph."""
    fixed: dict[str, list[tuple[str, str, str]]] = {}
    for s, p, o, g in [*builder.ontology.quads, *builder.entity_quads]:
        fixed.setdefault(g, []).append((s, p, o))
    return {g: sorted_unique_triples(t) for g, t in fixed.items()}


def _write_run(folder: Path, name: str, records: list[str]) -> None:
    # Written aside and renamed: a killed build never leaves a half-written run under a name
    # that a later build would trust.
    partial = folder / f".partial-{os.getpid()}-{name}"
    partial.write_text("".join(records), encoding="utf-8", newline="\n")
    os.replace(partial, folder / name)


def _read_run(path: Path) -> dict[str, tuple[str, list[str]]]:
    """A run file as key -> (subject, "p o" rows)."""
    records: dict[str, tuple[str, list[str]]] = {}
    try:
        with path.open(encoding="utf-8", newline="\n") as handle:
            for line in handle:
                key, _, _, subject, rows = parse_record(line)
                records[key] = (subject, rows)
    except (OSError, ValueError) as exc:
        raise NotPatchable(f"cannot read {path.name}: {exc}") from None
    return records


def _collect_runs(folder: Path, keep: set[str]) -> None:
    """Delete run files the current build does not refer to (older versions, killed builds)."""
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name not in keep:
                    Path(entry.path).unlink(missing_ok=True)
    except OSError:
        pass  # garbage left for the next build to collect; the build itself is complete


def write_trig(
    staged: StagedBuild,
    fixed: dict[str, list[tuple[str, str, str]]],
    ids: list[str],
    graph_of: dict[str, str],
    spans: dict[str, tuple[int, int]],
    blocks_file: Path,
    used: set[str],
) -> list[str]:
    """TriG, one block per named graph in graph order: what write_trig writes, streamed.
    Returns the prefixes the entities and ontology graphs use."""
    fixed_used: set[str] = set()
    order: list[tuple[str, str | tuple[int, int]]] = [
        (subject_key(graph), trig_graph_block(graph, triples, fixed_used))
        for graph, triples in fixed.items()
    ]
    order += [(subject_key(graph_of[i]), spans[i]) for i in ids]
    order.sort(key=lambda item: item[0])
    with (
        blocks_file.open("rb") as blocks,
        staged.export_path(TRIG_EXPORT).open("wb") as out,
    ):
        out.write(header(used | fixed_used).encode("utf-8"))
        if order:
            out.write(b"\n")
            for n, (_, block) in enumerate(order):
                if n:
                    out.write(b"\n\n")
                if isinstance(block, str):
                    out.write(block.encode("utf-8"))
                else:
                    blocks.seek(block[0])
                    out.write(blocks.read(block[1]))
            out.write(b"\n")
    return sorted(fixed_used)


def write_turtle(
    staged: StagedBuild,
    fixed: dict[str, list[tuple[str, str, str]]],
    article_runs: list[Path],
    used: set[str],
    work: Path,
) -> list[str]:
    """Turtle of the union: a merge of sorted per-subject runs (what write_turtle writes).
    Returns the prefixes the entities and ontology graphs use."""
    fixed_used: set[str] = set()
    union = sorted_unique_triples(t for triples in fixed.values() for t in triples)
    first = work / "fixed.run"
    first.write_text("".join(subject_records(union, fixed_used)), encoding="utf-8", newline="\n")
    runs = [first]
    if len(article_runs) <= RUN_BATCH:
        runs += article_runs
    else:  # merge in batches first, so that the final merge opens few files
        for n in range(0, len(article_runs), RUN_BATCH):
            merged = work / f"batch-{n // RUN_BATCH:06d}.run"
            _merge_lines(article_runs[n : n + RUN_BATCH], merged)
            runs.append(merged)
    body = work / "body.ttl"
    with body.open("w", encoding="utf-8", newline="\n") as handle:
        merged_used = write_turtle_from_runs(runs, handle)
    assert merged_used <= used | fixed_used, "the runs' prefixes are recorded per article"
    with staged.export_path(TURTLE_EXPORT).open("w", encoding="utf-8", newline="\n") as out:
        out.write(header(used | fixed_used))
        if body.stat().st_size:
            out.write("\n")
            _concatenate([body], out)
            out.write("\n")
    return sorted(fixed_used)


def _patch_trig(
    staged: StagedBuild,
    graph_of: dict[str, str],
    spans: dict[str, tuple[int, int]],
    blocks_file: Path,
    removed_graphs: list[str],
    new_header: str,
) -> None:
    """The previous TriG export with the rebuilt articles' graphs replaced (or inserted) and
    the removed articles' graphs dropped."""
    changes: dict[str, str | None] = {subject_key(graph): None for graph in removed_graphs}
    with blocks_file.open("rb") as blocks:
        for article_id, (offset, length) in spans.items():
            blocks.seek(offset)
            changes[subject_key(graph_of[article_id])] = blocks.read(length).decode("utf-8")
    patch_export(staged.layout.trig, staged.export_path(TRIG_EXPORT), new_header, changes, TRIG)


def _patch_turtle(
    staged: StagedBuild,
    fixed: dict[str, list[tuple[str, str, str]]],
    graph_of: dict[str, str],
    run_path: Callable[[str], Path],
    rebuilt: set[str],
    old_runs: dict[str, Path],
    new_header: str,
) -> None:
    """The previous Turtle export with every subject the changed articles described, before
    or after the change, re-rendered from the union of its triples over all graphs (or
    dropped when none is left).

    Which graphs describe a subject is asked of the new store; the triples themselves come
    from the run files, in the exact form the mapping engine wrote them (the store may print
    a literal differently), so the blocks are byte for byte what a full build writes."""
    touched: dict[str, str] = {}  # sort key -> subject
    for path in old_runs.values():
        touched.update((key, subject) for key, (subject, _) in _read_run(path).items())
    new_rows: dict[str, list[str]] = {}
    for article_id in rebuilt:
        for key, (subject, rows) in _read_run(run_path(article_id)).items():
            touched[key] = subject
            new_rows.setdefault(key, []).extend(rows)
    if any(not subject.startswith("<") for subject in touched.values()):
        # Blank node labels are not stable across stores: the store cannot say who else
        # describes one. Rare (no shipped mapping mints them): rewrite instead.
        raise NotPatchable("blank node subjects")
    subjects = set(touched.values())
    fixed_rows: dict[str, list[str]] = {}
    for triples in fixed.values():
        for s, p, o in triples:
            if s in subjects:
                fixed_rows.setdefault(s, []).append(f"{p} {o}")
    article_of = {graph: article_id for article_id, graph in graph_of.items()}
    others: dict[str, dict[str, tuple[str, list[str]]]] = {}  # unchanged articles' runs
    changes: dict[str, str | None] = {}
    store = ox.Store.read_only(str(staged.store_dir))
    try:
        for key, subject in touched.items():
            rows = [*fixed_rows.get(subject, ()), *new_rows.get(key, ())]
            graphs = {
                str(q.graph_name)
                for q in store.quads_for_pattern(ox.NamedNode(subject[1:-1]), None, None, None)
            }
            for graph in sorted(graphs):
                article_id = article_of.get(graph)
                if article_id is None or article_id in rebuilt:
                    continue  # an entities/ontology graph or a rebuilt article: rows known
                if article_id not in others:
                    others[article_id] = _read_run(run_path(article_id))
                record = others[article_id].get(key)
                if record is None:
                    raise NotPatchable(f"the run of {article_id} does not describe {subject}")
                rows += record[1]
            changes[key] = render_rows(subject, rows, set()) if rows else None
    finally:
        del store
    patch_export(
        staged.layout.turtle, staged.export_path(TURTLE_EXPORT), new_header, changes, TURTLE
    )


def _merge_lines(paths: list[Path], target: Path) -> None:
    files = [p.open(encoding="utf-8", newline="\n") for p in paths]
    try:
        with target.open("w", encoding="utf-8", newline="\n") as out:
            out.writelines(heapq.merge(*files))
    finally:
        for handle in files:
            handle.close()


def _concatenate(paths: Iterable[Path], out: Any) -> None:
    for path in paths:
        with path.open(encoding="utf-8", newline="\n") as handle:
            shutil.copyfileobj(handle, out, 1 << 20)


def _write_error(exc: OSError, layout: KgLayout, *, committed: bool) -> StoreError:
    if committed:
        return StoreError(
            f"the build is complete but could not be swapped in: {exc}",
            location=location_of(layout.root),
            hint="fix the cause and run 'newskg build' again; it finishes the swap first",
        )
    return StoreError(
        f"cannot write the build: {exc}",
        location=location_of(layout.root),
        hint="check free space and permissions; the previous build is unchanged",
    )


__all__ = ["BuildReport", "Builder", "Project", "build", "content_hash", "fingerprint"]
