"""Being retired: still allowed, but every import warns."""


def connect(url: str) -> str:
    return f"connected to {url}"
