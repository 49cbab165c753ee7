"""Which files to check, and the module name each one has.

A module's name comes from its path: the file's directory and its parents
count as packages while they hold an ``__init__.py``, so ``src/app/x.py``
(with ``src/app/__init__.py`` but no ``src/__init__.py``) is ``app.x``. That
handles the src layout and checking a sub-directory of a package alike.

Symbolic links to directories are followed, but every real directory is read
once: a link loop ends the walk there instead of going round.
"""

from __future__ import annotations

import errno
import fnmatch
import os
from typing import TYPE_CHECKING, Final, NamedTuple

from .._base._errors import SSOTError

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

#: Directories never walked into (a path given explicitly is still checked).
DEFAULT_EXCLUDES: Final = frozenset(
    {
        ".bzr",
        ".direnv",
        ".eggs",
        ".git",
        ".hg",
        ".mypy_cache",
        ".nox",
        ".pytest_cache",
        ".ruff_cache",
        ".svn",
        ".tox",
        ".venv",
        "__pycache__",
        "__pypackages__",
        "_build",
        "buck-out",
        "build",
        "dist",
        "node_modules",
        "site-packages",
        "venv",
    }
)
SOURCE_SUFFIXES: Final = (".py", ".pyi")
_HERE: Final = "." + os.sep


class MissingPathError(SSOTError, FileNotFoundError):
    """A path given to the check does not exist."""

    def __init__(self, path: str) -> None:
        super().__init__(errno.ENOENT, "no such file or directory", path)

    def __str__(self) -> str:
        return f"{self.filename}: {self.strerror}"


class SourceFile(NamedTuple):
    """A file to check: its path as shown in findings, and its module name."""

    path: str
    module: str
    is_package: bool

    @property
    def package(self) -> str:
        """The package relative imports in this file are resolved against."""
        return self.module if self.is_package else self.module.rpartition(".")[0]


def package_of(directory: str) -> str | None:
    """The dotted package *directory* is, walking up ``__init__.py`` directories."""
    parts: list[str] = []
    current = os.path.abspath(directory)
    while os.path.isfile(os.path.join(current, "__init__.py")):
        name = os.path.basename(current)
        if not name.isidentifier():
            break
        parts.append(name)
        parent = os.path.dirname(current)
        if parent == current:
            break
        current = parent
    return ".".join(reversed(parts)) or None


def module_of(filename: str, package: str | None) -> tuple[str, bool]:
    """``(module name, is a package)`` of the file *filename* in *package*."""
    stem = filename.rpartition(".")[0] or filename
    if stem == "__init__" and package:
        return package, True
    return (f"{package}.{stem}" if package else stem), False


def discover(paths: Sequence[str], *, exclude: Iterable[str] = ()) -> list[SourceFile]:
    """The source files under *paths* (files named explicitly are always taken).

    Raises ``MissingPathError`` for a path that does not exist.
    """
    patterns = tuple(exclude)
    found: dict[str, SourceFile] = {}
    roots = [os.path.normpath(given) for given in paths]
    walk = _Walk(patterns, [os.path.realpath(r) for r in roots if os.path.isdir(r)], found)
    for given, path in zip(paths, roots, strict=True):
        if os.path.isdir(path):
            walk.run(path, package_of(path))
        elif os.path.lexists(path):
            directory = os.path.dirname(path) or "."
            module, is_package = module_of(os.path.basename(path), package_of(directory))
            found.setdefault(path, SourceFile(path, module, is_package))
        else:
            raise MissingPathError(given)
    return sorted(found.values())


def _excluded(name: str, path: str, patterns: tuple[str, ...]) -> bool:
    posix = path.replace(os.sep, "/")
    return any(fnmatch.fnmatchcase(name, p) or fnmatch.fnmatchcase(posix, p) for p in patterns)


class _Walk:
    """One walk over the given directories; symbolic links are followed at most once.

    Plain directories cannot form a loop, so only a directory link costs a
    ``realpath``: it is skipped when its target lies inside (or above) a directory
    being walked anyway, or was reached before through another link.
    """

    def __init__(
        self, patterns: tuple[str, ...], roots: list[str], found: dict[str, SourceFile]
    ) -> None:
        self._patterns = patterns
        self._roots = roots
        self._linked: set[str] = set()
        self._found = found

    def _follow(self, link: str) -> bool:
        real = os.path.realpath(link)
        if real in self._linked:
            return False
        for root in self._roots:
            if real == root or real.startswith(root + os.sep) or root.startswith(real + os.sep):
                return False
        self._linked.add(real)
        return True

    def run(self, root: str, package: str | None) -> None:
        patterns, found = self._patterns, self._found
        # (directory, its package if it is one; else the package it would extend, and a
        # flag saying whether it is a package only if it holds an __init__.py)
        stack: list[tuple[str, str | None, bool]] = [(root, package, False)]
        while stack:
            directory, package, check_init = stack.pop()
            try:
                entries = list(os.scandir(directory))
            except OSError:
                continue  # vanished or unreadable directory: nothing in it to check
            names = {entry.name for entry in entries}
            if check_init and "__init__.py" not in names:
                package = None
            for entry in entries:
                name = entry.name
                if name.endswith(SOURCE_SUFFIXES) and not entry.is_dir():
                    if name.endswith(".pyi") and name[:-1] in names:
                        continue  # the stub of a module that is here too: the module speaks
                    child = entry.path[2:] if entry.path.startswith(_HERE) else entry.path
                    if patterns and _excluded(name, child, patterns):
                        continue
                    module, is_package = module_of(name, package)
                    found.setdefault(child, SourceFile(child, module, is_package))
                elif entry.is_dir() and name not in DEFAULT_EXCLUDES:
                    child = entry.path[2:] if entry.path.startswith(_HERE) else entry.path
                    if patterns and _excluded(name, child, patterns):
                        continue
                    if entry.is_symlink() and not self._follow(child):
                        continue
                    if name.isidentifier():
                        stack.append((child, f"{package}.{name}" if package else name, True))
                    else:
                        stack.append((child, None, False))
