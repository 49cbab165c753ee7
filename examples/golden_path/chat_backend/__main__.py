"""Start the chat backend: ``python -m chat_backend [--host H] [--port P]``.

The guard goes in first, before any application module is imported, so that
no retired module can be loaded ahead of it.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

import ssot_guard

CONFIG = Path(__file__).resolve().parent.parent / "pyproject.toml"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chat_backend", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback)")
    parser.add_argument("--port", type=int, default=8765, help="port; 0 picks a free one")
    parser.add_argument(
        "--step-delay",
        type=float,
        default=0.05,
        help="seconds between an agent run's events (stands in for model latency)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s"
    )
    logging.getLogger("websockets").setLevel(logging.WARNING)
    try:
        # Strict, from this backend's own pyproject.toml ([tool.ssot_guard] mode = "strict");
        # an operator can still say SSOT_GUARD_MODE=warn for one deployment.
        guard = ssot_guard.install(CONFIG)
    except ssot_guard.SSOTError as error:
        print(f"chat_backend: cannot start: {error}", file=sys.stderr)
        return 2
    logging.getLogger("chat_backend").info("ssot_guard: %r from %s", guard, CONFIG)

    from .server import serve_until_stopped  # the application, only now that the guard is in

    asyncio.run(serve_until_stopped(args.host, args.port, step_delay=args.step_delay))
    return 0


if __name__ == "__main__":
    sys.exit(main())
