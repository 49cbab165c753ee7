"""Rewriting one import statement with libcst: only the names that change are touched.

The statement's own text (from ``ast`` positions) is parsed by libcst, changed,
and printed back, so its layout, parentheses and comments stay as they were.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import libcst as cst


class AliasChange(NamedTuple):
    """The new module or name of one ``import``/``from ... import`` alias, and its ``as``."""

    name: str
    asname: str | None  # None: keep the alias's own ``as`` (or none)


class NewImport(NamedTuple):
    """A ``from`` import that moves out of its statement: its source and alias."""

    level: int
    module: str | None
    name: str
    asname: str | None

    def code(self) -> str:
        source = "." * self.level + (self.module or "")
        alias = f" as {self.asname}" if self.asname and self.asname != self.name else ""
        return f"from {source} import {self.name}{alias}"


class StatementChange(NamedTuple):
    base: tuple[int, str | None] | None  # a ``from`` import's new (level, module)
    aliases: dict[int, AliasChange]
    removed: frozenset[int]  # aliases that move into statements of their own
    extra: list[str]  # those statements


def _dotted(text: str) -> cst.Attribute | cst.Name:
    import libcst as cst

    parts = text.split(".")
    node: cst.Attribute | cst.Name = cst.Name(parts[0])
    for part in parts[1:]:
        node = cst.Attribute(value=node, attr=cst.Name(part))
    return node


def rewrite_statement(
    segment: str, change: StatementChange, separator: str, newline: str = "\n"
) -> str:
    """The new text of the import statement *segment* (its exact source text); line breaks
    inside it are written as *newline*, the file's own."""
    import libcst as cst

    line = cst.parse_statement(segment)
    assert isinstance(line, cst.SimpleStatementLine), segment
    small = line.body[0]
    kept: cst.BaseSmallStatement | None = small
    if isinstance(small, cst.Import):
        names = list(small.names)
        for index, alias in change.aliases.items():
            names[index] = _alias(alias, names[index])
        kept = small.with_changes(names=names)
    elif isinstance(small, cst.ImportFrom):
        updated = small
        if change.base is not None:
            level, module = change.base
            updated = updated.with_changes(
                relative=[cst.Dot() for _ in range(level)],
                module=_dotted(module) if module else None,
            )
            if level and not module:  # "from . import x": keep a space before "import"
                updated = updated.with_changes(whitespace_before_import=cst.SimpleWhitespace(" "))
        if not isinstance(updated.names, cst.ImportStar):
            names = list(updated.names)
            for index, alias in change.aliases.items():
                names[index] = _alias(alias, names[index])
            names = [a for i, a in enumerate(names) if i not in change.removed]
            if not names:
                kept = None
            else:
                if updated.lpar is None and names[-1].comma is not cst.MaybeSentinel.DEFAULT:
                    names[-1] = names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
                kept = updated.with_changes(names=names)
        else:
            kept = updated
    printer = cst.Module([], default_newline=newline)
    statements = [printer.code_for_node(kept)] if kept is not None else []
    return separator.join([*statements, *change.extra])


def _alias(change: AliasChange, alias: cst.ImportAlias) -> cst.ImportAlias:
    import libcst as cst

    updated = alias.with_changes(name=_dotted(change.name))
    if change.asname is not None:
        if change.asname == change.name:
            updated = updated.with_changes(asname=None)
        else:
            updated = updated.with_changes(asname=cst.AsName(name=cst.Name(change.asname)))
    return updated
