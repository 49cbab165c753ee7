"""Moving the references of one file with its rewritten ``import a.b.old`` statements.

``a.b.old.f()`` becomes ``a.b.new.f()``, and a string annotation that spells the
module (``x: "a.b.old.Thing"``) moves too: ``get_type_hints`` resolves it as the
code would, and fails once the import has moved. A reference is left, with a
reason, where a deeper import of it was left, where its package's name is also
bound otherwise in the file, or where it is not spelled plainly.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from ._expressions import top
from ._source import Edit, string_literal

if TYPE_CHECKING:
    from collections.abc import Callable

    from ._names import Names
    from ._source import Source

    Leave = Callable[[ast.AST, str], None]


def dotted_name(node: ast.expr) -> str | None:
    """``a.b.c`` for an attribute chain on a name, else ``None``."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def rewrite_references(
    src: Source,
    tree: ast.Module,
    names: Names,
    chains: dict[str, str],
    kept: set[str],
    leave: Leave,
) -> list[Edit]:
    """The edits that move each reference to a module of *chains* (old -> new).

    *kept* holds the modules whose imports were left; what cannot be moved is given to *leave*.
    """
    mover = _Mover(src, names, chains, kept, leave)
    return [*mover.attribute_chains(tree), *mover.forward_references()]


class _Mover:
    def __init__(
        self, src: Source, names: Names, chains: dict[str, str], kept: set[str], leave: Leave
    ) -> None:
        self.src = src
        self.names = names
        self.chains = chains
        self.kept = kept
        self.leave = leave
        self.longest = sorted(chains, key=len, reverse=True)

    def attribute_chains(self, tree: ast.Module) -> list[Edit]:
        """``a.b.old.f()`` -> ``a.b.new.f()`` for every ``import a.b.old`` rewritten."""
        src, names, leave = self.src, self.names, self.leave
        inner: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute):
                inner.add(id(node.value))
        edits: list[Edit] = []
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute) or id(node) in inner:
                continue
            spelled = dotted_name(node)
            if spelled is None:
                continue
            for old in self.longest:
                if spelled == old or spelled.startswith(old + "."):
                    break
            else:
                continue
            if any(
                len(left) >= len(old) and (spelled == left or spelled.startswith(left + "."))
                for left in self.kept
            ):
                continue  # a deeper import of it was left: so are its references
            package = top(old)
            if names.bindings[package] > names.imported[package]:
                # "app" is also a parameter or variable somewhere: which use means the
                # module cannot be told without a full scope analysis, so none is touched.
                leave(node, f"{package!r} is also bound otherwise in this file")
                continue
            part: ast.expr = node
            for _ in range(spelled.count(".") - old.count(".")):
                assert isinstance(part, ast.Attribute)
                part = part.value
            start, end = src.span(part)
            if src.data[start:end] != old.encode("utf-8"):
                leave(part, f"reference to {old!r} spelled over several lines or spaces")
                continue
            edits.append(Edit(start, end, self.chains[old].encode("utf-8")))
        return edits

    def forward_references(self) -> list[Edit]:
        """``x: "a.b.old.Thing"`` -> ``x: "a.b.new.Thing"``."""
        src, names, leave, longest = self.src, self.names, self.leave, self.longest
        spelled = re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, longest)) + r")(?!\w)")
        edits: list[Edit] = []
        for constant in names.forward:
            value = constant.value
            if not isinstance(value, str) or not spelled.search(value):
                continue
            if any(re.search(rf"(?<![\w.]){re.escape(left)}(?!\w)", value) for left in self.kept):
                continue  # a deeper import of it was left: so is this string
            if any(names.bindings[top(old)] > names.imported[top(old)] for old in longest):
                leave(constant, "the string annotation's package is also bound otherwise")
                continue
            new = spelled.sub(lambda match: self.chains[match.group(1)], value)
            literal = string_literal(src, constant, new)
            if literal is None:
                leave(constant, "the string annotation is not one plain literal")
                continue
            start, end = src.span(constant)
            edits.append(Edit(start, end, literal.encode("utf-8")))
        return edits
