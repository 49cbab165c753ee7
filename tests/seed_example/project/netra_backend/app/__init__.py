"""The example backend's application."""
