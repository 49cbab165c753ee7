"""``@ssot_guard.deprecated``: PEP 702 for type checkers, a recorded violation at run time.

Type checkers see ``typing_extensions.deprecated`` (``__init__`` says so under
``TYPE_CHECKING``), so mypy and pyright report every use of a marked function
or class while the code is edited. At run time the marked object also carries
PEP 702's ``__deprecated__`` (set by ``typing_extensions.deprecated`` itself),
and each use is a ``deprecated-name`` violation under the active guard's mode,
as for a ``[[deprecate]]`` rule: recorded once per location and warned in warn
mode, refused with ``DeprecatedUseError`` in strict mode, nothing when off.

``typing_extensions`` (and ``functools``) are imported when a name is marked,
not at ``import ssot_guard`` (start-up time).
"""

from __future__ import annotations

import os
import sys

from .._base import public
from .._base._errors import ConfigError, DeprecatedUseError
from .._base._frames import user_frame, warn_at
from .._base._messages import describe
from .._base._modes import env_mode
from .._report._record import log, record_at
from . import _guard

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeVar

    from .._base._modes import Mode

    T = TypeVar("T")


def _mode() -> Mode:
    global _bad_env_said
    guard = _guard.active_guard()
    if guard is not None:
        return guard.mode
    try:
        return env_mode() or "warn"
    except ConfigError as error:
        # A typo in the environment must not make every call of a marked function
        # (in a library, say) raise: warn, the default, and say so once.
        if not _bad_env_said:
            _bad_env_said = True
            log(30, "ssot_guard: %s; marked names are used as in warn mode", error)  # WARNING
        return "warn"


_bad_env_said = False


_STDLIB = os.path.dirname(os.__file__) + os.sep
# The class machinery between the user's line and a marked class's __new__ or
# __init_subclass__: EnumType.__call__ (Color(1)), a generic alias's __call__
# (Box[int]()), ABCMeta.__new__ (subclassing a Protocol or an ABC), and what
# makes an instance from another (dataclasses.replace, copy.copy).
_MACHINERY = (
    *(_STDLIB + name for name in ("enum.py", "typing.py", "abc.py", "dataclasses.py")),
    *(_STDLIB + name for name in ("copy.py", "copyreg.py")),
    "<frozen abc>",
)


class _Marker:
    """What one marked object says when it is used."""

    __slots__ = ("message", "name", "rule", "unshown")

    def __init__(self, target: Any, message: str) -> None:
        self.name = f"{target.__module__}:{target.__qualname__}"
        self.message = message
        self.rule = f"@ssot_guard.deprecated on {self.name}"
        # Sites whose warning an error filter raised instead of showing: their next
        # use warns (raises) again, as for a [[deprecate]] rule, not silently runs.
        self.unshown: set[tuple[str | None, int | None]] = set()

    def use(self, depth: int) -> None:
        """One use, by the code *depth* frames above the caller of this method."""
        mode = _mode()
        if mode == "off":
            return
        frame = user_frame(sys._getframe(depth + 1))
        while frame is not None and frame.f_code.co_filename.startswith(_MACHINERY):
            frame = frame.f_back
        text = describe("deprecated-name", self.name, reason=self.message, rule=self.rule)
        violation = record_at(
            frame,
            "deprecated-name",
            self.name,
            self.rule,
            reason=self.message,
            replacement=None,
            mode=mode,
        )
        if mode == "strict":
            __tracebackhide__ = True
            raise DeprecatedUseError(text, name=self.name)
        site = (violation.filename, violation.lineno)
        if violation.count == 1 or site in self.unshown:  # once per location, as the record
            try:
                warn_at(frame, text)
            except BaseException:
                self.unshown.add(site)
                raise
            self.unshown.discard(site)


@public
def deprecated(message: str, /) -> Callable[[T], T]:
    """Mark a function or class as retired, for type checkers (PEP 702) and at run time.

    >>> @ssot_guard.deprecated("use build_manager() instead")
    ... def create_websocket_manager(): ...

    Calling the function, instantiating or subclassing the class is a
    ``deprecated-name`` violation under the active guard's mode.
    """
    if not isinstance(message, str):
        raise TypeError(
            f"@ssot_guard.deprecated takes the message as a string, got {message!r}; "
            "write @ssot_guard.deprecated('use X instead')"
        )

    def mark(target: T) -> T:
        from typing_extensions import deprecated as pep702

        if isinstance(target, (staticmethod, classmethod)):
            # Mark the function and keep the descriptor: a plain function in its place
            # would be bound to the instance (or not to the class).
            return type(target)(mark(target.__func__))
        if not callable(target) or not hasattr(target, "__qualname__"):
            raise TypeError(
                f"@ssot_guard.deprecated marks functions and classes, not {type(target).__name__}"
            )
        marker = _Marker(target, message)
        if isinstance(target, type):
            _mark_class(target, marker)
        else:
            target = _mark_function(target, marker)  # type: ignore[assignment]
        # category=None: typing_extensions only sets __deprecated__; our marker warns.
        return pep702(message, category=None)(target)

    return mark


def _mark_function(function: Callable[..., Any], marker: _Marker) -> Callable[..., Any]:
    import functools
    import inspect  # typing_extensions has imported it

    # A coroutine or generator function must stay one for inspect: frameworks decide
    # by it whether to await a function (FastAPI) or to treat it as a yield fixture (pytest).
    if inspect.isgeneratorfunction(function):

        @functools.wraps(function)
        def marked_generator(*args: Any, **kwargs: Any) -> Any:
            marker.use(1)  # at the first next(): a generator's body starts there
            return (yield from function(*args, **kwargs))

        return marked_generator
    if inspect.isasyncgenfunction(function):
        return _mark_async_generator(function, marker)

    @functools.wraps(function)
    def marked(*args: Any, **kwargs: Any) -> Any:
        marker.use(1)
        return function(*args, **kwargs)

    if inspect.iscoroutinefunction(function):
        mark_coroutine = getattr(inspect, "markcoroutinefunction", None)  # 3.12 and later
        if mark_coroutine is not None:
            return mark_coroutine(marked)  # type: ignore[no-any-return]

        @functools.wraps(function)
        async def marked_coroutine(*args: Any, **kwargs: Any) -> Any:
            marker.use(1)  # 3.11: when awaited, at the awaiting line
            return await function(*args, **kwargs)

        return marked_coroutine
    return marked


def _mark_async_generator(function: Callable[..., Any], marker: _Marker) -> Callable[..., Any]:
    """An async generator function that hands every ``asend``/``athrow``/``aclose`` on."""
    import functools

    @functools.wraps(function)
    async def marked(*args: Any, **kwargs: Any) -> Any:
        marker.use(1)  # at the first __anext__(): an async generator's body starts there
        inner = function(*args, **kwargs)
        try:
            value = await inner.__anext__()
            while True:
                try:
                    sent = yield value
                except GeneratorExit:
                    raise  # aclose(): the inner one is closed below
                except BaseException as error:  # athrow(): the original decides
                    value = await inner.athrow(error)
                else:
                    value = await inner.asend(sent)
        except StopAsyncIteration:
            return
        finally:
            await inner.aclose()

    return marked


def _mark_class(cls: type, marker: _Marker) -> None:
    """Record instantiating and subclassing *cls* (the two uses PEP 702 names for a class)."""
    import functools
    import types

    original_new: Any = cls.__new__

    @functools.wraps(original_new)
    def __new__(klass: type, *args: Any, **kwargs: Any) -> Any:
        if klass is cls:
            marker.use(1)
        if original_new is not object.__new__:
            return original_new(klass, *args, **kwargs)
        # object.__new__ refuses extra arguments only when __init__ is not overridden.
        if klass.__init__ is object.__init__ and (args or kwargs):  # type: ignore[misc]
            raise TypeError(f"{klass.__name__}() takes no arguments")
        return original_new(klass)

    if original_new is object.__new__:
        # inspect.signature(cls) reads __new__ once the class has its own: point it
        # at the __init__ that takes the arguments, not at object.__new__'s (*args, **kwargs).
        init = cls.__init__  # type: ignore[misc]
        __new__.__wrapped__ = init if init is not object.__init__ else _no_arguments
    cls.__new__ = staticmethod(__new__)  # type: ignore[method-assign,assignment]
    original_init_subclass = cls.__init_subclass__
    if isinstance(original_init_subclass, types.MethodType):  # written in Python
        function = original_init_subclass.__func__

        def init_subclass(klass: type, *args: Any, **kwargs: Any) -> None:
            marker.use(1)
            function(klass, *args, **kwargs)

        cls.__init_subclass__ = classmethod(init_subclass)  # type: ignore[assignment]
    else:
        # object's builtin, bound to cls: type.__new__ reaches it through super(),
        # which hands a plain function no class; the builtin needs none.
        def plain_init_subclass(*args: Any, **kwargs: Any) -> None:
            marker.use(1)
            original_init_subclass(*args, **kwargs)

        cls.__init_subclass__ = plain_init_subclass  # type: ignore[method-assign]


def _no_arguments(self: object, /) -> None:
    """The signature of a class that takes no arguments (``object``'s ``__init__``)."""


del _no_arguments.__annotations__["return"]  # a class's signature has no return annotation
