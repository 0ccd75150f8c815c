"""``newskg map``: any YARRRML or RML-Core mapping over the files it names, streamed out.

Records are read one at a time (:mod:`newskg.mapping.sources`), quads written as they come
(:mod:`newskg.mapping.output`), duplicates removed in a bounded window: memory does not grow
with the size of the data. For large inputs in N-Quads or N-Triples the records are shared
between processes, chunk by chunk (:meth:`Materialiser.chunks`), and their text is written in
chunk order, so the output is the same with any number of processes.
"""

from __future__ import annotations

import codecs
import contextlib
import gc
import multiprocessing
import os
import queue
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from newskg.errors import InputError, MappingError, NewskgError, StoreError
from newskg.files import written_aside
from newskg.mapping.loader import MappingSet, load_mappings
from newskg.mapping.model import DEFAULT_GRAPH_IRI, TermMap
from newskg.mapping.output import FORMATS, TurtleWriter, one_graph_only, write_lines
from newskg.mapping.sources import FileSources
from newskg.mapping.terms import iri_problem
from newskg.mapping.window import QuadWindow
from newskg.rdf import DEFAULT_BASE

PARALLEL_BYTES = 4 << 20  # sources at least this large are shared between processes
_QUEUE_DEPTH = 8  # chunks a process may run ahead of the writer


@dataclass(frozen=True, slots=True)
class MapReport:
    quads: int  # written (after duplicate removal)
    format: str
    output: Path | None
    store: Path | None
    jobs: int


def map(  # `newskg.map`, the API twin of `newskg map`
    mappings: Sequence[Path | str],
    *,
    data: Path | str | None = None,
    base: str = DEFAULT_BASE,
    format: str = "nq",
    output: Path | str | TextIO | None = None,
    into: Path | str | None = None,
    jobs: int | None = None,
) -> MapReport:
    """Run mapping files (``.yaml``/``.yml`` YARRRML, ``.ttl`` RML-Core) over the data files
    they name, relative to each mapping's folder or to ``data``.

    Writes ``format`` (nq, nt, ttl, trig) to ``output`` (a path, replaced only on success, or
    a text stream) and/or loads the quads into the Oxigraph store at ``into``. ``jobs``
    processes share large N-Quads/N-Triples runs (default: every core, up to 2, when the
    sources pass 4 MiB).

    >>> import newskg, io, pathlib, tempfile
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "people.csv").write_text("id,name\\n1,Ada\\n")
    >>> _ = (d / "m.yaml").write_text(
    ...     "prefixes: {ex: http://example.com/}\\nmappings:\\n  person:\\n"
    ...     "    sources: [people.csv~csv]\\n    s: ex:$(id)\\n    po: [[ex:name, $(name)]]\\n")
    >>> out = io.StringIO()
    >>> newskg.map([d / "m.yaml"], output=out).quads
    1
    >>> out.getvalue()
    '<http://example.com/1> <http://example.com/name> "Ada" .\\n'
    """
    if not mappings:
        raise InputError("no mapping file given", hint="name one or more .yaml or .ttl files")
    if format not in FORMATS:
        raise InputError(f"unknown format {format!r}", hint="use one of: " + ", ".join(FORMATS))
    problem = iri_problem(base)
    if problem:
        raise InputError(f"base IRI {base!r}: {problem}", hint="e.g. --base https://example.org/")
    if jobs is not None and jobs < 1:
        raise InputError(f"jobs must be at least 1, not {jobs}")
    data_dir = Path(data) if data is not None else None
    if data_dir is not None and not data_dir.is_dir():
        raise InputError(f"--data {data_dir} is not a folder")
    paths = [Path(m) for m in mappings]
    ms = load_mappings(paths, base=base)
    if format in ("nt", "ttl"):
        _check_one_graph(ms, format)
    sources = FileSources(data_dir)
    if jobs is None:
        jobs = _auto_jobs(ms, sources)
    if format not in ("nq", "nt"):
        jobs = 1  # Turtle groups triples as they come: one writer, one process
    target = Path(into) if into is not None else None
    if output is None and target is None:
        raise InputError("nothing to write to", hint="give -o FILE, a stream, or --into STORE")
    written = _write(ms, paths, base, data_dir, sources, format, output, target, jobs)
    return MapReport(
        written,
        format,
        output if isinstance(output, Path) else Path(output) if isinstance(output, str) else None,
        target,
        jobs,
    )


def _write(
    ms: MappingSet,
    paths: list[Path],
    base: str,
    data: Path | None,
    sources: FileSources,
    format: str,
    output: Path | str | TextIO | None,
    store: Path | None,
    jobs: int,
) -> int:
    def emit(out: TextIO) -> int:
        if jobs > 1:
            return _write_parallel(ms, paths, base, data, out, jobs)
        if format in ("nq", "nt"):
            return write_lines(ms.line_chunks(sources), out)
        quads = ms.materialise(sources)
        writer = TurtleWriter(out, trig=format == "trig")
        count = writer.write(quads)
        writer.close()
        return count

    if isinstance(output, str | Path):
        with written_aside(Path(output)) as out:
            count = emit(out)
        if store is not None:
            _load(store, Path(output), format)
        return count
    if output is not None:
        count = emit(output)
        if store is None:
            return count
    assert store is not None
    loading = store.with_name(store.name + ".nq.tmp")
    try:
        with loading.open("w", encoding="utf-8", newline="\n") as out:
            count = emit(out)
        _load(store, loading, format)
    finally:
        loading.unlink(missing_ok=True)
    return count


def _load(store: Path, path: Path, format: str) -> None:
    import pyoxigraph as ox

    kind = {"nq": ox.RdfFormat.N_QUADS, "nt": ox.RdfFormat.N_TRIPLES}.get(format)
    kind = kind or (ox.RdfFormat.TRIG if format == "trig" else ox.RdfFormat.TURTLE)
    try:
        target = ox.Store(str(store))
        target.bulk_load(path=str(path), format=kind)
        target.flush()
    except OSError as exc:
        raise StoreError(f"cannot load into the store {store}: {exc}") from None


def _check_one_graph(ms: MappingSet, format: str) -> None:
    """N-Triples and Turtle hold one graph: refused before anything is written."""
    for tm in ms.triples_maps:
        graph_maps: list[TermMap] = [*tm.graphs]
        for pom in tm.predicate_objects:
            graph_maps.extend(pom.graphs)
        for g in graph_maps:
            if g.constant != DEFAULT_GRAPH_IRI:
                err = one_graph_only("N-Triples" if format == "nt" else "Turtle")
                raise MappingError(err.message, location=g.location, hint=err.hint)


def _auto_jobs(ms: MappingSet, sources: FileSources) -> int:
    size = 0
    for tm in ms.triples_maps:
        for s in tm.sources:
            with contextlib.suppress(OSError):  # reported when the source is read
                size += sources.path_of(s).stat().st_size
    return min(2, os.cpu_count() or 1) if size >= PARALLEL_BYTES else 1


# --------------------------------------------------------------------------- processes


def _write_parallel(
    ms: MappingSet, paths: list[Path], base: str, data: Path | None, out: TextIO, jobs: int
) -> int:
    """``jobs`` processes map chunks ``c`` with ``c % jobs == k``, each removing duplicates
    in its own window; their N-Quads text is written here in chunk order."""
    # fork: a worker starts with the compiled mappings; spawn where there is no fork.
    fork = "fork" in multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if fork else "spawn")
    queues = [ctx.Queue(_QUEUE_DEPTH) for _ in range(jobs)]
    work: MappingSet | tuple[list[Path], str] = ms if fork else (paths, base)
    workers = [
        ctx.Process(target=_worker, args=(work, data, (k, jobs), queues[k]), daemon=True)
        for k in range(jobs)
    ]
    for w in workers:
        w.start()

    def texts() -> Iterator[bytes]:
        for c in _chunk_numbers():
            text = _next(queues[c % jobs], workers[c % jobs])
            if text is None:
                return
            yield text

    try:
        write = _bytes_writer(out)
        count = 0
        for text in texts():
            write(text)
            count += text.count(b"\n")
        return count
    finally:
        for w in workers:
            if w.is_alive():
                w.terminate()
            w.join()


def _bytes_writer(out: TextIO) -> Callable[[bytes], object]:
    """Writes UTF-8 text to ``out``: to its byte buffer where it has one that takes UTF-8
    as it is (no encoding in this process, which only writes), else decoded."""
    buffer = getattr(out, "buffer", None)
    try:
        utf8 = codecs.lookup(getattr(out, "encoding", None) or "").name == "utf-8"
    except LookupError:
        utf8 = False
    if buffer is not None and utf8 and os.linesep == "\n":
        out.flush()
        return buffer.write  # type: ignore[no-any-return]
    return lambda text: out.write(text.decode("utf-8"))


def _chunk_numbers() -> Iterator[int]:
    c = 0
    while True:
        yield c
        c += 1


def _next(q: multiprocessing.Queue, worker: multiprocessing.process.BaseProcess) -> bytes | None:  # type: ignore[type-arg]
    while True:
        try:
            item = q.get(timeout=1.0)
        except queue.Empty:
            if not worker.is_alive():
                raise MappingError("a mapping process stopped unexpectedly") from None
            continue
        if isinstance(item, tuple):  # an error, as (kind, diagnostics)
            raise MappingError(diagnostics=item[1])
        return item


def _worker(
    work: MappingSet | tuple[list[Path], str],
    data: Path | None,
    part: tuple[int, int],
    out: multiprocessing.Queue,  # type: ignore[type-arg]
) -> None:
    # A worker's records and quads hold no reference cycles; the cycle collector would only
    # walk the rows of the batch at hand again and again.
    gc.disable()
    try:
        ms = work if isinstance(work, MappingSet) else load_mappings(work[0], base=work[1])
        window = QuadWindow()
        for lines in ms.line_chunks(FileSources(data), part):
            # Bytes: pickled as they are, where text is encoded to pickle and decoded again.
            out.put("".join(window.fresh(lines)).encode("utf-8"))
        out.put(None)
    except NewskgError as exc:
        out.put(("error", list(exc.diagnostics)))
