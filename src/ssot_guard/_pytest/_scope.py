"""One test's guard: its ``ssot_mode`` and ``ssot_allow`` markers and fixture rules."""

from __future__ import annotations

import contextlib
import sys
from typing import TYPE_CHECKING, Any

import pytest

from .._base._errors import ConfigError
from .._base._modes import parse_mode
from .._classes._registry import forget_keys, registry_snapshot
from .._report._record import recorder
from .._rules._glob import NameSet, glob_error
from .._rules._model import Unique
from .._runtime._finder import SSOTFinder
from .._runtime._guard import (
    active_guard,
    put_first,
    reinstate,
    remove_finder,
    rule_for,
    swap_guard,
)
from ._session import session_of

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from importlib.machinery import ModuleSpec
    from types import ModuleType

    from .._base._modes import Mode
    from .._report._record import Violation
    from .._rules._model import Rule
    from .._runtime._guard import Guard
    from ._session import Session


def register_markers(config: pytest.Config) -> None:
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


class TestScope:
    """What one test changes (marker mode, allowances, fixture rules), undone at teardown."""

    def __init__(self, session: Session | None, config: pytest.Config | None = None) -> None:
        self.session = session
        self.config = config
        self.base = active_guard()
        self.override: Mode | None = None
        self.extra: list[Rule] = []
        self.guard: Guard | None = None
        self.allow: _AllowFinder | None = None
        self._record: list[Violation] | None = None
        self._modules: set[str] | None = None  # sys.modules before this test changed the guard
        self._defining: set[str] | None = None  # sys.modules before an ssot_allow
        self.allowed_classes: frozenset[str] = frozenset()
        self._registry = registry_snapshot()

    def set_mode(self, mode: Mode) -> Guard:
        self.override = mode
        return self.apply()

    def add_rules(self, rules: Iterable[Rule]) -> Guard:
        self.extra.extend(rules)
        return self.apply()

    def allow_names(self, names: Sequence[str]) -> None:
        self.allow = _AllowFinder(NameSet(names))
        sys.meta_path.insert(0, self.allow)
        # Free the class keys: a class of that name defined in this test is then
        # the first one; the registry snapshot puts the old entry back at teardown.
        forget_keys(names)
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
        option = self.session.settings.option_mode if self.session is not None else None
        if base is None and self._record is None:
            self._record = recorder.snapshot()  # installing over no guard clears the record
        if self._modules is None:
            self._modules = set(sys.modules)
        self.guard = swap_guard(
            None,
            mode=base.mode if base is not None else None,
            rules=rules,
            override=self.override or option,
            check_preloaded=False,
            check_replacements=False,
        )
        if self.allow is not None:  # the allowance stays in front of the new finder
            put_first(self.allow)
        return self.guard

    def close(self) -> None:
        try:
            if self.allow is not None:
                remove_finder(self.allow)
                _purge(self.allow.let_in)
            if self._modules is not None:
                _purge(self._retired_since(self._modules))
            if self._defining is not None:
                _purge(self._defining_since(self._defining))
            # The guard before the test, or the one a wider fixture still in use installed.
            target = _restore_target(self.config, self.base)
            if (self.guard is not None or self.session is not None) and (
                active_guard() is not target
            ):
                reinstate(target)
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
        if base is None:
            return []
        return sorted(name for name in set(sys.modules) - before if rule_for(name, base))


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
        if marker.kwargs:  # a reason= or names= would otherwise be ignored without a word
            given = ", ".join(f"{k}={v!r}" for k, v in marker.kwargs.items())
            pytest.fail(
                f"ssot_allow: takes module and class names only, no keyword; got {given}",
                pytrace=False,
            )
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
    given = [repr(a) for a in marker.args] + [f"{k}={v!r}" for k, v in marker.kwargs.items()]
    problem: str | None = None
    mode: Mode | None = None
    if len(marker.args) == 1 and not marker.kwargs:
        try:
            mode = parse_mode(marker.args[0], entry="@pytest.mark.ssot_mode", key=None)
        except ConfigError as error:
            problem = str(error)
    # Failing outside the except clause: the error is shown once, not chained to ours.
    if problem is None and mode is None:  # none, several, a keyword, or a blank word
        problem = (
            "@pytest.mark.ssot_mode: give one mode, 'strict', 'warn' or 'off'; "
            f"got @pytest.mark.ssot_mode({', '.join(given)})"
        )
    if problem is not None:
        pytest.fail(problem, pytrace=False)
    return mode


_SCOPE = pytest.StashKey[TestScope]()
# The items whose scope is open, per run: an interrupted test never reaches its
# teardown, and the run's end closes what it left (see ``close_left_open``).
_OPEN = pytest.StashKey[list[pytest.Item]]()


def scope_of(item: pytest.Item) -> TestScope:
    """The item's scope, made on first use (a marker, or the ``ssot_guard`` fixture)."""
    scope = item.stash.get(_SCOPE, None)
    if scope is None:
        scope = item.stash[_SCOPE] = TestScope(session_of(item.config), item.config)
        item.config.stash.setdefault(_OPEN, []).append(item)
    return scope


def set_up(item: pytest.Item) -> None:
    """Before the test's fixtures: our finder first, then the markers' mode and allowances."""
    session = session_of(item.config)
    if session is not None:
        session.keep_first()
    names = _marker_names(item)
    mode = _marker_mode(item)
    if session is None and not names and mode is None:
        return
    scope = scope_of(item)
    if mode is not None:
        scope.override = mode
        if scope.base is not None:
            scope.apply()
    if names:
        scope.allow_names(names)


def tear_down(item: pytest.Item) -> None:
    """After the test's fixtures: undo what the test changed."""
    scope = item.stash.get(_SCOPE, None)
    if scope is not None:
        del item.stash[_SCOPE]
        with contextlib.suppress(ValueError):
            item.config.stash[_OPEN].remove(item)
        scope.close()


def close_left_open(config: pytest.Config) -> None:
    """At the run's end: undo the tests that never reached teardown (a KeyboardInterrupt)."""
    for item in reversed([*config.stash.get(_OPEN, [])]):
        tear_down(item)


# Guards installed by fixtures wider than a test (module, class, session), while
# those fixtures last: a test's teardown puts that guard back, not the run's; once
# the fixture is finished, the guard it replaced is the one to put back.
_HELD = pytest.StashKey[list[tuple[object, "Guard", "Guard | None"]]]()
_RELEASED = pytest.StashKey[dict[int, tuple["Guard", "Guard | None"]]]()


def fixture_set_up(config: pytest.Config, fixturedef: Any, before: Guard | None) -> None:
    """After a fixture's setup: hold the guard a module/class/session fixture installed."""
    after = active_guard()
    if fixturedef.scope != "function" and after is not None and after is not before:
        config.stash.setdefault(_HELD, []).append((fixturedef, after, before))


def fixture_finished(config: pytest.Config, fixturedef: Any) -> None:
    held = config.stash.get(_HELD, None)
    if not held:
        return
    released = config.stash.setdefault(_RELEASED, {})
    for entry in [e for e in held if e[0] is fixturedef]:
        held.remove(entry)
        released[id(entry[1])] = (entry[1], entry[2])


def _restore_target(config: pytest.Config | None, base: Guard | None) -> Guard | None:
    """The guard a test's teardown puts back: a wider fixture's, else *base* or what it replaced."""
    if config is None:
        return base
    held = config.stash.get(_HELD, None)
    if held:
        return held[-1][1]
    released = config.stash.get(_RELEASED, {})
    seen: set[int] = set()
    while base is not None and id(base) in released and id(base) not in seen:
        seen.add(id(base))
        guard, before = released[id(base)]
        if guard is not base:
            break
        base = before
    return base
