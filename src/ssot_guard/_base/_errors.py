"""Every exception and warning ssot_guard raises, in one place."""

from __future__ import annotations

from ._messages import blocked

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from typing import Any


def _rebuild(cls: type[SSOTError], args: tuple[Any, ...], kwargs: dict[str, Any]) -> SSOTError:
    return cls(*args, **kwargs)


class SSOTError(Exception):
    """Base class of every error ssot_guard raises on purpose."""

    # Errors cross process boundaries (multiprocessing, concurrent.futures) by pickling.
    # Exception's default rebuilds from the message alone, which garbles or breaks
    # constructors that take fields, so each subclass with fields names them here.
    def _fields(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        return self.args, {}

    def __reduce__(self) -> tuple[Any, ...]:
        args, kwargs = self._fields()
        return _rebuild, (type(self), args, kwargs), self.__dict__


class BlockedImportError(SSOTError, ModuleNotFoundError):
    """An import of a module that a rule retired.

    The message begins ``No module named '<name>'`` like the error Python itself
    raises, so code written against the seed plan's ``pytest.raises(ImportError)``
    and ``"No module named" in str(exc)`` keeps working.

    ``.name`` is deliberately *not* the blocked module's name: importlib's
    ``from parent import x`` swallows a ``ModuleNotFoundError`` whose ``name`` is
    ``parent.x`` and replaces it with a bare "cannot import name", losing the
    reason and the replacement. The module is in ``.module`` instead.
    """

    def __init__(
        self,
        module: str,
        *,
        reason: str | None = None,
        use: str | None = None,
        rule: str | None = None,
    ) -> None:
        self.module = module
        self.reason = reason
        self.use = use
        self.rule = rule
        super().__init__(blocked(module, use=use, reason=reason, rule=rule), name=None)

    def _fields(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        return (self.module,), {"reason": self.reason, "use": self.use, "rule": self.rule}


class PreloadedModuleError(SSOTError, ImportError):
    """``install()`` in strict mode found retired modules already imported."""

    def __init__(self, modules: dict[str, str]) -> None:
        self.modules = modules
        listing = "\n".join(f"  {name}  ({why})" for name, why in sorted(modules.items()))
        super().__init__(
            "ssot_guard: these retired modules were imported before install() ran; "
            "install the guard earlier (or use SSOT_GUARD_AUTOINSTALL) and remove the imports:\n"
            + listing
        )

    def _fields(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        return (self.modules,), {}


class DuplicateClassError(SSOTError, TypeError):
    """A second definition of a class that must exist once."""


class DeprecatedNameError(SSOTError, ImportError):
    """``from module import name`` of a name a ``deprecate`` rule retired (strict mode).

    ``.attribute`` is the retired name, ``.use`` its replacement.
    """

    def __init__(
        self,
        message: str,
        *,
        name: str | None = None,
        path: str | None = None,
        attribute: str,
        use: str | None,
    ) -> None:
        super().__init__(message, name=name, path=path)
        self.attribute = attribute
        self.use = use

    def _fields(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        fields = {"name": self.name, "path": self.path, "attribute": self.attribute}
        return self.args, {**fields, "use": self.use}


class DeprecatedAttributeError(SSOTError, AttributeError):
    """``module.name`` of a name a ``deprecate`` rule retired (strict mode).

    ``.name`` is the retired name, ``.use`` its replacement.
    """

    def __init__(self, message: str, *, name: str, obj: object, use: str | None) -> None:
        super().__init__(message, name=name, obj=obj)
        self.use = use

    def _fields(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        # The module in .obj does not pickle; the copy goes without it.
        return self.args, {"name": self.name, "obj": None, "use": self.use}


class DeprecatedUseError(SSOTError, RuntimeError):
    """A use of a name marked with ``@ssot_guard.deprecated`` (strict mode).

    Calling a marked function, or instantiating or subclassing a marked class.
    ``.name`` is the marked name, as ``module:qualname``.
    """

    def __init__(self, message: str, *, name: str) -> None:
        super().__init__(message)
        self.name = name

    def _fields(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        return self.args, {"name": self.name}


class ConfigError(SSOTError, ValueError):
    """Invalid configuration: a file, an entry, a key, or an environment variable.

    ``file``, ``entry`` and ``key`` say where, when known; the message says
    what is allowed instead.
    """

    def __init__(
        self,
        problem: str,
        *,
        file: str | None = None,
        entry: str | None = None,
        key: str | None = None,
    ) -> None:
        self.problem = problem
        self.file = file
        self.entry = entry
        self.key = key
        where = ": ".join(
            part for part in (file, entry, f"key {key!r}" if key is not None else None) if part
        )
        super().__init__(f"{where}: {problem}" if where else problem)

    def _fields(self) -> tuple[tuple[Any, ...], dict[str, Any]]:
        return (self.problem,), {"file": self.file, "entry": self.entry, "key": self.key}


class SSOTWarning(DeprecationWarning):
    """A violation in warn mode: the code still runs, but should not."""


class MissingExtraError(SSOTError, ImportError):
    """An optional dependency a command needs is not installed (libcst, for ``fix``)."""


# Shown in tracebacks as ``ssot_guard.BlockedImportError``, the name users import
# and catch, not the private module that defines it (pickle finds them there too).
for _public in (
    SSOTError,
    BlockedImportError,
    PreloadedModuleError,
    DuplicateClassError,
    DeprecatedNameError,
    DeprecatedAttributeError,
    DeprecatedUseError,
    ConfigError,
    MissingExtraError,
    SSOTWarning,
):
    _public.__module__ = "ssot_guard"
del _public
