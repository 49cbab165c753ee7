"""One report per violation: its exception or its warning, not also a log line on stderr."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

SCRIPT = """\
import ssot_guard
ssot_guard.install(rules=[ssot_guard.Block("app.legacy", reason="gone")], mode={mode!r})
{prelude}
import app.legacy
print("ran")
"""


def run_script(tmp_path: Path, mode: str, prelude: str = "") -> subprocess.CompletedProcess[str]:
    """Run a script (``__main__``) that installs a guard and imports a retired module."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "legacy.py").write_text("")
    (tmp_path / "main.py").write_text(SCRIPT.format(mode=mode, prelude=prelude))
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSOT_GUARD_")}
    env["PYTHONWARNINGS"] = "default"
    return subprocess.run(
        [sys.executable, "main.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )


def assert_one_report(stderr: str) -> None:
    """The warning or the error appears once; the log line (which names a location) not at all."""
    reports = stderr.count("SSOTWarning: import of retired module 'app.legacy'") + stderr.count(
        "BlockedImportError: No module named 'app.legacy'"
    )
    assert reports == 1, stderr
    assert "import of retired module 'app.legacy' at " not in stderr, stderr


def test_warn_mode_in_main_prints_the_warning_only(tmp_path: Path) -> None:
    """Warn mode in a script: stderr holds the warning and no log line repeating it."""
    result = run_script(tmp_path, "warn")
    assert result.returncode == 0, result.stderr
    assert "main.py:4: SSOTWarning: import of retired module 'app.legacy' (gone)" in result.stderr
    assert_one_report(result.stderr)


def test_warn_mode_with_logging_imported_but_unconfigured(tmp_path: Path) -> None:
    """``logging`` imported, no handler: no lastResort line repeating the warning."""
    result = run_script(tmp_path, "warn", prelude="import logging")
    assert result.returncode == 0, result.stderr
    assert_one_report(result.stderr)


def test_strict_refusal_is_reported_by_its_exception_only(tmp_path: Path) -> None:
    """Strict mode: the traceback says it; no log line says it again before it."""
    result = run_script(tmp_path, "strict")
    assert result.returncode == 1
    assert "BlockedImportError: No module named 'app.legacy': retired by ssot_guard" in (
        result.stderr
    )
    assert_one_report(result.stderr)
    assert result.stderr.startswith("Traceback"), result.stderr


def test_configured_logging_still_gets_the_record(tmp_path: Path) -> None:
    """An application that configured logging receives the record (for its log pipeline)."""
    prelude = (
        "import logging, sys\nlogging.basicConfig(stream=sys.stdout, format='LOG %(message)s')"
    )
    result = run_script(tmp_path, "warn", prelude=prelude)
    assert result.returncode == 0, result.stderr
    assert "LOG import of retired module 'app.legacy' at " in result.stdout
    assert_one_report(result.stderr)


def test_conftest_refusal_is_reported_once(pytester: pytest.Pytester) -> None:
    """A conftest's blocked import: pytest's error says it, no log line on stderr before it."""
    for name, source in {
        "app/__init__.py": "",
        "app/legacy.py": "",
        "conftest.py": "import app.legacy\n",
        "test_x.py": "def test_x():\n    pass\n",
    }.items():
        path = pytester.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    pytester.makepyprojecttoml(
        textwrap.dedent(
            """
            [tool.pytest.ini_options]
            pythonpath = ["."]
            [tool.ssot_guard]
            mode = "strict"
            [[tool.ssot_guard.block]]
            module = "app.legacy"
            """
        )
    )
    result = pytester.runpytest_subprocess()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert_one_report(result.stderr.str())
