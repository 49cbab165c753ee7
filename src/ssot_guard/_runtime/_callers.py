"""Every caller of a retired module in warn mode, not only the first.

The finder sees an import only when it misses ``sys.modules``: the first
importer of a retired module is recorded there, every later one is served
from ``sys.modules`` without asking any finder. So a retired module that a
warn-mode guard lets through (or that was imported before ``install()``)
gets a subclass of its own module type (``module.__class__ = ...``, the hook
that ``types.ModuleType`` documents) whose ``__getattribute__`` notes where
it is called from:

- ``import a.old`` / ``import a.old as x`` / ``from a.old import f`` /
  ``__import__`` of a module already in ``sys.modules``: CPython reads the
  module's ``__spec__`` (``import_ensure_initialized``) with the importing
  frame on top, so the import statement itself is seen.
- ``importlib.import_module``: importlib's ``_find_and_load`` reads
  ``__spec__``; its frames are walked out to the caller's.
- ``from a import old`` reads an attribute of the parent package, not of
  ``old``: the first line that uses ``old`` counts as the location.

The fast path (an instruction already seen) is one frame lookup, one tuple
and one set lookup per attribute read. Only modules a warn-mode rule retires get
the subclass; every other module, and every import of a module no rule
touches, is untouched.
"""

from __future__ import annotations

import sys

from .._base._fork import fork_safe_lock
from .._base._frames import show_unless_importing, user_frame
from .._rules._model import Block
from ._seen import Seen
from ._watch import WatchedLoader, _watched, later_spec, watchable_type

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from importlib.machinery import ModuleSpec
    from types import FrameType, ModuleType
    from typing import Any

    from .._base._frames import PendingWarning
    from .._rules._matcher import ImportMatcher
    from ._watch import ModuleWatch
else:
    ModuleType = type(sys)  # types.ModuleType, without importing types (start-up time)


def _module_type(base: type[ModuleType], state: Seen) -> type[ModuleType]:
    """A subclass of *base* whose ``__getattribute__`` tells *state* about new locations."""
    base_getattribute: Callable[[ModuleType, str], Any] = base.__getattribute__
    seen = state.seen
    note = state.note
    getframe = sys._getframe
    id_ = id  # a closure cell: no global, then builtins, lookup on the fast path

    def __getattribute__(self: ModuleType, name: str) -> Any:
        frame = getframe(1)
        if (id_(frame.f_code), frame.f_lasti) not in seen:
            note(name, frame)
        return base_getattribute(self, name)

    namespace = {
        "__getattribute__": __getattribute__,
        "__slots__": (),
        "__module__": base.__module__,
        "__qualname__": base.__qualname__,
        "_ssot_callers": state,
    }
    return type(base.__name__, (base,), namespace)


class Callers:
    """Watches the modules that warn-mode block rules retire; one per guard.

    Doubles as the ``ModuleWatch``-like object and the hook of the loaders it
    wraps (``WatchedLoader`` reads ``active`` and calls ``before_exec`` and ``after_exec``).
    """

    def __init__(self, matcher: ImportMatcher) -> None:
        self._matcher = matcher  # its entries carry their rules' modes
        self.active = False
        self._adopted: list[tuple[ModuleType, type[ModuleType], type[ModuleType]]] = []
        self._lazy: list[ModuleSpec] = []  # specs of lazy modules given our loader
        self._lock = fork_safe_lock(self, "_lock")

    def find_spec(
        self,
        finder: object,
        watch: ModuleWatch | None,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None,
        pending: PendingWarning | None = None,
    ) -> ModuleSpec | None:
        """The spec the finders after *finder* give for a retired module let through.

        Its loader adopts the module before its body runs (if a warn-mode rule
        covers it), and shows the import's warning, *pending*, before the module body
        runs. Under the global import lock: imports nothing.
        """
        __tracebackhide__ = True  # pytest shows the user's line, not ours
        entry = self._matcher.match(fullname)
        spec = None
        if entry is not None and entry.mode == "warn":  # only warn-mode modules are watched
            if watch is not None and watch.covers(fullname):
                spec = watch.find_spec(finder, fullname, path, target)
            else:
                spec = later_spec(finder, fullname, path, target)
        loader: object = spec.loader if spec is not None else None
        if loader is None and spec is not None:
            loader = _namespace_loader(spec)
        if isinstance(loader, WatchedLoader):
            # Ours first: a deprecation's module type must end up outermost,
            # since it reads its caller's frame as its own caller.
            loader._ssot_hooks = (self, *loader._ssot_hooks)  # type: ignore[arg-type]
        elif loader is not None and hasattr(loader, "exec_module"):
            loader = spec.loader = _watched(loader, self, (self,))  # type: ignore[arg-type, union-attr]
        if pending is not None:
            if isinstance(loader, WatchedLoader):
                loader._ssot_pending = pending  # a copy made for this import: shown once
            else:
                # Not found (the import fails), or a loader we cannot copy.
                show_unless_importing(pending)
        return spec

    def before_exec(self, module: ModuleType) -> None:
        """Adopt *module* before its body runs: a circular importer meets it executing."""
        namespace = vars(module)
        loader = namespace.get("__loader__")
        if (
            _NAMESPACE is not None
            and isinstance(loader, _NAMESPACE)
            and "__file__" not in namespace
        ):
            # What the import system does for a namespace package whose loader it makes.
            module.__file__ = None
        # The finder recorded the import under way: its line is no new caller.
        self._adopt(module, first=user_frame())

    def after_exec(self, module: ModuleType) -> None:
        """Adopted by ``before_exec``; again if the body set its own module type over ours.

        Then the outer requests for the module, if any, are callers too: with
        ``a/__init__.py`` importing ``a.old``, a first ``importlib.import_module("a.old")``
        (or ``import a.old``) elsewhere imports ``a``, whose body loads ``a.old`` (the
        finder records that line), and then finds ``a.old`` in ``sys.modules`` without
        reading it: nothing else would see that statement until it uses the module.
        """
        self._readopt(module)
        name = vars(module).get("__name__")
        if not isinstance(name, str):
            return
        watched = sys.modules.get(name)
        state = getattr(type(watched), "_ssot_callers", None)
        if state is not None and state.name == name:  # not a shim's replacement module
            for request in _outer_requests(name):
                state.note("__spec__", request)  # as a read of __spec__ there would be

    def _readopt(self, module: ModuleType) -> None:
        name = vars(module).get("__name__")
        replaced = sys.modules.get(name) if isinstance(name, str) else None
        if (
            replaced is not module
            and isinstance(replaced, ModuleType)
            and vars(replaced).get("__name__") == name
        ):
            # The body put another module in its place (``sys.modules[__name__] = ...``):
            # importers get that one from now on, so that is the one to watch. Not a
            # module of another name (a shim: ``sys.modules[__name__] = app.new``), whose
            # own importers are no callers of the retired name.
            self._adopt(replaced, name, first=user_frame())
        with self._lock:
            adopted = self._adopted
            index = next((i for i, item in enumerate(adopted) if item[0] is module), -1)
            if index < 0:
                return
            ours = adopted[index][2]
            current = type(module)
            if issubclass(current, ours):
                return
            # ``sys.modules[__name__].__class__ = ...`` in the body: watch on top of that type.
            state = ours._ssot_callers  # type: ignore[attr-defined]
            again = _module_type(current, state)
            try:
                module.__class__ = again
            except TypeError:
                return
            adopted[index] = (module, current, again)

    def open(self) -> None:
        """Adopt the retired modules already imported (before ``install()``, or under a guard)."""
        self.active = True
        if not self._matcher:
            return
        for name, module in list(sys.modules.items()):
            if isinstance(module, ModuleType) and self._matcher.may_match(name):
                self._adopt(module, name)

    def close(self) -> None:
        """Give every adopted module its own type back, and our loaders their originals."""
        self.active = False
        with self._lock:
            adopted, self._adopted = self._adopted, []
            lazy, self._lazy = self._lazy, []
        for waiting in lazy:  # a lazy module still not loaded gets its own loader back
            if _ours(waiting.loader, self):
                waiting.loader = waiting.loader._ssot_real  # type: ignore[union-attr]
        for module, original, ours in adopted:
            if type(module) is ours:
                module.__class__ = original
            namespace = vars(module)
            loader = namespace.get("__loader__")
            if _ours(loader, self):
                module.__loader__ = loader._ssot_real  # type: ignore[union-attr]
            spec = namespace.get("__spec__")
            loader = getattr(spec, "loader", None)
            if _ours(loader, self):
                spec.loader = loader._ssot_real  # type: ignore[union-attr]

    def _adopt(
        self, module: ModuleType, name: str | None = None, first: FrameType | None = None
    ) -> Seen | None:
        if name is None:
            name = vars(module).get("__name__")
            if not isinstance(name, str):
                return None
        entry = self._matcher.match(name)
        if entry is None or not isinstance(entry.rule, Block):
            return None  # a redirect's module is the canonical one: not ours to change
        mode = entry.mode
        if mode != "warn":
            return None
        with self._lock:
            for adopted, _, ours in self._adopted:
                if adopted is module:
                    return ours._ssot_callers  # type: ignore[attr-defined, no-any-return]
            original = watchable_type(module)
            if original is None:
                # Lazily imported and not loaded yet: watched once it loads.
                self._watch_load(module)
                return None
            state = Seen(name, entry, mode)
            # Before the type changes: another thread may read the module at once.
            state.first_importer(first)
            ours = _module_type(original, state)
            try:
                module.__class__ = ours
            except TypeError:
                return None  # a module type with its own layout: seen at first import only
            self._adopted.append((module, original, ours))
        return state

    def _watch_load(self, module: ModuleType) -> None:
        """A lazy module (``importlib.util.LazyLoader``): its loader, when it runs, adopts it."""
        spec = object.__getattribute__(module, "__dict__").get("__spec__")  # no load
        loader = getattr(spec, "loader", None)
        if not isinstance(loader, WatchedLoader) and hasattr(loader, "exec_module"):
            spec.loader = _watched(loader, self, (self,))  # type: ignore[arg-type]
            self._lazy.append(spec)  # under _lock (from _adopt)


# importlib.machinery.NamespaceLoader, without importing importlib (start-up time).
_NAMESPACE: type | None = getattr(
    sys.modules.get("_frozen_importlib_external"), "NamespaceLoader", None
)


def _namespace_loader(spec: ModuleSpec) -> object:
    """For a namespace package's spec (no loader), the loader the import system would make.

    Made here, as ``_init_module_attrs`` does, so that it can be ours: the
    retired namespace package then warns and is watched like any module.
    """
    locations = spec.submodule_search_locations
    if locations is None or _NAMESPACE is None:
        return None
    loader: Any = object.__new__(_NAMESPACE)
    loader._path = locations
    spec.loader = loader
    return loader


def _outer_requests(name: str) -> list[FrameType]:
    """The frames of importlib's ``_find_and_load(name)`` further out than the innermost.

    The innermost is the import loading the module now; any other one for the same
    name is an import that asked for it first and is waiting on the way (a parent
    package's body imported it meanwhile). Read after the body ran: no import lock.
    """
    bootstrap = sys.modules.get("_frozen_importlib")
    code = getattr(getattr(bootstrap, "_find_and_load", None), "__code__", None)
    found: list[FrameType] = []
    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        if frame.f_code is code and frame.f_locals.get("name") == name:
            found.append(frame)
        frame = frame.f_back
    return found[1:]


def _ours(loader: object, callers: Callers) -> bool:
    """Whether *loader* is a copy that *callers* made (not one a ``ModuleWatch`` made)."""
    return isinstance(loader, WatchedLoader) and loader._ssot_watch is callers  # type: ignore[comparison-overlap]
