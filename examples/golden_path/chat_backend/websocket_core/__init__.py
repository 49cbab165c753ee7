"""WebSocket plumbing: execution contexts and the per-user manager."""
