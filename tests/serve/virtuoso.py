"""A throwaway OpenLink Virtuoso (Debian's ``virtuoso-opensource``) on loopback, for tests.

The database lives in a temporary folder; the server listens on two free loopback ports
(SQL and HTTP) and is stopped when the ``with`` block ends. Its Graph Store endpoints are
``/sparql-graph-crud`` (anonymous: writes need ``GRANT SPARQL_UPDATE TO "SPARQL"``) and
``/sparql-graph-crud-auth`` (Digest, user ``dba``); queries go to ``/sparql``.
"""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from newskg.serve.oxigraph import end_process, free_port

SERVER = "virtuoso-t"
ISQL = "isql-vt"
START_SECONDS = 90

INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
DirsAllowed = ., {d}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ServerThreads = 10
CheckpointInterval = 60

[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}
MaxClientConnections = 10
ServerThreads = 10

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
MaxQueryCostEstimationTime = 400
"""


@dataclass(frozen=True)
class Virtuoso:
    http: str  # http://127.0.0.1:PORT
    sql_port: int
    folder: Path

    @property
    def gsp(self) -> str:
        return f"{self.http}/sparql-graph-crud"

    @property
    def gsp_auth(self) -> str:
        return f"{self.http}/sparql-graph-crud-auth"

    @property
    def sparql(self) -> str:
        return f"{self.http}/sparql"

    def sql(self, statement: str) -> str:
        """Run one SQL statement as ``dba`` through isql; its output."""
        result = subprocess.run(
            [ISQL, f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={statement}"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if result.returncode != 0 or "*** Error" in result.stdout:
            raise RuntimeError(f"isql: {statement}: {result.stdout}{result.stderr}")
        return result.stdout


def unavailable() -> str | None:
    """Why no Virtuoso can be started here, or None."""
    missing = [tool for tool in (SERVER, ISQL) if shutil.which(tool) is None]
    if missing:
        return (
            f"{', '.join(missing)} not found: install Debian's virtuoso-opensource "
            "(.ci/run does) to test push against Virtuoso"
        )
    return None


@contextmanager
def running(folder: Path) -> Iterator[Virtuoso]:
    """Start Virtuoso on a fresh database in ``folder``; RuntimeError if it does not come up."""
    folder.mkdir(parents=True, exist_ok=True)
    sql, http = free_port(), free_port()
    (folder / "virtuoso.ini").write_text(INI.format(d=folder, sql=sql, http=http))
    log = (folder / "stdout.log").open("wb")
    process = subprocess.Popen(
        [SERVER, "+foreground", "+configfile", str(folder / "virtuoso.ini")],
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = Virtuoso(f"http://127.0.0.1:{http}", sql, folder)
    try:
        _wait(server, process)
        yield server
    finally:
        end_process(process, kill=False)
        log.close()


def _wait(server: Virtuoso, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_SECONDS
    probe = f"{server.sparql}?query=ASK%7B%7D"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(probe, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    log = server.folder / "virtuoso.log"
    tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
    raise RuntimeError(f"Virtuoso did not start within {START_SECONDS} s:\n{tail}")
