"""``ssot-guard check`` behaves as a ruff user expects (issue 13).

Config per path, settings in ``[tool.ssot_guard.check]``, .gitignore, source roots,
selection, warnings, strict baselines, ``noqa`` and ``SSOT801``, ``ssot-guard rule``,
SARIF help, and the small things.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ssot_guard._check._findings import CODES, DOCS_URL, help_uri
from ssot_guard._cli import main

ROOT = Path(__file__).parent.parent
BLOCK = """\
[tool.ssot_guard]

[[tool.ssot_guard.block]]
module = "app.legacy"
use = "app.canonical"
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with one blocked import, as the working directory."""
    monkeypatch.delenv("SSOT_GUARD_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    return write(
        tmp_path,
        {
            "pyproject.toml": BLOCK,
            "app/__init__.py": "",
            "app/user.py": "import app.legacy\n",
        },
    )


def check_json(
    capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, list[dict[str, object]]]:
    status = main(["check", "--format", "json", *args])
    return status, json.loads(capsys.readouterr().out)


def codes_at(found: list[dict[str, object]]) -> list[tuple[object, object]]:
    return sorted((f["path"], f["code"]) for f in found)


def set_check(project: Path, settings: str) -> None:
    (project / "pyproject.toml").write_text(
        BLOCK + f"\n[tool.ssot_guard.check]\n{settings}\n", encoding="utf-8"
    )


# --- config per path ---------------------------------------------------------------


def test_config_is_found_from_the_checked_path_not_the_working_directory(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``ssot-guard check proj`` from the parent uses proj's pyproject.toml."""
    monkeypatch.chdir(project.parent)
    status, found = check_json(capsys, project.name)
    assert status == 1
    assert codes_at(found) == [(f"{project.name}/app/user.py", "SSOT101")]


def test_nested_project_uses_its_own_config(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A directory with its own ``[tool.ssot_guard]`` is checked with its own rules."""
    write(
        project,
        {
            "sub/pyproject.toml": (
                '[tool.ssot_guard]\n[[tool.ssot_guard.block]]\nmodule = "other"\n'
            ),
            "sub/a.py": "import app.legacy\nimport other\n",
        },
    )
    _, found = check_json(capsys)
    assert codes_at(found) == [("app/user.py", "SSOT101"), ("sub/a.py", "SSOT101")]
    (nested,) = [f for f in found if f["path"] == "sub/a.py"]
    assert "'other'" in str(nested["message"])
    assert str(nested["rule"]).startswith("sub/pyproject.toml")


def test_show_settings_names_the_config_and_settings(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--show-settings`` prints which config each path uses and every setting; exit 0."""
    set_check(project, 'extend-exclude = ["gen_*"]\nsrc = ["."]')
    assert main(["check", "--show-settings", "app"]) == 0
    out = capsys.readouterr().out
    assert f"configuration: {project / 'pyproject.toml'}" in out
    assert "extend-exclude: gen_*" in out
    assert f"src: {project}" in out
    assert "respect-gitignore: true" in out
    assert "max-file-size: 10000000" in out  # the default
    assert "pyproject.toml: tool.ssot_guard.block[0]" in out


def test_show_files_lists_files_modules_and_config(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--show-files`` lists each file with its module name and configuration; exit 0."""
    assert main(["check", "--show-files"]) == 0
    lines = capsys.readouterr().out.splitlines()
    config = str(project / "pyproject.toml")
    assert lines == [f"app/__init__.py\tapp\t{config}", f"app/user.py\tapp.user\t{config}"]


# --- settings ------------------------------------------------------------------------


def test_runtime_accepts_a_config_with_check_settings(project: Path) -> None:
    """``install()``'s loader reads a pyproject.toml holding ``[tool.ssot_guard.check]``."""
    from ssot_guard._config._load import load_config

    set_check(project, 'exclude = ["x"]')
    assert len(load_config(project / "pyproject.toml").rules) == 1


def test_extend_exclude_setting(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``extend-exclude`` skips matching files, relative to the config's directory."""
    write(project, {"app/gen_x.py": "import app.legacy\n"})
    set_check(project, 'extend-exclude = ["app/gen_*"]')
    _, found = check_json(capsys)
    assert codes_at(found) == [("app/user.py", "SSOT101")]


def test_exclude_setting_replaces_the_defaults(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``exclude`` replaces the default list: ``build/`` is walked when not listed."""
    write(project, {"build/x.py": "import app.legacy\n", "skip/y.py": "import app.legacy\n"})
    set_check(project, 'exclude = ["skip"]')
    _, found = check_json(capsys)
    assert codes_at(found) == [("app/user.py", "SSOT101"), ("build/x.py", "SSOT101")]


def test_baseline_and_output_format_settings(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``baseline`` is used without ``--baseline``; ``output-format`` picks the format."""
    set_check(project, 'baseline = "ssot-baseline.json"\noutput-format = "github"')
    assert main(["check", "--update-baseline"]) == 0
    assert (project / "ssot-baseline.json").is_file()
    capsys.readouterr()
    write(project, {"app/new.py": "import app.legacy\n"})
    assert main(["check"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("::error file=app/new.py,")
    assert "app/user.py" not in out


def test_src_names_namespace_packages(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With ``src``, namespace packages (no ``__init__.py``) get full module names.

    A relative import of the retired module, and the retired file itself, are found.
    """
    (project / "app" / "__init__.py").unlink()
    (project / "app" / "user.py").unlink()
    write(
        project,
        {
            "src/app/legacy.py": "",
            "src/app/views/page.py": "from .. import legacy\nfrom ..legacy import X\n",
        },
    )
    (project / "app").rmdir()
    set_check(project, 'src = ["src"]')
    _, found = check_json(capsys)
    assert codes_at(found) == [
        ("src/app/legacy.py", "SSOT103"),
        ("src/app/views/page.py", "SSOT101"),
        ("src/app/views/page.py", "SSOT101"),
    ]


def test_gitignored_files_are_skipped_by_default(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Files ignored by ``.gitignore`` are not checked; a negation re-includes."""
    write(
        project,
        {
            ".git/HEAD": "",
            ".gitignore": "generated/\n*_pb2.py\n!keep_pb2.py\n",
            "generated/x.py": "import app.legacy\n",
            "app/a_pb2.py": "import app.legacy\n",
            "app/keep_pb2.py": "import app.legacy\n",
        },
    )
    _, found = check_json(capsys)
    assert codes_at(found) == [("app/keep_pb2.py", "SSOT101"), ("app/user.py", "SSOT101")]


def test_gitignore_of_a_parent_directory_applies(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Checking ``app`` honours the repository root's ``.gitignore`` too."""
    write(
        project,
        {".git/HEAD": "", ".gitignore": "/app/old_*\n", "app/old_x.py": "import app.legacy\n"},
    )
    _, found = check_json(capsys, "app")
    assert codes_at(found) == [("app/user.py", "SSOT101")]


def test_no_respect_gitignore_flag_and_setting(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--no-respect-gitignore`` and ``respect-gitignore = false`` check ignored files."""
    write(project, {".gitignore": "ignored.py\n", "ignored.py": "import app.legacy\n"})
    _, found = check_json(capsys, "--no-respect-gitignore")
    assert ("ignored.py", "SSOT101") in codes_at(found)
    set_check(project, "respect-gitignore = false")
    _, found = check_json(capsys)
    assert ("ignored.py", "SSOT101") in codes_at(found)


# --- selecting and failing -----------------------------------------------------------


@pytest.fixture
def two_codes(project: Path) -> Path:
    write(project, {"app/broken.py": "import app.legacy\ndef (:\n"})
    return project


def test_select_and_ignore_take_comma_separated_codes(
    two_codes: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--select SSOT9`` keeps only the 9xx codes; ``--ignore SSOT101,SSOT901`` drops both."""
    _, found = check_json(capsys, "--select", "SSOT9", "--parse-all")
    assert {f["code"] for f in found} == {"SSOT901"}
    status, found = check_json(capsys, "--ignore", "SSOT101,SSOT901", "--parse-all")
    assert (status, found) == (0, [])


def test_unknown_selector_is_a_usage_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--select SSOT999``: exit 2, naming the selector and the known codes."""
    assert main(["check", "--select", "SSOT999"]) == 2
    assert "unknown code or prefix 'SSOT999'" in capsys.readouterr().err


def test_exit_zero(project: Path) -> None:
    """``--exit-zero``: findings are printed, the exit status is 0."""
    assert main(["check", "--exit-zero"]) == 0


def test_statistics_counts_per_code(two_codes: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--statistics`` prints one line per code: count, code, meaning."""
    assert main(["check", "--statistics", "--parse-all"]) == 1
    lines = [line.split(maxsplit=2) for line in capsys.readouterr().out.splitlines()]
    assert lines == [
        ["1", "SSOT101", CODES["SSOT101"]],
        ["1", "SSOT901", CODES["SSOT901"]],
    ]


@pytest.fixture
def warn_rule(project: Path) -> Path:
    (project / "pyproject.toml").write_text(BLOCK + 'mode = "warn"\n', encoding="utf-8")
    return project


def test_warn_mode_rule_gives_warnings_that_do_not_fail(
    warn_rule: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A rule in warn mode: exit 0, the finding marked as a warning in every format."""
    assert main(["check"]) == 0
    assert "SSOT101 [warning]" in capsys.readouterr().out
    assert main(["check", "--format", "github"]) == 0
    assert capsys.readouterr().out.startswith("::warning file=app/user.py,")
    assert main(["check", "--format", "sarif"]) == 0
    (result,) = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    assert result["level"] == "warning"


def test_fail_on_warning(warn_rule: Path) -> None:
    """``--fail-on warning``: warnings fail (exit 1)."""
    assert main(["check", "--fail-on", "warning"]) == 1


def test_strict_baseline_fails_on_entries_that_no_longer_occur(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Fixed findings leave stale entries: ``--strict-baseline`` fails; update prunes."""
    write(project, {"app/other.py": "import app.legacy\n"})
    assert main(["check", "--baseline", "b.json", "--update-baseline"]) == 0
    (project / "app" / "other.py").write_text("", encoding="utf-8")
    assert main(["check", "--baseline", "b.json"]) == 0
    assert main(["check", "--baseline", "b.json", "--strict-baseline"]) == 1
    assert "stale baseline entry: b.json: app/other.py SSOT101" in capsys.readouterr().err
    assert main(["check", "--baseline", "b.json", "--update-baseline"]) == 0
    assert json.loads((project / "b.json").read_text(encoding="utf-8"))["counts"] == {
        "app/user.py": {"SSOT101": 1}
    }
    assert main(["check", "--baseline", "b.json", "--strict-baseline"]) == 0


# --- suppressions --------------------------------------------------------------------


def test_noqa_with_our_code_suppresses(project: Path) -> None:
    """``# noqa: SSOT101`` (also beside other tools' codes) suppresses like ssot: ignore."""
    (project / "app" / "user.py").write_text(
        "import app.legacy  # noqa: E401, SSOT101\nimport app.legacy  # NOQA:SSOT101\n",
        encoding="utf-8",
    )
    assert main(["check"]) == 0


def test_bare_noqa_does_not_suppress(project: Path) -> None:
    """A bare ``# noqa`` or one with only other codes is a linter's, not ours."""
    (project / "app" / "user.py").write_text(
        "import app.legacy  # noqa\nimport app.legacy  # noqa: E401\n", encoding="utf-8"
    )
    assert main(["check"]) == 1


def test_suppression_in_a_file_with_lone_cr_line_ends(project: Path) -> None:
    """Lines that end in a lone ``\r`` (line breaks to Python): a comment suppresses its line.

    Counted by ``\n`` only, every comment was on line 1, and suppressed nothing below it.
    """
    (project / "app" / "user.py").write_bytes(
        b"import os\rimport app.legacy  # ssot: ignore[SSOT101]\r"
    )
    assert main(["check"]) == 0


def test_suppression_column_after_a_byte_order_mark(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A BOM is no column: an unused suppression on line 1 is reported where it starts."""
    (project / "app" / "user.py").write_bytes(b"\xef\xbb\xbfimport os  # ssot: ignore[SSOT101]\n")
    _, found = check_json(capsys, "--extend-select", "SSOT801")
    assert [(f["line"], f["col"], f["code"]) for f in found] == [(1, 12, "SSOT801")]


def test_unused_and_unknown_suppressions_are_reported_when_selected(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``SSOT801`` (opt-in): an unknown code, and a suppression that suppresses nothing."""
    (project / "app" / "user.py").write_text(
        "import app.legacy  # ssot: ignore[SSOT101]\n"
        "import app.canonical  # noqa: SSOT101\n"
        "import os  # ssot: ignore[SSOT999]\n"
        "import sys  # ssot: ignore[SSOT101, SSOT801]\n",
        encoding="utf-8",
    )
    assert check_json(capsys) == (0, [])
    status, found = check_json(capsys, "--extend-select", "SSOT801")
    assert status == 1
    assert [(f["line"], f["col"], f["code"]) for f in found] == [
        (2, 23, "SSOT801"),
        (3, 12, "SSOT801"),
    ]
    assert "unknown code 'SSOT999'" in str(found[1]["message"])


# --- explanations --------------------------------------------------------------------


def test_rule_command_explains_a_code(capsys: pytest.CaptureFixture[str]) -> None:
    """``ssot-guard rule ssot101`` prints the code's explanation and its documentation link."""
    assert main(["rule", "ssot101"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"# SSOT101: {CODES['SSOT101']}\n")
    assert help_uri("SSOT101") in out


def test_rule_command_refuses_an_unknown_code(capsys: pytest.CaptureFixture[str]) -> None:
    """``ssot-guard rule NOPE``: exit 2 with the rule command's usage line."""
    assert main(["rule", "NOPE"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: ssot-guard rule")
    assert "unknown code 'NOPE'" in err


def test_sarif_rules_carry_help_and_a_working_help_uri(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every SARIF rule has help text and a helpUri to an anchor that exists in the docs."""
    main(["check", "--format", "sarif"])
    rules = json.loads(capsys.readouterr().out)["runs"][0]["tool"]["driver"]["rules"]
    page = (ROOT / "docs" / "codes.md").read_text(encoding="utf-8")
    for rule in rules:
        assert rule["help"]["text"]
        assert rule["helpUri"] == f"{DOCS_URL}codes/#{rule['id'].lower()}"
        assert f"{{#{rule['id'].lower()}}}" in page


def test_docs_site_url_is_the_help_uri_base() -> None:
    """mkdocs.yml's ``site_url`` is the base of every helpUri."""
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r"^site_url: (.*)$", config, re.MULTILINE)[1] == DOCS_URL  # type: ignore[index]


def test_codes_page_holds_each_explanation() -> None:
    """docs/codes.md has the same explanation as ``ssot-guard rule`` for every code."""
    from ssot_guard._check._explain import EXPLANATIONS

    page = (ROOT / "docs" / "codes.md").read_text(encoding="utf-8")
    assert [code for code, text in EXPLANATIONS.items() if text not in page] == []
    assert list(EXPLANATIONS) == list(CODES)


def test_sarif_relative_uris_are_percent_encoded(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file named ``my file%#.py`` is ``my%20file%25%23.py`` in SARIF."""
    write(project, {"app/my file%#.py": "import app.legacy\n"})
    main(["check", "--format", "sarif", "app"])
    results = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    uris = sorted(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results)
    assert uris == ["app/my%20file%25%23.py", "app/user.py"]


# --- small things --------------------------------------------------------------------


def test_bare_command_prints_help() -> None:
    """``ssot-guard`` alone prints the help (with its commands) and exits 2."""
    result = subprocess.run(
        [sys.executable, "-m", "ssot_guard"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2
    assert "usage: ssot-guard" in result.stderr
    assert "check" in result.stderr
    assert "rule" in result.stderr
    assert "Traceback" not in result.stderr


def test_named_file_that_does_not_parse_is_reported(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file named on the command line is parsed whole, so its syntax error is reported."""
    write(project, {"broken.py": "x = (\n"})
    status, found = check_json(capsys, "broken.py")
    assert status == 1
    assert [(f["path"], f["code"]) for f in found] == [("broken.py", "SSOT901")]


def test_multi_line_reason_stays_on_one_line(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ``reason`` with line breaks (and an escape sequence) prints as one line."""
    (project / "pyproject.toml").write_text(
        BLOCK + 'reason = """removed\nin #12\\u001b[31m"""\n', encoding="utf-8"
    )
    main(["check"])
    (line,) = capsys.readouterr().out.splitlines()
    assert "(removed in #12\\x1b[31m)" in line


def test_update_baseline_without_a_baseline_gives_the_check_usage(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--update-baseline`` alone: exit 2 with ``ssot-guard check``'s usage line."""
    assert main(["check", "--update-baseline"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: ssot-guard check")
    assert "--update-baseline needs --baseline FILE" in err


def test_jobs_zero_gives_the_check_usage(capsys: pytest.CaptureFixture[str]) -> None:
    """``--jobs 0``: exit 2 with ``ssot-guard check``'s usage line."""
    assert main(["check", "--jobs", "0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: ssot-guard check")
    assert "--jobs: must be at least 1" in err


def test_strict_baseline_fails_when_every_file_is_gone(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A tree with no files left still has its baseline read: stale entries fail."""
    assert main(["check", "--baseline", "b.json", "--update-baseline"]) == 0
    (project / "app" / "user.py").unlink()
    (project / "app" / "__init__.py").unlink()
    assert main(["check", "--baseline", "b.json", "--strict-baseline", "app"]) == 1
    assert "stale baseline entry" in capsys.readouterr().err


def test_file_wide_warn_mode_gives_warnings_and_no_mode_gives_errors(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The table's ``mode = "warn"`` makes warnings; with no mode set anywhere, errors."""
    _, found = check_json(capsys)
    assert [f["severity"] for f in found] == ["error"]
    (project / "pyproject.toml").write_text(
        BLOCK.replace("[tool.ssot_guard]\n", '[tool.ssot_guard]\nmode = "warn"\n'),
        encoding="utf-8",
    )
    status, found = check_json(capsys)
    assert (status, [f["severity"] for f in found]) == (0, ["warning"])


def test_python_api_takes_one_selector_string(project: Path) -> None:
    """``check(select="SSOT103")`` is one selector, not the letters S, S, O, T..."""
    from ssot_guard import check

    assert check(["."], select="SSOT103").findings == []
    assert [f.code for f in check(["."], select="SSOT101,SSOT103").findings] == ["SSOT101"]


def test_bare_suppression_is_not_judged_under_a_narrow_selection(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With only SSOT801 selected, a bare ``# ssot: ignore`` over an import is not "unused"."""
    (project / "app" / "user.py").write_text(
        "import app.legacy  # ssot: ignore\n", encoding="utf-8"
    )
    assert check_json(capsys, "--select", "SSOT801") == (0, [])
    status, found = check_json(capsys, "--extend-select", "SSOT801")
    assert (status, found) == (0, [])


def test_nested_project_can_turn_gitignore_off(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``respect-gitignore = false`` in a nested project beats the outer ``.gitignore``."""
    write(
        project,
        {
            ".gitignore": "gen_*.py\n",
            "sub/pyproject.toml": BLOCK + "\n[tool.ssot_guard.check]\nrespect-gitignore = false\n",
            "sub/gen_a.py": "import app.legacy\n",
            "gen_b.py": "import app.legacy\n",
        },
    )
    _, found = check_json(capsys)
    assert codes_at(found) == [("app/user.py", "SSOT101"), ("sub/gen_a.py", "SSOT101")]


def test_named_file_syntax_error_can_be_suppressed(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The syntax error of a named file obeys ``# ssot: ignore[SSOT901]`` like any finding."""
    write(project, {"broken.py": "x = (  # ssot: ignore[SSOT901]\n"})
    assert check_json(capsys, "broken.py") == (0, [])


def test_exclude_flags_are_comma_separated_and_add_to_the_settings(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--extend-exclude a,b`` (or ``--exclude``) adds to ``extend-exclude``."""
    write(project, {"app/a.py": "import app.legacy\n", "app/b.py": "import app.legacy\n"})
    set_check(project, 'extend-exclude = ["app/user.py"]')
    _, found = check_json(capsys, "--extend-exclude", "app/a.py,b.py")
    assert found == []
