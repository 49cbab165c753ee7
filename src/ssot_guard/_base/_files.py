"""Reading a source file without hanging on what only looks like one."""

from __future__ import annotations

import errno
import os
import stat


def read_regular(path: str) -> bytes:
    """The bytes of *path*; ``OSError`` unless it is a regular file.

    A FIFO or device named ``x.py`` in a tree would block ``open().read()`` forever:
    it is opened without blocking and refused before anything is read.
    """
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", path)
        chunks = []
        while chunk := os.read(descriptor, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(descriptor)
