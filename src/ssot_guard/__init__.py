"""ssot_guard: keep one source of truth while a codebase retires duplicated modules and classes."""

from ._base._errors import (
    BlockedImportError,
    ConfigError,
    DeprecatedAttributeError,
    DeprecatedNameError,
    DuplicateClassError,
    PreloadedModuleError,
    SSOTError,
    SSOTWarning,
)
from ._check import CheckResult, Finding, check
from ._classes._registry import (
    SSOTBase,
    SSOTMeta,
    canonical,
    registered_classes,
    registry_snapshot,
    ssot_class,
)
from ._config._load import load_config
from ._report._record import Violation, clear_violations, violations
from ._report._subscribe import Subscription, on_violation, report
from ._rules._model import Block, Deprecate, Redirect, Rule, Unique
from ._runtime._guard import Guard, active_guard, install, uninstall

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
    "Guard",
    "PreloadedModuleError",
    "Redirect",
    "Rule",
    "SSOTBase",
    "SSOTError",
    "SSOTMeta",
    "SSOTWarning",
    "Subscription",
    "Unique",
    "Violation",
    "active_guard",
    "canonical",
    "check",
    "clear_violations",
    "install",
    "load_config",
    "on_violation",
    "registered_classes",
    "registry_snapshot",
    "report",
    "ssot_class",
    "uninstall",
    "violations",
]

# Every public name shows as ssot_guard.<Name>: in reprs, tracebacks, pickles and the docs,
# not as the private module that defines it (the errors do this themselves).
for _name in __all__:
    globals()[_name].__module__ = __name__
del _name
