"""Classes defined under the same name in more than one module, ranked by how alike they are."""

from __future__ import annotations

from collections import Counter
from itertools import combinations
from typing import TYPE_CHECKING

from ._index import fingerprint
from ._model import Evidence, Suggestion

if TYPE_CHECKING:
    from ._index import ModuleInfo

#: Bodies shorter than this (flattened lines) are too small to call copies: ``pass``,
#: one attribute. Two such classes rank by name only, far below real copies.
_MIN_LINES = 3


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
    infos: list[ModuleInfo], importers: Counter[str], minimum: float
) -> list[Suggestion]:
    """A ``[[unique]]`` suggestion per class name defined in several modules of one package
    tree whose bodies are at least *minimum* alike."""
    by_name: dict[str, list[ModuleInfo]] = {}
    for info in infos:
        for name in info.classes:
            if name not in info.specialised:
                by_name.setdefault(name, []).append(info)
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
            suggestions.append(_suggest(name, group, score, shared, importers))
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

    edges: list[tuple[str, str, float, Counter[str]]] = []
    for first, second in combinations(holders, 2):
        if first.module.partition(".")[0] != second.module.partition(".")[0]:
            continue  # unrelated top-level packages: not one class's copies
        a = bodies.get((first.path, name), [])
        b = bodies.get((second.path, name), [])
        if min(len(a), len(b)) < _MIN_LINES:
            continue
        score, _ = similarity(a, b)
        if score >= minimum:
            edges.append((first.path, second.path, score, Counter(a) & Counter(b)))
            parent[root(first.path)] = root(second.path)
    by_path = {info.path: info for info in holders}
    groups: dict[str, tuple[list[str], list[float], Counter[str]]] = {}
    for one, two, score, shared in edges:
        members, scores, common = groups.setdefault(root(one), ([], [], Counter()))
        members.extend(p for p in (one, two) if p not in members)
        scores.append(score)
        common |= shared
    return [
        ([by_path[p] for p in members], sum(scores) / len(scores), common)
        for members, scores, common in groups.values()
    ]


def _suggest(
    name: str,
    group: list[ModuleInfo],
    best: float,
    shared: Counter[str],
    importers: Counter[str],
) -> Suggestion:
    canonical = max(group, key=lambda i: (importers[i.module], -len(i.module), i.module))
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
        line.split(" ", 1)[1].split("(", 1)[0]
        for line in shared
        if line.startswith(("FunctionDef ", "AsyncFunctionDef "))
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
