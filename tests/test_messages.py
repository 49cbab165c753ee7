"""One wording per violation: warning, error, log line and static finding side by side."""

from __future__ import annotations

import importlib
import warnings
from pathlib import Path

import pytest

import ssot_guard
from ssot_guard._base._messages import describe, tail

CONFIG = """\
[tool.ssot_guard]

[[tool.ssot_guard.block]]
module = "app.old"
use = "app.new"
reason = "dual pattern removed"

[[tool.ssot_guard.redirect]]
module = "app.renamed"
to = "app.new"
reason = "moved in 2.0"

[[tool.ssot_guard.deprecate]]
name = "app.new:make"
use = "app.new:build"
reason = "one factory"
"""

FILES = {
    "app/old.py": "",
    "app/new.py": "def make(): return 1\ndef build(): return 2\n",
    "app/use_old.py": "import app.old\n",
    "app/use_renamed.py": "import app.renamed\n",
    "app/use_make.py": "from app.new import make\nmake()\n",  # warn mode: warned where called
}


@pytest.fixture
def project(make_package, tmp_path: Path) -> Path:
    root = make_package(FILES)
    (root / "pyproject.toml").write_text(CONFIG, encoding="utf-8")
    return root


def _renderings(project: Path, user: str) -> dict[str, str]:
    """The four texts for the violation in module *user*, paths made relative."""
    config = project / "pyproject.toml"
    texts: dict[str, str] = {}
    with ssot_guard.install(config, mode="warn"), warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        importlib.import_module(f"app.{user}")
    texts["warning"] = str(shown[0].message)
    (violation,) = ssot_guard.violations()
    texts["log"] = str(violation)
    for name in [n for n in list(importlib.sys.modules) if n.startswith("app.")]:  # type: ignore[attr-defined]
        del importlib.sys.modules[name]  # type: ignore[attr-defined]
    with ssot_guard.install(config, mode="strict"), pytest.raises(ImportError) as raised:
        importlib.import_module(f"app.{user}")
    texts["error"] = str(raised.value)
    result = ssot_guard.check([project / "app" / f"{user}.py"], config=config)
    texts["finding"] = result.findings[0].message
    return {k: v.replace(str(project) + "/", "") for k, v in texts.items()}


def test_block_says_the_same_everywhere(project: Path) -> None:
    """A blocked import: same subject, replacement, reason and rule in all four texts."""
    rule = "pyproject.toml: tool.ssot_guard.block[0]"
    assert _renderings(project, "use_old") == {
        "warning": f"import of retired module 'app.old'; use 'app.new' instead "
        f"(dual pattern removed) [{rule}]",
        "log": f"import of retired module 'app.old' at app/use_old.py:1; use 'app.new' instead "
        f"(dual pattern removed) [{rule}]",
        "error": f"No module named 'app.old': retired by ssot_guard; use 'app.new' instead "
        f"(dual pattern removed) [{rule}]",
        "finding": f"import of retired module 'app.old'; use 'app.new' instead "
        f"(dual pattern removed) [{rule}]",
    }


def test_redirect_says_the_same_everywhere(project: Path) -> None:
    """A redirected import: the canonical name is the replacement in all four texts."""
    rule = "pyproject.toml: tool.ssot_guard.redirect[0]"
    assert _renderings(project, "use_renamed") == {
        "warning": f"import of renamed module 'app.renamed'; use 'app.new' instead "
        f"(moved in 2.0) [{rule}]",
        "log": f"import of renamed module 'app.renamed' at app/use_renamed.py:1; "
        f"use 'app.new' instead (moved in 2.0) [{rule}]",
        "error": f"No module named 'app.renamed': retired by ssot_guard; use 'app.new' instead "
        f"(moved in 2.0) [{rule}]",
        "finding": f"import of renamed module 'app.renamed'; use 'app.new' instead "
        f"(moved in 2.0) [{rule}]",
    }


def test_deprecated_name_says_the_same_everywhere(project: Path) -> None:
    """A deprecated name: the same replacement, reason and rule, after each text's subject."""
    rule = "pyproject.toml: tool.ssot_guard.deprecate[0]"
    end = f"; use 'app.new:build' instead (one factory) [{rule}]"
    assert _renderings(project, "use_make") == {
        "warning": "use of deprecated name 'app.new:make'" + end,
        "log": "use of deprecated name 'app.new:make' at app/use_make.py:2" + end,
        "error": "cannot import name 'make' from 'app.new': retired" + end,
        "finding": "import of deprecated name 'app.new:make'" + end,
    }


def test_a_multiline_reason_stays_on_one_line() -> None:
    """A reason written over several lines in TOML is one line in every message."""
    assert tail(None, "first line\n  second line", None) == " (first line second line)"
    assert "\n" not in describe("import", "a.b", reason="x\ny", rule="r")


def test_a_reason_with_control_characters_is_escaped() -> None:
    """An escape sequence in a reason is shown as text: no message repaints the terminal."""
    assert tail(None, "see \x1b[31mthe ADR\x07", None) == " (see \\x1b[31mthe ADR\\x07)"


def test_duplicate_class_says_the_same_everywhere(make_package) -> None:
    """A second [[unique]] class: the first definition is the replacement in all four texts."""
    root = make_package(
        {"dup/first.py": "class Manager: ...\n", "dup/second.py": "class Manager: ...\n"}
    )
    config = root / "pyproject.toml"
    config.write_text(
        '[tool.ssot_guard]\n[[tool.ssot_guard.unique]]\nclass = "Manager"\nwithin = ["dup"]\n'
        'reason = "one manager"\n',
        encoding="utf-8",
    )
    texts: dict[str, str] = {}
    with ssot_guard.install(config, mode="warn"), warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        importlib.import_module("dup.first")
        importlib.import_module("dup.second")
    texts["warning"] = str(shown[0].message)
    (violation,) = ssot_guard.violations()
    texts["log"] = str(violation)
    for name in ("dup.second", "dup.first", "dup"):
        del importlib.sys.modules[name]  # type: ignore[attr-defined]
    with ssot_guard.install(config, mode="strict"):
        importlib.import_module("dup.first")
        with pytest.raises(TypeError) as raised:
            importlib.import_module("dup.second")
    texts["error"] = str(raised.value)
    texts["finding"] = ssot_guard.check([root / "dup"], config=config).findings[0].message
    texts = {k: v.replace(str(root) + "/", "") for k, v in texts.items()}
    rule = "pyproject.toml: tool.ssot_guard.unique[0]"
    end = (
        f"; use 'dup.first.Manager' instead (one manager; first defined at dup/first.py:1) [{rule}]"
    )
    assert texts == {
        "warning": "second definition of class 'Manager' at dup/second.py:1" + end,
        "log": "second definition of class 'Manager' at dup/second.py:1" + end,
        "error": "second definition of class 'Manager' at dup/second.py:1" + end,
        "finding": "second definition of class 'Manager'" + end,
    }
