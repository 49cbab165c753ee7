"""The check itself: read each file, prefilter, parse the candidates, then compare across files.

Never imports or executes the code it checks: source is read as bytes and
parsed with ``ast`` only. Big trees are split into batches checked by several
processes; the cross-file checks (``[[unique]]`` classes, registry keys) run
once all files are in.
"""

from __future__ import annotations

import ast
import gc
import os
import re
import stat
import sys
import warnings
from contextlib import contextmanager
from typing import TYPE_CHECKING, Final, NamedTuple

from .._rules._model import Block
from . import _findings as codes
from ._classes import inheriting_classes, registry_findings, unique_findings
from ._findings import Finding, explain
from ._imports import ClassRecord, RawFinding, Walker
from ._prefilter import Plan
from ._screen import declared_encoding, is_utf8
from ._statements import Lexed, Unsure, parse_spans, statements
from ._suppress import Suppressions
from ._suppress import collect as collect_suppressions

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from ._scan import SourceFile

#: Files per batch handed to a worker process.
_BATCH: Final = 32
#: Below this much source to parse, one process is faster than starting others.
_PARALLEL_FROM_BYTES: Final = 3_000_000
#: From this many files, reading and prefiltering are split across processes too.
_SPLIT_FROM_FILES: Final = 600

_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


class FileReport(NamedTuple):
    """What one file yields before the cross-file checks."""

    path: str
    findings: list[Finding]
    classes: list[ClassRecord]
    suppressions: Suppressions
    parsed: bool


def _declared_encoding(data: bytes) -> str | None:
    """The PEP 263 coding cookie of the first two lines, if any."""
    for line in data.split(b"\n", 2)[:2]:
        match = _CODING.match(line)
        if match:
            return match.group(1).decode("ascii", "replace")
        if line.strip() and not line.lstrip().startswith(b"#"):
            break
    return None


def _decode(data: bytes) -> tuple[str | None, str | None, int]:
    """``(text, problem, line)``: the source text, or why it cannot be decoded and where."""
    try:
        return data.decode("utf-8"), None, 0
    except UnicodeDecodeError as error:
        utf8_error = error
    declared = _declared_encoding(data)
    if declared is not None and declared.lower().replace("_", "-") not in ("utf-8", "utf8"):
        try:
            return data.decode(declared), None, 0
        except LookupError:
            return None, f"declares an unknown encoding {declared!r}", 1
        except UnicodeDecodeError as error:
            line = data.count(b"\n", 0, error.start) + 1
            return None, f"is not valid {declared} as it declares: {error.reason}", line
    line = data.count(b"\n", 0, utf8_error.start) + 1
    byte = data[utf8_error.start]
    return (
        None,
        f"is not valid UTF-8 (byte 0x{byte:02x}: {utf8_error.reason}); "
        "save it as UTF-8 or declare its encoding in a coding comment (PEP 263)",
        line,
    )


class _Columns:
    """Turns the UTF-8 byte offsets of ``ast`` into 1-based character columns, lazily."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._lines: list[str] | None = None

    def __call__(self, line: int, offset: int) -> int:
        if self._lines is None:
            self._lines = self._text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        if not 0 < line <= len(self._lines):
            return offset + 1
        text = self._lines[line - 1]
        if text.isascii():
            return offset + 1
        return len(text.encode("utf-8")[:offset].decode("utf-8", "replace")) + 1


def _read(path: str) -> bytes | FileReport:
    try:
        # Non-blocking, and regular files only: a FIFO swapped in after the walk would
        # block the open, a device (/dev/zero) would never end. os-level calls: fewer
        # system calls than open() (no isatty, no seek), which thousands of files notice.
        fd = os.open(path, _READ_FLAGS)
        try:
            status = os.fstat(fd)
            if not stat.S_ISREG(status.st_mode):
                raise OSError(0, "not a regular file")
            # One read for the file's size and a byte more: a regular file comes whole
            # (a short read is the end of the file); only one that grew, or a read the
            # system cut short (over 2 GB), needs the rest read.
            data = os.read(fd, status.st_size + 1)
            if len(data) != status.st_size:
                data += _read_rest(fd)
            return data
        finally:
            os.close(fd)
    except OSError as error:
        why = error.strerror or str(error)
        finding = Finding(path, 1, 1, codes.UNREADABLE, f"cannot read the file: {why}")
        return FileReport(path, [finding], [], {}, parsed=False)


_READ_FLAGS: Final = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def _read_rest(fd: int) -> bytes:
    """What is left of a file that grew, or came short, after its size was taken."""
    parts = []
    while chunk := os.read(fd, 1 << 20):
        parts.append(chunk)
    return b"".join(parts)


def needs_parse(plan: Plan, data: bytes, module: str) -> bool:
    """Whether the prefilter sends this file to the parser."""
    return (
        plan.parse_all
        or plan.rule_hit(data, module)
        or plan.registry_hit(data)
        or plan.unique_hit(data, module)
    )


def check_file(
    plan: Plan, source: SourceFile, data: bytes | None = None, *, candidate: bool = True
) -> FileReport:
    """Everything about one file that does not need the other files.

    *candidate* false says the prefilter already turned the file away: it is only
    decoded, and checked for suppressions and for being a retired module.
    """
    path = source.path
    if data is None:
        read = _read(path)
        if isinstance(read, FileReport):
            return read
        data = read
    text, problem, line = _decode(data)
    if text is None:
        finding = Finding(path, line, 1, codes.NOT_UTF8, f"file {problem}")
        return FileReport(path, [finding], [], {}, parsed=False)
    findings: list[Finding] = []
    suppressions = collect_suppressions(text, data)

    matcher = plan.matcher
    module = source.module
    if matcher.may_match(module):
        entry = plan.match(module)
        if entry is not None and isinstance(entry.rule, Block):
            rule = entry.rule
            findings.append(
                Finding(
                    path,
                    1,
                    1,
                    codes.RETIRED_MODULE_FILE,
                    f"module {module!r} is retired but its file is still in the tree"
                    + explain(rule.use, rule.reason, plan.source_of(rule)),
                    plan.source_of(rule),
                )
            )

    if not candidate:
        return FileReport(path, findings, [], suppressions, parsed=False)
    rule_hit = plan.rule_hit(data, module)
    registry = plan.registry_hit(data)
    unique = plan.unique_hit(data, module)
    if not (rule_hit or registry or unique or plan.parse_all):
        return FileReport(path, findings, [], suppressions, parsed=False)

    places = plan.hot_places(data) if rule_hit else []
    hot = plan.hot_lines(data, places)
    trees: list[ast.Module] | None = None
    if not (registry or unique or plan.parse_all or hot == [0]):
        trees = _parse_statements(plan, data, path, module, places)
    if trees is not None:
        # Only the statements that matter were parsed: walk every line of them.
        walker = Walker(plan, source, hot, [0], registry=False)
        for tree in trees:
            walker.run(tree)
        return _report(path, text, findings, walker, suppressions)
    try:
        tree = ast.parse(data, filename=path)
    except SyntaxError as error:
        # An unknown coding cookie is reported at line 0, column -1: both count from 1.
        where = max(error.lineno or 1, 1)
        column = max(error.offset or 1, 1)
        message = f"file does not parse: {error.msg}"
        findings.append(Finding(path, where, column, codes.SYNTAX_ERROR, message))
        return FileReport(path, findings, [], suppressions, parsed=True)
    except ValueError as error:  # null bytes, where that is not a SyntaxError
        message = f"file does not parse: {error}"
        findings.append(Finding(path, 1, 1, codes.SYNTAX_ERROR, message))
        return FileReport(path, findings, [], suppressions, parsed=True)
    except (RecursionError, MemoryError):
        message = "file does not parse: nested too deeply"
        findings.append(Finding(path, 1, 1, codes.SYNTAX_ERROR, message))
        return FileReport(path, findings, [], suppressions, parsed=True)

    visit = plan.visit_lines(data, hot, registry=registry, module=module)
    walker = Walker(plan, source, hot, visit, registry=registry)
    walker.run(tree)
    return _report(path, text, findings, walker, suppressions)


def _report(
    path: str, text: str, findings: list[Finding], walker: Walker, suppressions: Suppressions
) -> FileReport:
    if walker.findings:
        columns = _Columns(text)
        findings.extend(_finish(path, raw, columns) for raw in walker.findings)
    classes = walker.classes
    if classes:
        columns = _Columns(text)
        classes = [c._replace(offset=columns(c.line, c.offset) - 1) for c in classes]
    return FileReport(path, findings, classes, suppressions, parsed=True)


def _parse_statements(
    plan: Plan, data: bytes, path: str, module: str, places: list[int]
) -> list[ast.Module] | None:
    """Only the statements of the file that can matter, parsed; ``None``: parse it whole.

    The whole file is parsed anyway when the statements are most of it, and
    whenever the cheap path cannot be sure (see ``_statements``).
    """
    anchors, code_only = plan.anchors(data, module, places)
    if not anchors:
        return []
    declared = declared_encoding(data)
    if declared is not None and not is_utf8(declared):
        return None  # the statements alone would lose the coding cookie
    try:
        lexed = Lexed(data, anchors[-1])
        spans = statements(lexed, anchors, code_only=code_only)
        if not plan.deprecated:
            # Without deprecated names, a statement matters only as an import or as a
            # call the walker knows ("import_module(", "patch(", ...): its name is in it.
            spans = [span for span in spans if plan.may_matter(data[span[0] : span[1]])]
        if sum(end - start for start, end in spans) > len(data) // 2:
            return None  # nearly everything: parse it all once
        return parse_spans(lexed, spans, path)
    except Unsure:
        return None


def _walk_classes(plan: Plan, source: SourceFile) -> list[ClassRecord]:
    """Every class of one file, for the registry's inheritance: parsed whole, walked whole."""
    data = _read(source.path)
    if isinstance(data, FileReport):
        return []
    try:
        with _parsing():
            tree = ast.parse(data, filename=source.path)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []  # reported, if at all, by the main pass
    walker = Walker(plan, source, [], [0], registry=True)
    walker.run(tree)
    columns = _Columns(data.decode("utf-8", "replace"))
    return [
        record._replace(offset=columns(record.line, record.offset) - 1)
        for record in walker.classes
        if record.kind == "class"
    ]


def _finish(path: str, raw: RawFinding, columns: _Columns) -> Finding:
    return Finding(
        path,
        raw.line,
        columns(raw.line, raw.offset),
        raw.code,
        raw.message,
        raw.rule,
        end_line=raw.end_line,
    )


@contextmanager
def _parsing() -> Iterator[None]:
    """No garbage collection and no warnings from parsing the checked code.

    Parsing makes many objects and no reference cycles: the collector would only
    slow it down (by a fifth on Django's source). Warnings such as a SyntaxWarning
    for ``"\\d"`` are about the checked code, and not ours to show.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        if collecting:
            gc.enable()


_worker_plan: Plan | None = None


def _start_worker(plan: Plan) -> None:
    global _worker_plan
    _worker_plan = plan


def _check_batch(sources: list[SourceFile]) -> list[FileReport]:
    assert _worker_plan is not None
    with _parsing():
        return [check_file(_worker_plan, source) for source in sources]


def default_jobs(candidate_bytes: int) -> int:
    """Processes for parsing this much source: one unless it is worth starting others."""
    if candidate_bytes < _PARALLEL_FROM_BYTES:
        return 1
    return max(1, min(_cores(), candidate_bytes // (_PARALLEL_FROM_BYTES // 2)))


def run_files(plan: Plan, sources: Sequence[SourceFile], jobs: int | None) -> list[FileReport]:
    """Check *sources*: the prefilter here, the parsing in *jobs* processes.

    Reading and prefiltering are cheap and done in this process; only when the
    candidates are big enough (or *jobs* says so) are they parsed by a pool.
    """
    if jobs is None and len(sources) >= _SPLIT_FROM_FILES and _cores() == 2 and _can_fork():
        # Reading and searching thousands of files is itself worth a second process.
        return _forked(plan, sources)
    reports: list[FileReport] = []
    candidates: list[tuple[SourceFile, bytes]] = []
    size = 0
    with _parsing():
        for source in sources:
            data = _read(source.path)
            if isinstance(data, FileReport):
                reports.append(data)
            elif needs_parse(plan, data, source.module):
                candidates.append((source, data))
                size += len(data)
            else:
                reports.append(check_file(plan, source, data, candidate=False))
        jobs = default_jobs(size) if jobs is None else max(1, jobs)
        if jobs == 1 or len(candidates) < 2:
            reports.extend(check_file(plan, source, data) for source, data in candidates)
            return reports
    # Workers read the files again (from the page cache) rather than receive them.
    reports.extend(_in_pool(plan, [source for source, _ in candidates], jobs))
    return reports


def _can_fork() -> bool:
    import threading

    # Forking a process that runs other threads may copy a lock some thread holds;
    # on macOS, system libraries are not fork-safe at all.
    return hasattr(os, "fork") and sys.platform != "darwin" and threading.active_count() == 1


def _forked(plan: Plan, sources: Sequence[SourceFile]) -> list[FileReport]:
    """:func:`run_files` over half of *sources* here and half in a forked child.

    For two cores, the common CI runner: with more, the pool of :func:`run_files`
    parses on all of them.

    A bare ``fork`` and a pipe cost a few milliseconds, where a process pool costs
    tens: on a tree of a few thousand files that is the difference that matters.
    If the child fails in any way, this process checks its half too.
    """
    import pickle

    theirs, mine = list(sources[1::2]), list(sources[0::2])
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child, which never returns
        status = 1
        try:
            os.close(reader)
            with os.fdopen(writer, "wb") as pipe:
                pickle.dump(run_files(plan, theirs, 1), pipe, pickle.HIGHEST_PROTOCOL)
            status = 0
        finally:
            os._exit(status)
    os.close(writer)
    reports = run_files(plan, mine, 1)
    with os.fdopen(reader, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(child, 0)
    try:
        if status != 0:
            raise ValueError(f"child exited with status {status}")
        reports.extend(pickle.loads(data))
    except Exception:  # the child's half is checked again, here
        reports.extend(run_files(plan, theirs, 1))
    return reports


def _cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _in_pool(plan: Plan, sources: list[SourceFile], jobs: int) -> list[FileReport]:
    """:func:`check_file` for *sources* in a pool of *jobs* processes."""
    from concurrent.futures import ProcessPoolExecutor  # only big jobs pay for it

    # Interleaved batches even out big and small files.
    count = max(jobs * 4, -(-len(sources) // _BATCH))
    batches = [sources[i::count] for i in range(count)]
    with ProcessPoolExecutor(jobs, initializer=_start_worker, initargs=(plan,)) as pool:
        return [report for batch in pool.map(_check_batch, batches) for report in batch]


class Outcome(NamedTuple):
    #: Every finding, before suppressions (applied by the caller, which audits them).
    findings: list[Finding]
    files: int
    parsed: int
    #: Per file, its suppression comments.
    suppressions: dict[str, Suppressions]


def run(plan: Plan, sources: Sequence[SourceFile], jobs: int | None = None) -> Outcome:
    """All findings for *sources*, with the suppression comments of each file."""
    reports = run_files(plan, sources, jobs)
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
            classes.extend(inheriting_classes(plan, sources, classes, _walk_classes))
            findings.extend(registry_findings(classes))
    return Outcome(findings, len(reports), sum(r.parsed for r in reports), suppressed)
