"""Listening to violations for a while: ``ViolationLog``, and the frame that provokes on purpose.

Shared by ``ssot_guard.testing`` and the pytest plugin, which must not import
each other: the plugin gives the ``ssot_violations`` fixture a ``ViolationLog``,
and counts violations located at ``provoking_frame`` (set by a ``testing``
helper) as expected.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from types import FrameType
from typing import overload

from ._record import Violation, subscribe

#: The frame that called a testing helper while the helper provokes an import;
#: the pytest plugin counts violations located there as expected.
provoking_frame: ContextVar[FrameType | None] = ContextVar("ssot_provoking_frame", default=None)


class ViolationLog(Sequence[Violation]):
    """The violations recorded while it listened, one per location, counted from zero.

    What the ``ssot_violations`` fixture gives a test; also
    ``with recording_violations() as log:`` outside pytest.
    """

    def __init__(self) -> None:
        self._entries: dict[tuple[object, ...], Violation] = {}

    def _add(self, violation: Violation) -> None:
        key = (violation.kind, violation.name, violation.rule, violation.filename, violation.lineno)
        old = self._entries.get(key)
        count = 1 if old is None else old.count + 1
        self._entries[key] = violation._replace(count=count)

    @overload
    def __getitem__(self, index: int) -> Violation: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Violation]: ...
    def __getitem__(self, index: int | slice) -> Violation | Sequence[Violation]:
        return list(self._entries.values())[index]

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[Violation]:
        return iter(list(self._entries.values()))

    @property
    def names(self) -> list[str]:
        """The module, class or name of each violation, in the order first seen."""
        return [v.name for v in self._entries.values()]

    def clear(self) -> None:
        """Forget what was recorded so far."""
        self._entries.clear()

    def __str__(self) -> str:
        if not self._entries:
            return "no ssot_guard violations"
        return "\n".join(str(v) for v in self._entries.values())

    def __repr__(self) -> str:
        return f"<ViolationLog {list(self._entries.values())!r}>"


@contextmanager
def recording_violations() -> Iterator[ViolationLog]:
    """Collect the violations recorded inside the block, whatever guard is installed."""
    log = ViolationLog()
    unsubscribe = subscribe(log._add)
    try:
        yield log
    finally:
        unsubscribe()
