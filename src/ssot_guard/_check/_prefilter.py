"""Deciding cheaply which files need parsing, and how much of them.

An import of ``a.b.c`` (or anything under it) spells the last part ``c`` in the
file, and the part before it, ``b``, unless the file is inside package ``a.b``
(a relative ``from . import c``); a file inside ``a.b.c`` itself may spell
nothing, but then ``c`` is in its own module name. So a file is a candidate
when those *needles* occur in its bytes as whole words, or in its module name;
every other file is read but never parsed. For a glob the needle is the longest
literal piece of its last part that has one (``*factory*`` -> ``factory``); a
glob made only of wildcards makes every file a candidate. A deprecated name
``pkg.mod:attr`` is treated as the dotted name ``pkg.mod.attr``.

The same searches tell the walker which lines hold calls or attributes worth
looking into (*hot* lines), and where the last statement that can matter ends,
so that only the head of a big file need be parsed.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Final

from .._rules._matcher import ImportMatcher
from .._rules._model import Block, Deprecate, Redirect, Unique

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .._rules._matcher import _Entry
    from .._rules._model import Rule

#: How the class registry is spelled in source: ``class X(metaclass=SSOTMeta)``,
#: ``class X(SSOTBase)``, ``@ssot_class``. The static check recognises classes
#: by these names (the last part of a dotted name, so ``ssot_guard.SSOTMeta`` too).
REGISTRY_METACLASSES: Final = frozenset({"SSOTMeta"})
REGISTRY_BASES: Final = frozenset({"SSOTBase"})
REGISTRY_DECORATORS: Final = frozenset({"ssot_class"})
#: Calls whose first argument, a string literal, is a module name to import.
IMPORT_CALLS: Final = frozenset({"import_module", "__import__", "find_spec"})
#: Calls whose first argument, a string literal, is a dotted path to import and then look up
#: (``mock.patch("app.old.X")``, ``monkeypatch.setattr("app.old.X", ...)``, Django's
#: ``import_string``, ``pkgutil.resolve_name("app.old:X")``).
DOTTED_TARGET_CALLS: Final = frozenset(
    {"patch", "multiple", "setattr", "delattr", "import_string", "resolve_name", "locate"}
)

_CALL_NEEDLES: Final = tuple(sorted(n.encode() for n in IMPORT_CALLS | DOTTED_TARGET_CALLS))
_REGISTRY_NEEDLES: Final = tuple(
    sorted(n.encode() for n in REGISTRY_METACLASSES | REGISTRY_BASES | REGISTRY_DECORATORS)
)


def _common_prefix(items: list[bytes]) -> bytes:
    first, last = min(items), max(items)
    size = 0
    while size < len(first) and first[size] == last[size]:
        size += 1
    return first[:size]


# One scan per group of needles sharing their first four bytes ("SSOT"), with the
# group's whole common prefix: a longer needle is a faster scan.
_REGISTRY_SCAN: Final = tuple(
    (
        _common_prefix([n for n in _REGISTRY_NEEDLES if n.startswith(head)]),
        tuple(n for n in _REGISTRY_NEEDLES if n.startswith(head)),
    )
    for head in sorted({n[:4] for n in _REGISTRY_NEEDLES})
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
        self._matches: dict[str, _Entry | None] = {}
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
        #: The names the prefilter searches for, as text (for module names) ...
        self.needles = tuple(sorted(needles))
        # ... and as bytes, each with a pattern that checks the name is not part of a
        # longer identifier ("utc" is not in "utcnow"), run only when the fast search hit.
        self._searches = tuple((n.encode(), bounded(n, rules=import_rules)) for n in self.needles)
        attributes = {rule.attribute for rule in self.deprecated.values()}
        self._hot = tuple(
            (n.encode(), bounded(n, rules=import_rules, hot=True)) for n in self.needles
        )
        self._attribute_hot = tuple(h for h in self._hot if h[0].decode() in attributes)
        self._unique_bytes = tuple(sorted(n.encode() for n in self.unique_names))
        patterns = dict(self._searches)
        # For a dotted name a.b.c, "c" alone is not enough: from outside package a.b an
        # import spells "b" too. So each such rule is (needle, pattern, the package whose
        # files may leave the parent part unspelled, the parent part and its pattern).
        self._pairs: list[tuple[bytes, re.Pattern[bytes], str, bytes, re.Pattern[bytes]]] = []
        loose: set[str] = set()
        exact = [r.target for r in import_rules if "*" not in r.target]
        exact += [rule.module + "." + rule.attribute for rule in self.deprecated.values()]
        for target in exact:
            package, _, last = target.rpartition(".")
            if not package:
                loose.add(last)
                continue
            parent = package.rpartition(".")[2]
            self._pairs.append(
                (last.encode(), patterns[last.encode()], package, parent.encode(), bounded(parent))
            )
        for rule in import_rules:
            if "*" in rule.target and (needle := needle_of(rule.target)) is not None:
                loose.add(needle)
        #: Packages inside which relative imports may reach a target without spelling it.
        self._packages = tuple(
            {r.target.rpartition(".")[0] for r in import_rules if "*" not in r.target}
            | {rule.module for rule in self.deprecated.values()}
            | {needle_of(r.target) or "" for r in import_rules if "*" in r.target}
        )
        #: Needles that alone make a file a candidate (globs, top-level names).
        self._loose = tuple((n.encode(), patterns[n.encode()], n) for n in sorted(loose))
        firsts = {n for n, _, _ in self._loose} | {p[0] for p in self._pairs}
        # A file without "color" has no "termcolors" either: one scan answers for both.
        self._first_needles = tuple(
            sorted(n for n in firsts if not any(m != n and m in n for m in firsts))
        )

    def match(self, name: str) -> _Entry | None:
        """``ImportMatcher.match``, remembered: the same names recur in every file."""
        try:
            return self._matches[name]
        except KeyError:
            entry = self._matches[name] = self.matcher.match(name)
            return entry

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
        for needle in self._first_needles:
            if needle in data:
                break
        else:  # the common case: no needle at all, only the module name can still hit
            return any(text in module for _, _, text in self._loose) or any(
                (module == package or module.startswith(package + "."))
                and needle.decode() in module
                for needle, _, package, _, _ in self._pairs
            )
        for needle, pattern, text in self._loose:
            if (needle in data and pattern.search(data)) or text in module:
                return True
        for needle, pattern, package, parent, parent_pattern in self._pairs:
            if module == package or module.startswith(package + "."):
                # Inside the package: relative imports may spell nothing at all.
                if (needle in data and pattern.search(data)) or needle.decode() in module:
                    return True
                continue
            if (
                needle in data
                and parent in data
                and pattern.search(data)
                and parent_pattern.search(data)
            ):
                return True
        return False

    def unique_hit(self, data: bytes, module: str) -> bool:
        return bool(self._unique_bytes) and (
            any(needle in data for needle in self._unique_bytes) and self.watches(module)
        )

    @staticmethod
    def registry_hit(data: bytes) -> bool:
        for head, needles in _REGISTRY_SCAN:
            if head in data and any(needle in data for needle in needles):
                return True
        return False

    def hot_lines(self, data: bytes) -> tuple[list[int], int]:
        """Sorted line numbers (from 1) where a call or attribute may name a rule's target,
        and the byte position of the last such place (-1 when there is none).

        That is a line on which a needle follows a quote or a dot: a string argument
        (``import_module("app.old")``, ``patch("app.old.X")``) or an attribute
        (``legacy.create_manager``). Other mentions are import statements, which are
        walked anyway, or code no rule is about.
        """
        if self.everything:
            return [0], len(data)  # a sentinel the walker reads as "every line"
        searches = self._hot
        if not any(call in data for call in _CALL_NEEDLES):
            # No import call and no dotted-target call: only attribute uses are left.
            searches = self._attribute_hot
        positions: list[int] = []
        for needle, pattern in searches:
            if needle in data:
                positions.extend(match.end() for match in pattern.finditer(data))
        return _lines_at(data, positions), max(positions, default=-1)

    def head_end(self, data: bytes, module: str, last_hot: int) -> int:
        """The byte position past which no statement can matter to import rules; -1: unknown.

        A relevant import spells a needle, unless the file sits inside a target's
        package, where relative imports spell nothing: there every import counts.
        So the end is the last hot place or the last import statement (its line and
        any parenthesised or backslash-continued rest) that holds a needle.
        """
        inside = self.everything or any(
            module == package or module.startswith(package + ".") for package in self._packages
        )
        last = last_hot
        position = data.find(b"import", max(last, 0))
        while position >= 0:
            line_start = data.rfind(b"\n", 0, position) + 1
            end = data.find(b"\n", position)
            end = len(data) if end < 0 else end
            opening = data.find(b"(", position, end)
            if opening >= 0 and data.find(b")", opening, end) < 0:
                closing = data.find(b")", end)
                end = len(data) if closing < 0 else closing
            else:
                while data[end - 1 : end] == b"\\" or data[end - 2 : end] == b"\\\r":
                    following = data.find(b"\n", end + 1)
                    end = len(data) if following < 0 else following
            if inside:
                last = position
            else:
                statement = data[line_start:end]
                for needle, pattern in self._searches:
                    if needle in statement and pattern.search(statement):
                        last = position
                        break
            position = data.find(b"import", end)
        return last

    def visit_lines(self, data: bytes, hot: list[int], *, registry: bool, module: str) -> list[int]:
        """Lines that make a compound statement worth entering: see ``Walker``."""
        if hot == [0]:
            return hot
        needles = [b"import"]
        if registry:
            needles.extend(_REGISTRY_NEEDLES)
        if self.watches(module):
            needles.extend(self._unique_bytes)
        positions: list[int] = []
        for needle in needles:
            position = data.find(needle)
            while position >= 0:
                positions.append(position)
                position = data.find(needle, position + len(needle))
        return sorted(set(_lines_at(data, positions)).union(hot))


def _lines_at(data: bytes, positions: list[int]) -> list[int]:
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


_IDENTIFIER_BYTE: Final = rb"[A-Za-z0-9_\x80-\xff]"


def bounded(
    needle: str, *, rules: Iterable[Block | Redirect] = (), hot: bool = False
) -> re.Pattern[bytes]:
    """A pattern for *needle* where it may stand for a whole dotted part.

    A side of the needle needs a word boundary unless some glob has a ``*`` next to
    it there (``*_safe`` matches ``mark_safe``). With *hot*, the pattern
    finds hot places instead: the needle right after a quote or a dot.
    """
    open_left = open_right = False
    for rule in rules:
        for part in rule.target.split("."):
            if "*" not in part:
                continue
            pieces = part.split("*")
            for index, piece in enumerate(pieces):
                if piece == needle:
                    open_left |= index > 0
                    open_right |= index < len(pieces) - 1
    left = b"" if open_left else b"(?<!" + _IDENTIFIER_BYTE + b")"
    right = b"" if open_right else b"(?!" + _IDENTIFIER_BYTE + b")"
    core = re.escape(needle.encode()) + right
    if not hot:
        return re.compile(left + core)
    # Hot: right after a quote or a dot. A name in a string argument starts the string
    # ("legacy") or follows a dot in a dotted path ("app.legacy.X"); an attribute follows
    # its dot. A glob piece may also sit inside a longer part ("app.ws_factory").
    return re.compile((rb"[.\"'][\w\x80-\xff]*" if open_left else rb"[.\"']") + core)
