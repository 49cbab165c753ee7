"""Locks that a forked child gets afresh.

``os.fork()`` copies one thread, the caller, and every lock in the state the
other threads left it: a lock another thread held at that instant stays held
for ever in the child, whose first violation (or class collision) then waits
on it. ``multiprocessing`` forks by default on Linux up to 3.13, while worker
threads of the parent may be recording violations. So every lock of ours is
made here, and the child replaces each with a new, unlocked one
(``os.register_at_fork(after_in_child=...)``) before it runs any code of its
own. What the locks guard is a dict or a set, changed by single atomic
operations, so the copy the child inherits is consistent.

A lock is remembered by its owner (a module, or an object such as the
recorder) and attribute name, through a weak reference: objects that go away
take their entry with them.
"""

from __future__ import annotations

import os
from _thread import allocate_lock
from _weakref import ref

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from _thread import LockType

# weak reference to an owner -> the attributes of it that hold our locks.
_owners: dict[ref[object], tuple[str, ...]] = {}


def _forget(owner: ref[object]) -> None:
    _owners.pop(owner, None)


def fork_safe_lock(owner: object, attribute: str) -> LockType:
    """A new lock, stored by the caller as ``owner.attribute``, renewed in forked children."""
    key = ref(owner, _forget)
    attributes = _owners.get(key, ())
    if attribute not in attributes:
        _owners[key] = (*attributes, attribute)
    return allocate_lock()


def _renew_locks() -> None:
    """In the child just forked: replace every registered lock with a released one."""
    for key, attributes in list(_owners.items()):
        owner = key()
        if owner is not None:
            for attribute in attributes:
                setattr(owner, attribute, allocate_lock())


os.register_at_fork(after_in_child=_renew_locks)
