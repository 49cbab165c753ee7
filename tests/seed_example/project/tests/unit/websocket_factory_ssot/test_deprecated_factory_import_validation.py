"""Seed plan, Test Suite 1.1, as the seed writes it (sync: the seed's tests are async def)."""

import pytest


def test_websocket_manager_factory_import_should_fail():
    """
    CRITICAL: This test MUST FAIL until Issue #1126 is resolved.

    Validates that deprecated WebSocketManagerFactory import fails,
    proving dual pattern has been eliminated.
    """
    with pytest.raises(ImportError) as exc_info:
        from netra_backend.app.websocket_core.websocket_manager_factory import (  # noqa: F401
            WebSocketManagerFactory,
        )

    assert "No module named" in str(exc_info.value)
    # Test demonstrates SSOT violation is resolved


def test_create_websocket_manager_function_deprecated():
    """
    CRITICAL: Validates deprecated factory function is no longer available.
    """
    with pytest.raises(ImportError):
        from netra_backend.app.websocket_core.websocket_manager_factory import (  # noqa: F401
            create_websocket_manager,
        )
