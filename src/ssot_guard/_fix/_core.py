"""``fix``: find what ``check`` would report, and rewrite each site that can be rewritten.

Cheap first: every file is read and screened by the check's prefilter (bytes
only); only the files that mention a rule's name are parsed with ``ast``, and
libcst sees only the import statements that change.
"""

from __future__ import annotations

import ast
import os
import re
import warnings
from typing import TYPE_CHECKING, NamedTuple

from .._base._files import read_regular
from ._rewrite import FileFixer, Left
from ._sites import SiteWalker, reported
from ._targets import ModuleIndex
from ._write import refusal, write_atomic

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from .._check._prefilter import Plan
    from .._check._scan import SourceFile


class FileChange(NamedTuple):
    path: str
    before: bytes
    after: bytes
    sites: int  # sites rewritten in it


class Problem(NamedTuple):
    """A file ``fix`` could not look into or could not write."""

    path: str
    message: str


class Outcome(NamedTuple):
    changes: list[FileChange]
    left: list[Left]
    problems: list[Problem]
    files: int


class _Tree:
    """Every file's bytes, kept for the question "does another file import this name?"."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}
        self._mentions: dict[tuple[bytes, str], list[str]] = {}

    def mentions_elsewhere(self, path: str, module: str, name: str) -> bool:
        """Whether a file other than *path* spells *name* and *module*'s last part."""
        last = module.rpartition(".")[2].encode()
        found = self._mentions.get((last, name))
        if found is None:  # one scan of the tree per (module name, name), then remembered
            word = re.compile(rb"(?<![\w.])" + re.escape(name.encode()) + rb"(?!\w)")
            found = self._mentions[last, name] = [
                other
                for other, data in self.data.items()
                if last in data and word.search(data) is not None
            ]
        return any(other != path for other in found)


def run(plan: Plan, sources: Sequence[SourceFile], roots: Iterable[str], *, write: bool) -> Outcome:
    index = ModuleIndex(sources)
    tree = _Tree()
    changes: list[FileChange] = []
    left: list[Left] = []
    problems: list[Problem] = []
    candidates: list[SourceFile] = []
    for source in sources:
        try:
            data = read_regular(source.path)
        except OSError as error:
            problems.append(Problem(source.path, f"cannot read: {error.strerror or error}"))
            continue
        tree.data[source.path] = data
        if plan.rule_hit(data, source.module):
            candidates.append(source)
    real_roots = [os.path.realpath(root) for root in roots]
    for source in candidates:
        data = tree.data[source.path]
        if len(data) > plan.max_file_size:  # as check: parsing needs 70-400 times its size
            problems.append(
                Problem(
                    source.path,
                    f"larger than max-file-size ({plan.max_file_size:,} bytes); not rewritten",
                )
            )
            continue
        fixed = _fix_file(plan, source, data, index, tree, problems)
        if fixed is None:
            continue
        left.extend(fixed.left)
        if fixed.data == data:
            continue
        why = refusal(source.path, real_roots)
        if why is not None:
            problems.append(Problem(source.path, why))
            continue
        if write:
            try:
                if read_regular(source.path) != data:
                    # Someone (an editor, a formatter) wrote it meanwhile: theirs wins.
                    problems.append(
                        Problem(source.path, "changed while fix ran; left as it is now")
                    )
                    continue
                write_atomic(source.path, fixed.data)
            except OSError as error:
                problems.append(
                    Problem(source.path, f"cannot write: {error.strerror or error}; left unchanged")
                )
                continue
        changes.append(FileChange(source.path, data, fixed.data, fixed.rewritten))
    return Outcome(changes, left, problems, len(sources))


def _fix_file(
    plan: Plan,
    source: SourceFile,
    data: bytes,
    index: ModuleIndex,
    tree: _Tree,
    problems: list[Problem],
) -> _FileFix | None:
    """The file rewritten until no site is left that can be rewritten (three passes at most).

    A rewrite can uncover a site: ``from app.old import make``, redirected to ``app.new``,
    is an import of ``app.new.make``, which a ``[[deprecate]]`` rule may retire; left for a
    second run, ``fix`` would not be idempotent.
    """
    fixed = _fix_once(plan, source, data, index, tree, problems)
    if not plan.deprecated:  # only a deprecated name can be uncovered (rules never chain)
        return fixed
    rewritten = 0
    for _ in range(2):
        if fixed is None or fixed.data == data:
            break
        rewritten += fixed.rewritten
        data = fixed.data
        # The first pass's result stands on its own: a later pass's trouble is not the file's.
        again = _fix_once(plan, source, data, index, tree, [])
        if again is None:
            return fixed._replace(rewritten=rewritten)
        fixed = again
    if fixed is None:
        return None
    return fixed._replace(rewritten=rewritten + fixed.rewritten)


def _fix_once(
    plan: Plan,
    source: SourceFile,
    data: bytes,
    index: ModuleIndex,
    tree: _Tree,
    problems: list[Problem],
) -> _FileFix | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        problems.append(Problem(source.path, "is not UTF-8; left alone"))
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = ast.parse(data, filename=source.path)
    except SyntaxError as error:
        where = f"line {error.lineno}: " if error.lineno else ""
        problems.append(Problem(source.path, f"does not parse ({where}{error.msg}); left alone"))
        return None
    except (ValueError, RecursionError, MemoryError) as error:
        problems.append(Problem(source.path, f"does not parse ({error}); left alone"))
        return None
    hot = plan.hot_lines(data, plan.hot_places(data))
    visit = plan.visit_lines(data, hot, registry=False, module=source.module)
    walker = SiteWalker(plan, source, hot, visit, registry=False)
    walker.run(parsed)
    sites = reported(walker.sites, text, data)
    if not sites:
        return None
    fixer = FileFixer(
        source,
        data,
        parsed,
        index,
        lambda name: tree.mentions_elsewhere(source.path, source.module, name),
        plan.deprecated,
        plan.match,
    )
    try:
        return fixer.run(sites)
    except Exception as error:  # a bug for one file must not stop the others half way
        problems.append(
            Problem(
                source.path,
                f"could not be rewritten ({type(error).__name__}: {error}); left unchanged "
                "(please report this)",
            )
        )
        return None


if TYPE_CHECKING:
    from ._rewrite import FileFix as _FileFix
