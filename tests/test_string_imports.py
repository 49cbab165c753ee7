"""Imports made from a string by the standard library on a caller's behalf.

``mock.patch("app.legacy.X")``, ``pkgutil.resolve_name`` and ``runpy.run_module`` import
the module their caller names: the violation is the caller's (its line, its module as the
importer, for ``allow_importers``), and strict mode ends in ``BlockedImportError``.
"""

from __future__ import annotations

import importlib
import warnings
from pathlib import Path
from typing import Any

import pytest

import ssot_guard
from ssot_guard import Block, BlockedImportError

CALLER = """\
import pkgutil
import runpy
from unittest import mock


def patch():
    with mock.patch("app.legacy.X", 2):
        pass


def resolve():
    return pkgutil.resolve_name("app.legacy.X")


def resolve_colon():
    return pkgutil.resolve_name("app.legacy:X")


def run():
    return runpy.run_module("app.legacy")
"""


@pytest.fixture
def caller(make_package, monkeypatch) -> Any:
    """``caller.mod`` calling the string-based importers; ``app.legacy`` is retired."""
    monkeypatch.delenv("SSOT_GUARD_MODE", raising=False)
    root: Path = make_package({"app/legacy.py": "X = 1\n", "caller/mod.py": CALLER})
    module = importlib.import_module("caller.mod")
    module.path = str(root / "caller" / "mod.py")
    return module


def _line(text: str) -> int:
    return next(n for n, line in enumerate(CALLER.splitlines(), 1) if text in line)


RULE = Block("app.legacy", use="app.current", reason="merged")


@pytest.mark.parametrize(
    ("call", "text"),
    [
        ("patch", 'mock.patch("app.legacy.X", 2)'),
        ("resolve", 'pkgutil.resolve_name("app.legacy.X")'),
        ("resolve_colon", 'pkgutil.resolve_name("app.legacy:X")'),
        ("run", 'runpy.run_module("app.legacy")'),
    ],
)
def test_warn_records_the_callers_line_and_module(caller, call, text) -> None:
    """Warn mode: recorded and warned at the caller's line, with the caller as importer."""
    ssot_guard.install(rules=[RULE], mode="warn")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        getattr(caller, call)()
    [violation] = ssot_guard.violations()
    assert (violation.importer, violation.filename, violation.lineno) == (
        "caller.mod",
        caller.path,
        _line(text),
    )
    [warning] = [w for w in caught if issubclass(w.category, ssot_guard.SSOTWarning)]
    assert (warning.filename, warning.lineno) == (caller.path, _line(text))


@pytest.mark.parametrize("call", ["patch", "resolve"])
def test_allow_importers_allows_the_caller(caller, call) -> None:
    """``allow_importers`` naming the caller's module lets its string-based import through."""
    rule = Block("app.legacy", allow_importers=["caller.**"])
    ssot_guard.install(rules=[rule], mode="strict")
    getattr(caller, call)()
    assert ssot_guard.violations() == []


@pytest.mark.parametrize("call", ["patch", "resolve"])
def test_strict_ends_in_blocked_import_error(caller, call) -> None:
    """Strict: ``mock.patch("app.legacy.X")`` raises BlockedImportError, with reason and use.

    (pkgutil catches the ImportError of each dotted prefix and goes on with getattr,
    which used to end in "module 'app' has no attribute 'legacy'".)
    """
    ssot_guard.install(rules=[RULE], mode="strict")
    with pytest.raises(BlockedImportError) as info:
        getattr(caller, call)()
    assert info.value.module == "app.legacy"
    assert (info.value.reason, info.value.use) == ("merged", "app.current")
    app = importlib.import_module("app")
    assert not hasattr(app, "legacy")  # and the package is left as it was
    with pytest.raises(AttributeError, match="has no attribute 'other'"):
        _ = app.other


def test_strict_mock_patch_behind_a_wrapt_post_import_hook(make_package) -> None:
    """A wrapt post-import hook on the retired module (a finder before ours that asks again
    through ``importlib.util.find_spec``) does not turn ``mock.patch``'s refusal back into a
    bare ``AttributeError``."""
    import os
    import subprocess
    import sys

    root = make_package({"app/legacy.py": "X = 1\n"})
    code = (
        "import sys, wrapt, ssot_guard\n"
        "from unittest import mock\n"
        f"sys.path.insert(0, {str(root)!r})\n"
        "ssot_guard.install(rules=[ssot_guard.Block('app.legacy')], mode='strict')\n"
        "wrapt.register_post_import_hook(lambda module: None, 'app.legacy')\n"
        "try:\n"
        "    mock.patch('app.legacy.X', 2).start()\n"
        "except Exception as error:\n"
        "    print(type(error).__name__)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SSOT_GUARD_", "PYTHON"))}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert result.stdout.splitlines() == ["BlockedImportError"], result.stderr
