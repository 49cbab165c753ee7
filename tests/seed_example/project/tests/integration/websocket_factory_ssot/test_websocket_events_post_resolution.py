"""Seed plan, Test Suite 2.1, as the seed writes it (sync; the seed leaves the imports out)."""

from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager
from test_framework.websocket_helpers import (
    create_test_user_context,
    execute_agent_with_websocket_monitoring,
)


def test_all_five_websocket_events_delivered_post_ssot():
    """
    MISSION CRITICAL: All 5 business-critical WebSocket events MUST be delivered.
    """
    required_events = [
        "agent_started",
        "agent_thinking",
        "tool_executing",
        "tool_completed",
        "agent_completed",
    ]

    # Execute agent with real WebSocket connection
    result = execute_agent_with_websocket_monitoring(
        agent="triage_agent", message="SSOT validation test"
    )

    # Validate ALL events delivered
    for event_type in required_events:
        assert result.events.get(event_type, 0) > 0, (
            f"BUSINESS CRITICAL: WebSocket event '{event_type}' not delivered. "
            f"SSOT consolidation may have broken $500K+ ARR functionality."
        )


def test_websocket_manager_user_isolation_post_ssot():
    """
    CRITICAL: Validates multi-user isolation still works after SSOT consolidation.
    """
    user1_context = create_test_user_context("user1")
    user2_context = create_test_user_context("user2")

    manager1 = get_websocket_manager(user1_context)
    manager2 = get_websocket_manager(user2_context)

    # Ensure separate instances (no singleton contamination)
    assert manager1 is not manager2
    assert manager1.user_context.user_id != manager2.user_context.user_id
