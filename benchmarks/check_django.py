"""``ssot-guard check`` on Django 5.2's source distribution, beside ruff and import-linter.

Goals (issue 5), measured side by side in one run:

1. With a handful of rules (five retired Django modules), ``ssot-guard check`` on
   the whole sdist takes no longer than ``ruff check --select TID251`` with the
   equivalent ``banned-api`` configuration.
2. It is well under import-linter's ``forbidden`` contract on the same modules.
   import-linter only reads the ``django`` package (it cannot take the ``tests``
   tree, which is not a package), so that pair is compared on ``django/`` alone.
3. Worst case, a rule whose name appears in a third of all files (``django.db.models``):
   at most 1.5 s per 500k lines.

Django's sdist is downloaded with pip into a cache directory outside the repository
(``--cache``, else ``$SSOT_GUARD_BENCH_CACHE``, else ``~/.cache/ssot-guard-bench``), and
ruff and import-linter are installed into a throwaway virtual environment there: they are
not project dependencies. Every sample is a fresh process; variants alternate.

    python benchmarks/check_django.py              # 7 rounds, about a minute
    python benchmarks/check_django.py --rounds 3

``--before DIR`` also times an older ssot_guard side by side (DIR holds its ``ssot_guard``
package, e.g. ``git archive REV src | tar -x -C /tmp/before`` then ``--before /tmp/before/src``),
to show that a change did not make the check slower.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import alternate, child_env, compile_tree, machine, median, spread, table, verdict

DJANGO = "5.2"
RETIRED = [
    "django.contrib.postgres.fields.jsonb",
    "django.utils.itercompat",
    "django.db.backends.postgresql.psycopg_any",
    "django.utils.termcolors",
    "django.core.management.color",
]
WORST = "django.db.models"
# import-linter's forbidden contract needs source packages that do not contain the
# forbidden modules: these are the Django packages that import them.
IMPORT_LINTER_SOURCES = [
    "django.contrib.gis",
    "django.contrib.admin",
    "django.contrib.staticfiles",
    "django.test",
    "django.views",
    "django.template",
]


def cache_dir(given: str | None) -> Path:
    path = Path(
        given
        or os.environ.get("SSOT_GUARD_BENCH_CACHE")
        or Path.home() / ".cache" / "ssot-guard-bench"
    )
    path.mkdir(parents=True, exist_ok=True)
    return path


def django_tree(cache: Path) -> Path:
    """The extracted sdist, downloaded with pip the first time."""
    tree = cache / f"Django-{DJANGO}"
    if tree.is_dir():
        return tree
    downloads = cache / "downloads"
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:"),
            *(f"django=={DJANGO}", "-d", str(downloads), "-q"),
        ],
        check=True,
    )
    (archive,) = downloads.glob(f"[Dd]jango-{DJANGO}.tar.gz")
    with tarfile.open(archive) as sdist:
        sdist.extractall(cache, filter="data")
    return tree


def tools(cache: Path) -> tuple[str, str]:
    """``ruff`` and ``lint-imports`` from a throwaway venv in the cache."""
    venv = cache / "tools-venv"
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    ruff, lint_imports = bin_dir / "ruff", bin_dir / "lint-imports"
    if not (ruff.exists() and lint_imports.exists()):
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(bin_dir / "python"), "-m", "pip", "install", "-q", "ruff", "import-linter"],
            check=True,
        )
    return str(ruff), str(lint_imports)


def write_configs(directory: Path) -> dict[str, str]:
    blocks = "".join(f'[[block]]\nmodule = "{m}"\nreason = "retired"\n\n' for m in RETIRED)
    banned = "".join(f'"{m}".msg = "retired"\n' for m in RETIRED)
    files = {
        "ssot.toml": blocks,
        "worst.toml": f'[[block]]\nmodule = "{WORST}"\n',
        "ruff.toml": (
            f'[lint]\nselect = ["TID251"]\n\n[lint.flake8-tidy-imports.banned-api]\n{banned}'
        ),
        "importlinter.ini": (
            "[importlinter]\nroot_packages =\n    django\n\n"
            "[importlinter:contract:retired]\nname = Retired modules are not imported\n"
            "type = forbidden\nsource_modules =\n"
            + "".join(f"    {m}\n" for m in IMPORT_LINTER_SOURCES)
            + "forbidden_modules =\n"
            + "".join(f"    {m}\n" for m in RETIRED)
        ),
    }
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return {name: str(directory / name) for name in files}


#: CPU seconds (user + system, the child and the processes it waited for) per command.
CPU: dict[tuple[str, ...], list[float]] = {}


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(argv: list[str], cwd: Path, pythonpath: str | None = None) -> tuple[float, str]:
    """Wall seconds and stdout of *argv*; exit 1 (findings) is expected, 2+ is an error."""
    env = child_env()
    if pythonpath is not None:
        env["PYTHONPATH"] = pythonpath
    start, before = time.perf_counter(), _children_cpu()
    result = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    CPU.setdefault((*argv, pythonpath or ""), []).append(_children_cpu() - before)
    if result.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(argv)} failed:\n{result.stdout}{result.stderr}")
    return wall, result.stdout


def tree_stats(tree: Path) -> tuple[int, int, int]:
    """Python files, their lines, and how many files contain the worst-case name."""
    files = lines = with_worst = 0
    needle = WORST.rpartition(".")[2].encode()
    for path in tree.rglob("*.py"):
        data = path.read_bytes()
        files += 1
        lines += data.count(b"\n")
        with_worst += needle in data
    return files, lines, with_worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--cache", help="where Django and the tools go (outside the repo)")
    parser.add_argument("--before", metavar="DIR", help="an older ssot_guard source, timed too")
    args = parser.parse_args()

    cache = cache_dir(args.cache)
    tree = django_tree(cache)
    ruff, lint_imports = tools(cache)
    files, lines, with_worst = tree_stats(tree)
    python = sys.executable
    # Bytecode, as an installed package has it: with PYTHONDONTWRITEBYTECODE set, every
    # sample would otherwise compile ssot_guard's source, and a bigger source would look
    # like a slower check.
    import ssot_guard

    compile_tree(os.path.dirname(ssot_guard.__file__))
    if args.before:
        compile_tree(args.before)
    with tempfile.TemporaryDirectory(prefix="ssot-check-bench-") as temporary:
        config = write_configs(Path(temporary))
        commands: dict[str, tuple[list[str], Path, str | None]] = {
            "ssot-guard check, 5 rules (sdist)": (
                [python, "-m", "ssot_guard", "check", "--config", config["ssot.toml"], "."],
                tree,
                None,
            ),
            "ruff check --select TID251, 5 banned (sdist)": (
                [ruff, "check", "--no-cache", "--config", config["ruff.toml"], "."],
                tree,
                None,
            ),
            "ssot-guard check, 5 rules (django/)": (
                [python, "-m", "ssot_guard", "check", "--config", config["ssot.toml"], "django"],
                tree,
                None,
            ),
            "import-linter forbidden, 5 modules (django/)": (
                [lint_imports, "--no-cache", config["importlinter.ini"]],
                tree,
                None,
            ),
            f"ssot-guard check, worst case {WORST} (sdist)": (
                [python, "-m", "ssot_guard", "check", "--config", config["worst.toml"], "."],
                tree,
                None,
            ),
        }
        if args.before:
            before = os.path.abspath(args.before)
            ssot_argv = commands["ssot-guard check, 5 rules (sdist)"][0]
            worst_argv = commands[f"ssot-guard check, worst case {WORST} (sdist)"][0]
            commands["before: ssot-guard check, 5 rules (sdist)"] = (ssot_argv, tree, before)
            commands[f"before: ssot-guard check, worst case {WORST} (sdist)"] = (
                worst_argv,
                tree,
                before,
            )
        found = {}
        for name, (argv, cwd, path) in commands.items():  # warm the page cache; count findings
            _, out = run(argv, cwd, path)
            found[name] = out.count("SSOT101") + out.count("TID251") + out.count(" -> ")
        samples = alternate(
            {
                name: (lambda a=argv, c=cwd, p=path: run(a, c, p)[0])
                for name, (argv, cwd, path) in commands.items()
            },
            args.rounds,
            progress="check_django",
        )

    names = list(commands)
    times = {name: median(samples[name]) for name in names}

    def cpu(name: str) -> float:
        """Median CPU seconds of a variant: steadier than wall time on a loaded machine."""
        argv, _, path = commands[name]
        return median(CPU[(*argv, path or "")][1:])  # [0]: the warm-up run

    ssot, ruff_s, ssot_pkg, linter, worst = (times[n] for n in names[:5])
    print(f"## ssot-guard check on Django {DJANGO}\n")
    print(f"Machine: {machine()}. Median of {args.rounds} alternating rounds, wall time.")
    print(
        f"Tree: {files} Python files, {lines:,} lines; "
        f"{with_worst} files ({with_worst / files:.0%}) contain "
        f"'{WORST.rpartition('.')[2]}'.\n"
    )
    rows = [
        [name, f"{times[name]:.3f}", f"±{spread(samples[name]):.0%}", str(found[name])]
        for name in names
    ]
    print(table(rows, ["variant", "median s", "noise", "findings / hits"]))
    per_500k = worst * 500_000 / lines
    print()
    print(
        table(
            [
                [
                    "ssot-guard / ruff TID251 (sdist)",
                    f"{ssot / ruff_s:.2f}x",
                    "<= 1.00x",
                    verdict(ssot <= ruff_s),
                ],
                [
                    "ssot-guard / import-linter (django/)",
                    f"{ssot_pkg / linter:.2f}x",
                    "well under 1x (<= 0.50x)",
                    verdict(ssot_pkg <= 0.5 * linter),
                ],
                [
                    "worst case, s per 500k lines",
                    f"{per_500k:.2f} s",
                    "<= 1.5 s",
                    verdict(per_500k <= 1.5),
                ],
                *(
                    [
                        [
                            "this / before, 5 rules (sdist), CPU time",
                            f"{cpu(names[0]) / cpu(names[5]):.2f}x",
                            "<= 1.05x (not slower)",
                            verdict(cpu(names[0]) <= 1.05 * cpu(names[5])),
                        ],
                        [
                            "this / before, worst case (sdist), CPU time",
                            f"{cpu(names[4]) / cpu(names[6]):.2f}x",
                            "<= 1.05x (not slower)",
                            verdict(cpu(names[4]) <= 1.05 * cpu(names[6])),
                        ],
                        [
                            "this / before, 5 rules (sdist)",
                            f"{ssot / times[names[5]]:.2f}x",
                            "<= 1.05x (not slower)",
                            verdict(ssot <= 1.05 * times[names[5]]),
                        ],
                        [
                            "this / before, worst case (sdist)",
                            f"{worst / times[names[6]]:.2f}x",
                            "<= 1.05x (not slower)",
                            verdict(worst <= 1.05 * times[names[6]]),
                        ],
                    ]
                    if args.before
                    else []
                ),
            ],
            ["ratio", "value", "goal", "verdict"],
        )
    )


if __name__ == "__main__":
    main()
