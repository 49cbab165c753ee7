"""The violation record: typed, readable, counted once per location, clearable."""

from __future__ import annotations

import copy
import importlib
import json
import logging
import pickle
import sys
from collections.abc import Callable

import pytest

import ssot_guard
from ssot_guard import BlockedImportError, SSOTWarning, Violation
from ssot_guard._report._record import Recorder


def _record(recorder: Recorder, **changes: object) -> Violation:
    fields: dict[str, object] = {
        "kind": "import",
        "name": "app.old",
        "rule": "pyproject.toml: tool.ssot_guard.block[0]",
        "reason": "gone",
        "replacement": "app.new",
        "importer": "app.user",
        "filename": "/src/app/user.py",
        "lineno": 3,
        "mode": "warn",
    }
    fields.update(changes)
    return recorder.record(**fields)  # type: ignore[arg-type]


def test_violation_fields_after_an_import(make_package) -> None:
    """A warned import records every field: kind, name, rule, reason, importer, place, count."""
    root = make_package({"app/old.py": "", "app/user.py": "\n\nimport app.old\n"})
    rule = ssot_guard.Block("app.old", use="app.new", reason="gone")
    ssot_guard.install(rules=[rule], mode="warn")
    with pytest.warns(SSOTWarning):
        importlib.import_module("app.user")
    (violation,) = ssot_guard.violations()
    assert violation.as_dict() == {
        "kind": "import",
        "name": "app.old",
        "rule": rule.source,
        "reason": "gone",
        "replacement": "app.new",
        "importer": "app.user",
        "filename": str(root / "app" / "user.py"),
        "lineno": 3,
        "count": 1,
        "mode": "warn",
    }


def test_violation_str_is_readable() -> None:
    """str() says what, where, why, what instead, which rule, and how often."""
    violation = _record(Recorder())
    assert str(violation) == (
        "import of retired module 'app.old' at /src/app/user.py:3; "
        "use 'app.new' instead (gone) [pyproject.toml: tool.ssot_guard.block[0]]"
    )


def test_violation_str_counts_repeats() -> None:
    """A repeated violation shows its count."""
    recorder = Recorder()
    _record(recorder)
    assert str(_record(recorder)).endswith("(2 times)")


def test_violation_str_without_location() -> None:
    """A violation without a known file says so."""
    violation = _record(Recorder(), filename=None, lineno=None, reason=None, replacement=None)
    assert "<unknown location>" in str(violation)
    assert "use " not in str(violation)


def test_violation_is_immutable() -> None:
    """Violations cannot be changed after the fact."""
    violation = _record(Recorder())
    with pytest.raises(AttributeError, match="immutable"):
        violation.count = 5  # type: ignore[misc]


@pytest.mark.parametrize(
    "duplicate",
    [lambda v: pickle.loads(pickle.dumps(v)), copy.copy, copy.deepcopy],
    ids=["pickle", "copy", "deepcopy"],
)
def test_violation_pickles_and_copies(duplicate: Callable[[Violation], Violation]) -> None:
    """A violation crosses process boundaries (multiprocessing pickles it) and copies, equal."""
    recorder = Recorder()
    _record(recorder)
    violation = _record(recorder)  # counted twice: every field, count too, must come back
    assert duplicate(violation) == violation


def test_violation_as_dict_is_json_ready() -> None:
    """as_dict() round-trips through JSON."""
    violation = _record(Recorder())
    assert json.loads(json.dumps(violation.as_dict())) == violation.as_dict()


def test_violations_equal_by_value() -> None:
    """Two violations with the same fields are equal and hash alike."""
    a, b = _record(Recorder()), _record(Recorder())
    assert a == b
    assert hash(a) == hash(b)
    assert a != _record(Recorder(), lineno=4)


def test_record_counts_per_rule_and_location() -> None:
    """One entry per (kind, name, rule, file, line): repeats count, new places add entries."""
    recorder = Recorder()
    _record(recorder)
    _record(recorder)
    _record(recorder, lineno=4)
    _record(recorder, rule="other rule")
    counts = sorted((v.rule, v.lineno, v.count) for v in recorder.snapshot())
    assert counts == [
        ("other rule", 3, 1),
        ("pyproject.toml: tool.ssot_guard.block[0]", 3, 2),
        ("pyproject.toml: tool.ssot_guard.block[0]", 4, 1),
    ]


def test_clear_violations_forgets_everything(make_package) -> None:
    """clear_violations() empties the record; the next violation starts a fresh count."""
    make_package({"app/old.py": ""})
    ssot_guard.install(rules=[ssot_guard.Block("app.old")], mode="strict")
    for _ in range(2):
        with pytest.raises(BlockedImportError):
            importlib.import_module("app.old")
    assert ssot_guard.violations()[0].count == 2
    ssot_guard.clear_violations()
    assert ssot_guard.violations() == []
    with pytest.raises(BlockedImportError):
        importlib.import_module("app.old")
    assert ssot_guard.violations()[0].count == 1


def test_clear_violations_logs_again(make_package, caplog) -> None:
    """After clear_violations() a location is logged again (the log's memory is cleared too)."""
    make_package({"app/old.py": ""})
    ssot_guard.install(rules=[ssot_guard.Block("app.old")], mode="strict")
    with caplog.at_level(logging.WARNING, logger="ssot_guard"):
        for clear in (False, True):
            if clear:
                ssot_guard.clear_violations()
            with pytest.raises(BlockedImportError):
                importlib.import_module("app.old")  # the same line both times
    assert len([r for r in caplog.records if r.name == "ssot_guard"]) == 2


def test_log_record_carries_structured_fields(make_package, caplog) -> None:
    """Log records carry the violation's fields as ``ssot_*`` attributes for structured handlers."""
    make_package({"app/old.py": ""})
    ssot_guard.install(rules=[ssot_guard.Block("app.old")], mode="strict")
    with caplog.at_level(logging.WARNING, logger="ssot_guard"), pytest.raises(BlockedImportError):
        importlib.import_module("app.old")
    (record,) = caplog.records
    assert record.levelno == logging.WARNING
    assert record.ssot_kind == "import"  # type: ignore[attr-defined]
    assert record.ssot_name == "app.old"  # type: ignore[attr-defined]
    assert record.ssot_mode == "strict"  # type: ignore[attr-defined]
    assert record.ssot_file == __file__  # type: ignore[attr-defined]


def test_first_install_starts_a_fresh_record(make_package) -> None:
    """install() with no guard active clears what an earlier guard recorded."""
    make_package({"app/old.py": ""})
    with ssot_guard.install(rules=[ssot_guard.Block("app.old")], mode="strict"):
        with pytest.raises(BlockedImportError):
            importlib.import_module("app.old")
        assert len(ssot_guard.violations()) == 1
    assert len(ssot_guard.violations()) == 1  # kept after uninstall, for reporting
    ssot_guard.install(rules=[])
    assert ssot_guard.violations() == []


def test_violations_returns_a_copy(make_package) -> None:
    """Changing the list violations() returned does not change the record."""
    make_package({"app/old.py": ""})
    ssot_guard.install(rules=[ssot_guard.Block("app.old")], mode="strict")
    with pytest.raises(BlockedImportError):
        importlib.import_module("app.old")
    listed = ssot_guard.violations()
    listed.clear()
    assert len(ssot_guard.violations()) == 1
    assert "app.old" not in sys.modules
