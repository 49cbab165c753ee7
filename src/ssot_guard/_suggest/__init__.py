"""``ssot-guard suggest``: find duplicated classes and modules nobody has configured yet.

Reads source with ``ast`` only: nothing in the tree is imported or run.
"""

from __future__ import annotations

from .._base import public

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    import os
    from collections.abc import Iterable, Sequence

    from .._rules._model import Rule
    from ._model import Evidence, Suggestion

__all__ = ["Evidence", "SuggestResult", "Suggestion", "suggest"]


def __getattr__(name: str) -> object:
    # Evidence and Suggestion are NamedTuples: typing loads only when they are asked for.
    if name in ("Evidence", "Suggestion"):
        from . import _model

        return getattr(_model, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@public
class SuggestResult:
    """The suggestions, best first, and what was looked at."""

    __slots__ = ("configured", "files", "suggestions", "unparsed")

    def __init__(
        self, suggestions: list[Suggestion], *, files: int, unparsed: int, configured: int
    ) -> None:
        self.suggestions = suggestions
        #: Files read, and how many of them did not parse (and were skipped).
        self.files = files
        self.unparsed = unparsed
        #: Suggestions left out because the configuration already has the rule.
        self.configured = configured


@public
def suggest(
    paths: Sequence[str | os.PathLike[str]] = (".",),
    *,
    config: str | os.PathLike[str] | None = None,
    rules: Sequence[Rule] | None = None,
    exclude: Iterable[str] = (),
    min_similarity: float = 0.5,
    include_tests: bool = False,
    include_configured: bool = False,
) -> SuggestResult:
    """Suggest ``[[unique]]`` and ``[[block]]`` rules for the Python files under *paths*.

    Classes defined under one name in several modules of a package tree are
    suggested when their bodies are at least *min_similarity* alike; modules
    that duplicate a sibling, or whose names say they are temporary, are
    suggested for retirement. Test code is left out unless *include_tests*;
    what the configuration (as for ``check()``) already covers is left out
    unless *include_configured*. Raises ``ConfigError``, ``MissingPathError``.
    """
    import os
    from collections import Counter

    from .._check._settings import Projects
    from .._check._walk import scan
    from .._rules._matcher import ImportMatcher
    from .._rules._model import Block, Redirect
    from ._classes import duplicate_classes
    from ._covered import covered
    from ._index import is_test, read_module
    from ._modules import duplicate_modules
    from ._parallel import map_files

    given = [os.path.normpath(os.fspath(p)) for p in paths]
    # The tree as check reads it: its exclusions, .gitignore and src roots (module names).
    walked = scan(given, Projects(config, rules), exclude=exclude)
    sources = sorted(source for project in walked.files for source in walked.sources(project))
    unreadable = [finding for problems in walked.problems.values() for finding in problems]
    roots = sorted((g for g in given if os.path.isdir(g)), key=len, reverse=True)
    infos = []
    unparsed = len(unreadable)  # a FIFO or a link loop: skipped, and counted as such
    importers: Counter[str] = Counter()
    for source, info in zip(sources, map_files(read_module, sources), strict=True):
        if info is None:
            unparsed += 1
            continue
        importers.update(info.imported.keys())
        # A file whose name is no module name (``x-copy.py``, ``x copy.py``) cannot be
        # imported, so no rule can name it: it is neither retired nor canonical.
        importable = all(part.isidentifier() for part in info.module.split("."))
        if importable and (include_tests or not is_test(_below(source.path, roots))):
            infos.append(info)
    # What each file's configuration (the one named, else its nearest) already has.
    configured = [rule for project in walked.files for rule in project.config.rules]
    retiring = ImportMatcher([r for r in configured if isinstance(r, Block | Redirect)])
    # A module the configuration retires is no module's replacement: the configuration
    # refuses a 'use' that names a retired module.
    modules = duplicate_modules(
        infos, importers, min_similarity, retired=lambda module: retiring.match(module) is not None
    )
    # A class's canonical module is never one that a rule retires (suggested or configured):
    # check would say "use app.x_legacy.K" and "app.x_legacy is retired" in one breath.
    blocked = {str(s.rule["module"]) for s in modules}
    found = duplicate_classes(
        infos,
        importers,
        min_similarity,
        retired=lambda module: module in blocked or retiring.match(module) is not None,
    )
    found += modules
    kept = found if include_configured else [s for s in found if not covered(s, configured)]
    kept.sort(key=lambda s: (-s.score, s.kind, s.title))
    return SuggestResult(
        kept, files=len(sources), unparsed=unparsed, configured=len(found) - len(kept)
    )


def _below(path: str, roots: list[str]) -> str:
    """*path* relative to the directory given that holds it."""
    import os

    for root in roots:
        if root == ".":
            return path
        if path.startswith(root + os.sep):
            return path[len(root) + 1 :]
    return os.path.basename(path)
