"""Which import rule speaks for a module name, at a cost that does not grow with the rules.

Exact rules sit in a dict keyed by module name; globs sit in a dict keyed by
their leading literal parts. A name is looked up once per dotted prefix in
each dict, so the work is bounded by the depth of the name, not by how many
rules exist. Only globs that begin with a wildcard are tried for every name.
"""

from __future__ import annotations

from ._glob import Glob, NameSet
from ._model import Block, Redirect

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from .._base._modes import Mode
    from ._glob import Part

    ImportRule = Block | Redirect


_NO_NAMES = NameSet(())


class CompiledRule:
    """One compiled import rule."""

    __slots__ = ("allow", "glob", "importers", "mode", "order", "rule")

    def __init__(self, rule: ImportRule, order: int, mode: Mode) -> None:
        self.rule = rule
        self.order = order
        self.mode = mode
        is_block = isinstance(rule, Block)
        self.glob = Glob(rule.pattern) if is_block and rule.pattern else None  # type: ignore[union-attr]
        allow = rule.allow if is_block else ()  # type: ignore[union-attr]
        importers = rule.allow_importers if is_block else ()  # type: ignore[union-attr]
        # Most rules have neither: one shared empty set keeps install() of many rules quick.
        self.allow = NameSet(allow) if allow else _NO_NAMES
        self.importers = NameSet(importers) if importers else _NO_NAMES

    def covers(self, name: str) -> bool:
        """Whether this rule, allowances aside, matches *name*."""
        if self.glob is not None:
            return self.glob.match_length(name.split(".")) > 0
        target = self.rule.target
        return name == target or name.startswith(target + ".")


class ChildScreen:
    """Which modules directly inside one package some rule could match.

    The finder builds one per package, on the first import inside it, and asks
    it about every module imported there: a set lookup and a few ``str``
    methods, whatever the number of rules. It turns a name away only when no
    rule can match it; what it lets through still goes to ``match()``.
    """

    __slots__ = ("everything", "names", "pieces", "prefixes", "suffixes")

    def __init__(self) -> None:
        self.everything = False  # a rule covers the package itself
        self.names: set[str] = set()
        self.prefixes: tuple[str, ...] = ()
        self.suffixes: tuple[str, ...] = ()
        self.pieces: tuple[str, ...] = ()

    def __contains__(self, last: str) -> bool:
        """Whether some rule could match the module whose last part is *last*."""
        if (
            self.everything
            or last in self.names
            or last.startswith(self.prefixes)
            or last.endswith(self.suffixes)
        ):
            return True
        for piece in self.pieces:  # noqa: SIM110  # a plain loop: no generator on the hot path
            if piece in last:
                return True
        return False

    def _add(self, part: Part | bool) -> None:
        if part is True or part is None:
            self.everything = True
        elif isinstance(part, str):
            self.names.add(part)
        elif isinstance(part, tuple):
            first, *middle, last = part
            longest = max(middle, key=len, default="")
            if first:
                self.prefixes += (first,)
            elif last:
                self.suffixes += (last,)
            elif longest:
                self.pieces += (longest,)
            else:  # a bare ``*``
                self.everything = True

    def _compact(self) -> None:
        """Fewer substring tests for the hot path, admitting at least as much.

        A piece may be replaced by any part of it: families such as
        ``*client_v1*``, ``*client_v2*`` become one test for their common start.
        """
        kept: list[str] = []
        for piece in sorted(set(self.pieces)):
            if kept:
                previous = kept[-1]
                size, most = 0, min(len(previous), len(piece))
                while size < most and previous[size] == piece[size]:
                    size += 1
                if size >= 4 or previous in piece:
                    kept[-1] = previous[:size] if size >= 4 else previous
                    continue
            kept.append(piece)
        self.pieces = tuple(kept)


class ImportMatcher:
    """Finds the most specific ``Block`` or ``Redirect`` rule for a module name.

    Most specific: the rule that covers the longest leading part of the name;
    on a tie an exact ``module`` rule beats a glob, a glob with more literal
    characters beats one with fewer, and an earlier rule beats a later one.
    """

    __slots__ = ("_children", "_exact", "_globs", "tops", "unanchored")

    def __init__(self, rules: Iterable[ImportRule], modes: Iterable[Mode] = ()) -> None:
        """*modes*, if given, is each rule's effective mode (its own mode, else ``warn``)."""
        self._exact: dict[str, list[CompiledRule]] = {}
        self._globs: dict[str, list[CompiledRule]] = {}
        unanchored: list[CompiledRule] = []
        tops: set[str] = set()
        rules = tuple(rules)
        modes = tuple(modes) or tuple(rule.mode or "warn" for rule in rules)
        for order, (rule, mode) in enumerate(zip(rules, modes, strict=True)):
            entry = CompiledRule(rule, order, mode)
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
        # Package -> last parts of the names directly inside it that an exact
        # target, or a glob whose leading literal parts reach that deep, can match.
        self._children: dict[str, set[str]] = {}
        for key in self._exact:
            parent, _, last = key.rpartition(".")
            self._children.setdefault(parent, set()).add(last)
        for key, entries in self._globs.items():
            # A glob such as ``app.legacy.*_v1`` matches under app.legacy, not
            # app.legacy itself; ``app.legacy.**`` matches both.
            if any(e.glob.match_length(key.split(".")) for e in entries):  # type: ignore[union-attr]
                parent, _, last = key.rpartition(".")
                self._children.setdefault(parent, set()).add(last)
        #: Globs that start with a wildcard; when present every name is checked.
        self.unanchored = tuple(unanchored)

    def __len__(self) -> int:
        return (
            sum(map(len, self._exact.values()))
            + sum(map(len, self._globs.values()))
            + len(self.unanchored)
        )

    def __bool__(self) -> bool:
        return bool(self._exact or self._globs or self.unanchored)

    def may_match(self, name: str) -> bool:
        """Cheap pre-check: ``False`` means no rule can match *name*."""
        return bool(self.unanchored) or name.partition(".")[0] in self.tops

    def screen(self, package: str) -> ChildScreen | frozenset[str]:
        """The screen for modules directly inside *package* (``""``: top-level modules).

        ``last in screen`` tells whether some rule could match ``package.last``.
        Built from the rules that can reach inside *package*, once per package;
        the cost is paid on the first import there, not on every import. When
        only whole names can match, the screen is a plain ``frozenset``.
        """
        screen = ChildScreen()
        if package and next(self._candidates(package), None) is not None:
            screen.everything = True  # the package itself is covered: so is all it holds
            return screen
        screen.names.update(self._children.get(package, ()))
        parts = package.split(".") if package else []
        globs: list[CompiledRule] = list(self.unanchored)
        for depth in range(1, len(parts) + 1):
            globs += self._globs.get(".".join(parts[:depth]), ())
        for entry in globs:
            assert entry.glob is not None
            screen._add(entry.glob.child_part(parts))
        screen._compact()
        if not (screen.everything or screen.prefixes or screen.suffixes or screen.pieces):
            return frozenset(screen.names)  # ``in`` without a Python-level call
        return screen

    def match(self, name: str) -> CompiledRule | None:
        """The entry of the rule that speaks for *name*, or ``None``."""
        best: tuple[int, int, int, int] | None = None
        found: CompiledRule | None = None
        for rank, entry in self._candidates(name):
            if entry.allow and entry.allow.contains(name):
                continue
            if best is None or rank > best:
                best, found = rank, entry
        return found

    def _candidates(self, name: str) -> Iterator[tuple[tuple[int, int, int, int], CompiledRule]]:
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
        entry: CompiledRule, parts: list[str]
    ) -> Iterator[tuple[tuple[int, int, int, int], CompiledRule]]:
        assert entry.glob is not None
        length = entry.glob.match_length(parts)
        if length:
            yield (length, 0, entry.glob.literal_size, -entry.order), entry
