"""The foundation every layer shares: errors, modes, frame helpers. Imports nothing of ours."""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from typing import TypeVar

    _T = TypeVar("_T")


def public(obj: _T) -> _T:
    """Mark *obj* as ``ssot_guard.<name>``: reprs, tracebacks, pickles and the docs say so.

    ``ssot_guard`` loads its names on first use (``__getattr__``), so the
    defining module says it, not the package: an object reached before anyone
    spelled ``ssot_guard.<name>`` (a ``Guard`` that ``install()`` returned, an
    error the finder raised) already shows the public name.
    """
    obj.__module__ = "ssot_guard"
    return obj
