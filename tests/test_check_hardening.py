"""``ssot-guard check`` against hostile trees and configurations (issue 14, items 4, 5, 15).

Every case ends with findings or one clear error (exit 2): never a traceback, a hang
or a silent skip. Cases that hung before run in a subprocess with a timeout.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator

# Imported here, not inside a test: the autouse fixture removes the modules a test
# imports, and a concurrent.futures.process removed under the package that cached it
# breaks every later pool ("Can't pickle _CallItem: not the same object").
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from other_user import AS_NOBODY, interpreters
from ssot_guard._cli import main

CONFIG = """\
[tool.ssot_guard]

[[tool.ssot_guard.block]]
module = "app.legacy"
"""
TIMEOUT = 60


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "proj"
    (root / "app").mkdir(parents=True)
    (root / "pyproject.toml").write_text(CONFIG, encoding="utf-8")
    (root / "app" / "__init__.py").write_text("", encoding="utf-8")
    (root / "app" / "user.py").write_text("import app.legacy\n", encoding="utf-8")
    monkeypatch.chdir(root)
    monkeypatch.delenv("SSOT_GUARD_CONFIG", raising=False)
    return root


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m ssot_guard check ARGS`` in *cwd*, killed after TIMEOUT seconds."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSOT_GUARD")}
    return subprocess.run(
        [sys.executable, "-m", "ssot_guard", "check", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=TIMEOUT,
    )


def findings(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict[str, object]]]:
    status = main(["check", "--format", "json", *args])
    return status, json.loads(capsys.readouterr().out)


# --- item 4: --update-baseline never destroys a file -------------------------------


def test_update_baseline_refuses_to_overwrite_pyproject(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--baseline pyproject.toml --update-baseline``: exit 2, the config is untouched."""
    before = (project / "pyproject.toml").read_bytes()
    status = main(["check", "--baseline", "pyproject.toml", "--update-baseline"])
    assert status == 2
    assert "refusing to overwrite a file that is not a baseline" in capsys.readouterr().err
    assert (project / "pyproject.toml").read_bytes() == before


def test_update_baseline_does_not_write_through_a_symbolic_link(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A baseline path that is a link is refused; the link's target stays as it was."""
    target = project.parent / "elsewhere.json"
    target.write_text("precious\n", encoding="utf-8")
    (project / "baseline.json").symlink_to(target)
    assert main(["check", "--baseline", "baseline.json", "--update-baseline"]) == 2
    assert "symbolic link" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "precious\n"


def test_update_baseline_replaces_by_rename(project: Path) -> None:
    """An existing baseline is replaced by a new file (rename), no temporary file left."""
    assert main(["check", "--baseline", "b.json", "--update-baseline"]) == 0
    inode = (project / "b.json").stat().st_ino
    (project / "app" / "other.py").write_text("import app.legacy\n", encoding="utf-8")
    assert main(["check", "--baseline", "b.json", "--update-baseline"]) == 0
    assert (project / "b.json").stat().st_ino != inode
    assert json.loads((project / "b.json").read_text(encoding="utf-8"))["counts"] == {
        "app/other.py": {"SSOT101": 1},
        "app/user.py": {"SSOT101": 1},
    }
    assert sorted(p.name for p in project.iterdir()) == ["app", "b.json", "pyproject.toml"]


# --- item 5: file-system edge cases ---------------------------------------------------


def test_self_referencing_directory_link_is_a_finding(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``loop -> loop``: an SSOT903 finding, not an OSError traceback."""
    (project / "app" / "loop").symlink_to("loop")
    status, found = findings(capsys)
    assert status == 1
    assert {(f["path"], f["code"]) for f in found} >= {("app/loop", "SSOT903")}


def test_self_referencing_file_link_is_a_finding(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``x.py -> x.py``: an SSOT903 finding naming the link loop."""
    (project / "app" / "x.py").symlink_to("x.py")
    _, found = findings(capsys)
    (loop,) = [f for f in found if f["path"] == "app/x.py"]
    assert loop["code"] == "SSOT903"
    assert "symbolic links" in str(loop["message"])


def test_link_to_the_root_directory_is_not_walked(project: Path) -> None:
    """``root -> /``: reported as a link leading outside, not followed (no walk of /)."""
    (project / "app" / "root").symlink_to("/", target_is_directory=True)
    result = run(project, "--format", "json")
    assert result.returncode == 1, result.stderr
    found = json.loads(result.stdout)
    assert [(f["path"], f["code"]) for f in found if f["path"] == "app/root"] == [
        ("app/root", "SSOT903")
    ]
    assert "Traceback" not in result.stderr
    assert "in 3 file(s)" in result.stderr  # __init__, user.py, the link: nothing from /


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_named_like_a_module_does_not_block(project: Path) -> None:
    """A FIFO ``x.py`` in the tree: an SSOT903 finding, no hang."""
    os.mkfifo(project / "app" / "x.py")
    result = run(project, "--format", "json")
    found = {f["path"]: f for f in json.loads(result.stdout)}
    assert found["app/x.py"]["code"] == "SSOT903"
    assert "named pipe" in str(found["app/x.py"]["message"])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_named_on_the_command_line_does_not_block(project: Path) -> None:
    """Naming the FIFO explicitly: a finding too, not a blocked read."""
    os.mkfifo(project / "x.py")
    result = run(project, "--format", "json", "x.py")
    assert [f["code"] for f in json.loads(result.stdout)] == ["SSOT903"]


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_link_to_dev_zero_is_not_read(project: Path) -> None:
    """``x.py -> /dev/zero`` is never read (it would never end): a finding."""
    (project / "app" / "x.py").symlink_to("/dev/zero")
    result = run(project, "--format", "json")
    found = {f["path"]: f for f in json.loads(result.stdout)}
    assert found["app/x.py"]["code"] == "SSOT903"


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_dev_zero_named_on_the_command_line_is_not_read(project: Path) -> None:
    """``check /dev/zero``: a finding saying it is a character device."""
    result = run(project, "--format", "json", "/dev/zero")
    (finding,) = json.loads(result.stdout)
    assert (finding["code"], "character device" in finding["message"]) == ("SSOT903", True)


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True, reason="root reads all")
def test_unreadable_directory_is_a_finding_not_a_silent_skip(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A sub-directory without read permission: SSOT903 on it, exit 1 (not a clean 0)."""
    (project / "app" / "user.py").write_text("", encoding="utf-8")
    hidden = project / "app" / "hidden"
    hidden.mkdir()
    (hidden / "bad.py").write_text("import app.legacy\n", encoding="utf-8")
    hidden.chmod(0)
    try:
        status, found = findings(capsys)
    finally:
        hidden.chmod(0o755)
    assert status == 1
    assert [(f["path"], f["code"]) for f in found] == [("app/hidden", "SSOT903")]
    assert "cannot read the directory" in str(found[0]["message"])


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="root drops to nobody here"
)
def test_unreadable_directory_is_a_finding_as_another_user() -> None:
    """As root, the unreadable-directory case runs as ``nobody`` (root reads everything).

    The tree lives in its own world-traversable temporary directory: pytest's are
    private to root.
    """
    import shutil
    import tempfile

    as_nobody = {**AS_NOBODY, "timeout": TIMEOUT}
    usable = interpreters(as_nobody)
    if not usable:
        pytest.skip("no Python 3.11+ interpreter that nobody may run")
    root = Path(tempfile.mkdtemp(prefix="ssot-unreadable-"))
    try:
        root.chmod(0o755)
        (root / "pyproject.toml").write_text(CONFIG, encoding="utf-8")
        (root / "app" / "hidden").mkdir(parents=True)
        (root / "app" / "__init__.py").write_text("", encoding="utf-8")
        (root / "app" / "hidden" / "bad.py").write_text("import app.legacy\n", encoding="utf-8")
        (root / "app" / "hidden").chmod(0)
        env = {k: v for k, v in os.environ.items() if not k.startswith("SSOT_GUARD")}
        env["PYTHONPATH"] = str(Path(__file__).parent.parent / "src")
        result = subprocess.run(
            [usable[0], "-m", "ssot_guard", "check", "--format", "json"],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            **as_nobody,  # type: ignore[arg-type]
        )
    finally:
        (root / "app" / "hidden").chmod(0o755)
        shutil.rmtree(root)
    assert result.returncode == 1, result.stderr
    found = json.loads(result.stdout)
    assert [(f["path"], f["code"]) for f in found] == [("app/hidden", "SSOT903")]


def test_link_leading_outside_does_not_leak_its_content(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A link to a file or directory outside the checked root is not followed.

    The outside files violate the rules: their findings must not appear, and they
    are not counted as read.
    """
    outside = project.parent / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text("import app.legacy  # secret\n", encoding="utf-8")
    (project / "app" / "linked.py").symlink_to(outside / "secret.py")
    (project / "app" / "linkdir").symlink_to(outside, target_is_directory=True)
    status = main(["check", "--format", "json", "app"])
    captured = capsys.readouterr()
    found = json.loads(captured.out)
    assert status == 1
    assert sorted((f["path"], f["code"]) for f in found) == [
        ("app/linkdir", "SSOT903"),
        ("app/linked.py", "SSOT903"),
        ("app/user.py", "SSOT101"),
    ]
    assert "secret" not in captured.out.replace("secret.py", "")
    assert "in 4 file(s)" in captured.err


def test_link_inside_the_root_is_still_checked(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A link to a file inside the checked directory is checked under its own name."""
    (project / "app" / "alias.py").symlink_to(project / "app" / "user.py")
    _, found = findings(capsys)
    assert sorted(str(f["path"]) for f in found) == ["app/alias.py", "app/user.py"]


# --- item 15: a hostile configuration cannot hang or crash the checker --------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_configured_baseline_that_is_a_fifo_does_not_hang(project: Path) -> None:
    """``baseline = "pipe"`` naming a FIFO: exit 2 with one line, no hang."""
    os.mkfifo(project / "pipe")
    (project / "pyproject.toml").write_text(
        CONFIG.replace("[tool.ssot_guard]\n", '[tool.ssot_guard]\ncheck.baseline = "pipe"\n'),
        encoding="utf-8",
    )
    result = run(project)
    assert result.returncode == 2
    assert "not a regular file" in result.stderr
    assert "Traceback" not in result.stderr


def test_hostile_gitignore_patterns_do_not_hang(project: Path) -> None:
    """A ``.gitignore`` built to make a backtracking matcher explode is matched quickly."""
    lines = ["*a" * 40 + "b", "/".join(["**"] * 200) + "/x", "[", "\\", "!"]
    (project / ".gitignore").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (project / "app" / ("a" * 200 + ".py")).write_text("", encoding="utf-8")
    result = run(project)
    assert result.returncode == 1, result.stderr


@pytest.mark.parametrize(
    ("setting", "key"),
    [
        ("check.src = 3", "src"),
        ('check.exclude = "build"', "exclude"),
        ("check.respect-gitignore = 1", "respect-gitignore"),
        ('check.output-format = "xml"', "output-format"),
        ("check.jobs = 99", "jobs"),
        ("check = 1", None),
    ],
)
def test_bad_check_settings_are_one_config_error(
    project: Path, capsys: pytest.CaptureFixture[str], setting: str, key: str | None
) -> None:
    """A wrong type or unknown key in ``[tool.ssot_guard.check]``: exit 2, naming the key."""
    (project / "pyproject.toml").write_text(
        CONFIG.replace("[tool.ssot_guard]\n", f"[tool.ssot_guard]\n{setting}\n"),
        encoding="utf-8",
    )
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert "[tool.ssot_guard.check]" in err
    if key is not None:
        assert f"key {key!r}" in err
    assert err.count("\n") == 1


def test_config_outside_the_checked_tree_wins_over_the_tree_own(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--config`` (the base branch's file) replaces the pull request's pyproject.toml.

    The documented safe setup for untrusted pull requests: the tree's own config
    (which here turns the rule off) is not read.
    """
    (project / "pyproject.toml").write_text(CONFIG + 'mode = "off"\n', encoding="utf-8")
    trusted = tmp_path / "trusted.toml"
    trusted.write_text('[[block]]\nmodule = "app.legacy"\n', encoding="utf-8")
    status, found = findings(capsys, "--config", str(trusted))
    assert status == 1
    assert [f["code"] for f in found] == ["SSOT101"]


def test_named_config_settings_are_relative_to_the_working_directory(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--config ../base/pyproject.toml``: its ``src`` names the checked tree's directory.

    So the base branch's configuration, checked out beside the pull request, applies
    to the pull request's layout (a namespace package under ``src``).
    """
    base = tmp_path / "base"
    base.mkdir()
    (base / "pyproject.toml").write_text(
        CONFIG + '\n[tool.ssot_guard.check]\nsrc = ["src"]\n', encoding="utf-8"
    )
    (project / "src" / "app").mkdir(parents=True)
    (project / "src" / "app" / "page.py").write_text("from . import legacy\n", encoding="utf-8")
    status, found = findings(capsys, "--config", str(base / "pyproject.toml"), "src")
    assert status == 1
    assert [(f["path"], f["code"]) for f in found] == [("src/app/page.py", "SSOT101")]


def test_source_root_that_is_not_a_directory_is_one_config_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``src = ["scr"]`` (a typo) would silently name every module differently: exit 2."""
    (project / "pyproject.toml").write_text(
        CONFIG + '\n[tool.ssot_guard.check]\nsrc = ["app", "scr"]\n', encoding="utf-8"
    )
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert "key 'src'" in err
    assert f"source root 'scr' is not a directory ({project / 'scr'})" in err
    assert err.count("\n") == 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_reader_refuses_a_fifo_swapped_in_after_the_walk(tmp_path: Path) -> None:
    """Reading a path that became a FIFO after the walk: an SSOT903 report, no blocked open."""
    os.mkfifo(tmp_path / "x.py")
    code = (
        "from ssot_guard._check._core import read_source as _read\n"
        f"report = _read({str(tmp_path / 'x.py')!r})\n"
        "print(report.findings[0])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=TIMEOUT, check=True
    )
    assert "SSOT903 cannot read the file: not a regular file" in result.stdout


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_named_config_that_is_a_fifo_does_not_hang(project: Path) -> None:
    """``--config pipe`` (a FIFO): one ConfigError line, exit 2, no blocked read."""
    os.mkfifo(project / "pipe")
    result = run(project, "--config", "pipe")
    assert result.returncode == 2
    assert "pipe: is not a regular file" in result.stderr


def test_hostile_exclude_settings_do_not_stall_the_walk(project: Path) -> None:
    """20,000 ``extend-exclude`` globs, some built to backtrack: the check still ends quickly."""
    globs = [f"gen_{i}_*" for i in range(20_000)] + ["*a" * 40 + "b"]
    (project / "pyproject.toml").write_text(
        CONFIG.replace(
            "[tool.ssot_guard]\n",
            f"[tool.ssot_guard]\ncheck.extend-exclude = {json.dumps(globs)}\n",
        ),
        encoding="utf-8",
    )
    for i in range(300):
        (project / "app" / f"{'a' * 100}{i}.py").write_text("", encoding="utf-8")
    result = run(project)
    assert result.returncode == 1, result.stderr
    assert "in 302 file(s)" in result.stderr


# --- huge files: parsed whole only up to max-file-size -------------------------------


def _big_file(project: Path, first_line: str = "") -> Path:
    """``app/big.py``: about 6 kB of code, a retired import on its last line."""
    body = "".join(f"def f{i}(x):\n    return x * {i}\n" for i in range(200))
    big = project / "app" / "big.py"
    big.write_text(first_line + body + "import app.legacy\n", encoding="utf-8")
    return big


def _limit(project: Path, size: int | str) -> None:
    (project / "pyproject.toml").write_text(
        CONFIG.replace("[tool.ssot_guard]\n", f"[tool.ssot_guard]\ncheck.max-file-size = {size}\n"),
        encoding="utf-8",
    )


def test_file_over_max_file_size_is_not_parsed_whole(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--parse-all`` on a file over ``max-file-size``: SSOT905 at line 1, exit 1.

    Python's parser needs 70-400 times a file's size: a 48 MB module took 19.5 GB.
    """
    _big_file(project)
    _limit(project, 2000)
    status, found = findings(capsys, "--parse-all")
    assert status == 1
    big = [(f["code"], f["line"]) for f in found if f["path"].endswith("big.py")]
    assert big == [("SSOT905", 1)]
    message = next(f["message"] for f in found if f["code"] == "SSOT905")
    assert "max-file-size (2,000 bytes)" in message


def test_file_over_max_file_size_still_has_its_imports_found(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without a whole parse (only the statements that matter), a big file is checked."""
    big = _big_file(project)
    _limit(project, 2000)
    status, found = findings(capsys)
    assert status == 1
    line = big.read_text(encoding="utf-8").count("\n")
    assert [(f["code"], f["line"]) for f in found if f["path"].endswith("big.py")] == [
        ("SSOT101", line)
    ]


def test_file_over_max_file_size_that_needs_a_whole_parse_for_classes(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A big file that uses the class registry (parsed whole for its classes): SSOT905."""
    _big_file(project, "from ssot_guard import SSOTMeta\n")
    _limit(project, 2000)
    _, found = findings(capsys)
    assert ("SSOT905", 1) in [(f["code"], f["line"]) for f in found]


def test_named_file_over_max_file_size_is_ssot905_not_a_parse(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file named on the command line is parsed whole for syntax errors: not over the limit."""
    big = _big_file(project)
    big.write_text(big.read_text(encoding="utf-8") + "def broken(:\n", encoding="utf-8")
    _limit(project, 2000)
    _, found = findings(capsys, "app/big.py")
    assert [f["code"] for f in found] == ["SSOT905", "SSOT101"]


@pytest.mark.parametrize("value", ["0", "-1", "true", '"10MB"', "1.5"])
def test_bad_max_file_size_is_one_config_error(
    project: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    """``max-file-size`` takes a positive integer of bytes; anything else: exit 2, saying so."""
    _limit(project, value)
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert "key 'max-file-size'" in err
    assert "expected a positive integer (bytes)" in err


def test_file_at_max_file_size_is_parsed(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The limit is inclusive: a file of exactly max-file-size bytes is parsed whole."""
    big = _big_file(project)
    _limit(project, big.stat().st_size)
    status, found = findings(capsys, "--parse-all")
    assert status == 1
    assert "SSOT905" not in [f["code"] for f in found]


# --- the process pool: Ctrl-C and a worker that dies ----------------------------------


def _parse_heavy_tree(project: Path, files: int = 120) -> None:
    """Files that each take a while to parse, so that the pool is still busy when hit."""
    body = "import app.legacy\n" + "".join(
        f"def f{i}(x):\n    return [y * {i} for y in range(x) if y % 3]\n" for i in range(1500)
    )
    for i in range(files):
        (project / "app" / f"m{i:03}.py").write_text(body, encoding="utf-8")


def _children(pid: int) -> list[int]:
    """The processes whose parent is *pid*, from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8") as f:
                    stat = f.read()
            except OSError:  # gone meanwhile
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def _spawn_check(
    project: Path, *options: str, stdout: int = subprocess.PIPE
) -> subprocess.Popen[str]:
    """``ssot-guard check OPTIONS`` on *project*, in a session of its own (signalled whole)."""
    return subprocess.Popen(
        [sys.executable, "-m", "ssot_guard", "check", *options],
        cwd=project,
        env={k: v for k, v in os.environ.items() if not k.startswith("SSOT_GUARD")},
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


@contextlib.contextmanager
def _killed_if_left(process: subprocess.Popen[str]) -> Iterator[None]:
    """Whatever the block does (an assertion, a timeout), the check's session ends with it."""
    try:
        yield
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)


def _start_pool_check(project: Path) -> tuple[subprocess.Popen[str], list[int]]:
    """``check --jobs 2 --parse-all`` in its own session, once its pool workers run."""
    import time

    process = _spawn_check(project, "--jobs", "2", "--parse-all")
    deadline = time.monotonic() + TIMEOUT
    while not (workers := _children(process.pid)):
        assert process.poll() is None, "the check ended before its pool started"
        assert time.monotonic() < deadline, "no pool worker started"
        time.sleep(0.01)
    return process, workers


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="finds the pool's workers in /proc")
def test_ctrl_c_during_a_pool_check_exits_130_without_traceback(project: Path) -> None:
    """Ctrl-C (SIGINT to the whole process group) while workers parse: one line, exit 130.

    The workers are stopped, not left to finish their queued batches, and none outlives
    the command.
    """

    _parse_heavy_tree(project)
    process, workers = _start_pool_check(project)
    os.killpg(process.pid, signal.SIGINT)
    with _killed_if_left(process):
        _, err = process.communicate(timeout=TIMEOUT)
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert "KeyboardInterrupt" not in err
    assert "ssot-guard: interrupted" in err
    assert not [pid for pid in workers if os.path.exists(f"/proc/{pid}")]


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="finds the pool's workers in /proc")
def test_pool_worker_killed_is_a_fallback_not_a_traceback(project: Path) -> None:
    """A worker killed mid-check (the OOM killer, a crash): its files are checked here.

    Every finding is still reported, the exit status is the check's, and the summary says
    that a worker failed.
    """

    _parse_heavy_tree(project, files=40)
    process, workers = _start_pool_check(project)
    os.kill(workers[0], signal.SIGKILL)
    with _killed_if_left(process):
        out, err = process.communicate(timeout=TIMEOUT * 3)
    assert "Traceback" not in err
    assert process.returncode == 1, err
    assert out.count(" SSOT101 ") == 41  # the 40 files and app/user.py
    assert "a pool worker failed" in err


_KILL_BEFORE_SECOND_SUBMIT = """\
import os, signal, sys, time
from concurrent.futures import process

submit = process.ProcessPoolExecutor.submit
calls = []


def killing_submit(pool, *args, **kwargs):
    calls.append(1)
    if len(calls) == 2:  # the workers run (forked by the first submit): kill one, wait
        os.kill(next(iter(pool._processes)), signal.SIGKILL)
        while not pool._broken:
            time.sleep(0.01)
    return submit(pool, *args, **kwargs)


process.ProcessPoolExecutor.submit = killing_submit
from ssot_guard._cli import main

status = main(["check", "--jobs", "2", "--parse-all"])
print("submits:", len(calls), file=sys.stderr)
sys.exit(status)
"""


def test_pool_worker_killed_before_every_batch_is_queued(project: Path) -> None:
    """A worker dies while batches are still being queued (submit raises): a fallback.

    Seen as a flaky CI failure: the kill landed before the last ``submit``. The batches
    never queued are checked here like those of a dead worker.
    """

    _parse_heavy_tree(project, files=40)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSOT_GUARD")}
    result = subprocess.run(
        [sys.executable, "-c", _KILL_BEFORE_SECOND_SUBMIT],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=TIMEOUT * 3,
    )
    assert "Traceback" not in result.stderr
    assert "submits: 2" in result.stderr  # the kill happened while queueing
    assert result.returncode == 1, result.stderr
    assert result.stdout.count(" SSOT101 ") == 41
    assert "a pool worker failed" in result.stderr


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="finds the forked child in /proc")
def test_interrupted_forked_check_leaves_no_child(project: Path) -> None:
    """SIGINT to the command alone while its forked child reads half the tree.

    The child is stopped and reaped: no orphan goes on reading, no zombie is left.
    """

    from ssot_guard._check._pool import can_fork, cores

    if cores() != 2 or not can_fork():
        pytest.skip("the forked split runs on two cores")
    body = "import app.legacy\n" + "".join(
        f"def f{i}(x):\n    return x * {i}\n" for i in range(400)
    )
    for i in range(800):  # over the 600 files from which half the tree is read by a child
        (project / "app" / f"m{i:03}.py").write_text(body, encoding="utf-8")
    process = _spawn_check(project, "--parse-all", stdout=subprocess.DEVNULL)
    with _killed_if_left(process):
        while not (children := _children(process.pid)):
            assert process.poll() is None, "the check ended before it forked"
        os.kill(process.pid, signal.SIGINT)
        _, err = process.communicate(timeout=TIMEOUT)
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert not [pid for pid in children if os.path.exists(f"/proc/{pid}")]


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="counts the pool's workers in /proc")
def test_more_jobs_than_files_starts_no_idle_workers(project: Path) -> None:
    """``--jobs 40`` with four files to parse starts four workers at most, not forty.

    (``--jobs 10000`` must not be a fork bomb.)
    """
    import time

    _parse_heavy_tree(project, files=2)
    process = _spawn_check(project, "--jobs", "40", "--parse-all")
    most = 0
    deadline = time.monotonic() + TIMEOUT
    with _killed_if_left(process):
        while process.poll() is None and time.monotonic() < deadline:
            most = max(most, len(_children(process.pid)))
        out, err = process.communicate(timeout=TIMEOUT)
    assert process.returncode == 1, err
    assert out.count(" SSOT101 ") == 3
    assert 1 <= most <= 4  # __init__.py, user.py and the two big files, all parsed


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="finds the forked child in /proc")
def test_ctrl_c_right_after_the_fork_still_stops_the_child() -> None:
    """A SIGINT that lands the instant ``fork()`` returns, before the code that kills the
    child on interrupt, still stops and reaps it (it is held back until that code runs).

    ``os.register_at_fork`` sends it from inside the fork, so it cannot miss the moment.
    """
    script = textwrap.dedent(
        """
        import os, signal, time
        from ssot_guard._check._pool import split_in_two

        os.register_at_fork(after_in_parent=lambda: os.kill(os.getpid(), signal.SIGINT))

        def there():
            time.sleep(60)
            return 1

        try:
            split_in_two(lambda: 0, there)
        except KeyboardInterrupt:
            print("interrupted")
        mine = str(os.getpid())
        children = []
        for entry in os.listdir("/proc"):
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if f.read().rsplit(")", 1)[1].split()[1] == mine:
                        children.append(entry)
            except (OSError, IndexError):
                continue
        print("children", len(children))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=TIMEOUT
    )
    assert result.stdout.split() == ["interrupted", "children", "0"], result.stderr


def test_stopping_the_pool_leaves_no_thread_of_it_running() -> None:
    """After a Ctrl-C stops the pool, its executor's thread has ended too.

    Left running, it closed its wake-up pipe while the interpreter's exit wrote to
    it: about one interrupted check in forty printed CPython's "Bad file descriptor"
    traceback after "ssot-guard: interrupted" (3.11).
    """
    import threading
    import time

    from ssot_guard._check._pool import _stop

    before = set(threading.enumerate())
    pool = ProcessPoolExecutor(2)
    for _ in range(4):
        pool.submit(time.sleep, 30)  # busy workers, and batches still queued
    _stop(pool)
    assert set(threading.enumerate()) - before == set()
