"""Articles processed in worker processes when there are enough of them to pay for it."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newskg.builder.article import ArticleOutput, Builder
from newskg.errors import NewskgError

PARALLEL_MIN = 64  # below this many articles, starting worker processes costs more than it saves


def default_jobs(articles: int) -> int:
    """Worker processes for ``articles`` articles: every core, unless there are few."""
    if articles < PARALLEL_MIN:
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def outputs(builder: Builder, folders: list[Path], jobs: int) -> Iterator[ArticleOutput]:
    """Process ``folders`` in order, in ``jobs`` worker processes when ``jobs > 1``; the first
    user error in any article is raised here, as it would be in one process."""
    if jobs <= 1:
        for folder in folders:
            yield builder.process(folder)
        return
    # fork: each worker inherits the compiled builder (through the initializer's arguments,
    # which fork passes without pickling) instead of compiling everything again.
    context = multiprocessing.get_context("fork")
    with context.Pool(jobs, initializer=_adopt, initargs=(builder,)) as pool:
        for item in pool.imap(_process, folders, chunksize=4):
            if isinstance(item, _Failure):
                raise item.kind(diagnostics=item.diagnostics)
            yield item


@dataclass(frozen=True)
class _Failure:
    """A user error in a worker process, sent back as data (exceptions pickle badly)."""

    kind: type[NewskgError]
    diagnostics: tuple[Any, ...]


_builder: Builder | None = None  # in a worker process only: the builder it was given


def _adopt(builder: Builder) -> None:
    global _builder
    _builder = builder


def _process(folder: Path) -> ArticleOutput | _Failure:
    assert _builder is not None, "runs in a worker started by outputs()"
    try:
        return _builder.process(folder)
    except NewskgError as exc:
        return _Failure(type(exc), exc.diagnostics)
