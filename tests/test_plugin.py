"""The pytest plugin: registration, installing early, options, precedence, header, restoring."""

from __future__ import annotations

import sys
import textwrap
from importlib.metadata import entry_points

import pytest

import ssot_guard
from ssot_guard._report import _record as _violations

pytest_plugins = ["pytester"]

APP = {
    "app/__init__.py": "",
    "app/legacy.py": "LEGACY = True\n",
    "app/current.py": "CURRENT = True\n",
}
RULE = """
[[tool.ssot_guard.block]]
module = "app.legacy"
use = "app.current"
reason = "retired in #1"
"""
PROBE = """
def test_probe():
    import app.legacy
    assert app.legacy.LEGACY
"""


def make_project(
    pytester: pytest.Pytester,
    *,
    mode: str | None = "strict",
    ini: str = "",
    ssot: bool = True,
    tests: dict[str, str] | None = None,
) -> None:
    """Write the app package, a pyproject.toml and test files into the pytester directory."""
    for name, source in APP.items():
        path = pytester.path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    config = '[tool.pytest.ini_options]\npythonpath = ["."]\n' + ini + "\n"
    if ssot:
        config += "[tool.ssot_guard]\n" + (f'mode = "{mode}"\n' if mode else "") + RULE
    (pytester.path / "pyproject.toml").write_text(config)
    for name, source in (tests if tests is not None else {"test_probe.py": PROBE}).items():
        (pytester.path / name).write_text(textwrap.dedent(source))


def test_entry_point_is_registered() -> None:
    """The plugin is the pytest11 entry point named ssot_guard."""
    found = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert found.get("ssot_guard") == "ssot_guard._pytest"


def test_autoload_disabled_takes_it_back_with_p_ssot_guard(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 skips the plugin; ``-p ssot_guard`` loads it again."""
    make_project(pytester)
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "ssot_guard")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["ssot_guard: mode strict (from config file)*"])


def test_without_config_it_does_nothing(pytester: pytest.Pytester) -> None:
    """No [tool.ssot_guard] and no option: no finder, no guard, no header, no section."""
    make_project(
        pytester,
        ssot=False,
        tests={
            "test_nothing.py": """
            import sys
            import ssot_guard
            from ssot_guard._runtime._finder import SSOTFinder

            def test_nothing_installed():
                assert ssot_guard.active_guard() is None
                assert not [f for f in sys.meta_path if isinstance(f, SSOTFinder)]
            """
        },
    )
    active = ssot_guard.active_guard()
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    assert "ssot_guard" not in result.stdout.str()
    assert ssot_guard.active_guard() is active


def test_conftest_import_is_blocked_in_strict_mode(pytester: pytest.Pytester) -> None:
    """A conftest.py importing a retired module fails to load: the guard was there first."""
    make_project(pytester, tests={"conftest.py": "import app.legacy\n", "test_x.py": PROBE})
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*No module named 'app.legacy': retired by ssot_guard*"])


def test_conftest_import_is_recorded_in_warn_mode(pytester: pytest.Pytester) -> None:
    """In warn mode a conftest import goes through and is listed as unexpected."""
    make_project(
        pytester,
        mode="warn",
        tests={"conftest.py": "import app.legacy\n", "test_x.py": "def test_x():\n    pass\n"},
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        ["*1 unexpected violation:", "*'app.legacy'", "*", "*", "*", "    at conftest.py:1 (warn)"]
    )


def test_collection_import_is_blocked(pytester: pytest.Pytester) -> None:
    """A test module importing a retired module at module level is a collection error."""
    make_project(pytester, tests={"test_top.py": "import app.legacy\n\ndef test_x():\n    pass\n"})
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*BlockedImportError: No module named 'app.legacy'*"])


def test_finder_is_first_when_conftest_runs(pytester: pytest.Pytester) -> None:
    """Our finder is in front of pytest's assertion rewriter when conftests are imported."""
    make_project(
        pytester,
        tests={
            "conftest.py": """
            import sys
            ORDER = [type(f).__name__ for f in sys.meta_path]
            """,
            "test_order.py": """
            import conftest

            def test_order():
                order = conftest.ORDER
                assert order[0] == "SSOTFinder"
                assert "AssertionRewritingHook" in order[1:]
            """,
        },
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_finder_is_put_back_first_before_each_test(pytester: pytest.Pytester) -> None:
    """A finder inserted in front during the run is moved behind ours before the next test."""
    make_project(
        pytester,
        tests={
            "test_front.py": """
            import sys
            import ssot_guard

            class Intruder:
                def find_spec(self, name, path=None, target=None):
                    return None

            def test_a_inserts_in_front():
                sys.meta_path.insert(0, Intruder())

            def test_b_sees_ours_first():
                assert sys.meta_path[0] is ssot_guard.active_guard().finder
                assert type(sys.meta_path[1]).__name__ == "Intruder"
            """
        },
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_finder_removed_by_a_test_is_back_for_the_next(pytester: pytest.Pytester) -> None:
    """A test that takes our finder out of sys.meta_path does not unguard the tests after it."""
    make_project(
        pytester,
        tests={
            "test_remove.py": """
            import sys
            import pytest
            import ssot_guard

            def test_a_removes_the_finder():
                sys.meta_path.remove(ssot_guard.active_guard().finder)

            def test_b_still_guarded():
                assert sys.meta_path[0] is ssot_guard.active_guard().finder
                with pytest.raises(ssot_guard.BlockedImportError):
                    import app.legacy
            """
        },
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_session_end_restores_guard_and_record(pytester: pytest.Pytester) -> None:
    """After the run the guard active before it is active again and the record is as it was."""
    make_project(pytester, mode="warn")
    outer = ssot_guard.install(rules=[ssot_guard.Block("outer.retired")])
    _violations.recorder.record(
        "import",
        "outer.retired",
        "outer rule",
        reason=None,
        replacement=None,
        importer=None,
        filename="x.py",
        lineno=1,
        mode="warn",
    )
    before = ssot_guard.violations()
    pytester.runpytest().assert_outcomes(passed=1)
    assert ssot_guard.active_guard() is outer
    assert sys.meta_path[0] is outer.finder
    assert ssot_guard.violations() == before


def test_session_end_leaves_meta_path_as_found(pytester: pytest.Pytester) -> None:
    """In a fresh process, no ssot_guard finder is left in sys.meta_path after pytest returns."""
    make_project(pytester)
    (pytester.path / "run.py").write_text(
        textwrap.dedent(
            """
            import sys
            import pytest
            before = list(sys.meta_path)
            code = pytest.main(["-q", "-p", "no:cacheprovider", "test_probe.py"])
            left = [type(f).__name__ for f in sys.meta_path if f not in before]
            print("exit", int(code), "left", left)
            """
        )
    )
    result = pytester.run(sys.executable, "run.py")
    result.stdout.fnmatch_lines(["exit 1 left []"])


def test_disabled_with_p_no(pytester: pytest.Pytester) -> None:
    """-p no:ssot_guard turns the plugin off: the retired module imports, no header."""
    make_project(pytester)
    result = pytester.runpytest("-p", "no:ssot_guard")
    result.assert_outcomes(passed=1)
    assert "ssot_guard" not in result.stdout.str()


def test_options_are_in_a_named_group(pytester: pytest.Pytester) -> None:
    """--help lists the options under the ssot_guard group, and the ini keys."""
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(
        [
            "ssot_guard: one source of truth:",
            "*--ssot-mode={strict,warn,off}*",
            "*--ssot-config=PATH*",
            "*--ssot-fail-on-violation*",
        ]
    )
    result.stdout.fnmatch_lines(["*ssot_mode (string)*"])
    result.stdout.fnmatch_lines(["*ssot_config (string)*"])
    result.stdout.fnmatch_lines(["*ssot_fail_on_violation (bool)*"])


def test_config_option_help_names_the_defaults_in_the_order_they_win(
    pytester: pytest.Pytester,
) -> None:
    """--ssot-config's help lists SSOT_GUARD_CONFIG before the ssot_config ini key, as
    read_settings (and docs/pytest-plugin.md) let the environment win."""
    result = pytester.runpytest("--help")
    text = " ".join(result.stdout.str().split())
    assert "(default: SSOT_GUARD_CONFIG, ssot_config, else the nearest pyproject.toml" in text


def test_every_option_and_ini_key_is_documented_and_exists(pytester: pytest.Pytester) -> None:
    """docs/pytest-plugin.md names exactly the --ssot-* options and the ssot_* ini keys that
    `pytest --help` lists: a new one gets its docs, a removed one loses them."""
    import re
    from pathlib import Path

    shown = pytester.runpytest("--help").stdout.str()
    page = Path(__file__).resolve().parent.parent / "docs" / "pytest-plugin.md"
    documented = page.read_text(encoding="utf-8")
    option = r"--ssot-[a-z-]+"
    assert set(re.findall(option, documented)) == set(re.findall(option, shown))
    ini_keys = set(re.findall(r"^ {2}(ssot_[a-z_]+) \(", shown, re.MULTILINE))
    assert ini_keys == {"ssot_mode", "ssot_config", "ssot_fail_on_violation"}
    assert {key for key in ini_keys if f"`{key}`" not in documented} == set()


def test_header_shows_mode_source_and_config(pytester: pytest.Pytester) -> None:
    """The report header names the mode, where it came from, and the config file."""
    make_project(pytester)
    result = pytester.runpytest()
    result.stdout.fnmatch_lines(
        ["ssot_guard: mode strict (from config file), config pyproject.toml, 1 rule"]
    )


@pytest.mark.parametrize(
    ("file_mode", "ini", "env", "option", "expected", "source"),
    [
        ("warn", None, None, None, "warn", "config file"),
        (None, None, None, None, "warn", "default"),
        ("warn", "strict", None, None, "strict", "ini ssot_mode"),
        ("warn", "strict", "off", None, "off", "SSOT_GUARD_MODE"),
        ("warn", "off", "off", "strict", "strict", "--ssot-mode"),
        ("strict", None, None, "warn", "warn", "--ssot-mode"),
    ],
)
def test_mode_precedence(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    file_mode: str | None,
    ini: str | None,
    env: str | None,
    option: str | None,
    expected: str,
    source: str,
) -> None:
    """Weakest first: config file, ini key, SSOT_GUARD_MODE, command-line option."""
    make_project(pytester, mode=file_mode, ini=f'ssot_mode = "{ini}"' if ini else "")
    args = [f"--ssot-mode={option}"] if option else []
    if env is not None:
        monkeypatch.setenv("SSOT_GUARD_MODE", env)
        result = pytester.runpytest_subprocess(*args)
    else:
        monkeypatch.delenv("SSOT_GUARD_MODE", raising=False)
        result = pytester.runpytest(*args)
    result.stdout.fnmatch_lines([f"ssot_guard: mode {expected} (from {source}), *"])
    if expected == "strict":
        result.assert_outcomes(failed=1)
    else:
        result.assert_outcomes(passed=1)


def test_marker_beats_option(pytester: pytest.Pytester) -> None:
    """@pytest.mark.ssot_mode beats --ssot-mode for its test, and only for it."""
    make_project(
        pytester,
        tests={
            "test_marked.py": """
            import pytest
            import ssot_guard

            @pytest.mark.ssot_mode("warn")
            def test_warned():
                with pytest.warns(ssot_guard.SSOTWarning):
                    import app.legacy

            def test_strict_again():
                with pytest.raises(ssot_guard.BlockedImportError):
                    import app.legacy
            """
        },
    )
    pytester.runpytest("--ssot-mode=strict").assert_outcomes(passed=2)


def test_ssot_config_option_names_the_file(pytester: pytest.Pytester) -> None:
    """--ssot-config reads another TOML file (top-level table) relative to the invocation dir."""
    make_project(pytester, ssot=False)
    (pytester.path / "rules.toml").write_text(
        'mode = "strict"\n' + RULE.replace("tool.ssot_guard.", "")
    )
    result = pytester.runpytest("--ssot-config=rules.toml")
    result.stdout.fnmatch_lines(
        ["ssot_guard: mode strict (from config file), config rules.toml, *"]
    )
    result.assert_outcomes(failed=1)


def test_ssot_config_ini_key_is_relative_to_the_ini_file(pytester: pytest.Pytester) -> None:
    """The ssot_config ini key names a file next to the ini file."""
    make_project(pytester, ssot=False, ini='ssot_config = "guard/rules.toml"')
    (pytester.path / "guard").mkdir()
    (pytester.path / "guard" / "rules.toml").write_text(
        'mode = "strict"\n' + RULE.replace("tool.ssot_guard.", "")
    )
    result = pytester.runpytest()
    result.stdout.fnmatch_lines(["*config guard/rules.toml, 1 rule"])
    result.assert_outcomes(failed=1)


def test_unknown_ini_mode_is_a_usage_error(pytester: pytest.Pytester) -> None:
    """A bad ssot_mode ini value names the file, the key and the allowed modes."""
    make_project(pytester, ini='ssot_mode = "loud"')
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "*ssot_guard: *pyproject.toml: key 'ssot_mode': unknown mode 'loud'; "
            "allowed: 'strict', 'warn', 'off'*"
        ]
    )


def test_unknown_option_mode_is_refused(pytester: pytest.Pytester) -> None:
    """--ssot-mode accepts only strict, warn and off."""
    make_project(pytester)
    result = pytester.runpytest("--ssot-mode=loud")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*--ssot-mode: unknown mode 'loud'; allowed: 'strict', 'warn', 'off'*"]
    )


def test_unknown_env_mode_is_a_usage_error(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bad SSOT_GUARD_MODE stops the run with a message naming the variable."""
    make_project(pytester)
    monkeypatch.setenv("SSOT_GUARD_MODE", "loud")
    result = pytester.runpytest_subprocess()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*environment variable SSOT_GUARD_MODE: unknown mode 'loud'*"])


def test_broken_config_is_a_usage_error(pytester: pytest.Pytester) -> None:
    """A broken [tool.ssot_guard] table is reported with file, entry and key, no traceback."""
    make_project(pytester)
    path = pytester.path / "pyproject.toml"
    path.write_text(path.read_text().replace('module = "app.legacy"', 'modul = "app.legacy"'))
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*ssot_guard: *pyproject.toml: tool.ssot_guard.block[[]0[]]: key 'modul': unknown key*"]
    )
    assert "Traceback" not in result.stderr.str()


def test_missing_config_file_is_a_usage_error(pytester: pytest.Pytester) -> None:
    """--ssot-config naming no file says so."""
    make_project(pytester, ssot=False)
    result = pytester.runpytest("--ssot-config=nowhere.toml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*ssot_guard: *nowhere.toml: file not found*"])


def test_strict_refuses_modules_imported_before_the_plugin(pytester: pytest.Pytester) -> None:
    """A retired module imported by an earlier -p plugin stops a strict run, naming it."""
    make_project(pytester)
    result = pytester.runpytest_subprocess("-p", "app.legacy")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*imported before install()*", "*app.legacy*"])


def test_help_works_with_a_broken_config(pytester: pytest.Pytester) -> None:
    """--help never fails on the ssot_guard config."""
    make_project(pytester, ini='ssot_mode = "loud"')
    result = pytester.runpytest("--help")
    assert result.ret == pytest.ExitCode.OK
    result.stdout.fnmatch_lines(["*--ssot-mode*"])


def test_a_run_inside_a_run_is_its_own(pytester: pytest.Pytester) -> None:
    """A pytester run inside a guarded run reports its violations itself, not to the outer run."""
    make_project(
        pytester,
        tests={
            "test_outer.py": """
            pytest_plugins = ["pytester"]

            def test_inner_run(pytester):
                pytester.makepyprojecttoml(
                    "[tool.pytest.ini_options]\\n[tool.ssot_guard]\\nmode = 'warn'\\n"
                    "[[tool.ssot_guard.block]]\\nmodule = 'json.tool'\\n"
                )
                pytester.makepyfile("import json.tool\\n\\ndef test_x():\\n    pass\\n")
                result = pytester.runpytest("-W", "ignore::DeprecationWarning")
                result.stdout.fnmatch_lines(["1 unexpected violation:"])
            """
        },
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        ["mode strict (from config file), pyproject.toml", "no violations recorded"]
    )


def test_guard_installed_by_a_test_is_replaced_after_it(pytester: pytest.Pytester) -> None:
    """A test that installs its own guard and leaves it gets the session's guard back after."""
    make_project(
        pytester,
        tests={
            "test_own.py": """
            import sys
            import ssot_guard

            def test_a_installs_its_own():
                ssot_guard.install(rules=[ssot_guard.Block("json.tool")])

            def test_b_session_guard_again():
                guard = ssot_guard.active_guard()
                assert guard.config.path.endswith("pyproject.toml")
                assert sys.meta_path[0] is guard.finder
            """
        },
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_guard_of_a_module_fixture_lasts_as_long_as_the_fixture(pytester: pytest.Pytester) -> None:
    """A module-scoped fixture's guard is every test's guard in the module, and gone after it."""
    make_project(
        pytester,
        tests={
            "test_a_module.py": """
            import pytest
            import ssot_guard

            @pytest.fixture(scope="module")
            def own_guard():
                with ssot_guard.install(rules=[ssot_guard.Block("json.tool")]) as guard:
                    yield guard

            def test_1(own_guard):
                assert ssot_guard.active_guard() is own_guard

            def test_2(own_guard):
                assert ssot_guard.active_guard() is own_guard
            """,
            "test_b_after.py": """
            import ssot_guard

            def test_3_session_guard_again():
                assert ssot_guard.active_guard().config.path.endswith("pyproject.toml")
            """,
        },
    )
    pytester.runpytest().assert_outcomes(passed=3)


COUNTER = """
import tomllib

PARSED = []
_load = tomllib.load


def load(file, **kwargs):
    PARSED.append(getattr(file, "name", "?"))
    return _load(file, **kwargs)


tomllib.load = load
"""


@pytest.mark.parametrize("how", ["discovered", "--ssot-config"])
def test_config_file_is_parsed_once_per_run(pytester: pytest.Pytester, how: str) -> None:
    """The plugin reads the TOML file once, whether it found it or was told where it is."""
    make_project(
        pytester,
        ssot=how == "discovered",
        tests={
            "test_count.py": """
            import tomlcounter

            def test_parsed_once():
                assert len(tomlcounter.PARSED) == 1, tomlcounter.PARSED
            """
        },
    )
    (pytester.path / "tomlcounter.py").write_text(COUNTER)
    (pytester.path / "rules.toml").write_text(RULE.replace("tool.ssot_guard.", ""))
    args = ["--ssot-config=rules.toml"] if how == "--ssot-config" else []
    # -p loads the counter after pytest read its ini file, before our plugin starts.
    result = pytester.runpytest_subprocess("-p", "tomlcounter", *args)
    result.assert_outcomes(passed=1)


def test_plugin_and_testing_do_not_import_each_other(pytester: pytest.Pytester) -> None:
    """Importing ssot_guard.testing leaves the plugin out, and the plugin leaves testing out."""
    code = (
        "import sys\n"
        "import ssot_guard.testing\n"
        "assert 'ssot_guard._pytest' not in sys.modules, 'testing imported the plugin'\n"
        "del sys.modules['ssot_guard.testing']\n"
        "import ssot_guard._pytest\n"
        "assert 'ssot_guard.testing' not in sys.modules, 'the plugin imported testing'\n"
        "print('ok')\n"
    )
    result = pytester.run(sys.executable, "-c", code)
    assert result.ret == 0, result.stderr.str()
    result.stdout.fnmatch_lines(["ok"])


def test_option_ini_and_marker_accept_the_words_install_accepts(pytester: pytest.Pytester) -> None:
    """--ssot-mode, the ssot_mode ini key and the marker go through the one mode parser."""
    make_project(
        pytester,
        tests={
            "test_marked.py": """
            import pytest
            import ssot_guard

            @pytest.mark.ssot_mode(" Warn ")
            def test_warned():
                with pytest.warns(ssot_guard.SSOTWarning):
                    import app.legacy
            """
        },
    )
    pytester.runpytest("--ssot-mode=STRICT").assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("ini", "problem"),
    [
        ('ssot_fail_on_violation = "maybe"', "key 'ssot_fail_on_violation': expected true or *"),
        ('ssot_config = ["a.toml", "b.toml"]', "key 'ssot_config': expected one path"),
    ],
)
def test_bad_ini_value_names_the_key(pytester: pytest.Pytester, ini: str, problem: str) -> None:
    """A wrongly typed ini value is a usage error naming the ini file and the key."""
    make_project(pytester, ini=ini)
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: ssot_guard: *pyproject.toml: {problem}*"])


def test_bad_ini_value_from_dash_o_names_the_command_line(pytester: pytest.Pytester) -> None:
    """A bad value given with -o is blamed on the command line, not on an ini file without it."""
    make_project(pytester)
    result = pytester.runpytest("-o", "ssot_mode=loud")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: ssot_guard: command line -o: key 'ssot_mode': unknown mode 'loud'*"]
    )


def test_retired_module_rewritten_by_pytest_is_recorded_once(pytester: pytest.Pytester) -> None:
    """Warn mode, a retired module registered for assertion rewriting: pytest's rewriter
    loads it (its asserts are rewritten), and only the test's import is recorded, not the
    rewriter reading the module's ``__spec__`` as it loads it."""
    make_project(
        pytester,
        mode="warn",
        tests={
            "conftest.py": """
            import pytest

            pytest.register_assert_rewrite("app.legacy")
            """,
            "test_rewritten.py": """
            import ssot_guard

            def test_rewritten():
                import app.legacy
                assert "@py_assert" in repr(app.legacy.check.__code__.co_varnames)
                found = [(v.importer, v.lineno) for v in ssot_guard.violations()]
                assert found == [("test_rewritten", 5)], found
            """,
        },
    )
    (pytester.path / "app" / "legacy.py").write_text("def check(x):\n    assert x == 1\n")
    pytester.runpytest("-W", "ignore::DeprecationWarning").assert_outcomes(passed=1)
