"""A cache of parsed configuration files, so that start-up skips ``tomllib``.

Importing ``tomllib`` and parsing a long ``pyproject.toml`` is most of what
``install()`` costs, and with autoinstall every interpreter pays it. So the
part of a parsed file that ssot_guard reads (``[tool.ssot_guard]``) is kept
in one small file per configuration under the user's cache directory, and
read back when the configuration has not changed.

- **Never stale.** The key is the file's absolute path, device, inode, size,
  ``mtime_ns`` and ``ctime_ns`` (which no one can set back), our version and
  the interpreter's ``marshal`` format, all taken *before* the file is read;
  what is read is stored only if the open file is still the one the key
  describes (a symlink flipped in between must not lend its new target's
  table to the old one).
  A file modified within the last two seconds is not cached at all (the
  "racy git" rule): a later edit in the same clock tick could keep its size
  and times.
- **Nothing executes on load.** ``marshal`` of plain data (dicts, lists,
  strings, numbers, booleans), checked after loading: never ``pickle``.
  ``marshal`` is no defence against a crafted file, so a cache file is read
  only if it and its directory belong to the current user and no one else
  can write them; otherwise it is ignored.
- **Corrupt or foreign files** (other version, other key, truncated) are
  ignored and rewritten.
- **Unwritable locations** (read-only container, no home directory) cost
  speed only: every error is swallowed here, and the file is parsed.
- **Concurrent writers**: each writes a temporary file of its own and
  ``os.replace`` s it into place, so a reader sees a whole file or none.

``SSOT_GUARD_CACHE_DIR`` names another directory; ``off`` turns the cache off.
"""

from __future__ import annotations

import marshal
import os
import sys
import time

from .._base._errors import ConfigError
from .._base._messages import shown

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from typing import Any, Final

CACHE_ENV: Final = "SSOT_GUARD_CACHE_DIR"
OFF: Final = "off"
#: Bumped whenever what is stored changes shape.
FORMAT: Final = 1
#: A file modified more recently than this is not cached ("racy git").
RACY_SECONDS: Final = 2.0

_PLAIN = (str, int, float, bool, type(None))


def cache_dir() -> str | None:
    """Where cache files live, or ``None`` if nowhere (turned off, or no home directory)."""
    named = os.environ.get(CACHE_ENV, "").strip()
    if named.lower() == OFF:
        return None
    if named:
        if not os.path.isabs(named):
            # Relative to each process's working directory, it would leave a cache
            # directory wherever a program starts ("false", "0", an unexpanded "~/...").
            raise ConfigError(
                "not an absolute path; set it to an absolute directory, or 'off' for no cache",
                file=f"environment variable {CACHE_ENV}={shown(named)}",
            )
        return os.path.normpath(named)
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    if not base or not os.path.isabs(base):
        home = os.path.expanduser("~")
        if home == "~" or not os.path.isabs(home):
            return None  # no home directory: no cache, only speed lost
        base = os.path.join(home, ".cache")
    return os.path.join(base, "ssot_guard")


def stat_key(path: str) -> tuple[Any, ...] | None:
    """The cache key of the file at *path* as it is now; ``None`` if it cannot be cached.

    A ``ConfigError`` if ``SSOT_GUARD_CACHE_DIR`` is not allowed: asked here, on every
    read, so that a bad value is reported whether or not this file is cached yet.
    """
    if cache_dir() is None:
        return None
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    if time.time() - st.st_mtime < RACY_SECONDS or time.time() - st.st_ctime < RACY_SECONDS:
        return None  # too fresh to trust its times: an edit in the same tick could hide
    return (
        FORMAT,
        _version(),
        marshal.version,
        sys.implementation.cache_tag,
        os.path.abspath(path),
        *_identity(st),
    )


def _identity(st: os.stat_result) -> tuple[int, ...]:
    """Which file, in which state: the last part of a key."""
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def load(key: tuple[Any, ...]) -> dict[str, Any] | None:
    """The document stored under *key*, or ``None`` (missing, foreign, stale, or untrusted)."""
    directory = cache_dir()
    if directory is None or not _private_dir(directory):
        return None
    # Not following a symlink, and not blocking: a FIFO in its place would wait for a
    # writer for ever in every interpreter that starts (fstat then refuses it).
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(_file_for(directory, key), flags)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not _private(st) or not _is_regular(st.st_mode) or st.st_size > 64 * 1024 * 1024:
            return None
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read()
    except OSError:
        return None
    finally:
        os.close(fd)
    try:
        stored = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return None  # corrupt: rewritten after this start-up parses the file
    if not (isinstance(stored, tuple) and len(stored) == 2 and stored[0] == key):
        return None  # another file's, another version's, or an older state of this one
    document = stored[1]
    if not isinstance(document, dict) or not _plain(document):
        return None
    return document


def store(key: tuple[Any, ...] | None, document: dict[str, Any], read: os.stat_result) -> None:
    """Keep *document*, read from the file whose status is *read*, under *key*.

    Only if *read* is the file *key* describes: the path may have been
    replaced between the two (a release symlink flipped, a file renamed over
    it), and what was read must not become the old file's table, to be used
    again when a rollback puts that file back. Any failure only means the next
    start parses again.
    """
    if key is None or key[5:] != _identity(read):
        return
    directory = cache_dir()
    if directory is None:
        return
    try:
        data = marshal.dumps((key, _kept(document, key[4])))
    except ValueError:
        return  # a value marshal cannot hold (a TOML date inside the table): not cached
    try:
        _make_private_dir(directory)
        if not _private_dir(directory):
            return
        target = _file_for(directory, key)
        temporary = f"{target}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(temporary, flags, 0o600)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(temporary, target)
        except BaseException:
            _remove(temporary)
            raise
        _prune(directory)
    except (OSError, RecursionError):  # os.makedirs recurses once per missing parent
        return


#: Seconds after which a temporary file is a writer's that was killed mid-write.
ABANDONED_SECONDS: Final = 3600.0
#: Seconds after which a cache file no start rewrote is removed: one start parses again
#: (an unchanged config's file is not rewritten; other installs' files would pile up).
UNUSED_SECONDS: Final = 30 * 24 * 3600.0


def _prune(directory: str) -> None:
    """Remove abandoned temporary files and long-unwritten cache files (on a miss only)."""
    now = time.time()
    with os.scandir(directory) as entries:
        for entry in entries:
            if not entry.name.startswith("config-") or not entry.is_file(follow_symlinks=False):
                continue
            age = now - entry.stat(follow_symlinks=False).st_mtime
            if age > (ABANDONED_SECONDS if entry.name.endswith(".tmp") else UNUSED_SECONDS):
                _remove(entry.path)


def _kept(document: dict[str, Any], path: str) -> dict[str, Any]:
    """What ssot_guard reads of *document*: ``tool.ssot_guard`` if present, else all of it.

    A ``pyproject.toml`` without the table keeps nothing: discovery only asks
    whether it has one (and the ruff, mypy or pytest tables may hold dates,
    which marshal cannot store). Other files are read at their top level.
    """
    tool = document.get("tool")
    if isinstance(tool, dict) and "ssot_guard" in tool:
        return {"tool": {"ssot_guard": tool["ssot_guard"]}}
    if os.path.basename(path) == "pyproject.toml":
        return {}
    return document


def _file_for(directory: str, key: tuple[Any, ...]) -> str:
    """One file per configuration path, ssot_guard version and interpreter: the 64-bit
    FNV-1a hash of those names it.

    Two installs (or Pythons) sharing a configuration get a file each, instead of
    overwriting each other's at every start and never hitting. Not ``hashlib`` or
    ``zlib``: importing either costs more than hashing here, and a collision only
    means a miss (the whole key is checked on load).
    """
    digest = 0xCBF29CE484222325
    for byte in repr(key[:5]).encode("utf-8", "surrogateescape"):
        digest = ((digest ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return os.path.join(directory, f"config-{digest:016x}")


def _plain(value: object, depth: int = 0) -> bool:
    """Whether *value* holds only TOML's plain types (no code object, no bytes)."""
    if depth > 64:
        return False
    # marshal makes exact types, never subclasses; a string, most of a config, is
    # checked here rather than by a call per value (a 500-rule file has 2,000).
    if type(value) is dict:
        for key, item in value.items():
            if type(key) is not str or (type(item) is not str and not _plain(item, depth + 1)):
                return False
        return True
    if type(value) is list:
        return all(type(item) is str or _plain(item, depth + 1) for item in value)
    return isinstance(value, _PLAIN)


def _private(st: os.stat_result) -> bool:
    """Owned by us and writable by no one else."""
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def _private_dir(directory: str) -> bool:
    if not hasattr(os, "getuid"):
        return False  # no ownership to check: no cache
    try:
        st = os.lstat(directory)
    except OSError:
        return False
    return _is_dir(st.st_mode) and _private(st)


def _make_private_dir(directory: str) -> None:
    if not hasattr(os, "getuid"):
        return  # no ownership to check: never used (see _private_dir)
    existing = directory
    while not os.path.lexists(existing) and os.path.dirname(existing) != existing:
        existing = os.path.dirname(existing)
    if existing == directory:
        return  # there already: _private_dir judges it
    if os.getuid() == 0 and os.stat(existing).st_uid != 0:
        # Root with another user's HOME (a Dockerfile's RUN before USER, sudo keeping
        # HOME): a root-owned ~/.cache would lock that user out of it, for every program.
        return
    try:
        # 0700 as XDG asks: under umask 0 a new ~/.cache would be writable by every user.
        os.makedirs(os.path.dirname(directory), 0o700, exist_ok=True)
        os.mkdir(directory, 0o700)
    except FileExistsError:
        pass


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        return  # already gone (contextlib.suppress would import contextlib at start-up)


def _is_regular(mode: int) -> bool:
    return mode & 0o170000 == 0o100000  # stat.S_ISREG without importing stat


def _is_dir(mode: int) -> bool:
    return mode & 0o170000 == 0o040000  # stat.S_ISDIR


def _version() -> tuple[str, int]:
    """Which ssot_guard wrote the file: this module's path and modification time.

    What is stored is the raw table as ``tomllib`` parsed it (the Python
    version is in the key), validated afresh at every start; this only makes
    sure that an upgraded or reinstalled ssot_guard never reads an older
    layout (``FORMAT`` aside) without importing package metadata.
    """
    try:
        return __file__, os.stat(__file__).st_mtime_ns
    except OSError:
        return __file__, 0
