"""``install()`` and ``uninstall()``: one active guard, its finder first in ``sys.meta_path``."""

from __future__ import annotations

import sys
from _thread import allocate_lock

from .._base._errors import PreloadedModuleError
from .._base._frames import frame_location, user_frame, warn_at
from .._classes._registry import set_mode as set_registry_mode
from .._config._load import Config, env_mode, resolve_config
from .._report._record import prepare_violation_path, recorder
from .._rules._matcher import ImportMatcher
from .._rules._model import Block, Deprecate, Redirect, Unique, check_mode
from ._finder import SSOTFinder, redirect_target, warning_text

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    import os
    from collections.abc import Sequence
    from types import TracebackType
    from typing import Self

    from .._rules._model import Mode, Rule
    from ._watch import ModuleWatch

_lock = allocate_lock()  # serialises install/uninstall; never taken by an import
_active: Guard | None = None


class Guard:
    """The handle ``install()`` returns. Also a context manager that uninstalls on exit."""

    def __init__(self, config: Config, mode: Mode, modes: dict[int, Mode]) -> None:
        self.config = config
        #: The mode of rules without their own: ``strict``, ``warn`` or ``off``.
        self.mode: Mode = mode
        self._modes = modes
        rules = [r for r in config.rules if isinstance(r, Block | Redirect) and id(r) in modes]
        #: Watchers of [[unique]] / [[deprecate]] modules; imports wrapt only when needed.
        self.watch: ModuleWatch | None = None
        if any(isinstance(r, Unique | Deprecate) and id(r) in modes for r in config.rules):
            from ._watch import build_watch

            self.watch = build_watch(config.rules, modes)
        self.finder: SSOTFinder | None = (
            None
            if not modes and mode == "off"
            else SSOTFinder(ImportMatcher(rules), modes, self.watch)
        )
        self.installed = False

    @property
    def rules(self) -> tuple[Rule, ...]:
        """Every rule this guard was given, including those that are off."""
        return self.config.rules

    def mode_of(self, rule: Rule) -> Mode:
        """The effective mode of *rule* under this guard (``off`` if it does nothing)."""
        return self._modes.get(id(rule), "off")

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
            # Remove by identity: finders that others added since stay where they are.
            sys.meta_path[:] = [f for f in sys.meta_path if f is not self.finder]
        if self.watch is not None:
            self.watch.close()
        if _active is self:
            _active = None
            set_registry_mode(None)

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


def active_guard() -> Guard | None:
    """The installed guard, if any."""
    return _active


def install(
    config: str | os.PathLike[str] | None = None,
    *,
    mode: Mode | None = None,
    rules: Sequence[Rule] | None = None,
) -> Guard:
    """Install the guard, replacing any guard installed before.

    *config* is a TOML file (``pyproject.toml`` is read at ``[tool.ssot_guard]``);
    *rules* adds rules built in Python. With neither, the file named by
    ``SSOT_GUARD_CONFIG`` or the nearest ``pyproject.toml`` with a
    ``[tool.ssot_guard]`` table is used. The mode comes from, strongest first:
    ``SSOT_GUARD_MODE``, a rule's own ``mode``, *mode*, the config's ``mode``,
    then ``"warn"``.
    """
    return _install(config, mode=mode, rules=rules, override=None)


def _install(
    config: str | os.PathLike[str] | None,
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
    global _active
    check_mode(mode, file=None, entry="install()", key="mode")
    forced = override or env_mode()
    resolved = resolve_config(config, rules, check_replacements=check_replacements)
    default: Mode = forced or mode or resolved.mode or "warn"
    modes: dict[int, Mode] = {}
    for rule in resolved.rules:
        effective = forced or rule.mode or default
        if effective != "off":
            modes[id(rule)] = effective
    guard = Guard(resolved, default, modes)
    # Here, not under the import lock where violations are found.
    prepare_violation_path(default == "warn" or "warn" in modes.values())
    frame = user_frame()
    with _lock:
        previous = _active
        if previous is not None:
            previous._remove()
        else:
            recorder.clear()
        try:
            if check_preloaded:
                _check_preloaded(guard, frame)
            if guard.watch is not None:
                # Classes already imported: checked (or, not checking, only remembered).
                guard.watch.check_preloaded(frame, report=check_preloaded)
        except BaseException:  # PreloadedModuleError, or an SSOTWarning under -W error
            if previous is not None:
                _insert(previous)
            raise
        _insert(guard)
    return guard


def _insert(guard: Guard) -> None:
    global _active
    if guard.finder is not None:
        sys.meta_path.insert(0, guard.finder)
    if guard.watch is not None:
        guard.watch.open()  # deprecations reach modules imported before install
    guard.installed = True
    _active = guard
    set_registry_mode(guard.mode)


def uninstall() -> None:
    """Take the active guard out; ``sys.meta_path`` is again what it was. Harmless twice."""
    with _lock:
        if _active is not None:
            _active._remove()


def _check_preloaded(guard: Guard, frame: object) -> None:
    """Record (warn) or refuse (strict) retired modules that are already imported."""
    if guard.finder is None:
        return
    matcher = guard.finder._matcher
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
        use: str | None
        if isinstance(rule, Redirect):
            use = redirect_target(rule, name)
            if module is not None and module is sys.modules.get(use):
                continue  # already an alias made by an earlier guard
        else:
            use = rule.use
        effective = guard.mode_of(rule)
        if effective == "strict":
            refused[name] = f"{rule.source}" + (f"; use {use!r} instead" if use else "")
            continue
        importer, filename, lineno = frame_location(frame)  # type: ignore[arg-type]
        recorder.record(
            "preloaded",
            name,
            rule.source,
            reason=rule.reason,
            replacement=use,
            importer=importer,
            filename=filename,
            lineno=lineno,
            mode=effective,
        )
        warn_at(frame, "imported before install(): " + warning_text(rule, name, use))  # type: ignore[arg-type]
    if refused:
        raise PreloadedModuleError(refused)
