"""``[[tool.ssot_guard.unique]]``: copy-pasted classes in watched packages; the wrapped loaders."""

from __future__ import annotations

import importlib
import importlib.resources
import os
import pickle
import subprocess
import sys
import textwrap
import threading
import typing
from importlib.machinery import SourceFileLoader
from pathlib import Path

import pytest

import ssot_guard
from ssot_guard import DuplicateClassError, SSOTWarning, Unique
from ssot_guard._runtime._finder import SSOTFinder
from ssot_guard._runtime._watch import WatchedLoader

if typing.TYPE_CHECKING:
    from conftest import MakePackage

CORE = "app.websocket_core.websocket_manager"
MANAGER = "class WebSocketManager:\n    pass\n"
PASTED = '"""A copy."""\n\n\nclass WebSocketManager:\n    pass\n'
PASTED_LINE = 4


@pytest.fixture(autouse=True)
def _no_mode_override(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rules' modes decide here, whatever the environment says."""
    monkeypatch.delenv("SSOT_GUARD_MODE", raising=False)


@pytest.fixture
def app(make_package: MakePackage) -> Path:
    """A canonical manager, a module that pastes a copy, one that imports it, and a bystander."""
    return make_package(
        {
            "app/websocket_core/websocket_manager.py": MANAGER,
            "app/websocket_core/factory.py": PASTED,
            "app/websocket_core/api.py": f"from {CORE} import WebSocketManager\n",
            "app/data.txt": "payload",
            "app/models.py": (
                "class Event:\n    def __init__(self, name):\n        self.name = name\n"
            ),
            "other/copy.py": MANAGER,
        }
    )


def unique(mode: str = "strict", *, canonical: str | None = None) -> ssot_guard.Guard:
    return ssot_guard.install(
        rules=[Unique("WebSocketManager", within=["app"], canonical=canonical)],
        mode=mode,  # type: ignore[arg-type]
    )


def test_second_definition_strict_raises_from_its_import(app: Path) -> None:
    """Strict: importing the module that pastes a second class raises DuplicateClassError."""
    unique("strict")
    importlib.import_module(CORE)
    with pytest.raises(DuplicateClassError) as caught:
        importlib.import_module("app.websocket_core.factory")
    message = str(caught.value)
    assert f"{app / 'app/websocket_core/factory.py'}:{PASTED_LINE}" in message
    assert f"{app / 'app/websocket_core/websocket_manager.py'}:1" in message
    assert "app.websocket_core.factory" not in sys.modules


def test_second_definition_warn_warns_at_the_class_statement(app: Path) -> None:
    """Warn: the import goes through; the SSOTWarning points at the pasted class statement."""
    unique("warn")
    importlib.import_module(CORE)
    with pytest.warns(SSOTWarning, match="second definition of class") as caught:
        importlib.import_module("app.websocket_core.factory")
    assert caught[0].filename == str(app / "app/websocket_core/factory.py")
    assert caught[0].lineno == PASTED_LINE
    [violation] = ssot_guard.violations()
    assert (violation.kind, violation.name, violation.importer) == (
        "duplicate-class",
        "WebSocketManager",
        "app.websocket_core.factory",
    )


def test_off_rule_watches_nothing(app: Path) -> None:
    """A rule in mode off wraps no loader and reports nothing."""
    ssot_guard.install(rules=[Unique("WebSocketManager", within=["app"], mode="off")])
    importlib.import_module(CORE)
    factory = importlib.import_module("app.websocket_core.factory")
    assert not isinstance(factory.__loader__, WatchedLoader)
    assert ssot_guard.violations() == []


def test_canonical_makes_any_other_definition_a_violation_even_first(app: Path) -> None:
    """With ``canonical``, a definition elsewhere is refused even before the canonical one."""
    unique("strict", canonical=CORE)
    with pytest.raises(DuplicateClassError, match=f"defined outside its canonical module '{CORE}'"):
        importlib.import_module("app.websocket_core.factory")
    importlib.import_module(CORE)


def test_canonical_definition_itself_is_fine(app: Path) -> None:
    """The canonical module defines the class, and can be reloaded, without violation."""
    unique("strict", canonical=CORE)
    module = importlib.import_module(CORE)
    importlib.reload(module)
    assert ssot_guard.violations() == []


def test_importing_the_class_is_not_defining_it(app: Path) -> None:
    """A module that imports (re-exports) the class is not a second definition."""
    unique("strict", canonical=CORE)
    api = importlib.import_module("app.websocket_core.api")
    assert api.WebSocketManager is sys.modules[CORE].WebSocketManager


def test_modules_outside_within_are_not_watched(app: Path) -> None:
    """A copy outside the ``within`` packages is not checked and its loader is untouched."""
    unique("strict")
    importlib.import_module(CORE)
    other = importlib.import_module("other.copy")
    assert type(other.__loader__) is SourceFileLoader


def test_reload_of_a_watched_module_is_not_a_duplicate(app: Path) -> None:
    """Reloading the module that defined the class first replaces it silently."""
    unique("strict")
    module = importlib.import_module(CORE)
    importlib.reload(module)
    importlib.reload(module)
    assert ssot_guard.violations() == []


def test_one_file_under_two_names_is_diagnosed(make_package: MakePackage) -> None:
    """``src.app.x`` and ``app.x`` (one file), both watched, are reported as one file twice."""
    root = make_package({"src/app/x.py": MANAGER})
    sys.path.insert(0, str(root / "src"))
    ssot_guard.install(rules=[Unique("WebSocketManager", within=["app", "src.app"])], mode="strict")
    importlib.import_module("src.app.x")
    with pytest.raises(DuplicateClassError, match="imported under two module names"):
        importlib.import_module("app.x")


def test_preloaded_modules_are_checked_at_install_warn(app: Path) -> None:
    """Warn: classes imported before install() are checked when it runs."""
    importlib.import_module(CORE)
    importlib.import_module("app.websocket_core.factory")
    with pytest.warns(SSOTWarning, match="second definition of class"):
        unique("warn")
    assert [v.importer for v in ssot_guard.violations()] == ["app.websocket_core.factory"]


def test_preloaded_duplicates_make_strict_install_fail(app: Path) -> None:
    """Strict: install() raises DuplicateClassError and leaves no guard behind."""
    importlib.import_module(CORE)
    importlib.import_module("app.websocket_core.factory")
    with pytest.raises(DuplicateClassError):
        unique("strict")
    assert ssot_guard.active_guard() is None
    assert not any(isinstance(f, SSOTFinder) for f in sys.meta_path)


def test_preloaded_canonical_is_remembered(app: Path) -> None:
    """A canonical class imported before install() is the first definition afterwards."""
    importlib.import_module(CORE)
    unique("strict")
    with pytest.raises(DuplicateClassError):
        importlib.import_module("app.websocket_core.factory")


def test_still_exactly_one_finder(app: Path) -> None:
    """Unique rules add no finder of their own: one SSOTFinder, at the front."""
    before = [f for f in sys.meta_path if not isinstance(f, SSOTFinder)]
    unique("warn")
    assert isinstance(sys.meta_path[0], SSOTFinder)
    assert [f for f in sys.meta_path if not isinstance(f, SSOTFinder)] == before
    assert sum(isinstance(f, SSOTFinder) for f in sys.meta_path) == 1


def test_loader_keeps_isinstance_and_get_code(app: Path) -> None:
    """The wrapped loader passes isinstance(SourceFileLoader), get_code and get_filename."""
    unique("strict")
    models = importlib.import_module("app.models")
    loader = models.__loader__
    assert isinstance(loader, WatchedLoader)
    assert isinstance(loader, SourceFileLoader)
    assert models.__spec__.loader is loader
    assert loader.get_filename("app.models") == str(app / "app/models.py")
    code = loader.get_code("app.models")
    assert code.co_filename == str(app / "app/models.py")


def test_loader_keeps_spec(app: Path) -> None:
    """``__spec__`` of a watched module names it, its origin and cached file."""
    unique("strict")
    models = importlib.import_module("app.models")
    assert models.__spec__.name == "app.models"
    assert models.__spec__.origin == str(app / "app/models.py")
    assert models.__spec__.cached is not None
    assert models.__file__ == str(app / "app/models.py")


def test_loader_keeps_resources(app: Path) -> None:
    """importlib.resources reads package data through the wrapped loader."""
    unique("strict")
    package = importlib.import_module("app")
    assert isinstance(package.__loader__, WatchedLoader)
    assert importlib.resources.files("app").joinpath("data.txt").read_text() == "payload"


def test_pickling_objects_of_watched_modules(app: Path) -> None:
    """Instances of classes from watched modules pickle and unpickle."""
    unique("strict")
    models = importlib.import_module("app.models")
    event = pickle.loads(pickle.dumps(models.Event("connect")))
    assert type(event) is models.Event
    assert event.name == "connect"


def test_uninstall_unwraps_loaders(app: Path) -> None:
    """After uninstall, watched modules carry their real loaders again."""
    unique("strict")
    models = importlib.import_module("app.models")
    ssot_guard.uninstall()
    assert type(models.__loader__) is SourceFileLoader
    assert type(models.__spec__.loader) is SourceFileLoader


def test_python_dash_m_runs_a_watched_module(app: Path, tmp_path: Path) -> None:
    """``python -m app.models`` under an installed guard runs the module through the proxy."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(
        textwrap.dedent(
            """\
            import ssot_guard
            ssot_guard.install(
                rules=[ssot_guard.Unique("WebSocketManager", within=["app"])], mode="strict"
            )
            """
        )
    )
    (app / "app" / "tool.py").write_text(
        "print(type(__loader__).__name__, __spec__.name, __name__)\n"
        "class WebSocketManager:\n    pass\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "app.tool"],
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(app)])},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "WatchedSourceFileLoader app.tool __main__\n"


def test_unique_rules_from_pyproject(app: Path, tmp_path: Path) -> None:
    """``[[tool.ssot_guard.unique]]`` in pyproject.toml, keys class/within/canonical/reason."""
    config = tmp_path / "pyproject.toml"
    config.write_text(
        textwrap.dedent(
            f"""\
            [tool.ssot_guard]
            mode = "strict"

            [[tool.ssot_guard.unique]]
            class = "WebSocketManager"
            within = ["app"]
            canonical = "{CORE}"
            reason = "one manager (#1126)"
            """
        )
    )
    ssot_guard.install(config)
    with pytest.raises(
        DuplicateClassError, match=r"\(one manager \(#1126\); defined outside"
    ) as caught:
        importlib.import_module("app.websocket_core.factory")
    assert "tool.ssot_guard.unique[0]" in str(caught.value)


def test_many_threads_importing_watched_modules(make_package: MakePackage) -> None:
    """8 threads importing 40 watched modules each at once: no deadlock, all checked and wrapped."""
    files = {
        f"app/t{t}/m{n}.py": f"class Thing{t}x{n}:\n    pass\n" for t in range(8) for n in range(40)
    }
    make_package(files)
    ssot_guard.install(rules=[Unique("Thing0x0", within=["app"])], mode="strict")
    barrier = threading.Barrier(8)
    failures: list[BaseException] = []

    def work(t: int) -> None:
        try:
            barrier.wait()
            for n in range(40):
                importlib.import_module(f"app.t{t}.m{n}")
        except BaseException as error:  # pragma: no cover - reported below
            failures.append(error)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert all(
        isinstance(sys.modules[f"app.t{t}.m{n}"].__loader__, WatchedLoader)
        for t in range(8)
        for n in range(40)
    )
    assert ssot_guard.violations() == []
