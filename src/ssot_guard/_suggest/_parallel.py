"""Reading a big tree on two cores: half in this process, half in a forked child.

The check's way (``_check._pool.split_in_two``): a bare ``fork`` and a pipe cost
milliseconds where a process pool costs tens. If the child fails in any way, this
process reads its half too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, TypeVar

from .._check._core import parsing as _parsing
from .._check._pool import can_fork as _can_fork
from .._check._pool import cores as _cores
from .._check._pool import split_in_two

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

    def read(part: list[T]) -> list[R]:
        with _parsing():
            return [function(item) for item in part]

    ours, others = split_in_two(lambda: read(mine), lambda: read(theirs))
    if isinstance(others, Exception):  # the child's half is read again, here
        others = read(theirs)
    results: list[R] = [None] * len(items)  # type: ignore[list-item]
    results[0::2] = ours
    results[1::2] = others
    return results
