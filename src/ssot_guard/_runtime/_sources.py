"""Finding source files and class statements under a package, without importing it.

For ``ssot_guard.testing``'s ``assert_single_definition`` and
``assert_no_modules_matching``: the seed plan's scans, done on the source.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import pkgutil
from collections.abc import Iterable, Iterator, Sequence
from types import ModuleType


def package_names(within: str | ModuleType | Iterable[str | ModuleType]) -> list[str]:
    if isinstance(within, ModuleType):
        return [within.__name__]
    if isinstance(within, str):
        return [within]
    items: Iterable[str | ModuleType] = within
    names = [w.__name__ if isinstance(w, ModuleType) else w for w in items]
    if not names or not all(isinstance(n, str) for n in names):
        raise TypeError(
            f"within= takes a package name, a module, or a list of them; got {within!r}"
        )
    return names


def under(name: str, packages: Sequence[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


def walk_sources(package: str, *, include_all: bool = False) -> Iterator[tuple[str, str]]:
    """``(module name, file)`` for *package* and every module below it, without importing them.

    Finding the package imports its parent packages (restored by the caller),
    never the package itself.
    """
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError) as error:
        raise AssertionError(f"cannot find package {package!r}: {error}") from error
    if spec is None:
        raise AssertionError(f"cannot find package {package!r}: no such module")
    if spec.origin and spec.has_location and spec.origin.endswith(".py"):
        yield package, spec.origin
    for directory in spec.submodule_search_locations or ():
        yield from _walk_directory(package, directory, include_all)


def _walk_directory(package: str, directory: str, include_all: bool) -> Iterator[tuple[str, str]]:
    for info in sorted(pkgutil.iter_modules([directory]), key=lambda i: i.name):
        name = f"{package}.{info.name}"
        if info.ispkg:
            sub = os.path.join(directory, info.name)
            init = os.path.join(sub, "__init__.py")
            if os.path.isfile(init):
                yield name, init
            elif include_all:
                yield name, sub
            yield from _walk_directory(name, sub, include_all)
        else:
            path = os.path.join(directory, info.name + ".py")
            if os.path.isfile(path):
                yield name, path
            elif include_all:
                found = [f for f in os.listdir(directory) if f.startswith(info.name + ".")]
                yield name, os.path.join(directory, found[0]) if found else directory


def class_statements(path: str, class_name: str) -> Iterator[tuple[str, int]]:
    """``(qualified name, line)`` of every ``class <class_name>`` statement in *path*."""
    try:
        with open(path, "rb") as f:
            tree = ast.parse(f.read(), filename=path)
    except SyntaxError as error:
        raise AssertionError(
            f"cannot scan {path}: syntax error at line {error.lineno}: {error.msg}"
        ) from None
    except (OSError, ValueError) as error:
        raise AssertionError(f"cannot scan {path}: {error}") from None

    def visit(node: ast.AST, scope: str) -> Iterator[tuple[str, int]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                qualname = f"{scope}{child.name}"
                if child.name == class_name:
                    yield qualname, child.lineno
                yield from visit(child, qualname + ".")
            elif isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                yield from visit(child, f"{scope}{child.name}.<locals>.")
            else:
                yield from visit(child, scope)

    yield from visit(tree, "")
