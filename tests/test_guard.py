"""install() and uninstall(): one finder, replacement, restoration, modes, preloaded modules."""

from __future__ import annotations

import copy
import importlib
import pickle
import sys
import textwrap
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

import ssot_guard
from ssot_guard import BlockedImportError, ConfigError, PreloadedModuleError, SSOTWarning
from ssot_guard._runtime._finder import SSOTFinder


def _finders() -> list[object]:
    return [f for f in sys.meta_path if isinstance(f, SSOTFinder)]


@pytest.fixture
def app(make_package) -> Path:
    """``app.old`` (retired) and ``app.new``."""
    return make_package({"app/old.py": "X = 1\n", "app/new.py": "X = 2\n"})


def _write_config(tmp_path: Path, text: str, name: str = "pyproject.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# --- install / uninstall ------------------------------------------------------------------


def test_install_puts_one_finder_first() -> None:
    """install() puts exactly one finder at the front of sys.meta_path."""
    before = list(sys.meta_path)
    guard = ssot_guard.install(rules=[ssot_guard.Block("app.old")])
    assert sys.meta_path[0] is guard.finder
    assert sys.meta_path[1:] == before
    assert ssot_guard.active_guard() is guard
    assert guard.installed


def test_install_again_replaces_the_active_guard() -> None:
    """A second install() replaces the first guard: still exactly one finder."""
    before = list(sys.meta_path)
    first = ssot_guard.install(rules=[ssot_guard.Block("app.old")])
    second = ssot_guard.install(rules=[ssot_guard.Block("app.other")])
    assert _finders() == [second.finder]
    assert sys.meta_path[1:] == before
    assert not first.installed
    assert ssot_guard.active_guard() is second


def test_uninstall_restores_meta_path_exactly() -> None:
    """uninstall() leaves sys.meta_path equal, element by element, to what it was."""
    before = list(sys.meta_path)
    ssot_guard.install(rules=[ssot_guard.Block("app.old")])
    ssot_guard.uninstall()
    assert sys.meta_path == before
    assert ssot_guard.active_guard() is None


def test_uninstall_twice_is_harmless() -> None:
    """A second uninstall() (module function or method) changes nothing and raises nothing."""
    before = list(sys.meta_path)
    guard = ssot_guard.install(rules=[ssot_guard.Block("app.old")])
    ssot_guard.uninstall()
    ssot_guard.uninstall()
    guard.uninstall()
    assert sys.meta_path == before


def test_uninstall_without_install_is_harmless() -> None:
    """uninstall() with no guard installed changes nothing."""
    before = list(sys.meta_path)
    ssot_guard.uninstall()
    assert sys.meta_path == before


def test_uninstall_keeps_finders_added_later() -> None:
    """Finders inserted after install() stay, in order, when the guard leaves."""

    class Other:
        def find_spec(self, *args: object) -> None:
            return None

    before = list(sys.meta_path)
    ssot_guard.install(rules=[ssot_guard.Block("app.old")])
    other = Other()
    sys.meta_path.insert(0, other)
    ssot_guard.uninstall()
    assert sys.meta_path == [other, *before]


def test_stale_guard_uninstall_leaves_the_active_one() -> None:
    """Uninstalling a guard that was already replaced does not remove the active one."""
    first = ssot_guard.install(rules=[ssot_guard.Block("app.old")])
    second = ssot_guard.install(rules=[ssot_guard.Block("app.old")])
    first.uninstall()
    assert _finders() == [second.finder]
    assert ssot_guard.active_guard() is second


def test_guard_is_a_context_manager(app) -> None:
    """``with install(...)`` blocks inside the block and restores sys.meta_path after it."""
    before = list(sys.meta_path)
    with ssot_guard.install(rules=[ssot_guard.Block("app.old")], mode="strict") as guard:
        assert sys.meta_path[0] is guard.finder
        with pytest.raises(BlockedImportError):
            importlib.import_module("app.old")
    assert sys.meta_path == before
    assert importlib.import_module("app.old").X == 1


def test_context_manager_uninstalls_on_error() -> None:
    """An exception inside the ``with`` block still uninstalls the guard."""
    before = list(sys.meta_path)
    with pytest.raises(KeyError), ssot_guard.install(rules=[ssot_guard.Block("app.old")]):
        raise KeyError("boom")
    assert sys.meta_path == before


def test_install_uninstall_cycles_leave_no_trace(app) -> None:
    """Hundreds of install/uninstall cycles leave sys.meta_path as it was and the guard working."""
    before = list(sys.meta_path)
    rule = ssot_guard.Block("app.old")
    for i in range(300):
        guard = ssot_guard.install(rules=[rule], mode="strict")
        assert len(_finders()) == 1
        if i % 2:
            guard.uninstall()
        else:
            ssot_guard.uninstall()
        assert sys.meta_path == before
    with ssot_guard.install(rules=[rule], mode="strict"), pytest.raises(BlockedImportError):
        importlib.import_module("app.old")


def test_install_replace_cycles_keep_one_finder() -> None:
    """Hundreds of install() calls without uninstall keep exactly one finder."""
    before = list(sys.meta_path)
    for _ in range(300):
        ssot_guard.install(rules=[ssot_guard.Block("app.old")])
    assert len(_finders()) == 1
    assert sys.meta_path[1:] == before


def test_guard_reports_its_rules_and_mode() -> None:
    """Guard exposes its rules, its mode and each rule's effective mode."""
    loud = ssot_guard.Block("app.a", mode="strict")
    quiet = ssot_guard.Block("app.b", mode="off")
    plain = ssot_guard.Redirect("app.c", to="app.d")
    guard = ssot_guard.install(rules=[loud, quiet, plain], mode="warn")
    assert guard.rules == (loud, quiet, plain)
    assert guard.mode == "warn"
    assert [guard.mode_of(r) for r in guard.rules] == ["strict", "off", "warn"]
    assert "installed" in repr(guard)


def test_install_with_rules_only_ignores_discovered_config(tmp_path, monkeypatch) -> None:
    """``install(rules=...)`` alone does not read the pyproject.toml of the current directory."""
    _write_config(tmp_path, '[tool.ssot_guard]\n[[tool.ssot_guard.block]]\nmodule = "app.x"\n')
    monkeypatch.chdir(tmp_path)
    guard = ssot_guard.install(rules=[ssot_guard.Block("app.y")])
    assert [r.target for r in guard.rules] == ["app.y"]  # type: ignore[attr-defined]


def test_install_combines_config_and_rules(tmp_path) -> None:
    """``install(config, rules=...)`` uses the file's rules followed by the Python ones."""
    path = _write_config(
        tmp_path, '[tool.ssot_guard]\n[[tool.ssot_guard.block]]\nmodule = "app.x"\n'
    )
    guard = ssot_guard.install(path, rules=[ssot_guard.Block("app.y")])
    assert [r.target for r in guard.rules] == ["app.x", "app.y"]  # type: ignore[attr-defined]
    assert guard.config.path == str(path)


def test_install_rejects_non_rule_objects() -> None:
    """``rules=`` must hold rule objects; anything else is a ConfigError."""
    with pytest.raises(ConfigError, match="expected rule objects"):
        ssot_guard.install(rules=["app.old"])  # type: ignore[list-item]
    assert _finders() == []


def test_install_discovers_nothing_gives_an_empty_guard(tmp_path, monkeypatch) -> None:
    """With no config anywhere, install() installs a guard with no rules."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SSOT_GUARD_CONFIG", raising=False)
    guard = ssot_guard.install()
    assert guard.rules == ()
    assert guard.config.path is None


# --- modes -------------------------------------------------------------------------------


def _outcome(name: str = "app.old") -> str:
    """``strict`` if importing *name* raises, ``warn`` if it warns, ``none`` if neither."""
    sys.modules.pop(name, None)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        try:
            importlib.import_module(name)
        except BlockedImportError:
            return "strict"
    return "warn" if any(issubclass(w.category, SSOTWarning) for w in record) else "none"


def test_default_mode_is_warn(app, monkeypatch) -> None:
    """With no mode anywhere a violation warns."""
    monkeypatch.delenv("SSOT_GUARD_MODE", raising=False)
    guard = ssot_guard.install(rules=[ssot_guard.Block("app.old")])
    assert guard.mode == "warn"
    assert _outcome() == "warn"


def test_config_mode_beats_default(app, tmp_path, monkeypatch) -> None:
    """The config's ``mode`` applies when nothing stronger is given."""
    monkeypatch.delenv("SSOT_GUARD_MODE", raising=False)
    path = _write_config(
        tmp_path,
        '[tool.ssot_guard]\nmode = "strict"\n[[tool.ssot_guard.block]]\nmodule = "app.old"\n',
    )
    ssot_guard.install(path)
    assert _outcome() == "strict"


def test_install_mode_beats_config_mode(app, tmp_path, monkeypatch) -> None:
    """``install(mode=)`` beats the config's ``mode``."""
    monkeypatch.delenv("SSOT_GUARD_MODE", raising=False)
    path = _write_config(
        tmp_path,
        '[tool.ssot_guard]\nmode = "strict"\n[[tool.ssot_guard.block]]\nmodule = "app.old"\n',
    )
    ssot_guard.install(path, mode="warn")
    assert _outcome() == "warn"


def test_rule_mode_beats_install_mode(app, monkeypatch) -> None:
    """A rule's own ``mode`` beats ``install(mode=)``; rules without one follow install()."""
    monkeypatch.delenv("SSOT_GUARD_MODE", raising=False)
    ssot_guard.install(
        rules=[ssot_guard.Block("app.old", mode="warn"), ssot_guard.Block("app.new")],
        mode="strict",
    )
    assert _outcome("app.old") == "warn"
    assert _outcome("app.new") == "strict"


def test_rule_mode_off_disables_only_that_rule(app, monkeypatch) -> None:
    """A rule with ``mode = "off"`` does nothing while the others still act."""
    monkeypatch.delenv("SSOT_GUARD_MODE", raising=False)
    ssot_guard.install(
        rules=[ssot_guard.Block("app.old", mode="off"), ssot_guard.Block("app.new")],
        mode="strict",
    )
    assert _outcome("app.old") == "none"
    assert _outcome("app.new") == "strict"


def test_env_mode_beats_rule_mode(app, monkeypatch) -> None:
    """SSOT_GUARD_MODE beats a rule's own mode (the operator's override)."""
    monkeypatch.setenv("SSOT_GUARD_MODE", "warn")
    ssot_guard.install(rules=[ssot_guard.Block("app.old", mode="strict")], mode="strict")
    assert _outcome() == "warn"


def test_env_mode_strict_beats_warn_everywhere(app, monkeypatch) -> None:
    """SSOT_GUARD_MODE=strict makes a rule that says warn raise."""
    monkeypatch.setenv("SSOT_GUARD_MODE", "strict")
    ssot_guard.install(rules=[ssot_guard.Block("app.old", mode="warn")], mode="warn")
    assert _outcome() == "strict"


def test_env_mode_is_case_and_space_insensitive(app, monkeypatch) -> None:
    """`` Strict `` in SSOT_GUARD_MODE means strict."""
    monkeypatch.setenv("SSOT_GUARD_MODE", " Strict ")
    ssot_guard.install(rules=[ssot_guard.Block("app.old")])
    assert _outcome() == "strict"


def test_env_mode_empty_is_unset(app, monkeypatch) -> None:
    """An empty SSOT_GUARD_MODE is the same as no variable."""
    monkeypatch.setenv("SSOT_GUARD_MODE", "")
    ssot_guard.install(rules=[ssot_guard.Block("app.old")], mode="strict")
    assert _outcome() == "strict"


def test_env_mode_off_puts_nothing_in_meta_path(app, monkeypatch) -> None:
    """SSOT_GUARD_MODE=off installs no finder at all, whatever the rules say."""
    monkeypatch.setenv("SSOT_GUARD_MODE", "off")
    before = list(sys.meta_path)
    guard = ssot_guard.install(rules=[ssot_guard.Block("app.old", mode="strict")], mode="strict")
    assert sys.meta_path == before
    assert guard.finder is None
    assert _outcome() == "none"


def test_install_mode_off_puts_nothing_in_meta_path(app, monkeypatch) -> None:
    """``install(mode="off")`` with no rule asking otherwise installs no finder."""
    monkeypatch.delenv("SSOT_GUARD_MODE", raising=False)
    before = list(sys.meta_path)
    ssot_guard.install(rules=[ssot_guard.Block("app.old")], mode="off")
    assert sys.meta_path == before
    assert _outcome() == "none"


def test_config_mode_off_puts_nothing_in_meta_path(app, tmp_path, monkeypatch) -> None:
    """``mode = "off"`` in the config installs no finder."""
    monkeypatch.delenv("SSOT_GUARD_MODE", raising=False)
    path = _write_config(
        tmp_path, '[tool.ssot_guard]\nmode = "off"\n[[tool.ssot_guard.block]]\nmodule = "app.old"\n'
    )
    before = list(sys.meta_path)
    ssot_guard.install(path)
    assert sys.meta_path == before


def test_off_guard_then_real_guard_replaces_it(app, monkeypatch) -> None:
    """An ``off`` guard counts as the active guard and is replaced like any other."""
    monkeypatch.delenv("SSOT_GUARD_MODE", raising=False)
    off = ssot_guard.install(rules=[ssot_guard.Block("app.old")], mode="off")
    assert ssot_guard.active_guard() is off
    on = ssot_guard.install(rules=[ssot_guard.Block("app.old")], mode="strict")
    assert _finders() == [on.finder]
    assert _outcome() == "strict"


def test_env_mode_invalid_is_a_config_error(monkeypatch) -> None:
    """An unknown SSOT_GUARD_MODE is a ConfigError naming the variable and the allowed values."""
    monkeypatch.setenv("SSOT_GUARD_MODE", "loud")
    before = list(sys.meta_path)
    with pytest.raises(ConfigError) as info:
        ssot_guard.install(rules=[ssot_guard.Block("app.old")])
    message = str(info.value)
    assert "SSOT_GUARD_MODE" in message
    assert "'loud'" in message
    assert "'strict', 'warn', 'off'" in message
    assert sys.meta_path == before


def test_install_mode_invalid_is_a_config_error() -> None:
    """``install(mode="loud")`` is a ConfigError listing the modes."""
    with pytest.raises(ConfigError, match="'strict', 'warn', 'off'") as info:
        ssot_guard.install(mode="loud")  # type: ignore[arg-type]
    assert info.value.key == "mode"


# --- modules imported before install -----------------------------------------------------


def test_preloaded_module_warns_and_is_recorded_in_warn_mode(app) -> None:
    """A retired module imported before install() is warned about (at install) and recorded."""
    importlib.import_module("app.old")
    with pytest.warns(SSOTWarning, match="imported before install") as record:
        ssot_guard.install(rules=[ssot_guard.Block("app.old", use="app.new")], mode="warn")
    assert record[0].filename == __file__
    (violation,) = ssot_guard.violations()
    assert (violation.kind, violation.name, violation.replacement) == (
        "preloaded",
        "app.old",
        "app.new",
    )
    assert violation.filename == __file__


def test_preloaded_module_refused_in_strict_mode(app) -> None:
    """In strict mode install() raises PreloadedModuleError listing every such module."""
    importlib.import_module("app.old")
    importlib.import_module("app.new")
    before = list(sys.meta_path)
    rules = [ssot_guard.Block("app.old", use="app.x"), ssot_guard.Block("app.new")]
    with pytest.raises(PreloadedModuleError) as info:
        ssot_guard.install(rules=rules, mode="strict")
    assert set(info.value.modules) == {"app.old", "app.new"}
    assert "app.old" in str(info.value)
    assert "app.new" in str(info.value)
    assert "use 'app.x' instead" in str(info.value)
    assert isinstance(info.value, ImportError)
    assert sys.meta_path == before
    assert ssot_guard.active_guard() is None


def test_preloaded_module_error_survives_pickling(app) -> None:
    """A pickled PreloadedModuleError keeps its list and message (it used to fail to unpickle)."""
    importlib.import_module("app.old")
    with pytest.raises(PreloadedModuleError) as info:
        ssot_guard.install(rules=[ssot_guard.Block("app.old")], mode="strict")
    copy = pickle.loads(pickle.dumps(info.value))
    assert copy.modules == info.value.modules
    assert str(copy) == str(info.value)


def test_preloaded_refusal_keeps_the_previous_guard(app) -> None:
    """A strict install() refused for preloaded modules leaves the guard before it in place."""
    previous = ssot_guard.install(rules=[ssot_guard.Block("app.other")], mode="warn")
    importlib.import_module("app.old")
    with pytest.raises(PreloadedModuleError):
        ssot_guard.install(rules=[ssot_guard.Block("app.old")], mode="strict")
    assert ssot_guard.active_guard() is previous
    assert _finders() == [previous.finder]


def test_preloaded_warning_as_error_keeps_the_previous_guard(app) -> None:
    """Under ``-W error`` a preloaded warning fails install(); the guard before it stays."""
    previous = ssot_guard.install(rules=[ssot_guard.Block("app.other")], mode="strict")
    importlib.import_module("app.old")
    with pytest.raises(SSOTWarning, match="imported before install"):
        ssot_guard.install(rules=[ssot_guard.Block("app.old")], mode="warn")
    assert ssot_guard.active_guard() is previous
    assert previous.installed
    assert _finders() == [previous.finder]


def test_preloaded_module_allowed_by_rule_is_not_reported(app) -> None:
    """A preloaded module that the rule's ``allow`` exempts is not reported."""
    importlib.import_module("app.old")
    ssot_guard.install(rules=[ssot_guard.Block(pattern="app.*", allow=["app.old"])], mode="strict")
    assert ssot_guard.violations() == []


def test_name_marked_unimportable_is_not_preloaded(app) -> None:
    """``sys.modules[name] = None`` (an import refused, not done) is not a preloaded module."""
    sys.modules["app.old"] = None  # type: ignore[assignment]
    guard = ssot_guard.install(rules=[ssot_guard.Block("app.old")], mode="strict")
    assert guard.installed
    assert ssot_guard.violations() == []


def test_preloaded_redirect_alias_is_not_reported_again(make_package) -> None:
    """An old name an earlier guard aliased to its canonical module is not reported again."""
    make_package({"app/old_name.py": "", "app/new_name.py": ""})
    rule = ssot_guard.Redirect("app.old_name", to="app.new_name")
    ssot_guard.install(rules=[rule])
    with pytest.warns(SSOTWarning):
        importlib.import_module("app.old_name")
    ssot_guard.install(rules=[rule], mode="strict")  # no PreloadedModuleError
    assert sys.modules["app.old_name"] is sys.modules["app.new_name"]


def test_install_takes_the_config_load_config_returned(tmp_path) -> None:
    """``install(load_config(path))`` installs those rules without reading the file again."""
    path = _write_config(tmp_path, '[[block]]\nmodule = "app.old"\n', name="guard.toml")
    config = ssot_guard.load_config(path)
    path.unlink()  # a second read would fail: file not found
    guard = ssot_guard.install(config, mode="strict")
    assert guard.config.path == str(path)
    assert [e.rule.source for e in guard.enforced] == [f"{path}: block[0]"]


@pytest.mark.parametrize(
    "duplicate",
    [pickle.dumps, copy.copy, copy.deepcopy],
    ids=["pickle", "copy", "deepcopy"],
)
def test_guard_refuses_to_be_copied_or_pickled(
    app: Path, duplicate: Callable[[object], object]
) -> None:
    """A copy of a Guard would share its finder, and its uninstall() take out the original's:
    copying or pickling one is a TypeError that says what to pass instead."""
    guard = ssot_guard.install(rules=[ssot_guard.Block("app.old")], mode="strict")
    with pytest.raises(TypeError, match=r"Guard cannot be copied or pickled.*guard\.config"):
        duplicate(guard)
    assert len(_finders()) == 1
    assert guard.installed
