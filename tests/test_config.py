"""Reading [tool.ssot_guard]: where it is found, what it means, a ConfigError per mistake."""

from __future__ import annotations

import pickle
import textwrap
from pathlib import Path

import pytest

import ssot_guard
from ssot_guard import Block, ConfigError, Redirect, load_config
from ssot_guard._config._load import discover_config

BLOCK_KEYS = "allow, allow_importers, mode, module, pattern, reason, use"
MODES = "'strict', 'warn', 'off'"


def _write(tmp_path: Path, text: str, name: str = "pyproject.toml") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _error(tmp_path: Path, text: str, name: str = "pyproject.toml") -> ConfigError:
    path = _write(tmp_path, text, name)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value), "the message names the file"
    assert info.value.file == str(path)
    return info.value


# --- what a valid configuration means ----------------------------------------------------


def test_full_example_parses(tmp_path) -> None:
    """The issue's example configuration parses into its mode and rules, in order."""
    path = _write(
        tmp_path,
        """
        [tool.ssot_guard]
        mode = "strict"

        [[tool.ssot_guard.block]]
        module = "app.websocket_core.websocket_manager_factory"
        use = "app.websocket_core.websocket_manager"
        reason = "dual factory pattern removed (#1126)"

        [[tool.ssot_guard.block]]
        pattern = "app.websocket_core.*factory*"
        allow = ["app.websocket_core.user_execution_context"]
        allow_importers = ["app.websocket_core.legacy_tests.**"]

        [[tool.ssot_guard.redirect]]
        module = "app.old_name"
        to = "app.new_name"
        """,
    )
    config = load_config(path)
    assert config.mode == "strict"
    assert config.path == str(path)
    assert config.rules == (
        Block(
            "app.websocket_core.websocket_manager_factory",
            use="app.websocket_core.websocket_manager",
            reason="dual factory pattern removed (#1126)",
        ),
        Block(
            pattern="app.websocket_core.*factory*",
            allow=["app.websocket_core.user_execution_context"],
            allow_importers=["app.websocket_core.legacy_tests.**"],
        ),
        Redirect("app.old_name", to="app.new_name"),
    )


def test_rule_source_names_file_and_entry(tmp_path) -> None:
    """Each rule remembers the file and entry it came from, for messages."""
    path = _write(
        tmp_path,
        """
        [tool.ssot_guard]
        [[tool.ssot_guard.block]]
        module = "a"
        [[tool.ssot_guard.block]]
        module = "b"
        """,
    )
    assert [r.source for r in load_config(path).rules] == [
        f"{path}: tool.ssot_guard.block[0]",
        f"{path}: tool.ssot_guard.block[1]",
    ]


def test_empty_table_means_no_rules(tmp_path) -> None:
    """An empty [tool.ssot_guard] is valid: no mode, no rules."""
    config = load_config(_write(tmp_path, "[tool.ssot_guard]\n"))
    assert (config.mode, config.rules) == (None, ())


def test_other_toml_read_at_tool_table_when_present(tmp_path) -> None:
    """A non-pyproject .toml with [tool.ssot_guard] is read there."""
    path = _write(
        tmp_path,
        '[tool.ssot_guard]\nmode = "warn"\n[[tool.ssot_guard.block]]\nmodule = "a"\n',
        "guard.toml",
    )
    config = load_config(path)
    assert config.mode == "warn"
    assert config.rules[0].source == f"{path}: tool.ssot_guard.block[0]"


def test_other_toml_read_at_top_level_without_tool_table(tmp_path) -> None:
    """A non-pyproject .toml without [tool.ssot_guard] is read at its top level."""
    path = _write(tmp_path, 'mode = "strict"\n[[redirect]]\nmodule = "a"\nto = "b"\n', "guard.toml")
    config = load_config(path)
    assert config.mode == "strict"
    assert config.rules == (Redirect("a", to="b"),)
    assert config.rules[0].source == f"{path}: redirect[0]"


def test_load_config_accepts_str_and_path(tmp_path) -> None:
    """load_config takes a str or a path-like object."""
    path = _write(tmp_path, '[tool.ssot_guard]\nmode = "off"\n')
    assert load_config(str(path)).mode == load_config(path).mode == "off"


# --- discovery ---------------------------------------------------------------------------


def test_discovery_finds_pyproject_in_cwd(tmp_path, monkeypatch) -> None:
    """install() with no arguments reads the pyproject.toml of the current directory."""
    monkeypatch.delenv("SSOT_GUARD_CONFIG", raising=False)
    path = _write(tmp_path, '[tool.ssot_guard]\n[[tool.ssot_guard.block]]\nmodule = "a.b"\n')
    monkeypatch.chdir(tmp_path)
    guard = ssot_guard.install()
    assert guard.config.path == str(path)
    assert guard.rules == (Block("a.b"),)


def test_discovery_searches_upward(tmp_path, monkeypatch) -> None:
    """From a subdirectory the nearest pyproject.toml above is found."""
    monkeypatch.delenv("SSOT_GUARD_CONFIG", raising=False)
    path = _write(tmp_path, "[tool.ssot_guard]\n")
    deep = tmp_path / "src" / "pkg" / "deep"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    assert discover_config() == str(path)


def test_discovery_skips_pyproject_without_table(tmp_path, monkeypatch) -> None:
    """A pyproject.toml without [tool.ssot_guard] is passed over for one further up."""
    monkeypatch.delenv("SSOT_GUARD_CONFIG", raising=False)
    outer = _write(tmp_path, "[tool.ssot_guard]\n")
    _write(tmp_path / "inner", '[project]\nname = "inner"\n')
    monkeypatch.chdir(tmp_path / "inner")
    assert discover_config() == str(outer)


def test_discovery_prefers_the_nearest(tmp_path, monkeypatch) -> None:
    """With tables at two levels, the nearest one wins."""
    monkeypatch.delenv("SSOT_GUARD_CONFIG", raising=False)
    _write(tmp_path, "[tool.ssot_guard]\n")
    inner = _write(tmp_path / "inner", "[tool.ssot_guard]\n")
    monkeypatch.chdir(tmp_path / "inner")
    assert discover_config() == str(inner)


def test_discovery_finds_nothing(tmp_path, monkeypatch) -> None:
    """Without any table up to the root, discovery returns None."""
    monkeypatch.delenv("SSOT_GUARD_CONFIG", raising=False)
    _write(tmp_path, '[project]\nname = "x"\n')
    assert discover_config(tmp_path) is None


def test_discovery_reports_a_broken_pyproject(tmp_path, monkeypatch) -> None:
    """A broken pyproject.toml met during discovery is a ConfigError, not skipped."""
    monkeypatch.delenv("SSOT_GUARD_CONFIG", raising=False)
    path = _write(tmp_path, "[tool.ssot_guard\n")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="broken TOML") as info:
        ssot_guard.install()
    assert str(path) in str(info.value)


def test_discovery_from_a_deleted_directory(tmp_path, monkeypatch) -> None:
    """A current directory that was deleted is a ConfigError saying so, not a FileNotFoundError."""
    monkeypatch.delenv("SSOT_GUARD_CONFIG", raising=False)
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    with pytest.raises(ConfigError, match="current directory no longer exists") as info:
        ssot_guard.install()
    assert "SSOT_GUARD_CONFIG" in str(info.value)


def test_env_config_beats_discovery(tmp_path, monkeypatch) -> None:
    """SSOT_GUARD_CONFIG names the file even when a pyproject.toml would be discovered."""
    _write(tmp_path, '[tool.ssot_guard]\n[[tool.ssot_guard.block]]\nmodule = "from_pyproject"\n')
    named = _write(tmp_path, '[[block]]\nmodule = "from_env"\n', "other/guard.toml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SSOT_GUARD_CONFIG", str(named))
    guard = ssot_guard.install()
    assert guard.rules == (Block("from_env"),)


def test_env_config_pointing_nowhere(tmp_path, monkeypatch) -> None:
    """SSOT_GUARD_CONFIG naming a missing file is a ConfigError naming the variable and the path."""
    monkeypatch.setenv("SSOT_GUARD_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(ConfigError) as info:
        ssot_guard.install()
    assert "SSOT_GUARD_CONFIG" in str(info.value)
    assert "missing.toml" in str(info.value)
    assert "file not found" in str(info.value)


def test_explicit_config_beats_env_config(tmp_path, monkeypatch) -> None:
    """``install(config)`` ignores SSOT_GUARD_CONFIG."""
    monkeypatch.setenv("SSOT_GUARD_CONFIG", str(tmp_path / "missing.toml"))
    path = _write(tmp_path, '[[block]]\nmodule = "given"\n', "given.toml")
    assert ssot_guard.install(path).rules == (Block("given"),)


# --- every ConfigError -------------------------------------------------------------------


def test_unknown_rule_key_typo(tmp_path) -> None:
    """A typo like ``modul`` names the entry and the key and lists the allowed keys."""
    error = _error(tmp_path, '[tool.ssot_guard]\n[[tool.ssot_guard.block]]\nmodul = "a.b"\n')
    assert error.entry == "tool.ssot_guard.block[0]"
    assert error.key == "modul"
    assert "key 'modul'" in str(error)
    assert "tool.ssot_guard.block[0]" in str(error)
    assert f"allowed keys: {BLOCK_KEYS}" in str(error)


def test_unknown_key_in_second_entry_names_index(tmp_path) -> None:
    """The index in the message is the offending entry's."""
    error = _error(
        tmp_path,
        """
        [tool.ssot_guard]
        [[tool.ssot_guard.block]]
        module = "a"
        [[tool.ssot_guard.block]]
        module = "b"
        resaon = "typo"
        """,
    )
    assert "tool.ssot_guard.block[1]" in str(error)
    assert error.key == "resaon"


def test_unknown_top_level_key(tmp_path) -> None:
    """An unknown key in [tool.ssot_guard] itself lists the allowed top-level keys."""
    error = _error(tmp_path, '[tool.ssot_guard]\nmoed = "strict"\n')
    assert error.key == "moed"
    assert "tool.ssot_guard" in str(error)
    assert "allowed keys: mode, block, redirect" in str(error)


def test_unknown_redirect_key(tmp_path) -> None:
    """A redirect entry with a block-only key (``use``) lists the redirect keys."""
    error = _error(
        tmp_path,
        '[tool.ssot_guard]\n[[tool.ssot_guard.redirect]]\nmodule = "a"\nto = "b"\nuse = "c"\n',
    )
    assert (error.entry, error.key) == ("tool.ssot_guard.redirect[0]", "use")
    assert "allowed keys: mode, module, reason, to" in str(error)


@pytest.mark.parametrize(
    ("line", "key", "expected"),
    [
        ("module = 3", "module", "expected a string, got int"),
        ('pattern = ["a.*"]', "pattern", "expected a string, got list"),
        ('module = "a"\nuse = 1', "use", "expected a string, got int"),
        ('module = "a"\nreason = true', "reason", "expected a string, got bool"),
        ('module = "a"\nallow = "a.b"', "allow", "expected a list of module names or globs"),
        ('module = "a"\nallow = [1]', "allow", "expected a string, got int"),
        ('module = "a"\nallow_importers = "x"', "allow_importers", "expected a list"),
        ('module = "a"\nmode = 1', "mode", f"unknown mode 1; allowed: {MODES}"),
    ],
)
def test_wrong_types(tmp_path, line, key, expected) -> None:
    """A value of the wrong type names the entry and key and says what was expected."""
    error = _error(tmp_path, f"[tool.ssot_guard]\n[[tool.ssot_guard.block]]\n{line}\n")
    assert (error.entry, error.key) == ("tool.ssot_guard.block[0]", key)
    assert expected in str(error)
    assert f"key {key!r}" in str(error)


def test_block_with_neither_module_nor_pattern(tmp_path) -> None:
    """A block entry without ``module`` or ``pattern`` says it needs exactly one of them."""
    error = _error(tmp_path, '[tool.ssot_guard]\n[[tool.ssot_guard.block]]\nuse = "a.b"\n')
    assert error.entry == "tool.ssot_guard.block[0]"
    assert "exactly one of 'module'" in str(error)
    assert "'pattern'" in str(error)


def test_block_with_both_module_and_pattern(tmp_path) -> None:
    """A block entry with both ``module`` and ``pattern`` is refused the same way."""
    error = _error(
        tmp_path, '[tool.ssot_guard]\n[[tool.ssot_guard.block]]\nmodule = "a"\npattern = "a.*"\n'
    )
    assert error.entry == "tool.ssot_guard.block[0]"
    assert "exactly one of 'module'" in str(error)


def test_redirect_missing_to(tmp_path) -> None:
    """A redirect without ``to`` names the missing key and the required ones."""
    error = _error(tmp_path, '[tool.ssot_guard]\n[[tool.ssot_guard.redirect]]\nmodule = "a"\n')
    assert (error.entry, error.key) == ("tool.ssot_guard.redirect[0]", "to")
    assert "needs 'module', 'to'" in str(error)


def test_redirect_that_would_loop(tmp_path) -> None:
    """A redirect between names that contain each other is refused."""
    error = _error(
        tmp_path, '[tool.ssot_guard]\n[[tool.ssot_guard.redirect]]\nmodule = "a"\nto = "a.b"\n'
    )
    assert error.key == "to"
    assert "would loop" in str(error)


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        ("app.b**", "'**' must be a whole part"),
        ("app..b", "empty part"),
        ("app.b-c", "has '-'"),
        (".app", "empty part"),
        ("app.1x", "starts with a digit"),
        ("", "is empty"),
    ],
)
def test_invalid_glob(tmp_path, pattern, why) -> None:
    """An invalid glob names the key, says what is wrong and what a glob may hold."""
    error = _error(
        tmp_path, f'[tool.ssot_guard]\n[[tool.ssot_guard.block]]\npattern = "{pattern}"\n'
    )
    assert (error.entry, error.key) == ("tool.ssot_guard.block[0]", "pattern")
    assert why in str(error)
    assert "'*' within a part, '**' across parts" in str(error)


def test_invalid_glob_in_allow(tmp_path) -> None:
    """Globs in ``allow`` and ``allow_importers`` are checked too."""
    error = _error(
        tmp_path,
        '[tool.ssot_guard]\n[[tool.ssot_guard.block]]\nmodule = "a"\nallow_importers = ["x..y"]\n',
    )
    assert error.key == "allow_importers"
    assert "empty part" in str(error)


def test_glob_in_module_key(tmp_path) -> None:
    """``module`` takes a dotted name: a glob there points to ``pattern``."""
    error = _error(tmp_path, '[tool.ssot_guard]\n[[tool.ssot_guard.block]]\nmodule = "app.*"\n')
    assert error.key == "module"
    assert "is a glob" in str(error)


def test_unknown_mode_in_config(tmp_path) -> None:
    """An unknown top-level mode names the key and lists the modes."""
    error = _error(tmp_path, '[tool.ssot_guard]\nmode = "loud"\n')
    assert error.key == "mode"
    assert f"unknown mode 'loud'; allowed: {MODES}" in str(error)


def test_unknown_mode_in_rule(tmp_path) -> None:
    """An unknown mode in a rule names that rule's entry."""
    error = _error(
        tmp_path,
        """
        [tool.ssot_guard]
        [[tool.ssot_guard.redirect]]
        module = "a"
        to = "b"
        [[tool.ssot_guard.block]]
        module = "c"
        [[tool.ssot_guard.block]]
        module = "d"
        mode = "loud"
        """,
    )
    assert (error.entry, error.key) == ("tool.ssot_guard.block[1]", "mode")
    assert f"allowed: {MODES}" in str(error)


def test_rule_table_not_an_array(tmp_path) -> None:
    """``[tool.ssot_guard.block]`` (one table) instead of ``[[...]]`` says an array is expected."""
    error = _error(tmp_path, '[tool.ssot_guard]\n[tool.ssot_guard.block]\nmodule = "a"\n')
    assert error.key == "block"
    assert "[[tool.ssot_guard.block]]" in str(error)


def test_tool_table_not_a_table(tmp_path) -> None:
    """``tool.ssot_guard = 3`` says a table is expected."""
    error = _error(tmp_path, "[tool]\nssot_guard = 3\n")
    assert "tool.ssot_guard" in str(error)
    assert "expected a table, got an integer" in str(error)


def test_broken_toml(tmp_path) -> None:
    """Broken TOML names the file and the parser's line and column."""
    error = _error(tmp_path, "[tool.ssot_guard\nmode = 'strict'\n")
    assert "broken TOML" in str(error)
    assert "line 1" in str(error)


def test_not_utf8(tmp_path) -> None:
    """A file that is not UTF-8 is a ConfigError naming the file."""
    path = tmp_path / "pyproject.toml"
    path.write_bytes(b'[tool.ssot_guard]\nmode = "\xff"\n')
    with pytest.raises(ConfigError, match="not UTF-8") as info:
        load_config(path)
    assert str(path) in str(info.value)


def test_missing_file(tmp_path) -> None:
    """A config path that does not exist is a ConfigError, not a FileNotFoundError."""
    path = tmp_path / "nope.toml"
    with pytest.raises(ConfigError, match="file not found") as info:
        ssot_guard.install(path)
    assert str(path) in str(info.value)


def test_directory_instead_of_file(tmp_path) -> None:
    """A directory given as config is a ConfigError."""
    with pytest.raises(ConfigError, match="is a directory"):
        load_config(tmp_path)


def test_pyproject_without_table(tmp_path) -> None:
    """A pyproject.toml given explicitly but lacking [tool.ssot_guard] is refused, not ignored."""
    error = _error(tmp_path, '[project]\nname = "x"\n')
    assert "has no [tool.ssot_guard] table" in str(error)


def test_other_toml_without_table_has_unknown_keys(tmp_path) -> None:
    """A non-pyproject .toml read at top level refuses unrelated tables as unknown keys."""
    error = _error(tmp_path, "[tool.black]\nline-length = 100\n", "guard.toml")
    assert error.key == "tool"
    assert "allowed keys: mode, block, redirect" in str(error)


def test_config_error_is_a_value_error() -> None:
    """ConfigError is a ValueError and an SSOTError."""
    assert issubclass(ConfigError, ValueError)
    assert issubclass(ConfigError, ssot_guard.SSOTError)


# --- rule objects built in Python --------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "key", "expected"),
    [
        (lambda: Block(), None, "exactly one of 'module'"),
        (lambda: Block("a", pattern="a.*"), "module", "exactly one of 'module'"),
        (lambda: Block(3), "module", "expected a string"),  # type: ignore[arg-type]
        (lambda: Block(pattern="a.b**"), "pattern", "'**' must be a whole part"),
        (lambda: Block("a", mode="loud"), "mode", f"allowed: {MODES}"),  # type: ignore[arg-type]
        (lambda: Block("a", allow=[1]), "allow", "expected a string"),  # type: ignore[list-item]
        (lambda: Redirect("a", to="a.b"), "to", "would loop"),
        (lambda: Redirect("a", to="b*"), "to", "is a glob"),
    ],
)
def test_python_rule_errors(build, key, expected) -> None:
    """Rule constructors raise the same ConfigErrors, naming the rule and the keyword."""
    with pytest.raises(ConfigError) as info:
        build()
    assert info.value.key == key
    assert expected in str(info.value)
    assert "Block(" in str(info.value) or "Redirect(" in str(info.value)


def test_python_rules_compare_by_value() -> None:
    """Rules with the same fields are equal and hash alike; their repr reads like the call."""
    assert Block("a.b", use="c") == Block("a.b", use="c")
    assert hash(Block("a.b", use="c")) == hash(Block("a.b", use="c"))
    assert Block("a.b") != Block("a.c")
    assert repr(Block("a.b", use="c", reason="r")) == "Block(module='a.b', use='c', reason='r')"
    assert repr(Redirect("a", to="b")) == "Redirect(module='a', to='b')"


def test_block_refuses_a_single_string_for_lists() -> None:
    """``allow="x"`` is refused in Python as in TOML: a string is not a list of names."""
    with pytest.raises(ConfigError, match="expected a list of module names or globs") as info:
        Block("a", allow="a.b")
    assert info.value.key == "allow"


def test_config_error_survives_pickling(tmp_path) -> None:
    """A pickled ConfigError keeps its message, file, entry and key."""
    error = _error(tmp_path, '[tool.ssot_guard]\n[[tool.ssot_guard.block]]\nmodul = "a.b"\n')
    copy = pickle.loads(pickle.dumps(error))
    assert str(copy) == str(error)
    assert (copy.file, copy.entry, copy.key) == (error.file, error.entry, error.key)


def test_redirect_to_a_retired_module_is_refused() -> None:
    """A redirect whose target another rule blocks names both rules and the key 'to'."""
    rules = [Redirect("app.old", "app.new"), Block("app.new", reason="gone too")]
    with pytest.raises(ConfigError) as info:
        ssot_guard.install(rules=rules)
    assert info.value.key == "to"
    assert "names 'app.new', which Block(module='app.new') retires" in str(info.value)


def test_deprecate_in_a_redirected_module_is_refused() -> None:
    """A ``[[deprecate]]`` name in a module a redirect makes an alias could never apply (the
    module is the canonical one, under its own name): refused naming the canonical name."""
    rules = [Redirect("app.old", "app.new"), ssot_guard.Deprecate("app.old:make")]
    with pytest.raises(ConfigError) as info:
        ssot_guard.install(rules=rules)
    assert info.value.key == "name"
    message = str(info.value)
    assert "Redirect(module='app.old', to='app.new')" in message
    assert "'app.new:make'" in message


def test_use_inside_the_blocked_package_is_refused() -> None:
    """A block whose replacement lies inside what it blocks is refused as 'this rule'."""
    with pytest.raises(ConfigError) as info:
        ssot_guard.install(rules=[Block("app.legacy", use="app.legacy.v2")])
    assert info.value.key == "use"
    assert "names 'app.legacy.v2', which this rule retires" in str(info.value)


def test_use_as_free_text_or_allowed_module_is_accepted() -> None:
    """``use`` may be prose, and may name a module the rule's own ``allow`` lets through."""
    guard = ssot_guard.install(
        rules=[
            Block("app.a", use="the new client in app.b"),
            Block("app.legacy", allow=["app.legacy.compat"], use="app.legacy.compat"),
        ]
    )
    assert guard.installed
    assert [e.rule.use for e in guard.enforced] == [  # type: ignore[attr-defined]
        "the new client in app.b",
        "app.legacy.compat",
    ]


def test_retired_replacement_in_a_file_names_the_file_and_entry(tmp_path: Path) -> None:
    """From a file, the error names the file, the entry and the key."""
    config = tmp_path / "pyproject.toml"
    config.write_text(
        "[tool.ssot_guard]\n"
        "[[tool.ssot_guard.block]]\nmodule = 'app.x'\nuse = 'app.y'\n"
        "[[tool.ssot_guard.block]]\nmodule = 'app.y'\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as info:
        ssot_guard.install(config)
    message = str(info.value)
    assert f"{config}: tool.ssot_guard.block[0]: key 'use': names 'app.y'" in message
    assert f"which {config}: tool.ssot_guard.block[1] retires" in message


def test_install_accepts_the_config_load_config_returned(tmp_path: Path) -> None:
    """install(load_config(path)) uses the parsed Config: the file is not read again."""
    config = tmp_path / "pyproject.toml"
    config.write_text(
        "[tool.ssot_guard]\nmode = 'strict'\n[[tool.ssot_guard.block]]\nmodule = 'app.x'\n",
        encoding="utf-8",
    )
    loaded = load_config(config)
    config.unlink()  # reading it again would be a ConfigError: file not found
    with ssot_guard.install(loaded) as guard:
        assert guard.config.path == str(config)
        assert guard.rules == loaded.rules
        assert guard.mode == "strict"


def test_every_environment_variable_is_documented_and_every_documented_one_exists() -> None:
    """docs/configuration.md's environment table names exactly the SSOT_GUARD_* variables
    the source mentions: a new one gets a row, a removed one loses it."""
    import re

    root = Path(__file__).resolve().parent.parent
    source = "".join(p.read_text(encoding="utf-8") for p in (root / "src").rglob("*.py"))
    page = (root / "docs" / "configuration.md").read_text(encoding="utf-8")
    table = page.split("## Environment variables", 1)[1].split("\n## ", 1)[0]
    in_table = set(re.findall(r"^\| `(SSOT_GUARD_[A-Z_]+)` \|", table, re.MULTILINE))
    assert set(re.findall(r"SSOT_GUARD_[A-Z_]+", source)) == in_table
