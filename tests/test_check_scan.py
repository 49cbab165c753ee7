"""File discovery for ``ssot-guard check``: module names from paths, links, exclusions."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from ssot_guard._check._scan import MissingPathError
from ssot_guard._check._walk import discover


def touch(root: Path, *relatives: str) -> None:
    for relative in relatives:
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("", encoding="utf-8")


def modules(root: Path, **options: object) -> dict[str, str]:
    prefix = str(root) + os.sep
    return {
        s.path.removeprefix(prefix): s.module
        for s in discover([str(root)], **options)  # type: ignore[arg-type]
    }


def test_src_layout_module_names(tmp_path: Path) -> None:
    """``src/app/x.py`` is ``app.x``: ``src`` has no ``__init__.py``."""
    touch(tmp_path, "src/app/__init__.py", "src/app/x.py", "src/app/sub/__init__.py")
    assert modules(tmp_path) == {
        "src/app/__init__.py": "app",
        "src/app/x.py": "app.x",
        "src/app/sub/__init__.py": "app.sub",
    }


def test_checking_a_subdirectory_keeps_full_module_names(tmp_path: Path) -> None:
    """Checking ``app/sub`` alone still names its modules ``app.sub.*``."""
    touch(tmp_path, "app/__init__.py", "app/sub/__init__.py", "app/sub/y.py")
    found = discover([str(tmp_path / "app" / "sub")])
    assert [s.module for s in found] == ["app.sub", "app.sub.y"]


def test_directory_without_init_is_not_a_package(tmp_path: Path) -> None:
    """A file in a plain directory is named by its stem; its subpackages start afresh."""
    touch(tmp_path, "scripts/run.py", "scripts/pkg/__init__.py", "scripts/pkg/m.py")
    assert modules(tmp_path) == {
        "scripts/run.py": "run",
        "scripts/pkg/__init__.py": "pkg",
        "scripts/pkg/m.py": "pkg.m",
    }


def test_symbolic_link_loop_ends(tmp_path: Path) -> None:
    """A directory link pointing at its parent is walked once, not forever."""
    touch(tmp_path, "app/__init__.py", "app/x.py")
    (tmp_path / "app" / "loop").symlink_to(tmp_path / "app", target_is_directory=True)
    (tmp_path / "app" / "again").symlink_to(tmp_path, target_is_directory=True)
    assert modules(tmp_path) == {"app/__init__.py": "app", "app/x.py": "app.x"}


def test_broken_symbolic_link_is_reported_when_read(tmp_path: Path) -> None:
    """A ``.py`` link to nowhere is listed, so that reading it becomes a finding."""
    (tmp_path / "gone.py").symlink_to(tmp_path / "missing.py")
    from ssot_guard._check import check

    (finding,) = check([str(tmp_path)], rules=[]).findings
    assert finding.code == "SSOT903"


def test_default_excluded_directories_are_skipped(tmp_path: Path) -> None:
    """``.venv``, ``__pycache__``, ``node_modules`` and the like are not walked."""
    touch(tmp_path, "app.py", ".venv/lib/x.py", "__pycache__/y.py", "node_modules/z.py")
    assert modules(tmp_path) == {"app.py": "app"}


def test_explicit_file_is_checked_even_in_an_excluded_directory(tmp_path: Path) -> None:
    """A file named on the command line is always checked."""
    touch(tmp_path, "build/gen.py")
    found = discover([str(tmp_path / "build" / "gen.py")])
    assert [s.module for s in found] == ["gen"]


def test_exclude_patterns_match_names_and_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``exclude`` globs match a file or directory name, or its path."""
    touch(tmp_path, "a/keep.py", "a/skip_me.py", "generated/x.py", "b/c/d.py")
    monkeypatch.chdir(tmp_path)
    found = [s.path for s in discover(["."], exclude=["skip_*", "generated", "b/c"])]
    assert found == [os.path.join("a", "keep.py")]


def test_stub_beside_its_module_is_skipped(tmp_path: Path) -> None:
    """``x.pyi`` next to ``x.py`` is not a second module; a lone stub is checked."""
    touch(tmp_path, "x.py", "x.pyi", "y.pyi")
    assert sorted(modules(tmp_path)) == ["x.py", "y.pyi"]


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    """A path that does not exist raises ``MissingPathError``, a ``FileNotFoundError``."""
    with pytest.raises(FileNotFoundError, match="no such file or directory") as info:
        discover([str(tmp_path / "nope")])
    assert isinstance(info.value, MissingPathError)


def test_missing_path_error_pickles_with_its_path(tmp_path: Path) -> None:
    """A MissingPathError pickled (a worker of the check's pool raising it) keeps its path."""
    error = MissingPathError(str(tmp_path / "nope"))
    copied = pickle.loads(pickle.dumps(error))
    assert (type(copied), copied.filename, str(copied)) == (
        MissingPathError,
        error.filename,
        str(error),
    )
