"""Which rule speaks for a name: the most specific one, found without looping over the rules."""

from __future__ import annotations

import importlib

import pytest

import ssot_guard
from ssot_guard import Block, BlockedImportError, Redirect
from ssot_guard._rules._matcher import ImportMatcher


def _winner(rules: list[Block | Redirect], name: str) -> str | None:
    entry = ImportMatcher(rules).match(name)
    return None if entry is None else entry.rule.reason


def test_exact_beats_glob_of_equal_reach() -> None:
    """An exact ``module`` rule beats a pattern of the same reach, in either order."""
    exact = Block("app.ws_factory", reason="exact")
    glob = Block(pattern="app.*factory", reason="glob")
    assert _winner([glob, exact], "app.ws_factory") == "exact"
    assert _winner([exact, glob], "app.ws_factory") == "exact"


def test_longer_match_beats_shorter() -> None:
    """A rule covering more leading parts of the name beats one covering fewer."""
    short = Block("app", reason="short")
    long = Block("app.legacy", reason="long")
    assert _winner([long, short], "app.legacy.x") == "long"
    assert _winner([short, long], "app.legacy.x") == "long"
    assert _winner([short, long], "app.other") == "short"


def test_longer_glob_beats_shorter_exact() -> None:
    """Reach comes first: a glob matching two parts beats an exact rule matching one."""
    exact = Block("app", reason="exact")
    glob = Block(pattern="app.*_factory", reason="glob")
    assert _winner([exact, glob], "app.ws_factory.sub") == "glob"


def test_more_literal_glob_beats_vaguer_glob() -> None:
    """Between globs of equal reach, the one with more literal characters wins."""
    vague = Block(pattern="app.*", reason="vague")
    sharp = Block(pattern="app.*_factory", reason="sharp")
    assert _winner([vague, sharp], "app.ws_factory") == "sharp"
    assert _winner([sharp, vague], "app.ws_factory") == "sharp"


def test_earlier_rule_wins_a_full_tie() -> None:
    """Two rules alike in reach and kind: the earlier one speaks."""
    first = Block("app.x", reason="first")
    second = Block("app.x", reason="second")
    assert _winner([first, second], "app.x") == "first"


def test_unanchored_glob_is_tried_for_every_name() -> None:
    """A glob starting with a wildcard can match names of any package."""
    matcher = ImportMatcher([Block(pattern="**.legacy_*", reason="anywhere")])
    assert matcher.may_match("zzz.anything")
    assert _winner([Block(pattern="**.legacy_*", reason="anywhere")], "x.y.legacy_ws") == "anywhere"


def test_may_match_rejects_other_packages() -> None:
    """With anchored rules only, names in other top-level packages are rejected at once."""
    matcher = ImportMatcher([Block("app.old"), Block(pattern="lib.*_factory")])
    assert matcher.may_match("app.anything")
    assert matcher.may_match("lib")
    assert not matcher.may_match("json")
    assert not matcher.may_match("application.old")


def test_no_match_for_uncovered_names() -> None:
    """Names outside every rule have no entry: siblings, parents, look-alike prefixes."""
    matcher = ImportMatcher([Block("app.old"), Block(pattern="app.*_factory")])
    for name in ("app", "app.older", "app.new", "app.factory", "app.x.y_factory"):
        assert matcher.match(name) is None, name


def test_allow_passes_to_a_less_specific_rule() -> None:
    """A name a rule ``allow``s falls to the next matching rule, if any."""
    broad = Block("app.ws", reason="broad")
    narrow = Block(pattern="app.ws.*", allow=["app.ws.ok"], reason="narrow")
    assert _winner([broad, narrow], "app.ws.bad") == "narrow"
    assert _winner([broad, narrow], "app.ws.ok") == "broad"
    assert _winner([narrow], "app.ws.ok") is None


def test_redirect_and_block_share_specificity() -> None:
    """A redirect of a submodule beats a block of its package."""
    block = Block("app", reason="block")
    redirect = Redirect("app.old", to="app.new", reason="redirect")
    assert _winner([block, redirect], "app.old.sub") == "redirect"


def test_empty_matcher_is_false() -> None:
    """A matcher without rules is falsy and matches nothing."""
    matcher = ImportMatcher([])
    assert not matcher
    assert matcher.match("app") is None


def test_winner_reason_and_replacement_reach_the_message(make_package) -> None:
    """In a real import, the error carries the most specific rule's reason and replacement."""
    make_package({"app/ws_factory.py": ""})
    rules = [
        Block(pattern="app.*", reason="everything in app is frozen", use="lib"),
        Block(pattern="app.*factory", reason="factories removed", use="core.ws"),
        Block(pattern="**.ws_*", reason="ws modules are gone", use="other"),
    ]
    ssot_guard.install(rules=rules, mode="strict")
    with pytest.raises(BlockedImportError) as info:
        importlib.import_module("app.ws_factory")
    assert "factories removed" in str(info.value)
    assert "use 'core.ws' instead" in str(info.value)
    assert "frozen" not in str(info.value)
    assert "ws modules are gone" not in str(info.value)
