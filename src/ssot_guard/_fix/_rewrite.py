"""Rewriting one file: each site the walker found becomes an edit, or a reason it is left.

Import statements are rewritten with libcst (see ``_imports``); the names they
bind, dotted references (``a.b.old.f()``) and string targets
(``mock.patch("a.old.X")``) are edited in place at their ``ast`` positions.
Everything else in the file is kept byte for byte.
"""

from __future__ import annotations

import ast
import warnings
from itertools import pairwise
from typing import TYPE_CHECKING, NamedTuple

from .._check._nodes import resolve_relative
from .._rules._model import Deprecate
from ._expressions import ExpressionRewriter, Refused, top
from ._imports import AliasChange, NewImport, StatementChange, rewrite_statement
from ._names import Names
from ._references import dotted_name, rewrite_references
from ._source import Edit, Source, splice
from ._targets import name_target

if TYPE_CHECKING:
    from collections.abc import Callable

    from .._check._scan import SourceFile
    from .._rules._matcher import CompiledRule
    from ._sites import Site
    from ._targets import ModuleIndex


class Left(NamedTuple):
    """A site ``fix`` did not rewrite, and why."""

    path: str
    line: int
    column: int
    what: str
    reason: str


class FileFix(NamedTuple):
    data: bytes  # the new content (the old one when nothing changed)
    rewritten: int  # sites rewritten
    left: list[Left]


class FileFixer(ExpressionRewriter):
    """The rewrite of one file. *interface* says whether a public module-level name of
    this module is imported by other files of the tree (then it is never renamed)."""

    def __init__(
        self,
        source: SourceFile,
        data: bytes,
        tree: ast.Module,
        index: ModuleIndex,
        interface: Callable[[str], bool],
        deprecated: dict[str, Deprecate] | None = None,
        match: Callable[[str], CompiledRule | None] | None = None,
    ) -> None:
        self._file = source
        self._match = match  # the most specific rule for a module name, as check finds it
        self._deprecated = deprecated or {}
        self._src = Source(data)
        self._tree = tree
        self._index = index
        self._interface = interface
        self._names_cache: Names | None = None
        self._edits: list[Edit] = []
        self._left: list[Left] = []
        self._rewritten = 0
        self._chains: dict[str, str] = {}  # dotted module references to rewrite: old -> new
        self._kept: set[str] = set()  # modules whose imports are left: their chains stay

    @property
    def _names(self) -> Names:
        if self._names_cache is None:
            self._names_cache = Names(self._tree)
        return self._names_cache

    def run(self, sites: list[Site]) -> FileFix:
        statements: dict[int, tuple[ast.stmt, list[Site]]] = {}
        others: list[Site] = []
        for site in sites:
            if site.statement is None:
                others.append(site)
            else:
                statements.setdefault(id(site.statement), (site.statement, []))[1].append(site)
        for statement, group in statements.values():
            self._statement(statement, group)
        for site in others:
            try:
                self._expression(site)
            except Refused as refusal:
                self._leave(site.node, str(refusal))
        if self._chains:
            self._edits += rewrite_references(
                self._src, self._tree, self._names, self._chains, self._kept, self._leave
            )
        return self._finish(sites)

    # -- bookkeeping ---------------------------------------------------------------------------

    def _leave(self, node: ast.AST, reason: str) -> None:
        self._left.append(
            Left(
                self._file.path,
                getattr(node, "lineno", 1),
                getattr(node, "col_offset", 0) + 1,
                self._src.first_line(node),
                reason,
            )
        )

    def _finish(self, sites: list[Site]) -> FileFix:
        data = self._src.data
        if not self._edits:
            return FileFix(data, 0, self._left)
        edits = sorted(set(self._edits))
        for before, after in pairwise(edits):
            if after.start < before.end:
                return self._give_up(sites, "rewrites of this file overlap; it is left unchanged")
        new = splice(data, edits)
        if not _compiles(new, self._file.path) and _compiles(data, self._file.path):
            return self._give_up(
                sites, "the rewritten file would not compile; it is left unchanged (please report)"
            )
        return FileFix(new, self._rewritten, self._left)

    def _give_up(self, sites: list[Site], reason: str) -> FileFix:
        left = list(self._left)
        reported = {(entry.line, entry.column) for entry in left}
        for site in sites:
            line, column = getattr(site.node, "lineno", 1), getattr(site.node, "col_offset", 0) + 1
            if (line, column) not in reported:
                left.append(
                    Left(self._file.path, line, column, self._src.first_line(site.node), reason)
                )
        return FileFix(self._src.data, 0, left)

    # -- import statements ---------------------------------------------------------------------

    def _statement(self, statement: ast.stmt, sites: list[Site]) -> None:
        aliases: dict[int, AliasChange] = {}
        moves: dict[int, NewImport] = {}
        base: tuple[int, str | None] | None = None
        renames: list[tuple[str, str]] = []
        done = 0
        for site in sites:
            mine: list[tuple[str, str]] = []  # kept only if the whole site is rewritten
            try:
                if site.node is statement:
                    assert isinstance(statement, ast.ImportFrom)
                    base, moved = self._from_base(statement, site, mine)
                    moves.update(moved)
                else:
                    assert isinstance(statement, ast.Import | ast.ImportFrom)
                    index = next(i for i, a in enumerate(statement.names) if a is site.node)
                    if isinstance(statement, ast.Import):
                        aliases[index] = self._import_alias(statement, site, mine)
                    else:
                        assert isinstance(statement, ast.ImportFrom)
                        change = self._from_alias(statement, site, mine)
                        if isinstance(change, AliasChange):
                            aliases[index] = change
                        else:
                            moves[index] = change
                renames.extend(mine)
                done += 1
            except Refused as refusal:
                self._leave(site.node, str(refusal))
                if isinstance(site.node, ast.alias) and isinstance(statement, ast.Import):
                    self._kept.add(site.node.name)  # "import a.old" stays: so does "a.old.f()"
        if not done:
            return
        if (
            isinstance(statement, ast.ImportFrom)
            and moves
            and len(moves) == len(statement.names)
            and len({(m.level, m.module) for m in moves.values()}) == 1
        ):
            # Every name goes to one module: change the statement in place, so that its
            # parentheses and comments stay.
            first = next(iter(moves.values()))
            base = (first.level, first.module)
            aliases = {i: AliasChange(m.name, m.asname) for i, m in moves.items()}
            moves = {}
        data = self._src.data
        newline = "\r\n" if b"\r\n" in data else "\r" if b"\r" in data else "\n"
        indent = self._src.indent_before(statement)
        separator = newline + indent if indent is not None else "; "
        extra = [moves[i].code() for i in sorted(moves)]
        statement_change = StatementChange(base, aliases, frozenset(moves), extra)
        segment = self._src.text(statement)
        text = rewrite_statement(segment, statement_change, separator, newline)
        start, end = self._src.span(statement)
        self._edits.append(Edit(start, end, text.encode("utf-8")))
        scope = self._names.scope_of(statement) if renames else self._tree
        for old, new in renames:
            for node in self._names.references(old, scope):
                begin, finish = self._src.span(node)
                self._edits.append(Edit(begin, finish, new.encode("utf-8")))
        self._rewritten += done

    def _scope_interface(self, statement: ast.stmt, name: str) -> bool:
        """Whether *name*, bound by *statement*, is part of what other modules may import."""
        if self._names.scope_of(statement) is not self._tree or name.startswith("_"):
            return False
        return self._file.is_package or self._interface(name)

    def _rename_or_alias(
        self, statement: ast.stmt, old: str, new: str, renames: list[tuple[str, str]]
    ) -> str | None:
        """``None`` if *old* is renamed to *new* throughout its scope, else the ``as`` name."""
        names = self._names
        scope = names.scope_of(statement)
        interface = self._scope_interface(statement, old)
        if not isinstance(scope, ast.ClassDef) and names.can_rename(
            old, new, scope, interface=interface
        ):
            renames.append((old, new))
            return None
        return old

    def _import_alias(
        self, statement: ast.Import, site: Site, renames: list[tuple[str, str]]
    ) -> AliasChange:
        alias = site.node
        assert isinstance(alias, ast.alias)
        name, prefix = alias.name, site.name
        new = self._module_for(site, name)
        self._not_itself(new)
        self._attributes_kept(alias.asname or name, new)
        if alias.asname:
            return AliasChange(new, None)
        if "." not in name:
            if "." in new:
                return AliasChange(new, name)  # "import old" -> "import pkg.new as old"
            return AliasChange(new, self._rename_or_alias(statement, name, new, renames))
        old_top, new_top = top(name), top(new)
        if old_top != new_top:
            if self._names.bindings[old_top] > 1 or not self._only_through(old_top, name):
                raise Refused(
                    f"the file also uses {old_top!r} apart from {name!r}, and the new import "
                    f"binds {new_top!r} instead"
                )
            if new_top in self._names.used:
                raise Refused(f"the new import would bind {new_top!r}, which the file uses")
        if prefix != name and self._rule_for(site, name) is site.rule:
            # "import a.old.sub" imports a.old too, and the file may use "a.old.f" through it.
            self._attributes_kept(prefix, self._module_for(site, prefix))
            self._chains.setdefault(prefix, self._module_for(site, prefix))
        elif prefix != name:
            # A rule of its own sends a.old.sub elsewhere: the new import no longer imports
            # a.old, so "a.old.f" would have nothing to reach.
            following = name[len(prefix) + 1 :].partition(".")[0]
            for node in ast.walk(self._tree):
                if (
                    isinstance(node, ast.Attribute)
                    and node.attr != following
                    and dotted_name(node.value) == prefix
                ):
                    raise Refused(
                        f"the file also uses {prefix!r}, which the new import of {new!r} "
                        "does not import"
                    )
        self._chains[name] = new
        return AliasChange(new, None)

    def _attributes_kept(self, spelled: str, new: str) -> None:
        """Refuse when the file reads a name on the module (``app.old.f``, ``o.f``, spelled
        *spelled*) that *new* provably does not define: the rewritten reference would raise
        ``AttributeError``. What *new* provides may also be unknowable (not in the tree, a
        star import): then the reference is rewritten, as an import of it would be."""
        if self._index.names(new) is None:
            return
        for node in ast.walk(self._tree):
            if (
                isinstance(node, ast.Attribute)
                and not (node.attr.startswith("__") and node.attr.endswith("__"))
                and dotted_name(node.value) == spelled
            ):
                why = self._index.provides(new, node.attr)
                if why is not None:
                    raise Refused(f"{why}, which the file uses as '{spelled}.{node.attr}'")

    def _only_through(self, top: str, dotted: str) -> bool:
        """Whether every use of the name *top* in the file spells *dotted* (or below)."""
        uses = sum(
            1
            for node in ast.walk(self._tree)
            if isinstance(node, ast.Name) and node.id == top and isinstance(node.ctx, ast.Load)
        )
        through = 0
        for node in ast.walk(self._tree):
            if isinstance(node, ast.Attribute) and dotted_name(node) == dotted:
                through += 1
        return uses == through

    def _from_base(
        self, statement: ast.ImportFrom, site: Site, renames: list[tuple[str, str]]
    ) -> tuple[tuple[int, str | None], dict[int, NewImport]]:
        """The statement's new module, and the names that a deprecate rule sends elsewhere
        (alias index -> the statement that imports the replacement)."""
        base = self._absolute(statement)
        new_base = self._module_for(site, base)
        self._not_itself(new_base)
        moved: dict[int, NewImport] = {}
        for index, alias in enumerate(statement.names):
            if alias.name == "*":
                raise Refused("star import: the names it needs cannot be told apart")
            deprecated = self._deprecated.get(f"{base}.{alias.name}")
            if deprecated is not None:
                # "from old import make" where make itself is retired for new:build.
                target = name_target(deprecated)
                if target.module is not None and target.attribute is not None:
                    moved[index] = self._moved(
                        statement, alias, target.module, target.attribute, renames
                    )
                    continue
            why = self._index.provides(new_base, alias.name)
            if why is not None:
                raise Refused(why)
            # "from app.old import sub" ... "sub.gone()": a submodule's names count too.
            self._attributes_kept(alias.asname or alias.name, f"{new_base}.{alias.name}")
        return self._spell(statement, new_base), moved

    def _from_alias(
        self, statement: ast.ImportFrom, site: Site, renames: list[tuple[str, str]]
    ) -> AliasChange | NewImport:
        alias = site.node
        assert isinstance(alias, ast.alias)
        if site.deprecated:
            assert isinstance(site.rule, Deprecate)
            target = name_target(site.rule)
            if target.refusal is not None or target.module is None or target.attribute is None:
                raise Refused(target.refusal or "no replacement")
            parent, last = target.module, target.attribute
        else:
            new = self._module_for(site, site.name)
            parent, _, last = new.rpartition(".")
            self._not_itself(new)
            self._attributes_kept(alias.asname or alias.name, new)
        if not parent:
            raise Refused(f"the replacement {last!r} is a top-level module: use 'import {last}'")
        why = self._index.provides(parent, last)
        if why is not None:
            raise Refused(why)
        if parent == self._absolute(statement):
            asname = alias.asname
            if asname is None and last != alias.name:
                asname = self._rename_or_alias(statement, alias.name, last, renames)
            return AliasChange(last, asname)
        return self._moved(statement, alias, parent, last, renames)

    def _moved(
        self,
        statement: ast.ImportFrom,
        alias: ast.alias,
        parent: str,
        last: str,
        renames: list[tuple[str, str]],
    ) -> NewImport:
        """``from <parent> import <last>`` for *alias*, keeping or renaming its bound name."""
        if not parent:
            raise Refused(f"the replacement {last!r} is a top-level module: use 'import {last}'")
        why = self._index.provides(parent, last)
        if why is not None:
            raise Refused(why)
        asname = alias.asname
        if asname is None and last != alias.name:
            asname = self._rename_or_alias(statement, alias.name, last, renames)
        self._not_itself(parent)
        level, module = self._spell(statement, parent)
        return NewImport(level, module, last, asname)

    def _not_itself(self, module: str) -> None:
        """Refuse an import of this very file: the canonical module re-exporting a retired
        module's name would import itself, partly initialised, and fail."""
        if module == self._file.module:
            raise Refused(
                f"this file is {module!r}, the replacement itself: define the name here "
                "(or import it from where it is defined) by hand"
            )

    def _absolute(self, statement: ast.ImportFrom) -> str:
        if not statement.level:
            return statement.module or ""
        resolved = resolve_relative(
            "." * statement.level + (statement.module or ""), self._file.package
        )
        if resolved is None:
            raise Refused("relative import beyond the top-level package")
        return resolved

    def _spell(self, statement: ast.ImportFrom, module: str) -> tuple[int, str | None]:
        """*module* as the statement would spell it: relative if it was and still can be."""
        if statement.level:
            anchor = resolve_relative("." * statement.level, self._file.package)
            if anchor and module == anchor:
                return statement.level, None
            if anchor and module.startswith(anchor + "."):
                return statement.level, module[len(anchor) + 1 :]
        return 0, module


def _compiles(data: bytes, path: str) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(data, path, "exec", dont_inherit=True)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return False
    return True
