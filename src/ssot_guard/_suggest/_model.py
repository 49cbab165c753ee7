"""A suggestion: the evidence, a score to rank by, and the rule to paste."""

from __future__ import annotations

from typing import NamedTuple


class Evidence(NamedTuple):
    path: str
    line: int
    module: str
    note: str  # "canonical: imported by 3 files", "defines 4 of 5 names of ..."


class Suggestion(NamedTuple):
    kind: str  # "unique" or "block"
    score: float  # 0..1: how sure; suggestions are sorted by it
    title: str
    evidence: list[Evidence]
    shared: list[str]  # the names the duplicates have in common
    rule: dict[str, object]  # the TOML entry's keys, in order

    def toml(self) -> str:
        """The ``[[tool.ssot_guard.<kind>]]`` entry, ready to paste into pyproject.toml."""
        lines = [f"[[tool.ssot_guard.{self.kind}]]"]
        for key, value in self.rule.items():
            lines.append(f"{key} = {_toml_value(value)}")
        return "\n".join(lines) + "\n"

    def as_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "score": round(self.score, 3),
            "title": self.title,
            "rule": self.rule,
            "toml": self.toml(),
            "shared": self.shared,
            "evidence": [e._asdict() for e in self.evidence],
        }


def _toml_value(value: object) -> str:
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    import json

    # A TOML basic string is a JSON string for everything a module name or reason holds.
    return json.dumps(str(value), ensure_ascii=False)
