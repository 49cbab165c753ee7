"""Old maintenance script, written before #1126 and never updated.

It still reaches for the retired factory. Nothing imports it, so the runtime
guard never sees it: `ssot-guard check` is what finds it, in CI.
"""

from __future__ import annotations

from chat_backend.websocket_core.user_execution_context import UserExecutionContext
from chat_backend.websocket_core.websocket_manager_factory import create_websocket_manager


def reset(user_ids: list[str]) -> None:
    for user_id in user_ids:
        manager = create_websocket_manager(UserExecutionContext(user_id))
        print(f"reset {user_id}: {manager!r}")


if __name__ == "__main__":
    reset(["alice", "bob"])
