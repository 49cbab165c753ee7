"""Bad input that used to escape the contract: one ConfigError naming file, entry and key.

Each mistake is tried through ``install()``, through ``ssot-guard check`` (exit 2, the
message, no traceback) and, where a process starts, through autoinstall.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import ssot_guard
from other_user import AS_NOBODY, interpreters, is_root
from ssot_guard import ConfigError
from ssot_guard._cli import main

pytest_plugins = ["pytester"]


def _write(tmp_path: Path, body: str, name: str = "pyproject.toml") -> Path:
    path = tmp_path / name
    path.write_text("[tool.ssot_guard]\n" + textwrap.dedent(body), encoding="utf-8")
    return path


def _install_error(config: str | Path) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        ssot_guard.install(config)
    return info.value


def _cli(capsys: pytest.CaptureFixture[str], config: str | Path, tmp_path: Path) -> str:
    (tmp_path / "empty.py").write_text("", encoding="utf-8")
    status = main(["check", "--config", str(config), str(tmp_path / "empty.py")])
    err = capsys.readouterr().err
    assert status == 2, err
    assert "Traceback" not in err
    return err


def _autoinstall(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SSOT_GUARD_")}
    environ.update(SSOT_GUARD_AUTOINSTALL="1", **env)
    return subprocess.run(
        [sys.executable, "-c", "print('ran')"],
        cwd=tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


WRONG_TYPES = [
    ("block", 'module = "app.old"\n', "allow", "5", "an integer"),
    ("block", 'module = "app.old"\n', "allow", "true", "a boolean"),
    ("block", 'module = "app.old"\n', "allow_importers", "1.5", "a float"),
    ("block", 'module = "app.old"\n', "allow_importers", '{ a = "b" }', "a table"),
    ("unique", 'class = "Manager"\n', "within", "3", "an integer"),
    ("unique", 'class = "Manager"\n', "within", "false", "a boolean"),
    ("unique", 'class = "Manager"\n', "within", '{ app = "x" }', "a table"),
]


def _wrong_type_config(tmp_path: Path, kind: str, rest: str, key: str, value: str) -> Path:
    return _write(tmp_path, f"[[tool.ssot_guard.{kind}]]\n{rest}{key} = {value}\n")


@pytest.mark.parametrize(("kind", "rest", "key", "value", "named"), WRONG_TYPES)
def test_list_key_of_wrong_type_is_one_config_error(
    tmp_path, kind, rest, key, value, named
) -> None:
    """A list key given a number, a boolean or a table: ConfigError naming file, entry, key."""
    path = _wrong_type_config(tmp_path, kind, rest, key, value)
    error = _install_error(path)
    assert (error.file, error.entry, error.key) == (str(path), f"tool.ssot_guard.{kind}[0]", key)
    assert "expected a list of" in error.problem
    assert f"got {named}" in error.problem


@pytest.mark.parametrize(("kind", "rest", "key", "value", "named"), WRONG_TYPES[::3])
def test_list_key_of_wrong_type_exits_2_in_the_cli(
    tmp_path, capsys, kind, rest, key, value, named
) -> None:
    """The same mistakes in ``ssot-guard check``: exit 2 with the message, no traceback."""
    path = _wrong_type_config(tmp_path, kind, rest, key, value)
    err = _cli(capsys, path, tmp_path)
    assert f"{path}: tool.ssot_guard.{kind}[0]: key '{key}'" in err
    assert f"got {named}" in err


def test_list_key_of_wrong_type_is_one_line_at_autoinstall(tmp_path) -> None:
    """At start-up: one line naming file, entry and key; the program runs unguarded."""
    path = _wrong_type_config(tmp_path, "block", 'module = "app.old"\n', "allow", "5")
    result = _autoinstall(tmp_path)
    assert result.stdout == "ran\n"
    [line] = result.stderr.splitlines()
    assert f"{path}: tool.ssot_guard.block[0]: key 'allow'" in line
    assert "got an integer" in line
    assert line.endswith("running unguarded")


@pytest.mark.parametrize("kind", ["block", "deprecate"])
def test_empty_use_is_refused(tmp_path, kind) -> None:
    """``use = ""`` names no replacement: refused, not shown as "use '' instead"."""
    first = 'module = "app.old"' if kind == "block" else 'name = "app.old:make"'
    path = _write(tmp_path, f'[[tool.ssot_guard.{kind}]]\n{first}\nuse = ""\n')
    error = _install_error(path)
    assert (error.file, error.entry, error.key) == (str(path), f"tool.ssot_guard.{kind}[0]", "use")
    assert "is empty" in error.problem


def test_empty_use_exits_2_in_the_cli(tmp_path, capsys) -> None:
    """``use = ""`` in ``ssot-guard check``: exit 2 naming the key."""
    path = _write(tmp_path, '[[tool.ssot_guard.block]]\nmodule = "app.old"\nuse = " "\n')
    assert "key 'use': is empty" in _cli(capsys, path, tmp_path)


def test_canonical_outside_within_is_refused(tmp_path) -> None:
    """A canonical module that ``within`` does not watch can never be the one definition."""
    path = _write(
        tmp_path,
        '[[tool.ssot_guard.unique]]\nclass = "Manager"\nwithin = ["app.core"]\n'
        'canonical = "lib.manager"\n',
    )
    error = _install_error(path)
    assert (error.file, error.entry, error.key) == (
        str(path),
        "tool.ssot_guard.unique[0]",
        "canonical",
    )
    assert "'lib.manager' is outside 'within' (app.core)" in error.problem


def test_redirect_chain_error_names_the_file(tmp_path) -> None:
    """A redirect to a blocked module: ``ConfigError.file`` is the file, the entry its table."""
    path = _write(
        tmp_path,
        '[[tool.ssot_guard.redirect]]\nmodule = "app.old"\nto = "app.mid"\n'
        '[[tool.ssot_guard.block]]\nmodule = "app.mid"\n',
    )
    error = _install_error(path)
    assert (error.file, error.entry, error.key) == (str(path), "tool.ssot_guard.redirect[0]", "to")
    assert str(error).startswith(f"{path}: tool.ssot_guard.redirect[0]: key 'to': names 'app.mid'")


def test_config_path_dev_null_is_not_an_empty_config(tmp_path, capsys) -> None:
    """``/dev/null`` is no configuration (it read as one without rules): a clear refusal."""
    error = _install_error(os.devnull)
    assert error.file == os.devnull
    assert "is not a regular file but a device" in error.problem
    assert "is not a regular file" in _cli(capsys, os.devnull, tmp_path)


@pytest.mark.parametrize(
    ("target", "expected"), [("dir", "is a directory"), ("devnull", "is not a regular file")]
)
def test_config_variable_naming_a_non_file(tmp_path, monkeypatch, target, expected) -> None:
    """``SSOT_GUARD_CONFIG`` naming a directory or a device says so, not "file not found"."""
    named = str(tmp_path) if target == "dir" else os.devnull
    monkeypatch.setenv("SSOT_GUARD_CONFIG", named)
    error = _install_error(None)  # type: ignore[arg-type]
    assert error.file == f"environment variable SSOT_GUARD_CONFIG={named!r}"
    assert error.problem.startswith(expected)
    result = _autoinstall(tmp_path, SSOT_GUARD_CONFIG=named)
    assert result.stdout == "ran\n"
    [line] = result.stderr.splitlines()
    assert expected in line
    assert line.endswith("running unguarded")


def test_config_path_that_is_a_fifo_does_not_hang(tmp_path) -> None:
    """A FIFO named as the config is refused at once (opening it for reading used to block)."""
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)
    try:
        result = subprocess.run(
            [sys.executable, "-c", f"import ssot_guard; ssot_guard.install({str(fifo)!r})"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("install() blocked opening a FIFO")
    assert "is not a regular file but a FIFO" in result.stderr


def test_list_key_of_wrong_type_is_a_usage_error_in_the_plugin(pytester: pytest.Pytester) -> None:
    """The pytest plugin reports the mistake as a usage error (exit 4), not a crash (exit 1)."""
    (pytester.path / "pyproject.toml").write_text(
        '[tool.ssot_guard]\n[[tool.ssot_guard.block]]\nmodule = "app.old"\nallow = 5\n'
    )
    pytester.makepyfile(test_a="def test_a():\n    pass\n")
    result = pytester.runpytest_subprocess()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*tool.ssot_guard.block[[]0[]]: key 'allow'*got an integer*"])


@pytest.mark.parametrize("nested", ["[" * 3000 + "]" * 3000, "{ a = " * 3000 + "1" + " }" * 3000])
def test_config_nested_too_deeply_to_parse_names_the_file(tmp_path, nested) -> None:
    """Arrays or inline tables nested past what ``tomllib`` can recurse through: one
    ConfigError naming the file (the RecursionError named nothing)."""
    path = _write(tmp_path, f"mode = {nested}\n")
    error = _install_error(path)
    assert (error.file, error.problem) == (
        str(path),
        "arrays or inline tables nested too deeply to parse",
    )


def test_config_nested_too_deeply_is_one_line_naming_the_file_at_autoinstall(tmp_path) -> None:
    """At start-up: one line naming the file; the program runs unguarded."""
    path = _write(tmp_path, f"mode = {'[' * 3000}{']' * 3000}\n")
    result = _autoinstall(tmp_path)
    assert result.stdout == "ran\n"
    [line] = result.stderr.splitlines()
    assert f"{path}: arrays or inline tables nested too deeply to parse" in line
    assert line.endswith("running unguarded")


HUGE = "x" * 100_000


@pytest.mark.parametrize(
    "variable",
    [
        "SSOT_GUARD_MODE",
        "SSOT_GUARD_TELEMETRY",
        "SSOT_GUARD_CONFIG",
        "SSOT_GUARD_CACHE_DIR",
        "SSOT_GUARD_RECORD",
    ],
)
def test_huge_environment_value_is_cut_in_the_error(tmp_path, monkeypatch, variable) -> None:
    """A 100 kB variable is named with its start and its length, not echoed whole."""
    config = tmp_path / "ssot.toml"
    config.write_text('mode = "warn"\n', encoding="utf-8")
    value = f"{tmp_path}/{HUGE}/record.jsonl" if variable == "SSOT_GUARD_RECORD" else HUGE
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as info:
        ssot_guard.install(None if variable == "SSOT_GUARD_CONFIG" else config)
    message = str(info.value)
    assert len(message) < 1_000, message[:300]
    assert "characters)" in message
    assert variable in message


def test_huge_environment_value_is_one_short_line_at_autoinstall(tmp_path) -> None:
    """At autoinstall, every interpreter would print it: one short line, then the program runs."""
    (tmp_path / "pyproject.toml").write_text("[tool.ssot_guard]\n", encoding="utf-8")
    result = _autoinstall(tmp_path, SSOT_GUARD_MODE=HUGE)
    assert result.stdout == "ran\n"
    [line] = result.stderr.splitlines()
    assert len(line) < 1_000
    assert "SSOT_GUARD_MODE" in line


def test_unreadable_discovered_pyproject_suggests_naming_the_config() -> None:
    """A ``pyproject.toml`` found above the working directory that this user cannot read
    may not be the file meant: the error says how to name the right one.

    As root (who reads everything) the interpreter runs as ``nobody``, in a
    world-traversable directory of its own.
    """
    import shutil
    import tempfile

    options: dict[str, object] = {"timeout": 60, **(AS_NOBODY if is_root() else {})}
    usable = interpreters(options)
    if not usable:
        pytest.skip("no Python 3.11+ interpreter that nobody may run")
    root = Path(tempfile.mkdtemp(prefix="ssot-unreadable-config-"))
    try:
        root.chmod(0o755)
        (root / "pyproject.toml").write_text("[tool.ssot_guard]\n", encoding="utf-8")
        (root / "pyproject.toml").chmod(0)
        (root / "app").mkdir()
        (root / "app").chmod(0o755)
        env = {k: v for k, v in os.environ.items() if not k.startswith("SSOT_GUARD")}
        env.update(PYTHONPATH=str(Path(__file__).parent.parent / "src"), SSOT_GUARD_CACHE_DIR="off")
        code = (
            "import ssot_guard\n"
            "try:\n    ssot_guard.install()\n"
            "except ssot_guard.ConfigError as e:\n    print(e)\n"
        )
        result = subprocess.run(
            [usable[0], "-c", code],
            cwd=root / "app",
            env=env,
            capture_output=True,
            text=True,
            check=False,
            **options,  # type: ignore[arg-type]
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)
    assert result.stderr == ""
    assert "pyproject.toml: cannot read: Permission denied" in result.stdout
    assert "set SSOT_GUARD_CONFIG to the file to use" in result.stdout
