"""Globs on dotted module names, compiled to string checks (no regex).

``*`` matches any run of characters inside one dotted part, ``**`` any number
of whole parts (zero included). A glob matches a module *and its submodules*:
it is tried against every leading run of a name's parts.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from collections.abc import Sequence

_PART_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_*")
_ANY_PARTS = None  # a compiled ``**`` part

# A compiled part: a literal string, ``None`` for ``**``, or the literal pieces
# between the ``*`` of a part such as ``*factory*`` -> ("", "factory", "").
Part = str | tuple[str, ...] | None


def glob_error(text: str) -> str | None:
    """Why *text* is not a valid dotted glob, or ``None`` if it is."""
    if not text:
        return "is empty"
    if text.isascii() and all(map(str.isidentifier, text.split("."))):
        return None  # a plain dotted name, the common case: no part needs a closer look
    for part in text.split("."):
        if not part:
            return f"{text!r} has an empty part (two dots, or a leading or trailing dot)"
        bad = set(part) - _PART_CHARS
        if bad:
            return (
                f"{text!r} has {''.join(sorted(bad))!r}; "
                "a part holds letters, digits, '_', '*' (within one part) or is '**'"
            )
        if "**" in part and part != "**":
            return f"{text!r}: '**' must be a whole part, as in 'pkg.**.mod'"
        if part[0].isdigit():
            return f"{text!r}: part {part!r} starts with a digit"
    return None


def is_glob(text: str) -> bool:
    return "*" in text


def _compile_part(part: str) -> Part:
    if part == "**":
        return _ANY_PARTS
    if "*" in part:
        return tuple(part.split("*"))
    return part


def _part_matches(compiled: str | tuple[str, ...], part: str) -> bool:
    if isinstance(compiled, str):
        return compiled == part
    first, *middle, last = compiled
    if len(part) < len(first) + len(last) or not part.startswith(first):
        return False
    if not part.endswith(last):
        return False
    position, end = len(first), len(part) - len(last)
    for piece in middle:
        found = part.find(piece, position, end)
        if found < 0:
            return False
        position = found + len(piece)
    return True


class Glob:
    """A compiled dotted glob."""

    __slots__ = ("_parts", "_stars", "literal_prefix", "literal_size", "text")

    def __init__(self, text: str) -> None:
        error = glob_error(text)
        if error is not None:
            raise ValueError(error)
        self.text = text
        raw = text.split(".")
        compiled: list[Part] = []
        for part in raw:
            # ``**.**`` means what ``**`` means: collapsed, so the pattern stays short.
            if part != "**" or not compiled or compiled[-1] is not _ANY_PARTS:
                compiled.append(_compile_part(part))
        self._parts: tuple[Part, ...] = tuple(compiled)
        #: Bit ``i`` set: part ``i`` is ``**`` (the NFA of ``_simulate`` works on bits).
        self._stars = sum(1 << i for i, part in enumerate(compiled) if part is _ANY_PARTS)
        prefix: list[str] = []
        for part in raw:
            if "*" in part:
                break
            prefix.append(part)
        #: The leading parts without wildcards, joined: the key the matcher
        #: indexes this glob by, so that names outside it never reach it.
        self.literal_prefix = ".".join(prefix)
        #: Characters that are not wildcards: ranks globs of equal reach.
        self.literal_size = len(text.replace("*", "").replace(".", ""))

    def __repr__(self) -> str:
        return f"Glob({self.text!r})"

    def match_length(self, parts: Sequence[str]) -> int:
        """Number of leading *parts* forming the shortest name this glob matches; 0 if none."""
        pattern = self._parts
        if not self._stars:
            # No ``**``: only a name of exactly as many parts can match.
            size = len(pattern)
            if len(parts) < size:
                return 0
            for compiled, part in zip(pattern, parts, strict=False):
                if not _part_matches(compiled, part):  # type: ignore[arg-type]
                    return 0
            return size
        return self._simulate(parts, len(parts), len(pattern), shortest=True)

    def child_part(self, parent: Sequence[str]) -> Part | bool:
        """What ``x`` must match for this glob to match the name ``parent.x``.

        ``True`` if every ``x`` may, ``False`` if none can; otherwise the compiled
        last part. Assumes no leading run of *parent* matches (the name would be
        covered whatever ``x`` is). Lets the finder screen a package's modules
        without trying every glob on every import.
        """
        pattern = self._parts
        stop = len(pattern)
        while stop and pattern[stop - 1] is _ANY_PARTS:
            stop -= 1  # a trailing ``**`` may take nothing: the part before it meets ``x``
        if stop == 0:
            return True
        if not self._stars:
            # No ``**``: *parent* must have one part fewer than the glob, each matching.
            if len(parent) != stop - 1:
                return False
            for compiled, part in zip(pattern, parent, strict=False):
                if not _part_matches(compiled, part):  # type: ignore[arg-type]
                    return False
        elif not self._simulate(parent, len(parent), stop - 1, shortest=False):
            return False
        return pattern[stop - 1]

    def _simulate(self, parts: Sequence[str], end: int, stop: int, *, shortest: bool) -> int:
        """Match ``parts[:end]`` against the first *stop* pattern parts, as an NFA.

        With *shortest*: the smallest ``k >= 1`` such that ``parts[:k]`` matches
        (0 if none); otherwise 1 if ``parts[:end]`` matches, else 0.

        The set of pattern positions reachable after each part is carried
        forward, so the time is (parts x pattern parts) whatever the pattern:
        trying every split point of every ``**`` instead (backtracking) takes
        exponential time on a glob such as ``app.**.**.**.x``. The set is an
        int, bit ``i`` for position ``i``; ``stop`` is the accepting position.
        """
        pattern = self._parts
        stars = self._stars
        goal = 1 << stop
        below = goal - 1
        # Reaching a ``**`` also reaches the position after it (``**`` may take no
        # part). One shift is the whole closure: consecutive ``**`` were collapsed.
        active = 1 | (1 & stars) << 1
        for j in range(end):
            part = parts[j]
            following = 0
            rest = active & below
            while rest:
                bit = rest & -rest  # the lowest reachable position
                rest ^= bit
                compiled = pattern[bit.bit_length() - 1]
                if compiled is _ANY_PARTS:
                    following |= bit  # ``**`` takes this part and may take more
                elif _part_matches(compiled, part):
                    following |= bit << 1
            if not following:
                return 0
            active = following | (following & stars) << 1
            if shortest and active & goal:
                return j + 1
        return 1 if not shortest and active & goal else 0


def name_match_length(target: str, parts: Sequence[str]) -> int:
    """How many leading *parts* equal the dotted *target*; 0 if *target* is not a prefix."""
    target_parts = target.split(".")
    n = len(target_parts)
    if n <= len(parts) and list(parts[:n]) == target_parts:
        return n
    return 0


class NameSet:
    """Module names and globs; ``contains`` holds for them and their submodules."""

    __slots__ = ("_exact", "_globs", "entries")

    def __init__(self, entries: Sequence[str]) -> None:
        self.entries = tuple(entries)
        self._exact = frozenset(e for e in entries if not is_glob(e))
        self._globs = tuple(Glob(e) for e in entries if is_glob(e))

    def __bool__(self) -> bool:
        return bool(self.entries)

    def contains(self, name: str) -> bool:
        if self._exact:
            # Walk the dotted prefixes: "a.b.c" -> "a.b.c", "a.b", "a".
            prefix = name
            while True:
                if prefix in self._exact:
                    return True
                cut = prefix.rfind(".")
                if cut < 0:
                    break
                prefix = prefix[:cut]
        if self._globs:
            parts = name.split(".")
            return any(g.match_length(parts) for g in self._globs)
        return False
