"""Seed plan, Test Suite 1.2, as the seed writes it (sync)."""


def test_canonical_websocket_manager_import_works():
    """
    CRITICAL: Validates canonical SSOT import path functions correctly.
    """
    # This import MUST work after resolution
    from netra_backend.app.websocket_core.websocket_manager import get_websocket_manager

    assert callable(get_websocket_manager)
    # Proves SSOT path is functional


def test_websocket_manager_direct_instantiation():
    """
    Validates direct WebSocketManager instantiation (SSOT compliant).
    """
    from netra_backend.app.websocket_core.websocket_manager import (
        WebSocketManager,
        WebSocketManagerMode,
    )

    # Direct instantiation should work without factory
    manager = WebSocketManager(mode=WebSocketManagerMode.UNIFIED)
    assert manager is not None
