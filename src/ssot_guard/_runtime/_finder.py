"""The one ``sys.meta_path`` finder, and the loader that carries out a redirect.

``find_spec`` runs for every import that misses ``sys.modules``, under the
global import lock. The common path is one string split and one set lookup;
it never imports, never takes a lock and never loops over rules. A name in a
top-level package that rules reach is screened by its package's screen (built
on the first import there; see ``ChildScreen``). The rest of the work
(matching, frame inspection, recording) happens only for names that some rule
can cover.
"""

from __future__ import annotations

import sys
from importlib.machinery import ModuleSpec

from .._base._errors import BlockedImportError
from .._base._frames import frame_location, user_frame, warn_at
from .._report._record import recorder
from .._rules._model import Block, Redirect
from ._on_behalf import hand_over

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import CodeType, ModuleType

    from .._rules._matcher import ChildScreen, ImportMatcher
    from .._rules._model import Mode, Rule
    from ._watch import ModuleWatch


class SSOTFinder:
    """Blocks, warns on, or redirects imports of retired modules."""

    def __init__(
        self, matcher: ImportMatcher, modes: dict[int, Mode], watch: ModuleWatch | None = None
    ) -> None:
        self._matcher = matcher
        self._modes = modes  # id(rule) -> effective mode; rules that are off are absent
        # Modules whose loaders we wrap ([[unique]] within, [[deprecate]] modules).
        self._watch = watch
        # Fast-path state, copied out of the matcher so find_spec reads plain attributes.
        # Watched packages share the one set: names no rule touches stay one lookup.
        self._tops = matcher.tops | watch.tops if watch is not None else matcher.tops
        self._everything = bool(matcher.unanchored)
        # Package -> which modules inside it some rule could match (see ChildScreen).
        self._screens: dict[str, ChildScreen | frozenset[str]] = {}

    def __repr__(self) -> str:
        return f"<ssot_guard finder, {len(self._modes)} rules>"

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None = None,
        target: ModuleType | None = None,
    ) -> ModuleSpec | None:
        if fullname.partition(".")[0] not in self._tops and not self._everything:
            return None
        package, _, last = fullname.rpartition(".")
        screen = self._screens.get(package)
        if screen is None:
            # First import inside this package: the screen is built once and reused.
            # No lock: two threads racing here store equal screens.
            screen = self._screens[package] = self._matcher.screen(package)
        spec = self._check(fullname) if last in screen else None
        if spec is None and self._watch is not None:
            return self._watch.find_spec(self, fullname, path, target)  # None if unwatched
        return spec

    def _check(self, fullname: str) -> ModuleSpec | None:
        entry = self._matcher.match(fullname)
        if entry is None:
            return None
        rule = entry.rule
        frame = user_frame()
        importer, filename, lineno = frame_location(frame)
        if importer is not None and (
            # A retired package may import its own parts once it is loaded
            # (through allow_importers, or before the guard was installed).
            entry.importers.contains(importer) or entry.covers(importer)
        ):
            return None
        mode = self._modes[id(rule)]
        is_redirect = isinstance(rule, Redirect)
        use = redirect_target(rule, fullname) if is_redirect else rule.use  # type: ignore[arg-type]
        recorder.record(
            "redirect" if is_redirect else "import",
            fullname,
            rule.source,
            reason=rule.reason,
            replacement=use,
            importer=importer,
            filename=filename,
            lineno=lineno,
            mode=mode,
        )
        if mode == "strict":
            error = BlockedImportError(fullname, reason=rule.reason, use=use, rule=rule.source)
            hand_over(fullname, error)  # pkgutil.resolve_name would swallow it
            raise error
        warn_at(frame, warning_text(rule, fullname, use))
        if is_redirect:
            assert use is not None
            loader = RedirectLoader(use)
            loader.spec = ModuleSpec(fullname, loader)  # type: ignore[arg-type]
            return loader.spec
        return None


def redirect_target(rule: Redirect, fullname: str) -> str:
    """The canonical name for *fullname*: ``old.sub`` -> ``new.sub``."""
    return rule.to + fullname[len(rule.module) :]


def warning_text(rule: Rule, fullname: str, use: str | None) -> str:
    if isinstance(rule, Redirect):
        text = f"module {fullname!r} was renamed; import {use!r} instead"
    elif isinstance(rule, Block):
        text = f"module {fullname!r} is retired"
        if use:
            text += f"; use {use!r} instead"
    else:  # pragma: no cover - only import rules reach the finder
        text = f"{fullname!r} is retired"
    if rule.reason:
        text += f" ({rule.reason})"
    return f"{text} [{rule.source}]"


class RedirectLoader:
    """Makes an old module name resolve to the canonical module object itself.

    ``create_module`` imports the canonical module (here, outside the global
    import lock, where importing is safe) and returns it, so ``old is new``
    and the module body runs once, under its own name. The import system then
    stamps the old name's spec onto that object; ``exec_module`` puts the
    canonical spec back, so ``__spec__`` and pickling keep naming the new module.
    """

    def __init__(self, target: str) -> None:
        self.target = target
        self._spec: ModuleSpec | None = None
        #: The old name's spec, which runpy reads ``__file__`` from (see ``get_code``).
        self.spec: ModuleSpec | None = None

    def create_module(self, spec: ModuleSpec) -> ModuleType:
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
        self._spec = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        module.__spec__ = self._spec

    def get_code(self, fullname: str) -> CodeType | None:
        """The canonical module's code, for ``python -m old`` and ``runpy.run_module(old)``.

        runpy finds the old name's spec (the finder has recorded and warned),
        then runs this code as ``__main__``. For a package, that is its
        ``__main__`` module, as ``python -m package`` runs. ``__file__`` is the
        canonical file: the old name's spec borrows its location.
        """
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


_builtin_import = __import__  # the C import: tolerant of circular imports across threads


def _wait_while_another_thread_finds(target: str) -> None:
    """Wait, holding no module lock of *target*, while another thread holds it unpublished.

    Between taking a module's lock and putting the module in ``sys.modules``
    (its finders at work), an importing thread holds a lock we cannot wait on:
    were it then to import the old name from the module's body, the import
    system would see the two threads waiting on each other's lock and fail one
    import with ``_DeadlockError``. So poll until the module is published (or
    the lock is free), then import as above. This reads importlib's lock table
    (``_module_locks``, present in 3.11 to 3.14); without it, nothing is waited for.
    """
    table = getattr(sys.modules.get("importlib._bootstrap"), "_module_locks", None)
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
