"""``[[tool.ssot_guard.deprecate]]``: retired module attributes, refused or warned about."""

from __future__ import annotations

import importlib
import inspect
import pickle
import sys
import textwrap
import types
import typing
import warnings
from pathlib import Path

import pytest

import ssot_guard
from recipes import lazy_import
from ssot_guard import Deprecate, SSOTWarning

if typing.TYPE_CHECKING:
    from conftest import MakePackage

LEGACY = "app.websocket_core.legacy"
NAME = f"{LEGACY}:create_websocket_manager"
USE = "app.websocket_core.websocket_manager:get_websocket_manager"

LEGACY_SOURCE = '''\
def create_websocket_manager(user_id, *, mode="unified"):
    """Build a manager (deprecated)."""
    return ("manager", user_id, mode)


def internal_helper():
    return create_websocket_manager("internal")


TIMEOUT = 30
'''


@pytest.fixture(autouse=True)
def _no_mode_override(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rules' modes decide here, whatever the environment says."""
    monkeypatch.delenv("SSOT_GUARD_MODE", raising=False)


@pytest.fixture
def app(make_package: MakePackage) -> Path:
    """A legacy module with a deprecated factory function and constant."""
    return make_package({"app/websocket_core/legacy.py": LEGACY_SOURCE})


def deprecate(mode: str, name: str = NAME, use: str | None = USE) -> ssot_guard.Guard:
    return ssot_guard.install(rules=[Deprecate(name, use=use, mode=mode)])  # type: ignore[arg-type]


def run(source: str, module: str = "user_code") -> dict[str, object]:
    """Execute *source* as module *module*; return its namespace."""
    namespace: dict[str, object] = {"__name__": module}
    exec(compile(textwrap.dedent(source), f"<{module}>", "exec"), namespace)
    return namespace


def test_strict_from_import_raises_import_error_naming_replacement(app: Path) -> None:
    """Strict: ``from legacy import name`` raises ImportError naming the replacement."""
    deprecate("strict")
    with pytest.raises(ImportError, match=f"use '{USE}' instead") as caught:
        run(f"from {LEGACY} import create_websocket_manager")
    assert "cannot import name 'create_websocket_manager'" in str(caught.value)
    assert isinstance(caught.value, ssot_guard.DeprecatedNameError)


def test_strict_attribute_access_raises_attribute_error_naming_replacement(app: Path) -> None:
    """Strict: ``legacy.name`` raises AttributeError naming the replacement."""
    deprecate("strict")
    legacy = importlib.import_module(LEGACY)
    with pytest.raises(ssot_guard.DeprecatedAttributeError, match=f"use '{USE}' instead") as caught:
        _ = legacy.create_websocket_manager
    assert isinstance(caught.value, AttributeError)  # hasattr() and getattr(..., default) work
    assert not hasattr(legacy, "create_websocket_manager")
    assert getattr(legacy, "create_websocket_manager", "gone") == "gone"


def test_strict_keeps_the_module_working_internally(app: Path) -> None:
    """Strict: the legacy module's own code still reaches the name through its globals."""
    deprecate("strict")
    legacy = importlib.import_module(LEGACY)
    assert legacy.internal_helper() == ("manager", "internal", "unified")
    assert legacy.TIMEOUT == 30


def test_strict_use_is_recorded(app: Path) -> None:
    """Strict: the refused import is recorded as a deprecated-name violation."""
    deprecate("strict")
    with pytest.raises(ssot_guard.DeprecatedNameError):
        run(f"from {LEGACY} import create_websocket_manager")
    [violation] = ssot_guard.violations()
    assert (violation.kind, violation.name, violation.replacement, violation.mode) == (
        "deprecated-name",
        NAME,
        USE,
        "strict",
    )
    assert violation.filename == "<user_code>"


def test_warn_name_still_works(app: Path) -> None:
    """Warn: the deprecated function still returns what it always returned."""
    deprecate("warn")
    namespace = run(f"from {LEGACY} import create_websocket_manager as create")
    create = typing.cast(typing.Callable[..., object], namespace["create"])
    with pytest.warns(SSOTWarning):
        assert create("u1", mode="isolated") == ("manager", "u1", "isolated")


def test_warn_points_at_the_call_site(app: Path) -> None:
    """Warn: the SSOTWarning's file and line are the caller's, and it names the replacement."""
    deprecate("warn")
    with pytest.warns(SSOTWarning, match=f"use '{USE}' instead") as caught:
        run(
            f"""\
            from {LEGACY} import create_websocket_manager
            create_websocket_manager("u1")
            """
        )
    assert (caught[0].filename, caught[0].lineno) == ("<user_code>", 2)


def test_warn_once_per_call_site(app: Path) -> None:
    """Warn: a call site warns once however often it runs; another site warns again."""
    deprecate("warn")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run(
            f"""\
            from {LEGACY} import create_websocket_manager
            for _ in range(3):
                create_websocket_manager("u1")
            create_websocket_manager("u2")
            """
        )
    assert [(w.category, w.lineno) for w in caught] == [(SSOTWarning, 3), (SSOTWarning, 4)]
    counts = {v.lineno: v.count for v in ssot_guard.violations()}
    assert counts == {3: 3, 4: 1}


def test_warn_keeps_signature_docstring_and_inspect(app: Path) -> None:
    """Warn: the wrapper keeps the signature, docstring, name and ``inspect`` answers."""
    deprecate("warn")
    legacy = importlib.import_module(LEGACY)
    create = legacy.create_websocket_manager
    original = vars(legacy)["create_websocket_manager"]
    assert create is not original
    assert inspect.signature(create) == inspect.signature(original)
    assert create.__doc__ == "Build a manager (deprecated)."
    assert create.__name__ == "create_websocket_manager"
    assert inspect.isfunction(create)
    assert inspect.getsource(create) == inspect.getsource(original)


def test_warn_on_reading_a_deprecated_constant(app: Path) -> None:
    """Warn: a non-callable deprecated value warns where it is read, and is returned as is."""
    deprecate("warn", name=f"{LEGACY}:TIMEOUT", use=None)
    with pytest.warns(SSOTWarning, match=f"use of deprecated name '{LEGACY}:TIMEOUT'") as caught:
        namespace = run(f"from {LEGACY} import TIMEOUT")
    assert namespace["TIMEOUT"] == 30
    assert (caught[0].filename, caught[0].lineno) == ("<user_code>", 1)


def test_missing_name_is_refused_even_in_warn_mode(app: Path) -> None:
    """A deprecated name the module no longer has fails with the replacement in the message."""
    deprecate("warn", name=f"{LEGACY}:removed_factory")
    with pytest.raises(ImportError, match=f"use '{USE}' instead"):
        run(f"from {LEGACY} import removed_factory")


def test_applied_when_the_module_is_imported_later(app: Path) -> None:
    """A guard installed first applies the deprecation when the module is imported."""
    deprecate("strict")
    assert LEGACY not in sys.modules
    legacy = importlib.import_module(LEGACY)
    with pytest.raises(ssot_guard.DeprecatedAttributeError):
        _ = legacy.create_websocket_manager


def test_applied_at_install_when_already_imported(app: Path) -> None:
    """A module imported before install() gets the deprecation when install() runs."""
    legacy = importlib.import_module(LEGACY)
    assert legacy.create_websocket_manager("x") == ("manager", "x", "unified")
    deprecate("strict")
    with pytest.raises(ssot_guard.DeprecatedAttributeError):
        _ = legacy.create_websocket_manager


def test_reapplied_after_reload(app: Path) -> None:
    """Reloading the legacy module keeps the deprecation in force."""
    deprecate("strict")
    legacy = importlib.import_module(LEGACY)
    importlib.reload(legacy)
    with pytest.raises(ssot_guard.DeprecatedAttributeError):
        _ = legacy.create_websocket_manager


def test_uninstall_restores_the_module(app: Path) -> None:
    """After uninstall the module is a plain module again and the name works."""
    legacy = importlib.import_module(LEGACY)
    deprecate("strict")
    assert type(legacy) is not types.ModuleType
    ssot_guard.uninstall()
    assert type(legacy) is types.ModuleType
    assert legacy.create_websocket_manager("x") == ("manager", "x", "unified")


def test_module_keeps_its_identity(app: Path) -> None:
    """The patched module is still a module: same object, repr, ``__name__`` and ``dir()``."""
    deprecate("warn")
    legacy = importlib.import_module(LEGACY)
    assert isinstance(legacy, types.ModuleType)
    assert sys.modules[LEGACY] is legacy
    assert repr(legacy).startswith(f"<module '{LEGACY}' from ")
    assert "create_websocket_manager" in dir(legacy)


def test_deprecate_rules_from_pyproject(app: Path, tmp_path: Path) -> None:
    """``[[tool.ssot_guard.deprecate]]`` in pyproject.toml, keys name/use/reason/mode."""
    config = tmp_path / "pyproject.toml"
    config.write_text(
        textwrap.dedent(
            f"""\
            [tool.ssot_guard]
            mode = "warn"

            [[tool.ssot_guard.deprecate]]
            name = "{NAME}"
            use = "{USE}"
            reason = "dual factory pattern removed (#1126)"
            mode = "strict"
            """
        )
    )
    ssot_guard.install(config)
    with pytest.raises(
        ImportError, match=r"retired; use .* instead \(dual factory pattern removed"
    ) as caught:
        run(f"from {LEGACY} import create_websocket_manager")
    assert "tool.ssot_guard.deprecate[0]" in str(caught.value)


def test_warn_name_served_by_module_getattr(make_package: MakePackage) -> None:
    """Warn: a name the module provides through PEP 562 ``__getattr__`` still works (wrapped)."""
    make_package(
        {
            "app/lazy.py": (
                "def __getattr__(name):\n"
                "    if name == 'factory':\n"
                "        return lambda: 'made'\n"
                "    raise AttributeError(name)\n"
            )
        }
    )
    deprecate("warn", name="app.lazy:factory")
    lazy = importlib.import_module("app.lazy")
    with pytest.warns(SSOTWarning, match="use of deprecated name 'app.lazy:factory'"):
        assert lazy.factory() == "made"


def test_module_that_replaces_itself_in_sys_modules_is_patched(make_package: MakePackage) -> None:
    """A body doing ``sys.modules[__name__] = other_module`` hands importers the other one:
    that is the module whose deprecated name warns."""
    make_package(
        {
            "app/swap.py": (
                "import sys, types\n\n\n"
                "class Swapped(types.ModuleType):\n"
                "    def factory(self):\n"
                "        return 'made'\n\n\n"
                "sys.modules[__name__] = Swapped(__name__)\n"
            )
        }
    )
    deprecate("warn", name="app.swap:factory")
    swap = importlib.import_module("app.swap")
    assert type(swap).__mro__[1].__name__ == "Swapped"
    with pytest.warns(SSOTWarning, match="use of deprecated name 'app.swap:factory'"):
        assert swap.factory() == "made"


def test_lazy_import_warns_at_the_first_read_of_the_deprecated_name(
    make_package: MakePackage,
) -> None:
    """``importlib.util.LazyLoader``: the read that loads the module is the caller's, not
    importlib's looking; the module keeps its deprecations after loading (3.13 recursed)."""

    make_package({"app/lazily.py": "FACTORY = 'made'\n"})
    guard = deprecate("warn", name="app.lazily:FACTORY")
    module = lazy_import("app.lazily")
    with pytest.warns(SSOTWarning, match="use of deprecated name 'app.lazily:FACTORY'"):
        assert module.FACTORY == "made"
    guard.uninstall()
    assert type(module) is types.ModuleType


@pytest.mark.parametrize("form", ["from-import", "attribute"])
def test_strict_errors_pickle(app: Path, form: str) -> None:
    """The strict errors survive pickling (multiprocessing), keeping the replacement."""
    deprecate("strict")
    source = {
        "from-import": f"from {LEGACY} import create_websocket_manager",
        "attribute": f"import {LEGACY}\n{LEGACY}.create_websocket_manager",
    }[form]
    with pytest.raises(ssot_guard.SSOTError) as caught:
        run(source)
    copy = pickle.loads(pickle.dumps(caught.value))
    assert type(copy) is type(caught.value)
    assert str(copy) == str(caught.value)
    assert copy.use == USE


def test_reinstall_applies_one_layer(app: Path) -> None:
    """Installing again replaces the deprecation instead of stacking a second one."""
    legacy = importlib.import_module(LEGACY)
    deprecate("warn")
    deprecate("strict")
    assert type(legacy).__mro__[1] is types.ModuleType
    with pytest.raises(ssot_guard.DeprecatedAttributeError):
        _ = legacy.create_websocket_manager


def test_strict_star_import_refuses_a_public_retired_name(app: Path) -> None:
    """Strict: ``from legacy import *`` would import the retired name, so it is refused."""
    deprecate("strict")
    with pytest.raises(ImportError, match=f"use '{USE}' instead"):
        run(f"from {LEGACY} import *")


@pytest.mark.parametrize("mode", ["strict", "warn"])
def test_name_of_a_package_is_recorded_once_per_import(
    make_package: MakePackage, mode: str
) -> None:
    """``from package import name``: importlib's own ``hasattr`` probe is not a second use."""
    make_package({"app/legacy/__init__.py": "TIMEOUT = 30\n"})
    deprecate(mode, name="app.legacy:TIMEOUT")
    if mode == "strict":
        with pytest.raises(ImportError, match="cannot import name 'TIMEOUT'"):
            run("from app.legacy import TIMEOUT")
    else:
        with pytest.warns(SSOTWarning):
            run("from app.legacy import TIMEOUT")
    [violation] = ssot_guard.violations()
    assert (violation.filename, violation.lineno, violation.count) == ("<user_code>", 1, 1)


def test_failed_install_puts_the_previous_deprecations_back(make_package: MakePackage) -> None:
    """When a strict install() fails, the guard it replaced is back with its deprecations."""
    make_package(
        {
            "app/legacy.py": LEGACY_SOURCE,
            "app/a.py": "class Manager:\n    pass\n",
            "app/b.py": "class Manager:\n    pass\n",
        }
    )
    legacy = importlib.import_module("app.legacy")
    importlib.import_module("app.a")
    importlib.import_module("app.b")
    previous = deprecate("strict", name="app.legacy:create_websocket_manager")
    with pytest.raises(ssot_guard.DuplicateClassError):
        ssot_guard.install(rules=[ssot_guard.Unique("Manager", within=["app"])], mode="strict")
    assert ssot_guard.active_guard() is previous
    with pytest.raises(ssot_guard.DeprecatedAttributeError):
        _ = legacy.create_websocket_manager


def test_warn_as_error_raises_at_every_call_from_a_site(app: Path) -> None:
    """Under an error filter a call site raises each time it runs, as a blocked import does.

    Once per call site is for warnings that were shown: one that raised
    instead leaves the site unseen, so the next call there raises again.
    """
    ssot_guard.install(
        rules=[Deprecate(NAME, use=USE), Deprecate(f"{LEGACY}:TIMEOUT", use=USE)], mode="warn"
    )
    legacy = importlib.import_module(LEGACY)
    outcomes = []
    with warnings.catch_warnings():
        warnings.simplefilter("error", SSOTWarning)
        for _ in range(2):
            for read in (lambda: legacy.create_websocket_manager("u1"), lambda: legacy.TIMEOUT):
                try:
                    read()
                except SSOTWarning:
                    outcomes.append("raised")
                else:
                    outcomes.append("ran")
    assert outcomes == ["raised"] * 4


OLD_CLASSES = """\
class OldError(Exception):
    pass


class OldManager:
    def __init__(self, name):
        self.name = name


def fail():
    raise OldError("old")
"""


def test_warn_deprecated_exception_class_can_still_be_caught(make_package: MakePackage) -> None:
    """Warn mode keeps code working: ``except legacy.OldError`` catches the error (a wrapper
    around the class made that clause a TypeError), and the read is recorded."""
    make_package({"app/errors.py": OLD_CLASSES})
    ssot_guard.install(rules=[Deprecate("app.errors:OldError", use="app.errors:NewError")])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SSOTWarning)
        namespace = run(
            """
            import app.errors
            try:
                app.errors.fail()
            except app.errors.OldError as error:
                caught = error
            """
        )
    assert str(namespace["caught"]) == "old"
    assert [v.name for v in ssot_guard.violations()] == ["app.errors:OldError"]


def test_warn_deprecated_class_is_the_class_itself(make_package: MakePackage) -> None:
    """A deprecated class read in warn mode is the class: ``type(x) is``, ``match`` class
    patterns and pickling of its instances work as without the guard."""
    make_package({"app/errors.py": OLD_CLASSES})
    ssot_guard.install(rules=[Deprecate("app.errors:OldManager", use="app.errors:Manager")])
    import app.errors  # type: ignore[import-not-found]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SSOTWarning)
        manager = app.errors.OldManager("a")
        assert type(manager) is app.errors.OldManager
        assert pickle.loads(pickle.dumps(manager)).name == "a"
        match manager:
            case app.errors.OldManager(name=name):
                assert name == "a"


def test_warn_deprecated_function_pickles_by_reference(app: Path) -> None:
    """The wrapper of a deprecated function pickles (and copies) as the function's name, as the
    function itself would; unpickled, it is the module's attribute again."""
    import copy

    deprecate("warn")
    legacy = importlib.import_module(LEGACY)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SSOTWarning)
        function = legacy.create_websocket_manager
        assert pickle.loads(pickle.dumps(function)) is function
        assert copy.copy(function) is function


def test_warn_deprecated_type_alias_pickles_as_its_value(make_package: MakePackage) -> None:
    """A deprecated callable that is not a function (a generic alias such as ``list[int]``)
    pickles as the value it wraps, not as a global of another name."""
    make_package({"app/aliases.py": "OldIds = list[int]\n"})
    ssot_guard.install(rules=[Deprecate("app.aliases:OldIds", use="app.aliases:Ids")])
    import app.aliases  # type: ignore[import-not-found]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SSOTWarning)
        assert pickle.loads(pickle.dumps(app.aliases.OldIds)) == list[int]


def test_second_copy_loaded_by_hand_is_patched_too(make_package: MakePackage) -> None:
    """``module_from_spec`` + ``exec_module`` by hand, for a module already imported, makes a
    second module object: it warns on its deprecated name like the first."""
    import importlib.util

    make_package({"app/twice.py": "FACTORY = 'made'\n"})
    deprecate("warn", name="app.twice:FACTORY")
    first = importlib.import_module("app.twice")
    spec = importlib.util.spec_from_loader("app.twice", vars(first)["__loader__"])
    assert spec is not None
    second = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(second)
    assert second is not first
    with pytest.warns(SSOTWarning, match="use of deprecated name 'app.twice:FACTORY'"):
        assert second.FACTORY == "made"


def test_wrapt_post_import_hook_registered_before_install(make_package: MakePackage) -> None:
    """A wrapt post-import hook on the module, registered before ``install()`` (its finder
    then sits after ours and asks the import system again): the deprecation still applies."""
    import os
    import subprocess

    root = make_package({"app/hooked.py": "FACTORY = 'made'\n"})
    code = (
        "import sys, warnings, ssot_guard, wrapt\n"
        f"sys.path.insert(0, {str(root)!r})\n"
        "warnings.simplefilter('always')\n"
        "wrapt.register_post_import_hook(lambda module: print('hooked'), 'app.hooked')\n"
        "ssot_guard.install(rules=[ssot_guard.Deprecate('app.hooked:FACTORY')], mode='warn')\n"
        "import app.hooked\n"
        "print(app.hooked.FACTORY, len(ssot_guard.violations()))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SSOT_GUARD_", "PYTHON"))}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert result.stdout.splitlines() == ["hooked", "made 1"], result.stderr
    assert "use of deprecated name 'app.hooked:FACTORY'" in result.stderr
