"""What the run reports: the header line, the summary section, the exit status, xdist merging."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import pytest

from .._base._modes import MODE_ENV
from .._report._record import kind_text
from ._session import session_of

if TYPE_CHECKING:
    from ._session import Seen

_WORKER_KEY = "ssot_guard_violations"
# Without -v, the summary lists this many violations per section and this many
# places per violation, and counts the rest: ten thousand stay one screen.
_MAX_VIOLATIONS = 20
_MAX_PLACES = 10


def header(config: pytest.Config) -> str | None:
    session = session_of(config)
    if session is None:
        return None
    settings = session.settings
    path = settings.config_path
    where = _relative(config, path) if path else "none"
    own = sum(1 for r in session.rules if r.mode is not None and r.mode != settings.mode)
    forced = settings.mode_source in ("--ssot-mode", MODE_ENV)
    note = f", {own} with a mode of their own" if own and not forced else ""
    rules = f"{len(session.rules)} rule{'s' if len(session.rules) != 1 else ''}{note}"
    return (
        f"ssot_guard: mode {settings.mode} (from {settings.mode_source}), config {where}, {rules}"
    )


def merge_worker(node: Any) -> None:
    """pytest-xdist: merge what a worker saw into the controller's record."""
    session = session_of(node.config)
    output = getattr(node, "workeroutput", None) or {}
    if session is None:
        return
    for entry in output.get(_WORKER_KEY, ()):
        fields = {k: v for k, v in entry.items() if k not in ("count", "expected")}
        session.add(fields, bool(entry["expected"]), int(entry["count"]))


def finish(pytest_session: pytest.Session) -> None:
    """A worker hands its record to the controller; the controller decides the exit status."""
    config = pytest_session.config
    state = session_of(config)
    if state is None:
        return
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: the controller reports and decides
        workeroutput[_WORKER_KEY] = [s.as_dict() for s in state.seen.values()]
        return
    unexpected = state.unexpected()
    if state.settings.fail_on_violation and unexpected:
        count = len(unexpected)
        state.failed_because = (
            f"ssot_guard: failing the run: {count} unexpected violation"
            f"{'s were' if count != 1 else ' was'} recorded (--ssot-fail-on-violation / "
            "ssot_fail_on_violation), listed above"
        )
        if pytest_session.exitstatus == pytest.ExitCode.OK:
            pytest_session.exitstatus = pytest.ExitCode.TESTS_FAILED


def summary(terminalreporter: Any, config: pytest.Config) -> None:
    state = session_of(config)
    if state is None or hasattr(config, "workerinput"):
        return
    from .._check._render import one_line  # a reason or a path never breaks a line or the terminal

    def write(text: str, **markup: bool) -> None:
        terminalreporter.write_line(one_line(text), **markup)

    every = config.get_verbosity() > 0
    terminalreporter.section("ssot_guard")
    settings = state.settings
    path = settings.config_path
    where = _relative(config, path) if path else "no config file"
    write(f"mode {settings.mode} (from {settings.mode_source}), {where}")
    groups: dict[bool, dict[tuple[str, str, str], list[Seen]]] = {False: {}, True: {}}
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
        listed = list(group.items()) if every else list(group.items())[:_MAX_VIOLATIONS]
        for (kind, name, rule), entries in listed:
            _write_group(write, config, kind, name, rule, entries, every)
        if len(listed) < len(group):
            write(f"  ... and {len(group) - len(listed)} more (-v lists them all)")
    if state.failed_because:
        write(state.failed_because, red=True, bold=True)


def _write_group(
    write: Any,
    config: pytest.Config,
    kind: str,
    name: str,
    rule: str,
    entries: list[Seen],
    every: bool,
) -> None:
    first = entries[0].fields
    write(f"  {kind_text(kind)} {name!r}")
    if first["reason"]:
        write(f"    reason: {first['reason']}")
    if first["replacement"]:
        write(f"    use instead: {first['replacement']}")
    write(f"    rule: {_relative_rule(config, rule)}")
    for seen in entries if every else entries[:_MAX_PLACES]:
        place = _relative(config, seen.fields["filename"]) or "<unknown location>"
        if seen.fields["lineno"]:
            place += f":{seen.fields['lineno']}"
        times = f", {seen.count} times" if seen.count != 1 else ""
        write(f"    at {place} ({seen.fields['mode']}{times})")
    if not every and len(entries) > _MAX_PLACES:
        write(f"    ... and {len(entries) - _MAX_PLACES} more places (-v lists them all)")


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
