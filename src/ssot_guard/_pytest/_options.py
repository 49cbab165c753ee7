"""The plugin's command-line options and ini keys, and what a run asks for.

Each option has an ini key of the same meaning (``--ssot-mode`` / ``ssot_mode``,
...); the option wins. ``read_settings`` turns them, with the environment, into
``Settings`` once per run, reading the configuration file once.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from .._base._errors import ConfigError
from .._base._modes import MODE_ENV, env_mode, parse_mode
from .._config._load import CONFIG_ENV, discover_config, load_config, load_discovered

if TYPE_CHECKING:
    import pytest

    from .._base._modes import Mode
    from .._config._load import Config

GROUP = "ssot_guard"


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup(GROUP, "ssot_guard: one source of truth")
    group.addoption(
        "--ssot-mode",
        type=_option_mode,
        default=None,
        metavar="{strict,warn,off}",
        help="Mode for this run: strict (violations raise), warn, off. "
        "Beats the config, the ssot_mode ini key and SSOT_GUARD_MODE.",
    )
    group.addoption(
        "--ssot-config",
        default=None,
        metavar="PATH",
        help="TOML file with the [tool.ssot_guard] rules (default: SSOT_GUARD_CONFIG, "
        "ssot_config, else the nearest pyproject.toml with a [tool.ssot_guard] table).",
    )
    group.addoption(
        "--ssot-fail-on-violation",
        action="store_true",
        default=None,
        help="Fail each test that records a violation it did not provoke itself, and the run "
        "when one is recorded outside tests (such as a blocked import swallowed by "
        "try/except ImportError).",
    )
    parser.addini("ssot_mode", "ssot_guard mode: strict, warn or off (beats the config's mode)")
    parser.addini("ssot_config", "ssot_guard config file, relative to the ini file", type="string")
    parser.addini(
        "ssot_fail_on_violation",
        "Fail tests (and the run) that record an unexpected ssot_guard violation",
        type="bool",
        default=False,
    )


class Settings:
    """What the options, ini keys, environment and config file ask of this run."""

    __slots__ = ("config", "fail_on_violation", "ini_mode", "mode", "mode_source", "option_mode")

    def __init__(
        self,
        config: Config | None,
        ini_mode: Mode | None,
        option_mode: Mode | None,
        fail_on_violation: bool,
    ) -> None:
        self.config = config
        self.ini_mode = ini_mode
        self.option_mode = option_mode
        self.fail_on_violation = fail_on_violation
        self.mode: Mode = "warn"
        self.mode_source = "default"
        # The mode in force and where it comes from, weakest first.
        if config is not None and config.mode is not None:
            self.mode, self.mode_source = config.mode, "config file"
        if ini_mode is not None:
            self.mode, self.mode_source = ini_mode, "ini ssot_mode"
        environment = env_mode()
        if environment is not None:
            self.mode, self.mode_source = environment, MODE_ENV
        if option_mode is not None:
            self.mode, self.mode_source = option_mode, "--ssot-mode"

    @property
    def config_path(self) -> str | None:
        return self.config.path if self.config is not None else None


def read_settings(config: pytest.Config) -> Settings | None:
    """What this run asks for; ``None``: nothing to do. Raises ``ConfigError``."""
    ns = config.known_args_namespace
    if getattr(ns, "help", False) or getattr(ns, "version", False):
        return None  # --help and --version work whatever the config says
    option_mode: Mode | None = getattr(ns, "ssot_mode", None)
    option_config: str | None = getattr(ns, "ssot_config", None)
    option_fail: bool | None = getattr(ns, "ssot_fail_on_violation", None)
    ini_config = _ini_config(config)
    ini_mode = _ini_mode(config)
    fail = option_fail if option_fail is not None else _ini_fail(config)
    base = config.inipath.parent if config.inipath is not None else config.rootpath
    # Read once, now: a broken file is reported before anything is installed,
    # and the guard is built from this Config without reading the file again.
    loaded: Config | None
    if option_config:
        loaded = load_config(config.invocation_params.dir / option_config)
    elif os.environ.get(CONFIG_ENV, "").strip():
        path = discover_config()
        loaded = load_config(path) if path is not None else None
    elif ini_config:
        loaded = load_config(base / ini_config)
    else:
        loaded = load_discovered(config.rootpath)
    if loaded is None and option_mode is None and ini_mode is None and not fail:
        return None
    return Settings(loaded, ini_mode, option_mode, fail)


def _option_mode(text: str) -> Mode | None:
    """``--ssot-mode``'s value, read by the one mode parser (argparse shows its error)."""
    import argparse

    try:
        return parse_mode(text, key=None)
    except ConfigError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _ini_mode(config: pytest.Config) -> Mode | None:
    value = config.getini("ssot_mode") or None
    return parse_mode(value, file=_ini_file(config, "ssot_mode"), key="ssot_mode")


def _ini_config(config: pytest.Config) -> str:
    value = config.getini("ssot_config") or ""
    if not isinstance(value, str):  # pyproject.toml can hold a list where a path belongs
        problem = f"expected one path (a string), got {value!r}"
        raise ConfigError(problem, file=_ini_file(config, "ssot_config"), key="ssot_config")
    return value.strip()


def _ini_fail(config: pytest.Config) -> bool:
    import pytest

    try:
        return bool(config.getini("ssot_fail_on_violation"))
    except (ValueError, pytest.UsageError) as error:  # pytest says "invalid truth value 'maybe'"
        problem = f"expected true or false ({error})"
        where = _ini_file(config, "ssot_fail_on_violation")
        raise ConfigError(problem, file=where, key="ssot_fail_on_violation") from None


def _ini_file(config: pytest.Config, key: str) -> str:
    """Where the ini *key*'s value comes from: ``-o key=...`` beats the ini file."""
    overrides = getattr(config.known_args_namespace, "override_ini", None) or ()
    if any(str(o).partition("=")[0].strip() == key for o in overrides):
        return "command line -o"
    return str(config.inipath) if config.inipath else "ini file"
