"""Reading a big tree on two cores: half in this process, half in a forked child.

The same approach as the check's (``_check._pool.forked``): a bare ``fork`` and a
pipe cost milliseconds where a process pool costs tens. If the child fails in any
way, this process reads its half too.
"""

from __future__ import annotations

import os
import pickle
from typing import TYPE_CHECKING, Final, TypeVar

from .._check._core import parsing as _parsing
from .._check._pool import can_fork as _can_fork
from .._check._pool import cores as _cores

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

T = TypeVar("T")
R = TypeVar("R")

#: From this many files, a second process pays for itself.
SPLIT_FROM: Final = 600


def map_files(function: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """``[function(item) for item in items]``, split over two processes for big inputs."""
    if len(items) < SPLIT_FROM or _cores() < 2 or not _can_fork():
        with _parsing():
            return [function(item) for item in items]
    theirs, mine = list(items[1::2]), list(items[0::2])
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child, which never returns
        status = 1
        try:
            os.close(reader)
            with _parsing(), os.fdopen(writer, "wb") as pipe:
                pickle.dump([function(item) for item in theirs], pipe, pickle.HIGHEST_PROTOCOL)
            status = 0
        finally:
            os._exit(status)
    os.close(writer)
    results_pipe = os.fdopen(reader, "rb")
    try:
        with _parsing():
            ours = [function(item) for item in mine]
        data = results_pipe.read()
    except BaseException:  # Ctrl-C, or this half failed: no orphan reads on, no zombie stays
        import signal

        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
        raise
    finally:
        results_pipe.close()
    _, status = os.waitpid(child, 0)
    try:
        if status != 0:
            raise ValueError(f"child exited with status {status}")
        others: list[R] = pickle.loads(data)
    except Exception:  # the child's half is read again, here
        with _parsing():
            others = [function(item) for item in theirs]
    results: list[R] = [None] * len(items)  # type: ignore[list-item]
    results[0::2] = ours
    results[1::2] = others
    return results
