"""Running a child interpreter as another user, for tests of what that user may not read.

Root reads everything, so as root a test drops the child to ``nobody``; the
interpreter must be one ``nobody`` may run (this venv's may live under ``/root``).
"""

from __future__ import annotations

import os
import subprocess
import sys

#: ``subprocess.run`` options that run a child as ``nobody`` (only root may ask for them).
AS_NOBODY: dict[str, object] = {"user": 65534, "group": 65534, "extra_groups": []}


def runs(python: str, options: dict[str, object]) -> bool:
    """Whether *python* is a Python 3.11+ that runs with these subprocess *options*."""
    try:
        probe = subprocess.run(
            [python, "-c", "import sys; sys.exit(sys.version_info < (3, 11))"],
            check=False,
            capture_output=True,
            **options,  # type: ignore[arg-type]
        )
    except OSError:  # not executable by that user
        return False
    return probe.returncode == 0


def interpreters(options: dict[str, object]) -> list[str]:
    """The Pythons that run with *options*: this one first, then the system's."""
    return [python for python in (sys.executable, "/usr/bin/python3") if runs(python, options)]


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0
