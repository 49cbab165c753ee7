"""Fresh interpreters: install at start-up, environment variables, ``python -m``."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

PYPROJECT = """\
[tool.ssot_guard]
mode = "strict"

[[tool.ssot_guard.block]]
module = "app.websocket_manager_factory"
use = "app.websocket_manager"
reason = "dual factory pattern removed (#1126)"

[[tool.ssot_guard.redirect]]
module = "app.old_name"
to = "app.websocket_manager"
"""

SITECUSTOMIZE = """\
import ssot_guard
ssot_guard.install()  # the nearest pyproject.toml with [tool.ssot_guard], from the cwd
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project: pyproject.toml, an ``app`` package, a sitecustomize.py installing the guard."""
    files = {
        "pyproject.toml": PYPROJECT,
        "app/__init__.py": "",
        "app/websocket_manager_factory.py": "print('factory ran')\n",
        "app/websocket_manager.py": "print('manager ran', __name__)\n",
        "app/old_name.py": "raise RuntimeError('never runs')\n",
        "app/main.py": "import app.websocket_manager_factory\nprint('main done')\n",
        "startup/sitecustomize.py": SITECUSTOMIZE,
    }
    for relative, text in files.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def _run(project: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run the interpreter in *project* with the start-up hook on PYTHONPATH."""
    environ = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(project / "startup"), str(project)]),
    }
    for name in (
        "SSOT_GUARD_MODE",
        "SSOT_GUARD_CONFIG",
        "SSOT_GUARD_AUTOINSTALL",
        "PYTHONWARNINGS",
    ):
        environ.pop(name, None)
    environ.update(env)
    return subprocess.run(
        [sys.executable, *args],
        cwd=project,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_python_m_blocked_module_is_refused(project) -> None:
    """``python -m`` of a retired module fails with the guard's message and never runs it."""
    result = _run(project, "-m", "app.websocket_manager_factory")
    assert result.returncode == 1
    assert "BlockedImportError: No module named 'app.websocket_manager_factory'" in result.stderr
    assert "dual factory pattern removed (#1126)" in result.stderr
    assert "use 'app.websocket_manager' instead" in result.stderr
    assert "factory ran" not in result.stdout


def test_python_m_redirected_module_is_refused_in_strict(project) -> None:
    """``python -m`` of a redirected name in strict mode names the canonical module."""
    result = _run(project, "-m", "app.old_name")
    assert result.returncode == 1
    assert "No module named 'app.old_name'" in result.stderr
    assert "use 'app.websocket_manager' instead" in result.stderr


def test_python_m_blocked_module_warns_and_runs_in_warn_mode(project) -> None:
    """In warn mode ``python -m`` of a retired module warns (from runpy) and runs it."""
    result = _run(
        project, "-W", "default", "-m", "app.websocket_manager_factory", SSOT_GUARD_MODE="warn"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "factory ran\n"
    # Once: the finder only records; the loader's get_code (runpy's call) shows it.
    assert result.stderr.count("SSOTWarning: import of retired module") == 1, result.stderr
    assert "SSOTWarning: import of retired module 'app.websocket_manager_factory'" in result.stderr


def test_python_m_module_counts_as_its_own_name_for_allow_importers(project, tmp_path) -> None:
    """A module run with ``python -m`` is its dotted name, not ``__main__``, to allow_importers."""
    (project / "app" / "legacy_tests").mkdir()
    (project / "app" / "legacy_tests" / "__init__.py").write_text("", encoding="utf-8")
    (project / "app" / "legacy_tests" / "run.py").write_text(
        "import app.websocket_manager_factory\n", encoding="utf-8"
    )
    config = tmp_path / "allow.toml"
    config.write_text(
        'mode = "strict"\n[[block]]\nmodule = "app.websocket_manager_factory"\n'
        'allow_importers = ["app.legacy_tests.**"]\n',
        encoding="utf-8",
    )
    allowed = _run(project, "-m", "app.legacy_tests.run", SSOT_GUARD_CONFIG=str(config))
    assert allowed.returncode == 0, allowed.stderr
    assert allowed.stdout == "factory ran\n"
    refused = _run(project, "app/legacy_tests/run.py", SSOT_GUARD_CONFIG=str(config))
    assert refused.returncode == 1  # a plain script is __main__, not in the list
    assert "BlockedImportError" in refused.stderr


def test_python_m_other_module_runs(project) -> None:
    """``python -m`` of a module no rule covers runs normally under the start-up guard."""
    result = _run(project, "-m", "app.websocket_manager")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "manager ran __main__\n"


def test_startup_guard_blocks_import_in_a_script(project) -> None:
    """A program importing a retired module fails at its import statement, traceback and all."""
    result = _run(project, "-c", "import app.main")
    assert result.returncode == 1
    assert 'app/main.py", line 1' in result.stderr
    assert "BlockedImportError: No module named 'app.websocket_manager_factory'" in result.stderr
    assert "main done" not in result.stdout


def test_env_mode_warn_overrides_config_at_startup(project) -> None:
    """SSOT_GUARD_MODE=warn lets the program run; the warning names the import line."""
    result = _run(
        project,
        "-W",
        "default::DeprecationWarning",
        "-c",
        "import app.main",
        SSOT_GUARD_MODE="warn",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "factory ran\nmain done\n"
    assert (
        "app/main.py:1: SSOTWarning: import of retired module 'app.websocket_manager_factory'"
        in result.stderr
    )


def test_env_mode_warn_logs_once_per_location(project) -> None:
    """In warn mode the ssot_guard logger reports a location once to a configured handler."""
    code = textwrap.dedent(
        """
        import sys, importlib, logging
        logging.basicConfig(stream=sys.stdout, format="LOG %(message)s")
        for _ in range(3):
            sys.modules.pop('app.websocket_manager_factory', None)
            importlib.import_module('app.websocket_manager_factory')
        """
    )
    result = _run(project, "-c", code, SSOT_GUARD_MODE="warn")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("LOG import of retired module 'app.websocket_manager_factory'") == 1
    assert result.stdout.count("factory ran") == 3


def test_env_mode_off_installs_nothing(project) -> None:
    """SSOT_GUARD_MODE=off: no finder in sys.meta_path, retired modules import silently."""
    code = (
        "import sys, app.main\n"
        "print(any(type(f).__name__ == 'SSOTFinder' for f in sys.meta_path))\n"
    )
    result = _run(project, "-W", "error", "-c", code, SSOT_GUARD_MODE="off")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "factory ran\nmain done\nFalse\n"


def test_env_mode_invalid_fails_at_startup(project) -> None:
    """An unknown SSOT_GUARD_MODE stops start-up with a ConfigError naming the variable."""
    result = _run(project, "-c", "print('ran')", SSOT_GUARD_MODE="strcit")
    assert "ConfigError" in result.stderr
    assert "SSOT_GUARD_MODE" in result.stderr
    assert "'strcit'" in result.stderr
    assert "'strict', 'warn', 'off'" in result.stderr


def test_env_config_names_the_file(project, tmp_path) -> None:
    """SSOT_GUARD_CONFIG points the start-up guard at another file, beating discovery."""
    other = tmp_path / "other.toml"
    other.write_text(
        'mode = "strict"\n[[block]]\nmodule = "app.websocket_manager"\n', encoding="utf-8"
    )
    result = _run(
        project, "-c", "import app.websocket_manager_factory", SSOT_GUARD_CONFIG=str(other)
    )
    assert result.returncode == 0, result.stderr
    result = _run(project, "-c", "import app.websocket_manager", SSOT_GUARD_CONFIG=str(other))
    assert result.returncode == 1
    assert "No module named 'app.websocket_manager'" in result.stderr


def test_env_config_missing_fails_at_startup(project) -> None:
    """SSOT_GUARD_CONFIG naming a missing file is a ConfigError naming the variable."""
    result = _run(project, "-c", "print('ran')", SSOT_GUARD_CONFIG="nowhere.toml")
    assert "ConfigError" in result.stderr
    assert "SSOT_GUARD_CONFIG='nowhere.toml'" in result.stderr


def test_discovery_from_subdirectory_cwd(project) -> None:
    """Started in a subdirectory, the guard still finds the project's pyproject.toml above it."""
    sub = project / "deep" / "er"
    sub.mkdir(parents=True)
    environ = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(project / "startup"), str(project)]),
    }
    environ.pop("SSOT_GUARD_MODE", None)
    environ.pop("SSOT_GUARD_CONFIG", None)
    environ.pop("SSOT_GUARD_AUTOINSTALL", None)
    result = subprocess.run(
        [sys.executable, "-c", "import app.websocket_manager_factory"],
        cwd=sub,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "BlockedImportError" in result.stderr


def test_redirect_at_startup_in_warn_mode(project) -> None:
    """Through the start-up guard in warn mode the old name is the canonical module."""
    code = textwrap.dedent(
        """
        import app.old_name, app.websocket_manager
        print(app.old_name is app.websocket_manager, app.old_name.__name__)
        """
    )
    result = _run(project, "-c", code, SSOT_GUARD_MODE="warn")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "manager ran app.websocket_manager\nTrue app.websocket_manager\n"


def test_preloaded_in_strict_is_refused_at_install(project) -> None:
    """A retired module imported before install() in strict mode stops install() with the list."""
    code = textwrap.dedent(
        """
        import app.websocket_manager_factory
        import ssot_guard
        try:
            ssot_guard.install()
        except ssot_guard.PreloadedModuleError as e:
            print(sorted(e.modules))
        """
    )
    environ_without_startup = {"PYTHONPATH": str(project)}
    result = _run(project, "-c", code, **environ_without_startup)
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("['app.websocket_manager_factory']\n")


def test_python_m_every_kind_of_violation_names_the_same_importer(project) -> None:
    """Under ``python -m app.tool`` an import and a deprecated name both record 'app.tool'."""
    with (project / "pyproject.toml").open("a", encoding="utf-8") as config:
        config.write(
            '\n[[tool.ssot_guard.deprecate]]\nname = "app.websocket_manager:make"\n'
            'use = "app.websocket_manager:build"\n'
        )
    (project / "app" / "websocket_manager.py").write_text(
        "def make(): return 1\ndef build(): return 2\n", encoding="utf-8"
    )
    (project / "app" / "tool.py").write_text(
        "import ssot_guard\n"
        "import app.websocket_manager_factory\n"
        "from app.websocket_manager import make\n"
        "make()\n"
        "for v in ssot_guard.violations():\n"
        "    print(v.kind, v.importer, v.lineno)\n",
        encoding="utf-8",
    )
    result = _run(project, "-m", "app.tool", SSOT_GUARD_MODE="warn")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-2:] == [
        "import app.tool 2",
        "deprecated-name app.tool 4",
    ]


def test_python_m_redirected_module_runs_the_canonical_module_in_warn_mode(project) -> None:
    """``python -m old`` in warn mode runs the canonical module as __main__, with the warning."""
    result = _run(project, "-W", "default", "-m", "app.old_name", SSOT_GUARD_MODE="warn")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "manager ran __main__\n"
    assert result.stderr.count("SSOTWarning: import of renamed module") == 1, result.stderr
    assert "import of renamed module 'app.old_name'; use 'app.websocket_manager'" in result.stderr
    assert "never runs" not in result.stderr


def test_runpy_run_module_of_redirected_name_in_warn_mode(project) -> None:
    """``runpy.run_module(old)`` in warn mode runs the canonical module's code, with the warning."""
    (project / "app" / "websocket_manager.py").write_text(
        "MARK = 'canonical'\nFILE = __file__\n", encoding="utf-8"
    )
    code = (
        "import runpy\n"
        "result = runpy.run_module('app.old_name')\n"
        "print(result['MARK'], result['FILE'].endswith('websocket_manager.py'))\n"
    )
    result = _run(project, "-W", "default", "-c", code, SSOT_GUARD_MODE="warn")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "canonical True\n"
    assert "import of renamed module 'app.old_name'" in result.stderr


def test_python_m_redirected_package_runs_the_canonical_main(project) -> None:
    """``python -m old`` of a package redirect runs the canonical package's ``__main__``."""
    (project / "app" / "tools").mkdir()
    (project / "app" / "tools" / "__init__.py").write_text("", encoding="utf-8")
    (project / "app" / "tools" / "__main__.py").write_text(
        "print('tools main', __name__)\n", encoding="utf-8"
    )
    config = project / "pkg.toml"
    config.write_text('[[redirect]]\nmodule = "app.old_tools"\nto = "app.tools"\n')
    result = _run(
        project,
        "-W",
        "default",
        "-m",
        "app.old_tools",
        SSOT_GUARD_MODE="warn",
        SSOT_GUARD_CONFIG=str(config),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "tools main __main__\n"
    assert "import of renamed module 'app.old_tools'" in result.stderr


REDIRECT_RACE = """\
import builtins, os, sys, threading, warnings
sys.path.insert(0, os.getcwd())
import ssot_guard

warnings.simplefilter("ignore")
builtins.NEW_RUNS = []
ssot_guard.install(rules=[ssot_guard.Redirect("app.old", to="app.new")], mode="warn")
errors = []
RUNS = 40
for run in range(RUNS):
    for name in ("app.old", "app.new", "app.helper"):
        sys.modules.pop(name, None)
    start = threading.Barrier(2)

    def load(name):
        try:
            start.wait()
            __import__(name)
        except BaseException as error:
            errors.append(f"{name}: {type(error).__name__}: {error}")

    threads = [threading.Thread(target=load, args=(n,)) for n in ("app.old", "app.new")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    if any(thread.is_alive() for thread in threads):
        print("hung")
        os._exit(1)
    if sys.modules["app.old"] is not sys.modules["app.new"]:
        errors.append("app.old is not app.new")
print("errors", len(errors), *errors[:3], sep="\\n")
print("runs", len(builtins.NEW_RUNS), RUNS)
"""


def test_redirect_and_canonical_imported_by_two_threads_never_deadlock(tmp_path) -> None:
    """One thread imports the old name while another imports the canonical module: no deadlock.

    ``app.new`` imports a helper that still says ``import app.old``; the redirect
    must not lock the old name and then the canonical one while the canonical
    import locks them the other way round. The canonical body runs once per run.
    """
    files = {
        "app/__init__.py": "",
        "app/new.py": "import builtins, time\ntime.sleep(0.002)\nimport app.helper\n"
        "builtins.NEW_RUNS.append(1)\nVALUE = 'new'\n",
        "app/helper.py": "import app.old\n",
        "app/old.py": "raise RuntimeError('redirected: never runs')\n",
        "race.py": REDIRECT_RACE,
    }
    for relative, text in files.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    try:
        result = subprocess.run(
            [sys.executable, "race.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the two imports deadlocked")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[:2] == ["errors", "0"], result.stdout
    assert lines[-1] == "runs 40 40"


LINECACHE_RACE = """\
import os
import sys
import threading
import warnings

import ssot_guard

warnings.simplefilter("always")  # imported: warnings formats a shown warning with linecache
ssot_guard.install(rules=[RULE], mode="warn")
for name in ("linecache", "tokenize"):  # as in a program that has not imported them yet
    sys.modules.pop(name, None)

paused = threading.Event()
go_on = threading.Event()


class PausingLoader:
    \"\"\"Thread B's linecache: waits holding linecache's module lock, then imports.\"\"\"

    def __init__(self, real):
        self.real = real

    def create_module(self, spec):
        paused.set()
        go_on.wait()
        import app.fresh  # takes the global import lock, as linecache's own imports do

    def exec_module(self, module):
        self.real.exec_module(module)


class PauseLinecache:
    def find_spec(self, name, path=None, target=None):
        if name != "linecache" or threading.current_thread().name != "B":
            return None
        from importlib.machinery import PathFinder

        spec = PathFinder.find_spec(name, path)
        spec.loader = PausingLoader(spec.loader)
        return spec


sys.meta_path.insert(0, PauseLinecache())


def waits_for_linecache(thread):
    frame = sys._current_frames().get(thread.ident)
    while frame is not None:
        if frame.f_code.co_name == "_find_and_load" and frame.f_locals.get("name") == "linecache":
            return True
        frame = frame.f_back
    return False


b = threading.Thread(target=__import__, args=("linecache",), name="B", daemon=True)
b.start()
paused.wait(30)
a = threading.Thread(target=__import__, args=("app.user",), name="A", daemon=True)
a.start()
for _ in range(30000):  # until A, showing its warning, waits for linecache (or is done)
    if waits_for_linecache(a) or not a.is_alive():
        break
    a.join(0.001)
go_on.set()
a.join(10)
b.join(10)
if a.is_alive() or b.is_alive():
    print("deadlock", flush=True)
    os._exit(1)
print("done", len(ssot_guard.violations()))
"""


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ('ssot_guard.Block("app.old")', "import of retired module 'app.old'"),
        ('ssot_guard.Redirect("app.old", to="app.new")', "import of renamed module 'app.old'"),
    ],
)
def test_warning_shown_while_another_thread_imports_linecache_never_deadlocks(
    tmp_path, rule, message
) -> None:
    """A warn-mode import while another thread is importing ``linecache``: no deadlock.

    Showing a warning imports ``linecache``; were that done in ``find_spec``,
    thread A would wait for B's ``linecache`` under the global import lock,
    which B needs for its next import. The warning comes after find_spec instead.
    """
    files = {
        "app/__init__.py": "",
        "app/old.py": "X = 1\n",
        "app/new.py": "X = 2\n",
        "app/fresh.py": "",
        "app/user.py": "import app.old\n",
        "race.py": LINECACHE_RACE.replace("RULE", rule),
    }
    for relative, text in files.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("SSOT_GUARD_", "PYTHON"))}
    try:
        result = subprocess.run(
            [sys.executable, "race.py"],
            cwd=tmp_path,
            env=environ,
            capture_output=True,
            text=True,
            timeout=120,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the two imports deadlocked")
    assert result.stdout == "done 1\n", result.stdout + result.stderr
    assert f"app/user.py:1: SSOTWarning: {message}" in result.stderr
