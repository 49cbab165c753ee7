"""The pure-Python ``.gitignore`` matcher of ``ssot-guard check``: git's rules, never slow."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ssot_guard._check._gitignore import IgnoreFile, is_ignored, parse_line, read_ignore_file

CASES = [
    ("*.pyc", "a/b/x.pyc", False, True),
    ("build", "a/build", True, True),
    ("/build", "a/build", True, False),
    ("/build", "build", True, True),
    ("build/", "build", False, False),
    ("build/", "build", True, True),
    ("doc/frotz", "doc/frotz", False, True),
    ("doc/frotz", "a/doc/frotz", False, False),
    ("**/foo", "a/b/foo", False, True),
    ("**/foo", "foo", False, True),
    ("foo/**", "foo/a/b", False, True),
    ("foo/**", "foo", True, False),
    ("a/**/b", "a/b", False, True),
    ("a/**/b", "a/x/y/b", False, True),
    ("a/**/b", "a/x/c", False, False),
    ("*.py[co]", "x.pyc", False, True),
    ("*.py[!co]", "x.pyc", False, False),
    ("\\#x", "#x", False, True),
    ("x\\ ", "x ", False, True),
    ("x   ", "x", False, True),
    ("a?c", "abc", False, True),
    ("a?c", "a/c", False, False),
    ("a*", "b/ab", False, True),
    ("a/*", "a/b/c", False, False),
]


@pytest.mark.parametrize(("pattern", "path", "is_dir", "expected"), CASES)
def test_pattern_matches_as_git_does(pattern: str, path: str, is_dir: bool, expected: bool) -> None:
    """Each pattern matches (or not) the path as ``git check-ignore`` would."""
    base = os.path.abspath(os.sep + "repo")
    ignore = IgnoreFile(base, (parse_line(pattern),))  # type: ignore[arg-type]
    assert is_ignored((ignore,), os.path.join(base, *path.split("/")), is_dir) is expected


def test_last_match_wins_and_deeper_files_come_last() -> None:
    """``!keep.py`` after ``*.py`` re-includes; a deeper file's patterns override."""
    base = os.path.abspath(os.sep + "repo")
    outer = IgnoreFile(base, tuple(map(parse_line, ["*.py", "!keep.py"])))  # type: ignore[arg-type]
    inner = IgnoreFile(os.path.join(base, "sub"), (parse_line("keep.py"),))  # type: ignore[arg-type]
    assert not is_ignored((outer,), os.path.join(base, "keep.py"), False)
    assert is_ignored((outer,), os.path.join(base, "x.py"), False)
    assert is_ignored((outer, inner), os.path.join(base, "sub", "keep.py"), False)


@pytest.mark.parametrize("line", ["", "# comment", "!", "/", "[z-a]"])
def test_lines_that_match_nothing(line: str) -> None:
    """Blank lines, comments, a lone ``!`` or ``/`` and malformed sets are no patterns."""
    pattern = parse_line(line)
    assert pattern is None or not pattern.matches(["z-a"])


def test_hostile_patterns_match_in_a_child_within_the_timeout() -> None:
    """Patterns built for exponential backtracking are matched at once (a subprocess: no hang)."""
    code = (
        "from ssot_guard._check._gitignore import parse_line\n"
        "p = parse_line('*a' * 40 + 'b'); assert not p.matches(['a' * 250])\n"
        "q = parse_line('/'.join(['**'] * 500) + '/x'); assert not q.matches(['a'] * 500)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=30)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_gitignore_that_is_a_fifo_is_not_read(tmp_path: Path) -> None:
    """A ``.gitignore`` that is a FIFO (or a link to one) is skipped, not waited on."""
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / ".gitignore").symlink_to(tmp_path / "pipe")
    code = (
        "import sys; from ssot_guard._check._gitignore import read_ignore_file as r; "
        f"sys.exit(r({str(tmp_path / '.gitignore')!r}) is not None)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=30)
    assert read_ignore_file(str(tmp_path / "missing")) is None


def test_patterns_read_from_a_file_keep_their_order(tmp_path: Path) -> None:
    """Runs of simple patterns are joined, and negations still win only after them."""
    (tmp_path / ".gitignore").write_text(
        "*.pyc\n*.py\n!keep*.py\nkeep_not.py\nsub/\n", encoding="utf-8"
    )
    ignore = read_ignore_file(str(tmp_path / ".gitignore"))
    assert ignore is not None
    verdicts = {
        name: is_ignored((ignore,), str(tmp_path / name), False)
        for name in ("a.py", "keep_a.py", "keep_not.py", "b.txt", "sub")
    }
    assert verdicts == {
        "a.py": True,
        "keep_a.py": False,
        "keep_not.py": True,
        "b.txt": False,
        "sub": False,  # "sub/" is for directories only
    }
    assert is_ignored((ignore,), str(tmp_path / "sub"), True)


def test_huge_planted_gitignore_does_not_stall_the_walk(tmp_path: Path) -> None:
    """A 1 MB ``.gitignore`` of alternating patterns, 300 files: checked within the timeout."""
    lines = "".join(f"x{i}\n!y{i}\n" for i in range(100_000))
    (tmp_path / ".gitignore").write_text(lines, encoding="utf-8")
    for i in range(300):
        (tmp_path / f"m{i}.py").write_text("", encoding="utf-8")
    code = (
        "import sys; from ssot_guard._check import check\n"
        f"sys.exit(check([{str(tmp_path)!r}], rules=[]).files != 300)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
