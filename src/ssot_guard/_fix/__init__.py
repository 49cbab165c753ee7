"""``ssot-guard fix``: rewrite the code so it no longer uses what the rules retire.

Cheap to import: libcst (the ``fix`` extra) is imported only when a statement
is rewritten, and its absence is reported before anything is read.
"""

from __future__ import annotations

from .._base import public
from .._base._errors import MissingExtraError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    import os
    from collections.abc import Iterable, Sequence

    from .._rules._model import Rule
    from ._core import FileChange, Problem
    from ._rewrite import Left

__all__ = ["FixResult", "MissingExtraError", "fix"]


@public
class FixResult:
    """What :func:`fix` did (or, with ``write=False``, would do)."""

    __slots__ = ("changes", "config", "files", "left", "problems")

    def __init__(
        self,
        changes: list[FileChange],
        left: list[Left],
        problems: list[Problem],
        *,
        files: int,
        config: str | None,
    ) -> None:
        #: The files changed: path, old and new bytes, sites rewritten.
        self.changes = changes
        #: The sites left as they are, each with the reason.
        self.left = left
        #: Files that could not be read, parsed or written.
        self.problems = problems
        self.files = files
        self.config = config

    @property
    def rewritten(self) -> int:
        """How many sites were rewritten."""
        return sum(change.sites for change in self.changes)

    def __bool__(self) -> bool:
        """True when something changed (or would change)."""
        return bool(self.changes)

    def __repr__(self) -> str:
        return (
            f"<FixResult {len(self.changes)} files changed, {self.rewritten} sites rewritten, "
            f"{len(self.left)} left, {len(self.problems)} problems>"
        )


def require_libcst() -> None:
    """Raise ``MissingExtraError`` unless libcst can be imported (without importing it)."""
    from importlib.util import find_spec

    if find_spec("libcst") is None:
        raise MissingExtraError(
            "ssot-guard fix needs libcst, which is not installed: pip install 'ssot-guard[fix]'"
        )


@public
def fix(
    paths: Sequence[str | os.PathLike[str]] = (".",),
    *,
    config: str | os.PathLike[str] | None = None,
    rules: Sequence[Rule] | None = None,
    exclude: Iterable[str] = (),
    write: bool = True,
) -> FixResult:
    """Rewrite the files under *paths* so they no longer use what the rules retire.

    Rules come from *config* and *rules* as for ``check()``. Each site the check
    would report is rewritten to the rule's replacement when that is known to be
    safe, else left and listed in ``FixResult.left`` with the reason. With *write*
    false nothing is written (``--diff``, ``--check``). Files are written atomically;
    nothing outside *paths* and no symbolic link is written.

    Raises ``MissingExtraError`` (an ``ImportError``) when libcst is missing,
    ``ConfigError`` for a bad configuration, ``MissingPathError`` for a missing path.
    """
    import os

    from .._check._prefilter import Plan
    from .._check._settings import Projects
    from .._check._walk import scan
    from ._core import Problem, run

    require_libcst()
    given = [os.fspath(p) for p in paths]
    # The tree as check reads it: each path's nearest configuration (or the one named),
    # its exclusions, .gitignore and src roots. A file check does not report on
    # (excluded migrations, generated code) is not rewritten either.
    projects = Projects(config, rules)
    found = scan(given, projects, exclude=exclude)
    changes: list[FileChange] = []
    left: list[Left] = []
    problems: list[Problem] = []
    files = 0
    for project in dict.fromkeys([*found.files, *found.problems]):
        # Paths the walk would not read (a FIFO, a link loop...): reported, never waited on.
        problems += [Problem(f.path, f.message) for f in found.problems.get(project, [])]
        plan = Plan(
            project.config.rules,
            config=project.path,
            max_file_size=project.settings.max_file_size,
        )
        outcome = run(plan, found.sources(project), given, write=write)
        changes += outcome.changes
        left += outcome.left
        problems += outcome.problems
        files += outcome.files
    first = next(iter(found.files), None) or projects.fixed
    return FixResult(
        changes, left, problems, files=files, config=first.path if first is not None else None
    )
