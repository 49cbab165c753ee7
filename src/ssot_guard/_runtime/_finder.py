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

from importlib.machinery import ModuleSpec

from .._base._errors import BlockedImportError
from .._base._frames import frame_location, user_frame, warn_at
from .._report._record import recorder
from .._rules._model import Block, Redirect
from ._on_behalf import hand_over
from ._redirect import RedirectLoader

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import ModuleType

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
