"""Suppression comments: ``# ssot: ignore[CODE]`` and ``# noqa: CODE``, applied and audited.

A ``# noqa`` counts only for the ``SSOT`` codes it lists: a bare ``# noqa``, or one
listing only other tools' codes (``# noqa: E501``), is left to those tools, so that a
line silenced for a linter does not hide a retired import. ``SSOT801`` (opt-in, as
ruff's ``RUF100``) reports suppressions that name unknown codes or suppress nothing.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final, NamedTuple

from ._findings import CODES, OPT_IN, SYNTAX_ERROR, UNUSED_SUPPRESSION, Finding

if TYPE_CHECKING:
    from collections.abc import Container, Iterable

_SSOT: Final = re.compile(r"#\s*ssot:\s*ignore(?:\[([A-Za-z0-9_,\s]*)\])?")
_NOQA: Final = re.compile(
    r"#\s*noqa(?::\s*([A-Za-z]+[0-9]+(?:[\s,]+[A-Za-z]+[0-9]+)*))?", re.IGNORECASE
)


class Comment(NamedTuple):
    """The suppressions on one line: the codes listed (``None``: every code), and where."""

    codes: frozenset[str] | None
    col: int


#: Per line (from 1), the suppression comment on it.
Suppressions = dict[int, Comment]


def collect(text: str, data: bytes) -> Suppressions:
    """The suppression comments in a file's *text* (*data*: its bytes, for a quick test)."""
    if b"ssot" not in data and b"SSOT" not in data:
        return {}  # neither form can name one of our codes
    found: Suppressions = {}
    for match in _SSOT.finditer(text):
        listed = match.group(1)
        codes = None if listed is None else _codes(listed)
        _add(found, text, match.start(), codes)
    for match in _NOQA.finditer(text):
        listed = match.group(1)
        if listed is None:
            continue  # a bare noqa is for linters, see above
        codes = frozenset(c for c in _codes(listed) if c.startswith("SSOT"))
        if codes:
            _add(found, text, match.start(), codes)
    return found


def _codes(listed: str) -> frozenset[str]:
    return frozenset(c.upper() for c in re.split(r"[\s,]+", listed) if c)


def _add(found: Suppressions, text: str, start: int, codes: frozenset[str] | None) -> None:
    line = text.count("\n", 0, start) + 1
    line_start = text.rfind("\n", 0, start) + 1
    if "\r" in text:  # a lone "\r" ends a line too, as Python reads source
        line += text.count("\r", 0, start) - text.count("\r\n", 0, start)
        line_start = max(line_start, text.rfind("\r", 0, start) + 1)
    col = start - line_start + 1
    if line == 1 and text.startswith("\ufeff"):
        col -= 1  # a byte order mark is no column
    previous = found.get(line)
    if previous is not None:
        codes = None if previous.codes is None or codes is None else previous.codes | codes
        col = previous.col
    found[line] = Comment(codes, col)


def apply(
    findings: Iterable[Finding], suppressed: dict[str, Suppressions]
) -> tuple[list[Finding], set[tuple[str, int, str | None]]]:
    """``(kept findings, (path, line, code) of each suppression that was used)``.

    A comment on any line from a finding's ``line`` to its ``end_line`` suppresses it.
    """
    kept: list[Finding] = []
    used: set[tuple[str, int, str | None]] = set()
    for finding in findings:
        comments = suppressed.get(finding.path)
        hit: tuple[str, int, str | None] | None = None
        if comments:
            for line in range(finding.line, finding.end_line + 1):
                comment = comments.get(line)
                if comment is None:
                    continue
                if comment.codes is None:
                    hit = (finding.path, line, None)
                    break
                if finding.code in comment.codes:
                    hit = (finding.path, line, finding.code)
                    break
        if hit is None:
            kept.append(finding)
        else:
            used.add(hit)
    return kept, used


def audit(
    suppressed: dict[str, Suppressions],
    used: set[tuple[str, int, str | None]],
    selected: Container[str],
    *,
    parse_all: bool,
) -> list[Finding]:
    """``SSOT801`` findings: unknown codes, and suppressions that suppressed nothing.

    A code that is not selected cannot be judged (its findings were never made), nor a
    bare ``# ssot: ignore`` unless every default code is selected, and neither can
    ``SSOT901`` without *parse_all* (syntax errors past the part of a file that is
    parsed are not looked for).
    """
    findings: list[Finding] = []
    judge_bare = all(code in selected for code in CODES if code not in OPT_IN)
    for path, comments in suppressed.items():
        for line, comment in comments.items():
            if comment.codes is None:
                if not judge_bare:
                    continue  # what it would suppress may not have been looked for
                if not any(u[0] == path and u[1] == line for u in used):
                    message = "unused suppression: '# ssot: ignore' suppresses nothing here"
                    findings.append(Finding(path, line, comment.col, UNUSED_SUPPRESSION, message))
                continue
            for code in sorted(comment.codes):
                if code == UNUSED_SUPPRESSION:
                    continue
                if code not in CODES:
                    message = (
                        f"suppression names unknown code {code!r}; "
                        "`ssot-guard rule --all` lists the codes"
                    )
                elif (
                    (path, line, code) in used
                    or code not in selected
                    or (code == SYNTAX_ERROR and not parse_all)
                ):
                    continue
                else:
                    message = f"unused suppression: no {code} finding on this line to suppress"
                findings.append(Finding(path, line, comment.col, UNUSED_SUPPRESSION, message))
    # SSOT801 itself is suppressed by a comment listing it (a bare one would hide its own
    # report).
    kept, _ = apply(
        findings,
        {
            path: {
                line: c
                for line, c in comments.items()
                if c.codes is not None and UNUSED_SUPPRESSION in c.codes
            }
            for path, comments in suppressed.items()
        },
    )
    return kept
