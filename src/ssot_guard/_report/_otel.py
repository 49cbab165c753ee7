"""``telemetry = "otel"``: violations into OpenTelemetry, through the API's global providers.

A library depends on the OpenTelemetry *API* only; the application owns the
SDK, its exporters and where they send. So everything goes through
``opentelemetry.metrics`` and ``opentelemetry._logs`` global providers:

- a counter ``ssot_guard.violations`` gets 1 per occurrence, with the
  attributes ``rule``, ``kind``, ``module``, ``importer`` and ``mode``;
- one log record (an event named ``ssot_guard.violation``) is emitted per new
  location, carrying the whole violation.

The instruments are created at ``install()``, where importing is safe: the
violation path (possibly ``find_spec``, under the import lock) only calls
``add`` and ``emit``. The API hands out proxies until the application sets
its providers, so autoinstall, which runs before the application configures
OpenTelemetry, still reports to what the application sets up later.
Without the setting nothing of OpenTelemetry is imported.
"""

from __future__ import annotations

import os

from .._base._errors import ConfigError
from .._base._messages import shown
from ._record import log, recorder

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from typing import Any, Final

    from ._record import Violation

TELEMETRY_ENV: Final = "SSOT_GUARD_TELEMETRY"
#: ``telemetry``'s values: where violations go besides the log (``otel``: OpenTelemetry).
TELEMETRY_VALUES: Final = ("otel", "none")
COUNTER: Final = "ssot_guard.violations"
EVENT: Final = "ssot_guard.violation"
SCOPE: Final = "ssot_guard"


class OtelReporter:
    """The ``recorder`` callback: a counter per occurrence, an event per new location."""

    __slots__ = ("counter", "event_name", "failed", "log_record", "logger", "severities")

    def __init__(self) -> None:
        from opentelemetry import _logs, metrics

        meter = metrics.get_meter(SCOPE)
        self.counter = meter.create_counter(
            COUNTER, unit="{violation}", description="Violations of ssot_guard rules"
        )
        self.logger = _logs.get_logger(SCOPE)
        self.log_record = _logs.LogRecord
        severity = _logs.SeverityNumber
        self.severities = {"warn": severity.WARN, "strict": severity.ERROR}
        self.failed = False
        try:  # ``event_name`` came to the API's LogRecord in 2025; older APIs get an attribute
            self.log_record(event_name=EVENT)
            self.event_name = True
        except TypeError:
            self.event_name = False

    def __call__(self, violation: Violation) -> None:
        try:
            self.counter.add(
                1,
                {
                    "rule": violation.rule,
                    "kind": violation.kind,
                    "module": violation.name,
                    "importer": violation.importer or "",
                    "mode": violation.mode,
                },
            )
            if violation.count == 1:
                self.logger.emit(self._record(violation))
        except Exception:  # an exporter's problem must never break an import
            if not self.failed:
                self.failed = True
                log(
                    40,  # logging.ERROR
                    "reporting a violation to OpenTelemetry failed; the import is unaffected, "
                    "further failures are silent",
                    exc_info=True,
                )

    def _record(self, violation: Violation) -> Any:
        attributes = {
            "ssot_guard.kind": violation.kind,
            "ssot_guard.name": violation.name,
            "ssot_guard.rule": violation.rule,
            "ssot_guard.mode": violation.mode,
            "ssot_guard.importer": violation.importer or "",
            "code.filepath": violation.filename or "",
            "code.lineno": violation.lineno or 0,
        }
        if violation.reason:
            attributes["ssot_guard.reason"] = violation.reason
        if violation.replacement:
            attributes["ssot_guard.replacement"] = violation.replacement
        fields: dict[str, Any] = {
            "severity_text": "WARN" if violation.mode == "warn" else "ERROR",
            "severity_number": self.severities.get(violation.mode),
            "body": str(violation),
            "attributes": attributes,
        }
        if self.event_name:
            fields["event_name"] = EVENT
        else:
            attributes["event.name"] = EVENT
        return self.log_record(**fields)


_reporter: OtelReporter | None = None


def env_telemetry() -> str | None:
    """``SSOT_GUARD_TELEMETRY`` as set (``None`` if unset or empty); a bad value is refused."""
    value = os.environ.get(TELEMETRY_ENV, "").strip().lower()
    if not value:
        return None
    if value not in TELEMETRY_VALUES:
        raise ConfigError(
            f"unknown value {shown(os.environ[TELEMETRY_ENV])}; allowed: "
            + ", ".join(repr(v) for v in TELEMETRY_VALUES)
            + " (or unset it)",
            file=f"environment variable {TELEMETRY_ENV}",
        )
    return value


def configure(configured: str | None, file: str | None = None) -> None:
    """Report to OpenTelemetry if the environment (first) or the config asks. For install().

    Asking for ``otel`` without the API installed is a ``ConfigError`` naming
    where it was asked (*file*, the configuration, or the environment).
    Providers that raise lose the telemetry, not the guard: one error is logged.
    """
    global _reporter
    wanted = env_telemetry() or configured or "none"
    if wanted != "otel":
        if _reporter is not None:
            if _reporter in recorder.callbacks:
                recorder.callbacks.remove(_reporter)
            _reporter = None
        return
    if _reporter is not None:
        return
    try:
        import opentelemetry._logs
        import opentelemetry.metrics  # noqa: F401
    except ImportError as error:
        raise ConfigError(
            f"telemetry 'otel' needs the OpenTelemetry API ({error}); "
            "install it with: pip install 'ssot-guard[otel]'",
            file=f"environment variable {TELEMETRY_ENV}" if env_telemetry() else file,
            key="telemetry",
        ) from None
    try:
        reporter = OtelReporter()
    except Exception:  # the application's providers (an ImportError of theirs too)
        log(
            40,  # logging.ERROR
            "reporting violations to OpenTelemetry failed: its providers raised at install(); "
            "the guard is installed without telemetry",
            exc_info=True,
        )
        return
    _reporter = reporter
    recorder.callbacks.append(reporter)
