"""Helpers shared by the benchmark scripts: the machine, sampling, statistics, printing.

Every benchmark measures its variants side by side in one run, alternating
them so that drift on a shared machine hits each variant alike, and prints
medians and ratios. Nothing here asserts on time.
"""

from __future__ import annotations

import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence

Argv = Sequence[str]


def machine() -> str:
    """One line describing where the figures come from."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{cores} cores, Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.machine()}"
    )


def child_env() -> dict[str, str]:
    """The environment for measured subprocesses: no ssot_guard settings leak in."""
    return {k: v for k, v in os.environ.items() if not k.startswith("SSOT_GUARD_")}


def compile_tree(path: str) -> None:
    """Write bytecode for everything under *path*, as an installed package has.

    ``PYTHONDONTWRITEBYTECODE`` may be set; timing imports that recompile their
    source every run would measure the compiler, not the import system.
    """
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "-j", "0", path],
        check=True,
        env=child_env(),
    )


def run_child(argv: Argv, *, cwd: str | None = None) -> tuple[float, float, str]:
    """Run *argv* to completion: (wall seconds, child CPU seconds, stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(
        argv, cwd=cwd, env=child_env(), capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{result.stdout}{result.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, result.stdout


def alternate(
    variants: dict[str, Callable[[], float]],
    rounds: int,
    *,
    progress: str = "",
) -> dict[str, list[float]]:
    """Call every variant once per round, rotating the order each round.

    Returns the samples of each variant. Rotating the order keeps "the first
    run after another variant" from always falling on the same one.
    """
    names = list(variants)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(variants[name]())
        if progress:
            print(f"\r  {progress}: round {r + 1}/{rounds}", end="", file=sys.stderr, flush=True)
    if progress:
        print(file=sys.stderr)
    return samples


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def paired_ratio(values: Sequence[float], base: Sequence[float]) -> float:
    """Median over rounds of each round's sample divided by that round's *base* sample.

    Rounds alternate the variants, so a slow spell of the machine that spans a
    round slows both sides of its ratio alike: steadier than a ratio of medians.
    """
    return statistics.median(v / b for v, b in zip(values, base, strict=True))


def spread(values: Sequence[float]) -> float:
    """Half the interquartile range, relative to the median: the noise of a sample set."""
    if len(values) < 4:
        return 0.0
    q1, _, q3 = statistics.quantiles(values, n=4)
    return (q3 - q1) / 2 / statistics.median(values)


def best_ns_per_call(loop: Callable[[int], float], seconds: float = 0.1, repeat: int = 7) -> float:
    """Best of *repeat* timings of ``loop(calls)``, in nanoseconds per call.

    ``loop(n)`` makes *n* calls and returns the seconds they took; *calls* is
    chosen so that one timing lasts about *seconds*.
    """
    calls = 100
    while (took := loop(calls)) < seconds / 10:
        calls *= 10
    calls = max(calls, int(calls * seconds / took))
    return min(loop(calls) for _ in range(repeat)) / calls * 1e9


def verdict(met: bool) -> str:
    return "met" if met else "NOT MET"


def table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> str:
    """A Markdown table, so that the output can be pasted into docs/benchmarks.md."""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return "\n".join(
        [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)]
    )
