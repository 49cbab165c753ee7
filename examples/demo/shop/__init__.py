"""A tiny application in the middle of a migration (see ssot_guard.toml)."""
