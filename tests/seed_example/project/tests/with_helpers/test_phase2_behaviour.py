"""Seed plan, Phase 2, with ssot_guard.testing's helpers to reach the canonical accessor."""

from test_framework.websocket_helpers import (
    create_test_user_context,
    execute_agent_with_websocket_monitoring,
)

from ssot_guard.testing import assert_importable

GET_MANAGER = "netra_backend.app.websocket_core.websocket_manager:get_websocket_manager"
EVENTS = ("agent_started", "agent_thinking", "tool_executing", "tool_completed", "agent_completed")


def test_all_five_websocket_events_delivered_post_ssot():
    """All five events reach the user."""
    result = execute_agent_with_websocket_monitoring(agent="triage_agent", message="SSOT")
    assert [e for e in EVENTS if result.events.get(e, 0) == 0] == []


def test_websocket_manager_user_isolation_post_ssot():
    """Two users get two managers."""
    get_websocket_manager = assert_importable(GET_MANAGER)
    manager1 = get_websocket_manager(create_test_user_context("user1"))
    manager2 = get_websocket_manager(create_test_user_context("user2"))
    assert manager1 is not manager2
    assert manager1.user_context.user_id != manager2.user_context.user_id


def test_websocket_manager_factory_instantiation_consistency():
    """One user gets one manager."""
    get_websocket_manager = assert_importable(GET_MANAGER)
    context = create_test_user_context("consistency_test")
    assert get_websocket_manager(context) is get_websocket_manager(context)


def test_websocket_manager_connection_state_isolation():
    """One user's connection is not another's."""
    get_websocket_manager = assert_importable(GET_MANAGER)
    user1_manager = get_websocket_manager(create_test_user_context("user1"))
    user2_manager = get_websocket_manager(create_test_user_context("user2"))
    user1_manager.connect("ws://test-connection")
    assert not user2_manager.is_connected()
    assert user1_manager.is_connected()
