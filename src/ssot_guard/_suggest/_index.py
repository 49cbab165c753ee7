"""One pass over the tree's source (``ast`` only, nothing imported): what each module defines.

For every module: the top-level names it defines (and where), the names it
imports from each other module, the modules it imports, and its top-level
classes. Class bodies are fingerprinted only later, for names defined twice.
"""

from __future__ import annotations

import ast
import os
import re
import warnings
from typing import TYPE_CHECKING, Final, NamedTuple

from .._base._files import read_regular
from .._check._nodes import resolve_relative

if TYPE_CHECKING:
    from .._check._scan import SourceFile

_TEST_FILE: Final = re.compile(r"(^tests?|^test_.*|.*_tests?|^conftest)\.pyi?$")
_TEST_DIRS: Final = frozenset({"test", "tests", "testing"})


class ModuleInfo(NamedTuple):
    module: str
    path: str
    is_package: bool
    #: Top-level names defined here (functions, classes, assignments) -> line.
    defined: dict[str, int]
    #: Top-level classes -> line.
    classes: dict[str, int]
    #: Other module -> the names this module imports from it ("*" for a star import).
    imported: dict[str, set[str]]
    #: Classes that subclass a class of their own name (``class Serializer(base.Serializer)``):
    #: specialisations of an interface, not copies.
    specialised: set[str]
    #: Whether the module holds only imports (and a docstring, ``__all__``): a re-export shim.
    imports_only: bool = False

    @property
    def parent(self) -> str:
        return self.module if self.is_package else self.module.rpartition(".")[0]

    @property
    def last(self) -> str:
        return self.module.rpartition(".")[2]


def is_test(relative: str) -> bool:
    """Whether the file at *relative* (to the path given) is test code: ``test_*.py``,
    ``tests.py``, ``conftest.py``, or under a ``tests`` or ``test_*`` directory.

    Only the part below the path given counts, so a tree that itself lives under a
    ``tests`` directory is still looked at.
    """
    parts = os.path.normpath(relative).split(os.sep)
    if _TEST_FILE.match(parts[-1]):
        return True
    return any(part in _TEST_DIRS or part.startswith("test_") for part in parts[:-1])


def parse(path: str) -> ast.Module | None:
    try:
        data = read_regular(path)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(data, filename=path)
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def read_module(source: SourceFile) -> ModuleInfo | None:
    """What *source* defines and imports; ``None`` if it cannot be read or parsed."""
    tree = parse(source.path)
    if tree is None:
        return None
    info = ModuleInfo(source.module, source.path, source.is_package, {}, {}, {}, set())
    _statements(tree.body, info, source.package)
    return info._replace(imports_only=all(map(_is_import_or_note, tree.body)))


def _is_import_or_note(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.Import | ast.ImportFrom):
        return True
    if isinstance(stmt, ast.Expr):
        return isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)
    targets = stmt.targets if isinstance(stmt, ast.Assign) else []
    return bool(targets) and all(isinstance(t, ast.Name) and t.id.startswith("__") for t in targets)


def _statements(body: list[ast.stmt], info: ModuleInfo, package: str) -> None:
    defined = info.defined
    for stmt in body:
        if isinstance(stmt, ast.ClassDef):
            defined.setdefault(stmt.name, stmt.lineno)
            info.classes.setdefault(stmt.name, stmt.lineno)
            for base in stmt.bases:
                if _last_name(base) == stmt.name:
                    info.specialised.add(stmt.name)
        elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            defined.setdefault(stmt.name, stmt.lineno)
        elif isinstance(stmt, ast.Assign | ast.AnnAssign):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                for node in ast.walk(target):
                    if isinstance(node, ast.Name) and not node.id.startswith("__"):
                        defined.setdefault(node.id, stmt.lineno)
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                info.imported.setdefault(alias.name, set())
        elif isinstance(stmt, ast.ImportFrom):
            origin = (
                resolve_relative("." * stmt.level + (stmt.module or ""), package)
                if stmt.level
                else stmt.module
            )
            if origin:
                names = info.imported.setdefault(origin, set())
                for alias in stmt.names:
                    names.add(alias.name)
                    if alias.name != "*":
                        info.imported.setdefault(f"{origin}.{alias.name}", set())
        elif isinstance(stmt, ast.If | ast.Try):
            # Conditional definitions (``if sys.version_info``, ``try: import``) count too.
            _statements(stmt.body, info, package)
            _statements(stmt.orelse, info, package)
            if isinstance(stmt, ast.Try):
                for handler in stmt.handlers:
                    _statements(handler.body, info, package)
                _statements(stmt.finalbody, info, package)


def _last_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else None


def fingerprint(path: str, names: set[str]) -> dict[str, list[str]]:
    """For the top-level *names* of *path*: the flattened lines of each definition, so that
    two definitions compare line by line (docstrings left out)."""
    tree = parse(path)
    found: dict[str, list[str]] = {}
    if tree is None:
        return found
    for stmt in tree.body:
        if isinstance(stmt, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            if stmt.name in names and stmt.name not in found:
                # Bodies only: two implementations of one interface share their signatures.
                lines: list[str] = []
                try:
                    _flatten(stmt.body, lines)
                except RecursionError:  # an expression nested too deeply to dump: not compared
                    lines = []
                found[stmt.name] = lines
        elif isinstance(stmt, ast.Assign | ast.AnnAssign):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id in names:
                    try:
                        found.setdefault(target.id, [ast.dump(stmt)])
                    except RecursionError:
                        found.setdefault(target.id, [])
    return found


def _flatten(body: list[ast.stmt], lines: list[str]) -> None:
    """One string per simple statement and per compound statement's header, so that two
    bodies compare line by line (a method that differs in one line still shares the rest)."""
    for index, stmt in enumerate(body):
        if (
            index == 0
            and isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Constant)
            and isinstance(stmt.value.value, str)
        ):
            continue  # a docstring says what differs, not what is the same
        inner = [
            getattr(stmt, f) for f in ("body", "orelse", "finalbody") if getattr(stmt, f, None)
        ]
        handlers = getattr(stmt, "handlers", None) or []
        if not inner and not handlers:
            lines.append(ast.dump(stmt))
            continue
        header = stmt.__class__.__name__
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            header += f" {stmt.name}({ast.dump(stmt.args)})"
        elif isinstance(stmt, ast.If | ast.While):
            header += " " + ast.dump(stmt.test)
        lines.append(header)
        for block in inner:
            _flatten(block, lines)
        for handler in handlers:
            lines.append("except " + (ast.dump(handler.type) if handler.type else ""))
            _flatten(handler.body, lines)
