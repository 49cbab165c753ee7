"""``fix`` as a codemod: refusals with reasons, --diff/--check, idempotence, safe writes."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from fix_trees import CANONICAL, run_fix, tree
from ssot_guard import check
from ssot_guard._cli import EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, main
from ssot_guard._fix import MissingExtraError, fix

USER = "import app.old\nfrom app.old import f\napp.old.f()\n"
REDIRECT_WITH_SETTINGS = (
    '[tool.ssot_guard]\n[[tool.ssot_guard.redirect]]\nmodule = "app.old"\nto = "app.new"\n'
    "[tool.ssot_guard.check]\n"
)


def test_name_the_canonical_module_lacks_is_left_with_reason(tmp_path: Path) -> None:
    """``from old import name`` is left when the canonical module does not define *name*."""
    root = tree(tmp_path, {"app/old.py": CANONICAL + "extra = 1\n"})
    (root / "app/user.py").write_text("from app.old import extra\n", encoding="utf-8")
    result = run_fix(root)
    assert (root / "app/user.py").read_text() == "from app.old import extra\n"
    [left] = result.left
    assert (left.line, left.what) == (1, "from app.old import extra")
    assert left.reason == "'app.new' does not define 'extra'"


def test_star_import_is_left_with_reason(tmp_path: Path) -> None:
    """A star import is never rewritten: which names it needs cannot be told."""
    root = tree(tmp_path, {"app/user.py": "from app.old import *\n"})
    result = run_fix(root)
    assert (root / "app/user.py").read_text() == "from app.old import *\n"
    assert "star import" in result.left[0].reason


def test_patch_of_a_name_the_canonical_module_lacks_is_left(tmp_path: Path) -> None:
    """``mock.patch("old.Missing")`` is left: patching the new module would fail."""
    root = tree(tmp_path, {"app/user.py": 'mock.patch("app.old.Missing")\n'})
    result = run_fix(root)
    assert result.left[0].reason == "'app.new' does not define 'Missing'"
    assert not result.changes


def test_block_without_use_is_left_with_reason(tmp_path: Path) -> None:
    """A block rule that names no replacement has nothing to rewrite to."""
    config = '[tool.ssot_guard]\n[[tool.ssot_guard.block]]\nmodule = "app.old"\n'
    root = tree(tmp_path, {"app/user.py": "import app.old\n"}, config)
    result = run_fix(root)
    assert result.left[0].reason == "the rule names no replacement ('use')"


def test_deprecated_attribute_of_another_module_is_left(tmp_path: Path) -> None:
    """``m.old_fn`` is left when the replacement lives elsewhere: it needs a new import."""
    config = (
        '[tool.ssot_guard]\n[[tool.ssot_guard.deprecate]]\nname = "app.old:f"\nuse = "app.new:f"\n'
    )
    root = tree(tmp_path, {"app/user.py": "import app.old\napp.old.f()\n"}, config)
    result = run_fix(root)
    assert "import 'app.new'" in result.left[0].reason
    assert (root / "app/user.py").read_text() == "import app.old\napp.old.f()\n"


def test_second_run_changes_nothing(tmp_path: Path) -> None:
    """``fix`` is idempotent: the second run finds nothing to do."""
    root = tree(tmp_path, {"app/user.py": USER})
    assert run_fix(root).rewritten == 2
    again = run_fix(root)
    assert (again.changes, again.left) == ([], [])


def test_check_is_clean_after_fix(tmp_path: Path) -> None:
    """After ``fix``, ``check`` reports none of the fixed sites."""
    root = tree(tmp_path, {"app/user.py": USER + 'mock.patch("app.old.Thing")\n'})
    assert check([root], config=root / "pyproject.toml").findings
    run_fix(root)
    assert check([root], config=root / "pyproject.toml").findings == []


def test_written_files_compile(tmp_path: Path) -> None:
    """Every file ``fix`` writes compiles (a moved alias splits a one-line ``if`` body)."""
    config = '[tool.ssot_guard]\n[[tool.ssot_guard.redirect]]\nmodule = "app.old"\nto = "lib.new"\n'
    source = "import sys\nif sys: from app import os, old\n"
    root = tree(tmp_path, {"lib/new.py": "", "app/os.py": "", "app/user.py": source}, config)
    result = run_fix(root)
    text = (root / "app/user.py").read_text()
    assert text == "import sys\nif sys: from app import os; from lib import new\n"
    compile(text, "user.py", "exec")
    assert result.rewritten == 1


def test_unparsable_file_is_reported_and_left_alone(tmp_path: Path) -> None:
    """A file that mentions the rule but does not parse is reported and not touched."""
    root = tree(tmp_path, {"app/user.py": "import app.old\ndef (:\n"})
    result = run_fix(root)
    [problem] = result.problems
    assert problem.path.endswith("user.py")
    assert "does not parse (line 2" in problem.message
    assert (root / "app/user.py").read_text() == "import app.old\ndef (:\n"


def test_file_over_max_file_size_is_reported_and_left_alone(tmp_path: Path) -> None:
    """A file over the ``max-file-size`` setting is not parsed (as in check): a problem."""
    source = "import app.old\n" + "x = 1\n" * 100
    root = tree(tmp_path, {"app/user.py": source}, REDIRECT_WITH_SETTINGS + "max-file-size = 200\n")
    result = run_fix(root)
    [problem] = result.problems
    assert problem.path.endswith("user.py")
    assert problem.message == "larger than max-file-size (200 bytes); not rewritten"
    assert (root / "app/user.py").read_text() == source


def test_not_utf8_file_is_reported_and_left_alone(tmp_path: Path) -> None:
    """A file that is not UTF-8 is reported and not touched."""
    root = tree(tmp_path, {})
    data = b"import app.old\nx = '\xff'\n"
    (root / "app/user.py").write_bytes(data)
    result = run_fix(root)
    assert result.problems[0].message == "is not UTF-8; left alone"
    assert (root / "app/user.py").read_bytes() == data


def test_symlinked_file_is_not_written_through(tmp_path: Path) -> None:
    """A file that is a symbolic link is reported, and its target stays as it was."""
    root = tree(tmp_path / "t", {})
    outside = tmp_path / "outside.py"
    outside.write_text(USER, encoding="utf-8")
    (root / "app/user.py").symlink_to(outside)
    result = run_fix(root)
    assert "symbolic link" in result.problems[0].message
    assert outside.read_text() == USER


def test_never_writes_outside_the_paths_given(tmp_path: Path) -> None:
    """A file reached through a linked directory that points outside the paths is not written."""
    root = tree(tmp_path / "t", {})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "__init__.py").write_text("", encoding="utf-8")
    (elsewhere / "user.py").write_text(USER, encoding="utf-8")
    (root / "app" / "linked").symlink_to(elsewhere, target_is_directory=True)
    result = run_fix(root)
    assert "outside the checked directories" in result.problems[0].message  # not even read
    assert (elsewhere / "user.py").read_text() == USER


def test_only_the_paths_given_are_written(tmp_path: Path) -> None:
    """``fix app/a.py`` rewrites that file only, though ``app/b.py`` has the same import."""
    root = tree(tmp_path, {"app/a.py": USER, "app/b.py": USER})
    fix([root / "app/a.py"], config=root / "pyproject.toml")
    assert (root / "app/a.py").read_text() != USER
    assert (root / "app/b.py").read_text() == USER


def test_write_keeps_permissions_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    """The rewritten file keeps its mode bits; the temporary file is gone."""
    root = tree(tmp_path, {"app/user.py": USER})
    os.chmod(root / "app/user.py", 0o640)
    run_fix(root)
    assert stat.S_IMODE(os.stat(root / "app/user.py").st_mode) == 0o640
    assert sorted(p.name for p in (root / "app").iterdir() if "ssot-fix" in p.name) == []


def test_failed_write_is_reported_and_file_unchanged(tmp_path: Path) -> None:
    """A write that fails half way (file size limit) leaves the old file whole, reported."""
    root = tree(tmp_path, {"app/user.py": USER})
    code = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (20, 20))\n"
        "from ssot_guard._cli import main\n"
        "sys.exit(main(['fix', '--config', sys.argv[1], sys.argv[2]]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(root / "pyproject.toml"), str(root)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == EXIT_FINDINGS
    assert "user.py: cannot write: File too large; left unchanged" in result.stderr
    assert (root / "app/user.py").read_text() == USER
    assert [p.name for p in (root / "app").iterdir() if "ssot-fix" in p.name] == []


def test_write_false_changes_nothing_but_reports(tmp_path: Path) -> None:
    """``write=False`` (``--diff``, ``--check``) returns the changes without writing them."""
    root = tree(tmp_path, {"app/user.py": USER})
    result = run_fix(root, write=False)
    assert result.changes[0].after.startswith(b"import app.new\n")
    assert (root / "app/user.py").read_text() == USER


def test_cli_diff_prints_unified_diff_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``fix --diff``: a unified diff on stdout, files unchanged, exit 0."""
    root = tree(tmp_path, {"app/user.py": USER})
    status = main(["fix", "--diff", "--config", str(root / "pyproject.toml"), str(root)])
    out = capsys.readouterr().out
    assert status == EXIT_CLEAN
    assert out.startswith(f"--- {root}/app/user.py\n+++ {root}/app/user.py\n")
    assert "-import app.old\n-from app.old import f\n" in out
    assert (root / "app/user.py").read_text() == USER


def test_cli_check_exits_1_when_something_would_change(tmp_path: Path) -> None:
    """``fix --check`` exits 1 and writes nothing when a site would be rewritten."""
    root = tree(tmp_path, {"app/user.py": USER})
    status = main(["fix", "--check", "--config", str(root / "pyproject.toml"), str(root)])
    assert status == EXIT_FINDINGS
    assert (root / "app/user.py").read_text() == USER


def test_cli_check_exits_0_when_nothing_would_change(tmp_path: Path) -> None:
    """``fix --check`` on a fixed tree exits 0."""
    root = tree(tmp_path, {"app/user.py": "import app.new\n"})
    assert main(["fix", "--check", "--config", str(root / "pyproject.toml"), str(root)]) == 0


def test_cli_summary_names_changes_and_left_sites(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The summary says files changed, sites rewritten, and each site left with its reason."""
    root = tree(tmp_path, {"app/user.py": USER + "from app.old import *\n"})
    main(["fix", "--config", str(root / "pyproject.toml"), str(root)])
    err = capsys.readouterr().err
    assert "user.py: changed (2 site(s))" in err
    assert "user.py:4:1: left: from app.old import *  (star import" in err
    assert "1 file(s) changed, 2 site(s) rewritten, 1 left" in err


def test_missing_libcst_is_one_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without libcst, ``fix`` says how to install it, exits 2, and touches nothing."""
    root = tree(tmp_path, {"app/user.py": USER})
    monkeypatch.setitem(sys.modules, "libcst", None)  # what an uninstalled package looks like
    with pytest.raises(MissingExtraError):
        run_fix(root)
    status = main(["fix", "--config", str(root / "pyproject.toml"), str(root)])
    err = capsys.readouterr().err
    assert status == EXIT_USAGE
    assert err == (
        "ssot-guard: error: ssot-guard fix needs libcst, which is not installed: "
        "pip install 'ssot-guard[fix]'\n"
    )
    assert (root / "app/user.py").read_text() == USER


def test_import_ssot_guard_and_its_cli_do_not_import_libcst() -> None:
    """libcst is loaded only when ``fix`` runs, never by ``import ssot_guard`` or the parser."""
    code = (
        "import sys, ssot_guard, ssot_guard._cli as c; c._parser(); "
        "print('libcst' in sys.modules, 'ssot_guard._fix._core' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout == "False False\n"


def test_fix_and_suggest_are_public_and_loaded_on_first_use() -> None:
    """``ssot_guard.fix`` and ``suggest`` exist; ``import ssot_guard`` loads neither."""
    code = (
        "import sys, ssot_guard\n"
        "before = {'ssot_guard._fix', 'ssot_guard._suggest'} & set(sys.modules)\n"
        "from ssot_guard._fix import fix\n"
        "from ssot_guard._suggest import suggest\n"
        "print(sorted(before), ssot_guard.fix is fix, ssot_guard.suggest is suggest)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout == "[] True True\n"


def test_crlf_and_byte_order_mark_are_kept(tmp_path: Path) -> None:
    """A file with a UTF-8 byte order mark and CRLF line ends keeps both."""
    root = tree(tmp_path, {})
    data = b"\xef\xbb\xbfimport app.old\r\nfrom app.old import (\r\n    f,\r\n)\r\napp.old.f()\r\n"
    (root / "app/user.py").write_bytes(data)
    run_fix(root)
    assert (root / "app/user.py").read_bytes() == data.replace(b"app.old", b"app.new")


def test_lone_carriage_return_line_ends_are_kept(tmp_path: Path) -> None:
    """A file whose lines end in a lone ``\r`` (as Python reads them: line breaks) is fixed.

    Its positions count those breaks as ``ast`` does; before, the rewrite failed with an
    internal ``IndexError`` and the file was left.
    """
    root = tree(tmp_path, {})
    data = b"x = 1\rimport app.old\rfrom app.old import (\r    f,\r)\rapp.old.f()\r"
    (root / "app/user.py").write_bytes(data)
    result = run_fix(root)
    assert result.problems == []
    assert (root / "app/user.py").read_bytes() == data.replace(b"app.old", b"app.new")


def test_import_of_several_modules_on_one_line(tmp_path: Path) -> None:
    """``import os, app.old, sys``: only the retired module changes."""
    root = tree(tmp_path, {"app/user.py": "import os, app.old as o, sys\n"})
    run_fix(root)
    assert (root / "app/user.py").read_text() == "import os, app.new as o, sys\n"


def test_dunder_import_without_fromlist_across_packages_is_left(tmp_path: Path) -> None:
    """``__import__("app.old")`` returns ``app``; to another top-level package it is left."""
    config = '[tool.ssot_guard]\n[[tool.ssot_guard.redirect]]\nmodule = "app.old"\nto = "lib.new"\n'
    root = tree(
        tmp_path, {"lib/new.py": CANONICAL, "app/user.py": 'm = __import__("app.old")\n'}, config
    )
    result = run_fix(root)
    assert "returns the top-level package" in result.left[0].reason
    assert (root / "app/user.py").read_text() == 'm = __import__("app.old")\n'


def test_fifo_named_like_source_is_reported_not_waited_on(tmp_path: Path) -> None:
    """A FIFO called ``x.py`` would block a plain read forever: it is reported and skipped."""
    root = tree(tmp_path, {"app/user.py": USER})
    os.mkfifo(root / "app" / "pipe.py")
    result = subprocess.run(
        [sys.executable, "-m", "ssot_guard", "fix", "--check", "--config", "pyproject.toml", "."],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "app/pipe.py: cannot read the file: it is a named pipe (FIFO)" in result.stderr
    assert "1 file(s) would change" in result.stderr


def test_read_only_file_is_not_replaced(tmp_path: Path) -> None:
    """A file without write permission is reported and left, though its directory is writable."""
    root = tree(tmp_path, {"app/user.py": USER})
    os.chmod(root / "app/user.py", 0o444)
    result = run_fix(root)
    assert "is read-only" in result.problems[0].message
    assert (root / "app/user.py").read_text() == USER


def test_file_changed_on_disk_meanwhile_is_left_as_it_is(tmp_path: Path) -> None:
    """If the file on disk is no longer what was read, fix leaves the newer content alone.

    The same file listed twice makes the first rewrite the "someone else" of the second.
    """
    from ssot_guard._check._prefilter import Plan
    from ssot_guard._check._walk import discover
    from ssot_guard._config._load import load_config
    from ssot_guard._fix._core import run

    root = tree(tmp_path, {"app/user.py": USER})
    plan = Plan(load_config(root / "pyproject.toml").rules)
    [source] = [s for s in discover([str(root)]) if s.path.endswith("user.py")]
    outcome = run(plan, [source, source], [str(root)], write=True)
    assert [p.message for p in outcome.problems] == ["changed while fix ran; left as it is now"]
    assert len(outcome.changes) == 1


def test_file_with_another_hard_link_is_not_split(tmp_path: Path) -> None:
    """A file with a second hard link is reported and left: replacing it would split the two.

    (The other name would keep the old content while this one got the new: a silent fork.)
    """
    root = tree(tmp_path / "t", {"app/user.py": USER})
    other = tmp_path / "snapshot.py"
    os.link(root / "app/user.py", other)
    result = run_fix(root)
    assert [p.path for p in result.problems] == [str(root / "app/user.py")]
    assert "hard link" in result.problems[0].message
    assert (root / "app/user.py").read_text() == USER
    assert (root / "app/user.py").stat().st_ino == other.stat().st_ino


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown")
def test_write_keeps_the_owner_of_another_users_file(tmp_path: Path) -> None:
    """``fix`` run as root (a container) on another user's file: the file keeps its owner."""
    root = tree(tmp_path, {"app/user.py": USER})
    os.chown(root / "app/user.py", 12345, 23456)
    result = run_fix(root)
    assert result.problems == []
    assert (root / "app/user.py").read_text() != USER  # rewritten
    status = (root / "app/user.py").stat()
    assert (status.st_uid, status.st_gid) == (12345, 23456)


def test_suppressed_site_is_not_rewritten(tmp_path: Path) -> None:
    """A site whose finding is suppressed (``# ssot: ignore[SSOT102]``, ``# noqa: SSOT102``)
    stays: ``fix`` rewrites what ``check`` reports, and check does not report it.

    Rewriting it would undo a decision the comment records and leave the comment
    suppressing nothing.
    """
    source = (
        "import app.old  # ssot: ignore[SSOT102]\n"
        "from app.old import f  # noqa: SSOT102\n"
        "from app.old import Thing  # ssot: ignore[SSOT101]\n"
    )
    root = tree(tmp_path, {"app/user.py": source})
    result = run_fix(root)
    assert (root / "app/user.py").read_text() == source.replace(
        "from app.old import Thing", "from app.new import Thing"
    )
    assert result.rewritten == 1
    assert not check([root], config=root / "pyproject.toml").findings


def test_control_characters_in_file_names_are_escaped(tmp_path: Path) -> None:
    """A file name with an escape sequence or a line break is shown escaped, as ``check`` does:
    in the summary on stderr and in the diff's headers, one line each, nothing sent to the
    terminal."""
    root = tree(tmp_path, {})
    name = "evil\x1b[2J\nname.py"
    (root / "app" / name).write_text(USER, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "ssot_guard", "fix", "--diff"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    for output in (result.stdout, result.stderr):
        assert "\x1b" not in output
        assert "evil\\x1b[2J name.py" in output or "evil\\x1b[2J\\nname.py" in output


def test_cli_exclude_is_comma_separated_as_for_check(tmp_path: Path) -> None:
    """``fix --exclude a.py,b.py`` skips both files, as ``check --exclude`` does."""
    root = tree(tmp_path, {"app/a.py": USER, "app/b.py": USER})
    result = subprocess.run(
        [sys.executable, "-m", "ssot_guard", "fix", "--check", "--exclude", "a.py,b.py"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == EXIT_CLEAN, result.stderr
    assert "0 file(s) would change" in result.stderr


def test_files_the_check_excludes_are_not_rewritten(tmp_path: Path) -> None:
    """A directory the configuration excludes (``extend-exclude = ["migrations"]``) is not
    touched: ``fix`` reads the tree as ``check`` does, and check does not report it."""
    config = REDIRECT_WITH_SETTINGS + 'extend-exclude = ["migrations"]\n'
    root = tree(tmp_path, {"app/user.py": USER, "app/migrations/m1.py": USER}, config)
    result = run_fix(root)
    assert [c.path for c in result.changes] == [str(root / "app/user.py")]
    assert (root / "app/migrations/m1.py").read_text() == USER


def test_gitignored_files_are_not_rewritten(tmp_path: Path) -> None:
    """What ``.gitignore`` ignores (generated code) is not rewritten, as check skips it."""
    root = tree(tmp_path, {"app/user.py": USER, "gen/g.py": USER})
    (root / ".gitignore").write_text("gen/\n", encoding="utf-8")
    result = run_fix(root)
    assert [c.path for c in result.changes] == [str(root / "app/user.py")]
    assert (root / "gen/g.py").read_text() == USER


def test_sites_below_a_src_root_without_init_files_are_rewritten(tmp_path: Path) -> None:
    """``src = ["src"]`` with namespace packages: ``src/app/user.py`` is ``app.user``, its
    relative imports of ``app.old`` are found and rewritten, as check reports them."""
    root = tmp_path
    (root / "src" / "app").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        REDIRECT_WITH_SETTINGS + 'src = ["src"]\n', encoding="utf-8"
    )
    (root / "src" / "app" / "new.py").write_text(CANONICAL, encoding="utf-8")
    (root / "src" / "app" / "user.py").write_text("from .old import f\n", encoding="utf-8")
    assert len(check([root]).findings) == 1
    fix([root])  # the nearest configuration, whose src is relative to it
    assert (root / "src" / "app" / "user.py").read_text() == "from .new import f\n"
    assert check([root]).findings == []


def test_name_the_canonical_module_imports_only_for_type_checkers_is_left(
    tmp_path: Path,
) -> None:
    """A name the canonical module binds under ``if TYPE_CHECKING:`` is not there at run time:
    ``from app.new import Thing`` would raise ``ImportError``, so the site is left."""
    canonical = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from app.other import Thing\n"
        "else:\n    from app.other import f\n"
    )
    root = tree(
        tmp_path,
        {
            "app/new.py": canonical,
            "app/other.py": CANONICAL,
            "app/user.py": "from app.old import Thing\nfrom app.old import f\n",
        },
    )
    result = run_fix(root)
    expected = "from app.old import Thing\nfrom app.new import f\n"
    assert (root / "app/user.py").read_text() == expected
    assert [entry.reason for entry in result.left] == ["'app.new' does not define 'Thing'"]


def test_name_a_star_import_leaves_out_by_all_is_left(tmp_path: Path) -> None:
    """``from app._impl import *`` binds only the names of ``_impl.__all__``: a name it
    defines but leaves out of ``__all__`` is not in the canonical module, so it is left."""
    root = tree(
        tmp_path,
        {
            "app/new.py": "from app._impl import *\n",
            "app/_impl.py": "__all__ = ['f']\ndef f(): ...\nclass Thing: ...\n",
            "app/user.py": "from app.old import Thing\nfrom app.old import f\n",
        },
    )
    result = run_fix(root)
    expected = "from app.old import Thing\nfrom app.new import f\n"
    assert (root / "app/user.py").read_text() == expected
    assert [entry.reason for entry in result.left] == ["'app.new' does not define 'Thing'"]


@pytest.mark.parametrize(
    "data",
    [
        b"import app.old\n\x0c\nx = app.old.f\n",  # a form feed (page break) line
        "import app.old\nx = 'a\u2028b'\ny = app.old.f\n".encode(),  # U+2028 in a string
        b"import app.old\rx = app.old.f\r",  # lone carriage returns
    ],
    ids=["form-feed", "u2028", "lone-cr"],
)
def test_cli_diff_applies_with_git_apply_and_gives_what_fix_writes(
    tmp_path: Path, data: bytes
) -> None:
    """The ``--diff`` output applies with ``git apply`` and gives the bytes
    ``fix`` writes; lines were split where ``patch`` does not split them (form feed, U+2028,
    lone ``\\r``), and the hunks applied to no file."""
    root = tree(tmp_path, {})
    (root / "app/user.py").write_bytes(data)
    expected = run_fix(root, write=False).changes[0].after
    diff = subprocess.run(
        [sys.executable, "-m", "ssot_guard", "fix", "--diff", "--config", "pyproject.toml", "."],
        cwd=root,
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    apply = subprocess.run(["git", "apply", "-"], input=diff, cwd=root, capture_output=True)
    assert apply.returncode == 0, apply.stderr
    assert (root / "app/user.py").read_bytes() == expected


def test_canonical_module_importing_from_the_retired_one_is_left(tmp_path: Path) -> None:
    """``app/new.py`` saying ``from app.old import helper`` (the replacement re-exporting what
    has not moved yet) would become ``from app.new import helper``: an import of itself, which
    fails. It is left with the reason; its callers still move, and still run."""
    root = tree(
        tmp_path,
        {
            "app/old.py": "def helper():\n    return 1\n",
            "app/new.py": "from app.old import helper\n",
            "app/user.py": "from app.old import helper\nprint(helper())\n",
        },
    )
    result = run_fix(root)
    assert (root / "app/new.py").read_text() == "from app.old import helper\n"
    assert [(e.path, e.reason.partition(":")[0]) for e in result.left] == [
        (str(root / "app/new.py"), "this file is 'app.new', the replacement itself")
    ]
    run = subprocess.run(
        [sys.executable, "-c", "import app.user"], cwd=root, capture_output=True, text=True
    )
    assert (run.returncode, run.stdout) == (0, "1\n"), run.stderr


def test_dunder_import_without_fromlist_whose_result_is_used_is_left(tmp_path: Path) -> None:
    """``__import__("app.old").old`` reaches the module through the top-level package the call
    returns: with only the string rewritten, ``.old`` raised ``AttributeError``. A bare
    ``__import__("app.old")`` statement (imported for its effects) is still rewritten."""
    source = "__import__('app.old')\nm = __import__('app.old').old\nprint(m.f.__name__)\n"
    root = tree(tmp_path, {"app/user.py": source})
    result = run_fix(root)
    assert (root / "app/user.py").read_text() == source.replace("'app.old')\n", "'app.new')\n", 1)
    assert [entry.line for entry in result.left] == [2]
    run = subprocess.run(
        [sys.executable, "-c", "import app.user"], cwd=root, capture_output=True, text=True
    )
    assert (run.returncode, run.stdout) == (0, "f\n"), run.stderr


def test_site_uncovered_by_a_rewrite_is_rewritten_in_the_same_run(tmp_path: Path) -> None:
    """``app.old`` redirected to ``app.new``, whose ``make`` is deprecated for ``build``: the
    rewritten ``from app.new import make`` is a deprecated import, which only a second run
    rewrote (``fix`` was not idempotent). One run now does it all, and a second finds nothing."""
    config = (
        '[tool.ssot_guard]\n[[tool.ssot_guard.redirect]]\nmodule = "app.old"\nto = "app.new"\n'
        '[[tool.ssot_guard.deprecate]]\nname = "app.new:make"\nuse = "app.new:build"\n'
    )
    canonical = "def make():\n    return 'm'\n\ndef build():\n    return 'b'\n"
    user = "from app.old import make\nimport app.old\nprint(make(), app.old.make())\n"
    root = tree(
        tmp_path, {"app/new.py": canonical, "app/old.py": canonical, "app/user.py": user}, config
    )
    run_fix(root)
    assert (root / "app/user.py").read_text() == (
        "from app.new import build\nimport app.new\nprint(build(), app.new.build())\n"
    )
    assert not run_fix(root)


def test_attribute_the_canonical_module_lacks_leaves_the_import(tmp_path: Path) -> None:
    """``import app.old`` ... ``app.old.gone()`` (and ``o.gone()`` through ``from app import
    old as o``) when ``app.new`` does not define ``gone``: rewritten, the reference raised
    ``AttributeError``; the imports are left, with the reason, and the code still runs."""
    source = "import app.old\nfrom app import old as o\nprint(app.old.gone(), o.gone())\n"
    root = tree(tmp_path, {"app/old.py": "def gone():\n    return 2\n", "app/user.py": source})
    result = run_fix(root)
    assert (root / "app/user.py").read_text() == source
    assert [entry.reason for entry in result.left] == [
        "'app.new' does not define 'gone', which the file uses as 'app.old.gone'",
        "'app.new' does not define 'gone', which the file uses as 'o.gone'",
    ]
    run = subprocess.run(
        [sys.executable, "-c", "import app.user"], cwd=root, capture_output=True, text=True
    )
    assert (run.returncode, run.stdout) == (0, "2 2\n"), run.stderr


def test_attribute_a_moved_submodule_lacks_leaves_the_import(tmp_path: Path) -> None:
    """``from app.old import sub`` ... ``sub.gone()`` when ``app.new.sub`` does not define
    ``gone``: the import is left, as for ``import app.old`` ... ``app.old.gone()``."""
    files = {
        "app/old/sub.py": "def f():\n    return 1\n\ndef gone():\n    return 2\n",
        "app/new/sub.py": "def f():\n    return 1\n",
        "app/user.py": "from app.old import sub\nprint(sub.f(), sub.gone())\n",
    }
    root = tree(tmp_path, files)
    (root / "app/old.py").unlink()
    (root / "app/new.py").unlink()
    result = run_fix(root)
    assert (root / "app/user.py").read_text() == files["app/user.py"]
    assert [entry.reason for entry in result.left] == [
        "'app.new.sub' does not define 'gone', which the file uses as 'sub.gone'"
    ]
