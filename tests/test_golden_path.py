"""The golden-path example (examples/golden_path): the seed plan's Phase 2 and Phase 3, for real.

A real server process (``python -m chat_backend``) on 127.0.0.1, on a port the
OS picks, with ssot_guard installed in strict mode from the example's own
pyproject.toml; real WebSocket clients (the ``websockets`` library). Every wait
is bounded; nothing leaves the loopback interface.
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
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "golden_path"
EVENTS = ["agent_started", "agent_thinking", "tool_executing", "tool_completed", "agent_completed"]
LEGACY = "chat_backend.websocket_core.websocket_manager_factory"
STEP = 10.0  # seconds for one step: start-up, a reply, a shut-down
T = TypeVar("T")


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without any SSOT_GUARD_* setting of the caller's, plus *extra*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSOT_GUARD_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(EXAMPLE), env.get("PYTHONPATH")]))
    return {**env, **extra}


class Server:
    """``python -m chat_backend`` on 127.0.0.1:0, its address read from its first stdout line."""

    def __init__(self) -> None:
        command = ["-m", "chat_backend", "--host", "127.0.0.1", "--port", "0"]
        self.process = subprocess.Popen(
            [sys.executable, *command, "--step-delay", "0.05"],
            cwd=EXAMPLE,
            env=clean_env(PYTHONUNBUFFERED="1"),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
        )
        self.output: list[str] = []
        lines: queue.Queue[str | None] = queue.Queue()

        def pump() -> None:
            assert self.process.stdout is not None
            for line in self.process.stdout:
                self.output.append(line)
                lines.put(line)
            lines.put(None)

        self._pump = threading.Thread(target=pump, daemon=True)
        self._pump.start()
        deadline = time.monotonic() + STEP
        while True:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                line = None
            if line is None:
                self.stop()
                raise RuntimeError("the server did not start:\n" + "".join(self.output))
            if line.startswith("{"):
                announced = json.loads(line)
                self.url: str = announced["listening"]
                self.pid: int = announced["pid"]
                return

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STEP)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(STEP)
        self._pump.join(STEP)  # the rest of the output, up to end of file
        if self.process.stdout is not None:
            self.process.stdout.close()
        return self.process.returncode


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    running = Server()
    try:
        yield running
    finally:
        running.stop()


def run(coroutine: Coroutine[Any, Any, T], timeout: float = 3 * STEP) -> T:
    """Run *coroutine* to completion within *timeout* seconds."""
    return asyncio.run(asyncio.wait_for(coroutine, timeout))


def session(server: Server, user: str) -> connect:
    # proxy=None: loopback only, whatever proxy the environment names.
    return connect(f"{server.url}?user={user}", open_timeout=STEP, close_timeout=STEP, proxy=None)


async def receive(websocket: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(await asyncio.wait_for(websocket.recv(), STEP))
    message["arrived"] = time.monotonic()
    return message


async def one_run(
    websocket: ClientConnection, content: str, thread_id: str | None = None
) -> list[dict[str, Any]]:
    """Send a message and collect its events up to ``agent_completed`` or an error."""
    request = {"type": "message", "content": content}
    if thread_id is not None:
        request["thread_id"] = thread_id
    await websocket.send(json.dumps(request))
    events = [await receive(websocket)]
    while events[-1]["type"] not in ("agent_completed", "error"):
        events.append(await receive(websocket))
    return events


async def chat(server: Server, user: str, content: str) -> list[dict[str, Any]]:
    async with session(server, user) as websocket:
        return await one_run(websocket, content)


# Phase 2, in process: the canonical manager's per-user isolation (Suites 2.1 and 2.2).


@pytest.fixture
def websocket_core() -> Any:
    """The example's ``chat_backend.websocket_core``, freshly imported (conftest restores)."""
    sys.path.insert(0, str(EXAMPLE))
    from chat_backend.websocket_core import user_execution_context, websocket_manager

    return websocket_manager, user_execution_context.UserExecutionContext


def test_same_user_gets_the_same_manager(websocket_core: Any) -> None:
    """get_websocket_manager caches per user: two contexts of one user share a manager."""
    managers, Context = websocket_core
    first = managers.get_websocket_manager(Context("consistency_test"))
    second = managers.get_websocket_manager(Context("consistency_test"))
    assert first is second
    assert first.user_context.user_id == "consistency_test"


def test_different_users_get_separate_managers(websocket_core: Any) -> None:
    """Two users never share a manager (no singleton contamination)."""
    managers, Context = websocket_core
    first = managers.get_websocket_manager(Context("user1"))
    second = managers.get_websocket_manager(Context("user2"))
    assert first is not second
    assert first.user_context.user_id != second.user_context.user_id


def test_connection_state_is_per_user(websocket_core: Any) -> None:
    """Connecting user1's manager leaves user2's manager unconnected."""
    managers, Context = websocket_core

    class Recorder:
        async def send(self, message: str) -> None:
            raise AssertionError("nothing is sent in this test")

    user1 = managers.get_websocket_manager(Context("user1"))
    user2 = managers.get_websocket_manager(Context("user2"))
    user1.connect(Recorder())
    assert user1.is_connected()
    assert not user2.is_connected()


def test_manager_refuses_another_users_context(websocket_core: Any) -> None:
    """A manager will not emit an event of another user's run."""
    managers, Context = websocket_core
    user1 = managers.get_websocket_manager(Context("user1"))
    with pytest.raises(managers.IsolationError, match="of user 'user2'"):
        asyncio.run(user1.emit(Context("user2"), "agent_started", {}))


def test_a_failed_session_does_not_stop_the_users_other_sessions(websocket_core: Any) -> None:
    """A connection whose send fails is dropped; the user's other connection still gets events."""
    managers, Context = websocket_core

    class Closed:
        async def send(self, message: str) -> None:
            raise ConnectionResetError("gone")

    class Open:
        def __init__(self) -> None:
            self.received: list[str] = []

        async def send(self, message: str) -> None:
            self.received.append(json.loads(message)["type"])

    context = Context("user1")
    manager = managers.get_websocket_manager(context)
    closed, open_ = Closed(), Open()
    manager.connect(closed)
    manager.connect(open_)
    manager.claim_thread(context)
    asyncio.run(manager.emit(context, "agent_started", {}))
    asyncio.run(manager.emit(context, "agent_thinking", {}))
    assert open_.received == ["agent_started", "agent_thinking"]
    manager.disconnect(open_)
    assert not manager.is_connected()


# Phase 2 over the wire: event delivery (Suite 2.1).


def test_every_event_of_a_run_arrives_in_order(server: Server) -> None:
    """One message yields the five agent events, in order, all of one run and one thread."""
    events = run(chat(server, "alice", "SSOT validation test"))
    assert [e["type"] for e in events] == EVENTS
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(seqs)
    assert len(seqs) == len(set(seqs))
    assert len({e["run_id"] for e in events}) == 1
    assert len({e["thread_id"] for e in events}) == 1
    assert {e["user_id"] for e in events} == {"alice"}


def test_final_event_carries_the_result(server: Server) -> None:
    """agent_completed is last and carries the result and the tool's recommendations."""
    events = run(chat(server, "alice", "Optimize my AWS costs"))
    final = events[-1]
    assert final["type"] == "agent_completed"
    assert final["data"]["result"]
    tool_output = next(e for e in events if e["type"] == "tool_completed")["data"]["output"]
    assert final["data"]["recommendations"] == tool_output["advice"]
    assert tool_output["keywords"] == ["aws", "costs"]


def test_a_thread_continues_across_messages(server: Server) -> None:
    """A second message naming the first run's thread runs in that thread, as a new run."""

    async def two_messages() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        async with session(server, "carol") as websocket:
            first = await one_run(websocket, "Review my storage")
            second = await one_run(websocket, "And the database?", first[0]["thread_id"])
            return first, second

    first, second = run(two_messages())
    assert [e["type"] for e in second] == EVENTS
    assert {e["thread_id"] for e in second} == {first[0]["thread_id"]}
    assert second[0]["run_id"] != first[0]["run_id"]


# Phase 3: two users at once.


def test_two_users_at_once_get_only_their_own_threads(server: Server) -> None:
    """Concurrent chats of two users: each sees only its own events; no thread id is shared."""

    async def both() -> list[list[dict[str, Any]]]:
        ready = asyncio.Barrier(2)

        async def user_chat(user: str, content: str) -> list[dict[str, Any]]:
            async with session(server, user) as websocket:
                await asyncio.wait_for(ready.wait(), STEP)
                return await one_run(websocket, content)

        return list(
            await asyncio.gather(
                user_chat("user1", "User 1 request about GPU"),
                user_chat("user2", "User 2 request about storage"),
            )
        )

    user1, user2 = run(both())
    # The runs really were concurrent: each began before the other ended.
    assert max(user1[0]["arrived"], user2[0]["arrived"]) < min(
        user1[-1]["arrived"], user2[-1]["arrived"]
    )
    for user, events in (("user1", user1), ("user2", user2)):
        assert [e["type"] for e in events] == EVENTS
        assert {e["user_id"] for e in events} == {user}
    user1_threads = {e["thread_id"] for e in user1}
    user2_threads = {e["thread_id"] for e in user2}
    assert user1_threads
    assert user2_threads
    assert not user1_threads & user2_threads


def test_a_user_cannot_post_into_another_users_thread(server: Server) -> None:
    """Naming another user's thread is refused, and its owner receives nothing from it."""

    async def intrude() -> tuple[dict[str, Any], bool]:
        async with session(server, "owner") as owner:
            thread_id = (await one_run(owner, "Private question"))[0]["thread_id"]
            async with session(server, "intruder") as intruder:
                refused = await one_run(intruder, "Let me in", thread_id)
            try:
                await asyncio.wait_for(owner.recv(), 0.5)
            except TimeoutError:
                return refused[-1], False
            return refused[-1], True

    reply, owner_heard = run(intrude())
    assert reply["type"] == "error"
    assert "belongs to another user" in reply["error"]
    assert not owner_heard


def test_a_connection_without_a_user_is_refused(server: Server) -> None:
    """The server closes a connection that does not say whose session it is (policy violation)."""

    async def anonymous() -> int | None:
        async with connect(
            server.url, open_timeout=STEP, close_timeout=STEP, proxy=None
        ) as websocket:
            with pytest.raises(ConnectionClosed):
                await asyncio.wait_for(websocket.recv(), STEP)
            return websocket.close_code

    assert run(anonymous()) == 1008


# The guard inside the server process.


def test_legacy_import_is_blocked_inside_the_server(server: Server) -> None:
    """In the server process the retired factory raises BlockedImportError and never runs."""

    async def status() -> dict[str, Any]:
        async with session(server, "operator") as websocket:
            await websocket.send(json.dumps({"type": "ssot_status"}))
            return await receive(websocket)

    reply = run(status())
    report = reply["report"]
    assert report["pid"] == server.pid
    assert report["mode"] == "strict"
    assert report["config"] == str(EXAMPLE / "pyproject.toml")
    probe = reply["legacy_import"]
    assert probe["blocked"] is True
    assert probe["error"].startswith(f"BlockedImportError: No module named {LEGACY!r}")
    assert "use 'chat_backend.websocket_core.websocket_manager' instead" in probe["error"]
    assert probe["executed"] is False
    assert any(v["kind"] == "import" and v["name"] == LEGACY for v in report["violations"])


def test_server_shuts_down_cleanly_on_sigterm() -> None:
    """SIGTERM stops the server with exit status 0, and the retired module never ran."""
    running = Server()
    assert running.stop() == 0
    assert "the retired websocket_manager_factory module ran" not in "".join(running.output)


# The demo: the README's first command.


def run_demo(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(EXAMPLE / "run_demo.py")],
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_demo_runs_end_to_end() -> None:
    """run_demo.py shows the chats, the blocked import and the check report, and exits 0."""
    done = run_demo()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "FAIL" not in done.stdout
    assert "golden path: all" in done.stdout
    assert f"BlockedImportError: No module named {LEGACY!r}" in done.stdout
    assert "scripts/reset_sessions.py" in done.stdout
    assert done.stdout.count("agent_completed") >= 2


def test_demo_fails_when_the_legacy_import_is_not_blocked() -> None:
    """With the operator override SSOT_GUARD_MODE=warn the import goes through: exit 1."""
    done = run_demo(SSOT_GUARD_MODE="warn")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "FAIL the legacy import is blocked inside the server" in done.stdout
    assert "FAIL the retired module's code never ran" in done.stdout


@pytest.fixture
def demo() -> Any:
    """The example's run_demo module, imported (conftest restores sys.path and sys.modules)."""
    sys.path.insert(0, str(EXAMPLE))
    import run_demo

    return run_demo


def recorded_runs() -> dict[str, list[dict[str, Any]]]:
    """Two well-formed runs, as the demo records them."""
    runs: dict[str, list[dict[str, Any]]] = {}
    for offset, user in enumerate(("alice", "bob")):
        runs[user] = [
            {
                "type": kind,
                "user_id": user,
                "thread_id": f"thread-{user}",
                "data": {"result": "done", "recommendations": ["x"]},
                "_arrived": 0.1 * index + 0.01 * offset,
            }
            for index, kind in enumerate(EVENTS)
        ]
    return runs


def test_demo_checks_pass_on_complete_runs(demo: Any) -> None:
    """The demo's run checks accept two complete, concurrent, separate runs (the baseline)."""
    check = demo.Checks()
    demo.check_runs(check, recorded_runs())
    assert check.failed == []


def test_demo_checks_catch_a_missing_event(demo: Any) -> None:
    """A run without its agent_thinking event fails the demo's check."""
    runs = recorded_runs()
    del runs["alice"][1]
    check = demo.Checks()
    demo.check_runs(check, runs)
    assert [f for f in check.failed if f.startswith("alice: all five events")]


def test_demo_checks_catch_a_crossed_thread(demo: Any) -> None:
    """An event of bob's thread in alice's run fails the demo's isolation checks."""
    runs = recorded_runs()
    runs["alice"][2]["thread_id"] = "thread-bob"
    check = demo.Checks()
    demo.check_runs(check, runs)
    assert "no thread id crossed between the two users" in check.failed
