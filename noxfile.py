"""The test command's sessions: the whole suite on every CPython >= 3.11 this machine has.

``nox`` (no arguments) runs ``tests`` once per interpreter in :data:`PYTHONS`.
An interpreter the machine lacks is skipped with nox's own visible line
("Session tests-3.13 skipped: Python interpreter 3.13 not found"), never silently;
``NOX_STRICT_PYTHONS=1`` makes a missing one fail the run instead.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import nox

PYTHONS = ["3.11", "3.12", "3.13"]


def _reach_pyenv_pythons() -> None:
    """Make every CPython >= 3.11 that pyenv holds answer to ``python3.X``.

    pyenv's shims run only the versions ``pyenv global`` names, so ``python3.12``
    fails on a machine whose global is 3.11 although 3.12 is installed; listing
    them in PYENV_VERSION (as ``pyenv global 3.11.7 3.12.1 ...`` would) lets nox
    find them. An explicit PYENV_VERSION is left alone.
    """
    if "PYENV_VERSION" in os.environ or shutil.which("pyenv") is None:
        return
    listed = subprocess.run(
        ["pyenv", "versions", "--bare"], capture_output=True, text=True, check=False
    ).stdout.split()
    ours = [v for v in listed if re.fullmatch(r"3\.(1[1-9]|[2-9]\d)\.\d+", v)]
    if ours:
        os.environ["PYENV_VERSION"] = ":".join(ours)


_reach_pyenv_pythons()

nox.options.sessions = ["tests"]
nox.options.error_on_missing_interpreters = os.environ.get("NOX_STRICT_PYTHONS") == "1"
nox.options.default_venv_backend = "venv"


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The suite on one interpreter, with the package installed as a user would."""
    session.install("-q", "-e", ".[test]")
    session.run("pytest", "-n", "auto", "-p", "no:cacheprovider", *session.posargs)
