"""Print the lower bound of every dependency in pyproject.toml as a pip constraint
(``name==version``), so that CI can install the oldest versions the project claims to support."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())
requirements = [
    *project["project"]["dependencies"],
    *(r for extra in project["project"]["optional-dependencies"].values() for r in extra),
]
for requirement in requirements:
    name = re.match(r"[A-Za-z0-9_.-]+", requirement)
    floor = re.search(r"(?:>=|==)\s*([^,;\s]+)", requirement)
    if name is None or floor is None:
        sys.exit(f"{requirement!r} has no lower bound: give it one (>= or ==)")
    print(f"{name[0]}=={floor[1]}")
