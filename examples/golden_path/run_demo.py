"""The golden path, end to end, with ssot_guard keeping the migration honest.

1. starts the chat backend (``python -m chat_backend``) on 127.0.0.1, on a free port;
   the server installs ssot_guard in strict mode from its own pyproject.toml;
2. runs two users' chats at once, printing the agent events as they arrive;
3. asks the server process to import the retired factory module: blocked;
4. prints the ``ssot-guard check`` report on this example's source, where an
   old script still imports the retired module;
5. stops the server.

Every step is checked; the exit status is 0 only if all of them held.
Run it with ``python examples/golden_path/run_demo.py`` after
``pip install 'ssot-guard[examples]'`` (or ``pip install '.[examples]'`` in a clone).
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

try:
    from websockets.asyncio.client import connect
except ImportError:  # pragma: no cover - depends on the installation
    sys.exit("run_demo.py needs the 'websockets' package: pip install 'ssot-guard[examples]'")

HERE = Path(__file__).resolve().parent
TIMEOUT = 10.0  # seconds for any single step: start-up, a message, a reply, shut-down
EVENTS = ("agent_started", "agent_thinking", "tool_executing", "tool_completed", "agent_completed")
LEGACY_MODULE = "chat_backend.websocket_core.websocket_manager_factory"
LEGACY_RAN = "the retired websocket_manager_factory module ran"
STALE_SCRIPT = "scripts/reset_sessions.py"
CHATS = {
    "alice": "Optimize my AWS costs",
    "bob": "Our GPU and storage bills doubled",
}


class Checks:
    """What the demo promised, each with whether it held."""

    def __init__(self) -> None:
        self.failed: list[str] = []
        self.passed = 0

    def __call__(self, ok: bool, what: str) -> bool:
        print(f"   {'ok  ' if ok else 'FAIL'} {what}")
        if ok:
            self.passed += 1
        else:
            self.failed.append(what)
        return ok


class ServerDidNotStart(RuntimeError):
    pass


class ServerProcess:
    """The chat backend in a child process; waits for its address, stops it on exit."""

    def __init__(self, *args: str) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HERE), env.get("PYTHONPATH")]))
        env["PYTHONUNBUFFERED"] = "1"
        command = [sys.executable, "-m", "chat_backend", "--host", "127.0.0.1", "--port", "0"]
        self.process = subprocess.Popen(
            [*command, *args],
            cwd=HERE,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self.log: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._pumps = [
            threading.Thread(target=self._pump, args=(stream, stream is self.process.stdout))
            for stream in (self.process.stdout, self.process.stderr)
        ]
        for pump in self._pumps:
            pump.daemon = True
            pump.start()
        self.url, self.pid = self._wait_until_listening()

    def _pump(self, stream: Any, is_stdout: bool) -> None:
        for line in stream:
            self.log.append(line.rstrip("\n"))
            if is_stdout:
                self._lines.put(line)
        if is_stdout:
            self._lines.put(None)

    def _wait_until_listening(self) -> tuple[str, int]:
        """The address the server announces as a JSON line on stdout, within the timeout."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                line = None
            if line is None:
                self.stop()
                raise ServerDidNotStart("the server did not start:\n" + "\n".join(self.log))
            if line.startswith("{"):
                announced = json.loads(line)
                return str(announced["listening"]), int(announced["pid"])

    def stop(self) -> int:
        """Ask the server to stop (SIGTERM); kill it if it does not within the timeout."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(TIMEOUT)
        for pump in self._pumps:
            pump.join(TIMEOUT)  # the rest of the output, up to end of file
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
        return self.process.returncode

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def short(text: object) -> str:
    """*text* with this example's directory left out of paths, for display."""
    return str(text).replace(str(HERE) + os.sep, "")


def describe(event: dict[str, Any]) -> str:
    data = event.get("data") or {}
    kind = event.get("type")
    if kind == "agent_started":
        return f"{data.get('agent')} received {data.get('message')!r}"
    if kind == "agent_thinking":
        return str(data.get("thought"))
    if kind == "tool_executing":
        return f"{data.get('tool')}({data.get('input')!r})"
    if kind == "tool_completed":
        return f"{data.get('tool')} found keywords {(data.get('output') or {}).get('keywords')}"
    if kind == "agent_completed":
        return f"{data.get('result')}: " + "; ".join(data.get("recommendations") or [])
    return json.dumps(event)


async def chat(
    url: str, user: str, message: str, ready: asyncio.Barrier, started: float
) -> list[dict[str, Any]]:
    """One user's chat: send *message* once every user is connected, print events as they come."""
    events: list[dict[str, Any]] = []
    async with connect(
        f"{url}?user={user}", open_timeout=TIMEOUT, close_timeout=TIMEOUT, proxy=None
    ) as websocket:
        await asyncio.wait_for(ready.wait(), TIMEOUT)
        await websocket.send(json.dumps({"type": "message", "content": message}))
        while not events or events[-1].get("type") not in ("agent_completed", "error"):
            event = json.loads(await asyncio.wait_for(websocket.recv(), TIMEOUT))
            event["_arrived"] = time.monotonic() - started
            events.append(event)
            thread = str(event.get("thread_id", "-"))
            print(
                f"   +{event['_arrived']:.2f}s  {user:<5}  {thread:<19}  "
                f"{event.get('type', '?'):<15} {describe(event)}"
            )
    return events


async def two_users_chat(url: str) -> dict[str, list[dict[str, Any]]]:
    ready = asyncio.Barrier(len(CHATS))
    started = time.monotonic()
    runs = await asyncio.gather(
        *(chat(url, user, message, ready, started) for user, message in CHATS.items())
    )
    return dict(zip(CHATS, runs, strict=True))


async def ssot_status(url: str) -> dict[str, Any]:
    async with connect(
        f"{url}?user=operator", open_timeout=TIMEOUT, close_timeout=TIMEOUT, proxy=None
    ) as websocket:
        await websocket.send(json.dumps({"type": "ssot_status"}))
        reply: dict[str, Any] = json.loads(await asyncio.wait_for(websocket.recv(), TIMEOUT))
        return reply


def check_runs(check: Checks, runs: dict[str, list[dict[str, Any]]]) -> None:
    threads: dict[str, set[str]] = {}
    for user, events in runs.items():
        kinds = tuple(e.get("type") for e in events)
        check(kinds == EVENTS, f"{user}: all five events, in order ({', '.join(map(str, kinds))})")
        check(
            all(e.get("user_id") == user for e in events),
            f"{user}: every event is addressed to {user}",
        )
        threads[user] = {str(e.get("thread_id")) for e in events}
        check(len(threads[user]) == 1, f"{user}: one thread for the whole run")
        final = (events[-1].get("data") or {}) if events else {}
        check(
            bool(final.get("result")) and bool(final.get("recommendations")),
            f"{user}: the final event carries the result and its recommendations",
        )
    first, second = (threads[user] for user in CHATS)
    check(not first & second, "no thread id crossed between the two users")
    spans = [(e[0]["_arrived"], e[-1]["_arrived"]) for e in runs.values() if e]
    check(
        len(spans) == 2 and max(s for s, _ in spans) < min(e for _, e in spans),
        "the two runs overlapped in time (served concurrently)",
    )


def check_status(check: Checks, status: dict[str, Any], server: ServerProcess) -> None:
    report = status.get("report") or {}
    probe = status.get("legacy_import") or {}
    print(f"   server pid {report.get('pid')}: ssot_guard in {report.get('mode')} mode")
    print(f"   config {report.get('config')}")
    for rule in report.get("rules") or []:
        print(f"     {rule.get('kind'):<7} {rule.get('mode'):<7} {short(rule.get('rule'))}")
    print(f"   import {probe.get('module')}")
    print(f"     -> {short(probe.get('error') or 'it went through')}")
    for found in report.get("violations") or []:
        where = f"{short(found.get('filename'))}:{found.get('lineno')}"
        kind, name, mode = found.get("kind"), found.get("name"), found.get("mode")
        print(f"   recorded: {kind} {name!r} at {where} ({mode})")
    check(report.get("pid") == server.pid, "the answer came from the server process")
    check(report.get("mode") == "strict", "the server runs the guard in strict mode")
    blocked = f"BlockedImportError: No module named {LEGACY_MODULE!r}"
    check(
        probe.get("blocked") is True and str(probe.get("error")).startswith(blocked),
        "the legacy import is blocked inside the server",
    )
    check(probe.get("executed") is False, "the retired module's code never ran")


def run_check(check: Checks) -> None:
    command = [sys.executable, "-m", "ssot_guard", "check", "."]
    print(f"   $ cd {os.path.relpath(HERE)} && ssot-guard check .")
    try:
        done = subprocess.run(
            command, cwd=HERE, capture_output=True, text=True, timeout=60, check=False
        )
    except subprocess.TimeoutExpired:
        check(False, "ssot-guard check finished within 60 s")
        return
    for line in (done.stdout + done.stderr).splitlines():
        print(f"   | {line}")
    print(f"   (exit status {done.returncode})")
    stale = [line for line in done.stdout.splitlines() if line.startswith(f"{STALE_SCRIPT}:")]
    check(
        done.returncode == 1 and any(LEGACY_MODULE in line for line in stale),
        f"ssot-guard check reports the stale import in {STALE_SCRIPT} (exit status 1)",
    )


def main() -> int:
    check = Checks()
    print("1. start the chat backend")
    try:
        started = ServerProcess("--step-delay", "0.1")
    except ServerDidNotStart as error:
        print(f"FAILED: {error}")
        return 1
    with started as server:
        print(f"   listening on {server.url} (pid {server.pid})")
        print("\n2. two users chat at the same time")
        try:
            runs = asyncio.run(asyncio.wait_for(two_users_chat(server.url), 4 * TIMEOUT))
        except Exception as error:  # a broken step is a failed check, not a traceback
            check(False, f"both chats completed ({type(error).__name__}: {error})")
        else:
            check_runs(check, runs)

        print("\n3. a stale caller imports the retired factory inside the server process")
        try:
            status = asyncio.run(asyncio.wait_for(ssot_status(server.url), 2 * TIMEOUT))
        except Exception as error:
            check(False, f"the server answered ({type(error).__name__}: {error})")
        else:
            check_status(check, status, server)

        print("\n4. the same rules, statically, on this example's source")
        run_check(check)

        print("\n5. stop the server")
        check(server.stop() == 0, "the server shut down cleanly (exit status 0)")
        check(
            not any(LEGACY_RAN in line for line in server.log),
            "the server's log never shows the retired module running",
        )
    if check.failed:
        print(f"\nFAILED: {len(check.failed)} of {check.passed + len(check.failed)} checks:")
        for what in check.failed:
            print(f"   {what}")
        print("\nserver log:\n   " + "\n   ".join(server.log))
        return 1
    print(f"\ngolden path: all {check.passed} checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
