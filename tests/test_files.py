"""`newskg.files.read_input`: inputs come from regular files only, within a size limit that
holds while reading, and never make newskg wait."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from newskg.errors import InputError
from newskg.files import line_blocks, read_input


def test_a_regular_file_is_read(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_bytes(b"x: 1\n")
    assert read_input(path, max_bytes=5) == b"x: 1\n"


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "facts.yaml"
    os.mkfifo(fifo)
    done = threading.Event()
    errors: list[BaseException] = []

    def read() -> None:
        try:
            read_input(fifo)
        except InputError as exc:
            errors.append(exc)
        done.set()

    threading.Thread(target=read, daemon=True).start()
    if not done.wait(10):
        with open(fifo, "wb"):  # release the reader, or the test process would hang
            pass
        pytest.fail("read_input waited for a writer")
    assert "not a regular file (a FIFO)" in str(errors[0])


def test_a_device_is_refused_though_stat_says_it_is_empty(tmp_path):
    link = tmp_path / "facts.yaml"
    link.symlink_to("/dev/zero")
    with pytest.raises(InputError, match=r"not a regular file \(a device\)"):
        read_input(link)


def test_size_and_other_refusals(tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 101)
    with pytest.raises(InputError, match="101 bytes, over the 100-byte limit"):
        read_input(big, max_bytes=100)
    with pytest.raises(InputError, match="Is a directory"):
        read_input(tmp_path)
    with pytest.raises(InputError, match="file not found"):
        read_input(tmp_path / "missing.yaml")
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop)
    with pytest.raises(InputError, match="cannot read the file"):
        read_input(loop)


def test_line_blocks_never_split_a_line_and_end_the_last_one(tmp_path: Path) -> None:
    path = tmp_path / "lines.nq"
    lines = [f"line {i} {'x' * (i % 7)}\n".encode() for i in range(50)]
    path.write_bytes(b"".join(lines) + b"last without newline")
    blocks = list(line_blocks(path, 16))
    assert all(block.endswith(b"\n") for block in blocks)
    assert b"".join(blocks) == b"".join(lines) + b"last without newline\n"


def test_line_blocks_leave_out_a_last_line_of_white_space(tmp_path: Path) -> None:
    path = tmp_path / "lines.nq"
    path.write_bytes(b"one\ntwo\n  \t")
    assert b"".join(line_blocks(path, 4)) == b"one\ntwo\n"
