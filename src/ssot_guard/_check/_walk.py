"""The directory walk of ``ssot-guard check``: exclusions, ``.gitignore``, links, projects.

Only regular files inside the checked directories are read. Anything else (a FIFO,
a device, a link loop, a link leading outside, an unreadable directory) becomes an
``SSOT903`` finding: never a hang, a crash or a silent skip.
"""

from __future__ import annotations

import errno
import fnmatch
import os
import re
import stat
from typing import TYPE_CHECKING

from ._findings import UNREADABLE, Finding
from ._gitignore import IgnoreFile, is_ignored, outer_ignore_files, read_ignore_file
from ._scan import (
    _HERE,
    DEFAULT_EXCLUDES,
    SOURCE_SUFFIXES,
    MissingPathError,
    Scan,
    SourceFile,
    module_of,
    package_of,
    src_package,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from ._settings import Project, Projects


def describe(mode: int) -> str:
    """What a file of this ``st_mode`` is, for a message: "a named pipe (FIFO)", ..."""
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a directory"
    return "not a regular file"


def unreadable(path: str, why: str) -> Finding:
    """The ``SSOT903`` finding for a file or directory the check cannot read."""
    return Finding(path, 1, 1, UNREADABLE, why)


def why(error: OSError) -> str:
    return error.strerror or str(error)


def _matches(name: str, paths: tuple[str, ...], regex: re.Pattern[str]) -> bool:
    return regex.match(name) is not None or any(regex.match(path) for path in paths)


def _compiled(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    """One regex for all exclusion globs: a path costs one match, not one per pattern.

    fnmatch's translation never backtracks catastrophically, so a configuration full of
    ``*a*a*a...`` patterns cannot stall the walk either.
    """
    if not patterns:
        return None
    return re.compile("|".join(fnmatch.translate(p) for p in patterns))


class _Rules:
    """A project's exclusions: names never walked into, and glob patterns."""

    __slots__ = ("gitignore", "names", "patterns", "regex")

    def __init__(self, project: Project, extra: tuple[str, ...], gitignore: bool | None) -> None:
        settings = project.settings
        if settings.exclude is None:
            self.names: frozenset[str] = DEFAULT_EXCLUDES
            patterns = extra + settings.extend_exclude
        else:
            self.names = frozenset()
            patterns = extra + settings.exclude + settings.extend_exclude
        self.patterns = patterns
        self.regex = _compiled(patterns)
        self.gitignore = settings.respect_gitignore if gitignore is None else gitignore


class Walk:
    """One walk over the given directories.

    Only regular files are read, and only what lies inside a directory being checked:
    a symbolic link whose target is outside every given directory is not followed (an
    untrusted tree cannot make the check read ``/etc`` or loop through ``/``), and a
    link to a directory inside one is not entered either, since that directory is
    walked anyway. A link to a file inside is checked under the link's name.
    """

    def __init__(
        self,
        patterns: tuple[str, ...],
        roots: list[str],
        found: Scan,
        projects: Projects,
        gitignore: bool | None,
    ) -> None:
        self._patterns = patterns
        self._roots = roots
        self._found = found
        self._projects = projects
        self._gitignore = gitignore
        self._rules: dict[Project, _Rules] = {}

    def _inside(self, link: str) -> bool:
        real = os.path.realpath(link)
        return any(real == root or real.startswith(root + os.sep) for root in self._roots)

    def _rules_of(self, project: Project) -> _Rules:
        rules = self._rules.get(project)
        if rules is None:
            rules = self._rules[project] = _Rules(project, self._patterns, self._gitignore)
        return rules

    def run(self, root: str, project: Project) -> None:
        found = self._found
        sep = os.sep
        absolute_root = os.path.abspath(root)
        package, in_src = src_package(absolute_root, project.settings.src)
        if not in_src:
            package = package_of(root)
        rules = self._rules_of(project)
        ignores = outer_ignore_files(absolute_root) if rules.gitignore else ()
        # (directory, its absolute path, its package if it is one; else the package it
        # would extend, a flag saying whether it is a package only if it holds an
        # __init__.py, whether it is inside a source root, its project, the ignore files)
        stack: list[tuple[str, str, str | None, bool, bool, Project, tuple[IgnoreFile, ...]]] = [
            (root, absolute_root, package, False, in_src, project, ignores)
        ]
        first = True
        while stack:
            directory, absolute, package, check_init, in_src, project, ignores = stack.pop()
            try:
                entries = list(os.scandir(directory))
            except FileNotFoundError:
                continue  # removed while the check ran: nothing left in it to check
            except OSError as error:
                # Never a silent skip: an unreadable directory may hide a violation.
                found.problem(
                    project, unreadable(directory, f"cannot read the directory: {why(error)}")
                )
                continue
            names = {entry.name for entry in entries}
            if not first and "pyproject.toml" in names:
                nested = self._projects.in_directory(absolute)
                if nested is not None and nested is not project:
                    project = nested
                    package, in_src = src_package(absolute, project.settings.src)
                    if not in_src:
                        package = package_of(directory)
                    check_init = False
            first = False
            rules = self._rules_of(project)
            if check_init and "__init__.py" not in names:
                package = None
            if rules.gitignore and ".gitignore" in names:
                ignore = read_ignore_file(os.path.join(absolute, ".gitignore"))
                if ignore is not None:
                    ignores = (*ignores, ignore)
            # A project that does not respect .gitignore ignores those met above it too.
            plain = not (rules.patterns or (ignores and rules.gitignore))
            src_roots = project.settings.src
            files = found.files_of(project)
            for entry in entries:
                name = entry.name
                if name.endswith(SOURCE_SUFFIXES):
                    # The common case, inline: a regular file, nothing to match it against.
                    if plain and entry.is_file(follow_symlinks=False):
                        if name.endswith(".pyi") and name[:-1] in names:
                            continue  # the stub of a module that is here too
                        path = entry.path
                        child = path[2:] if path.startswith(_HERE) else path
                        module, is_package = module_of(name, package)
                        files.setdefault(child, SourceFile(child, module, is_package))
                        continue
                else:
                    try:
                        if not entry.is_dir():
                            continue  # not a source file, not a directory: not ours
                    except OSError:
                        pass  # a link loop: reported by _entry
                    else:
                        if name in rules.names:
                            continue
                        if plain and not in_src and not entry.is_symlink() and not src_roots:
                            path = entry.path
                            child = path[2:] if path.startswith(_HERE) else path
                            full = absolute + sep + name
                            if name.isidentifier():
                                sub = f"{package}.{name}" if package else name
                                stack.append((child, full, sub, True, False, project, ignores))
                            else:
                                stack.append((child, full, None, False, False, project, ignores))
                            continue
                self._entry(entry, names, absolute, package, in_src, project, rules, ignores, stack)

    def _entry(
        self,
        entry: os.DirEntry[str],
        names: set[str],
        absolute: str,
        package: str | None,
        in_src: bool,
        project: Project,
        rules: _Rules,
        ignores: tuple[IgnoreFile, ...],
        stack: list[tuple[str, str, str | None, bool, bool, Project, tuple[IgnoreFile, ...]]],
    ) -> None:
        name = entry.name
        source = name.endswith(SOURCE_SUFFIXES)
        try:
            is_dir = entry.is_dir()
        except OSError as error:
            # A link loop ("too many levels of symbolic links") is reported whatever its
            # name; another broken link only when it names a source file.
            if source or error.errno == errno.ELOOP:
                what = "file" if source else "directory"
                message = f"cannot read the {what}: {why(error)}"
                self._found.problem(project, unreadable(_shown(entry.path), message))
            return
        if not (source or is_dir) or (is_dir and name in rules.names):
            return
        child = _shown(entry.path)
        full = os.path.join(absolute, name)
        if rules.regex is not None:
            relative = os.path.relpath(full, project.root).replace(os.sep, "/")
            if _matches(name, (child.replace(os.sep, "/"), relative), rules.regex):
                return
        if ignores and rules.gitignore and is_ignored(ignores, full, is_dir):
            return
        if entry.is_symlink() and (is_dir or not self._inside(full)):
            if not self._inside(full):
                what = "directory" if is_dir else "file"
                message = (
                    f"not read: a symbolic link to a {what} outside the checked "
                    f"directories ({os.readlink(full)!r}); check that path itself if it "
                    "is yours"
                )
                self._found.problem(project, unreadable(child, message))
            return  # a directory inside is walked anyway, under its own name
        if is_dir:
            if full in project.settings.src:  # a source root: its directories are packages
                stack.append((child, full, None, False, True, project, ignores))
            elif in_src and name.isidentifier():
                sub = f"{package}.{name}" if package else name
                stack.append((child, full, sub, False, True, project, ignores))
            elif name.isidentifier() and not in_src:
                sub = f"{package}.{name}" if package else name
                stack.append((child, full, sub, True, False, project, ignores))
            else:
                stack.append((child, full, None, False, False, project, ignores))
            return
        if name.endswith(".pyi") and name[:-1] in names:
            return  # the stub of a module that is here too: the module speaks
        if not entry.is_file():
            try:
                mode = entry.stat().st_mode
            except OSError as error:
                message = f"cannot read the file: {why(error)}"
            else:
                message = f"cannot read the file: it is {describe(mode)}"
            self._found.problem(project, unreadable(child, message))
            return
        module, is_package = module_of(name, package)
        self._found.add(project, SourceFile(child, module, is_package))


def _shown(path: str) -> str:
    return path[2:] if path.startswith(_HERE) else path


def discover(
    paths: Sequence[str],
    *,
    exclude: Iterable[str] = (),
    problems: list[Finding] | None = None,
) -> list[SourceFile]:
    """The source files under *paths* (files named explicitly are always taken).

    What cannot or will not be read (a FIFO, a link loop, an unreadable
    directory...) is appended to *problems* as ``SSOT903`` findings, for the
    caller to report. Raises ``MissingPathError`` for a path that does not exist.
    """
    from ._settings import Projects

    projects = Projects(rules=())
    found = scan(paths, projects, exclude=exclude, respect_gitignore=False)
    if projects.fixed is None:
        return []
    if problems is not None:
        problems.extend(found.problems.get(projects.fixed, []))
    return found.sources(projects.fixed)


def scan(
    paths: Sequence[str],
    projects: Projects,
    *,
    exclude: Iterable[str] = (),
    respect_gitignore: bool | None = None,
) -> Scan:
    """Walk *paths*: every source file with its project; unreadable paths as findings.

    *respect_gitignore* ``None`` leaves it to each project's setting. Raises
    ``MissingPathError`` for a path that does not exist.
    """
    found = Scan()
    roots = [os.path.normpath(given) for given in paths]
    for given, path in zip(paths, roots, strict=True):
        if not os.path.lexists(path):
            raise MissingPathError(given)
        if not os.path.isabs(path):
            try:
                os.getcwd()
            except FileNotFoundError:  # "." still lists, but no path can be resolved from it
                raise MissingPathError(
                    given,
                    "the current directory no longer exists; change to one that does, "
                    "or give absolute paths",
                ) from None
    real_roots = [os.path.realpath(r) for r in roots if os.path.isdir(r)]
    walk = Walk(tuple(exclude), real_roots, found, projects, respect_gitignore)
    for path in roots:
        project = projects.for_path(path)
        if os.path.isdir(path):
            walk.run(path, project)
            continue
        try:
            mode = os.stat(path).st_mode
        except OSError as error:
            found.problem(project, unreadable(path, f"cannot read the file: {why(error)}"))
            continue
        if not stat.S_ISREG(mode):
            found.problem(
                project, unreadable(path, f"cannot read the file: it is {describe(mode)}")
            )
            continue
        directory = os.path.dirname(path) or "."
        package, in_src = src_package(os.path.abspath(directory), project.settings.src)
        if not in_src:
            package = package_of(directory)
        module, is_package = module_of(os.path.basename(path), package)
        found.add(project, SourceFile(path, module, is_package))
        found.named.add(path)
    return found
