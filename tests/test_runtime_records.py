"""``SSOT_GUARD_RECORD`` in production, ``ssot-guard check --runtime`` in CI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

import ssot_guard
from ssot_guard import Block, ConfigError
from ssot_guard._cli import EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE
from ssot_guard._report import _jsonl

CONFIG = """\
[tool.ssot_guard]
mode = "warn"

[[tool.ssot_guard.block]]
module = "app.legacy"
use = "app.canonical"
reason = "dual pattern removed"
"""

# A plugin loaded by a name built at run time: no static rule can see this import.
LOADER = """\
import importlib


def load(kind):
    return importlib.import_module("app." + kind)
"""


@pytest.fixture
def deployed(tmp_path: Path) -> Path:
    """The application as deployed: ``/srv``-like root, code under ``code/``."""
    root = tmp_path / "container" / "srv"
    (root / "code" / "app").mkdir(parents=True)
    (root / "pyproject.toml").write_text(CONFIG, encoding="utf-8")
    (root / "code" / "app" / "__init__.py").write_text("", encoding="utf-8")
    (root / "code" / "app" / "legacy.py").write_text("VALUE = 1\n", encoding="utf-8")
    (root / "code" / "app" / "canonical.py").write_text("VALUE = 2\n", encoding="utf-8")
    (root / "code" / "app" / "loader.py").write_text(LOADER, encoding="utf-8")
    return root


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSOT_GUARD")}
    env["SSOT_GUARD_CACHE_DIR"] = "off"
    env.update(extra)
    return env


def serve(root: Path, record: Path, code: str = "import app.loader; app.loader.load('legacy')"):
    """Run *code* in the deployed application, guard installed, recording to *record*."""
    script = (
        "import warnings; warnings.simplefilter('ignore'); import ssot_guard; "
        f"ssot_guard.install({str(root / 'pyproject.toml')!r}); {code}"
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=root,
        env=environment(SSOT_GUARD_RECORD=str(record), PYTHONPATH=str(root / "code")),
        capture_output=True,
        text=True,
        check=True,
    )


def check(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ssot_guard", "check", *args],
        cwd=cwd,
        env=environment(),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,  # a check that hangs (on a FIFO) fails instead
    )


@pytest.fixture
def checkout(deployed: Path, tmp_path: Path) -> Path:
    """The same code in a CI checkout with a src layout: paths differ from the container's."""
    root = tmp_path / "checkout"
    (root / "src").mkdir(parents=True)
    shutil.copytree(deployed / "code" / "app", root / "src" / "app")
    shutil.copy(deployed / "pyproject.toml", root / "pyproject.toml")
    (root / "src" / "app" / "legacy.py").unlink()  # retired: only its callers remain
    return root


def lines(record: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]


def test_record_names_importer_by_module_line_and_root_relative_file(
    deployed: Path, tmp_path: Path
) -> None:
    """One JSON line per new violation: module, line, file below its sys.path root, pid."""
    record = tmp_path / "records.jsonl"
    serve(deployed, record)
    (line,) = lines(record)
    assert line["ssot_guard_record"] == 1
    assert (line["kind"], line["name"], line["importer"]) == ("import", "app.legacy", "app.loader")
    assert (line["file"], line["line"], line["mode"]) == ("app/loader.py", 5, "warn")
    assert isinstance(line["pid"], int)


def test_one_line_per_location_per_process(deployed: Path, tmp_path: Path) -> None:
    """Repeats in a process add no line; a second process appends its own."""
    record = tmp_path / "records.jsonl"
    code = "import app.loader\nfor _ in range(5): app.loader.load('legacy')"
    serve(deployed, record, code)
    serve(deployed, record, code)
    assert len({line["pid"] for line in lines(record)}) == 2
    assert len(lines(record)) == 2


def test_many_processes_append_whole_lines(deployed: Path, tmp_path: Path) -> None:
    """Eight processes appending forty lines each at once: 320 whole JSON lines."""
    record = tmp_path / "records.jsonl"
    code = textwrap.dedent(
        """\
        import importlib
        for i in range(40):
            exec(compile("import app.legacy", f"gen{i}.py", "exec"), {"__name__": f"gen{i}"})
        """
    )
    script = (
        "import warnings; warnings.simplefilter('ignore'); import ssot_guard; "
        f"ssot_guard.install({str(deployed / 'pyproject.toml')!r})\n" + code
    )
    env = environment(SSOT_GUARD_RECORD=str(record), PYTHONPATH=str(deployed / "code"))
    procs = [subprocess.Popen([sys.executable, "-c", script], env=env) for _ in range(8)]
    assert [p.wait(timeout=120) for p in procs] == [0] * 8
    records = lines(record)  # every line parses: none interleaved
    assert len(records) == 320
    assert len({(r["pid"], r["importer"]) for r in records}) == 320


def test_record_directory_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A directory in SSOT_GUARD_RECORD fails install(), naming the variable."""
    monkeypatch.setenv("SSOT_GUARD_RECORD", str(tmp_path))
    with pytest.raises(ConfigError, match=r"SSOT_GUARD_RECORD.*is a directory"):
        ssot_guard.install(rules=[Block("app.legacy")])


@pytest.mark.parametrize("obstacle", ["gone", "fifo"])
def test_unwritable_record_never_breaks_the_import(
    make_package, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog, obstacle: str
) -> None:
    """Its directory removed, or a FIFO nobody reads: the import goes on, one error line."""
    make_package({"app/legacy.py": "", "app/__init__.py": ""})
    target = tmp_path / "logs"
    target.mkdir()
    monkeypatch.setenv("SSOT_GUARD_RECORD", str(target / "records.jsonl"))
    try:
        ssot_guard.install(rules=[Block("app.legacy")], mode="warn")
        if obstacle == "gone":
            target.rmdir()
        else:
            os.mkfifo(target / "records.jsonl")
        with pytest.warns(ssot_guard.SSOTWarning):
            import app.legacy  # noqa: F401
    finally:
        monkeypatch.delenv("SSOT_GUARD_RECORD")
        ssot_guard.uninstall()
        _jsonl.subscribe_from_env()
    assert [
        r.message.startswith("cannot append to") for r in caplog.records if r.levelno == 40
    ] == [True]


def test_runtime_record_fails_ci_where_no_static_rule_could_see(
    deployed: Path, checkout: Path, tmp_path: Path
) -> None:
    """The dynamic import is clean statically; with the production record, CI fails on it."""
    record = tmp_path / "records.jsonl"
    serve(deployed, record)
    assert check(checkout, "src").returncode == EXIT_CLEAN
    result = check(checkout, "src", "--runtime", str(record))
    assert result.returncode == EXIT_FINDINGS
    assert result.stdout.startswith(
        "src/app/loader.py:5:1: SSOT104 import of retired module 'app.legacy' at run time; "
        "use 'app.canonical' instead (dual pattern removed)"
    )


def test_records_are_deduplicated_across_processes_and_files(
    deployed: Path, checkout: Path, tmp_path: Path
) -> None:
    """The same location from three processes and two files is one finding."""
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    serve(deployed, first)
    serve(deployed, first)
    serve(deployed, second)
    result = check(checkout, "src", "--runtime", str(first), str(second))
    assert result.stdout.count("SSOT104") == 1


def test_a_directory_of_records(deployed: Path, checkout: Path, tmp_path: Path) -> None:
    """``--runtime DIR`` reads every ``*.jsonl`` file in it."""
    records = tmp_path / "records"
    records.mkdir()
    serve(deployed, records / "host1.jsonl")
    (records / "notes.txt").write_text("not a record\n", encoding="utf-8")
    result = check(checkout, "src", "--runtime", str(records))
    assert result.stdout.count("SSOT104") == 1


def test_record_where_static_check_already_reports_adds_nothing(
    deployed: Path, checkout: Path, tmp_path: Path
) -> None:
    """A static import seen at run time too is reported once, as the static finding."""
    (deployed / "code" / "app" / "direct.py").write_text("import app.legacy\n", encoding="utf-8")
    shutil.copy(deployed / "code" / "app" / "direct.py", checkout / "src" / "app" / "direct.py")
    record = tmp_path / "records.jsonl"
    serve(deployed, record, "import app.direct")
    result = check(checkout, "src", "--runtime", str(record))
    assert [line.split()[1] for line in result.stdout.splitlines()] == ["SSOT101"]


def test_stale_record_is_reported_not_dropped(
    deployed: Path, checkout: Path, tmp_path: Path
) -> None:
    """A record whose module is gone from the tree is SSOT904 at its line in the record file."""
    record = tmp_path / "records.jsonl"
    serve(deployed, record)
    (checkout / "src" / "app" / "loader.py").unlink()
    result = check(checkout, "src", "--runtime", str(record))
    assert result.returncode == EXIT_FINDINGS
    assert f"{record}:1:1: SSOT904 stale record" in result.stdout
    assert "app.loader:5" in result.stdout


def test_stale_records_that_say_the_same_thing_are_one_finding(
    deployed: Path, checkout: Path, tmp_path: Path
) -> None:
    """The same stale violation from two processes, in two record files: one SSOT904.

    Production writes one line per location per process: a hundred pods would otherwise
    report the same stale record a hundred times. It is reported at its first line.
    """
    records = tmp_path / "records"
    records.mkdir()
    serve(deployed, records / "pod-a.jsonl")
    serve(deployed, records / "pod-a.jsonl")
    serve(deployed, records / "pod-b.jsonl")
    (checkout / "src" / "app" / "loader.py").unlink()
    result = check(checkout, "src", "--runtime", str(records))
    assert result.returncode == EXIT_FINDINGS
    assert result.stdout.count("SSOT904") == 1
    assert f"{records / 'pod-a.jsonl'}:1:1: SSOT904 stale record" in result.stdout


def test_runtime_findings_go_through_the_baseline(
    deployed: Path, checkout: Path, tmp_path: Path
) -> None:
    """A baselined runtime finding passes; a new one fails again."""
    record = tmp_path / "records.jsonl"
    serve(deployed, record)
    baseline = checkout / "baseline.json"
    args = ("src", "--baseline", str(baseline), "--runtime", str(record))
    assert check(checkout, *args, "--update-baseline").returncode == EXIT_CLEAN
    assert check(checkout, *args).returncode == EXIT_CLEAN
    (deployed / "code" / "app" / "other.py").write_text(LOADER, encoding="utf-8")
    shutil.copy(deployed / "code" / "app" / "other.py", checkout / "src" / "app" / "other.py")
    serve(deployed, record, "import app.other; app.other.load('legacy')")
    assert check(checkout, *args).returncode == EXIT_FINDINGS


def test_main_script_is_matched_by_its_path(deployed: Path, checkout: Path, tmp_path: Path) -> None:
    """A record from ``__main__`` (no module name) lands on the file below its sys.path root."""
    record = tmp_path / "records.jsonl"
    script = deployed / "code" / "tool.py"
    script.write_text("import app.legacy\n", encoding="utf-8")
    shutil.copy(script, checkout / "src" / "tool.py")
    env = environment(SSOT_GUARD_RECORD=str(record), PYTHONPATH=str(deployed / "code"))
    runner = (
        "import runpy, sys, warnings; warnings.simplefilter('ignore'); import ssot_guard; "
        f"ssot_guard.install({str(deployed / 'pyproject.toml')!r}); "
        f"sys.path.insert(0, {str(deployed / 'code')!r}); "
        f"runpy.run_path({str(script)!r}, run_name='__main__')"
    )
    subprocess.run([sys.executable, "-c", runner], env=env, check=True)
    assert lines(record)[0]["file"] == "tool.py"
    result = check(checkout, "src/app", "src/tool.py", "--runtime", str(record))
    assert "src/tool.py:1:" in result.stdout


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("not json", "not a JSON line"),
        ('{"kind": "import"}', "key 'ssot_guard_record'"),
        ('{"ssot_guard_record": 1, "kind": "bogus", "name": "x", "rule": "r"}', "key 'kind'"),
        ('{"ssot_guard_record": 1, "kind": "import", "name": 3, "rule": "r"}', "key 'name'"),
        (
            '{"ssot_guard_record": 1, "kind": "import", "name": "x", "rule": "r", "line": "9"}',
            "key 'line'",
        ),
        # JSON of the wrong type where a string or a number belongs: still one line, no traceback.
        ('{"ssot_guard_record": 1, "kind": ["import"], "name": "x", "rule": "r"}', "key 'kind'"),
        ('{"ssot_guard_record": 1, "kind": {"a": 1}, "name": "x", "rule": "r"}', "key 'kind'"),
        ('{"ssot_guard_record": true, "kind": "import", "name": "x", "rule": "r"}', "got True"),
        ('{"ssot_guard_record": 1.0, "kind": "import", "name": "x", "rule": "r"}', "got 1.0"),
        pytest.param("[" * 100_000 + "]" * 100_000, "not a JSON line", id="nested-too-deep"),
    ],
)
def test_a_line_that_is_no_record_is_a_usage_error(
    checkout: Path, tmp_path: Path, text: str, problem: str
) -> None:
    """One line on stderr naming the file, the line and what is wrong; exit status 2."""
    record = tmp_path / "records.jsonl"
    record.write_text("\n" + text + "\n", encoding="utf-8")
    result = check(checkout, "src", "--runtime", str(record))
    assert result.returncode == EXIT_USAGE
    assert f"{record}:2: " in result.stderr
    assert problem in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_record_file_is_a_usage_error(checkout: Path, tmp_path: Path) -> None:
    """A --runtime path that does not exist: exit 2, one line."""
    result = check(checkout, "src", "--runtime", str(tmp_path / "nope.jsonl"))
    assert result.returncode == EXIT_USAGE
    assert "no such file or directory" in result.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("where", ["named", "in a directory"])
def test_record_file_that_is_a_fifo_is_a_usage_error_not_a_hang(
    checkout: Path, tmp_path: Path, where: str
) -> None:
    """A FIFO given as a record (or named *.jsonl in a record directory) is refused unread."""
    records = tmp_path / "records"
    records.mkdir()
    fifo = records / "writer.jsonl"
    os.mkfifo(fifo)
    named = fifo if where == "named" else records
    result = check(checkout, "src", "--runtime", str(named))
    assert result.returncode == EXIT_USAGE
    assert f"--runtime {fifo}: cannot read: not a regular file" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_record_file_that_is_a_device_is_not_read(checkout: Path) -> None:
    """``--runtime /dev/zero`` is refused at once, not read until memory runs out."""
    result = check(checkout, "src", "--runtime", "/dev/zero")
    assert result.returncode == EXIT_USAGE
    assert "--runtime /dev/zero: cannot read: not a regular file" in result.stderr


def test_records_land_by_module_under_the_src_setting(tmp_path: Path) -> None:
    """``src = ["src"]`` with namespace packages (no ``__init__.py``): a record naming its
    importer by module lands on that module's file, as the check names it.

    The records were matched against the tree walked without its configuration, where
    ``src/app/loader.py`` is no module ``app.loader``: the record was called stale.
    """
    root = tmp_path / "checkout"
    (root / "src" / "app").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        CONFIG + '\n[tool.ssot_guard.check]\nsrc = ["src"]\n', encoding="utf-8"
    )
    (root / "src" / "app" / "loader.py").write_text(LOADER, encoding="utf-8")
    record = tmp_path / "records.jsonl"
    line = {
        "ssot_guard_record": 1,
        "kind": "import",
        "name": "app.legacy",
        "rule": "pyproject.toml: tool.ssot_guard.block[0]",
        "importer": "app.loader",
        "file": None,  # a file outside every sys.path entry is not named relative to one
        "line": 5,
    }
    record.write_text(json.dumps(line) + "\n", encoding="utf-8")
    result = check(root, "--runtime", str(record))
    assert "SSOT904" not in result.stdout
    assert f"{os.path.join('src', 'app', 'loader.py')}:5:1: SSOT104" in result.stdout


@pytest.mark.skipif(sys.platform == "win32", reason="needs RLIMIT_FSIZE")
def test_a_line_that_does_not_fit_leaves_no_torn_line(deployed: Path, tmp_path: Path) -> None:
    """The file full (here: RLIMIT_FSIZE, as a full disk) halfway through a 10 kB line: the
    part written is taken back, so the file holds whole lines only and ``check --runtime``
    still reads it; the import goes on and the failure is reported once.

    ``os.write()`` wrote what fit and returned its count, unchecked: a torn line stayed, the
    next writer's line was glued to it, and ``check --runtime`` refused the whole file.
    """
    import resource

    record = tmp_path / "records.jsonl"
    script = textwrap.dedent(
        """\
        import warnings; warnings.simplefilter("ignore")
        import ssot_guard
        ssot_guard.install(rules=[ssot_guard.Block("app.legacy", reason="r" * 10000)], mode="warn")
        for i in range(4):
            exec(compile("import app.legacy", f"gen{i}.py", "exec"), {"__name__": f"gen{i}"})
        print(len(ssot_guard.violations()))
        """
    )

    def limit_file_size() -> None:  # room for one line and a half
        resource.setrlimit(resource.RLIMIT_FSIZE, (15000, resource.RLIM_INFINITY))

    result = subprocess.run(
        [sys.executable, "-c", script],
        env=environment(SSOT_GUARD_RECORD=str(record), PYTHONPATH=str(deployed / "code")),
        capture_output=True,
        text=True,
        check=True,
        preexec_fn=limit_file_size,  # the child only sets a limit
    )
    assert result.stdout == "4\n"
    assert result.stderr.count("cannot append to") == 1
    data = record.read_bytes()
    assert data.endswith(b"\n")
    assert [json.loads(line)["importer"] for line in data.splitlines()] == ["gen0"]


@pytest.mark.parametrize("stderr", ["closed", "a pipe nobody reads"])
def test_unwritable_record_with_no_stderr_never_breaks_the_import(
    deployed: Path, tmp_path: Path, stderr: str
) -> None:
    """A daemon whose stderr is closed, or a pipe whose reader has gone, and a record file
    that cannot be written: the import goes on.

    The one-time error went to ``sys.stderr`` (``logging`` not imported), and what that
    write raised (``ValueError``, ``BrokenPipeError``) came out of the import statement.
    """
    record = tmp_path / "gone" / "records.jsonl"
    record.parent.mkdir()
    script = textwrap.dedent(
        f"""\
        import os, sys, warnings
        warnings.simplefilter("ignore")
        import ssot_guard
        ssot_guard.install(rules=[ssot_guard.Block("app.legacy")], mode="warn")
        os.rmdir({str(record.parent)!r})
        if {stderr == "closed"!r}:
            sys.stderr.close()
        import app.legacy
        print("imported")
        """
    )
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody will read the child's stderr: its writes fail with EPIPE
    try:
        result = subprocess.run(
            [sys.executable, "-c", script],
            env=environment(SSOT_GUARD_RECORD=str(record), PYTHONPATH=str(deployed / "code")),
            stdout=subprocess.PIPE,
            stderr=write_end,
            text=True,
            check=False,
        )
    finally:
        os.close(write_end)
    assert result.stdout == "imported\n"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_line_that_does_not_fit_in_a_fifo_is_reported_as_such(
    deployed: Path, tmp_path: Path
) -> None:
    """A FIFO whose reader is behind takes part of a long line: the one error says so.

    The short write was met with ``lseek()`` to take the part back, which a FIFO refuses:
    the error reported was ``Illegal seek``, about nothing the user did.
    """
    fifo = tmp_path / "records.jsonl"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    writer = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    try:
        while True:  # fill the pipe, then make some room
            try:
                os.write(writer, b"x" * 4096)
            except BlockingIOError:
                break
        os.close(writer)
        os.read(reader, 8192)
        script = (
            "import warnings; warnings.simplefilter('ignore'); import ssot_guard; "
            "ssot_guard.install(rules=[ssot_guard.Block('app.legacy', reason='r' * 20000)], "
            "mode='warn'); import app.legacy; print('imported')"
        )
        result = subprocess.run(
            [sys.executable, "-c", script],
            env=environment(SSOT_GUARD_RECORD=str(fifo), PYTHONPATH=str(deployed / "code")),
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
    finally:
        os.close(reader)
    assert result.stdout == "imported\n"
    assert result.stderr.count("cannot append to") == 1
    assert "bytes fit" in result.stderr
    assert "Illegal seek" not in result.stderr


def test_record_lines_resume_once_the_file_can_be_written(
    make_package, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:
    """Its directory removed, then recreated: the line in between is dropped, the next one
    is written, and the failure was reported once."""
    make_package({"app/legacy.py": "", "app/__init__.py": ""})
    target = tmp_path / "logs"
    target.mkdir()
    record = target / "records.jsonl"
    monkeypatch.setenv("SSOT_GUARD_RECORD", str(record))
    try:
        ssot_guard.install(rules=[Block("app.legacy")], mode="warn")
        target.rmdir()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ssot_guard.SSOTWarning)
            for name in ("lost", "lost_too", "kept"):
                if name == "kept":
                    target.mkdir()
                exec(compile("import app.legacy", f"{name}.py", "exec"), {"__name__": name})
    finally:
        monkeypatch.delenv("SSOT_GUARD_RECORD")
        ssot_guard.uninstall()
        _jsonl.subscribe_from_env()
    assert [line["importer"] for line in lines(record)] == ["kept"]
    assert len([r for r in caplog.records if r.levelno == 40]) == 1


def test_a_relative_record_path_keeps_its_meaning_after_chdir(
    deployed: Path, tmp_path: Path
) -> None:
    """``SSOT_GUARD_RECORD=records.jsonl``, then the program changes directory (a daemon
    going to ``/``) and installs the guard again: lines still go to the file first named.

    The relative path was resolved again at each ``install()``: against the new directory,
    where it named another file, or one in a directory that does not exist (a ConfigError).
    """
    start, elsewhere = tmp_path / "start", tmp_path / "elsewhere"
    start.mkdir()
    elsewhere.mkdir()
    script = textwrap.dedent(
        f"""\
        import os, warnings
        warnings.simplefilter("ignore")
        import ssot_guard
        rules = [ssot_guard.Block("app.legacy")]
        ssot_guard.install(rules=rules, mode="warn")
        os.chdir({str(elsewhere)!r})
        ssot_guard.install(rules=rules, mode="warn")
        import app.legacy
        """
    )
    subprocess.run(
        [sys.executable, "-c", script],
        cwd=start,
        env=environment(SSOT_GUARD_RECORD="records.jsonl", PYTHONPATH=str(deployed / "code")),
        check=True,
    )
    assert os.listdir(elsewhere) == []
    assert len(lines(start / "records.jsonl")) == 1


def test_record_works_where_os_lacks_nonblock_and_cloexec(deployed: Path, tmp_path: Path) -> None:
    """Windows' ``os`` has neither ``O_NONBLOCK`` nor ``O_CLOEXEC`` (simulated here by
    deleting them): ``SSOT_GUARD_RECORD`` still records.

    The flags were read at import: every ``install()`` with a record file raised
    ``AttributeError`` there.
    """
    record = tmp_path / "records.jsonl"
    script = (
        "import os, warnings; warnings.simplefilter('ignore'); del os.O_NONBLOCK, os.O_CLOEXEC\n"
        "import ssot_guard\n"
        "ssot_guard.install(rules=[ssot_guard.Block('app.legacy')], mode='warn')\n"
        "import app.legacy\n"
    )
    subprocess.run(
        [sys.executable, "-c", script],
        env=environment(SSOT_GUARD_RECORD=str(record), PYTHONPATH=str(deployed / "code")),
        check=True,
    )
    assert len(lines(record)) == 1


def test_record_is_written_after_the_working_directory_is_deleted(
    deployed: Path, tmp_path: Path
) -> None:
    """The working directory removed under a running process (a deploy replacing the release
    directory) while ``sys.path`` holds ``""`` (``python -c``): lines are still written.

    Making the file relative to its ``sys.path`` entry resolved ``""`` with ``os.getcwd()``,
    which raised: every line was dropped, reported as the record file not existing.
    """
    release = tmp_path / "release"
    release.mkdir()
    record = tmp_path / "records.jsonl"
    script = (
        "import os, warnings; warnings.simplefilter('ignore'); import ssot_guard\n"
        "ssot_guard.install(rules=[ssot_guard.Block('app.legacy')], mode='warn')\n"
        f"os.rmdir({str(release)!r})\n"
        "import app.loader; app.loader.load('legacy')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=release,
        env=environment(SSOT_GUARD_RECORD=str(record), PYTHONPATH=str(deployed / "code")),
        capture_output=True,
        text=True,
        check=True,
    )
    assert "cannot append" not in result.stderr
    (line,) = lines(record)
    assert (line["importer"], line["file"]) == ("app.loader", "app/loader.py")
