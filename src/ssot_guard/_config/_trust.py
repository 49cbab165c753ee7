"""Whether a configuration file found by discovery may be trusted, as git's ``safe.directory``.

Discovery walks up from the working directory to the first ``pyproject.toml``
with a ``[tool.ssot_guard]`` table. Anyone who can write a directory on that
way (a world-writable ``/tmp``, a shared checkout) could plant one whose
redirect makes ``import json`` run their module in every interpreter with
autoinstall. So a discovered file is used only if:

- it and the directory holding it belong to you (the effective uid) or to
  root: root-owned code is the normal case in containers, and root can change
  your files anyway;
- neither is writable by every user (a directory with the sticky bit, such as
  ``/tmp``, is fine: others cannot replace a file of yours in it);
- neither is writable by a group other than your own primary group (a private
  per-user group, the default on many Linux systems, is you).

A file named explicitly (``SSOT_GUARD_CONFIG``, ``install(config=...)``,
``--config``) is how a user says it is trusted: none of this applies to it.
On systems without uids (Windows) nothing is checked.
"""

from __future__ import annotations

import os
import stat

from .._base._errors import ConfigError


def refuse_untrusted(path: str, file_status: os.stat_result) -> None:
    """A ``ConfigError`` if the discovered file at *path* (``fstat`` *file_status*) is not ours."""
    geteuid = getattr(os, "geteuid", None)
    if geteuid is None:
        return
    me = geteuid()
    problem = _problem(file_status, me, "the file", directory=False)
    if problem is None:
        directory = os.path.dirname(os.path.abspath(path))
        problem = _problem(os.stat(directory), me, f"its directory {directory}", directory=True)
    if problem is not None:
        raise ConfigError(
            f"refusing the configuration found by discovery: {problem}; if you trust it, "
            f"name it explicitly: SSOT_GUARD_CONFIG={path} (or install(config=...), --config)",
            file=path,
        )


def _problem(status: os.stat_result, me: int, what: str, *, directory: bool) -> str | None:
    mode = status.st_mode
    if status.st_uid not in (me, 0):
        return f"{what} is owned by uid {status.st_uid}, not by you (uid {me}) or root"
    shielded = directory and bool(mode & stat.S_ISVTX)  # sticky: only owners may replace files
    if mode & stat.S_IWOTH and not shielded:
        return f"{what} is writable by every user (mode {stat.filemode(mode)})"
    if mode & stat.S_IWGRP and not shielded and status.st_gid != os.getegid():
        return f"{what} is writable by group {status.st_gid} (mode {stat.filemode(mode)})"
    return None
