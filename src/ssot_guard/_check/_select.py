"""``--select`` / ``--ignore``: which codes are reported, chosen as ruff chooses rules.

A selector is a code (``SSOT101``), a prefix of codes (``SSOT1``: every import
code) or ``ALL``. The default is every code but the opt-in ones (``SSOT801``),
which are reported only when selected by a selector that names them: their code or
``ALL``, not a prefix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._base._errors import SSOTError
from ._findings import CODES, OPT_IN

if TYPE_CHECKING:
    from collections.abc import Iterable


class SelectionError(SSOTError, ValueError):
    """A selector that names no code."""


def _expand(selector: str) -> frozenset[str]:
    wanted = selector.strip().upper()
    if wanted == "ALL":
        return frozenset(CODES)
    codes = frozenset(c for c in CODES if c.startswith(wanted) and (c == wanted or c not in OPT_IN))
    if not wanted or not codes:
        raise SelectionError(
            f"unknown code or prefix {selector!r}; codes: {', '.join(CODES)} "
            "(`ssot-guard rule --all` explains them), or ALL"
        )
    return codes


def split(values: Iterable[str] | str) -> list[str]:
    """Comma-separated selectors, possibly given several times, as one list.

    A single string is one value (``"SSOT101,SSOT102"``), not a sequence of letters.
    """
    if isinstance(values, str):
        values = [values]
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def selected(
    select: Iterable[str] | None = None,
    ignore: Iterable[str] = (),
    extend_select: Iterable[str] = (),
) -> frozenset[str]:
    """The codes reported for these selectors (``None``: the default selection)."""
    if select is None:
        codes = frozenset(c for c in CODES if c not in OPT_IN)
    else:
        codes = frozenset()
        for selector in split(select):
            codes |= _expand(selector)
    for selector in split(extend_select):
        codes |= _expand(selector)
    for selector in split(ignore):
        codes -= _expand(selector)
    return codes
