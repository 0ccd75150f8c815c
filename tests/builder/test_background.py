"""`newskg.builder.background`: a step of a build in another process, its answer or its error
handed back."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from newskg.builder.background import Background


def _write(path: Path, text: str) -> int:
    path.write_text(text, encoding="utf-8")
    return os.getpid()


def _full_disk() -> None:
    raise OSError(28, "No space left on device")


def _killed() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _forever(path: Path) -> None:
    path.write_text("started", encoding="utf-8")
    while True:
        time.sleep(0.05)


def test_the_function_runs_in_another_process_and_its_result_comes_back(tmp_path):
    job = Background(_write, tmp_path / "out.txt", "written")
    pid = job.wait()
    assert pid != os.getpid()
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == "written"


def test_its_error_is_raised_in_the_caller_as_the_same_kind():
    job = Background(_full_disk)
    with pytest.raises(OSError, match="No space left on device") as caught:
        job.wait()
    assert caught.value.errno == 28
    assert any("in a background process" in note for note in caught.value.__notes__)


def test_a_process_killed_before_it_answers_is_an_error():
    with pytest.raises(RuntimeError, match="ended with code"):
        Background(_killed).wait()


def test_stop_ends_a_process_still_running(tmp_path):
    marker = tmp_path / "started"
    job = Background(_forever, marker)
    for _ in range(200):  # started: it has forked and is looping
        if marker.exists():
            break
        time.sleep(0.05)
    job.stop()
    assert not job._process.is_alive()
