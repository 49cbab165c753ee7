"""Names marked ``@deprecated`` in the checked tree become ``[[deprecate]]`` rules for the check.

PEP 702's decorator, spelt ``@ssot_guard.deprecated``, ``@typing_extensions.deprecated``
or ``@warnings.deprecated`` (also imported by name), on a module-level function or class
retires that name: ``ssot-guard check`` then reports its imports and uses like a
configured ``[[deprecate]]`` rule, with the decorator's message as the reason. Only
files whose bytes contain ``deprecated`` are parsed.
"""

from __future__ import annotations

import ast

from .._rules._model import Deprecate

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from collections.abc import Iterable

    from ._scan import SourceFile

#: Modules whose ``deprecated`` is PEP 702's decorator.
PEP702_MODULES = frozenset({"ssot_guard", "typing_extensions", "warnings"})


def marked_rules(sources: Iterable[SourceFile]) -> list[Deprecate]:
    """A ``Deprecate`` rule for each module-level name marked with PEP 702's decorator."""
    rules: list[Deprecate] = []
    for source in sources:
        try:
            with open(source.path, "rb") as file:
                data = file.read()
        except OSError:
            continue  # the check itself reports files it cannot read
        if b"deprecated" not in data:
            continue
        try:
            tree = ast.parse(data, source.path)
        except (SyntaxError, ValueError):
            continue  # reported by the check as a file that does not parse
        rules.extend(_marked_in(tree, source))
    return rules


def _marked_in(tree: ast.Module, source: SourceFile) -> Iterable[Deprecate]:
    names, modules = _decorator_spellings(tree)
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        for decorator in node.decorator_list:
            message = _pep702_message(decorator, names, modules)
            if message is not None:
                yield Deprecate(
                    f"{source.module}:{node.name}",
                    reason=message,
                    source=f"{source.path}:{decorator.lineno}: @deprecated",
                )
                break


def _decorator_spellings(tree: ast.Module) -> tuple[set[str], set[str]]:
    """Local names bound to PEP 702's decorator, and to the modules that provide it."""
    names: set[str] = set()
    modules: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module in PEP702_MODULES and not node.level:
            names.update(a.asname or a.name for a in node.names if a.name == "deprecated")
        elif isinstance(node, ast.Import):
            modules.update(a.asname or a.name for a in node.names if a.name in PEP702_MODULES)
    return names, modules


def _pep702_message(decorator: ast.expr, names: set[str], modules: set[str]) -> str | None:
    if not isinstance(decorator, ast.Call) or not decorator.args:
        return None
    func = decorator.func
    is_pep702 = (isinstance(func, ast.Name) and func.id in names) or (
        isinstance(func, ast.Attribute)
        and func.attr == "deprecated"
        and isinstance(func.value, ast.Name)
        and func.value.id in modules
    )
    message = decorator.args[0]
    if is_pep702 and isinstance(message, ast.Constant) and isinstance(message.value, str):
        return message.value
    return None
