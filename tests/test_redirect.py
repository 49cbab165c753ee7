"""Redirect rules: in warn mode the old name is the canonical module; in strict it is refused."""

from __future__ import annotations

import importlib
import os
import pickle
import sys
import warnings

import pytest

import ssot_guard
from recipes import lazy_import
from ssot_guard import BlockedImportError, SSOTWarning

RULE = ssot_guard.Redirect("app.old_name", to="app.new_name", reason="renamed in 2.0")


@pytest.fixture
def app(make_package):
    """``app.new_name`` (with ``sub``) counts its body's runs; ``app.old_name`` must never run."""
    return make_package(
        {
            "app/counter.py": "runs = 0\n",
            "app/new_name/__init__.py": (
                "import app.counter\napp.counter.runs += 1\nclass Manager:\n    pass\n"
            ),
            "app/new_name/sub.py": "VALUE = 'sub'\n",
            "app/old_name/__init__.py": "raise RuntimeError('the old module body must not run')\n",
            "app/old_name/sub.py": "raise RuntimeError('the old submodule must not run')\n",
        }
    )


def _import_old() -> object:
    with pytest.warns(SSOTWarning, match="renamed"):
        return importlib.import_module("app.old_name")


def test_old_name_is_the_canonical_module(app) -> None:
    """``import app.old_name`` gives the very object ``app.new_name`` is."""
    ssot_guard.install(rules=[RULE])
    old = _import_old()
    new = importlib.import_module("app.new_name")
    assert old is new
    assert sys.modules["app.old_name"] is sys.modules["app.new_name"]


def test_canonical_body_runs_once(app) -> None:
    """Importing both names runs the canonical module's body exactly once."""
    ssot_guard.install(rules=[RULE])
    _import_old()
    importlib.import_module("app.new_name")
    assert importlib.import_module("app.counter").runs == 1


def test_canonical_imported_first_then_old(app) -> None:
    """With the canonical module imported first, the old name resolves to it without a re-run."""
    ssot_guard.install(rules=[RULE])
    new = importlib.import_module("app.new_name")
    assert _import_old() is new
    assert importlib.import_module("app.counter").runs == 1


def test_classes_are_identical(app) -> None:
    """A class reached through the old name is the canonical class."""
    ssot_guard.install(rules=[RULE])
    with pytest.warns(SSOTWarning):
        from app.old_name import Manager as OldManager
    from app.new_name import Manager

    assert OldManager is Manager
    assert isinstance(OldManager(), Manager)


def test_pickles_name_the_canonical_module(app) -> None:
    """Pickling an instance made through the old name records the canonical module."""
    ssot_guard.install(rules=[RULE])
    old = _import_old()
    data = pickle.dumps(old.Manager())  # type: ignore[attr-defined]
    assert b"app.new_name" in data
    assert b"app.old_name" not in data
    assert type(pickle.loads(data)) is old.Manager  # type: ignore[attr-defined]


def test_canonical_keeps_name_and_spec_when_old_is_imported_first(app) -> None:
    """Importing the old name first does not rename the canonical module or replace its spec."""
    ssot_guard.install(rules=[RULE])
    old = _import_old()
    assert old.__name__ == "app.new_name"  # type: ignore[attr-defined]
    assert old.__spec__.name == "app.new_name"  # type: ignore[attr-defined]
    assert old.__spec__.submodule_search_locations  # type: ignore[attr-defined]
    assert old.__file__.endswith(os.path.join("new_name", "__init__.py"))  # type: ignore[attr-defined]
    assert old.__loader__ is old.__spec__.loader  # type: ignore[attr-defined]
    assert importlib.import_module("app.new_name.sub").VALUE == "sub"


def test_submodule_of_old_maps_to_submodule_of_new(app) -> None:
    """``app.old_name.sub`` is ``app.new_name.sub``."""
    ssot_guard.install(rules=[RULE])
    with pytest.warns(SSOTWarning) as record:
        import app.old_name.sub
    assert sys.modules["app.old_name.sub"] is sys.modules["app.new_name.sub"]
    assert app.old_name.sub.VALUE == "sub"
    messages = [str(w.message) for w in record]
    assert any("'app.old_name.sub'" in m and "'app.new_name.sub'" in m for m in messages)


def test_from_old_import_name_works(app) -> None:
    """``from app.old_name import sub`` gives the canonical submodule."""
    ssot_guard.install(rules=[RULE])
    with pytest.warns(SSOTWarning):
        from app.old_name import sub
    assert sub is importlib.import_module("app.new_name.sub")


def test_redirect_warning_points_at_the_user_line(app, make_package) -> None:
    """The redirect's warning names the user's import statement and the new module."""
    ssot_guard.install(rules=[RULE])
    root = make_package({"client.py": "\nimport app.old_name\n"})
    with pytest.warns(SSOTWarning) as record:
        importlib.import_module("client")
    (warning,) = record
    assert (warning.filename, warning.lineno) == (str(root / "client.py"), 2)
    assert "use 'app.new_name' instead" in str(warning.message)


def test_redirect_is_recorded(app) -> None:
    """A redirect is recorded with kind ``redirect`` and the canonical module as replacement."""
    ssot_guard.install(rules=[RULE])
    _import_old()
    (violation,) = ssot_guard.violations()
    assert (violation.kind, violation.name, violation.replacement) == (
        "redirect",
        "app.old_name",
        "app.new_name",
    )
    assert violation.reason == "renamed in 2.0"


def test_strict_redirect_raises_naming_the_new_module(app) -> None:
    """In strict mode the old name is refused, and the message names the canonical module."""
    ssot_guard.install(rules=[RULE], mode="strict")
    with pytest.raises(BlockedImportError) as info:
        import app.old_name  # noqa: F401
    assert str(info.value).startswith("No module named 'app.old_name'")
    assert "use 'app.new_name' instead" in str(info.value)
    assert info.value.use == "app.new_name"
    assert "app.new_name" not in sys.modules


def test_strict_redirect_of_submodule_names_new_submodule(app) -> None:
    """In strict mode ``old.sub`` is refused with ``new.sub`` as the replacement."""
    ssot_guard.install(rules=[RULE], mode="strict")
    with pytest.raises(BlockedImportError) as info:
        importlib.util.find_spec("app.old_name.sub")
    assert info.value.module == "app.old_name"


def test_redirect_to_a_missing_module_fails_cleanly(make_package) -> None:
    """A redirect whose target does not exist raises ModuleNotFoundError for the target."""
    make_package({"app/__init__.py": ""})
    ssot_guard.install(rules=[ssot_guard.Redirect("app.gone", to="app.missing")])
    with pytest.warns(SSOTWarning), pytest.raises(ModuleNotFoundError) as info:
        importlib.import_module("app.gone")
    assert info.value.name == "app.missing"
    assert "app.gone" not in sys.modules


REDIRECT_FORMS = {
    "import": "import app.old_name as OLD",
    "from-module-import-name": "from app.old_name import Manager as OLD",
    "from-parent-import-module": "from app import old_name as OLD",
    "import_module": "OLD = importlib.import_module('app.old_name')",
    "__import__": "OLD = __import__('app.old_name', fromlist=['x'])",
    "find_spec": "OLD = importlib.util.find_spec('app.old_name')",
}


@pytest.mark.parametrize("form", [form for form in REDIRECT_FORMS if form != "find_spec"])
def test_every_form_warns_at_the_user_line_and_aliases(app, make_package, form) -> None:
    """Each import form of a redirected name warns at the user's line and yields the canonical."""
    ssot_guard.install(rules=[RULE])
    name = "uses_" + form.replace("-", "_")
    source = f"import importlib\nimport importlib.util\n\n{REDIRECT_FORMS[form]}\n"
    root = make_package({f"{name}.py": source})
    with pytest.warns(SSOTWarning) as record:
        user = importlib.import_module(name)
    assert [(w.filename, w.lineno) for w in record] == [(str(root / f"{name}.py"), 4)]
    new = importlib.import_module("app.new_name")
    if form == "from-module-import-name":
        assert user.OLD is new.Manager
    else:
        assert user.OLD is new


def test_find_spec_records_and_warns_when_the_spec_is_loaded(app, make_package) -> None:
    """``importlib.util.find_spec`` of an old name is recorded at once; its warning comes
    when the spec is loaded (find_spec runs under the import lock, where no warning is
    shown), at the ``find_spec`` line, once; nothing is imported before that."""
    ssot_guard.install(rules=[RULE])
    source = f"import importlib.util\n\n{REDIRECT_FORMS['find_spec']}\n"
    root = make_package({"uses_find_spec.py": source})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        user = importlib.import_module("uses_find_spec")
    assert [w for w in caught if issubclass(w.category, SSOTWarning)] == []
    (violation,) = ssot_guard.violations()
    assert (violation.filename, violation.lineno) == (str(root / "uses_find_spec.py"), 3)
    assert user.OLD.name == "app.old_name"  # a spec only: nothing imported yet
    assert "app.old_name" not in sys.modules
    assert "app.new_name" not in sys.modules
    with pytest.warns(SSOTWarning) as record:
        first, second = _create_twice(user.OLD)
    assert [(w.filename, w.lineno) for w in record] == [(str(root / "uses_find_spec.py"), 3)]
    assert first is second is sys.modules["app.new_name"]


def _create_twice(spec: importlib.machinery.ModuleSpec) -> tuple[object, object]:
    """The module *spec* loads, created twice (importlib's recipe does it once)."""
    first = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(first)
    return first, importlib.util.module_from_spec(spec)


def test_warn_as_error_fails_the_import_before_the_canonical_module_runs(app) -> None:
    """Under ``-W error`` importing the old name raises the SSOTWarning; nothing is imported."""
    ssot_guard.install(rules=[RULE])
    with warnings.catch_warnings():
        warnings.simplefilter("error", SSOTWarning)
        with pytest.raises(SSOTWarning, match=r"import of renamed module 'app\.old_name'"):
            importlib.import_module("app.old_name")
    assert "app.old_name" not in sys.modules
    assert "app.new_name" not in sys.modules
    assert len(ssot_guard.violations()) == 1


def test_failed_canonical_import_leaves_no_old_name_behind(make_package) -> None:
    """The canonical module is half-imported and then fails: the old name is not left cached.

    Here the canonical module's own body imports the old name (a helper not yet migrated)
    and then fails: both names are gone afterwards, as for any failed import.
    """
    make_package({"lib/new.py": "import lib.old\nraise ValueError('broken')\n"})
    ssot_guard.install(rules=[ssot_guard.Redirect("lib.old", to="lib.new")], mode="warn")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="broken"):
            importlib.import_module("lib.old")
    assert "lib.new" not in sys.modules
    assert "lib.old" not in sys.modules


def test_redirect_to_a_module_that_replaces_itself_with_an_object(make_package) -> None:
    """A canonical module that puts another object in ``sys.modules`` (the lazy-module or
    frozen-constants idiom), one that refuses attributes and has no ``__spec__``: the old name
    is that very object, as importing the canonical name gives, not an AttributeError."""
    make_package(
        {
            "lib/frozen.py": (
                "import sys\n\n"
                "class _Frozen:\n"
                "    __slots__ = ()\n"
                "    VALUE = 42\n\n"
                "    def __setattr__(self, name, value):\n"
                "        raise AttributeError(f'frozen: {name}')\n\n"
                "sys.modules[__name__] = _Frozen()\n"
            )
        }
    )
    ssot_guard.install(rules=[ssot_guard.Redirect("lib.old_frozen", to="lib.frozen")])
    with pytest.warns(SSOTWarning, match="renamed"):
        old = importlib.import_module("lib.old_frozen")
    assert old is sys.modules["lib.frozen"] is sys.modules["lib.old_frozen"]
    assert old.VALUE == 42


def test_redirect_to_an_object_without_spec_leaves_it_without_one(make_package) -> None:
    """A canonical object that takes attributes but has no ``__spec__`` of its own is not
    left with the old name's spec (nor ``None``) after the old name is imported."""
    make_package(
        {
            "lib/plain.py": (
                "import sys\n\nclass _Plain:\n    VALUE = 7\n\nsys.modules[__name__] = _Plain()\n"
            )
        }
    )
    ssot_guard.install(rules=[ssot_guard.Redirect("lib.old_plain", to="lib.plain")])
    with pytest.warns(SSOTWarning, match="renamed"):
        old = importlib.import_module("lib.old_plain")
    assert old.VALUE == 7
    assert not hasattr(old, "__spec__")


def test_lazy_import_of_the_old_name_keeps_the_canonical_modules_type(app) -> None:
    """``LazyLoader`` over a redirect leaves the canonical module its own type: here the
    ``[[deprecate]]`` subclass, whose deprecated name still warns after the lazy load."""
    ssot_guard.install(
        rules=[RULE, ssot_guard.Deprecate("app.new_name:Manager", use="app.new_name:Other")],
        mode="warn",
    )
    new = importlib.import_module("app.new_name")
    patched = type(new)
    with pytest.warns(SSOTWarning, match="renamed"):
        old = lazy_import("app.old_name")
    assert old is new
    assert new.__name__ == "app.new_name"  # the lazy load
    assert type(new) is patched
    with pytest.warns(SSOTWarning, match="use of deprecated name 'app.new_name:Manager'"):
        assert new.Manager.__name__ == "Manager"
    assert new.__spec__.name == "app.new_name"


def test_reload_of_an_old_name_imported_before_install_gives_the_canonical_module(
    make_package,
) -> None:
    """``importlib.reload`` of the old name's own module (imported before the guard) runs
    no old code and returns the canonical module, now also under the old name; it used to
    return the old module with ``__spec__`` set to ``None``."""
    make_package({"app/previous.py": "OLD = True\n", "app/current.py": "NEW = True\n"})
    previous = importlib.import_module("app.previous")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SSOTWarning)
        ssot_guard.install(rules=[ssot_guard.Redirect("app.previous", to="app.current")])
    with pytest.warns(SSOTWarning, match="import of renamed module 'app.previous'"):
        reloaded = importlib.reload(previous)
    current = importlib.import_module("app.current")
    assert reloaded is current
    assert sys.modules["app.previous"] is current
    assert current.__spec__.name == "app.current"
    assert not hasattr(current, "OLD")
