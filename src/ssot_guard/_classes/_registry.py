"""The SSOT class registry: one class per key, enforced when classes are defined.

Three spellings share one registry: the metaclass ``SSOTMeta``, the base class
``SSOTBase`` (``__init_subclass__``, for classes that already have a
metaclass) and the decorator ``ssot_class``.

Class creation is a hot path, so the common case (a key seen for the first
time) is one weak reference (the one CPython already holds for
``__subclasses__()``, so nothing is allocated) and one ``dict.setdefault``:
atomic, lock-free and allocation-light. Everything else (reloads, replacing a
dead entry, duplicates, the mode, messages, file and line) happens under a
lock only when a key is taken.

The registry holds classes weakly, and an entry goes away after its class:
dead entries are swept when the registry has doubled, and once classes churn
after collections (``_sweep``), so a program that creates and drops classes
with ever new names holds at most about twice its live classes.

The registry does not ask the guard for its mode, nor the guard the registry:
``install()`` and ``uninstall()`` set it in ``_base._modes``, where the
registry reads it; with no guard installed, ``SSOT_GUARD_MODE`` or ``warn`` apply.
"""

from __future__ import annotations

import os
from _thread import RLock
from _weakref import ref  # weakref's own, without importing weakref (start-up time)

from .._base import public
from .._base._modes import env_mode, guard_mode, set_guard_mode
from ._sweep import MIN_LIMIT, Sweeper, sweep

TYPE_CHECKING = False  # not typing's: this module loads with ``import ssot_guard``
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from types import TracebackType
    from typing import Any, TypeVar, overload

    from .._base._modes import Mode

    _T = TypeVar("_T", bound=type)

#: The ``rule`` of violations the registry records.
REGISTRY_RULE = "ssot_guard class registry"


# Writes that add a missing key are lock-free (``dict.setdefault`` is atomic
# under the GIL); every other write (replace, remove, sweep) holds ``_lock``.
# That is what makes the sweep's "remove if it is still dead" safe: nothing can
# replace an entry between its check and its ``del`` (see ``sweep`` for the one
# thread that can: the holder's own, through the collector). (ssot_guard does not
# claim free-threaded CPython support; there, dict operations stay atomic per
# call too, but this reasoning would need re-checking.)
#
# An entry is a plain weak reference without a callback: for a class that is
# the one CPython already keeps for ``__subclasses__()``, so registering a class
# allocates nothing. Dead entries are swept instead of called back (see _sweep).
_entries: dict[str, ref[type]] = {}  # never rebound: _setdefault and the sweep are bound to it
_setdefault = _entries.setdefault
_type_new = type.__new__
# Reentrant: the collector runs code (gc callbacks, ``__del__``) in whichever thread
# allocates, so a class statement can run inside one of our locked sections, and a
# taken key waits for the lock: a plain lock would wait for its own thread forever.
_lock = RLock()  # never taken by the common path
_locked = _lock  # ``with _locked:`` in the code below reads as what it does
#: Registering past ``_limit[0]`` entries calls ``_grown()``, which sweeps dead ones.
_limit = [MIN_LIMIT]
_grown = Sweeper(_entries, _lock, _limit).grown


def _after_fork_in_child() -> None:
    # A thread of the parent may have held the lock, or been acquiring it, at
    # the fork: no such thread exists in the child to release it, and the
    # child would hang at its first collision. The entries stay: the child
    # inherits the parent's classes. (threading reinitialises its locks alike.)
    _lock._at_fork_reinit()  # type: ignore[attr-defined]


os.register_at_fork(after_in_child=_after_fork_in_child)


def register(cls: type, key: str) -> None:
    """Register *cls* under *key*, or report it as a second definition.

    Strict mode raises ``DuplicateClassError`` and leaves the registry as it
    was, so a rejected class is never registered.
    """
    entry: ref[type] = ref(cls)
    if _setdefault(key, entry) is not entry:
        __tracebackhide__ = True  # pytest shows the user's line, not ours
        _collide(cls, key, entry)
    elif len(_entries) > _limit[0]:
        _grown()


def _checked_key(key: object, cls: type) -> str:
    if isinstance(key, str) and key:
        return key
    raise TypeError(
        f"ssot_key of class {cls.__qualname__!r} must be a non-empty string, got {key!r}"
    )


def _collide(cls: type, key: str, entry: ref[type]) -> None:
    __tracebackhide__ = True  # pytest shows the user's line, not ours
    # Only a taken key gets here: what a second definition needs loads on the first one.
    from ._duplicate import (
        Definition,
        definition_frame,
        duplicate_message,
        report_duplicate,
        same_definition,
    )

    with _locked:
        old = _entries.get(key)
        existing = old() if old is not None else None
        if existing is None or existing is cls or same_definition(existing, cls):
            # A free key (the class died and no sweep has removed its entry yet,
            # or it was forgotten meanwhile), the same class again, or a reload:
            # same module, same qualname.
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


def set_mode(mode: Mode | None) -> None:
    """The mode duplicates get from now on; ``None``: no guard, read ``SSOT_GUARD_MODE``.

    What ``install()`` and ``uninstall()`` do (through ``_base._modes``); a seam for tests.
    """
    set_guard_mode(mode)


def registry_mode() -> Mode:
    """The installed guard's mode, else ``SSOT_GUARD_MODE``, else ``warn``."""
    return guard_mode() or env_mode() or "warn"


@public
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
        entry: ref[type] = ref(cls)  # register(), inlined: a call would cost 1-2% here
        if _setdefault(name, entry) is not entry:
            __tracebackhide__ = True  # pytest shows the user's line, not ours
            _collide(cls, name, entry)
        elif len(_entries) > _limit[0]:
            _grown()
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
    __tracebackhide__ = True  # pytest shows the user's line, not ours
    register(cls, name if ssot_key is None else _checked_key(ssot_key, cls))
    return cls


@public
class SSOTBase:
    """A base class with ``SSOTMeta``'s semantics, for classes that have a metaclass.

    ``class Color(SSOTBase, Enum)``; ``class Model(SSOTBase, SomeBase,
    ssot_key="model")``. Every subclass is registered under its name or
    ``ssot_key=``; ``SSOTBase`` itself is not.
    """

    __slots__ = ()

    def __init_subclass__(cls, /, ssot_key: str | None = None, **kwargs: Any) -> None:
        # The next __init_subclass__ in the MRO (Enum's, a framework's) runs. When
        # only ``object`` follows SSOTBase (``class X(SSOTBase)`` and its subclasses,
        # the common case), that is object's, which does nothing: skip super().
        if kwargs or cls.__mro__[-2] is not SSOTBase:
            super().__init_subclass__(**kwargs)
        # register(), inlined: this runs for every subclass
        key = cls.__name__ if ssot_key is None else _checked_key(ssot_key, cls)
        entry: ref[type] = ref(cls)
        if _setdefault(key, entry) is not entry:
            __tracebackhide__ = True  # pytest shows the user's line, not ours
            _collide(cls, key, entry)
        elif len(_entries) > _limit[0]:
            _grown()


if TYPE_CHECKING:

    @overload
    def ssot_class(cls: _T, /) -> _T: ...
    @overload
    def ssot_class(*, ssot_key: str | None = None) -> Callable[[_T], _T]: ...


@public
def ssot_class(cls: _T | None = None, /, *, ssot_key: str | None = None) -> _T | Callable[[_T], _T]:
    """Register the decorated class (``@ssot_class`` or ``@ssot_class(ssot_key=...)``).

    For classes that can take neither the metaclass nor the base (Protocols,
    pydantic models, classes with a foreign metaclass). It registers that one
    class, not its subclasses. Put it above other class decorators, so it sees
    the final class (``@dataclass(slots=True)`` builds a new one).
    """

    if cls is not None and ssot_key is None and isinstance(cls, type):
        # ``@ssot_class`` bare, the common case: no closure to build for one call.
        register(cls, cls.__name__)
        return cls

    def decorate(klass: _T) -> _T:
        if not isinstance(klass, type):
            raise TypeError(f"@ssot_class decorates classes, not {type(klass).__name__}")
        register(klass, klass.__name__ if ssot_key is None else _checked_key(ssot_key, klass))
        return klass

    if cls is not None:
        return decorate(cls)
    return decorate


@public
def canonical(key: str) -> type:
    """The class registered under *key*; ``KeyError`` if there is none (or it was dropped)."""
    entry = _entries.get(key)
    cls = entry() if entry is not None else None
    if cls is None:
        raise KeyError(f"no class is registered under {key!r}")
    return cls


@public
def registered_classes() -> dict[str, type]:
    """Every live registered class by key, as a new dict."""
    with _locked:
        # A copy, not list(items()): building tuples can start a collection, and
        # a callback in another thread must not change the dict under our loop.
        entries = _entries.copy()
    return {key: cls for key, entry in entries.items() if (cls := entry()) is not None}


@public
class RegistrySnapshot:
    """What ``registry_snapshot()`` returns: restores the registry when its block ends."""

    __slots__ = ("_saved",)

    def __init__(self) -> None:
        with _locked:
            self._saved = _entries.copy()

    def restore(self) -> None:
        """Put the registry back as it was when the snapshot was taken.

        Entries whose class died since are left out: they would never go away.
        """
        with _locked:
            _entries.clear()
            _entries.update({k: e for k, e in self._saved.items() if e() is not None})

    def __enter__(self) -> RegistrySnapshot:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.restore()


@public
def registry_snapshot() -> RegistrySnapshot:
    """Snapshot the class registry; ``with registry_snapshot():`` restores it on exit.

    Classes registered inside the block are forgotten; entries replaced or
    dropped inside it come back (still weakly held). Outside a ``with``, call
    ``.restore()`` on the returned snapshot.
    """
    return RegistrySnapshot()


# Seams for ssot_guard's own tests, the pytest plugin and the benchmarks: they
# change the registry through these, never through ``_entries``.


def forget_keys(keys: Iterable[str]) -> None:
    """Free *keys*: the next class registered under one of them is a first definition."""
    with _locked:
        for key in keys:
            _entries.pop(key, None)


def entry_count() -> int:
    """How many entries the registry holds, after removing those of classes that died."""
    with _locked:
        sweep(_entries)
        return len(_entries)
