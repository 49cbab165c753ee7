"""``ssot-guard fix`` on Django 5.2's source distribution: a module many files import, moved.

Goal (issue 12), measured side by side in one run: with ``django.utils.functional``
moved to ``django.utils.lazy`` (the file copied to its new name, the old one
deleted) and a ``[[redirect]]`` for it, ``fix`` on the whole sdist

1. rewrites every site ``check`` reports, and leaves none;
2. leaves a tree that compiles, on which ``check`` is clean for the rule and a second
   ``fix --check`` finds nothing to do;
3. passes Django's own tests that cover the moved module (``tests/runtests.py`` in a
   throwaway virtual environment with Django's dependencies; ``--no-django-tests`` skips);
4. takes no more than 10x the time of ``ssot-guard check`` on the same tree.

Also times ``ssot-guard suggest`` on the sdist and prints its top suggestions.
Django is downloaded with pip into a cache outside the repository (see check_django.py).

    python benchmarks/fix_django.py               # 5 rounds and the Django tests
    python benchmarks/fix_django.py --rounds 3 --no-django-tests
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import alternate, child_env, machine, median, spread, table, verdict
from check_django import DJANGO, cache_dir, django_tree

OLD = "django.utils.functional"
NEW = "django.utils.lazy"
CONFIG = f'[[redirect]]\nmodule = "{OLD}"\nto = "{NEW}"\nreason = "moved"\n'
#: Django's test modules that exercise the moved module (lazy objects, cached_property,
#: keep_lazy, SimpleLazyObject) and a wide sample of its importers.
TEST_LABELS = [
    "utils_tests",
    "template_tests.filter_tests",
    "decorators",
    "i18n.tests",
    "forms_tests.tests.test_forms",
    "auth_tests.test_validators",
]


def moved_copy(pristine: Path, into: Path) -> Path:
    """A copy of the sdist with OLD's file moved to NEW's name."""
    tree = into / "django-src"
    shutil.copytree(pristine, tree, symlinks=True)
    utils = tree / "django" / "utils"
    (utils / "functional.py").rename(utils / "lazy.py")
    return tree


#: CPU seconds of each timed command, next to its wall time (the machine is shared).
CPU: dict[str, list[float]] = {}


def run(
    argv: list[str], cwd: Path, ok: tuple[int, ...] = (0, 1), *, label: str = ""
) -> tuple[float, str, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(argv, cwd=cwd, env=child_env(), capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode not in ok:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{result.stdout}{result.stderr}")
    if label:
        cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        CPU.setdefault(label, []).append(cpu)
    return wall, result.stdout, result.stderr


def changed_files_compile(pristine: Path, fixed: Path) -> tuple[int, list[str]]:
    """How many files fix changed, and those of them that do not compile."""
    changed, broken = 0, []
    for path in sorted(fixed.rglob("*.py")):
        relative = path.relative_to(fixed)
        original = pristine / relative
        if relative.as_posix() == "django/utils/lazy.py":
            original = pristine / "django" / "utils" / "functional.py"
        data = path.read_bytes()
        if original.exists() and original.read_bytes() == data:
            continue
        changed += 1
        try:
            compile(data, str(path), "exec", dont_inherit=True)
        except SyntaxError:
            broken.append(str(relative))
    return changed, broken


def django_tests(cache: Path, tree: Path) -> tuple[bool, str]:
    """Django's own tests for the moved module, on the fixed tree."""
    venv = cache / "django-test-venv"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "asgiref>=3.8.1", "sqlparse>=0.3.1"],
            check=True,
        )
    env = {**child_env(), "PYTHONPATH": str(tree)}
    result = subprocess.run(
        [str(python), "runtests.py", "--parallel", "2", "-v", "1", *TEST_LABELS],
        cwd=tree / "tests",
        env=env,
        capture_output=True,
        text=True,
    )
    summary = [
        line for line in result.stderr.splitlines() if line.startswith(("Ran ", "OK", "FAILED"))
    ]
    return result.returncode == 0, "; ".join(summary) or result.stderr[-2000:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cache", help="where Django and the test venv go (outside the repo)")
    parser.add_argument("--no-django-tests", action="store_true")
    args = parser.parse_args()

    cache = cache_dir(args.cache)
    pristine = django_tree(cache)
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="ssot-fix-bench-") as temporary:
        work = Path(temporary)
        config = work / "guard.toml"
        config.write_text(CONFIG, encoding="utf-8")
        check_argv = [python, "-m", "ssot_guard", "check", "--config", str(config), "."]
        fix_argv = [python, "-m", "ssot_guard", "fix", "--config", str(config), "."]
        suggest_argv = [python, "-m", "ssot_guard", "suggest", "--limit", "10", "."]

        checked = moved_copy(pristine, work / "checked")
        _, before, _ = run(check_argv, checked)  # warms the page cache too
        sites = before.count("SSOT102")
        files = len({line.split(":", 1)[0] for line in before.splitlines() if "SSOT102" in line})

        copies: list[Path] = []

        def fresh() -> Path:
            copy = moved_copy(pristine, work / f"fix{len(copies)}")
            copies.append(copy)
            return copy

        def time_fix() -> float:
            tree = fresh()
            wall, _, _ = run(fix_argv, tree, ok=(0,), label="ssot-guard fix")
            return wall

        samples = alternate(
            {
                "ssot-guard check": lambda: run(check_argv, checked, label="ssot-guard check")[0],
                "ssot-guard fix": time_fix,
                "ssot-guard suggest": lambda: run(
                    suggest_argv, checked, label="ssot-guard suggest"
                )[0],
            },
            args.rounds,
            progress="fix_django",
        )
        fixed = fresh()
        _, _, fix_err = run(fix_argv, fixed, ok=(0,))
        summary_line = fix_err.strip().splitlines()[-1]
        changed, broken = changed_files_compile(pristine, fixed)
        _, after, _ = run(check_argv, fixed)
        _, _, again = run([*fix_argv, "--check"], fixed, ok=(0,))
        _, top, _ = run(suggest_argv, checked)
        tests_ok, tests_text = (True, "skipped")
        if not args.no_django_tests:
            tests_ok, tests_text = django_tests(cache, fixed)

    times = {name: median(values) for name, values in samples.items()}
    ratio = times["ssot-guard fix"] / times["ssot-guard check"]
    cpu = {name: median(values) for name, values in CPU.items()}
    cpu_ratio = cpu["ssot-guard fix"] / cpu["ssot-guard check"]
    second = again.strip().splitlines()[-1].removeprefix("ssot-guard fix: ")
    print(f"## ssot-guard fix on Django {DJANGO}\n")
    print(f"Machine: {machine()}. Median of {args.rounds} alternating rounds, wall time.")
    print(f"Moved: {OLD} -> {NEW}; check reports {sites} sites in {files} files.\n")
    print(
        table(
            [
                [n, f"{times[n]:.3f}", f"±{spread(samples[n]):.0%}", f"{cpu[n]:.3f}"]
                for n in samples
            ],
            ["variant", "median wall s", "noise", "median CPU s"],
        )
    )
    print()
    print(f"fix: {summary_line}")
    print(f"Django tests ({' '.join(TEST_LABELS)}): {tests_text}\n")
    print(
        table(
            [
                ["fix / check wall time", f"{ratio:.2f}x", "<= 10x", verdict(ratio <= 10)],
                ["fix / check CPU time", f"{cpu_ratio:.2f}x", "<= 10x", verdict(cpu_ratio <= 10)],
                [
                    "sites rewritten",
                    summary_line.split(", ")[1],
                    f"{sites}",
                    verdict(f"{sites} site(s) rewritten, 0 left" in summary_line),
                ],
                [
                    "files fix wrote that compile",
                    f"{changed - len(broken)} of {changed}",
                    "all",
                    verdict(not broken and changed > 0),
                ],
                [
                    "check after fix",
                    f"{after.count('SSOT102')} findings",
                    "0",
                    verdict(after.count("SSOT102") == 0),
                ],
                [
                    "second fix --check",
                    second.split(",")[0],
                    "0 file(s) would change",
                    verdict("0 file(s) would change" in second),
                ],
                ["Django's tests", "pass" if tests_ok else "FAIL", "pass", verdict(tests_ok)],
            ],
            ["goal", "value", "target", "verdict"],
        )
    )
    print("\n### ssot-guard suggest: top suggestions\n")
    print("```toml")
    print(top.strip())
    print("```")


if __name__ == "__main__":
    main()
