"""Test utilities, as the seed plan's test_framework package."""
