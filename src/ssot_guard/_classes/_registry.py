"""The SSOT class registry: one class per key, enforced when classes are defined.

Three spellings share one registry: the metaclass ``SSOTMeta``, the base class
``SSOTBase`` (``__init_subclass__``, for classes that already have a
metaclass) and the decorator ``ssot_class``.

Class creation is a hot path, so the common case (a key seen for the first
time) is one weak reference and one ``dict.setdefault``: atomic, lock-free
and allocation-light. Everything else (reloads, dead entries, duplicates, the
mode, messages, file and line) happens under a lock only when a key is taken.
The registry holds classes weakly; a dead entry is simply a free key.
"""

from __future__ import annotations

import os
import sys
import types
import warnings
from _thread import allocate_lock
from weakref import ref

from .._base._errors import DuplicateClassError, SSOTWarning
from .._base._frames import warn_at
from .._config._load import env_mode
from .._report._record import recorder
from .._runtime import _guard

TYPE_CHECKING = False  # not typing's: this module loads with ``import ssot_guard``
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import FrameType, TracebackType
    from typing import Any, TypeVar, overload

    from .._rules._model import Mode

    _T = TypeVar("_T", bound=type)

#: The ``rule`` of violations the registry records.
REGISTRY_RULE = "ssot_guard class registry"

_entries: dict[str, ref[type]] = {}  # never rebound: _setdefault is bound to it
_setdefault = _entries.setdefault
_type_new = type.__new__
_lock = allocate_lock()  # taken only when a key is already present
_getframe = sys._getframe


def register(cls: type, key: str) -> None:
    """Register *cls* under *key*, or report it as a second definition.

    Strict mode raises ``DuplicateClassError`` and leaves the registry as it
    was, so a rejected class is never registered.
    """
    entry = ref(cls)
    if _setdefault(key, entry) is not entry:
        __tracebackhide__ = True  # pytest shows the user's line, not ours
        _collide(cls, key, entry)


def _checked_key(key: object, cls: type) -> str:
    if isinstance(key, str) and key:
        return key
    raise TypeError(
        f"ssot_key of class {cls.__qualname__!r} must be a non-empty string, got {key!r}"
    )


def _collide(cls: type, key: str, entry: ref[type]) -> None:
    __tracebackhide__ = True  # pytest shows the user's line, not ours
    with _lock:
        old = _entries.get(key)
        existing = old() if old is not None else None
        if existing is None or existing is cls or same_definition(existing, cls):
            # A free key (the class died, or a snapshot was restored), the same
            # class again, or a reload: same module, same qualname.
            _entries[key] = entry
            return
    mode = registry_mode()
    if mode == "off":
        return
    frame = definition_frame(cls)
    new = Definition.of(cls, frame)
    first = Definition.of(existing)
    report_duplicate(
        key,
        duplicate_message(key, new, first, rule=REGISTRY_RULE),
        new,
        first,
        rule=REGISTRY_RULE,
        mode=mode,
        frame=frame,
    )


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


def registry_mode() -> Mode:
    """The active guard's mode, else ``SSOT_GUARD_MODE``, else ``warn``."""
    guard = _guard.active_guard()
    if guard is not None:
        return guard.mode
    return env_mode() or "warn"


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
        if same_file(first, new):
            why = f"one file imported under two module names, {first.module!r} and {new.module!r}"
        else:
            why = f"first defined as {first}"
    recorder.record(
        "duplicate-class",
        key,
        rule,
        reason="; ".join(part for part in (reason, why) if part) or None,
        replacement=first.dotted if first is not None else None,
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
    warnings.warn_explicit(
        message, SSOTWarning, new.filename, new.lineno or 0, new.module, registry
    )


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


def duplicate_message(
    key: str, new: Definition, old: Definition, *, rule: str, reason: str | None = None
) -> str:
    """The message for a second definition *new* of the class *old* defined first."""
    if same_file(old, new):
        shown = new.filename or module_file(new.module)
        if "__main__" in (new.module, old.module):
            named = new.module if old.module == "__main__" else old.module
            why = (
                f"the file {shown} ran as the script __main__ and was imported again as "
                f"{named!r}, so its classes exist twice; do not import the script: move "
                "what others import into a module of its own"
            )
        else:
            why = (
                f"the file {shown} was imported under two module names, {old.module!r} and "
                f"{new.module!r}, so its classes exist twice; import it under one name "
                "(check sys.path: a directory and its parent are both on it)"
            )
        text = f"class {key!r} is defined twice: {why}"
    else:
        text = (
            f"class {key!r} is defined twice: {new} duplicates {old}; "
            f"keep one definition and import it from {old.module!r}"
        )
    if reason:
        text += f" ({reason})"
    return f"{text} [{rule}]"


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


class SSOTMeta(type):
    """A metaclass that allows one class per key (the class name, or ``ssot_key=``).

    ``class WebSocketManager(metaclass=SSOTMeta)`` registers the class; a second
    ``WebSocketManager`` in another module is a ``DuplicateClassError`` (strict),
    an ``SSOTWarning`` (warn) or nothing (off). Subclasses are registered under
    their own names. Compose it with other metaclasses:
    ``class Meta(SSOTMeta, abc.ABCMeta)``.

    Only ``__new__`` is overridden (to take ``ssot_key``); ``__call__`` is not,
    so creating instances costs exactly what it costs for a plain class.
    """

    def __new__(
        mcls, name: str, bases: tuple[type, ...], namespace: dict[str, Any], /, **kwargs: Any
    ) -> SSOTMeta:
        # The hot path: a plain ``class X(metaclass=SSOTMeta)``. Calling type.__new__
        # without ``**`` and reading nothing else saves a few percent of class creation.
        if kwargs or mcls is not SSOTMeta:
            return _new_with_keywords(mcls, name, bases, namespace, kwargs)
        cls = _type_new(mcls, name, bases, namespace)
        entry: ref[type] = ref(cls)
        if _setdefault(name, entry) is not entry:
            __tracebackhide__ = True  # pytest shows the user's line, not ours
            _collide(cls, name, entry)
        return cls


def _new_with_keywords(
    mcls: type[SSOTMeta],
    name: str,
    bases: tuple[type, ...],
    namespace: dict[str, Any],
    kwargs: dict[str, Any],
) -> SSOTMeta:
    """``SSOTMeta.__new__`` with class keywords, or for a composed metaclass."""
    ssot_key = kwargs.pop("ssot_key", None)
    # Every __new__ after SSOTMeta's in the metaclass's MRO runs (ABCMeta's, a library's).
    cls: SSOTMeta = super(SSOTMeta, mcls).__new__(mcls, name, bases, namespace, **kwargs)
    entry: ref[type] = ref(cls)
    key = name if ssot_key is None else _checked_key(ssot_key, cls)
    if _setdefault(key, entry) is not entry:
        __tracebackhide__ = True  # pytest shows the user's line, not ours
        _collide(cls, key, entry)
    return cls


class SSOTBase:
    """A base class with ``SSOTMeta``'s semantics, for classes that have a metaclass.

    ``class Color(SSOTBase, Enum)``; ``class Model(SSOTBase, SomeBase,
    ssot_key="model")``. Every subclass is registered under its name or
    ``ssot_key=``; ``SSOTBase`` itself is not.
    """

    __slots__ = ()

    def __init_subclass__(cls, /, ssot_key: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        entry: ref[type] = ref(cls)  # register(), inlined: this runs for every subclass
        key = cls.__name__ if ssot_key is None else _checked_key(ssot_key, cls)
        if _setdefault(key, entry) is not entry:
            __tracebackhide__ = True  # pytest shows the user's line, not ours
            _collide(cls, key, entry)


if TYPE_CHECKING:

    @overload
    def ssot_class(cls: _T, /) -> _T: ...
    @overload
    def ssot_class(*, ssot_key: str | None = None) -> Callable[[_T], _T]: ...


def ssot_class(cls: _T | None = None, /, *, ssot_key: str | None = None) -> _T | Callable[[_T], _T]:
    """Register the decorated class (``@ssot_class`` or ``@ssot_class(ssot_key=...)``).

    For classes that can take neither the metaclass nor the base (Protocols,
    pydantic models, classes with a foreign metaclass). It registers that one
    class, not its subclasses. Put it above other class decorators, so it sees
    the final class (``@dataclass(slots=True)`` builds a new one).
    """

    def decorate(klass: _T) -> _T:
        if not isinstance(klass, type):
            raise TypeError(f"@ssot_class decorates classes, not {type(klass).__name__}")
        register(klass, klass.__name__ if ssot_key is None else _checked_key(ssot_key, klass))
        return klass

    if cls is not None:
        return decorate(cls)
    return decorate


def canonical(key: str) -> type:
    """The class registered under *key*; ``KeyError`` if there is none (or it was dropped)."""
    entry = _entries.get(key)
    cls = entry() if entry is not None else None
    if cls is None:
        raise KeyError(f"no class is registered under {key!r}")
    return cls


def registered_classes() -> dict[str, type]:
    """Every live registered class by key, as a new dict."""
    with _lock:
        items = list(_entries.items())
    return {key: cls for key, entry in items if (cls := entry()) is not None}


class RegistrySnapshot:
    """What ``registry_snapshot()`` returns: restores the registry when its block ends."""

    __slots__ = ("_saved",)

    def __init__(self) -> None:
        with _lock:
            self._saved = dict(_entries)

    def restore(self) -> None:
        """Put the registry back as it was when the snapshot was taken."""
        with _lock:
            _entries.clear()
            _entries.update(self._saved)

    def __enter__(self) -> RegistrySnapshot:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.restore()


def registry_snapshot() -> RegistrySnapshot:
    """Snapshot the class registry; ``with registry_snapshot():`` restores it on exit.

    Classes registered inside the block are forgotten; entries replaced or
    dropped inside it come back (still weakly held). Outside a ``with``, call
    ``.restore()`` on the returned snapshot.
    """
    return RegistrySnapshot()


def forget_keys(*keys: str) -> None:
    """Free *keys*: a class defined under one of them next is the first one.

    For the pytest plugin's ``ssot_allow`` (a snapshot restores the old entries).
    """
    with _lock:
        for key in keys:
            _entries.pop(key, None)
