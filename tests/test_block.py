"""Block rules: every import form, strict (it raises) and warn (it warns from the user's line)."""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import pickle
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import ssot_guard
from ssot_guard import BlockedImportError, SSOTWarning

OLD = "app.websocket_manager_factory"
NEW = "app.websocket_manager"
REASON = "dual factory pattern removed (#1126)"

# The import forms, each as the line of a user module that performs it.
FORMS = {
    "import": f"import {OLD}",
    "from-module-import-name": f"from {OLD} import create_manager",
    "from-parent-import-module": "from app import websocket_manager_factory",
    "import_module": f"importlib.import_module({OLD!r})",
    "__import__": f"__import__({OLD!r})",
    "find_spec": f"importlib.util.find_spec({OLD!r})",
}


@pytest.fixture
def app(make_package) -> Path:
    """A retired factory package (with a submodule) and its replacement."""
    return make_package(
        {
            "app/websocket_manager_factory/__init__.py": "def create_manager():\n  return 'old'\n",
            "app/websocket_manager_factory/helpers.py": "HELP = 1\n",
            "app/websocket_manager.py": "class WebSocketManager:\n    pass\n",
        }
    )


def _user_module(make_package, form: str) -> tuple[str, int]:
    """Write a user module doing one import form on line 5; return its file and that line."""
    source = f"import importlib\nimport importlib.util\n\n\n{FORMS[form]}\n"
    name = "user_" + form.replace("-", "_")
    root = make_package({f"{name}.py": source})
    return str(root / f"{name}.py"), 5


def _block(**kwargs: object) -> ssot_guard.Block:
    return ssot_guard.Block(OLD, use=NEW, reason=REASON, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("form", list(FORMS))
def test_strict_raises_blocked_import_error_for_every_form(app, make_package, form) -> None:
    """In strict mode each import form raises BlockedImportError with reason and replacement."""
    ssot_guard.install(rules=[_block()], mode="strict")
    _user_module(make_package, form)
    with pytest.raises(BlockedImportError) as info:
        importlib.import_module("user_" + form.replace("-", "_"))
    message = str(info.value)
    assert message.startswith(f"No module named {OLD!r}")
    assert REASON in message
    assert f"use {NEW!r} instead" in message
    assert info.value.module == OLD
    assert OLD not in sys.modules


def test_blocked_import_error_is_a_module_not_found_error(app) -> None:
    """BlockedImportError is caught by ``except ModuleNotFoundError`` and ``except ImportError``."""
    ssot_guard.install(rules=[_block()], mode="strict")
    with pytest.raises(ModuleNotFoundError) as info:
        importlib.import_module(OLD)
    assert isinstance(info.value, ImportError)
    assert isinstance(info.value, ssot_guard.SSOTError)


def test_message_names_a_python_rule_without_repeating_it(app) -> None:
    """A rule built in Python is named by its target; reason and replacement appear once."""
    ssot_guard.install(rules=[_block()], mode="strict")
    with pytest.raises(BlockedImportError) as info:
        importlib.import_module(OLD)
    assert str(info.value) == (
        f"No module named {OLD!r}: retired by ssot_guard; use {NEW!r} instead "
        f"({REASON}) [Block(module={OLD!r})]"
    )


def test_message_names_a_config_rule_by_file_and_entry(app, tmp_path) -> None:
    """A rule from a file is named by file and entry, so the user can find it."""
    config = tmp_path / "pyproject.toml"
    config.write_text(
        f'[tool.ssot_guard]\n[[tool.ssot_guard.block]]\nmodule = "{OLD}"\nuse = "{NEW}"\n',
        encoding="utf-8",
    )
    ssot_guard.install(config, mode="strict")
    with pytest.raises(BlockedImportError) as info:
        importlib.import_module(OLD)
    assert str(info.value).endswith(f"[{config}: tool.ssot_guard.block[0]]")


def test_blocked_import_error_name_is_not_the_module(app) -> None:
    """``.name`` is not the blocked module (importlib would swallow it); ``.module`` is."""
    ssot_guard.install(rules=[_block()], mode="strict")
    with pytest.raises(BlockedImportError) as info:
        importlib.import_module(OLD)
    assert info.value.name != OLD
    assert info.value.module == OLD
    assert info.value.reason == REASON
    assert info.value.use == NEW


def test_from_parent_import_keeps_the_message(app) -> None:
    """``from app import x`` surfaces the guard's message, not a bare "cannot import name"."""
    ssot_guard.install(rules=[_block()], mode="strict")
    with pytest.raises(ImportError) as info:
        from app import websocket_manager_factory  # noqa: F401
    assert type(info.value) is BlockedImportError
    assert "cannot import name" not in str(info.value)
    assert REASON in str(info.value)


def test_strict_blocks_submodules(app) -> None:
    """A ``module`` rule covers the module's submodules too."""
    ssot_guard.install(rules=[_block()], mode="strict")
    with pytest.raises(BlockedImportError) as info:
        importlib.import_module(OLD + ".helpers")
    assert info.value.module == OLD  # the parent is refused first


def test_strict_allows_the_replacement_and_siblings(app) -> None:
    """A rule does not touch names outside it: the replacement imports normally."""
    ssot_guard.install(rules=[_block()], mode="strict")
    module = importlib.import_module(NEW)
    assert module.WebSocketManager.__name__ == "WebSocketManager"
    assert ssot_guard.violations() == []


def test_similar_prefix_is_not_covered(make_package) -> None:
    """``app.old`` does not cover ``app.older``: rules work on whole dotted parts."""
    make_package({"app/old.py": "", "app/older.py": "X = 1\n"})
    ssot_guard.install(rules=[ssot_guard.Block("app.old")], mode="strict")
    assert importlib.import_module("app.older").X == 1
    with pytest.raises(BlockedImportError):
        importlib.import_module("app.old")


def test_strict_records_the_violation(app) -> None:
    """A refused import is recorded with mode ``strict`` and the rule's reason and replacement."""
    ssot_guard.install(rules=[_block()], mode="strict")
    with pytest.raises(BlockedImportError):
        importlib.import_module(OLD)
    (violation,) = ssot_guard.violations()
    assert (violation.kind, violation.name, violation.mode) == ("import", OLD, "strict")
    assert (violation.reason, violation.replacement) == (REASON, NEW)


def test_strict_reload_of_a_module_already_imported_is_refused(make_package) -> None:
    """``importlib.reload`` asks the finder again: a retired module cannot be reloaded."""
    make_package(
        {
            "app/old.py": "X = 1\n",
            "app/legacy_user.py": "import app.old\n",
        }
    )
    ssot_guard.install(
        rules=[ssot_guard.Block("app.old", allow_importers=["app.legacy_user"])], mode="strict"
    )
    importlib.import_module("app.legacy_user")  # the one importer still allowed
    old = sys.modules["app.old"]
    with pytest.raises(BlockedImportError) as info:
        importlib.reload(old)
    assert info.value.module == "app.old"


IMPORT_FORMS = [form for form in FORMS if form != "find_spec"]  # find_spec only looks


@pytest.mark.parametrize("form", IMPORT_FORMS)
def test_warn_points_at_the_user_import_statement(app, make_package, form) -> None:
    """In warn mode each import form warns once, with the user's file and line, and goes through."""
    ssot_guard.install(rules=[_block()], mode="warn")
    filename, line = _user_module(make_package, form)
    with pytest.warns(SSOTWarning) as record:
        importlib.import_module("user_" + form.replace("-", "_"))
    (warning,) = [w for w in record if issubclass(w.category, SSOTWarning)]
    assert (warning.filename, warning.lineno) == (filename, line)
    assert OLD in str(warning.message)
    assert NEW in str(warning.message)
    assert REASON in str(warning.message)
    assert OLD in sys.modules


def test_warn_find_spec_records_and_warns_when_the_spec_is_loaded(app, make_package) -> None:
    """``importlib.util.find_spec`` of a retired module is recorded at once; its warning
    comes when the spec is loaded (find_spec runs under the import lock, where no
    warning is shown), at the ``find_spec`` line, once."""
    ssot_guard.install(rules=[_block()], mode="warn")
    filename, line = _user_module(make_package, "find_spec")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        importlib.import_module("user_find_spec")
    assert [w for w in caught if issubclass(w.category, SSOTWarning)] == []
    (violation,) = ssot_guard.violations()
    assert (violation.name, violation.filename, violation.lineno) == (OLD, filename, line)
    probe_line = sys._getframe().f_lineno + 1
    spec = importlib.util.find_spec(OLD)
    assert spec is not None
    with pytest.warns(SSOTWarning) as record:
        module = _load_twice(spec)
    assert [(w.filename, w.lineno) for w in record] == [(__file__, probe_line)]  # once
    assert module.create_manager() == "old"


def _load_twice(spec: importlib.machinery.ModuleSpec) -> object:
    """Run *spec*'s module twice with its loader, as importlib's recipe does once."""
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    spec.loader.exec_module(module)
    return module


def test_warn_as_error_fails_the_import_and_leaves_nothing_half_imported(app) -> None:
    """Under ``-W error`` the import raises the SSOTWarning before the module body runs."""
    ssot_guard.install(rules=[_block()], mode="warn")
    with warnings.catch_warnings():
        warnings.simplefilter("error", SSOTWarning)
        with pytest.raises(SSOTWarning, match="import of retired module"):
            importlib.import_module(OLD)
    assert OLD not in sys.modules
    assert "websocket_manager_factory" not in vars(sys.modules["app"])
    (violation,) = ssot_guard.violations()
    assert violation.name == OLD


def test_warn_reload_points_at_the_reload_call(app, make_package) -> None:
    """Reloading a retired module warns at the user's ``importlib.reload`` line."""
    old = importlib.import_module(OLD)
    root = make_package(
        {"reloader.py": f"import importlib\nimport {OLD}\nimportlib.reload({OLD})\n"}
    )
    with pytest.warns(SSOTWarning, match="before install"):
        ssot_guard.install(rules=[_block()], mode="warn")
    with pytest.warns(SSOTWarning) as record:
        importlib.import_module("reloader")
    # Line 2 imports the module already loaded: a caller too (every caller is seen).
    reloader = str(root / "reloader.py")
    assert [(w.filename, w.lineno) for w in record] == [(reloader, 2), (reloader, 3)]
    assert sys.modules[OLD] is old


def test_violation_path_imports_nothing_else(app, capsys) -> None:
    """Matching, locating, printing the warning and logging import nothing but the module."""
    importlib.import_module("app")
    ssot_guard.install(rules=[_block()], mode="warn")
    before = set(sys.modules)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        # Printed for real, through warnings' formatting (pytest would only record it).
        warnings.showwarning = lambda message, category, filename, lineno, file=None, line=None: (
            sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))
        )
        importlib.import_module(OLD)
    assert set(sys.modules) - before == {OLD}
    assert "SSOTWarning" in capsys.readouterr().err


def test_warn_returns_the_real_module(app) -> None:
    """In warn mode the retired module itself is imported and works."""
    ssot_guard.install(rules=[_block()], mode="warn")
    with pytest.warns(SSOTWarning):
        module = importlib.import_module(OLD)
    assert module.create_manager() == "old"
    assert module.__name__ == OLD


def test_warn_is_an_error_under_error_filter(app) -> None:
    """SSOTWarning is a DeprecationWarning: ``-W error`` filters turn warn mode into a failure."""
    ssot_guard.install(rules=[_block()], mode="warn")
    with pytest.raises(SSOTWarning):
        importlib.import_module(OLD)  # pytest runs with filterwarnings = error


def test_warn_records_once_per_location_with_count(app, make_package) -> None:
    """Three imports from one line make one record with count 3."""
    ssot_guard.install(rules=[_block()], mode="warn")
    root = make_package(
        {
            "loop.py": (
                "import importlib, sys\n"
                "for _ in range(3):\n"
                f"    sys.modules.pop({OLD!r}, None)\n"
                f"    importlib.import_module({OLD!r})\n"
            )
        }
    )
    with pytest.warns(SSOTWarning):
        importlib.import_module("loop")
    (violation,) = ssot_guard.violations()
    assert violation.count == 3
    assert (violation.filename, violation.lineno) == (str(root / "loop.py"), 4)
    assert violation.importer == "loop"
    assert "(3 times)" in str(violation)


def test_warn_records_each_location_separately(app, make_package) -> None:
    """Two importing lines make two records, one each."""
    ssot_guard.install(rules=[_block()], mode="warn")
    make_package(
        {"two.py": (f"import sys\nimport {OLD}\nsys.modules.pop({OLD!r})\nimport {OLD}\n")}
    )
    with pytest.warns(SSOTWarning):
        importlib.import_module("two")
    assert sorted((v.lineno, v.count) for v in ssot_guard.violations()) == [(2, 1), (4, 1)]


def test_warn_logs_once_per_location(app, make_package, caplog) -> None:
    """The ``ssot_guard`` logger gets one record per location, however often it repeats."""
    ssot_guard.install(rules=[_block()], mode="warn")
    make_package(
        {
            "logged.py": (
                "import importlib, sys\n"
                "for _ in range(3):\n"
                f"    sys.modules.pop({OLD!r}, None)\n"
                f"    importlib.import_module({OLD!r})\n"
                f"sys.modules.pop({OLD!r})\n"
                f"importlib.import_module({OLD!r})\n"
            )
        }
    )
    with caplog.at_level(logging.WARNING, logger="ssot_guard"), pytest.warns(SSOTWarning):
        importlib.import_module("logged")
    records = [r for r in caplog.records if r.name == "ssot_guard"]
    assert len(records) == 2
    assert {r.ssot_line for r in records} == {4, 6}  # type: ignore[attr-defined]
    assert all(OLD in r.getMessage() for r in records)


def test_retired_package_may_import_its_own_parts(make_package) -> None:
    """Once an allowed importer loads a retired package, its imports of its own parts pass."""
    make_package(
        {
            "app/old/__init__.py": "",
            "app/old/a.py": "from app.old import b\n",
            "app/old/b.py": "B = 2\n",
            "app/legacy.py": "from app.old import a\n",
        }
    )
    ssot_guard.install(
        rules=[ssot_guard.Block("app.old", allow_importers=["app.legacy"])], mode="strict"
    )
    assert importlib.import_module("app.legacy").a.b.B == 2
    assert ssot_guard.violations() == []


def test_allow_importers_lets_listed_modules_import(make_package) -> None:
    """A module named in ``allow_importers`` may import the retired module; others may not."""
    make_package(
        {
            "app/old.py": "X = 1\n",
            "app/legacy_tests/test_old.py": "from app.old import X\n",
            "app/service.py": "from app.old import X\n",
        }
    )
    rule = ssot_guard.Block("app.old", allow_importers=["app.legacy_tests.**"])
    ssot_guard.install(rules=[rule], mode="strict")
    assert importlib.import_module("app.legacy_tests.test_old").X == 1
    del sys.modules["app.old"]
    with pytest.raises(BlockedImportError):
        importlib.import_module("app.service")


def test_allow_importers_uses_the_import_statement_frame(make_package) -> None:
    """The importer is the module whose code runs the import, even through import_module."""
    make_package(
        {
            "app/old.py": "X = 1\n",
            "app/legacy.py": "import importlib\nOLD = importlib.import_module('app.old')\n",
        }
    )
    rule = ssot_guard.Block("app.old", allow_importers=["app.legacy"])
    ssot_guard.install(rules=[rule], mode="strict")
    assert importlib.import_module("app.legacy").OLD.X == 1
    assert ssot_guard.violations() == []


def test_allow_exempts_a_module_from_a_pattern(make_package) -> None:
    """``allow`` exempts names a pattern would otherwise cover."""
    make_package(
        {
            "app/ws/user_execution_context.py": "OK = True\n",
            "app/ws/manager_factory.py": "",
            "app/ws/context_factory.py": "",
        }
    )
    rule = ssot_guard.Block(
        pattern="app.ws.*factory*", allow=["app.ws.context_factory"], reason="factories removed"
    )
    ssot_guard.install(rules=[rule], mode="strict")
    importlib.import_module("app.ws.context_factory")
    assert importlib.import_module("app.ws.user_execution_context").OK
    with pytest.raises(BlockedImportError, match="factories removed"):
        importlib.import_module("app.ws.manager_factory")


def test_pattern_rule_blocks_every_match(make_package) -> None:
    """A ``pattern`` rule blocks each module the glob matches, with the rule's message."""
    make_package({"app/a_factory.py": "", "app/sub/b_factory.py": "", "app/plain.py": ""})
    ssot_guard.install(rules=[ssot_guard.Block(pattern="app.**.*_factory", use="app.plain")])
    with pytest.warns(SSOTWarning, match="use 'app.plain' instead"):
        importlib.import_module("app.a_factory")
    with pytest.warns(SSOTWarning):
        importlib.import_module("app.sub.b_factory")
    importlib.import_module("app.plain")
    assert sorted(v.name for v in ssot_guard.violations()) == ["app.a_factory", "app.sub.b_factory"]


def test_blocked_import_error_survives_pickling(app) -> None:
    """A BlockedImportError pickled (as multiprocessing does) keeps its message and fields."""
    ssot_guard.install(rules=[_block()], mode="strict")
    with pytest.raises(BlockedImportError) as info:
        importlib.import_module(OLD)
    copy = pickle.loads(pickle.dumps(info.value))
    assert type(copy) is BlockedImportError
    assert str(copy) == str(info.value)
    assert (copy.module, copy.reason, copy.use, copy.name) == (OLD, REASON, NEW, None)


def test_pickle_loads_naming_a_retired_module(app, make_package) -> None:
    """Unpickling an object of a retired module is an import too: refused, or warned at the call."""
    make_package({"app/websocket_manager_factory/things.py": "class Thing:\n    pass\n"})
    thing = importlib.import_module(OLD + ".things").Thing()
    data = pickle.dumps(thing)
    for name in [n for n in sys.modules if n.startswith(OLD)]:
        del sys.modules[name]
    ssot_guard.install(rules=[_block()], mode="strict")
    with pytest.raises(BlockedImportError):
        pickle.loads(data)
    ssot_guard.install(rules=[_block()], mode="warn")
    with pytest.warns(SSOTWarning) as record:
        pickle.loads(data)  # the warning points here
    assert (record[0].filename, record[0].lineno) == (__file__, _line_of("pickle.loads(data)  #"))


def _line_of(text: str) -> int:
    """The line of this file holding *text*."""
    with open(__file__, encoding="utf-8") as f:
        return next(n for n, line in enumerate(f, 1) if text in line and "_line_of" not in line)


@pytest.mark.parametrize(
    "name",
    [
        "x_gone",  # no such module: the import fails with ModuleNotFoundError
        "__hello__",  # frozen: FrozenImporter is a class, no loader of ours can run
        pytest.param(
            "xxsubtype",  # builtin: BuiltinImporter, likewise
            marks=pytest.mark.skipif(
                "xxsubtype" not in sys.builtin_module_names, reason="not built in here"
            ),
        ),
    ],
)
def test_warn_without_a_loader_of_ours_never_imports_under_the_lock(name) -> None:
    """With no loader of ours to show it later, find_spec shows the warning only if that
    imports nothing: here ``warnings`` would import ``linecache``, so it is only recorded."""
    code = (
        "import sys, warnings, ssot_guard\n"
        "warnings.simplefilter('always')\n"
        f"ssot_guard.install(rules=[ssot_guard.Block({name!r})], mode='warn')\n"
        "before = set(sys.modules)\n"
        "try:\n"
        f"    import {name}\n"
        "except ModuleNotFoundError:\n"
        "    print('not found')\n"
        f"print(sorted(set(sys.modules) - before - {{{name!r}}}), len(ssot_guard.violations()))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SSOT_GUARD_", "PYTHON"))}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert result.stdout.splitlines()[-1] == "[] 1", result.stdout + result.stderr
    assert "SSOTWarning" not in result.stderr


@pytest.mark.parametrize("mode", ["warn", "strict"])
@pytest.mark.parametrize("name", [5, b"app.x"])
def test_importer_whose_name_is_not_a_string(app, mode, name) -> None:
    """Code run with a ``__name__`` that is no string (``exec`` with odd globals) gets our
    verdict, not an error from our internals: its importer is unknown, as for a script."""
    ssot_guard.install(rules=[_block(allow_importers=["app.x"])], mode=mode)
    expected = SSOTWarning if mode == "warn" else BlockedImportError
    with warnings.catch_warnings():
        warnings.simplefilter("error", SSOTWarning)
        warnings.filterwarnings("ignore", module="nothing_matches")  # filters read the module
        with pytest.raises(expected):
            exec(f"import {OLD}", {"__name__": name})
    (violation,) = ssot_guard.violations()
    assert (violation.importer, violation.filename) == (None, "<string>")


def test_warn_find_spec_of_a_submodule_runs_the_package_and_only_looks_at_the_submodule(
    app,
) -> None:
    """``find_spec`` of a retired package's submodule imports the package (warned: it runs)
    and only looks at the submodule (recorded, not warned); importing it later warns."""
    ssot_guard.install(rules=[_block()], mode="warn")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        spec = importlib.util.find_spec(f"{OLD}.helpers")
    assert spec is not None
    assert [w.message.args[0].split("'")[1] for w in caught] == [OLD]  # type: ignore[union-attr]
    assert [v.name for v in ssot_guard.violations()] == [OLD, f"{OLD}.helpers"]
    assert f"{OLD}.helpers" not in sys.modules
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        importlib.import_module(f"{OLD}.helpers")  # the package is read here too: a caller
    names = {w.message.args[0].split("'")[1] for w in caught}  # type: ignore[union-attr]
    assert names == {OLD, f"{OLD}.helpers"}


# A finder that some library puts before ours and that asks the finders after it itself
# (the import hooks of typeguard and beartype do this), in a module of its own.
DELEGATING_FINDER = """\
import sys


class Delegating:
    def find_spec(self, fullname, path=None, target=None):
        for finder in sys.meta_path[sys.meta_path.index(self) + 1 :]:
            find = getattr(finder, "find_spec", None)
            spec = find(fullname, path, target) if find is not None else None
            if spec is not None:
                return spec
        return None
"""


def _delegating_finder_first(make_package, mode: str) -> None:
    make_package(
        {
            "hooks/delegating.py": DELEGATING_FINDER,
            "app/user.py": f"\n\nimport {OLD}\n",
            "app/allowed.py": f"import {OLD}\n",
        }
    )
    hooks = importlib.import_module("hooks.delegating")
    ssot_guard.install(rules=[ssot_guard.Block(OLD, allow_importers=["app.allowed"])], mode=mode)
    sys.meta_path.insert(0, hooks.Delegating())


def test_finder_before_ours_that_asks_ours_is_no_importer_warn(app, make_package) -> None:
    """Warn: the warning and the violation name the import statement, not the line of a
    finder before ours that calls our ``find_spec`` itself."""
    _delegating_finder_first(make_package, "warn")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        importlib.import_module("app.user")
    user = str(app / "app" / "user.py")
    assert [(w.filename, w.lineno) for w in caught] == [(user, 3)]
    assert [(v.importer, v.filename, v.lineno) for v in ssot_guard.violations()] == [
        ("app.user", user, 3)
    ]


def test_finder_before_ours_that_asks_ours_leaves_allow_importers_to_the_importer(
    app, make_package
) -> None:
    """Strict: ``allow_importers`` decides on the importing module, not on the module of a
    finder before ours that calls our ``find_spec`` itself."""
    _delegating_finder_first(make_package, "strict")
    with pytest.raises(BlockedImportError):
        importlib.import_module("app.user")
    assert importlib.import_module("app.allowed")
    assert [(v.importer, v.lineno) for v in ssot_guard.violations()] == [("app.user", 3)]


@pytest.mark.parametrize("mode", ["warn", "strict"])
def test_wrapt_post_import_hook_is_no_importer(app, make_package, mode) -> None:
    """wrapt's post-import hooks (OpenTelemetry and APM instrumentations register them) put a
    finder before ours that asks again through ``importlib.util.find_spec``: the importer,
    file and line stay the import statement's, and ``allow_importers`` decides on it."""
    make_package({"app/user.py": f"\n\nimport {OLD}\n", "app/allowed.py": f"import {OLD}\n"})
    code = (
        "import sys, warnings, importlib, ssot_guard, wrapt\n"
        f"sys.path.insert(0, {str(app)!r})\n"
        "warnings.simplefilter('ignore')\n"
        f"rule = ssot_guard.Block({OLD!r}, allow_importers=['app.allowed'])\n"
        f"ssot_guard.install(rules=[rule], mode={mode!r})\n"
        f"wrapt.register_post_import_hook(lambda module: print('hooked'), {OLD!r})\n"
        "for name in ('app.user', 'app.allowed'):\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except ImportError as error:\n"
        "        print(type(error).__name__)\n"
        "print([(v.importer, v.lineno) for v in ssot_guard.violations()])\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SSOT_GUARD_", "PYTHON"))}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    first = ["hooked"] if mode == "warn" else ["BlockedImportError", "hooked"]
    assert result.stdout.splitlines() == [*first, "[('app.user', 3)]"], result.stderr


def test_wrapt_post_import_hook_after_our_finder_judges_once(app, make_package) -> None:
    """A wrapt post-import hook registered before ``install()`` puts its finder after ours;
    asked by our warn-mode search, it asks the import system again for the same name: the
    import is judged once, one violation and one warning at the import statement, and the
    module is watched (a later importer is recorded)."""
    make_package({"app/user.py": f"\n\nimport {OLD}\n", "app/later.py": f"import {OLD}\n"})
    code = (
        "import sys, warnings, importlib, ssot_guard, wrapt\n"
        f"sys.path.insert(0, {str(app)!r})\n"
        "warnings.simplefilter('always')\n"
        f"wrapt.register_post_import_hook(lambda module: print('hooked'), {OLD!r})\n"
        f"ssot_guard.install(rules=[ssot_guard.Block({OLD!r})], mode='warn')\n"
        "importlib.import_module('app.user')\n"
        "print([(v.importer, v.lineno, v.count) for v in ssot_guard.violations()])\n"
        "importlib.import_module('app.later')\n"
        "print([v.importer for v in ssot_guard.violations()])\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SSOT_GUARD_", "PYTHON"))}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert result.stdout.splitlines() == [
        "hooked",
        "[('app.user', 3, 1)]",
        "['app.user', 'app.later']",
    ], result.stderr
    assert result.stderr.count("SSOTWarning") == 2, result.stderr
