"""``SSOT_GUARD_RECORD=<path>``: each new violation appended to a file as one JSON line.

Production sees imports that no test runs (a plugin loaded by name, a rarely
taken branch); ``ssot-guard check --runtime <path>`` turns these lines into
findings in CI. So a line names the importer by **module** and line, and by
its file relative to the ``sys.path`` entry it was imported from: a record
written in a container whose code lives in ``/srv/app`` maps onto a checkout
anywhere.

Many processes (server workers, spawn children, xdist workers) append to the
same file at once: each line is one ``write()`` on a descriptor opened with
``O_APPEND``, which the kernel positions at the end atomically, so lines never
interleave. The file is opened for each line (new locations are rare), which
keeps it right across ``fork()`` and log rotation. Writing happens on the
violation path, possibly in ``find_spec`` under the import lock: it imports
nothing (``_json`` is imported at ``install()``) and never raises.
"""

from __future__ import annotations

import os
import sys
import time
from stat import S_ISREG

from .._base._errors import ConfigError
from .._base._messages import shown
from ._record import log, recorder

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Final

    from ._record import Violation

RECORD_ENV: Final = "SSOT_GUARD_RECORD"
#: The format of a line; ``check --runtime`` refuses lines of a version it does not know.
RECORD_VERSION: Final = 1


class RecordWriter:
    """The ``recorder`` callback that appends a violation's first occurrence to *path*."""

    __slots__ = ("encode", "failed", "path", "setting")

    def __init__(self, path: str, encode: Callable[[str], str], setting: str) -> None:
        self.path = path
        #: ``SSOT_GUARD_RECORD`` as set: a relative path keeps the meaning it had then.
        self.setting = setting
        self.encode = encode
        self.failed = False

    def __call__(self, violation: Violation) -> None:
        if violation.count != 1:
            return  # one line per location and process: its first occurrence
        try:
            line = self.line(violation).encode("ascii")
            fd = os.open(self.path, _FLAGS, 0o644)
            try:
                written = os.write(fd, line)  # one write per line: appends never interleave
                if written != len(line):
                    undone = _take_back(fd, written)
                    raise OSError(
                        f"only {written} of {len(line)} bytes fit (a full disk or pipe, a file "
                        f"size limit); the part written was {'taken back' if undone else 'left'}"
                    )
            finally:
                os.close(fd)
        except Exception as error:  # never let recording break an import
            if not self.failed:
                self.failed = True
                log(
                    40,  # logging.ERROR
                    "cannot append to %s (%s=%s): %s; lines that cannot be written are dropped, "
                    "and not reported again",
                    self.path,
                    RECORD_ENV,
                    self.path,
                    error,
                )

    def line(self, violation: Violation) -> str:
        """The JSON line (``\\n``-terminated, ASCII) for *violation*."""
        fields: dict[str, object] = {
            "ssot_guard_record": RECORD_VERSION,
            "kind": violation.kind,
            "name": violation.name,
            "rule": violation.rule,
            "reason": violation.reason,
            "replacement": violation.replacement,
            "importer": violation.importer,
            "file": relative_file(violation.filename),
            "line": violation.lineno,
            "mode": violation.mode,
            "path": violation.filename,
            "pid": os.getpid(),
            "time": round(time.time(), 3),
        }
        encode = self.encode
        parts = []
        for key, value in fields.items():
            if value is None:
                text = "null"
            elif isinstance(value, bool):
                text = "true" if value else "false"
            elif isinstance(value, int | float):
                text = repr(value)
            else:
                text = encode(str(value))
            parts.append(f'"{key}": {text}')
        return "{" + ", ".join(parts) + "}\n"


def _take_back(fd: int, written: int) -> bool:
    """Remove the *written* bytes of a line that did not fit, unless another line followed.

    A torn line would glue the next writer's line to it, and ``check --runtime``
    refuses a file holding a line that is not JSON. The file ends where this write
    ended unless another process appended since: then the torn line stays.
    """
    status = os.fstat(fd)
    if not S_ISREG(status.st_mode):  # a FIFO: what was written has gone
        return False
    end = os.lseek(fd, 0, os.SEEK_CUR)
    if status.st_size != end:
        return False
    os.ftruncate(fd, end - written)
    return True


def relative_file(filename: str | None) -> str | None:
    """*filename* relative to the longest ``sys.path`` entry holding it, with ``/``."""
    if not filename or not os.path.isabs(filename):
        return filename
    best = ""
    for entry in sys.path:
        if not isinstance(entry, str):
            continue
        try:
            root = os.path.abspath(entry or os.curdir)
        except OSError:  # relative, and the working directory was deleted (a deploy)
            continue
        prefix = root if root.endswith(os.sep) else root + os.sep
        if filename.startswith(prefix) and len(prefix) > len(best):
            best = prefix
    relative = filename[len(best) :] if best else filename
    return relative.replace(os.sep, "/")


_writer: RecordWriter | None = None
# O_NONBLOCK: a FIFO with no reader fails at once (ENXIO) instead of hanging the import.
# Windows has neither O_NONBLOCK (nor FIFOs) nor O_CLOEXEC (its descriptors are not
# inherited), and needs O_BINARY, or each "\n" would be written as "\r\n".
_FLAGS: Final = (
    os.O_WRONLY
    | os.O_APPEND
    | os.O_CREAT
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_BINARY", 0)
)


def subscribe_from_env() -> None:
    """Start (or stop) appending to the file ``SSOT_GUARD_RECORD`` names. ``install()`` calls it.

    Checked here, outside the import lock: a value that names a directory is a
    ``ConfigError``. The file is created at the first violation.
    """
    global _writer
    path = os.environ.get(RECORD_ENV, "").strip()
    # Compared as set, not resolved again: after a chdir (a daemon going to ``/``) a
    # relative path would name another file.
    if _writer is not None and path != _writer.setting:
        if _writer in recorder.callbacks:  # unless someone cleared the callbacks
            recorder.callbacks.remove(_writer)
        _writer = None
    if not path or _writer is not None:
        return
    setting, path = path, os.path.abspath(path)
    if os.path.isdir(path):
        raise ConfigError(
            "is a directory; name a file to append violations to (it is created if missing)",
            file=f"environment variable {RECORD_ENV}={shown(path)}",
        )
    if not os.path.isdir(os.path.dirname(path)):
        raise ConfigError(
            f"directory {shown(os.path.dirname(path))} does not exist; "
            "create it or name another file",
            file=f"environment variable {RECORD_ENV}={shown(path)}",
        )
    from _json import encode_basestring_ascii  # C, no imports: safe on the violation path

    _writer = RecordWriter(path, encode_basestring_ascii, setting)
    recorder.callbacks.append(_writer)
