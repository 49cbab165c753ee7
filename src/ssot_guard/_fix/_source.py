"""Byte positions in one file, the way ``ast`` counts them, and splicing edits into it."""

from __future__ import annotations

import ast
import re
from typing import Final, NamedTuple

_BREAK: Final = re.compile(rb"\r\n?|\n")
_STRING: Final = re.compile(r"([rRuU]?)('''|\"\"\"|'|\")(.*)\2", re.DOTALL)


class Edit(NamedTuple):
    start: int
    end: int
    text: bytes


class Source:
    """The bytes of one file, with ``ast`` positions (line from 1, UTF-8 byte column)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        # ast counts the first line's columns after a UTF-8 byte order mark, and a lone
        # "\r" (an old Mac line end) as a line break, like "\n" and "\r\n".
        starts = [3 if data.startswith(b"\xef\xbb\xbf") else 0]
        starts += [match.end() for match in _BREAK.finditer(data)]
        self._starts = starts

    def offset(self, line: int, column: int) -> int:
        return self._starts[line - 1] + column

    def span(self, node: ast.AST) -> tuple[int, int]:
        start = self.offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]
        end = self.offset(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]
        return start, end

    def text(self, node: ast.AST) -> str:
        start, end = self.span(node)
        return self.data[start:end].decode("utf-8")

    def indent_before(self, node: ast.AST) -> str | None:
        """The whitespace that starts *node*'s line, if only whitespace comes before it."""
        start = self.offset(node.lineno, 0)  # type: ignore[attr-defined]
        before = self.data[start : self.offset(node.lineno, node.col_offset)]  # type: ignore[attr-defined]
        return before.decode("utf-8") if not before.strip() else None

    def first_line(self, node: ast.AST) -> str:
        line: int = getattr(node, "lineno", 1)
        start = self._starts[line - 1]
        end = self._starts[line] if line < len(self._starts) else len(self.data)
        text = self.data[start:end]
        shown = text.decode("utf-8", "replace").strip()
        return shown if len(shown) <= 80 else shown[:77] + "..."


def string_literal(source: Source, node: ast.expr, value: str) -> str | None:
    """*node*, a plain string literal, written with *value* instead; ``None`` if it is not
    one plain literal (escapes, f-strings, implicit concatenation)."""
    if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
        return None
    match = _STRING.fullmatch(source.text(node))
    if match is None or match.group(3) != node.value or "\\" in match.group(3):
        return None
    quote = match.group(2)
    if quote in value or "\\" in value:
        return None
    return f"{match.group(1)}{quote}{value}{quote}"


def splice(data: bytes, edits: list[Edit]) -> bytes:
    """*data* with the non-overlapping *edits* applied."""
    pieces: list[bytes] = []
    last = 0
    for edit in sorted(edits):
        pieces.append(data[last : edit.start])
        pieces.append(edit.text)
        last = edit.end
    pieces.append(data[last:])
    return b"".join(pieces)
