"""One parser for the three mode words, one precedence order (``_base._modes``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import ssot_guard
from ssot_guard._base._modes import MODES, effective_mode, parse_mode


@pytest.mark.parametrize("written", ["strict", "STRICT", " Strict\n"])
def test_parse_mode_forgives_case_and_blanks(written: str) -> None:
    """The same words are accepted wherever a mode is written, whatever their case."""
    assert parse_mode(written) == "strict"


@pytest.mark.parametrize("unset", [None, "", "   "])
def test_parse_mode_unset(unset: str | None) -> None:
    """``None`` and a blank string mean "not set", so a weaker level decides."""
    assert parse_mode(unset) is None


@pytest.mark.parametrize("bad", ["loud", 1, True, ["strict"], {"mode": "strict"}])
def test_parse_mode_refuses_anything_else_with_the_allowed_words(bad: object) -> None:
    """A bad value names where it was written and lists the three words."""
    with pytest.raises(ssot_guard.ConfigError) as info:
        parse_mode(bad, file="pyproject.toml", entry="tool.ssot_guard")
    message = str(info.value)
    assert message.startswith("pyproject.toml: tool.ssot_guard: key 'mode': unknown mode ")
    assert message.endswith("allowed: 'strict', 'warn', 'off'")
    assert MODES == ("strict", "warn", "off")


def test_effective_mode_order() -> None:
    """Strongest first: forced, the rule's own, install(mode=), the config's, then warn."""
    levels = {"forced": "off", "rule": "strict", "install": "warn", "config": "strict"}
    order = ["forced", "rule", "install", "config"]
    for strongest in range(len(order)):
        given = {k: levels[k] for k in order[strongest:]}
        assert effective_mode(**given) == levels[order[strongest]]  # type: ignore[arg-type]
    assert effective_mode() == "warn"


def test_install_mode_and_toml_mode_use_the_same_words(tmp_path: Path) -> None:
    """``install(mode=...)`` and TOML accept the same spelling, and refuse the same way."""
    config = tmp_path / "ssot.toml"
    config.write_text('mode = "Warn"\n', encoding="utf-8")
    assert ssot_guard.install(config).mode == "warn"
    assert ssot_guard.install(config, mode=" STRICT ").mode == "strict"  # type: ignore[arg-type]
    with pytest.raises(ssot_guard.ConfigError, match=r"^install\(\): key 'mode': unknown mode"):
        ssot_guard.install(config, mode="loud")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("table", "ssot.toml: top level: key 'mode': unknown mode ''"),
        ("rule", "ssot.toml: block[0]: key 'mode': unknown mode ' '"),
        ("install", "install(): key 'mode': unknown mode ''"),
        ("Block", "Block(module='app.old'): key 'mode': unknown mode ''"),
    ],
)
def test_a_blank_mode_written_in_a_file_or_in_python_is_refused(
    tmp_path: Path, where: str, expected: str
) -> None:
    """``mode = ""`` in TOML, ``install(mode="")`` and ``Block(mode="")`` are mistakes, not
    "unset" (which is leaving the key out): one ConfigError listing the three words, as for
    any other word. (Blank is unset only for SSOT_GUARD_MODE, the ini key and the option.)"""
    config = tmp_path / "ssot.toml"
    body = {"table": 'mode = ""\n', "rule": '[[block]]\nmodule = "app.old"\nmode = " "\n'}
    config.write_text(body.get(where, ""), encoding="utf-8")
    calls = {
        "install": lambda: ssot_guard.install(config, mode=""),  # type: ignore[arg-type]
        "Block": lambda: ssot_guard.Block("app.old", mode=""),  # type: ignore[arg-type]
    }
    with pytest.raises(ssot_guard.ConfigError) as info:
        calls.get(where, lambda: ssot_guard.load_config(config))()
    message = str(info.value).replace(f"{config}", "ssot.toml")
    assert message == f"{expected}; allowed: 'strict', 'warn', 'off'"


def test_env_mode_is_parsed_by_the_same_parser(tmp_path: Path) -> None:
    """``SSOT_GUARD_MODE`` accepts the same words and names itself when wrong."""
    code = "import ssot_guard; print(ssot_guard.install(rules=[]).mode)"
    env = {**os.environ, "SSOT_GUARD_MODE": " Off "}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert result.stdout.strip() == "off", result.stderr
    env["SSOT_GUARD_MODE"] = "loud"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert "environment variable SSOT_GUARD_MODE: unknown mode 'loud'" in result.stderr
    assert "(or unset it)" in result.stderr


def test_each_enforced_rule_carries_its_mode() -> None:
    """The guard compiles each rule with its effective mode; rules that are off drop out."""
    quiet = ssot_guard.Block("app.quiet", mode="off")
    loud = ssot_guard.Block("app.loud", mode="strict")
    plain = ssot_guard.Block("app.plain")
    guard = ssot_guard.install(rules=[quiet, loud, plain], mode="warn")
    assert [(e.rule, e.mode) for e in guard.enforced] == [(loud, "strict"), (plain, "warn")]
    assert (guard.mode_of(quiet), guard.mode_of(loud), guard.mode_of(plain)) == (
        "off",
        "strict",
        "warn",
    )
