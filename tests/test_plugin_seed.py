"""The seed plan's Phase 1, 2 and 4 tests on tests/seed_example, in strict, warn and off modes.

The seed's tests are ``async def``; here they are plain functions (no asyncio
plugin is a dependency), otherwise as the seed writes them. They run twice:
as written (``pytest.raises``, a ``pkgutil`` scan, a ``sys.modules`` class
scan) and with ``ssot_guard.testing``'s helpers. The seed's "Expected Test
Results" table comes out as it says: the before-resolution outcomes with the
guard off (or warning), the after-resolution outcomes with it on.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

PROJECT = Path(__file__).parent / "seed_example" / "project"

AS_WRITTEN = {
    "unit/websocket_factory_ssot/test_deprecated_factory_import_validation.py": (
        "test_websocket_manager_factory_import_should_fail",
        "test_create_websocket_manager_function_deprecated",
    ),
    "unit/websocket_factory_ssot/test_canonical_import_enforcement.py": (
        "test_canonical_websocket_manager_import_works",
        "test_websocket_manager_direct_instantiation",
    ),
    "integration/websocket_factory_ssot/test_websocket_events_post_resolution.py": (
        "test_all_five_websocket_events_delivered_post_ssot",
        "test_websocket_manager_user_isolation_post_ssot",
    ),
    "integration/websocket_factory_ssot/test_factory_pattern_validation.py": (
        "test_websocket_manager_factory_instantiation_consistency",
        "test_websocket_manager_connection_state_isolation",
    ),
    "regression/websocket_factory_ssot/test_ssot_violation_prevention.py": (
        "test_websocket_import_path_monitoring",
        "test_websocket_manager_class_uniqueness",
    ),
}
HELPERS = ("with_helpers/test_phase1_imports.py", "with_helpers/test_phase2_behaviour.py")

# Outcome per test name, identical for both suites unless noted. "before" is the
# seed's BEFORE column (guard off, or warn: the import goes through), "after" its AFTER.
BEFORE = {
    "test_websocket_manager_factory_import_should_fail": "failed",  # factory still exists
    "test_create_websocket_manager_function_deprecated": "failed",  # function still exists
    "test_canonical_websocket_manager_import_works": "passed",
    "test_websocket_manager_direct_instantiation": "passed",
    "test_all_five_websocket_events_delivered_post_ssot": "passed",  # events work
    "test_websocket_manager_user_isolation_post_ssot": "failed",  # "MAY FAIL (dual patterns)"
    "test_websocket_manager_factory_instantiation_consistency": "passed",
    "test_websocket_manager_connection_state_isolation": "failed",  # the shared legacy manager
    "test_websocket_import_path_monitoring": "failed",  # the factory file exists
    "test_websocket_manager_class_uniqueness": "failed",  # two WebSocketManager classes
}
AFTER = {
    **dict.fromkeys(BEFORE, "passed"),
    # The guard blocks imports; it does not delete files. Both scans of the source tree
    # still find the factory until it is deleted (test_resolved_project_passes_everything).
    "test_websocket_import_path_monitoring": "failed",
}
# The seed's sys.modules scan only sees imported modules, so the guard alone makes it pass;
# assert_single_definition reads the sources as well and still finds the second class.
HELPER_AFTER = {**AFTER, "test_websocket_manager_class_uniqueness": "failed"}


def copy_project(pytester: pytest.Pytester) -> Path:
    shutil.copytree(PROJECT, pytester.path, dirs_exist_ok=True)
    return pytester.path


def outcomes(pytester: pytest.Pytester, *args: str) -> tuple[dict[str, str], pytest.RunResult]:
    """``{"suite::test": outcome}`` for a run of the copied project."""
    result = pytester.runpytest("-rA", "-p", "no:cacheprovider", *args)
    found: dict[str, str] = {}
    for line in result.outlines:
        word, _, nodeid = line.partition(" ")
        if word in ("PASSED", "FAILED") and "::" in nodeid:
            path, _, name = nodeid.partition("::")
            suite = "helpers" if "with_helpers" in path else "seed"
            if "legacy" in path:
                suite = "legacy"
            found[f"{suite}::{name.split(' ')[0]}"] = word.lower()
    return found, result


def expected(seed: dict[str, str], helpers: dict[str, str]) -> dict[str, str]:
    table = {f"seed::{name}": outcome for name, outcome in seed.items()}
    table.update({f"helpers::{name}": outcome for name, outcome in helpers.items()})
    table["legacy::test_legacy_factory_still_creates_managers"] = "passed"
    return table


def test_the_example_has_every_seed_test() -> None:
    """Each seed test of Phases 1, 2 and 4 exists in both suites."""
    names = {name for names in AS_WRITTEN.values() for name in names}
    assert names == set(BEFORE)
    for path in AS_WRITTEN:
        assert (PROJECT / "tests" / path).is_file(), path
    helper_sources = "".join((PROJECT / "tests" / p).read_text() for p in HELPERS)
    helper_sources += (PROJECT / "tests/with_helpers/test_phase4_regression.py").read_text()
    for name in names:
        assert f"def {name}(" in helper_sources, name


@pytest.mark.parametrize("mode", ["off", "warn"])
def test_before_resolution_outcomes(pytester: pytest.Pytester, mode: str) -> None:
    """Guard off or warning: the seed's BEFORE column, in both suites."""
    copy_project(pytester)
    found, result = outcomes(pytester, f"--ssot-mode={mode}")
    assert found == expected(BEFORE, BEFORE)
    result.stdout.fnmatch_lines([f"ssot_guard: mode {mode} (from --ssot-mode), *"])


def test_plugin_disabled_gives_before_outcomes(pytester: pytest.Pytester) -> None:
    """-p no:ssot_guard is the codebase before the guard: the BEFORE column."""
    copy_project(pytester)
    found, _ = outcomes(pytester, "-p", "no:ssot_guard", "-k", "not legacy")
    table = expected(BEFORE, BEFORE)
    del table["legacy::test_legacy_factory_still_creates_managers"]
    assert found == table


def test_after_resolution_outcomes_in_strict_mode(pytester: pytest.Pytester) -> None:
    """Guard on: the seed's AFTER column, the factory blocked and isolation secure."""
    copy_project(pytester)
    found, result = outcomes(pytester)
    assert found == expected(AFTER, HELPER_AFTER)
    result.stdout.fnmatch_lines(["ssot_guard: mode strict (from config file), *"])


def test_warn_mode_lists_the_leftover_import(pytester: pytest.Pytester) -> None:
    """Warn mode lets everything through and lists the compatibility import as unexpected."""
    copy_project(pytester)
    _, result = outcomes(pytester, "--ssot-mode=warn")
    result.stdout.fnmatch_lines(
        [
            "1 unexpected violation:",
            "  import of retired module 'netra_backend.app.websocket_core."
            "websocket_manager_factory'",
            "    reason: dual factory pattern removed (#1126)",
            "    use instead: netra_backend.app.websocket_core.websocket_manager",
            "    rule: pyproject.toml: tool.ssot_guard.block[[]0[]]",
            "    at netra_backend/app/websocket_core/__init__.py:8 (warn)",
        ]
    )


def test_strict_fail_on_violation_finds_the_swallowed_import(pytester: pytest.Pytester) -> None:
    """The package's try/except ImportError around the factory fails a strict CI run."""
    copy_project(pytester)
    _, result = outcomes(pytester, "--ssot-fail-on-violation", "-k", "not monitoring")
    result.assert_outcomes(passed=18, failed=1)  # only assert_single_definition fails
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "1 unexpected violation:",
            "*",
            "*",
            "*",
            "*",
            "    at netra_backend/app/websocket_core/__init__.py:8 (strict)",
            "1 expected violation (provoked on purpose*",
            "*",
            "*",
            "*",
            "*",
            "    at tests/unit/*/test_deprecated_factory_import_validation.py:14 (strict)",
            "    at tests/unit/*/test_deprecated_factory_import_validation.py:27 (strict)",
            "    at tests/with_helpers/test_phase1_imports.py:11 (strict)",
            "    at tests/with_helpers/test_phase1_imports.py:16 (strict)",
            "ssot_guard: failing the run: 1 unexpected violation was recorded*",
        ]
    )


def test_resolved_project_passes_everything(pytester: pytest.Pytester) -> None:
    """Factory file and compatibility import deleted: every test passes, strict, fail-on."""
    root = copy_project(pytester)
    core = root / "netra_backend" / "app" / "websocket_core"
    (core / "websocket_manager_factory.py").unlink()
    (core / "__init__.py").write_text('"""WebSocket core."""\n')
    shutil.rmtree(root / "tests" / "legacy")
    found, result = outcomes(pytester, "--ssot-fail-on-violation")
    table = expected(dict.fromkeys(BEFORE, "passed"), dict.fromkeys(BEFORE, "passed"))
    del table["legacy::test_legacy_factory_still_creates_managers"]
    assert found == table
    assert result.ret == pytest.ExitCode.OK


def test_xdist_gives_the_same_after_outcomes(pytester: pytest.Pytester) -> None:
    """Under pytest-xdist (-n 2) the strict run has the same outcomes and one summary."""
    copy_project(pytester)
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=18, failed=3)
    result.stdout.fnmatch_lines(
        ["1 unexpected violation:", "*", "*", "*", "*", "*__init__.py:8 (strict*"]
    )
    assert result.stdout.str().count("= ssot_guard =") == 1
