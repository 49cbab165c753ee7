"""Watched modules: the real loader, as a subclass that runs our checks after ``exec_module``.

The one finder asks a ``ModuleWatch`` about names under ``[[unique]] within``
packages and ``[[deprecate]]`` modules only (their first parts are folded into
the finder's fast-path set). For those it returns the spec that the finders
after it would return, its loader replaced by a copy whose class derives from
the loader's own class and from :class:`WatchedLoader`:
``isinstance(module.__loader__, SourceFileLoader)``, ``get_code``, resources,
``python -m`` and ``__spec__`` work as before; only ``exec_module`` is ours.

A subclass rather than a proxy object (``wrapt.ObjectProxy``): building it
imports nothing, and importing ``wrapt`` at ``install()`` would cost more than
the rest of start-up. ``find_spec`` runs under the global import lock, where
nothing may be imported.
"""

from __future__ import annotations

import sys
from _thread import get_ident

from .._base._frames import show

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from collections.abc import Sequence
    from importlib.machinery import ModuleSpec
    from types import CodeType, FrameType, ModuleType
    from typing import Protocol

    from .._base._frames import PendingWarning

    class ModuleHook(Protocol):
        """What a watcher of modules provides (``_unique`` and ``_deprecate``)."""

        tops: frozenset[str]

        def covers(self, name: str) -> bool: ...
        def after_exec(self, module: ModuleType) -> None: ...
        def check_preloaded(self, frame: FrameType | None, *, report: bool) -> None: ...
        def open(self) -> None: ...
        def close(self) -> None: ...
else:
    ModuleType = type(sys)  # types.ModuleType, without importing types (start-up time)


class WatchedLoader:
    """Base of the watched loader classes: the real loader's ``exec_module``, then our checks.

    ``_watched_class(type(loader))`` derives from this and from the loader's own
    class; :func:`_watched` copies the loader's state into an instance of it.
    """

    _ssot_real: object  # the loader this one copies, put back by ModuleWatch.close()
    _ssot_watch: ModuleWatch
    _ssot_hooks: tuple[ModuleHook, ...]  # the hooks covering this module, found by find_spec
    #: A warn-mode import's warning, which the finder may not show under the
    #: global import lock: shown before the module body runs (each copy serves one import).
    _ssot_pending: PendingWarning | None = None

    def exec_module(self, module: ModuleType) -> None:
        __tracebackhide__ = True  # pytest shows the user's line, not ours
        self._ssot_warn()  # -W error: raises, and the import system forgets the module
        if self._ssot_watch.active:
            for hook in self._ssot_hooks:
                # The every-caller watch starts before the body runs: a module the
                # body imports may import this one back, still executing.
                before = getattr(hook, "before_exec", None)
                if before is not None:
                    before(module)
        super().exec_module(module)  # type: ignore[misc]
        if self._ssot_watch.active:
            for hook in self._ssot_hooks:
                hook.after_exec(module)

    def _ssot_warn(self) -> None:
        __tracebackhide__ = True  # pytest shows the user's line, not ours
        pending = self._ssot_pending
        if pending is not None:
            self._ssot_pending = None
            show(pending)


class _WatchedCodeLoader(WatchedLoader):
    """For a loader class with ``get_code``: runpy (``python -m``) calls it, not ``exec_module``."""

    def get_code(self, fullname: str) -> CodeType | None:
        __tracebackhide__ = True  # pytest shows the user's line, not ours
        self._ssot_warn()
        code: CodeType | None = super().get_code(fullname)  # type: ignore[misc]
        return code


_watched_classes: dict[type, type] = {}


def _watched(loader: object, watch: ModuleWatch, hooks: tuple[ModuleHook, ...]) -> object:
    """A copy of *loader* whose class also derives from ``WatchedLoader``; *loader* if impossible.

    Loaders that are classes (builtin, frozen) or keep no ``__dict__`` are left
    as they are: they cannot run Python source, so there is nothing to check.
    """
    cls = type(loader)
    if isinstance(loader, type) or not hasattr(loader, "__dict__"):
        return loader
    watched = _watched_classes.get(cls)
    if watched is None:
        # No lock: two threads racing here build two equal classes, and either works.
        # get_code only where the loader has one: hasattr() answers as for the original.
        base = _WatchedCodeLoader if hasattr(cls, "get_code") else WatchedLoader
        watched = _watched_classes.setdefault(cls, type(f"Watched{cls.__name__}", (base, cls), {}))
    try:
        copy: object = object.__new__(watched)
    except TypeError:  # a loader implemented in C with its own layout
        return loader
    state = vars(copy)
    state.update(vars(loader))
    state.update(_ssot_real=loader, _ssot_watch=watch, _ssot_hooks=hooks)
    return copy


def watchable_type(module: ModuleType) -> type[ModuleType] | None:
    """The type to derive a watching subclass from: *module*'s own, or ``None`` for now.

    ``importlib.util.LazyLoader`` makes a module a ``_LazyModule`` until an attribute
    read loads it. A subclass of that would break the load: 3.13 recognises the lazy
    module by its exact class, and a subclass's reads recurse without end. While the
    module loads (3.13 keeps the class during ``exec_module``, then puts back the type
    it had, unless ``exec_module`` changed it), the answer is that type; before it
    loads, ``None``.
    """
    cls = type(module)
    lazy = getattr(sys.modules.get("importlib.util"), "_LazyModule", None)
    if lazy is None or not issubclass(cls, lazy):
        return cls
    # Read without triggering the load: _LazyModule.__getattribute__ would run it.
    spec = object.__getattribute__(module, "__dict__").get("__spec__")
    state = getattr(spec, "loader_state", None)
    if isinstance(state, dict) and state.get("is_loading"):
        base = state.get("__class__")
        if isinstance(base, type) and issubclass(base, ModuleType) and not issubclass(base, lazy):
            return base
    return None


def later_spec(
    finder: object, fullname: str, path: Sequence[str] | None, target: ModuleType | None
) -> ModuleSpec | None:
    """The spec that the finders after *finder* in ``sys.meta_path`` give for *fullname*.

    Another guard's finder is skipped: this import was checked by *finder*. If an
    ``on_violation`` callback replaced the guard meanwhile, *finder* is gone and the
    new guard's finder comes first; asking it would record the import again, call
    the callback again, and so on without end.
    """
    finders = sys.meta_path
    start = 0
    for index, other in enumerate(finders):
        if other is finder:
            start = index + 1
            break
    ours = type(finder)
    # A finder after ours may ask the import system again for this name (wrapt's
    # post-import hooks do): *finder* then passes, instead of judging it twice.
    asking: set[tuple[int, str]] | None = getattr(finder, "_asking", None)
    key = (get_ident(), fullname)
    if asking is not None:
        if key in asking:
            asking = None  # an outer search for this name marked it, and unmarks it
        else:
            asking.add(key)
    try:
        for other in finders[start:]:
            if type(other) is ours:
                continue
            find = getattr(other, "find_spec", None)
            if find is None:
                continue
            spec: ModuleSpec | None = find(fullname, path, target)
            if spec is not None:
                return spec
        return None
    finally:
        if asking is not None:
            asking.discard(key)


class ModuleWatch:
    """The hooks of one guard, and the loader proxies handed out for them."""

    def __init__(self, hooks: Sequence[ModuleHook]) -> None:
        self.hooks = tuple(hooks)
        self.tops: frozenset[str] = frozenset().union(*(h.tops for h in self.hooks))
        self.active = False

    def covers(self, name: str) -> bool:
        return any(hook.covers(name) for hook in self.hooks)

    def find_spec(
        self,
        finder: object,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None,
    ) -> ModuleSpec | None:
        """The spec the finders after *finder* give for *fullname*, its loader wrapped.

        ``None`` if no hook watches *fullname*. Runs under the global import
        lock: it imports nothing.
        """
        hooks = tuple([hook for hook in self.hooks if hook.covers(fullname)])
        if not hooks:
            return None
        spec = later_spec(finder, fullname, path, target)
        if spec is None:
            return None
        loader: object = spec.loader
        if (
            loader is not None
            and not isinstance(loader, WatchedLoader)
            and hasattr(loader, "exec_module")
        ):
            spec.loader = _watched(loader, self, hooks)  # type: ignore[assignment]
        return spec

    def check_preloaded(self, frame: FrameType | None, *, report: bool = True) -> None:
        """Let hooks see modules imported before install; *report* ``False``: only remember."""
        for hook in self.hooks:
            hook.check_preloaded(frame, report=report)

    def open(self) -> None:
        self.active = True
        for hook in self.hooks:
            hook.open()

    def close(self) -> None:
        """Undo what can be undone: hooks' changes, and our loader proxies on modules.

        The modules are found in ``sys.modules`` here rather than remembered at
        import time, which would cost every watched import a weak reference.
        """
        self.active = False
        for hook in self.hooks:
            hook.close()
        for module in list(sys.modules.values()):
            if not isinstance(module, ModuleType):
                continue
            namespace = vars(module)
            loader = namespace.get("__loader__")
            if isinstance(loader, WatchedLoader) and loader._ssot_watch is self:
                module.__loader__ = loader._ssot_real  # type: ignore[assignment]
            spec = namespace.get("__spec__")
            if spec is None:
                continue
            loader = getattr(spec, "loader", None)
            if isinstance(loader, WatchedLoader) and loader._ssot_watch is self:
                spec.loader = loader._ssot_real
