"""The sample trees under tests/check_samples/: each one's findings and exit status.

Each tree has a ``pyproject.toml`` with its rules and an ``expected.txt``: a
``# exit N`` line, then ``path:line:col: CODE`` for every finding, in order.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ssot_guard._cli import main

SAMPLES = Path(__file__).parent / "check_samples"


def _expected(sample: Path) -> tuple[int, list[str]]:
    first, *findings = (sample / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert first.startswith("# exit ")
    return int(first.removeprefix("# exit ")), findings


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.iterdir() if p.is_dir()))
def test_sample_tree_gives_its_expected_findings_and_exit_status(
    name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``ssot-guard check`` run inside the sample reports exactly the expected findings."""
    sample = SAMPLES / name
    monkeypatch.chdir(sample)
    monkeypatch.delenv("SSOT_GUARD_CONFIG", raising=False)
    status, expected = _expected(sample)
    code = main(["check", "--jobs", "1"])
    out = capsys.readouterr().out
    found = [" ".join(line.split(" ")[:2]) for line in out.splitlines()]
    assert found == expected
    assert code == status
