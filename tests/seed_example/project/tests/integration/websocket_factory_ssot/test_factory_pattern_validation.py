"""Seed plan, Test Suite 2.2, as the seed writes it (sync; the seed leaves the imports out)."""

from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager
from test_framework.websocket_helpers import create_test_user_context


def test_websocket_manager_factory_instantiation_consistency():
    """
    Validates factory pattern creates consistent, isolated instances.
    """
    from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager

    # Create multiple managers for same user
    user_context = create_test_user_context("consistency_test")

    manager1 = get_websocket_manager(user_context)
    manager2 = get_websocket_manager(user_context)

    # Should get same instance for same user (factory caching)
    assert manager1 is manager2
    assert manager1.user_context.user_id == user_context.user_id


def test_websocket_manager_connection_state_isolation():
    """
    CRITICAL: Validates connection state isolation between users.
    """
    user1_manager = get_websocket_manager(create_test_user_context("user1"))
    user2_manager = get_websocket_manager(create_test_user_context("user2"))

    # Simulate connection for user1
    user1_manager.connect("ws://test-connection")

    # User2 connection state should be independent
    assert not user2_manager.is_connected()
    assert user1_manager.is_connected()
