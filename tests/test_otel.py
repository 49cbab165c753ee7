"""``telemetry = "otel"``: a counter per violation and an event per location, via the API.

Each test runs in a subprocess: OpenTelemetry's global providers can be set once per process.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import textwrap
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

pytest.importorskip("opentelemetry.sdk")

CONFIG = """\
[tool.ssot_guard]
mode = "strict"
{telemetry}

[[tool.ssot_guard.block]]
module = "app.legacy"
use = "app.canonical"
mode = "{rule_mode}"
"""

# Three refused imports at one line, in strict mode: three occurrences, one location.
IMPORTS = """\
for _ in range(3):
    try:
        import app.legacy
    except ImportError:
        pass
"""

IN_MEMORY = """\
from opentelemetry import _logs, metrics
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader

reader = InMemoryMetricReader()
logs = InMemoryLogRecordExporter()


def providers():
    metrics.set_meter_provider(MeterProvider(metric_readers=[reader]))
    provider = LoggerProvider()
    provider.add_log_record_processor(SimpleLogRecordProcessor(logs))
    _logs.set_logger_provider(provider)


def report():
    import json
    points = [
        {"value": p.value, "attributes": dict(p.attributes)}
        for rm in reader.get_metrics_data().resource_metrics
        for sm in rm.scope_metrics
        for m in sm.metrics
        if m.name == "ssot_guard.violations"
        for p in m.data.data_points
    ]
    events = [
        {"event_name": getattr(r.log_record, "event_name", None),
         "attributes": dict(r.log_record.attributes), "body": r.log_record.body}
        for r in logs.get_finished_logs()
    ]
    print(json.dumps({"points": points, "events": events}))
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "app" / "legacy.py").write_text("", encoding="utf-8")
    (tmp_path / "app" / "user.py").write_text(IMPORTS, encoding="utf-8")
    (tmp_path / "harness.py").write_text(IN_MEMORY, encoding="utf-8")
    write_config(tmp_path)
    return tmp_path


def write_config(root: Path, telemetry: str = 'telemetry = "otel"', rule_mode: str = "strict"):
    text = CONFIG.format(telemetry=telemetry, rule_mode=rule_mode)
    (root / "pyproject.toml").write_text(text, encoding="utf-8")


def run(root: Path, code: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SSOT_GUARD")}
    environ.update(env, SSOT_GUARD_CACHE_DIR="off", PYTHONPATH=str(root))
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=root,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )


def test_counter_per_occurrence_and_event_per_location(project: Path) -> None:
    """Three refused imports at one line: the counter says 3, one event carries the location."""
    result = run(
        project,
        """
        import harness, ssot_guard
        harness.providers()
        ssot_guard.install()
        import app.user
        harness.report()
        """,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    (point,) = data["points"]
    assert point["value"] == 3
    assert point["attributes"] == {
        "rule": f"{project / 'pyproject.toml'}: tool.ssot_guard.block[0]",
        "kind": "import",
        "module": "app.legacy",
        "importer": "app.user",
        "mode": "strict",
    }
    (event,) = data["events"]
    assert event["event_name"] == "ssot_guard.violation"
    assert event["attributes"]["code.lineno"] == 3
    assert event["attributes"]["ssot_guard.importer"] == "app.user"
    assert "app.legacy" in event["body"]


def test_providers_set_after_install_still_receive(project: Path) -> None:
    """Installed first (as autoinstall does), providers configured later: still reported."""
    result = run(
        project,
        """
        import ssot_guard, harness
        ssot_guard.install()
        harness.providers()
        import app.user
        harness.report()
        """,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["points"][0]["value"] == 3


def test_environment_variable_turns_it_on(project: Path) -> None:
    """``SSOT_GUARD_TELEMETRY=otel`` without the config key."""
    write_config(project, telemetry="")
    code = "import harness, ssot_guard\nharness.providers()\nssot_guard.install()\n"
    code += "import app.user\nharness.report()\n"
    result = run(project, code, SSOT_GUARD_TELEMETRY="otel")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["points"][0]["value"] == 3


def test_without_the_setting_nothing_of_opentelemetry_is_imported(project: Path) -> None:
    """No setting: install() and a violation import no ``opentelemetry`` module."""
    write_config(project, telemetry="")
    result = run(
        project,
        """
        import sys, ssot_guard
        ssot_guard.install()
        import app.user
        print(sorted(m for m in sys.modules if m.startswith("opentelemetry")))
        """,
    )
    assert result.stdout.strip() == "[]", result.stderr


def test_nothing_is_imported_on_the_violation_path(project: Path) -> None:
    """Everything OpenTelemetry needs is imported by install(), none under find_spec."""
    result = run(
        project,
        """
        import sys, harness, ssot_guard
        harness.providers()
        ssot_guard.install()
        before = set(sys.modules)
        import app.user
        print(sorted(set(sys.modules) - before - {"app", "app.user"}))
        """,
    )
    assert result.stdout.strip() == "[]", result.stderr


@pytest.mark.parametrize(
    ("config", "env", "message"),
    [
        ('telemetry = "prometheus"', {}, "key 'telemetry': expected one of 'otel', 'none'"),
        ("telemetry = 1", {}, "key 'telemetry': expected one of 'otel', 'none', got 1"),
        ("", {"SSOT_GUARD_TELEMETRY": "datadog"}, "SSOT_GUARD_TELEMETRY: unknown value"),
    ],
)
def test_a_bad_value_is_a_config_error(
    project: Path, config: str, env: dict[str, str], message: str
) -> None:
    """An unknown telemetry value in the file or the environment: one ConfigError."""
    write_config(project, telemetry=config)
    result = run(
        project,
        """
        import ssot_guard
        try:
            ssot_guard.install()
        except ssot_guard.ConfigError as error:
            print(error)
        """,
        **env,
    )
    assert message in result.stdout, result.stdout + result.stderr


class _Receiver(BaseHTTPRequestHandler):
    """An OTLP/HTTP endpoint: keeps each decoded request by path."""

    received: dict[str, list[bytes]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        self.received.setdefault(self.path, []).append(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_otlp_http_exporter_delivers_counter_and_events(project: Path) -> None:
    """A real OTLP/HTTP exporter sends to a receiver on 127.0.0.1, which decodes both."""
    pytest.importorskip("opentelemetry.exporter.otlp.proto.http")
    from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
    from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
        ExportMetricsServiceRequest,
    )

    write_config(project, rule_mode="warn")
    handler = type("Handler", (_Receiver,), {"received": {}})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    endpoint = f"http://127.0.0.1:{server.server_port}"
    try:
        result = run(
            project,
            f"""
            import warnings; warnings.simplefilter("ignore")
            import ssot_guard
            ssot_guard.install()
            from opentelemetry import _logs, metrics
            from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
            from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
            from opentelemetry.sdk._logs import LoggerProvider
            from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
            from opentelemetry.sdk.metrics import MeterProvider
            from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader
            reader = PeriodicExportingMetricReader(
                OTLPMetricExporter(endpoint="{endpoint}/v1/metrics", timeout=10),
                export_interval_millis=60000,
            )
            meters = MeterProvider(metric_readers=[reader])
            metrics.set_meter_provider(meters)
            loggers = LoggerProvider()
            loggers.add_log_record_processor(
                BatchLogRecordProcessor(OTLPLogExporter(endpoint="{endpoint}/v1/logs", timeout=10))
            )
            _logs.set_logger_provider(loggers)
            import app.user
            import app.legacy
            meters.shutdown()
            loggers.shutdown()
            """,
        )
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 0, result.stderr
    total = 0
    for body in handler.received.get("/v1/metrics", []):
        request = ExportMetricsServiceRequest.FromString(body)
        for rm in request.resource_metrics:
            for sm in rm.scope_metrics:
                for metric in sm.metrics:
                    if metric.name == "ssot_guard.violations":
                        total += sum(p.as_int for p in metric.sum.data_points)
    assert total == 2  # app.user's import, then this script's own
    events = []
    for body in handler.received.get("/v1/logs", []):
        request = ExportLogsServiceRequest.FromString(body)
        for rl in request.resource_logs:
            for sl in rl.scope_logs:
                events += [r for r in sl.log_records if sl.scope.name == "ssot_guard"]
    lines = sorted(
        next(a.value.int_value for a in r.attributes if a.key == "code.lineno") for r in events
    )
    assert lines[0] == 3  # app/user.py's import; the other is this script's own line
    assert len(lines) == 2
    assert {r.event_name for r in events} == {"ssot_guard.violation"}


def test_without_the_api_install_is_one_config_error_naming_the_file(project: Path) -> None:
    """``telemetry = "otel"`` with no OpenTelemetry API importable: one ConfigError naming the
    file, the key and the extra to install (not an ImportError traceback)."""
    result = run(
        project,
        """
        import sys
        sys.modules["opentelemetry"] = None  # as if the API were not installed
        import ssot_guard
        try:
            ssot_guard.install()
        except ssot_guard.ConfigError as error:
            print(error)
        """,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{project / 'pyproject.toml'}: "), result.stdout
    assert "key 'telemetry'" in result.stdout
    assert "pip install 'ssot-guard[otel]'" in result.stdout


def test_a_provider_that_raises_at_install_leaves_the_guard_installed(project: Path) -> None:
    """The application's meter provider raises when asked for a meter: telemetry is lost
    (one error on the ``ssot_guard`` logger), the guard is not: it is installed and refuses."""
    result = run(
        project,
        """
        from opentelemetry import metrics
        from opentelemetry.sdk.metrics import MeterProvider

        class Broken(MeterProvider):
            def get_meter(self, *args, **kwargs):
                raise RuntimeError("provider broken")

        metrics.set_meter_provider(Broken())
        import ssot_guard
        ssot_guard.install()
        try:
            import app.legacy
        except ImportError as error:
            print(type(error).__name__)
        """,
    )
    assert result.stdout == "BlockedImportError\n", result.stderr
    assert "RuntimeError: provider broken" in result.stderr
    assert "OpenTelemetry" in result.stderr
