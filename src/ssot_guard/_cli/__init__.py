"""The ``ssot-guard`` command: argument parsing and output over the check's core.

The core never prints or exits; this module does both, and nothing else.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

from ._exits import EXIT_CLEAN, EXIT_FINDINGS, EXIT_INTERRUPTED, EXIT_USAGE

__all__ = ["EXIT_CLEAN", "EXIT_FINDINGS", "EXIT_INTERRUPTED", "EXIT_USAGE", "main"]

FORMATS: Final = ("text", "json", "github", "sarif")  # also in _check._settings


class _Version(argparse.Action):
    """``--version``, looked up only when asked for."""

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("ssot-guard")
        except PackageNotFoundError:  # a source tree that is not installed
            number = "unknown"
        from ._output import write_stdout

        write_stdout(f"ssot-guard {number}\n")
        parser.exit()


def _parser() -> argparse.ArgumentParser:
    from ._check import add_check_parser, add_rule_parser
    from ._fix import add_parser as add_fix_parser
    from ._suggest import add_parser as add_suggest_parser

    parser = argparse.ArgumentParser(
        prog="ssot-guard",
        description="Keep one source of truth: check code against [tool.ssot_guard] rules.",
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    add_check_parser(commands)
    add_rule_parser(commands)
    add_fix_parser(commands)
    add_suggest_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse has printed the usage error (or --help)
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    if args.command is None:  # bare `ssot-guard`: what it can do, as `ssot-guard --help`
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except KeyboardInterrupt:  # Ctrl-C: the user knows why; a traceback would bury it
        print("ssot-guard: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
