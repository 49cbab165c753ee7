"""Real servers with autoinstall: ``gunicorn -w 2`` and ``uvicorn --workers 2`` guard every worker.

The servers run from this environment, where ssot_guard is installed (editable or from the
wheel) with its ``ssot_guard_autoinstall.pth``; ``SSOT_GUARD_AUTOINSTALL=1`` then installs the
guard in the server's master and in every worker (gunicorn forks them from the guarded master,
uvicorn spawns fresh interpreters, which run the .pth themselves). A request handler imports a
retired module: strict mode refuses it in each worker, warn mode records it from each worker.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

STARTUP_TIMEOUT = 60.0  # seconds for the server to answer
SPREAD_TIMEOUT = 60.0  # seconds to see both workers answer

CONFIG = """\
[tool.ssot_guard]

[[tool.ssot_guard.block]]
module = "app.legacy"
use = "app.canonical"
reason = "retired"
"""

HANDLER = '''\
import importlib
import os
import time


def hit():
    """Import the retired module as a handler would; say what happened, and which worker."""
    time.sleep(0.2)  # hold this worker so that concurrent requests reach the other
    try:
        importlib.import_module("app.legacy")
        outcome = "imported"
    except ImportError as error:
        outcome = type(error).__name__
    return f'{{"pid": {os.getpid()}, "outcome": "{outcome}"}}'.encode()
'''

WSGI = """\
from app.handler import hit


def application(environ, start_response):
    body = hit()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    start_response("200 OK", headers)
    return [body]
"""

ASGI = """\
from app.handler import hit


async def application(scope, receive, send):
    if scope["type"] != "http":
        return
    body = hit()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})
"""


def _autoinstall_pth_present() -> bool:
    return (Path(sysconfig.get_paths()["purelib"]) / "ssot_guard_autoinstall.pth").exists()


pytestmark = pytest.mark.skipif(
    not _autoinstall_pth_present(),
    reason="ssot_guard is not installed in this environment (pip install -e '.[test]')",
)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    app = tmp_path / "app"
    app.mkdir()
    for name, source in {
        "__init__.py": "",
        "legacy.py": "",
        "canonical.py": "",
        "handler.py": HANDLER,
        "wsgi.py": WSGI,
        "asgi.py": ASGI,
    }.items():
        (app / name).write_text(source, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(CONFIG, encoding="utf-8")
    return tmp_path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def server(
    argv: list[str], project: Path, mode: str, record: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """Start the server in its own process group; always kill that group afterwards."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSOT_GUARD")}
    env.update(
        SSOT_GUARD_AUTOINSTALL="1",
        SSOT_GUARD_CONFIG=str(project / "pyproject.toml"),
        SSOT_GUARD_MODE=mode,
        SSOT_GUARD_RECORD=str(record),
        SSOT_GUARD_CACHE_DIR="off",
        PYTHONPATH=str(project),
        PYTHONWARNINGS="ignore",
    )
    log = open(project / "server.log", "wb")  # noqa: SIM115 - closed below, after the kill
    process = subprocess.Popen(
        argv, cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)
        log.close()


def _get(url: str) -> dict[str, object] | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return json.loads(response.read())  # type: ignore[no-any-return]
    except OSError:
        return None


def answers_from_two_workers(
    url: str, process: subprocess.Popen[bytes], project: Path
) -> dict[int, str]:
    """Concurrent requests until two distinct worker pids have answered: ``{pid: outcome}``."""
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while _get(url) is None:
        if process.poll() is not None or time.monotonic() > deadline:
            log = (project / "server.log").read_text(errors="replace")
            pytest.fail(f"server did not answer on {url}:\n{log[-3000:]}")
        time.sleep(0.2)
    seen: dict[int, str] = {}
    deadline = time.monotonic() + SPREAD_TIMEOUT
    with ThreadPoolExecutor(max_workers=6) as pool:
        while len(seen) < 2 and time.monotonic() < deadline:
            for answer in pool.map(_get, [url] * 6):
                if answer is not None:
                    seen[int(answer["pid"])] = str(answer["outcome"])  # type: ignore[call-overload]
    assert len(seen) == 2, f"only these workers answered in {SPREAD_TIMEOUT}s: {seen}"
    return seen


def recorded_pids(record: Path) -> set[int]:
    lines = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]
    assert all(line["name"] == "app.legacy" for line in lines)
    return {int(line["pid"]) for line in lines if line["importer"] == "app.handler"}


def gunicorn(port: int) -> list[str]:
    pytest.importorskip("gunicorn")
    return [
        sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}",
        "--graceful-timeout", "2", "app.wsgi:application",
    ]  # fmt: skip


def uvicorn(port: int) -> list[str]:
    pytest.importorskip("uvicorn")
    return [
        sys.executable, "-m", "uvicorn", "--workers", "2", "--host", "127.0.0.1",
        "--port", str(port), "--timeout-graceful-shutdown", "2", "app.asgi:application",
    ]  # fmt: skip


SERVERS = {"gunicorn": gunicorn, "uvicorn": uvicorn}


@pytest.mark.parametrize("name", SERVERS)
def test_strict_refuses_the_retired_import_in_every_worker(
    project: Path, tmp_path: Path, name: str
) -> None:
    """Strict: each of the two workers refuses the handler's import, and records it."""
    port = _free_port()
    record = tmp_path / "records.jsonl"
    with server(SERVERS[name](port), project, "strict", record) as process:
        answers = answers_from_two_workers(f"http://127.0.0.1:{port}/", process, project)
    assert set(answers.values()) == {"BlockedImportError"}
    assert set(answers) <= recorded_pids(record)


@pytest.mark.parametrize("name", SERVERS)
def test_warn_records_the_retired_import_from_every_worker(
    project: Path, tmp_path: Path, name: str
) -> None:
    """Warn: the import goes through in each worker, and the record holds both workers' pids."""
    port = _free_port()
    record = tmp_path / "records.jsonl"
    with server(SERVERS[name](port), project, "warn", record) as process:
        answers = answers_from_two_workers(f"http://127.0.0.1:{port}/", process, project)
    assert set(answers.values()) == {"imported"}
    assert set(answers) <= recorded_pids(record)
