"""Start-up: what ``import ssot_guard`` and ``install()`` import (timings: benchmarks/)."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def _modules_after(code: str) -> set[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSOT_GUARD_")}
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys, json; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_import_leaves_out_logging_and_tracemalloc() -> None:
    """``import ssot_guard`` does not import logging, linecache or tracemalloc."""
    loaded = _modules_after("import ssot_guard")
    assert "ssot_guard._guard" in loaded
    assert not {"logging", "linecache", "tracemalloc", "tomllib"} & loaded


def test_install_imports_what_a_violation_needs() -> None:
    """``install()`` imports logging and linecache: a violation under the import lock need not."""
    loaded = _modules_after(
        "import ssot_guard; ssot_guard.install(rules=[ssot_guard.Block('x_retired')])"
    )
    assert {"logging", "linecache"} <= loaded
