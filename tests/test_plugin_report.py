"""The pytest plugin's report: summary, expected vs unexpected, exit status, xdist."""

from __future__ import annotations

import textwrap

import pytest

pytest_plugins = ["pytester"]

FILES = {
    "app/__init__.py": "",
    "app/legacy.py": "LEGACY = True\n",
    "app/current.py": "CURRENT = True\n",
    # The dangerous case: a blocked import swallowed by try/except ImportError.
    "app/service.py": """\
        try:
            import app.legacy as backend
        except ImportError:
            import app.current as backend
        """,
}
CONFIG = """
[tool.pytest.ini_options]
pythonpath = ["."]
{ini}

[tool.ssot_guard]
mode = "{mode}"

[[tool.ssot_guard.block]]
module = "app.legacy"
use = "app.current"
reason = "retired in #1"
"""


def make_project(
    pytester: pytest.Pytester, tests: dict[str, str], *, mode: str = "strict", ini: str = ""
) -> None:
    """The app package with a swallowing service module, a strict config and *tests*."""
    for name, source in {**FILES, **tests}.items():
        path = pytester.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
    (pytester.path / "pyproject.toml").write_text(CONFIG.format(mode=mode, ini=ini))


SWALLOWING = """
import sys

def test_service_falls_back():
    sys.modules.pop("app.service", None)
    import app.service
    assert app.service.backend.__name__ == "app.current"
"""
PROVOKING = """
import pytest

def test_blocked_on_purpose():
    with pytest.raises(ImportError):
        import app.legacy
"""


def test_summary_lists_unexpected_violation_with_details(pytester: pytest.Pytester) -> None:
    """Kind, module, reason, replacement, rule, importer file:line, mode and count, once."""
    make_project(pytester, {"test_a.py": SWALLOWING, "test_b.py": SWALLOWING})
    result = pytester.runpytest()
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        [
            "*= ssot_guard =*",
            "mode strict (from config file), pyproject.toml",
            "1 unexpected violation:",
            "  import of retired module 'app.legacy'",
            "    reason: retired in #1",
            "    use instead: app.current",
            "    rule: pyproject.toml: tool.ssot_guard.block[[]0[]]",
            "    at app/service.py:2 (strict, 2 times)",
        ]
    )
    assert result.stdout.str().count("import of retired module 'app.legacy'") == 1


def test_block_in_test_body_is_expected(pytester: pytest.Pytester) -> None:
    """An import statement in the body of the running test is listed as expected."""
    make_project(pytester, {"test_a.py": PROVOKING})
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "1 expected violation (provoked on purpose*",
            "*",
            "*",
            "*",
            "*",
            "    at test_a.py:6 (strict)",
        ]
    )
    assert "unexpected" not in result.stdout.str()


def test_block_from_helper_is_expected(pytester: pytest.Pytester) -> None:
    """An ssot_guard.testing helper, even called from a test's own helper, provokes on purpose."""
    make_project(
        pytester,
        {
            "test_a.py": """
            from ssot_guard.testing import assert_import_blocked

            def check_retired(name):
                assert_import_blocked(name)

            def test_retired():
                check_retired("app.legacy")
            """
        },
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        ["1 expected violation*", "*", "*", "*", "*", "    at test_a.py:5 (strict)"]
    )


def test_block_in_application_code_during_a_test_is_unexpected(pytester: pytest.Pytester) -> None:
    """Application code called by a test is not the test's body: unexpected."""
    make_project(pytester, {"test_a.py": SWALLOWING})
    result = pytester.runpytest()
    result.stdout.fnmatch_lines(["1 unexpected violation:"])
    assert "expected violation" not in result.stdout.str().replace("unexpected violation", "")


def test_module_level_import_in_test_file_is_unexpected(pytester: pytest.Pytester) -> None:
    """A retired import at the top of a test file (warn mode lets it through) is unexpected."""
    make_project(
        pytester,
        {"test_a.py": "import app.legacy\n\ndef test_x():\n    assert app.legacy.LEGACY\n"},
        mode="warn",
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(
        ["1 unexpected violation:", "*", "*", "*", "*", "    at test_a.py:1 (warn)"]
    )


def test_no_violations_says_so(pytester: pytest.Pytester) -> None:
    """An active guard with nothing recorded still shows its section."""
    make_project(pytester, {"test_a.py": "def test_x():\n    pass\n"})
    result = pytester.runpytest()
    result.stdout.fnmatch_lines(["*= ssot_guard =*", "mode strict*", "no violations recorded"])


def test_swallowed_block_passes_without_fail_on_violation(pytester: pytest.Pytester) -> None:
    """Without the option, a swallowed block leaves the exit status alone."""
    make_project(pytester, {"test_a.py": SWALLOWING})
    assert pytester.runpytest().ret == pytest.ExitCode.OK


def test_fail_on_violation_fails_the_test_itself(pytester: pytest.Pytester) -> None:
    """--ssot-fail-on-violation: the test that swallowed a block fails, with the violation."""
    make_project(
        pytester,
        {"test_a.py": SWALLOWING + "\n\ndef test_clean():\n    pass\n"},
    )
    result = pytester.runpytest("--ssot-fail-on-violation")
    result.assert_outcomes(passed=1, failed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "*_ test_service_falls_back _*",
            "ssot_guard: this test recorded 1 violation that its markers do not allow "
            "(--ssot-fail-on-violation):",
            "  import of retired module 'app.legacy' at *app/service.py:2; "
            "use 'app.current' instead (retired in #1) "
            "[[]*pyproject.toml: tool.ssot_guard.block[[]0[]][]]",
            "Fix the code, or allow it here with @pytest.mark.ssot_allow('app.legacy'), *",
        ]
    )
    result.stdout.fnmatch_lines(["FAILED test_a.py::test_service_falls_back - ssot_guard: *"])


def test_fail_on_violation_fails_a_fixture_as_a_setup_error(pytester: pytest.Pytester) -> None:
    """A violation recorded while a fixture is set up is an error at setup of that test."""
    make_project(
        pytester,
        {
            "test_a.py": """
            import sys
            import pytest

            @pytest.fixture
            def service():
                sys.modules.pop("app.service", None)
                import app.service
                return app.service

            def test_uses_service(service):
                pass
            """
        },
    )
    result = pytester.runpytest("--ssot-fail-on-violation")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*ERROR at setup of test_uses_service*", "ssot_guard: the setup of this test recorded 1*"]
    )


def test_fail_on_violation_keeps_a_strict_refusal_as_the_failure(
    pytester: pytest.Pytester,
) -> None:
    """A refusal that reached the test is its failure: not replaced, not repeated."""
    make_project(
        pytester,
        {
            "helper.py": "def load():\n    import app.legacy\n",
            "test_a.py": "import helper\n\ndef test_load():\n    helper.load()\n",
        },
    )
    result = pytester.runpytest("--ssot-fail-on-violation")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["E *BlockedImportError: No module named 'app.legacy'*"])
    assert "that its markers do not allow" not in result.stdout.str()


def test_fail_on_violation_spares_what_a_marker_allows(pytester: pytest.Pytester) -> None:
    """A module the test's ssot_allow marker names is no violation: the test passes."""
    make_project(
        pytester,
        {
            "test_a.py": """
            import sys
            import pytest

            @pytest.mark.ssot_allow("app.legacy")
            def test_service_uses_legacy():
                sys.modules.pop("app.service", None)
                import app.service
                assert app.service.backend.__name__ == "app.legacy"
            """
        },
    )
    result = pytester.runpytest("--ssot-fail-on-violation")
    result.assert_outcomes(passed=1)
    assert result.ret == pytest.ExitCode.OK


def test_fail_on_violation_fails_the_run_for_a_conftest_import(pytester: pytest.Pytester) -> None:
    """A violation outside any test (a conftest in warn mode) fails the run, listed at the end."""
    make_project(
        pytester,
        {"conftest.py": "import app.legacy\n", "test_a.py": "def test_x():\n    pass\n"},
        mode="warn",
    )
    result = pytester.runpytest("--ssot-fail-on-violation")
    result.assert_outcomes(passed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "    at conftest.py:1 (warn)",
            "ssot_guard: failing the run: 1 unexpected violation was recorded "
            "(--ssot-fail-on-violation*",
        ]
    )


def test_fail_on_violation_ini_key(pytester: pytest.Pytester) -> None:
    """The ssot_fail_on_violation ini key does the same."""
    make_project(pytester, {"test_a.py": SWALLOWING}, ini="ssot_fail_on_violation = true")
    assert pytester.runpytest().ret == pytest.ExitCode.TESTS_FAILED


def test_fail_on_violation_ignores_expected_violations(pytester: pytest.Pytester) -> None:
    """Blocks a test provokes on purpose never fail the run."""
    make_project(pytester, {"test_a.py": PROVOKING})
    assert pytester.runpytest("--ssot-fail-on-violation").ret == pytest.ExitCode.OK


def test_fail_on_violation_keeps_a_worse_exit_status(pytester: pytest.Pytester) -> None:
    """A run that already failed keeps its status; the reason is still printed."""
    make_project(pytester, {"test_a.py": SWALLOWING + "\n\ndef test_broken():\n    assert False\n"})
    result = pytester.runpytest("--ssot-fail-on-violation")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["ssot_guard: failing the run: 1 unexpected violation*"])


def test_xdist_workers_report_once_in_the_controller(pytester: pytest.Pytester) -> None:
    """With -n 2, every worker's violations appear once, counted, and fail the run."""
    tests = {f"test_{i}.py": SWALLOWING for i in range(4)}
    tests["test_provoke.py"] = PROVOKING
    make_project(pytester, tests)
    result = pytester.runpytest_subprocess("-n", "2", "--ssot-fail-on-violation")
    result.assert_outcomes(passed=1, failed=4)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "1 unexpected violation:",
            "*",
            "*",
            "*",
            "*",
            "    at app/service.py:2 (strict, 4 times)",
            "1 expected violation*",
            "*",
            "*",
            "*",
            "*",
            "    at test_provoke.py:6 (strict)",
            "ssot_guard: failing the run: 1 unexpected violation was recorded*",
        ]
    )
    assert result.stdout.str().count("= ssot_guard =") == 1


def test_block_in_decorated_test_body_is_expected(pytester: pytest.Pytester) -> None:
    """A test wrapped by a functools.wraps decorator still counts its own body as the test's."""
    make_project(
        pytester,
        {
            "test_a.py": """
            import functools
            import pytest

            def logged(function):
                @functools.wraps(function)
                def wrapper(*args, **kwargs):
                    return function(*args, **kwargs)
                return wrapper

            @logged
            def test_blocked_on_purpose():
                with pytest.raises(ImportError):
                    import app.legacy
            """
        },
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        ["1 expected violation*", "*", "*", "*", "*", "    at test_a.py:14 (strict)"]
    )


def test_summary_keeps_a_multiline_reason_on_its_line(pytester: pytest.Pytester) -> None:
    """A reason with a line break or an escape sequence stays one line, escapes shown as text."""
    make_project(pytester, {"test_a.py": "def test_a():\n    import app.legacy\n"}, mode="warn")
    config = pytester.path / "pyproject.toml"
    config.write_text(
        config.read_text().replace(
            'reason = "retired in #1"', 'reason = "retired in #1\\nsee \\u001b[31mthe ADR"'
        )
    )
    result = pytester.runpytest()
    result.stdout.fnmatch_lines(["    reason: retired in #1 see \\x1b[[]31mthe ADR"])
    assert "\x1b" not in result.stdout.str()  # nor in the warnings summary above it


def test_summary_is_capped_unless_verbose(pytester: pytest.Pytester) -> None:
    """Hundreds of violations: the first few are listed and the rest counted; -v lists all."""
    count = 60
    tests = {f"app/old{i}.py": "" for i in range(count)}
    tests["test_many.py"] = """
        import importlib

        def test_many():
            for i in range(COUNT):
                importlib.import_module(f"app.old{i}")
        """.replace("COUNT", str(count))
    make_project(pytester, tests, mode="warn")
    config = pytester.path / "pyproject.toml"
    config.write_text(config.read_text() + '\n[[tool.ssot_guard.block]]\npattern = "app.old*"\n')
    result = pytester.runpytest("-W", "ignore")
    result.stdout.fnmatch_lines(
        [
            "60 expected violations (*):",
            "  import of retired module 'app.old0'",
            "*",
            "  ... and 40 more (-v lists them all)",
        ]
    )
    assert "'app.old20'" not in result.stdout.str()
    verbose = pytester.runpytest("-W", "ignore", "-v")
    assert "'app.old59'" in verbose.stdout.str()
    assert "more (-v lists them all)" not in verbose.stdout.str()


def test_fail_on_violation_message_is_capped(pytester: pytest.Pytester) -> None:
    """A test that records a hundred violations fails with the first twenty and a count."""
    tests = {f"app/old{i}.py": "" for i in range(100)}
    tests["app/loader.py"] = """
        import importlib

        for i in range(100):
            importlib.import_module(f"app.old{i}")
        """
    tests["test_load.py"] = "def test_load():\n    import app.loader\n"
    make_project(pytester, tests, mode="warn")
    config = pytester.path / "pyproject.toml"
    config.write_text(config.read_text() + '\n[[tool.ssot_guard.block]]\npattern = "app.old*"\n')
    # No captured log: it repeats each warning, which is logging's business, not ours.
    result = pytester.runpytest("--ssot-fail-on-violation", "-W", "ignore", "-p", "no:logging")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "ssot_guard: this test recorded 100 violations that its markers do not allow*",
            "  import of retired module 'app.old0'*",
            "*",
            "  ... and 80 more",
            "Fix the code, or allow it here with @pytest.mark.ssot_allow('app.old0', *, ...), *",
        ]
    )
    assert "'app.old20'" not in result.stdout.str()
