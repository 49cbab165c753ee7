"""Classes defined under the same name in more than one module, ranked by how alike they are."""

from __future__ import annotations

from collections import Counter
from itertools import combinations
from typing import TYPE_CHECKING

from ._index import fingerprint
from ._model import Evidence, Suggestion

if TYPE_CHECKING:
    from collections.abc import Callable

    from ._index import ModuleInfo

#: Bodies shorter than this (flattened lines) are too small to call copies: ``pass``,
#: one attribute. Two such classes rank by name only, far below real copies.
_MIN_LINES = 3
#: How a method's signature line starts (see ``_index._flatten``).
_SIGNATURES = ("FunctionDef ", "AsyncFunctionDef ")


def similarity(first: list[str], second: list[str]) -> tuple[float, int]:
    """``(share of lines in common, lines in common)``: ``2*common / (len(a) + len(b))``."""
    if not first or not second:
        return 0.0, 0
    common = sum((Counter(first) & Counter(second)).values())
    return 2 * common / (len(first) + len(second)), common


def common_package(modules: list[str]) -> str:
    parts = [m.split(".")[:-1] for m in modules]
    shared: list[str] = []
    for bits in zip(*parts, strict=False):
        if len(set(bits)) != 1:
            break
        shared.append(bits[0])
    return ".".join(shared)


def duplicate_classes(
    infos: list[ModuleInfo],
    importers: Counter[str],
    minimum: float,
    retired: Callable[[str], bool] = lambda module: False,
) -> list[Suggestion]:
    """A ``[[unique]]`` suggestion per class name defined in several modules of one package
    tree whose bodies are at least *minimum* alike; its canonical module is not one that
    *retired* says a rule retires, unless all of them are."""
    by_name: dict[str, list[ModuleInfo]] = {}
    for info in infos:
        for name in info.classes:
            if name not in info.specialised:
                by_name.setdefault(name, []).append(info)
    for name, holders in by_name.items():
        # Files the tree gives one module name (``mod.py`` in two namespace directories,
        # named by their stem without a ``src`` setting) cannot be told apart by a rule.
        named = Counter(info.module for info in holders)
        if len(named) < len(holders):
            by_name[name] = [info for info in holders if named[info.module] == 1]
    wanted: dict[str, set[str]] = {}
    for name, holders in by_name.items():
        if len(holders) > 1:
            for info in holders:
                wanted.setdefault(info.path, set()).add(name)
    bodies: dict[tuple[str, str], list[str]] = {}
    for path, names in wanted.items():
        for name, body in fingerprint(path, names).items():
            bodies[path, name] = body
    suggestions: list[Suggestion] = []
    for name, holders in by_name.items():
        if len(holders) < 2:
            continue
        for group, score, shared in _copies(name, holders, bodies, minimum):
            suggestions.append(_suggest(name, group, score, shared, importers, retired))
    return suggestions


def _copies(
    name: str,
    holders: list[ModuleInfo],
    bodies: dict[tuple[str, str], list[str]],
    minimum: float,
) -> list[tuple[list[ModuleInfo], float, Counter[str]]]:
    """The groups of definitions that are copies of each other: joined by pairs at least
    *minimum* alike, within one top-level package; each with its mean pair similarity.

    Not every class of a name: a convention such as Django's ``Migration`` in every
    migration module makes a group only of the definitions that really are alike.
    """
    parent = {info.path: info.path for info in holders}

    def root(path: str) -> str:
        while parent[path] != path:
            parent[path] = parent[parent[path]]
            path = parent[path]
        return path

    # Definitions with the same body (in one top-level package: unrelated packages are not
    # one class's copies) are compared once, as one bucket: a convention repeated in two
    # thousand modules costs one comparison per distinct body, not one per pair.
    keyed: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for info in holders:
        body = bodies.get((info.path, name), [])
        if len(body) >= _MIN_LINES:
            keyed.setdefault((info.module.partition(".")[0], tuple(body)), []).append(info.path)
    buckets = list(keyed.values())
    lengths = [len(body) for _, body in keyed]
    counts = [Counter(body) for _, body in keyed]
    by_top: dict[str, list[int]] = {}
    for index, (top, _) in enumerate(keyed):
        by_top.setdefault(top, []).append(index)
    # (bucket, bucket, score): a pair of buckets stands for every pair of their members.
    edges: list[tuple[int, int, float]] = []
    for index, paths in enumerate(buckets):
        if len(paths) > 1:
            edges.append((index, index, 1.0))
            for path in paths[1:]:
                parent[root(path)] = root(paths[0])
    for indices in by_top.values():
        for first, second in combinations(indices, 2):
            both = counts[first] & counts[second]
            score = 2 * sum(both.values()) / (lengths[first] + lengths[second])
            if all(line.startswith(_SIGNATURES) for line in both):
                score = 0.0  # only method signatures in common: one interface, twice
            if score >= minimum:
                edges.append((first, second, score))
                parent[root(buckets[first][0])] = root(buckets[second][0])
    by_path = {info.path: info for info in holders}
    groups: dict[str, tuple[dict[str, None], list[float], Counter[str]]] = {}
    for first, second, score in edges:
        one, two = buckets[first], buckets[second]
        members, totals, shared = groups.setdefault(root(one[0]), ({}, [0.0, 0.0], Counter()))
        members.update(dict.fromkeys(one))
        members.update(dict.fromkeys(two))
        pairs = len(one) * (len(one) - 1) // 2 if first == second else len(one) * len(two)
        totals[0] += score * pairs
        totals[1] += pairs
        shared |= counts[first] if first == second else counts[first] & counts[second]
    return [
        ([by_path[p] for p in members], totals[0] / totals[1], shared)
        for members, totals, shared in groups.values()
    ]


def _suggest(
    name: str,
    group: list[ModuleInfo],
    best: float,
    shared: Counter[str],
    importers: Counter[str],
    retired: Callable[[str], bool],
) -> Suggestion:
    canonical = max(
        group,
        key=lambda i: (not retired(i.module), importers[i.module], -len(i.module), i.module),
    )
    evidence = [
        Evidence(
            info.path,
            info.classes[name],
            info.module,
            f"canonical: imported by {importers[info.module]} file(s)"
            if info is canonical
            else f"imported by {importers[info.module]} file(s)",
        )
        for info in sorted(group, key=lambda i: (i is not canonical, i.module))
    ]
    within = common_package([i.module for i in group]) or group[0].module.partition(".")[0]
    methods = sorted(
        line.split(" ", 1)[1].split("(", 1)[0] for line in shared if line.startswith(_SIGNATURES)
    )
    rule: dict[str, object] = {
        "class": name,
        "within": [within],
        "canonical": canonical.module,
        "reason": f"{len(group)} definitions of {name}, {best:.0%} of their bodies the same",
    }
    return Suggestion(
        "unique",
        best,
        f"class {name} is defined in {len(group)} modules; their bodies are {best:.0%} the same",
        evidence,
        methods,
        rule,
    )
