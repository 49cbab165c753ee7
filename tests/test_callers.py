"""Warn mode records every caller of a retired module, not only the first importer."""

from __future__ import annotations

import importlib
import importlib.util
import runpy
import sys
import threading
import types
import typing
import warnings

import pytest

import ssot_guard
from recipes import lazy_import
from ssot_guard import Block, BlockedImportError, Deprecate, Redirect, SSOTWarning

if typing.TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from conftest import MakePackage

RETIRED = "app.old"

# Each form of importing the retired module, and the line that counts as its location.
FORMS: list[tuple[str, int]] = [
    ("import app.old\nVALUE = app.old.X\n", 1),
    ("import app.old as x\nVALUE = x.X\n", 1),
    ("from app import old\nVALUE = old.X\n", 2),  # the import reads the parent: first use
    ("from app.old import X as VALUE\n", 1),
    ("import importlib\nVALUE = importlib.import_module('app.old').X\n", 2),
    ("VALUE = __import__('app.old', fromlist=['X']).X\n", 1),
]


@pytest.fixture(autouse=True)
def _no_mode_override(monkeypatch: pytest.MonkeyPatch) -> None:
    """The install() call decides the mode, whatever the environment says."""
    monkeypatch.delenv("SSOT_GUARD_MODE", raising=False)


@pytest.fixture
def users(make_package: MakePackage) -> Path:
    """``app.old`` and fifty modules ``app.users.mNN`` importing it, the forms in turn."""
    files = {"app/old.py": "X = 1\n\ndef f():\n    return 2\n"}
    for index in range(50):
        source, _ = FORMS[index % len(FORMS)]
        files[f"app/users/m{index:02d}.py"] = source
    return make_package(files)


@pytest.fixture
def quiet() -> Iterator[None]:
    """Warn mode warns at each new location: here only the record is under test."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SSOTWarning)
        yield


def import_users() -> None:
    for index in range(50):
        importlib.import_module(f"app.users.m{index:02d}")


def recorded_importers() -> dict[str, int | None]:
    return {
        v.importer: v.lineno
        for v in ssot_guard.violations()
        if v.kind == "import" and v.importer is not None
    }


def expected_importers() -> dict[str, int]:
    return {f"app.users.m{i:02d}": FORMS[i % len(FORMS)][1] for i in range(50)}


@pytest.mark.usefixtures("users", "quiet")
def test_fifty_importers_fifty_records_after_install() -> None:
    """Installed first: the first importer reaches the finder, the other 49 are seen too."""
    ssot_guard.install(rules=[Block(RETIRED)], mode="warn")
    import_users()
    assert recorded_importers() == expected_importers()


@pytest.mark.usefixtures("users", "quiet")
def test_fifty_importers_fifty_records_when_imported_before_install() -> None:
    """Imported before install(): every importer afterwards is recorded, whatever its form."""
    importlib.import_module(RETIRED)
    ssot_guard.install(rules=[Block(RETIRED)], mode="warn")
    import_users()
    assert recorded_importers() == expected_importers()
    assert [v.kind for v in ssot_guard.violations()].count("preloaded") == 1


@pytest.mark.usefixtures("users")
def test_each_new_location_warns_once() -> None:
    """A later importer gets its own SSOTWarning, at its own line."""
    ssot_guard.install(rules=[Block(RETIRED)], mode="warn")
    with pytest.warns(SSOTWarning):
        importlib.import_module("app.users.m00")
    with pytest.warns(SSOTWarning) as record:
        importlib.import_module("app.users.m01")
    assert [w.filename.endswith("m01.py") for w in record] == [True]


@pytest.mark.usefixtures("users", "quiet")
def test_repeated_use_is_one_record_counted_once() -> None:
    """The same line using the module a thousand times is one record with count 1."""
    old = importlib.import_module(RETIRED)
    ssot_guard.install(rules=[Block(RETIRED)], mode="warn")
    before = len(ssot_guard.violations())
    for _ in range(1000):
        old.f()
    (use,) = ssot_guard.violations()[before:]
    assert (use.importer, use.count) == (__name__, 1)


def test_use_in_a_function_counts_where_the_module_was_imported_by_attribute(
    make_package: MakePackage, quiet: None
) -> None:
    """``from app import old`` inside a module: the first line using ``old`` is the location."""
    make_package(
        {
            "app/old.py": "X = 1\n",
            "app/user.py": "from app import old\n\n\ndef get():\n    return old.X\n",
        }
    )
    importlib.import_module(RETIRED)
    ssot_guard.install(rules=[Block(RETIRED)], mode="warn")
    user = importlib.import_module("app.user")
    assert "app.user" not in recorded_importers()
    user.get()
    user.get()
    assert recorded_importers()["app.user"] == 5


def test_later_uses_in_a_recorded_importer_add_nothing(
    make_package: MakePackage, quiet: None
) -> None:
    """An importer whose import statement was recorded is one caller, however often it uses it."""
    make_package(
        {
            "app/old.py": "X = 1\n",
            "app/user.py": "import app.old\n\n\ndef get():\n    return app.old.X\n",
        }
    )
    ssot_guard.install(rules=[Block(RETIRED)], mode="warn")
    importlib.import_module("app.user").get()
    assert [(v.importer, v.lineno) for v in ssot_guard.violations()] == [("app.user", 1)]


def test_introspection_is_not_a_use(make_package: MakePackage, quiet: None) -> None:
    """Tools reading ``__file__`` or ``__dict__`` of every module are no callers."""
    make_package({"app/old.py": "X = 1\n"})
    old = importlib.import_module(RETIRED)
    ssot_guard.install(rules=[Block(RETIRED)], mode="warn")
    before = ssot_guard.violations()
    assert old.__file__
    assert old.__dict__
    assert old.__name__ == RETIRED
    assert ssot_guard.violations() == before


def test_getmembers_and_help_are_not_a_use(make_package: MakePackage) -> None:
    """``inspect.getmembers`` (and ``pydoc``/``help()``) of a loaded retired module is not
    recorded at inspect.py's line, nor warned about: it looks, as for ``[[deprecate]]``."""
    import inspect
    import pydoc

    make_package({"app/old.py": "X = 1\n\ndef f():\n    return 2\n"})
    old = importlib.import_module(RETIRED)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SSOTWarning)
        ssot_guard.install(rules=[Block(RETIRED)], mode="warn")
    before = ssot_guard.violations()
    with warnings.catch_warnings():
        warnings.simplefilter("error", SSOTWarning)
        assert ("X", 1) in inspect.getmembers(old)
        assert "app.old" in pydoc.render_doc(old)
    assert ssot_guard.violations() == before


def test_retired_package_parts_are_not_callers(make_package: MakePackage, quiet: None) -> None:
    """The retired package's own modules use each other freely, as the finder lets them."""
    make_package(
        {
            "app/old/__init__.py": "",
            "app/old/core.py": "X = 1\n",
            "app/old/api.py": "import app.old.core\n\n\ndef get():\n    return app.old.core.X\n",
        }
    )
    importlib.import_module("app.old.core")
    importlib.import_module("app.old.api")
    ssot_guard.install(rules=[Block("app.old")], mode="warn")
    assert vars(sys.modules["app.old.api"])["get"]() == 1  # no attribute read of ours
    assert recorded_importers() == {}


def test_allowed_importers_are_not_callers(make_package: MakePackage, quiet: None) -> None:
    """``allow_importers`` still lets its modules import and use the retired module."""
    make_package({"app/old.py": "X = 1\n", "app/bridge.py": "import app.old\n"})
    importlib.import_module(RETIRED)
    ssot_guard.install(rules=[Block(RETIRED, allow_importers=["app.bridge"])], mode="warn")
    importlib.import_module("app.bridge")
    assert recorded_importers() == {}


def test_callers_after_an_allowed_importer_loaded_it_are_seen(
    make_package: MakePackage, quiet: None
) -> None:
    """An allowed importer loads the module first; the next, not allowed, is still recorded."""
    make_package(
        {
            "app/old.py": "X = 1\n",
            "app/bridge.py": "import app.old\n",
            "app/user.py": "import app.old\n",
        }
    )
    ssot_guard.install(rules=[Block(RETIRED, allow_importers=["app.bridge"])], mode="warn")
    importlib.import_module("app.bridge")
    importlib.import_module("app.user")
    assert recorded_importers() == {"app.user": 1}


@pytest.mark.usefixtures("users")
def test_strict_refuses_every_importer() -> None:
    """Strict mode: each importer's import raises, the first as every later one."""
    ssot_guard.install(rules=[Block(RETIRED)], mode="strict")
    for index in range(3):
        with pytest.raises(BlockedImportError):
            importlib.import_module(f"app.users.m{index:02d}")
    assert {v.mode for v in ssot_guard.violations()} == {"strict"}
    assert RETIRED not in sys.modules


@pytest.mark.usefixtures("users", "quiet")
def test_uninstall_gives_the_module_its_type_back() -> None:
    """After uninstall() the retired module is a plain module again, and nothing is recorded."""
    guard = ssot_guard.install(rules=[Block(RETIRED)], mode="warn")
    old = importlib.import_module(RETIRED)
    assert type(old) is not types.ModuleType
    guard.uninstall()
    assert type(old) is types.ModuleType
    assert type(old.__spec__.loader).__name__ == "SourceFileLoader"  # type: ignore[union-attr]
    before = ssot_guard.violations()
    import_users()
    assert ssot_guard.violations() == before


@pytest.mark.usefixtures("users", "quiet")
def test_untouched_modules_keep_their_type() -> None:
    """Only the retired module changes type; its package and its neighbours do not."""
    ssot_guard.install(rules=[Block(RETIRED)], mode="warn")
    import_users()
    assert type(sys.modules["app"]) is types.ModuleType
    assert type(sys.modules["app.users.m00"]) is types.ModuleType
    assert isinstance(sys.modules[RETIRED], types.ModuleType)


def test_redirected_module_stays_the_canonical_object(
    make_package: MakePackage, quiet: None
) -> None:
    """A redirect's old name is the canonical module itself: its type is never changed."""
    make_package({"app/old.py": "", "app/new.py": "X = 1\n"})
    ssot_guard.install(rules=[Redirect(RETIRED, to="app.new")], mode="warn")
    old = importlib.import_module(RETIRED)
    assert old is sys.modules["app.new"]
    assert type(old) is types.ModuleType


def test_deprecated_names_of_a_retired_module_still_work(
    make_package: MakePackage, quiet: None
) -> None:
    """A retired module that also has deprecated names: both rules see their uses."""
    make_package(
        {
            "app/old.py": "X = 1\n\ndef make():\n    return 3\n",
            "app/user.py": "from app.old import make\n\nVALUE = make()\n",
        }
    )
    ssot_guard.install(
        rules=[Block(RETIRED), Deprecate("app.old:make", use="app.new:make")], mode="warn"
    )
    importlib.import_module(RETIRED)
    importlib.import_module("app.user")
    kinds = {(v.kind, v.importer) for v in ssot_guard.violations()}
    assert ("import", "app.user") in kinds
    assert ("deprecated-name", "app.user") in kinds


def test_threads_record_each_location_once(make_package: MakePackage, quiet: None) -> None:
    """Eight threads using the module from one line: one record."""
    make_package({"app/old.py": "X = 1\n"})
    old = importlib.import_module(RETIRED)
    ssot_guard.install(rules=[Block(RETIRED)], mode="warn")
    before = len(ssot_guard.violations())

    def use() -> None:
        for _ in range(2000):
            old.X  # noqa: B018

    threads = [threading.Thread(target=use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(ssot_guard.violations()) == before + 1


def test_warning_as_error_raises_again_at_the_next_import_from_that_line(
    make_package: MakePackage,
) -> None:
    """Under an error filter, every import from a later caller's line raises, not only the first.

    As the finder's path does (the module never loads, so a retry reaches it
    again): a location whose warning raised is not taken as handled.
    """
    make_package({"app/old.py": "X = 1\n"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SSOTWarning)
        ssot_guard.install(rules=[Block(RETIRED)], mode="warn")
        importlib.import_module(RETIRED)
    outcomes = []
    with warnings.catch_warnings():
        warnings.simplefilter("error", SSOTWarning)
        for _ in range(2):
            try:
                importlib.import_module(RETIRED)  # one line, imported twice
            except SSOTWarning:
                outcomes.append("raised")
            else:
                outcomes.append("imported")
    assert outcomes == ["raised", "raised"]
    # The import under "ignore" once, the retried line twice.
    assert sorted(v.count for v in ssot_guard.violations() if v.importer == __name__) == [1, 2]


@pytest.mark.parametrize(
    ("source", "line"),
    [
        ("import app.old\n\nVALUE = app.old.X\n", 1),
        ("from app.old import X as VALUE\n", 1),
    ],
)
def test_warning_as_error_fails_a_later_importer(
    make_package: MakePackage, source: str, line: int
) -> None:
    """Under an error filter a later importer of a loaded retired module fails, once recorded.

    From 3.13 its import statement raises. Up to 3.12 the interpreter discards
    what reading ``__spec__`` raises for an import statement, so the error is
    raised at the importer's next read of the module; it names the import line.
    """
    make_package({"app/old.py": "X = 1\n", "app/user.py": source})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SSOTWarning)
        ssot_guard.install(rules=[Block(RETIRED)], mode="warn")
        importlib.import_module(RETIRED)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SSOTWarning)
        with pytest.raises(SSOTWarning, match=r"import of retired module 'app\.old'"):
            importlib.import_module("app.user")
    assert "app.user" not in sys.modules
    assert [(v.lineno, v.count) for v in ssot_guard.violations() if v.importer == "app.user"] == [
        (line, 1)
    ]


def test_circular_importer_of_the_retired_module_is_a_caller(
    make_package: MakePackage, quiet: None
) -> None:
    """A module that the retired one imports, importing it back, is recorded at its import.

    The cycle meets the retired module still executing, already in
    ``sys.modules``: it is watched from before its body runs, not after.
    """
    make_package(
        {
            "app/old.py": "import app.new\n\nX = 1\n",
            "app/new.py": "import app.old\n\n\ndef use():\n    return app.old.X\n",
        }
    )
    ssot_guard.install(rules=[Block(RETIRED)], mode="warn")
    importlib.import_module(RETIRED)
    assert recorded_importers() == {__name__: sys._getframe().f_lineno - 1, "app.new": 1}


@pytest.mark.parametrize(
    "source",
    ["import importlib\n\nimportlib.import_module('app.old')\n", "import os\n\nimport app.old\n"],
)
def test_importer_whose_parent_package_loads_the_module_is_a_caller(
    make_package: MakePackage, quiet: None, source: str
) -> None:
    """``app/__init__.py`` imports ``app.old``; a first import of ``app.old`` elsewhere imports
    ``app``, whose body loads it: that statement is recorded too, at its line.

    The import system then finds the module in ``sys.modules`` without reading it, and
    the statement never uses it again: it was seen nowhere (found on a seed-shaped backend).
    """
    make_package(
        {"app/__init__.py": "import app.old\n", "app/old.py": "X = 1\n", "plugin.py": source}
    )
    ssot_guard.install(rules=[Block(RETIRED)], mode="warn")
    importlib.import_module("plugin")
    assert recorded_importers() == {"app": 1, "plugin": 3}


def test_shim_of_a_loaded_new_module_records_no_outer_request_under_its_name(
    make_package: MakePackage, quiet: None
) -> None:
    """A retired shim that puts another retired module in its place: the outer request for the
    shim's name is not recorded as an import of that other module."""
    make_package(
        {
            "app/__init__.py": "import app.old\n",
            "app/old.py": "import sys, app.older\nsys.modules[__name__] = app.older\n",
            "app/older.py": "X = 1\n",
            "plugin.py": "import importlib\n\nimportlib.import_module('app.old')\n",
        }
    )
    ssot_guard.install(rules=[Block(pattern="app.old*")], mode="warn")
    importlib.import_module("plugin")
    recorded = {(v.name, v.importer, v.lineno) for v in ssot_guard.violations()}
    assert ("app.older", "plugin", 3) not in recorded
    assert ("app.old", "app", 1) in recorded


def test_retired_module_that_sets_its_own_type_is_still_watched(
    make_package: MakePackage, quiet: None
) -> None:
    """A body doing ``sys.modules[__name__].__class__ = ...`` keeps its type and is watched."""
    make_package(
        {
            "app/old.py": (
                "import sys, types\n\n\n"
                "class Lazy(types.ModuleType):\n"
                "    @property\n"
                "    def LAZY(self):\n"
                "        return 42\n\n\n"
                "sys.modules[__name__].__class__ = Lazy\n"
            ),
            "app/user.py": "import app.old\n\nVALUE = app.old.LAZY\n",
        }
    )
    guard = ssot_guard.install(rules=[Block(RETIRED)], mode="warn")
    old = importlib.import_module(RETIRED)
    assert importlib.import_module("app.user").VALUE == 42
    assert recorded_importers()["app.user"] == 1
    guard.uninstall()
    assert type(old).__name__ == "Lazy"
    assert type(old).__mro__[1] is types.ModuleType  # ours is gone


def test_retired_module_that_replaces_itself_in_sys_modules_is_watched(
    make_package: MakePackage, quiet: None
) -> None:
    """A body doing ``sys.modules[__name__] = other_module`` hands importers the other one:
    that is the module whose later callers are seen."""
    make_package(
        {
            "app/old.py": (
                "import sys, types\n\n\n"
                "class Swapped(types.ModuleType):\n"
                "    X = 1\n\n\n"
                "sys.modules[__name__] = Swapped(__name__)\n"
            ),
            "app/user.py": "import app.old\n\nVALUE = app.old.X\n",
        }
    )
    guard = ssot_guard.install(rules=[Block(RETIRED)], mode="warn")
    old = importlib.import_module(RETIRED)
    assert importlib.import_module("app.user").VALUE == 1
    assert recorded_importers() == {__name__: sys._getframe().f_lineno - 2, "app.user": 1}
    guard.uninstall()
    assert type(old).__name__ == "Swapped"
    assert type(old).__mro__[1] is types.ModuleType  # ours is gone


def test_shim_that_puts_the_new_module_in_its_place_leaves_it_alone(
    make_package: MakePackage, quiet: None
) -> None:
    """A retired module that is a shim (``sys.modules[__name__] = app.new``) does not make
    the new module watched: its own importers are no callers of the retired name."""
    make_package(
        {
            "app/new.py": "X = 1\n",
            "app/old.py": "import sys\n\nimport app.new\n\nsys.modules[__name__] = app.new\n",
            "app/user.py": "import app.new\n\nVALUE = app.new.X\n",
        }
    )
    ssot_guard.install(rules=[Block(RETIRED)], mode="warn")
    new = importlib.import_module("app.new")
    assert importlib.import_module(RETIRED) is new
    assert importlib.import_module("app.user").VALUE == 1
    assert type(new) is types.ModuleType
    assert "app.user" not in recorded_importers()


def test_find_spec_of_the_loaded_module_is_recorded_not_warned(
    make_package: MakePackage,
) -> None:
    """``importlib.util.find_spec`` only looks, as when the module is not loaded: no warning."""
    make_package({"app/old.py": "X = 1\n"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SSOTWarning)
        ssot_guard.install(rules=[Block(RETIRED)], mode="warn")
        importlib.import_module(RETIRED)
    line = sys._getframe().f_lineno + 3
    with warnings.catch_warnings():
        warnings.simplefilter("error", SSOTWarning)
        spec = importlib.util.find_spec(RETIRED)
    assert spec is vars(sys.modules[RETIRED])["__spec__"]
    assert (__name__, line) in {(v.importer, v.lineno) for v in ssot_guard.violations()}


def test_retired_namespace_package_warns_and_sees_later_callers(make_package: MakePackage) -> None:
    """A retired namespace package (no ``__init__.py``) warns at its import, like any module,
    and its later importers are recorded; it stays a namespace package."""
    root = make_package({"app/user.py": "import app.legacy\n"})
    (root / "app" / "legacy").mkdir()
    (root / "app" / "legacy" / "part.py").write_text("X = 1\n")
    ssot_guard.install(rules=[Block("app.legacy")], mode="warn")
    with pytest.warns(SSOTWarning, match="app.legacy"):
        legacy = importlib.import_module("app.legacy")
    assert legacy.__file__ is None
    assert list(legacy.__path__) == [str(root / "app" / "legacy")]
    with pytest.warns(SSOTWarning):
        importlib.import_module("app.user")
    assert recorded_importers()["app.user"] == 1


def test_run_module_of_the_loaded_module_warns_at_the_callers_line(
    make_package: MakePackage,
) -> None:
    """``runpy.run_module`` runs the module, through ``importlib.util.find_spec``: a use, not
    a look, so it warns, at its caller's line."""
    make_package({"app/old.py": "X = 1\n"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SSOTWarning)
        ssot_guard.install(rules=[Block(RETIRED)], mode="warn")
        importlib.import_module(RETIRED)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always", SSOTWarning)
        warnings.simplefilter("ignore", RuntimeWarning)  # runpy's: "found in sys.modules"
        runpy.run_module(RETIRED)
    line = sys._getframe().f_lineno - 1
    assert [(w.category, w.filename, w.lineno) for w in record] == [(SSOTWarning, __file__, line)]


def test_code_that_used_a_retired_module_is_freed_when_dropped(users: Path, quiet: None) -> None:
    """Code compiled, run and dropped again and again (a template rendered per request) that
    uses a retired module: each code object is freed, so memory does not grow with requests.

    Every code object that read the module from a new instruction was kept alive for ever
    (its id stood for it in the set of instructions seen): about 1 kB a request.
    """
    import gc
    import weakref

    ssot_guard.install(rules=[Block(RETIRED)], mode="warn")
    import app.old  # noqa: F401

    def render() -> weakref.ref[types.CodeType]:
        code = compile("import app.old\nVALUE = app.old.X\n", "<template>", "exec")
        exec(code, {"__name__": "template"})
        return weakref.ref(code)

    codes = [render() for _ in range(3)]
    gc.collect()
    assert [code() for code in codes] == [None, None, None]


@pytest.mark.usefixtures("quiet")
def test_clearing_the_record_keeps_the_guards_memory_of_callers(make_package: MakePackage) -> None:
    """After ``clear_violations()`` a caller already seen is not recorded again by the same
    guard (once for its life, as documented); a guard installed anew records it again."""
    user = "import app.old\n\ndef again():\n    import app.old\n"
    make_package({"app/old.py": "X = 1\n", "app/user.py": user})
    ssot_guard.install(rules=[Block(RETIRED)], mode="warn")
    module = importlib.import_module("app.user")
    module.again()
    assert [v.lineno for v in ssot_guard.violations()] == [1, 4]
    ssot_guard.clear_violations()
    module.again()
    assert ssot_guard.violations() == []
    ssot_guard.install(rules=[Block(RETIRED)], mode="warn")
    module.again()
    imports = [v for v in ssot_guard.violations() if v.kind == "import"]
    assert [(v.importer, v.lineno) for v in imports] == [("app.user", 4)]


def test_lazy_import_of_a_retired_module_is_watched_once_loaded(
    make_package: MakePackage, quiet: None
) -> None:
    """``LazyLoader``: the module loads on first use, is then watched (a later importer is
    recorded), and gets its own type back at ``uninstall()`` (on 3.13 this recursed)."""
    make_package({"app/old.py": "X = 1\n", "app/user.py": "import app.old\n\nVALUE = app.old.X\n"})
    guard = ssot_guard.install(rules=[Block(RETIRED)], mode="warn")
    old = lazy_import(RETIRED)
    assert old.X == 1
    importlib.import_module("app").old = old  # what the recipe leaves out
    assert importlib.import_module("app.user").VALUE == 1
    assert recorded_importers()["app.user"] == 1
    guard.uninstall()
    assert type(old) is types.ModuleType


def test_retired_module_lazily_imported_before_install_is_watched_once_loaded(
    make_package: MakePackage, quiet: None
) -> None:
    """A lazy module not loaded yet at ``install()`` stays lazy (no subclass of
    ``_LazyModule``, which the load would throw away), and is watched once it loads."""
    make_package({"app/old.py": "X = 1\n", "app/user.py": "import app.old\n\nVALUE = app.old.X\n"})
    old = lazy_import(RETIRED)
    importlib.import_module("app").old = old
    loader = object.__getattribute__(old, "__spec__").loader
    ssot_guard.install(rules=[Block(RETIRED)], mode="warn").uninstall()
    assert object.__getattribute__(old, "__spec__").loader is loader  # still lazy, as it was
    guard = ssot_guard.install(rules=[Block(RETIRED)], mode="warn")
    assert old.X == 1
    assert importlib.import_module("app.user").VALUE == 1
    assert recorded_importers()["app.user"] == 1
    guard.uninstall()
    assert type(old) is types.ModuleType


# A loader that reads the module's ``__spec__`` while loading it, as pytest's assertion
# rewriter does in ``exec_module``; its finder sits after ours, as pytest's does.
READING_LOADER = """\
import importlib.machinery


class ReadingLoader(importlib.machinery.SourceFileLoader):
    def exec_module(self, module):
        self.origin = module.__spec__.origin
        super().exec_module(module)


class Hook:
    def find_spec(self, fullname, path=None, target=None):
        if fullname != "app.old":
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        spec.loader = ReadingLoader(spec.loader.name, spec.loader.path)
        return spec
"""


def test_the_modules_own_loader_is_no_caller(make_package: MakePackage, quiet: None) -> None:
    """A loader that reads ``module.__spec__`` in ``exec_module`` (pytest's assertion
    rewriter) loads the module: its line is not recorded as a second caller."""
    make_package({"app/old.py": "X = 1\n", "hooks/reading.py": READING_LOADER})
    hooks = importlib.import_module("hooks.reading")
    ssot_guard.install(rules=[Block(RETIRED)], mode="warn")
    sys.meta_path.insert(1, hooks.Hook())
    line = sys._getframe().f_lineno + 1
    assert importlib.import_module(RETIRED).X == 1
    assert [(v.importer, v.lineno) for v in ssot_guard.violations()] == [(__name__, line)]
