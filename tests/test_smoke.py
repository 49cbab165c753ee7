"""The public surface: every name is ssot_guard.<Name>, documented; and the demo runs."""

from __future__ import annotations

import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest

import ssot_guard

ROOT = Path(__file__).resolve().parent.parent
DOCS = "".join(page.read_text(encoding="utf-8") for page in (ROOT / "docs").glob("*.md"))


@pytest.mark.parametrize("name", ssot_guard.__all__)
def test_public_name_shows_as_ssot_guard_name(name: str) -> None:
    """Its __module__ is ssot_guard and its own name is the exported one (no alias)."""
    public = getattr(ssot_guard, name)
    assert public.__module__ == "ssot_guard"
    # A type alias (Mode) has a name but no qualified name.
    assert getattr(public, "__qualname__", public.__name__) == name
    if isinstance(public, type):
        assert repr(public) == f"<class 'ssot_guard.{name}'>"


@pytest.mark.parametrize("name", ssot_guard.__all__)
def test_public_name_round_trips_as_itself(name: str) -> None:
    """pickle finds it again by ssot_guard.<Name>: the exported object is the real one."""
    public = getattr(ssot_guard, name)
    assert pickle.loads(pickle.dumps(public)) is public


@pytest.mark.parametrize("name", ssot_guard.__all__)
def test_public_name_is_documented(name: str) -> None:
    """Each public name is shown in the docs (`Name`, ssot_guard.Name or @name)."""
    assert re.search(rf"[`.@]{name}\b", DOCS), f"{name} is not in docs/"


def test_demo_runs() -> None:
    """The README's first command's script exits 0 and shows all three behaviours."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "demo" / "run.py")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BlockedImportError: No module named" in result.stdout
    assert "run.py:35: SSOTWarning" in result.stderr
    assert "shop.legacy_ws is websocket_manager: True" in result.stdout


@pytest.mark.parametrize("name", sorted(set(ssot_guard.__all__) - {"Mode"}))
def test_public_name_is_public_in_its_defining_module(name: str) -> None:
    """Reached without ssot_guard.<Name> (a Guard install() returned, an error the finder
    raised), the object already shows as ssot_guard.<Name>: its module marks it public."""
    import importlib

    home = importlib.import_module(f"ssot_guard.{ssot_guard._LAZY[name]}")
    assert vars(home)[name].__module__ == "ssot_guard"


def test_dir_shows_no_public_name_outside_all() -> None:
    """dir(ssot_guard), which completion and help() read, offers exactly __all__ as its
    public names: no helper of the lazy loading shows as ssot_guard.<name>."""
    code = "import ssot_guard\nprint(*(n for n in dir(ssot_guard) if not n.startswith('_')))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == sorted(ssot_guard.__all__)


def test_mode_alias_builds_with_a_typing_extensions_that_freezes_module() -> None:
    """ssot_guard.Mode works with typing_extensions 4.7 to 4.15 (allowed by our dependency
    range): their TypeAliasType takes __module__ from its caller and refuses to have it set
    afterwards. A stand-in with that behaviour replaces it in a fresh interpreter."""
    code = """if True:
        import sys
        import typing_extensions

        class TypeAliasType:  # typing_extensions < 4.16, as far as Mode is concerned
            def __init__(self, name, value):
                self.__name__ = name
                self.__value__ = value
                self.__module__ = sys._getframe(1).f_globals["__name__"]
                self._frozen = True

            def __setattr__(self, name, value):
                if getattr(self, "_frozen", False):
                    raise AttributeError(f"attribute {name!r} is not writable")
                object.__setattr__(self, name, value)

        typing_extensions.TypeAliasType = TypeAliasType
        import ssot_guard

        print(ssot_guard.Mode.__module__, ssot_guard.Mode.__name__)
    """
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert (result.returncode, result.stdout, result.stderr) == (0, "ssot_guard Mode\n", "")
