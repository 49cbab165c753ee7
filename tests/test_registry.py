"""The SSOT class registry: SSOTMeta, SSOTBase, @ssot_class, canonical(), snapshots, modes."""

from __future__ import annotations

import abc
import dataclasses
import enum
import gc
import importlib
import os
import subprocess
import sys
import textwrap
import threading
import typing
from collections.abc import Callable
from pathlib import Path

import pytest

import ssot_guard
from ssot_guard import DuplicateClassError, SSOTBase, SSOTMeta, SSOTWarning, ssot_class

if typing.TYPE_CHECKING:
    from conftest import MakePackage

MANAGER = """\
from ssot_guard import SSOTMeta


class WebSocketManager(metaclass=SSOTMeta):
    pass
"""
MANAGER_LINE = 4


@pytest.fixture
def use_mode(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], ssot_guard.Guard]:
    """Install an empty guard whose mode the registry follows."""
    monkeypatch.delenv("SSOT_GUARD_MODE", raising=False)

    def use(mode: str) -> ssot_guard.Guard:
        return ssot_guard.install(rules=[], mode=mode)  # type: ignore[arg-type]

    return use


def define(source: str, module: str = "tests_generated") -> dict[str, object]:
    """Run *source* as if it were the body of module *module* (classes get that ``__module__``)."""
    namespace: dict[str, object] = {"__name__": module}
    exec(textwrap.dedent(source), namespace)
    return namespace


def test_metaclass_registers_class_under_its_name(make_package: MakePackage) -> None:
    """A class with metaclass SSOTMeta is what canonical() returns for its name."""
    make_package({"app/core.py": MANAGER})
    core = importlib.import_module("app.core")
    assert ssot_guard.canonical("WebSocketManager") is core.WebSocketManager


def test_ssot_key_keyword_sets_the_key(make_package: MakePackage) -> None:
    """``ssot_key=`` registers the class under that key instead of its name."""
    make_package(
        {
            "app/core.py": """\
            from ssot_guard import SSOTMeta
            class Manager(metaclass=SSOTMeta, ssot_key="websocket-manager"):
                pass
            """
        }
    )
    core = importlib.import_module("app.core")
    assert ssot_guard.canonical("websocket-manager") is core.Manager
    with pytest.raises(KeyError):
        ssot_guard.canonical("Manager")


def test_canonical_of_unknown_key_is_a_key_error() -> None:
    """canonical() of a key nobody registered raises KeyError naming the key."""
    with pytest.raises(KeyError, match="no class is registered under 'NoSuchClass'"):
        ssot_guard.canonical("NoSuchClass")


def test_strict_duplicate_names_both_definitions(
    make_package: MakePackage, use_mode: Callable[[str], object]
) -> None:
    """Strict: the second definition raises DuplicateClassError with both modules, files, lines."""
    root = make_package({"app/core.py": MANAGER, "app/copy.py": MANAGER})
    use_mode("strict")
    importlib.import_module("app.core")
    with pytest.raises(DuplicateClassError) as caught:
        importlib.import_module("app.copy")
    message = str(caught.value)
    assert message.startswith(
        "second definition of class 'WebSocketManager' "
        f"at {root / 'app' / 'copy.py'}:{MANAGER_LINE}; use 'app.core.WebSocketManager' instead"
    )
    assert f"first defined at {root / 'app' / 'core.py'}:{MANAGER_LINE}" in message
    assert isinstance(caught.value, TypeError)


def test_rejected_definition_is_never_registered(
    make_package: MakePackage, use_mode: Callable[[str], object]
) -> None:
    """After a strict rejection the registry still holds the first class."""
    make_package({"app/core.py": MANAGER, "app/copy.py": MANAGER})
    use_mode("strict")
    core = importlib.import_module("app.core")
    with pytest.raises(DuplicateClassError):
        importlib.import_module("app.copy")
    assert ssot_guard.canonical("WebSocketManager") is core.WebSocketManager
    assert "app.copy" not in sys.modules


def test_warn_duplicate_warns_at_class_statement_and_records(
    make_package: MakePackage, use_mode: Callable[[str], object]
) -> None:
    """Warn: an SSOTWarning points at the second class statement; the violation is recorded."""
    root = make_package({"app/core.py": MANAGER, "app/copy.py": MANAGER})
    use_mode("warn")
    core = importlib.import_module("app.core")
    with pytest.warns(SSOTWarning, match="second definition of class") as caught:
        copy = importlib.import_module("app.copy")
    assert caught[0].filename == str(root / "app" / "copy.py")
    assert caught[0].lineno == MANAGER_LINE
    assert copy.WebSocketManager is not core.WebSocketManager
    assert ssot_guard.canonical("WebSocketManager") is core.WebSocketManager
    [violation] = ssot_guard.violations()
    assert (violation.kind, violation.name, violation.mode) == (
        "duplicate-class",
        "WebSocketManager",
        "warn",
    )
    assert (violation.importer, violation.lineno) == ("app.copy", MANAGER_LINE)
    assert violation.replacement == "app.core.WebSocketManager"


def test_off_mode_does_nothing(
    make_package: MakePackage, use_mode: Callable[[str], object]
) -> None:
    """Off: a second definition neither raises, warns nor records."""
    make_package({"app/core.py": MANAGER, "app/copy.py": MANAGER})
    use_mode("off")
    importlib.import_module("app.core")
    importlib.import_module("app.copy")
    assert ssot_guard.violations() == []


def test_environment_beats_guard_mode(
    make_package: MakePackage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SSOT_GUARD_MODE=strict overrides install(mode='warn') for the registry too."""
    make_package({"app/core.py": MANAGER, "app/copy.py": MANAGER})
    monkeypatch.setenv("SSOT_GUARD_MODE", "strict")
    ssot_guard.install(rules=[], mode="warn")
    importlib.import_module("app.core")
    with pytest.raises(DuplicateClassError):
        importlib.import_module("app.copy")


@pytest.mark.parametrize(
    ("env", "expected"),
    [("strict", "DuplicateClassError"), ("", "SSOTWarning"), ("off", "no complaint")],
)
def test_mode_before_install_follows_environment(tmp_path: Path, env: str, expected: str) -> None:
    """Before any install(): SSOT_GUARD_MODE decides, else warn."""
    script = tmp_path / "script.py"
    script.write_text(
        textwrap.dedent(
            """\
            import warnings
            from ssot_guard import DuplicateClassError, SSOTMeta, SSOTWarning
            warnings.simplefilter("error", SSOTWarning)
            class A(metaclass=SSOTMeta): pass
            ns = {"__name__": "other"}
            try:
                exec("class A(metaclass=SSOTMeta): pass", {**ns, "SSOTMeta": SSOTMeta})
            except DuplicateClassError:
                print("DuplicateClassError")
            except SSOTWarning:
                print("SSOTWarning")
            else:
                print("no complaint")
            """
        )
    )
    result = subprocess.run(
        [sys.executable, str(script)],
        env={**os.environ, "SSOT_GUARD_MODE": env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.strip() == expected, result.stderr


def test_reload_replaces_the_entry(
    make_package: MakePackage, use_mode: Callable[[str], object]
) -> None:
    """importlib.reload re-runs the class statement: the new class replaces the old silently."""
    make_package({"app/core.py": MANAGER})
    use_mode("strict")
    core = importlib.import_module("app.core")
    old = core.WebSocketManager
    importlib.reload(core)
    assert core.WebSocketManager is not old
    assert ssot_guard.canonical("WebSocketManager") is core.WebSocketManager
    assert ssot_guard.violations() == []


def test_one_file_under_two_module_names_is_diagnosed(
    make_package: MakePackage, use_mode: Callable[[str], object]
) -> None:
    """``src.app.core`` and ``app.core`` (one file) are a duplicate, said to be one file twice."""
    root = make_package({"src/app/core.py": MANAGER})
    sys.path.insert(0, str(root / "src"))
    use_mode("strict")
    importlib.import_module("src.app.core")
    with pytest.raises(DuplicateClassError) as caught:
        importlib.import_module("app.core")
    message = str(caught.value)
    assert "imported under two module names, 'src.app.core' and 'app.core'" in message
    assert str(root / "src" / "app" / "core.py") in message


def test_main_and_module_name_is_diagnosed(make_package: MakePackage) -> None:
    """A script run as __main__ that is imported again under its name is reported as such."""
    root = make_package(
        {
            "app/tool.py": MANAGER + "\nimport app.tool  # imports this file a second time\n",
        }
    )
    result = subprocess.run(
        [sys.executable, "-m", "app.tool"],
        env={**os.environ, "SSOT_GUARD_MODE": "strict"},
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "DuplicateClassError" in result.stderr
    assert "ran as the script __main__ and was imported again as 'app.tool'" in result.stderr


def test_subclass_with_another_name_is_fine(use_mode: Callable[[str], object]) -> None:
    """Subclasses are registered under their own names, without violation."""
    use_mode("strict")
    namespace = define(
        """\
        from ssot_guard import SSOTMeta
        class Base(metaclass=SSOTMeta): pass
        class Child(Base): pass
        """
    )
    assert ssot_guard.canonical("Child") is namespace["Child"]
    assert ssot_guard.canonical("Base") is namespace["Base"]


def test_subclass_with_the_same_name_elsewhere_is_a_duplicate(
    use_mode: Callable[[str], object],
) -> None:
    """A subclass named like its base, in another module, is a second definition."""
    use_mode("strict")
    base = define("from ssot_guard import SSOTMeta\nclass Manager(metaclass=SSOTMeta): pass\n")
    with pytest.raises(DuplicateClassError):
        exec("class Manager(Base): pass", {"__name__": "elsewhere", "Base": base["Manager"]})


def test_reexport_of_the_same_class_is_fine(
    make_package: MakePackage, use_mode: Callable[[str], object]
) -> None:
    """Importing the class into another module defines nothing: no violation."""
    make_package(
        {
            "app/core.py": MANAGER,
            "app/api.py": "from app.core import WebSocketManager\n",
        }
    )
    use_mode("strict")
    api = importlib.import_module("app.api")
    assert api.WebSocketManager is ssot_guard.canonical("WebSocketManager")


def test_classes_are_held_weakly(use_mode: Callable[[str], object]) -> None:
    """A dropped class leaves the registry; its name is free for a new definition."""
    use_mode("strict")
    namespace = define(
        "from ssot_guard import SSOTMeta\nclass Temporary(metaclass=SSOTMeta): pass\n"
    )
    assert ssot_guard.canonical("Temporary") is namespace["Temporary"]
    del namespace
    gc.collect()
    with pytest.raises(KeyError):
        ssot_guard.canonical("Temporary")
    again = define(
        "from ssot_guard import SSOTMeta\nclass Temporary(metaclass=SSOTMeta): pass\n", "m2"
    )
    assert ssot_guard.canonical("Temporary") is again["Temporary"]


def test_registry_snapshot_restores_the_registry(use_mode: Callable[[str], object]) -> None:
    """Classes registered inside registry_snapshot() are forgotten on exit; others come back."""
    use_mode("strict")
    kept = define("from ssot_guard import SSOTMeta\nclass Kept(metaclass=SSOTMeta): pass\n")
    with ssot_guard.registry_snapshot():
        inner = define("from ssot_guard import SSOTMeta\nclass Inner(metaclass=SSOTMeta): pass\n")
        assert ssot_guard.canonical("Inner") is inner["Inner"]
    with pytest.raises(KeyError):
        ssot_guard.canonical("Inner")
    assert ssot_guard.registered_classes()["Kept"] is kept["Kept"]


def test_registry_snapshot_frees_keys_for_redefinition(use_mode: Callable[[str], object]) -> None:
    """After a snapshot block, a class of the same name in another module is no duplicate."""
    use_mode("strict")
    with ssot_guard.registry_snapshot():
        first = define("from ssot_guard import SSOTMeta\nclass Scoped(metaclass=SSOTMeta): pass\n")
    second = define(
        "from ssot_guard import SSOTMeta\nclass Scoped(metaclass=SSOTMeta): pass\n", "m2"
    )
    assert ssot_guard.canonical("Scoped") is second["Scoped"] is not first["Scoped"]


def test_metaclass_does_not_override_call() -> None:
    """Instance creation is the plain class's: SSOTMeta defines no ``__call__``."""
    assert "__call__" not in SSOTMeta.__dict__
    assert SSOTMeta.__call__ is type.__call__


def test_composes_with_abcmeta(use_mode: Callable[[str], object]) -> None:
    """``class Meta(SSOTMeta, ABCMeta)`` registers classes and keeps abstract methods abstract."""
    use_mode("strict")

    class Meta(SSOTMeta, abc.ABCMeta):
        pass

    class Port(metaclass=Meta):
        @abc.abstractmethod
        def send(self) -> None: ...

    with pytest.raises(TypeError, match="abstract"):
        Port()  # type: ignore[abstract]
    assert ssot_guard.canonical("Port") is Port
    with pytest.raises(DuplicateClassError):
        exec("class Port(metaclass=Meta): pass", {"__name__": "elsewhere", "Meta": Meta})


def test_composes_with_abcmeta_first(use_mode: Callable[[str], object]) -> None:
    """``class Meta(ABCMeta, SSOTMeta)`` works too, ``ssot_key=`` passing through ABCMeta."""
    use_mode("strict")

    class Meta(abc.ABCMeta, SSOTMeta):
        pass

    class Port(metaclass=Meta, ssot_key="port"):
        pass

    assert ssot_guard.canonical("port") is Port
    assert isinstance(Port, abc.ABCMeta)


def test_base_class_registers_enum(use_mode: Callable[[str], object]) -> None:
    """``class Color(SSOTBase, Enum)``: members work, the enum is registered and unique."""
    use_mode("strict")

    class Color(SSOTBase, enum.Enum):
        RED = 1

    assert Color.RED.value == 1
    assert ssot_guard.canonical("Color") is Color
    with pytest.raises(DuplicateClassError):
        exec(
            "class Color(SSOTBase, enum.Enum):\n    BLUE = 2",
            {"__name__": "elsewhere", "SSOTBase": SSOTBase, "enum": enum},
        )


def test_decorator_registers_enum(use_mode: Callable[[str], object]) -> None:
    """``@ssot_class`` on an Enum registers it without touching its bases."""
    use_mode("strict")

    @ssot_class
    class Level(enum.IntEnum):
        LOW = 1

    assert ssot_guard.canonical("Level") is Level
    assert Level.__mro__[1] is enum.IntEnum


def test_decorator_registers_protocol(use_mode: Callable[[str], object]) -> None:
    """A runtime-checkable Protocol keeps working under ``@ssot_class`` and is unique."""
    use_mode("strict")

    @ssot_class
    @typing.runtime_checkable
    class Sender(typing.Protocol):
        def send(self) -> None: ...

    class Impl:
        def send(self) -> None:
            pass

    assert isinstance(Impl(), Sender)
    assert ssot_guard.canonical("Sender") is Sender
    with pytest.raises(DuplicateClassError):
        exec(
            "@ssot_class\nclass Sender(typing.Protocol): pass",
            {"__name__": "elsewhere", "ssot_class": ssot_class, "typing": typing},
        )


def test_decorator_takes_ssot_key(use_mode: Callable[[str], object]) -> None:
    """``@ssot_class(ssot_key=...)`` registers under that key."""
    use_mode("strict")

    @ssot_class(ssot_key="the-model")
    class Model:
        pass

    assert ssot_guard.canonical("the-model") is Model


def test_decorator_refuses_non_classes() -> None:
    """``@ssot_class`` on a function is a TypeError that says what it takes."""
    with pytest.raises(TypeError, match="decorates classes"):
        ssot_class(len)  # type: ignore[type-var]


def test_dataclass_with_slots_registers_the_final_class(use_mode: Callable[[str], object]) -> None:
    """``@dataclass(slots=True)`` rebuilds the class: the rebuilt one replaces it, no violation."""
    use_mode("strict")

    @dataclasses.dataclass(slots=True)
    class Point(metaclass=SSOTMeta):
        x: int

    assert ssot_guard.canonical("Point") is Point
    assert Point(1).x == 1
    assert ssot_guard.violations() == []


def test_dataclass_with_base_class(use_mode: Callable[[str], object]) -> None:
    """A dataclass deriving from SSOTBase keeps its generated methods and is registered."""
    use_mode("strict")

    @dataclasses.dataclass(frozen=True)
    class Settings(SSOTBase):
        url: str = "ws://"

    assert Settings() == Settings()
    assert ssot_guard.canonical("Settings") is Settings


def test_generic_classes(use_mode: Callable[[str], object]) -> None:
    """Generic classes (metaclass and base forms) subscript; subclasses of ``Box[int]`` register."""
    use_mode("strict")
    item = typing.TypeVar("item")

    class Box(typing.Generic[item], metaclass=SSOTMeta):
        pass

    class Crate(SSOTBase, typing.Generic[item]):
        pass

    class IntBox(Box[int]):
        pass

    assert Box[int].__origin__ is Box  # type: ignore[attr-defined]
    assert Crate[str].__origin__ is Crate  # type: ignore[attr-defined]
    assert ssot_guard.canonical("IntBox") is IntBox
    assert ssot_guard.canonical("Crate") is Crate


def test_third_party_metaclass(use_mode: Callable[[str], object]) -> None:
    """A library metaclass with its own keywords composes with SSOTMeta and with SSOTBase."""
    use_mode("strict")
    plugins: dict[str, type] = {}

    class PluginMeta(type):
        def __new__(
            mcls, name: str, bases: tuple[type, ...], ns: dict[str, object], **kwargs: object
        ) -> PluginMeta:
            plugin = kwargs.pop("plugin", None)
            cls = super().__new__(mcls, name, bases, ns, **kwargs)
            if plugin:
                plugins[str(plugin)] = cls
            return cls

    class Meta(SSOTMeta, PluginMeta):
        pass

    class Exporter(metaclass=Meta, plugin="csv", ssot_key="exporter"):
        pass

    class Importer(SSOTBase, metaclass=PluginMeta, plugin="json"):
        pass

    assert plugins == {"csv": Exporter, "json": Importer}
    assert ssot_guard.canonical("exporter") is Exporter
    assert ssot_guard.canonical("Importer") is Importer


def test_many_threads_defining_classes_at_once(use_mode: Callable[[str], object]) -> None:
    """16 threads x 200 classes all register; of 16 rival definitions exactly one wins."""
    use_mode("strict")
    barrier = threading.Barrier(16)
    outcomes: list[str] = []
    failures: list[BaseException] = []
    namespaces: list[dict[str, object]] = []  # keeps the (weakly registered) classes alive

    def work(index: int) -> None:
        try:
            namespace = {"__name__": f"threads.t{index}", "SSOTMeta": SSOTMeta}
            namespaces.append(namespace)
            barrier.wait()
            for number in range(200):
                exec(f"class Thread{index}Class{number}(metaclass=SSOTMeta): pass", namespace)
            try:
                exec("class Contested(metaclass=SSOTMeta): pass", namespace)
            except DuplicateClassError:
                outcomes.append("rejected")
            else:
                outcomes.append("registered")
        except BaseException as error:  # pragma: no cover - reported below
            failures.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sorted(outcomes) == ["registered"] + ["rejected"] * 15
    registered = ssot_guard.registered_classes()
    assert all(f"Thread{i}Class{n}" in registered for i in range(16) for n in range(200))


@pytest.mark.parametrize("key", ["", 42])
def test_ssot_key_must_be_a_non_empty_string(key: object) -> None:
    """A bad ``ssot_key=`` is a TypeError naming the class and the value."""
    with pytest.raises(
        TypeError, match=f"ssot_key of class 'Bad' must be a non-empty string, got {key!r}"
    ):
        exec(
            "class Bad(metaclass=SSOTMeta, ssot_key=key): pass", {"SSOTMeta": SSOTMeta, "key": key}
        )


def test_base_class_ssot_key(use_mode: Callable[[str], object]) -> None:
    """``class X(SSOTBase, ssot_key=...)`` registers under that key."""
    use_mode("strict")

    class Handler(SSOTBase, ssot_key="handler"):
        pass

    assert ssot_guard.canonical("handler") is Handler
