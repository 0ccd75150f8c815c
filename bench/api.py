"""Benchmark of the Python API and the SPARQL server on a synthetic KG of >= 1M quads.

    .venv/bin/python bench/api.py [--articles 4000] [--no-rdflib] [--server-only] [--repeat 3]

Generates N-Quads in the shape of the project's graph (entities graph + one named graph per
article: article, sentences, evidence with selectors, a meeting with participations, quotes,
an agreement with a figure; types materialised as the build does), bulk-loads them into a
temporary Oxigraph store, and measures in the same run:

1. ``node().out()``, ``neighbours(depth=2)`` and ``path()`` of the API against the same
   traversal written with raw pyoxigraph ``quads_for_pattern`` calls (target: API within
   1.5x), and against rdflib's in-memory ``Graph`` doing the same (target: API >= 20x faster);
2. every saved query (``queries/*.rq``) through ``newskg.Server`` over HTTP (JSON results)
   against the same query through pyoxigraph in-process, results fully read (target: within
   1.5x); the server column is what users get, through newskg's proxy (timeout and size
   limits), and the Oxigraph column is the same query sent to Oxigraph's internal port;
3. the proxy's own cost: a trivial query many times, through the proxy and to Oxigraph
   directly, over one keep-alive connection each.

Timings are the best of ``--repeat`` runs over the same sample of nodes; ratios are printed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections import deque
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from newskg.graph import KnowledgeGraph  # noqa: E402
from newskg.iris import DEFAULT_BASE as B  # noqa: E402
from newskg.prefixes import PREFIXES  # noqa: E402
from newskg.server import Server  # noqa: E402

NKG, S, PROV, OA = PREFIXES["nkg"], PREFIXES["schema"], PREFIXES["prov"], PREFIXES["oa"]
ORG, SKOS, RDF = PREFIXES["org"], PREFIXES["skos"], PREFIXES["rdf"]
RDFS, XSD = PREFIXES["rdfs"], PREFIXES["xsd"]
TYPE = f"<{RDF}type>"


def iri(value: str) -> str:
    return f"<{value}>"


def lit(value: object, datatype: str | None = None) -> str:
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"^^<{XSD}{datatype}>' if datatype else f'"{text}"'


class Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, s: str, p: str, o: str, g: str) -> None:
        self.lines.append(f"{s} {p} {o} {g} .\n")

    def types(self, s: str, classes: list[str], g: str) -> None:
        for c in classes:
            self.add(s, TYPE, iri(c), g)


def generate(articles: int, seed: int = 7) -> tuple[bytes, dict[str, list[str]]]:
    """N-Quads of a synthetic KG and the IRIs of some of its entities (for samples)."""
    rng = random.Random(seed)
    w = Writer()
    eg = iri(B + "graph/entities")
    people = [B + f"id/person/p{i}" for i in range(articles // 2 + 10)]
    orgs = [B + f"id/organization/o{i}" for i in range(articles // 8 + 5)]
    countries = [B + f"id/country/c{i}" for i in range(60)]
    posts = [B + f"id/post/post{i}" for i in range(len(people))]
    concepts = [B + f"id/concept/k{i}" for i in range(300)]
    for i, p in enumerate(people):
        w.types(iri(p), [S + "Person"], eg)
        for prop in (RDFS + "label", S + "name", SKOS + "prefLabel"):
            w.add(iri(p), iri(prop), lit(f"Person {i}"), eg)
    for i, o in enumerate(orgs):
        w.types(iri(o), [S + "Organization", ORG + "Organization"], eg)
        w.add(iri(o), iri(RDFS + "label"), lit(f"Organisation {i}"), eg)
        w.add(iri(o), iri(S + "location"), iri(rng.choice(countries)), eg)
    for i, c in enumerate(countries):
        w.types(iri(c), [S + "Country", S + "AdministrativeArea", S + "Place"], eg)
        w.add(iri(c), iri(RDFS + "label"), lit(f"Country {i}"), eg)
    for i, post in enumerate(posts):
        w.types(iri(post), [ORG + "Post"], eg)
        w.add(iri(post), iri(RDFS + "label"), lit(f"Post {i}"), eg)
        w.add(iri(post), iri(ORG + "postIn"), iri(rng.choice(orgs)), eg)
    for i, k in enumerate(concepts):
        w.types(iri(k), [SKOS + "Concept"], eg)
        w.add(iri(k), iri(SKOS + "prefLabel"), lit(f"Concept {i}"), eg)
    for n, label in (("Virtual", "virtual"), ("GreaterThan", "greater than")):
        w.add(iri(NKG + n), iri(RDFS + "label"), lit(label), iri(B + "graph/ontology"))

    def person() -> int:
        # Skewed: a few people are in many articles, as in real news.
        return min(int(rng.paretovariate(1.2)) - 1, len(people) - 1)

    for a in range(articles):
        aid = f"a{a:06d}"
        g = iri(B + f"graph/article/{aid}")
        art = iri(B + f"id/article/{aid}")
        w.types(art, [S + "NewsArticle", S + "Article", S + "CreativeWork"], g)
        w.add(art, iri(RDFS + "label"), lit(f"Article {a}"), g)
        w.add(art, iri(S + "headline"), lit(f"Article {a}"), g)
        w.add(art, iri(S + "identifier"), lit(aid), g)
        w.add(art, iri(S + "datePublished"), lit(f"2021-{a % 12 + 1:02d}-15", "date"), g)
        w.add(art, iri(S + "inLanguage"), lit("en"), g)
        sentences = []
        for n in range(1, 9):
            s = iri(B + f"id/sentence/{aid}/{n}")
            sentences.append(s)
            w.types(s, [NKG + "Sentence", PROV + "Entity"], g)
            w.add(s, iri(NKG + "sentenceNumber"), lit(n, "integer"), g)
            w.add(s, iri(S + "text"), lit(f"Sentence {n} of article {a} about cooperation."), g)
            w.add(s, iri(OA + "start"), lit(n * 100, "integer"), g)
            w.add(s, iri(OA + "end"), lit(n * 100 + 90, "integer"), g)
            w.add(s, iri(S + "isPartOf"), art, g)
        evidence = []
        for e in range(10):
            start = e * 80
            ev = iri(B + f"id/evidence/{aid}/{start}-{start + 40}")
            evidence.append(ev)
            q, pos = iri(ev[1:-1] + "/quote"), iri(ev[1:-1] + "/position")
            w.types(ev, [NKG + "Evidence", OA + "SpecificResource"], g)
            w.add(ev, iri(OA + "hasSource"), art, g)
            w.add(ev, iri(OA + "hasSelector"), q, g)
            w.add(ev, iri(OA + "hasSelector"), pos, g)
            w.add(ev, iri(NKG + "inSentence"), sentences[e % 8], g)
            w.types(q, [OA + "TextQuoteSelector"], g)
            w.add(q, iri(OA + "exact"), lit(f"quote {e} of {a}"), g)
            w.add(q, iri(OA + "prefix"), lit("before "), g)
            w.add(q, iri(OA + "suffix"), lit(" after"), g)
            w.types(pos, [OA + "TextPositionSelector"], g)
            w.add(pos, iri(OA + "start"), lit(start, "integer"), g)
            w.add(pos, iri(OA + "end"), lit(start + 40, "integer"), g)
        fact_types = [NKG + "Fact", PROV + "Entity"]
        m = iri(B + f"id/meeting/{aid}/m")
        w.types(m, [NKG + "Meeting", S + "Event", *fact_types], g)
        w.add(m, iri(RDFS + "label"), lit(f"Meeting in article {a}"), g)
        w.add(m, iri(S + "startDate"), lit(f"2021-{a % 12 + 1:02d}-14", "date"), g)
        w.add(m, iri(NKG + "meetingMode"), iri(NKG + "Virtual"), g)
        w.add(m, iri(PROV + "wasDerivedFrom"), art, g)
        w.add(m, iri(NKG + "evidence"), evidence[0], g)
        w.add(m, iri(NKG + "topic"), iri(rng.choice(concepts)), g)
        who = sorted({person(), person(), rng.randrange(len(people))})
        for k, p in enumerate(who):
            part = iri(B + f"id/participation/{aid}/m-{k}")
            w.types(part, [NKG + "Participation", *fact_types], g)
            w.add(m, iri(S + "attendee"), iri(people[p]), g)
            w.add(m, iri(NKG + "participation"), part, g)
            w.add(part, iri(NKG + "participationIn"), m, g)
            w.add(part, iri(NKG + "participant"), iri(people[p]), g)
            w.add(part, iri(NKG + "capacity"), iri(posts[p]), g)
            w.add(part, iri(PROV + "wasDerivedFrom"), art, g)
            w.add(part, iri(NKG + "evidence"), evidence[0], g)
            w.add(iri(posts[p]), iri(ORG + "heldBy"), iri(people[p]), g)
            qt = iri(B + f"id/quote/{aid}/q{k}")
            w.types(qt, [NKG + "Quote", S + "Quotation", S + "CreativeWork", *fact_types], g)
            w.add(qt, iri(S + "text"), lit(f"quote {k + 1} of {a}"), g)
            for prop in (NKG + "speaker", S + "creator", PROV + "wasAttributedTo"):
                w.add(qt, iri(prop), iri(people[p]), g)
            w.add(qt, iri(NKG + "during"), m, g)
            w.add(qt, iri(PROV + "wasDerivedFrom"), art, g)
            w.add(qt, iri(NKG + "evidence"), evidence[k + 1], g)
        ag = iri(B + f"id/agreement/{aid}/mou")
        fig = iri(B + f"id/figure/{aid}/count")
        w.types(ag, [NKG + "Agreement", NKG + "MemorandumOfUnderstanding", *fact_types], g)
        w.add(ag, iri(RDFS + "label"), lit(f"MOU of article {a}"), g)
        for o in {rng.randrange(len(orgs)), rng.randrange(len(orgs))}:
            w.add(ag, iri(NKG + "party"), iri(orgs[o]), g)
        w.add(ag, iri(NKG + "party"), iri(rng.choice(countries)), g)
        w.add(ag, iri(PROV + "wasDerivedFrom"), art, g)
        w.add(ag, iri(NKG + "evidence"), evidence[5], g)
        w.add(ag, iri(NKG + "hasFigure"), fig, g)
        w.types(fig, [NKG + "Figure", S + "QuantitativeValue", *fact_types], g)
        w.add(fig, iri(NKG + "figureOf"), ag, g)
        w.add(fig, iri(NKG + "measure"), lit("universities with MOUs"), g)
        w.add(fig, iri(S + "value"), lit(rng.randrange(1, 100), "integer"), g)
        w.add(fig, iri(NKG + "comparator"), iri(NKG + "GreaterThan"), g)
        w.add(fig, iri(S + "unitText"), lit("university"), g)
        w.add(fig, iri(NKG + "asOf"), lit(f"2021-{a % 12 + 1:02d}-15", "date"), g)
        w.add(fig, iri(PROV + "wasDerivedFrom"), art, g)
        w.add(fig, iri(NKG + "evidence"), evidence[5], g)
    pools = {"people": people, "orgs": orgs, "countries": countries}
    return "".join(w.lines).encode("utf-8"), pools


# -- raw pyoxigraph equivalents -------------------------------------------------------------

RDF_TYPE = ox.NamedNode(RDF + "type")


def raw_out(store: ox.Store, term: ox.NamedNode) -> list:
    return list(store.quads_for_pattern(term, None, None, None))


def raw_hops(store: ox.Store, node):
    if not isinstance(node, ox.Literal):
        for q in store.quads_for_pattern(node, None, None, None):
            if q.predicate != RDF_TYPE and not isinstance(q.object, ox.Literal):
                yield q, q.object
    for q in store.quads_for_pattern(None, None, node, None):
        if q.predicate != RDF_TYPE:
            yield q, q.subject


def raw_neighbours(store: ox.Store, term: ox.NamedNode, depth: int) -> set:
    return bfs_neighbours(partial(raw_hops, store), term, depth)


def raw_path(store: ox.Store, start: ox.NamedNode, goal: ox.NamedNode, max_hops: int):
    return bfs_path(partial(raw_hops, store), start, goal, max_hops)


# -- the traversals, written once for any hops function -----------------------------------
#
# The same loops as Node.neighbours() and KnowledgeGraph.path(), over (statement, neighbour)
# pairs from ``hops``: raw pyoxigraph and rdflib differ only in how they list a node's edges.


def bfs_neighbours(hops: Callable[[Any], Iterable[tuple[Any, Any]]], term, depth: int) -> set:
    seen, frontier = {term}, [term]
    for _ in range(depth):
        nxt = []
        for t in frontier:
            for _, other in hops(t):
                if other not in seen:
                    seen.add(other)
                    nxt.append(other)
        frontier = nxt
    seen.discard(term)
    return seen


def bfs_path(hops: Callable[[Any], Iterable[tuple[Any, Any]]], start, goal, max_hops: int):
    parents, seen = {}, {start}
    frontier = deque([(start, 0)])
    while frontier:
        node, depth = frontier.popleft()
        if depth >= max_hops:
            continue
        for edge, other in hops(node):
            if other in seen:
                continue
            seen.add(other)
            parents[other] = (node, edge)
            if other == goal:
                path, n = [], goal
                while n != start:
                    n, e = parents[n]
                    path.append(e)
                return path[::-1]
            frontier.append((other, depth + 1))
    return None


# -- rdflib equivalents ---------------------------------------------------------------------


def rdflib_graph(nquads: bytes):
    import rdflib

    # The union of all graphs as one in-memory Graph: what the API reads, and rdflib's
    # fastest shape (a Dataset with default_union would only be slower).
    triples = b"".join(line.rsplit(b" ", 2)[0] + b" .\n" for line in nquads.splitlines())
    graph = rdflib.Graph()
    graph.parse(data=triples.decode("utf-8"), format="nt")
    return graph


def rdflib_hops(graph, node):
    from rdflib import RDF as RDFNS
    from rdflib import Literal

    if not isinstance(node, Literal):
        for s, p, o in graph.triples((node, None, None)):
            if p != RDFNS.type and not isinstance(o, Literal):
                yield (s, p, o), o
    for s, p, o in graph.triples((None, None, node)):
        if p != RDFNS.type:
            yield (s, p, o), s


def rdflib_neighbours(graph, term, depth: int) -> set:
    return bfs_neighbours(partial(rdflib_hops, graph), term, depth)


def rdflib_path(graph, start, goal, max_hops: int):
    return bfs_path(partial(rdflib_hops, graph), start, goal, max_hops)


# -- timing ---------------------------------------------------------------------------------


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def report(name: str, api: float, raw: float, rdf: float | None) -> None:
    line = (
        f"{name:28} api {api * 1000:9.1f} ms  raw {raw * 1000:9.1f} ms  api/raw {api / raw:5.2f}x"
    )
    if rdf is not None:
        line += f"  rdflib {rdf * 1000:10.1f} ms  rdflib/api {rdf / api:6.1f}x"
    print(line, flush=True)


def traversal(
    kg: KnowledgeGraph, graph, sample: list, nb_sample: list, pairs: list, repeat: int
) -> None:
    """The three traversals through the API, raw pyoxigraph on the same store, and rdflib."""
    from rdflib import URIRef

    store = kg.store

    def rd(t: ox.NamedNode) -> URIRef:
        return URIRef(t.value)

    # The same answers first, so that the timings compare like with like.
    assert {(e.subject, e.predicate, e.object) for e in kg.node(sample[0]).out()} == {
        (q.subject, q.predicate, q.object) for q in raw_out(store, sample[0])
    }
    assert {n.term for n in kg.node(sample[0]).neighbours(2)} == set(
        raw_neighbours(store, sample[0], 2)
    )

    api = best(lambda: [kg.node(t).out() for t in sample], repeat)
    raw = best(lambda: [raw_out(store, t) for t in sample], repeat)
    rdf = (
        best(lambda: [list(graph.triples((rd(t), None, None))) for t in sample], repeat)
        if graph is not None
        else None
    )
    report(f"node().out() x{len(sample)}", api, raw, rdf)

    api = best(lambda: [kg.node(t).neighbours(depth=2) for t in nb_sample], repeat)
    raw = best(lambda: [raw_neighbours(store, t, 2) for t in nb_sample], repeat)
    rdf = (
        best(lambda: [rdflib_neighbours(graph, rd(t), 2) for t in nb_sample], repeat)
        if graph is not None
        else None
    )
    report(f"neighbours(depth=2) x{len(nb_sample)}", api, raw, rdf)

    found = sum(kg.path(a, b, max_hops=4) is not None for a, b in pairs)
    api = best(lambda: [kg.path(a, b, max_hops=4) for a, b in pairs], repeat)
    raw = best(lambda: [raw_path(store, a, b, 4) for a, b in pairs], repeat)
    rdf = (
        best(lambda: [rdflib_path(graph, rd(a), rd(b), 4) for a, b in pairs], repeat)
        if graph is not None
        else None
    )
    report(f"path(4 hops) x{len(pairs)}, {found} found", api, raw, rdf)


class Client:
    """A keep-alive HTTP client, as any SPARQL client library uses: one TCP connection for
    all requests, so that the comparison measures the server, not connection set-up."""

    def __init__(self, url: str) -> None:
        parts = urllib.parse.urlsplit(url)
        self.path = parts.path
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)

    def query(self, query: str) -> list:
        body = urllib.parse.urlencode({"query": query})
        headers = {
            "Accept": "application/sparql-results+json",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        try:
            self.conn.request("POST", self.path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (ConnectionError, http.client.HTTPException):
            # the server closed the idle connection (newskg's proxy does after 60 s, as most
            # servers do): reconnect once, as SPARQL client libraries do
            self.conn.close()
            self.conn.request("POST", self.path, body=body, headers=headers)
            response = self.conn.getresponse()
        data = response.read()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}: {data[:300]!r}")
        return json.loads(data)["results"]["bindings"]


def proxy_overhead(proxied: Client, direct: Client, requests: int) -> None:
    """A trivial query ``requests`` times through the proxy and straight to Oxigraph,
    alternating rounds so that both see the same machine; the median round counts."""
    query = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"
    rounds: dict[str, list[float]] = {"proxy": [], "direct": []}
    for client in (proxied, direct):  # warm-up
        for _ in range(50):
            client.query(query)
    per_round = max(1, requests // 5)
    for _ in range(5):
        for name, client in (("proxy", proxied), ("direct", direct)):
            t0 = time.perf_counter()
            for _ in range(per_round):
                client.query(query)
            rounds[name].append((time.perf_counter() - t0) / per_round)
    proxy, oxigraph = (sorted(rounds[n])[2] for n in ("proxy", "direct"))
    print(
        f"\nproxy overhead, trivial query x{per_round * 5} over keep-alive (median of 5 rounds):"
        f"\n  through the proxy {proxy * 1e6:7.0f} us/request"
        f"\n  Oxigraph directly {oxigraph * 1e6:7.0f} us/request"
        f"\n  overhead          {(proxy - oxigraph) * 1e6:7.0f} us/request"
    )


def direct_query(store: ox.Store, query: str) -> list:
    result = store.query(query, use_default_graph_as_union=True)
    variables = [v.value for v in result.variables]
    return [[solution[v] for v in variables] for solution in result]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=4000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-rdflib", action="store_true")
    parser.add_argument(
        "--server-only", action="store_true", help="only the saved queries and the proxy"
    )
    parser.add_argument(
        "--requests", type=int, default=5000, help="trivial queries for the proxy overhead"
    )
    parser.add_argument(
        "--skip", default="", help="saved queries to leave out, comma-separated (e.g. meetings)"
    )
    args = parser.parse_args()

    t0 = time.perf_counter()
    nquads, pools = generate(args.articles)
    lines = nquads.count(b"\n")
    print(f"generated {lines:,} quads in {time.perf_counter() - t0:.1f}s")
    with tempfile.TemporaryDirectory(prefix="newskg-bench-") as tmp:
        kg_dir = Path(tmp) / "kg"
        store_dir = kg_dir / ".stores" / "bench" / "store"
        store_dir.parent.mkdir(parents=True)
        t0 = time.perf_counter()
        writable = ox.Store(str(store_dir))
        writable.bulk_load(input=nquads, format=ox.RdfFormat.N_QUADS)
        writable.flush()
        writable.optimize()
        quads = len(writable)
        del writable
        (kg_dir / "store").symlink_to(store_dir)
        print(f"bulk-loaded {quads:,} quads in {time.perf_counter() - t0:.1f}s")
        if quads < 1_000_000:
            print("warning: fewer than 1M quads; raise --articles")

        kg = KnowledgeGraph.open(kg_dir)
        store = kg.store
        rng = random.Random(1)
        people = pools["people"]
        # min(): a small --articles has too few people for the full-size samples
        entities = people[:50] + rng.sample(people, min(50, len(people))) + pools["orgs"][:50]
        entities += pools["countries"][:10]
        sample = [ox.NamedNode(x) for x in entities[: args.samples]]
        n = min(20, len(people) // 2)
        pairs = [
            (ox.NamedNode(a), ox.NamedNode(b))
            for a, b in zip(people[:n], people[n : 2 * n], strict=True)
        ]

        graph = None
        if not args.no_rdflib and not args.server_only:
            t0 = time.perf_counter()
            graph = rdflib_graph(nquads)
            print(f"rdflib Graph loaded {len(graph):,} triples in {time.perf_counter() - t0:.1f}s")
        del nquads

        if not args.server_only:
            t0 = time.perf_counter()
            kg_mem = KnowledgeGraph.open(kg_dir, in_memory=True)
            print(f"KnowledgeGraph.open(in_memory=True) in {time.perf_counter() - t0:.1f}s")
            for title, api_kg in (("on-disk store", kg), ("in-memory store", kg_mem)):
                print(f"\nAPI vs raw pyoxigraph ({title}) vs rdflib Graph (best of {args.repeat}):")
                traversal(api_kg, graph, sample, sample[:60], pairs, args.repeat)
            del kg_mem
        graph = None  # free rdflib's memory before the server runs

        print(
            "\nsaved queries: server (HTTP, JSON) vs pyoxigraph in-process"
            f" (best of {args.repeat}):"
        )
        parameters = {
            "entity": f"VALUES ?entity {{ <{pools['orgs'][0]}> }}",
            "facts-in-sentence": 'VALUES ?fragment { "Sentence 3 of article 42 " }',
            "quotes": f"VALUES ?speakerId {{ <{pools['people'][0]}> }}",
        }
        ratios = []
        with Server(kg_dir) as server:
            client = Client(server.query_url)
            backend = Client(server.backend_url + "query")
            skipped = set(filter(None, args.skip.split(",")))
            for path in sorted((ROOT / "queries").glob("*.rq")):
                if path.stem in skipped:
                    print(f"  {path.stem:20} skipped (--skip)")
                    continue
                query = path.read_text(encoding="utf-8")
                # A trailing VALUES clause binds a parameter identically for both sides.
                if path.stem in parameters:
                    query += "\n" + parameters[path.stem] + "\n"
                rows_http = client.query(query)
                rows_direct = direct_query(store, query)
                assert len(rows_http) == len(rows_direct), path.stem
                srv = best(lambda q=query: client.query(q), args.repeat)
                oxi = best(lambda q=query: backend.query(q), args.repeat)
                dct = best(lambda q=query: direct_query(store, q), args.repeat)
                ratios.append(srv / dct)
                print(
                    f"  {path.stem:20} rows {len(rows_direct):7,}  server {srv * 1000:9.1f} ms"
                    f"  (Oxigraph {oxi * 1000:9.1f} ms)  direct {dct * 1000:9.1f} ms"
                    f"  server/direct {srv / dct:5.2f}x",
                    flush=True,
                )
            print(
                f"  worst server/direct {max(ratios):.2f}x,"
                f" median {sorted(ratios)[len(ratios) // 2]:.2f}x"
            )
            proxy_overhead(client, backend, args.requests)
    return 0


if __name__ == "__main__":
    sys.exit(main())
