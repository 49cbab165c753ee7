"""The class registry over a program's life: entries die with their classes, fork, modes, seams."""

from __future__ import annotations

import ast
import gc
import os
import subprocess
import sys
import textwrap
import threading
import warnings
from pathlib import Path

import pytest

import ssot_guard
from ssot_guard import SSOTBase, SSOTMeta, ssot_class
from ssot_guard._classes import _registry

MANY = 2_000


def make_and_drop(count: int, prefix: str) -> None:
    """Create *count* registered classes with distinct names, in each spelling, and drop them."""
    for n in range(count):
        SSOTMeta(f"{prefix}Meta{n}", (), {"__module__": "tests_generated", "value": n})
        type(f"{prefix}Base{n}", (SSOTBase,), {"__module__": "tests_generated"})
        ssot_class(type(f"{prefix}Decorated{n}", (), {"__module__": "tests_generated"}))


def test_entries_go_away_with_their_classes() -> None:
    """Classes with ever new names, created and dropped, leave no entry behind after gc."""
    gc.collect()
    baseline = _registry.entry_count()
    make_and_drop(MANY, "Gone")
    assert _registry.entry_count() >= baseline  # some may already be collected
    gc.collect()
    assert _registry.entry_count() == baseline


def test_entry_of_a_class_dying_under_the_lock_goes_away_on_release() -> None:
    """A class collected while the registry's lock is held: no deadlock, its entry goes later."""
    gc.collect()
    baseline = _registry.entry_count()
    with _registry._locked:
        make_and_drop(10, "Locked")
        gc.collect()  # a sweep here re-enters the lock this thread holds: no block, no raise
    assert _registry.entry_count() == baseline


def test_key_freed_by_a_dead_class_takes_a_new_class() -> None:
    """A name whose class died is free: a new class under it is a first definition, kept."""
    SSOTMeta("Reborn", (), {"__module__": "tests_generated.first"})
    gc.collect()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        second = SSOTMeta("Reborn", (), {"__module__": "tests_generated.second"})
    assert ssot_guard.canonical("Reborn") is second
    del second
    gc.collect()
    with pytest.raises(KeyError):
        ssot_guard.canonical("Reborn")


def test_dead_class_of_a_replaced_key_does_not_remove_its_successor() -> None:
    """A reload replaces the entry; the old class dying later leaves the new entry in place.

    A snapshot taken in between (as the pytest plugin takes one per test) keeps the old
    entry alive, so its callback does run when the old class dies.
    """
    source = "from ssot_guard import SSOTMeta\nclass Reloaded(metaclass=SSOTMeta):\n    pass\n"
    first: dict[str, object] = {"__name__": "tests_generated"}
    exec(source, first)
    snapshot = ssot_guard.registry_snapshot()
    second: dict[str, object] = {"__name__": "tests_generated"}
    exec(source, second)  # same module, same qualname: a reload, not a duplicate
    first.clear()
    gc.collect()
    assert ssot_guard.canonical("Reloaded") is second["Reloaded"]
    del snapshot


def test_snapshot_restore_leaves_out_classes_that_died() -> None:
    """Restoring a snapshot does not bring back the entry of a class that died meanwhile."""
    gc.collect()
    baseline = _registry.entry_count()
    SSOTMeta("Snapshotted", (), {"__module__": "tests_generated"})  # alive only until gc
    snapshot = ssot_guard.registry_snapshot()
    gc.collect()
    snapshot.restore()
    assert _registry.entry_count() == baseline


def test_forget_keys_frees_the_keys() -> None:
    """forget_keys() frees a key: a second class under it is then a first definition."""
    kept = SSOTMeta("Forgotten", (), {"__module__": "tests_generated.first"})
    _registry.forget_keys(["Forgotten", "NeverRegistered"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        second = SSOTMeta("Forgotten", (), {"__module__": "tests_generated.second"})
    assert ssot_guard.canonical("Forgotten") is second
    assert kept is not second


def test_registry_mode_follows_install_and_uninstall(monkeypatch: pytest.MonkeyPatch) -> None:
    """The registry takes the installed guard's mode, and SSOT_GUARD_MODE again after uninstall."""
    monkeypatch.setenv("SSOT_GUARD_MODE", "off")
    assert _registry.registry_mode() == "off"
    guard = ssot_guard.install(rules=[], mode="strict")
    monkeypatch.delenv("SSOT_GUARD_MODE")
    assert _registry.registry_mode() == guard.mode == "off"  # the guard resolved the env var
    guard.uninstall()
    ssot_guard.install(rules=[], mode="strict")
    assert _registry.registry_mode() == "strict"
    ssot_guard.uninstall()
    assert _registry.registry_mode() == "warn"


def test_set_mode_refuses_an_unknown_mode() -> None:
    """set_mode() takes a mode or None; anything else is a ValueError naming the modes."""
    with pytest.raises(ValueError, match="'strict', 'warn', 'off'"):
        _registry.set_mode("loud")  # type: ignore[arg-type]


def test_class_checks_import_neither_the_runtime_nor_the_config_layer() -> None:
    """The registry receives its mode: no module of _classes imports _runtime or _config."""
    package = Path(_registry.__file__).parent
    found = []
    for path in sorted(package.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                target = ("." * node.level) + node.module
                if any(layer in target for layer in ("_runtime", "_config")):
                    found.append(f"{path.name}: {target}")
    assert found == []


FORK_CHILDREN = """
import os, sys, threading, time, warnings
from ssot_guard import SSOTMeta

warnings.simplefilter("ignore")
stop = threading.Event()

def factory():
    class Worker(metaclass=SSOTMeta):  # same qualname each time: replaced under the lock
        pass
    return Worker

def define_forever():
    while not stop.is_set():
        factory()

threads = [threading.Thread(target=define_forever) for _ in range(3)]
for t in threads:
    t.start()
hung = 0
for _ in range(40):
    time.sleep(0.005)
    pid = os.fork()
    if pid == 0:
        # A second Worker from another module: a collision, which takes the lock.
        SSOTMeta("Worker", (), {"__module__": "child"})
        os._exit(0)
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        if os.waitpid(pid, os.WNOHANG)[0]:
            break
        time.sleep(0.01)
    else:
        hung += 1
        os.kill(pid, 9)
        os.waitpid(pid, 0)
stop.set()
for t in threads:
    t.join()
print("hung", hung)
"""


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork")
def test_fork_while_threads_define_classes_does_not_hang_the_child() -> None:
    """Children forked while threads hold the registry's lock collide without hanging."""
    result = subprocess.run(
        [sys.executable, "-W", "ignore::DeprecationWarning", "-c", FORK_CHILDREN],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert result.stdout.strip() == "hung 0"


def test_ssotbase_refuses_a_keyword_nothing_takes() -> None:
    """A class keyword that no __init_subclass__ takes is still a TypeError under SSOTBase."""
    with pytest.raises(TypeError, match="keyword"):
        type("Unwanted", (SSOTBase,), {"__module__": "tests_generated"}, colour="red")


def test_ssotbase_subclass_of_a_subclass_reaches_the_next_init_subclass() -> None:
    """Below a base that defines __init_subclass__, SSOTBase passes keywords on to it."""
    seen: list[object] = []

    class Plugin(SSOTBase):
        def __init_subclass__(cls, /, tag: object = None, **kwargs: object) -> None:
            super().__init_subclass__(**kwargs)  # type: ignore[arg-type]
            seen.append(tag)

    class Mixin:
        def __init_subclass__(cls, /, **kwargs: object) -> None:
            seen.append(("mixin", cls.__name__))
            super().__init_subclass__(**kwargs)

    class Tagged(Plugin, tag="t"):
        pass

    class Mixed(SSOTBase, Mixin):
        pass

    assert seen == ["t", ("mixin", "Mixed")]
    assert ssot_guard.canonical("Tagged") is Tagged
    assert ssot_guard.canonical("Mixed") is Mixed


def test_threads_defining_and_dropping_classes_leave_no_entry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Threads racing to define, replace and drop classes under few names: none is left over."""
    monkeypatch.setenv("SSOT_GUARD_MODE", "off")  # collisions between threads are expected here
    gc.collect()
    baseline = _registry.entry_count()
    errors: list[BaseException] = []

    def churn(thread: int) -> None:
        try:
            for n in range(3_000):
                SSOTMeta(f"Racer{n % 7}", (), {"__module__": f"tests_generated.t{thread}"})
                if n % 500 == 0:
                    gc.collect()
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=churn, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    gc.collect()
    assert errors == []
    assert _registry.entry_count() == baseline


def test_registered_classes_alive_at_exit_make_no_noise() -> None:
    """Registered classes still alive when the interpreter exits: no callback error on stderr."""
    code = textwrap.dedent(
        """
        import threading
        from ssot_guard import SSOTBase, SSOTMeta, ssot_class
        kept = [SSOTMeta(f"M{n}", (), {}) for n in range(500)]
        kept += [type(f"B{n}", (SSOTBase,), {}) for n in range(500)]
        kept += [ssot_class(type(f"D{n}", (), {})) for n in range(500)]
        kept.append(kept)  # a cycle, so that the final collection meets them
        """
    )
    result = subprocess.run(
        [sys.executable, "-X", "dev", "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")


def test_registering_a_class_allocates_no_weak_reference_of_its_own() -> None:
    """The entry is the weak reference CPython keeps for __subclasses__(): no second one."""
    import weakref

    for cls in (
        SSOTMeta("SharedRefMeta", (), {"__module__": "tests_generated"}),
        type("SharedRefBase", (SSOTBase,), {"__module__": "tests_generated"}),
        ssot_class(type("SharedRefDecorated", (), {"__module__": "tests_generated"})),
    ):
        assert weakref.getweakrefcount(cls) == 1, cls


GROWTH = """
import gc
from ssot_guard import SSOTMeta
from ssot_guard._classes import _registry

gc.collect()
largest = 0
for n in range(100_000):
    SSOTMeta(f"Churn{n}", (), {"__module__": "churn"})  # dropped at once: dies in a young gc
    if n % 1_000 == 0:
        largest = max(largest, len(_registry._entries))
print(largest)
"""


def test_dead_entries_are_swept_without_a_full_collection() -> None:
    """100,000 classes created and dropped, no gc.collect(), nothing asked of the registry:
    it stays small."""
    result = subprocess.run(
        [sys.executable, "-c", GROWTH], capture_output=True, text=True, timeout=300, check=True
    )
    assert int(result.stdout) <= 4_096  # the first sweep is at 1,024 entries, then twice the live


def test_the_registry_adds_no_work_to_garbage_collection() -> None:
    """Using the registry adds no gc.callbacks hook: every collection of the program would pay."""
    code = (
        "import gc\nbefore = list(gc.callbacks)\nimport ssot_guard\n"
        "ssot_guard.SSOTMeta('Collected', (), {})\ngc.collect()\nprint(gc.callbacks == before)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "True"


CHURN_THEN_COLLECT = """
import gc
from ssot_guard import SSOTMeta
from ssot_guard._classes import _registry

hooks = len(gc.callbacks)
for n in range(20_000):
    SSOTMeta(f"Churned{n}", (), {"__module__": "churn"})  # created and dropped
churning = len(gc.callbacks) - hooks
gc.collect()
base = len(_registry._entries)
for n in range(500):
    SSOTMeta(f"Late{n}", (), {"__module__": "churn"})
gc.collect()  # no registry call in between: the collection itself sweeps
print(churning, len(_registry._entries) - base)
"""


def test_once_classes_churn_a_collection_removes_their_entries() -> None:
    """A program that drops registered classes gets one gc hook; a full collection then
    removes the entries of the classes it freed, without any call to the registry."""
    result = subprocess.run(
        [sys.executable, "-X", "dev", "-c", CHURN_THEN_COLLECT],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert result.stdout.split() == ["1", "0"]
    assert result.stderr == ""  # nor does the hook make noise when the interpreter exits


THREADS_CHURN = """
import gc, threading, warnings
from ssot_guard import SSOTMeta, SSOTBase, ssot_class
from ssot_guard._classes import _registry

warnings.simplefilter("error")  # a false duplicate would raise
errors = []

def churn(t):
    try:
        for n in range(6_000):
            SSOTMeta(f"T{t}Meta{n}", (), {"__module__": "churn"})
            type(f"T{t}Base{n}", (SSOTBase,), {"__module__": "churn"})
            if n % 1_000 == 0:
                gc.collect()
    except BaseException as error:
        errors.append(repr(error))

threads = [threading.Thread(target=churn, args=(t,)) for t in range(4)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join(120)
kept = SSOTMeta("KeptAfterChurn", (), {"__module__": "churn.first"})
try:
    SSOTMeta("KeptAfterChurn", (), {"__module__": "churn.second"})
except Exception as error:
    errors.append(type(error).__name__)
gc.collect()
print(len(errors), errors[-1:], _registry.entry_count() <= 2, len(gc.callbacks))
"""


def test_threads_churning_distinct_names_while_collecting() -> None:
    """Four threads create and drop 48,000 registered classes while collections sweep: no
    error, no false duplicate, the registry ends small, and a real duplicate is still seen."""
    result = subprocess.run(
        [sys.executable, "-c", THREADS_CHURN],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert result.stdout.split() == ["1", "['SSOTWarning']", "True", "1"], result.stdout


# A class statement run by the collector (a gc callback, a __del__) while this same
# thread is inside one of the registry's locked sections: a collection can start at
# any allocation (3.11) or between any two calls (3.12+), and a taken key takes the lock.
REENTERED = """
import gc, sys
import ssot_guard
from ssot_guard import SSOTMeta

first = SSOTMeta("Taken", (), {"__module__": "first"})

def define_on_collection(phase, info):
    if phase == "stop":
        SSOTMeta("Taken", (), {"__module__": "second"})

class DefinesWhenCollected:
    def __del__(self):
        SSOTMeta("Taken", (), {"__module__": "second"})

by_finalizer = sys.argv[1] == "finalizer"
if not by_finalizer:
    gc.callbacks.append(define_on_collection)
for threshold in (1, 5, 50):  # collections so frequent that some start in the locked sections
    gc.set_threshold(threshold)
    for _ in range(1_000):
        if by_finalizer:
            garbage = DefinesWhenCollected()
            garbage.cycle = garbage
            del garbage
        ssot_guard.registered_classes()
        ssot_guard.registry_snapshot().restore()
gc.set_threshold(700)
print(ssot_guard.canonical("Taken") is first)
"""


@pytest.mark.parametrize("by", ["gc-callback", "finalizer"])
def test_class_defined_by_the_collector_inside_a_registry_call_does_not_deadlock(
    by: str,
) -> None:
    """A gc callback or a __del__ that defines a class under a taken key, run by a collection
    that starts inside registered_classes() or a snapshot: no hang, the first class stays."""
    try:
        result = subprocess.run(
            [sys.executable, "-c", REENTERED, by],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env={**os.environ, "SSOT_GUARD_MODE": "off"},
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the interpreter hung: the registry's lock was taken twice by one thread")
    assert (result.returncode, result.stderr, result.stdout.strip()) == (0, "", "True")


# Shutdown wipes the globals of modules still alive after its first collection, the gc
# module's among them (os is one such module, imported before gc): a finalizer run by that
# wipe still allocates, and defines classes.
AT_SHUTDOWN = """
import gc, os, sys
from ssot_guard import SSOTMeta

for n in range(20_000):
    SSOTMeta(f"Churned{n}", (), {"__module__": "churn"})  # dropped: the gc hook is added
assert len(gc.callbacks) == 1

class RunsWhenWiped:
    trigger = sys.argv[1]  # shutdown sets sys.argv to None first

    def __del__(self):
        if self.trigger == "collection":
            junk = [[] for _ in range(300_000)]  # enough to start a full collection
        else:
            for n in range(5_000):  # past the registry's limit: a sweep on growth
                SSOTMeta(f"AtExit{n}", (), {"__module__": "late"})

os.held_until_wiped = RunsWhenWiped()
"""


@pytest.mark.parametrize("trigger", ["collection", "growth"])
def test_sweep_triggers_after_modules_are_wiped_at_shutdown_make_no_noise(trigger: str) -> None:
    """A full collection, or class statements past the limit, in a finalizer that shutdown's
    wipe of module globals runs: no 'Exception ignored' from the sweeper on stderr."""
    result = subprocess.run(
        [sys.executable, "-c", AT_SHUTDOWN, trigger],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")


SAME_NAMES_RACING_COLLECTIONS = """
import gc, threading, weakref
import ssot_guard
from ssot_guard import DuplicateClassError, SSOTBase, SSOTMeta, ssot_class

ssot_guard.install(rules=[], mode="strict")
SPELLINGS = [
    lambda key, module: SSOTMeta(key, (), {"__module__": module}),
    lambda key, module: type(key, (SSOTBase,), {"__module__": module}),
    lambda key, module: ssot_class(type(key, (), {"__module__": module})),
]
stop = threading.Event()
false, missed, errors = [], [], []


def after_death(t):  # the first definition died: the second is a first definition again
    for n in range(400):
        key = f"Dead{t}_{n % 7}"
        first = weakref.ref(SPELLINGS[n % 3](key, "first"))
        while first() is not None:
            gc.collect()
        try:
            SPELLINGS[(n + 1) % 3](key, "second")
        except DuplicateClassError as error:
            false.append(str(error))


def while_alive(t):  # the first definition lives: the second is always a duplicate
    for n in range(400):
        key = f"Live{t}_{n % 7}"
        first = SPELLINGS[n % 3](key, "first")
        try:
            SPELLINGS[(n + 1) % 3](key, "second")
        except DuplicateClassError:
            pass
        else:
            missed.append(key)
        del first


def disturb():  # collections, sweeps and readers all the while
    from ssot_guard._classes import _registry

    try:
        while not stop.is_set():
            gc.collect()
            ssot_guard.registered_classes()
            _registry.entry_count()
    except BaseException as error:
        errors.append(repr(error))


workers = [
    threading.Thread(target=f, args=(t,)) for t in range(2) for f in (after_death, while_alive)
]
noise = [threading.Thread(target=disturb) for _ in range(2)]
for thread in noise + workers:
    thread.start()
for thread in workers:
    thread.join(120)
stop.set()
for thread in noise:
    thread.join(120)
print(len(false), len(missed), len(errors))
"""


def test_same_names_redefined_while_other_threads_collect_and_read() -> None:
    """Strict mode, threads redefining the same names in all three spellings while others
    collect, sweep and read: a dead first definition frees its key, a live one is always seen."""
    result = subprocess.run(
        [sys.executable, "-c", SAME_NAMES_RACING_COLLECTIONS],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert (result.returncode, result.stderr, result.stdout.split()) == (0, "", ["0", "0", "0"])
