"""ssot_guard.testing: the seed plan's checks as assertions that say what they found and where."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import ssot_guard
from recipes import run_interleaved
from ssot_guard._runtime._guard import swap_guard
from ssot_guard.testing import (
    assert_import_blocked,
    assert_importable,
    assert_no_modules_matching,
    assert_single_definition,
    recording_violations,
)

MakePackage = Callable[..., Path]

APP = {
    "app/__init__.py": "",
    "app/legacy.py": "LEGACY = True\ndef create():\n    return 1\n",
    "app/current.py": "CURRENT = True\n",
    "app/swallows.py": "try:\n    import app.legacy\nexcept ImportError:\n    pass\n",
}


def strict(*rules: ssot_guard.Rule) -> ssot_guard.Guard:
    return ssot_guard.install(
        rules=list(rules) or [ssot_guard.Block("app.legacy", use="app.current")], mode="strict"
    )


# -- assert_import_blocked -------------------------------------------------------------


def test_import_blocked_passes_and_returns_the_error(make_package: MakePackage) -> None:
    """A module the strict guard blocks passes; the BlockedImportError is returned."""
    make_package(APP)
    strict()
    error = assert_import_blocked("app.legacy")
    assert isinstance(error, ssot_guard.BlockedImportError)
    assert error.module == "app.legacy"


def test_import_blocked_leaves_sys_modules_as_found(make_package: MakePackage) -> None:
    """Parents imported on the way are removed again; nothing new stays."""
    make_package(APP)
    strict()
    before = dict(sys.modules)
    assert_import_blocked("app.legacy")
    assert dict(sys.modules) == before


def test_import_blocked_ignores_a_cached_module(make_package: MakePackage) -> None:
    """A module already in sys.modules cannot hide the block, and is put back after."""
    make_package(APP)
    import app.legacy

    cached = sys.modules["app.legacy"]
    swap_guard(
        None,
        mode="strict",
        rules=[ssot_guard.Block("app.legacy")],
        override=None,
        check_preloaded=False,
    )
    assert_import_blocked("app.legacy")
    assert sys.modules["app.legacy"] is cached
    assert app.legacy is cached


def test_import_blocked_fails_when_the_import_works(make_package: MakePackage) -> None:
    """The message names the module, its file, and that no guard is installed."""
    make_package(APP)
    with pytest.raises(AssertionError) as info:
        assert_import_blocked("app.legacy")
    message = str(info.value)
    assert "import of 'app.legacy' was not blocked: it imported app.legacy from " in message
    assert str(Path("app") / "legacy.py") in message
    assert "no guard is installed" in message


def test_import_blocked_fails_in_warn_mode(make_package: MakePackage) -> None:
    """In warn mode the import goes through: the message shows the warning and the rule's mode."""
    make_package(APP)
    ssot_guard.install(rules=[ssot_guard.Block("app.legacy")], mode="warn")
    with pytest.raises(AssertionError) as info:
        assert_import_blocked("app.legacy")
    message = str(info.value)
    assert "ssot_guard warned: " in message
    assert "import of retired module 'app.legacy'" in message
    assert "covers 'app.legacy' in mode 'warn'" in message


def test_import_blocked_says_no_rule_covers_it(make_package: MakePackage) -> None:
    """A guard without a rule for the module is named as such."""
    make_package(APP)
    strict(ssot_guard.Block("app.current"))
    with pytest.raises(AssertionError, match=r"no rule of the active guard \(1 rules\) covers"):
        assert_import_blocked("app.legacy")


def test_import_blocked_fails_for_a_missing_module(make_package: MakePackage) -> None:
    """A module that does not exist is no block: a typo or a rename fails, saying so."""
    make_package(APP)
    strict()
    with pytest.raises(AssertionError) as info:
        assert_import_blocked("app.legasy")
    message = str(info.value)
    assert "module 'app.legasy' does not exist, so nothing was blocked" in message
    assert "pass missing_ok=True" in message
    assert "no rule of the active guard (1 rules) covers 'app.legasy'" in message


def test_import_blocked_fails_for_a_missing_parent_package(make_package: MakePackage) -> None:
    """A renamed package above the module is a missing target too."""
    make_package(APP)
    with pytest.raises(AssertionError, match=r"module 'apq\.legacy' does not exist"):
        assert_import_blocked("apq.legacy")


def test_import_blocked_missing_ok_accepts_absence(make_package: MakePackage) -> None:
    """missing_ok=True: a deleted module is an expected outcome; the error is returned."""
    make_package(APP)
    error = assert_import_blocked("app.deleted", missing_ok=True)
    assert isinstance(error, ModuleNotFoundError)
    assert error.name == "app.deleted"


def test_import_blocked_passes_when_a_dependency_is_blocked(make_package: MakePackage) -> None:
    """A module that exists but fails because it imports a retired one is blocked: it passes."""
    make_package({**APP, "app/user.py": "import app.legacy\n"})
    strict()
    error = assert_import_blocked("app.user")
    assert isinstance(error, ssot_guard.BlockedImportError)
    assert error.module == "app.legacy"


def test_import_blocked_by_guard_demands_the_guard(make_package: MakePackage) -> None:
    """by_guard=True fails for a merely missing module (a typo passes otherwise)."""
    make_package(APP)
    strict()
    with pytest.raises(AssertionError, match="failed, but not because ssot_guard blocked it"):
        assert_import_blocked("app.legasy", by_guard=True)
    assert_import_blocked("app.legacy", by_guard=True)


def test_import_blocked_name_in_module(make_package: MakePackage) -> None:
    """'module:name' fails when the module imports and has the name, naming its value."""
    make_package(APP)
    with pytest.raises(AssertionError) as info:
        assert_import_blocked("app.legacy:create")
    assert "it imported create = <function create at " in str(info.value)


def test_import_blocked_fails_for_a_missing_name(make_package: MakePackage) -> None:
    """'module:name' with no such name fails (a typo), unless missing_ok=True."""
    make_package(APP)
    with pytest.raises(AssertionError, match=r"'gone' in 'app\.legacy' does not exist"):
        assert_import_blocked("app.legacy:gone")
    error = assert_import_blocked("app.legacy:gone", missing_ok=True)
    assert type(error) is AttributeError


def test_import_blocked_passes_for_a_deprecated_name(make_package: MakePackage) -> None:
    """A name a strict [[deprecate]] rule refuses is blocked: its error is returned."""
    make_package(APP)
    strict(ssot_guard.Deprecate("app.legacy:create"))
    error = assert_import_blocked("app.legacy:create")
    assert isinstance(error, ssot_guard.DeprecatedAttributeError)


def test_import_blocked_rejects_bad_names() -> None:
    """A name that is not 'module' or 'module:attribute' is a ValueError."""
    with pytest.raises(ValueError, match=r"expected 'package\.module' or 'package\.module:name'"):
        assert_import_blocked("app.legacy:")


# -- assert_importable ---------------------------------------------------------


def test_importable_returns_the_module_or_name(make_package: MakePackage) -> None:
    """It returns the module, or the attribute for 'module:name'."""
    make_package(APP)
    strict()
    assert assert_importable("app.current").CURRENT is True
    assert assert_importable("app.current:CURRENT") is True


def test_importable_leaves_sys_modules_as_found(make_package: MakePackage) -> None:
    """A module it imported is removed again, from sys.modules and its package."""
    make_package(APP)
    import app

    before = dict(sys.modules)
    assert_importable("app.current")
    assert dict(sys.modules) == before
    assert not hasattr(app, "current")


def test_importable_uses_a_cached_module(make_package: MakePackage) -> None:
    """A module already imported is the answer, as for an import statement."""
    make_package(APP)
    import app.current

    assert assert_importable("app.current") is app.current


def test_importable_fails_for_a_blocked_module(make_package: MakePackage) -> None:
    """The message carries the error and the rule that blocked it."""
    make_package(APP)
    strict()
    with pytest.raises(AssertionError) as info:
        assert_importable("app.legacy")
    message = str(info.value)
    assert "'app.legacy' is not importable: BlockedImportError: No module named 'app.legacy'" in (
        message
    )
    assert "covers 'app.legacy' in mode 'strict'" in message


def test_importable_fails_on_a_swallowed_block(make_package: MakePackage) -> None:
    """An import that records a violation (swallowed by try/except) fails, naming file:line."""
    make_package(APP)
    strict()
    with pytest.raises(AssertionError) as info:
        assert_importable("app.swallows")
    message = str(info.value)
    assert "'app.swallows' imported, but importing it recorded 1 ssot_guard violation" in message
    assert f"{Path('app') / 'swallows.py'}:2" in message


def test_importable_fails_for_a_missing_name(make_package: MakePackage) -> None:
    """'module:name' with no such name fails naming the AttributeError."""
    make_package(APP)
    with pytest.raises(
        AssertionError, match=r"'app\.current:NOPE' is not importable: AttributeError"
    ):
        assert_importable("app.current:NOPE")


# -- assert_single_definition --------------------------------------------------


TWO = {
    "ws/__init__.py": "from ws.manager import Manager\n",
    "ws/manager.py": "class Manager:\n    pass\n",
    "ws/old/__init__.py": "",
    "ws/old/factory.py": "import os\n\n\nclass Manager:\n    pass\n",
}


def test_single_definition_passes_with_one_class(make_package: MakePackage) -> None:
    """One class statement, re-exported by the package, counts once."""
    make_package({k: v for k, v in TWO.items() if "old" not in k})
    import ws  # the re-export is loaded too

    assert ws.Manager
    assert_single_definition("Manager", within="ws")


def test_single_definition_fails_listing_each(make_package: MakePackage) -> None:
    """Two class statements, one never imported: both listed with module, file and line."""
    root = make_package(TWO)
    with pytest.raises(AssertionError) as info:
        assert_single_definition("Manager", within="ws")
    message = str(info.value)
    assert "class 'Manager' is defined 2 times within 'ws'" in message
    assert f"ws.manager.Manager at {root / 'ws' / 'manager.py'}:1" in message
    assert f"ws.old.factory.Manager at {root / 'ws' / 'old' / 'factory.py'}:4" in message


def test_single_definition_imports_nothing(make_package: MakePackage) -> None:
    """Scanning leaves sys.modules exactly as found."""
    make_package(TWO)
    before = dict(sys.modules)
    with pytest.raises(AssertionError):
        assert_single_definition("Manager", within="ws")
    assert dict(sys.modules) == before


def test_single_definition_counts_an_alias(make_package: MakePackage) -> None:
    """A different class bound to the name in a loaded module is a second definition."""
    make_package(
        {
            "ws/__init__.py": "",
            "ws/manager.py": "class Manager:\n    pass\n",
            "ws/shim.py": "class _Old:\n    pass\n\nManager = _Old\n",
        }
    )
    import ws.shim

    assert ws.shim.Manager
    with pytest.raises(AssertionError, match=r"ws.shim.Manager is ws.shim._Old"):
        assert_single_definition("Manager", within="ws")


def test_single_definition_fails_with_none(make_package: MakePackage) -> None:
    """No definition at all is a failure too, saying what was scanned."""
    make_package({"ws/__init__.py": ""})
    with pytest.raises(
        AssertionError, match=r"no class 'Manager' is defined within 'ws' \(scanned 1"
    ):
        assert_single_definition("Manager", within="ws")


def test_single_definition_reports_syntax_errors(make_package: MakePackage) -> None:
    """A file that does not parse is named with its line."""
    root = make_package({"ws/__init__.py": "", "ws/broken.py": "class (:\n"})
    with pytest.raises(AssertionError) as info:
        assert_single_definition("Manager", within="ws")
    assert f"cannot scan {root / 'ws' / 'broken.py'}: syntax error at line 1" in str(info.value)


def test_single_definition_notes_retired_modules(make_package: MakePackage) -> None:
    """A duplicate in a module the guard retires says so: the file must still go."""
    make_package(TWO)
    strict(ssot_guard.Block("ws.old"))
    with pytest.raises(
        AssertionError, match=r"\[retired by Block\(module='ws.old'\), mode 'strict'"
    ):
        assert_single_definition("Manager", within="ws")


# -- assert_no_modules_matching ------------------------------------------------


SCAN = {
    "ws/__init__.py": "",
    "ws/websocket_manager.py": "",
    "ws/websocket_manager_factory.py": "",
    "ws/user_execution_context.py": "",
    "ws/legacy/__init__.py": "",
    "ws/legacy/old_factory.py": "",
}


def test_no_modules_matching_passes_when_allowed(make_package: MakePackage) -> None:
    """Allowed names (relative or full) do not count."""
    make_package(SCAN)
    assert_no_modules_matching(
        "ws", "*factory*", allow=["websocket_manager_factory", "ws.legacy.old_factory"]
    )


def test_no_modules_matching_fails_listing_modules(make_package: MakePackage) -> None:
    """Matching modules are listed with their files; nothing was imported."""
    root = make_package(SCAN)
    before = dict(sys.modules)
    with pytest.raises(AssertionError) as info:
        assert_no_modules_matching("ws", "*factory*", allow=["user_execution_context"])
    message = str(info.value)
    assert "found 1 module under 'ws' matching '*factory*'" in message
    assert f"ws.websocket_manager_factory ({root / 'ws' / 'websocket_manager_factory.py'})" in (
        message
    )
    assert dict(sys.modules) == before


def test_no_modules_matching_double_star_reaches_subpackages(make_package: MakePackage) -> None:
    """'**' crosses dotted parts: nested modules are found."""
    make_package(SCAN)
    with pytest.raises(AssertionError, match="found 2 modules") as info:
        assert_no_modules_matching("ws", "**.*factory*")
    assert "ws.legacy.old_factory" in str(info.value)


def test_no_modules_matching_rejects_bad_globs() -> None:
    """An invalid glob is a ValueError saying what globs may hold."""
    with pytest.raises(ValueError, match="invalid module glob"):
        assert_no_modules_matching("ws", "factory-*")


def test_no_modules_matching_unknown_package(make_package: MakePackage) -> None:
    """A package that cannot be found fails naming it."""
    make_package(SCAN)
    with pytest.raises(AssertionError, match="cannot find package 'nowhere'"):
        assert_no_modules_matching("nowhere", "*")


# -- recording_violations -------------------------------------------------------


def test_recording_violations_counts_per_location(make_package: MakePackage) -> None:
    """One entry per location, counted from zero inside the block."""
    make_package(APP)
    strict()
    with recording_violations() as log:
        for _ in range(3):
            with pytest.raises(ssot_guard.BlockedImportError):
                import app.legacy  # noqa: F401
    assert log.names == ["app.legacy"]
    assert log[0].count == 3
    assert "import of retired module 'app.legacy'" in str(log)


def test_helpers_restore_the_class_registry(make_package: MakePackage) -> None:
    """A module a helper re-imports leaves the registry naming the class in sys.modules."""
    make_package({"reg/__init__.py": "", "reg/thing.py": THING})
    import reg.thing

    with pytest.warns(ssot_guard.SSOTWarning, match="imported before install"):
        ssot_guard.install(rules=[ssot_guard.Block("reg.thing")], mode="warn")
    with pytest.raises(AssertionError, match="was not blocked"):
        assert_import_blocked("reg.thing")
    with pytest.warns(ssot_guard.SSOTWarning, match="retired"):  # this test uses it too
        assert ssot_guard.canonical("Thing") is reg.thing.Thing


def test_importable_forgets_classes_of_modules_it_removes(make_package: MakePackage) -> None:
    """A class registered by a module assert_importable imported is forgotten with the module."""
    make_package({"reg/__init__.py": "", "reg/thing.py": THING})
    assert assert_importable("reg.thing:Thing").__name__ == "Thing"
    with pytest.raises(KeyError):
        ssot_guard.canonical("Thing")


THING = "from ssot_guard import SSOTMeta\n\nclass Thing(metaclass=SSOTMeta):\n    pass\n"


def test_helpers_from_several_threads_do_not_interfere(make_package: MakePackage) -> None:
    """Threads running helpers at once: each sees only its own imports, and all is restored."""

    make_package(APP)
    strict()
    before = dict(sys.modules)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            for _ in range(100):
                assert_import_blocked("app.legacy")
                assert_importable("app.current")
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    run_interleaved(run, 4)
    assert errors == []
    assert dict(sys.modules) == before


@pytest.mark.parametrize("helper", [assert_import_blocked, assert_importable])
@pytest.mark.parametrize("name", [".legacy", "..app.legacy:create", "app..legacy", "app.legacy."])
def test_helpers_reject_relative_and_malformed_names(
    helper: Callable[[str], object], name: str
) -> None:
    """A relative or malformed dotted name is our ValueError saying the form, not importlib's."""
    with pytest.raises(ValueError, match=r"expected 'package\.module' or 'package\.module:name'"):
        helper(name)
