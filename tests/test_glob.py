"""Globs on dotted names: ``*`` inside one part, ``**`` across parts, module and submodules."""

from __future__ import annotations

import pytest

from ssot_guard._rules._glob import Glob, NameSet, glob_error, name_match_length


def _matches(glob: str, name: str) -> bool:
    return Glob(glob).match_length(name.split(".")) > 0


@pytest.mark.parametrize(
    ("glob", "name"),
    [
        ("app.*factory*", "app.websocket_manager_factory"),
        ("app.*factory*", "app.factory"),
        ("app.*factory*", "app.factory_v2"),
        ("app.*factory*", "app.ws_factory.sub"),  # submodules of a match
        ("app.*", "app.x"),
        ("app.*.legacy", "app.ws.legacy"),
        ("app.**.legacy", "app.legacy"),  # ** takes zero parts
        ("app.**.legacy", "app.a.b.c.legacy"),
        ("app.**.legacy", "app.a.legacy.deeper"),
        ("app.**", "app"),
        ("app.**", "app.a.b"),
        ("**.legacy", "legacy"),
        ("**.legacy", "x.y.legacy"),
        ("*", "anything.at.all"),
        ("a*b*c", "aXbYc"),
        ("a*b*c", "abc"),
    ],
)
def test_glob_matches(glob, name) -> None:
    """The glob matches the name (or the name is a submodule of a match)."""
    assert _matches(glob, name)


@pytest.mark.parametrize(
    ("glob", "name"),
    [
        ("app.*factory*", "app.ws.factory"),  # * never crosses a dot
        ("app.*factory*", "app"),
        ("app.*factory*", "other.factory"),
        ("app.*", "app"),  # * needs one part
        ("app.*.legacy", "app.legacy"),
        ("app.*.legacy", "app.a.b.legacy"),
        ("app.**.legacy", "app.legacy_v2"),
        ("**.legacy", "x.legacyish"),
        ("a*b*c", "acb"),
        ("a*b*c", "abcd"),
        ("ab*ba", "aba"),  # prefix and suffix may not overlap
    ],
)
def test_glob_does_not_match(glob, name) -> None:
    """The glob does not match the name or any of its leading parts."""
    assert not _matches(glob, name)


def test_match_length_is_the_shortest_matching_prefix() -> None:
    """match_length counts the parts of the shortest leading name the glob matches."""
    assert Glob("app.*_factory").match_length(["app", "ws_factory", "sub", "x"]) == 2
    assert Glob("app.**").match_length(["app", "a", "b"]) == 1
    assert Glob("**.legacy").match_length(["a", "legacy", "b", "legacy"]) == 2


def test_literal_prefix_and_size() -> None:
    """The literal prefix is the leading parts without wildcards; size counts literal chars."""
    glob = Glob("app.ws.*factory*.x")
    assert glob.literal_prefix == "app.ws"
    assert glob.literal_size == len("appwsfactoryx")
    assert Glob("**.legacy").literal_prefix == ""


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "is empty"),
        ("a..b", "empty part"),
        ("a.", "empty part"),
        ("a.b-c", "has '-'"),
        ("a.b c", "has ' '"),
        ("a.x**", "'**' must be a whole part"),
        ("a.***", "'**' must be a whole part"),
        ("a.9b", "starts with a digit"),
    ],
)
def test_glob_errors(text, why) -> None:
    """Invalid globs are explained; Glob() raises ValueError with the same text."""
    error = glob_error(text)
    assert error is not None
    assert why in error
    with pytest.raises(ValueError, match=r"\w"):
        Glob(text)


def test_valid_globs_have_no_error() -> None:
    """Dotted names, ``*`` within parts and whole ``**`` parts are valid."""
    for text in ("app", "app.ws_2", "app.*", "app.*f*", "**", "a.**.b", "_private.*"):
        assert glob_error(text) is None, text


def test_name_match_length() -> None:
    """name_match_length counts whole leading parts only."""
    assert name_match_length("app.old", ["app", "old", "sub"]) == 2
    assert name_match_length("app.old", ["app", "older"]) == 0
    assert name_match_length("app.old.sub", ["app", "old"]) == 0


def test_name_set_covers_names_globs_and_submodules() -> None:
    """NameSet.contains holds for exact names, glob matches and their submodules, nothing else."""
    names = NameSet(["app.tests", "app.**.legacy_*"])
    assert names.contains("app.tests")
    assert names.contains("app.tests.unit.test_x")
    assert names.contains("app.a.legacy_ws")
    assert names.contains("app.legacy_ws.sub")
    assert not names.contains("app.testsuite")
    assert not names.contains("app")
    assert not names.contains("other.legacy_ws")
    assert names
    assert not NameSet([])
