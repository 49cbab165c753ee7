"""Class creation and start-up counted in machine instructions (valgrind).

    python benchmarks/instructions.py    # about two minutes; needs valgrind

On a shared machine timings can move by 20% between rounds; instructions
executed do not: under callgrind, with ``PYTHONHASHSEED=0``, the same program
counts the same each run. Instructions are not time (a cache miss or a system
call costs more than an add), but they show a change without the noise, and a
ratio of instructions between variants doing the same kind of work tracks the
ratio of times. Two parts:

1. class creation: a child interpreter creates N classes per variant; the count
   of a run with N = 10 is subtracted from one with N = 10 + COUNT, so start-up,
   imports and setup cancel and what is left is one class. Two shapes: calling
   the metaclass with distinct names (issue 10's goal), and a class statement
   with an empty body (code compiled beforehand);
2. start-up: ``import ssot_guard`` and ``install()`` against ``python -c pass``,
   for the configurations of ``import_guard.py`` (a typical ``pyproject.toml`` of
   20 rules, warn and strict, and 500 rules from TOML), with the config cache warm.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile

from _common import child_env, machine, table

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


def instructions(argv: list[str], cwd: str | None = None) -> int:
    """Instructions callgrind counts for ``python argv...``."""
    env = dict(child_env(), PYTHONHASHSEED="0")
    result = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, *argv],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=cwd,
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


STARTUP = {
    "bare interpreter (python -c pass)": "pass",
    "import ssot_guard": "import ssot_guard",
    "import + install(), typical pyproject.toml, cached": "typical",
    "import + install(), typical pyproject.toml, strict, cached": "typical_strict",
    "import + install() of 500 rules from TOML, cached": "toml500",
    "reference: 26 empty modules in 7 packages (our layout)": "layered",
    "reference: 26 empty modules in 1 package": "flat",
    "reference: 10 empty modules in 1 package": "few",
}


def startup_code(case: str) -> str:
    if case in ("pass", "import ssot_guard"):
        return case
    if case in ("layered", "flat", "few"):
        from import_guard import EMPTY_MODULE_LAYOUTS

        return "import " + ", ".join(EMPTY_MODULE_LAYOUTS[case])
    # An absolute path (a relative one is refused): the child starts in the benchmark's root.
    cache = "import os; os.environ['SSOT_GUARD_CACHE_DIR'] = os.getcwd() + '/cache/ssot_guard'; "
    if case == "toml500":
        return cache + "import ssot_guard; ssot_guard.install('rules500.toml')"
    return cache + f"os.chdir({case!r}); import ssot_guard; ssot_guard.install()"


def startup_rows() -> list[list[str]]:
    import time

    import import_guard
    from _common import compile_tree

    root = tempfile.mkdtemp(prefix="ssot_startup_instructions_")
    try:
        import_guard.write_startup_files(root)
        import_guard.write_typical_pyproject(root)
        compile_tree(root)
        time.sleep(2.5)  # past the config cache's racy window, so the next runs fill it
        counts = {}
        for label, case in STARTUP.items():
            argv = ["-c", startup_code(case)]
            subprocess.run([sys.executable, *argv], cwd=root, env=child_env(), check=True)  # warm
            counts[label] = instructions(argv, cwd=root)
        bare = counts["bare interpreter (python -c pass)"]
        return [[label, f"{count:,}", f"+{count - bare:,}"] for label, count in counts.items()]
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> int:
    if shutil.which("valgrind") is None:
        print("valgrind is not installed: nothing to count")
        return 1
    from _common import compile_tree

    compile_tree(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src"))
    print(f"# Start-up in instructions\n\n{machine()}\n")
    print(table(startup_rows(), ["variant", "instructions", "over bare"]))
    print(f"\n# Class creation in instructions\n\n{COUNT:,} classes per count\n")
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
