"""Who a request runs for: the canonical place user context is created."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import uuid4


@dataclass(frozen=True)
class UserExecutionContext:
    user_id: str
    request_id: str = field(default_factory=lambda: uuid4().hex)
