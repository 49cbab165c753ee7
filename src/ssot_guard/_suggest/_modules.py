"""Modules that duplicate a sibling, and modules whose names say they are temporary.

A module duplicates a sibling (another module of the same package) when most of
its top-level names are defined there too, or imported from there (a shim);
or when its name extends the sibling's (``websocket_manager_factory`` beside
``websocket_manager``) and it defines a class of the same name. A module named
``legacy``, ``compat``, ``old``, ``deprecated`` (alone or as a word of its name,
``x_legacy``) or ``x_v1`` is suggested for retirement when a canonical sibling
exists: the name without that word (for ``x_v1``, else the newest ``x_vN``), else
the sibling it shares most names with.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import TYPE_CHECKING, Final

from ._index import fingerprint
from ._model import Evidence, Suggestion

if TYPE_CHECKING:
    from collections.abc import Callable

    from ._index import ModuleInfo

TEMPORARY_WORDS: Final = frozenset({"legacy", "compat", "old", "deprecated"})
_VERSION: Final = re.compile(r"^(?P<stem>.+)_v(?P<version>\d+)$")
#: Share of a module's names that its sibling also has, from which it is a duplicate.
_DUPLICATE_SHARE: Final = 0.5


class _Bodies:
    """Each module's top-level definitions, fingerprinted on first use."""

    def __init__(self) -> None:
        self._cache: dict[str, dict[str, list[str]]] = {}
        #: Per module, the lines of the last names asked for, counted: a module is compared
        #: with its siblings one after another, mostly on the same names.
        self._counted: dict[str, tuple[list[str], Counter[str], int]] = {}

    def of(self, info: ModuleInfo, names: list[str]) -> list[str]:
        if info.path not in self._cache:
            self._cache[info.path] = fingerprint(info.path, set(info.defined))
        found = self._cache[info.path]
        return [line for name in names for line in found.get(name, ())]

    def _count(self, info: ModuleInfo, names: list[str]) -> tuple[Counter[str], int]:
        last = self._counted.get(info.path)
        if last is None or last[0] != names:
            lines = self.of(info, names)
            last = self._counted[info.path] = (names, Counter(lines), len(lines))
        return last[1], last[2]

    def alike(self, first: ModuleInfo, second: ModuleInfo, names: list[str]) -> float:
        """How alike the definitions of *names* are in the two modules (``similarity``)."""
        (one, size), (two, other) = self._count(first, names), self._count(second, names)
        if not size or not other:
            return 0.0
        return 2 * sum((one & two).values()) / (size + other)


def _shared(module: ModuleInfo, sibling: ModuleInfo) -> list[str]:
    """The names *module* defines that *sibling* defines too (specialisations left out)."""
    return sorted((set(module.defined) & set(sibling.defined)) - module.specialised)


def _shim_of(module: ModuleInfo, sibling: ModuleInfo) -> bool:
    """Whether *module* only imports, and re-exports names from *sibling*."""
    return module.imports_only and bool(module.imported.get(sibling.module))


def _temporary_stem(name: str) -> str | None:
    """The canonical name a temporary name points at (``x_legacy`` -> ``x``); ``""`` for a
    bare temporary name (``compat``); ``None`` if the name is not temporary."""
    if name in TEMPORARY_WORDS:
        return ""
    match = _VERSION.match(name)
    if match:
        return match.group("stem")
    words = name.split("_")
    kept = [w for w in words if w not in TEMPORARY_WORDS]
    if len(kept) < len(words) and kept:
        return "_".join(kept)
    return None


def duplicate_modules(
    infos: list[ModuleInfo],
    importers: Counter[str],
    minimum: float,
    retired: Callable[[str], bool] = lambda module: False,
) -> list[Suggestion]:
    """A ``[[block]]`` suggestion per module that duplicates a sibling or is temporary; never
    one whose replacement is a module that *retired* says a rule retires."""
    packages: dict[str, list[ModuleInfo]] = {}
    for info in infos:
        # A package's __init__ and a __main__ re-export by design: never duplicates.
        if not info.is_package and "." in info.module and not info.last.startswith("__"):
            packages.setdefault(info.parent, []).append(info)
    bodies = _Bodies()
    suggestions: dict[str, Suggestion] = {}
    for siblings in packages.values():
        by_last = {info.last: info for info in siblings}
        holders: dict[str, list[int]] = {}  # name -> the siblings (indices) defining it
        for index, info in enumerate(siblings):
            for name in info.defined:
                holders.setdefault(name, []).append(index)
        usable = [info for info in siblings if not retired(info.module)]
        usable_last = {info.last: info for info in usable}
        for module in siblings:
            candidates = [
                info
                for info in _candidates(module, siblings, by_last, holders)
                if not retired(info.module)
            ]
            found = _temporary(module, usable, usable_last) or _duplicate(
                module, candidates, importers, bodies, minimum
            )
            if found is not None:
                suggestions[module.module] = found
    # Never retire a module in favour of one that is itself retired, nor a module that is
    # another's canonical: the surest first. Two modules that each hold most of the other's
    # names (one a copy of the other, with more) both point at each other, and dropping
    # every suggestion whose canonical is suggested too left neither.
    kept: set[str] = set()
    canonical: set[str] = set()
    for suggestion in sorted(suggestions.values(), key=lambda s: (-s.score, s.rule["module"])):
        name, use = str(suggestion.rule["module"]), str(suggestion.rule["use"])
        if use not in kept and name not in canonical:
            kept.add(name)
            canonical.add(use)
    return [s for s in suggestions.values() if s.rule["module"] in kept]


def _temporary(
    module: ModuleInfo, siblings: list[ModuleInfo], by_last: dict[str, ModuleInfo]
) -> Suggestion | None:
    stem = _temporary_stem(module.last)
    if stem is None:
        return None
    canonical = by_last.get(stem) if stem else None
    if canonical is None:
        # x_v1 beside x_v2 (and no x): the newest version is the canonical one, and is itself
        # not retired (by name alone, x_v10 was retired for x_v9).
        canonical = _newest(module, siblings)
        if canonical is module:
            return None
    shared: list[str] = []
    if canonical is not None:
        shared = _shared(module, canonical)
    else:
        best = 0
        for sibling in siblings:
            names = _shared(module, sibling)
            if sibling is not module and len(names) > best:
                best, canonical, shared = len(names), sibling, names
    if canonical is None or canonical is module:
        return None
    why = f"its name says it is temporary, beside the canonical {canonical.last!r}"
    return _block(module, canonical, shared, 0.9 if shared else 0.6, why)


def _newest(module: ModuleInfo, siblings: list[ModuleInfo]) -> ModuleInfo | None:
    """The sibling with the highest ``_v<N>`` of *module*'s stem (*module* itself, if it is);
    ``None`` when *module*'s name has no version."""
    match = _VERSION.match(module.last)
    if match is None:
        return None
    versions = [
        (int(found.group("version")), info.last, info)
        for info in siblings
        if (found := _VERSION.match(info.last)) and found.group("stem") == match.group("stem")
    ]
    return max(versions, key=lambda v: v[:2])[2]


def _candidates(
    module: ModuleInfo,
    siblings: list[ModuleInfo],
    by_last: dict[str, ModuleInfo],
    holders: dict[str, list[int]],
) -> list[ModuleInfo]:
    """The siblings that :func:`_duplicate` can find *module* a copy or shim of, in order: one
    it imports from, one whose name its own extends, or one with enough of its names.

    Comparing every pair of a package of two thousand modules took minutes.
    """
    shared: Counter[int] = Counter()
    for name in module.defined:
        if name not in module.specialised:
            shared.update(holders[name])
    enough = max(2, math.ceil(_DUPLICATE_SHARE * len(module.defined)))
    chosen = {index for index, count in shared.items() if count >= enough}
    words = module.last.split("_")
    for cut in range(1, len(words)):  # x_factory extends x; old_x extends x
        for last in ("_".join(words[:cut]), "_".join(words[cut:])):
            if last in by_last and by_last[last] is not module:
                chosen.add(siblings.index(by_last[last]))
    if module.imports_only:
        chosen.update(i for i, s in enumerate(siblings) if s.module in module.imported)
    return [siblings[index] for index in sorted(chosen)]


def _duplicate(
    module: ModuleInfo,
    siblings: list[ModuleInfo],
    importers: Counter[str],
    bodies: _Bodies,
    minimum: float,
) -> Suggestion | None:
    best: Suggestion | None = None
    for sibling in siblings:
        if sibling is module:
            continue
        candidate: Suggestion | None
        if _shim_of(module, sibling):
            why = f"it defines nothing and re-exports names from {sibling.last!r}"
            candidate = _block(module, sibling, sorted(module.imported[sibling.module]), 1.0, why)
        else:
            beat = best.score if best is not None else -1.0
            candidate = _copy_of(module, sibling, importers, bodies, minimum, beat)
        if candidate is not None and (best is None or candidate.score > best.score):
            best = candidate
    return best


def _copy_of(
    module: ModuleInfo,
    sibling: ModuleInfo,
    importers: Counter[str],
    bodies: _Bodies,
    minimum: float,
    beat: float = -1.0,
) -> Suggestion | None:
    """A suggestion to retire *module* for *sibling*; ``None`` when it is not a copy, or
    cannot score above *beat* (the best sibling so far: its bodies need not be compared)."""
    shared = _shared(module, sibling)
    if not shared:
        return None
    extends = module.last.startswith(sibling.last + "_") or module.last.endswith("_" + sibling.last)
    classes = [name for name in shared if name in module.classes and name in sibling.classes]
    if extends and classes:
        score = bodies.alike(module, sibling, classes)
        why = f"its name extends {sibling.last!r} and it defines {', '.join(classes)} again"
    else:
        share = len(shared) / len(module.defined)
        if share < _DUPLICATE_SHARE or len(shared) < 2 or share <= beat:
            return None
        mine = (importers[module.module], -len(module.last))
        theirs = (importers[sibling.module], -len(sibling.last))
        if len(_shared(sibling, module)) / len(sibling.defined) >= share and (
            mine > theirs or (mine == theirs and module.module < sibling.module)
        ):
            return None  # the sibling is the copy: it is suggested from its own side
        score = share * bodies.alike(module, sibling, shared)
        why = f"{len(shared)} of its {len(module.defined)} top-level names are in {sibling.last!r}"
    if score < minimum:
        return None
    return _block(module, sibling, shared, score, why)


def _block(
    module: ModuleInfo, canonical: ModuleInfo, shared: list[str], score: float, why: str
) -> Suggestion:
    evidence = [
        Evidence(module.path, 1, module.module, "retire: " + why),
        Evidence(canonical.path, 1, canonical.module, "canonical"),
    ]
    for name in shared[:10]:
        if name in module.defined:
            evidence.append(
                Evidence(module.path, module.defined[name], module.module, f"defines {name}")
            )
    rule: dict[str, object] = {
        "module": module.module,
        "use": canonical.module,
        "reason": why,
    }
    return Suggestion(
        "block",
        score,
        f"module {module.module} duplicates {canonical.module}",
        evidence,
        shared,
        rule,
    )
