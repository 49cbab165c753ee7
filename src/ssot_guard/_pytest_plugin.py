"""The pytest plugin: ``[tool.ssot_guard]`` enforced in every test run.

Registered as the ``pytest11`` entry point ``ssot_guard`` (``-p no:ssot_guard``
turns it off). With no configuration and no option it does nothing at all.

The guard is installed from ``pytest_load_initial_conftests`` (tryfirst), after
pytest has put its assertion rewriter into ``sys.meta_path`` and before any
``conftest.py`` is imported, so conftests and collection are guarded and our
finder is first. Every violation is seen through ``recorder.callbacks`` at the
moment it is recorded, while the importing frame is still on the stack: that
is where a violation is classified as *expected* (provoked by the body of the
running test, or by an ``ssot_guard.testing`` helper) or *unexpected*.
"""

from __future__ import annotations

import contextlib
import inspect
import os
import sys
import threading
import warnings
from typing import TYPE_CHECKING, Any, Final

import pytest

from . import testing
from ._base._errors import ConfigError, PreloadedModuleError, SSOTWarning
from ._base._frames import user_frame
from ._classes import _registry
from ._config._load import CONFIG_ENV, MODE_ENV, discover_config, env_mode, load_config
from ._report._record import _KIND_TEXT, Violation, recorder
from ._rules._glob import NameSet, glob_error
from ._rules._model import MODES, Block, Redirect, Unique
from ._runtime import _guard
from ._runtime._finder import SSOTFinder
from .testing import ViolationLog

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterable, Sequence
    from importlib.machinery import ModuleSpec
    from types import CodeType, ModuleType

    from ._rules._model import Mode, Rule
    from ._runtime._guard import Guard

__all__ = ["GuardFixture"]

_Key = tuple[str, str, str, str | None, int | None, bool]

_RULE_FIELDS: Final = ("kind", "name", "rule", "reason", "replacement", "importer")


# -- options -------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ssot_guard", "ssot_guard: one source of truth")
    group.addoption(
        "--ssot-mode",
        choices=MODES,
        default=None,
        help="Mode for this run: strict (violations raise), warn, off. "
        "Beats the config, the ssot_mode ini key and SSOT_GUARD_MODE.",
    )
    group.addoption(
        "--ssot-config",
        default=None,
        metavar="PATH",
        help="TOML file with the [tool.ssot_guard] rules (default: ssot_config, "
        "SSOT_GUARD_CONFIG, else the nearest pyproject.toml with a [tool.ssot_guard] table).",
    )
    group.addoption(
        "--ssot-fail-on-violation",
        action="store_true",
        default=None,
        help="Exit non-zero when an unexpected violation was recorded "
        "(such as a blocked import swallowed by try/except ImportError).",
    )
    parser.addini("ssot_mode", "ssot_guard mode: strict, warn or off (beats the config's mode)")
    parser.addini("ssot_config", "ssot_guard config file, relative to the ini file", type="string")
    parser.addini(
        "ssot_fail_on_violation",
        "Exit non-zero when an unexpected ssot_guard violation was recorded",
        type="bool",
        default=False,
    )


# -- session state -------------------------------------------------------------


class _Seen:
    """One violation as the session saw it: where, how often, expected or not."""

    __slots__ = ("count", "expected", "fields")

    def __init__(self, fields: dict[str, Any], expected: bool, count: int) -> None:
        self.fields = fields
        self.expected = expected
        self.count = count

    def as_dict(self) -> dict[str, Any]:
        return {**self.fields, "count": self.count, "expected": self.expected}


class _Session:
    """The plugin's state for one pytest run, kept in ``config.stash``."""

    def __init__(
        self,
        config_path: str | None,
        file_mode: Mode | None,
        ini_mode: Mode | None,
        option_mode: Mode | None,
        fail_on_violation: bool,
    ) -> None:
        self.config_path = config_path
        self.file_mode = file_mode
        self.ini_mode = ini_mode
        self.option_mode = option_mode
        self.fail_on_violation = fail_on_violation
        self.mode: Mode = "warn"
        self.mode_source = "default"
        self.rules: tuple[Rule, ...] = ()
        self.guard: Guard | None = None
        self.test_code: CodeType | None = None
        self.seen: dict[_Key, _Seen] = {}
        self.failed_because: str | None = None
        self._lock = threading.Lock()
        self._previous_guard: Guard | None = None
        self._previous_record: list[Violation] = []
        self._suspended: list[Callable[[Violation], object]] = []

    # Installing and restoring.

    def resolve_mode(self) -> None:
        """The mode in force and where it comes from, weakest first."""
        if self.file_mode is not None:
            self.mode, self.mode_source = self.file_mode, "config file"
        if self.ini_mode is not None:
            self.mode, self.mode_source = self.ini_mode, "ini ssot_mode"
        environment = env_mode()
        if environment is not None:
            self.mode, self.mode_source = environment, MODE_ENV
        if self.option_mode is not None:
            self.mode, self.mode_source = self.option_mode, "--ssot-mode"

    def start(self) -> None:
        self._previous_guard = _guard.active_guard()
        self._previous_record = recorder.snapshot()
        # A run inside a run (pytester): the outer session does not see the inner one's imports.
        self._suspended = [c for c in recorder.callbacks if isinstance(_owner(c), _Session)]
        for callback in self._suspended:
            recorder.callbacks.remove(callback)
        recorder.callbacks.append(self.on_violation)
        try:
            # Retired modules imported before pytest loaded us are recorded as
            # violations (shown in the summary); their warnings would only repeat that.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SSOTWarning)
                self.guard = _guard._install(
                    self.config_path,
                    mode=self.ini_mode,
                    rules=None if self.config_path else (),
                    override=self.option_mode,
                )
        except BaseException:
            self._unhook()
            raise
        self.rules = self.guard.rules

    def stop(self) -> None:
        self._unhook()
        current = _guard.active_guard()
        if current is not None and current is not self._previous_guard:
            current.uninstall()
        if self._previous_guard is not None and not self._previous_guard.installed:
            _reinstate(self._previous_guard)
        recorder.restore(self._previous_record)

    def _unhook(self) -> None:
        if self.on_violation in recorder.callbacks:
            recorder.callbacks.remove(self.on_violation)
        recorder.callbacks.extend(self._suspended)
        self._suspended = []

    def keep_first(self) -> None:
        """Put the session's finder back in front if something was inserted before it."""
        finder = self.guard.finder if self.guard is not None else None
        if finder is not None and sys.meta_path[:1] != [finder] and finder in sys.meta_path:
            sys.meta_path.remove(finder)
            sys.meta_path.insert(0, finder)

    # Violations.

    def on_violation(self, violation: Violation) -> None:
        """Called by the recorder inside the import (or class statement) that did it."""
        frame = user_frame(sys._getframe(1))
        expected = frame is not None and (
            frame.f_code is self.test_code or frame is testing.provoking_frame.get()
        )
        self.add(
            {field: getattr(violation, field) for field in (*_RULE_FIELDS, "filename", "lineno")}
            | {"mode": violation.mode},
            expected,
            1,
        )

    def add(self, fields: dict[str, Any], expected: bool, count: int) -> None:
        key: _Key = (
            fields["kind"],
            fields["name"],
            fields["rule"],
            fields["filename"],
            fields["lineno"],
            expected,
        )
        with self._lock:
            seen = self.seen.get(key)
            if seen is None:
                self.seen[key] = _Seen(fields, expected, count)
            else:
                seen.count += count
                seen.fields["mode"] = fields["mode"]

    def unexpected(self) -> list[_Seen]:
        return [s for s in self.seen.values() if not s.expected]


def _owner(callback: object) -> object:
    return getattr(callback, "__self__", None)


_SESSION = pytest.StashKey[_Session]()
_SCOPE = pytest.StashKey["_TestScope"]()


def _reinstate(guard: Guard) -> None:
    """Make *guard* (a Guard object that was installed before) the active guard again."""
    with _guard._lock:
        current = _guard._active
        if current is not None and current is not guard:
            current._remove()
        if not guard.installed:
            _guard._insert(guard)


def _settings(config: pytest.Config) -> _Session | None:
    """What the options, ini keys and environment ask for; ``None``: nothing to do."""
    ns = config.known_args_namespace
    if getattr(ns, "help", False) or getattr(ns, "version", False):
        return None  # --help and --version work whatever the config says
    option_mode: Mode | None = getattr(ns, "ssot_mode", None)
    option_config: str | None = getattr(ns, "ssot_config", None)
    option_fail: bool | None = getattr(ns, "ssot_fail_on_violation", None)
    ini_mode_text = str(config.getini("ssot_mode") or "").strip()
    ini_config = str(config.getini("ssot_config") or "").strip()
    ini_fail = bool(config.getini("ssot_fail_on_violation"))
    ini_mode: Mode | None = None
    if ini_mode_text:
        if ini_mode_text.lower() not in MODES:
            raise ConfigError(
                f"unknown mode {ini_mode_text!r}; allowed: {', '.join(repr(m) for m in MODES)}",
                file=str(config.inipath) if config.inipath else "ini file",
                key="ssot_mode",
            )
        ini_mode = ini_mode_text.lower()  # type: ignore[assignment]
    base = config.inipath.parent if config.inipath is not None else config.rootpath
    path: str | None
    if option_config:
        path = str(config.invocation_params.dir / option_config)
    elif os.environ.get(CONFIG_ENV, "").strip():
        path = discover_config()
    elif ini_config:
        path = str(base / ini_config)
    else:
        path = discover_config(config.rootpath)
    fail = option_fail if option_fail is not None else ini_fail
    if path is None and option_mode is None and ini_mode is None and not fail:
        return None
    # Read now: a broken file is reported before anything is installed.
    file_mode = load_config(path).mode if path is not None else None
    return _Session(path, file_mode, ini_mode, option_mode, fail)


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    try:
        session = _settings(early_config)
        if session is None:
            return
        session.resolve_mode()
        session.start()
    except ConfigError as error:
        raise pytest.UsageError(f"ssot_guard: {error}") from None
    except PreloadedModuleError as error:
        raise pytest.UsageError(str(error)) from None
    early_config.stash[_SESSION] = session
    early_config.add_cleanup(session.stop)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "ssot_allow(*names): the named modules (and submodules; globs allowed) may be "
        "imported and the named classes defined in this test despite ssot_guard's rules; "
        "modules let in leave sys.modules afterwards.",
    )
    config.addinivalue_line(
        "markers",
        "ssot_mode(mode): run this test with ssot_guard in mode strict, warn or off "
        "(beats --ssot-mode and SSOT_GUARD_MODE).",
    )


def pytest_report_header(config: pytest.Config) -> str | None:
    session = config.stash.get(_SESSION, None)
    if session is None:
        return None
    where = _relative(config, session.config_path) if session.config_path else "none"
    own = sum(1 for r in session.rules if r.mode is not None and r.mode != session.mode)
    forced = session.mode_source in ("--ssot-mode", MODE_ENV)
    note = f", {own} with a mode of their own" if own and not forced else ""
    rules = f"{len(session.rules)} rule{'s' if len(session.rules) != 1 else ''}{note}"
    return f"ssot_guard: mode {session.mode} (from {session.mode_source}), config {where}, {rules}"


# -- per test -------------------------------------------------------------------


class _AllowFinder:
    """Lets the names of an ``ssot_allow`` marker past every ssot_guard finder.

    It sits in front of ``sys.meta_path`` for one test and asks the finders
    behind it, skipping ours, so an allowed module loads as if no guard existed.
    """

    def __init__(self, names: NameSet) -> None:
        self.names = names
        self.let_in: list[str] = []

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if not self.names.contains(fullname):
            return None
        for finder in list(sys.meta_path):
            if finder is self or isinstance(finder, SSOTFinder):
                continue
            find_spec = getattr(finder, "find_spec", None)
            spec = find_spec(fullname, path, target) if find_spec is not None else None
            if spec is not None:
                self.let_in.append(fullname)
                return spec  # type: ignore[no-any-return]
        return None


class _TestScope:
    """What one test changes (marker mode, allowances, fixture rules), undone at teardown."""

    def __init__(self, session: _Session | None) -> None:
        self.session = session
        self.base = _guard.active_guard()
        self.override: Mode | None = None
        self.extra: list[Rule] = []
        self.guard: Guard | None = None
        self.allow: _AllowFinder | None = None
        self._record: list[Violation] | None = None
        self._modules: set[str] | None = None  # sys.modules before this test changed the guard
        self._defining: set[str] | None = None  # sys.modules before an ssot_allow
        self.allowed_classes: frozenset[str] = frozenset()
        self._registry = _registry.registry_snapshot()

    def set_mode(self, mode: Mode) -> None:
        self.override = mode
        self.apply()

    def add_rules(self, rules: Iterable[Rule]) -> Guard:
        self.extra.extend(rules)
        return self.apply()

    def allow_names(self, names: Sequence[str]) -> None:
        self.allow = _AllowFinder(NameSet(names))
        sys.meta_path.insert(0, self.allow)
        # Free the class keys: a class of that name defined in this test is then
        # the first one; the registry snapshot puts the old entry back at teardown.
        _registry.forget_keys(names)
        self.allowed_classes = frozenset(names)
        self._defining = set(sys.modules)
        base = self.base
        if base is not None and any(
            isinstance(r, Unique) and r.name in self.allowed_classes for r in base.rules
        ):
            self.apply()  # without the [[unique]] rules of those classes

    def apply(self) -> Guard:
        """Install a guard for this test: the base guard's rules, plus ours, in our mode."""
        base = self.base
        rules = (*base.config.rules, *self.extra) if base is not None else tuple(self.extra)
        if self.allowed_classes:
            rules = tuple(
                r for r in rules if not (isinstance(r, Unique) and r.name in self.allowed_classes)
            )
        override = self.override or (self.session.option_mode if self.session else None)
        if base is None and self._record is None:
            self._record = recorder.snapshot()  # installing over no guard clears the record
        if self._modules is None:
            self._modules = set(sys.modules)
        self.guard = _guard._install(
            None,
            mode=base.mode if base is not None else None,
            rules=rules,
            override=override,
            check_preloaded=False,
            check_replacements=False,
        )
        if self.allow is not None:  # the allowance stays in front of the new finder
            sys.meta_path.remove(self.allow)
            sys.meta_path.insert(0, self.allow)
        return self.guard

    def close(self) -> None:
        try:
            if self.allow is not None:
                if self.allow in sys.meta_path:
                    sys.meta_path.remove(self.allow)
                _purge(self.allow.let_in)
            if self._modules is not None:
                _purge(self._retired_since(self._modules))
            if self._defining is not None:
                _purge(self._defining_since(self._defining))
            if self.guard is not None or self.session is not None:
                current = _guard.active_guard()
                if current is not self.base:
                    if current is not None:
                        current.uninstall()
                    if self.base is not None:
                        _reinstate(self.base)
            if self._record is not None:
                recorder.restore(self._record)
        finally:
            self._registry.restore()

    def _defining_since(self, before: set[str]) -> list[str]:
        """Modules imported during this test that define a class the test was allowed."""
        found = []
        for name in set(sys.modules) - before:
            namespace = getattr(sys.modules.get(name), "__dict__", None) or {}
            if any(
                isinstance(namespace.get(key), type) and namespace[key].__module__ == name
                for key in self.allowed_classes
            ):
                found.append(name)
        return sorted(found)

    def _retired_since(self, before: set[str]) -> list[str]:
        """Modules imported during this test that the guard outside it would refuse."""
        base = self.base
        finder = base.finder if base is not None else None
        if finder is None:
            return []
        matcher = finder._matcher
        return sorted(
            name
            for name in set(sys.modules) - before
            if matcher.may_match(name) and matcher.match(name) is not None
        )


def _purge(names: Sequence[str]) -> None:
    """Take modules an allowance let in out of ``sys.modules`` and their parents."""
    for name in reversed(names):
        module = sys.modules.pop(name, None)
        parent_name, _, child = name.rpartition(".")
        parent = sys.modules.get(parent_name) if parent_name else None
        if module is not None and parent is not None and getattr(parent, child, None) is module:
            with contextlib.suppress(AttributeError):
                delattr(parent, child)


def _marker_names(item: pytest.Item) -> list[str]:
    names: list[str] = []
    for marker in item.iter_markers("ssot_allow"):
        if not marker.args:
            pytest.fail("ssot_allow: name at least one module or class", pytrace=False)
        for name in marker.args:
            error = glob_error(name) if isinstance(name, str) else f"{name!r} is not a string"
            if error is not None:
                pytest.fail(
                    f"ssot_allow: {error}; allowed: module names, globs and class names",
                    pytrace=False,
                )
            names.append(name)
    return names


def _marker_mode(item: pytest.Item) -> Mode | None:
    marker = item.get_closest_marker("ssot_mode")
    if marker is None:
        return None
    mode = marker.args[0] if len(marker.args) == 1 and not marker.kwargs else None
    if mode not in MODES:
        pytest.fail(
            f"ssot_mode: expected one of {', '.join(repr(m) for m in MODES)}, "
            f"got {marker.args or marker.kwargs}",
            pytrace=False,
        )
    return mode  # type: ignore[no-any-return]


def _scope(item: pytest.Item) -> _TestScope:
    scope = item.stash.get(_SCOPE, None)
    if scope is None:
        scope = item.stash[_SCOPE] = _TestScope(item.config.stash.get(_SESSION, None))
    return scope


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    session = item.config.stash.get(_SESSION, None)
    if session is not None:
        session.keep_first()
    names = _marker_names(item)
    mode = _marker_mode(item)
    if session is None and not names and mode is None:
        return
    scope = _scope(item)
    if mode is not None:
        scope.override = mode
        if scope.base is not None:
            scope.apply()
    if names:
        scope.allow_names(names)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    session = item.config.stash.get(_SESSION, None)
    if session is None:
        return (yield)
    session.test_code = _test_code(item)
    try:
        return (yield)
    finally:
        session.test_code = None


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, object, object]:
    try:
        return (yield)
    finally:
        scope = item.stash.get(_SCOPE, None)
        if scope is not None:
            del item.stash[_SCOPE]
            scope.close()


def pytest_collectstart(collector: pytest.Collector) -> None:
    session = collector.config.stash.get(_SESSION, None)
    if session is not None:
        session.keep_first()


def _test_code(item: pytest.Item) -> CodeType | None:
    function = getattr(item, "function", None)
    if function is None:
        return None
    if hasattr(function, "__wrapped__"):  # a decorated test: its body is the innermost code
        with contextlib.suppress(ValueError):
            function = inspect.unwrap(function)
    return getattr(function, "__code__", None)


# -- fixtures -------------------------------------------------------------------


class GuardFixture:
    """The ``ssot_guard`` fixture: rules and a mode for one test, restored after it."""

    def __init__(self, scope: _TestScope) -> None:
        self._scope = scope

    @property
    def guard(self) -> Guard | None:
        """The guard in force now."""
        return _guard.active_guard()

    def add(self, *rules: Rule) -> Guard:
        """Add rule objects (``ssot_guard.Block(...)``, ...) for this test; returns the guard."""
        return self._scope.add_rules(rules)

    def block(
        self,
        module: str | None = None,
        *,
        pattern: str | None = None,
        use: str | None = None,
        reason: str | None = None,
        allow: Iterable[str] = (),
        allow_importers: Iterable[str] = (),
        mode: Mode | None = None,
    ) -> Guard:
        """Add a ``Block`` rule for this test."""
        return self.add(
            Block(
                module,
                pattern=pattern,
                use=use,
                reason=reason,
                allow=allow,
                allow_importers=allow_importers,
                mode=mode,
            )
        )

    def redirect(
        self, module: str, to: str, *, reason: str | None = None, mode: Mode | None = None
    ) -> Guard:
        """Add a ``Redirect`` rule for this test."""
        return self.add(Redirect(module, to, reason=reason, mode=mode))

    def set_mode(self, mode: Mode) -> Guard:
        """Run the rest of this test in *mode* (as the ``ssot_mode`` marker does)."""
        if mode not in MODES:
            raise ConfigError(
                f"unknown mode {mode!r}; allowed: {', '.join(repr(m) for m in MODES)}",
                entry="ssot_guard.set_mode()",
            )
        self._scope.override = mode
        return self._scope.apply()

    def __repr__(self) -> str:
        return f"<ssot_guard fixture: {self.guard!r}>"


@pytest.fixture
def ssot_guard(request: pytest.FixtureRequest) -> GuardFixture:
    """Add ssot_guard rules (or set its mode) for this test only; restored after it."""
    assert isinstance(request.node, pytest.Item)
    return GuardFixture(_scope(request.node))


@pytest.fixture
def ssot_violations() -> Generator[ViolationLog]:
    """The ssot_guard violations recorded during this test, one per location, counted."""
    with testing.recording_violations() as log:
        yield log


# -- the end of the run ----------------------------------------------------------------


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """pytest-xdist: merge what a worker saw into the controller's record."""
    session = node.config.stash.get(_SESSION, None)
    output = getattr(node, "workeroutput", None) or {}
    if session is None:
        return
    for entry in output.get("ssot_guard_violations", ()):
        fields = {k: v for k, v in entry.items() if k not in ("count", "expected")}
        session.add(fields, bool(entry["expected"]), int(entry["count"]))


def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    state = config.stash.get(_SESSION, None)
    if state is None:
        return
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: the controller reports and decides
        workeroutput["ssot_guard_violations"] = [s.as_dict() for s in state.seen.values()]
        return
    unexpected = state.unexpected()
    if state.fail_on_violation and unexpected:
        count = sum(1 for _ in unexpected)
        state.failed_because = (
            f"ssot_guard: failing the run: {count} unexpected violation"
            f"{'s were' if count != 1 else ' was'} recorded (--ssot-fail-on-violation / "
            "ssot_fail_on_violation), listed above"
        )
        if session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    state = config.stash.get(_SESSION, None)
    if state is None or hasattr(config, "workerinput"):
        return
    write = terminalreporter.write_line
    terminalreporter.section("ssot_guard")
    where = _relative(config, state.config_path) if state.config_path else "no config file"
    write(f"mode {state.mode} (from {state.mode_source}), {where}")
    groups: dict[bool, dict[tuple[str, str, str], list[_Seen]]] = {False: {}, True: {}}
    for seen in state.seen.values():
        fields = seen.fields
        groups[seen.expected].setdefault(
            (fields["kind"], fields["name"], fields["rule"]), []
        ).append(seen)
    if not state.seen:
        write("no violations recorded")
    for expected, title in ((False, "unexpected"), (True, "expected")):
        group = groups[expected]
        if not group:
            continue
        plural = "s" if len(group) != 1 else ""
        why = " (provoked on purpose by a test body or an ssot_guard.testing helper)"
        write(f"{len(group)} {title} violation{plural}{why if expected else ''}:")
        for (kind, name, rule), entries in group.items():
            first = entries[0].fields
            write(f"  {_KIND_TEXT.get(kind, kind)} {name!r}")
            if first["reason"]:
                write(f"    reason: {first['reason']}")
            if first["replacement"]:
                write(f"    use instead: {first['replacement']}")
            write(f"    rule: {_relative_rule(config, rule)}")
            for seen in entries:
                place = _relative(config, seen.fields["filename"]) or "<unknown location>"
                if seen.fields["lineno"]:
                    place += f":{seen.fields['lineno']}"
                times = f", {seen.count} times" if seen.count != 1 else ""
                write(f"    at {place} ({seen.fields['mode']}{times})")
    if state.failed_because:
        write(state.failed_because, red=True, bold=True)


def _relative_rule(config: pytest.Config, rule: str) -> str:
    """A rule's source with its file relative to the rootdir: ``pyproject.toml: ...block[0]``."""
    path, sep, where = rule.partition(": ")
    if sep and os.path.isabs(path):
        return f"{_relative(config, path)}{sep}{where}"
    return rule


def _relative(config: pytest.Config, path: str | None) -> str | None:
    if path is None:
        return None
    root = str(config.rootpath)
    try:
        inside = os.path.commonpath([os.path.abspath(path), root]) == root
    except ValueError:  # another drive
        return path
    return os.path.relpath(path, root) if inside else path
