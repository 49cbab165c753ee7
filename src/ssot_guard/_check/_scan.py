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

from .._errors import SSOTError

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
    seen_dirs: set[tuple[int, int]] = set()
    found: dict[str, SourceFile] = {}
    for given in paths:
        path = os.path.normpath(given)
        if os.path.isdir(path):
            _walk(path, package_of(path), patterns, seen_dirs, found)
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


def _walk(
    root: str,
    package: str | None,
    patterns: tuple[str, ...],
    seen_dirs: set[tuple[int, int]],
    found: dict[str, SourceFile],
) -> None:
    stack = [(root, package)]
    while stack:
        directory, package = stack.pop()
        try:
            info = os.stat(directory)
            identity = (info.st_dev, info.st_ino)
            if identity in seen_dirs:
                continue  # a symbolic-link loop, or a directory reached twice
            seen_dirs.add(identity)
            entries = list(os.scandir(directory))
        except OSError:
            continue  # vanished or unreadable directory: nothing in it to check
        names = {entry.name for entry in entries}
        for entry in entries:
            name = entry.name
            child = entry.path[2:] if entry.path.startswith("." + os.sep) else entry.path
            if patterns and _excluded(name, child, patterns):
                continue
            if entry.is_dir():
                if name in DEFAULT_EXCLUDES:
                    continue
                is_package = name.isidentifier() and os.path.isfile(
                    os.path.join(child, "__init__.py")
                )
                sub = (f"{package}.{name}" if package else name) if is_package else None
                stack.append((child, sub))
            elif name.endswith(SOURCE_SUFFIXES):
                if name.endswith(".pyi") and name[:-1] in names:
                    continue  # the stub of a module that is here too: the module speaks
                module, is_package = module_of(name, package)
                found.setdefault(child, SourceFile(child, module, is_package))
