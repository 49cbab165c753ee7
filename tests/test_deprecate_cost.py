"""``[[deprecate]]`` costs only the deprecated names: other attributes stay the module's own.

Before, the patched module's type overrode ``__getattribute__``, so every attribute read of
the module ran a Python function (8 -> 109 ns), and introspection recorded violations.
"""

from __future__ import annotations

import importlib
import inspect
import sys
import types
import warnings
from typing import Any

import pytest

import ssot_guard
from ssot_guard import Deprecate

LEGACY = """\
TIMEOUT = 30
LIMIT = 5


def create(user):
    return ("manager", user)


def uses_limit():
    return LIMIT
"""


@pytest.fixture
def legacy(make_package, monkeypatch) -> Any:
    monkeypatch.delenv("SSOT_GUARD_MODE", raising=False)
    make_package({"app/legacy.py": LEGACY})
    return importlib.import_module("app.legacy")


def _python_calls(action: Any) -> list[str]:
    """The Python functions that run while *action* runs (a profile hook sees each call)."""
    calls: list[str] = []

    def profile(frame: types.FrameType, event: str, arg: object) -> None:
        if event == "call":
            calls.append(f"{frame.f_code.co_filename}:{frame.f_code.co_name}")

    sys.setprofile(profile)
    try:
        action()
    finally:
        sys.setprofile(None)
    return [c for c in calls if "ssot_guard" in c]


@pytest.mark.parametrize("mode", ["warn", "strict"])
def test_unrelated_attribute_reads_run_no_code_of_ours(legacy, mode) -> None:
    """Reading names that are not deprecated runs no Python code of ssot_guard."""
    ssot_guard.install(rules=[Deprecate("app.legacy:LIMIT", use="app.new:LIMIT")], mode=mode)
    assert _python_calls(lambda: (legacy.TIMEOUT, legacy.create, legacy.__name__)) == []
    with pytest.raises(AttributeError, match="has no attribute 'missing'"):
        _ = legacy.missing


def test_inspect_getmembers_records_nothing(legacy) -> None:
    """``inspect.getmembers`` only looks: no violation, no warning, in warn or strict mode."""
    ssot_guard.install(rules=[Deprecate("app.legacy:LIMIT", use="app.new:LIMIT")], mode="warn")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        members = dict(inspect.getmembers(legacy))
    assert members["LIMIT"] == 5
    assert ssot_guard.violations() == []
    ssot_guard.install(rules=[Deprecate("app.legacy:LIMIT", use="app.new:LIMIT")], mode="strict")
    assert "LIMIT" not in dict(inspect.getmembers(legacy))
    assert ssot_guard.violations() == []


def test_module_getattr_of_its_own_keeps_working_and_comes_back(make_package) -> None:
    """A module with a PEP 562 ``__getattr__`` keeps it, and gets it back at uninstall."""
    make_package({"app/lazy.py": "def __getattr__(name):\n    return f'lazy {name}'\n"})
    lazy = importlib.import_module("app.lazy")
    original = vars(lazy)["__getattr__"]
    guard = ssot_guard.install(rules=[Deprecate("app.lazy:old", use="app.new:old")], mode="strict")
    assert lazy.anything == "lazy anything"
    with pytest.raises(ssot_guard.DeprecatedAttributeError, match=r"use 'app\.new:old'"):
        _ = lazy.old
    guard.uninstall()
    assert vars(lazy)["__getattr__"] is original
    assert type(lazy) is types.ModuleType
    assert lazy.old == "lazy old"


def test_uninstall_leaves_no_getattr_behind(legacy) -> None:
    """A module without ``__getattr__`` has none again after uninstall."""
    guard = ssot_guard.install(rules=[Deprecate("app.legacy:LIMIT")], mode="strict")
    assert legacy.uses_limit() == 5  # the module's own code reads its globals
    guard.uninstall()
    assert "__getattr__" not in vars(legacy)
    assert legacy.LIMIT == 5


def test_strict_message_survives_a_reload_that_defines_getattr(make_package) -> None:
    """A reload re-runs the module body, ``__getattr__`` included: the refusal keeps its reason."""
    make_package({"app/lazy.py": "def __getattr__(name):\n    raise AttributeError(name)\n"})
    lazy = importlib.import_module("app.lazy")
    ssot_guard.install(rules=[Deprecate("app.lazy:old", use="app.new:old")], mode="strict")
    importlib.reload(lazy)
    with pytest.raises(ssot_guard.DeprecatedAttributeError, match=r"use 'app\.new:old'"):
        _ = lazy.old
