"""The legacy factory's own test: it may still import the factory, for this test only."""

import pytest
from test_framework.websocket_helpers import create_test_user_context


@pytest.mark.ssot_allow("netra_backend.app.websocket_core.websocket_manager_factory")
def test_legacy_factory_still_creates_managers():
    """The shim works while it exists; the allowance ends with this test."""
    from netra_backend.app.websocket_core.websocket_manager_factory import (
        create_websocket_manager,
    )

    context = create_test_user_context("legacy")
    assert create_websocket_manager(context).user_context is context
