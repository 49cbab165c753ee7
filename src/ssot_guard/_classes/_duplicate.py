"""A second definition of a class: where each one is, the message, and the report.

Shared by the registry (``SSOTMeta``, ``SSOTBase``, ``@ssot_class``) and the
``[[unique]]`` checks. Everything here runs only when a duplicate is found, so
it may be slow (``inspect`` is imported to find a class's source line).
"""

from __future__ import annotations

import os
import sys
import types

from .._base._errors import DuplicateClassError
from .._base._frames import show, warn_at
from .._base._messages import describe
from .._report._record import recorder

TYPE_CHECKING = False  # not typing's: this module loads with ``import ssot_guard``
if TYPE_CHECKING:
    from types import FrameType

    from .._base._modes import Mode

_getframe = sys._getframe


def same_definition(old: type, new: type) -> bool:
    """Whether *new* replaces *old*: a reload, or a rebuild of the same class.

    A reload re-runs the class statement: same module, same qualname. A rebuild
    (``@dataclass(slots=True)``, attrs' slotted classes) creates a new class
    from the old one's namespace, before fixing its qualname: same module and
    name, sharing the namespace's functions or dicts.
    """
    if old.__module__ != new.__module__:
        return False
    if old.__qualname__ == new.__qualname__:
        return True
    if old.__name__ != new.__name__:
        return False
    old_namespace = old.__dict__
    return any(
        value is old_namespace.get(name) and isinstance(value, _SHARED_ON_REBUILD)
        for name, value in new.__dict__.items()
    )


_SHARED_ON_REBUILD = (types.FunctionType, dict, classmethod, staticmethod, property)


def report_duplicate(
    key: str,
    message: str,
    new: Definition,
    first: Definition | None,
    *,
    rule: str,
    mode: Mode,
    reason: str | None = None,
    why: str | None = None,
    frame: FrameType | None = None,
) -> None:
    """Record, then raise (strict) or warn at the class statement (warn); off: nothing.

    The warning points at *frame* if given, else at *new*'s file and line. The
    record's reason is the rule's *reason* and *why* (by default: where the
    first definition is, or the two-module-names diagnosis).
    """
    __tracebackhide__ = True  # pytest shows the user's line, not ours
    if mode == "off":
        return
    if why is None and first is not None:
        why = diagnosis(new, first)
    recorder.record(
        "duplicate-class",
        key,
        rule,
        reason=join_reasons(reason, why),
        replacement=first.dotted if first is not None and not same_file(first, new) else None,
        importer=new.module,
        filename=new.filename,
        lineno=new.lineno,
        mode=mode,
    )
    if mode == "strict":
        raise DuplicateClassError(message)
    if frame is not None or new.filename is None:
        warn_at(frame, message)
        return
    module = sys.modules.get(new.module)
    registry = vars(module).setdefault("__warningregistry__", {}) if module else None
    show((message, new.filename, new.lineno or 0, new.module, registry))


class Definition:
    """Where a class was defined: module, qualified name, file and line."""

    __slots__ = ("filename", "lineno", "module", "qualname")

    def __init__(
        self, module: str, qualname: str, filename: str | None, lineno: int | None
    ) -> None:
        self.module = module
        self.qualname = qualname
        self.filename = filename
        self.lineno = lineno

    @classmethod
    def of(cls, klass: type, frame: FrameType | None = None) -> Definition:
        """The definition of *klass*: from *frame* (its class statement) if given."""
        module = getattr(klass, "__module__", None) or "<unknown module>"
        if frame is not None:
            return cls(module, klass.__qualname__, frame.f_code.co_filename, frame.f_lineno)
        filename, lineno = source_location(klass)
        return cls(module, klass.__qualname__, filename, lineno)

    @property
    def dotted(self) -> str:
        return f"{self.module}.{self.qualname}"

    @property
    def location(self) -> str:
        if self.filename is None:
            return "<unknown file>"
        return f"{self.filename}:{self.lineno}" if self.lineno else self.filename

    def __str__(self) -> str:
        return f"{self.dotted} ({self.location})"


def source_location(klass: type) -> tuple[str | None, int | None]:
    """File and line of *klass*'s class statement, found in its source (slow; errors only)."""
    import inspect  # only when reporting a duplicate

    module = sys.modules.get(klass.__module__)
    filename = getattr(module, "__file__", None)
    try:
        filename = inspect.getsourcefile(klass) or filename
        lineno: int | None = inspect.findsource(klass)[1] + 1
    except (OSError, TypeError):
        lineno = None
    return filename, lineno


def module_file(module_name: str, fallback: str | None = None) -> str | None:
    """The real path of the file *module_name* was loaded from."""
    module = sys.modules.get(module_name)
    filename = getattr(module, "__file__", None) or fallback
    if not filename:
        return None
    return os.path.normcase(os.path.realpath(filename))


def diagnosis(new: Definition, old: Definition) -> str:
    """Why *new* is a second definition of *old*: where the first is, or how one file ran twice."""
    if not same_file(old, new):
        return f"first defined at {old.location}"
    shown = new.filename or module_file(new.module)
    if "__main__" in (new.module, old.module):
        named = new.module if old.module == "__main__" else old.module
        return (
            f"the file {shown} ran as the script __main__ and was imported again as "
            f"{named!r}, so its classes exist twice; do not import the script: move "
            "what others import into a module of its own"
        )
    return (
        f"the file {shown} was imported under two module names, {old.module!r} and "
        f"{new.module!r}, so its classes exist twice; import it under one name "
        "(check sys.path: a directory and its parent are both on it)"
    )


def duplicate_message(
    key: str, new: Definition, old: Definition, *, rule: str, reason: str | None = None
) -> str:
    """The message for a second definition *new* of the class *old* defined first.

    Worded as every violation is (``_base._messages``): the subject at the new
    definition, the first definition to use instead, the rule's reason and the
    diagnosis, the rule.
    """
    return describe(
        "duplicate-class",
        key,
        use=None if same_file(old, new) else old.dotted,
        reason=join_reasons(reason, diagnosis(new, old)),
        rule=rule,
        where=new.location,
    )


def join_reasons(*parts: str | None) -> str | None:
    return "; ".join(part for part in parts if part) or None


def same_file(first: Definition, second: Definition) -> bool:
    """Whether two definitions in different modules come from one file (two module names)."""
    if first.module == second.module:
        return False
    path = module_file(first.module, first.filename)
    return path is not None and path == module_file(second.module, second.filename)


def definition_frame(cls: type) -> FrameType | None:
    """The frame running *cls*'s class statement: the innermost in its module."""
    module = cls.__module__
    frame: FrameType | None = _getframe(1)
    first_outside: FrameType | None = None
    here = os.path.dirname(__file__) + os.sep
    while frame is not None:
        if frame.f_globals.get("__name__") == module:
            return frame
        if first_outside is None and not frame.f_code.co_filename.startswith(here):
            first_outside = frame
        frame = frame.f_back
    return first_outside
