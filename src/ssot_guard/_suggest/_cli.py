"""``ssot-guard suggest``: its arguments, and the output around ``suggest()``."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "suggest",
        help="find duplicated classes and modules nobody has configured yet, and propose rules",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    print("not yet", file=sys.stderr)
    return 2
