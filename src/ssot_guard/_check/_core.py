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
import warnings
from contextlib import contextmanager
from typing import TYPE_CHECKING, Final, NamedTuple

from .._rules._model import Block
from . import _findings as codes
from ._findings import Finding, explain, too_large
from ._imports import Walker
from ._nodes import ClassRecord, RawFinding
from ._prefilter import Plan
from ._screen import declared_encoding, is_utf8
from ._statements import Lexed, Unsure, parse_spans, statements
from ._suppress import Suppressions
from ._suppress import collect as collect_suppressions

if TYPE_CHECKING:
    from collections.abc import Iterator

    from ._scan import SourceFile


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
        # ast's offsets on the first line start after a byte order mark; so do columns.
        self._text = text[1:] if text.startswith("\ufeff") else text
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


def read_source(path: str) -> bytes | FileReport:
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
        read = read_source(path)
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
    if len(data) > plan.max_file_size:
        findings.append(too_large(path, plan.max_file_size))
        return FileReport(path, findings, [], suppressions, parsed=False)
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
    if data.startswith(b"\xef\xbb\xbf"):
        # A first-line keyword follows the BOM's bytes, which the byte patterns read as
        # part of a name: it would be missed. Rare enough (Windows editors) to parse whole.
        return None
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


def walk_classes(plan: Plan, source: SourceFile) -> list[ClassRecord]:
    """Every class of one file, for the registry's inheritance: parsed whole, walked whole."""
    data = read_source(source.path)
    if isinstance(data, FileReport) or len(data) > plan.max_file_size:
        return []  # too large: not walked for subclasses (SSOT905 where it must be parsed)
    try:
        with parsing():
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
def parsing() -> Iterator[None]:
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
