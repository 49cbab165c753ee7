"""The prefilter: which files get parsed, and the files that cannot be read or parsed."""

from __future__ import annotations

from pathlib import Path

import pytest

from ssot_guard import Block, Deprecate
from ssot_guard._check import check
from ssot_guard._check._prefilter import Plan, needle_of

LEGACY = [Block("app.legacy")]


@pytest.mark.parametrize(
    ("target", "needle"),
    [
        ("app.websocket_core.manager_factory", "manager_factory"),
        ("app.websocket_core.*factory*", "factory"),
        ("app.legacy.**", "legacy"),
        ("app.*", "app"),
        ("**", None),
    ],
)
def test_needle_is_the_last_literal_piece(target: str, needle: str | None) -> None:
    """The needle is the longest literal piece of the last part that has one."""
    assert needle_of(target) == needle


def test_needle_must_stand_alone(tmp_path: Path) -> None:
    """``legacy`` inside a longer identifier (``legacy_count``) does not make a candidate."""
    plan = Plan(LEGACY)
    assert not plan.rule_hit(b"legacy_count = 1\n", "app.user")
    assert plan.rule_hit(b"from app import legacy\n", "app.user")


def test_glob_needle_may_be_part_of_a_name() -> None:
    """For ``*_factory`` the needle may end a longer name (``ws_factory``)."""
    plan = Plan([Block(pattern="app.*_factory")])
    assert plan.rule_hit(b"import app.ws_factory\n", "app.user")


def test_file_inside_a_retired_package_is_a_candidate() -> None:
    """Its relative imports need not spell the name, so its module name counts."""
    assert Plan(LEGACY).rule_hit(b"from . import helpers\n", "app.legacy.core")


def test_files_without_a_rule_name_are_not_parsed(tmp_path: Path) -> None:
    """Only files that mention a rule's name are parsed."""
    (tmp_path / "a.py").write_text("import app.legacy\n", encoding="utf-8")
    (tmp_path / "b.py").write_text("import os\n", encoding="utf-8")
    result = check([str(tmp_path)], rules=LEGACY)
    assert (result.files, result.parsed) == (2, 1)


def test_syntax_error_in_a_candidate_is_a_finding(tmp_path: Path) -> None:
    """A file that mentions a rule's name and does not parse is SSOT901 at the error."""
    (tmp_path / "a.py").write_text("if :\n    pass\nimport app.legacy\n", encoding="utf-8")
    (finding,) = check([str(tmp_path)], rules=LEGACY).findings
    assert (finding.code, finding.line) == ("SSOT901", 1)
    assert finding.message.startswith("file does not parse: ")


def test_only_the_head_of_a_file_may_be_parsed(tmp_path: Path) -> None:
    """Past its last import and hot line a candidate may go unparsed; ``parse_all`` reads all."""
    (tmp_path / "a.py").write_text("import app.legacy\n\ndef f(:\n    pass\n", encoding="utf-8")
    assert [f.code for f in check([str(tmp_path)], rules=LEGACY).findings] == ["SSOT101"]
    assert [f.code for f in check([str(tmp_path)], rules=LEGACY, parse_all=True).findings] == [
        "SSOT901"
    ]


def test_head_parse_finds_imports_after_semicolons_and_colons(tmp_path: Path) -> None:
    """Imports that do not start their line still count as the file's last import."""
    body = "def f():\n    pass\n\n" * 30
    source = f"import os\n{body}x = 1; import app.legacy\nif x: from app import legacy\n"
    (tmp_path / "a.py").write_text(source + body, encoding="utf-8")
    found = check([str(tmp_path)], rules=LEGACY).findings
    assert [(f.code, f.line) for f in found] == [("SSOT101", 92), ("SSOT101", 93)]


def test_syntax_error_elsewhere_needs_parse_all(tmp_path: Path) -> None:
    """Files the prefilter skips are parsed, and their errors found, with ``parse_all``."""
    (tmp_path / "a.py").write_text("x = (\n", encoding="utf-8")
    assert check([str(tmp_path)], rules=LEGACY).findings == []
    (finding,) = check([str(tmp_path)], rules=LEGACY, parse_all=True).findings
    assert finding.code == "SSOT901"


def test_non_utf8_file_is_a_finding_even_if_not_a_candidate(tmp_path: Path) -> None:
    """Every file is decoded: a non-UTF-8 one is SSOT902 at the bad byte's line."""
    (tmp_path / "a.py").write_bytes(b"x = 1\n# caf\xe9\n")
    (finding,) = check([str(tmp_path)], rules=LEGACY).findings
    assert (finding.code, finding.line) == ("SSOT902", 2)
    assert "0xe9" in finding.message


def test_declared_encoding_is_respected(tmp_path: Path) -> None:
    """A file with a PEP 263 coding comment in its own encoding is fine."""
    (tmp_path / "a.py").write_bytes(b"# -*- coding: latin-1 -*-\nimport app.legacy  # caf\xe9\n")
    (finding,) = check([str(tmp_path)], rules=LEGACY).findings
    assert finding.code == "SSOT101"


def test_null_byte_is_a_parse_finding(tmp_path: Path) -> None:
    """A null byte in a candidate is SSOT901, not a crash."""
    (tmp_path / "a.py").write_bytes(b"import app.legacy\x00\n")
    (finding,) = check([str(tmp_path)], rules=LEGACY).findings
    assert finding.code == "SSOT901"


def test_deprecated_attribute_is_searched_on_its_lines(tmp_path: Path) -> None:
    """An attribute use far below the imports is found (its line is a hot line)."""
    body = "x = 1\n" * 200
    source = f"import app.legacy\n{body}app.legacy.create()\n"
    (tmp_path / "a.py").write_text(source, encoding="utf-8")
    (finding,) = check([str(tmp_path)], rules=[Deprecate("app.legacy:create")]).findings
    assert (finding.code, finding.line) == ("SSOT301", 202)


def test_head_parse_keeps_a_parenthesised_import_whole(tmp_path: Path) -> None:
    """A needle on a continuation line of ``from x import (...)`` keeps that statement."""
    body = "def f():\n    pass\n\n" * 30
    source = f"{body}from app import (\n    os,\n    legacy,\n)\n{body}"
    (tmp_path / "a.py").write_text(source, encoding="utf-8")
    (finding,) = check([str(tmp_path)], rules=LEGACY).findings
    assert (finding.code, finding.line) == ("SSOT101", 93)


def test_head_parse_reaches_relative_imports_inside_a_target(tmp_path: Path) -> None:
    """In a file inside the retired package, every import counts, even late ones."""
    (tmp_path / "app" / "legacy").mkdir(parents=True)
    (tmp_path / "app" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "app" / "legacy" / "__init__.py").write_text("", encoding="utf-8")
    body = "def f():\n    pass\n\n" * 30
    source = f"{body}try:\n    from .. import legacy_too\nexcept ImportError:\n    pass\n"
    (tmp_path / "app" / "legacy" / "m.py").write_text(source + body, encoding="utf-8")
    rules = [Block("app.legacy"), Block("app.legacy_too")]
    found = check([str(tmp_path)], rules=rules).findings
    assert [(f.code, f.line) for f in found if f.code != "SSOT103"] == [("SSOT101", 92)]


def test_forked_half_gives_the_same_reports(tmp_path: Path) -> None:
    """Splitting the files with a forked child yields exactly what one process finds."""
    from ssot_guard._check._pool import PoolStats, run_files
    from ssot_guard._check._pool import can_fork as _can_fork
    from ssot_guard._check._pool import forked as _forked
    from ssot_guard._check._walk import discover

    if not _can_fork():
        pytest.skip("this platform or process cannot fork safely")
    for i in range(40):
        source = "import app.legacy\n" if i % 3 else "x = 1\n"
        (tmp_path / f"m{i:02}.py").write_text(source, encoding="utf-8")
    plan = Plan(LEGACY)
    sources = discover([str(tmp_path)])
    stats = PoolStats()
    forked = sorted(_forked(plan, sources, stats))
    assert (stats.forks, stats.fallbacks) == (1, [])  # the child's half came from the child
    assert forked == sorted(run_files(plan, sources, 1))
    assert sum(len(report.findings) for report in forked) == 26


def test_a_failed_fork_is_counted_not_silent(tmp_path: Path, monkeypatch) -> None:
    """When the forked child fails, its half is checked here and the fallback is counted."""
    import os

    from ssot_guard._check import _pool
    from ssot_guard._check._walk import discover

    if not _pool.can_fork():
        pytest.skip("this platform or process cannot fork safely")
    for i in range(10):
        (tmp_path / f"m{i:02}.py").write_text("import app.legacy\n", encoding="utf-8")
    plan = Plan(LEGACY)
    sources = discover([str(tmp_path)])
    parent = os.getpid()
    real = _pool.run_files

    def run_files_failing_in_the_child(*args: object, **kwargs: object) -> object:
        if os.getpid() != parent:
            raise RuntimeError("child broke")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(_pool, "run_files", run_files_failing_in_the_child)
    stats = _pool.PoolStats()
    reports = _pool.forked(plan, sources, stats)
    assert stats.forks == 0
    assert stats.fallbacks == [
        "a forked child failed (child exited with status 1); its files were checked here"
    ]
    assert sum(len(report.findings) for report in reports) == 10


def test_plan_survives_pickling() -> None:
    """Worker processes started by ``spawn`` receive the plan pickled: it must round-trip."""
    import pickle

    from ssot_guard import Redirect, Unique

    plan = Plan(
        [
            Block("app.legacy", allow=["app.legacy.ok"]),
            Block(pattern="app.*_factory", allow_importers=["app.tools.**"]),
            Redirect("app.old", to="app.new"),
            Deprecate("app.api:create"),
            Unique("Manager", within=["app"]),
        ]
    )
    copy = pickle.loads(pickle.dumps(plan))
    assert copy.match("app.ws_factory") is not None
    assert copy.match("app.legacy.ok") is None
    assert copy.rule_hit(b"from app import legacy\n", "app.user")
    assert copy.deprecated.keys() == plan.deprecated.keys()
