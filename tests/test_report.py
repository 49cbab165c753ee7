"""Reporting: structured log records, on_violation() callbacks, report() for a health endpoint."""

from __future__ import annotations

import importlib
import importlib.util
import json
import logging
import os
import subprocess
import sys
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

import ssot_guard
from recipes import run_interleaved
from ssot_guard import BlockedImportError, SSOTWarning, Violation
from ssot_guard._report._record import recorder


@pytest.fixture(autouse=True)
def _restore_callbacks() -> Iterator[None]:
    """Leave the recorder's callbacks as found, whatever a test registered."""
    callbacks = list(recorder.callbacks)
    yield
    recorder.callbacks[:] = callbacks


@pytest.fixture
def app(make_package) -> Path:
    """``app.legacy`` and ``app.other_legacy`` (both retired), ``app.current``."""
    return make_package(
        {
            "app/legacy.py": "VALUE = 'legacy'\n",
            "app/other_legacy.py": "VALUE = 'other'\n",
            "app/current.py": "VALUE = 'current'\n",
        }
    )


def _python(cwd: Path, code: str, *options: str) -> subprocess.CompletedProcess[str]:
    """``python OPTIONS -c CODE`` in *cwd*, without the environment's SSOT_GUARD_* settings."""
    return subprocess.run(
        [sys.executable, *options, "-c", code],
        cwd=cwd,
        env={k: v for k, v in os.environ.items() if not k.startswith("SSOT_GUARD_")},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _block(mode: str) -> ssot_guard.Guard:
    return ssot_guard.install(
        mode=mode,  # type: ignore[arg-type]
        rules=[
            ssot_guard.Block("app.legacy", use="app.current", reason="retired in #1"),
            ssot_guard.Block("app.other_legacy"),
        ],
    )


def _import_twice_at_one_line(name: str) -> None:
    """Two imports of *name* from the same line: one location, count 2."""
    for _ in range(2):
        sys.modules.pop(name, None)
        importlib.import_module(name)


# --- structured logging --------------------------------------------------------------------


def test_violation_is_logged_with_structured_extra(
    app: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The record on the ssot_guard logger carries the violation's fields as ssot_* attributes."""
    _block("warn")
    line = sys._getframe().f_lineno + 2
    with caplog.at_level(logging.WARNING, logger="ssot_guard"), pytest.warns(SSOTWarning):
        import app.legacy  # noqa: F401
    [record] = [r for r in caplog.records if r.name == "ssot_guard"]
    assert record.levelno == logging.WARNING
    assert {key: getattr(record, key) for key in vars(record) if key.startswith("ssot_")} == {
        "ssot_kind": "import",
        "ssot_name": "app.legacy",
        "ssot_rule": ssot_guard.active_guard().rules[0].source,  # type: ignore[union-attr]
        "ssot_reason": "retired in #1",
        "ssot_replacement": "app.current",
        "ssot_importer": __name__,
        "ssot_file": __file__,
        "ssot_line": line,
        "ssot_count": 1,
        "ssot_mode": "warn",
    }
    assert record.getMessage() == str(ssot_guard.violations()[0])


def test_violation_is_logged_once_per_location(app: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Two violations at one line make one record; the count still reaches 2."""
    _block("warn")
    with caplog.at_level(logging.WARNING, logger="ssot_guard"), pytest.warns(SSOTWarning):
        _import_twice_at_one_line("app.legacy")
    assert len([r for r in caplog.records if r.name == "ssot_guard"]) == 1
    assert [v.count for v in ssot_guard.violations()] == [2]


def test_log_record_extra_is_json_ready(app: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A JSON formatter can dump the ssot_* attributes as they are."""
    _block("strict")
    with caplog.at_level(logging.WARNING, logger="ssot_guard"), pytest.raises(BlockedImportError):
        import app.legacy  # noqa: F401
    [record] = [r for r in caplog.records if r.name == "ssot_guard"]
    fields = {k: v for k, v in vars(record).items() if k.startswith("ssot_")}
    assert json.loads(json.dumps(fields)) == fields
    assert fields["ssot_mode"] == "strict"


def test_a_log_handler_that_fails_never_breaks_the_import(tmp_path: Path) -> None:
    """``logging.basicConfig()``, then stderr closed (a daemon): the warned import goes on.

    The handler's write raised, ``logging``'s ``handleError`` raised in turn writing to
    the same closed stderr, and that ``ValueError`` came out of the import statement.
    """
    (tmp_path / "retired_mod.py").write_text("", encoding="utf-8")
    code = (
        "import logging, sys, warnings, ssot_guard\n"
        "warnings.simplefilter('ignore')\n"
        "logging.basicConfig()\n"
        "ssot_guard.install(rules=[ssot_guard.Block('retired_mod')], mode='warn')\n"
        "sys.stderr.close()\n"
        "import retired_mod\n"
        "print(len(ssot_guard.violations()))\n"
    )
    result = _python(tmp_path, code)
    assert result.stdout == "1\n"


# --- on_violation --------------------------------------------------------------------------


def test_callback_receives_every_occurrence(app: Path) -> None:
    """The callback gets a Violation per occurrence, with the count at that location so far."""
    _block("warn")
    seen: list[Violation] = []
    ssot_guard.on_violation(seen.append)
    with pytest.warns(SSOTWarning):
        _import_twice_at_one_line("app.legacy")
    assert [(v.name, v.kind, v.count) for v in seen] == [
        ("app.legacy", "import", 1),
        ("app.legacy", "import", 2),
    ]


def test_callback_runs_before_strict_guard_raises(app: Path) -> None:
    """A refused import still reaches the callback, and the user still gets BlockedImportError."""
    _block("strict")
    seen: list[str] = []
    ssot_guard.on_violation(lambda v: seen.append(v.mode))
    with pytest.raises(BlockedImportError):
        import app.legacy  # noqa: F401
    assert seen == ["strict"]


def test_subscription_unregisters_and_is_harmless_twice(app: Path) -> None:
    """Calling the returned Subscription stops the calls; calling it again does nothing."""
    _block("warn")
    seen: list[Violation] = []
    subscription = ssot_guard.on_violation(seen.append)
    subscription()
    subscription.remove()
    with pytest.warns(SSOTWarning):
        import app.legacy  # noqa: F401
    assert seen == []
    assert "removed" in repr(subscription)


def test_subscription_as_context_manager(app: Path) -> None:
    """``with on_violation(cb):`` calls cb inside the block only."""
    _block("warn")
    seen: list[str] = []
    with ssot_guard.on_violation(lambda v: seen.append(v.name)), pytest.warns(SSOTWarning):
        import app.legacy
    with pytest.warns(SSOTWarning):
        import app.other_legacy  # noqa: F401
    assert seen == ["app.legacy"]


def test_raising_callback_does_not_break_the_import(
    app: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A callback that raises: the import goes on, the error is logged once, then only counted."""
    _block("warn")
    errors_before = ssot_guard.report()["callback_errors"]

    def broken(violation: Violation) -> None:
        raise RuntimeError("metrics backend down")

    ssot_guard.on_violation(broken)
    with caplog.at_level(logging.ERROR, logger="ssot_guard"), pytest.warns(SSOTWarning):
        _import_twice_at_one_line("app.legacy")
    assert sys.modules["app.legacy"].VALUE == "legacy"
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "on_violation callback" in errors[0].getMessage()
    assert errors[0].exc_info is not None
    assert errors[0].exc_info[0] is RuntimeError
    assert ssot_guard.report()["callback_errors"] == errors_before + 2


CALLBACKS_HARD_TO_NAME = {
    "its repr raises": (
        "class Callback:\n"
        "    def __call__(self, violation): raise RuntimeError('down')\n"
        "    def __repr__(self): raise ValueError('no repr')\n"
        "callback = Callback()\n"
    ),
    "its error's str raises": (
        "class Error(Exception):\n"
        "    def __str__(self): raise ValueError('no str')\n"
        "def callback(violation): raise Error()\n"
    ),
}


@pytest.mark.parametrize("case", sorted(CALLBACKS_HARD_TO_NAME))
def test_raising_callback_that_cannot_be_described_does_not_break_the_import(
    tmp_path: Path, case: str
) -> None:
    """A raising callback whose repr, or whose error's str, raises too: the import goes on.

    Without ``logging`` imported, the error is written to stderr, formatted by us: what the
    formatting raised came out of the import statement.
    """
    (tmp_path / "retired_mod.py").write_text("", encoding="utf-8")
    code = (
        "import sys, warnings, ssot_guard\n"
        "warnings.simplefilter('ignore')\n"
        + CALLBACKS_HARD_TO_NAME[case]
        + "ssot_guard.on_violation(callback)\n"
        "ssot_guard.install(rules=[ssot_guard.Block('retired_mod')], mode='warn')\n"
        "import retired_mod\n"
        "print(ssot_guard.report()['callback_errors'], 'logging' in sys.modules)\n"
    )
    result = _python(tmp_path, code)
    assert result.stdout == "1 False\n", result.stderr


def test_raising_callback_leaves_strict_error_intact(app: Path) -> None:
    """Under a strict guard the user sees BlockedImportError, not the callback's error."""
    _block("strict")
    ssot_guard.on_violation(lambda v: 1 / 0)
    with pytest.raises(BlockedImportError, match=r"No module named 'app\.legacy'"):
        import app.legacy  # noqa: F401


def test_other_callbacks_still_run_after_one_raises(app: Path) -> None:
    """One broken callback does not keep the next from running."""
    _block("warn")
    seen: list[str] = []
    ssot_guard.on_violation(lambda v: 1 / 0)
    ssot_guard.on_violation(lambda v: seen.append(v.name))
    with pytest.warns(SSOTWarning):
        import app.legacy  # noqa: F401
    assert seen == ["app.legacy"]


def test_violation_inside_a_callback_does_not_call_callbacks_again(app: Path) -> None:
    """A callback that itself imports a retired module is not re-entered; both are recorded."""
    _block("warn")
    seen: list[str] = []

    def importing_callback(violation: Violation) -> None:
        seen.append(violation.name)
        importlib.import_module("app.other_legacy")

    ssot_guard.on_violation(importing_callback)
    with pytest.warns(SSOTWarning):
        import app.legacy  # noqa: F401
    assert seen == ["app.legacy"]
    assert sorted(v.name for v in ssot_guard.violations()) == ["app.legacy", "app.other_legacy"]


def test_callback_that_reinstalls_the_guard_sees_the_import_once(app: Path) -> None:
    """A callback that uninstalls and installs the guard during a warned import: the callback
    is called once, the import goes through, and the guard the callback installed stays.

    The import went on with the finders after the uninstalled one; not finding it in
    ``sys.meta_path``, it asked them all, the new guard's first: that recorded the import
    again, called the callback, which replaced that guard too, and so on until the
    RecursionError, which left the process unguarded.
    """
    calls: list[str | None] = []

    def reinstall(violation: Violation) -> None:
        calls.append(violation.importer)
        ssot_guard.uninstall()
        _block("warn")

    _block("warn")
    ssot_guard.on_violation(reinstall)
    with pytest.warns(SSOTWarning):
        import app.legacy
    assert app.legacy.VALUE == "legacy"
    assert len(calls) == 1
    assert ssot_guard.active_guard() is not None


def test_callback_runs_outside_the_recorders_lock(app: Path) -> None:
    """A callback may read the record (report() takes its lock) without deadlocking."""
    _block("warn")
    totals: list[int] = []
    ssot_guard.on_violation(lambda v: totals.append(ssot_guard.report()["total"]))

    def import_retired() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SSOTWarning)
            importlib.import_module("app.legacy")

    worker = threading.Thread(target=import_retired, daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive(), "the callback deadlocked on the recorder's lock"
    assert totals == [1]


def test_callbacks_from_many_threads_see_every_occurrence(app: Path) -> None:
    """8 threads hitting violations at once: one call per occurrence, counts add up."""
    _block("warn")
    calls: list[int] = []
    ssot_guard.on_violation(lambda v: calls.append(v.count))
    barrier = threading.Barrier(8)

    def hit() -> None:
        barrier.wait()
        for _ in range(25):
            importlib.util.find_spec("app.legacy")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SSOTWarning)
        threads = [threading.Thread(target=hit) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(calls) == 200
    assert sorted(calls) == list(range(1, 201))
    assert ssot_guard.report()["total"] == 200


def test_on_violation_rejects_non_callables() -> None:
    """A non-callable is a TypeError at registration, not an error at the first violation."""
    with pytest.raises(TypeError, match="on_violation\\(\\) takes a callable"):
        ssot_guard.on_violation("metrics.inc")  # type: ignore[arg-type]


def test_listening_from_many_threads_at_once_leaves_no_listener_behind() -> None:
    """Eight threads each listening (``recording_violations()``) and stopping, over and
    over: afterwards no listener is left registered, nor was another's removed.

    Unsubscribing found the callback's index, then deleted at that index: another
    thread's removal in between shifted the list, so the wrong listener went (it stopped
    hearing violations) and this one stayed registered for ever. Thread switches are made
    as frequent as the interpreter allows so that the window is hit.
    """
    from ssot_guard.testing import recording_violations

    before = list(recorder.callbacks)

    def listen() -> None:
        for _ in range(2000):
            with recording_violations():
                pass

    run_interleaved(listen, 8)
    assert recorder.callbacks == before


def test_registering_a_callback_leaves_the_import_path_alone(app: Path) -> None:
    """No finder is added or wrapped, and imports no rule covers call nothing."""
    guard = _block("warn")
    meta_path = list(sys.meta_path)
    seen: list[Violation] = []
    ssot_guard.on_violation(seen.append)
    import app.current  # noqa: F401

    assert sys.meta_path == meta_path
    assert sys.meta_path[0] is guard.finder
    assert seen == []


# --- report --------------------------------------------------------------------------------


def test_report_without_guard() -> None:
    """With no guard installed: not installed, clean, nothing counted."""
    ssot_guard.uninstall()
    ssot_guard.clear_violations()
    summary = ssot_guard.report()
    assert summary["installed"] is False
    assert (summary["mode"], summary["config"], summary["rules"]) == (None, None, [])
    assert (summary["clean"], summary["total"], summary["locations"]) == (True, 0, 0)
    assert (summary["by_kind"], summary["by_rule"], summary["violations"]) == ({}, {}, [])


def test_report_counts_by_kind_and_rule(app: Path, make_package) -> None:
    """Occurrences are summed by kind and by rule; violations are listed one per location."""
    make_package({"app/renamed.py": "VALUE = 'renamed'\n"})
    guard = ssot_guard.install(
        mode="warn",
        rules=[
            ssot_guard.Block("app.legacy"),
            ssot_guard.Redirect("app.renamed", to="app.current"),
        ],
    )
    block, redirect = guard.rules
    with pytest.warns(SSOTWarning):
        _import_twice_at_one_line("app.legacy")
    with pytest.warns(SSOTWarning):
        import app.renamed  # noqa: F401
    summary = ssot_guard.report()
    assert (summary["clean"], summary["total"], summary["locations"]) == (False, 3, 2)
    assert summary["by_kind"] == {"import": 2, "redirect": 1}
    assert summary["by_rule"] == {block.source: 2, redirect.source: 1}
    assert summary["violations"] == [v.as_dict() for v in ssot_guard.violations()]


def test_report_shows_mode_config_and_rules_in_force(
    app: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The config file, the guard's mode, each rule's effective mode and the env override."""
    config = tmp_path / "ssot.toml"
    config.write_text(
        '[tool.ssot_guard]\nmode = "warn"\n\n'
        '[[tool.ssot_guard.block]]\nmodule = "app.legacy"\nmode = "strict"\n\n'
        '[[tool.ssot_guard.block]]\nmodule = "app.other_legacy"\n'
    )
    monkeypatch.delenv("SSOT_GUARD_MODE", raising=False)
    ssot_guard.install(config)
    summary = ssot_guard.report()
    assert summary["installed"] is True
    assert (summary["mode"], summary["mode_override"], summary["config"]) == (
        "warn",
        None,
        str(config),
    )
    assert summary["rules"] == [
        {"rule": f"{config}: tool.ssot_guard.block[0]", "kind": "block", "mode": "strict"},
        {"rule": f"{config}: tool.ssot_guard.block[1]", "kind": "block", "mode": "warn"},
    ]


def test_report_is_json_ready(app: Path) -> None:
    """json.dumps(report()) works and round-trips unchanged."""
    _block("warn")
    with pytest.warns(SSOTWarning):
        import app.legacy  # noqa: F401
    summary = ssot_guard.report()
    assert json.loads(json.dumps(summary)) == summary
    assert summary["violations"][0]["name"] == "app.legacy"


def test_report_is_valid_unicode_for_a_file_path_that_is_not_utf8(app: Path) -> None:
    """A caller whose path holds a byte that is not UTF-8 (Python keeps it as a lone surrogate):
    ``report()`` still encodes as UTF-8 JSON, as web frameworks send it, the byte shown as
    ``\\udce9`` (as Python's stderr shows it).

    The surrogate went into the summary as it was: a health endpoint answering with
    ``json.dumps(..., ensure_ascii=False).encode("utf-8")`` (Starlette, FastAPI) failed.
    """
    _block("warn")
    code = compile("import app.legacy", "/srv/caf\udce9/user.py", "exec")
    with pytest.warns(SSOTWarning):
        exec(code, {"__name__": "user"})
    summary = ssot_guard.report()
    json.dumps(summary, ensure_ascii=False).encode("utf-8")
    assert summary["violations"][0]["filename"] == "/srv/caf\\udce9/user.py"


def test_log_line_of_a_path_that_is_not_utf8_is_written_escaped(
    app: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A handler that writes UTF-8 gets the violation's line, the byte shown as ``\\udce9``.

    The lone surrogate went to the handlers as it was: a UTF-8 log file failed
    ("--- Logging error ---" on stderr), and so did pytest-xdist sending a test's
    captured log to its controller (an INTERNALERROR that ended the run).
    """
    import io

    stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict", newline="\n")
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("ssot_guard")
    # Another test of this process may have left the logger disabled (dictConfig) or
    # quieter: this one is about what a handler that does receive the line gets.
    disabled, level = logger.disabled, logger.level
    logger.disabled = False
    logger.setLevel(logging.WARNING)
    logger.addHandler(handler)
    try:
        _block("warn")
        ssot_guard.clear_violations()  # a new location, logged, whatever ran before
        code = compile("import app.legacy", "/srv/caf\udce9/logged.py", "exec")
        with pytest.warns(SSOTWarning):
            exec(code, {"__name__": "user"})
        handler.flush()
    finally:
        logger.removeHandler(handler)
        logger.disabled = disabled
        logger.setLevel(level)
    written = stream.buffer.getvalue().decode("utf-8")  # type: ignore[attr-defined]
    assert "/srv/caf\\udce9/logged.py" in written
    assert "Logging error" not in capsys.readouterr().err


def test_report_does_not_raise_on_a_bad_mode_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """A health endpoint keeps answering when SSOT_GUARD_MODE holds a typo: it shows it."""
    monkeypatch.setenv("SSOT_GUARD_MODE", "strcit")
    assert ssot_guard.report()["mode_override"] == "strcit"


@pytest.mark.parametrize("call", ["ssot_guard.uninstall()", "ssot_guard.install(rules=[])"])
def test_callback_may_install_or_uninstall_when_install_finds_a_preloaded_module(
    tmp_path: Path, call: str
) -> None:
    """No callback runs under our locks: one that (un)installs during install() cannot hang."""
    (tmp_path / "retired_mod.py").write_text("", encoding="utf-8")
    code = (
        "import ssot_guard, retired_mod\n"
        f"ssot_guard.on_violation(lambda v: {call})\n"
        "ssot_guard.install(rules=[ssot_guard.Block('retired_mod')], mode='warn')\n"
        "print(len(ssot_guard.active_guard().rules))\n"
    )
    result = _python(tmp_path, code, "-W", "ignore")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1"  # the guard install() built is the one in force
