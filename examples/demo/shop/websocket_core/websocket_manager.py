"""The canonical WebSocket manager: the one source of truth."""


class WebSocketManager:
    def __init__(self, user_id: str) -> None:
        self.user_id = user_id


def get_websocket_manager(user_id: str) -> WebSocketManager:
    return WebSocketManager(user_id)
