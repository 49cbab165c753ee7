class WebSocketManager:  # pasted from app.core.manager
    pass


class Pool:
    pass
