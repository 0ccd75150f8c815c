"""The mapping engine: YARRRML / RML-Core Turtle -> one model -> N-Quads-ready quads.

Pure: records in, quads out. See docs/mapping-language.md for the supported language.
"""

from newskg.mapping.loader import MappingSet, load_mappings, merge_mappings
from newskg.mapping.materialise import Quad

__all__ = ["MappingSet", "Quad", "load_mappings", "merge_mappings"]
