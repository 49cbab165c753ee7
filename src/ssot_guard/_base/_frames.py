"""Finding the user's frame behind an import, and warning from there.

One code path for every import form and every Python >= 3.11: walk out of
importlib's frames (frozen bootstrap, ``importlib/__init__.py`` for
``import_module``, ``importlib/util.py`` for ``find_spec``) and our own, and
hand the first other frame to ``warnings.warn_explicit``. (3.12's
``skip_file_prefixes`` would do the same, but not on 3.11.)
"""

from __future__ import annotations

import os
import sys
import warnings

from ._errors import SSOTWarning

# What warnings imports while showing a warning is imported by install():
# see _violations.prepare_violation_path.
TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from types import FrameType

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
    if name == "__main__":
        # ``python -m app.tool`` runs app.tool as __main__; allow_importers and the
        # record should see the module it is, as its spec says (None for a plain script).
        name = getattr(module_globals.get("__spec__"), "name", None) or name
    return name, frame.f_code.co_filename, frame.f_lineno


def warn_at(frame: FrameType | None, message: str) -> None:
    """Issue an ``SSOTWarning`` attributed to *frame*'s current line."""
    __tracebackhide__ = True  # pytest shows the user's line, not ours
    if frame is None:
        warnings.warn(message, SSOTWarning, stacklevel=2)
        return
    module_globals = frame.f_globals
    warnings.warn_explicit(
        message,
        SSOTWarning,
        frame.f_code.co_filename,
        frame.f_lineno,
        module=module_globals.get("__name__", "<unknown>"),
        registry=module_globals.setdefault("__warningregistry__", {}),
        # No module_globals: it makes warnings ask the module's loader for the
        # source, and loaders such as __main__'s raise instead of answering.
    )
