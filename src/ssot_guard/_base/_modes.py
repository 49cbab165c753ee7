"""The three modes: one parser for every place a mode is written, one order that decides.

A mode is written in TOML (``mode = "strict"``), in ``SSOT_GUARD_MODE``, as
``install(mode=...)``, as ``--ssot-mode``/``ssot_mode`` and the ``ssot_mode``
marker in pytest, and on the command line. All of them go through
:func:`parse_mode`, so they accept the same words and fail with the same message.
"""

from __future__ import annotations

import os

from ._errors import ConfigError
from ._messages import shown

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from typing import Final, Literal

    Mode = Literal["strict", "warn", "off"]
    """A mode: ``"strict"`` raises, ``"warn"`` records and lets it through, ``"off"`` ignores it."""
else:
    Mode = str

MODES: Final = ("strict", "warn", "off")
MODE_ENV: Final = "SSOT_GUARD_MODE"


def parse_mode(
    value: object,
    *,
    file: str | None = None,
    entry: object = None,
    key: str | None = "mode",
    hint: str = "",
    blank_is_unset: bool = True,
) -> Mode | None:
    """*value* as a mode; ``None`` (and a blank string) mean "not set".

    A blank string is "not set" only where an empty value is the usual way to leave
    something unset (an environment variable, an ini key, a command-line option);
    written in a file or passed in Python (*blank_is_unset* false) it is refused.

    Case and surrounding blanks are forgiven (``" Strict "`` is ``"strict"``):
    the same words are accepted wherever a mode is written. Anything else is a
    ``ConfigError`` that lists the allowed modes. *entry* is turned into text
    only for the error, so a rule can pass itself.
    """
    if value is None:
        return None
    if isinstance(value, str):
        word = value.strip().lower()
        if not word and blank_is_unset:
            return None
        if word in MODES:
            return word  # type: ignore[return-value]
    raise ConfigError(
        f"unknown mode {shown(value)}; allowed: {', '.join(repr(m) for m in MODES)}{hint}",
        file=file,
        entry=None if entry is None else str(entry),
        key=key,
    )


def env_mode() -> Mode | None:
    """The operator's override from ``SSOT_GUARD_MODE``; empty or unset is ``None``."""
    return parse_mode(
        os.environ.get(MODE_ENV),
        file=f"environment variable {MODE_ENV}",
        key=None,
        hint=" (or unset it)",
    )


def effective_mode(
    *,
    forced: Mode | None = None,
    rule: Mode | None = None,
    install: Mode | None = None,
    config: Mode | None = None,
) -> Mode:
    """The mode in force. Strongest first, the one order every caller uses:

    *forced* (the pytest plugin's option or marker, else ``SSOT_GUARD_MODE``),
    the rule's own ``mode``, ``install(mode=...)``, the config's ``mode``,
    then ``"warn"``. Leave *rule* out for the mode of rules without their own.
    """
    return forced or rule or install or config or "warn"


_guard_mode: Mode | None = None


def set_guard_mode(mode: Mode | None) -> None:
    """Say which mode the installed guard has; ``None``: no guard is installed.

    ``install()`` and ``uninstall()`` call it; the class registry reads
    :func:`guard_mode` when a class is defined twice. Here, below both, so that
    neither imports the other (and ``install()`` does not load the registry).
    """
    global _guard_mode
    if mode is not None and mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; allowed: {', '.join(map(repr, MODES))}")
    _guard_mode = mode


def guard_mode() -> Mode | None:
    """The installed guard's mode, ``None`` without a guard."""
    return _guard_mode
