"""What the benchmarks share: a measurement run in a fresh interpreter.

A benchmark's measured step runs as ``python -c CODE ARGS...`` so that its peak memory is
its own; the code prints one JSON object as its last line, which :func:`run_child` returns.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any


def run_child(code: str, *args: str) -> dict[str, Any]:
    """Run ``code`` with ``args`` in a fresh interpreter; the JSON of its last line. If it
    fails, what it printed on stderr ends the benchmark."""
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"a measured step failed (exit {out.returncode}):\n{out.stderr.strip()}")
    return json.loads(out.stdout.strip().splitlines()[-1])
