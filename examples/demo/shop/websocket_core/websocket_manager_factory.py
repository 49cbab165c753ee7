"""Deprecated: the second factory that issue #1126 removed. Still on disk."""

print("!! the deprecated factory module ran")


def create_websocket_manager(user_id: str) -> object:
    return object()
