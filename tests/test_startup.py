"""Start-up: what ``import ssot_guard`` and ``install()`` import (timings: benchmarks/)."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def _modules_after(code: str) -> set[str]:
    """The modules *code* imports beyond a bare interpreter (3.13 starts with linecache)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSOT_GUARD_")}
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys\nbare = set(sys.modules)\n"
            # The difference is taken before json is imported: json itself imports re.
            f"{code}\nloaded = sorted(set(sys.modules) - bare)\n"
            "import json; print(json.dumps(loaded))",
        ],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout
    return set(json.loads(out.splitlines()[-1]))


#: What ``import ssot_guard`` promises never to import (ARCHITECTURE.md, docs/benchmarks.md).
NEVER_AT_IMPORT = frozenset(
    {
        "typing",
        "threading",
        "re",
        "warnings",
        "logging",
        "linecache",
        "tokenize",
        "tracemalloc",
        "tomllib",
        "ast",
        "wrapt",
        "typing_extensions",
        "opentelemetry",
        "libcst",
    }
)
#: ... and what ``install()`` adds nothing of, in any mode: a warning is shown by our
#: loader, outside the import lock, so nothing is imported for it in advance.
NEVER_AT_STRICT_INSTALL = NEVER_AT_IMPORT - {"tomllib"}
NEVER_AT_WARN_INSTALL = NEVER_AT_STRICT_INSTALL


def test_import_leaves_out_every_module_it_promises_to() -> None:
    """``import ssot_guard`` imports none of the modules its start-up budget rules out."""
    loaded = _modules_after("import ssot_guard")
    assert "ssot_guard" in loaded  # the probe really imported it
    assert NEVER_AT_IMPORT & loaded == set()


def test_import_loads_the_package_alone() -> None:
    """``import ssot_guard`` is one module: every public name loads on first use."""
    assert _modules_after("import ssot_guard") == {"ssot_guard"}


def test_install_does_not_load_the_class_registry() -> None:
    """The guard tells the registry its mode without loading it: no class checks, no cost."""
    loaded = _modules_after(
        "import ssot_guard; ssot_guard.install(rules=[ssot_guard.Block('x_retired')], "
        "mode='strict'); ssot_guard.uninstall()"
    )
    assert "ssot_guard._runtime._guard" in loaded
    assert not {m for m in loaded if m.startswith("ssot_guard._classes")}


def test_strict_install_from_rules_leaves_out_every_module_it_promises_to() -> None:
    """``install()`` of strict Python-built rules adds none of them either (tomllib aside)."""
    loaded = _modules_after(
        "import ssot_guard\n"
        "ssot_guard.install(rules=[ssot_guard.Block('x_retired'), "
        "ssot_guard.Unique('C', within=['x_pkg'])], mode='strict')"
    )
    assert "ssot_guard._runtime._watch" in loaded  # the unique rule was compiled
    assert NEVER_AT_STRICT_INSTALL & loaded == set()


def test_warn_install_leaves_out_every_module_it_promises_to() -> None:
    """A warn-mode ``install()`` imports nothing for its warnings: no warnings, linecache, re."""
    loaded = _modules_after(
        "import ssot_guard\n"
        "ssot_guard.install(rules=[ssot_guard.Block('x_retired'), "
        "ssot_guard.Redirect('x_old', to='x_new')], mode='warn')"
    )
    assert "ssot_guard._runtime._callers" in loaded  # the warn-mode block was compiled
    assert NEVER_AT_WARN_INSTALL & loaded == set()


def test_strict_install_imports_neither_logging_nor_linecache() -> None:
    """A guard whose rules are all strict shows no warning, so it needs no linecache."""
    loaded = _modules_after(
        "import ssot_guard\n"
        "ssot_guard.install(rules=[ssot_guard.Block('x_retired')], mode='strict')"
    )
    assert not {"logging", "linecache", "tokenize"} & loaded


def test_violation_without_logging_imports_nothing_and_writes_nothing() -> None:
    """With logging never imported, a violation imports nothing and adds no stderr line.

    Its warning is the report (here silenced by the program's own filter): a
    log line on stderr would say it a second time.
    """
    code = (
        "import sys, warnings, ssot_guard\n"
        "warnings.simplefilter('ignore')\n"
        "ssot_guard.install(rules=[ssot_guard.Block('colorsys', reason='gone')])\n"
        "before = set(sys.modules)\n"
        "import colorsys\n"
        "print(sorted(set(sys.modules) - before), 'logging' in sys.modules)\n"
        "print(len(ssot_guard.violations()))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSOT_GUARD_")}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert result.stdout.splitlines() == ["['colorsys'] False", "1"]
    assert result.stderr == ""


def test_warning_without_warnings_imported_imports_nothing() -> None:
    """With ``warnings`` never imported, a warn-mode warning found in ``find_spec`` imports
    nothing: up to 3.12 C code shows it; from 3.13 showing it would import ``warnings``
    (under the import lock), so it is recorded but not shown.

    Here the retired module does not exist, so no loader of ours will run to show it later.
    """
    code = (
        "import sys, ssot_guard\n"
        "ssot_guard.install(rules=[ssot_guard.Block('x_gone', reason='gone')])\n"
        "before = set(sys.modules)\n"
        "try:\n"
        "    import x_gone\n"
        "except ModuleNotFoundError:\n"
        "    pass\n"
        "print(sorted(set(sys.modules) - before), 'warnings' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SSOT_GUARD_", "PYTHON"))}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert result.stdout.strip() == "[] False"
    shown = "<string>:5: SSOTWarning: import of retired module 'x_gone'" in result.stderr
    assert shown == (sys.version_info < (3, 13))
