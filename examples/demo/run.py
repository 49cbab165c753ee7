"""ssot_guard in one minute: a blocked import, a warned import, and a redirect.

Run it with ``python examples/demo/run.py`` after installing ssot_guard.
"""

from __future__ import annotations

import importlib
import os
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import ssot_guard  # noqa: E402


def main() -> int:
    # Show every SSOTWarning once per line (DeprecationWarnings are hidden by default).
    warnings.simplefilter("default", ssot_guard.SSOTWarning)
    guard = ssot_guard.install(os.path.join(HERE, "ssot_guard.toml"))
    print(f"installed: {guard!r}\n")

    print("1. a blocked import (strict rule)")
    try:
        from shop.websocket_core.websocket_manager_factory import create_websocket_manager  # noqa: F401
    except ImportError as error:
        print(f"   {type(error).__name__}: {error}\n")
    else:
        print("   the import went through: the guard is not working")
        return 1

    print("2. a warned import (warn rule): it goes through, the warning points at this line")
    from shop.websocket_core import connection_helpers

    print(f"   {connection_helpers.connect('ws://localhost')}\n")

    print("3. a redirect: the old name is the canonical module itself")
    legacy = importlib.import_module("shop.legacy_ws")
    from shop.websocket_core import websocket_manager

    print(f"   shop.legacy_ws is websocket_manager: {legacy is websocket_manager}")
    print(f"   its __name__ stays {websocket_manager.__name__!r}\n")

    print("recorded violations:")
    for violation in ssot_guard.violations():
        print(f"   {violation}")
    guard.uninstall()
    ok = legacy is websocket_manager and len(ssot_guard.violations()) == 3
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
