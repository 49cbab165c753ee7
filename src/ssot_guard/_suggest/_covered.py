"""Whether the configuration already has the rule a suggestion proposes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._rules._matcher import ImportMatcher
from .._rules._model import Block, Redirect, Unique

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .._rules._model import Rule
    from ._model import Suggestion


def covered(suggestion: Suggestion, rules: Sequence[Rule]) -> bool:
    if suggestion.kind == "block":
        matcher = ImportMatcher([r for r in rules if isinstance(r, Block | Redirect)])
        return matcher.match(str(suggestion.rule["module"])) is not None
    name = suggestion.rule["class"]
    modules = [e.module for e in suggestion.evidence]
    return any(
        isinstance(rule, Unique)
        and rule.name == name
        and all(any(m == w or m.startswith(w + ".") for w in rule.within) for m in modules)
        for rule in rules
    )
