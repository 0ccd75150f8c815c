"""Apache Jena's SPARQL engine (ARQ over TDB2, from Debian's ``libapache-jena-java`` 4.5) run on
an exported graph, for tests: ``RunQueries.java`` beside this file is compiled into a temporary
folder and runs every query in one JVM over the union default graph Fuseki gives a TDB2 dataset
with ``tdb2:unionDefaultGraph true``.

Debian ships no launcher and its jars carry no ``Class-Path``, so the classpath is named here:
the Jena jars the engine needs and the jars of the packages ``libapache-jena-java`` depends on.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

JARS = Path("/usr/share/java")
# Jena's own modules for parsing, ARQ and TDB2, then its dependencies' jars (Debian's
# unversioned names); slf4j-simple prints Jena's warnings and errors to stderr.
CLASSPATH = (
    *("jena-base", "jena-core", "jena-iri", "jena-arq", "jena-tdb2", "jena-dboe-base"),
    *("jena-dboe-index", "jena-dboe-storage", "jena-dboe-trans-data", "jena-dboe-transaction"),
    *("commons-cli", "commons-codec", "commons-compress", "commons-csv", "commons-io"),
    *("commons-lang3", "dexx.collection", "gson", "guava", "httpclient", "httpcore"),
    *("jackson-annotations", "jackson-core", "jackson-databind", "jakarta.json-api"),
    *("jsonld-java", "protobuf", "slf4j-api", "slf4j-simple", "thrift", "titanium-json-ld"),
)
SOURCE = Path(__file__).with_name("RunQueries.java")
TIMEOUT_SECONDS = 300
# A short run over a small graph: the quick compiler alone halves the JVM's time.
QUICK = "-XX:TieredStopAtLevel=1"
# Debian's jena-core 4.5.0 has the XSD datatype code Jena copied from Xerces in package
# ``xerces`` but its message bundles still under ``org/apache/jena/ext/xerces``: without
# them where the code looks, the XSD datatypes fail to load ("internal error").
XERCES_BUNDLES = "org/apache/jena/ext/xerces/"


def unavailable() -> str | None:
    """Why Jena cannot be run here, or None."""
    tools = [tool for tool in ("java", "javac") if shutil.which(tool) is None]
    if tools:
        return f"{' and '.join(tools)} not found: install a JDK to run the saved queries on Jena"
    missing = [name for name in CLASSPATH if not (JARS / f"{name}.jar").is_file()]
    if missing:
        others = f" and {len(missing) - 1} other jar(s)" if len(missing) > 1 else ""
        return (
            f"{missing[0]}.jar{others} not in {JARS}: install Debian's libapache-jena-java "
            "(.ci/run does) to run the saved queries on Jena"
        )
    return None


def compiled(folder: Path) -> str:
    """Compile RunQueries into ``folder``; the classpath that runs it."""
    jars = [str(JARS / f"{name}.jar") for name in CLASSPATH]
    classes = folder / "classes"
    classes.mkdir(parents=True, exist_ok=True)
    _run(["javac", f"-J{QUICK}", "-d", str(classes), "-cp", ":".join(jars), str(SOURCE)])
    with zipfile.ZipFile(JARS / "jena-core.jar") as jar:
        for name in jar.namelist():
            if name.startswith(XERCES_BUNDLES) and name.endswith(".properties"):
                target = classes / "xerces" / name.removeprefix(XERCES_BUNDLES)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(jar.read(name))
    return ":".join([*jars, str(classes)])


def select(classpath: str, data: Path, queries: dict[str, str], folder: Path) -> dict[str, dict]:
    """Jena's SPARQL JSON results of each SELECT query in ``queries`` (name to text) over the
    TriG or N-Quads file ``data``; ``folder`` holds the query and result files."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for name, text in queries.items():
        files.append(folder / f"{name}.rq")
        files[-1].write_text(text, encoding="utf-8")
    _run(["java", QUICK, "-cp", classpath, "RunQueries", str(data), *map(str, files)])
    return {
        name: json.loads(file.with_suffix(".srj").read_text(encoding="utf-8"))
        for name, file in zip(queries, files, strict=True)
    }


def _run(command: list[str]) -> None:
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({result.returncode}):\n{result.stderr[-4000:]}")
