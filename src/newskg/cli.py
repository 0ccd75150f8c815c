"""The ``newskg`` command: one subcommand per API verb, one error handler.

Every user error is a :class:`NewskgError`; it is printed as ``error: file:line:column:
message`` with a hint, and its exit code is returned. Anything else is a bug and is allowed to
show its traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from newskg.errors import InputError, NewskgError
from newskg.iris import DEFAULT_BASE


def _project_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project", type=Path, default=Path(), help="project root (default: .)")
    parser.add_argument("--seeds", type=Path, help="seeds folder (default: PROJECT/seeds)")
    parser.add_argument("--mappings", type=Path, help="mappings folder (default: PROJECT/mappings)")
    parser.add_argument("--ontology", type=Path, help="ontology folder (default: PROJECT/ontology)")
    parser.add_argument("--out", type=Path, help="output folder (default: PROJECT/kg)")
    parser.add_argument("--base", default=DEFAULT_BASE, help=f"base IRI (default: {DEFAULT_BASE})")


def _project(args: argparse.Namespace):  # noqa: ANN202 - imported lazily to keep start-up fast
    from newskg.build import Project

    return Project(args.project, args.seeds, args.mappings, args.ontology, args.out, args.base)


def _kg_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--kg", type=Path, default=Path("kg"), help="built graph folder (default: kg)"
    )


def cmd_build(args: argparse.Namespace, out: TextIO) -> int:
    from newskg.build import build

    report = build(_project(args), validate=not args.no_shacl)
    timings = ", ".join(f"{k} {v:.2f}s" for k, v in report.timings.items())
    out.write(
        f"built {report.articles} article(s): {report.quads} quads in {report.graphs} graphs "
        f"in {report.seconds:.2f}s ({timings})\n"
    )
    for path in report.exports:
        out.write(f"  wrote {path}\n")
    out.write(f"  store {report.store}\n")
    return 0


def cmd_validate(args: argparse.Namespace, out: TextIO) -> int:
    from newskg.build import Builder
    from newskg.facts import article_folders

    builder = Builder(_project(args), validate=True)
    count = 0
    for folder in article_folders(builder.project.seeds_dir):
        _, quads = builder.article_quads(folder)
        count += 1
        out.write(f"ok  {folder.name}: {len(quads)} quads conform to the shapes\n")
    out.write(f"{count} article(s) valid; nothing was written\n")
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
    from newskg.graph import KnowledgeGraph
    from newskg.results import render
    from newskg.saved_queries import find_query

    saved = find_query(args.query, args.queries)
    kg = KnowledgeGraph.open(args.kg)
    bindings: dict[str, object] = dict(_parse_bindings(args.bind, "--bind"))
    for name, value in _parse_bindings(args.iri, "--iri").items():
        bindings[name] = kg.resolve(value)
    saved.check_bindings(set(bindings))
    result = kg.query(saved.text, **bindings)
    out.write(render(result, args.format))
    return 0


def cmd_queries(args: argparse.Namespace, out: TextIO) -> int:
    from newskg.saved_queries import list_queries

    for query in list_queries(args.queries):
        out.write(f"{query.name:20} {query.title}\n")
    return 0


def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    from newskg.export import export

    if args.output:
        tmp = args.output.with_name(args.output.name + ".tmp")
        with tmp.open("w", encoding="utf-8", newline="\n") as handle:
            count = export(args.kg, args.format, handle)
        tmp.replace(args.output)
        out.write(f"wrote {count} quads to {args.output}\n")
    else:
        export(args.kg, args.format, out)
    return 0


def cmd_show(args: argparse.Namespace, out: TextIO) -> int:
    from newskg.graph import KnowledgeGraph
    from newskg.results import compact

    kg = KnowledgeGraph.open(args.kg)
    node = kg.node(args.entity)
    out.write(f"{node.label}\n  <{node.iri}>\n")
    out.write("  types: " + ", ".join(compact(kg.resolve(t)) for t in node.types) + "\n")
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

    from newskg.graph import Node
    from newskg.results import compact

    if isinstance(term, ox.Literal):
        text = " ".join(term.value.split())
        return f'"{text[:100]}{"…" if len(text) > 100 else ""}"'
    if isinstance(term, ox.NamedNode) and term.value.startswith(kg.base):
        return f"{Node(kg, term).label}  <{term.value}>"
    return compact(term)


def cmd_conformance(args: argparse.Namespace, out: TextIO) -> int:
    from newskg.mapping.conformance import conformance_command

    return conformance_command(args.dir, out)


def make_parser() -> argparse.ArgumentParser:
    from newskg.export import FORMATS as EXPORT_FORMATS
    from newskg.results import FORMATS as RESULT_FORMATS

    parser = argparse.ArgumentParser(
        prog="newskg",
        description="Build and query a knowledge graph of news articles and their facts.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("build", help="seeds -> validated RDF -> kg/store and kg/newskg.{ttl,trig}")
    _project_args(p)
    p.add_argument("--no-shacl", action="store_true", help="skip SHACL validation (faster)")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("validate", help="check seeds, mappings and SHACL shapes; write nothing")
    _project_args(p)
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
    _kg_arg(p)
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("queries", help="list the saved queries")
    p.add_argument("--queries", type=Path, default=Path("queries"))
    p.set_defaults(func=cmd_queries)

    p = sub.add_parser(
        "export", help="write the graph as Turtle, TriG, N-Triples, N-Quads or JSON-LD"
    )
    p.add_argument("--format", choices=EXPORT_FORMATS, default="ttl")
    p.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")
    _kg_arg(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("show", help="everything about one node, with its evidence")
    p.add_argument("entity", help="entity id (huawei), label, prefixed name or IRI")
    _kg_arg(p)
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("conformance", help="run the RML-Core conformance cases in DIR")
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
