"""``ssot-guard check`` beside ``ruff check --select TID251`` with realistic rules, on three trees.

Goals (issue 15), measured side by side in one run, alternating, every sample a
fresh process with no cache on either side:

1. With ten rules on modules that many files import (a real migration) on Django 5.2,
   SQLAlchemy 2.0 and SymPy 1.14: no slower than ruff with the equivalent
   ``banned-api`` configuration (``--no-cache``).
2. The same for one rare rule (a module a handful of files import) and for the worst
   case, one rule whose last part is named in about a third of the files.
3. A 40 MB file with the import on its last line: a few times ruff's time and peak
   memory at most, and time and memory growing linearly with the file's size
   (10, 20 and 40 MB are measured).

The sdists are downloaded with pip into a cache directory outside the repository
(``--cache``, else ``$SSOT_GUARD_BENCH_CACHE``, else ``~/.cache/ssot-guard-bench``);
ruff is installed into a throwaway virtual environment there (with setuptools and
wheel, which pip needs to read SQLAlchemy's sdist). Generated files live in a
temporary directory.

    python benchmarks/check_vs_ruff.py               # 5 rounds, a few minutes
    python benchmarks/check_vs_ruff.py --rounds 3 --only django
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
from _common import alternate, child_env, machine, median, spread, table, verdict

#: name -> (requirement, extracted directory, ten rules, rare rule, worst-case rule)
TREES: dict[str, tuple[str, str, list[str], str, str]] = {
    "django": (
        "django==5.2",
        "Django-5.2",
        [
            "django.db.models",
            "django.utils.translation",
            "django.conf",
            "django.core.exceptions",
            "django.http",
            "django.test.utils",
            "django.utils.functional",
            "django.utils.timezone",
            "django.contrib.auth.models",
            "django.urls",
        ],
        "django.utils.termcolors",
        "django.db.models",
    ),
    "sqlalchemy": (
        "sqlalchemy==2.0.*",
        "sqlalchemy-2.0.*",
        [
            "sqlalchemy.testing",
            "sqlalchemy.sql.expression",
            "sqlalchemy.orm",
            "sqlalchemy.util",
            "sqlalchemy.engine",
            "sqlalchemy.exc",
            "sqlalchemy.sql.elements",
            "sqlalchemy.types",
            "sqlalchemy.schema",
            "sqlalchemy.testing.fixtures",
        ],
        "sqlalchemy.util.topological",
        "sqlalchemy.testing",
    ),
    "sympy": (
        "sympy==1.14",
        "sympy-1.14.0",
        [
            "sympy.core",
            "sympy.core.numbers",
            "sympy.core.symbol",
            "sympy.functions",
            "sympy.simplify",
            "sympy.matrices",
            "sympy.testing.pytest",
            "sympy.utilities.iterables",
            "sympy.polys.polytools",
            "sympy.core.sympify",
        ],
        "sympy.utilities.timeutils",
        "sympy.core",
    ),
}
BIG_SIZES_MB = (10, 20, 40)


def cache_dir(given: str | None) -> Path:
    path = Path(
        given
        or os.environ.get("SSOT_GUARD_BENCH_CACHE")
        or Path.home() / ".cache" / "ssot-guard-bench"
    )
    path.mkdir(parents=True, exist_ok=True)
    return path


def tools(cache: Path) -> tuple[str, str]:
    """``ruff`` and a ``python`` whose pip can read any sdist, from a venv in the cache."""
    venv = cache / "ruff-venv"
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    ruff, python = bin_dir / "ruff", bin_dir / "python"
    if not ruff.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "ruff", "setuptools", "wheel"], check=True
        )
    return str(ruff), str(python)


def tree(cache: Path, python: str, name: str) -> Path:
    """The extracted sdist, downloaded with pip the first time."""
    requirement, directory, *_ = TREES[name]
    found = sorted(cache.glob(directory))
    if found:
        return found[-1]
    downloads = cache / "downloads"
    subprocess.run(
        [
            *(python, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:"),
            *("--no-build-isolation", requirement, "-d", str(downloads)),
        ],
        check=True,
    )
    stem = directory.split("-")[0].lower()
    (archive,) = [a for a in downloads.glob("*.tar.gz") if a.name.lower().startswith(stem)]
    with tarfile.open(archive) as sdist:
        sdist.extractall(cache, filter="data")
    return sorted(cache.glob(directory))[-1]


def write_configs(directory: Path, key: str, modules: list[str]) -> tuple[str, str]:
    blocks = "".join(f'[[block]]\nmodule = "{m}"\nreason = "retired"\n\n' for m in modules)
    banned = "".join(f'"{m}".msg = "retired"\n' for m in modules)
    ssot, ruff = directory / f"{key}.ssot.toml", directory / f"{key}.ruff.toml"
    ssot.write_text(blocks, encoding="utf-8")
    ruff.write_text(
        f'[lint]\nselect = ["TID251"]\n\n[lint.flake8-tidy-imports.banned-api]\n{banned}',
        encoding="utf-8",
    )
    return str(ssot), str(ruff)


CPU: dict[str, list[float]] = {}


def run(argv: list[str], cwd: Path, label: str = "") -> tuple[float, int, str]:
    """Wall seconds, peak RSS (KiB) and stdout of *argv*; exit 1 (findings) is expected.

    The child's CPU seconds (user + system, all its threads and forks) go to ``CPU[label]``.
    """
    start = time.perf_counter()
    process = subprocess.Popen(
        argv, cwd=cwd, env=child_env(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    assert process.stdout is not None
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if label:
        CPU.setdefault(label, []).append(usage.ru_utime + usage.ru_stime)
    if process.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(argv)} failed with {process.returncode}")
    return wall, usage.ru_maxrss, out.decode("utf-8", "replace")


def commands(python: str, ruff: str, ssot_config: str, ruff_config: str) -> tuple[list, list]:
    return (
        [python, "-m", "ssot_guard", "check", "--config", ssot_config, "."],
        [ruff, "check", "--no-cache", "--output-format", "concise", "--config", ruff_config, "."],
    )


def count(output: str) -> int:
    return sum(1 for line in output.splitlines() if " SSOT10" in line or " TID251" in line)


def share(root: Path, module: str) -> tuple[int, int]:
    """Python files, and how many of them contain the module's last part."""
    needle = module.rpartition(".")[2].encode()
    files = hits = 0
    for path in root.rglob("*.py"):
        files += 1
        hits += needle in path.read_bytes()
    return files, hits


def compare_trees(args: argparse.Namespace, cache: Path, ruff: str, tool_python: str) -> None:
    with tempfile.TemporaryDirectory(prefix="ssot-vs-ruff-") as temporary:
        variants: dict[str, tuple[list[str], Path]] = {}
        notes: list[str] = []
        for name in args.only or list(TREES):
            root = tree(cache, tool_python, name)
            _, _, ten, rare, worst = TREES[name]
            files, hits = share(root, worst)
            notes.append(
                f"- {root.name}: {files} files; worst case `{worst}` "
                f"(its last part is in {hits} files, {hits / files:.0%})"
            )
            for case, modules in (("10 rules", ten), ("rare", [rare]), ("worst", [worst])):
                key = f"{name}-{case.replace(' ', '')}"
                ssot_argv, ruff_argv = commands(
                    sys.executable, ruff, *write_configs(Path(temporary), key, modules)
                )
                variants[f"{name}, {case}: ssot-guard"] = (ssot_argv, root)
                variants[f"{name}, {case}: ruff"] = (ruff_argv, root)
        found = {}
        for label, (argv, cwd) in variants.items():  # warm the page cache; count findings
            found[label] = count(run(argv, cwd)[2])
        samples = alternate(
            {
                label: (lambda a=argv, c=cwd, n=label: run(a, c, n)[0])
                for label, (argv, c) in variants.items()
            },
            args.rounds,
            progress="check_vs_ruff",
        )
    print(f"## ssot-guard check vs ruff TID251\n\nMachine: {machine()}.")
    print(f"Median of {args.rounds} alternating rounds, wall time, cold (no cache).\n")
    print("\n".join(notes) + "\n")
    rows = [
        [
            label,
            f"{median(s):.3f}",
            f"±{spread(s):.0%}",
            f"{median(CPU[label]):.3f}",
            str(found[label]),
        ]
        for label, s in samples.items()
    ]
    print(table(rows, ["variant", "median wall s", "noise", "median CPU s", "findings"]))
    print()
    ratios = []
    for label in samples:
        if label.endswith(": ssot-guard"):
            case = label.removesuffix(": ssot-guard")
            ratio = median(samples[label]) / median(samples[f"{case}: ruff"])
            cpu = median(CPU[label]) / median(CPU[f"{case}: ruff"])
            ratios.append(
                [case, f"{ratio:.2f}x", f"{cpu:.2f}x", "<= 1.00x (wall)", verdict(ratio <= 1.0)]
            )
    print(table(ratios, ["tree, rules", "wall ratio", "CPU ratio", "goal", "verdict"]))
    print()


def big_file(path: Path, megabytes: int) -> None:
    """Realistic code (functions, strings, comments) with the import on its last line."""
    chunk = (
        "def handler_{n}(request, *args, **kwargs):\n"
        '    """Handle the request: see the docs (section {n})."""\n'
        "    values = [item.strip() for item in request.body.split(',')]  # (values\n"
        "    if not values:\n"
        '        raise ValueError("no values in %r" % (request,))\n'
        "    return {{'count': len(values), 'first': values[0]}}\n\n\n"
    )
    size = megabytes * 1_000_000
    with path.open("w", encoding="utf-8") as file:
        written = n = 0
        while written < size:
            text = chunk.format(n=n)
            file.write(text)
            written += len(text)
            n += 1
        file.write("import pkg.legacy\n")


def compare_big(args: argparse.Namespace, ruff: str) -> None:
    with tempfile.TemporaryDirectory(prefix="ssot-big-") as temporary:
        root = Path(temporary)
        ssot_config, ruff_config = write_configs(root, "big", ["pkg.legacy"])
        results: dict[str, dict[str, list[tuple[float, int]]]] = {}
        for megabytes in BIG_SIZES_MB:
            directory = root / f"{megabytes}mb"
            directory.mkdir()
            big_file(directory / "big.py", megabytes)
            ssot_argv, ruff_argv = commands(sys.executable, ruff, ssot_config, ruff_config)
            per: dict[str, list[tuple[float, int]]] = {"ssot-guard": [], "ruff": []}
            for _ in range(args.big_rounds):  # alternating
                for tool, argv in (("ssot-guard", ssot_argv), ("ruff", ruff_argv)):
                    wall, rss, out = run(argv, directory)
                    if count(out) != 1:
                        raise RuntimeError(f"{tool} did not find the last line's import")
                    per[tool].append((wall, rss))
            results[f"{megabytes} MB"] = per
    print(f"## One big file, the import on its last line ({args.big_rounds} rounds)\n")
    rows = []
    for size, per in results.items():
        ssot_s = median([w for w, _ in per["ssot-guard"]])
        ruff_s = median([w for w, _ in per["ruff"]])
        ssot_mb = max(r for _, r in per["ssot-guard"]) / 1024
        ruff_mb = max(r for _, r in per["ruff"]) / 1024
        rows.append(
            [
                size,
                f"{ssot_s:.2f}",
                f"{ruff_s:.2f}",
                f"{ssot_s / ruff_s:.2f}x",
                f"{ssot_mb:.0f}",
                f"{ruff_mb:.0f}",
                f"{ssot_mb / ruff_mb:.2f}x",
            ]
        )
    print(
        table(
            rows,
            ["file", "ssot-guard s", "ruff s", "time ratio", "ssot MB", "ruff MB", "memory ratio"],
        )
    )
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--big-rounds", type=int, default=3)
    parser.add_argument("--cache", help="where the trees and ruff go (outside the repo)")
    parser.add_argument("--only", action="append", choices=list(TREES), help="one tree")
    parser.add_argument("--no-big", action="store_true", help="skip the big-file comparison")
    parser.add_argument("--no-trees", action="store_true", help="skip the trees")
    args = parser.parse_args()
    cache = cache_dir(args.cache)
    ruff, tool_python = tools(cache)
    if not args.no_trees:
        compare_trees(args, cache, ruff, tool_python)
    if not args.no_big:
        compare_big(args, ruff)


if __name__ == "__main__":
    main()
