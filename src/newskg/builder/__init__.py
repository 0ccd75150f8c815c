"""``newskg build`` and ``newskg validate``: seeds -> load -> map -> SHACL -> store + exports.

Nothing under the output folder changes until every article has been loaded, mapped and
validated and the new store and exports are complete; then the staged build is committed
(:mod:`newskg.builder.commit`). Any error before that leaves the previous build untouched.

The steps, each in its own module:

- :mod:`~newskg.builder.plan` decides which articles to process: all of them, or, when
  nothing they all depend on changed since the last build, only the new and changed ones
  (and none at all when nothing changed: then nothing is compiled or written);
- :mod:`~newskg.builder.article` turns one article into its TriG file and its quads, in
  worker processes when there are many (:mod:`~newskg.builder.pool`); nothing holds every
  quad: each article's output goes straight to files;
- the store is bulk-loaded from those quads, or, incrementally, copied from the previous
  build with the changed articles' named graphs replaced; a full build writes the indexes
  (:mod:`newskg.indexes`) from the same quads in another process meanwhile;
- :mod:`~newskg.builder.exports` writes the entities and ontology graphs' TriG files and
  lists those of articles that are gone.
"""

from __future__ import annotations

import contextlib
import functools
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newskg.builder.commit import StagedBuild, build_lock, recover
from newskg.builder.exports import FixedGraphs, stale_exports, write_fixed
from newskg.builder.full_store import FullStore
from newskg.builder.manifest import ManifestEntries
from newskg.builder.plan import (
    FIXED_EXPORTS,
    MANIFEST_FORMAT,
    Plan,
    Previous,
    fingerprint,
    plan,
    previous_build,
)
from newskg.builder.project import Project
from newskg.builder.trash import empty_trash
from newskg.errors import NewskgError, StoreError, location_of
from newskg.exports.rdf_text import sorted_unique_triples
from newskg.indexes import write_indexes
from newskg.inputs import article_entries, article_folders
from newskg.store import ENTITIES_EXPORT, ONTOLOGY_EXPORT, KgLayout

if TYPE_CHECKING:
    from newskg.builder.article import Builder

WORK_DIR = "work"  # scratch files of a build in progress, deleted before its commit


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


@dataclass
class ValidationReport:
    """What :func:`validate` checked: each article's quad count, in export order."""

    articles: dict[str, int] = field(default_factory=dict)


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
    options = _Options(validate, full, jobs, progress)
    started = time.perf_counter()
    layout = KgLayout(project.out_dir)
    with contextlib.ExitStack() as held:
        try:
            held.enter_context(build_lock(layout))
        except OSError as exc:  # the output folder cannot even be created
            raise _write_error(exc, layout, committed=False) from None
        try:
            report = _build_locked(project, layout, options)
        except _FullBuildNeeded:
            report = _build_locked(project, layout, options.with_full())
    report.seconds = time.perf_counter() - started
    return report


def validate(
    project: Project | None = None,
    *,
    reference: bool = False,
    progress: Callable[[str, int], None] | None = None,
) -> ValidationReport:
    """Run every check a build runs, SHACL included, and write nothing.

    Every article is checked, and the problems of all of them are raised together, sorted by
    file and line. ``reference=True`` validates with pyshacl instead of the compiled
    shapes. ``progress`` is told each valid article's id and quad count as it passes."""
    from newskg.builder.article import Builder

    builder = Builder(project or Project(), validate=True, reference_shacl=reference)
    builder.validate_entities()
    report = ValidationReport()
    failed: list[NewskgError] = []
    for folder in article_folders(builder.project.seeds_dir):
        try:
            _, quads = builder.article_quads(folder)
        except NewskgError as exc:
            failed.append(exc)
            continue
        report.articles[folder.name] = len(quads)
        if progress is not None:
            progress(folder.name, len(quads))
    if failed:
        raise _combined(failed)
    return report


def _combined(errors: list[NewskgError]) -> NewskgError:
    """One error holding every problem of several, sorted by file, line and column; of the
    kind (and exit code) of the first."""
    diagnostics = sorted(
        (d for e in errors for d in e.diagnostics),
        key=lambda d: (
            (d.location.file, d.location.line, d.location.column) if d.location else ("", 0, 0)
        ),
    )
    return type(errors[0])(diagnostics=diagnostics)


@dataclass(frozen=True)
class _Options:
    validate: bool
    full: bool
    jobs: int | None
    progress: bool | None

    def with_full(self) -> _Options:
        return _Options(self.validate, True, self.jobs, self.progress)


class _FullBuildNeeded(Exception):
    """An incremental build found something it cannot update; the build starts over, full."""


def _build_locked(project: Project, layout: KgLayout, options: _Options) -> BuildReport:
    report = BuildReport()
    mark = time.perf_counter()
    articles = article_entries(project.seeds_dir)
    print_ = fingerprint(project)
    try:
        layout.stores.mkdir(parents=True, exist_ok=True)
        recover(layout)  # finishes a commit that a killed build left first
        empty_trash(layout)
    except OSError as exc:
        raise _write_error(exc, layout, committed=False) from None
    previous = None if options.full else previous_build(layout, print_, options.validate)
    the_plan = plan(project.seeds_dir, articles, previous, layout)
    report.articles = len(articles)
    del articles  # a stat result per article: the build holds names only
    report.timings["plan"] = time.perf_counter() - mark
    report.incremental = previous is not None
    report.removed = len(the_plan.removed)
    if previous is not None and previous.fixed_intact and the_plan.nothing_to_do:
        # Nothing changed: nothing to compile, load or write. A refreshed stamp waits for
        # the next build that writes a manifest (until then the article is hashed again).
        report.quads = int(previous.manifest.get("quads", 0))
        report.graphs = int(previous.manifest.get("graphs", 0))
        report.store = layout.store
        report.exports = [layout.graphs]
        return report
    mark = time.perf_counter()
    # Imported here: mapping and SHACL engines (and rdflib) cost a large share of a small
    # build's time, and a build with nothing to do needs none of them.
    from newskg.builder.article import COMPILED_FILE, Builder

    key = f"{print_}\0{options.validate}\0{project.seeds_dir.resolve()}"
    saved = previous.dir / COMPILED_FILE if previous is not None else None
    builder = Builder.reuse(project, key, saved) or Builder(project, validate=options.validate)
    report.timings["compile"] = time.perf_counter() - mark
    try:
        staged = StagedBuild(layout)
    except OSError as exc:
        raise _write_error(exc, layout, committed=False) from None
    try:
        with staged.manifest_entries() as entries:
            run = _BuildRun(staged, builder, the_plan, previous, print_, report, options, entries)
            run.articles()
            run.store()
            run.indexes()
            run.exports()
            mark = time.perf_counter()
            builder.save(staged.dir / COMPILED_FILE, key)
            staged.write_manifest(entries, run.manifest())
        staged.commit()
        report.timings["commit"] = time.perf_counter() - mark
    except BaseException as exc:
        staged.abort()
        if isinstance(exc, OSError):  # disk full, permissions, ...: not a crash
            raise _write_error(exc, layout, committed=staged.committed) from None
        raise
    report.store = layout.store
    report.exports = [layout.graphs]
    return report


class _BuildRun:
    """One build between its lock and its commit: the state its steps share, filled in the
    order :func:`_build_locked` calls them (articles, store, exports, manifest)."""

    def __init__(
        self,
        staged: StagedBuild,
        builder: Builder,
        the_plan: Plan,
        previous: Previous | None,
        print_: str,
        report: BuildReport,
        options: _Options,
        entries: ManifestEntries,
    ) -> None:
        self.staged, self.builder, self.plan, self.previous = staged, builder, the_plan, previous
        self.print_, self.report, self.options = print_, report, options
        self.layout = staged.layout
        self.entries = entries  # the manifest's per-article entries, written as they come
        entries.add_all(the_plan.kept)
        self.fixed_stamps: dict[str, Any] = dict(previous.manifest["fixed"]) if previous else {}
        self.work = staged.dir / WORK_DIR
        self.work.mkdir()
        self.loaded: list[Path] = []  # the N-Quads files the store step loaded
        self.replaced: list[str] = []  # graphs of the previous build this one replaces
        self.replaced_quads: Path | None = None  # their quads, as the previous store held them
        self.full: FullStore | None = None  # a full build's store and indexes, being made

    @functools.cached_property
    def fixed(self) -> FixedGraphs:
        """The entities and ontology graphs, sorted: made only when they are written."""
        return _fixed_graphs(self.builder)

    def articles(self) -> None:
        """Load, map and validate the articles that need it; each writes its TriG file into
        the staged exports and its quads into the scratch folder, from which a full build's
        store loads meanwhile (:mod:`newskg.builder.full_store`)."""
        from newskg.builder.pool import NQUADS_PREFIX, default_jobs, outputs

        report, builder = self.report, self.builder
        if self.previous is None and builder.validator is not None:
            mark = time.perf_counter()
            builder.validate_entities()
            report.timings["shacl"] = time.perf_counter() - mark
        mark = time.perf_counter()
        todo = self.plan.todo
        report.jobs = default_jobs(len(todo)) if self.options.jobs is None else self.options.jobs
        report.jobs = max(1, report.jobs)
        bar = _progress_bar(len(todo), self.options.progress)
        spent: dict[str, float] = {}
        graphs = self.staged.graphs_dir
        started = None
        try:
            if self.previous is None:
                self.full = FullStore(self.staged, self.work, f"{NQUADS_PREFIX}*.nq")
                self.full.begin(
                    f"{s} {p} {o} {g} .\n" for g, ts in self.fixed.values() for s, p, o in ts
                )
                started = self.full.start
            for out in outputs(builder, todo, report.jobs, graphs, self.work, started):
                self.entries.add(out.id, out.manifest_entry())
                for key, value in out.seconds.items():
                    spent[key] = spent.get(key, 0.0) + value
                if bar is not None:
                    bar.update(1)
        except BaseException:
            if self.full is not None:
                self.full.stop()  # before the build's folder, which it writes in, goes
            raise
        finally:
            if bar is not None:
                bar.close()
        report.rebuilt = len(todo)
        report.timings["articles"] = time.perf_counter() - mark
        # CPU seconds summed over workers: what validation costs, reported apart.
        if "shacl" in spent:
            report.timings["shacl"] = report.timings.get("shacl", 0.0) + spent["shacl"]
        report.quads = _fixed_quads(self.builder) + self.entries.quads
        report.graphs = len(FIXED_EXPORTS) + self.entries.graphs

    def store(self) -> None:
        """Bulk-load a new store, or copy the previous one and replace the changed graphs. A
        full build's has been loading since its articles began; its timing is from their
        end to the end of the load."""
        from newskg.builder.pool import nquads_files

        mark = time.perf_counter()
        previous, todo = self.previous, self.plan.todo
        if previous is not None:
            iris = self.builder.iris
            stale = [f"<{iris.article_graph(name)}>" for name in todo if name in previous.inputs]
            stale += [f"<{iris.article_graph(i)}>" for i in self.plan.removed]
            self.loaded = nquads_files(self.work)
            self.replaced_quads = self.work / "replaced-graphs.nq"
            try:
                self.staged.update_from(
                    previous.dir / "store", stale, self.loaded, removed_quads=self.replaced_quads
                )
            except RuntimeError:  # the previous store is damaged: build every article anew
                raise _FullBuildNeeded from None
            self.replaced = stale
        else:
            assert self.full is not None
            try:
                self.loaded = self.full.finish()
            except BaseException:
                self.full.stop()  # the indexes, before the build's folder goes
                raise
        self.report.timings["store"] = time.perf_counter() - mark

    def indexes(self) -> None:
        """Write the traversal and text indexes beside the store (:mod:`newskg.indexes`); a
        full build's are written by another process from the articles' files, once they are
        complete, and waited for here: their timing overlaps the store's."""
        if self.full is not None:
            self.report.timings["indexes"] = self.full.indexes()
        else:
            assert self.previous is not None  # a build without a FullStore is incremental
            mark = time.perf_counter()
            write_indexes(
                self.staged.dir,
                self.loaded,
                previous_dir=self.previous.dir,
                replaced_graphs=self.replaced,
                replaced_quads=self.replaced_quads,
            )
            self.report.timings["indexes"] = time.perf_counter() - mark
        shutil.rmtree(self.work)

    def exports(self) -> None:
        """The entities and ontology graphs' files (when new or not intact), and the list of
        files in kg/graphs/ that the commit deletes."""
        mark = time.perf_counter()
        if self.previous is None or not self.previous.fixed_intact:
            self.fixed_stamps = write_fixed(self.staged, self.fixed)
        if self.previous is None:
            removed = stale_exports(self.layout, {*self.plan.todo, *self.plan.kept})
        else:
            removed = [f"{i}.trig" for i in self.plan.removed]
        self.staged.remove_at_commit(removed)
        self.report.timings["export"] = time.perf_counter() - mark

    def manifest(self) -> dict[str, object]:
        """What the next build and the readers of this one need to know about it, besides
        the per-article entries (written as the articles were)."""
        report = self.report
        return {
            "format": MANIFEST_FORMAT,
            "base": self.builder.project.base,
            # what every article graph's IRI starts with: push --prune deletes only these
            "article_graphs": self.builder.iris.article_graph(""),
            "fingerprint": self.print_,
            "validated": self.options.validate,
            "articles": report.articles,
            "quads": report.quads,
            "graphs": report.graphs,
            "fixed": self.fixed_stamps,
        }


def _fixed_graphs(builder: Builder) -> FixedGraphs:
    """The entities and ontology graphs (small: held in memory) by export file name: each
    graph's IRI and its triples, sorted."""
    fixed: FixedGraphs = {}
    for name, quads, default in (
        (ENTITIES_EXPORT, builder.entity_quads, builder.iris.entities_graph),
        (ONTOLOGY_EXPORT, builder.ontology.quads, builder.iris.ontology_graph),
    ):
        graphs = {q[3] for q in quads}
        assert len(graphs) <= 1, f"one graph per file: {sorted(graphs)}"
        graph = next(iter(graphs), f"<{default}>")
        fixed[name] = (graph, sorted_unique_triples((s, p, o) for s, p, o, _ in quads))
    return fixed


def _fixed_quads(builder: Builder) -> int:
    """How many statements the entities and ontology graphs hold, without sorting them
    (each is one named graph: see _fixed_graphs)."""
    return sum(len(set(quads)) for quads in (builder.entity_quads, builder.ontology.quads))


def _progress_bar(total: int, show: bool | None) -> Any:
    """A progress bar on a terminal; nothing when output goes to a file or pipe."""
    if show is None:
        show = sys.stdout.isatty() and sys.stderr.isatty()
    if not show or total == 0:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="article", desc="build", file=sys.stderr, leave=False)


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


def __getattr__(name: str) -> Any:
    # Builder is imported on first use: see _build_locked.
    if name == "Builder":
        from newskg.builder.article import Builder

        return Builder
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["BuildReport", "Builder", "Project", "ValidationReport", "build", "validate"]
