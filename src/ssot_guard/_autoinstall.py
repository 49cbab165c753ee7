"""Installing the guard at interpreter start-up, for ``SSOT_GUARD_AUTOINSTALL=1``.

The wheel ships ``ssot_guard_autoinstall.pth``, which ``site`` runs in every
interpreter of the environment: subprocesses, multiprocessing spawn and
forkserver workers, server and pytest-xdist workers. Its one line reads
``SSOT_GUARD_AUTOINSTALL`` before importing anything of ours; unless the value
is one of :data:`OFF_VALUES` it imports this module (silently doing nothing if
ssot_guard itself is not importable) and calls :func:`autoinstall`. Its name
sorts after the path files of editable installs (``_*.pth``,
``__editable__*.pth``), which ``site`` must run first.

Nothing may escape from here: ``site`` answers an exception in a ``.pth`` line
with a traceback, and a ``SystemExit`` raised while ``site`` is imported makes
the interpreter fail its initialisation ("init_import_site") instead of
exiting with our status. So every problem becomes one line on stderr; under
``SSOT_GUARD_MODE=strict`` the interpreter then leaves with ``os._exit(2)``
rather than run unguarded.
"""

from __future__ import annotations

import os
import sys

from ._base._errors import ConfigError
from ._base._messages import shown
from ._base._modes import MODE_ENV
from ._config._load import load_discovered
from ._runtime import _status
from ._runtime._guard import active_guard, install

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from typing import Final, NoReturn

AUTOINSTALL_ENV: Final = "SSOT_GUARD_AUTOINSTALL"
ON_VALUES: Final = ("1", "true", "on")
# Keep in step with the .pth line, which skips these without importing us.
OFF_VALUES: Final = ("", "0", "false", "off")
STRICT_EXIT_STATUS: Final = 2


def requested() -> bool:
    """Whether ``SSOT_GUARD_AUTOINSTALL`` asks for the guard; a bad value is a ``ConfigError``."""
    value = os.environ.get(AUTOINSTALL_ENV, "").strip().lower()
    if value in ON_VALUES:
        return True
    if value in OFF_VALUES:
        return False
    raise ConfigError(
        f"unknown value {shown(os.environ[AUTOINSTALL_ENV])}; allowed: "
        + ", ".join(repr(v) for v in ON_VALUES)
        + " (install the guard in every interpreter), "
        + ", ".join(repr(v) for v in OFF_VALUES[1:])
        + " or empty (do not)",
        file=f"environment variable {AUTOINSTALL_ENV}",
    )


def autoinstall() -> None:
    """Install the guard once in this interpreter, as the environment asks. Never raises.

    The configuration is the file named by ``SSOT_GUARD_CONFIG``, else the
    nearest ``pyproject.toml`` with a ``[tool.ssot_guard]`` table above the
    current directory; with neither, nothing is installed. A second call, or a
    guard someone already installed, changes nothing.
    """
    if _status.autoinstall_status is not None:
        return
    try:
        if not requested():
            return
        if active_guard() is not None:
            _status.autoinstall_status = "already installed"
            return
        config = load_discovered()  # parsed once, the trust check included
        if config is None:
            _status.autoinstall_status = "no config found"
            return
        install(config)
        _status.autoinstall_status = "installed"
    except Exception as error:  # a .pth line must never raise
        _status.autoinstall_status = "failed"
        _status.autoinstall_problem = problem = _one_line(error)
        _refuse_or_go_on(problem)


def _one_line(error: Exception) -> str:
    text = str(error) if isinstance(error, ConfigError) else f"{type(error).__name__}: {error}"
    return "; ".join(line.strip() for line in text.splitlines() if line.strip())


def _refuse_or_go_on(problem: str) -> None:
    if os.environ.get(MODE_ENV, "").strip().lower() == "strict":
        _exit_strict(
            f"ssot_guard: cannot install the guard at start-up: {problem}; "
            f"exiting with status {STRICT_EXIT_STATUS} ({MODE_ENV}=strict)"
        )
    _say(f"ssot_guard: cannot install the guard at start-up: {problem}; running unguarded")


def _say(line: str) -> None:
    if sys.stderr is not None:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()


def _exit_strict(line: str) -> NoReturn:
    _say(line)
    if sys.stdout is not None:
        sys.stdout.flush()
    # Not SystemExit: raised while site runs .pth files, it ends in a fatal
    # "init_import_site" error instead of a clean exit with our status.
    os._exit(STRICT_EXIT_STATUS)
