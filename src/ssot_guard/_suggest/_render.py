"""Suggestions as text (ready-to-paste TOML, evidence in comments) and as JSON."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from . import SuggestResult


def text(result: SuggestResult, limit: int | None) -> str:
    """Every suggestion as a TOML entry, its evidence in comments above it: the whole output
    can be pasted into pyproject.toml."""
    from .._check._render import one_line

    shown = result.suggestions[:limit] if limit else result.suggestions
    blocks: list[str] = []
    for number, suggestion in enumerate(shown, 1):
        lines = [f"# {number}. {suggestion.title} (score {suggestion.score:.2f})"]
        # A line break in a path would end the comment: the rest would be read as TOML.
        lines.extend(
            one_line(f"#    {e.path}:{e.line}  {e.module}  {e.note}").rstrip()
            for e in suggestion.evidence
        )
        if suggestion.shared:
            names = ", ".join(suggestion.shared[:12])
            more = f" and {len(suggestion.shared) - 12} more" if len(suggestion.shared) > 12 else ""
            lines.append(f"#    shared: {names}{more}")
        blocks.append("\n".join(lines) + "\n" + suggestion.toml())
    return "\n".join(blocks)


def as_json(result: SuggestResult, limit: int | None) -> str:
    shown = result.suggestions[:limit] if limit else result.suggestions
    document = {
        "suggestions": [s.as_json() for s in shown],
        "total": len(result.suggestions),
        "files": result.files,
        "unparsed": result.unparsed,
        "already_configured": result.configured,
    }
    return json.dumps(document, indent=2) + "\n"
