"""Executing this module would end the process: the check must only read it."""

import os
import sys

sys.stderr.write("EXECUTED app.boom\n")
os._exit(3)
raise SystemExit("checked code must never run")

import app.legacy  # noqa: E402
