"""The pytest plugin for test authors: the ssot_allow and ssot_mode markers, the fixtures."""

from __future__ import annotations

import textwrap

import pytest

import ssot_guard

pytest_plugins = ["pytester"]

FILES = {
    "app/__init__.py": "",
    "app/legacy/__init__.py": "LEGACY = True\n",
    "app/legacy/part.py": "PART = True\n",
    "app/current.py": "CURRENT = True\n",
    "app/other_factory.py": "OTHER = True\n",
}
CONFIG = """
[tool.pytest.ini_options]
pythonpath = ["."]

[tool.ssot_guard]
mode = "strict"

[[tool.ssot_guard.block]]
module = "app.legacy"
use = "app.current"

[[tool.ssot_guard.block]]
pattern = "app.*factory*"
"""


def make_project(pytester: pytest.Pytester, tests: str, *, config: bool = True) -> None:
    """The app package, a strict config (unless *config* is false) and test_it.py."""
    for name, source in FILES.items():
        path = pytester.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    text = CONFIG if config else CONFIG.split("[tool.ssot_guard]")[0]
    (pytester.path / "pyproject.toml").write_text(text)
    (pytester.path / "test_it.py").write_text(textwrap.dedent(tests))


def test_ssot_allow_lets_the_module_in_for_the_test(pytester: pytest.Pytester) -> None:
    """Inside a test marked ssot_allow, the retired module and its submodules import."""
    make_project(
        pytester,
        """
        import pytest

        @pytest.mark.ssot_allow("app.legacy")
        def test_shim():
            import app.legacy.part
            assert app.legacy.LEGACY and app.legacy.part.PART
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["no violations recorded"])


def test_ssot_allow_ends_with_the_test(pytester: pytest.Pytester) -> None:
    """Afterwards the modules it let in are gone from sys.modules and their parent, and blocked."""
    make_project(
        pytester,
        """
        import sys
        import pytest
        import ssot_guard

        @pytest.mark.ssot_allow("app.legacy")
        def test_a_shim():
            import app.legacy.part

        def test_b_after():
            import app
            assert "app.legacy" not in sys.modules
            assert "app.legacy.part" not in sys.modules
            assert not hasattr(app, "legacy")
            with pytest.raises(ssot_guard.BlockedImportError):
                from app import legacy
        """,
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_ssot_allow_takes_globs(pytester: pytest.Pytester) -> None:
    """A glob in ssot_allow lets in every module it matches."""
    make_project(
        pytester,
        """
        import pytest

        @pytest.mark.ssot_allow("app.*factory*")
        def test_factories():
            import app.other_factory
        """,
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_ssot_allow_without_names_is_an_error(pytester: pytest.Pytester) -> None:
    """An empty ssot_allow marker fails its test saying what it needs."""
    make_project(
        pytester,
        """
        import pytest

        @pytest.mark.ssot_allow()
        def test_x():
            pass
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*ssot_allow: name at least one module or class*"])


def test_ssot_allow_with_bad_name_is_an_error(pytester: pytest.Pytester) -> None:
    """A name that is no module name, glob or class name is refused."""
    make_project(
        pytester,
        """
        import pytest

        @pytest.mark.ssot_allow("app..legacy")
        def test_x():
            pass
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*ssot_allow: 'app..legacy' has an empty part*"])


def test_ssot_allow_lets_a_class_be_defined_again(pytester: pytest.Pytester) -> None:
    """A class named in ssot_allow may be defined in the test; the registry comes back after."""
    make_project(
        pytester,
        """
        import pytest
        import ssot_guard
        from ssot_guard import SSOTMeta

        class Manager(metaclass=SSOTMeta):
            pass

        @pytest.mark.ssot_allow("Manager")
        def test_a_second_definition():
            class Manager(metaclass=SSOTMeta):
                pass

        def test_b_registry_restored():
            assert ssot_guard.canonical("Manager") is Manager
        """,
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_registry_is_restored_after_each_test(pytester: pytest.Pytester) -> None:
    """A class a test defines is forgotten after it: the next test may define its own."""
    make_project(
        pytester,
        """
        from ssot_guard import SSOTMeta

        def test_a():
            class Widget(metaclass=SSOTMeta):
                pass

        def test_b():
            class Widget(metaclass=SSOTMeta):
                pass
        """,
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_ssot_mode_marker_sets_one_tests_mode(pytester: pytest.Pytester) -> None:
    """ssot_mode("off") turns the guard off for its test; modules it let in leave afterwards."""
    make_project(
        pytester,
        """
        import sys
        import pytest
        import ssot_guard

        @pytest.mark.ssot_mode("off")
        def test_a_off():
            import app.legacy

        def test_b_strict():
            assert "app.legacy" not in sys.modules
            with pytest.raises(ssot_guard.BlockedImportError):
                import app.legacy
        """,
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_ssot_mode_marker_rejects_unknown_modes(pytester: pytest.Pytester) -> None:
    """ssot_mode("loud") fails its test listing the modes."""
    make_project(
        pytester,
        """
        import pytest

        @pytest.mark.ssot_mode("loud")
        def test_x():
            pass
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*@pytest.mark.ssot_mode: unknown mode 'loud'; allowed: 'strict', 'warn', 'off'*"]
    )
    assert "During handling" not in result.stdout.str()  # said once, not chained


def test_markers_are_registered(pytester: pytest.Pytester) -> None:
    """--strict-markers accepts both markers, even with no config."""
    make_project(
        pytester,
        """
        import pytest

        @pytest.mark.ssot_allow("x")
        @pytest.mark.ssot_mode("warn")
        def test_x():
            pass
        """,
        config=False,
    )
    pytester.runpytest("--strict-markers").assert_outcomes(passed=1)


def test_guard_fixture_adds_rules_for_one_test(pytester: pytest.Pytester) -> None:
    """ssot_guard.block() applies in its test only; the config's rules stay in force."""
    make_project(
        pytester,
        """
        import pytest
        import ssot_guard as sg

        def test_a(ssot_guard):
            ssot_guard.block("app.current", reason="for this test")
            with pytest.raises(sg.BlockedImportError, match="for this test"):
                import app.current
            with pytest.raises(sg.BlockedImportError):
                import app.legacy

        def test_b():
            import app.current
        """,
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_guard_fixture_works_without_config(pytester: pytest.Pytester) -> None:
    """With the plugin otherwise idle, the fixture installs a guard for its test only."""
    make_project(
        pytester,
        """
        import pytest
        import ssot_guard as sg

        def test_a(ssot_guard):
            ssot_guard.add(sg.Block("app.current", mode="strict"))
            with pytest.raises(sg.BlockedImportError):
                import app.current

        def test_b():
            assert sg.active_guard() is None
        """,
        config=False,
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_guard_fixture_set_mode(pytester: pytest.Pytester) -> None:
    """ssot_guard.set_mode() changes the mode for the rest of the test."""
    make_project(
        pytester,
        """
        import pytest
        import ssot_guard as sg

        def test_a(ssot_guard):
            ssot_guard.set_mode("warn")
            with pytest.warns(sg.SSOTWarning):
                import app.legacy
            assert ssot_guard.guard.mode == "warn"
        """,
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_guard_fixture_refuses_unknown_modes(pytester: pytest.Pytester) -> None:
    """set_mode() with an unknown mode raises ConfigError listing the modes."""
    make_project(
        pytester,
        """
        import pytest
        import ssot_guard as sg

        def test_a(ssot_guard):
            with pytest.raises(sg.ConfigError, match="allowed: 'strict', 'warn', 'off'"):
                ssot_guard.set_mode("loud")
        """,
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_violations_fixture_records_the_tests_violations(pytester: pytest.Pytester) -> None:
    """ssot_violations holds this test's violations, one per location, with a count."""
    make_project(
        pytester,
        """
        import pytest

        def test_a(ssot_violations):
            for _ in range(2):
                with pytest.raises(ImportError):
                    import app.legacy
            assert ssot_violations.names == ["app.legacy"]
            assert ssot_violations[0].count == 2
            assert ssot_violations[0].kind == "import"

        def test_b(ssot_violations):
            assert len(ssot_violations) == 0
        """,
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_guard_fixture_type_is_public() -> None:
    """ssot_guard.testing.GuardFixture names the fixture's type for annotations."""
    from ssot_guard import testing
    from ssot_guard._pytest._fixtures import GuardFixture

    assert testing.GuardFixture is GuardFixture
    assert ssot_guard.testing is testing


def test_ssot_allow_covers_unique_rules(pytester: pytest.Pytester) -> None:
    """A [[unique]] class named in ssot_allow may be defined twice in that test only."""
    make_project(
        pytester,
        """
        import sys
        import pytest
        import ssot_guard

        @pytest.mark.ssot_allow("Manager")
        def test_a_copy_allowed():
            import app.manager, app.copied
            assert app.copied.Manager is not app.manager.Manager

        def test_b_copy_refused_again():
            assert "app.copied" not in sys.modules
            import app.manager
            with pytest.raises(ssot_guard.DuplicateClassError):
                import app.copied
        """,
    )
    for name in ("manager", "copied"):
        (pytester.path / "app" / f"{name}.py").write_text("class Manager:\n    pass\n")
    config = pytester.path / "pyproject.toml"
    config.write_text(
        config.read_text() + '\n[[tool.ssot_guard.unique]]\nclass = "Manager"\nwithin = ["app"]\n'
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_interrupted_test_is_undone_when_the_run_ends(pytester: pytest.Pytester) -> None:
    """A Ctrl-C inside a marked test skips its teardown; the run's end undoes the test anyway."""
    make_project(
        pytester,
        """
        import pytest

        @pytest.mark.ssot_allow("app.legacy")
        def test_interrupted():
            import app.legacy
            raise KeyboardInterrupt
        """,
    )
    # What pytest.main() leaves behind for the process (an IDE, a pytester run) that called it.
    (pytester.path / "conftest.py").write_text(
        textwrap.dedent(
            """
            import atexit, sys

            def _left_behind():
                allow = [type(f).__name__ for f in sys.meta_path if "Allow" in type(f).__name__]
                print("LEFT BEHIND:", allow, "app.legacy" in sys.modules)

            atexit.register(_left_behind)
            """
        )
    )
    result = pytester.runpytest_subprocess()
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["LEFT BEHIND: [[][]] False"])


@pytest.mark.parametrize(
    ("marker", "shown"),
    [
        ("ssot_mode()", "ssot_mode()"),
        ('ssot_mode("strict", "warn")', "ssot_mode('strict', 'warn')"),
        ('ssot_mode(mode="warn")', "ssot_mode(mode='warn')"),
        ('ssot_mode(" ")', "ssot_mode(' ')"),
    ],
)
def test_ssot_mode_marker_needs_exactly_one_mode(
    pytester: pytest.Pytester, marker: str, shown: str
) -> None:
    """No mode, two, a keyword or a blank: one error saying what was given, no internals."""
    make_project(
        pytester,
        f"""
        import pytest

        @pytest.mark.{marker}
        def test_x():
            pass
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "@pytest.mark.ssot_mode: give one mode, 'strict', 'warn' or 'off'; "
            f"got @pytest.mark.{shown}",
        ]
    )
    output = result.stdout.str()
    assert "During handling" not in output
    assert "_scope.py" not in output
    assert output.count("@pytest.mark.ssot_mode:") == 2  # the error and its short summary line


def test_ssot_allow_with_a_keyword_is_an_error(pytester: pytest.Pytester) -> None:
    """ssot_allow takes names only: a keyword (reason=..., names=...) is refused, not ignored."""
    make_project(
        pytester,
        """
        import pytest

        @pytest.mark.ssot_allow("app.legacy", reason="the shim's own test")
        def test_x():
            import app.legacy
        """,
    )
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*ssot_allow: takes module and class names only, no keyword; got reason=?the shim*"]
    )
