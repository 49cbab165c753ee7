"""The canonical WebSocket manager: one manager per user, nothing shared."""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Callable

from netra_backend.app.websocket_core.user_execution_context import UserExecutionContext


class WebSocketManagerMode(enum.Enum):
    UNIFIED = "unified"
    ISOLATED = "isolated"


class WebSocketManager:
    """Delivers events to one user's connection."""

    def __init__(
        self,
        mode: WebSocketManagerMode = WebSocketManagerMode.UNIFIED,
        user_context: UserExecutionContext | None = None,
    ) -> None:
        self.mode = mode
        self.user_context = user_context
        self.events: Counter[str] = Counter()
        self._connection: str | None = None

    def connect(self, url: str) -> None:
        self._connection = url

    def is_connected(self) -> bool:
        return self._connection is not None

    def send_event(self, event_type: str, data: object = None) -> None:
        self.events[event_type] += 1


_managers: dict[str, WebSocketManager] = {}

#: Set by the package while the deprecated factory still exists (the dual pattern).
legacy_factory: Callable[[UserExecutionContext], WebSocketManager] | None = None


def get_websocket_manager(user_context: UserExecutionContext) -> WebSocketManager:
    """The manager of *user_context*'s user: the same one for the same user, never shared."""
    if legacy_factory is not None:
        return legacy_factory(user_context)
    manager = _managers.get(user_context.user_id)
    if manager is None:
        manager = _managers[user_context.user_id] = WebSocketManager(user_context=user_context)
    return manager
