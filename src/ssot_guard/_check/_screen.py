"""Spellings the byte-level screen cannot see, found before it may skip a file.

The screen looks for a rule's name in a file's bytes. Python reads some names
that the bytes do not spell: ``import_module("app.leg" "acy")`` (adjacent strings
are one), ``import_module("app.\\x6cegacy")`` (escapes), ``import app.legacy`` spelled
in fullwidth letters (identifiers are NFKC-normalised) and files in another encoding (``# coding:
utf-7``). The first two are found here as *odd calls*; for the others the file is
decoded and normalised, and screened again in that spelling.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Iterable

#: Calls whose first argument, a string literal, is a module name to import.
IMPORT_CALLS: Final = frozenset({"import_module", "__import__", "find_spec"})
#: Calls whose first argument, a string literal, is a dotted path to import and then look up
#: (``mock.patch("app.old.X")``, ``monkeypatch.setattr("app.old.X", ...)``, Django's
#: ``import_string``, ``pkgutil.resolve_name("app.old:X")``).
DOTTED_TARGET_CALLS: Final = frozenset(
    {"patch", "multiple", "setattr", "delattr", "import_string", "resolve_name", "locate"}
)

_CALLS: Final = tuple(
    # The name, then its "(" after any spaces, continuations and comments (inside brackets).
    (name.encode(), re.compile(re.escape(name.encode()) + rb"(?:\s++|\\|#[^\r\n]*+)*+\(\s*"))
    for name in sorted(IMPORT_CALLS | DOTTED_TARGET_CALLS)
)
_IDENTIFIER: Final = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
# The first argument (or its keyword) starts with a string literal, maybe in parentheses ...
_STRING_ARGUMENT: Final = re.compile(rb"(?:(?:name|target)\s*=\s*)?(?:\(\s*)*[rRuUbBfF]{0,2}[\"']")
# ... and is not one plain literal, without escapes, that the argument list then goes on from.
_PLAIN_ARGUMENT: Final = re.compile(
    rb"(?:(?:name|target)\s*=\s*)?[uU]?(?:\"[^\"\\\r\n]*\"|'[^'\\\r\n]*')\s*[,)]"
)
_CODING: Final = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)", re.MULTILINE)


def called(data: bytes, names: Iterable[bytes]) -> list[bytes]:
    """Those of *names* (known to be in *data*) that *data* calls: ``name(``, maybe spaced."""
    patterns = dict(_CALLS)
    return [name for name in names if patterns[name].search(data)]


def odd_calls(data: bytes, names: Iterable[bytes] | None = None) -> list[int]:
    """Positions of import and dotted-target calls whose string argument is escaped or
    concatenated (or otherwise more than one plain literal): its name is not in the bytes.

    *names*: the call names known to be in *data*, if the caller has looked.
    """
    found: list[int] = []
    present = None if names is None else set(names)
    for name, call in _CALLS:
        if name not in data if present is None else name not in present:
            continue
        for match in call.finditer(data):
            start = match.start()
            if start and data[start - 1] in _IDENTIFIER:
                continue  # "monkeypatch(" is not "patch("
            end = match.end()
            if _STRING_ARGUMENT.match(data, end) and not _PLAIN_ARGUMENT.match(data, end):
                found.append(end)
    return found


def declared_encoding(data: bytes) -> str | None:
    """The PEP 263 coding cookie of the first two lines, if any (reading only those)."""
    first = data.find(b"\n")
    second = -1 if first < 0 else data.find(b"\n", first + 1)
    head = data if second < 0 else data[:second]
    if b"coding" not in head:
        return None
    for line in head.split(b"\n"):
        match = _CODING.match(line)
        if match:
            return match.group(1).decode("ascii", "replace")
        if line.strip() and not line.lstrip().startswith(b"#"):
            break
    return None


def is_utf8(encoding: str) -> bool:
    return encoding.lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig")


def declared_is_utf8(data: bytes) -> bool:
    """Whether the file declares UTF-8 or nothing (which means UTF-8)."""
    declared = declared_encoding(data)
    return declared is None or is_utf8(declared)


def respelled(data: bytes) -> bytes | None:
    """The file as Python reads its names (decoded, NFKC-normalised, as UTF-8), or ``None``
    when that is its bytes already (the common case: ASCII or normalised UTF-8)."""
    declared = declared_encoding(data)
    if declared is not None and not is_utf8(declared):
        try:
            text = data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            return None  # reported as a file that cannot be decoded
    elif data.isascii():
        return None
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return None
    import unicodedata  # only for the files that need it

    if unicodedata.is_normalized("NFKC", text):
        if declared is None or is_utf8(declared):
            return None
        spelled = text.encode("utf-8")
    else:
        spelled = unicodedata.normalize("NFKC", text).encode("utf-8")
    return None if spelled == data else spelled
