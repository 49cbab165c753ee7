"""``ssot-guard check``: the guard's rules applied to source code, without running it.

This package stays cheap to import: ``ast``, the process pool and the rest
load only when :func:`check` runs.
"""

from __future__ import annotations

from ._findings import CODES, Finding

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)

if TYPE_CHECKING:
    import os
    from collections.abc import Iterable, Sequence

    from .._rules._model import Rule

__all__ = ["CODES", "CheckResult", "Finding", "check"]


class CheckResult:
    """What :func:`check` found: the findings, and what was looked at."""

    __slots__ = ("config", "files", "findings", "parsed")

    def __init__(
        self, findings: list[Finding], *, files: int, parsed: int, config: str | None
    ) -> None:
        #: The findings, sorted by path, line, column and code, suppressions applied.
        self.findings = findings
        #: How many files were read, and how many of them the prefilter sent to the parser.
        self.files = files
        self.parsed = parsed
        #: The configuration file the rules came from, if any.
        self.config = config

    def __bool__(self) -> bool:
        """True when there are findings."""
        return bool(self.findings)

    def __repr__(self) -> str:
        return (
            f"<CheckResult {len(self.findings)} findings in {self.files} files "
            f"({self.parsed} parsed)>"
        )


def check(
    paths: Sequence[str | os.PathLike[str]] = (".",),
    *,
    config: str | os.PathLike[str] | None = None,
    rules: Sequence[Rule] | None = None,
    exclude: Iterable[str] = (),
    jobs: int | None = None,
    parse_all: bool = False,
) -> CheckResult:
    """Check the Python files under *paths* against the rules, without importing them.

    The rules come from *config* and *rules* exactly as for ``install()``
    (with neither: ``SSOT_GUARD_CONFIG``, else the nearest ``pyproject.toml``
    with a ``[tool.ssot_guard]`` table). Rules whose own ``mode`` is ``"off"``
    are skipped. *exclude* holds glob patterns matched against file and
    directory names and paths; *jobs* is the number of processes (default: by
    tree size and cores); *parse_all* parses every file, not only those the
    prefilter selects, so that every syntax error is reported.

    Raises ``ConfigError`` for a bad configuration and ``MissingPathError``
    (a ``FileNotFoundError``) for a path that does not exist.
    """
    import os

    from .._config._load import resolve_config
    from ._core import run
    from ._marked import marked_rules
    from ._prefilter import Plan
    from ._scan import discover

    resolved = resolve_config(config, rules)
    sources = discover([os.fspath(p) for p in paths], exclude=exclude)
    # Names marked @deprecated (PEP 702) in the tree are deprecate rules too.
    marked = marked_rules(sources)
    plan = Plan([*resolved.rules, *marked], parse_all=parse_all, config=resolved.path)
    outcome = run(plan, sources, jobs)
    return CheckResult(
        outcome.findings, files=outcome.files, parsed=outcome.parsed, config=resolved.path
    )
