"""DEPRECATED (#1126): the old factory, with a second WebSocketManager of its own."""

from __future__ import annotations

from collections import Counter

from netra_backend.app.websocket_core.user_execution_context import UserExecutionContext


class WebSocketManager:
    """The second implementation the dual pattern left behind: one shared instance."""

    def __init__(self) -> None:
        self.user_context: UserExecutionContext | None = None
        self.events: Counter[str] = Counter()
        self._connection: str | None = None

    def connect(self, url: str) -> None:
        self._connection = url

    def is_connected(self) -> bool:
        return self._connection is not None

    def send_event(self, event_type: str, data: object = None) -> None:
        self.events[event_type] += 1


class WebSocketManagerFactory:
    """Hands every caller the same manager: no per-user isolation."""

    def __init__(self) -> None:
        self._instance: WebSocketManager | None = None

    def create(self, user_context: UserExecutionContext) -> WebSocketManager:
        if self._instance is None:
            self._instance = WebSocketManager()
        self._instance.user_context = user_context
        return self._instance


_factory = WebSocketManagerFactory()


def create_websocket_manager(user_context: UserExecutionContext) -> WebSocketManager:
    return _factory.create(user_context)
