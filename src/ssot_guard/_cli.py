"""The ``ssot-guard`` command: argument parsing and output over the check's core.

The core never prints or exits; this module does both, and nothing else.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Sequence

EXIT_CLEAN: Final = 0
EXIT_FINDINGS: Final = 1
EXIT_USAGE: Final = 2

FORMATS: Final = ("text", "json", "github", "sarif")


class _Version(argparse.Action):
    """``--version``, looked up only when asked for."""

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("ssot-guard")
        except PackageNotFoundError:  # a source tree that is not installed
            number = "unknown"
        print(f"ssot-guard {number}")
        parser.exit()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ssot-guard",
        description="Keep one source of truth: check code against [tool.ssot_guard] rules.",
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    check = commands.add_parser(
        "check",
        help="report retired imports, leftover modules and duplicate classes without running code",
        description=(
            "Check Python files against the [tool.ssot_guard] rules by reading their source "
            "(nothing is imported or executed). Exit status: 0 clean, 1 findings, "
            "2 usage or configuration error."
        ),
    )
    check.add_argument(
        "paths", nargs="*", default=["."], metavar="PATH", help="files or directories (default: .)"
    )
    check.add_argument(
        "--config",
        metavar="FILE",
        help="TOML file with the rules (default: $SSOT_GUARD_CONFIG, else the nearest "
        "pyproject.toml with a [tool.ssot_guard] table)",
    )
    check.add_argument(
        "--format", choices=FORMATS, default="text", help="output format (default: text)"
    )
    check.add_argument(
        "--baseline",
        metavar="FILE",
        help="report only findings beyond the counts per file and code in FILE",
    )
    check.add_argument(
        "--update-baseline",
        action="store_true",
        help="write the current findings' counts to the --baseline FILE and exit 0",
    )
    check.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="skip files and directories whose name or path matches GLOB (repeatable)",
    )
    check.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="processes to use (default: by tree size and available cores)",
    )
    check.add_argument(
        "--runtime",
        action="extend",
        nargs="+",
        default=[],
        metavar="RECORD",
        help="also report the violations in these SSOT_GUARD_RECORD files (or directories of "
        "*.jsonl files), at their file and line in the checked tree",
    )
    check.add_argument(
        "--parse-all",
        action="store_true",
        help="parse every file, not only those that mention a rule's name, "
        "so that every syntax error is reported",
    )
    from ._cli_fix import add_parser as add_fix
    from ._cli_suggest import add_parser as add_suggest

    add_fix(commands)
    add_suggest(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse has printed the usage error (or --help)
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    if args.command != "check":  # fix, suggest: each module parses and runs its own
        return int(args.run(args))
    if args.update_baseline and not args.baseline:
        return _usage_error(parser, "--update-baseline needs --baseline FILE")
    if args.jobs is not None and args.jobs < 1:
        return _usage_error(parser, "--jobs must be at least 1")
    return _check(args)


def _usage_error(parser: argparse.ArgumentParser, message: str) -> int:
    parser.print_usage(sys.stderr)
    print(f"ssot-guard check: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def _check(args: argparse.Namespace) -> int:
    from ._base._errors import ConfigError
    from ._check import check
    from ._check._baseline import BaselineError
    from ._check._render import RENDERERS
    from ._check._runtime_records import RuntimeRecordError, with_runtime
    from ._check._scan import MissingPathError

    try:
        result = check(
            args.paths,
            config=args.config,
            exclude=args.exclude,
            jobs=args.jobs,
            parse_all=args.parse_all,
        )
        findings = result.findings
        if args.runtime:
            findings = with_runtime(findings, args.runtime, args.paths, exclude=args.exclude)
        if args.update_baseline:
            from ._check._baseline import write_baseline

            held = write_baseline(args.baseline, findings)
            print(
                f"ssot-guard: wrote {args.baseline} with {held} finding(s) "
                f"in {result.files} file(s)",
                file=sys.stderr,
            )
            return EXIT_CLEAN
        note = ""
        if args.baseline:
            from ._check._baseline import apply_baseline

            applied = apply_baseline(findings, args.baseline)
            findings = applied.reported
            note = f", {applied.baselined} in the baseline"
            if applied.stale:
                entries = "entry" if len(applied.stale) == 1 else "entries"
                note += (
                    f"; {len(applied.stale)} baseline {entries} can be lowered "
                    "(run with --update-baseline)"
                )
    except (ConfigError, MissingPathError, BaselineError, RuntimeRecordError) as error:
        print(f"ssot-guard: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    try:
        sys.stdout.write(RENDERERS[args.format](findings))
        sys.stdout.flush()
    except BrokenPipeError:  # `ssot-guard check | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    if result.config is None:
        note += "; no configuration found (only duplicate registry keys and unreadable files)"
    print(
        f"ssot-guard: {len(findings)} finding(s) in {result.files} file(s) "
        f"({result.parsed} parsed){note}",
        file=sys.stderr,
    )
    return EXIT_FINDINGS if findings else EXIT_CLEAN
