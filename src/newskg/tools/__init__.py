"""Tools for working on newskg itself, not part of the product: synthetic corpora for scale
tests (``newskg synth``) and the RML conformance runner (``newskg conformance``).

Nothing in the pipeline imports from here."""
