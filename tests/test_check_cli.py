"""``python -m ssot_guard check`` end to end: exit status, output, errors, baselines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ssot_guard._cli import EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, main

CONFIG = """\
[tool.ssot_guard]

[[tool.ssot_guard.block]]
module = "app.legacy"
use = "app.canonical"
reason = "dual pattern removed"
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "app" / "user.py").write_text("import app.legacy\n", encoding="utf-8")
    return tmp_path


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSOT_GUARD")}
    return subprocess.run(
        [sys.executable, "-m", "ssot_guard", "check", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_findings_exit_1_with_text_lines(project: Path) -> None:
    """Findings: exit 1, one ``path:line:col: CODE message`` line each on stdout."""
    result = run(project)
    assert result.returncode == EXIT_FINDINGS == 1
    assert result.stdout == (
        "app/user.py:1:8: SSOT101 import of retired module 'app.legacy'; use 'app.canonical' "
        "instead (dual pattern removed) [pyproject.toml: tool.ssot_guard.block[0]]\n"
    )
    assert "1 finding(s)" in result.stderr


def test_clean_tree_exits_0(project: Path) -> None:
    """No findings: exit 0 and nothing on stdout."""
    (project / "app" / "user.py").write_text("import app.canonical\n", encoding="utf-8")
    result = run(project)
    assert (result.returncode, result.stdout) == (EXIT_CLEAN, "")


def test_config_error_exits_2_with_the_runtime_message(project: Path) -> None:
    """A bad config: exit 2 and the ConfigError message, no traceback."""
    (project / "pyproject.toml").write_text(CONFIG.replace("module =", "modul ="), encoding="utf-8")
    result = run(project)
    assert result.returncode == EXIT_USAGE == 2
    assert "tool.ssot_guard.block[0]: key 'modul': unknown key" in result.stderr
    assert "Traceback" not in result.stderr


def test_json_output_parses(project: Path) -> None:
    """``--format json`` prints a JSON list of findings with the rule they came from."""
    result = run(project, "--format", "json")
    (finding,) = json.loads(result.stdout)
    assert finding["path"] == "app/user.py"
    assert finding["rule"] == "pyproject.toml: tool.ssot_guard.block[0]"
    assert result.returncode == EXIT_FINDINGS


def test_checked_module_that_exits_is_not_run(project: Path) -> None:
    """A module that would end the process if executed is only read."""
    (project / "app" / "boom.py").write_text(
        "import os\nos._exit(0)\nraise SystemExit(0)\nimport app.legacy\n", encoding="utf-8"
    )
    result = run(project, "--jobs", "2")
    assert result.returncode == EXIT_FINDINGS
    assert "app/boom.py:4:8: SSOT101" in result.stdout


def test_update_baseline_then_only_new_findings_fail(project: Path) -> None:
    """``--update-baseline`` writes the counts and exits 0; later, only new findings fail."""
    written = run(project, "--baseline", "base.json", "--update-baseline")
    assert written.returncode == EXIT_CLEAN
    assert run(project, "--baseline", "base.json").returncode == EXIT_CLEAN
    (project / "app" / "more.py").write_text("from app import legacy\n", encoding="utf-8")
    again = run(project, "--baseline", "base.json")
    assert again.returncode == EXIT_FINDINGS
    assert again.stdout.startswith("app/more.py:1:17: SSOT101")


def test_update_baseline_needs_baseline(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--update-baseline`` without ``--baseline`` is a usage error."""
    monkeypatch.chdir(project)
    assert main(["check", "--update-baseline"]) == EXIT_USAGE
    assert "--update-baseline needs --baseline FILE" in capsys.readouterr().err


def test_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """argparse errors come back as exit status 2."""
    assert main(["check", "--format", "xml"]) == EXIT_USAGE
    assert "invalid choice" in capsys.readouterr().err


def test_missing_path_is_a_usage_error(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A path that does not exist: exit 2, naming it."""
    monkeypatch.chdir(project)
    monkeypatch.delenv("SSOT_GUARD_CONFIG", raising=False)
    assert main(["check", "nowhere"]) == EXIT_USAGE
    assert "nowhere: no such file or directory" in capsys.readouterr().err


def test_explicit_config_file(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--config FILE`` reads that file; a plain TOML file is read at its top level."""
    (project / "rules.toml").write_text('[[block]]\nmodule = "app.user"\n', encoding="utf-8")
    monkeypatch.chdir(project)
    assert main(["check", "--config", "rules.toml", "--format", "json"]) == EXIT_FINDINGS
    (finding,) = json.loads(capsys.readouterr().out)
    assert (finding["code"], finding["rule"]) == ("SSOT103", "rules.toml: block[0]")


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    """``ssot-guard --version`` prints the installed version and exits 0."""
    assert main(["--version"]) == EXIT_CLEAN
    assert capsys.readouterr().out.startswith("ssot-guard ")


SAME_CLASS = (
    "class Manager:\n    def a(self):\n        return 1\n\n    def b(self):\n        return 2\n"
)


@pytest.mark.parametrize(
    ("command", "status"),
    [
        (["check"], EXIT_FINDINGS),
        (["check", "--show-files"], EXIT_CLEAN),
        (["rule", "--all"], EXIT_CLEAN),
        (["rule", "SSOT101"], EXIT_CLEAN),
        (["--version"], EXIT_CLEAN),
        (["fix", "--diff"], EXIT_CLEAN),
        (["suggest"], EXIT_FINDINGS),
        (["suggest", "--format", "json"], EXIT_FINDINGS),
    ],
)
def test_closed_stdout_is_no_traceback(project: Path, command: list[str], status: int) -> None:
    """``ssot-guard ... | head -1``: a reader gone is no error; the command's own status."""
    (project / "app" / "canonical.py").write_text(SAME_CLASS, encoding="utf-8")
    (project / "app" / "copy.py").write_text(SAME_CLASS, encoding="utf-8")
    reader, writer = os.pipe()
    os.close(reader)  # every write to stdout fails with EPIPE, as after `head` has exited
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSOT_GUARD")}
    try:
        result = subprocess.run(
            [sys.executable, "-m", "ssot_guard", *command],
            cwd=project,
            env=env,
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
            timeout=60,
        )
    finally:
        os.close(writer)
    assert "Traceback" not in result.stderr
    assert "BrokenPipeError" not in result.stderr
    assert result.returncode == status


@pytest.mark.parametrize(
    "command",
    [
        ["check", "--format", "github"],
        ["check", "--format", "sarif"],
        ["check", "--show-files"],
        ["fix", "--diff"],
    ],
)
def test_file_name_that_is_not_utf8_on_a_strict_stdout(project: Path, command: list[str]) -> None:
    """``n\\xe9.py`` in a UTF-8 terminal whose stdout is strict: no traceback.

    Such a name is read as a surrogate (``n\\udce9.py``), which a strict UTF-8 stdout
    cannot encode; the output names the file by its own bytes, as ``ls`` does.
    """
    try:
        (project / "app").joinpath(os.fsdecode(b"n\xe9.py")).write_text(
            "import app.legacy\n", encoding="utf-8"
        )
    except (OSError, UnicodeError):
        pytest.skip("this file system refuses names that are not UTF-8")
    (project / "app" / "canonical.py").write_text("", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSOT_GUARD")}
    env["PYTHONIOENCODING"] = "utf-8:strict"  # as under LANG=en_US.UTF-8
    result = subprocess.run(
        [sys.executable, "-m", "ssot_guard", *command],
        cwd=project,
        env=env,
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert b"Traceback" not in result.stderr, result.stderr.decode(errors="replace")
    # Its bytes (github, --show-files), percent-encoded (SARIF) or escaped as text lines are.
    assert any(shown in result.stdout for shown in (b"n\xe9.py", b"n%E9.py", b"n\\udce9.py"))


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        (["--strict-baseline"], "--strict-baseline needs --baseline FILE (or a baseline setting)"),
        (["--statistics", "--format", "json"], "--statistics prints a text table"),
        (["--statistics", "--format", "sarif"], "--statistics prints a text table"),
        (["--select", ""], "--select: no code given"),
        (["--select", " , "], "--select: no code given"),
    ],
)
def test_flags_that_would_be_silently_ignored_are_usage_errors(
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    arguments: list[str],
    error: str,
) -> None:
    """A flag that cannot do what it says is one usage error (exit 2), not silently dropped.

    ``--select "$CODES"`` with the variable unset selected nothing and passed; ``--strict-
    baseline`` without a baseline, and ``--statistics --format json`` (text), did not do
    what they said either.
    """
    monkeypatch.chdir(project)
    monkeypatch.delenv("SSOT_GUARD_CONFIG", raising=False)
    assert main(["check", *arguments]) == EXIT_USAGE
    captured = capsys.readouterr()
    assert error in captured.err
    assert captured.out == ""


@pytest.mark.parametrize("command", ["check", "fix", "suggest"])
def test_deleted_current_directory_is_one_usage_error(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
) -> None:
    """Run from a directory that was deleted: exit 2 and one line saying so, no traceback."""
    monkeypatch.delenv("SSOT_GUARD_CONFIG", raising=False)
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    assert main([command]) == EXIT_USAGE
    assert "current directory no longer exists" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("command", "page"),
    [
        ("check", "cli.md"),
        ("rule", "cli.md"),
        ("fix", "fix-and-suggest.md"),
        ("suggest", "fix-and-suggest.md"),
    ],
)
def test_every_flag_of_the_help_is_in_the_docs(command: str, page: str) -> None:
    """Each long option `ssot-guard COMMAND --help` lists is written, in backquotes, on the
    command's page of docs/ (an option added without its docs fails here)."""
    import re

    result = subprocess.run(
        [sys.executable, "-m", "ssot_guard", command, "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    flags = set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", result.stdout)) - {"--help"}
    text = (Path(__file__).resolve().parent.parent / "docs" / page).read_text(encoding="utf-8")
    spans = " ".join(re.findall(r"`[^`\n]*`", text))
    documented = set(re.findall(r"--[a-z][a-z-]+", spans))
    assert flags - documented == set()


def test_every_flag_of_the_check_options_table_exists() -> None:
    """Each option in docs/cli.md's `check` options table is one `check --help` lists."""
    import re

    result = subprocess.run(
        [sys.executable, "-m", "ssot_guard", "check", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    text = (Path(__file__).resolve().parent.parent / "docs" / "cli.md").read_text(encoding="utf-8")
    table = text.split("| option | meaning |", 1)[1].split("\n\n", 1)[0]
    documented = set(re.findall(r"`(--[a-z][a-z-]+)", table))
    assert documented - set(re.findall(r"--[a-z][a-z-]+", result.stdout)) == set()


def test_help_says_that_warnings_alone_exit_0(tmp_path: Path) -> None:
    """`check --help` states the exit status the command gives: a run with warnings only
    (a rule in warn mode) exits 0, not 1 as "1 findings" said."""
    (tmp_path / "pyproject.toml").write_text(
        CONFIG.replace('reason = "dual pattern removed"', 'mode = "warn"'), encoding="utf-8"
    )
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "app" / "user.py").write_text("import app.legacy\n", encoding="utf-8")
    run = [sys.executable, "-m", "ssot_guard", "check"]
    warned = subprocess.run(run, cwd=tmp_path, capture_output=True, text=True)
    assert (warned.returncode, "[warning]" in warned.stdout) == (0, True)
    shown = subprocess.run([*run, "--help"], capture_output=True, text=True, check=True)
    assert "Exit status: 0 clean or warnings only, 1 errors" in " ".join(shown.stdout.split())
