"""Writing a rewritten file: atomically, in place, never through a link, never elsewhere."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile


def outside(path: str, roots: list[str]) -> bool:
    """Whether *path* (its real location) is outside every one of *roots* (real paths)."""
    real = os.path.realpath(path)
    return not any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def refusal(path: str, roots: list[str]) -> str | None:
    """Why *path* must not be written, or ``None``."""
    if os.path.islink(path):
        return "is a symbolic link; fix does not write through links (rewrite its target)"
    if outside(path, roots):
        return "lies outside the paths given (reached through a linked directory); not written"
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        return f"cannot be written: {error.strerror or error}"
    if not mode & stat.S_IWUSR:
        # Replacing it would succeed (the directory is writable), but someone made it read-only.
        return "is read-only; not written (make it writable to fix it)"
    return None


def write_atomic(path: str, data: bytes) -> None:
    """Replace *path*'s content with *data*: a temporary file beside it, then ``os.replace``.

    A crash leaves the old file or the new one, never part of either. The file keeps
    its permission bits.
    """
    directory = os.path.dirname(path) or "."
    mode = stat.S_IMODE(os.stat(path).st_mode)
    handle, temporary = tempfile.mkstemp(
        dir=directory, prefix="." + os.path.basename(path) + ".", suffix=".ssot-fix"
    )
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
