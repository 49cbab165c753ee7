"""ssot_guard: keep one source of truth while a codebase retires duplicated modules and classes."""

from ._check import CheckResult, Finding, check
from ._config import load_config
from ._errors import (
    BlockedImportError,
    ConfigError,
    DeprecatedAttributeError,
    DeprecatedNameError,
    DuplicateClassError,
    MissingExtraError,
    PreloadedModuleError,
    SSOTError,
    SSOTWarning,
)
from ._guard import Guard, active_guard, install, uninstall
from ._registry import (
    SSOTBase,
    SSOTMeta,
    canonical,
    registered_classes,
    registry_snapshot,
    ssot_class,
)
from ._report import Subscription, on_violation, report
from ._rules import Block, Deprecate, Redirect, Rule, Unique
from ._violations import Violation, clear_violations, violations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from ._fix import FixResult, fix
    from ._suggest import SuggestResult, suggest

#: Loaded on first use: ``import ssot_guard`` stays as cheap as the guard needs.
_LAZY = {"fix": "_fix", "FixResult": "_fix", "suggest": "_suggest", "SuggestResult": "_suggest"}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Block",
    "BlockedImportError",
    "CheckResult",
    "ConfigError",
    "Deprecate",
    "DeprecatedAttributeError",
    "DeprecatedNameError",
    "DuplicateClassError",
    "Finding",
    "FixResult",
    "Guard",
    "MissingExtraError",
    "PreloadedModuleError",
    "Redirect",
    "Rule",
    "SSOTBase",
    "SSOTError",
    "SSOTMeta",
    "SSOTWarning",
    "Subscription",
    "SuggestResult",
    "Unique",
    "Violation",
    "active_guard",
    "canonical",
    "check",
    "clear_violations",
    "fix",
    "install",
    "load_config",
    "on_violation",
    "registered_classes",
    "registry_snapshot",
    "report",
    "ssot_class",
    "suggest",
    "uninstall",
    "violations",
]
