"""Rules are values: immutable once built, equal by their fields, with their replacement."""

from __future__ import annotations

import pickle

import pytest

from ssot_guard import Block, Deprecate, Redirect, Unique

RULES = [
    Block("app.old", use="app.new", reason="why"),
    Block(pattern="app.**.legacy"),
    Redirect("app.old_name", to="app.new_name"),
    Unique("WebSocketManager", within=["app"]),
    Deprecate("app.mod:old", use="app.mod:new"),
]


@pytest.mark.parametrize("rule", RULES, ids=repr)
def test_a_rule_cannot_be_changed_after_construction(rule: object) -> None:
    """Setting or deleting any field raises, so a rule never drifts out of a set unvalidated."""
    for field in ("mode", "reason", "use", "module", "name"):
        with pytest.raises(AttributeError, match="immutable"):
            setattr(rule, field, "strict")
    with pytest.raises(AttributeError, match="immutable"):
        del rule.reason  # type: ignore[attr-defined]


def test_a_rule_stays_found_in_the_sets_it_is_in() -> None:
    """Equal rules hash equal, and the failed change leaves the rule where it was."""
    rule = Block("app.old")
    rules = {rule}
    with pytest.raises(AttributeError):
        rule.module = "app.other"  # type: ignore[misc]
    assert Block("app.old") in rules


@pytest.mark.parametrize("rule", RULES, ids=repr)
def test_a_rule_pickles_through_its_constructor(rule: object) -> None:
    """A pickled rule comes back equal, with its source, and still immutable."""
    copy = pickle.loads(pickle.dumps(rule))
    assert copy == rule
    assert copy.source == rule.source  # type: ignore[attr-defined]
    with pytest.raises(AttributeError, match="immutable"):
        copy.reason = "changed"


def test_replacement_for_each_kind() -> None:
    """The replacement for a covered name is a method of the rule, one per kind."""
    assert Block("app.old", use="app.new").replacement_for("app.old.sub") == "app.new"
    assert Redirect("app.old", to="app.new").replacement_for("app.old.sub") == "app.new.sub"
    assert Deprecate("app.m:f", use="app.m:g").replacement_for("app.m:f") == "app.m:g"
    assert Unique("C", within=["app"]).replacement_for("C") is None
