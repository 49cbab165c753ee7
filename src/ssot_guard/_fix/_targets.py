"""What a retired name becomes, and whether the canonical module really provides a name.

Both are read from the rules and from source, never by importing: a rule says
``app.old`` is now ``app.new``; the canonical module's file, parsed with
``ast``, says whether ``from app.new import thing`` would work.
"""

from __future__ import annotations

import ast
import os
from typing import TYPE_CHECKING, NamedTuple

from .._base._files import read_regular
from .._rules._model import Block, Deprecate, Redirect

if TYPE_CHECKING:
    from collections.abc import Iterable

    from .._check._scan import SourceFile
    from .._rules._model import Rule


class Target(NamedTuple):
    """What a retired module or name is replaced with, or why there is nothing to say."""

    module: str | None  # the replacement module (for a deprecated name: the one holding it)
    attribute: str | None  # for a deprecated name: the replacement's attribute
    refusal: str | None  # why the site cannot be rewritten


def _is_dotted(text: str) -> bool:
    return bool(text) and all(part.isidentifier() for part in text.split("."))


def module_target(rule: Rule, name: str) -> Target:
    """The module that replaces *name*, which *rule* retires (*name* is the rule's module or
    under it)."""
    if isinstance(rule, Redirect):
        return Target(rule.replacement_for(name), None, None)
    if isinstance(rule, Block):
        if rule.module is None:
            return Target(None, None, "a pattern rule names no one-to-one replacement")
        if not rule.use:
            return Target(None, None, "the rule names no replacement ('use')")
        if not _is_dotted(rule.use):
            return Target(None, None, f"the rule's 'use' ({rule.use!r}) is not a module name")
        return Target(rule.use + name[len(rule.module) :], None, None)
    return Target(None, None, "not a module rule")


def name_target(rule: Deprecate) -> Target:
    """The replacement of a deprecated name: ``use = "pkg.new:name"`` (or a bare name in the
    same module)."""
    use = rule.use
    if not use:
        return Target(None, None, "the rule names no replacement ('use')")
    if ":" in use:
        module, _, attribute = use.partition(":")
    elif "." in use:
        module, _, attribute = use.rpartition(".")
    else:
        module, attribute = rule.module, use
    if not _is_dotted(module) or not attribute.isidentifier():
        return Target(None, None, f"the rule's 'use' ({use!r}) is not 'module:name'")
    return Target(module, attribute, None)


class ModuleIndex:
    """The modules of the tree, found by name, and the top-level names their source binds."""

    def __init__(self, sources: Iterable[SourceFile]) -> None:
        self._paths: dict[str, str] = {}
        roots: set[str] = set()
        for source in sources:
            self._paths.setdefault(source.module, source.path)
            depth = source.module.count(".") + (1 if source.is_package else 0)
            root = os.path.dirname(os.path.abspath(source.path))
            for _ in range(depth):
                root = os.path.dirname(root)
            roots.add(root)
        # Directories that hold top-level packages: a module outside the paths given
        # (``fix src/app/x.py``) is still found there, to be read, never written.
        self._roots = sorted(roots)
        self._names: dict[str, frozenset[str] | None] = {}
        #: A module's ``__all__``, when it has one (``None``: not a literal list of names).
        self._all: dict[str, frozenset[str] | None] = {}

    def path_of(self, module: str) -> str | None:
        """The file of *module*, or ``None`` if it is not in the tree."""
        path = self._paths.get(module)
        if path is not None:
            return path
        parts = module.split(".")
        for root in self._roots:
            base = os.path.join(root, *parts)
            for candidate in (base + ".py", os.path.join(base, "__init__.py"), base + ".pyi"):
                if os.path.isfile(candidate):
                    self._paths[module] = candidate
                    return candidate
        return None

    def exists(self, module: str) -> bool:
        return self.path_of(module) is not None

    def provides(self, module: str, name: str) -> str | None:
        """``None`` if *module* binds *name* (or has it as a submodule), else why not."""
        if self.exists(f"{module}.{name}"):
            return None
        names = self.names(module)
        if names is None:
            if self.path_of(module) is None:
                return f"{module!r} is not in the tree, so what it provides cannot be read"
            return f"cannot tell statically what {module!r} provides (star import, __getattr__)"
        if name in names:
            return None
        return f"{module!r} does not define {name!r}"

    def names(self, module: str, _seen: frozenset[str] = frozenset()) -> frozenset[str] | None:
        """The top-level names *module* binds; ``None`` when that cannot be known."""
        if module in self._names:
            return self._names[module]
        self._names[module] = None  # an import cycle reads as unknown
        path = self.path_of(module)
        result: frozenset[str] | None = None
        if path is not None:
            result = self._read(path, module, _seen | {module})
        self._names[module] = result
        return result

    def _read(self, path: str, module: str, seen: frozenset[str]) -> frozenset[str] | None:
        try:
            tree = ast.parse(read_regular(path), filename=path)
        except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        names: set[str] = set()
        package = module if os.path.basename(path).startswith("__init__.") else None
        package = package or module.rpartition(".")[0]
        if not _bind_top_level(tree.body, names, package, self, seen):
            return None
        if "__getattr__" in names:
            return None  # a module __getattr__ provides names no source lists
        if "__all__" in names:
            self._all[module] = _literal_all(tree.body)
        return frozenset(names)

    def star_names(self, module: str, seen: frozenset[str]) -> frozenset[str] | None:
        """The names ``from module import *`` binds: its ``__all__``, else its public names."""
        names = self.names(module, seen)
        if names is None:
            return None
        if module in self._all:
            return self._all[module]
        return frozenset(n for n in names if not n.startswith("_"))


def _bind_top_level(
    body: list[ast.stmt], names: set[str], package: str, index: ModuleIndex, seen: frozenset[str]
) -> bool:
    """Add the names *body* binds at module level; false when a star import hides some."""
    for stmt in body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(stmt.name)
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                names.add(alias.asname or alias.name.partition(".")[0])
        elif isinstance(stmt, ast.ImportFrom):
            for alias in stmt.names:
                if alias.name != "*":
                    names.add(alias.asname or alias.name)
                    continue
                source = _from_base(stmt, package)
                found = index.star_names(source, seen) if source and source not in seen else None
                if found is None:
                    return False
                names.update(found)
        elif isinstance(stmt, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                for node in ast.walk(target):
                    if isinstance(node, ast.Name):
                        names.add(node.id)
        elif type(stmt).__name__ == "TypeAlias":  # ``type X = ...`` (3.12+)
            names.add(getattr(stmt, "name").id)  # noqa: B009 - not in 3.11's ast stubs
        elif isinstance(stmt, ast.If) and _is_type_checking(stmt.test):
            # Bound for type checkers only: ``from new import Thing`` would fail at run time.
            if not _bind_top_level(stmt.orelse, names, package, index, seen):
                return False
        else:
            for field in ("body", "orelse", "finalbody"):
                inner = getattr(stmt, field, None)
                if inner and not _bind_top_level(inner, names, package, index, seen):
                    return False
            for handler in getattr(stmt, "handlers", ()):
                if not _bind_top_level(handler.body, names, package, index, seen):
                    return False
            if isinstance(stmt, ast.For | ast.AsyncFor | ast.With | ast.AsyncWith):
                targets = (
                    [stmt.target]
                    if isinstance(stmt, ast.For | ast.AsyncFor)
                    else [i.optional_vars for i in stmt.items if i.optional_vars is not None]
                )
                for target in targets:
                    names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return True


def _literal_all(body: list[ast.stmt]) -> frozenset[str] | None:
    """The names of a module's top-level ``__all__ = [...]`` (and ``+=``); ``None`` when any
    assignment to it is not a literal list or tuple of strings."""
    names: set[str] = set()
    for stmt in body:
        if isinstance(stmt, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            if not any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                continue
            value = stmt.value
            if not isinstance(value, ast.List | ast.Tuple) or not all(
                isinstance(e, ast.Constant) and isinstance(e.value, str) for e in value.elts
            ):
                return None
            if isinstance(stmt, ast.Assign | ast.AnnAssign):
                names.clear()
            names.update(str(e.value) for e in value.elts if isinstance(e, ast.Constant))
    return frozenset(names)


def _is_type_checking(test: ast.expr) -> bool:
    """``TYPE_CHECKING`` or ``typing.TYPE_CHECKING`` (however ``typing`` is spelled)."""
    if isinstance(test, ast.Attribute):
        return test.attr == "TYPE_CHECKING"
    return isinstance(test, ast.Name) and test.id == "TYPE_CHECKING"


def _from_base(stmt: ast.ImportFrom, package: str) -> str | None:
    from .._check._nodes import resolve_relative

    if not stmt.level:
        return stmt.module
    return resolve_relative("." * stmt.level + (stmt.module or ""), package)
