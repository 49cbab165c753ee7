"""Running the check over many files: in this process, in forked children, or in a pool.

Only big jobs pay for processes; a fork is the cheapest way to share the plan
(see ``forked``), a process pool the fallback where ``fork`` is unsafe.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any, Final, NamedTuple, TypeVar

from ._classes import inheriting_classes, registry_findings, unique_findings
from ._core import FileReport, check_file, needs_parse, parsing, read_source, walk_classes

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from concurrent.futures import ProcessPoolExecutor

    from ._findings import Finding
    from ._nodes import ClassRecord
    from ._prefilter import Plan
    from ._scan import SourceFile
    from ._suppress import Suppressions

_A = TypeVar("_A")
_B = TypeVar("_B")

#: Files per batch handed to a worker process.
_BATCH: Final = 32
#: Below this much source to parse, one process is faster than starting others.
_PARALLEL_FROM_BYTES: Final = 3_000_000
#: From this many files, reading and prefiltering are split across processes too.
_SPLIT_FROM_FILES: Final = 600


_worker_plan: Plan | None = None  # in a pool worker: the plan it was started with


def _start_worker(plan: Plan) -> None:
    import signal

    global _worker_plan
    _worker_plan = plan
    # Ctrl-C is the parent's to handle: it stops the workers. A worker that took
    # KeyboardInterrupt would report it as its batch's result and start the next one.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _check_batch(sources: list[SourceFile]) -> list[FileReport]:
    assert _worker_plan is not None
    with parsing():
        return [check_file(_worker_plan, source) for source in sources]


def default_jobs(candidate_bytes: int) -> int:
    """Processes for parsing this much source: one unless it is worth starting others."""
    if candidate_bytes < _PARALLEL_FROM_BYTES:
        return 1
    return max(1, min(cores(), candidate_bytes // (_PARALLEL_FROM_BYTES // 2)))


class PoolStats:
    """What running the files took: forked children that reported, and fallbacks.

    A fallback (a forked child that failed, whose half this process checked
    again) changes no finding, but it is counted so that it is never silent.
    """

    __slots__ = ("fallbacks", "forks")

    def __init__(self) -> None:
        self.forks = 0
        self.fallbacks: list[str] = []


def run_files(
    plan: Plan, sources: Sequence[SourceFile], jobs: int | None, stats: PoolStats | None = None
) -> list[FileReport]:
    """Check *sources*: the prefilter here, the parsing in *jobs* processes.

    Reading and prefiltering are cheap and done in this process; only when the
    candidates are big enough (or *jobs* says so) are they parsed by a pool.
    """
    if jobs is None and len(sources) >= _SPLIT_FROM_FILES and cores() == 2 and can_fork():
        # Reading and searching thousands of files is itself worth a second process.
        return forked(plan, sources, stats)
    reports: list[FileReport] = []
    candidates: list[tuple[SourceFile, bytes]] = []
    size = 0
    with parsing():
        for source in sources:
            data = read_source(source.path)
            if isinstance(data, FileReport):
                reports.append(data)
            elif needs_parse(plan, data, source.module):
                candidates.append((source, data))
                size += len(data)
            else:
                reports.append(check_file(plan, source, data, candidate=False))
        # No more workers than files to parse: `--jobs 10000` must not fork 10,000 processes.
        jobs = min(default_jobs(size) if jobs is None else max(1, jobs), len(candidates) or 1)
        if jobs == 1 or len(candidates) < 2:
            reports.extend(check_file(plan, source, data) for source, data in candidates)
            return reports
    # Workers read the files again (from the page cache) rather than receive them.
    reports.extend(_in_pool(plan, [source for source, _ in candidates], jobs, stats))
    return reports


def can_fork() -> bool:
    import threading

    # Forking a process that runs other threads may copy a lock some thread holds;
    # on macOS, system libraries are not fork-safe at all.
    return hasattr(os, "fork") and sys.platform != "darwin" and threading.active_count() == 1


def forked(
    plan: Plan, sources: Sequence[SourceFile], stats: PoolStats | None = None
) -> list[FileReport]:
    """:func:`run_files` over half of *sources* here and half in a forked child.

    For two cores, the common CI runner: with more, the pool of :func:`run_files`
    parses on all of them. If the child fails in any way, this process checks its
    half too, and *stats* counts the fallback.
    """
    theirs, mine = list(sources[1::2]), list(sources[0::2])
    reports, others = split_in_two(
        lambda: run_files(plan, mine, 1), lambda: run_files(plan, theirs, 1)
    )
    if isinstance(others, Exception):  # the child's half is checked again, here
        reports.extend(run_files(plan, theirs, 1))
        if stats is not None:
            stats.fallbacks.append(f"a forked child failed ({others}); its files were checked here")
    else:
        reports.extend(others)
        if stats is not None:
            stats.forks += 1
    return reports


def split_in_two(here: Callable[[], _A], there: Callable[[], _B]) -> tuple[_A, _B | Exception]:
    """``here()`` in this process and ``there()`` in a forked child, at once.

    Returns what each returned; in place of the child's result, why it failed
    (the caller redoes that half). A bare ``fork`` and a pipe cost a few
    milliseconds where a process pool costs tens: on a tree of a few thousand
    files that is the difference that matters.

    On Ctrl-C, or if ``here()`` fails, the child is killed and reaped: no orphan
    reads on, no zombie stays. SIGINT is blocked from before the fork until this
    process is inside the ``try`` that kills the child: delivered between
    ``fork()`` returning and that ``try``, it would leave the child running.
    The child keeps it blocked; this process decides when it stops.
    """
    import pickle
    import signal

    reader, writer = os.pipe()
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        child = os.fork()
    except BaseException:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        os.close(reader)
        os.close(writer)
        raise
    if child == 0:  # pragma: no cover - runs in the child, which never returns
        status = 1
        try:
            os.close(reader)
            with os.fdopen(writer, "wb") as pipe:
                pickle.dump(there(), pipe, pickle.HIGHEST_PROTOCOL)
            status = 0
        finally:
            os._exit(status)
    unmasked = False
    try:
        os.close(writer)
        with os.fdopen(reader, "rb") as results:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a pending Ctrl-C is raised here
            unmasked = True
            mine = here()
            data = results.read()
    except BaseException:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
        if not unmasked:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        raise
    _, status = os.waitpid(child, 0)
    try:
        if status != 0:
            raise ValueError(f"child exited with status {os.waitstatus_to_exitcode(status)}")
        theirs: _B = pickle.loads(data)
    except Exception as error:
        return mine, error
    return mine, theirs


def cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _in_pool(
    plan: Plan, sources: list[SourceFile], jobs: int, stats: PoolStats | None = None
) -> list[FileReport]:
    """:func:`check_file` for *sources* in a pool of *jobs* processes.

    A worker that dies (killed, out of memory) breaks the pool: the batches not yet
    reported are checked here, and *stats* counts the fallback. On Ctrl-C or any
    other exception the workers are stopped at once, not left to finish the queue.
    """
    import signal
    from concurrent.futures import ProcessPoolExecutor  # only big jobs pay for it
    from concurrent.futures.process import BrokenProcessPool

    # Interleaved batches even out big and small files.
    count = min(len(sources), max(jobs * 4, -(-len(sources) // _BATCH)))
    batches = [sources[i::count] for i in range(count)]
    # Workers are forked by the first submit: with SIGINT blocked, they are born
    # blocking it (a Ctrl-C in the instant before their initializer runs would print
    # a traceback from each); this process receives a pending one when it unblocks.
    mask = hasattr(signal, "pthread_sigmask")
    pool: ProcessPoolExecutor | None = None
    reports: list[FileReport] = []
    try:  # from the first worker on: whatever stops this process stops the workers too
        if mask:
            blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        futures = []
        broken: BrokenProcessPool | None = None
        try:
            pool = ProcessPoolExecutor(jobs, initializer=_start_worker, initargs=(plan,))
            for batch in batches:
                futures.append(pool.submit(_check_batch, batch))
        except BrokenProcessPool as error:  # a worker died before the last batch was queued
            broken = error
        finally:
            if mask:
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        done = 0
        for future in futures:
            try:
                reports.extend(future.result())
            except BrokenProcessPool as error:
                broken = error
                break
            done += 1
        if broken is not None:
            with parsing():
                for batch in batches[done:]:
                    reports.extend(check_file(plan, source) for source in batch)
            if stats is not None:
                stats.fallbacks.append(
                    f"a pool worker failed ({broken}); its files were checked here"
                )
    except BaseException:
        if pool is not None:
            _stop(pool)
        raise
    if pool is not None:
        pool.shutdown()
    return reports


def _stop(pool: ProcessPoolExecutor) -> None:
    """End *pool*'s workers now: queued batches cancelled, running ones killed."""
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14
    if terminate is not None:
        terminate()
        return
    # Before 3.14 the executor has no public way to stop a running worker.
    workers: dict[int, Any] = getattr(pool, "_processes", None) or {}
    for worker in list(workers.values()):
        worker.terminate()
    # Wait for the executor's thread, which sees its workers gone at once: left running,
    # it closes its wake-up pipe while the interpreter's exit writes to it (a
    # "Bad file descriptor" traceback at exit, from CPython's own atexit hook, up to 3.11).
    pool.shutdown(wait=True, cancel_futures=True)


class Outcome(NamedTuple):
    #: Every finding, before suppressions (applied by the caller, which audits them).
    findings: list[Finding]
    files: int
    parsed: int
    #: Per file, its suppression comments.
    suppressions: dict[str, Suppressions]
    #: Forked children that reported, and why any failed (their files were checked here).
    forks: int = 0
    fallbacks: tuple[str, ...] = ()


def run(plan: Plan, sources: Sequence[SourceFile], jobs: int | None = None) -> Outcome:
    """All findings for *sources*, with the suppression comments of each file."""
    stats = PoolStats()
    reports = run_files(plan, sources, jobs, stats)
    findings: list[Finding] = []
    classes: list[ClassRecord] = []
    suppressed: dict[str, Suppressions] = {}
    for report in reports:
        findings.extend(report.findings)
        classes.extend(report.classes)
        if report.suppressions:
            suppressed[report.path] = report.suppressions
    if classes:
        findings.extend(unique_findings(plan, classes))
        if any(record.kind == "class" for record in classes):
            classes.extend(inheriting_classes(plan, sources, classes, walk_classes))
            findings.extend(registry_findings(classes))
    parsed = sum(r.parsed for r in reports)
    return Outcome(findings, len(reports), parsed, suppressed, stats.forks, tuple(stats.fallbacks))
