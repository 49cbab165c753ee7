"""An agent run that reports its progress as the five business-critical events."""

from __future__ import annotations

from netra_backend.app.websocket_core.user_execution_context import UserExecutionContext
from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager

EVENTS = ("agent_started", "agent_thinking", "tool_executing", "tool_completed", "agent_completed")


def run(user_context: UserExecutionContext, message: str) -> dict[str, int]:
    manager = get_websocket_manager(user_context)
    before = dict(manager.events)
    for event in EVENTS:
        manager.send_event(event, {"message": message})
    return {event: manager.events[event] - before.get(event, 0) for event in EVENTS}
