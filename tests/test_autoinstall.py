"""SSOT_GUARD_AUTOINSTALL: the guard in every interpreter of an environment, via the shipped .pth.

These tests build the project's wheel and editable wheel with hatchling, install each with pip
into a fresh virtual environment (once per session), and start real interpreters there: the
.pth only runs when ``site`` finds it in an environment's site-packages.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from ssot_guard import _autoinstall
from ssot_guard._base._errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
PTH = "ssot_guard_autoinstall.pth"
CONFIG = """\
[tool.ssot_guard]
mode = "warn"

[[tool.ssot_guard.block]]
module = "app.legacy"
use = "app.current"
reason = "dual factory pattern removed"
"""
PIP_OFFLINE = ("--no-deps", "--no-index", "--disable-pip-version-check")
BROKEN_CONFIG = CONFIG.replace('module = "app.legacy"', 'modul = "app.legacy"')


@dataclass(frozen=True)
class Venv:
    """A virtual environment with ssot_guard installed from a wheel built from this checkout."""

    root: Path
    python: Path
    site_packages: Path
    wheel: Path | None = None


def _build_wheels(out: Path) -> tuple[Path, Path]:
    """The project's wheel and editable wheel, built by hatchling as pip would."""
    script = textwrap.dedent(
        """
        import sys
        from hatchling.build import build_editable, build_wheel
        print(build_wheel(sys.argv[1]))
        print(build_editable(sys.argv[2]))
        """
    )
    (out / "wheel").mkdir()
    (out / "editable").mkdir()
    result = subprocess.run(
        [sys.executable, "-c", script, str(out / "wheel"), str(out / "editable")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, (
        "building the wheels needs hatchling and editables (the 'test' extra):\n" + result.stderr
    )
    wheel_name, editable_name = result.stdout.split()
    return out / "wheel" / wheel_name, out / "editable" / editable_name


def _venv_paths(root: Path) -> tuple[Path, Path]:
    """The interpreter and the site-packages directory of the venv at *root*."""
    python = root / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    return python, Path(sysconfig.get_path("purelib", vars={"base": root, "platbase": root}))


def _make_venv(root: Path, wheel: Path, *, extra_paths: tuple[str, ...] = ()) -> Venv:
    """A fresh venv (no system site-packages) with *wheel* installed by pip and the runtime deps.

    wrapt and typing-extensions are copied from this environment (no network); *extra_paths* are
    appended to ``sys.path`` by a path file that sorts after ours.
    """
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    python, site_packages = _venv_paths(root)
    assert site_packages.is_dir(), site_packages
    import typing_extensions
    import wrapt

    shutil.copytree(Path(wrapt.__file__).parent, site_packages / "wrapt")
    shutil.copy2(typing_extensions.__file__, site_packages)
    if extra_paths:
        (site_packages / "zz_test_extra_paths.pth").write_text("\n".join(extra_paths) + "\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            *PIP_OFFLINE,
            wheel,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return Venv(root, python, site_packages, wheel)


@pytest.fixture(scope="session")
def venvs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Venv]:
    """``installed`` (from the wheel; it can also run pytest) and ``editable`` (pip install -e)."""
    base = tmp_path_factory.mktemp("autoinstall")
    wheel, editable = _build_wheels(base)
    outer = tuple(dict.fromkeys([sysconfig.get_path("purelib"), sysconfig.get_path("platlib")]))
    return {
        "installed": _make_venv(base / "installed", wheel, extra_paths=outer),
        "editable": _make_venv(base / "editable", editable),
    }


@pytest.fixture
def installed(venvs: dict[str, Venv]) -> Venv:
    return venvs["installed"]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project directory: ``app.legacy`` (retired), ``app.current``, and its pyproject.toml."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "legacy.py").write_text("VALUE = 'legacy'\n")
    (tmp_path / "app" / "current.py").write_text("VALUE = 'current'\n")
    (tmp_path / "pyproject.toml").write_text(CONFIG)
    return tmp_path


def _env(**values: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SSOT_GUARD_") and k not in ("PYTHONPATH", "PYTHONSTARTUP")
    }
    env.update(values)
    return env


def _run(venv: Venv, args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(venv.python), *args],
        cwd=cwd,
        env=_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


GUARD_STATE = (
    "import sys; from ssot_guard._runtime._finder import SSOTFinder; "
    "print(sum(isinstance(f, SSOTFinder) for f in sys.meta_path))"
)
STRICT_IMPORT = "import app.legacy; print('imported')"


# --- packaging -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["installed", "editable"])
def test_wheel_ships_the_pth_at_site_packages_root(venvs: dict[str, Venv], kind: str) -> None:
    """Both the wheel and the editable wheel put the .pth at the root of site-packages."""
    venv = venvs[kind]
    assert venv.wheel is not None
    with zipfile.ZipFile(venv.wheel) as wheel:
        shipped = wheel.read(PTH).decode()
    assert shipped == (ROOT / "src" / PTH).read_text()
    assert (venv.site_packages / PTH).read_text() == shipped


def test_pth_sorts_after_editable_installs_path_files() -> None:
    """site runs .pth files in sorted order: ours comes after every editable installer's own."""
    editable_path_files = [
        "_editable_impl_ssot_guard.pth",  # hatchling
        "_ssot_guard.pth",  # hatchling dev-mode-dirs
        "__editable__.ssot_guard-0.1.0.pth",  # setuptools
        "ssot_guard.pth",  # pdm-backend, flit
        "easy-install.pth",
    ]
    assert sorted([*editable_path_files, PTH])[-1] == PTH


def test_pth_line_checks_the_variable_before_importing_ssot_guard() -> None:
    """The .pth is one import line whose first test is the environment variable."""
    lines = (ROOT / "src" / PTH).read_text().splitlines()
    assert len(lines) == 1
    first, _, rest = lines[0].partition(" or ")
    assert first.startswith('import os; os.environ.get("SSOT_GUARD_AUTOINSTALL"')
    assert "ssot_guard" not in first.replace("SSOT_GUARD_AUTOINSTALL", "")
    assert "ssot_guard._autoinstall" in rest


# --- start-up ------------------------------------------------------------------------------


def test_unset_variable_imports_nothing_of_ours(installed: Venv, project: Path) -> None:
    """Without SSOT_GUARD_AUTOINSTALL the .pth does not even import ssot_guard."""
    result = _run(installed, ["-c", "import sys; print('ssot_guard' in sys.modules)"], project)
    assert (result.returncode, result.stdout, result.stderr) == (0, "False\n", "")


@pytest.mark.parametrize("value", ["0", "false", "OFF", " ", ""])
def test_off_values_import_nothing_of_ours(installed: Venv, project: Path, value: str) -> None:
    """0, false, off (any case) and empty leave the interpreter untouched."""
    result = _run(
        installed,
        ["-c", "import sys; print('ssot_guard' in sys.modules)"],
        project,
        SSOT_GUARD_AUTOINSTALL=value,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "False\n", "")


@pytest.mark.parametrize("value", ["1", "true", "On"])
def test_start_up_installs_the_guard(installed: Venv, project: Path, value: str) -> None:
    """1, true and on (any case) install the discovered configuration before the program runs."""
    result = _run(
        installed,
        ["-c", STRICT_IMPORT],
        project,
        SSOT_GUARD_AUTOINSTALL=value,
        SSOT_GUARD_MODE="strict",
    )
    assert result.returncode == 1
    assert "BlockedImportError: No module named 'app.legacy'" in result.stderr
    assert "imported" not in result.stdout


def test_config_named_by_environment_is_used(installed: Venv, project: Path) -> None:
    """SSOT_GUARD_CONFIG names the configuration, whatever the working directory."""
    config = project / "ssot.toml"
    config.write_text(CONFIG)
    (project / "pyproject.toml").unlink()
    elsewhere = project / "elsewhere"
    elsewhere.mkdir()
    code = f"import sys; sys.path.insert(0, {str(project)!r}); {STRICT_IMPORT}"
    result = _run(
        installed,
        ["-c", code],
        elsewhere,
        SSOT_GUARD_AUTOINSTALL="1",
        SSOT_GUARD_CONFIG=str(config),
        SSOT_GUARD_MODE="strict",
    )
    assert result.returncode == 1
    assert "BlockedImportError" in result.stderr
    assert str(config) in result.stderr


def test_report_shows_autoinstall_and_warned_import(installed: Venv, project: Path) -> None:
    """In warn mode the program runs on; report() says the guard came from start-up."""
    code = (
        "import json, app.legacy, ssot_guard; r = ssot_guard.report(); "
        "print(json.dumps([r['autoinstall'], r['config'], r['total']]))"
    )
    result = _run(installed, ["-c", code], project, SSOT_GUARD_AUTOINSTALL="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        f'[{{"status": "installed", "problem": null}}, "{project / "pyproject.toml"}", 1]'
    )
    assert "SSOTWarning: import of retired module 'app.legacy'" in result.stderr


def test_application_logging_config_keeps_the_ssot_guard_logger(
    installed: Venv, project: Path
) -> None:
    """dictConfig after start-up (disable_existing_loggers defaults to true) still gets records."""
    code = textwrap.dedent(
        """
        import logging.config, warnings
        logging.config.dictConfig({
            "version": 1,
            "handlers": {"out": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout"}},
            "root": {"handlers": ["out"], "level": "INFO"},
        })
        warnings.simplefilter("ignore")
        import app.legacy
        """
    )
    result = _run(installed, ["-c", code], project, SSOT_GUARD_AUTOINSTALL="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("import of retired module 'app.legacy' at <string>:")


def test_no_config_found_installs_nothing(installed: Venv, tmp_path: Path) -> None:
    """Without SSOT_GUARD_CONFIG or a [tool.ssot_guard] table above the cwd: no finder, silence."""
    code = GUARD_STATE + "; import ssot_guard; print(ssot_guard.report()['autoinstall']['status'])"
    result = _run(installed, ["-c", code], tmp_path, SSOT_GUARD_AUTOINSTALL="1")
    assert (result.returncode, result.stdout, result.stderr) == (0, "0\nno config found\n", "")


def test_python_m_of_blocked_module_is_refused(installed: Venv, project: Path) -> None:
    """``python -m app.legacy`` is refused before the module runs."""
    (project / "app" / "legacy.py").write_text("print('legacy ran')\n")
    result = _run(
        installed,
        ["-m", "app.legacy"],
        project,
        SSOT_GUARD_AUTOINSTALL="1",
        SSOT_GUARD_MODE="strict",
    )
    assert result.returncode == 1
    assert "legacy ran" not in result.stdout
    assert "Error while finding module specification for 'app.legacy'" in result.stderr
    assert "BlockedImportError: No module named 'app.legacy'" in result.stderr


def test_second_trigger_adds_no_second_finder(installed: Venv, project: Path) -> None:
    """Running the .pth again (site.addsitedir) calls autoinstall again and changes nothing."""
    code = textwrap.dedent(
        f"""
        import site, sys
        import ssot_guard._autoinstall as auto
        from ssot_guard._runtime._finder import SSOTFinder
        guard = sys.meta_path[0]
        calls = []
        original = auto.autoinstall
        auto.autoinstall = lambda: (calls.append(1), original())
        site.addsitedir({str(installed.site_packages)!r})
        finders = [f for f in sys.meta_path if isinstance(f, SSOTFinder)]
        print(len(calls), len(finders), finders[0] is guard)
        """
    )
    result = _run(installed, ["-c", code], project, SSOT_GUARD_AUTOINSTALL="1")
    assert (result.returncode, result.stdout, result.stderr) == (0, "1 1 True\n", "")


def test_editable_install_guards_start_up(venvs: dict[str, Venv], project: Path) -> None:
    """In an editable install the .pth runs after the one putting src/ on sys.path."""
    code = "import ssot_guard; print(ssot_guard.__file__); " + STRICT_IMPORT
    result = _run(
        venvs["editable"],
        ["-c", code],
        project,
        SSOT_GUARD_AUTOINSTALL="1",
        SSOT_GUARD_MODE="strict",
    )
    assert result.returncode == 1
    assert result.stdout == f"{ROOT / 'src' / 'ssot_guard' / '__init__.py'}\n"  # the checkout
    assert "BlockedImportError: No module named 'app.legacy'" in result.stderr


# --- child interpreters --------------------------------------------------------------------


def test_subprocess_is_guarded(installed: Venv, project: Path) -> None:
    """A child interpreter of a guarded program installs the guard itself at start-up."""
    code = (
        "import subprocess, sys; "
        "r = subprocess.run([sys.executable, '-c', 'import app.legacy'], capture_output=True, "
        "text=True); print(r.returncode); print(r.stderr.strip().splitlines()[-1])"
    )
    result = _run(
        installed,
        ["-c", code],
        project,
        SSOT_GUARD_AUTOINSTALL="1",
        SSOT_GUARD_MODE="strict",
    )
    assert result.returncode == 0, result.stderr
    returncode, last_line = result.stdout.splitlines()
    assert returncode == "1"
    assert last_line.startswith("ssot_guard.BlockedImportError: No module named 'app.legacy'")


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_multiprocessing_workers_are_guarded(installed: Venv, project: Path, method: str) -> None:
    """spawn and forkserver workers start fresh interpreters: each installs the guard."""
    (project / "main.py").write_text(
        textwrap.dedent(
            """
            import multiprocessing
            import os
            import sys

            def probe(_):
                import ssot_guard._runtime._status
                try:
                    import app.legacy
                except ImportError as error:
                    outcome = type(error).__name__
                else:
                    outcome = "imported"
                return os.getpid(), ssot_guard._runtime._status.autoinstall_status, outcome

            if __name__ == "__main__":
                context = multiprocessing.get_context(sys.argv[1])
                with context.Pool(1) as pool:
                    pid, status, outcome = pool.map(probe, [0])[0]
                print(pid != os.getpid(), status, outcome)
            """
        )
    )
    result = _run(
        installed,
        ["main.py", method],
        project,
        SSOT_GUARD_AUTOINSTALL="1",
        SSOT_GUARD_MODE="strict",
    )
    assert (result.returncode, result.stdout) == (0, "True installed BlockedImportError\n"), (
        result.stderr
    )


def test_pytest_xdist_workers_are_guarded(installed: Venv, project: Path) -> None:
    """pytest-xdist workers are interpreters of the environment too."""
    (project / "test_in_worker.py").write_text(
        textwrap.dedent(
            """
            import os

            import pytest

            import ssot_guard._runtime._status


            @pytest.mark.parametrize("n", range(2))
            def test_guarded(n):
                assert os.environ.get("PYTEST_XDIST_WORKER")
                assert ssot_guard._runtime._status.autoinstall_status == "installed"
                with pytest.raises(ImportError, match="retired by ssot_guard"):
                    import app.legacy  # noqa: F401
            """
        )
    )
    result = _run(
        installed,
        ["-m", "pytest", "-q", "-n", "2", "-p", "no:cacheprovider", "test_in_worker.py"],
        project,
        SSOT_GUARD_AUTOINSTALL="1",
        SSOT_GUARD_MODE="strict",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


# --- problems ------------------------------------------------------------------------------


def test_broken_config_prints_one_line_and_runs_on(installed: Venv, project: Path) -> None:
    """A broken config: one stderr line naming the file and the key; the program runs unguarded."""
    (project / "pyproject.toml").write_text(BROKEN_CONFIG)
    result = _run(installed, ["-c", STRICT_IMPORT], project, SSOT_GUARD_AUTOINSTALL="1")
    assert (result.returncode, result.stdout) == (0, "imported\n")
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("ssot_guard: cannot install the guard at start-up: ")
    assert str(project / "pyproject.toml") in lines[0]
    assert "tool.ssot_guard.block[0]" in lines[0]
    assert "'modul'" in lines[0]
    assert lines[0].endswith("; running unguarded")


def test_strict_broken_config_exits_with_status_2(installed: Venv, project: Path) -> None:
    """Under SSOT_GUARD_MODE=strict a broken config stops the interpreter before the program."""
    (project / "pyproject.toml").write_text(BROKEN_CONFIG)
    result = _run(
        installed,
        ["-c", "print('program ran')"],
        project,
        SSOT_GUARD_AUTOINSTALL="1",
        SSOT_GUARD_MODE="strict",
    )
    assert (result.returncode, result.stdout) == (2, "")
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "'modul'" in lines[0]
    assert lines[0].endswith("exiting with status 2 (SSOT_GUARD_MODE=strict)")


def test_strict_with_retired_module_already_imported_exits_in_one_line(
    installed: Venv, project: Path
) -> None:
    """A .pth that ran before ours imported a retired module: strict start-up refuses, one line."""
    earlier = installed.site_packages / "_test_preload.pth"  # sorts before ours
    earlier.write_text(f"import sys; sys.path.insert(0, {str(project)!r}); import app.legacy\n")
    try:
        result = _run(
            installed,
            ["-c", "print('program ran')"],
            project,
            SSOT_GUARD_AUTOINSTALL="1",
            SSOT_GUARD_MODE="strict",
        )
    finally:
        earlier.unlink()
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.count("\n") == 1, result.stderr
    assert "imported before install() ran" in result.stderr
    assert "app.legacy" in result.stderr


def test_missing_config_file_named_by_environment_is_one_line(
    installed: Venv, project: Path
) -> None:
    """SSOT_GUARD_CONFIG naming no file is a broken config like any other."""
    result = _run(
        installed,
        ["-c", "print('program ran')"],
        project,
        SSOT_GUARD_AUTOINSTALL="1",
        SSOT_GUARD_CONFIG="missing.toml",
    )
    assert (result.returncode, result.stdout) == (0, "program ran\n")
    assert result.stderr.count("\n") == 1
    assert "SSOT_GUARD_CONFIG='missing.toml': file not found" in result.stderr


def test_unknown_autoinstall_value_is_rejected_in_one_line(installed: Venv, project: Path) -> None:
    """A value such as 'yes' is neither on nor off: one line lists the allowed values."""
    result = _run(installed, ["-c", STRICT_IMPORT], project, SSOT_GUARD_AUTOINSTALL="yes")
    assert (result.returncode, result.stdout) == (0, "imported\n")
    assert result.stderr == (
        "ssot_guard: cannot install the guard at start-up: environment variable "
        "SSOT_GUARD_AUTOINSTALL: unknown value 'yes'; allowed: '1', 'true', 'on' (install the "
        "guard in every interpreter), '0', 'false', 'off' or empty (do not); running unguarded\n"
    )


def test_unknown_mode_is_one_line(installed: Venv, project: Path) -> None:
    """A bad SSOT_GUARD_MODE found at start-up is one line too, and the program runs on."""
    result = _run(
        installed,
        ["-c", "print('program ran')"],
        project,
        SSOT_GUARD_AUTOINSTALL="1",
        SSOT_GUARD_MODE="strcit",
    )
    assert (result.returncode, result.stdout) == (0, "program ran\n")
    assert result.stderr.count("\n") == 1
    assert "SSOT_GUARD_MODE: unknown mode 'strcit'" in result.stderr


@pytest.mark.parametrize("mode", ["warn", "strict"])
def test_missing_package_does_nothing(tmp_path: Path, mode: str) -> None:
    """The .pth left without its package (say, an editable checkout moved away) stays silent."""
    root = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    python, site_packages = _venv_paths(root)
    shutil.copy2(ROOT / "src" / PTH, site_packages)
    venv = Venv(root, python, site_packages)
    result = _run(
        venv,
        ["-c", "print('program ran')"],
        tmp_path,
        SSOT_GUARD_AUTOINSTALL="1",
        SSOT_GUARD_MODE=mode,
    )
    assert (result.returncode, result.stdout, result.stderr) == (0, "program ran\n", "")


def test_broken_installation_is_reported_by_site(tmp_path: Path) -> None:
    """A missing dependency is not hidden: site reports it, and the program runs."""
    root = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    python, site_packages = _venv_paths(root)
    shutil.copy2(ROOT / "src" / PTH, site_packages)
    (site_packages / "ssot_guard").mkdir()
    (site_packages / "ssot_guard" / "__init__.py").write_text("import a_missing_dependency\n")
    venv = Venv(root, python, site_packages)
    result = _run(venv, ["-c", "print('program ran')"], tmp_path, SSOT_GUARD_AUTOINSTALL="1")
    assert (result.returncode, result.stdout) == (0, "program ran\n")
    assert f"Error processing line 1 of {site_packages / PTH}" in result.stderr
    assert "No module named 'a_missing_dependency'" in result.stderr


# --- the values, in process ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("TRUE", True), (" on ", True), ("0", False), ("False", False), ("", False)],
)
def test_requested_reads_the_allowed_values(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: bool
) -> None:
    """requested() accepts 1/true/on and 0/false/off/empty, in any case, spaces stripped."""
    monkeypatch.setenv("SSOT_GUARD_AUTOINSTALL", value)
    assert _autoinstall.requested() is expected


def test_off_values_match_the_pth_line() -> None:
    """The .pth line skips exactly the values requested() reads as off."""
    line = (ROOT / "src" / PTH).read_text()
    assert f"in {_autoinstall.OFF_VALUES!r}".replace("'", '"') in line


@pytest.mark.parametrize("value", ["yes", "2", "enable"])
def test_requested_rejects_other_values(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    """Anything else is a ConfigError naming the variable and the allowed values."""
    monkeypatch.setenv("SSOT_GUARD_AUTOINSTALL", value)
    with pytest.raises(ConfigError, match=r"SSOT_GUARD_AUTOINSTALL: unknown value .*allowed: '1'"):
        _autoinstall.requested()
