"""Which import rule speaks for a module name, at a cost that does not grow with the rules.

Exact rules sit in a dict keyed by module name; globs sit in a dict keyed by
their leading literal parts. A name is looked up once per dotted prefix in
each dict, so the work is bounded by the depth of the name, not by how many
rules exist. Only globs that begin with a wildcard are tried for every name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._glob import Glob, NameSet
from ._rules import Block, Redirect

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    ImportRule = Block | Redirect


class _Entry:
    """One compiled import rule."""

    __slots__ = ("allow", "glob", "importers", "order", "rule")

    def __init__(self, rule: ImportRule, order: int) -> None:
        self.rule = rule
        self.order = order
        is_block = isinstance(rule, Block)
        self.glob = Glob(rule.pattern) if is_block and rule.pattern else None  # type: ignore[union-attr]
        self.allow = NameSet(rule.allow if is_block else ())  # type: ignore[union-attr]
        self.importers = NameSet(rule.allow_importers if is_block else ())  # type: ignore[union-attr]

    def covers(self, name: str) -> bool:
        """Whether this rule, allowances aside, matches *name*."""
        if self.glob is not None:
            return self.glob.match_length(name.split(".")) > 0
        target = self.rule.target
        return name == target or name.startswith(target + ".")


class ImportMatcher:
    """Finds the most specific ``Block`` or ``Redirect`` rule for a module name.

    Most specific: the rule that covers the longest leading part of the name;
    on a tie an exact ``module`` rule beats a glob, a glob with more literal
    characters beats one with fewer, and an earlier rule beats a later one.
    """

    __slots__ = ("_exact", "_globs", "tops", "unanchored")

    def __init__(self, rules: Iterable[ImportRule]) -> None:
        self._exact: dict[str, list[_Entry]] = {}
        self._globs: dict[str, list[_Entry]] = {}
        unanchored: list[_Entry] = []
        tops: set[str] = set()
        for order, rule in enumerate(rules):
            entry = _Entry(rule, order)
            if entry.glob is None:
                self._exact.setdefault(rule.target, []).append(entry)
                tops.add(rule.target.partition(".")[0])
            elif entry.glob.literal_prefix:
                self._globs.setdefault(entry.glob.literal_prefix, []).append(entry)
                tops.add(entry.glob.literal_prefix.partition(".")[0])
            else:
                unanchored.append(entry)
        #: First dotted parts that some rule can match: the finder's fast path.
        self.tops = frozenset(tops)
        #: Globs that start with a wildcard; when present every name is checked.
        self.unanchored = tuple(unanchored)

    def __bool__(self) -> bool:
        return bool(self._exact or self._globs or self.unanchored)

    def may_match(self, name: str) -> bool:
        """Cheap pre-check: ``False`` means no rule can match *name*."""
        return bool(self.unanchored) or name.partition(".")[0] in self.tops

    def match(self, name: str) -> _Entry | None:
        """The entry of the rule that speaks for *name*, or ``None``."""
        best: tuple[int, int, int, int] | None = None
        found: _Entry | None = None
        for rank, entry in self._candidates(name):
            if entry.allow and entry.allow.contains(name):
                continue
            if best is None or rank > best:
                best, found = rank, entry
        return found

    def _candidates(self, name: str) -> Iterator[tuple[tuple[int, int, int, int], _Entry]]:
        parts: list[str] | None = None
        depth = 0
        end = -1
        while True:
            end = name.find(".", end + 1)
            prefix = name if end < 0 else name[:end]
            depth += 1
            for entry in self._exact.get(prefix, ()):
                yield (depth, 1, 1 << 20, -entry.order), entry
            bucket = self._globs.get(prefix)
            if bucket:
                parts = parts or name.split(".")
                for entry in bucket:
                    yield from self._glob_rank(entry, parts)
            if end < 0:
                break
        if self.unanchored:
            parts = parts or name.split(".")
            for entry in self.unanchored:
                yield from self._glob_rank(entry, parts)

    @staticmethod
    def _glob_rank(
        entry: _Entry, parts: list[str]
    ) -> Iterator[tuple[tuple[int, int, int, int], _Entry]]:
        assert entry.glob is not None
        length = entry.glob.match_length(parts)
        if length:
            yield (length, 0, entry.glob.literal_size, -entry.order), entry
