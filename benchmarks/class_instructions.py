"""Class creation counted in machine instructions (valgrind), where timings are too noisy.

    python benchmarks/class_instructions.py    # about a minute; needs valgrind

On a shared machine the class-creation timings of ``class_registry.py`` can move
by 20% between rounds. Instructions executed do not: under callgrind, with
``PYTHONHASHSEED=0``, the same program counts the same each run. For each
variant, a child interpreter creates N classes; the count of a run with N = 10 is
subtracted from one with N = 10 + COUNT, so start-up, imports and setup cancel
and what is left is the cost of one class. Two shapes: calling the metaclass with
distinct names (the shape of issue 10's goal), and a class statement with an empty
body (code compiled beforehand, outside the count's difference). Instructions are
not time (a cache miss costs more than an add), but a ratio of instructions
between variants that do the same kind of work tracks the ratio of times.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile

from _common import machine, table

COUNT = 3_000

CHILD = r"""
import gc, marshal, sys
shape, variant, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
from ssot_guard import SSOTBase, SSOTMeta, ssot_class

_type_new = type.__new__


class PassThroughMeta(type):
    def __new__(mcls, name, bases, namespace, /, **kwargs):
        return _type_new(mcls, name, bases, namespace, **kwargs)


namespace = {"__module__": "bench", "__doc__": "A class.", "retries": 3, "timeout": 5.0}
names = [f"D{n}x" for n in range(count)]
if shape == "call":
    make = {
        "plain": lambda name: type(name, (), namespace),
        "reference: pass-through __new__": lambda name: PassThroughMeta(name, (), namespace),
        "SSOTMeta": lambda name: SSOTMeta(name, (), namespace),
        "SSOTBase": lambda name: type(name, (SSOTBase,), namespace),
        "@ssot_class": lambda name: ssot_class(type(name, (), namespace)),
    }[variant]
    kept = []
    gc.disable()
    for name in names:
        kept.append(make(name))
else:
    with open(sys.argv[4], "rb") as f:
        code = marshal.load(f)
    scope = {"__name__": "bench", "PassThroughMeta": PassThroughMeta, "SSOTMeta": SSOTMeta,
             "SSOTBase": SSOTBase, "ssot_class": ssot_class}
    gc.disable()
    exec(code, scope)
"""

STATEMENT = {
    "plain": "class C{n}: pass",
    "reference: pass-through __new__": "class C{n}(metaclass=PassThroughMeta): pass",
    "SSOTMeta": "class C{n}(metaclass=SSOTMeta): pass",
    "SSOTBase": "class C{n}(SSOTBase): pass",
    "@ssot_class": "@ssot_class\nclass C{n}: pass",
}


def instructions(argv: list[str]) -> int:
    """Instructions callgrind counts for ``python argv...``."""
    env = dict(os.environ, PYTHONHASHSEED="0")
    result = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, *argv],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    for line in result.stderr.splitlines():
        if "Collected :" in line:
            return int(line.rsplit(":", 1)[1])
    raise RuntimeError(f"no instruction count in callgrind's output:\n{result.stderr}")


def per_class(directory: str, shape: str, variant: str) -> float:
    import marshal

    runs = []
    for count in (10, 10 + COUNT):
        argv = [os.path.join(directory, "child.py"), shape, variant, str(count)]
        if shape == "statement":
            source = "\n".join(STATEMENT[variant].format(n=n) for n in range(count))
            path = os.path.join(directory, f"code{count}.bin")
            with open(path, "wb") as f:
                marshal.dump(compile(source, "<classes>", "exec"), f)
            argv.append(path)
        runs.append(instructions(argv))
    return (runs[1] - runs[0]) / COUNT


def main() -> int:
    if shutil.which("valgrind") is None:
        print("valgrind is not installed: nothing to count")
        return 1
    print(f"# Class creation in instructions\n\n{machine()}; {COUNT:,} classes per count\n")
    directory = tempfile.mkdtemp(prefix="ssot_instructions_")
    try:
        with open(os.path.join(directory, "child.py"), "w") as f:
            f.write(CHILD)
        rows = []
        for shape, label in (
            ("call", "metaclass called, distinct names"),
            ("statement", "class statement, empty body"),
        ):
            counts = {variant: per_class(directory, shape, variant) for variant in STATEMENT}
            for variant, count in counts.items():
                goal = "time: <= 1.15x (aim 1.10x)" if variant == "SSOTMeta" else ""
                rows.append(
                    [label, variant, f"{count:,.0f}", f"{count / counts['plain']:.3f}x", goal]
                )
        print(table(rows, ["shape", "variant", "instructions per class", "ratio", "goal"]))
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
