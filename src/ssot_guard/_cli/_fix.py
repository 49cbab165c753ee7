"""``ssot-guard fix``: its arguments, and the output around :func:`ssot_guard._fix.fix`."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse

    from .._fix import FixResult


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "fix",
        help="rewrite imports of retired modules and names to their replacements",
        description=(
            "Rewrite the code so that it no longer uses what the rules retire: every import "
            "form, string target and reference that `ssot-guard check` reports, for rules that "
            "name a replacement. Needs libcst (pip install 'ssot-guard[fix]'). Exit status: "
            "0 done, 1 changes pending (--check) or files that could not be read, parsed or "
            "written, 2 usage or configuration error."
        ),
    )
    parser.add_argument(
        "paths", nargs="*", default=["."], metavar="PATH", help="files or directories (default: .)"
    )
    parser.add_argument("--config", metavar="FILE", help="TOML file with the rules")
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="skip files and directories whose name or path matches GLOB "
        "(comma-separated, repeatable)",
    )
    parser.add_argument("--diff", action="store_true", help="print a unified diff; change nothing")
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if anything would change"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from .._base._errors import ConfigError, MissingExtraError
    from .._check._scan import MissingPathError
    from .._check._select import split
    from .._fix import fix
    from ._exits import EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE

    dry = args.diff or args.check
    try:
        exclude = split(args.exclude)  # comma-separated and repeatable, as for check
        result = fix(args.paths, config=args.config, exclude=exclude, write=not dry)
    except (ConfigError, MissingPathError, MissingExtraError) as error:
        print(f"ssot-guard: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.diff:
        _print_diff(result)
    _summary(result, dry=dry)
    if result.problems or (args.check and result.changes):
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _print_diff(result: FixResult) -> None:
    import difflib

    from .._check._render import one_line
    from ._output import write_stdout

    for change in result.changes:
        before, after = _lines(change.before), _lines(change.after)
        relative = not os.path.isabs(change.path)
        shown = one_line(change.path)  # a header is one line, and no escape reaches the terminal
        old, new = (f"a/{shown}", f"b/{shown}") if relative else (shown,) * 2
        write_stdout(
            "".join(
                line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                for line in difflib.unified_diff(before, after, old, new)
            )
        )


def _lines(data: bytes) -> list[str]:
    """*data*'s lines as ``patch`` and ``git apply`` count them: each ends at a ``\n``.

    ``str.splitlines`` also breaks at a form feed, a lone ``\r`` or U+2028, which gives
    hunks that apply to no file.
    """
    import re

    return re.findall(r"[^\n]*\n|[^\n]+", data.decode("utf-8"))


def _summary(result: FixResult, *, dry: bool) -> None:
    from .._check._render import one_line

    out = sys.stderr
    verb = "would change" if dry else "changed"
    # One line per entry, escaped as check's findings are: file names and source come
    # from the tree, which may be anyone's.
    for change in result.changes:
        print(one_line(f"{change.path}: {verb} ({change.sites} site(s))"), file=out)
    for left in result.left:
        where = f"{left.path}:{left.line}:{left.column}"
        print(one_line(f"{where}: left: {left.what}  ({left.reason})"), file=out)
    for problem in result.problems:
        print(one_line(f"{problem.path}: {problem.message}"), file=out)
    print(
        f"ssot-guard fix: {len(result.changes)} file(s) {verb}, {result.rewritten} site(s) "
        f"rewritten, {len(result.left)} left, {len(result.problems)} file(s) with problems "
        f"({result.files} file(s) read)",
        file=out,
    )
