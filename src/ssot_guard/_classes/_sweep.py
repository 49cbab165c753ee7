"""Removing the registry's entries of classes that died, without a callback per class.

An entry is the weak reference CPython already keeps for ``__subclasses__()``:
registering a class allocates nothing, but no callback says when the class dies.
A class sits in a reference cycle (its ``__mro__`` holds it), so it dies only in a
garbage collection. Two triggers remove its entry:

- **Growth**: registering past ``limit[0]`` entries sweeps, if a collection ran
  since the last sweep (else nothing can have died), and sets the limit to twice
  the entries left: sweeps cost O(1) per class, and the registry holds at most
  about twice its live classes. A program that defines its classes and keeps them
  never sweeps more than once per doubling, and finds nothing.
- **Collections, once classes churn**: the first sweep that finds a dead entry
  adds a ``gc.callbacks`` hook, so later entries are swept by the collection that
  frees their classes (a full one, or one past the limit), not by the next class
  statement. Only then: a hook runs at every collection of the whole program,
  which cost an allocation-heavy loop 2-3% here, and a program that does not drop
  registered classes has no reason to pay it.

No reader notices a dead entry meanwhile: every lookup checks that the class is alive.
"""

from __future__ import annotations

import gc
import sys

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from _thread import RLock
    from weakref import ref

MIN_LIMIT = 1024


def sweep(entries: dict[str, ref[type]]) -> int:
    """Remove the entries whose class died (with the lock held); how many went."""
    # A copy, not a loop over items(): a thread adding a key meanwhile would
    # change the dict's size under the loop. Only lock holders replace or
    # remove keys, so a dead entry found here is still the one to remove; but
    # the lock is reentrant, and a class statement run by the collector in this
    # thread (a ``__del__``) may replace it. The collector runs only at
    # allocations (3.11) or calls (3.12+): the check and the ``del`` below make
    # neither, so nothing runs between them.
    removed = 0
    for key, entry in entries.copy().items():
        if entry() is None and key in entries and entries[key] is entry:
            del entries[key]
            removed += 1
    return removed


def _collections() -> int:
    return sum(generation["collections"] for generation in gc.get_stats())


class Sweeper:
    """The two triggers for one registry: its entries, its lock, its limit (a 1-item list).

    The limit is a list the registry's hot path reads (``len(entries) > limit[0]``):
    changing it rebinds no module global, which would undo the interpreter's
    caching of global lookups on that path.
    """

    def __init__(self, entries: dict[str, ref[type]], lock: RLock, limit: list[int]) -> None:
        self._entries = entries
        self._lock = lock
        self._limit = limit
        self._swept_after = -1  # how many collections had run at the last sweep
        self._hooked = False
        # Held here, not read as module globals: the hook may run while the
        # interpreter shuts down, after this module's globals are cleared.
        # Neither trigger sweeps then (the process is ending, and the globals
        # it would need, gc's own included, may already be None): they ask this first.
        self._finalizing = sys.is_finalizing
        self._sweep = sweep
        self._collections = _collections
        self._min_limit = MIN_LIMIT

    def grown(self) -> None:
        """Registering went past the limit: sweep if a collection ran since the last sweep.

        Never blocks: if another thread holds the lock, the sweep waits for the next doubling.
        """
        removed = self._sweep_unless_busy(only_after_a_collection=True)
        if removed and not self._hooked:
            self._hooked = True
            gc.callbacks.append(self._after_collection)

    def _after_collection(self, phase: str, info: dict[str, int]) -> None:
        """``gc.callbacks`` hook, once classes churn: sweep after a full collection, or past
        the limit.

        The collector calls it at any moment, in any thread: inside our own
        locked section (an allocation there can start a collection; the lock is
        reentrant, and a sweep in the middle of any section removes only dead entries),
        or while the interpreter shuts down and module globals are gone. So it
        reads only this object until it knows the interpreter is not shutting
        down, never blocks and never raises: if another thread holds the lock,
        the next trigger sweeps.
        """
        if (
            phase == "stop"
            and not self._finalizing()
            and (info["generation"] == 2 or len(self._entries) > self._limit[0])
        ):
            self._sweep_unless_busy(only_after_a_collection=False)

    def _sweep_unless_busy(self, *, only_after_a_collection: bool) -> int:
        """Sweep (if the lock is free) and set the next limit; how many entries went."""
        if self._finalizing():  # shutdown: see __init__
            return 0
        removed = 0
        collections = self._collections()
        if (not only_after_a_collection or collections != self._swept_after) and self._lock.acquire(
            False
        ):
            try:
                removed = self._sweep(self._entries)
                self._swept_after = collections
            finally:
                self._lock.release()
        self._limit[0] = max(self._min_limit, 2 * len(self._entries))
        return removed
