"""The plugin's state for one pytest run: the guard it installed and the violations it saw.

Every violation reaches ``Session.on_violation`` at the moment it is recorded,
while the importing frame is still on the stack: that is where it is classified
as *expected* (provoked by the body of the running test, or by an
``ssot_guard.testing`` helper) or *unexpected*.
"""

from __future__ import annotations

import contextlib
import inspect
import sys
import threading
import warnings
from typing import TYPE_CHECKING, Any, Final

import pytest

from .._base._errors import SSOTWarning
from .._base._frames import user_frame
from .._report._log import provoking_frame
from .._report._record import Violation, recorder, subscribe
from .._runtime._guard import active_guard, put_first, reinstate, swap_guard

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import CodeType

    from .._rules._model import Rule
    from .._runtime._guard import Guard
    from ._options import Settings

_Key = tuple[str, str, str, str | None, int | None, bool]

FIELDS: Final = ("kind", "name", "rule", "reason", "replacement", "importer", "filename", "lineno")

# Sessions running in this process, innermost last: a run inside a run (pytester)
# reports its own violations, and the outer run does not see them.
_running: list[Session] = []


class Seen:
    """One violation as the session saw it: where, how often, expected or not."""

    __slots__ = ("count", "expected", "fields")

    def __init__(self, fields: dict[str, Any], expected: bool, count: int) -> None:
        self.fields = fields
        self.expected = expected
        self.count = count

    def as_dict(self) -> dict[str, Any]:
        return {**self.fields, "count": self.count, "expected": self.expected}


class Session:
    """The plugin's state for one pytest run, kept in ``config.stash``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.rules: tuple[Rule, ...] = ()
        self.guard: Guard | None = None
        self.test_code: CodeType | None = None
        #: Unexpected violations of the running test phase, with --ssot-fail-on-violation.
        self.phase: list[Violation] | None = None
        self.seen: dict[_Key, Seen] = {}
        self.failed_because: str | None = None
        self._lock = threading.Lock()
        self._previous_guard: Guard | None = None
        self._previous_record: list[Violation] = []
        self._unsubscribe: Callable[[], None] | None = None

    def start(self) -> None:
        """Install the session's guard from the settings' Config (the file is not read again)."""
        self._previous_guard = active_guard()
        self._previous_record = recorder.snapshot()
        _running.append(self)
        self._unsubscribe = subscribe(self.on_violation)
        config = self.settings.config
        try:
            # Retired modules imported before pytest loaded us are recorded as
            # violations (shown in the summary); their warnings would only repeat that.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SSOTWarning)
                self.guard = swap_guard(
                    config,
                    mode=self.settings.ini_mode,
                    rules=None if config is not None else (),
                    override=self.settings.option_mode,
                )
        except BaseException:
            self._unhook()
            raise
        self.rules = self.guard.rules

    def stop(self) -> None:
        self._unhook()
        reinstate(self._previous_guard)
        recorder.restore(self._previous_record)

    def _unhook(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self in _running:
            _running.remove(self)

    def keep_first(self) -> None:
        """Put the session's finder back in front if something was inserted before it.

        A finder a test took out of ``sys.meta_path`` is put back too, as long as
        the session's guard is the active one (not a guard some code installed).
        """
        finder = self.guard.finder if self.guard is not None else None
        if finder is None or (sys.meta_path and sys.meta_path[0] is finder):
            return
        if not any(f is finder for f in sys.meta_path) and active_guard() is not self.guard:
            return
        put_first(finder)

    # Violations.

    def on_violation(self, violation: Violation) -> None:
        """Called by the recorder inside the import (or class statement) that did it."""
        if _running[-1:] != [self]:
            return
        frame = user_frame(sys._getframe(1))
        expected = frame is not None and (
            frame.f_code is self.test_code or frame is provoking_frame.get()
        )
        fields = {field: getattr(violation, field) for field in FIELDS}
        self.add(fields | {"mode": violation.mode}, expected, 1)
        phase = self.phase
        if not expected and phase is not None:
            phase.append(violation)

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
                self.seen[key] = Seen(fields, expected, count)
            else:
                seen.count += count
                seen.fields["mode"] = fields["mode"]

    def unexpected(self) -> list[Seen]:
        return [s for s in self.seen.values() if not s.expected]

    # One phase (setup, call, teardown) of a test.

    def begin_phase(self, item: pytest.Item, when: str) -> None:
        """A phase of *item* starts: the test body is the test's code during ``call``."""
        self.test_code = _test_code(item) if when == "call" else None
        self.phase = [] if self.settings.fail_on_violation else None

    def end_phase(self, report: pytest.TestReport) -> None:
        """With fail-on-violation, a phase that passed but recorded a violation fails.

        A phase that failed on its own keeps its own failure: a strict refusal
        that reached the test already says what the violation was.
        """
        caught, self.phase, self.test_code = self.phase, None, None
        if caught and report.passed:
            report.outcome = "failed"
            report.longrepr = failure_message(caught, report.when or "call")


def failure_message(caught: list[Violation], when: str) -> str:
    """What a test that recorded *caught* fails with: each violation, once, then the remedy."""
    unique = list({(v.kind, v.name, v.rule, v.filename, v.lineno): v for v in caught}.values())
    count = len(unique)
    where = "this test" if when == "call" else f"the {when} of this test"
    lines = [
        f"ssot_guard: {where} recorded {count} violation{'s' if count != 1 else ''} "
        "that its markers do not allow (--ssot-fail-on-violation):"
    ]
    # Twenty are enough to act on; a loop importing thousands must not bury the remedy.
    shown = unique[:20]
    lines += [f"  {v}" for v in shown]
    if count > len(shown):
        lines.append(f"  ... and {count - len(shown)} more")
    names = ", ".join(repr(n) for n in dict.fromkeys(v.name for v in shown))
    if count > len(shown):
        names += ", ..."
    lines.append(
        f"Fix the code, or allow it here with @pytest.mark.ssot_allow({names}), "
        "or provoke it in the test body (or with ssot_guard.testing) to expect it."
    )
    return "\n".join(lines)


def _test_code(item: pytest.Item) -> CodeType | None:
    function = getattr(item, "function", None)
    if function is None:
        return None
    if hasattr(function, "__wrapped__"):  # a decorated test: its body is the innermost code
        with contextlib.suppress(ValueError):
            function = inspect.unwrap(function)
    return getattr(function, "__code__", None)


SESSION = pytest.StashKey[Session]()


def session_of(config: pytest.Config) -> Session | None:
    return config.stash.get(SESSION, None)
