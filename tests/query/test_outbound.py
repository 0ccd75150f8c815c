"""`newskg.query.outbound`: no SERVICE (or LOAD) request leaves newskg unless allowed, in the
API and `newskg query`; a comment, a string or a variable named service is no SERVICE."""

from __future__ import annotations

import time

import pytest

from newskg.errors import InputError, QueryError
from newskg.query.graph import KnowledgeGraph
from newskg.query.outbound import MAX_CHECKED_CHARS, allowed_services, check_outbound
from newskg.rdf import PREFIXES
from tests.conftest import run_cli

URL = "http://127.0.0.1:9/sparql"

REFUSED = {
    "plain": f"SELECT * WHERE {{ SERVICE <{URL}> {{ ?s ?p ?o }} }}",
    "lower case, silent": f"select * where {{ service silent <{URL}> {{ ?s ?p ?o }} }}",
    "no spaces": f"SELECT*WHERE{{?s ?p ?o.SERVICE<{URL}>{{?s ?p ?o}}}}",
    "codepoint escape": f"SELECT * WHERE {{ \\u0053ERVICE <{URL}> {{ ?s ?p ?o }} }}",
    "prefixed name": "PREFIX e: <http://127.0.0.1:9/> SELECT * WHERE { SERVICE e:sparql {} }",
    "relative to BASE": "BASE <http://127.0.0.1:9/> SELECT * WHERE { SERVICE <sparql> {} }",
    "in FILTER EXISTS": f"SELECT * WHERE {{ FILTER EXISTS {{ SERVICE <{URL}> {{}} }} }}",
    "in a subquery": f"SELECT * {{ {{ SELECT ?s {{ SERVICE <{URL}> {{ ?s ?p ?o }} }} }} }}",
    "in OPTIONAL": f"SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE <{URL}> {{}} }} }}",
    # '<' is less-than here, so the quote opens a string that ends before SERVICE; read as
    # an IRI '<'>', it would hide SERVICE inside the string a later quote closes
    "less-than before a quote": f"SELECT * WHERE {{ FILTER(?a <'>0') SERVICE <{URL}> {{}} }} #'",
    "a variable": "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }",
}

ALLOWED = {
    "in a comment": f"# SERVICE <{URL}> {{}}\nSELECT * WHERE {{ ?s ?p ?o }}",
    "in a string": f"SELECT * WHERE {{ BIND('SERVICE <{URL}> {{}}' AS ?x) }}",
    "in a long string": f'SELECT * WHERE {{ BIND("""x\nSERVICE <{URL}> {{}}""" AS ?x) }}',
    "in an IRI": "SELECT * WHERE { ?s <http://example.org/SERVICE> ?o }",
    "a variable's name": "SELECT ?service WHERE { ?service ?p ?o }",
    "a prefixed name": "PREFIX service: <http://x/> SELECT * WHERE { ?s service:service ?o }",
    "no SERVICE at all": "SELECT * WHERE { ?s ?p ?o }",
}


@pytest.mark.parametrize("query", REFUSED.values(), ids=REFUSED.keys())
def test_a_service_clause_is_refused(query):
    with pytest.raises(QueryError, match="SERVICE"):
        check_outbound(query)


@pytest.mark.parametrize("query", ALLOWED.values(), ids=ALLOWED.keys())
def test_the_word_service_elsewhere_is_not_a_service_clause(query):
    check_outbound(query)


def test_an_allowed_prefix_lets_exactly_its_urls_through():
    allowed = allowed_services(["http://127.0.0.1:9"])  # a host alone gets its slash
    assert allowed == ("http://127.0.0.1:9/",)
    check_outbound(REFUSED["plain"], allowed)
    check_outbound(REFUSED["prefixed name"], allowed)
    with pytest.raises(QueryError, match=r"127\.0\.0\.1:99/"):
        check_outbound(REFUSED["plain"].replace(":9/", ":99/"), allowed)
    with pytest.raises(QueryError, match="variable"):
        check_outbound(REFUSED["a variable"], allowed)
    for bad in ("ftp://x/", "127.0.0.1:9", "http://", "http://a b/"):
        with pytest.raises(InputError, match="--allow-service"):
            allowed_services([bad])


def test_predeclared_prefixes_are_resolved_as_the_api_runs_the_query():
    with pytest.raises(QueryError, match=r"www\.wikidata\.org"):
        check_outbound("SELECT * WHERE { SERVICE wd:sparql {} }", prefixes=PREFIXES)


def test_load_is_refused_in_updates():
    with pytest.raises(QueryError, match=r"LOAD <http://127\.0\.0\.1:9/x>"):
        check_outbound("LOAD <http://127.0.0.1:9/x>", update=True)
    check_outbound("INSERT DATA { <urn:a> <urn:b> 'load; service' }", update=True)


def test_what_cannot_be_parsed_and_mentions_service_is_refused_with_the_reason():
    with pytest.raises(QueryError, match=r"cannot check this query .*Expected"):
        check_outbound("SELECT ?service WHERE { ?service ")
    with pytest.raises(QueryError, match="nested too deeply"):
        check_outbound("SELECT * WHERE " + "{" * 3000 + "?service ?p ?o" + "}" * 3000)
    with pytest.raises(QueryError, match=f"over {MAX_CHECKED_CHARS}"):
        check_outbound("SELECT ?service WHERE { ?service ?p ?o }" + "#" * MAX_CHECKED_CHARS)


def _wait_for(listener, seconds: float = 0.5) -> list[bytes]:
    time.sleep(seconds)  # a request that had left would have arrived by now
    return listener.contacts


def test_the_api_sends_nothing_unless_allowed(built_kg, listener):
    query = f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
    kg = KnowledgeGraph.open(built_kg / "kg")
    with pytest.raises(QueryError, match="no outbound requests"):
        kg.query(query)
    assert _wait_for(listener) == []
    allowed = KnowledgeGraph.open(built_kg / "kg", allow_service=[listener.url])
    with pytest.raises(QueryError):  # the listener answers nothing: the query fails
        allowed.query(query)
    assert listener.contacts, "an allowed SERVICE should have reached the listener"


def test_newskg_query_sends_nothing_unless_allowed(built_kg, listener, tmp_path):
    rq = tmp_path / "remote.rq"
    rq.write_text(f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}\n", "utf-8")
    result = run_cli("query", rq, "--kg", built_kg / "kg")
    assert result.code == 3 and "no outbound requests" in result.err
    assert f"--allow-service {listener.url.rsplit('/', 1)[0]}/" in result.err
    assert "Traceback" not in result.err
    assert _wait_for(listener) == []
    result = run_cli("query", rq, "--kg", built_kg / "kg", "--allow-service", listener.url)
    assert listener.contacts and "Traceback" not in result.err
