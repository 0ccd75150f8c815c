"""The graph as linked data a person can browse: a page and an RDF description per node.

``render_page`` renders one node's page (or its RDF) to a string; ``newskg serve`` answers
the node IRIs with them by content negotiation (:mod:`newskg.pages.routes`), and ``newskg
export --format site`` writes them all as a static site (:mod:`newskg.pages.site`).
"""

from newskg.pages.render import render_page

__all__ = ["render_page"]
