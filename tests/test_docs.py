"""The docs run as written: every code block of README.md and docs/*.md, output compared."""

from __future__ import annotations

from pathlib import Path

import pytest

from docs_harness import PageRun, make_project

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def run_page(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PageRun:
    project = make_project(tmp_path / "project")
    for name in [name for name in __import__("os").environ if name.startswith("SSOT_GUARD_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(project)
    monkeypatch.syspath_prepend(str(project))
    run = PageRun(page, project)
    run.run()
    return run


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_page_runs_as_written(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every block of the page runs, and every output it shows is what the code prints."""
    run = run_page(page, tmp_path, monkeypatch)
    if run.failures:
        pytest.fail("\n\n".join(run.failures), pytrace=False)


def run_text(text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> PageRun:
    tmp_path.mkdir(exist_ok=True)
    page = tmp_path / "page.md"
    page.write_text(text, encoding="utf-8")
    return run_page(page, tmp_path, monkeypatch)


def test_output_the_code_does_not_print_fails_the_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A text block after a python block is compared with what the block printed."""
    run = run_text("```python\nprint('real')\n```\n\n```text\nshown\n```\n", tmp_path, monkeypatch)
    assert len(run.failures) == 1
    assert "-shown" in run.failures[0]
    assert "+real" in run.failures[0]


def test_project_path_and_ellipsis_are_the_only_normalisation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The project's path reads /srv/app; `...` in shown output matches anything."""
    code = "import pathlib\nprint(pathlib.Path.cwd() / 'x.py', object())\n"
    ok = run_text(
        f"```python\n{code}```\n\n```text\n/srv/app/x.py <object object at 0x...>\n```\n",
        tmp_path / "a",
        monkeypatch,
    )
    assert ok.failures == []
    bad = run_text(
        f"```python\n{code}```\n\n```text\nx.py <object object at 0x...>\n```\n",
        tmp_path / "b",
        monkeypatch,
    )
    assert len(bad.failures) == 1


def test_output_nothing_produced_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An output block with no block before it that produced output is an error."""
    run = run_text("Prose.\n\n```text\nclaimed output\n```\n", tmp_path, monkeypatch)
    assert "no block right before this output block" in run.failures[0]


def test_skip_needs_a_reason_and_is_honoured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A skip directive skips the next block, and says why; one without a reason fails."""
    text = '<!-- skip: next "cannot run here" -->\n```sh\nexit 3\n```\n'
    run = run_text(text, tmp_path / "a", monkeypatch)
    assert run.failures == []
    assert run.skipped == ["page.md:2: cannot run here"]
    bare = run_text("<!-- skip: next -->\n```sh\nexit 3\n```\n", tmp_path / "b", monkeypatch)
    assert any("a skip without a reason" in failure for failure in bare.failures)


def test_fence_in_no_known_language_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fence no parser runs (no language, or an unknown one) is never silently passed over."""
    run = run_text("```\nanything\n```\n\n```ini\n[x]\n```\n", tmp_path, monkeypatch)
    assert [failure.split(": ")[0] for failure in run.failures] == ["page.md:1", "page.md:5"]


def test_toml_is_loaded_by_load_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A [tool.ssot_guard] block with a typo fails with load_config's own message."""
    text = '```toml\n[tool.ssot_guard]\n[[tool.ssot_guard.block]]\nmodul = "a.b"\n```\n'
    run = run_text(text, tmp_path, monkeypatch)
    assert "key 'modul': unknown key" in run.failures[0]


def test_console_output_is_compared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A `$ command` block compares the command's output; a command shown alone must succeed."""
    text = "```console\n$ python -c 'print(1)'\n2\n$ python -c 'raise SystemExit(4)'\n```\n"
    run = run_text(text, tmp_path, monkeypatch)
    assert len(run.failures) == 1
    assert "-2\n+1" in run.failures[0]
    assert "exited 4" in run.failures[0]
