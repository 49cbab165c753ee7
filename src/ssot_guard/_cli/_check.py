"""``ssot-guard check`` and ``ssot-guard rule``: their arguments, output and exit status.

The core never prints or exits; this module does both for these two commands.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from .._check._settings import FORMATS

if TYPE_CHECKING:
    from .._check import CheckResult
    from .._check._findings import Finding
    from .._check._settings import Project

from ._exits import EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE


def add_check_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    check = commands.add_parser(
        "check",
        help="report retired imports, leftover modules and duplicate classes without running code",
        description=(
            "Check Python files against the [tool.ssot_guard] rules by reading their source "
            "(nothing is imported or executed). Each path uses the nearest configuration "
            "above it. Exit status: 0 clean or warnings only, 1 errors (warnings too with "
            "--fail-on warning), 2 usage or configuration error."
        ),
    )
    check.set_defaults(run=run_check, parser=check)
    add = check.add_argument
    add("paths", nargs="*", default=["."], metavar="PATH", help="files or directories (default: .)")
    add(
        "--config",
        metavar="FILE",
        help="TOML file with the rules for every path (default: $SSOT_GUARD_CONFIG, else "
        "per path the nearest pyproject.toml with a [tool.ssot_guard] table)",
    )
    add(
        "--format",
        "--output-format",
        dest="format",
        choices=FORMATS,
        help="output format (default: the output-format setting, else text)",
    )
    add("--baseline", metavar="FILE", help="report only findings beyond the counts in FILE")
    add(
        "--update-baseline",
        action="store_true",
        help="write the current findings' counts to the baseline and exit 0 "
        "(entries that no longer occur are dropped)",
    )
    add(
        "--strict-baseline",
        action="store_true",
        help="fail (exit 1) when the baseline holds entries that no longer occur",
    )
    add(
        "--exclude",
        "--extend-exclude",
        dest="exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="skip files and directories whose name or path matches GLOB "
        "(comma-separated, repeatable; added to the exclude settings)",
    )
    add(
        "--respect-gitignore",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="skip what .gitignore files ignore (default: the respect-gitignore setting, else yes)",
    )
    add("--select", action="append", metavar="CODES", help="report only these codes or prefixes")
    add("--extend-select", action="append", default=[], metavar="CODES", help="report these too")
    add("--ignore", action="append", default=[], metavar="CODES", help="do not report these")
    add(
        "--fail-on",
        choices=("error", "warning"),
        default="error",
        help="exit 1 on errors only (default), or on warnings too",
    )
    add("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    add("--statistics", action="store_true", help="print the count of findings per code")
    add("--show-settings", action="store_true", help="print the settings of each path and exit")
    add("--show-files", action="store_true", help="print the files that would be checked and exit")
    add(
        "--jobs",
        type=int,
        metavar="N",
        help="processes to use (default: by tree size and available cores)",
    )
    add(
        "--parse-all",
        action="store_true",
        help="parse every file, not only those that mention a rule's name, "
        "so that every syntax error is reported",
    )
    add(
        "--runtime",
        action="extend",
        nargs="+",
        default=[],
        metavar="RECORD",
        help="also report the violations in these SSOT_GUARD_RECORD files (or directories of "
        "*.jsonl files), at their file and line in the checked tree",
    )


def add_rule_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    rule = commands.add_parser(
        "rule",
        help="explain a code of ssot-guard check",
        description="Print what a code means and what to do about it.",
    )
    rule.set_defaults(run=run_rule, parser=rule)
    rule.add_argument("code", nargs="?", metavar="CODE", help="a code, such as SSOT101")
    rule.add_argument("--all", action="store_true", help="explain every code")


def run_rule(args: argparse.Namespace) -> int:
    from .._check._explain import explain_code
    from .._check._findings import CODES

    parser: argparse.ArgumentParser = args.parser
    if args.all:
        _write("\n".join(explain_code(code) for code in CODES))
        return EXIT_CLEAN
    if not args.code:
        parser.print_usage(sys.stderr)
        print(f"{parser.prog}: error: name a code, or --all", file=sys.stderr)
        return EXIT_USAGE
    code = args.code.strip().upper()
    if code not in CODES:
        parser.print_usage(sys.stderr)
        print(
            f"{parser.prog}: error: unknown code {args.code!r}; codes: {', '.join(CODES)}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    _write(explain_code(code))
    return EXIT_CLEAN


def _usage(args: argparse.Namespace, message: str) -> int:
    parser: argparse.ArgumentParser = args.parser
    parser.print_usage(sys.stderr)
    print(f"{parser.prog}: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def run_check(args: argparse.Namespace) -> int:
    from warnings import catch_warnings, simplefilter

    from .._base._errors import ConfigError
    from .._check import check
    from .._check._baseline import BaselineError
    from .._check._runtime_records import RuntimeRecordError
    from .._check._scan import MissingPathError
    from .._check._select import SelectionError, split

    if args.jobs is not None and args.jobs < 1:
        return _usage(args, "argument --jobs: must be at least 1")
    if args.update_baseline and args.strict_baseline:
        return _usage(args, "--update-baseline and --strict-baseline do not go together")
    if args.statistics and args.format not in (None, "text"):
        return _usage(
            args, f"--statistics prints a text table; it does not go with --format {args.format}"
        )
    if args.select is not None and not split(args.select):
        # `--select "$CODES"` with CODES unset would select nothing, and pass.
        return _usage(args, "--select: no code given (name codes, prefixes or ALL)")
    try:
        if args.show_settings or args.show_files:
            return _show(args)
        with catch_warnings(record=True) as caught:
            simplefilter("always", RuntimeWarning)
            result = check(
                args.paths,
                config=args.config,
                exclude=split(args.exclude),
                jobs=args.jobs,
                parse_all=args.parse_all,
                respect_gitignore=args.respect_gitignore,
                select=args.select,
                ignore=args.ignore,
                extend_select=args.extend_select,
            )
        for caught_warning in caught:  # a process that failed: one line each, no source line
            print(f"ssot-guard: warning: {caught_warning.message}", file=sys.stderr)
        if args.runtime:
            _add_runtime(result, args.runtime, args.paths, split(args.exclude), args.config)
        baselines = _baselines(args, result)
        if args.strict_baseline and not baselines:
            return _usage(args, "--strict-baseline needs --baseline FILE (or a baseline setting)")
        if args.update_baseline:
            if not baselines:
                return _usage(
                    args, "--update-baseline needs --baseline FILE (or a baseline setting)"
                )
            return _update(baselines, result)
        findings, note, stale = _apply(baselines, result)
    except (
        ConfigError,
        MissingPathError,
        BaselineError,
        SelectionError,
        RuntimeRecordError,
    ) as error:
        print(f"ssot-guard: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as error:  # whatever the file system does: one line, not a traceback
        print(f"ssot-guard: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    output_format = args.format or _setting(result, "output_format") or "text"
    _write(_statistics(findings) if args.statistics else _render(output_format, findings))
    if all(project.path is None for project in result.projects):
        note += "; no configuration found (only duplicate registry keys and unreadable files)"
    warnings = sum(f.severity == "warning" for f in findings)
    if warnings:
        note += f"; {warnings} of them warning(s)"
    print(
        f"ssot-guard: {len(findings)} finding(s) in {result.files} file(s) "
        f"({result.parsed} parsed){note}",
        file=sys.stderr,
    )
    failing = any(f.severity == "error" or args.fail_on == "warning" for f in findings)
    if args.strict_baseline and stale:
        for line in stale:
            print(f"ssot-guard: stale baseline entry: {line}", file=sys.stderr)
        failing = True
    if args.exit_zero:
        return EXIT_CLEAN
    return EXIT_FINDINGS if failing else EXIT_CLEAN


def _add_runtime(
    result: CheckResult,
    records: list[str],
    paths: list[str],
    exclude: list[str],
    config: str | None,
) -> None:
    """Production's records as findings, with the first project's (baselined with them)."""
    from .._check._findings import Finding
    from .._check._runtime_records import with_runtime

    static = [f for findings in result.projects.values() for f in findings]
    merged = with_runtime(static, records, paths, exclude=exclude, config=config)
    added = [f for f in merged if f not in static]
    if not added:
        return
    first = next(iter(result.projects), None)
    if first is not None:
        result.projects[first].extend(added)
    result.findings = sorted([*result.findings, *added], key=Finding.sort_key)


def _write(text: str) -> None:
    from ._output import write_stdout

    write_stdout(text)  # `ssot-guard check | head`: the reader has all it wanted


def _render(output_format: str, findings: list[Finding]) -> str:
    from .._check._render import RENDERERS

    return RENDERERS[output_format](findings)


def _statistics(findings: list[Finding]) -> str:
    from .._check._findings import CODES

    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.code] = counts.get(finding.code, 0) + 1
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return "".join(f"{n:>6} {code} {CODES[code]}\n" for code, n in ranked)


def _setting(result: CheckResult, name: str) -> str | None:
    for project in result.projects:
        value: str | None = getattr(project.settings, name)
        if value is not None:
            return value
    return None


def _baselines(args: argparse.Namespace, result: CheckResult) -> dict[str, list[Finding]]:
    """Findings per baseline file: ``--baseline`` for all, else each project's setting."""
    groups: dict[str, list[Finding]] = {}
    for project, findings in result.projects.items():
        target = args.baseline or project.settings.baseline
        if target is not None:
            groups.setdefault(target, []).extend(findings)
    if args.baseline and not groups:  # no files at all: the baseline is still read (and judged)
        groups[args.baseline] = []
    return groups


def _update(baselines: dict[str, list[Finding]], result: CheckResult) -> int:
    from .._check._baseline import write_baseline

    for target, findings in baselines.items():
        held = write_baseline(target, findings)
        print(
            f"ssot-guard: wrote {target} with {held} finding(s) in {result.files} file(s)",
            file=sys.stderr,
        )
    return EXIT_CLEAN


def _apply(
    baselines: dict[str, list[Finding]], result: CheckResult
) -> tuple[list[Finding], str, list[str]]:
    """``(findings to report, summary note, stale entries)`` once the baselines are applied."""
    from .._check._baseline import apply_baseline
    from .._check._findings import Finding

    if not baselines:
        return result.findings, "", []
    reported: list[Finding] = []
    in_baseline = 0
    stale: list[str] = []
    covered = {id(f) for group in baselines.values() for f in group}
    reported.extend(f for f in result.findings if id(f) not in covered)
    for target, findings in baselines.items():
        applied = apply_baseline(findings, target)
        reported.extend(applied.reported)
        in_baseline += applied.baselined
        stale.extend(
            f"{target}: {s.path} {s.code}: {s.found} found, {s.allowed} allowed"
            for s in applied.stale
        )
    reported.sort(key=Finding.sort_key)
    note = f", {in_baseline} in the baseline"
    if stale:
        entries = "entry" if len(stale) == 1 else "entries"
        note += f"; {len(stale)} baseline {entries} can be lowered (run with --update-baseline)"
    return reported, note, stale


def _show(args: argparse.Namespace) -> int:
    """``--show-settings`` and ``--show-files``: what would be used and read, nothing checked."""
    from .._check._select import split
    from .._check._settings import Projects
    from .._check._walk import scan

    projects = Projects(args.config)
    found = scan(
        args.paths, projects, exclude=split(args.exclude), respect_gitignore=args.respect_gitignore
    )
    lines: list[str] = []
    if args.show_settings:
        for project in found.files:
            lines.extend(_settings_lines(project, args))
    if args.show_files:
        for project in found.files:
            shown = project.path or "(no configuration)"
            lines.extend(f"{s.path}\t{s.module}\t{shown}" for s in found.sources(project))
            lines.extend(
                f"{f.path}\t(not read: {f.message})\t{shown}" for f in found.problems[project]
            )
    _write("".join(f"{line}\n" for line in lines))
    return EXIT_CLEAN


def _reports(mode: str | None) -> str:
    return {"warn": "reports warnings", "off": "off"}.get(mode or "", "reports errors")


def _settings_lines(project: Project, args: argparse.Namespace) -> list[str]:
    from .._check._scan import DEFAULT_EXCLUDES
    from .._check._select import selected, split

    settings = project.settings
    config = project.config
    exclude = sorted(DEFAULT_EXCLUDES) if settings.exclude is None else list(settings.exclude)
    codes = sorted(selected(args.select, args.ignore, args.extend_select))
    gitignore = (
        settings.respect_gitignore if args.respect_gitignore is None else args.respect_gitignore
    )
    extend = (*settings.extend_exclude, *split(args.exclude))
    return [
        f"configuration: {project.path or '(none found)'}",
        f"  root: {project.root}",
        f"  mode: {config.mode or '(not set: findings are errors)'}",
        f"  rules: {len(config.rules)}",
        *(f"    {rule.source} ({_reports(rule.mode or config.mode)})" for rule in config.rules),
        f"  exclude: {', '.join(exclude) or '(nothing)'}",
        f"  extend-exclude: {', '.join(extend) or '(nothing)'}",
        f"  respect-gitignore: {'true' if gitignore else 'false'}",
        f"  src: {', '.join(settings.src) or '(none: packages are directories with __init__.py)'}",
        f"  baseline: {args.baseline or settings.baseline or '(none)'}",
        f"  output-format: {args.format or settings.output_format or 'text'}",
        f"  max-file-size: {settings.max_file_size}",
        f"  select: {', '.join(codes)}",
    ]
