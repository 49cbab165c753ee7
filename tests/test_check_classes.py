"""``check()`` across files: ``[[unique]]`` classes, registry keys, deprecated names."""

from __future__ import annotations

import textwrap
from pathlib import Path

from ssot_guard import Deprecate, Unique
from ssot_guard._check import check
from ssot_guard._rules._model import Rule


def found(tmp_path: Path, files: dict[str, str], rules: list[Rule]) -> list[str]:
    for relative, source in files.items():
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(source), encoding="utf-8")
        for parent in target.relative_to(tmp_path).parents:
            init = tmp_path / parent / "__init__.py"
            if parent != Path(".") and not init.exists():
                init.write_text("", encoding="utf-8")
    prefix = str(tmp_path) + "/"
    return [
        f"{f.path.removeprefix(prefix)}:{f.line}: {f.code}"
        for f in check([str(tmp_path)], rules=rules).findings
    ]


MANAGER = "class WebSocketManager:\n    pass\n"
IMPORT_META = "from ssot_guard import SSOTMeta\n"


def test_unique_without_canonical_keeps_the_first_in_path_order(tmp_path: Path) -> None:
    """With no ``canonical``, every definition but the first in sorted path order is reported."""
    files = {"app/b.py": MANAGER, "app/a.py": MANAGER, "app/c/d.py": MANAGER}
    rules: list[Rule] = [Unique("WebSocketManager", within=["app"])]
    assert found(tmp_path, files, rules) == ["app/b.py:1: SSOT201", "app/c/d.py:1: SSOT201"]


def test_unique_with_canonical_reports_every_other_module(tmp_path: Path) -> None:
    """With ``canonical``, a definition elsewhere is reported even if it sorts first."""
    files = {"app/a.py": MANAGER, "app/z/manager.py": MANAGER}
    rules: list[Rule] = [Unique("WebSocketManager", within=["app"], canonical="app.z.manager")]
    assert found(tmp_path, files, rules) == ["app/a.py:1: SSOT201"]


def test_unique_ignores_modules_outside_within(tmp_path: Path) -> None:
    """Only modules under ``within`` are watched."""
    files = {"app/a.py": MANAGER, "tools/b.py": MANAGER}
    rules: list[Rule] = [Unique("WebSocketManager", within=["app"])]
    assert found(tmp_path, files, rules) == []


def test_unique_ignores_imports_and_nested_classes(tmp_path: Path) -> None:
    """Re-exports (imports) and classes inside functions are not module-level definitions."""
    files = {
        "app/a.py": MANAGER,
        "app/b.py": "from app.a import WebSocketManager\n",
        "app/c.py": "def f():\n    class WebSocketManager:\n        pass\n",
    }
    rules: list[Rule] = [Unique("WebSocketManager", within=["app"])]
    assert found(tmp_path, files, rules) == []


def test_unique_message_names_the_first_definition_and_the_reason(tmp_path: Path) -> None:
    """The message says where the definition that counts is, and why."""
    files = {"app/a.py": MANAGER, "app/b.py": MANAGER}
    rules: list[Rule] = [Unique("WebSocketManager", within=["app"], reason="one manager")]
    found(tmp_path, files, rules)
    (finding,) = check([str(tmp_path)], rules=rules).findings
    assert "use 'app.a.WebSocketManager' instead" in finding.message
    assert "app/a.py:1" in finding.message
    assert "(one manager; first defined at" in finding.message


def test_registry_key_duplicated_across_modules(tmp_path: Path) -> None:
    """Two classes with the same registry key in two modules: the later one is reported."""
    files = {
        "app/a.py": "from ssot_guard import SSOTMeta\nclass Svc(metaclass=SSOTMeta):\n    pass\n",
        "app/b.py": "import ssot_guard\n@ssot_guard.ssot_class\nclass Svc:\n    pass\n",
    }
    assert found(tmp_path, files, []) == ["app/b.py:3: SSOT202"]


def test_registry_same_qualname_twice_in_one_module_is_a_reload(tmp_path: Path) -> None:
    """The same module defining the same qualname twice (a reload) is not a duplicate."""
    source = """\
        from ssot_guard import SSOTBase
        try:
            class Svc(SSOTBase):
                pass
        except ImportError:
            class Svc(SSOTBase):
                pass
        """
    assert found(tmp_path, {"app/a.py": source}, []) == []


def test_registry_classes_without_a_literal_key_are_skipped(tmp_path: Path) -> None:
    """A computed ``ssot_key`` cannot be known without running the code: not compared."""
    files = {
        "app/a.py": "from ssot_guard import SSOTBase\nclass A(SSOTBase, ssot_key=KEY):\n    pass\n",
        "app/b.py": "from ssot_guard import SSOTBase\nclass B(SSOTBase, ssot_key=KEY):\n    pass\n",
    }
    assert found(tmp_path, files, []) == []


def test_registry_key_none_is_the_class_name(tmp_path: Path) -> None:
    """``ssot_key=None`` is the default (the class name), as at run time: compared, not
    skipped as a computed key."""
    files = {
        "app/a.py": "from ssot_guard import SSOTBase\nclass Svc(SSOTBase, ssot_key=None): ...\n",
        "app/b.py": "import ssot_guard\n@ssot_guard.ssot_class(ssot_key=None)\nclass Svc: ...\n",
    }
    assert found(tmp_path, files, []) == ["app/b.py:3: SSOT202"]


def test_deprecated_name_import_and_attribute_use(tmp_path: Path) -> None:
    """Importing a deprecated name and using it as a module attribute are both reported."""
    files = {
        "app/legacy.py": "def create():\n    pass\n",
        "app/user.py": "from app.legacy import create\nimport app.legacy\napp.legacy.create()\n",
    }
    rules: list[Rule] = [Deprecate("app.legacy:create", use="app.new:make")]
    assert found(tmp_path, files, rules) == ["app/user.py:1: SSOT301", "app/user.py:3: SSOT301"]


def test_deprecated_name_other_attributes_are_fine(tmp_path: Path) -> None:
    """Other names of the same module, and the same name on other objects, are not reported."""
    files = {
        "app/user.py": "import app.legacy\napp.legacy.other()\nthing.create()\n",
    }
    rules: list[Rule] = [Deprecate("app.legacy:create")]
    assert found(tmp_path, files, rules) == []


def test_registry_subclass_of_a_registered_class_is_registered(tmp_path: Path) -> None:
    """A subclass inherits SSOTMeta: two modules subclassing under one name collide."""
    files = {
        "app/base.py": IMPORT_META + "class Manager(metaclass=SSOTMeta):\n    pass\n",
        "app/a.py": "from app.base import Manager\nclass WebSocketManager(Manager):\n    pass\n",
        "app/b.py": "from . import base\nclass WebSocketManager(base.Manager):\n    pass\n",
    }
    assert found(tmp_path, files, []) == ["app/b.py:2: SSOT202"]


def test_registry_inheritance_goes_through_several_files(tmp_path: Path) -> None:
    """SSOTBase -> Service -> Special: a grandchild in a third file is registered too."""
    files = {
        "app/base.py": "from ssot_guard import SSOTBase\nclass Service(SSOTBase):\n    pass\n",
        "app/mid.py": "from app.base import Service\nclass Special(Service):\n    pass\n",
        "app/x.py": "from app.mid import Special\nclass Leaf(Special):\n    pass\n",
        "app/y.py": "from app.mid import Special\nclass Leaf(Special):\n    pass\n",
    }
    assert found(tmp_path, files, []) == ["app/y.py:2: SSOT202"]


def test_registry_decorator_is_not_inherited(tmp_path: Path) -> None:
    """Subclasses of an ``@ssot_class`` class are not registered, as at runtime."""
    files = {
        "app/base.py": "from ssot_guard import ssot_class\n@ssot_class\nclass Base:\n    pass\n",
        "app/a.py": "from app.base import Base\nclass Child(Base):\n    pass\n",
        "app/b.py": "from app.base import Base\nclass Child(Base):\n    pass\n",
    }
    assert found(tmp_path, files, []) == []


def test_registry_metaclass_derived_from_ssotmeta(tmp_path: Path) -> None:
    """A metaclass composed with SSOTMeta registers the classes that use it."""
    files = {
        "app/meta.py": (
            "import abc\nfrom ssot_guard import SSOTMeta\n"
            "class Meta(SSOTMeta, abc.ABCMeta):\n    pass\n"
        ),
        "app/a.py": "from app.meta import Meta\nclass Store(metaclass=Meta):\n    pass\n",
        "app/b.py": "from app.meta import Meta\nclass Store(metaclass=Meta):\n    pass\n",
    }
    assert found(tmp_path, files, []) == ["app/b.py:2: SSOT202"]


def test_registry_bases_are_resolved_through_imports(tmp_path: Path) -> None:
    """An unrelated class that happens to share a registered class's name registers nothing."""
    files = {
        "app/base.py": IMPORT_META + "class Base(metaclass=SSOTMeta):\n    pass\n",
        "app/other.py": "class Base:\n    pass\n",
        "app/a.py": "from app.other import Base\nclass Child(Base):\n    pass\n",
        "app/b.py": "from app.other import Base\nclass Child(Base):\n    pass\n",
    }
    assert found(tmp_path, files, []) == []
