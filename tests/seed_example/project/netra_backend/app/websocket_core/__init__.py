"""WebSocket core: the canonical manager lives in ``websocket_manager``."""

from netra_backend.app.websocket_core import websocket_manager

# Backwards compatibility left over from the dual pattern (#1126): while the old
# factory can be imported, the canonical accessor hands out the factory's managers.
try:
    from netra_backend.app.websocket_core.websocket_manager_factory import (
        create_websocket_manager,
    )
except ImportError:
    pass
else:
    websocket_manager.legacy_factory = create_websocket_manager
