"""Shared fixtures: every test leaves the import system and ssot_guard as it found them."""

from __future__ import annotations

import os
import signal
import sys
import tempfile
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import ssot_guard
from ssot_guard._report._record import recorder
from ssot_guard._runtime._guard import reinstate

# A shell's background job (``cmd &``, some CI runners) starts with SIGINT ignored, and
# every child inherits that: the Ctrl-C tests would see their command ignore Ctrl-C.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

# The parsed-config cache of this run (and of its subprocesses), not the user's own.
os.environ.setdefault("SSOT_GUARD_CACHE_DIR", os.path.join(tempfile.mkdtemp(), "ssot_guard"))


@pytest.fixture(autouse=True)
def _restore_process_state() -> Iterator[None]:
    """Restore sys.modules, meta_path and path, the guard, the record and the class registry."""
    modules = dict(sys.modules)
    meta_path = list(sys.meta_path)
    path = list(sys.path)
    active = ssot_guard.active_guard()
    recorded = recorder.snapshot()
    registry = ssot_guard.registry_snapshot()
    registry.__enter__()
    try:
        yield
    finally:
        registry.__exit__(None, None, None)
        if ssot_guard.active_guard() is not active:
            reinstate(active)
        sys.meta_path[:] = meta_path
        sys.path[:] = path
        for name in set(sys.modules) - set(modules):
            # ssot_guard's own modules stay: one imported lazily (report(), on_violation())
            # and dropped here would be imported afresh next time, splitting its state
            # (report()["callback_errors"] read a new module's counter, always 0).
            if not name.startswith("ssot_guard."):
                del sys.modules[name]
        sys.modules.update(modules)
        recorder.restore(recorded)


MakePackage = Callable[..., Path]


@pytest.fixture
def make_package(tmp_path: Path) -> MakePackage:
    """Write modules under a fresh directory on ``sys.path``: ``make_package({"app/x.py": "..."})``.

    Every directory gets an ``__init__.py`` unless one is given. Returns the root.
    """
    root = tmp_path / "pkgs"

    def make(files: dict[str, str]) -> Path:
        for relative, source in files.items():
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(textwrap.dedent(source), encoding="utf-8")
            for parent in target.relative_to(root).parents:
                init = root / parent / "__init__.py"
                if parent != Path(".") and not init.exists():
                    init.write_text("", encoding="utf-8")
        if str(root) not in sys.path:
            sys.path.insert(0, str(root))
        return root

    return make
