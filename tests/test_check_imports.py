"""``check()`` on every static import form, with the runtime's rule semantics."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ssot_guard import Block, Redirect
from ssot_guard._check import check
from ssot_guard._rules._model import Rule

LEGACY = [Block("app.legacy", use="app.canonical", reason="dual pattern removed")]


def write(root: Path, files: dict[str, str]) -> None:
    """Write *files* under *root*; every directory of a file is a package."""
    for relative, source in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(source), encoding="utf-8")
        for parent in target.relative_to(root).parents:
            init = root / parent / "__init__.py"
            if parent != Path(".") and not init.exists():
                init.write_text("", encoding="utf-8")


def found(
    tmp_path: Path, files: dict[str, str], rules: list[Rule] | None = None, **options: object
) -> list[str]:
    """``path:line:col: CODE`` of each finding for *files* under the *rules*."""
    write(tmp_path, files)
    result = check([str(tmp_path)], rules=LEGACY if rules is None else rules, **options)  # type: ignore[arg-type]
    prefix = str(tmp_path) + "/"
    return [
        f"{f.path.removeprefix(prefix)}:{f.line}:{f.col}: {f.code}"
        for f in result.findings
        if f.code != "SSOT103"
    ]


def messages(tmp_path: Path, files: dict[str, str], rules: list[Rule]) -> list[str]:
    write(tmp_path, files)
    return [f.message for f in check([str(tmp_path)], rules=rules).findings]


def test_import_statement(tmp_path: Path) -> None:
    """``import app.legacy`` is reported at the module name."""
    assert found(tmp_path, {"app/user.py": "import app.legacy\n"}) == ["app/user.py:1:8: SSOT101"]


def test_import_of_a_submodule(tmp_path: Path) -> None:
    """``import app.legacy.helpers`` is reported: the retired package is imported first."""
    assert found(tmp_path, {"app/user.py": "import app.legacy.helpers as h\n"}) == [
        "app/user.py:1:8: SSOT101"
    ]


def test_from_module_import_name(tmp_path: Path) -> None:
    """``from app.legacy import X`` is reported at the statement."""
    assert found(tmp_path, {"app/user.py": "from app.legacy import X\n"}) == [
        "app/user.py:1:1: SSOT101"
    ]


def test_from_parent_import_module(tmp_path: Path) -> None:
    """``from app import legacy`` is reported at the imported name."""
    assert found(tmp_path, {"app/user.py": "from app import os, legacy\n"}) == [
        "app/user.py:1:21: SSOT101"
    ]


def test_relative_import_is_resolved_against_the_files_package(tmp_path: Path) -> None:
    """``from ..legacy import X`` in ``app/sub/user.py`` means ``app.legacy``."""
    assert found(tmp_path, {"app/sub/user.py": "from ..legacy import X\n"}) == [
        "app/sub/user.py:1:1: SSOT101"
    ]


def test_relative_import_in_a_package_init_uses_the_package_itself(tmp_path: Path) -> None:
    """In ``app/__init__.py``, ``from . import legacy`` means ``app.legacy``."""
    assert found(tmp_path, {"app/__init__.py": "from . import legacy\n"}) == [
        "app/__init__.py:1:15: SSOT101"
    ]


def test_relative_import_beyond_the_top_package_is_not_a_crash(tmp_path: Path) -> None:
    """A relative import that climbs above the top-level package is skipped, not a crash."""
    assert found(tmp_path, {"app/user.py": "from ...legacy import X\n"}) == []


def test_import_inside_a_function(tmp_path: Path) -> None:
    """Imports nested in functions, classes and ``try`` blocks are found."""
    source = """\
        class C:
            def f(self):
                try:
                    import app.legacy
                except ImportError:
                    pass
        """
    assert found(tmp_path, {"app/user.py": source}) == ["app/user.py:4:20: SSOT101"]


def test_import_under_type_checking(tmp_path: Path) -> None:
    """An import under ``if TYPE_CHECKING:`` is reported: it is still a dependency."""
    source = """\
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            from app.legacy import Manager
        """
    assert found(tmp_path, {"app/user.py": source}) == ["app/user.py:3:5: SSOT101"]


def test_importlib_import_module_with_a_literal(tmp_path: Path) -> None:
    """``importlib.import_module("app.legacy.sub")`` is reported at the call."""
    source = "import importlib\nmod = importlib.import_module('app.legacy.sub')\n"
    assert found(tmp_path, {"app/user.py": source}) == ["app/user.py:2:7: SSOT101"]


def test_import_module_relative_to_a_literal_package(tmp_path: Path) -> None:
    """``import_module(".legacy", "app")`` resolves the relative name first."""
    source = "from importlib import import_module\nimport_module('.legacy', package='app')\n"
    assert found(tmp_path, {"app/user.py": source}) == ["app/user.py:2:1: SSOT101"]


def test_import_module_relative_to_dunder_package(tmp_path: Path) -> None:
    """``import_module(".legacy", __package__)`` resolves against the file's package."""
    source = "import importlib\nimportlib.import_module('.legacy', __package__)\n"
    assert found(tmp_path, {"app/user.py": source}) == ["app/user.py:2:1: SSOT101"]


def test_dunder_import_with_a_literal(tmp_path: Path) -> None:
    """``__import__("app.legacy")`` is reported."""
    assert found(tmp_path, {"app/user.py": "m = __import__('app.legacy')\n"}) == [
        "app/user.py:1:5: SSOT101"
    ]


def test_dunder_import_fromlist_names_a_retired_submodule(tmp_path: Path) -> None:
    """``__import__("app", fromlist=["legacy"])`` imports ``app.legacy``."""
    source = "m = __import__('app', globals(), None, ['legacy'])\n"
    assert found(tmp_path, {"app/user.py": source}) == ["app/user.py:1:5: SSOT101"]


def test_find_spec_with_a_literal(tmp_path: Path) -> None:
    """``importlib.util.find_spec("app.legacy")`` is reported."""
    source = "import importlib.util\nimportlib.util.find_spec('app.legacy')\n"
    assert found(tmp_path, {"app/user.py": source}) == ["app/user.py:2:1: SSOT101"]


def test_mock_patch_dotted_target(tmp_path: Path) -> None:
    """``mock.patch("app.legacy.Manager")`` imports ``app.legacy``: reported, decorator form too."""
    source = """\
        from unittest import mock

        @mock.patch("app.legacy.Manager")
        def test(manager):
            with mock.patch("app.legacy.Other"):
                pass
        """
    assert found(tmp_path, {"app/user.py": source}) == [
        "app/user.py:3:2: SSOT101",
        "app/user.py:5:10: SSOT101",
    ]


def test_monkeypatch_setattr_dotted_target(tmp_path: Path) -> None:
    """``monkeypatch.setattr("app.legacy.X", value)`` is reported."""
    source = "def test(monkeypatch):\n    monkeypatch.setattr('app.legacy.X', 1)\n"
    assert found(tmp_path, {"app/user.py": source}) == ["app/user.py:2:5: SSOT101"]


def test_non_literal_import_call_is_skipped(tmp_path: Path) -> None:
    """``import_module(name)`` with a computed name cannot be known statically: no finding."""
    source = "import importlib\nname = 'app.' + 'legacy'\nimportlib.import_module(name)\n"
    assert found(tmp_path, {"app/user.py": source}) == []


def test_strings_outside_import_calls_are_not_imports(tmp_path: Path) -> None:
    """Logger names, docstrings and messages that spell the module are not reported."""
    source = '''\
        """Replaces app.legacy."""
        import logging
        log = logging.getLogger("app.legacy")
        print("import app.legacy")
        '''
    assert found(tmp_path, {"app/user.py": source}) == []


def test_redirect_reports_the_new_name(tmp_path: Path) -> None:
    """An import of a redirected module is SSOT102 and names ``new.sub`` for ``old.sub``."""
    rules: list[Rule] = [Redirect("app.old_name", to="app.new_name")]
    texts = messages(tmp_path, {"app/user.py": "import app.old_name.sub\n"}, rules)
    assert len(texts) == 1
    assert "'app.old_name'" in texts[0]
    assert "use 'app.new_name' instead" in texts[0]
    assert found(tmp_path, {}, rules) == ["app/user.py:1:8: SSOT102"]


def test_message_carries_reason_replacement_and_rule(tmp_path: Path) -> None:
    """The message names the module, the replacement, the reason and the rule."""
    rules: list[Rule] = [
        Block("app.legacy", use="app.canonical", reason="dual pattern", source="cfg: block[0]")
    ]
    assert messages(tmp_path, {"app/user.py": "import app.legacy\n"}, rules) == [
        "import of retired module 'app.legacy'; use 'app.canonical' instead (dual pattern) "
        "[cfg: block[0]]"
    ]


def test_most_specific_rule_speaks(tmp_path: Path) -> None:
    """An exact ``module`` rule beats a glob of the same reach, as at runtime."""
    rules: list[Rule] = [
        Block(pattern="app.svc.*", reason="glob"),
        Block("app.svc.old", reason="exact"),
    ]
    texts = messages(tmp_path, {"app/user.py": "import app.svc.old\n"}, rules)
    assert len(texts) == 1
    assert "(exact)" in texts[0]


def test_allow_exempts_a_module_from_a_pattern(tmp_path: Path) -> None:
    """A module in ``allow`` may be imported although the pattern covers it."""
    rules: list[Rule] = [Block(pattern="app.*_factory", allow=["app.keep_factory"])]
    source = "import app.keep_factory\nimport app.ws_factory\n"
    assert found(tmp_path, {"app/user.py": source}, rules) == ["app/user.py:2:8: SSOT101"]


def test_allow_importers_uses_the_module_name_from_the_path(tmp_path: Path) -> None:
    """``allow_importers`` matches the importing file's module name, src layout included."""
    rules: list[Rule] = [Block("app.legacy", allow_importers=["app.migrations.**"])]
    files = {
        "src/app/migrations/m0001.py": "import app.legacy\n",
        "src/app/views.py": "import app.legacy\n",
    }
    (tmp_path / "src").mkdir()
    write(tmp_path / "src", {k.removeprefix("src/"): v for k, v in files.items()})
    result = check([str(tmp_path / "src")], rules=rules)
    assert [f.path.rpartition("src/")[2] for f in result.findings] == ["app/views.py"]


def test_retired_package_may_import_its_own_parts(tmp_path: Path) -> None:
    """Inside ``app/legacy``, imports of ``app.legacy.*`` are not findings (only SSOT103)."""
    files = {
        "app/legacy/__init__.py": "from . import helpers\nfrom app.legacy.helpers import X\n",
        "app/legacy/helpers.py": "X = 1\n",
    }
    assert found(tmp_path, files) == []


def test_rule_that_is_off_is_skipped(tmp_path: Path) -> None:
    """A rule whose own mode is ``off`` finds nothing."""
    rules: list[Rule] = [Block("app.legacy", mode="off")]
    assert found(tmp_path, {"app/user.py": "import app.legacy\n"}, rules) == []


def test_retired_module_file_in_the_tree(tmp_path: Path) -> None:
    """Each file of a blocked module is SSOT103, at line 1."""
    write(tmp_path, {"app/legacy/__init__.py": "", "app/legacy/factory.py": "X = 1\n"})
    result = check([str(tmp_path)], rules=LEGACY)
    assert [(Path(f.path).name, f.line, f.code) for f in result.findings] == [
        ("__init__.py", 1, "SSOT103"),
        ("factory.py", 1, "SSOT103"),
    ]


def test_redirected_module_file_is_not_a_retired_file(tmp_path: Path) -> None:
    """SSOT103 is for block rules only: a redirect's old module file is not reported."""
    write(tmp_path, {"app/old_name.py": "X = 1\n"})
    assert check([str(tmp_path)], rules=[Redirect("app.old_name", to="app.new")]).findings == []


def test_checked_code_is_never_executed(tmp_path: Path) -> None:
    """A module with side effects at import time is read, never run."""
    marker = tmp_path / "executed"
    source = f"open({str(marker)!r}, 'w').close()\nraise SystemExit(3)\nimport app.legacy\n"
    assert found(tmp_path, {"app/boom.py": source}) == ["app/boom.py:3:8: SSOT101"]
    assert not marker.exists()


def test_column_counts_characters_not_bytes(tmp_path: Path) -> None:
    """On a line with non-ASCII text before the import, the column is in characters."""
    source = "x = 'été'; import app.legacy\n"
    assert found(tmp_path, {"app/user.py": source}) == ["app/user.py:1:19: SSOT101"]


@pytest.mark.parametrize("jobs", [1, 2])
def test_processes_give_the_same_findings(tmp_path: Path, jobs: int) -> None:
    """Checking with several processes finds exactly what one process finds."""
    files = {f"app/m{i:03}.py": "x = 1\n" for i in range(60)}
    files.update({f"app/m{i:03}.py": "import app.legacy\n" for i in range(0, 60, 7)})
    result = found(tmp_path, files, jobs=jobs)
    assert result == [f"app/m{i:03}.py:1:8: SSOT101" for i in range(0, 60, 7)]
