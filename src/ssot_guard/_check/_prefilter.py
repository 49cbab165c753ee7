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
looking into (*hot* lines), and which statements can matter at all (*anchors*),
so that only those need be parsed (see ``_statements``).
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Final

from .._rules._matcher import ImportMatcher
from .._rules._model import Block, Deprecate, Redirect, Unique
from ._needles import (
    bounded_pattern,
    contains,
    glob_openness,
    hot_pattern,
    in_doctest,
    lines_at,
    minimal,
)
from ._screen import (
    DOTTED_TARGET_CALLS,
    IMPORT_CALLS,
    called,
    declared_is_utf8,
    odd_calls,
    respelled,
)
from ._settings import MAX_FILE_SIZE
from ._statements import keyword_positions, names_are_ascii, relative_imports, stretch_end

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .._rules._matcher import CompiledRule
    from .._rules._model import Rule

#: How the class registry is spelled in source: ``class X(metaclass=SSOTMeta)``,
#: ``class X(SSOTBase)``, ``@ssot_class``. The static check recognises classes
#: by these names (the last part of a dotted name, so ``ssot_guard.SSOTMeta`` too).
REGISTRY_METACLASSES: Final = frozenset({"SSOTMeta"})
REGISTRY_BASES: Final = frozenset({"SSOTBase"})
REGISTRY_DECORATORS: Final = frozenset({"ssot_class"})
#: Up to this many needles, one pattern for them all is compiled once; past it, one
#: per file from the needles it holds.
_COMBINED_NEEDLES: Final = 64
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
        self,
        rules: Iterable[Rule],
        *,
        parse_all: bool = False,
        config: str | None = None,
        max_file_size: int = MAX_FILE_SIZE,
    ) -> None:
        # Rules name their file absolutely; findings name it as the user would, from here.
        self._config = config
        self._shown = _shown_path(config) if config else None
        active = [rule for rule in rules if rule.mode != "off"]
        import_rules = [rule for rule in active if isinstance(rule, Block | Redirect)]
        self.matcher = ImportMatcher(import_rules)
        self._matches: dict[str, CompiledRule | None] = {}
        #: ``"pkg.mod.attr"`` -> the rule retiring it.
        self.deprecated: dict[str, Deprecate] = {}
        for rule in active:
            if isinstance(rule, Deprecate):
                self.deprecated.setdefault(f"{rule.module}.{rule.attribute}", rule)
        self.unique = tuple(rule for rule in active if isinstance(rule, Unique))
        self.unique_names = frozenset(rule.name for rule in self.unique)
        self._within = tuple({w for rule in self.unique for w in rule.within})
        self.parse_all = parse_all
        #: Larger files are not parsed whole: ``SSOT905`` (the parser needs 70-400 times that).
        self.max_file_size = max_file_size

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
        # Which sides of each glob piece a "*" leaves open ("*_safe" matches "mark_safe"),
        # gathered in one pass: the setup stays linear in the number of rules.
        self._open = glob_openness(rule.target for rule in import_rules)
        # ... and as bytes, each with a pattern that checks the name is not part of a
        # longer identifier ("utc" is not in "utcnow"), compiled when the fast search hits.
        self._patterns: dict[tuple[bytes, bool], re.Pattern[bytes]] = {}
        self._combined: re.Pattern[bytes] | None = None
        self._hot: dict[bool, re.Pattern[bytes]] = {}
        self._file: bytes | None = None
        self._found: dict[bytes, bool] = {}
        self._respelled_file: bytes | None = None
        self._calls_file: bytes | None = None
        self._calls_in: list[bytes] = []
        self._respelled_as: bytes | None = None
        self._search_needles = tuple(n.encode() for n in self.needles)
        attributes = {rule.attribute for rule in self.deprecated.values()}
        self._attribute_needles = tuple(n.encode() for n in self.needles if n in attributes)
        self._unique_bytes = tuple(sorted(n.encode() for n in self.unique_names))
        # For a dotted name a.b.c, "c" alone is not enough: from outside package a.b an
        # import spells "b" too. So each such rule is (needle, the package whose files may
        # leave the parent part unspelled, the parent part).
        self._pairs: list[tuple[bytes, str, bytes]] = []
        loose: set[str] = set()
        exact = [r.target for r in import_rules if "*" not in r.target]
        exact += [rule.module + "." + rule.attribute for rule in self.deprecated.values()]
        for target in exact:
            package, _, last = target.rpartition(".")
            if not package:
                loose.add(last)
                continue
            parent = package.rpartition(".")[2]
            self._pairs.append((last.encode(), package, parent.encode()))
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
        self._loose = tuple((n.encode(), n) for n in sorted(loose))
        firsts = {n for n, _ in self._loose} | {p[0] for p in self._pairs}
        # A file without "color" has no "termcolors" either: one scan answers for both.
        self._first_needles = minimal(firsts)

    def __getstate__(self) -> dict[str, object]:
        """For the process pool: without the last file's bytes the searches remember."""
        state = dict(self.__dict__)
        state.update(_file=None, _found={}, _respelled_file=None, _respelled_as=None)
        state.update(_calls_file=None, _calls_in=[])
        return state

    def _in(self, needle: bytes, data: bytes) -> bool:
        """``needle in data``, remembered for the file at hand: the prefilter, the hot
        places and the anchors ask about the same needles, and each asking scans the file."""
        if data is not self._file:
            self._file, self._found = data, {}
        try:
            return self._found[needle]
        except KeyError:
            found = self._found[needle] = needle in data
            return found

    def _calls(self, data: bytes) -> list[bytes]:
        """The import and dotted-target calls *data* makes (by name: ``patch(``)."""
        if data is not self._calls_file:
            present = [name for name in _CALL_NEEDLES if self._in(name, data)]
            self._calls_file, self._calls_in = data, called(data, present) if present else []
        return self._calls_in

    def _odd_calls(self, data: bytes) -> list[int]:
        calls = self._calls(data)
        return odd_calls(data, calls) if calls else []

    def _respelled(self, data: bytes) -> bytes | None:
        """:func:`respelled`, remembered; ``None`` also for a UTF-8 file whose only
        characters that NFKC changes are in strings and comments (Python normalises
        identifiers, not strings: such a file reads as its bytes)."""
        if data is not self._respelled_file:
            spelled = respelled(data)
            if spelled is not None and declared_is_utf8(data) and names_are_ascii(data):
                spelled = None
            self._respelled_file, self._respelled_as = data, spelled
        return self._respelled_as

    def pattern(self, needle: bytes, *, hot: bool = False) -> re.Pattern[bytes]:
        """:func:`bounded` for *needle* under these rules' globs, compiled once, when needed."""
        key = (needle, hot)
        try:
            return self._patterns[key]
        except KeyError:
            left, right = self._open.get(needle.decode(), (False, False))
            attribute = needle in self._attribute_needles
            compiled = bounded_pattern(needle, left, right, hot=hot, attribute=attribute)
            self._patterns[key] = compiled
            return compiled

    def match(self, name: str) -> CompiledRule | None:
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

    def inside(self, module: str) -> bool:
        """Whether *module* is inside a target's package, where relative imports spell nothing."""
        return any(
            module == package or module.startswith(package + ".") for package in self._packages
        )

    def rule_hit(self, data: bytes, module: str) -> bool:
        """Whether an import or deprecate rule may find something in this file.

        Also true for a file whose names may be spelled in a way the bytes do not
        show: an import call with an escaped or concatenated string argument, and
        (see :func:`respelled`) identifiers that only NFKC normalisation or the
        file's declared encoding turn into a needle.
        """
        if self._spelled_hit(data, module) or self._odd_calls(data):
            return True
        other = self._respelled(data)
        return other is not None and self._spelled_hit(other, module, memo=False)

    def _spelled_hit(self, data: bytes, module: str, *, memo: bool = True) -> bool:
        if self.everything:
            return True
        found = self._in if memo else contains
        for needle in self._first_needles:
            if found(needle, data):
                break
        else:  # the common case: no needle at all, only the module name can still hit
            return any(text in module for _, text in self._loose) or any(
                (module == package or module.startswith(package + "."))
                and needle.decode() in module
                for needle, package, _ in self._pairs
            )
        for needle, text in self._loose:
            if (found(needle, data) and self.pattern(needle).search(data)) or text in module:
                return True
        for needle, package, parent in self._pairs:
            if module == package or module.startswith(package + "."):
                # Inside the package: relative imports may spell nothing at all.
                if (found(needle, data) and self.pattern(needle).search(data)) or (
                    needle.decode() in module
                ):
                    return True
                continue
            if (
                found(needle, data)
                and found(parent, data)
                and self.pattern(needle).search(data)
                and self.pattern(parent).search(data)
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

    def hot_places(self, data: bytes) -> list[int]:
        """Sorted byte positions where a call or attribute may name a rule's target; ``[-1]``
        for "anywhere" (every glob, or a file whose spelling the bytes do not show).

        That is a needle inside a string that may be a dotted path (``"app.old"``,
        ``"app.old.X"``, ``"app.old:X"``: an argument of ``import_module`` or
        ``mock.patch``), a deprecated name after a dot (``legacy.create_manager``),
        and an import call whose string argument is escaped or concatenated. Other
        mentions are import statements, found apart, or code no rule is about.
        """
        if self.everything or self._respelled(data) is not None:
            return [-1]
        positions: list[int] = []
        calls = bool(self._calls(data))
        if calls:
            positions.extend(self._odd_calls(data))
        pattern = self._hot_search(data, calls=calls)
        if pattern is not None:
            positions.extend(match.end() - 1 for match in pattern.finditer(data))
        positions.sort()
        return positions

    def _hot_search(self, data: bytes, *, calls: bool) -> re.Pattern[bytes] | None:
        """The pattern for the hot places of the needles in *data*: compiled once for all
        needles (or, past ``_COMBINED_NEEDLES`` of them, for those this file holds)."""
        needles = self._search_needles if calls else self._attribute_needles
        present = [n for n in needles if self._in(n, data)]
        if not present:
            return None
        few = len(needles) <= _COMBINED_NEEDLES
        if few and calls in self._hot:
            return self._hot[calls]
        attributes = set(self._attribute_needles)
        pattern = hot_pattern(
            [
                (n, *self._open.get(n.decode(), (False, False)), n in attributes)
                for n in (needles if few else present)
            ]
        )
        if few:
            self._hot[calls] = pattern
        return pattern

    @staticmethod
    def may_matter(statement: bytes) -> bool:
        """Whether *statement* may be an import or a call the walker looks into."""
        return b"import" in statement or any(call in statement for call in _CALL_NEEDLES)

    def hot_lines(self, data: bytes, places: list[int]) -> list[int]:
        """The lines (from 1) of :meth:`hot_places`; ``[0]`` means every line."""
        return [0] if places == [-1] else lines_at(data, list(places))

    def anchors(self, data: bytes, module: str, hot: list[int]) -> tuple[list[int], list[bool]]:
        """The places whose statements the walker needs, and whether each counts only in code.

        Those are the *hot* places, and every needle that may be part of an import
        statement (in a stretch shaped like one, see ``_statements``); inside a target's package,
        where relative imports spell nothing, every import keyword. Where deprecated
        names are used, also every import before the last use: the walker follows
        the names imported modules are bound to.
        """
        places = [(position, False) for position in hot]
        if hot and self.deprecated:
            places.extend((p, True) for p in keyword_positions(data) if p <= hot[-1])
        if self.inside(module):
            places.extend((p, True) for p in relative_imports(data))
        places.extend((p, True) for p in self._import_needles(data))
        places = sorted(p for p in places if not (p[1] and in_doctest(data, p[0])))
        return [p for p, _ in places], [code for _, code in places]

    def _import_needles(self, data: bytes) -> list[int]:
        """Needles that may be part of an import statement: inside the stretch of names,
        dots, commas, parentheses and comments that follows a keyword (``_statements``).

        Every keyword's stretch is searched, each byte once.
        """
        if not any(self._in(n, data) for n in self._first_needles):
            return []
        if self._combined is None:
            needles = self._search_needles
            if len(needles) > _COMBINED_NEEDLES:
                needles = tuple(n for n in needles if self._in(n, data))
            combined = re.compile(b"|".join(self.pattern(n).pattern for n in needles))
            if len(self._search_needles) <= _COMBINED_NEEDLES:
                self._combined = combined
        else:
            combined = self._combined
        found: list[int] = []
        reached = 0
        for keyword in keyword_positions(data):
            end = stretch_end(data, keyword)
            if end > reached:  # stretches may overlap: search each byte once
                start = max(keyword, reached)
                found.extend(match.start() for match in combined.finditer(data, start, end))
                reached = end
        return found

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
        return sorted(set(lines_at(data, positions)).union(hot))
