"""``ssot-guard check --runtime RECORD...``: production's violations as findings in CI.

``SSOT_GUARD_RECORD`` makes every guarded process append one JSON line per
new violation (see ``_report/_jsonl.py``). Here each line becomes a finding at
its file and line **in the checked tree**: the importer's module name is
looked up among the files the check discovered (so ``/srv/app/app/x.py`` in a
container is ``src/app/x.py`` in the checkout), else its path relative to its
``sys.path`` root. Lines from many processes and files that say the same
thing are one finding, and one that a static finding already reports at the
same place adds nothing. A record whose module is not in the tree any more
is reported as stale (``SSOT904``) at its line in the record file, so it is
seen and cleared rather than silently dropped. The findings then go through
the baseline like the static ones.
"""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any, Final

from .._base._errors import SSOTError
from .._base._files import read_regular
from .._base._messages import describe
from . import _findings as codes
from ._findings import Finding

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from ._scan import SourceFile

#: Record kind -> (runtime code, the static code that reports the same thing).
KIND_CODES: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    "import": (codes.RUNTIME_BLOCKED_IMPORT, (codes.BLOCKED_IMPORT,)),
    "preloaded": (codes.RUNTIME_BLOCKED_IMPORT, (codes.BLOCKED_IMPORT,)),
    "redirect": (codes.RUNTIME_REDIRECTED_IMPORT, (codes.REDIRECTED_IMPORT,)),
    "deprecated-name": (codes.RUNTIME_DEPRECATED_NAME, (codes.DEPRECATED_NAME,)),
    "duplicate-class": (
        codes.RUNTIME_DUPLICATE_CLASS,
        (codes.DUPLICATE_UNIQUE_CLASS, codes.DUPLICATE_REGISTRY_KEY),
    ),
}
_VERSION: Final = 1


class RuntimeRecordError(SSOTError, ValueError):
    """A ``--runtime`` file that is missing, unreadable, or holds a line that is no record."""


class Record:
    """One valid line of a record file, and where it was read."""

    __slots__ = ("data", "lineno", "source")

    def __init__(self, source: str, lineno: int, data: dict[str, Any]) -> None:
        self.source = source
        self.lineno = lineno
        self.data = data


def record_files(paths: Iterable[str]) -> list[str]:
    """The files named: a directory stands for the ``*.jsonl`` files directly inside it."""
    found: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            found += sorted(
                os.path.join(path, name) for name in os.listdir(path) if name.endswith(".jsonl")
            )
        elif os.path.exists(path):
            found.append(path)
        else:
            raise RuntimeRecordError(f"--runtime {path}: no such file or directory")
    return found


def read_records(path: str) -> list[Record]:
    """Every record in *path*; the first line that is not one is a ``RuntimeRecordError``."""
    try:
        # A FIFO or device given as a record (or named *.jsonl in a record directory)
        # would block or never end: only a regular file is read.
        data = read_regular(path)
    except OSError as error:
        raise RuntimeRecordError(f"--runtime {path}: cannot read: {error.strerror}") from None
    records = []
    for lineno, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except (ValueError, RecursionError):  # RecursionError: arrays nested too deeply
            raise RuntimeRecordError(
                f"{path}:{lineno}: not a JSON line; a --runtime file holds the lines that "
                "SSOT_GUARD_RECORD appends, one JSON object per line"
            ) from None
        problem = _problem(value)
        if problem:
            raise RuntimeRecordError(f"{path}:{lineno}: {problem}")
        records.append(Record(path, lineno, value))
    return records


def _problem(value: object) -> str | None:
    """What makes *value* no record, or ``None``."""
    if not isinstance(value, dict):
        return f"expected a JSON object, got {type(value).__name__}"
    version = value.get("ssot_guard_record")
    if type(version) is not int or version != _VERSION:  # not true or 1.0, which == 1
        return (
            f"key 'ssot_guard_record': expected {_VERSION} (a line SSOT_GUARD_RECORD wrote), "
            f"got {version!r}"
        )
    if not isinstance(value.get("kind"), str) or value["kind"] not in KIND_CODES:
        return f"key 'kind': expected one of {', '.join(KIND_CODES)}, got {value.get('kind')!r}"
    for key in ("name", "rule"):
        if not isinstance(value.get(key), str):
            return f"key {key!r}: expected a string, got {value.get(key)!r}"
    for key in ("importer", "file", "reason", "replacement"):
        if value.get(key) is not None and not isinstance(value[key], str):
            return f"key {key!r}: expected a string or null, got {value[key]!r}"
    line = value.get("line")
    if line is not None and (not isinstance(line, int) or isinstance(line, bool) or line < 1):
        return f"key 'line': expected a positive integer or null, got {line!r}"
    return None


def _locate(data: dict[str, Any], modules: dict[str, str], files: list[str]) -> str | None:
    """The checked file that *data* happened in, or ``None`` if the tree has none."""
    importer = data.get("importer")
    if importer in modules:
        return modules[importer]
    relative = data.get("file")
    if relative:
        # ``__main__`` and code without a module name: by the path below its sys.path root.
        tail = "/" + relative.lstrip("/")
        for path in files:
            normal = path.replace(os.sep, "/")
            if normal.endswith(tail) or normal == relative:
                return path
    return None


def runtime_findings(
    record_paths: Iterable[str], sources: Sequence[SourceFile], static: Iterable[Finding]
) -> list[Finding]:
    """Findings for the records in *record_paths*, against the files *sources*."""
    modules = {source.module: source.path for source in sources}
    files = [source.path for source in sources]
    already = {(f.path, f.line, f.code) for f in static}
    found: dict[tuple[str, int, str, str], Finding] = {}
    repeats: dict[tuple[str, int, str, str], int] = {}
    for path in record_files(record_paths):
        for record in read_records(path):
            finding = _finding(record, modules, files)
            statics = KIND_CODES[record.data["kind"]][1]
            if any((finding.path, finding.line, c) in already for c in statics):
                continue  # the static check reports this very place
            if finding.code == codes.STALE_RUNTIME_RECORD:
                # Placed at its record line, each process's copy would be a finding of
                # its own: the same stale thing is one, at its first line.
                key = ("", 0, finding.code, finding.message)
            else:
                key = (finding.path, finding.line, finding.code, finding.message)
            found.setdefault(key, finding)
            repeats[key] = repeats.get(key, 0) + 1
    for key, finding in found.items():
        if finding.code == codes.STALE_RUNTIME_RECORD and repeats[key] > 1:
            finding.message += f" (and {repeats[key] - 1} more line(s) saying the same)"
    return list(found.values())


def _finding(record: Record, modules: dict[str, str], files: list[str]) -> Finding:
    data = record.data
    kind = data["kind"]
    where = _locate(data, modules, files)
    seen_at = f"{data.get('importer') or data.get('file') or '<unknown>'}:{data.get('line')}"
    if where is None:
        return Finding(
            record.source,
            record.lineno,
            1,
            codes.STALE_RUNTIME_RECORD,
            "stale record: "
            + describe(kind, data["name"], where=f"run time in {seen_at}")
            + ", which is not in the checked tree; if the code is gone, delete this record",
            data["rule"],
        )
    code = KIND_CODES[kind][0]
    # The runtime's own wording, with "at run time" for the location the record saw.
    message = describe(
        kind,
        data["name"],
        use=data.get("replacement"),
        reason=data.get("reason"),
        rule=data["rule"],
        where="run time",
    )
    return Finding(where, data.get("line") or 1, 1, code, message, data["rule"])


def with_runtime(
    findings: list[Finding],
    record_paths: Sequence[str],
    check_paths: Sequence[str],
    *,
    exclude: Iterable[str] = (),
    config: str | None = None,
) -> list[Finding]:
    """*findings* and the runtime findings of *record_paths*, sorted like the check's.

    The tree is walked with the check's configurations (*config*, else the nearest
    one per path), so that each file has the module name the check gives it (a
    ``src`` setting makes ``src/app/x.py`` the module ``app.x``).
    """
    from ._settings import Projects
    from ._walk import scan

    found = scan(
        [os.fspath(p) for p in check_paths],
        Projects(config),
        exclude=exclude,
        respect_gitignore=False,
    )
    sources = [source for project in found.files for source in found.sources(project)]
    merged = findings + runtime_findings(record_paths, sources, findings)
    merged.sort(key=Finding.sort_key)
    return merged
