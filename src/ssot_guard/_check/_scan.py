"""Which files to check, and the module name each one has.

A module's name comes from its path: the file's directory and its parents
count as packages while they hold an ``__init__.py``, so ``src/app/x.py``
(with ``src/app/__init__.py`` but no ``src/__init__.py``) is ``app.x``. That
handles the src layout and checking a sub-directory of a package alike. Below a
configured source root (``src`` setting) every directory is a package, so that
namespace packages without ``__init__.py`` get their full names too.

Only regular files inside the checked directories are read. Anything else (a FIFO,
a device, a link loop, a link leading outside, an unreadable directory) becomes an
``SSOT903`` finding: never a hang, a crash or a silent skip.
"""

from __future__ import annotations

import errno
import os
from typing import TYPE_CHECKING, Final, NamedTuple

from .._base import public
from .._base._errors import SSOTError

if TYPE_CHECKING:
    from typing import Any

    from ._findings import Finding
    from ._settings import Project

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


@public
class MissingPathError(SSOTError, FileNotFoundError):
    """A path given to the check does not exist."""

    def __init__(self, path: str, why: str = "no such file or directory") -> None:
        super().__init__(errno.ENOENT, why, path)

    def _fields(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        return (self.filename,), {}  # pickle rebuilds it from the path: see SSOTError

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


def src_package(directory: str, roots: tuple[str, ...]) -> tuple[str | None, bool]:
    """``(package, inside a source root)`` of the absolute *directory* under source *roots*.

    Below a source root every directory is a package, ``__init__.py`` or not (a
    namespace package); the deepest root holding *directory* counts.
    """
    best = None
    for root in roots:
        if (directory == root or directory.startswith(root + os.sep)) and (
            best is None or len(root) > len(best)
        ):
            best = root
    if best is None:
        return None, False
    if directory == best:
        return None, True
    parts = directory[len(best) + 1 :].split(os.sep)
    if not all(part.isidentifier() for part in parts):
        return None, False
    return ".".join(parts), True


class Scan:
    """What a walk found: the files of each project, and what could not be read."""

    __slots__ = ("files", "named", "problems")

    def __init__(self) -> None:
        #: The paths of the files named on the command line (not found by walking).
        self.named: set[str] = set()
        #: Per project (in the order first met): its files, keyed by path.
        self.files: dict[Project, dict[str, SourceFile]] = {}
        #: Per project: ``SSOT903`` findings for paths that are not readable regular files.
        self.problems: dict[Project, list[Finding]] = {}

    def files_of(self, project: Project) -> dict[str, SourceFile]:
        """The files found so far for *project* (to add to)."""
        files = self.files.get(project)
        if files is None:
            files = self.files[project] = {}
            self.problems[project] = []
        return files

    def add(self, project: Project, source: SourceFile) -> None:
        self.files_of(project).setdefault(source.path, source)

    def problem(self, project: Project, finding: Finding) -> None:
        self.files_of(project)
        self.problems[project].append(finding)

    def sources(self, project: Project) -> list[SourceFile]:
        return sorted(self.files.get(project, {}).values())
