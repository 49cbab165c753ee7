"""Seed plan, Phase 4, with ssot_guard.testing's helpers: nothing is imported to scan."""

from ssot_guard.testing import assert_no_modules_matching, assert_single_definition

PACKAGE = "netra_backend.app.websocket_core"


def test_websocket_import_path_monitoring():
    """No factory module besides the canonical user_execution_context."""
    assert_no_modules_matching(PACKAGE, "*factory*", allow=["user_execution_context"])


def test_websocket_manager_class_uniqueness():
    """Exactly one WebSocketManager, imported or not."""
    assert_single_definition("WebSocketManager", within=PACKAGE)
