"""Finding the user's frame behind an import, and warning from there.

One code path for every import form and every Python >= 3.11: walk out of
importlib's frames (frozen bootstrap, ``importlib/__init__.py`` for
``import_module``, ``importlib/util.py`` for ``find_spec``) and our own, and
hand the first other frame to ``warnings.warn_explicit``. (3.12's
``skip_file_prefixes`` would do the same, but not on 3.11.)

No warning is shown under the global import lock (``find_spec``): showing
one may import ``linecache`` (``warnings`` formats the source line with it),
and an import there can deadlock against a thread that is importing
``linecache``. So the finder takes a warning's arguments (``warning_at``) and
hands them to our loader, which shows them (``show``) when the module is
created or run, after ``find_spec`` has returned. Only where no loader of ours
will run (not found, builtin, frozen) does ``find_spec`` show one itself, and
only when that imports nothing (``show_unless_importing``).
"""

from __future__ import annotations

import os
import sys

# The C functions that ``warnings.warn`` and ``warnings.warn_explicit`` are on
# CPython: they use ``warnings``' filters, ``showwarning`` and ``catch_warnings``
# once ``warnings`` is imported, and need not import it (start-up time).
from _warnings import warn as _warn
from _warnings import warn_explicit as _warn_explicit

from ._errors import SSOTWarning

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from types import FrameType
    from typing import Any

    #: ``warn_explicit``'s arguments: message, file, line, module, registry.
    PendingWarning = tuple[str, str | None, int, str | None, dict[Any, Any] | None]

SKIPPED = (
    "<frozen importlib",
    os.path.join(os.path.dirname(os.__file__), "importlib") + os.sep,
    # the whole ssot_guard package, every layer
    os.path.dirname(os.path.dirname(__file__)) + os.sep,
)


_STDLIB = os.path.dirname(os.__file__) + os.sep
# Standard-library functions that import a module *named by their caller*, as a
# string: the import is the caller's, so the caller's line is the location and
# its module the importer (for allow_importers). Exactly these, because each
# only turns a string into an import: pkgutil.resolve_name (logging.config,
# entry points, and unittest.mock's patch targets), unittest.mock's patch
# helpers, and runpy.run_module / run_path (``<frozen runpy>`` from 3.11).
# Not importlib.util.LazyLoader, pickle or the like, whose own code decides.
ON_BEHALF = (
    _STDLIB + "pkgutil.py",
    os.path.join(_STDLIB + "unittest", "mock.py"),
    _STDLIB + "runpy.py",
    "<frozen runpy>",
)
SKIPPED_ALL = (*SKIPPED, *ON_BEHALF)


def user_frame(start: FrameType | None = None) -> FrameType | None:
    """The innermost frame outside importlib, ssot_guard and the import-by-name helpers.

    If only those helpers are left (``python -m``: runpy is the outermost
    frame), the innermost of them.
    """
    frame: FrameType | None = start if start is not None else sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(SKIPPED):
        frame = frame.f_back
    helper = frame
    while frame is not None and frame.f_code.co_filename.startswith(SKIPPED_ALL):
        frame = frame.f_back
    return frame if frame is not None else helper


def frame_location(frame: FrameType | None) -> tuple[str | None, str | None, int | None]:
    """``(module name, file name, line)`` of *frame*, each ``None`` if unknown."""
    if frame is None:
        return None, None, None
    module_globals = frame.f_globals
    name = module_globals.get("__name__")
    if not isinstance(name, str):
        name = None  # ``exec`` with odd globals: no module we could name, as for a script
    elif name == "__main__":
        # ``python -m app.tool`` runs app.tool as __main__; allow_importers and the
        # record should see the module it is, as its spec says (None for a plain script).
        name = getattr(module_globals.get("__spec__"), "name", None) or name
    return name, frame.f_code.co_filename, frame.f_lineno


def warn_at(frame: FrameType | None, message: str) -> None:
    """Issue an ``SSOTWarning`` attributed to *frame*'s current line.

    Never under the global import lock (see the module's docstring).
    """
    __tracebackhide__ = True  # pytest shows the user's line, not ours
    show(warning_at(frame, message))


def warning_at(frame: FrameType | None, message: str) -> PendingWarning:
    """The warning ``warn_at(frame, message)`` would show, to be shown later by ``show``.

    Taken now: by the time it is shown, *frame* may be on another line
    (runpy's asks for the spec, then for the code). Imports nothing.
    """
    if frame is None:
        return (message, None, 0, None, None)
    module_globals = frame.f_globals
    module = module_globals.get("__name__", "<unknown>")
    return (
        message,
        frame.f_code.co_filename,
        frame.f_lineno,
        # Filters match it as a string: Python's own warnings say "<string>" for another name.
        module if isinstance(module, str) else "<string>",
        module_globals.setdefault("__warningregistry__", {}),
        # No module_globals: it makes warnings ask the module's loader for the
        # source, and loaders such as __main__'s raise instead of answering.
    )


def show(pending: PendingWarning) -> None:
    """Show a warning taken by ``warning_at``: filters, ``-W error`` and catchers apply."""
    __tracebackhide__ = True  # pytest shows the user's line, not ours
    message, filename, lineno, module, registry = pending
    if filename is None:
        _warn(message, SSOTWarning, stacklevel=3)
        return
    _warn_explicit(message, SSOTWarning, filename, lineno, module, registry)


def show_unless_importing(pending: PendingWarning) -> None:
    """Under the global import lock, with no loader of ours to show it later: show it if safe.

    For a retired module that does not exist (the import fails with
    ``ModuleNotFoundError``) or whose loader we cannot wrap (builtin, frozen).
    If showing would import, the warning is left out: the violation is
    recorded and logged all the same.
    """
    __tracebackhide__ = True  # pytest shows the user's line, not ours
    if shows_without_importing():
        show(pending)


def shows_without_importing() -> bool:
    """Whether showing a warning now imports nothing, so ``find_spec`` may show one.

    Without ``warnings`` imported, the C implementation filters and writes the
    warning itself (reading the source line in C), up to 3.12; from 3.13 it
    imports ``warnings`` to show it, so there it is not safe. With it, ``warnings``
    formats it with ``linecache`` (and ``tokenize``, imported by it up to 3.12,
    on first use from 3.13): safe only if both are imported and not still being
    imported by another thread (``import`` would then wait for that thread), and
    if ``showwarning`` is ``warnings``' own: a replacement (``logging.captureWarnings``
    sends warnings to logging's handlers and their locks) may do anything.
    """
    modules = sys.modules
    warnings = modules.get("warnings")
    if warnings is None:
        return sys.version_info < (3, 13)
    if getattr(warnings, "showwarning", None) is not getattr(warnings, "_showwarning_orig", 0):
        return False
    for name in ("linecache", "tokenize"):
        spec = getattr(modules.get(name), "__spec__", None)
        if spec is None or getattr(spec, "_initializing", False):
            return False
    return True
