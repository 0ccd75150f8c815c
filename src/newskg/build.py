"""``newskg build``: seeds -> validate -> map -> SHACL -> store + exports, atomically.

Nothing under the output folder changes until every article has been loaded, mapped and
validated and the new store and exports are complete; then :meth:`StagedBuild.commit` swaps
them in. Any error before that leaves the previous build untouched.

Scale (docs/scale.md): articles are processed one at a time (in worker processes when there
are many) and each article's sorted quads go straight to files in the build folder
(``cache/<id>.nq``, ``.trig``, ``.ttlrun``); nothing holds every quad. The store is
bulk-loaded from those files, the TriG export is their concatenation in graph order (article
graphs are disjoint), and the Turtle export (the union) is a merge of sorted per-subject runs.

Incremental builds: the manifest records a fingerprint of everything every article depends
on (entities.yaml, mappings, ontology and shapes, base IRI, newskg's code) and a content hash
of each article's article.txt + facts.yaml. When the fingerprint is unchanged, only new and
changed articles are loaded, mapped and validated; the previous store is copied (a RocksDB
checkpoint) and their named graphs replaced, deleted articles' graphs removed, and the
exports reassembled from the cached files, which unchanged articles share with the previous
build by hard link. Any change to the fingerprint rebuilds everything.
"""

from __future__ import annotations

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

from newskg.errors import InputError, MappingError, NewskgError, StoreError, location_of
from newskg.facts import (
    ENTITIES_FILE,
    ArticleDocument,
    Registry,
    article_folders,
    load_article,
    load_registry,
)
from newskg.iris import DEFAULT_BASE, IriPolicy
from newskg.mapping import MappingSet, load_mappings
from newskg.ontology import SHAPES_FILE, Ontology, Quad, load_ontology
from newskg.serialize import (
    header,
    sort_key,
    sorted_unique_triples,
    subject_records,
    trig_graph_block,
    write_turtle_from_runs,
)
from newskg.shacl import EntityContext, ShapesValidator
from newskg.store import MANIFEST_FILE, TRIG_EXPORT, TURTLE_EXPORT, KgLayout, StagedBuild

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
    by_source: dict[str, list[Path]] = {ARTICLE_SOURCE: [], ENTITIES_SOURCE: []}
    compiled = {path: load_mappings([path], base=base) for path in files}
    for path, mapping_set in compiled.items():
        names = mapping_set.source_names
        unknown = names - set(by_source)
        if unknown or len(names) != 1:
            raise MappingError(
                f"a mapping file must read exactly one of {ARTICLE_SOURCE} or {ENTITIES_SOURCE}; "
                f"this one reads {', '.join(sorted(names)) or 'nothing'}",
                location=location_of(path),
                hint="split the file so that each reads one source",
            )
        by_source[next(iter(names))].append(path)
    return Mappings(
        articles=load_mappings(by_source[ARTICLE_SOURCE], base=base),
        entities=load_mappings(by_source[ENTITIES_SOURCE], base=base),
    )


MANIFEST_FORMAT = 2
CACHE_DIR = "cache"
RUN_BATCH = 256  # article runs merged into one intermediate Turtle run (bounds open files)
PARALLEL_MIN = 64  # below this many articles, starting worker processes costs more than it saves
_SUFFIXES = (".nq", ".trig", ".ttlrun")


@dataclass
class ArticleOutput:
    """What one article contributes to a build; written to the build's cache folder."""

    id: str
    graph: str
    quads: int
    nquads: str  # sorted N-Quads of the article graph
    trig: str  # the article's TriG graph block
    prefixes: list[str]  # prefixes the TriG block uses
    records: list[str]  # sorted per-subject Turtle run lines
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
        output = ArticleOutput(
            id=article.id,
            graph=graph,
            quads=len(quads),
            nquads="".join(f"{s} {p} {o} {g} .\n" for s, p, o, g in quads),
            trig=trig,
            prefixes=sorted(used),
            records=list(subject_records(triples)),
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
    for name in ("article.txt", "facts.yaml"):
        try:
            digest.update((folder / name).read_bytes())
        except FileNotFoundError:
            digest.update(b"\xff missing")
        digest.update(b"\0")
    return digest.hexdigest()


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


def _previous_build(layout: KgLayout, print_: str, validate: bool) -> _Previous | None:
    """The current build, if an incremental build may start from it."""
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
    if not (folder / CACHE_DIR).is_dir() or not (folder / "store").is_dir():
        return None
    inputs = manifest.get("inputs")
    if not isinstance(inputs, dict):
        return None
    return _Previous(folder, inputs)


def _reuse(previous: Path, cache: Path, article_id: str) -> bool:
    """Share an unchanged article's cached files with the new build (hard links)."""
    try:
        for suffix in _SUFFIXES:
            source, target = previous / f"{article_id}{suffix}", cache / f"{article_id}{suffix}"
            try:
                os.link(source, target)
            except OSError:
                if not source.exists():
                    raise
                shutil.copyfile(source, target)  # another file system: copy instead
    except OSError:
        for suffix in _SUFFIXES:
            (cache / f"{article_id}{suffix}").unlink(missing_ok=True)
        return False
    return True


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
    report = BuildReport()
    builder = Builder(project, validate=validate)
    report.timings["compile"] = time.perf_counter() - started

    folders = article_folders(project.seeds_dir)
    graph_of = {f.name: f"<{builder.iris.article_graph(f.name)}>" for f in folders}
    # The exports list graphs in sort_key order of their IRIs, which is not always the order
    # of the folder names ("a" < "a-1" but "<…/a>" > "<…/a-1>").
    folders.sort(key=lambda f: sort_key(graph_of[f.name]))
    print_ = fingerprint(project)
    layout = KgLayout(project.out_dir)
    previous = None if full else _previous_build(layout, print_, validate)
    try:
        layout.root.mkdir(parents=True, exist_ok=True)
        staged = StagedBuild(layout)
    except OSError as exc:
        raise _write_error(exc, layout, committed=False) from None
    try:
        inputs = _build_into(staged, builder, folders, graph_of, previous, report, jobs, progress)
        staged.write_manifest(
            {
                "format": MANIFEST_FORMAT,
                "base": project.base,
                "fingerprint": print_,
                "validated": validate,
                "articles": report.articles,
                "quads": report.quads,
                "graphs": report.graphs,
                "inputs": inputs,
            }
        )
        staged.commit()
    except OSError as exc:  # disk full, permissions, ...: an error for the user, not a crash
        staged.abort()
        raise _write_error(exc, layout, committed=staged.committed) from None
    except BaseException:
        staged.abort()
        raise
    report.store = layout.store
    report.exports = [layout.turtle, layout.trig]
    report.seconds = time.perf_counter() - started
    return report


def _build_into(
    staged: StagedBuild,
    builder: Builder,
    folders: list[Path],
    graph_of: dict[str, str],
    previous: _Previous | None,
    report: BuildReport,
    jobs: int | None,
    progress: bool | None,
) -> dict[str, dict[str, Any]]:
    """Fill the staged build and ``report``; return the manifest's per-article inputs."""
    cache = staged.dir / CACHE_DIR
    cache.mkdir()
    content = {f.name: content_hash(f) for f in folders}
    inputs: dict[str, dict[str, Any]] = {}
    todo: list[Path] = []
    for folder in folders:
        old = previous.inputs.get(folder.name) if previous else None
        if (
            previous is not None
            and isinstance(old, dict)
            and old.get("sha256") == content[folder.name]
            and _reuse(previous.dir / CACHE_DIR, cache, folder.name)
        ):
            inputs[folder.name] = old
        else:
            todo.append(folder)
    stale: list[str] = []  # graphs to drop from the copied store
    if previous is not None:
        report.incremental = True
        gone = set(previous.inputs) - set(content)
        report.removed = len(gone)
        stale = [graph_of.get(i) or f"<{builder.iris.article_graph(i)}>" for i in sorted(gone)]
        stale += [graph_of[f.name] for f in todo if f.name in previous.inputs]
    elif builder.validator is not None:
        mark = time.perf_counter()
        builder.validate_entities()
        report.timings["shacl"] = time.perf_counter() - mark

    # -- load, map, validate the articles that need it --------------------------------------
    mark = time.perf_counter()
    report.jobs = default_jobs(len(todo)) if jobs is None else max(1, jobs)
    bar = _progress(len(todo), progress)
    spent: dict[str, float] = {}
    try:
        for out in _outputs(builder, todo, report.jobs):
            (cache / f"{out.id}.nq").write_text(out.nquads, encoding="utf-8", newline="\n")
            (cache / f"{out.id}.trig").write_text(out.trig, encoding="utf-8", newline="\n")
            (cache / f"{out.id}.ttlrun").write_text(
                "".join(out.records), encoding="utf-8", newline="\n"
            )
            inputs[out.id] = {
                "sha256": content[out.id],
                "quads": out.quads,
                "prefixes": out.prefixes,
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
    ids = [f.name for f in folders]

    # -- the entities and ontology graphs (small: held in memory) --------------------------
    fixed: dict[str, list[tuple[str, str, str]]] = {}
    for s, p, o, g in [*builder.ontology.quads, *builder.entity_quads]:
        fixed.setdefault(g, []).append((s, p, o))
    fixed = {g: sorted_unique_triples(t) for g, t in fixed.items()}

    # -- the store ------------------------------------------------------------------------
    mark = time.perf_counter()
    if previous is not None:
        staged.update_from(previous.dir / "store", stale, [cache / f"{f.name}.nq" for f in todo])
    else:
        everything = staged.dir / "all.nq"
        with everything.open("w", encoding="utf-8", newline="\n") as out_file:
            for graph, triples in fixed.items():
                out_file.writelines(f"{s} {p} {o} {graph} .\n" for s, p, o in triples)
            _concatenate((cache / f"{i}.nq" for i in ids), out_file)
        staged.load_nquads(everything)
        everything.unlink()
    report.timings["store"] = time.perf_counter() - mark

    # -- exports --------------------------------------------------------------------------
    mark = time.perf_counter()
    write_trig(staged, cache, ids, graph_of, inputs, fixed)
    write_turtle(staged, cache, ids, fixed)
    report.timings["export"] = time.perf_counter() - mark

    report.articles = len(ids)
    report.quads = sum(len(t) for t in fixed.values()) + sum(int(inputs[i]["quads"]) for i in ids)
    report.graphs = len(fixed) + sum(1 for i in ids if inputs[i]["quads"])
    return {i: inputs[i] for i in ids}


def _concatenate(paths: Iterable[Path], out: Any) -> None:
    for path in paths:
        with path.open(encoding="utf-8", newline="\n") as handle:
            shutil.copyfileobj(handle, out, 1 << 20)


def write_trig(
    staged: StagedBuild,
    cache: Path,
    ids: list[str],
    graph_of: dict[str, str],
    inputs: dict[str, dict[str, Any]],
    fixed: dict[str, list[tuple[str, str, str]]],
) -> None:
    """TriG, one block per named graph in graph order: what write_trig writes, streamed."""
    used: set[str] = set()
    blocks: dict[str, str] = {}
    for graph, triples in fixed.items():
        blocks[graph] = trig_graph_block(graph, triples, used)
    for i in ids:
        used.update(inputs[i]["prefixes"])
    order: list[tuple[tuple[int, str], Callable[[Any], None]]] = []
    for graph, block in blocks.items():
        order.append((sort_key(graph), lambda out, b=block: out.write(b)))
    for i in ids:
        path = cache / f"{i}.trig"
        order.append((sort_key(graph_of[i]), lambda out, p=path: _concatenate([p], out)))
    order.sort(key=lambda item: item[0])
    with staged.export_path(TRIG_EXPORT).open("w", encoding="utf-8", newline="\n") as out:
        out.write(header(used))
        if order:
            out.write("\n")
            for n, (_, write) in enumerate(order):
                if n:
                    out.write("\n\n")
                write(out)
            out.write("\n")


def write_turtle(
    staged: StagedBuild,
    cache: Path,
    ids: list[str],
    fixed: dict[str, list[tuple[str, str, str]]],
) -> None:
    """Turtle of the union: a merge of sorted per-subject runs (what write_turtle writes)."""
    work = staged.dir / "runs"
    work.mkdir()
    try:
        runs: list[Path] = []
        union = sorted_unique_triples(t for triples in fixed.values() for t in triples)
        first = work / "fixed.run"
        first.write_text("".join(subject_records(union)), encoding="utf-8", newline="\n")
        runs.append(first)
        article_runs = [cache / f"{i}.ttlrun" for i in ids]
        if len(article_runs) <= RUN_BATCH:
            runs += article_runs
        else:  # merge in batches first, so that the final merge opens few files
            for n in range(0, len(article_runs), RUN_BATCH):
                merged = work / f"batch-{n // RUN_BATCH:06d}.run"
                _merge_lines(article_runs[n : n + RUN_BATCH], merged)
                runs.append(merged)
        body = work / "body.ttl"
        with body.open("w", encoding="utf-8", newline="\n") as handle:
            used = write_turtle_from_runs(runs, handle)
        with staged.export_path(TURTLE_EXPORT).open("w", encoding="utf-8", newline="\n") as out:
            out.write(header(used))
            if body.stat().st_size:
                out.write("\n")
                _concatenate([body], out)
                out.write("\n")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _merge_lines(paths: list[Path], target: Path) -> None:
    files = [p.open(encoding="utf-8", newline="\n") for p in paths]
    try:
        with target.open("w", encoding="utf-8", newline="\n") as out:
            out.writelines(heapq.merge(*files))
    finally:
        for handle in files:
            handle.close()


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
