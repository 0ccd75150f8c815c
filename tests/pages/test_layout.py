"""Where pages live under the base, the relative links between them, and the request paths
refused before any lookup."""

from __future__ import annotations

import pytest

from newskg.pages.layout import Layout, PathRefused, clean_path, href

LAYOUT = Layout("https://w3id.org/newskg/")


def test_a_node_page_sits_at_its_iri_path():
    assert LAYOUT.base_path == "/newskg/"
    assert LAYOUT.page("https://w3id.org/newskg/id/huawei") == "id/huawei.html"
    assert LAYOUT.page("https://w3id.org/newskg/ontology#Meeting") == "ontology.html#Meeting"
    assert LAYOUT.page("https://schema.org/Person") is None
    assert LAYOUT.timeline("https://w3id.org/newskg/id/huawei") == "timeline/huawei.html"
    assert LAYOUT.timeline("https://w3id.org/newskg/id/a/evidence/1-2") is None
    assert LAYOUT.site_path("/newskg/id/huawei") == "id/huawei"
    assert LAYOUT.site_path("/other") is None
    assert Layout("https://example.org").base_path == "/"


def test_links_are_relative_so_a_site_works_anywhere():
    assert href("id/huawei.html", "id/x.html") == "x.html"
    assert href("id/a/evidence/1-2.html", "id/huawei.html#ev-1-2") == "../../huawei.html#ev-1-2"
    assert href("index.html", "id/huawei.html") == "id/huawei.html"
    assert href("timeline/huawei.html", "style.css") == "../style.css"
    assert href("index.html", "a:b.html") == "./a:b.html"  # never read as a scheme


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("/newskg/../x", 400),
        ("/newskg/./x", 400),
        ("/newskg//x", 400),
        ("/newskg/%2E%2E/x", 400),
        ("/newskg/a\\b", 400),
        ("/newskg/a%0ab", 400),
        ("newskg/x", 400),
        ("/" + "a" * 1025, 414),
    ],
)
def test_paths_that_could_name_another_are_refused(raw, status):
    with pytest.raises(PathRefused) as refused:
        clean_path(raw)
    assert refused.value.status == status


def test_a_plain_path_is_kept():
    assert clean_path("/newskg/id/hua%77ei") == "/newskg/id/huawei"
    assert clean_path("/newskg/") == "/newskg/"
