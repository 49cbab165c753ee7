"""A small chat backend in the middle of the seed's migration (issue #1126).

``websocket_core.websocket_manager`` is the one source of truth for WebSocket
managers; ``websocket_core.websocket_manager_factory`` is the retired second
factory, still on disk but blocked by ssot_guard. Start the server with
``python -m chat_backend``.
"""
