"""Walking one parsed file: its imports, the dotted names it hands to import calls, its classes.

Statements are walked, not every node: import statements are found wherever
they are (functions, ``if TYPE_CHECKING:``, ``try``), class definitions are
noted, and expressions are entered only on lines where the prefilter saw a
rule's name (``importlib.import_module("app.old")``, ``mock.patch("app.old.X")``,
``legacy.create_manager``), which keeps the cost close to the parse itself.
"""

from __future__ import annotations

import ast
from bisect import bisect_left
from typing import TYPE_CHECKING, Final

from .._rules._model import Redirect
from . import _findings as codes
from ._findings import explain
from ._nodes import (
    ClassRecord,
    RawFinding,
    argument_of,
    is_dotted_path,
    last_name,
    resolve_relative,
    string_of,
)
from ._prefilter import (
    REGISTRY_BASES,
    REGISTRY_DECORATORS,
    REGISTRY_METACLASSES,
)
from ._screen import DOTTED_TARGET_CALLS, IMPORT_CALLS

if TYPE_CHECKING:
    from .._rules._model import Rule
    from ._prefilter import Plan
    from ._scan import SourceFile

_COMPOUND_HEADERS: Final[dict[type[ast.stmt], tuple[str, ...]]] = {
    ast.If: ("test",),
    ast.While: ("test",),
    ast.For: ("target", "iter"),
    ast.AsyncFor: ("target", "iter"),
    ast.With: ("items",),
    ast.AsyncWith: ("items",),
    ast.Try: (),
    ast.TryStar: (),
    ast.Match: ("subject",),
    ast.FunctionDef: ("decorator_list", "args", "returns"),
    ast.AsyncFunctionDef: ("decorator_list", "args", "returns"),
    ast.ClassDef: ("decorator_list", "bases", "keywords"),
}


class Walker:
    """Finds the import-rule and deprecate findings of one file, and notes its classes."""

    def __init__(
        self,
        plan: Plan,
        source: SourceFile,
        hot: list[int],
        visit: list[int],
        *,
        registry: bool,
    ) -> None:
        """*hot*: lines whose expressions are searched; *visit*: lines a compound statement
        must span to be entered (imports, hot lines, class names the checks look for).
        ``[0]`` means every line."""
        self.plan = plan
        self.path = source.path
        self.module = source.module
        self.package = source.package
        self._hot = hot
        self._every_line = hot == [0]
        self._visit = visit
        self._visit_all = visit == [0]
        self._registry = registry
        self._unique = plan.unique_names if plan.watches(source.module) else frozenset()
        self._aliases: dict[str, str] = {}
        self.findings: list[RawFinding] = []
        self.classes: list[ClassRecord] = []

    def run(self, tree: ast.Module) -> None:
        self._body(tree.body, "", top=True)

    # -- statements ---------------------------------------------------------------------------

    def _is_hot(self, start: int, end: int) -> bool:
        if self._every_line:
            return True
        hot = self._hot
        index = bisect_left(hot, start)
        return index < len(hot) and hot[index] <= end

    def _visits(self, start: int, end: int) -> bool:
        if self._visit_all:
            return True
        visit = self._visit
        index = bisect_left(visit, start)
        return index < len(visit) and visit[index] <= end

    def _body(self, statements: list[ast.stmt], qualname: str, *, top: bool) -> None:
        for stmt in statements:
            kind = type(stmt)
            if kind is ast.Import:
                self._import(stmt)  # type: ignore[arg-type]
            elif kind is ast.ImportFrom:
                self._import_from(stmt)  # type: ignore[arg-type]
            elif kind in _COMPOUND_HEADERS:
                decorators = getattr(stmt, "decorator_list", None)
                start = decorators[0].lineno if decorators else stmt.lineno
                if self._visits(start, stmt.end_lineno or start):
                    self._compound(stmt, qualname, top=top)
            elif self._hot and self._is_hot(stmt.lineno, stmt.end_lineno or stmt.lineno):
                self._expressions(stmt)

    def _compound(self, stmt: ast.stmt, qualname: str, *, top: bool) -> None:
        body: list[ast.stmt] = getattr(stmt, "body", [])
        if self._hot:
            decorators: list[ast.expr] = getattr(stmt, "decorator_list", [])
            start = min([stmt.lineno, *(d.lineno for d in decorators)])
            # The header may end on the line its body starts on ("with f(\n'x'): pass").
            end = max(stmt.lineno, body[0].lineno) if body else stmt.lineno
            if self._is_hot(start, end):
                for field in _COMPOUND_HEADERS[type(stmt)]:
                    value = getattr(stmt, field)
                    for node in value if isinstance(value, list) else [value]:
                        if node is not None:
                            self._expressions(node)
        if isinstance(stmt, ast.ClassDef):
            self._class(stmt, qualname, top=top)
            self._body(stmt.body, f"{qualname}{stmt.name}.", top=False)
            return
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            self._body(stmt.body, f"{qualname}{stmt.name}.<locals>.", top=False)
            return
        self._body(body, qualname, top=top)
        self._body(getattr(stmt, "orelse", []), qualname, top=top)
        self._body(getattr(stmt, "finalbody", []), qualname, top=top)
        for handler in getattr(stmt, "handlers", []):
            if (
                handler.type is not None
                and self._hot
                and self._is_hot(handler.lineno, handler.lineno)
            ):
                self._expressions(handler.type)
            self._body(handler.body, qualname, top=top)
        for case in getattr(stmt, "cases", []):
            if case.guard is not None and self._hot:
                self._expressions(case.guard)
            self._body(case.body, qualname, top=top)

    # -- imports ------------------------------------------------------------------------------

    def _import(self, stmt: ast.Import) -> None:
        for alias in stmt.names:
            self._check_module(alias.name, alias)
            if alias.asname:
                self._aliases[alias.asname] = alias.name
            else:
                top = alias.name.partition(".")[0]
                self._aliases[top] = top

    def _import_from(self, stmt: ast.ImportFrom) -> None:
        if stmt.level:
            base = resolve_relative("." * stmt.level + (stmt.module or ""), self.package)
            if base is None:
                return  # beyond the top-level package: fails at runtime whatever the rules
        else:
            base = stmt.module or ""
        if self._check_module(base, stmt):
            return
        deprecated = self.plan.deprecated
        for alias in stmt.names:
            if alias.name == "*":
                continue
            full = f"{base}.{alias.name}"
            self._aliases[alias.asname or alias.name] = full
            rule = deprecated.get(full)
            if rule is not None:
                self._deprecated(rule, alias, f"import of deprecated name {rule.name!r}")
            else:
                self._check_module(full, alias)

    def _check_module(self, name: str, node: ast.AST, *, via: str | None = None) -> bool:
        """Report the first part of *name* a rule refuses to this file, as the import system would.

        Importing ``a.b.c`` imports ``a``, then ``a.b``, then ``a.b.c``; the
        packages containing this file are already imported, so they never are.
        """
        matcher = self.plan.matcher
        if not name or not matcher.may_match(name):
            return False
        package = self.package
        end = -1
        while True:
            end = name.find(".", end + 1)
            prefix = name if end < 0 else name[:end]
            inside = package == prefix or package.startswith(prefix + ".")
            if not inside:
                entry = self.plan.match(prefix)
                if entry is not None and not (
                    entry.importers.contains(self.module) or entry.covers(self.module)
                ):
                    self._import_finding(entry.rule, prefix, node, via)
                    return True
            if end < 0:
                return False

    def _import_finding(self, rule: Rule, name: str, node: ast.AST, via: str | None) -> None:
        shown = f" ({via})" if via else ""
        if isinstance(rule, Redirect):
            code = codes.REDIRECTED_IMPORT
            text = f"import of renamed module {name!r}{shown}"
            text += explain(rule.replacement_for(name), rule.reason, self.plan.source_of(rule))
        else:
            code = codes.BLOCKED_IMPORT
            text = f"import of retired module {name!r}{shown}"
            text += explain(getattr(rule, "use", None), rule.reason, self.plan.source_of(rule))
        self._add(node, code, text, self.plan.source_of(rule))

    def _deprecated(self, rule: Rule, node: ast.AST, what: str) -> None:
        text = what + explain(getattr(rule, "use", None), rule.reason, self.plan.source_of(rule))
        self._add(node, codes.DEPRECATED_NAME, text, self.plan.source_of(rule))

    def _add(self, node: ast.AST, code: str, message: str, rule: str | None) -> None:
        line: int = getattr(node, "lineno", 1)
        self.findings.append(
            RawFinding(
                line,
                getattr(node, "col_offset", 0),
                getattr(node, "end_lineno", None) or line,
                code,
                message,
                rule,
            )
        )

    # -- expressions on hot lines -------------------------------------------------------------

    def _expressions(self, root: ast.AST) -> None:
        deprecated = self.plan.deprecated
        for node in ast.walk(root):
            kind = type(node)
            if kind is ast.Call:
                self._call(node)  # type: ignore[arg-type]
            elif kind is ast.Attribute and deprecated:
                dotted = self._dotted(node)  # type: ignore[arg-type]
                if dotted is not None and dotted in deprecated:
                    rule = deprecated[dotted]
                    self._deprecated(rule, node, f"use of deprecated name {rule.name!r}")

    def _dotted(self, node: ast.expr) -> str | None:
        """``m.attr`` as ``pkg.mod.attr`` when ``m`` names an imported module."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name) or node.id not in self._aliases:
            return None
        parts.append(self._aliases[node.id])
        return ".".join(reversed(parts))

    def _call(self, call: ast.Call) -> None:
        callee = last_name(call.func)
        if callee in IMPORT_CALLS:
            self._import_call(call, callee)
        elif callee in DOTTED_TARGET_CALLS:
            text = string_of(argument_of(call, 0, "target"))
            if text is not None and is_dotted_path(text):
                self._dotted_target(text, call, f"{callee}() target {text!r}")
        elif callee == "getattr" and self.plan.deprecated and len(call.args) >= 2:
            owner = call.args[0]
            attribute = string_of(call.args[1])
            module = self._dotted(owner) if isinstance(owner, ast.Attribute) else None
            if isinstance(owner, ast.Name):
                module = self._aliases.get(owner.id)
            if module is not None and attribute is not None:
                rule = self.plan.deprecated.get(f"{module}.{attribute}")
                if rule is not None:
                    self._deprecated(rule, call, f"use of deprecated name {rule.name!r}")

    def _import_call(self, call: ast.Call, callee: str) -> None:
        name = string_of(argument_of(call, 0, "name"))
        if not name:
            return
        if callee == "__import__":
            level_node = argument_of(call, 4, "level")
            level = level_node.value if isinstance(level_node, ast.Constant) else 0
            if isinstance(level, int) and level > 0:
                name = "." * level + name
            package: str | None = self.package
        else:
            package_node = argument_of(call, 1, "package")
            package = string_of(package_node)
            if isinstance(package_node, ast.Name):
                package = {"__package__": self.package, "__name__": self.module}.get(
                    package_node.id
                )
        resolved = resolve_relative(name, package or "") if name.startswith(".") else name
        if resolved is None:
            return
        via = f"{callee}({name!r})"
        if self._check_module(resolved, call, via=via):
            return
        if callee == "__import__":
            fromlist = argument_of(call, 3, "fromlist")
            if isinstance(fromlist, ast.List | ast.Tuple):
                for element in fromlist.elts:
                    item = string_of(element)
                    if item and item != "*" and self._check_module(f"{resolved}.{item}", call):
                        return

    def _dotted_target(self, text: str, call: ast.Call, via: str) -> None:
        dotted = text.replace(":", ".")
        rule = self.plan.deprecated.get(dotted)
        if rule is not None:
            self._deprecated(rule, call, f"use of deprecated name {rule.name!r} ({via})")
            return
        self._check_module(dotted, call, via=via)

    # -- classes ------------------------------------------------------------------------------

    def _class(self, stmt: ast.ClassDef, qualname: str, *, top: bool) -> None:
        if top and stmt.name in self._unique:
            self._note("unique", stmt.name, stmt, qualname)
        if self._registry:
            self._note("class", stmt.name, stmt, qualname, registry=True)

    def _note(
        self, kind: str, key: str, stmt: ast.ClassDef, qualname: str, *, registry: bool = False
    ) -> None:
        bases: tuple[str, ...] = ()
        metaclass = None
        how = ""
        if registry:
            bases = tuple(b for b in map(self._resolve, stmt.bases) if b)
            for keyword in stmt.keywords:
                if keyword.arg == "metaclass":
                    metaclass = self._resolve(keyword.value)
                    if last_name(keyword.value) in REGISTRY_METACLASSES:
                        how = "metaclass"
                elif keyword.arg == "ssot_key" and not _is_none(keyword.value):
                    key = string_of(keyword.value) or ""  # computed: unknowable here
            if not how and any(last_name(base) in REGISTRY_BASES for base in stmt.bases):
                how = "base"
            for decorator in stmt.decorator_list:
                if last_name(decorator) in REGISTRY_DECORATORS:
                    how = how or "decorator"
                    for keyword in getattr(decorator, "keywords", ()):
                        if keyword.arg == "ssot_key" and not _is_none(keyword.value):
                            key = string_of(keyword.value) or ""
        self.classes.append(
            ClassRecord(
                kind,
                key,
                self.module,
                qualname + stmt.name,
                self.path,
                stmt.lineno,
                stmt.col_offset,
                stmt.lineno,
                bases,
                metaclass,
                how,
            )
        )

    def _resolve(self, node: ast.expr) -> str | None:
        """A base or metaclass expression as a dotted name: ``m.Base`` -> ``pkg.m.Base``."""
        if isinstance(node, ast.Subscript):  # Generic[T], Base[int]
            node = node.value
        if isinstance(node, ast.Name):
            return self._aliases.get(node.id, f"{self.module}.{node.id}")
        if isinstance(node, ast.Attribute):
            dotted = self._dotted(node)
            if dotted is not None:
                return dotted
            parts: list[str] = []
            while isinstance(node, ast.Attribute):
                parts.append(node.attr)
                node = node.value
            if isinstance(node, ast.Name):
                parts.append(node.id)
                return ".".join(reversed(parts))
        return None


def _is_none(node: ast.expr) -> bool:
    """``ssot_key=None``: the default, which keys the class by its name at run time."""
    return isinstance(node, ast.Constant) and node.value is None
