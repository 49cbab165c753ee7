"""The WebSocket server: one connection per user session, one agent run per message.

Protocol (JSON text frames). Connect to ``ws://HOST:PORT/chat?user=<user id>``
(a real service would authenticate a token here), then send:

- ``{"type": "message", "content": "...", "thread_id": "..."}`` (``thread_id``
  optional: a new thread is started without it) -> the five agent events of the
  run, each ``{"type", "user_id", "thread_id", "run_id", "seq", "data"}``.
- ``{"type": "ssot_status"}`` -> ``{"type": "ssot_status", "legacy_import",
  "report"}``: an attempt to import the retired factory, made here in the server
  process, and ``ssot_guard.report()`` (the guard in force, its rules, the
  violations recorded), as a health endpoint would show it.

Mistakes get ``{"type": "error", "error": "..."}`` and the connection stays open.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import json
import logging
import os
import signal
import sys
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

import ssot_guard

from .agent import run_agent
from .websocket_core.user_execution_context import UserExecutionContext
from .websocket_core.websocket_manager import (
    IsolationError,
    WebSocketManager,
    get_websocket_manager,
)

LEGACY_MODULE = "chat_backend.websocket_core.websocket_manager_factory"

log = logging.getLogger("chat_backend")


def user_of(path: str) -> str | None:
    """The ``user`` query parameter of the request path ``/chat?user=...``."""
    parts = urlsplit(path)
    if parts.path != "/chat":
        return None
    users = parse_qs(parts.query).get("user", [])
    return users[0] if len(users) == 1 and users[0] else None


def legacy_import_probe() -> dict[str, Any]:
    """Try the import a stale caller would make, here in the server process."""
    try:
        importlib.import_module(LEGACY_MODULE)
    except ImportError as error:
        return {
            "module": LEGACY_MODULE,
            "blocked": True,
            "error": f"{type(error).__name__}: {error}",
            "executed": LEGACY_MODULE in sys.modules,
        }
    return {"module": LEGACY_MODULE, "blocked": False, "error": None, "executed": True}


def ssot_status() -> dict[str, Any]:
    """The probe above, then ``ssot_guard.report()``: what a health endpoint would show."""
    probe = legacy_import_probe()  # first, so that its violation is in the report
    return {"type": "ssot_status", "legacy_import": probe, "report": ssot_guard.report()}


class ChatServer:
    def __init__(self, *, step_delay: float) -> None:
        self.step_delay = step_delay

    async def handle(self, connection: ServerConnection) -> None:
        user_id = user_of(connection.request.path if connection.request else "")
        if user_id is None:
            await connection.close(code=1008, reason="connect to /chat?user=<user id>")
            return
        manager = get_websocket_manager(UserExecutionContext(user_id))
        manager.connect(connection)
        log.info("user %s connected", user_id)
        try:
            async for raw in connection:
                reply = await self.dispatch(manager, raw)
                if reply is not None:
                    await connection.send(json.dumps(reply))
        except ConnectionClosed:
            pass
        finally:
            manager.disconnect(connection)
            log.info("user %s disconnected", user_id)

    async def dispatch(self, manager: WebSocketManager, raw: str | bytes) -> dict[str, Any] | None:
        try:
            request = json.loads(raw)
        except ValueError:
            return _error("expected a JSON object")
        if not isinstance(request, dict):
            return _error("expected a JSON object")
        kind = request.get("type")
        if kind == "message":
            content, thread_id = request.get("content"), request.get("thread_id")
            if not isinstance(content, str) or not content.strip():
                return _error("'content' must be a non-empty string")
            if thread_id is not None and not isinstance(thread_id, str):
                return _error("'thread_id' must be a string when given")
            context = (
                UserExecutionContext(manager.user_id, thread_id)
                if thread_id
                else UserExecutionContext(manager.user_id)
            )
            try:
                manager.claim_thread(context)
            except IsolationError as error:
                return _error(str(error))
            await run_agent(manager, context, content, step_delay=self.step_delay)
            return None
        if kind == "ssot_status":
            return ssot_status()
        return _error(f"unknown type {kind!r}; expected 'message' or 'ssot_status'")


def _error(text: str) -> dict[str, Any]:
    return {"type": "error", "error": text}


async def serve_until_stopped(host: str, port: int, *, step_delay: float) -> None:
    """Serve until SIGTERM or SIGINT; announce the address on stdout as one JSON line."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):  # not on Windows
            loop.add_signal_handler(signum, stop.set)
    chat = ChatServer(step_delay=step_delay)
    async with serve(chat.handle, host, port) as server:
        bound = server.sockets[0].getsockname()
        url = f"ws://{bound[0]}:{bound[1]}/chat"
        guard = ssot_guard.active_guard()
        print(
            json.dumps(
                {
                    "listening": url,
                    "pid": os.getpid(),
                    "guard_mode": guard.mode if guard else None,
                }
            ),
            flush=True,
        )
        log.info("listening on %s", url)
        await stop.wait()
        log.info("shutting down")
