"""The cross-file class checks: ``[[unique]]`` classes and registry keys.

The registry check follows inheritance as the registry does at run time: a
class is registered when it names ``SSOTMeta`` as its metaclass, ``SSOTBase``
as a base, or is decorated with ``@ssot_class``; and also when it subclasses a
class registered through the metaclass or the base (the decorator is not
inherited), or takes a metaclass derived from ``SSOTMeta``. Bases are compared
as dotted names resolved through each file's imports. Files that never mention
the registry are searched for the names of registered classes, so that a
subclass elsewhere is found too, until no new name turns up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._base._messages import describe
from . import _findings as codes
from ._findings import Finding
from ._needles import bounded
from ._prefilter import REGISTRY_BASES, REGISTRY_METACLASSES

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from ._nodes import ClassRecord
    from ._prefilter import Plan
    from ._scan import SourceFile

#: Rounds of searching for subclasses in files that do not mention the registry.
_MAX_ROUNDS = 8


def _class_finding(record: ClassRecord, code: str, message: str, rule: str | None) -> Finding:
    return Finding(
        record.path, record.line, record.offset + 1, code, message, rule, end_line=record.end_line
    )


def unique_findings(plan: Plan, classes: list[ClassRecord]) -> list[Finding]:
    """Every definition of a ``[[unique]]`` class but the one that counts."""
    source_of = plan.source_of
    findings: list[Finding] = []
    for rule in plan.unique:
        per_module: dict[str, ClassRecord] = {}
        for record in sorted(classes):
            if record.kind != "unique" or record.key != rule.name:
                continue
            if any(record.module == w or record.module.startswith(w + ".") for w in rule.within):
                per_module.setdefault(record.module, record)
        definitions = sorted(per_module.values(), key=lambda r: (r.path, r.line))
        if rule.canonical is not None:
            extra = [r for r in definitions if r.module != rule.canonical]
            use: str | None = f"{rule.canonical}.{rule.name}"
            why = f"defined outside its canonical module {rule.canonical!r}"
        else:
            extra = definitions[1:]
            use = why = None
            if definitions:
                first = definitions[0]
                use = f"{first.module}.{rule.name}"
                why = f"first defined at {first.path}:{first.line}"
        for record in extra:
            # Worded as at run time: subject, replacement, reason and diagnosis, rule.
            reason = "; ".join(part for part in (rule.reason, why) if part) or None
            message = describe(
                "duplicate-class", rule.name, use=use, reason=reason, rule=source_of(rule)
            )
            findings.append(
                _class_finding(record, codes.DUPLICATE_UNIQUE_CLASS, message, source_of(rule))
            )
    return findings


class Registry:
    """Which of the recorded classes the registry takes, and which pass it on."""

    def __init__(self, records: Sequence[ClassRecord]) -> None:
        records = [r for r in records if r.kind == "class"]
        #: Registered classes by dotted name; inheriting ones pass registration on.
        self.registered: dict[str, ClassRecord] = {}
        self.inheriting: set[str] = set()
        #: Metaclasses derived from SSOTMeta, by dotted name.
        self.metaclasses: set[str] = set()
        changed = True
        while changed:
            changed = False
            for record in records:
                name = f"{record.module}.{record.qualname}"
                if name not in self.metaclasses and any(map(self._is_metaclass, record.bases)):
                    self.metaclasses.add(name)
                    changed = True
                if name in self.registered:
                    continue
                how = record.how
                if not how and record.metaclass and self._is_metaclass(record.metaclass):
                    how = "metaclass"
                if not how and any(
                    base in self.inheriting or base.rpartition(".")[2] in REGISTRY_BASES
                    for base in record.bases
                ):
                    how = "base"
                if how:
                    self.registered[name] = record
                    if how != "decorator":
                        self.inheriting.add(name)
                    changed = True

    def _is_metaclass(self, name: str) -> bool:
        return name in self.metaclasses or name.rpartition(".")[2] in REGISTRY_METACLASSES

    def names_passed_on(self) -> set[str]:
        """Short names a subclass of a registered class (or metaclass) must spell."""
        return {name.rpartition(".")[2] for name in self.inheriting | self.metaclasses}


def inheriting_classes(
    plan: Plan,
    sources: Sequence[SourceFile],
    classes: list[ClassRecord],
    walk: Callable[[Plan, SourceFile], list[ClassRecord]],
) -> list[ClassRecord]:
    """Class records from files that may subclass a registered class (see module docstring).

    *walk* reads, parses and walks one file whole, returning its class records.
    """
    found: list[ClassRecord] = []
    known = {(r.path, r.line, r.offset) for r in classes if r.kind == "class"}
    walked: set[str] = set()
    searched: set[str] = set()
    for _ in range(_MAX_ROUNDS):
        names = Registry([*classes, *found]).names_passed_on() - searched
        if not names:
            break
        searched |= names
        searches = [(name.encode(), bounded(name)) for name in sorted(names)]
        for source in sources:
            if source.path in walked:
                continue
            try:
                with open(source.path, "rb") as file:
                    data = file.read()
            except OSError:
                continue  # reported by the main pass
            if any(needle in data and pattern.search(data) for needle, pattern in searches):
                walked.add(source.path)
                for record in walk(plan, source):
                    if (record.path, record.line, record.offset) not in known:
                        known.add((record.path, record.line, record.offset))
                        found.append(record)
    return found


def registry_findings(classes: list[ClassRecord]) -> list[Finding]:
    """Registered classes whose key a class of another module (or qualname) already has."""
    registry = Registry(classes)
    by_key: dict[str, dict[tuple[str, str], ClassRecord]] = {}
    for record in sorted(registry.registered.values(), key=lambda r: (r.path, r.line)):
        if record.key:  # a computed ssot_key cannot be known without running the code
            # The same module and qualname again is a reload, not a second class.
            by_key.setdefault(record.key, {}).setdefault((record.module, record.qualname), record)
    findings: list[Finding] = []
    for key, definitions in by_key.items():
        first, *extra = definitions.values()
        for record in extra:
            message = (
                f"class {record.qualname!r} registers key {key!r} again; "
                f"{first.module}.{first.qualname} at {first.path}:{first.line} already has it"
            )
            findings.append(_class_finding(record, codes.DUPLICATE_REGISTRY_KEY, message, None))
    return findings
