"""``[[tool.ssot_guard.unique]]``: copy-pasted classes, caught after a watched module runs.

After a module under a rule's ``within`` packages executes, its top-level
classes with a watched name that it defines itself (``cls.__module__`` is the
module: imports and re-exports do not count) are checked. The cost is one pass
over the module's top-level names, and only for watched modules.
"""

from __future__ import annotations

import sys
from _weakref import ref  # weakref's own, without importing weakref (start-up time)

from .._base._fork import fork_safe_lock
from .._base._messages import describe
from .._rules._glob import NameSet

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import FrameType, ModuleType

    from .._base._modes import Mode
    from .._rules._model import Enforced, Unique
    from ._duplicate import Definition
else:
    ModuleType = type(sys)  # types.ModuleType, without importing types (start-up time)


class _Watched:
    """One ``Unique`` rule: its packages, its mode, and the definition seen first."""

    __slots__ = ("first", "mode", "rule", "within")

    def __init__(self, rule: Unique, mode: Mode) -> None:
        self.rule = rule
        self.mode = mode
        self.within = NameSet(rule.within)
        self.first: ref[type] | None = None


class UniqueHook:
    """Checks modules under ``within`` for second definitions of watched classes."""

    def __init__(self, enforced: Sequence[Enforced]) -> None:
        self._by_name: dict[str, list[_Watched]] = {}
        within: list[str] = []
        for item in enforced:
            rule: Unique = item.rule  # type: ignore[assignment]  # _guard._build_watch sorted them
            self._by_name.setdefault(rule.name, []).append(_Watched(rule, item.mode))
            within.extend(rule.within)
        self._within = NameSet(within)
        self.tops = frozenset(name.partition(".")[0] for name in within)
        self._lock = fork_safe_lock(self, "_lock")  # a forked child gets it released

    def covers(self, name: str) -> bool:
        return self._within.contains(name)

    def after_exec(self, module: ModuleType, *, report: bool = True) -> None:
        __tracebackhide__ = True  # pytest shows the user's line, not ours
        name = module.__name__
        by_name = self._by_name
        seen: list[type] = []
        for value in list(vars(module).values()):
            if (
                isinstance(value, type)
                and value.__name__ in by_name
                and value.__module__ == name
                and not any(value is s for s in seen)
            ):
                seen.append(value)
                for watched in by_name[value.__name__]:
                    if watched.within.contains(name):
                        self._check(watched, value, report=report)

    def check_preloaded(self, frame: FrameType | None, *, report: bool) -> None:
        """Check modules imported before install, in the order they were imported.

        With *report* ``False`` (a guard swapped in for one test) the classes
        found are only remembered as first definitions.
        """
        for name, module in list(sys.modules.items()):
            if isinstance(module, ModuleType) and self._within.contains(name):
                self.after_exec(module, report=report)

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def _check(self, watched: _Watched, cls: type, *, report: bool) -> None:
        __tracebackhide__ = True  # pytest shows the user's line, not ours
        # Loaded when a watched module first defines a watched class, not at install().
        from ._duplicate import (
            Definition,
            duplicate_message,
            report_duplicate,
            same_definition,
            same_file,
        )

        rule = watched.rule
        entry = ref(cls)
        with self._lock:
            first = watched.first() if watched.first is not None else None
            if rule.canonical is not None:
                if cls.__module__ == rule.canonical:
                    watched.first = entry
                    return
            elif first is None or first is cls or same_definition(first, cls):
                watched.first = entry
                return
        if not report:
            return
        new = Definition.of(cls)
        old = Definition.of(first) if first is not None else None
        why = None
        if rule.canonical is None:
            assert old is not None
            message = duplicate_message(rule.name, new, old, rule=rule.source, reason=rule.reason)
        else:
            message = _outside_message(rule, new, old)
            if old is None or not same_file(old, new):
                why = f"defined outside its canonical module {rule.canonical!r}"
        report_duplicate(
            rule.name,
            message,
            new,
            old,
            rule=rule.source,
            mode=watched.mode,
            reason=rule.reason,
            why=why,
        )


def _outside_message(rule: Unique, new: Definition, canonical: Definition | None) -> str:
    """A definition of *rule*'s class outside its canonical module, worded as every violation."""
    from ._duplicate import join_reasons, same_file

    home = rule.canonical
    assert home is not None
    if canonical is not None and same_file(canonical, new):
        why = (
            f"the file {new.filename} was imported under a second module name, "
            f"{new.module!r}, so the class exists twice; import it under one name "
            "(check sys.path: a directory and its parent are both on it)"
        )
    else:
        why = f"defined outside its canonical module {home!r}"
        if canonical is not None and canonical.filename is not None:
            why += f", where it is defined at {canonical.location}"
    return describe(
        "duplicate-class",
        rule.name,
        use=f"{home}.{rule.name}",
        reason=join_reasons(rule.reason, why),
        rule=rule.source,
        where=new.location,
    )
