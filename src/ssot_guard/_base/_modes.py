"""The three modes and the operator's override, ``SSOT_GUARD_MODE``.

In the foundation layer so that every layer can read the environment variable
the same way (the class registry reads it while no guard is installed) without
importing the configuration loader.
"""

from __future__ import annotations

import os

from ._errors import ConfigError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from typing import Final, Literal

    Mode = Literal["strict", "warn", "off"]
else:
    Mode = str

#: Every mode, strongest first.
MODES: Final = ("strict", "warn", "off")
#: The environment variable that overrides every other mode setting.
MODE_ENV: Final = "SSOT_GUARD_MODE"


def env_mode() -> Mode | None:
    """The operator's override from ``SSOT_GUARD_MODE``; empty or unset is ``None``.

    Case and surrounding spaces do not matter; any other word is a ``ConfigError``
    naming the variable and the allowed modes.
    """
    value = os.environ.get(MODE_ENV, "").strip()
    if not value:
        return None
    if value.lower() in MODES:
        return value.lower()  # type: ignore[return-value]
    raise ConfigError(
        f"unknown mode {value!r}; allowed: {', '.join(repr(m) for m in MODES)} (or unset it)",
        file=f"environment variable {MODE_ENV}",
    )
