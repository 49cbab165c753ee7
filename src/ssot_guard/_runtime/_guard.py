"""``install()`` and ``uninstall()``: one active guard, its finder first in ``sys.meta_path``."""

from __future__ import annotations

import os
import sys

from .._base import public
from .._base._errors import PreloadedModuleError
from .._base._fork import fork_safe_lock
from .._base._frames import user_frame, warn_at
from .._base._messages import describe
from .._base._modes import effective_mode, env_mode, parse_mode, set_guard_mode
from .._config._load import Config, resolve_config
from .._report._record import record_at, recorder
from .._rules._matcher import ImportMatcher
from .._rules._model import Block, Enforced, Redirect
from ._finder import SSOTFinder

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from types import FrameType, TracebackType
    from typing import Any, NoReturn, Self

    from .._base._modes import Mode
    from .._rules._model import Rule
    from ._callers import Callers
    from ._watch import ModuleHook, ModuleWatch

# Serialises install/uninstall; never taken by an import.
_lock = fork_safe_lock(sys.modules[__name__], "_lock")
_active: Guard | None = None


@public
class Guard:
    """The handle ``install()`` returns. Also a context manager that uninstalls on exit."""

    def __init__(self, config: Config, mode: Mode, enforced: Sequence[Enforced]) -> None:
        self.config = config
        #: The mode of rules without their own: ``strict``, ``warn`` or ``off``.
        self.mode: Mode = mode
        #: Each rule that is not off, with its effective mode.
        self.enforced = tuple(enforced)
        imports = [e for e in self.enforced if isinstance(e.rule, Block | Redirect)]
        #: Watchers of [[unique]] / [[deprecate]] modules; imports wrapt only when needed.
        self.watch: ModuleWatch | None = None
        if len(imports) < len(self.enforced):
            self.watch = _build_watch(self.enforced)
        matcher = ImportMatcher([e.rule for e in imports], [e.mode for e in imports])  # type: ignore[misc]
        #: Sees every later importer of the retired modules that warn mode lets through.
        self.callers: Callers | None = None
        if any(isinstance(e.rule, Block) and e.mode == "warn" for e in imports):
            from ._callers import Callers  # only for warn-mode block rules (start-up time)

            self.callers = Callers(matcher)
        self.finder: SSOTFinder | None = (
            None
            if not self.enforced and mode == "off"
            else SSOTFinder(matcher, self.watch, self.callers)
        )
        self.installed = False

    def __reduce__(self) -> NoReturn:
        # pickle and copy: a twin would share this guard's finder, and its uninstall()
        # would take out the finder of the original, which would still say installed.
        raise TypeError(
            "a Guard cannot be copied or pickled: it is the import guard installed in this "
            "process; pass its configuration (guard.config, or guard.rules) instead"
        )

    @property
    def rules(self) -> tuple[Rule, ...]:
        """Every rule this guard was given, including those that are off."""
        return self.config.rules

    def mode_of(self, rule: Rule) -> Mode:
        """The effective mode of *rule* under this guard (``off`` if it does nothing)."""
        for item in self.enforced:
            if item.rule is rule:
                return item.mode
        return "off"

    def uninstall(self) -> None:
        """Take this guard out; harmless if it is not installed."""
        with _lock:
            self._remove()

    def _remove(self) -> None:
        global _active
        if not self.installed:
            return
        self.installed = False
        if self.finder is not None:
            remove_finder(self.finder)
        if self.watch is not None:
            self.watch.close()
        if self.callers is not None:
            self.callers.close()  # after the watch: a deprecation's module type sits on ours
        if _active is self:
            _active = None
            set_guard_mode(None)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.uninstall()

    def __repr__(self) -> str:
        state = "installed" if self.installed else "not installed"
        return f"<ssot_guard.Guard mode={self.mode!r} rules={len(self.rules)} {state}>"


def _build_watch(enforced: Sequence[Enforced]) -> ModuleWatch | None:
    """The watch for the ``Unique`` and ``Deprecate`` rules among *enforced*, if any.

    Built here, not in ``_watch``: the hooks' modules import ``_watch`` themselves.
    """
    from .._rules._model import Deprecate, Unique
    from ._watch import ModuleWatch

    unique = [e for e in enforced if isinstance(e.rule, Unique)]
    deprecate = [e for e in enforced if isinstance(e.rule, Deprecate)]
    hooks: list[ModuleHook] = []
    if unique:
        from .._classes._unique import UniqueHook

        hooks.append(UniqueHook(unique))
    if deprecate:
        from ._deprecate import DeprecationHook  # imports wrapt: only for these rules

        hooks.append(DeprecationHook(deprecate))
    return ModuleWatch(hooks) if hooks else None


def remove_finder(finder: object) -> None:
    """Take *finder* out of ``sys.meta_path`` (by identity: ``list.remove`` uses ``==``,
    which a foreign finder may define); nothing else changes.

    The import system walks the live list (``for finder in sys.meta_path`` in
    ``importlib._bootstrap._find_spec``) with an iterator, which is an index.
    Deleting in place shifts the finders after the deleted one a slot to the left,
    and another thread whose walk is past that slot skips one: a skipped
    ``PathFinder`` is a ``ModuleNotFoundError`` for a module that exists. So
    ``sys.meta_path`` is bound to a new list instead, and a walk under way goes on
    over the old one, unchanged. (``insert(0, ...)`` in place is harmless: a walk
    under way meets one finder twice.)
    """
    _rebind(lambda finders: [f for f in finders if f is not finder])


def put_first(finder: object) -> None:
    """*finder* at the front of ``sys.meta_path``, once; the others keep their order.

    A new list, as in :func:`remove_finder`.
    """
    _rebind(lambda finders: [finder, *(f for f in finders if f is not finder)])


def _rebind(derive: Callable[[list[Any]], list[Any]]) -> None:
    old = sys.meta_path
    seen: list[Any] = list(old)
    new = derive(seen)
    if _same(new, seen):
        return
    while True:
        sys.meta_path = new
        # A thread that read ``sys.meta_path`` just before the line above may still
        # change the old list (add or remove a finder): derived again, so that its
        # change is not lost. The old list is stable once no such thread is left.
        now = list(old)
        if _same(now, seen):
            return
        seen = now
        new = derive(now)


def _same(a: list[Any], b: list[Any]) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))


@public
def active_guard() -> Guard | None:
    """The installed guard, if any."""
    return _active


@public
def install(
    config: Config | str | os.PathLike[str] | None = None,
    *,
    mode: Mode | None = None,
    rules: Sequence[Rule] | None = None,
) -> Guard:
    """Install the guard, replacing any guard installed before.

    *config* is a TOML file (``pyproject.toml`` is read at ``[tool.ssot_guard]``),
    or the ``Config`` that ``load_config()`` returned;
    *rules* adds rules built in Python. With neither, the file named by
    ``SSOT_GUARD_CONFIG`` or the nearest ``pyproject.toml`` with a
    ``[tool.ssot_guard]`` table is used. The mode comes from, strongest first:
    ``SSOT_GUARD_MODE``, a rule's own ``mode``, *mode*, the config's ``mode``,
    then ``"warn"``.
    """
    __tracebackhide__ = True  # pytest shows the user's line, not ours
    return swap_guard(config, mode=mode, rules=rules, override=None)


def swap_guard(
    config: Config | str | os.PathLike[str] | None,
    *,
    mode: Mode | None,
    rules: Sequence[Rule] | None,
    override: Mode | None,
    check_preloaded: bool = True,
    check_replacements: bool = True,
) -> Guard:
    """``install()`` with an *override* mode that beats even ``SSOT_GUARD_MODE``.

    The pytest plugin passes its command-line option and markers as *override*,
    and, when it swaps guards for one test, ``check_preloaded=False`` (modules
    imported earlier in the session were judged when they were imported) and
    ``check_replacements=False`` (a test may block what the config points to).
    """
    __tracebackhide__ = True  # pytest shows the user's line, not ours
    install_mode = parse_mode(mode, entry="install()", blank_is_unset=False)
    forced = override or env_mode()
    resolved = resolve_config(config, rules, check_replacements=check_replacements)
    enforced = []
    for rule in resolved.rules:
        effective = effective_mode(
            forced=forced, rule=rule.mode, install=install_mode, config=resolved.mode
        )
        if effective != "off":
            enforced.append(Enforced(rule, effective))
    default = effective_mode(forced=forced, install=install_mode, config=resolved.mode)
    guard = Guard(resolved, default, enforced)
    _configure_reporting(resolved.telemetry, resolved.path)
    frame = user_frame()
    if _active is None:
        recorder.clear()  # a first guard starts a fresh record
    # Modules imported before install() are judged before the swap and outside
    # _lock: recording one calls on_violation callbacks, which may install or
    # uninstall (and a strict refusal leaves the previous guard untouched).
    if check_preloaded:
        _check_preloaded(guard, frame)
    if guard.watch is not None:
        # Classes already imported: checked (or, not checking, only remembered).
        guard.watch.check_preloaded(frame, report=check_preloaded)
    with _lock:
        if _active is not None:
            _active._remove()
        _insert(guard)
    return guard


def _configure_reporting(telemetry: str | None, file: str | None) -> None:
    """``SSOT_GUARD_RECORD`` and OpenTelemetry, each imported only when asked for (or to stop).

    Here, outside the import lock: a bad value fails ``install()``, not a violation.
    """
    if os.environ.get("SSOT_GUARD_RECORD") or "ssot_guard._report._jsonl" in sys.modules:
        from .._report._jsonl import subscribe_from_env

        subscribe_from_env()
    if (
        telemetry
        or os.environ.get("SSOT_GUARD_TELEMETRY")
        or "ssot_guard._report._otel" in sys.modules
    ):
        from .._report._otel import configure

        configure(telemetry, file)  # imports OpenTelemetry here, never in find_spec


def _insert(guard: Guard) -> None:
    global _active
    if guard.finder is not None:
        sys.meta_path.insert(0, guard.finder)
    if guard.callers is not None:
        guard.callers.open()  # before the watch: a deprecation's module type goes on top
    if guard.watch is not None:
        guard.watch.open()  # deprecations reach modules imported before install
    guard.installed = True
    _active = guard
    set_guard_mode(guard.mode)


@public
def uninstall() -> None:
    """Take the active guard out; ``sys.meta_path`` is again what it was. Harmless twice."""
    with _lock:
        if _active is not None:
            _active._remove()


def _check_preloaded(guard: Guard, frame: FrameType | None) -> None:
    """Record (warn) or refuse (strict) retired modules that are already imported."""
    __tracebackhide__ = True  # pytest shows the user's line, not ours
    if guard.finder is None:
        return
    matcher = guard.finder.matcher
    if not matcher:
        return
    refused: dict[str, str] = {}
    for name, module in list(sys.modules.items()):
        # None marks a name whose import is refused (sys.modules["x"] = None): not imported.
        if module is None or not matcher.may_match(name):
            continue
        entry = matcher.match(name)
        if entry is None:
            continue
        rule = entry.rule
        use = rule.replacement_for(name)
        if isinstance(rule, Redirect) and module is sys.modules.get(use):  # type: ignore[arg-type]
            continue  # already an alias made by an earlier guard
        if entry.mode == "strict":
            refused[name] = rule.source + (f"; use {use!r} instead" if use else "")
            continue
        record_at(
            frame,
            "preloaded",
            name,
            rule.source,
            reason=rule.reason,
            replacement=use,
            mode=entry.mode,
        )
        warn_at(frame, describe("preloaded", name, use=use, reason=rule.reason, rule=rule.source))
    if refused:
        raise PreloadedModuleError(refused)


# -- seams for the pytest plugin, ssot_guard.testing and the test suite ---------------------------
# They change or read the guard only through these (and swap_guard above), never through
# _lock, _active or the finder.


def reinstate(guard: Guard | None) -> None:
    """Make *guard*, installed once before, the active guard again; ``None``: no guard."""
    with _lock:
        current = _active
        if current is not None and current is not guard:
            current._remove()
        if guard is not None and not guard.installed:
            _insert(guard)


def rule_for(name: str, guard: Guard | None = None) -> tuple[Rule, Mode, tuple[str, ...]] | None:
    """The import rule of *guard* (default: the active one) covering module *name*.

    ``(rule, effective mode, allowed importers)``, or ``None`` if no rule that is
    on covers it. Off the hot path: for reports and test helpers.
    """
    guard = guard if guard is not None else _active
    finder = guard.finder if guard is not None else None
    if guard is None or finder is None:
        return None
    matcher = finder.matcher
    entry = matcher.match(name) if matcher.may_match(name) else None
    if entry is None:
        return None
    importers = tuple(entry.importers.entries) if entry.importers else ()
    return entry.rule, entry.mode, importers
