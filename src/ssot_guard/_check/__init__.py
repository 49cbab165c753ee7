"""``ssot-guard check``: the guard's rules applied to source code, without running it.

This package stays cheap to import: ``ast``, the process pool and the rest
load only when :func:`check` runs.
"""

from __future__ import annotations

from .._base import public
from ._findings import CODES, SYNTAX_ERROR, TOO_LARGE, UNUSED_SUPPRESSION, Finding, too_large

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)

if TYPE_CHECKING:
    import os
    from collections.abc import Iterable, Sequence

    from .._rules._model import Rule
    from ._prefilter import Plan
    from ._scan import SourceFile
    from ._settings import Project

__all__ = ["CODES", "CheckResult", "Finding", "check"]


@public
class CheckResult:
    """What :func:`check` found: the findings, and what was looked at."""

    __slots__ = ("config", "files", "findings", "parsed", "projects")

    def __init__(
        self,
        findings: list[Finding],
        *,
        files: int,
        parsed: int,
        config: str | None,
        projects: dict[Project, list[Finding]] | None = None,
    ) -> None:
        #: The findings, sorted by path, line, column and code, suppressions applied.
        self.findings = findings
        #: How many files were read, and how many of them the prefilter sent to the parser.
        self.files = files
        self.parsed = parsed
        #: The configuration file the rules came from (the first path's), if any.
        self.config = config
        #: Each project (a configuration and its settings) with its own findings.
        self.projects = projects if projects is not None else {}

    def __bool__(self) -> bool:
        """True when there are findings."""
        return bool(self.findings)

    def __repr__(self) -> str:
        return (
            f"<CheckResult {len(self.findings)} findings in {self.files} files "
            f"({self.parsed} parsed)>"
        )


@public
def check(
    paths: Sequence[str | os.PathLike[str]] = (".",),
    *,
    config: str | os.PathLike[str] | None = None,
    rules: Sequence[Rule] | None = None,
    exclude: Iterable[str] = (),
    jobs: int | None = None,
    parse_all: bool = False,
    respect_gitignore: bool | None = None,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] = (),
    extend_select: Iterable[str] = (),
) -> CheckResult:
    """Check the Python files under *paths* against the rules, without importing them.

    The rules come from *config* and *rules* exactly as for ``install()``. With
    neither (and no ``SSOT_GUARD_CONFIG``), each path uses the nearest
    ``pyproject.toml`` with a ``[tool.ssot_guard]`` table at or above it, as ruff
    does, and a directory holding one starts its own project. Rules whose own
    ``mode`` is ``"off"`` are skipped; findings of rules in warn mode are warnings.
    *exclude* holds glob patterns matched against file and directory names and
    paths; *respect_gitignore* overrides the ``respect-gitignore`` setting; *select*,
    *ignore* and *extend_select* choose codes as ruff does (``SSOT1``, ``ALL``);
    *jobs* is the number of processes (default: by tree size and cores);
    *parse_all* parses every file, not only those the prefilter selects, so that
    every syntax error is reported.

    Raises ``ConfigError`` for a bad configuration, ``SelectionError`` (a
    ``ValueError``) for an unknown code, and ``MissingPathError`` (a
    ``FileNotFoundError``) for a path that does not exist.
    """
    import os

    from ._select import selected
    from ._settings import Projects
    from ._walk import scan

    if isinstance(exclude, str):  # one pattern, not a sequence of letters
        exclude = (exclude,)
    codes = selected(select, ignore, extend_select)
    projects = Projects(config, rules)
    found = scan(
        [os.fspath(p) for p in paths],
        projects,
        exclude=exclude,
        respect_gitignore=respect_gitignore,
    )
    per_project: dict[Project, list[Finding]] = {}
    files = parsed = 0
    for project, sources in found.files.items():
        problems = found.problems.get(project, [])
        named = [s for s in sources.values() if s.path in found.named]
        result = _check_project(
            project, sorted(sources.values()), problems, named, codes, jobs, parse_all
        )
        per_project[project] = result[0]
        files += result[1] + len(problems)
        parsed += result[2]
    findings = sorted((f for fs in per_project.values() for f in fs), key=Finding.sort_key)
    first = next(iter(per_project), None)
    if first is None:
        first = projects.fixed or projects.for_path(os.fspath(paths[0]) if paths else ".")
    return CheckResult(
        findings, files=files, parsed=parsed, config=first.path, projects=per_project
    )


def _check_project(
    project: Project,
    sources: list[SourceFile],
    problems: list[Finding],
    named: list[SourceFile],
    codes: frozenset[str],
    jobs: int | None,
    parse_all: bool,
) -> tuple[list[Finding], int, int]:
    """``(findings, files read, files parsed)`` for one project's files."""
    from ._marked import marked_rules
    from ._pool import run
    from ._prefilter import Plan
    from ._suppress import apply, audit

    config = project.config
    # Names marked @deprecated (PEP 702) in the tree are deprecate rules too.
    marked = marked_rules(sources)
    plan = Plan(
        [*config.rules, *marked],
        parse_all=parse_all,
        config=config.path,
        max_file_size=project.settings.max_file_size,
    )
    outcome = run(plan, sources, jobs)
    if outcome.fallbacks:
        import warnings

        # No finding is lost (the files were checked here), but a dying process is news.
        for fallback in outcome.fallbacks:
            warnings.warn(fallback, RuntimeWarning, stacklevel=3)
    found = [*outcome.findings, *problems]
    if named and SYNTAX_ERROR in codes:
        found += _syntax_errors(named, found, plan)
    chosen = [f for f in found if f.code in codes]
    kept, used = apply(chosen, outcome.suppressions)
    if UNUSED_SUPPRESSION in codes:
        kept += audit(outcome.suppressions, used, codes, parse_all=parse_all)
    warn = {plan.source_of(rule) for rule in config.rules if (rule.mode or config.mode) == "warn"}
    if warn:
        for finding in kept:
            if finding.rule in warn:
                finding.severity = "warning"
    kept.sort(key=Finding.sort_key)
    return kept, outcome.files, outcome.parsed


def _syntax_errors(named: list[SourceFile], findings: list[Finding], plan: Plan) -> list[Finding]:
    """``SSOT901`` for files named on the command line, which are parsed whole.

    The prefilter may have skipped them, or parsed only their head: a file a user
    names is one they want to hear about.
    """
    import ast
    import warnings

    reported = {
        f.path for f in findings if f.code in (SYNTAX_ERROR, "SSOT902", "SSOT903", TOO_LARGE)
    }
    found: list[Finding] = []
    for source in named:
        if source.path in reported:
            continue
        try:
            with open(source.path, "rb") as file:
                data = file.read(plan.max_file_size + 1)
            if len(data) > plan.max_file_size:
                found.append(too_large(source.path, plan.max_file_size))
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ast.parse(data, filename=source.path)
        except SyntaxError as error:
            message = f"file does not parse: {error.msg}"
            found.append(
                Finding(source.path, error.lineno or 1, error.offset or 1, SYNTAX_ERROR, message)
            )
        except (ValueError, RecursionError, MemoryError, OSError) as error:
            message = f"file does not parse: {error}"
            found.append(Finding(source.path, 1, 1, SYNTAX_ERROR, message))
    return found
