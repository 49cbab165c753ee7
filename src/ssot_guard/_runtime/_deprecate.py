"""``[[tool.ssot_guard.deprecate]]``: retired module attributes such as a factory function.

A module with deprecated names gets a subclass of its own module type (the
documented ``module.__class__ = ...`` hook) whose ``__getattribute__``
intercepts those names only, so the module's own code, which reads its
globals directly, keeps working, and uninstall restores the class.

- strict: ``from m import name`` raises ``ImportError`` and ``m.name`` raises
  ``AttributeError``, both naming the replacement (which one is decided by the
  instruction that asked: ``IMPORT_FROM`` or an attribute load).
- warn: callables come back wrapped in a ``wrapt.FunctionWrapper`` (signature,
  docstring and ``inspect`` intact) that warns once per call site; other
  values warn once per site where they are read.
"""

from __future__ import annotations

import importlib
import importlib.util
import opcode
import os
import sys
import types
from _thread import _local
from typing import TYPE_CHECKING, Any, NoReturn

import wrapt

from .._base._errors import DeprecatedAttributeError, DeprecatedNameError
from .._base._fork import fork_safe_lock
from .._base._frames import ON_BEHALF, warn_at
from .._base._messages import describe, tail
from .._report._record import record_at
from ._watch import watchable_type

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from types import FrameType, ModuleType

    from .._base._modes import Mode
    from .._rules._model import Deprecate, Enforced

_IMPORT_OPCODES = frozenset(
    code for code in (opcode.opmap.get("IMPORT_FROM"), opcode.opmap.get("IMPORT_STAR")) if code
)
_CALL_INTRINSIC_1 = opcode.opmap.get("CALL_INTRINSIC_1", -1)  # 3.12 and later
_IMPORT_STAR = 2  # INTRINSIC_IMPORT_STAR, the operand of CALL_INTRINSIC_1
_IMPORTLIB = ("<frozen importlib", os.path.dirname(importlib.__file__) + os.sep)
_SKIPPED = (
    *_IMPORTLIB,
    os.path.dirname(__file__) + os.sep,
    os.path.dirname(wrapt.__file__) + os.sep,
    *ON_BEHALF,  # pkgutil.resolve_name("m:name") reads the name for its caller
)


# Who only looks: importlib (``from package import x`` first tries ``hasattr``) and
# inspect (``getmembers``, and through it pydoc and IDE helpers, read every name).
_PROBES = (*_IMPORTLIB, os.path.join(os.path.dirname(os.__file__), "inspect.py"))


def _is_probe(frame: FrameType | None) -> bool:
    """Whether the name is only looked at, not used (not recorded, never warned about)."""
    if frame is None:
        return False
    code = frame.f_code
    if code is _LAZY:
        return False  # LazyLoader loading on the caller's first read: it reads for the caller
    return code.co_filename.startswith(_PROBES)


# importlib.util._LazyModule.__getattribute__ (its file is "<frozen importlib.util>" on 3.11).
_LAZY = getattr(getattr(importlib.util, "_LazyModule", None), "__getattribute__", None)
_LAZY = getattr(_LAZY, "__code__", None)


def _asks_import(frame: FrameType | None) -> bool:
    """Whether *frame* is executing ``from m import name`` (or ``*``) right now."""
    if frame is None:
        return False
    code = frame.f_code.co_code
    offset = frame.f_lasti
    if not 0 <= offset < len(code) - 1:
        return False
    op = code[offset]
    # From 3.12, ``from m import *`` is CALL_INTRINSIC_1 with INTRINSIC_IMPORT_STAR.
    return op in _IMPORT_OPCODES or (op == _CALL_INTRINSIC_1 and code[offset + 1] == _IMPORT_STAR)


def _call_site(frame: FrameType | None) -> FrameType | None:
    while frame is not None and frame.f_code.co_filename.startswith(_SKIPPED):
        frame = frame.f_back
    return frame


class _Deprecation:
    """One deprecated name of one module, in one mode."""

    def __init__(self, rule: Deprecate, mode: Mode) -> None:
        self.rule = rule
        self.mode = mode
        self.attribute = rule.attribute
        self._seen: set[tuple[str, int]] = set()
        self._seen_lock = fork_safe_lock(self, "_seen_lock")
        self._wrapped: object = None
        self._wrapper: object = None

    def _text(self) -> str:
        rule = self.rule
        return describe(
            "deprecated-name", rule.name, use=rule.use, reason=rule.reason, rule=rule.source
        )

    def _record(self, frame: FrameType | None, mode: Mode) -> tuple[str, int] | None:
        """Record one use at *frame*; its site the first time this site is seen, else ``None``."""
        rule = self.rule
        violation = record_at(
            frame,
            "deprecated-name",
            rule.name,
            rule.source,
            reason=rule.reason,
            replacement=rule.use,
            mode=mode,
        )
        site = (violation.filename or "", violation.lineno or 0)
        with self._seen_lock:
            if site in self._seen:
                return None
            self._seen.add(site)
        return site

    def _warn(self, frame: FrameType | None) -> None:
        """Record a use at *frame*, warning the first time its site is seen."""
        __tracebackhide__ = True  # pytest shows the user's line, not ours
        site = self._record(frame, "warn")
        if site is None:
            return
        try:
            warn_at(frame, self._text())
        except BaseException:
            # An error filter raised the warning instead of showing it: the site
            # stays unseen, so its next use raises again (as strict mode would).
            with self._seen_lock:
                self._seen.discard(site)
            raise

    def access(
        self, module: ModuleType, read: Callable[[ModuleType, str], Any], frame: FrameType | None
    ) -> Any:
        """What reading the name from outside the module gives (or raises).

        *read* is the module type's own attribute lookup, so a value that the
        module provides through a PEP 562 ``__getattr__`` counts as present.
        """
        __tracebackhide__ = True  # pytest shows the user's line, not ours
        probe = _is_probe(frame)  # not a use: the import statement itself follows
        if self.mode == "strict":
            if probe:
                raise AttributeError(self.attribute)
            self._refuse(module, frame)
        try:
            value = read(module, self.attribute)
        except AttributeError:
            if probe:
                raise
            self._refuse(module, frame)
        if callable(value) and not isinstance(value, type):
            return self._wrap(value)
        # A class is read like a constant: a wrapper is no class to `except`,
        # `type(x) is`, `match` or pickle, and warn mode must keep code working.
        if not probe:
            self._warn(_call_site(frame))
        return value

    def _refuse(self, module: ModuleType, frame: FrameType | None) -> NoReturn:
        __tracebackhide__ = True  # pytest shows the user's line, not ours
        rule = self.rule
        self._record(_call_site(frame), "strict")
        details = "retired" + tail(rule.use, rule.reason, rule.source)
        if _asks_import(frame):
            raise DeprecatedNameError(
                f"cannot import name {self.attribute!r} from {module.__name__!r}: {details}",
                name=module.__name__,
                path=getattr(module, "__file__", None),
                attribute=self.attribute,
                use=rule.use,
            )
        error = DeprecatedAttributeError(
            f"module {module.__name__!r} has no attribute {self.attribute!r} any more: {details}",
            name=self.attribute,
            obj=module,
            use=rule.use,
        )
        _pending.error = error  # see _ErrorRelay: the module type would replace it
        raise error

    def _wrap(self, value: Callable[..., Any]) -> object:
        if self._wrapped is not value:
            self._wrapper = _Wrapper(value, self._on_call)
            self._wrapped = value
        return self._wrapper

    def _on_call(
        self, wrapped: Callable[..., Any], instance: object, args: Any, kwargs: Any
    ) -> Any:
        __tracebackhide__ = True  # pytest shows the user's line, not ours
        self._warn(_call_site(sys._getframe(1)))
        return wrapped(*args, **kwargs)


class _Wrapper(wrapt.FunctionWrapper):  # type: ignore[type-arg]
    """A deprecated callable's wrapper that pickles and copies as the callable does.

    A function pickles by its name (a string from ``__reduce_ex__`` means a
    global); the name read back from the module is this same wrapper (see
    ``_Deprecation._wrap``), so pickle's identity check holds.
    """

    def __reduce_ex__(self, protocol: Any) -> Any:
        wrapped = self.__wrapped__
        if isinstance(wrapped, types.FunctionType):  # pickle saves these by name itself
            return wrapped.__qualname__
        return wrapped.__reduce_ex__(protocol)  # a builtin's name, a value's recipe

    def __copy__(self) -> Any:
        return self  # as copy.copy() of a function

    def __deepcopy__(self, memo: Any) -> Any:
        return self


class _DeprecatedName:
    """A data descriptor on the module's subclass, for one deprecated name.

    Only the deprecated names have one: every other attribute read is the
    module type's own lookup, at its own speed (a ``__getattribute__``
    override made each of them a Python call: 8 -> 109 ns). A data
    descriptor on the type comes before the module's ``__dict__``, so reading
    the name from outside meets it; the module's own code reads its globals
    (that very dict) directly and never does.
    """

    __slots__ = ("_base", "_handler", "_name")

    def __init__(self, handler: _Deprecation, base: type[ModuleType]) -> None:
        self._handler = handler
        self._name = handler.attribute
        self._base = base

    def __get__(self, module: ModuleType | None, owner: type | None = None) -> Any:
        if module is None:
            return self
        __tracebackhide__ = True  # pytest shows the user's line, not ours
        return self._handler.access(module, self._read, sys._getframe(1))

    def __set__(self, module: ModuleType, value: object) -> None:
        vars(module)[self._name] = value  # ``module.name = x`` (monkeypatching) as before

    def __delete__(self, module: ModuleType) -> None:
        try:
            del vars(module)[self._name]
        except KeyError:
            raise AttributeError(self._name) from None

    def _read(self, module: ModuleType, name: str) -> Any:
        """What the module type itself gives for *name*: the lookup this descriptor hides.

        The base type's descriptors, then the module's ``__dict__``, then a
        PEP 562 ``__getattr__``, as ``ModuleType.__getattribute__`` would.
        """
        for klass in self._base.__mro__:
            found = vars(klass).get(name, _MISSING)
            if found is not _MISSING:
                if hasattr(type(found), "__set__") and hasattr(type(found), "__get__"):
                    return found.__get__(module, self._base)
                break
        namespace = vars(module)
        if name in namespace:
            return namespace[name]
        if found is not _MISSING:
            getter = getattr(type(found), "__get__", None)
            return getter(found, module, self._base) if getter is not None else found
        hook = namespace.get("__getattr__")
        if hook is not None:
            return hook(name)
        raise AttributeError(f"module {module.__name__!r} has no attribute {name!r}")


_MISSING = object()
_pending = _local()  # the DeprecatedAttributeError being raised in this thread


class _ErrorRelay:
    """A PEP 562 ``__getattr__`` put in a patched module's namespace, to pass our error on.

    ``ModuleType.__getattribute__`` answers *any* AttributeError from the
    lookup (ours, raised by a ``_DeprecatedName``) by calling the module's
    ``__getattr__``, or else by raising its own "module has no attribute"
    error: the reason and the replacement would be lost. This relay raises
    ours again; for every other missing name it is the module's own
    ``__getattr__``, or the usual error. It runs only for missing names.
    """

    __slots__ = ("module_name", "original")

    def __init__(self, module_name: str, original: Callable[[str], Any] | None) -> None:
        self.module_name = module_name
        self.original = original

    def __call__(self, name: str) -> Any:
        __tracebackhide__ = True  # pytest shows the user's line, not ours
        error: DeprecatedAttributeError | None = getattr(_pending, "error", None)
        if error is not None:
            _pending.error = None
            if error.name == name:
                raise error.with_traceback(None)
        if self.original is not None:
            return self.original(name)
        raise AttributeError(f"module {self.module_name!r} has no attribute {name!r}")


def _module_type(base: type[ModuleType], handlers: dict[str, _Deprecation]) -> type[ModuleType]:
    """A subclass of *base* whose instances intercept the names in *handlers*, and only those."""
    namespace: dict[str, object] = {
        "__slots__": (),
        "__module__": base.__module__,
        "__qualname__": base.__qualname__,
        "_ssot_deprecations": handlers,
    }
    for name, handler in handlers.items():
        namespace[name] = _DeprecatedName(handler, base)
    return type(base.__name__, (base,), namespace)


def _relay(module: ModuleType) -> None:
    """Put an ``_ErrorRelay`` in front of the module's own ``__getattr__``, unless one is there."""
    namespace = vars(module)
    current = namespace.get("__getattr__")
    if not isinstance(current, _ErrorRelay):
        namespace["__getattr__"] = _ErrorRelay(module.__name__, current)


class DeprecationHook:
    """Applies deprecations to their modules on import, at install, and undoes them."""

    def __init__(self, enforced: Sequence[Enforced]) -> None:
        self._handlers: dict[str, dict[str, _Deprecation]] = {}
        for item in enforced:
            rule: Deprecate = item.rule  # type: ignore[assignment]  # _guard._build_watch sorted them
            handlers = self._handlers.setdefault(rule.module, {})
            handlers.setdefault(rule.attribute, _Deprecation(rule, item.mode))
        self.tops = frozenset(name.partition(".")[0] for name in self._handlers)
        self._patched: list[tuple[ModuleType, type[ModuleType], type[ModuleType]]] = []
        self._lock = fork_safe_lock(self, "_lock")

    def covers(self, name: str) -> bool:
        return name in self._handlers

    def after_exec(self, module: ModuleType) -> None:
        self._patch(module)
        # A body may put another module in its place (``sys.modules[__name__] = ...``):
        # importers get that one, so it is patched too.
        current = sys.modules.get(vars(module).get("__name__"))  # type: ignore[arg-type]
        if current is not module and isinstance(current, types.ModuleType):
            self._patch(current)

    def check_preloaded(self, frame: FrameType | None, *, report: bool) -> None:
        pass  # open() applies deprecations to modules already imported

    def open(self) -> None:
        for name in self._handlers:
            module = sys.modules.get(name)
            if isinstance(module, types.ModuleType):
                self._patch(module)

    def close(self) -> None:
        with self._lock:
            patched, self._patched = self._patched, []
        for module, original, ours in patched:
            if type(module) is ours:
                module.__class__ = original
            namespace = vars(module)
            relay = namespace.get("__getattr__")
            if isinstance(relay, _ErrorRelay):
                if relay.original is None:
                    del namespace["__getattr__"]
                else:
                    namespace["__getattr__"] = relay.original

    def _patch(self, module: ModuleType) -> None:
        handlers = self._handlers.get(module.__name__)
        if handlers is None:
            return
        with self._lock:
            if any(m is module for m, _, _ in self._patched):
                _relay(module)  # a reload may have put the module's own __getattr__ back
                return
            original = watchable_type(module)
            if original is None:
                return  # a lazy module not loaded yet (open() reads it, which loads it)
            ours = _module_type(original, handlers)
            try:
                module.__class__ = ours
            except TypeError as error:
                rules = ", ".join(sorted({h.rule.source for h in handlers.values()}))
                raise TypeError(
                    f"ssot_guard cannot apply {rules} to module {module.__name__!r}: its type "
                    f"{original.__qualname__} does not allow a module subclass ({error})"
                ) from None
            _relay(module)
            self._patched.append((module, original, ours))
