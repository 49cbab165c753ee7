"""Mentions legacy only in prose and names that are not the module."""

from app import canonical

legacy_count = 0
print(canonical, "app.legacy is gone")
