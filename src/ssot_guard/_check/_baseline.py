"""Baselines: adopt the check on a codebase that already has findings, then ratchet down.

A baseline counts findings per file and code, so moving lines around does
not break it. A (file, code) pair with no more findings than its count is
quiet; one with more reports all its findings, since which of them are new
cannot be told apart. Paths are stored relative to the baseline file, with
``/`` separators, so the file works from any directory and on any system.
"""

from __future__ import annotations

import contextlib
import os
import stat
from typing import TYPE_CHECKING, Final, NamedTuple

from .._base import public
from .._base._errors import SSOTError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ._findings import Finding

VERSION: Final = 1


@public
class BaselineError(SSOTError, ValueError):
    """A baseline file that cannot be used: missing, unreadable, or not a baseline."""


class Stale(NamedTuple):
    """A (file, code) pair that now has fewer findings than the baseline allows."""

    path: str
    code: str
    allowed: int
    found: int


class Applied(NamedTuple):
    reported: list[Finding]
    baselined: int
    stale: list[Stale]


def _key(path: str, directory: str) -> str:
    relative = os.path.relpath(os.path.abspath(path), directory)
    return relative.replace(os.sep, "/")


def count(findings: Iterable[Finding], baseline_file: str) -> dict[str, dict[str, int]]:
    directory = os.path.dirname(os.path.abspath(baseline_file))
    counts: dict[str, dict[str, int]] = {}
    for finding in findings:
        per_code = counts.setdefault(_key(finding.path, directory), {})
        per_code[finding.code] = per_code.get(finding.code, 0) + 1
    return counts


def write_baseline(baseline_file: str, findings: Iterable[Finding]) -> int:
    """Write the baseline for *findings*; returns how many findings it holds.

    Entries that no longer occur are dropped: the baseline only shrinks. An existing
    file is replaced only if it is a baseline (``--baseline pyproject.toml`` must not
    destroy the project's configuration), never through a symbolic link, and
    atomically: a temporary file in the same directory, then a rename, so that an
    interrupted run leaves the old baseline whole.
    """
    import json

    counts = count(findings, baseline_file)
    document = {
        "tool": "ssot-guard",
        "version": VERSION,
        "counts": {path: dict(sorted(codes.items())) for path, codes in sorted(counts.items())},
    }
    _check_replaceable(baseline_file)
    directory = os.path.dirname(os.path.abspath(baseline_file))
    import tempfile

    try:
        descriptor, temporary = tempfile.mkstemp(
            prefix=".ssot-baseline-", suffix=".tmp", dir=directory
        )
    except OSError as error:
        raise BaselineError(
            f"{baseline_file}: cannot write the baseline: {error.strerror}"
        ) from None
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(json.dumps(document, indent=2) + "\n")
            file.flush()
            os.fsync(file.fileno())
        # mkstemp makes the file private; a baseline is as readable as any source file.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, baseline_file)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise BaselineError(
            f"{baseline_file}: cannot write the baseline: {error.strerror or error}"
        ) from None
    return sum(sum(codes.values()) for codes in counts.values())


def _check_replaceable(baseline_file: str) -> None:
    """Refuse to replace a link, a directory, or a file that is not a baseline."""
    if os.path.islink(baseline_file):
        raise BaselineError(
            f"{baseline_file}: is a symbolic link; refusing to write through it "
            "(name the file it points to)"
        )
    if not os.path.lexists(baseline_file):
        return
    if not os.path.isfile(baseline_file):
        raise BaselineError(f"{baseline_file}: is not a regular file; refusing to replace it")
    try:
        load_baseline(baseline_file)
    except BaselineError as error:
        raise BaselineError(
            f"{error}; refusing to overwrite a file that is not a baseline "
            "(remove it first if it really is a stale baseline)"
        ) from None


def load_baseline(baseline_file: str) -> dict[str, dict[str, int]]:
    """The counts in *baseline_file*, or a ``BaselineError`` saying what is wrong with it."""
    import json

    try:
        # Non-blocking and regular files only: a configured baseline may name a FIFO or
        # /dev/zero (a hostile pull request's configuration) and must not hang the check.
        descriptor = os.open(baseline_file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with open(descriptor, encoding="utf-8") as file:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                raise BaselineError(f"{baseline_file}: not a baseline (not a regular file)")
            document = json.load(file)
    except FileNotFoundError:
        raise BaselineError(
            f"{baseline_file}: baseline file not found; create it with "
            "--baseline FILE --update-baseline"
        ) from None
    except OSError as error:
        raise BaselineError(f"{baseline_file}: cannot read: {error.strerror}") from None
    except BaselineError:  # a ValueError too, already saying what is wrong
        raise
    except (ValueError, UnicodeDecodeError, RecursionError) as error:  # Recursion: nesting
        raise BaselineError(f"{baseline_file}: not a baseline (broken JSON: {error})") from None
    shape = (
        "expected {'tool': 'ssot-guard', 'version': 1, 'counts': {path: {code: count}}}; "
        "write it with --update-baseline"
    )
    version = document.get("version") if isinstance(document, dict) else None
    if type(version) is not int or version != VERSION:  # not true or 1.0, which == 1
        raise BaselineError(f"{baseline_file}: not a baseline of this version; {shape}")
    counts = document.get("counts")
    if not isinstance(counts, dict) or not all(
        isinstance(codes, dict) and all(type(n) is int and n >= 0 for n in codes.values())
        for codes in counts.values()
    ):
        raise BaselineError(f"{baseline_file}: 'counts' has the wrong shape; {shape}")
    return counts


def apply_baseline(findings: list[Finding], baseline_file: str) -> Applied:
    """The findings the baseline in *baseline_file* does not cover."""
    allowed = load_baseline(baseline_file)
    directory = os.path.dirname(os.path.abspath(baseline_file))
    groups: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        groups.setdefault((_key(finding.path, directory), finding.code), []).append(finding)
    reported: list[Finding] = []
    baselined = 0
    stale: list[Stale] = []
    for (path, code), group in groups.items():
        limit = allowed.get(path, {}).get(code, 0)
        if len(group) > limit:
            reported.extend(group)
        else:
            baselined += len(group)
    reported.sort(key=lambda f: f.sort_key())
    for path, codes in sorted(allowed.items()):
        for code, limit in sorted(codes.items()):
            found = len(groups.get((path, code), ()))
            if found < limit:
                stale.append(Stale(path, code, limit, found))
    return Applied(reported, baselined, stale)
