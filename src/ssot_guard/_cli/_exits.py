"""The command's exit statuses, shared by its subcommands."""

from __future__ import annotations

from typing import Final

EXIT_CLEAN: Final = 0  # nothing found, or the work is done
EXIT_FINDINGS: Final = 1  # findings (check, suggest), or changes pending (fix --check)
EXIT_USAGE: Final = 2  # a usage, configuration or environment error
EXIT_INTERRUPTED: Final = 130  # Ctrl-C (128 + SIGINT, as a shell reports it)
