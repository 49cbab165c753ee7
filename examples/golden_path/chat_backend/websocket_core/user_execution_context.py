"""Who a request runs for: the user, the chat thread and this run of the agent."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field


def new_thread_id() -> str:
    return f"thread-{uuid.uuid4().hex[:12]}"


def new_run_id() -> str:
    return f"run-{uuid.uuid4().hex[:12]}"


@dataclass(frozen=True)
class UserExecutionContext:
    """Everything one agent run needs to know about whom it serves.

    Passed explicitly down every call: there is no global "current user", so
    two users' runs on one event loop cannot see each other's state.
    """

    user_id: str
    thread_id: str = field(default_factory=new_thread_id)
    run_id: str = field(default_factory=new_run_id)

    def __post_init__(self) -> None:
        if not self.user_id:
            raise ValueError("a UserExecutionContext needs a non-empty user_id")
