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
from _thread import get_ident

try:  # CPython: the import system's own module, loaded already (start-up time)
    from _frozen_importlib import ModuleSpec
except ImportError:  # pragma: no cover - another Python
    from importlib.machinery import ModuleSpec

from .._base._errors import BlockedImportError
from .._base._frames import (
    SKIPPED,
    frame_location,
    show_unless_importing,
    user_frame,
    warning_at,
)
from .._base._messages import describe
from .._report._record import record_at
from .._rules._model import Redirect
from ._on_behalf import hand_over
from ._redirect import RedirectLoader

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import FrameType, ModuleType

    from .._rules._matcher import ChildScreen, ImportMatcher
    from ._callers import Callers
    from ._watch import ModuleWatch


class SSOTFinder:
    """Blocks, warns on, or redirects imports of retired modules."""

    def __init__(
        self,
        matcher: ImportMatcher,
        watch: ModuleWatch | None = None,
        callers: Callers | None = None,
    ) -> None:
        #: The rules, compiled; each entry carries its rule's effective mode.
        self.matcher = matcher
        # Modules whose loaders we wrap ([[unique]] within, [[deprecate]] modules).
        self._watch = watch
        # Retired modules let through in warn mode: their later importers are seen too.
        self._callers = callers
        # Fast-path state, copied out of the matcher so find_spec reads plain attributes.
        # Watched packages share the one set: names no rule touches stay one lookup.
        self._tops = matcher.tops | watch.tops if watch is not None else matcher.tops
        self._everything = bool(matcher.unanchored)
        # Package -> which modules inside it some rule could match (see ChildScreen).
        self._screens: dict[str, ChildScreen | frozenset[str]] = {}
        #: ``(thread, name)`` of each search our loaders' ``later_spec`` is making.
        self._asking: set[tuple[int, str]] = set()

    def __repr__(self) -> str:
        return f"<ssot_guard finder, {len(self.matcher)} rules>"

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None = None,
        target: ModuleType | None = None,
    ) -> ModuleSpec | None:
        if fullname.partition(".")[0] not in self._tops and not self._everything:
            return None
        if self._asking and (get_ident(), fullname) in self._asking:
            # A finder after ours asks the import system again for the name we are
            # asking it about (wrapt's post-import hooks do): the outer search has
            # judged the import; this one only watches, as for an allowed importer.
            return self._watch_only(fullname, path, target)
        __tracebackhide__ = True  # pytest shows the user's line, not ours
        package, _, last = fullname.rpartition(".")
        screen = self._screens.get(package)
        if screen is None:
            # First import inside this package: the screen is built once and reused.
            # No lock: two threads racing here store equal screens.
            screen = self._screens[package] = self.matcher.screen(package)
        spec = self._check(fullname, path, target) if last in screen else None
        if spec is None and self._watch is not None:
            return self._watch.find_spec(self, fullname, path, target)  # None if unwatched
        return spec

    def _watch_only(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None
    ) -> ModuleSpec | None:
        entry = self.matcher.match(fullname) if self.matcher.may_match(fullname) else None
        if entry is not None and self._callers is not None and not isinstance(entry.rule, Redirect):
            return self._callers.find_spec(self, self._watch, fullname, path, target)
        if self._watch is not None:
            return self._watch.find_spec(self, fullname, path, target)
        return None

    def _check(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        __tracebackhide__ = True  # pytest shows the user's line, not ours
        entry = self.matcher.match(fullname)
        if entry is None:
            return None
        rule = entry.rule
        asked = _asked_from(sys._getframe(2), fullname)  # _check, find_spec, its caller
        frame = user_frame(asked)
        importer = frame_location(frame)[0]
        if importer is not None and (
            # A retired package may import its own parts once it is loaded
            # (through allow_importers, or before the guard was installed).
            entry.importers.contains(importer) or entry.covers(importer)
        ):
            if self._callers is not None and not isinstance(rule, Redirect):
                # Loaded for an allowed importer: later importers are still callers.
                return self._callers.find_spec(self, self._watch, fullname, path, target)
            return None
        mode = entry.mode
        kind = "redirect" if isinstance(rule, Redirect) else "import"
        use = rule.replacement_for(fullname)
        record_at(
            frame, kind, fullname, rule.source, reason=rule.reason, replacement=use, mode=mode
        )
        if mode == "strict":
            error = BlockedImportError(fullname, reason=rule.reason, use=use, rule=rule.source)
            hand_over(fullname, error, asked)  # pkgutil.resolve_name would swallow it
            raise error
        # Warn mode: the warning goes to our loader, which shows it once find_spec
        # has returned (showing one may import; see _base._frames).
        pending = warning_at(
            frame, describe(kind, fullname, use=use, reason=rule.reason, rule=rule.source)
        )
        if kind == "redirect":
            assert use is not None
            loader = RedirectLoader(use, pending)
            loader.spec = ModuleSpec(fullname, loader)  # type: ignore[arg-type]
            return loader.spec
        if self._callers is not None:  # a guard with a warn-mode block has one
            return self._callers.find_spec(self, self._watch, fullname, path, target, pending)
        show_unless_importing(pending)
        return None


def _asked_from(caller: FrameType, fullname: str) -> FrameType:
    """Where to look for the importer of *fullname* from, given the frame that called ``find_spec``.

    Normally importlib's ``_find_spec``, and nothing changes. A finder placed
    before ours may ask the finders after it for the same name itself: directly
    (the ``ssot_allow`` finder, some import hooks) or through
    ``importlib.util.find_spec`` (wrapt's post-import hooks, which OpenTelemetry
    and APM instrumentations register). Its own line is no importer: the import
    statement is outside the ``_find_spec`` that asked that finder. A finder
    importing another name for itself stays the importer of that one.
    """
    start = caller
    frame: FrameType | None = caller
    while True:
        while frame is not None and frame.f_code.co_filename.startswith(SKIPPED):
            frame = frame.f_back  # importlib's frames (importlib.util.find_spec) and ours
        asked = frame.f_back if frame is not None else None
        if (
            asked is None
            or asked.f_code.co_name != "_find_spec"
            or asked.f_code.co_filename != _BOOTSTRAP
            or asked.f_locals.get("name") != fullname
        ):
            return start
        start = frame = asked  # *frame* is a finder the import system asked for this name


_BOOTSTRAP = "<frozen importlib._bootstrap>"
