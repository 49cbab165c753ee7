"""The per-package screen: it may let a name through needlessly, but never turns a match away."""

from __future__ import annotations

import importlib
import itertools
import random
from collections.abc import Callable

import pytest

import ssot_guard
from ssot_guard import Block, BlockedImportError, Redirect
from ssot_guard._rules._matcher import ChildScreen, ImportMatcher

RULES: list[Block | Redirect] = [
    Block("app.legacy"),
    Block("app.core.old_manager"),
    Block("solo"),
    Redirect("app.old_name", "app.new_name"),
    Block(pattern="app.core.*factory*"),
    Block(pattern="app.**.ws_*"),
    Block(pattern="app.*.dead_end"),
    Block(pattern="app.*.*_v1"),
    Block(pattern="**.tmp_*.**"),
    Block(pattern="svc.*.x*y*z"),
    Block(pattern="deep.a.**"),
    Block(pattern="app.core.*.internals.**"),
]
PARTS = [
    "app",
    "core",
    "legacy",
    "old_manager",
    "solo",
    "old_name",
    "ws_factory",
    "ws_x",
    "dead_end",
    "internals",
    "api_v1",
    "tmp_a",
    "svc",
    "xaybz",
    "deep",
    "a",
    "plain",
    "factory",
]


def _screened_out(matcher: ImportMatcher, name: str) -> bool:
    package, _, last = name.rpartition(".")
    return last not in matcher.screen(package)


def test_screen_never_turns_away_a_name_some_rule_matches() -> None:
    """For every name of up to four parts built from the rules' own words, a match is admitted."""
    matcher = ImportMatcher(RULES)
    matched = 0
    for depth in range(1, 5):
        for parts in itertools.product(PARTS, repeat=depth):
            name = ".".join(parts)
            if matcher.match(name) is not None:
                matched += 1
                assert not _screened_out(matcher, name), name
    assert matched > 1000  # the names above really exercise the rules


def test_screen_never_turns_away_random_rules_matches() -> None:
    """Random globs and names: whatever ``match()`` finds, the screen lets through."""
    rng = random.Random(20261125)
    words = ["a", "b", "ab", "ba", "abc"]
    pieces = [*words, "*", "*a", "b*", "*b*", "a*c", "**"]
    matched = 0
    for _ in range(200):
        rules: list[Block | Redirect] = []
        for _ in range(rng.randint(1, 4)):
            parts = [rng.choice(words)] + [rng.choice(pieces) for _ in range(rng.randint(0, 3))]
            text = ".".join(parts)
            rules.append(Block(pattern=text) if "*" in text else Block(text))
        matcher = ImportMatcher(rules)
        for depth in range(1, 5):
            for parts in itertools.product(words, repeat=depth):
                name = ".".join(parts)
                if matcher.match(name) is not None:
                    matched += 1
                    assert not _screened_out(matcher, name), (rules, name)
    # The property was exercised: many names matched (a generator that produced
    # only non-matching rules would make the assertion above vacuous).
    assert matched > 1000, matched


def test_screen_turns_away_neighbours_of_rules() -> None:
    """Modules beside the rules, in the same packages, are turned away without a match."""
    matcher = ImportMatcher(RULES)
    for name in ("app.core.views", "app.api.handlers", "app.plain", "svc.api.helpers"):
        assert matcher.match(name) is None
        assert _screened_out(matcher, name), name


def test_screen_admits_everything_inside_a_covered_package() -> None:
    """Inside a retired package every module is a candidate, whatever its name."""
    screen = ImportMatcher(RULES).screen("app.legacy")
    assert "anything" in screen


def test_finder_blocks_a_match_in_a_screened_package(make_package: Callable[..., object]) -> None:
    """A package's screen, built on its first import, lets a later retired import be blocked."""
    make_package({"app/core/views.py": "", "app/core/ws_factory.py": ""})
    with ssot_guard.install(rules=RULES, mode="strict"):
        importlib.import_module("app.core.views")
        with pytest.raises(BlockedImportError):
            importlib.import_module("app.core.ws_factory")


def test_screen_merges_a_family_of_substring_tests_without_losing_a_match() -> None:
    """``*client_v1*`` ... ``*client_v9*`` become one test, and each member is still admitted."""
    rules: list[Block | Redirect] = [Block(pattern=f"app.*.*client_v{n}*") for n in range(1, 10)]
    matcher = ImportMatcher(rules)
    screen = matcher.screen("app.api")
    assert isinstance(screen, ChildScreen)
    assert len(screen.pieces) == 1
    for n in range(1, 10):
        assert matcher.match(f"app.api.old_client_v{n}_impl") is not None
        assert f"old_client_v{n}_impl" in screen
    assert "views" not in screen


def test_screen_does_not_admit_a_package_a_glob_only_reaches_below() -> None:
    """``app.core.*factory*`` matches inside app.core, so app.core itself is not admitted."""
    matcher = ImportMatcher([Block(pattern="app.core.*factory*"), Block(pattern="deep.a.**")])
    assert matcher.match("app.core") is None
    assert "core" not in matcher.screen("app")
    assert matcher.match("deep.a") is not None
    assert "a" in matcher.screen("deep")
