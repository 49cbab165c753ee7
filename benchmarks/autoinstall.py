"""Autoinstall benchmark: what ``ssot_guard_autoinstall.pth`` costs every interpreter start.

    python benchmarks/autoinstall.py            # about 10 seconds on 2 cores
    python benchmarks/autoinstall.py --quick    # a rough look in a few seconds

Builds the wheel (hatchling, from the 'test' extra) and installs it with pip into a
fresh virtual environment. Issue 6's goal: nearly nothing when the variable is unset.
Nothing here asserts on time. Two measurements, side by side in one run:

1. ``site.addpackage()`` on the .pth, as ``site`` calls it at start-up (best of 7,
   µs per call): ours with ``SSOT_GUARD_AUTOINSTALL`` unset and ``=0`` against a
   comment-only .pth (what any .pth file costs);
2. ``python -c pass`` in the venv (medians, wall ms): without the .pth, with it and
   the variable unset, and with ``SSOT_GUARD_AUTOINSTALL=1`` and a discovered
   ``pyproject.toml`` of 100 block rules (importing ssot_guard, reading the TOML,
   installing), and those two phases timed inside the interpreter.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PTH = "ssot_guard_autoinstall.pth"
RULES = 100
PIP_OFFLINE = ("--no-deps", "--no-index", "--disable-pip-version-check")


def make_venv(base: str) -> tuple[str, str]:
    """A venv with the wheel installed by pip: (its python, its site-packages)."""
    build = subprocess.run(
        [sys.executable, "-c", "import sys; from hatchling.build import build_wheel; "
         "print(build_wheel(sys.argv[1]))", base],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    wheel = os.path.join(base, build.stdout.strip())
    venv = os.path.join(base, "venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    python = os.path.join(venv, "bin", "python")
    site_packages = sysconfig.get_path("purelib", vars={"base": venv, "platbase": venv})
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", python, "install", "-q", *PIP_OFFLINE, wheel],
        check=True,
    )
    import typing_extensions
    import wrapt

    shutil.copytree(os.path.dirname(wrapt.__file__), os.path.join(site_packages, "wrapt"))
    shutil.copy2(typing_extensions.__file__, site_packages)
    subprocess.run([python, "-m", "compileall", "-q", site_packages], check=True)
    return python, site_packages


def write_project(base: str) -> str:
    project = os.path.join(base, "project")
    os.mkdir(project)
    rules = "".join(
        f'\n[[tool.ssot_guard.block]]\nmodule = "app.retired_{k}"\nuse = "app.current"\n'
        for k in range(RULES)
    )
    with open(os.path.join(project, "pyproject.toml"), "w") as f:
        f.write('[tool.ssot_guard]\nmode = "warn"\n' + rules)
    return project


ADDPACKAGE = """\
import os, site, sys, time
directory, name, calls = sys.argv[1], sys.argv[2], int(sys.argv[3])
path = list(sys.path)
best = float("inf")
for _ in range(7):
    started = time.perf_counter()
    for _ in range(calls):
        site.addpackage(directory, name, set())
    best = min(best, time.perf_counter() - started)
    sys.path[:] = path
print(best / calls)
"""


PHASES = """\
import os, time
started = time.perf_counter()
import ssot_guard._autoinstall as autoinstall
imported = time.perf_counter()
os.environ["SSOT_GUARD_AUTOINSTALL"] = "1"
autoinstall.autoinstall()
assert autoinstall.status == "installed", autoinstall.status
print(imported - started, time.perf_counter() - imported)
"""


def bench_addpackage(python: str, site_packages: str, ours: str, calls: int) -> dict[str, float]:
    """Seconds per ``site.addpackage()`` call, measured in the venv's interpreter."""
    from _common import child_env

    directory = os.path.join(os.path.dirname(site_packages), "pth-bench")
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "comment.pth"), "w") as f:
        f.write("# nothing\n")
    with open(os.path.join(directory, PTH), "w") as f:
        f.write(ours)
    variants = {
        "comment-only .pth": ("comment.pth", {}),
        "ours, variable unset": (PTH, {}),
        "ours, SSOT_GUARD_AUTOINSTALL=0": (PTH, {"SSOT_GUARD_AUTOINSTALL": "0"}),
    }
    result = {}
    for label, (name, variables) in variants.items():
        out = subprocess.run(
            [python, "-c", ADDPACKAGE, directory, name, str(calls)],
            env={**child_env(), **variables},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        result[label] = float(out)
    return result


def main(argv: list[str]) -> int:
    import argparse
    import time

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from _common import alternate, child_env, machine, median, spread, table

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (rough figures)")
    quick = parser.parse_args(argv).quick
    rounds = 15 if quick else 60

    print(f"# Autoinstall benchmark\n\n{machine()}\n")
    base = tempfile.mkdtemp(prefix="ssot_guard_autoinstall_")
    try:
        python, site_packages = make_venv(base)
        project = write_project(base)
        pth = os.path.join(site_packages, PTH)
        with open(pth) as f:
            ours = f.read()

        print("## site.addpackage() per .pth file (best of 7, µs per call)\n")
        per_call = bench_addpackage(python, site_packages, ours, 500 if quick else 2000)
        floor = per_call["comment-only .pth"]
        print(
            table(
                [
                    (name, f"{seconds * 1e6:.1f}", f"{(seconds - floor) * 1e6:+.1f}")
                    for name, seconds in per_call.items()
                ],
                ("variant", "µs per call", "vs comment-only, µs"),
            )
        )

        env = child_env()

        def start(pth_present: bool, **variables: str) -> float:
            if pth_present and not os.path.exists(pth):
                with open(pth, "w") as f:
                    f.write(ours)
            elif not pth_present and os.path.exists(pth):
                os.remove(pth)
            started = time.perf_counter()
            subprocess.run(
                [python, "-c", "pass"], cwd=project, env={**env, **variables}, check=True
            )
            return time.perf_counter() - started

        cache = os.path.join(base, "cache", "ssot_guard")
        variants = {
            "no .pth": lambda: start(False),
            "ours, variable unset": lambda: start(True),
            f"ours, =1, {RULES} rules discovered, cache off": lambda: start(
                True, SSOT_GUARD_AUTOINSTALL="1", SSOT_GUARD_CACHE_DIR="off"
            ),
            f"ours, =1, {RULES} rules discovered, cached": lambda: start(
                True, SSOT_GUARD_AUTOINSTALL="1", SSOT_GUARD_CACHE_DIR=cache
            ),
        }
        time.sleep(2.5)  # the config must age past the cache's racy window to be cached
        start(True, SSOT_GUARD_AUTOINSTALL="1", SSOT_GUARD_CACHE_DIR=cache)  # fill the cache
        samples = alternate(variants, rounds, progress="start-up")
        bare = median(samples["no .pth"])
        print(f"\n## python -c pass in the venv ({rounds} rounds, median)\n")
        print(
            table(
                [
                    (
                        name,
                        f"{median(values) * 1e3:.2f}",
                        f"{(median(values) - bare) * 1e3:+.2f}",
                        f"±{spread(values):.1%}",
                    )
                    for name, values in samples.items()
                ],
                ("variant", "wall ms", "vs no .pth, ms", "noise"),
            )
        )
        phases = [
            subprocess.run(
                [python, "-c", PHASES], cwd=project, env=env, capture_output=True, text=True
            ).stdout.split()
            for _ in range(max(5, rounds // 4))
        ]
        imported = median([float(p[0]) for p in phases])
        installed = median([float(p[1]) for p in phases])
        print(
            f"\nInside the interpreter (median of {len(phases)}): import ssot_guard "
            f"{imported * 1e3:.1f} ms, autoinstall() (discover, read the TOML, install) "
            f"{installed * 1e3:.1f} ms."
        )
        unset = per_call["ours, variable unset"] - floor
        print(
            f"\nWith the variable unset our line costs {unset * 1e6:.1f} µs per interpreter "
            f"start beyond any .pth file: {unset / bare:.2%} of a bare start-up."
        )
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
