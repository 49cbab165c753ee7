"""The record of violations: one entry per (kind, name, rule, location), with a count."""

from __future__ import annotations

import sys

from .._base import public
from .._base._fork import fork_safe_lock
from .._base._frames import frame_location
from .._base._messages import SUBJECTS, describe, utf8

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from collections.abc import Callable
    from types import FrameType
    from typing import Any

    from .._base._modes import Mode

LOGGER_NAME = "ssot_guard"


def log(level: int, message: str, *args: object, exc_info: bool = False, **extra: Any) -> None:
    """Log on the ``ssot_guard`` logger, never importing ``logging``.

    Violations are found in ``find_spec``, under the global import lock, where
    importing a module could deadlock with another thread; and importing
    ``logging`` would be most of what ``install()`` costs. Nor is the logger
    created early: ``logging.config.dictConfig`` disables every logger that
    exists when it runs (``disable_existing_loggers``), and autoinstall runs
    before the application configures logging.

    While nothing has imported ``logging``, nothing can have configured a
    handler, and ``logging`` would pass a record to ``logging.lastResort``,
    which writes the bare message to stderr from WARNING up: so do that.
    """
    logging = sys.modules.get("logging")
    if logging is not None:
        try:
            logging.getLogger(LOGGER_NAME).log(
                level, message, *args, exc_info=exc_info, extra=extra or None
            )
        except Exception:  # see log_violation()
            return
        return
    if level >= _WARNING and sys.stderr is not None:
        # What is formatted is the user's (a callback's repr, its error's str): it may raise.
        try:
            text = message % args if args else message
        except Exception:
            text = message % tuple("<unprintable>" for _ in args)
        error = sys.exc_info()[1] if exc_info else None
        if error is not None:
            try:
                text += f"\n{type(error).__name__}: {error}"
            except Exception:
                text += f"\n{type(error).__name__}: <unprintable>"
        try:
            sys.stderr.write(text + "\n")
        except (OSError, ValueError):  # closed, or a pipe nobody reads: never break an import
            return


_WARNING = 30  # logging.WARNING


@public
class Violation:
    """One recorded violation: what, which rule, where, and how many times. Immutable."""

    __slots__ = (
        "count",
        "filename",
        "importer",
        "kind",
        "lineno",
        "mode",
        "name",
        "reason",
        "replacement",
        "rule",
    )

    kind: str
    """``import``, ``redirect``, ``preloaded``, ``duplicate-class`` or ``deprecated-name``."""
    name: str
    """The module, class or ``module:attribute`` concerned."""
    rule: str
    """Where the rule was defined, e.g. ``pyproject.toml: tool.ssot_guard.block[0]``."""
    reason: str | None
    replacement: str | None
    importer: str | None
    """The module whose code did it, when known."""
    filename: str | None
    lineno: int | None
    count: int
    mode: Mode
    """The mode in force: ``strict`` (it raised) or ``warn`` (it went through)."""

    def __init__(
        self,
        kind: str,
        name: str,
        rule: str,
        *,
        reason: str | None = None,
        replacement: str | None = None,
        importer: str | None = None,
        filename: str | None = None,
        lineno: int | None = None,
        count: int = 1,
        mode: Mode = "warn",
    ) -> None:
        values = locals()
        for field in self.__slots__:
            object.__setattr__(self, field, values[field])

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Violation is immutable; cannot set {name!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        # pickle and copy rebuild it from its fields: the default would set each
        # slot with setattr, which __setattr__ refuses.
        return _rebuild, (self.as_dict(),)

    def _replace(self, **changes: object) -> Violation:
        values: dict[str, Any] = self.as_dict()
        values.update(changes)
        return Violation(**values)

    def as_dict(self) -> dict[str, object]:
        """The fields as a JSON-ready dict."""
        return {field: getattr(self, field) for field in _FIELDS}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Violation):
            return NotImplemented
        return self.as_dict() == other.as_dict()

    def __hash__(self) -> int:
        return hash(tuple(self.as_dict().values()))

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in self.as_dict().items())
        return f"Violation({fields})"

    @property
    def location(self) -> str:
        if self.filename is None:
            return "<unknown location>"
        return f"{self.filename}:{self.lineno}" if self.lineno else self.filename

    @property
    def key(self) -> _Key:
        """What makes two occurrences the same violation: ``(kind, name, rule, file, line)``."""
        return (self.kind, self.name, self.rule, self.filename, self.lineno)

    def __str__(self) -> str:
        text = describe(
            self.kind,
            self.name,
            use=self.replacement,
            reason=self.reason,
            rule=self.rule,
            where=self.location,
        )
        if self.count > 1:
            text += f" ({self.count} times)"
        return text


def _rebuild(fields: dict[str, Any]) -> Violation:
    return Violation(**fields)


_FIELDS = (
    "kind",
    "name",
    "rule",
    "reason",
    "replacement",
    "importer",
    "filename",
    "lineno",
    "count",
    "mode",
)
_Key = tuple[str, str, str, "str | None", "int | None"]


class Recorder:
    """Thread-safe store of violations. Only the violation path takes its lock."""

    def __init__(self) -> None:
        self._lock = fork_safe_lock(self, "_lock")
        self._entries: dict[_Key, Violation] = {}
        self.callbacks: list[Callable[[Violation], object]] = []

    def record(
        self,
        kind: str,
        name: str,
        rule: str,
        *,
        reason: str | None,
        replacement: str | None,
        importer: str | None,
        filename: str | None,
        lineno: int | None,
        mode: Mode,
    ) -> Violation:
        key: _Key = (kind, name, rule, filename, lineno)  # as Violation.key
        with self._lock:
            old = self._entries.get(key)
            if old is not None:
                new = old._replace(count=old.count + 1, mode=mode)
            else:
                new = Violation(
                    kind,
                    name,
                    rule,
                    reason=reason,
                    replacement=replacement,
                    importer=importer,
                    filename=filename,
                    lineno=lineno,
                    mode=mode,
                )
            self._entries[key] = new
        if old is None:
            # Logged once per location; outside our lock so a slow handler
            # never holds up another thread's violation.
            log_violation(
                _WARNING,
                "%s",
                new,
                ssot_kind=kind,
                ssot_name=name,
                ssot_rule=rule,
                ssot_reason=reason,
                ssot_replacement=replacement,
                ssot_importer=importer,
                ssot_file=filename,
                ssot_line=lineno,
                ssot_count=new.count,
                ssot_mode=mode,
            )
        for callback in tuple(self.callbacks):
            callback(new)
        return new

    def snapshot(self) -> list[Violation]:
        with self._lock:
            return list(self._entries.values())

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def restore(self, entries: list[Violation]) -> None:
        with self._lock:
            self._entries = {v.key: v for v in entries}


recorder = Recorder()


def record_at(
    frame: FrameType | None,
    kind: str,
    name: str,
    rule: str,
    *,
    reason: str | None,
    replacement: str | None,
    mode: Mode,
) -> Violation:
    """Record a violation that the code running in *frame* committed.

    The one place a frame becomes ``(importer, file, line)``, for every kind of
    violation (see ``_base._frames.frame_location`` for ``python -m``).
    """
    importer, filename, lineno = frame_location(frame)
    return recorder.record(
        kind,
        name,
        rule,
        reason=reason,
        replacement=replacement,
        importer=importer,
        filename=filename,
        lineno=lineno,
        mode=mode,
    )


@public
def violations() -> list[Violation]:
    """Every violation recorded since the guard was installed, oldest first."""
    return recorder.snapshot()


@public
def clear_violations() -> None:
    """Forget the recorded violations (the log's once-per-location memory too).

    The installed guard's memory of the later callers it has seen is its own: in
    warn mode, such a location is recorded again only under a new guard.
    """
    recorder.clear()


class _Subscribed:
    """A callback registered through :func:`subscribe`."""

    __slots__ = ("callback",)

    def __init__(self, callback: Callable[[Violation], object]) -> None:
        self.callback = callback

    def __call__(self, violation: Violation) -> None:
        self.callback(violation)


def subscribe(callback: Callable[[Violation], object]) -> Callable[[], None]:
    """Call *callback* with each violation as it is recorded; returns the unsubscribe function.

    The callback runs in the recording thread, inside the import or class
    statement (its frame is on the stack), outside our locks. The internal
    seam under ``on_violation()``, the pytest plugin and ``ssot_guard.testing``.
    Unsubscribing twice is harmless.
    """
    # A wrapper of its own: list.remove() finds it by identity (it compares equal
    # to nothing else), in one step no other thread's removal can come between;
    # the callback itself may equal another (a bound method of the same object).
    entry = _Subscribed(callback)
    recorder.callbacks.append(entry)

    def unsubscribe() -> None:
        try:
            recorder.callbacks.remove(entry)
        except ValueError:  # unsubscribed already
            return

    return unsubscribe


def kind_text(kind: str) -> str:
    """How reports name a violation's *kind*: ``import of retired module``, ..."""
    return SUBJECTS.get(kind, kind)


def log_violation(level: int, message: str, *args: object, **extra: Any) -> None:
    """Log a violation to the handlers the application configured, and nowhere else.

    Unlike ``log()``, no stderr fallback: a violation is already reported once,
    by its exception (strict) or its warning (warn), and a second line saying
    the same would only repeat it. Without ``logging`` imported no handler can
    exist; without a handler, ``logging`` would print that repeat (``lastResort``).
    """
    logging = sys.modules.get("logging")
    if logging is None:
        return
    logger = logging.getLogger(LOGGER_NAME)
    if logger.hasHandlers():
        # A path with a byte that is not UTF-8 (kept as a lone surrogate) would fail a
        # handler writing UTF-8, and pytest-xdist sending a test's captured log: escaped.
        text = utf8(message % args if args else message)
        fields = {key: utf8(value) if type(value) is str else value for key, value in extra.items()}
        try:
            logger.log(level, "%s", text, extra=fields or None)
        except Exception:
            # A handler that cannot write reports it with handleError(), which raises
            # in turn if sys.stderr is closed (a daemon): never out of the import.
            return
