"""ssot_guard: keep one source of truth while a codebase retires duplicated modules and classes."""

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    # Type checkers see PEP 702's own decorator, so they report uses of marked names.
    from typing_extensions import deprecated

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
    from ._base._modes import Mode
    from ._check import CheckResult, Finding, check
    from ._check._baseline import BaselineError
    from ._check._scan import MissingPathError
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
    from ._fix import FixResult, fix
    from ._report._record import Violation, clear_violations, violations
    from ._report._subscribe import Subscription, on_violation
    from ._rules._model import Block, Deprecate, Enforced, Redirect, Rule, Unique
    from ._runtime._guard import Guard, active_guard, install, uninstall
    from ._runtime._status import report
    from ._suggest import SuggestResult, suggest
elif False:  # never run: names our decorator, with its docstring, for the API reference (griffe)
    from ._runtime._marked import deprecated

#: Where each public name lives, loaded on first use: ``import ssot_guard`` imports nothing
#: else, since every module costs a few hundred microseconds of every interpreter's start-up
#: (autoinstall's too), and ``ssot_guard.install`` then loads only what the guard needs.
#: Each defining module marks its names public (``_base.public``), so they show as
#: ``ssot_guard.<Name>`` however they are reached.
_HOMES = {
    "_base._errors": (
        "BlockedImportError",
        "ConfigError",
        "DeprecatedAttributeError",
        "DeprecatedNameError",
        "DeprecatedUseError",
        "DuplicateClassError",
        "MissingExtraError",
        "PreloadedModuleError",
        "SSOTError",
        "SSOTWarning",
    ),
    "_check": ("CheckResult", "Finding", "check"),
    "_check._baseline": ("BaselineError",),
    "_check._scan": ("MissingPathError",),
    "_classes._registry": (
        "RegistrySnapshot",
        "SSOTBase",
        "SSOTMeta",
        "canonical",
        "registered_classes",
        "registry_snapshot",
        "ssot_class",
    ),
    "_config._load": ("Config", "load_config"),
    "_fix": ("FixResult", "fix"),
    "_report._record": ("Violation", "clear_violations", "violations"),
    "_report._subscribe": ("Subscription", "on_violation"),
    "_rules._model": ("Block", "Deprecate", "Enforced", "Redirect", "Rule", "Unique"),
    "_runtime._guard": ("Guard", "active_guard", "install", "uninstall"),
    "_runtime._marked": ("deprecated",),
    "_runtime._status": ("report",),
    "_suggest": ("SuggestResult", "suggest"),
}
_LAZY = {name: home for home, names in _HOMES.items() for name in names}
del TYPE_CHECKING  # not an attribute of ours: dir(ssot_guard) lists __all__ as its public names


def __getattr__(name: str) -> object:
    if name == "Mode":
        from typing import Literal

        from typing_extensions import TypeAliasType

        # A named alias (``type Mode = ...`` before 3.12), kept so pickle finds the same object.
        value: object = TypeAliasType("Mode", Literal["strict", "warn", "off"])
        # typing_extensions takes __module__ from the caller (us) and, before 4.16, refuses
        # to have it set: set it only where that did not already happen.
        if value.__module__ != __name__:
            value.__module__ = __name__
    elif name in _LAZY:
        import sys

        home = f"{__name__}.{_LAZY[name]}"
        __import__(home)  # importlib.import_module(), without importing importlib (start-up time)
        value = getattr(sys.modules[home], name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    # Two threads may both get here for one name; the first to store wins, and both
    # return its object (Mode is built here, so each thread would otherwise have its own).
    return globals().setdefault(name, value)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


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
