"""``report()``: a JSON-ready summary of this interpreter's guard, for a health endpoint.

It reads the record when asked and adds nothing to the violation path.
"""

from __future__ import annotations

import os

from .._base import public
from .._base._messages import utf8
from .._base._modes import MODE_ENV
from .._report._record import recorder
from .._report._subscribe import callback_errors
from ._guard import active_guard

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from typing import Any

#: What start-up did in this interpreter (set by ``_autoinstall``): ``None`` (not
#: requested), ``"installed"``, ``"no config found"``, ``"already installed"``
#: or ``"failed"`` (then :data:`autoinstall_problem` says why).
autoinstall_status: str | None = None
autoinstall_problem: str | None = None


@public
def report() -> dict[str, Any]:
    """A JSON-ready summary of this interpreter's guard and its violations. Never raises.

    Keys: ``installed``, ``mode`` (of rules without their own), ``mode_override``
    (``SSOT_GUARD_MODE`` as set), ``config`` (the file in force), ``rules``
    (each rule's ``rule``, ``kind`` and effective ``mode``), ``autoinstall``
    (``status`` and ``problem``), ``pid``, ``clean`` (nothing violated),
    ``total`` (occurrences), ``locations``, ``by_kind`` and ``by_rule``
    (occurrences), ``violations`` (one dict per location, oldest first) and
    ``callback_errors``.
    """
    guard = active_guard()
    records = recorder.snapshot()
    by_kind: dict[str, int] = {}
    by_rule: dict[str, int] = {}
    for violation in records:
        by_kind[violation.kind] = by_kind.get(violation.kind, 0) + violation.count
        by_rule[violation.rule] = by_rule.get(violation.rule, 0) + violation.count
    total = sum(v.count for v in records)
    rules = (
        [{"rule": r.source, "kind": r.kind, "mode": guard.mode_of(r)} for r in guard.rules]
        if guard is not None
        else []
    )
    summary = {
        "installed": guard is not None,
        "mode": guard.mode if guard is not None else None,
        "mode_override": os.environ.get(MODE_ENV) or None,
        "config": guard.config.path if guard is not None else None,
        "rules": rules,
        "autoinstall": {"status": autoinstall_status, "problem": autoinstall_problem},
        "pid": os.getpid(),
        "clean": total == 0,
        "total": total,
        "locations": len(records),
        "by_kind": by_kind,
        "by_rule": by_rule,
        "violations": [violation.as_dict() for violation in records],
        "callback_errors": callback_errors(),
    }
    result: dict[str, Any] = _valid(summary)
    return result


def _valid(value: Any) -> Any:
    """*value* with each string encodable as UTF-8, which JSON sent over HTTP must be."""
    if isinstance(value, str):
        return utf8(value)
    if isinstance(value, dict):
        return {_valid(key): _valid(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_valid(item) for item in value]
    return value
