"""The triage agent: one run emits the five golden-path events, in order.

``agent_started``, ``agent_thinking``, ``tool_executing``, ``tool_completed``,
``agent_completed`` (whose data carries the result). The "tool" is a small,
deterministic analysis of the message, so runs are reproducible.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from .websocket_core.user_execution_context import UserExecutionContext
from .websocket_core.websocket_manager import WebSocketManager

AGENT = "triage_agent"
TOOL = "cost_analyzer"
EVENTS = ("agent_started", "agent_thinking", "tool_executing", "tool_completed", "agent_completed")

_ADVICE = {
    "aws": "Move steady workloads to Savings Plans",
    "cost": "Tag every resource with an owner and review the untagged spend",
    "costs": "Tag every resource with an owner and review the untagged spend",
    "storage": "Apply lifecycle rules: cold objects to an archive tier after 30 days",
    "gpu": "Schedule GPU jobs on spot capacity with checkpoints",
    "database": "Right-size the database: peak CPU below 40% for a month",
}
_DEFAULT_ADVICE = "Set a monthly budget alert per team"


def analyze(message: str) -> dict[str, Any]:
    """The tool: keywords of *message* and the advice that matches them."""
    words = re.findall(r"[a-z0-9]+", message.lower())
    matched = sorted({w for w in words if w in _ADVICE})
    advice = list(dict.fromkeys(_ADVICE[w] for w in matched)) or [_DEFAULT_ADVICE]
    return {"words": len(words), "keywords": matched, "advice": advice}


async def run_agent(
    manager: WebSocketManager,
    context: UserExecutionContext,
    message: str,
    *,
    step_delay: float = 0.0,
) -> dict[str, Any]:
    """Run the agent for *context* and stream its events through *manager*.

    *step_delay* stands in for model and tool latency, so that concurrent
    users' runs visibly interleave.
    """

    async def step() -> None:
        await asyncio.sleep(step_delay)

    await manager.emit(context, "agent_started", {"agent": AGENT, "message": message})
    await step()
    await manager.emit(
        context, "agent_thinking", {"thought": f"Looking for savings in: {message!r}"}
    )
    await step()
    await manager.emit(context, "tool_executing", {"tool": TOOL, "input": message})
    await step()
    analysis = analyze(message)
    await manager.emit(context, "tool_completed", {"tool": TOOL, "output": analysis})
    await step()
    result = {
        "result": f"{len(analysis['advice'])} recommendation(s) for {context.user_id}",
        "recommendations": analysis["advice"],
    }
    await manager.emit(context, "agent_completed", result)
    return result
