"""The records the walker produces, and the small readings of AST nodes it and ``fix`` share."""

from __future__ import annotations

import ast
from typing import NamedTuple


class RawFinding(NamedTuple):
    """A finding before its column is turned from UTF-8 bytes into characters."""

    line: int
    offset: int
    end_line: int
    code: str
    message: str
    rule: str | None


class ClassRecord(NamedTuple):
    """A class definition the cross-file checks need."""

    kind: str  # "unique" (a top-level class named by a [[unique]] rule) or "class" (registry)
    key: str  # the class name; for "class", ssot_key= if given ("" if not a literal)
    module: str
    qualname: str
    path: str
    line: int
    offset: int
    end_line: int
    #: For "class": the bases and the metaclass as dotted names, resolved through the
    #: file's imports (``SSOTBase`` -> ``ssot_guard.SSOTBase``) ...
    bases: tuple[str, ...] = ()
    metaclass: str | None = None
    #: ... and how the class itself names the registry: "metaclass", "base",
    #: "decorator", or "" when it may only inherit it.
    how: str = ""


def last_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def string_of(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def argument_of(call: ast.Call, index: int, keyword: str) -> ast.expr | None:
    if len(call.args) > index and not any(isinstance(a, ast.Starred) for a in call.args[:index]):
        return call.args[index]
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    return None


def is_dotted_path(text: str) -> bool:
    parts = text.replace(":", ".").split(".")
    return len(parts) > 1 and all(part.isidentifier() for part in parts)


def resolve_relative(name: str, package: str) -> str | None:
    """``importlib``'s resolution of ``.x``/``..x`` against *package*; ``None`` if impossible."""
    level = len(name) - len(name.lstrip("."))
    rest = name[level:]
    if not level:
        return name
    if not package:
        return None
    bits = package.split(".")
    if level - 1 >= len(bits):
        return None
    base = ".".join(bits[: len(bits) - (level - 1)])
    return f"{base}.{rest}" if rest else base
