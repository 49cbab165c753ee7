"""Reading a TOML file from disk: only what will be read, opened safely, parsed once.

Loaded when the config cache misses (``_load.read_toml``): a cached start-up
imports neither this module nor ``tomllib``.
"""

from __future__ import annotations

import os

from .._base._errors import ConfigError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from typing import Any, BinaryIO


def parse_toml(
    path: str, *, discovered: bool
) -> tuple[dict[str, Any], ConfigError | None, os.stat_result]:
    """The document at *path*; for a *discovered* file another user could have
    planted, why it is not to be trusted (``None``: trusted); and the status of
    the file read, taken after reading it (the cache stores the document only
    if that is still the file its key describes). The caller decides:
    someone else's ``pyproject.toml`` without our table is not ours to judge.
    """
    import tomllib  # not needed by a guard built from Python rules

    try:
        with open_regular_file(path) as f:
            distrust = _distrust(path, f.fileno()) if discovered else None
            try:
                document = tomllib.load(f)
            except ValueError:  # broken TOML or not UTF-8: from a stranger, say that instead
                if distrust is not None:
                    raise distrust from None
                raise
            return document, distrust, os.fstat(f.fileno())
    except FileNotFoundError:
        raise ConfigError("file not found", file=path) from None
    except IsADirectoryError:
        raise ConfigError("is a directory; expected a TOML file", file=path) from None
    except _NotRegularFile as e:
        raise ConfigError(
            f"is not a regular file but {e}; expected a TOML file", file=path
        ) from None
    except OSError as e:
        # Found by walking up from the working directory, it may not be the file meant.
        hint = "; fix that, or set SSOT_GUARD_CONFIG to the file to use" * discovered
        raise ConfigError(f"cannot read: {e.strerror}{hint}", file=path) from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"broken TOML: {e}", file=path) from None
    except UnicodeDecodeError as e:
        raise ConfigError(f"not UTF-8: {e.reason} at byte {e.start}", file=path) from None
    except RecursionError:  # tomllib recurses once per level of nesting
        raise ConfigError("arrays or inline tables nested too deeply to parse", file=path) from None


def _distrust(path: str, fd: int) -> ConfigError | None:
    """Why the discovered file open on *fd* is not to be trusted, or ``None``."""
    from ._trust import refuse_untrusted

    try:
        refuse_untrusted(path, os.fstat(fd))  # the file being read, not what its name is now
    except ConfigError as error:
        return error
    return None


class _NotRegularFile(OSError):
    """A configuration path that names a device, a FIFO or a socket."""


def open_regular_file(path: str) -> BinaryIO:
    """*path* opened for reading if it is a regular file; ``_NotRegularFile`` otherwise.

    Opened without blocking and checked on the open descriptor: ``/dev/null``
    would read as an empty, silently rule-less configuration, a FIFO would block
    for ever, ``/dev/zero`` would be read until memory runs out.
    """
    import stat

    nonblocking = getattr(os, "O_NONBLOCK", 0)  # POSIX; elsewhere FIFOs do not arise
    fd = os.open(path, os.O_RDONLY | nonblocking)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(path)
        if not stat.S_ISREG(mode):
            kind = (
                "a FIFO"
                if stat.S_ISFIFO(mode)
                else "a socket"
                if stat.S_ISSOCK(mode)
                else "a device"
            )
            raise _NotRegularFile(kind)
        if nonblocking:
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
