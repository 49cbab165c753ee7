"""The seed plan's WebSocket test utilities (synchronous here: no asyncio plugin needed)."""

from __future__ import annotations

from dataclasses import dataclass

from netra_backend.app.agents import triage_agent
from netra_backend.app.websocket_core.user_execution_context import UserExecutionContext


@dataclass
class AgentRun:
    events: dict[str, int]


def create_test_user_context(user_id: str) -> UserExecutionContext:
    return UserExecutionContext(user_id=user_id)


def execute_agent_with_websocket_monitoring(agent: str, message: str) -> AgentRun:
    assert agent == "triage_agent", agent
    return AgentRun(events=triage_agent.run(create_test_user_context("monitor"), message))
