"""RETIRED: the second factory that issue #1126 removed. Still on disk, blocked.

ssot_guard refuses every import of this module (pyproject.toml, [[block]]), so
none of the code below runs in the server. It stays here until the migration's
last step deletes it; `ssot-guard check` keeps reporting the file until then.
"""

from __future__ import annotations

import sys

from .user_execution_context import UserExecutionContext

# If you ever see this line, the guard did not block the import.
print("!! the retired websocket_manager_factory module ran", file=sys.stderr)


class WebSocketManager:
    """The duplicate manager: a process-wide singleton shared by every user."""

    _instance: WebSocketManager | None = None

    def __new__(cls) -> WebSocketManager:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance


def create_websocket_manager(user_context: UserExecutionContext) -> WebSocketManager:
    return WebSocketManager()  # every user gets the same instance: the #1126 bug
