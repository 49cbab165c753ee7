"""How ``ssot-guard suggest`` scales with the size of a package: 1,000 modules against 2,000.

Goal, measured side by side in one run: doubling the number of modules at most
2.5x the time (linear, with slack for the noise of a shared machine), and under
200 MB of memory at 2,000 modules. The generated tree is the hard case for a
pairwise search: one package whose modules all share a name (``helper``), and a
convention class (``Migration``) repeated in every module, with 13 distinct
bodies. Comparing every pair took over two minutes and 700 MB at 2,000 modules.

    python benchmarks/suggest_scaling.py               # 3 rounds, ~1 minute
    python benchmarks/suggest_scaling.py --rounds 5
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import alternate, child_env, machine, median, spread, table, verdict

SIZES = (1000, 2000)
#: Runs suggest in this child and prints its peak memory (KiB) on the last line of stderr.
CHILD = (
    "import resource, sys\n"
    "from ssot_guard._cli import main\n"
    "status = main(['suggest', '--limit', '0', '--format', 'json', sys.argv[1]])\n"
    "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(0 if status in (0, 1) else status)\n"
)


def generate(root: Path, modules: int) -> Path:
    """One package of *modules* modules: each its own names, ``helper`` and ``Migration``."""
    rng = random.Random(modules)
    package = root / f"tree{modules}" / "app"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    for i in range(modules):
        methods = "".join(
            f"    def m{j}(self, x):\n        return x + {rng.randint(0, 9)}\n" for j in range(5)
        )
        (package / f"m{i}.py").write_text(
            f"import os\nCONST_{i} = {i}\nLIMIT_{i} = {i * 2}\n\ndef helper(a):\n"
            f"    return a * {i % 7}\n\ndef run_{i}():\n    return {i}\n\n"
            f"class C{i}:\n{methods}\n"
            "class Migration:\n    dependencies = []\n"
            f"    operations = [1, 2, {i % 13}]\n"
            "    def apply(self):\n        return self.operations\n",
            encoding="utf-8",
        )
    return package.parent


def run(tree: Path, memory: list[int]) -> float:
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(tree)],
        env=child_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"suggest failed on {tree}:\n{result.stderr}")
    memory.append(int(result.stderr.strip().splitlines()[-1]))
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        trees = {size: generate(Path(scratch), size) for size in SIZES}
        memory: dict[int, list[int]] = {size: [] for size in SIZES}
        samples = alternate(
            {
                f"{size} modules": (lambda size=size: run(trees[size], memory[size]))
                for size in SIZES
            },
            args.rounds,
            progress="suggest",
        )
    print(f"Machine: {machine()}; medians of {args.rounds} rounds, variants alternating.\n")
    rows = [
        [
            name,
            f"{median(values):.2f}",
            f"±{spread(values):.0%}",
            f"{max(memory[size]) / 1024:.0f}",
        ]
        for (name, values), size in zip(samples.items(), SIZES, strict=True)
    ]
    print(table(rows, ["variant", "median wall s", "noise", "peak MB"]))
    small, large = (samples[f"{size} modules"] for size in SIZES)
    ratio = median([b / a for a, b in zip(small, large, strict=True)])
    peak = max(memory[SIZES[-1]]) / 1024
    print()
    print(
        table(
            [
                ["2,000 / 1,000 modules, time", f"{ratio:.2f}x", "<= 2.5x", verdict(ratio <= 2.5)],
                ["peak memory at 2,000", f"{peak:.0f} MB", "< 200 MB", verdict(peak < 200)],
            ],
            ["goal", "value", "target", "verdict"],
        )
    )


if __name__ == "__main__":
    main()
