"""``fix`` on generated packages: each import form the check sees becomes the replacement."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from fix_trees import CANONICAL, rewritten, run_fix, tree


def test_import_dotted_and_its_references(tmp_path: Path) -> None:
    """``import app.old`` becomes ``import app.new``, and ``app.old.f()`` ``app.new.f()``."""
    text = rewritten(tmp_path, "import app.old\n\ndef g():\n    return app.old.f()\n")
    assert text == "import app.new\n\ndef g():\n    return app.new.f()\n"


def test_import_as_keeps_its_name(tmp_path: Path) -> None:
    """``import app.old as o`` changes the module only: ``o`` keeps meaning it."""
    assert rewritten(tmp_path, "import app.old as o\no.f()\n") == "import app.new as o\no.f()\n"


def test_from_import_name(tmp_path: Path) -> None:
    """``from app.old import f`` becomes ``from app.new import f``."""
    assert rewritten(tmp_path, "from app.old import f\n") == "from app.new import f\n"


def test_from_submodule_import_name_as_alias(tmp_path: Path) -> None:
    """``from app.old.sub import x as y``: the submodule moves with its package."""
    root = tree(tmp_path, {"app/old/sub.py": "x = 1\n", "app/new/sub.py": "x = 1\n"})
    (root / "app/new.py").unlink()
    (root / "app/old.py").unlink()
    (root / "app/user.py").write_text("from app.old.sub import x as y\n", encoding="utf-8")
    run_fix(root)
    assert (root / "app/user.py").read_text() == "from app.new.sub import x as y\n"


def test_relative_from_dot_import_module_renames_its_uses(tmp_path: Path) -> None:
    """``from . import old`` becomes ``from . import new``, and the bound name follows."""
    text = rewritten(tmp_path, "from . import old\n\ndef g():\n    return old.f()\n")
    assert text == "from . import new\n\ndef g():\n    return new.f()\n"


def test_relative_from_parent_module_import_name(tmp_path: Path) -> None:
    """``from ..old import f`` in a subpackage stays relative: ``from ..new import f``."""
    text = rewritten(tmp_path, "from ..old import f\n", name="app/sub/user.py")
    assert text == "from ..new import f\n"


def test_import_inside_function(tmp_path: Path) -> None:
    """An import inside a function is rewritten in place, with its indentation."""
    text = rewritten(tmp_path, "def g():\n    from app.old import f\n    return f()\n")
    assert text == "def g():\n    from app.new import f\n    return f()\n"


def test_import_under_type_checking(tmp_path: Path) -> None:
    """An import under ``if TYPE_CHECKING:`` is rewritten."""
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from app.old import Thing\n"
    assert rewritten(tmp_path, source).endswith("    from app.new import Thing\n")


def test_try_except_import_error_fallback(tmp_path: Path) -> None:
    """The fallback branch of ``try/except ImportError`` is rewritten too."""
    source = "try:\n    from fast import f\nexcept ImportError:\n    from app.old import f\n"
    assert rewritten(tmp_path, source).endswith("except ImportError:\n    from app.new import f\n")


def test_top_level_module_rename_follows_references(tmp_path: Path) -> None:
    """``import legacy`` -> ``import modern``: the bound name changes, and so do its uses."""
    config = '[tool.ssot_guard]\n[[tool.ssot_guard.redirect]]\nmodule = "legacy"\nto = "modern"\n'
    root = tree(tmp_path, {"legacy.py": CANONICAL, "modern.py": CANONICAL}, config)
    (root / "user.py").write_text("import legacy\n\nlegacy.f()\n", encoding="utf-8")
    run_fix(root)
    assert (root / "user.py").read_text() == "import modern\n\nmodern.f()\n"


def test_rename_never_into_a_name_in_use(tmp_path: Path) -> None:
    """When the new name is already used in the file, the import keeps the old one with ``as``."""
    source = "from . import old\nnew = 1\nold.f(new)\n"
    assert rewritten(tmp_path, source) == "from . import new as old\nnew = 1\nold.f(new)\n"


def test_rename_not_done_when_the_name_is_bound_twice(tmp_path: Path) -> None:
    """A name bound elsewhere too (a parameter here) is kept with ``as``, never renamed."""
    source = "from app import old\n\ndef g(old):\n    return old\n"
    assert rewritten(tmp_path, source).startswith("from app import new as old\n")


def test_public_name_other_modules_import_keeps_its_name(tmp_path: Path) -> None:
    """A module-level name another file imports from this module is part of its interface."""
    root = tree(
        tmp_path,
        {"app/hub.py": "from app import old\n", "app/client.py": "from app.hub import old\n"},
    )
    run_fix(root)
    assert (root / "app/hub.py").read_text() == "from app import new as old\n"


def test_several_names_one_moves_out(tmp_path: Path) -> None:
    """``from app import old, other``: the retired alias moves to its own statement."""
    config = '[tool.ssot_guard]\n[[tool.ssot_guard.redirect]]\nmodule = "app.old"\nto = "lib.new"\n'
    root = tree(tmp_path, {"lib/new.py": CANONICAL, "app/other.py": ""}, config)
    (root / "app/user.py").write_text("from app import other, old as o\n", encoding="utf-8")
    run_fix(root)
    assert (root / "app/user.py").read_text() == "from app import other\nfrom lib import new as o\n"


def test_block_with_use_is_rewritten(tmp_path: Path) -> None:
    """A ``[[block]]`` rule with ``use`` is a replacement like a redirect."""
    config = '[tool.ssot_guard]\n[[tool.ssot_guard.block]]\nmodule = "app.old"\nuse = "app.new"\n'
    root = tree(tmp_path, {"app/user.py": "from app.old import Thing\n"}, config)
    run_fix(root)
    assert (root / "app/user.py").read_text() == "from app.new import Thing\n"


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ('importlib.import_module("app.old")', 'importlib.import_module("app.new")'),
        (
            "importlib.import_module('.old', __package__)",
            "importlib.import_module('.new', __package__)",
        ),
        ('__import__("app.old", fromlist=["f"])', '__import__("app.new", fromlist=["f"])'),
        ('mock.patch("app.old.Thing")', 'mock.patch("app.new.Thing")'),
        ('monkeypatch.setattr("app.old.f", None)', 'monkeypatch.setattr("app.new.f", None)'),
    ],
)
def test_string_targets(tmp_path: Path, call: str, expected: str) -> None:
    """Module names in import calls and dotted targets are rewritten inside the string."""
    prefix = "import importlib\nfrom unittest import mock\n"
    assert rewritten(tmp_path, prefix + call + "\n") == prefix + expected + "\n"


def test_formatting_and_comments_kept_byte_for_byte(tmp_path: Path) -> None:
    """Only the module name changes: parentheses, comments and other lines stay as written."""
    source = (
        "# header  \nimport os ;  from app.old import (  # why\n"
        "    f ,   # first\n    Thing,\n)   # tail\nx = os  # unrelated\n"
    )
    expected = source.replace("from app.old import", "from app.new import")
    assert rewritten(tmp_path, source) == expected


def test_deprecated_name_import_renamed_with_its_uses(tmp_path: Path) -> None:
    """``from m import old_fn`` -> ``from new import new_fn``, and its calls follow."""
    config = (
        '[tool.ssot_guard]\n[[tool.ssot_guard.deprecate]]\nname = "app.old:make"\n'
        'use = "app.new:build"\n'
    )
    files = {"app/old.py": "def make(): ...\n", "app/new.py": "def build(): ...\n"}
    root = tree(tmp_path, {**files, "app/user.py": "from app.old import make\n\nmake()\n"}, config)
    run_fix(root)
    assert (root / "app/user.py").read_text() == "from app.new import build\n\nbuild()\n"


def test_deprecated_attribute_in_same_module(tmp_path: Path) -> None:
    """``m.old_fn`` becomes ``m.new_fn`` when the replacement lives in the same module."""
    config = (
        '[tool.ssot_guard]\n[[tool.ssot_guard.deprecate]]\nname = "app.new:make"\n'
        'use = "app.new:build"\n'
    )
    files = {"app/new.py": "def make(): ...\ndef build(): ...\n"}
    root = tree(tmp_path, {**files, "app/user.py": "import app.new\n\napp.new.make()\n"}, config)
    run_fix(root)
    assert (root / "app/user.py").read_text() == "import app.new\n\napp.new.build()\n"


def test_dotted_reference_through_a_shadowed_name_is_left(tmp_path: Path) -> None:
    """When ``app`` is also a parameter, ``app.old.f()`` may not be the module: it is left."""
    root = tree(
        tmp_path, {"app/user.py": "import app.old\n\ndef g(app):\n    return app.old.f()\n"}
    )
    result = run_fix(root)
    assert (root / "app/user.py").read_text().endswith("    return app.old.f()\n")
    assert result.left[0].reason == "'app' is also bound otherwise in this file"


SEED_LIKE = """\
[tool.ssot_guard]
[[tool.ssot_guard.block]]
module = "app.factory"
use = "app.manager"
[[tool.ssot_guard.deprecate]]
name = "app.factory:create"
use = "app.manager:get"
"""


def test_deprecated_name_from_a_blocked_module_goes_to_its_replacement(tmp_path: Path) -> None:
    """``from app.factory import (create,)``: the deprecate rule names where ``create`` went."""
    files = {
        "app/factory.py": "def create(): ...\n",
        "app/manager.py": "def get(): ...\n",
        "app/user.py": "from app.factory import (\n    create,  # why\n)\n\ncreate()\n",
    }
    root = tree(tmp_path, files, SEED_LIKE)
    run_fix(root)
    assert (root / "app/user.py").read_text() == (
        "from app.manager import (\n    get,  # why\n)\n\nget()\n"
    )


def test_left_statement_renames_nothing(tmp_path: Path) -> None:
    """When one name of a statement cannot move, the statement and every use stay as written."""
    files = {
        "app/factory.py": "def create(): ...\nclass Extra: ...\n",
        "app/manager.py": "def get(): ...\n",
        "app/user.py": "from app.factory import create, Extra\n\ncreate(Extra)\n",
    }
    root = tree(tmp_path, files, SEED_LIKE)
    result = run_fix(root)
    assert (root / "app/user.py").read_text() == files["app/user.py"]
    assert result.left[0].reason == "'app.manager' does not define 'Extra'"


def test_name_in_a_string_annotation_is_kept_with_as(tmp_path: Path) -> None:
    """A forward reference (``x: "old.Thing"``) spells the bound name where a rename cannot
    reach: the import keeps the old name, and ``get_type_hints`` still resolves it."""
    source = (
        "import typing\nfrom . import old\n\n"
        "def g(x: 'old.Thing') -> 'typing.Optional[old.Thing]':\n    return old.f()\n\n"
        "HINTS = typing.get_type_hints(g)\n"
    )
    root = tree(tmp_path, {"app/user.py": source})
    run_fix(root)
    text = (root / "app/user.py").read_text()
    assert text == source.replace("from . import old", "from . import new as old")
    run = subprocess.run(
        [sys.executable, "-c", "import app.user; print(sorted(app.user.HINTS))"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (run.returncode, run.stdout) == (0, "['return', 'x']\n"), run.stderr


def _run(root: Path, code: str) -> str:
    """Run *code* in a fresh interpreter in *root*; its output (the tree's modules importable)."""
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_submodule_with_a_rule_of_its_own_goes_where_that_rule_sends_it(tmp_path: Path) -> None:
    """``app.old`` -> ``app.new`` and ``app.old.sub`` -> ``app.other``: at run time
    ``app.old.sub`` is ``app.other`` (the most specific rule speaks), so every form that
    names it is rewritten to ``app.other``, not to ``app.new.sub``."""
    config = (
        '[tool.ssot_guard]\n[[tool.ssot_guard.redirect]]\nmodule = "app.old"\nto = "app.new"\n'
        '[[tool.ssot_guard.redirect]]\nmodule = "app.old.sub"\nto = "app.other"\n'
    )
    user = (
        "import importlib\nfrom unittest import mock\nimport app.old.sub\n"
        "from app.old.sub import x\n"
        "with mock.patch('app.old.sub.x', 5):\n    PATCHED = app.old.sub.x\n"
        "print(app.old.sub.x, x, PATCHED, importlib.import_module('app.old.sub').x)\n"
    )
    files = {
        "app/old/__init__.py": "",
        "app/old/sub.py": "x = 1\n",
        "app/new/__init__.py": "",
        "app/new/sub.py": "x = 2\n",
        "app/other.py": "x = 3\n",
        "app/user.py": user,
    }
    root = tree(tmp_path, files, config)
    (root / "app/old.py").unlink()
    (root / "app/new.py").unlink()
    run_fix(root)
    assert (root / "app/user.py").read_text() == user.replace("app.old.sub", "app.other")
    assert _run(root, "import app.user") == "3 3 5 3\n"


def test_import_of_a_submodule_moves_the_uses_of_its_package_too(tmp_path: Path) -> None:
    """``import app.old.sub`` imports ``app.old`` as well, and ``app.old.f()`` works through
    it: that reference moves with the import, or it would raise ``AttributeError``."""
    files = {
        "app/old/__init__.py": CANONICAL,
        "app/old/sub.py": "x = 1\n",
        "app/new/__init__.py": CANONICAL,
        "app/new/sub.py": "x = 2\n",
        "app/user.py": "import app.old.sub\nprint(app.old.sub.x, app.old.f.__module__)\n",
    }
    root = tree(tmp_path, files)
    (root / "app/old.py").unlink()
    (root / "app/new.py").unlink()
    run_fix(root)
    assert (root / "app/user.py").read_text() == (
        "import app.new.sub\nprint(app.new.sub.x, app.new.f.__module__)\n"
    )
    assert _run(root, "import app.user") == "2 app.new\n"


def test_dotted_reference_in_a_string_annotation_moves_with_the_import(tmp_path: Path) -> None:
    """``import app.old`` ... ``x: "app.old.Thing"``: the forward reference names the module
    as the code does; left as it was, ``get_type_hints`` raised ``AttributeError``."""
    source = (
        "import typing\nimport app.old\n\n"
        "def g(x: 'app.old.Thing') -> 'list[app.old.Thing]':\n    return [x]\n\n"
        "print(typing.get_type_hints(g))\n"
    )
    root = tree(tmp_path, {"app/user.py": source})
    run_fix(root)
    assert (root / "app/user.py").read_text() == source.replace("app.old", "app.new")
    hints = "{'x': <class 'app.new.Thing'>, 'return': list[app.new.Thing]}\n"
    assert _run(root, "import app.user") == hints


def test_literal_values_in_an_annotation_are_not_names(tmp_path: Path) -> None:
    """``Literal["app.old.f"]`` holds a value, not a forward reference: it is not rewritten
    (the string annotation beside it is)."""
    source = (
        "import typing\nimport app.old\n\n"
        "def g(x: typing.Literal['app.old.f'], y: 'app.old.Thing') -> None: ...\n"
    )
    root = tree(tmp_path, {"app/user.py": source})
    run_fix(root)
    assert (root / "app/user.py").read_text() == source.replace(
        "import app.old", "import app.new"
    ).replace("'app.old.Thing'", "'app.new.Thing'")


def test_submodule_sent_elsewhere_keeps_an_import_its_package_is_used_through(
    tmp_path: Path,
) -> None:
    """``import app.old.sub`` with a rule of its own for ``app.old.sub`` (to ``app.other``),
    in a file that also uses ``app.old.f()`` through that import: ``import app.other`` would
    not import ``app.old`` at all, so the import is left, with the reason."""
    config = (
        '[tool.ssot_guard]\n[[tool.ssot_guard.redirect]]\nmodule = "app.old"\nto = "app.new"\n'
        '[[tool.ssot_guard.redirect]]\nmodule = "app.old.sub"\nto = "app.other"\n'
    )
    user = "import app.old.sub\nprint(app.old.sub.x, app.old.f())\n"
    files = {
        "app/old/__init__.py": CANONICAL,
        "app/old/sub.py": "x = 1\n",
        "app/new/__init__.py": CANONICAL,
        "app/other.py": "x = 3\n",
        "app/user.py": user,
    }
    root = tree(tmp_path, files, config)
    (root / "app/old.py").unlink()
    (root / "app/new.py").unlink()
    result = run_fix(root)
    assert (root / "app/user.py").read_text() == user
    assert [entry.reason for entry in result.left] == [
        "the file also uses 'app.old', which the new import of 'app.other' does not import"
    ]
