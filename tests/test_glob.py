"""Globs on dotted names: ``*`` inside one part, ``**`` across parts, module and submodules."""

from __future__ import annotations

import itertools
import random
import re
import subprocess
import sys
import textwrap

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


def _run_with_timeout(code: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    """Run *code* in a fresh interpreter; a hang fails the test instead of hanging it."""
    try:
        return subprocess.run(
            [sys.executable, "-c", textwrap.dedent(code)],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"still matching after {timeout}s: exponential backtracking")


# Exponential for a backtracking matcher: each ``**`` tries every split point.
PATHOLOGICAL = "app." + "**." * 25 + "x"
LONG_NAME = "app." + ".".join(f"p{i}" for i in range(40)) + ".y"


def test_repeated_double_star_matches_in_linear_time() -> None:
    """A glob of 25 ``**`` against a 42-part name that it does not match answers at once."""
    result = _run_with_timeout(
        f"""
        from ssot_guard._rules._glob import Glob
        glob = Glob({PATHOLOGICAL!r})
        print(glob.match_length({LONG_NAME!r}.split(".")))
        print(glob.match_length(({LONG_NAME!r} + ".x").split(".")))
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0", "43"]


def test_separated_double_stars_match_in_linear_time() -> None:
    """``**`` separated by parts (``app.**.p.**.p...``) cannot be collapsed, and stays fast."""
    pattern = "app." + "**.p0." * 12 + "**.x"
    result = _run_with_timeout(
        f"""
        from ssot_guard._rules._glob import Glob
        print(Glob({pattern!r}).match_length(("app." + "p0." * 40 + "y").split(".")))
        print(Glob({pattern!r}).match_length(("app." + "p0." * 40 + "x").split(".")))
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0", "42"]


def test_pathological_glob_does_not_hang_an_import(tmp_path) -> None:
    """Through the finder: importing a long name a pathological block pattern might cover."""
    package = tmp_path
    for part in LONG_NAME.split(".")[:-1]:  # every package of the name exists
        package = package / part
        package.mkdir()
        (package / "__init__.py").write_text("")
    result = _run_with_timeout(
        f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        import ssot_guard
        ssot_guard.install(rules=[ssot_guard.Block(pattern={PATHOLOGICAL!r})], mode="strict")
        try:
            __import__({LONG_NAME!r})
        except ModuleNotFoundError as error:
            print(type(error).__name__)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["ModuleNotFoundError"]


def _reference(glob: str) -> re.Pattern[str]:
    """The glob as a regex over ``"." + name``: the specification the NFA must meet."""
    body = ""
    for part in glob.split("."):
        if part == "**":
            body += r"(?:\.[^.]+)*"  # any number of whole parts, none included
        else:
            body += r"\." + "[^.]*".join(re.escape(chunk) for chunk in part.split("*"))
    return re.compile(body)


def _reference_length(glob: str, parts: list[str]) -> int:
    pattern = _reference(glob)
    for k in range(1, len(parts) + 1):
        if pattern.fullmatch("." + ".".join(parts[:k])):
            return k
    return 0


WORDS = ["a", "b", "ab", "ba", "abc"]
GLOB_PARTS = [*WORDS, "*", "*a", "b*", "*b*", "a*c", "**"]


def _random_globs(rng: random.Random, count: int) -> list[str]:
    globs = []
    for _ in range(count):
        parts = [rng.choice(GLOB_PARTS) for _ in range(rng.randint(1, 5))]
        text = ".".join(parts)
        if glob_error(text) is None:
            globs.append(text)
    return globs


def test_match_length_agrees_with_a_regex_reference() -> None:
    """Random globs and names: the shortest matching prefix is the one a regex finds."""
    rng = random.Random(20261201)
    matched = 0
    for text in _random_globs(rng, 300):
        glob = Glob(text)
        for depth in range(1, 5):
            for parts in itertools.product(WORDS, repeat=depth):
                expected = _reference_length(text, list(parts))
                assert glob.match_length(parts) == expected, (text, parts)
                matched += expected > 0
    assert matched > 10_000, matched  # the generator does produce matching pairs


def test_child_part_agrees_with_a_regex_reference() -> None:
    """``child_part(parent)`` admits exactly the ``x`` for which the glob matches ``parent.x``.

    Checked where its precondition holds: no leading run of *parent* matches.
    """
    rng = random.Random(20261202)
    decided = 0
    for text in _random_globs(rng, 300):
        glob = Glob(text)
        reference = _reference(text)
        for depth in range(3):
            for parent in itertools.product(WORDS, repeat=depth):
                if depth and _reference_length(text, list(parent)):
                    continue
                part = glob.child_part(list(parent))
                for last in WORDS:
                    expected = bool(reference.fullmatch("." + ".".join([*parent, last])))
                    if part is True:
                        admitted = True
                    elif part is False:
                        admitted = False
                    else:
                        admitted = _part_admits(part, last)
                    if expected:
                        assert admitted, (text, parent, last, part)
                    elif part is not True:
                        assert not admitted, (text, parent, last, part)
                    decided += 1
    assert decided > 5_000, decided


def _part_admits(part: object, last: str) -> bool:
    from ssot_guard._rules._glob import _part_matches

    return _part_matches(part, last)  # type: ignore[arg-type]
