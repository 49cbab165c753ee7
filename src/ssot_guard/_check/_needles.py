"""The byte patterns the prefilter searches with: needles as whole words, lines of positions.

Helpers of ``_prefilter.Plan``: built once per plan from the rules' targets,
then run over each file's bytes.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .._rules._model import Block, Redirect


def lines_at(data: bytes, positions: list[int]) -> list[int]:
    """The distinct line numbers (from 1) of byte *positions*, sorted."""
    if not positions:
        return []
    positions.sort()
    lines: list[int] = []
    line, counted = 1, 0
    for position in positions:
        line += data.count(b"\n", counted, position)
        counted = position
        if not lines or lines[-1] != line:
            lines.append(line)
    return lines


IDENTIFIER_BYTE: Final = rb"[A-Za-z0-9_\x80-\xff]"


def in_doctest(data: bytes, position: int) -> bool:
    line = data.rfind(b"\n", 0, position) + 1
    return data[line:position].lstrip().startswith(b">>>")


def contains(needle: bytes, data: bytes) -> bool:
    return needle in data


def glob_openness(targets: Iterable[str]) -> dict[str, tuple[bool, bool]]:
    """For each literal piece of a glob part, whether a ``*`` sits to its left and right."""
    found: dict[str, tuple[bool, bool]] = {}
    for target in targets:
        for part in target.split("."):
            if "*" not in part:
                continue
            pieces = part.split("*")
            for index, piece in enumerate(pieces):
                left, right = found.get(piece, (False, False))
                found[piece] = (left or index > 0, right or index < len(pieces) - 1)
    return found


def minimal(needles: set[bytes]) -> tuple[bytes, ...]:
    """*needles* without those containing another: a file without "color" has no "termcolors".

    Linear in the number of needles: each one's substrings of the lengths present
    are looked up in a set (needles are short identifiers).
    """
    lengths = sorted({len(n) for n in needles})
    kept = []
    for needle in needles:
        size = len(needle)
        if not any(
            needle[i : i + length] in needles
            for length in lengths
            if length < size
            for i in range(size - length + 1)
        ):
            kept.append(needle)
    return tuple(sorted(kept))


def bounded(
    needle: str, *, rules: Iterable[Block | Redirect] = (), hot: bool = False
) -> re.Pattern[bytes]:
    """A pattern for *needle* where it may stand for a whole dotted part.

    A side of the needle needs a word boundary unless some glob has a ``*`` next to
    it there (``*_safe`` matches ``mark_safe``). With *hot*, the pattern
    finds hot places instead (see :meth:`Plan.hot_places`).
    """
    openness = glob_openness(rule.target for rule in rules)
    left, right = openness.get(needle, (False, False))
    return bounded_pattern(needle.encode(), left, right, hot=hot)


def bounded_pattern(
    needle: bytes, open_left: bool, open_right: bool, *, hot: bool, attribute: bool = True
) -> re.Pattern[bytes]:
    if not hot:
        # The literal first, then the look back past it: a search for a literal (or for
        # the first bytes of several) skips ahead fast; a look-behind first would not.
        escaped = re.escape(needle)
        left = b"" if open_left else b"(?<!" + IDENTIFIER_BYTE + escaped + b")"
        return re.compile(escaped + left + core_of(b"", open_right))
    return hot_pattern([(needle, open_left, open_right, attribute)])


def core_of(needle: bytes, open_right: bool) -> bytes:
    return re.escape(needle) + (b"" if open_right else b"(?!" + IDENTIFIER_BYTE + b")")


def hot_pattern(needles: list[tuple[bytes, bool, bool, bool]]) -> re.Pattern[bytes]:
    """One pattern for the hot places of all *needles* ``(needle, open left, open right,
    attribute)``: inside what may be a dotted path in a string ("legacy", "app.legacy.X",
    "app.legacy:X", ".legacy", a glob piece inside a longer part: "app.ws_factory"), or,
    for a deprecated name, after a dot (an attribute: legacy.create_manager)."""
    inner = rb"[\w\x80-\xff]*"
    cores = [(inner if left else b"") + core_of(n, right) for n, left, right, _ in needles]
    attributes = [
        (inner if left else b"") + core_of(n, right) for n, left, right, a in needles if a
    ]
    # "+", not "*": a part is never empty, and "(?:\w*[.:])*" backtracks without end.
    pattern = rb"[\"']\.*(?:[\w\x80-\xff]+[.:])*(?:" + b"|".join(cores) + b")"
    if attributes:
        pattern += rb"|\.(?:" + b"|".join(attributes) + b")"
    return re.compile(pattern)
