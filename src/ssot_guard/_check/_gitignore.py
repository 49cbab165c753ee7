"""``.gitignore`` files, matched as git matches them, without git or a dependency.

Supported: comments, ``!`` negation, trailing ``/`` (directories only), anchoring by a
``/`` at the start or in the middle, ``*``, ``?``, ``[...]`` and ``**`` (leading,
trailing and in the middle), backslash escapes and trailing spaces. As in git, the last
matching pattern wins, a deeper file's patterns come after a shallower one's, and a file
inside an ignored directory cannot be re-included (the directory is never entered).
"""

from __future__ import annotations

import os
import re
from typing import NamedTuple


class Pattern(NamedTuple):
    regex: re.Pattern[str]
    negated: bool
    directory_only: bool


def _translate(glob: str) -> str:
    """The regular expression for one pattern's glob, ``**`` and anchoring already split off."""
    out: list[str] = []
    i, n = 0, len(glob)
    while i < n:
        char = glob[i]
        if char == "*":
            if glob.startswith("**", i):
                # "a/**/b": zero or more directories; a lone "**" within a part is "*".
                before = i == 0 or glob[i - 1] == "/"
                after = i + 2 == n or glob[i + 2] == "/"
                if before and after:
                    if i + 2 == n:
                        out.append(".*")
                    else:
                        out.append("(?:.*/)?")
                        i += 1  # the "/" after "**" is part of the group
                    i += 2
                    continue
                i += 1
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = glob.find(
                "]", i + 2 if glob.startswith("[!", i) or glob.startswith("[^", i) else i + 1
            )
            if end == -1:
                out.append(re.escape(char))
            else:
                body = glob[i + 1 : end]
                if body[:1] in ("!", "^"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = end
        elif char == "\\" and i + 1 < n:
            i += 1
            out.append(re.escape(glob[i]))
        else:
            out.append(re.escape(char))
        i += 1
    return "".join(out)


def parse_line(line: str) -> Pattern | None:
    """The pattern on one line of a ``.gitignore``, or ``None`` for a blank or comment line."""
    line = line.rstrip("\n").rstrip("\r")
    if not line or line.startswith("#"):
        return None
    # Trailing spaces are dropped unless escaped with a backslash.
    stripped = line.rstrip(" ")
    if stripped.endswith("\\") and len(stripped) < len(line):
        stripped += " "
    line = stripped
    negated = line.startswith("!")
    if negated or line.startswith(("\\!", "\\#")):
        line = line[1:]
    directory_only = line.endswith("/") and not line.endswith("\\/")
    line = line.rstrip("/") if directory_only else line
    if not line:
        return None
    anchored = "/" in line
    line = line.removeprefix("/")
    body = _translate(line)
    prefix = "" if anchored else "(?:.*/)?"
    try:
        regex = re.compile(f"{prefix}{body}", re.DOTALL)
    except re.error:  # a range git would also refuse: the line matches nothing
        return None
    return Pattern(regex, negated, directory_only)


class IgnoreFile(NamedTuple):
    """The patterns of one ``.gitignore``, and the directory they are relative to."""

    base: str
    patterns: tuple[Pattern, ...]


def read_ignore_file(path: str) -> IgnoreFile | None:
    """The patterns in the file at *path*; ``None`` when it cannot be read or has none."""
    try:
        with open(path, "rb") as file:
            data = file.read(1_000_000)  # a planted multi-gigabyte file is not read whole
    except OSError:
        return None  # unreadable like a missing one, as git treats it
    text = data.decode("utf-8", "replace")
    patterns = tuple(p for p in map(parse_line, text.splitlines()) if p is not None)
    if not patterns:
        return None
    return IgnoreFile(os.path.dirname(os.path.abspath(path)), patterns)


def is_ignored(files: tuple[IgnoreFile, ...], path: str, is_dir: bool) -> bool:
    """Whether *path* (absolute) is ignored by *files*, outermost first."""
    ignored = False
    for ignore in files:
        if not path.startswith(ignore.base + os.sep):
            continue
        relative = path[len(ignore.base) + 1 :].replace(os.sep, "/")
        for pattern in ignore.patterns:
            if pattern.directory_only and not is_dir:
                continue
            if pattern.negated == ignored and pattern.regex.fullmatch(relative):
                ignored = not pattern.negated
    return ignored


def repository_root(directory: str) -> str | None:
    """The nearest directory at or above *directory* holding ``.git``, if any."""
    current = os.path.abspath(directory)
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def outer_ignore_files(directory: str) -> tuple[IgnoreFile, ...]:
    """The ignore files that apply to *directory* from above it, outermost first.

    Those of its parents up to the repository's root, and the repository's
    ``.git/info/exclude``. Outside a repository: none (a ``.gitignore`` found while
    walking still counts).
    """
    directory = os.path.abspath(directory)
    root = repository_root(directory)
    if root is None:
        return ()
    found: list[IgnoreFile] = []
    exclude = read_ignore_file(os.path.join(root, ".git", "info", "exclude"))
    if exclude is not None:
        found.append(exclude._replace(base=root))
    chain: list[str] = []
    current = directory
    while True:
        chain.append(current)
        if current == root:
            break
        current = os.path.dirname(current)
    for parent in reversed(chain[1:]):
        ignore = read_ignore_file(os.path.join(parent, ".gitignore"))
        if ignore is not None:
            found.append(ignore)
    return tuple(found)
