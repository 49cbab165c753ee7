"""Every caller in warn mode: what watching a retired module's callers costs.

    python benchmarks/callers.py

Side by side in one run (best of 7, ns per operation; nothing asserts on time):

1. attribute access on a module no rule touches, no guard vs a warn-mode guard
   watching another module (goal: unchanged);
2. attribute access on the retired module from a line already recorded,
   against the same access before the guard watched it (goal: at most 1 µs more);
3. ``import retired`` from a line already recorded (served from ``sys.modules``),
   against the same statement unwatched (goal: at most 1 µs more).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import best_ns_per_call, machine, table, verdict


def _loops() -> dict[str, object]:
    """Loops that time one kind of operation; compiled once, so each line is fixed."""
    namespace: dict[str, object] = {}
    exec(
        compile(
            "import time\n"
            "def attr(module, n):\n"
            "    t = time.perf_counter()\n"
            "    for _ in range(n):\n"
            "        module.VALUE\n"
            "    return time.perf_counter() - t\n"
            "def imp(n):\n"
            "    t = time.perf_counter()\n"
            "    for _ in range(n):\n"
            "        import bench_callers_pkg.old\n"
            "    return time.perf_counter() - t\n",
            "<callers-bench>",
            "exec",
        ),
        namespace,
    )
    return namespace


def main() -> int:
    import ssot_guard

    root = tempfile.mkdtemp(prefix="ssot-callers-bench-")
    package = os.path.join(root, "bench_callers_pkg")
    os.mkdir(package)
    for name in ("__init__", "old", "plain"):
        with open(os.path.join(package, f"{name}.py"), "w") as f:
            f.write("VALUE = 1\n")
    sys.path.insert(0, root)
    import bench_callers_pkg.old as old
    import bench_callers_pkg.plain as plain

    loops = _loops()
    attr, imp = loops["attr"], loops["imp"]

    def measure() -> tuple[float, float, float]:
        return (
            best_ns_per_call(lambda n: attr(plain, n)),  # type: ignore[operator]
            best_ns_per_call(lambda n: attr(old, n)),  # type: ignore[operator]
            best_ns_per_call(imp),  # type: ignore[arg-type]
        )

    rounds = []
    for _ in range(3):  # alternate unguarded and guarded, so that drift hits both alike
        before = measure()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            guard = ssot_guard.install(
                rules=[ssot_guard.Block("bench_callers_pkg.old")], mode="warn"
            )
            attr(old, 1)  # type: ignore[operator]
            imp(1)  # type: ignore[operator]
        during = measure()
        guard.uninstall()
        rounds.append((before, during))
        time.sleep(0.1)
    best_before = [min(r[0][i] for r in rounds) for i in range(3)]
    best_during = [min(r[1][i] for r in rounds) for i in range(3)]
    labels = (
        "attribute of an untouched module",
        "attribute of the retired module, line recorded",
        "`import retired`, line recorded",
    )
    rows = []
    for i, label in enumerate(labels):
        extra = best_during[i] - best_before[i]
        goal = abs(extra) <= max(0.05 * best_before[i], 5) if i == 0 else extra <= 1000
        rows.append(
            (
                label,
                f"{best_before[i]:,.0f}",
                f"{best_during[i]:,.0f}",
                f"{extra:+,.0f}",
                verdict(goal),
            )
        )
    print(f"# Every caller in warn mode\n\n{machine()}\n")
    print(table(rows, ("operation", "unwatched ns", "watched ns", "added ns", "goal")))
    print("\n(goals: untouched modules unchanged; a recorded location at most 1 µs more)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
