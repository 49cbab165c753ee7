"""The loader that carries out a redirect: the old name becomes the canonical module.

Kept apart from the finder: ``find_spec`` decides (under the global import
lock), this runs afterwards, under the old name's module lock only, and is
where the canonical module is imported, or waited for, without deadlocking
against a thread that imports the two names the other way round.
"""

from __future__ import annotations

import sys

from .._base._frames import show

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from importlib.machinery import ModuleSpec
    from types import CodeType, ModuleType
    from typing import Any

    from .._base._frames import PendingWarning


class RedirectLoader:
    """Makes an old module name resolve to the canonical module object itself.

    ``create_module`` imports the canonical module (here, outside the global
    import lock, where importing is safe) and returns it, so ``old is new``
    and the module body runs once, under its own name. The import system then
    stamps the old name's spec onto that object; ``exec_module`` puts the
    canonical spec back, so ``__spec__`` and pickling keep naming the new module.

    In warn mode the finder hands over its warning (*pending*): shown here,
    outside the global import lock, by ``create_module`` (an import) or
    ``get_code`` (runpy), whichever comes first, once.
    """

    def __init__(self, target: str, pending: PendingWarning | None = None) -> None:
        self.target = target
        self._spec: ModuleSpec | None = None  # the canonical module's, or _NO_SPEC
        self._type: type | None = None  # the canonical module's type (see exec_module)
        #: The old name's spec, which runpy reads ``__file__`` from (see ``get_code``).
        self.spec: ModuleSpec | None = None
        self._pending = pending

    def _warn(self) -> None:
        __tracebackhide__ = True  # pytest shows the user's line, not ours
        pending, self._pending = self._pending, None
        if pending is not None:
            show(pending)  # -W error: raises before the canonical module is imported

    def create_module(self, spec: ModuleSpec) -> ModuleType:
        __tracebackhide__ = True  # pytest shows the user's line, not ours
        self._warn()
        # The import system holds the old name's module lock here. The canonical
        # module's body may import the old name (through a helper not yet
        # migrated), taking the locks the other way round: new, then old. So
        # when another thread is executing the canonical module, the old name
        # is published first as that module, just as a circular import sees a
        # module that is still executing; then the builtin __import__ waits for
        # it, and where waiting would deadlock, accepts it partly initialised as
        # Python does for a circular import (importlib.import_module would
        # raise _DeadlockError instead, and the canonical body would run twice).
        target = self.target
        module = sys.modules.get(target)
        if module is None:
            _wait_while_another_thread_finds(target)
            module = sys.modules.get(target)
        if module is not None:
            sys.modules[spec.name] = module
        try:
            _builtin_import(target)
        except BaseException:
            # The import system forgets the old name only if exec_module fails; and
            # the canonical body may have aliased it already (a nested import of the
            # old name) before failing: an alias of a module that is gone goes too.
            cached = sys.modules.get(spec.name)
            if cached is not None and sys.modules.get(target) is not cached:
                del sys.modules[spec.name]
            raise
        module = sys.modules[target]
        # A canonical module may have put another object in sys.modules (a lazy
        # module, an instance of a class), with no __spec__ of its own.
        self._spec = getattr(module, "__spec__", _NO_SPEC)
        self._type = type(module)
        return module

    def exec_module(self, module: ModuleType) -> None:
        __tracebackhide__ = True  # pytest shows the user's line, not ours
        self._warn()  # shown by create_module already, unless a caller skipped it
        spec = self.spec
        if self._spec is None and spec is not None and sys.modules.get(spec.name) is module:
            # importlib.reload() of the old name's own module (imported before the
            # guard): no create_module, and the old code must not run again. The old
            # name becomes the canonical module, which reload() then returns.
            canonical = self.create_module(spec)
            sys.modules[spec.name] = canonical
            module = canonical
        # Undo the old name's stamp; an object that refuses attributes refused
        # the stamp too (the import system ignores that, and so do we).
        try:
            if self._spec is _NO_SPEC:
                if "__spec__" in getattr(module, "__dict__", ()):
                    del module.__spec__
            else:
                module.__spec__ = self._spec
        except AttributeError:
            pass
        # importlib.util.LazyLoader made the (loaded) canonical module a lazy one, and
        # the read that got here set its type to ModuleType (3.11, 3.12): its own type
        # (a [[deprecate]] subclass, the module's own class) goes back.
        original = self._type
        if original is not None and type(module) is not original:
            try:
                module.__class__ = original
            except TypeError:
                return  # a type with its own layout: it was never changed

    def get_code(self, fullname: str) -> CodeType | None:
        """The canonical module's code, for ``python -m old`` and ``runpy.run_module(old)``.

        runpy finds the old name's spec (the finder has recorded; the warning is shown here),
        then runs this code as ``__main__``. For a package, that is its
        ``__main__`` module, as ``python -m package`` runs. ``__file__`` is the
        canonical file: the old name's spec borrows its location.
        """
        __tracebackhide__ = True  # pytest shows the user's line, not ours
        self._warn()
        from importlib.util import find_spec  # runpy asks outside the import lock

        name = self.target
        found = find_spec(name)
        if found is not None and found.submodule_search_locations is not None:
            name += ".__main__"
            found = find_spec(name)
        get_code = getattr(found.loader, "get_code", None) if found is not None else None
        if found is None or get_code is None:
            raise ImportError(f"No module named {name!r} (the target of a redirect)", name=name)
        if self.spec is not None:
            self.spec.origin = found.origin
            self.spec.has_location = found.has_location
            self.spec.cached = found.cached
        code: CodeType | None = get_code(name)
        return code


_NO_SPEC: Any = object()  # the canonical object had no __spec__ of its own
_builtin_import = __import__  # the C import: tolerant of circular imports across threads


def _wait_while_another_thread_finds(target: str) -> None:
    """Wait, holding no module lock of *target*, while another thread holds it unpublished.

    Between taking a module's lock and putting the module in ``sys.modules``
    (its finders at work), an importing thread holds a lock we cannot wait on:
    were it then to import the old name from the module's body, the import
    system would see the two threads waiting on each other's lock and fail one
    import with ``_DeadlockError``. So poll until the module is published (or
    the lock is free), then import as above. This reads importlib's lock table
    (``_bootstrap._module_locks``, present in 3.11 to 3.14); without it, nothing is waited for.
    """
    # _frozen_importlib is importlib._bootstrap, there from start-up: under that
    # name only once something imports the importlib package (nothing of ours does).
    bootstrap = sys.modules.get("_frozen_importlib") or sys.modules.get("importlib._bootstrap")
    table = getattr(bootstrap, "_module_locks", None)
    if not isinstance(table, dict):
        return
    from _thread import get_ident
    from time import sleep

    me = get_ident()
    while target not in sys.modules:
        ref = table.get(target)
        lock = ref() if ref is not None else None
        owner = getattr(lock, "owner", None)
        if owner is None or owner == me:
            return
        sleep(0.0001)
