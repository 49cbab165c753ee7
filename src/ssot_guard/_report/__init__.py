"""Reporting: the record of violations, the log line, and ``on_violation()`` subscribers."""
