"""Writing a rewritten file: atomically, in place, never through a link, never elsewhere."""

from __future__ import annotations

import contextlib
import errno
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
        status = os.stat(path)
    except OSError as error:
        return f"cannot be written: {error.strerror or error}"
    mode = status.st_mode
    if status.st_nlink > 1:
        # A new file renamed over this name would leave the other names with the old content.
        return "has other hard links; not written (replacing it would split them)"
    if not mode & stat.S_IWUSR:
        # Replacing it would succeed (the directory is writable), but someone made it read-only.
        return "is read-only; not written (make it writable to fix it)"
    return None


def write_atomic(path: str, data: bytes) -> None:
    """Replace *path*'s content with *data*: a temporary file beside it, then ``os.replace``.

    A crash leaves the old file or the new one, never part of either. The file keeps
    its permission bits and its owner (``OSError`` where the owner cannot be kept).
    """
    directory = os.path.dirname(path) or "."
    old = os.stat(path)
    handle, temporary = tempfile.mkstemp(
        dir=directory, prefix="." + os.path.basename(path) + ".", suffix=".ssot-fix"
    )
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            new = os.fstat(file.fileno())
            if (new.st_uid, new.st_gid) != (old.st_uid, old.st_gid) and hasattr(os, "fchown"):
                # Run as root (a container) on a user's file, the new file must stay theirs.
                try:
                    os.fchown(file.fileno(), old.st_uid, old.st_gid)
                except PermissionError:  # the old file stays as it was, and this says why
                    raise PermissionError(
                        errno.EPERM, "its owner or group could not be kept", path
                    ) from None
            os.fsync(file.fileno())
        os.chmod(temporary, stat.S_IMODE(old.st_mode))
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
