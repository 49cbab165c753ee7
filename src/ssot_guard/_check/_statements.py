"""Parsing only the statements that can matter, not the whole file.

A file that names a rule's target somewhere usually does so in a few statements:
an import at the top, a ``mock.patch("app.old.X")`` in one test. Parsing the
whole file for them costs a hundred times more than parsing those statements.
So the byte positions that can matter (*anchors*: a needle inside what may be an
import statement, a needle inside a string argument) are mapped to the logical
lines holding them, and only those lines are parsed, each at its own line and
column so that findings are where a full parse puts them.

Finding a logical line needs to know where strings and comments are (an import
inside a docstring is no import; a ``(`` inside a comment opens nothing) and how
deep in brackets a line starts. :class:`Lexed` blanks out every string and
comment with one regular expression (same length, so positions stay), after
which brackets, backslash continuations and newlines are all real code. Where
that cannot be sure (an unterminated string, a ``\\r``-only line ending, an
unbalanced bracket, a clause like ``else:`` that cannot stand alone), the caller
parses the whole file instead: the cheap path is only ever taken when it gives
exactly what a full parse gives.
"""

from __future__ import annotations

import ast
import re
import sys
from typing import Final

# Strings and comments, in the order the tokenizer sees them. A string prefix
# (r, b, f, u) does not change where a string ends: "\"" ends at the third quote,
# raw or not. Possessive quantifiers: a long docstring costs no backtracking.
_TOKENS: Final = re.compile(
    rb"#[^\r\n]*+"
    rb'|"""(?:[^"\\]++|\\[\s\S]|"(?!""))*+"""'
    rb"|'''(?:[^'\\]++|\\[\s\S]|'(?!''))*+'''"
    rb'|"(?:[^"\\\r\n]++|\\[\s\S])*+"'
    rb"|'(?:[^'\\\r\n]++|\\[\s\S])*+'"
)
# The "from" and "import" keywords, each a pattern starting with its literal
# (the fast search), then checked to be a whole word.
KEYWORDS: Final = tuple(
    rb"%s(?<![\w\x80-\xff]%s)(?![\w\x80-\xff])" % (word, word) for word in (b"from", b"import")
)
_KEYWORD_PATTERNS: Final = tuple(re.compile(keyword) for keyword in KEYWORDS)
# The shape of an import statement from its keyword on, loosely (a superset of the
# grammar): dotted names, "as", commas, "*", and inside parentheses any names, commas
# and comments; whitespace and backslash continuations between any two tokens. A
# needle inside such a stretch may be part of an import statement; a needle anywhere
# else cannot be (a statement's first keyword comes before its names). Prose such as
# "from the module" has not the shape: it makes no stretch to search.
_W: Final = rb"(?:[ \t\f]++|\\\r?\n)*+"
_NAME: Final = rb"[\w\x80-\xff]++"
_DOTTED: Final = _NAME + rb"(?:" + _W + rb"\." + _W + _NAME + rb")*+"
_ALIASED: Final = _DOTTED + rb"(?:" + _W + rb"as(?![\w\x80-\xff])" + _W + _NAME + rb")?+"
_NAMES: Final = _ALIASED + rb"(?:" + _W + b"," + _W + _ALIASED + rb")*+"
_INSIDE: Final = rb"\((?:[\s\w\x80-\xff,]++|\\\r?\n|#[^\r\n]*+)*+\)?+"
_STRETCH: Final = re.compile(
    rb"import" + _W + rb"(?:" + _NAMES + rb")?+"
    rb"|from" + _W + rb"(?:\." + _W + rb")*+(?:(?!import(?![\w\x80-\xff]))" + _DOTTED + _W + rb")?"
    rb"import(?![\w\x80-\xff])" + _W + rb"(?:\*|" + _INSIDE + b"|" + _NAMES + rb")?+"
)


def stretch_end(data: bytes, keyword: int) -> int:
    """Where the stretch that starts at the keyword at *keyword* ends (there, if none)."""
    match = _STRETCH.match(data, keyword)
    return keyword if match is None else match.end()


# "from" then dots: a relative import (backslash continuations may come between).
_RELATIVE: Final = re.compile(KEYWORDS[0] + rb"(?:[ \t\f]|\\\r?\n)*\.")


def relative_imports(data: bytes) -> list[int]:
    """Where a relative import (``from .x import y``) may be (strings too, as above)."""
    return [match.start() for match in _RELATIVE.finditer(data)]


def keyword_positions(data: bytes) -> list[int]:
    """Where a "from" or "import" keyword may be (strings too: the caller sorts that out)."""
    found: list[int] = []
    for pattern in _KEYWORD_PATTERNS:
        found.extend(match.start() for match in pattern.finditer(data))
    found.sort()
    return found


_OPENERS: Final = (b"(", b"[", b"{")
_CLOSERS: Final = (b")", b"]", b"}")
# Clauses that cannot be parsed without the statement they belong to.
_CLAUSE: Final = re.compile(rb"(?:else|elif|except|finally|case)(?![\w\x80-\xff])")
#: Before 3.12 an f-string cannot hold its own quote; from 3.12 it can, and the
#: simple tokenization above then splits it. Such a string is detected (its
#: replacement fields do not close) and the file parsed whole.
_NESTED_FSTRINGS: Final = sys.version_info >= (3, 12)


class Unsure(Exception):
    """The cheap path cannot be sure of this file: parse it whole."""


def _blank(match: re.Match[bytes]) -> bytes:
    text = match.group()
    if text[:1] != b"#":
        if len(text) == 2 and match.string[match.end() : match.end() + 1] == text[:1]:
            raise Unsure  # '""' then '"': a triple-quoted string that does not end
        if _NESTED_FSTRINGS and b"{" in text and _fstring_splits(match):
            raise Unsure
    return b" " * len(text)


def _fstring_splits(match: re.Match[bytes]) -> bool:
    prefix = match.string[max(0, match.start() - 2) : match.start()].lower()
    if b"f" not in prefix:
        return False
    text = match.group().replace(b"{{", b"").replace(b"}}", b"")
    return text.count(b"{") != text.count(b"}")


def names_are_ascii(data: bytes) -> bool:
    """Whether all of *data* outside strings and comments is ASCII (then no identifier
    needs NFKC normalisation); false when that cannot be told."""
    try:
        code = _TOKENS.sub(_blank, data)
    except Unsure:
        return False
    return code.isascii() and b'"' not in code and b"'" not in code


class Lexed:
    """A file's code with strings and comments blanked out, up to a limit."""

    def __init__(self, data: bytes, limit: int) -> None:
        if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
            raise Unsure  # lines ending in a lone "\r": not worth getting right here
        self.data = data
        self._lex(limit)

    def _lex(self, limit: int) -> None:
        # Cut at a line end: a comment never crosses it, and a string that does
        # is caught (a lone quote is left over, or '""' is followed by a quote).
        end = self.data.find(b"\n", limit)
        self.limit = len(self.data) if end < 0 else end + 1
        try:
            self.code = _TOKENS.sub(_blank, self.data[: self.limit])
            if b'"' in self.code or b"'" in self.code:
                raise Unsure  # a quote no string accounts for
        except Unsure:
            if self.limit >= len(self.data):
                raise
            self._lex(len(self.data))  # a string runs past the cut: the whole file, then
            return
        self._depth_at = 0
        self._depth = 0

    def _extend(self) -> None:
        if self.limit >= len(self.data):
            raise Unsure  # brackets or a continuation run off the end of the file
        self._lex(len(self.data))

    def in_code(self, position: int) -> bool:
        """Whether *position* (inside the lexed part) is code, not string or comment."""
        return self.code[position : position + 1] == self.data[position : position + 1]

    def _delta(self, start: int, end: int) -> int:
        code = self.code
        return sum(code.count(o, start, end) for o in _OPENERS) - sum(
            code.count(c, start, end) for c in _CLOSERS
        )

    def depth(self, position: int) -> int:
        """How many brackets are open at *position*; positions asked for ascend mostly."""
        if position < self._depth_at:
            self._depth_at, self._depth = 0, 0
        self._depth += self._delta(self._depth_at, position)
        self._depth_at = position
        if self._depth < 0:
            raise Unsure  # a closing bracket without its opening one
        return self._depth

    def _continued(self, line_start: int) -> bool:
        """Whether the line starting at *line_start* continues the one before it."""
        code = self.code
        if line_start == 0:
            return False
        end = line_start - 1  # the "\n"
        if code[end - 1 : end] == b"\r":
            end -= 1
        return code[end - 1 : end] == b"\\"

    def statement(self, position: int) -> tuple[int, int]:
        """The byte span of the logical line holding *position*: from its line's start
        to the end of its last line (before the newline)."""
        while position >= self.limit:
            self._extend()
        code = self.code
        start = code.rfind(b"\n", 0, position) + 1
        depth = self.depth(start)
        while depth > 0 or self._continued(start):
            if start == 0:
                raise Unsure
            previous = code.rfind(b"\n", 0, start - 1) + 1
            depth -= self._delta(previous, start)
            start = previous
            if depth < 0:
                raise Unsure
        return start, self._end(start, depth)

    def _end(self, start: int, depth: int) -> int:
        position = start
        while True:
            newline = self.code.find(b"\n", position)
            if newline < 0:
                if self.limit < len(self.data):
                    self._extend()
                    continue
                # The last line, without a newline.
                depth += self._delta(position, len(self.code))
                if depth != 0 or self.code.rstrip().endswith(b"\\"):
                    raise Unsure
                return len(self.code)
            depth += self._delta(position, newline)
            if depth < 0:
                raise Unsure
            position = newline + 1
            if depth == 0 and not self._continued(position):
                return newline - 1 if self.code[newline - 1 : newline] == b"\r" else newline

    def next_statement(self, end: int) -> int:
        """The start of the first line after *end* that holds code; -1 at the end of the file."""
        while True:
            position = self.code.find(b"\n", end)
            if position < 0:
                return -1
            start = position + 1
            while start >= self.limit and self.limit < len(self.data):
                self._extend()
            line_end = self.code.find(b"\n", start)
            if self.code[start : len(self.code) if line_end < 0 else line_end].strip():
                return start
            if line_end < 0:
                return -1
            end = line_end

    def first_word(self, start: int) -> int:
        """Where the code of the logical line at *start* begins (after its indentation)."""
        code = self.code
        position = start
        while code[position : position + 1] in (b" ", b"\t", b"\f"):
            position += 1
        return position


def statements(lexed: Lexed, anchors: list[int], *, code_only: list[bool]) -> list[tuple[int, int]]:
    """The logical lines holding *anchors* (sorted), as byte spans, merged and in order.

    An anchor whose *code_only* flag is set counts only where it is code (an
    import keyword or module name); the others (string arguments, attributes)
    count wherever they are. A decorator's statement runs to the definition it
    decorates.
    """
    spans: list[tuple[int, int]] = []
    for anchor, code in zip(anchors, code_only, strict=True):
        if spans and anchor <= spans[-1][1]:
            continue
        while anchor >= lexed.limit:
            lexed._extend()
        if code and not lexed.in_code(anchor):
            continue
        start, end = lexed.statement(anchor)
        word = lexed.first_word(start)
        if word >= end:
            continue  # only a comment, or a string's inside on a line of its own
        if _CLAUSE.match(lexed.code, word):
            raise Unsure  # "else:" and its kin parse only with their statement
        while lexed.code[word : word + 1] == b"@":  # decorators: on to the definition
            following = lexed.next_statement(end)
            if following < 0:
                raise Unsure
            _, end = lexed.statement(following)
            word = lexed.first_word(following)
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans


def parse_spans(lexed: Lexed, spans: list[tuple[int, int]], path: str) -> list[ast.Module]:
    """Parse the logical lines *spans*, each at its own line and column.

    Lines are laid out as in the file with blank lines between them; an indented
    one gets an ``if 1:`` on the free line above it, a compound header with no
    body on its line gets ``pass``. Where there is no free line, a new source
    begins. Raises :class:`Unsure` if any of them does not parse.
    """
    data, code = lexed.data, lexed.code
    sources: list[list[bytes]] = [[]]
    line = 1  # the line the current source has reached
    counted, counted_line = 0, 1
    block = b""  # the indentation of the statements after the last "if 1:"
    for start, end in spans:
        counted_line += data.count(b"\n", counted, start)
        counted = start
        first = counted_line
        indent = data[start : lexed.first_word(start)]
        text = data[start:end]
        stripped = code[start:end].rstrip()
        if stripped.endswith(b":"):  # a compound statement's header: give it a body
            colon = start + len(stripped)
            text = data[start:colon] + b" pass" + data[colon:end]
        header = bool(indent) and indent != block
        if first < line + header:  # no room left: a new source
            sources.append([])
            line, block = 1, b""
            header = bool(indent)
        if header:
            if first < 2:
                raise Unsure  # an indented first line: let the full parse say so
            sources[-1].append(b"\n" * (first - 1 - line) + b"if 1:\n")
            line, block = first, indent
        elif not indent:
            block = b""
        sources[-1].append(b"\n" * (first - line) + text + b"\n")
        line = first + text.count(b"\n") + 1
    trees = []
    for parts in sources:
        if not parts:
            continue
        try:
            trees.append(ast.parse(b"".join(parts), filename=path))
        except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
            raise Unsure from error
    return trees
