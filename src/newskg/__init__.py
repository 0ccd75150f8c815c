"""newskg: news articles and curated, evidence-anchored facts -> an RDF knowledge graph."""

__all__: list[str] = []
