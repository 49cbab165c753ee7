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
        try:
            sys.stdout.write(text)
        except UnicodeEncodeError:
            _write_bytes(text)
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _write_bytes(text: str) -> None:
    """*text* on a stdout whose encoding cannot hold it, as bytes.

    A file name that is not UTF-8 is read as surrogates (``n\\udce9.py``), which a
    strict UTF-8 stdout refuses: it is written as its own bytes, as ``ls`` does; a
    character the encoding lacks (an ASCII terminal) as an escape.
    """
    encoding = sys.stdout.encoding or "utf-8"
    try:
        data = text.encode(encoding, "surrogateescape")
    except UnicodeEncodeError:
        data = text.encode(encoding, "backslashreplace")
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # a text-only stream (replaced by the caller): escapes, then
        sys.stdout.write(data.decode(encoding, "backslashreplace"))
        return
    sys.stdout.flush()  # what the text layer holds goes first
    buffer.write(data)
    buffer.flush()
