"""The internal seams the plugin, ssot_guard.testing and the tests use instead of private state."""

from __future__ import annotations

import sys

import pytest

import ssot_guard
from ssot_guard._classes._registry import forget_keys
from ssot_guard._report._record import Violation, kind_text, recorder, subscribe
from ssot_guard._runtime._guard import reinstate, rule_for, swap_guard


def test_rule_for_names_rule_mode_and_importers() -> None:
    """rule_for() gives the covering rule, its effective mode and its allowed importers."""
    block = ssot_guard.Block("app.old", allow_importers=["app.tests.**"], mode="strict")
    guard = ssot_guard.install(rules=[block, ssot_guard.Redirect("app.was", to="app.now")])
    assert rule_for("app.old.sub") == (block, "strict", ("app.tests.**",))
    found = rule_for("app.was", guard)
    assert found is not None
    assert (found[0].module, found[1], found[2]) == ("app.was", "warn", ())
    assert rule_for("app.other") is None


def test_rule_for_skips_rules_that_are_off() -> None:
    """A rule in mode off covers nothing; without a guard nothing is covered."""
    ssot_guard.install(rules=[ssot_guard.Block("app.old", mode="off")])
    assert rule_for("app.old") is None
    ssot_guard.uninstall()
    assert rule_for("app.old") is None


def test_reinstate_puts_an_earlier_guard_back_first() -> None:
    """reinstate(g) removes the active guard and makes g active, its finder first."""
    first = ssot_guard.install(rules=[ssot_guard.Block("app.a")])
    second = swap_guard(None, mode="strict", rules=[ssot_guard.Block("app.b")], override=None)
    assert not first.installed
    reinstate(first)
    assert ssot_guard.active_guard() is first
    assert not second.installed
    assert sys.meta_path[0] is first.finder
    assert second.finder not in sys.meta_path
    reinstate(None)
    assert ssot_guard.active_guard() is None
    assert first.finder not in sys.meta_path


def test_swap_guard_override_beats_rule_modes() -> None:
    """swap_guard(override=...) is the plugin's option and marker: it beats a rule's own mode."""
    guard = swap_guard(
        None, mode=None, rules=[ssot_guard.Block("app.a", mode="strict")], override="warn"
    )
    assert guard.mode_of(guard.rules[0]) == "warn"


def test_subscribe_calls_back_until_unsubscribed() -> None:
    """subscribe() returns the unsubscribe function; calling it twice is harmless."""
    seen: list[Violation] = []
    unsubscribe = subscribe(seen.append)
    fields = {"reason": None, "replacement": None, "importer": None, "lineno": 1, "mode": "warn"}
    recorder.record("import", "app.x", "rule", filename="a.py", **fields)
    unsubscribe()
    unsubscribe()
    recorder.record("import", "app.x", "rule", filename="b.py", **fields)
    assert [v.filename for v in seen] == ["a.py"]


def test_unsubscribe_removes_its_own_entry_only() -> None:
    """Two subscriptions of one callable: unsubscribing one leaves the other."""
    seen: list[str] = []

    def callback(violation: Violation) -> None:
        seen.append(violation.name)

    first, second = subscribe(callback), subscribe(callback)
    first()
    fields = {"reason": None, "replacement": None, "importer": None, "lineno": 1, "mode": "warn"}
    recorder.record("import", "app.y", "rule", filename="a.py", **fields)
    second()
    assert seen == ["app.y"]


def test_forget_keys_frees_a_class_key() -> None:
    """After forget_keys('K') a new class K is the first one, not a duplicate."""

    class Seam(metaclass=ssot_guard.SSOTMeta):
        pass

    forget_keys(["Seam", "NeverRegistered"])
    with pytest.raises(KeyError):
        ssot_guard.canonical("Seam")
    assert Seam.__name__ == "Seam"


def test_kind_text_names_each_kind() -> None:
    """kind_text() is the wording reports use; an unknown kind is shown as is."""
    assert kind_text("import") == "import of retired module"
    assert kind_text("other") == "other"
