"""Class registry benchmarks: what SSOTMeta, SSOTBase, @ssot_class and [[unique]] cost.

    python benchmarks/class_registry.py            # about 40 seconds on 2 cores
    python benchmarks/class_registry.py --quick    # a rough look in about 5 seconds

Measured side by side in one run (the goals come from issue 3; nothing here
asserts on time). Class creation is timed in CPU time, each sample the best of
three runs, and each ratio is the median over rounds of that round's ratio (the
variants alternate), so a slow spell of a shared machine cancels out:

1. class creation: 300 class statements run by one code object, plain against
   ``metaclass=SSOTMeta`` (goal: at most 1.15x, aim 1.10x), ``SSOTBase`` and
   ``@ssot_class``, for an empty class and a typical one (docstring, annotated
   attributes, a property, eight methods); ``ABCMeta`` against
   ``class Meta(SSOTMeta, ABCMeta)``; and two references that show the floor any
   metaclass form has: an empty ``type`` subclass, and a pass-through ``__new__``;
2. class creation with distinct names: 5,000 classes per sample whose names
   no sample used before (a few attributes each), made by calling the
   metaclass, against ``type`` itself, without resetting the registry between
   samples, as a program that keeps creating classes does (goal: at most
   1.15x, aim 1.10x);
3. instances: creating one and reading an attribute, plain class against a
   ``SSOTMeta`` class (goal: identical, since ``__call__`` is not overridden);
4. ``[[unique]]``: importing a module with 10, 100 and 1,000 top-level names
   from a watched package against the same module from an unwatched one, and
   the check alone per module (goal: only watched modules pay, linearly in
   their top-level names).
"""

from __future__ import annotations

import abc
import gc
import importlib
import sys
import tempfile
import time
import weakref
from collections.abc import Callable
from pathlib import Path

from _common import (
    alternate,
    compile_tree,
    machine,
    median,
    paired_ratio,
    spread,
    table,
    verdict,
)

import ssot_guard
from ssot_guard import SSOTBase, SSOTMeta, Unique, registry_snapshot, ssot_class

CLASSES = 300
REPEAT = 3  # runs per sample, the fastest kept

# Class creation is timed in this thread's CPU time, not wall time: on a shared
# machine, other jobs taking the CPU away between two class statements would
# otherwise be most of the noise (cache and memory contention still count).
_cpu = time.thread_time
EMPTY = "pass"
TYPICAL = '''
    """A typical class: a docstring, annotated attributes, a property and eight methods."""
    retries: int = 3
    timeout: float = 5.0
    def __init__(self, url):
        self.url = url
        self.open = False
    @property
    def address(self):
        return self.url
    @classmethod
    def from_env(cls):
        return cls("ws://localhost")
    def connect(self):
        self.open = True
    def send(self, message):
        return len(message)
    def receive(self):
        return None
    def close(self):
        self.open = False
    def __repr__(self):
        return f"<{self.url}>"
    def __enter__(self):
        return self'''


class ComposedMeta(SSOTMeta, abc.ABCMeta):
    pass


class EmptyMeta(type):
    """Reference: what any metaclass costs, before it runs a line of Python."""


class PassThroughMeta(type):
    """Reference: a Python ``__new__`` that only calls ``type.__new__``."""

    def __new__(mcls, name, bases, namespace, /, **kwargs):  # type: ignore[no-untyped-def]
        return type.__new__(mcls, name, bases, namespace, **kwargs)


_init_entries: dict[str, object] = {}
_init_setdefault = _init_entries.setdefault


class InitRegisterMeta(type):
    """Reference: SSOTMeta's registration done in ``__init__``, with no Python ``__new__``.

    ``type.__new__`` then runs without a Python frame before it; the price is that
    class keywords reach ``__init_subclass__``, which refuses ``ssot_key=``.
    """

    def __init__(cls, name, bases, namespace, /, **kwargs):  # type: ignore[no-untyped-def]
        entry = weakref.ref(cls)
        if _init_setdefault(name, entry) is not entry:
            _init_entries[name] = entry


def class_source(header: str, body: str, decorator: str = "") -> str:
    lines = []
    for n in range(CLASSES):
        if decorator:
            lines.append(decorator)
        lines.append(f"class C{n}{header.format(n=n)}:{body if body != EMPTY else ' pass'}")
    return "\n".join(lines) + "\n"


def creation_variant(source: str) -> Callable[[], float]:
    empty = registry_snapshot()
    code = compile(source, "<classes>", "exec")
    names = {
        "SSOTMeta": SSOTMeta,
        "SSOTBase": SSOTBase,
        "ssot_class": ssot_class,
        "ABCMeta": abc.ABCMeta,
        "Composed": ComposedMeta,
        "EmptyMeta": EmptyMeta,
        "PassThroughMeta": PassThroughMeta,
        "InitRegisterMeta": InitRegisterMeta,
    }

    def once() -> float:
        empty.restore()  # every sample registers fresh keys, as a program does
        _init_entries.clear()  # and so does the reference that registers in __init__
        namespace = {"__name__": "bench_classes", **names}
        # Classes are cyclic garbage: collect the previous sample's now, and keep the
        # collector out of the timing (as timeit does), so no variant pays for another.
        gc.collect()
        gc.disable()
        try:
            start = _cpu()
            exec(code, namespace)
            elapsed = _cpu() - start
        finally:
            gc.enable()
        return elapsed / CLASSES * 1e6  # µs per class

    def sample() -> float:
        # The best of a few: what another job on the machine adds is never negative.
        return min(once() for _ in range(REPEAT))

    return sample


def class_creation(rounds: int) -> list[list[str]]:
    rows = []
    for label, body in (("empty class", EMPTY), ("typical class", TYPICAL)):
        variants = {
            "plain": creation_variant(class_source("", body)),
            "reference: empty metaclass": creation_variant(
                class_source("(metaclass=EmptyMeta)", body)
            ),
            "reference: pass-through __new__": creation_variant(
                class_source("(metaclass=PassThroughMeta)", body)
            ),
            "reference: registering in __init__": creation_variant(
                class_source("(metaclass=InitRegisterMeta)", body)
            ),
            "SSOTMeta": creation_variant(class_source("(metaclass=SSOTMeta)", body)),
            "SSOTBase": creation_variant(class_source("(SSOTBase)", body)),
            "@ssot_class": creation_variant(class_source("", body, "@ssot_class")),
            "ABCMeta": creation_variant(class_source("(metaclass=ABCMeta)", body)),
            "Meta(SSOTMeta, ABCMeta)": creation_variant(class_source("(metaclass=Composed)", body)),
        }
        samples = alternate(variants, rounds, progress=f"class creation, {label}")
        for name, values in samples.items():
            reference = "ABCMeta" if name == "Meta(SSOTMeta, ABCMeta)" else "plain"
            ratio = paired_ratio(values, samples[reference])
            goal = ""
            if name == "SSOTMeta":
                goal = f"<= 1.15x (aim 1.10x): {verdict(ratio <= 1.15)}"
            rows.append(
                [
                    label,
                    name,
                    f"{median(values):.2f} µs ±{spread(values) * 100:.0f}%",
                    f"{ratio:.3f}x {reference}",
                    goal,
                ]
            )
    return rows


DISTINCT = 5_000


def distinct_variant(make: Callable[[str], type]) -> Callable[[], float]:
    """Create DISTINCT classes whose names no sample used before, and drop them.

    The registry is not reset between samples, as in a program that keeps
    creating classes (factories, tests, plugins): what it keeps of dropped
    classes is part of the cost.
    """
    samples = iter(range(1_000_000))

    def once() -> float:
        names = [f"D{next(samples)}x{n}" for n in range(DISTINCT)]
        kept: list[type] = []
        keep = kept.append
        _init_entries.clear()  # that reference has no sweep: start it empty each sample
        gc.collect()  # the previous sample's classes, outside the timing (see above)
        gc.disable()
        try:
            start = _cpu()
            for name in names:
                keep(make(name))
            elapsed = _cpu() - start
        finally:
            gc.enable()
        return elapsed / DISTINCT * 1e6

    def sample() -> float:
        return min(once() for _ in range(REPEAT))  # as in creation_variant

    return sample


def _method(self: object) -> int:
    return 1


def distinct_classes(rounds: int) -> list[list[str]]:
    """5,000 classes with distinct names per sample, a few attributes each, against ``type``."""
    namespace = {"__module__": "bench_distinct", "__doc__": "A class.", "retries": 3}
    namespace |= {"timeout": 5.0, "method": _method}
    plain: tuple[type, ...] = ()
    with registry_snapshot():
        samples = alternate(
            {
                "type(name, bases, ns)": distinct_variant(lambda n: type(n, plain, namespace)),
                "reference: empty metaclass": distinct_variant(
                    lambda n: EmptyMeta(n, plain, namespace)
                ),
                "reference: pass-through __new__": distinct_variant(
                    lambda n: PassThroughMeta(n, plain, namespace)
                ),
                "reference: registering in __init__": distinct_variant(
                    lambda n: InitRegisterMeta(n, plain, namespace)
                ),
                "SSOTMeta(name, bases, ns)": distinct_variant(
                    lambda n: SSOTMeta(n, plain, namespace)
                ),
                "type(name, (SSOTBase,), ns)": distinct_variant(
                    lambda n: type(n, (SSOTBase,), namespace)
                ),
                "ssot_class(type(name, bases, ns))": distinct_variant(
                    lambda n: ssot_class(type(n, plain, namespace))
                ),
            },
            rounds,
            progress=f"class creation, {DISTINCT:,} distinct names",
        )
    rows = []
    for name, values in samples.items():
        ratio = paired_ratio(values, samples["type(name, bases, ns)"])
        goal = ""
        if name.startswith("SSOTMeta"):
            goal = f"<= 1.15x (aim 1.10x): {verdict(ratio <= 1.15)}"
        rows.append(
            [
                name,
                f"{median(values):.2f} µs ±{spread(values) * 100:.0f}%",
                f"{ratio:.3f}x type",
                goal,
            ]
        )
    return rows


def instance_costs(rounds: int) -> list[list[str]]:
    class Plain:
        def __init__(self) -> None:
            self.value = 1

    class Registered(metaclass=SSOTMeta, ssot_key="bench-registered"):
        def __init__(self) -> None:
            self.value = 1

    loops = 200_000

    def create(cls: type) -> Callable[[], float]:
        def sample() -> float:
            start = time.perf_counter()
            for _ in range(loops):
                cls()
            return (time.perf_counter() - start) / loops * 1e9

        return sample

    def read(cls: type) -> Callable[[], float]:
        obj = cls()

        def sample() -> float:
            start = time.perf_counter()
            for _ in range(loops):
                obj.value  # noqa: B018
            return (time.perf_counter() - start) / loops * 1e9

        return sample

    samples = alternate(
        {
            "create plain": create(Plain),
            "create SSOTMeta": create(Registered),
            "read plain": read(Plain),
            "read SSOTMeta": read(Registered),
        },
        rounds,
        progress="instances",
    )
    rows = []
    for what in ("create", "read"):
        plain, ours = median(samples[f"{what} plain"]), median(samples[f"{what} SSOTMeta"])
        rows.append(
            [
                "instance creation" if what == "create" else "attribute read",
                f"{plain:.1f} ns",
                f"{ours:.1f} ns",
                f"{ours / plain:.3f}x",
            ]
        )
    return rows


MODULE = '''"""Generated: {names} top-level names, one watched class among them."""

class {cls}:
    pass

{body}
'''


COPIES = 20  # modules per size: one sample imports all of them, to average out noise


def write_packages(root: Path, sizes: list[int]) -> None:
    for package in ("watched", "unwatched"):
        (root / package).mkdir()
        (root / package / "__init__.py").write_text("")
        for size in sizes:
            body = "\n".join(
                f"def f{n}():\n    return {n}\n" if n % 2 else f"CONSTANT_{n} = {n}"
                for n in range(size - 1)
            )
            for copy in range(COPIES):
                source = MODULE.format(names=size, cls=f"Manager{size}x{copy}", body=body)
                (root / package / f"m{size}x{copy}.py").write_text(source)
    compile_tree(str(root))


def unique_check(rounds: int) -> list[list[str]]:
    sizes = [10, 100, 1000]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_packages(root, sizes)
        sys.path.insert(0, tmp)
        # One rule per module, so that each defines its own watched class (a first
        # definition, registered), as the canonical module of a rule does.
        guard = ssot_guard.install(
            rules=[
                Unique(f"Manager{size}x{copy}", within=["watched"])
                for size in sizes
                for copy in range(COPIES)
            ],
            mode="warn",
        )
        assert guard.watch is not None
        hook = guard.watch.hooks[0]

        def importer(package: str, size: int) -> Callable[[], float]:
            names = [f"{package}.m{size}x{copy}" for copy in range(COPIES)]

            def sample() -> float:
                for name in names:
                    sys.modules.pop(name, None)
                start = time.perf_counter()
                for name in names:
                    importlib.import_module(name)
                return (time.perf_counter() - start) / COPIES * 1e6

            return sample

        def check_only(name: str) -> Callable[[], float]:
            module = importlib.import_module(name)

            def sample() -> float:
                start = time.perf_counter()
                for _ in range(20):
                    hook.after_exec(module)
                return (time.perf_counter() - start) / 20 * 1e6

            return sample

        variants: dict[str, Callable[[], float]] = {}
        for size in sizes:
            variants[f"import unwatched {size}"] = importer("unwatched", size)
            variants[f"import watched {size}"] = importer("watched", size)
            variants[f"check {size}"] = check_only(f"watched.m{size}x0")
        samples = alternate(variants, rounds, progress="unique check")
        for size in sizes:
            plain = median(samples[f"import unwatched {size}"])
            watched = median(samples[f"import watched {size}"])
            check = median(samples[f"check {size}"])
            plain_noise = spread(samples[f"import unwatched {size}"]) * 100
            watched_noise = spread(samples[f"import watched {size}"]) * 100
            rows.append(
                [
                    str(size),
                    f"{plain:.0f} µs ±{plain_noise:.0f}%",
                    f"{watched:.0f} µs ±{watched_noise:.0f}%",
                    f"{watched / plain:.3f}x",
                    f"{check:.2f} µs",
                    f"{check / size * 1000:.0f} ns",
                ]
            )
        ssot_guard.uninstall()
        sys.path.remove(tmp)
    return rows


def main() -> None:
    quick = "--quick" in sys.argv
    print(f"Class registry benchmarks: {machine()}\n")
    creation = class_creation(15 if quick else 100)
    print(
        table(
            creation,
            ["class", "how", f"per class (median of {CLASSES})", "ratio", "goal"],
        )
    )
    print()
    print(
        table(
            distinct_classes(15 if quick else 60),
            ["how", f"per class (median over {DISTINCT:,} distinct names)", "ratio", "goal"],
        )
    )
    print()
    print(
        table(
            instance_costs(5 if quick else 15),
            ["operation", "plain class", "SSOTMeta class", "ratio (goal: 1.00x)"],
        )
    )
    print()
    print(
        table(
            unique_check(10 if quick else 40),
            [
                "top-level names",
                "import, unwatched",
                "import, watched",
                "ratio",
                "check alone",
                "check per name",
            ],
        )
    )


if __name__ == "__main__":
    main()
