"""The graph over HTTP: ``newskg serve`` (Oxigraph behind newskg's proxy) and ``newskg push``."""
