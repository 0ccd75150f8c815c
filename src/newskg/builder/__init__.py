"""``newskg build`` and ``newskg validate``: seeds -> load -> map -> SHACL -> store + exports.

Nothing under the output folder changes until every article has been loaded, mapped and
validated and the new store and exports are complete; then the staged build is committed
(:mod:`newskg.builder.commit`). Any error before that leaves the previous build untouched.

The steps, each in its own module:

- :mod:`~newskg.builder.plan` decides which articles to process: all of them, or, when
  nothing they all depend on changed since the last build, only the new and changed ones;
- :mod:`~newskg.builder.article` turns one article into quads, a TriG block and a Turtle run,
  in worker processes when there are many (:mod:`~newskg.builder.pool`); nothing holds every
  quad: each article's output goes straight to files;
- the store is bulk-loaded from those quads, or, incrementally, copied from the previous
  build with the changed articles' named graphs replaced;
- :mod:`~newskg.builder.exports` writes the Turtle and TriG exports, or patches the previous
  ones; :mod:`~newskg.builder.runs` keeps each article's Turtle run for the next patch.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newskg.builder.article import Builder
from newskg.builder.commit import StagedBuild, build_lock
from newskg.builder.exports import FixedGraphs, patch_trig, patch_turtle, write_trig, write_turtle
from newskg.builder.plan import (
    MANIFEST_FORMAT,
    Previous,
    content_hash,
    export_stamp,
    fingerprint,
    plan,
    previous_build,
    run_name,
)
from newskg.builder.pool import default_jobs, outputs
from newskg.builder.project import Project
from newskg.builder.runs import collect_runs, remove_runs, write_run
from newskg.errors import NewskgError, StoreError, location_of
from newskg.exports.patch import NotPatchable
from newskg.exports.rdf_text import header, sort_key, sorted_unique_triples
from newskg.indexes import write_indexes
from newskg.inputs import article_folders
from newskg.store import TRIG_EXPORT, TURTLE_EXPORT, KgLayout

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
    """An incremental build found something it cannot patch; the build starts over, full."""


def _build_locked(project: Project, layout: KgLayout, options: _Options) -> BuildReport:
    started = time.perf_counter()
    report = BuildReport()
    builder = Builder(project, validate=options.validate)
    report.timings["compile"] = time.perf_counter() - started
    folders = article_folders(project.seeds_dir)
    print_ = fingerprint(project)
    try:
        staged = StagedBuild(layout)  # finishes a commit that a killed build left first
        layout.runs.mkdir(exist_ok=True)
    except OSError as exc:
        raise _write_error(exc, layout, committed=False) from None
    run: _BuildRun | None = None
    try:
        runs = {entry.name for entry in os.scandir(layout.runs)}
        remove_runs(layout.runs, ())  # half-written ones that a killed build left
        previous = None if options.full else previous_build(layout, print_, options.validate, runs)
        run = _BuildRun(staged, builder, folders, previous, print_, report, options, runs)
        run.articles()
        run.store()
        run.indexes()
        run.exports()
        staged.write_manifest(run.manifest())
        staged.commit()
    except BaseException as exc:
        staged.abort()
        if run is not None and not staged.committed:
            remove_runs(layout.runs, run.new_runs)  # a failed build leaves kg/ as it was
        if isinstance(exc, OSError):  # disk full, permissions, ...: not a crash
            raise _write_error(exc, layout, committed=staged.committed) from None
        raise
    collect_runs(layout.runs, {run_name(i, e["sha256"], print_) for i, e in run.inputs.items()})
    report.store = layout.store
    report.exports = [layout.turtle, layout.trig]
    return report


class _BuildRun:
    """One build between its lock and its commit: the state its steps share, filled in the
    order :func:`_build_locked` calls them (articles, store, exports, manifest)."""

    def __init__(
        self,
        staged: StagedBuild,
        builder: Builder,
        folders: list[Path],
        previous: Previous | None,
        print_: str,
        report: BuildReport,
        options: _Options,
        runs: set[str],
    ) -> None:
        self.staged, self.builder, self.previous = staged, builder, previous
        self.existing_runs = runs  # run files in kg/.runs when the build started
        self.new_runs: list[str] = []  # run files this build added, removed if it fails
        self.print_, self.report, self.options = print_, report, options
        self.layout = staged.layout
        self.graph_of = {f.name: f"<{builder.iris.article_graph(f.name)}>" for f in folders}
        # The exports list graphs in sort_key order of their IRIs, which is not always the
        # order of the folder names ("a" < "a-1" but "<…/a>" > "<…/a-1>").
        folders.sort(key=lambda f: sort_key(self.graph_of[f.name]))
        self.ids = [f.name for f in folders]
        self.content = {f.name: content_hash(f) for f in folders}
        self.plan = plan(folders, self.content, previous.inputs if previous else None)
        self.inputs: dict[str, dict[str, Any]] = dict(self.plan.kept)  # manifest entries
        self.fixed = _fixed_graphs(builder)
        self.work = staged.dir / WORK_DIR
        self.work.mkdir()
        self.nquads = self.work / "articles.nq"
        self.trig_blocks = self.work / "articles.trig"
        self.spans: dict[str, tuple[int, int]] = {}  # article -> its block in trig_blocks
        self.fixed_prefixes: dict[str, list[str]] = {}
        self.replaced: list[str] = []  # graphs of the previous build this one replaces
        report.incremental = previous is not None
        report.removed = len(self.plan.removed)
        report.articles = len(self.ids)

    def articles(self) -> None:
        """Load, map and validate the articles that need it. Their quads go to one N-Quads
        file (for a full build after the entities and ontology graphs: the store is
        bulk-loaded from it), their TriG blocks to another, in graph order."""
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
        try:
            with (
                self.nquads.open("w", encoding="utf-8", newline="\n") as nq,
                self.trig_blocks.open("wb") as blocks,
            ):
                if self.previous is None:
                    for graph, triples in self.fixed.items():
                        nq.writelines(f"{s} {p} {o} {graph} .\n" for s, p, o in triples)
                for out in outputs(builder, todo, report.jobs):
                    nq.write(out.nquads)
                    block = out.trig.encode("utf-8")
                    self.spans[out.id] = (blocks.tell(), len(block))
                    blocks.write(block)
                    sha = self.content[out.id]
                    name = run_name(out.id, sha, self.print_)
                    if name not in self.existing_runs:
                        self.new_runs.append(name)
                    write_run(self.layout.runs, name, out.records)
                    self.inputs[out.id] = {
                        "sha256": sha,
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
        # CPU seconds summed over workers: what validation costs, reported apart.
        if "shacl" in spent:
            report.timings["shacl"] = report.timings.get("shacl", 0.0) + spent["shacl"]
        report.quads = sum(len(t) for t in self.fixed.values())
        report.quads += sum(int(self.inputs[i]["quads"]) for i in self.ids)
        report.graphs = len(self.fixed) + sum(1 for i in self.ids if self.inputs[i]["quads"])

    def store(self) -> None:
        """Bulk-load a new store, or copy the previous one and replace the changed graphs."""
        mark = time.perf_counter()
        previous, todo = self.previous, self.plan.todo
        if previous is not None:
            stale = [self.graph_of[f.name] for f in todo if f.name in previous.inputs]
            stale += self._removed_graphs()
            try:
                self.staged.update_from(
                    previous.dir / "store", stale, self.nquads if todo else None
                )
            except RuntimeError:  # the previous store is damaged: build every article anew
                raise _FullBuildNeeded from None
            self.replaced = stale
        else:
            self.staged.load_nquads(self.nquads)
        self.report.timings["store"] = time.perf_counter() - mark

    def indexes(self) -> None:
        """Write the traversal and text indexes beside the store (:mod:`newskg.indexes`)."""
        mark = time.perf_counter()
        write_indexes(
            self.staged.dir,
            self.nquads,
            previous_dir=None if self.previous is None else self.previous.dir,
            replaced_graphs=self.replaced,
        )
        self.nquads.unlink()
        self.report.timings["indexes"] = time.perf_counter() - mark

    def exports(self) -> None:
        """Write the Turtle and TriG exports whole, or patch the previous ones."""
        mark = time.perf_counter()
        ids, inputs = self.ids, self.inputs
        trig_used = {p for i in ids for p in inputs[i]["prefixes"]}
        turtle_used = {p for i in ids for p in inputs[i]["turtle_prefixes"]}
        if self.previous is None:
            runs = [self._run_path(i) for i in ids]
            args = (self.staged, self.fixed, ids, self.graph_of, self.spans, self.trig_blocks)
            self.fixed_prefixes = {
                "trig": write_trig(*args, trig_used),
                "turtle": write_turtle(self.staged, self.fixed, runs, turtle_used, self.work),
            }
        else:
            self.fixed_prefixes = self.previous.fixed_prefixes
            try:
                self._patch(trig_used, turtle_used)
            except NotPatchable:
                raise _FullBuildNeeded from None
        shutil.rmtree(self.work)
        self.report.timings["export"] = time.perf_counter() - mark

    def manifest(self) -> dict[str, object]:
        """What the next build and the readers of this one need to know about it."""
        report = self.report
        return {
            "format": MANIFEST_FORMAT,
            "base": self.builder.project.base,
            "fingerprint": self.print_,
            "validated": self.options.validate,
            "articles": report.articles,
            "quads": report.quads,
            "graphs": report.graphs,
            "inputs": self.inputs,
            "fixed_prefixes": self.fixed_prefixes,
            "exports": {
                name: export_stamp(self.staged.export_path(name))
                for name in (TURTLE_EXPORT, TRIG_EXPORT)
            },
        }

    def _patch(self, trig_used: set[str], turtle_used: set[str]) -> None:
        previous = self.previous
        assert previous is not None
        rebuilt = [f.name for f in self.plan.todo]
        old_runs = {
            i: self.layout.runs / run_name(i, previous.inputs[i]["sha256"], self.print_)
            for i in [*(i for i in rebuilt if i in previous.inputs), *self.plan.removed]
        }
        patch_trig(
            self.staged,
            self.graph_of,
            self.spans,
            self.trig_blocks,
            self._removed_graphs(),
            header([*self.fixed_prefixes["trig"], *trig_used]),
        )
        patch_turtle(
            self.staged,
            self.fixed,
            self.graph_of,
            self._run_path,
            set(rebuilt),
            old_runs,
            header([*self.fixed_prefixes["turtle"], *turtle_used]),
        )

    def _run_path(self, article_id: str) -> Path:
        sha = self.inputs[article_id]["sha256"]
        return self.layout.runs / run_name(article_id, sha, self.print_)

    def _removed_graphs(self) -> list[str]:
        return [f"<{self.builder.iris.article_graph(i)}>" for i in self.plan.removed]


def _fixed_graphs(builder: Builder) -> FixedGraphs:
    """The entities and ontology graphs (small: held in memory), triples sorted per graph."""
    fixed: FixedGraphs = {}
    for s, p, o, g in [*builder.ontology.quads, *builder.entity_quads]:
        fixed.setdefault(g, []).append((s, p, o))
    return {g: sorted_unique_triples(t) for g, t in fixed.items()}


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


__all__ = ["BuildReport", "Builder", "Project", "ValidationReport", "build", "validate"]
