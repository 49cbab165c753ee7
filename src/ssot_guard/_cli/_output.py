"""Writing to stdout when the reader may have gone (``ssot-guard ... | head -1``)."""

from __future__ import annotations

import os
import sys


def write_stdout(text: str) -> None:
    """*text* on stdout, flushed; a closed pipe is not an error.

    The reader has all it wanted: the command goes on to its own exit status, and
    whatever it writes later (the flush at exit too) goes to ``os.devnull`` rather
    than fail again with a ``BrokenPipeError`` traceback.
    """
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
