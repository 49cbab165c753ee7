"""``.gitignore`` files, matched as git matches them, without git or a dependency.

Supported: comments, ``!`` negation, trailing ``/`` (directories only), anchoring by a
``/`` at the start or in the middle, ``*``, ``?``, ``[...]`` and ``**`` (leading,
trailing and in the middle), backslash escapes and trailing spaces. As in git, the last
matching pattern wins, a deeper file's patterns come after a shallower one's, and a file
inside an ignored directory cannot be re-included (the directory is never entered).
"""

from __future__ import annotations

import fnmatch
import os
import re
import stat
from typing import Final, NamedTuple


class Pattern(NamedTuple):
    """One line: its path parts (each a compiled glob, or ``None`` for ``**``), and flags."""

    parts: tuple[re.Pattern[str] | None, ...]
    negated: bool
    directory_only: bool

    def matches(self, parts: list[str]) -> bool:
        """Whether the path *parts* (relative to the ignore file's directory) match."""
        globs = self.parts
        if len(globs) == 2 and globs[0] is None and globs[1] is not None:
            return globs[1].match(parts[-1]) is not None  # the common case: "*.pyc", "build"
        return _match(globs, parts, 0, 0, {})


def _match(
    globs: tuple[re.Pattern[str] | None, ...],
    parts: list[str],
    g: int,
    p: int,
    seen: dict[tuple[int, int], bool],
) -> bool:
    # Part by part, each "**" trying every number of parts: memoised, so at most
    # (pattern parts x path parts) steps, however many "**" a hostile file holds.
    key = (g, p)
    if key in seen:
        return seen[key]
    glob = globs[g] if g < len(globs) else None
    if g == len(globs):
        result = p == len(parts)
    elif glob is None:
        if g == len(globs) - 1:
            result = p < len(parts)  # a trailing "/**": everything inside, not the directory
        else:
            result = any(_match(globs, parts, g + 1, q, seen) for q in range(p, len(parts) + 1))
    else:
        result = (
            p < len(parts)
            and glob.match(parts[p]) is not None
            and _match(globs, parts, g + 1, p + 1, seen)
        )
    seen[key] = result
    return result


def _escape(match: re.Match[str]) -> str:
    char = match.group(1)
    return "[]]" if char == "]" else f"[{char}]"


def _part(glob: str) -> re.Pattern[str] | None:
    """One path part's glob, compiled by fnmatch (which never backtracks catastrophically)."""
    if glob == "**":
        return None
    # fnmatch has no backslash escapes: an escaped character becomes a one-character set.
    text = re.sub(r"\\(.)", _escape, glob)
    return re.compile(fnmatch.translate(re.sub(r"\*{2,}", "*", text)), re.DOTALL)


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
    directory_only = line.endswith("/")
    line = line.rstrip("/")
    if not line:
        return None
    anchored = "/" in line
    parts: list[str] = []
    for part in ["**"] * (not anchored) + line.split("/"):
        if part and not (part == "**" and parts[-1:] == ["**"]):  # "**/**" is "**"
            parts.append(part)
    try:
        compiled = tuple(_part(part) for part in parts)
    except re.error:  # a malformed set: the line matches nothing, as in git
        return None
    return Pattern(compiled, negated, directory_only)


class IgnoreFile(NamedTuple):
    """The patterns of one ``.gitignore``, and the directory they are relative to."""

    base: str
    patterns: tuple[Pattern, ...]


def read_ignore_file(path: str) -> IgnoreFile | None:
    """The patterns in the file at *path*; ``None`` when it cannot be read or has none."""
    try:
        # Regular files only, opened without blocking: a planted link to a FIFO or a
        # device must not hang the walk; a huge file is not read whole.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with open(descriptor, "rb") as file:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                return None
            data = file.read(1_000_000)
    except OSError:
        return None  # unreadable like a missing one, as git treats it
    text = data.decode("utf-8", "replace")
    patterns: list[Pattern] = []
    for line in text.splitlines():
        pattern = parse_line(line)
        if pattern is not None:
            patterns.append(pattern)
            if len(patterns) == MAX_PATTERNS:
                break  # the rest is not even compiled
    if not patterns:
        return None
    return IgnoreFile(os.path.dirname(os.path.abspath(path)), _merged(patterns))


#: Patterns read from one ignore file. Every path is tested against each run of them, so a
#: planted file of a million lines would cost a million tests per path; real ones hold tens.
MAX_PATTERNS: Final = 1000


def _merged(patterns: list[Pattern]) -> tuple[Pattern, ...]:
    """*patterns* with each run of name-only patterns of one kind joined into one regex.

    Consecutive ``*.pyc``, ``build/``-like lines (no ``/`` inside, same negation and
    directory flag) cannot reorder anything between them: one alternation answers for
    the run, so a typical file costs a couple of regex matches per path.
    """
    merged: list[Pattern] = []
    run: list[Pattern] = []

    def flush() -> None:
        if len(run) == 1:
            merged.append(run[0])
        elif run:
            joined = "|".join(p.parts[1].pattern for p in run if p.parts[1] is not None)
            regex = re.compile(f"(?:{joined})", re.DOTALL)
            merged.append(Pattern((None, regex), run[0].negated, run[0].directory_only))
        run.clear()

    for pattern in patterns:
        simple = len(pattern.parts) == 2 and pattern.parts[0] is None and pattern.parts[1]
        if not simple:
            flush()
            merged.append(pattern)
            continue
        if run and (run[0].negated, run[0].directory_only) != (
            pattern.negated,
            pattern.directory_only,
        ):
            flush()
        run.append(pattern)
    flush()
    return tuple(merged)


def is_ignored(files: tuple[IgnoreFile, ...], path: str, is_dir: bool) -> bool:
    """Whether *path* (absolute) is ignored by *files*, outermost first."""
    ignored = False
    for ignore in files:
        if not path.startswith(ignore.base + os.sep):
            continue
        parts = path[len(ignore.base) + 1 :].split(os.sep)
        for pattern in ignore.patterns:
            if pattern.directory_only and not is_dir:
                continue
            if pattern.negated == ignored and pattern.matches(parts):
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
