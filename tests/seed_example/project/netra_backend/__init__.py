"""The example backend."""
