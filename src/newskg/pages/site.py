"""``newskg export --format site``: every page and every node's RDF as files, with the rules
that make a static host answer a node's IRI by content negotiation.

The folder is written aside and renamed into place, so that it is never half-written, and
its bytes depend only on the graph (pages and files in sorted order, no dates). A folder
that exists is replaced only when newskg wrote it (it holds :data:`MARKER`).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from newskg.errors import InputError, location_of
from newskg.pages.layout import HTML, INDEX, QUERIES, RDF_FORMATS, SEARCH, STYLE, Layout
from newskg.pages.render import TEMPLATES, Pages
from newskg.query.graph import KnowledgeGraph

MARKER = ".newskg-site"
APACHE = ".htaccess"
NGINX = "nginx.conf"


def write_site(kg: Path | str, output: Path | str | None) -> int:
    """Write the site of the graph built under ``kg`` to the folder ``output``; the number
    of files written. Saved queries come from the project's ``queries/`` beside ``kg``."""
    if output is None or not isinstance(output, Path | str):
        raise InputError(
            "the site format writes a folder: name it with -o DIR",
            hint="newskg export --format site -o site/",
        )
    target = Path(output)
    if target.exists() and (
        not target.is_dir() or (any(target.iterdir()) and not (target / MARKER).exists())
    ):
        raise InputError(
            "refusing to write the site over a file or a folder that newskg did not write",
            location=location_of(target),
            hint="name a new or empty folder, or the folder of an earlier site",
        )
    graph = KnowledgeGraph.open(Path(kg))
    pages = Pages.of(graph, Path(kg).parent / "queries", live=False)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        count = _write_all(pages, staging)
        os.chmod(staging, 0o755)
        if target.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
            os.replace(target, retired / "site")
            os.replace(staging, target)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return count


def _write_all(pages: Pages, root: Path) -> int:
    cat = pages.catalogue
    layout = cat.layout
    files: dict[str, bytes] = {
        MARKER: b"written by newskg export --format site; replaced by the next export\n",
        INDEX: pages.index().encode(),
        STYLE: (TEMPLATES / STYLE).read_bytes(),
        SEARCH: pages.search(None).encode(),
        APACHE: apache_rules().encode(),
        NGINX: nginx_rules(layout).encode(),
    }
    for query in pages.saved_queries():
        page = pages.query(query.name, {})
        if page is not None:
            files[f"{QUERIES}{query.name}.{HTML}"] = page.encode()
    for iri in cat.nodes:
        local = layout.local(iri)
        if local is None:
            continue
        files[f"{local}.{HTML}"] = pages.node(iri).encode()
        for ext in RDF_FORMATS:
            files[f"{local}.{ext}"] = pages.rdf(iri, ext)
        timeline = layout.timeline(iri)
        if timeline is not None and _is_entity(pages, iri):
            files[timeline] = pages.timeline(iri).encode()
    for name in sorted(files):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(files[name])
    return len(files)


def _is_entity(pages: Pages, iri: str) -> bool:
    from newskg.pages.content import page_kind

    return page_kind(pages.catalogue, iri) == "entity"


def apache_rules() -> str:
    """An .htaccess for Apache (mod_rewrite, mod_headers): a node's IRI answers with the
    file its Accept header asks for, the page otherwise."""
    lines = [
        "# Content negotiation for the node IRIs of this site (written by newskg).",
        "# Needs AllowOverride FileInfo and the modules rewrite, headers and mime.",
        "DirectorySlash Off",
        "Options -MultiViews",
        "AddType text/html .html",
        *(f"AddType {media} .{ext}" for ext, (media, _) in RDF_FORMATS.items()),
        "AddCharset utf-8 .html .ttl .jsonld .nt .rdf",
        "RewriteEngine On",
    ]
    for ext, (media, _) in RDF_FORMATS.items():
        pattern = media.replace("+", "\\+")
        lines += [
            f"RewriteCond %{{HTTP_ACCEPT}} {pattern}",
            f"RewriteCond %{{REQUEST_FILENAME}}.{ext} -f",
            f"RewriteRule ^(.+)$ $1.{ext} [L,E=negotiated:1]",
        ]
    lines += [
        "RewriteCond %{REQUEST_FILENAME}.html -f",
        "RewriteRule ^(.+)$ $1.html [L,E=negotiated:1]",
        "Header append Vary Accept env=REDIRECT_negotiated",
        "",
    ]
    return "\n".join(lines)


def nginx_rules(layout: Layout) -> str:
    """An nginx server block fragment doing what the .htaccess does."""
    maps = "\n".join(
        "    ~*" + media.replace("+", "\\+") + f"  .{ext};"
        for ext, (media, _) in RDF_FORMATS.items()
    )
    return (
        "# Content negotiation for the node IRIs of this site (written by newskg).\n"
        "# Put the map in the http block and the location in the server block that serves\n"
        f"# this folder at {layout.base_path}.\n"
        "map $http_accept $newskg_ext {\n"
        "    default  .html;\n"
        f"{maps}\n"
        "}\n"
        "types {\n"
        "    text/html html;\n"
        + "".join(f"    {media} {ext};\n" for ext, (media, _) in RDF_FORMATS.items())
        + "    text/css css;\n"
        "}\n"
        f"location {layout.base_path} {{\n"
        "    charset utf-8;\n"
        "    add_header Vary Accept;\n"
        "    try_files $uri$newskg_ext $uri.html $uri $uri/index.html =404;\n"
        "}\n"
    )
