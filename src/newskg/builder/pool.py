"""Articles processed in worker processes when there are enough of them to pay for it.

Each process writes the articles it is given straight to their files: the TriG file in the
staged exports, the N-Quads appended to an N-Quads file of its own in the build's scratch
folder (:func:`nquads_files` lists them for the store). Only a few numbers per article
come back to the main process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from newskg.builder.article import ArticleOutput, Builder
from newskg.errors import NewskgError

PARALLEL_MIN = 64  # below this many articles, starting worker processes costs more than it saves
NQUADS_PREFIX = "articles-"
_YOUNG_COLLECTION = 50_000  # allocations between a worker's young collections (Python: 700)


def default_jobs(articles: int) -> int:
    """Worker processes for ``articles`` articles: every core, unless there are few."""
    if articles < PARALLEL_MIN:
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def outputs(
    builder: Builder,
    names: list[str],
    jobs: int,
    graphs: Path,
    work: Path,
    started: Callable[[], None] | None = None,
) -> Iterator[ArticleOutput]:
    """Process the article folders ``names`` of the builder's seeds in order, in ``jobs``
    worker processes when ``jobs > 1``, writing each article's TriG file into ``graphs``
    and its N-Quads into ``work``; the first user error in any article is raised here, as
    it would be in one process. ``started`` is called once the workers exist: a thread
    started after it is not forked into them."""
    if jobs <= 1:
        with _Sink(builder, graphs, work) as sink:
            if started is not None:
                started()
            for name in names:
                yield sink.process(name)
        return
    # fork: each worker inherits the compiled builder (through the initializer's arguments,
    # which fork passes without pickling) instead of compiling everything again.
    context = multiprocessing.get_context("fork")
    with context.Pool(jobs, initializer=_adopt, initargs=(builder, graphs, work)) as pool:
        if started is not None:
            started()
        for item in pool.imap(_process, names, chunksize=4):
            if isinstance(item, _Failure):
                raise item.kind(diagnostics=item.diagnostics)
            yield item


def nquads_files(work: Path) -> list[Path]:
    """The N-Quads files that :func:`outputs` wrote into ``work``."""
    return sorted(work.glob(f"{NQUADS_PREFIX}*.nq"))


class _Sink:
    """One process's outputs: the article TriG files and its own N-Quads file, unbuffered so
    that a worker stopped with the pool has handed every finished article to the kernel."""

    def __init__(self, builder: Builder, graphs: Path, work: Path) -> None:
        self.builder, self.graphs = builder, graphs
        self.seeds = builder.project.seeds_dir
        self.nquads: BinaryIO = open(  # noqa: SIM115 - held for the process's lifetime
            work / f"{NQUADS_PREFIX}{os.getpid()}.nq", "ab", buffering=0
        )

    def process(self, name: str) -> ArticleOutput:
        return self.builder.process(self.seeds / name, self.graphs / f"{name}.trig", self.nquads)

    def __enter__(self) -> _Sink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.nquads.close()


@dataclass(frozen=True)
class _Failure:
    """A user error in a worker process, sent back as data (exceptions pickle badly)."""

    kind: type[NewskgError]
    diagnostics: tuple[Any, ...]


_sink: _Sink | None = None  # in a worker process only: where its articles go


def _adopt(builder: Builder, graphs: Path, work: Path) -> None:
    global _sink
    _sink = _Sink(builder, graphs, work)
    # What the worker inherited (the compiled builder) lives as long as it does: frozen, it
    # is no longer walked by every full collection. An article's objects die young, freed
    # by their counts, so young collections can be rarer. Collecting was a tenth of a
    # worker's time, and is about half that so.
    gc.freeze()
    gc.set_threshold(_YOUNG_COLLECTION, 20, 100)


def _process(name: str) -> ArticleOutput | _Failure:
    assert _sink is not None, "runs in a worker started by outputs()"
    try:
        return _sink.process(name)
    except NewskgError as exc:
        return _Failure(type(exc), exc.diagnostics)
