"""The test command's sessions: the whole suite on every CPython >= 3.11 this machine has.

``nox`` (no arguments) runs ``tests`` once per interpreter in :data:`PYTHONS`.
An interpreter the machine lacks is skipped with nox's own visible line
("Session tests-3.13 skipped: Python interpreter 3.13 not found"), never silently;
``NOX_STRICT_PYTHONS=1`` makes a missing one fail the run instead.
"""

from __future__ import annotations

import os

import nox

PYTHONS = ["3.11", "3.12", "3.13"]

nox.options.sessions = ["tests"]
nox.options.error_on_missing_interpreters = os.environ.get("NOX_STRICT_PYTHONS") == "1"
nox.options.default_venv_backend = "venv"


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The suite on one interpreter, with the package installed as a user would."""
    session.install("-q", "-e", ".[test]")
    session.run("pytest", "-n", "auto", "-p", "no:cacheprovider", *session.posargs)
