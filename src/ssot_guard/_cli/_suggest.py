"""``ssot-guard suggest``: its arguments, and the output around ``suggest()``."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse


def _share(text: str) -> float:
    import argparse

    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to 1, got {text!r}")
    return value


def _count(text: str) -> int:
    import argparse

    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number (0: all), got {text!r}")
    return int(text)


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "suggest",
        help="find duplicated classes and modules nobody has configured yet, and propose rules",
        description=(
            "Find classes defined in several modules and modules that duplicate a sibling or "
            "are named as temporary, by reading source (nothing is imported); print ready-to-"
            "paste [[tool.ssot_guard.unique]] and [[tool.ssot_guard.block]] entries. Exit "
            "status: 0 nothing to suggest, 1 suggestions, 2 usage or configuration error."
        ),
    )
    parser.add_argument(
        "paths", nargs="*", default=["."], metavar="PATH", help="files or directories (default: .)"
    )
    parser.add_argument(
        "--config", metavar="FILE", help="rules already configured: not suggested again"
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--exclude", action="append", default=[], metavar="GLOB", help="skip matching paths"
    )
    parser.add_argument(
        "--limit", type=_count, default=20, metavar="N", help="show the N best (default 20; 0: all)"
    )
    parser.add_argument(
        "--min-similarity",
        type=_share,
        default=0.5,
        metavar="SHARE",
        help="share of a class body two definitions must have in common (default 0.5)",
    )
    parser.add_argument(
        "--include-tests", action="store_true", help="also look at test code (tests/, test_*.py)"
    )
    parser.add_argument(
        "--all", action="store_true", help="also suggest what the configuration already has"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from .._base._errors import ConfigError
    from .._check._scan import MissingPathError
    from .._check._select import split
    from .._suggest import suggest
    from .._suggest._render import as_json, text
    from ._exits import EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE

    try:
        result = suggest(
            args.paths,
            config=args.config,
            exclude=split(args.exclude),  # comma-separated and repeatable, as for check
            min_similarity=args.min_similarity,
            include_tests=args.include_tests,
            include_configured=args.all,
        )
    except (ConfigError, MissingPathError) as error:
        print(f"ssot-guard: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    from ._output import write_stdout

    render = as_json if args.format == "json" else text
    write_stdout(render(result, args.limit or None))
    total = len(result.suggestions)
    shown = min(total, args.limit) if args.limit else total
    notes = [f"{shown} of {total} suggestion(s) shown", f"{result.files} file(s) read"]
    if result.unparsed:
        notes.append(f"{result.unparsed} could not be read or parsed (skipped)")
    if result.configured:
        notes.append(f"{result.configured} already configured (--all shows them)")
    print(f"ssot-guard suggest: {'; '.join(notes)}", file=sys.stderr)
    return EXIT_FINDINGS if result.suggestions else EXIT_CLEAN
