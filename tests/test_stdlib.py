"""The whole standard library imports under a strict guard whose rules match none of it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# Runs in a fresh interpreter. "list" walks the standard library and prints every module name
# that imports without a guard; "check" imports the names it is given, under a strict guard
# when asked, and prints the names that imported.
SCRIPT = r"""
import importlib, json, pkgutil, sys, warnings

warnings.simplefilter("ignore")
# Side effects on import: a browser, a poem, greetings, a GUI; test suites are not the library.
SKIP_TOP = {"antigravity", "this", "__hello__", "__phello__", "idlelib", "test", "turtledemo"}
SKIP_PART = {"test", "tests", "idle_test", "__main__"}


def importable(name):
    try:
        importlib.import_module(name)
    except BaseException:  # ImportError, OSError, SystemExit...: not importable here
        return False
    return True


def walk():
    names = []
    for top in sorted(sys.stdlib_module_names - SKIP_TOP):
        if not importable(top):
            continue
        names.append(top)
        path = getattr(sys.modules[top], "__path__", None)
        if path is None:
            continue
        for info in pkgutil.walk_packages(path, prefix=top + ".", onerror=lambda name: None):
            if SKIP_PART.isdisjoint(info.name.split(".")) and importable(info.name):
                names.append(info.name)
    return names


command = sys.argv[1]
if command == "list":
    print(json.dumps(walk()))
else:
    names = json.loads(open(sys.argv[2]).read())
    guard = None
    if command == "guarded":
        import ssot_guard

        guard = ssot_guard.install(
            rules=[
                ssot_guard.Block("zz_retired_pkg", reason="nothing in the stdlib"),
                ssot_guard.Block("json.zz_retired", use="json"),  # anchored inside a stdlib package
                ssot_guard.Block(pattern="email.*.zz_old_*"),
                ssot_guard.Block(pattern="**.zz_retired_*"),  # unanchored: every name is matched
                ssot_guard.Redirect("zz_old_name", to="zz_new_name"),
            ],
            mode="strict",
        )
    imported = [name for name in names if importable(name)]
    report = {"imported": imported}
    if guard is not None:
        report["first_finder_is_guard"] = sys.meta_path[0] is guard.finder
        report["violations"] = [str(v) for v in ssot_guard.violations()]
    print(json.dumps(report))
"""


def _python(tmp_path: Path, *args: str) -> dict[str, object] | list[str]:
    script = tmp_path / "stdlib_walk.py"
    script.write_text(SCRIPT, encoding="utf-8")
    env = {**os.environ}
    for name in (
        "SSOT_GUARD_MODE",
        "SSOT_GUARD_CONFIG",
        "SSOT_GUARD_AUTOINSTALL",
        "PYTHONWARNINGS",
    ):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, str(script), *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_whole_stdlib_imports_under_a_strict_guard(tmp_path) -> None:
    """What imports without a guard imports under a strict one, and nothing is recorded."""
    names = _python(tmp_path, "list")
    assert isinstance(names, list)
    assert len(names) > 500, "the walk should reach most of the standard library"
    listing = tmp_path / "names.json"
    listing.write_text(json.dumps(names), encoding="utf-8")
    bare = _python(tmp_path, "bare", str(listing))
    guarded = _python(tmp_path, "guarded", str(listing))
    assert isinstance(bare, dict)
    assert isinstance(guarded, dict)
    assert set(guarded["imported"]) == set(bare["imported"])  # type: ignore[arg-type]
    assert guarded["first_finder_is_guard"] is True
    assert guarded["violations"] == []
