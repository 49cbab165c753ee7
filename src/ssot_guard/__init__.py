"""ssot_guard: keep one source of truth while a codebase retires duplicated modules and classes."""

from ._config import load_config
from ._errors import (
    BlockedImportError,
    ConfigError,
    DuplicateClassError,
    PreloadedModuleError,
    SSOTError,
    SSOTWarning,
)
from ._guard import Guard, active_guard, install, uninstall
from ._report import Subscription, on_violation, report
from ._rules import Block, Deprecate, Redirect, Rule, Unique
from ._violations import Violation, clear_violations, violations

__all__ = [
    "Block",
    "BlockedImportError",
    "ConfigError",
    "Deprecate",
    "DuplicateClassError",
    "Guard",
    "PreloadedModuleError",
    "Redirect",
    "Rule",
    "SSOTError",
    "SSOTWarning",
    "Subscription",
    "Unique",
    "Violation",
    "active_guard",
    "clear_violations",
    "install",
    "load_config",
    "on_violation",
    "report",
    "uninstall",
    "violations",
]
