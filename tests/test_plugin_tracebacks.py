"""A refusal's traceback ends at the user's line: our frames are hidden (``__tracebackhide__``)."""

from __future__ import annotations

import os
import textwrap

import pytest

import ssot_guard

pytest_plugins = ["pytester"]

OUR_DIR = os.path.dirname(ssot_guard.__file__)
CONFIG = """
[tool.pytest.ini_options]
pythonpath = ["."]

[tool.ssot_guard]
mode = "strict"

[[tool.ssot_guard.block]]
module = "app.legacy"

[[tool.ssot_guard.deprecate]]
name = "app.current:old"

[[tool.ssot_guard.unique]]
class = "Manager"
within = ["app"]
"""
APP = {
    "app/__init__.py": "",
    "app/legacy.py": "X = 1\n",
    "app/current.py": "def old():\n    return 1\n",
    "app/manager.py": "class Manager:\n    pass\n",
    "app/copied.py": "class Manager:\n    pass\n",
}


def make_project(pytester: pytest.Pytester, files: dict[str, str]) -> None:
    for name, source in {**APP, **files}.items():
        path = pytester.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
    (pytester.path / "pyproject.toml").write_text(CONFIG)


def assert_ends_at(output: str, user_line: str, error: str) -> None:
    """No frame of ssot_guard's is shown, and the error follows the user's line."""
    assert OUR_DIR not in output, output
    assert "ssot_guard/_" not in output, output
    lines = [line for line in output.splitlines() if line.strip().strip("^")]  # no carets
    at = next(i for i, line in enumerate(lines) if error in line and line.startswith("E "))
    assert lines[at - 1].strip() == user_line, "\n".join(lines[max(0, at - 3) : at + 1])


@pytest.mark.parametrize("tb", ["auto", "long", "short"])
def test_in_a_test_the_traceback_ends_at_the_import(pytester: pytest.Pytester, tb: str) -> None:
    """A blocked import in code a test calls: the last frame shown is the import statement."""
    make_project(
        pytester,
        {
            "helper.py": "def load():\n    import app.legacy\n",
            "test_a.py": "import helper\n\ndef test_load():\n    helper.load()\n",
        },
    )
    result = pytester.runpytest(f"--tb={tb}")
    result.assert_outcomes(failed=1)
    user_line = ">       import app.legacy" if tb != "short" else "import app.legacy"
    assert_ends_at(result.stdout.str(), user_line, "BlockedImportError")


def test_in_a_conftest_the_traceback_ends_at_the_import(pytester: pytest.Pytester) -> None:
    """A conftest.py importing a retired module: the error names its line, nothing of ours."""
    make_project(
        pytester, {"conftest.py": "import app.legacy\n", "test_a.py": "def test_x(): pass\n"}
    )
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert_ends_at(result.stderr.str(), "import app.legacy", "BlockedImportError")


def test_in_a_collection_error_the_traceback_ends_at_the_import(
    pytester: pytest.Pytester,
) -> None:
    """A test module importing a retired module at its top: the collection error ends there."""
    make_project(pytester, {"test_top.py": "import app.legacy\n\ndef test_x():\n    pass\n"})
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    assert_ends_at(result.stdout.str(), "import app.legacy", "BlockedImportError")


def test_a_deprecated_name_ends_at_the_user_line(pytester: pytest.Pytester) -> None:
    """A refused deprecated attribute: the traceback ends at the attribute access."""
    make_project(
        pytester,
        {"test_a.py": "import app.current\n\ndef test_old():\n    app.current.old()\n"},
    )
    result = pytester.runpytest("--tb=short")
    result.assert_outcomes(failed=1)
    assert_ends_at(result.stdout.str(), "app.current.old()", "DeprecatedAttributeError")


def test_a_duplicate_class_ends_at_the_user_line(pytester: pytest.Pytester) -> None:
    """A second definition refused by a [[unique]] rule: the traceback ends at its import."""
    make_project(
        pytester,
        {"test_a.py": "def test_copy():\n    import app.manager\n    import app.copied\n"},
    )
    result = pytester.runpytest("--tb=short")
    result.assert_outcomes(failed=1)
    output = result.stdout.str()
    assert "DuplicateClassError" in output
    assert OUR_DIR not in output, output
