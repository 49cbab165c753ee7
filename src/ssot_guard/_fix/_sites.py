"""The places in one file that ``fix`` rewrites: exactly those ``check`` reports.

The check's own walker finds them, so ``fix`` and ``check`` can never disagree
about what an import of a retired module looks like; this subclass records the
syntax node and its statement instead of a message.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, NamedTuple

from .._check._imports import Walker

if TYPE_CHECKING:
    from .._rules._model import Rule


class Site(NamedTuple):
    """One use of something a rule retires."""

    rule: Rule
    #: For an import rule, the retired module name that the rule matched (a prefix
    #: of what the code names); for a deprecate rule, ``"pkg.mod.attr"``.
    name: str
    node: ast.AST  # the alias, statement, call or attribute the check reports
    statement: ast.stmt | None  # the import statement holding *node*, if any
    via: str | None  # for a call: the callee ("import_module(...)"), else None
    deprecated: bool


class SiteWalker(Walker):
    """:class:`Walker`, recording sites instead of findings."""

    sites: list[Site]
    _statement: ast.stmt | None = None

    def run(self, tree: ast.Module) -> None:
        self.sites = []
        super().run(tree)

    def _import(self, stmt: ast.Import) -> None:
        self._statement = stmt
        try:
            super()._import(stmt)
        finally:
            self._statement = None

    def _import_from(self, stmt: ast.ImportFrom) -> None:
        self._statement = stmt
        try:
            super()._import_from(stmt)
        finally:
            self._statement = None

    def _import_finding(self, rule: Rule, name: str, node: ast.AST, via: str | None) -> None:
        self.sites.append(Site(rule, name, node, self._statement, via, deprecated=False))

    def _deprecated(self, rule: Rule, node: ast.AST, what: str) -> None:
        name = f"{rule.module}.{rule.attribute}"  # type: ignore[attr-defined]
        self.sites.append(Site(rule, name, node, self._statement, what, deprecated=True))


def reported(sites: list[Site], text: str, data: bytes) -> list[Site]:
    """The *sites* whose finding no suppression comment silences: what ``check`` reports.

    A ``# ssot: ignore[SSOT102]`` records a decision to keep that import for now;
    rewriting it would undo the decision and leave the comment suppressing nothing.
    """
    from .._check import _findings as codes
    from .._check._suppress import collect
    from .._rules._model import Redirect

    comments = collect(text, data)
    if not comments:
        return sites
    kept: list[Site] = []
    for site in sites:
        if site.deprecated:
            code = codes.DEPRECATED_NAME
        elif isinstance(site.rule, Redirect):
            code = codes.REDIRECTED_IMPORT
        else:
            code = codes.BLOCKED_IMPORT
        first: int = getattr(site.node, "lineno", 1)
        last: int = getattr(site.node, "end_lineno", None) or first
        silenced = False
        for line in range(first, last + 1):
            comment = comments.get(line)
            if comment is not None and (comment.codes is None or code in comment.codes):
                silenced = True
                break
        if not silenced:
            kept.append(site)
    return kept
