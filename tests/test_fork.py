"""Forking while other threads use ssot_guard: the child never hangs, and keeps the guard.

Each scenario runs in a fresh interpreter with a timeout, so a hang fails the test.
``os.fork()`` is what ``multiprocessing`` does by default on Linux (up to 3.13).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs os.fork")

CHILDREN = 40
TIMEOUT = 120.0

LEGACY = """\
def create(user):
    return ("manager", user)
"""


def _run(tmp_path: Path, script: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "legacy.py").write_text(LEGACY)
    (tmp_path / "app" / "old.py").write_text("VALUE = 'old'\n")
    (tmp_path / "app" / "new.py").write_text("VALUE = 'new'\n")
    path = tmp_path / "scenario.py"
    path.write_text(PRELUDE + textwrap.dedent(script))
    try:
        return subprocess.run(
            [sys.executable, str(path)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
    except subprocess.TimeoutExpired as error:
        pytest.fail(f"scenario still running after {TIMEOUT}s: {error.stdout!r}")


PRELUDE = f"""
import os, sys, threading, time, warnings
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ssot_guard

warnings.simplefilter("ignore")  # recorded all the same; keep stderr quiet


def wait_all(pids, timeout=20.0):
    '''Reap the children; those still alive after *timeout* are hung: kill and count them.'''
    deadline = time.monotonic() + timeout
    statuses, pending = {{}}, set(pids)
    while pending and time.monotonic() < deadline:
        for pid in list(pending):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                statuses[pid] = os.waitstatus_to_exitcode(status)
                pending.discard(pid)
        time.sleep(0.01)
    for pid in pending:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    return statuses, len(pending)

CHILDREN = {CHILDREN}
"""


def test_fork_while_threads_record_violations(tmp_path: Path) -> None:
    """40 children forked while 4 threads call a deprecated function in warn mode: none hangs.

    Each child records a violation of its own (at a new line) and exits; before
    the recorder's lock was renewed at fork, a child whose parent thread held
    it waited for ever.
    """
    result = _run(
        tmp_path,
        """
        ssot_guard.install(
            rules=[ssot_guard.Deprecate("app.legacy:create", use="app.new:create")], mode="warn"
        )
        import app.legacy

        stop = threading.Event()

        def hammer():
            while not stop.is_set():
                app.legacy.create("thread")

        threads = [threading.Thread(target=hammer, daemon=True) for _ in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(0.1)
        pids = []
        for _ in range(CHILDREN):
            pid = os.fork()
            if pid == 0:
                app.legacy.create("child")  # a new call site: recorded and warned here
                lines = {v.lineno for v in ssot_guard.violations()}
                os._exit(0 if len(lines) >= 2 else 3)
            pids.append(pid)
            time.sleep(0.002)
        stop.set()
        statuses, hung = wait_all(pids)
        print("hung", hung)
        print("failed", sum(1 for code in statuses.values() if code != 0))
        """,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["hung", "0", "failed", "0"]


def test_forked_child_inherits_the_guard(tmp_path: Path) -> None:
    """A forked child has the parent's guard installed: it refuses and records a retired import.

    Forked while threads import another retired module in a loop and install
    guards, so the recorder's and the guard's locks may be held at the instant
    of the fork. (Not the same module: a child forked while another thread
    holds importlib's lock on a module hangs importing that module, with or
    without ssot_guard; that is CPython's.)
    """
    result = _run(
        tmp_path,
        """
        rules = [ssot_guard.Block(pattern="app.old*", use="app.new")]
        guard = ssot_guard.install(rules=rules, mode="strict")
        stop = threading.Event()

        def hammer():
            while not stop.is_set():
                try:
                    import app.old_hammered
                except ImportError:
                    pass

        def churn():  # install() and uninstall() take the guard's lock
            while not stop.is_set():
                ssot_guard.uninstall()
                ssot_guard.install(rules=guard.rules, mode="strict")

        threads = [threading.Thread(target=hammer, daemon=True) for _ in range(3)]
        for thread in threads:
            thread.start()
        pids = []
        for _ in range(CHILDREN // 2):
            pid = os.fork()
            if pid == 0:
                try:
                    import app.old
                except ssot_guard.BlockedImportError as error:
                    ok = error.use == "app.new" and any(
                        v.name == "app.old" for v in ssot_guard.violations()
                    )
                    os._exit(0 if ok and ssot_guard.active_guard() is not None else 3)
                os._exit(4)  # imported: the child ran unguarded
            pids.append(pid)
            time.sleep(0.002)
        churner = threading.Thread(target=churn, daemon=True)
        churner.start()
        for _ in range(CHILDREN // 2):
            pid = os.fork()
            if pid == 0:
                ssot_guard.install(rules=guard.rules, mode="strict")  # takes the guard's lock
                try:
                    import app.old
                except ssot_guard.BlockedImportError:
                    os._exit(0)
                os._exit(4)
            pids.append(pid)
            time.sleep(0.002)
        stop.set()
        statuses, hung = wait_all(pids)
        print("hung", hung)
        print("codes", sorted(set(statuses.values())))
        """,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["hung", "0", "codes", "[0]"]


def test_multiprocessing_fork_worker_is_guarded(tmp_path: Path) -> None:
    """A ``multiprocessing`` worker started with ``fork`` refuses the retired import too."""
    result = _run(
        tmp_path,
        """
        import multiprocessing

        def work(_):
            try:
                import app.old
            except ssot_guard.BlockedImportError as error:
                return error.use
            return "imported"

        if __name__ == "__main__":
            ssot_guard.install(rules=[ssot_guard.Block("app.old", use="app.new")], mode="strict")
            with multiprocessing.get_context("fork").Pool(2) as pool:
                print(*pool.map(work, range(4)))
        """,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["app.new"] * 4


def test_fork_while_threads_read_a_retired_module_from_new_lines(tmp_path: Path) -> None:
    """Children forked while threads read a warn-mode retired module from new lines never hang.

    Each new location a loaded retired module is read from is noted under a lock
    of the every-caller watch; threads reading it from fresh code contend for
    that lock, so a fork lands while one holds it. The child then imports the
    module from a module of its own: before the watch's locks were renewed at
    fork, it waited for ever.
    """
    result = _run(
        tmp_path,
        """
        ssot_guard.install(rules=[ssot_guard.Block("app.old", use="app.new")], mode="warn")
        import app.old

        stop = threading.Event()

        def hammer(k):
            n = 0
            while not stop.is_set():
                n += 1  # fresh code each time: a new location, noted under the lock
                eval(compile("app.old.VALUE", f"<thread {k} read {n}>", "eval"))

        threads = [threading.Thread(target=hammer, args=(k,), daemon=True) for k in range(3)]
        for thread in threads:
            thread.start()
        time.sleep(0.1)
        pids = []
        for _ in range(CHILDREN):
            pid = os.fork()
            if pid == 0:
                exec("import app.old", {"__name__": "child"})  # a new caller: recorded
                importers = {v.importer for v in ssot_guard.violations()}
                os._exit(0 if "child" in importers else 3)
            pids.append(pid)
            time.sleep(0.002)
        stop.set()
        statuses, hung = wait_all(pids)
        print("hung", hung)
        print("failed", sum(1 for code in statuses.values() if code != 0))
        """,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["hung", "0", "failed", "0"]


def test_fork_while_the_unique_check_is_locked(tmp_path: Path) -> None:
    """A child forked while another thread held the [[unique]] check's lock reports the
    child's own second definition instead of waiting for ever.

    The parent holds the lock across the fork itself: what a thread checking a
    watched class at that instant would leave behind, made certain.
    """
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "__init__.py").write_text("")
    (tmp_path / "svc" / "first.py").write_text("class Manager:\n    pass\n")
    (tmp_path / "svc" / "second.py").write_text("class Manager:\n    VALUE = 2\n")
    result = _run(
        tmp_path,
        """
        guard = ssot_guard.install(
            rules=[ssot_guard.Unique("Manager", within=["svc"])], mode="warn"
        )
        import svc.first

        [hook] = guard.watch.hooks
        with hook._lock:  # another thread, mid-check, as os.fork() copies it
            pid = os.fork()
            if pid == 0:
                import svc.second  # a second definition: checked under that lock

                kinds = [v.kind for v in ssot_guard.violations()]
                os._exit(0 if kinds == ["duplicate-class"] else 3)
        statuses, hung = wait_all([pid])
        print("hung", hung, "status", statuses.get(pid))
        """,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["hung", "0", "status", "0"]
