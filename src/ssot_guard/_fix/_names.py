"""Which names one file binds and uses: enough to rename a bound name safely.

A rename is done only when it cannot change what any other name means: the old
name is bound by the rewritten import alone (anywhere in the file), the new name
appears nowhere in the file, and the old name is not part of the module's
interface (``__all__``, or a public module-level name another file may import).
Otherwise the import keeps the old name with ``as``.
"""

from __future__ import annotations

import ast
from collections import Counter
from typing import Final

_SCOPES: Final = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


class Names:
    """The names of one parsed file."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.bindings: Counter[str] = Counter()
        #: ... of which by import statements.
        self.imported: Counter[str] = Counter()
        self.used: set[str] = set()
        self.exported: set[str] = set()
        #: Names that string annotations (``x: "old.Thing"``) and ``cast("old.T", v)`` spell:
        #: a rename would not reach them, and ``get_type_hints`` would then fail.
        self.in_strings: set[str] = set()
        #: ... and the string literals that spell them.
        self.forward: list[ast.Constant] = []
        #: Import statement -> the function, class or module whose scope it binds in.
        self._scope_of: dict[int, ast.AST] = {}
        self._walk(tree)

    def _walk(self, tree: ast.Module) -> None:
        stack: list[tuple[ast.AST, ast.AST]] = [(tree, tree)]
        while stack:
            node, scope = stack.pop()
            for child in ast.iter_child_nodes(node):
                self._note(child, scope)
                stack.append((child, child if isinstance(child, _SCOPES) else scope))

    def _note(self, node: ast.AST, scope: ast.AST) -> None:
        bound: list[str] = []
        if isinstance(node, ast.Name):
            self.used.add(node.id)
            if not isinstance(node.ctx, ast.Load):
                bound.append(node.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            self._scope_of[id(node)] = scope
            for alias in node.names:
                if alias.name != "*":
                    bound.append(alias.asname or alias.name.partition(".")[0])
                    self.imported[bound[-1]] += 1
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            bound.append(node.name)
            if not isinstance(node, ast.ClassDef):
                self._forward(node.returns)
        elif isinstance(node, ast.arg):
            bound.append(node.arg)
            self._forward(node.annotation)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.append(node.name)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            bound.extend(node.names)  # another scope's binding: renaming is not safe
        elif isinstance(node, ast.MatchAs | ast.MatchStar) and node.name:
            bound.append(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            bound.append(node.rest)
        elif isinstance(node, ast.Call) and node.args:
            callee = node.func
            if (isinstance(callee, ast.Name) and callee.id == "cast") or (
                isinstance(callee, ast.Attribute) and callee.attr == "cast"
            ):
                self._forward(node.args[0])
        if isinstance(node, ast.AnnAssign):
            self._forward(node.annotation)
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                value = node.value
                if value is not None:
                    self.exported.update(
                        n.value
                        for n in ast.walk(value)
                        if isinstance(n, ast.Constant) and isinstance(n.value, str)
                    )
        for name in bound:
            self.bindings[name] += 1
            self.used.add(name)

    def _forward(self, annotation: ast.expr | None) -> None:
        """Note the names that the strings inside *annotation* spell (forward references)."""
        if annotation is None:
            return
        stack: list[ast.AST] = [annotation]
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Subscript) and _last(node.value) == "Literal":
                continue  # Literal["app.old"] holds values, not names
            stack.extend(ast.iter_child_nodes(node))
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                try:
                    parsed = ast.parse(node.value.strip(), mode="eval")
                except (SyntaxError, ValueError, RecursionError, MemoryError):
                    continue
                self.forward.append(node)
                self.in_strings.update(n.id for n in ast.walk(parsed) if isinstance(n, ast.Name))

    def scope_of(self, statement: ast.stmt) -> ast.AST:
        return self._scope_of.get(id(statement), self.tree)

    def can_rename(self, old: str, new: str, scope: ast.AST, *, interface: bool) -> bool:
        """Whether every use of *old* (bound once, by the import) may become *new*.

        *interface*: the binding is a module-level name other modules may import.
        """
        if self.bindings[old] != 1 or new in self.used or old in self.exported:
            return False
        if old in self.in_strings:
            return False
        return not (interface and scope is self.tree)

    def references(self, name: str, scope: ast.AST) -> list[ast.Name]:
        """The ``Name`` nodes spelling *name* under *scope* (the import's own scope)."""
        return [n for n in ast.walk(scope) if isinstance(n, ast.Name) and n.id == name]


def _last(node: ast.expr) -> str | None:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else None
