"""The canonical WebSocket manager: the one source of truth (issue #1126).

Each user gets one isolated ``WebSocketManager`` from ``get_websocket_manager``;
it only ever sends to that user's own connections and only events of that
user's own threads.
"""

from __future__ import annotations

import itertools
import json
import logging
from typing import Any, Protocol

from .user_execution_context import UserExecutionContext

log = logging.getLogger("chat_backend")


class Connection(Protocol):
    """What a manager needs from a connection: a websockets ``ServerConnection`` fits."""

    async def send(self, message: str) -> None: ...


class IsolationError(PermissionError):
    """A request touched another user's manager or thread."""


class WebSocketManager:
    """One user's connections and threads; sends that user's agent events."""

    def __init__(self, user_context: UserExecutionContext) -> None:
        self.user_context = user_context
        self._connections: list[Connection] = []
        self._threads: set[str] = set()
        self._sequence = itertools.count(1)

    @property
    def user_id(self) -> str:
        return self.user_context.user_id

    def connect(self, connection: Connection) -> None:
        self._connections.append(connection)

    def disconnect(self, connection: Connection) -> None:
        if connection in self._connections:
            self._connections.remove(connection)

    def is_connected(self) -> bool:
        return bool(self._connections)

    def owns_thread(self, thread_id: str) -> bool:
        return thread_id in self._threads

    def claim_thread(self, context: UserExecutionContext) -> None:
        """Make *context*'s thread this user's, or refuse one that belongs to someone else."""
        self._check_user(context)
        owner = _thread_owners.setdefault(context.thread_id, self.user_id)
        if owner != self.user_id:
            raise IsolationError(f"thread {context.thread_id!r} belongs to another user")
        self._threads.add(context.thread_id)

    async def emit(self, context: UserExecutionContext, event: str, data: dict[str, Any]) -> None:
        """Send one agent event of *context*'s run to every connection of this user."""
        self._check_user(context)
        if context.thread_id not in self._threads:
            raise IsolationError(f"thread {context.thread_id!r} was not claimed by this user")
        message = json.dumps(
            {
                "type": event,
                "user_id": context.user_id,
                "thread_id": context.thread_id,
                "run_id": context.run_id,
                "seq": next(self._sequence),
                "data": data,
            }
        )
        for connection in list(self._connections):
            try:
                await connection.send(message)
            except Exception:
                # One closed session (another tab of this user) must not end the run
                # for the others: drop it and go on.
                log.warning("dropping a connection of user %s that failed", self.user_id)
                self.disconnect(connection)

    def _check_user(self, context: UserExecutionContext) -> None:
        if context.user_id != self.user_id:
            raise IsolationError(
                f"the manager of user {self.user_id!r} was handed a context "
                f"of user {context.user_id!r}"
            )

    def __repr__(self) -> str:
        return (
            f"<WebSocketManager user={self.user_id!r} connections={len(self._connections)} "
            f"threads={len(self._threads)}>"
        )


_managers: dict[str, WebSocketManager] = {}
_thread_owners: dict[str, str] = {}


def get_websocket_manager(user_context: UserExecutionContext) -> WebSocketManager:
    """The manager of *user_context*'s user: the same one for every call of that user.

    Safe on one event loop without a lock: nothing here awaits between the
    lookup and the insertion.
    """
    manager = _managers.get(user_context.user_id)
    if manager is None:
        manager = _managers[user_context.user_id] = WebSocketManager(user_context)
    return manager


def reset_managers() -> None:
    """Forget every manager and thread (for tests and server shutdown)."""
    _managers.clear()
    _thread_owners.clear()
