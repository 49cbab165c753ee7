"""Deciding cheaply which files need parsing: a bytes search for names rules can match.

An import of ``a.b.c`` (or anything under it) spells the last part ``c`` in
the file, except a relative import from inside ``a.b.c`` itself, and then
``c`` is part of the importing file's own module name. So a file is a
candidate when a rule's *needle* occurs in its bytes or in its module name;
every other file is read but never parsed. For a glob the needle is the
longest literal piece of its last part that has one (``*factory*`` ->
``factory``); a glob made only of wildcards makes every file a candidate.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Final

from .._matcher import ImportMatcher
from .._rules import Block, Deprecate, Redirect, Unique

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .._rules import Rule

#: How the class registry is spelled in source: ``class X(metaclass=SSOTMeta)``,
#: ``class X(SSOTBase)``, ``@ssot_class``. The static check recognises classes
#: by these names (the last part of a dotted name, so ``ssot_guard.SSOTMeta`` too).
REGISTRY_METACLASSES: Final = frozenset({"SSOTMeta"})
REGISTRY_BASES: Final = frozenset({"SSOTBase"})
REGISTRY_DECORATORS: Final = frozenset({"ssot_class"})
_REGISTRY_NEEDLES: Final = tuple(
    sorted(n.encode() for n in REGISTRY_METACLASSES | REGISTRY_BASES | REGISTRY_DECORATORS)
)


def _shown_path(path: str) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive, on Windows
        return path
    return path if relative.startswith(os.pardir) else relative


def needle_of(target: str) -> str | None:
    """The text every import of *target* (a module name or glob) must contain; ``None``: any."""
    for part in reversed(target.split(".")):
        pieces = [piece for piece in part.split("*") if piece]
        if pieces:
            return max(pieces, key=len)
    return None


class Plan:
    """The rules, compiled for the check: the import matcher and the prefilter's needles."""

    def __init__(
        self, rules: Iterable[Rule], *, parse_all: bool = False, config: str | None = None
    ) -> None:
        # Rules name their file absolutely; findings name it as the user would, from here.
        self._config = config
        self._shown = _shown_path(config) if config else None
        active = [rule for rule in rules if rule.mode != "off"]
        import_rules = [rule for rule in active if isinstance(rule, Block | Redirect)]
        self.matcher = ImportMatcher(import_rules)
        #: ``"pkg.mod.attr"`` -> the rule retiring it.
        self.deprecated: dict[str, Deprecate] = {}
        for rule in active:
            if isinstance(rule, Deprecate):
                self.deprecated.setdefault(f"{rule.module}.{rule.attribute}", rule)
        self.unique = tuple(rule for rule in active if isinstance(rule, Unique))
        self.unique_names = frozenset(rule.name for rule in self.unique)
        self._within = tuple({w for rule in self.unique for w in rule.within})
        self.parse_all = parse_all

        needles: set[str] = set()
        self.everything = False
        for rule in import_rules:
            needle = needle_of(rule.target)
            if needle is None:
                self.everything = True
            else:
                needles.add(needle)
        needles.update(rule.attribute for rule in self.deprecated.values())
        #: Names whose lines are searched for calls and attribute uses.
        self.needles = tuple(sorted(needles))
        self._needle_bytes = tuple(n.encode() for n in self.needles)
        self._unique_bytes = tuple(sorted(n.encode() for n in self.unique_names))

    def source_of(self, rule: Rule) -> str:
        """Where *rule* was defined, its file relative to the working directory when inside it."""
        source = rule.source
        if self._config and self._shown and source.startswith(self._config + ": "):
            return self._shown + source[len(self._config) :]
        return source

    def watches(self, module: str) -> bool:
        """Whether *module* is under a ``[[unique]]`` rule's ``within``."""
        return any(module == w or module.startswith(w + ".") for w in self._within)

    def rule_hit(self, data: bytes, module: str) -> bool:
        """Whether an import or deprecate rule may find something in this file."""
        if self.everything:
            return True
        for needle in self._needle_bytes:
            if needle in data:
                return True
        return any(needle in module for needle in self.needles)

    def unique_hit(self, data: bytes, module: str) -> bool:
        return bool(self._unique_bytes) and (
            any(needle in data for needle in self._unique_bytes) and self.watches(module)
        )

    @staticmethod
    def registry_hit(data: bytes) -> bool:
        return any(needle in data for needle in _REGISTRY_NEEDLES)

    def hot_lines(self, data: bytes) -> list[int]:
        """Sorted line numbers (from 1) on which some needle occurs."""
        if self.everything:
            return [0]  # a sentinel the walker reads as "every line"
        positions: list[int] = []
        for needle in self._needle_bytes:
            position = data.find(needle)
            while position >= 0:
                positions.append(position)
                position = data.find(needle, position + len(needle))
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
