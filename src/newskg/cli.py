"""The ``newskg`` command: one subcommand per API verb, one error handler.

Every user error is a :class:`NewskgError`; it is printed as ``error: file:line:column:
message`` with a hint, and its exit code is returned. Anything else is a bug and is allowed to
show its traceback.

Why this module is long: it is the one table of the product's commands, each a short
function beside its arguments, so a reader finds a flag and what it does in one file.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from newskg.errors import InputError, NewskgError
from newskg.rdf import DEFAULT_BASE


def _project_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project", type=Path, default=Path(), help="project root (default: .)")
    parser.add_argument("--seeds", type=Path, help="seeds folder (default: PROJECT/seeds)")
    parser.add_argument("--mappings", type=Path, help="mappings folder (default: PROJECT/mappings)")
    parser.add_argument("--ontology", type=Path, help="ontology folder (default: PROJECT/ontology)")
    parser.add_argument("--out", type=Path, help="output folder (default: PROJECT/kg)")
    parser.add_argument("--base", default=DEFAULT_BASE, help=f"base IRI (default: {DEFAULT_BASE})")


def _project(args: argparse.Namespace):  # noqa: ANN202 - imported lazily to keep start-up fast
    from newskg.builder import Project

    return Project(args.project, args.seeds, args.mappings, args.ontology, args.out, args.base)


def _kg_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--kg", type=Path, default=Path("kg"), help="built graph folder (default: kg)"
    )


def _allow_service_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--allow-service",
        action="append",
        default=[],
        metavar="URL-PREFIX",
        help="let SERVICE clauses reach URLs that start with this (repeatable; default: none, "
        "no outbound requests)",
    )


def cmd_build(args: argparse.Namespace, out: TextIO) -> int:
    from newskg.builder import build

    report = build(
        _project(args),
        validate=not args.no_shacl,
        full=args.full,
        jobs=args.jobs,
        progress={"auto": None, "on": True, "off": False}[args.progress],
    )
    timings = ", ".join(f"{k} {v:.2f}s" for k, v in report.timings.items())
    how = (
        f"incremental: {report.rebuilt} rebuilt, {report.removed} removed"
        if report.incremental
        else "full"
    )
    out.write(
        f"built {report.articles} article(s) ({how}, {report.jobs} job(s)): {report.quads} quads "
        f"in {report.graphs} graphs in {report.seconds:.2f}s ({timings})\n"
    )
    for path in report.exports:
        out.write(f"  wrote {path}\n")
    out.write(f"  store {report.store}\n")
    return 0


def cmd_add(args: argparse.Namespace, out: TextIO) -> int:
    from newskg.drafting import add

    source = sys.stdin.buffer.read() if str(args.file) == "-" else args.file
    report = add(
        source,
        project=args.project,
        seeds=args.seeds,
        ontology=args.ontology,
        article_id=args.id,
        date=args.date,
        title=args.title,
    )
    drafted = ", ".join(f"{n} {section}" for section, n in report.counts.items()) or "nothing"
    out.write(f"added {report.article} ({report.bytes} bytes, as received)\n")
    for note in report.notes:
        out.write(f"  note: {note}\n")
    out.write(f"drafted {report.facts}: {drafted}\n")
    out.write("review it (every 'draft:' line), then run: newskg validate\n")
    return 0


def cmd_synth(args: argparse.Namespace, out: TextIO) -> int:
    from newskg.tools.synth import synthesise

    report = synthesise(args.articles, args.out, seed=args.seed)
    out.write(
        f"wrote {report.articles} synthetic article(s) and {report.entities} entities to "
        f"{report.out}; build them with: newskg build --seeds {report.out}\n"
    )
    return 0


def cmd_validate(args: argparse.Namespace, out: TextIO) -> int:
    from newskg.builder import validate

    def passed(article: str, quads: int) -> None:
        out.write(f"ok  {article}: {quads} quads conform to the shapes\n")

    report = validate(_project(args), reference=args.reference, progress=passed)
    out.write(f"{len(report.articles)} article(s) valid; nothing was written\n")
    return 0


def _parse_bindings(pairs: Sequence[str], flag: str) -> dict[str, str]:
    bindings: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.isidentifier():
            raise InputError(
                f"bad {flag} '{pair}'", hint=f"write {flag} NAME=VALUE, e.g. {flag} entity=huawei"
            )
        bindings[name] = value
    return bindings


def cmd_query(args: argparse.Namespace, out: TextIO) -> int:
    from newskg.query.graph import KnowledgeGraph
    from newskg.query.results import render
    from newskg.query.saved import find_query

    saved = find_query(args.query, args.queries)
    kg = KnowledgeGraph.open(args.kg, allow_service=args.allow_service)
    bindings: dict[str, object] = dict(_parse_bindings(args.bind, "--bind"))
    for name, value in _parse_bindings(args.iri, "--iri").items():
        if not value.strip():
            raise InputError(
                f"--iri {name}= names no entity",
                hint=f"write --iri {name}=ID with an entity id, label, prefixed name or IRI",
            )
        bindings[name] = kg.resolve(value)
    out.write(render(saved.run(kg, **bindings), args.format))
    return 0


def cmd_queries(args: argparse.Namespace, out: TextIO) -> int:
    from newskg.query.saved import list_queries

    for query in list_queries(args.queries):
        out.write(f"{query.name:20} {query.title}\n")
    return 0


def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    from newskg.exports import export
    from newskg.exports.formats import TRIPLE_FORMATS

    count = export(args.kg, format=args.format, output=args.output or out)
    if args.output:
        unit = "triples" if args.format in TRIPLE_FORMATS else "quads"
        unit = "files" if args.format == "site" else unit
        out.write(f"wrote {count} {unit} to {args.output}\n")
    return 0


def cmd_show(args: argparse.Namespace, out: TextIO) -> int:
    import pyoxigraph as ox

    from newskg.query.graph import KnowledgeGraph
    from newskg.query.results import compact

    kg = KnowledgeGraph.open(args.kg)
    node = kg.node(args.entity)
    out.write(f"{node.label}\n  <{node.iri}>\n")
    # Types are full IRIs already: no resolve() (which would try urn:... as a label).
    out.write("  types: " + ", ".join(compact(ox.NamedNode(t)) for t in node.types) + "\n")
    out.write("\nout:\n")
    for edge in sorted(node.out(), key=lambda e: (str(e.predicate), str(e.object))):
        out.write(f"  {compact(edge.predicate):28} {_shown(kg, edge.object)}\n")
    out.write("\nin:\n")
    for edge in sorted(node.in_(), key=lambda e: (str(e.predicate), str(e.subject))):
        out.write(f"  {_shown(kg, edge.subject)}  {compact(edge.predicate)}\n")
    evidence = node.evidence()
    out.write(f"\nevidence ({len(evidence)}):\n")
    for ev in evidence:
        article = ev.article.rsplit("/", 1)[-1]
        out.write(f'  [{article} {ev.start}-{ev.end}] "{ev.exact}"\n')
    return 0


def _shown(kg, term) -> str:  # noqa: ANN001 - KnowledgeGraph/Term, imported lazily
    import pyoxigraph as ox

    from newskg.query.graph import Node
    from newskg.query.results import compact

    if isinstance(term, ox.Literal):
        text = " ".join(term.value.split())
        return f'"{text[:100]}{"…" if len(text) > 100 else ""}"'
    if isinstance(term, ox.NamedNode) and term.value.startswith(kg.base):
        return f"{Node(kg, term).label}  <{term.value}>"
    return compact(term)


def cmd_conformance(args: argparse.Namespace, out: TextIO) -> int:
    from newskg.tools.conformance import run_conformance

    report = run_conformance(args.dir)
    for failure in report.failures:
        out.write(f"FAIL {failure.case}: {failure.reason}\n\n")
    for case in report.unsupported:
        out.write(f"unsupported {case.case}: {case.reason}\n")
    for case in report.refused:
        out.write(f"refused {case.case}: {case.reason}\n")
    skipped = f" ({len(report.unsupported)} unsupported)" if report.unsupported else ""
    if report.refused:
        skipped += f", {len(report.refused)} refused clearly, {len(report.failures)} failed"
    out.write(f"{report.passed}/{report.run} conformance cases passed{skipped}\n")
    return 0 if report.ok else 1


def cmd_map(args: argparse.Namespace, out: TextIO) -> int:
    from newskg.mapping.mapper import map as map_files

    to_stdout = args.output is None and args.into is None
    report = map_files(
        args.mappings,
        data=args.data,
        base=args.base,
        format=args.format,
        output=out if to_stdout else args.output,
        into=args.into,
        jobs=args.jobs,
    )
    if not to_stdout:
        where = " and ".join(
            str(x) for x in (report.output, report.store and f"store {report.store}") if x
        )
        out.write(f"mapped {report.quads} quads ({report.format}) to {where}\n")
    return 0


def cmd_serve(args: argparse.Namespace, out: TextIO) -> int:
    from newskg.serve.run import exposure_warning, serve_forever, stop_on_sigterm
    from newskg.serve.server import TOKEN_VARIABLE, Server

    server = Server(
        args.kg,
        host=args.host,
        port=args.port,
        timeout=args.timeout,
        read_only=not args.read_write,
        location=args.store,
        max_request_bytes=args.max_request_bytes,
        max_connections=args.max_connections,
        max_memory=args.max_memory,
        allow_service=args.allow_service,
        auth_token=args.auth_token or os.environ.get(TOKEN_VARIABLE) or None,
    )
    warning = exposure_warning(args.host, args.read_write)
    if warning:
        sys.stderr.write(warning + "\n")
        sys.stderr.flush()

    def announce(line: str) -> None:
        out.write(line + "\n")
        out.flush()

    try:
        with stop_on_sigterm():
            serve_forever(server, announce)
    except KeyboardInterrupt:
        # Ctrl-C (or SIGTERM) is how a user stops a server: a clean exit, not "interrupted".
        announce("stopped")
    return 0


def cmd_push(args: argparse.Namespace, out: TextIO) -> int:
    from newskg.serve.push import push

    report = push(
        args.kg,
        args.url,
        user=args.user,
        timeout=args.timeout,
        retries=args.retries,
        prune=args.prune,
        sparql=args.sparql,
        progress=lambda line: out.write(line + "\n"),
    )
    pruned = f", deleted {report.pruned} graph(s) of removed articles" if args.prune else ""
    out.write(
        f"pushed {report.triples} triples in {report.graphs} graph(s) to {report.endpoint}"
        f"{pruned}\n"
    )
    return 0


def cmd_viz(args: argparse.Namespace, out: TextIO) -> int:
    from newskg.query.graph import KnowledgeGraph
    from newskg.query.viz import viz

    pic = viz(KnowledgeGraph.open(args.kg), args.target, args.output, depth=args.depth)
    more = " (truncated)" if pic.truncated else ""
    out.write(f"wrote {args.output}: {len(pic.nodes)} nodes, {len(pic.edges)} edges{more}\n")
    return 0


def make_parser() -> argparse.ArgumentParser:
    from newskg.exports.formats import FORMATS as EXPORT_FORMATS
    from newskg.query.results import FORMATS as RESULT_FORMATS

    parser = argparse.ArgumentParser(
        prog="newskg",
        description="Build and query a knowledge graph of news articles and their facts.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("build", help="seeds -> validated RDF -> kg/store and kg/newskg.{ttl,trig}")
    _project_args(p)
    p.add_argument("--no-shacl", action="store_true", help="skip SHACL validation (faster)")
    p.add_argument(
        "--full", action="store_true", help="rebuild every article, not only the changed ones"
    )
    p.add_argument(
        "--jobs", type=int, help="worker processes (default: every core for 64+ articles)"
    )
    p.add_argument(
        "--progress",
        choices=("auto", "on", "off"),
        default="auto",
        help="progress bar (default: only on a terminal)",
    )
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("add", help="add an article to seeds/ with a draft of its facts")
    p.add_argument("file", type=Path, help="the article's text file, or - for standard input")
    p.add_argument("--id", help="the article's id (default: its date and a short hash)")
    p.add_argument("--date", help="its publication date, YYYY-MM-DD (default: as the text says)")
    p.add_argument("--title", help="its title (default: its headline, if it has one)")
    p.add_argument("--project", type=Path, default=Path(), help="project root (default: .)")
    p.add_argument("--seeds", type=Path, help="seeds folder (default: PROJECT/seeds)")
    p.add_argument("--ontology", type=Path, help="ontology folder (default: PROJECT/ontology)")
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("synth", help="write N synthetic articles + entities for scale tests")
    p.add_argument("--articles", type=int, required=True, help="how many articles")
    p.add_argument("--out", type=Path, required=True, help="seeds folder to write")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.set_defaults(func=cmd_synth)

    p = sub.add_parser("validate", help="check seeds, mappings and SHACL shapes; write nothing")
    _project_args(p)
    p.add_argument(
        "--reference",
        action="store_true",
        help="validate with pyshacl (the reference) instead of the compiled shapes",
    )
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("query", help="run a saved query (queries/NAME.rq) or a .rq file")
    p.add_argument("query", help="saved query name or path to a .rq file")
    p.add_argument("--format", choices=RESULT_FORMATS, default="table")
    p.add_argument(
        "--bind",
        action="append",
        default=[],
        metavar="NAME=TEXT",
        help="bind ?NAME to a string literal (repeatable)",
    )
    p.add_argument(
        "--iri",
        action="append",
        default=[],
        metavar="NAME=ID",
        help="bind ?NAME to an entity id, prefixed name or IRI (repeatable)",
    )
    p.add_argument("--queries", type=Path, default=Path("queries"), help="saved queries folder")
    _allow_service_arg(p)
    _kg_arg(p)
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("queries", help="list the saved queries")
    p.add_argument("--queries", type=Path, default=Path("queries"))
    p.set_defaults(func=cmd_queries)

    p = sub.add_parser(
        "export", help="write the graph as Turtle, TriG, N-Triples, N-Quads, JSON-LD or a site"
    )
    p.add_argument("--format", choices=EXPORT_FORMATS, default="ttl")
    p.add_argument("-o", "--output", type=Path, help="file or folder (default: standard output)")
    _kg_arg(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("show", help="everything about one node, with its evidence")
    p.add_argument("entity", help="entity id (huawei), label, prefixed name or IRI")
    _kg_arg(p)
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("serve", help="run the Oxigraph SPARQL server (read-only) on kg/store")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback)")
    p.add_argument("--port", type=int, default=7878, help="port (default: 7878; 0 = any free)")
    p.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        help="stop any request that runs longer, in seconds (default: 60; 0 = no limit)",
    )
    p.add_argument(
        "--max-request-bytes",
        type=int,
        default=1 << 20,
        metavar="N",
        help="largest request body or query string (default: 1048576, 1 MiB)",
    )
    p.add_argument(
        "--max-connections",
        type=int,
        default=64,
        metavar="N",
        help="client connections served at once; when all are answering, the next gets "
        "HTTP 503 (default: 64)",
    )
    p.add_argument(
        "--max-memory",
        metavar="SIZE",
        help="cap Oxigraph's memory; a query that needs more gets HTTP 503 (e.g. 4G; "
        "default: a quarter of this machine's memory; 0 = no cap)",
    )
    _allow_service_arg(p)
    p.add_argument(
        "--auth-token",
        metavar="TOKEN",
        help="require this token of writes (Authorization: Bearer TOKEN); needed for "
        "--read-write beyond loopback (default: $NEWSKG_AUTH_TOKEN)",
    )
    p.add_argument(
        "--read-write",
        action="store_true",
        help="allow updates and Graph Store writes, on a copy of the built store (never on "
        "kg/ itself); the copy is discarded on exit unless --store is given",
    )
    p.add_argument(
        "--store",
        type=Path,
        metavar="DIR",
        help="with --read-write: keep the writable store in DIR, outside kg/ (made from the "
        "build when DIR does not exist)",
    )
    _kg_arg(p)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("push", help="PUT every named graph to a SPARQL Graph Store endpoint")
    p.add_argument("url", help="Graph Store Protocol URL, e.g. http://localhost:7878/store")
    p.add_argument("--timeout", type=float, default=120.0, help="per-request timeout (s)")
    p.add_argument("--user", help="NAME or NAME:PASSWORD (or $NEWSKG_PUSH_USER, or ~/.netrc)")
    p.add_argument("--retries", type=int, default=3, help="retries after a 503 or lost link")
    p.add_argument("--prune", action="store_true", help="delete graphs of removed articles")
    p.add_argument("--sparql", help="the store's SPARQL query URL (for --prune; else guessed)")
    _kg_arg(p)
    p.set_defaults(func=cmd_push)

    p = sub.add_parser("viz", help="draw an entity's neighbourhood or an article's graph")
    p.add_argument("target", help="entity id, label or IRI, or an article id")
    p.add_argument("-o", "--output", type=Path, required=True, help="FILE.svg (or FILE.dot)")
    p.add_argument("--depth", type=int, default=1, help="hops around an entity (default: 1)")
    _kg_arg(p)
    p.set_defaults(func=cmd_viz)

    p = sub.add_parser("map", help="run YARRRML or RML-Core mappings over their data files")
    p.add_argument("mappings", nargs="+", type=Path, metavar="MAPPING", help=".yaml or .ttl")
    p.add_argument(
        "--data", type=Path, help="folder the sources are read from (default: each mapping's)"
    )
    p.add_argument("--base", default=DEFAULT_BASE, help=f"base IRI (default: {DEFAULT_BASE})")
    p.add_argument("--format", choices=("nq", "nt", "ttl", "trig"), default="nq")
    p.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")
    p.add_argument("--into", type=Path, metavar="STORE", help="load into this Oxigraph store")
    p.add_argument("--jobs", type=int, help="processes (default: up to 2 for sources over 4 MiB)")
    p.set_defaults(func=cmd_map)

    p = sub.add_parser(
        "conformance", help="run the mapping test cases in DIR (RML-Core, RML-IO, YARRRML)"
    )
    p.add_argument("dir", type=Path)
    p.set_defaults(func=cmd_conformance)
    return parser


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Entry point; returns the exit code (tests call it in-process)."""
    out = out or sys.stdout
    err = err or sys.stderr
    parser = make_parser()
    try:
        # argparse prints usage and errors itself: send them to our streams, not sys.*
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed its message
        return int(exc.code or 0)
    func: Callable[[argparse.Namespace, TextIO], int] = args.func
    try:
        return func(args, out)
    except NewskgError as exc:
        for diag in exc.diagnostics:
            err.write(f"error: {diag}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        err.write("interrupted; nothing was changed\n")
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
