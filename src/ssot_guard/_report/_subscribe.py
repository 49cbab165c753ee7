"""``on_violation()``: callbacks for metrics, called on each violation outside our locks.

Registering a callback adds nothing to ``find_spec``; only a violation calls it.
"""

from __future__ import annotations

import sys
from _thread import _local

from .._base import public
from .._base._fork import fork_safe_lock
from ._record import log, recorder

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType

    from ._record import Violation

_in_callback = _local()  # a violation raised by a callback does not call callbacks again
_errors_lock = fork_safe_lock(sys.modules[__name__], "_errors_lock")
_callback_errors = 0


class _SafeCallback:
    """Calls a user's callback; what it raises is logged once and never reaches the import."""

    __slots__ = ("callback", "failed")

    def __init__(self, callback: Callable[[Violation], object]) -> None:
        self.callback = callback
        self.failed = False

    def __call__(self, violation: Violation) -> None:
        global _callback_errors
        if getattr(_in_callback, "active", False):
            return
        _in_callback.active = True
        try:
            self.callback(violation)
        except Exception:
            with _errors_lock:
                _callback_errors += 1
            if not self.failed:
                self.failed = True
                log(
                    40,  # logging.ERROR
                    "on_violation callback %r raised; the import is unaffected, the callback "
                    "stays registered, and its further errors are only counted in report()",
                    self.callback,
                    exc_info=True,
                )
        finally:
            _in_callback.active = False


@public
class Subscription:
    """What :func:`on_violation` returns. Call it (or ``remove()``) to unregister; harmless twice.

    Also a context manager that unregisters on exit.
    """

    __slots__ = ("_entry",)

    def __init__(self, entry: _SafeCallback) -> None:
        self._entry = entry

    @property
    def callback(self) -> Callable[[Violation], object]:
        return self._entry.callback

    def remove(self) -> None:
        """Stop calling the callback."""
        import contextlib  # here, not at start-up: only unregistering needs it

        with contextlib.suppress(ValueError):  # already removed
            recorder.callbacks.remove(self._entry)

    __call__ = remove

    def __enter__(self) -> Subscription:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.remove()

    def __repr__(self) -> str:
        state = "active" if self._entry in recorder.callbacks else "removed"
        return f"<ssot_guard.Subscription {self._entry.callback!r} {state}>"


@public
def on_violation(callback: Callable[[Violation], object]) -> Subscription:
    """Call *callback* with the :class:`Violation` each time a violation happens.

    It runs synchronously in the thread that hit the violation (for an import:
    before a strict guard raises, or before a warned import goes on), outside
    ssot_guard's locks, once per occurrence; ``violation.count`` is the count
    at that location so far. An exception it raises is logged once on the
    ``ssot_guard`` logger and does not disturb the import. Returns a
    :class:`Subscription`; call it to unregister.
    """
    if not callable(callback):
        raise TypeError(f"on_violation() takes a callable accepting a Violation, got {callback!r}")
    entry = _SafeCallback(callback)
    recorder.callbacks.append(entry)
    return Subscription(entry)


def callback_errors() -> int:
    """How many times an ``on_violation`` callback raised, in this process."""
    return _callback_errors
