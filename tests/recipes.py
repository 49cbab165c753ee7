"""Small procedures that several test modules share."""

from __future__ import annotations

import importlib.util
import sys
import threading
import types
from collections.abc import Callable


def lazy_import(name: str) -> types.ModuleType:
    """Import *name* with the ``importlib.util.LazyLoader`` recipe of the Python documentation."""
    spec = importlib.util.find_spec(name)
    assert spec is not None
    assert spec.loader is not None
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


def run_interleaved(target: Callable[[], None], threads: int) -> None:
    """Run *target* in *threads* threads at once, switching threads as often as the
    interpreter allows, so that a race window is hit in every run."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        started = [threading.Thread(target=target) for _ in range(threads)]
        for thread in started:
            thread.start()
        for thread in started:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
