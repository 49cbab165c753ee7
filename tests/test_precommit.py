"""The pre-commit hook works as the docs write it (docs/cli.md, .pre-commit-hooks.yaml)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pre_commit", reason="pre-commit is not installed (the test extra has it)")

ROOT = Path(__file__).resolve().parent.parent

PYPROJECT = """\
[tool.ssot_guard]
mode = "strict"

[[tool.ssot_guard.block]]
module = "app.old"
use = "app.new"
"""


def documented_config() -> str:
    """The YAML block of docs/cli.md's pre-commit section, verbatim."""
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    section = text.split("\n## pre-commit\n", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert match is not None, "docs/cli.md's pre-commit section has no yaml block"
    return match.group(1)


def make_repo(root: Path, user_source: str) -> Path:
    """A git repository with rules, a canonical module and a user of the retired one."""
    (root / "app").mkdir(parents=True)
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (root / "app" / "__init__.py").write_text("", encoding="utf-8")
    (root / "app" / "new.py").write_text("", encoding="utf-8")
    (root / "app" / "user.py").write_text(user_source, encoding="utf-8")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t.invalid"]
    subprocess.run([*git, "init", "-q", str(root)], check=True)
    subprocess.run([*git, "add", "-A"], cwd=root, check=True)
    return root


def pre_commit(repo: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SSOT_GUARD_", "PRE_COMMIT"))}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["PRE_COMMIT_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_documented_hook_fails_a_commit_that_imports_a_retired_module(tmp_path: Path) -> None:
    """The docs' .pre-commit-config.yaml runs `ssot-guard check`; a retired import fails it."""
    repo = make_repo(tmp_path / "repo", "import app.old\n")
    (repo / ".pre-commit-config.yaml").write_text(documented_config(), encoding="utf-8")
    result = pre_commit(repo, tmp_path / "home", "run", "--all-files")
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(
        r"app/user.py:1:\d+: SSOT101 import of retired module 'app.old'", result.stdout
    )


def test_documented_hook_passes_a_clean_tree(tmp_path: Path) -> None:
    """The same hook passes when nothing imports a retired module."""
    repo = make_repo(tmp_path / "repo", "import app.new\n")
    (repo / ".pre-commit-config.yaml").write_text(documented_config(), encoding="utf-8")
    result = pre_commit(repo, tmp_path / "home", "run", "--all-files")
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"ssot-guard check\.+Passed", result.stdout), result.stdout


def test_shipped_hook_definition_installs_ssot_guard_and_checks(tmp_path: Path) -> None:
    """`pre-commit try-repo` on this repository builds the hook of .pre-commit-hooks.yaml."""
    repo = make_repo(tmp_path / "repo", "from app import old\n")
    result = pre_commit(repo, tmp_path / "home", "try-repo", str(ROOT), "ssot-guard", "--all-files")
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(
        r"app/user.py:1:\d+: SSOT101 import of retired module 'app.old'", result.stdout
    )
