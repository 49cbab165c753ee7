"""Planted configuration: discovery refuses a file someone else owns or can write.

As git's ``safe.directory``: a ``pyproject.toml`` found by walking up from the working
directory is used only if it (and its directory) belong to the current user or root and
no one else can write them. Naming the file (``SSOT_GUARD_CONFIG``, ``install(config=)``,
``--config``) opts in. Tests run as root here, so files are chowned to uid 65534.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import ssot_guard
from ssot_guard import ConfigError
from ssot_guard._cli import main

pytestmark = pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX ownership")

OTHER_UID = 65534  # nobody
CONFIG = """\
[tool.ssot_guard]
mode = "strict"

[[tool.ssot_guard.block]]
module = "app.legacy"
use = "app.current"
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with pyproject.toml and ``app.legacy``, the working directory of the test."""
    root = tmp_path / "project"
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "legacy.py").write_text("print('legacy ran')\n")
    (root / "pyproject.toml").write_text(CONFIG)
    monkeypatch.chdir(root)
    monkeypatch.delenv("SSOT_GUARD_CONFIG", raising=False)
    monkeypatch.delenv("SSOT_GUARD_MODE", raising=False)
    return root


def _refusal() -> ConfigError:
    with pytest.raises(ConfigError) as info:
        ssot_guard.install()
    return info.value


def test_world_writable_config_is_refused(project: Path) -> None:
    """A discovered config that every user can write is refused, naming it and the way in."""
    config = project / "pyproject.toml"
    config.chmod(0o666)
    error = _refusal()
    assert error.file == str(config)
    assert "refusing the configuration found by discovery" in error.problem
    assert "file is writable by every user (mode -rw-rw-rw-)" in error.problem
    assert f"SSOT_GUARD_CONFIG={config}" in error.problem
    assert "\n" not in str(error)


def test_config_owned_by_another_user_is_refused(project: Path, monkeypatch) -> None:
    """A discovered config owned by another user (not root) is refused; naming it opts in."""
    config = project / "pyproject.toml"
    os.chown(config, OTHER_UID, -1)
    error = _refusal()
    assert error.file == str(config)
    assert f"file is owned by uid {OTHER_UID}, not by you (uid {os.geteuid()}) or root" in (
        error.problem
    )
    assert ssot_guard.install(config).config.path == str(config)
    ssot_guard.uninstall()
    monkeypatch.setenv("SSOT_GUARD_CONFIG", str(config))
    assert ssot_guard.install().config.path == str(config)


def test_config_in_a_directory_another_user_owns_is_refused(project: Path) -> None:
    """The directory holding it counts too: its owner could replace the file."""
    os.chown(project, OTHER_UID, -1)
    assert f"its directory {project} is owned by uid {OTHER_UID}" in _refusal().problem


def test_config_in_a_world_writable_directory_is_refused(project: Path) -> None:
    """A world-writable directory without the sticky bit lets anyone swap the file.

    With the sticky bit (as /tmp), only the file's owner can replace it: accepted.
    """
    project.chmod(0o777)
    assert "is writable by every user (mode drwxrwxrwx)" in _refusal().problem
    assert f"discovery: its directory {project} is writable" in _refusal().problem  # not "the its"
    project.chmod(0o1777)
    assert ssot_guard.install().config.path == str(project / "pyproject.toml")


def test_group_writable_config_of_a_foreign_group_is_refused(project: Path) -> None:
    """Writable by a group that is not the user's own: refused."""
    config = project / "pyproject.toml"
    os.chown(config, -1, OTHER_UID)
    config.chmod(0o664)
    assert f"file is writable by group {OTHER_UID}" in _refusal().problem


def test_foreign_pyproject_without_our_table_is_passed_over(project: Path) -> None:
    """Another user's pyproject.toml with no [tool.ssot_guard] is not ours to judge.

    One with the table but broken TOML is refused as untrusted, not parsed for the user.
    """
    broken = project / "broken"
    broken.mkdir()
    (broken / "pyproject.toml").write_text("[tool.ssot_guard\n")
    os.chown(broken / "pyproject.toml", OTHER_UID, -1)
    os.chdir(broken)
    assert "refusing the configuration found by discovery" in _refusal().problem
    inner = project / "sub"
    inner.mkdir()
    (inner / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    os.chown(inner / "pyproject.toml", OTHER_UID, -1)
    os.chdir(inner)
    assert ssot_guard.install().config.path == str(project / "pyproject.toml")


def test_cli_refuses_a_planted_config_and_accepts_it_named(project: Path, capsys) -> None:
    """``ssot-guard check`` refuses the discovered file (exit 2); ``--config`` opts in."""
    config = project / "pyproject.toml"
    config.chmod(0o646)
    assert main(["check", "app"]) == 2
    err = capsys.readouterr().err
    assert "refusing the configuration found by discovery" in err
    assert "Traceback" not in err
    assert main(["check", "--config", str(config), "app"]) == 1  # app/legacy.py is retired
    assert "refusing" not in capsys.readouterr().err


def _autoinstall(project: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SSOT_GUARD_")}
    environ.update(SSOT_GUARD_AUTOINSTALL="1", PYTHONPATH=str(project), **env)
    return subprocess.run(
        [sys.executable, "-c", "import app.legacy"],
        cwd=project,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_autoinstall_refuses_a_planted_config_in_one_line(project: Path) -> None:
    """At start-up: one line naming the file and the opt-in; the planted rules do nothing."""
    config = project / "pyproject.toml"
    os.chown(config, OTHER_UID, -1)
    result = _autoinstall(project)
    assert result.returncode == 0
    assert result.stdout == "legacy ran\n"  # the planted config's strict block is not applied
    [line] = result.stderr.splitlines()
    assert f"{config}: refusing the configuration found by discovery" in line
    assert line.endswith("running unguarded")
    named = _autoinstall(project, SSOT_GUARD_CONFIG=str(config))  # opting in: guarded
    assert named.returncode == 1
    assert "BlockedImportError" in named.stderr


def test_cached_config_is_refused_once_its_directory_is_not_ours(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Trust is the file's now, not the cache's: a config read from the cache is refused once
    its directory passes to another user (which leaves the file's own key unchanged)."""
    from ssot_guard._config import _cache

    monkeypatch.setenv(_cache.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setattr(_cache, "RACY_SECONDS", -1.0)
    ssot_guard.install()
    ssot_guard.uninstall()
    assert len(list((tmp_path / "cache").iterdir())) == 1  # cached: the next read is a hit
    os.chown(project, OTHER_UID, -1)
    assert f"its directory {project} is owned by uid {OTHER_UID}" in _refusal().problem
