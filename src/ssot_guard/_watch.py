"""Watched modules: the real loader, behind a proxy that runs our checks after ``exec_module``.

The one finder asks a ``ModuleWatch`` about names under ``[[unique]] within``
packages and ``[[deprecate]]`` modules only (their first parts are folded into
the finder's fast-path set). For those it returns the spec that the finders
after it would return, with the loader wrapped in a ``wrapt.ObjectProxy``:
``isinstance(module.__loader__, SourceFileLoader)``, ``get_code``, resources,
``python -m`` and ``__spec__`` see the real loader; only ``exec_module`` is ours.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol

import wrapt

if TYPE_CHECKING:
    from collections.abc import Sequence
    from importlib.machinery import ModuleSpec
    from types import FrameType

    from ._rules import Mode, Rule


class ModuleHook(Protocol):
    """What a watcher of modules provides (``_unique`` and ``_deprecate``)."""

    tops: frozenset[str]

    def covers(self, name: str) -> bool: ...
    def after_exec(self, module: ModuleType) -> None: ...
    def check_preloaded(self, frame: FrameType | None, *, report: bool) -> None: ...
    def open(self) -> None: ...
    def close(self) -> None: ...


class WatchedLoader(wrapt.ObjectProxy[Any]):
    """The real loader, with our checks after ``exec_module``; everything else passes through."""

    def __init__(self, loader: object, watch: ModuleWatch, hooks: tuple[ModuleHook, ...]) -> None:
        super().__init__(loader)
        self._self_watch = watch
        self._self_hooks = hooks  # the hooks that cover this module, found once by find_spec

    def exec_module(self, module: ModuleType) -> None:
        self.__wrapped__.exec_module(module)
        if self._self_watch.active:
            for hook in self._self_hooks:
                hook.after_exec(module)


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
        finders = sys.meta_path
        start = 0
        for index, other in enumerate(finders):
            if other is finder:
                start = index + 1
                break
        for other in finders[start:]:
            if other is finder:
                continue
            find = getattr(other, "find_spec", None)
            if find is None:
                continue
            spec: ModuleSpec | None = find(fullname, path, target)
            if spec is None:
                continue
            loader: object = spec.loader
            if (
                loader is not None
                and type(loader) is not WatchedLoader
                and hasattr(loader, "exec_module")
            ):
                spec.loader = WatchedLoader(loader, self, hooks)  # type: ignore[assignment]
            return spec
        return None

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
            if type(loader) is WatchedLoader and loader._self_watch is self:
                module.__loader__ = loader.__wrapped__
            spec = namespace.get("__spec__")
            if spec is None:
                continue
            loader = getattr(spec, "loader", None)
            if type(loader) is WatchedLoader and loader._self_watch is self:
                spec.loader = loader.__wrapped__


def build_watch(rules: Sequence[Rule], modes: dict[int, Mode]) -> ModuleWatch | None:
    """The watch for the ``Unique`` and ``Deprecate`` rules that are not off, if any."""
    from ._deprecate import DeprecationHook
    from ._rules import Deprecate, Unique
    from ._unique import UniqueHook

    unique = [r for r in rules if isinstance(r, Unique) and id(r) in modes]
    deprecate = [r for r in rules if isinstance(r, Deprecate) and id(r) in modes]
    hooks: list[ModuleHook] = []
    if unique:
        hooks.append(UniqueHook(unique, modes))
    if deprecate:
        hooks.append(DeprecationHook(deprecate, modes))
    return ModuleWatch(hooks) if hooks else None
