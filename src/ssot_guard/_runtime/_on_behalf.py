"""Strict mode through ``pkgutil.resolve_name``: the caller gets our ``BlockedImportError``.

``pkgutil.resolve_name("app.legacy.X")`` (which ``unittest.mock.patch`` uses)
finds where the module ends by importing ``app.legacy``, ``app.legacy.X``...
and stops at the first ``ImportError``, taking the rest as attributes. A
blocked ``app.legacy`` is thus swallowed, and the next step,
``getattr(app, "legacy")``, ends in ``AttributeError: module 'app' has no
attribute 'legacy'``: no reason, no replacement, not even an ImportError.

So when the finder refuses an import that this loop asked for, it leaves a
one-shot module ``__getattr__`` (PEP 562, called only for names the package
lacks) on the parent package: the getattr that follows in the same thread
raises the refusal itself and removes the hook. Any other missing name, or
another thread, gets what it would have got without it.
"""

from __future__ import annotations

import sys
from _thread import get_ident

from .._base._frames import SKIPPED

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import FrameType

    from .._base._errors import BlockedImportError


def hand_over(fullname: str, error: BlockedImportError, start: FrameType | None = None) -> None:
    """If ``pkgutil.resolve_name`` is importing *fullname* in its loop, make it end in *error*.

    *start*: where the import is looked for (past a finder before ours that asked ours).
    """
    frame = start if start is not None else sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(SKIPPED):
        frame = frame.f_back  # type: ignore[assignment]
    if frame is None:
        return
    code = frame.f_code
    if code.co_name != "resolve_name" or not code.co_filename.endswith("pkgutil.py"):
        return
    # The loop form (no colon) imports each prefix as the local ``s`` and catches
    # ImportError; the colon form imports once and lets the error through.
    if frame.f_locals.get("s") != fullname:
        return
    parent_name, _, child = fullname.rpartition(".")
    parent = sys.modules.get(parent_name)
    namespace = getattr(parent, "__dict__", None)
    if not isinstance(namespace, dict) or child in namespace:
        return
    previous: Callable[[str], object] | None = namespace.get("__getattr__")
    thread = get_ident()

    def __getattr__(name: str) -> object:
        if name == child and get_ident() == thread:
            if namespace.get("__getattr__") is __getattr__:
                if previous is None:
                    del namespace["__getattr__"]
                else:
                    namespace["__getattr__"] = previous
            raise error.with_traceback(None)
        if previous is not None:
            return previous(name)
        raise AttributeError(f"module {parent_name!r} has no attribute {name!r}")

    namespace["__getattr__"] = __getattr__
