"""What ``[[deprecate]]`` costs a module's attribute reads.

    python benchmarks/deprecate.py            # about 10 seconds
    python benchmarks/deprecate.py --quick    # a rough look in about 3 seconds

Measured side by side in one run (rounds alternate the variants), as nanoseconds
per ``module.attribute`` read of a name that is *not* deprecated, and as ratios
against the same read on a plain module:

1. ``plain``: an ordinary module (CPython specialises the read for exact modules);
2. ``[[deprecate]]``: the same module with one deprecated name, patched by the guard;
3. ``__getattribute__ (before)``: how the guard patched modules before issue 14, a
   module subclass overriding ``__getattribute__`` with a Python function, rebuilt
   here as the reference.

Goal (issue 14): unrelated attributes free, i.e. far below the old 14x;
the floor is that of any module subclass, which CPython does not specialise.
Also printed: reading and calling the deprecated function in warn mode.
"""

from __future__ import annotations

import sys
import tempfile
import time
import types
import warnings
from collections.abc import Callable
from pathlib import Path

from _common import alternate, best_ns_per_call, machine, median, spread, table, verdict

import ssot_guard


def _reader(module: types.ModuleType) -> Callable[[int], float]:
    def loop(calls: int) -> float:
        m = module
        start = time.perf_counter()
        for _ in range(calls):
            m.VALUE  # noqa: B018 - the read is what is measured
            m.VALUE  # noqa: B018
            m.VALUE  # noqa: B018
            m.VALUE  # noqa: B018
        return (time.perf_counter() - start) / 4

    return loop


def _caller(module: types.ModuleType) -> Callable[[int], float]:
    def loop(calls: int) -> float:
        m = module
        start = time.perf_counter()
        for _ in range(calls):
            m.create(1)
        return time.perf_counter() - start

    return loop


def _old_style(name: str) -> types.ModuleType:
    """A module patched the way the guard did before: ``__getattribute__`` in Python."""
    module = types.ModuleType(name)
    module.VALUE = 1  # type: ignore[attr-defined]
    handlers: dict[str, object] = {"create": object()}
    base_getattribute = types.ModuleType.__getattribute__

    def __getattribute__(self: types.ModuleType, attribute: str) -> object:
        handler = handlers.get(attribute)
        if handler is None:
            return base_getattribute(self, attribute)
        return handler  # pragma: no cover - never read here

    module.__class__ = type(
        "module", (types.ModuleType,), {"__getattribute__": __getattribute__, "__slots__": ()}
    )
    return module


def main() -> None:
    quick = "--quick" in sys.argv
    rounds = 5 if quick else 15
    seconds = 0.02 if quick else 0.05
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "bench_deprecate").mkdir()
        (root / "bench_deprecate" / "__init__.py").write_text("")
        source = "VALUE = 1\n\ndef create(user):\n    return user\n"
        (root / "bench_deprecate" / "plain.py").write_text(source)
        (root / "bench_deprecate" / "legacy.py").write_text(source)
        sys.path.insert(0, tmp)
        import bench_deprecate.legacy as legacy
        import bench_deprecate.plain as plain

        ssot_guard.install(
            rules=[ssot_guard.Deprecate("bench_deprecate.legacy:create")], mode="warn"
        )
        warnings.simplefilter("ignore")
        old = _old_style("bench_deprecate.old")
        variants = {
            "plain": lambda: best_ns_per_call(_reader(plain), seconds),
            "[[deprecate]]": lambda: best_ns_per_call(_reader(legacy), seconds),
            "__getattribute__ (before)": lambda: best_ns_per_call(_reader(old), seconds),
            "call: plain function": lambda: best_ns_per_call(_caller(plain), seconds),
            "call: deprecated, warn": lambda: best_ns_per_call(_caller(legacy), seconds),
        }
        samples = alternate(variants, rounds, progress="deprecate")
    base = median(samples["plain"])
    call_base = median(samples["call: plain function"])
    rows = []
    for name, values in samples.items():
        reference = call_base if name.startswith("call") else base
        rows.append(
            [
                name,
                f"{median(values):.1f} ns",
                f"{median(values) / reference:.2f}x",
                f"±{spread(values) * 100:.0f}%",
            ]
        )
    print(f"Machine: {machine()}\n")
    print(table(rows, ["module.attribute read (not deprecated)", "median", "ratio", "noise"]))
    ours = median(samples["[[deprecate]]"]) / base
    before = median(samples["__getattribute__ (before)"]) / base
    print(
        f"\nUnrelated attributes: {ours:.2f}x plain (before: {before:.2f}x): "
        f"{verdict(ours < before / 3)} (goal: far below the old figure)"
    )


if __name__ == "__main__":
    main()
