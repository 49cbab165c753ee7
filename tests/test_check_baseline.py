"""Baselines: counts per file and code, robust to moved lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ssot_guard._check import Finding
from ssot_guard._check._baseline import BaselineError, apply_baseline, write_baseline


def finding(path: str, line: int, code: str = "SSOT101") -> Finding:
    return Finding(path, line, 1, code, "m")


@pytest.fixture
def baseline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)
    path = str(tmp_path / "ssot-baseline.json")
    write_baseline(path, [finding("app/a.py", 1), finding("app/a.py", 9), finding("b.py", 2)])
    return path


def test_baseline_file_counts_per_file_and_code(baseline: str) -> None:
    """The file holds counts per path (relative to it, with /) and code."""
    document = json.loads(Path(baseline).read_text(encoding="utf-8"))
    assert document == {
        "tool": "ssot-guard",
        "version": 1,
        "counts": {"app/a.py": {"SSOT101": 2}, "b.py": {"SSOT101": 1}},
    }


def test_findings_in_the_baseline_are_not_reported(baseline: str) -> None:
    """The same findings, on other lines, are all covered."""
    moved = [finding("app/a.py", 30), finding("app/a.py", 40), finding("b.py", 7)]
    applied = apply_baseline(moved, baseline)
    assert (applied.reported, applied.baselined, applied.stale) == ([], 3, [])


def test_a_new_finding_reports_its_file_and_code(baseline: str) -> None:
    """More findings than counted for a file and code: all of that group are reported."""
    more = [finding("app/a.py", 1), finding("app/a.py", 2), finding("app/a.py", 3)]
    applied = apply_baseline([*more, finding("b.py", 2)], baseline)
    assert applied.reported == more
    assert applied.baselined == 1


def test_a_new_code_in_a_baselined_file_is_reported(baseline: str) -> None:
    """A code the baseline has no count for is new."""
    new = finding("b.py", 2, "SSOT301")
    assert apply_baseline([finding("b.py", 2), new], baseline).reported == [new]


def test_fewer_findings_make_the_baseline_stale(baseline: str) -> None:
    """Fixed findings are listed as stale entries, so the baseline can be ratcheted down."""
    applied = apply_baseline([finding("app/a.py", 1)], baseline)
    assert [(s.path, s.code, s.allowed, s.found) for s in applied.stale] == [
        ("app/a.py", "SSOT101", 2, 1),
        ("b.py", "SSOT101", 1, 0),
    ]


def test_missing_baseline_is_an_error(tmp_path: Path) -> None:
    """Using a baseline that does not exist says how to create one."""
    with pytest.raises(BaselineError, match="--update-baseline"):
        apply_baseline([], str(tmp_path / "none.json"))


@pytest.mark.parametrize(
    "content",
    [
        "{broken",
        '{"version": 2, "counts": {}}',
        '{"version": 1, "counts": {"a": 3}}',
        # Wrong JSON types that compare equal, and hostile nesting: one error, no traceback.
        '{"version": true, "counts": {}}',
        '{"version": 1.0, "counts": {}}',
        '{"version": 1, "counts": {"a.py": {"SSOT101": -3}}}',
        pytest.param("[" * 100_000 + "]" * 100_000, id="nested-too-deep"),
    ],
)
def test_malformed_baseline_is_an_error(tmp_path: Path, content: str) -> None:
    """Broken JSON, another version or a wrong shape is a ``BaselineError`` naming the file."""
    path = tmp_path / "b.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BaselineError, match=r"b\.json"):
        apply_baseline([], str(path))


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="needs /dev/null")
def test_baseline_that_is_a_device_says_so_once(tmp_path: Path) -> None:
    """``--baseline /dev/null``: "not a regular file", not dressed up as broken JSON."""
    with pytest.raises(BaselineError) as raised:
        apply_baseline([], "/dev/null")
    assert str(raised.value) == "/dev/null: not a baseline (not a regular file)"
