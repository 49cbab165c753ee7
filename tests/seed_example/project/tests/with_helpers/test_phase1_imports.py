"""Seed plan, Phase 1, with ssot_guard.testing's helpers."""

from ssot_guard.testing import assert_import_blocked, assert_importable

FACTORY = "netra_backend.app.websocket_core.websocket_manager_factory"
CANONICAL = "netra_backend.app.websocket_core.websocket_manager"


def test_websocket_manager_factory_import_should_fail():
    """The deprecated factory class cannot be imported (blocked, or its file deleted)."""
    assert_import_blocked(f"{FACTORY}:WebSocketManagerFactory", missing_ok=True)


def test_create_websocket_manager_function_deprecated():
    """The deprecated factory function cannot be imported (blocked, or its file deleted)."""
    assert_import_blocked(f"{FACTORY}:create_websocket_manager", missing_ok=True)


def test_canonical_websocket_manager_import_works():
    """The canonical accessor imports, and importing it touches no retired module."""
    assert callable(assert_importable(f"{CANONICAL}:get_websocket_manager"))


def test_websocket_manager_direct_instantiation():
    """The canonical class can be created directly."""
    manager_class = assert_importable(f"{CANONICAL}:WebSocketManager")
    mode = assert_importable(f"{CANONICAL}:WebSocketManagerMode")
    assert manager_class(mode=mode.UNIFIED) is not None
