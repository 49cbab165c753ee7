"""The public surface exists and the demo runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import ssot_guard

ROOT = Path(__file__).resolve().parent.parent


def test_public_names_are_exported() -> None:
    """Every name in __all__ is importable from the package."""
    for name in ssot_guard.__all__:
        assert hasattr(ssot_guard, name), name


def test_demo_runs() -> None:
    """The README's first command's script exits 0 and shows all three behaviours."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "demo" / "run.py")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BlockedImportError: No module named" in result.stdout
    assert "run.py:35: SSOTWarning" in result.stderr
    assert "shop.legacy_ws is websocket_manager: True" in result.stdout
