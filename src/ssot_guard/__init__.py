"""ssot_guard: keep one source of truth while a codebase retires duplicated modules and classes."""

from ._base._errors import (
    BlockedImportError,
    ConfigError,
    DeprecatedAttributeError,
    DeprecatedNameError,
    DeprecatedUseError,
    DuplicateClassError,
    MissingExtraError,
    PreloadedModuleError,
    SSOTError,
    SSOTWarning,
)
from ._classes._registry import (
    RegistrySnapshot,
    SSOTBase,
    SSOTMeta,
    canonical,
    registered_classes,
    registry_snapshot,
    ssot_class,
)
from ._config._load import Config, load_config
from ._report._record import Violation, clear_violations, violations
from ._rules._model import Block, Deprecate, Enforced, Redirect, Rule, Unique
from ._runtime._guard import Guard, active_guard, install, uninstall

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    # Type checkers see PEP 702's own decorator, so they report uses of marked names.
    from typing_extensions import deprecated

    from ._base._modes import Mode
    from ._check import CheckResult, Finding, check
    from ._check._baseline import BaselineError
    from ._check._scan import MissingPathError
    from ._fix import FixResult, fix
    from ._report._subscribe import Subscription, on_violation
    from ._runtime._status import report
    from ._suggest import SuggestResult, suggest
else:  # the decorator itself, with the docstring the API reference shows
    from ._runtime._marked import deprecated

#: Loaded on first use, so ``import ssot_guard`` stays as cheap as the guard needs (every
#: module is a few hundred microseconds of every interpreter's start-up, autoinstall's too);
#: some of them import ``typing``, ``ast`` or libcst.
_LAZY = {
    "check": "_check",
    "CheckResult": "_check",
    "Finding": "_check",
    "on_violation": "_report._subscribe",
    "report": "_runtime._status",
    "Subscription": "_report._subscribe",
    "BaselineError": "_check._baseline",
    "MissingPathError": "_check._scan",
    "fix": "_fix",
    "FixResult": "_fix",
    "suggest": "_suggest",
    "SuggestResult": "_suggest",
}


def __getattr__(name: str) -> object:
    if name == "Mode":
        from typing import Literal

        from typing_extensions import TypeAliasType

        # A named alias (``type Mode = ...`` before 3.12), kept so pickle finds the same object.
        value: object = TypeAliasType("Mode", Literal["strict", "warn", "off"])
    elif name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(f"{__name__}.{_LAZY[name]}"), name)
        value.__module__ = __name__
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


__all__ = [
    "BaselineError",
    "Block",
    "BlockedImportError",
    "CheckResult",
    "Config",
    "ConfigError",
    "Deprecate",
    "DeprecatedAttributeError",
    "DeprecatedNameError",
    "DeprecatedUseError",
    "DuplicateClassError",
    "Enforced",
    "Finding",
    "FixResult",
    "Guard",
    "MissingExtraError",
    "MissingPathError",
    "Mode",
    "PreloadedModuleError",
    "Redirect",
    "RegistrySnapshot",
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
    "deprecated",
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

# Every public name shows as ssot_guard.<Name>: in reprs, tracebacks, pickles and the docs,
# not as the private module that defines it. The lazy ones get it in __getattr__.
for _name in __all__:
    if _name not in _LAZY and _name != "Mode":
        globals()[_name].__module__ = __name__
del _name
