"""``ssot-guard suggest`` on generated packages: what it finds, how it ranks, what it proposes."""

from __future__ import annotations

import json
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

from ssot_guard import check
from ssot_guard._cli import EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, main
from ssot_guard._suggest import suggest
from ssot_guard._suggest._parallel import SPLIT_FROM, map_files

SEED = Path(__file__).parent / "seed_example"

MANAGER = """\
class WebSocketManager:
    def __init__(self):
        self.events = []
        self.connection = None

    def connect(self, url):
        self.connection = url

    def send(self, event):
        self.events.append(event)
        return len(self.events)
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text), encoding="utf-8")
        for parent in target.relative_to(root).parents:
            init = root / parent / "__init__.py"
            if parent != Path(".") and not init.exists():
                init.write_text("", encoding="utf-8")
    return root


def rules(root: Path, **options: object) -> list[dict[str, object]]:
    return [s.rule for s in suggest([root], **options).suggestions]  # type: ignore[arg-type]


def test_copied_class_ranks_above_unrelated_namesakes(tmp_path: Path) -> None:
    """A copy-pasted class ranks above two unrelated classes that share only a name."""
    root = write(
        tmp_path,
        {
            "app/a.py": MANAGER + "class Config:\n    debug = True\n    x = 1\n    y = 2\n",
            "app/b.py": MANAGER.replace("return len", "return -len")
            + "class Config:\n    def load(self, path):\n        return open(path)\n"
            "    name = 'b'\n    z = 3\n",
        },
    )
    found = suggest([root], min_similarity=0.0).suggestions
    assert [s.rule["class"] for s in found if s.kind == "unique"] == ["WebSocketManager", "Config"]
    assert found[0].score > 0.8 > found[-1].score


def test_unalike_namesakes_are_not_suggested_by_default(tmp_path: Path) -> None:
    """Two classes that share a name but little of their bodies are not suggested."""
    root = write(
        tmp_path,
        {
            "app/a.py": "class Config:\n    a = 1\n    b = 2\n    c = 3\n",
            "app/b.py": "class Config:\n    x = 1\n    y = 2\n    z = 3\n",
        },
    )
    assert rules(root) == []


def test_unique_rule_names_class_within_and_canonical(tmp_path: Path) -> None:
    """The ``[[unique]]`` entry: the class, the package holding both, the most imported copy."""
    root = write(
        tmp_path,
        {
            "app/core/manager.py": MANAGER,
            "app/core/factory.py": MANAGER,
            "app/user.py": "from app.core.manager import WebSocketManager\n",
        },
    )
    [rule] = [r for r in rules(root) if "class" in r]
    assert rule["class"] == "WebSocketManager"
    assert rule["within"] == ["app.core"]
    assert rule["canonical"] == "app.core.manager"


def test_namesakes_in_unrelated_top_level_packages_are_not_grouped(tmp_path: Path) -> None:
    """The same class in two top-level packages is two projects' class, not a copy."""
    root = write(tmp_path, {"one/m.py": MANAGER, "two/m.py": MANAGER})
    assert rules(root) == []


def test_subclass_of_its_namesake_is_not_a_copy(tmp_path: Path) -> None:
    """``class Serializer(base.Serializer)`` specialises an interface: it is not suggested."""
    sub = MANAGER.replace(
        "class WebSocketManager:", "class WebSocketManager(base.WebSocketManager):"
    )
    root = write(tmp_path, {"app/base.py": MANAGER, "app/json.py": "from app import base\n" + sub})
    assert rules(root) == []


def test_module_extending_a_sibling_name_with_the_same_class(tmp_path: Path) -> None:
    """``websocket_manager_factory`` beside ``websocket_manager``, defining its class again."""
    root = write(
        tmp_path,
        {
            "app/websocket_manager.py": MANAGER + "def get():\n    return 1\n",
            "app/websocket_manager_factory.py": MANAGER + "def create():\n    return 2\n",
        },
    )
    blocks = [r for r in rules(root) if "module" in r]
    assert blocks == [
        {
            "module": "app.websocket_manager_factory",
            "use": "app.websocket_manager",
            "reason": "its name extends 'websocket_manager' and it defines WebSocketManager again",
        }
    ]


def test_module_whose_names_a_sibling_defines_alike(tmp_path: Path) -> None:
    """A module most of whose names (with alike bodies) a sibling defines: the less used goes."""
    functions = "def a(x):\n    return x + 1\n\ndef b(y):\n    return y * 2\n"
    root = write(
        tmp_path,
        {
            "app/helpers.py": functions + "def c():\n    return 3\n",
            "app/helpers_copy2.py": functions,
            "app/user.py": "from app.helpers import a\n\ndef main():\n    return a(1)\n",
        },
    )
    blocks = [r for r in rules(root) if "module" in r]
    assert [(b["module"], b["use"]) for b in blocks] == [("app.helpers_copy2", "app.helpers")]


def test_same_names_with_different_bodies_are_alternatives_not_copies(tmp_path: Path) -> None:
    """Two implementations of one interface (same names, different bodies) are not suggested."""
    root = write(
        tmp_path,
        {
            "app/trans_real.py": "def gettext(m):\n    return lookup(m)\n\ndef ngettext(a, b, n):\n"
            "    return lookup(a if n == 1 else b)\n",
            "app/trans_null.py": "def gettext(m):\n    return m\n\ndef ngettext(a, b, n):\n"
            "    return a\n",
        },
    )
    assert rules(root) == []


@pytest.mark.parametrize(
    ("temporary", "canonical"),
    [
        ("manager_legacy", "manager"),
        ("old_manager", "manager"),
        ("manager_v1", "manager"),
        ("compat", "manager"),
        ("deprecated", "manager"),
    ],
)
def test_temporary_named_module_beside_canonical(
    tmp_path: Path, temporary: str, canonical: str
) -> None:
    """A module named as temporary is suggested for retirement in favour of its sibling."""
    root = write(tmp_path, {"app/manager.py": MANAGER, f"app/{temporary}.py": MANAGER})
    blocks = [r for r in rules(root) if "module" in r]
    assert [(b["module"], b["use"]) for b in blocks] == [(f"app.{temporary}", f"app.{canonical}")]


def test_temporary_named_module_without_canonical_sibling(tmp_path: Path) -> None:
    """``legacy.py`` alone in its package (nothing shared with a sibling) is not suggested."""
    root = write(tmp_path, {"app/legacy.py": "def f():\n    return 1\n", "app/other.py": ""})
    assert rules(root) == []


def test_shim_that_only_reexports_a_sibling(tmp_path: Path) -> None:
    """A module that defines nothing and re-exports a sibling's names is a duplicate of it."""
    root = write(
        tmp_path,
        {"app/manager.py": MANAGER, "app/mgr.py": "from app.manager import WebSocketManager\n"},
    )
    blocks = [r for r in rules(root) if "module" in r]
    assert [(b["module"], b["use"]) for b in blocks] == [("app.mgr", "app.manager")]


def test_test_code_is_left_out_unless_asked(tmp_path: Path) -> None:
    """Classes in test files are not suggested, unless ``include_tests``."""
    root = write(tmp_path, {"app/tests/test_a.py": MANAGER, "app/tests/test_b.py": MANAGER})
    assert rules(root) == []
    assert [r["class"] for r in rules(root, include_tests=True)] == ["WebSocketManager"]


def test_what_the_configuration_has_is_not_suggested_again(tmp_path: Path) -> None:
    """A suggestion the configured rules already cover is left out and counted."""
    root = write(tmp_path, {"app/a.py": MANAGER, "app/b.py": MANAGER})
    config = tmp_path / "guard.toml"
    config.write_text('[[unique]]\nclass = "WebSocketManager"\nwithin = ["app"]\n')
    result = suggest([root], config=config)
    assert (result.suggestions, result.configured) == ([], 1)
    assert len(suggest([root], config=config, include_configured=True).suggestions) == 1


def _summary(rule: dict[str, object]) -> tuple[object, ...]:
    return tuple(v for k, v in rule.items() if k != "reason")


CORE = "netra_backend.app.websocket_core"


def test_seed_example_gets_exactly_the_rules_it_needs() -> None:
    """On the seed example: the unique WebSocketManager and the retired factory module, no more."""
    found = suggest([SEED], rules=[]).suggestions
    assert sorted(_summary(s.rule) for s in found) == [
        ("WebSocketManager", [CORE], f"{CORE}.websocket_manager"),
        (f"{CORE}.websocket_manager_factory", f"{CORE}.websocket_manager"),
    ]


def test_seed_example_with_its_config_gets_only_what_is_missing() -> None:
    """The seed's pyproject.toml already retires the factory: only ``[[unique]]`` is left."""
    result = suggest([SEED], config=SEED / "project" / "pyproject.toml")
    assert [_summary(s.rule) for s in result.suggestions] == [
        ("WebSocketManager", [CORE], f"{CORE}.websocket_manager")
    ]
    assert result.configured == 1


def test_text_output_pastes_into_pyproject_and_check_enforces_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The text output is TOML for ``[tool.ssot_guard]``; ``check`` then reports the copy."""
    root = write(
        tmp_path / "src",
        {"app/manager.py": MANAGER, "app/manager_factory.py": MANAGER + "X = 1\n"},
    )
    assert main(["suggest", str(root)]) == EXIT_FINDINGS
    out = capsys.readouterr().out
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text("[tool.ssot_guard]\n" + out, encoding="utf-8")
    assert len(tomllib.loads(pyproject.read_text())["tool"]["ssot_guard"]["block"]) == 1
    codes = sorted({f.code for f in check([root], config=pyproject).findings})
    assert codes == ["SSOT103", "SSOT201"]


def test_json_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--format json``: each suggestion's kind, score, rule, TOML and evidence."""
    root = write(tmp_path, {"app/a.py": MANAGER, "app/b.py": MANAGER})
    main(["suggest", "--format", "json", str(root)])
    document = json.loads(capsys.readouterr().out)
    [entry] = document["suggestions"]
    assert (entry["kind"], entry["score"], entry["rule"]["class"]) == (
        "unique",
        1.0,
        "WebSocketManager",
    )
    assert entry["toml"].startswith("[[tool.ssot_guard.unique]]\n")
    assert sorted(e["module"] for e in entry["evidence"]) == ["app.a", "app.b"]
    assert document["total"] == 1


def test_nothing_is_imported(tmp_path: Path) -> None:
    """Suggest reads source only: a module that would fail on import is never run."""
    bomb = "raise SystemExit('imported!')\n"
    root = write(tmp_path, {"bombs/a.py": bomb + MANAGER, "bombs/b.py": bomb + MANAGER})
    sys.path.insert(0, str(root))
    assert len(suggest([root], rules=[]).suggestions) == 1
    assert "bombs.a" not in sys.modules


def test_exit_status_0_when_nothing_to_suggest(tmp_path: Path) -> None:
    """No suggestion: exit 0."""
    root = write(tmp_path, {"app/a.py": MANAGER})
    assert main(["suggest", str(root)]) == EXIT_CLEAN


def test_bad_min_similarity_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--min-similarity 2`` is refused with what is allowed; exit 2."""
    assert main(["suggest", "--min-similarity", "2", str(tmp_path)]) == EXIT_USAGE
    assert "expected a number from 0 to 1, got '2'" in capsys.readouterr().err


def test_limit_shows_the_best_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--limit 1`` prints the best suggestion and says how many there are."""
    other = MANAGER.replace("WebSocketManager", "Other")
    root = write(tmp_path, {"app/a.py": MANAGER + other, "app/b.py": MANAGER + other})
    main(["suggest", "--limit", "1", str(root)])
    captured = capsys.readouterr()
    assert captured.out.count("[[tool.ssot_guard.") == 1
    assert "1 of 3 suggestion(s) shown" in captured.err


def test_unparsable_files_are_skipped_and_counted(tmp_path: Path) -> None:
    """A file that does not parse is skipped, and counted in the result."""
    root = write(tmp_path, {"app/a.py": MANAGER, "app/b.py": MANAGER, "app/bad.py": "def (:\n"})
    result = suggest([root], rules=[])
    assert (len(result.suggestions), result.unparsed) == (1, 1)


def test_two_process_read_keeps_the_order() -> None:
    """Big trees are read in two processes; the results come back in the files' order."""
    items = [str(i) for i in range(SPLIT_FROM + 7)]
    assert map_files(int, items) == list(range(SPLIT_FROM + 7))


def test_fifo_named_like_source_is_skipped_not_waited_on(tmp_path: Path) -> None:
    """A FIFO called ``x.py`` is skipped (counted as unparsed) instead of blocking the read."""
    import os
    import subprocess

    root = write(tmp_path, {"app/a.py": MANAGER, "app/b.py": MANAGER})
    os.mkfifo(root / "app" / "pipe.py")
    result = subprocess.run(
        [sys.executable, "-m", "ssot_guard", "suggest", "."],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "1 of 1 suggestion(s) shown" in result.stderr
    assert "1 could not be read or parsed (skipped)" in result.stderr


def test_deeply_nested_expression_is_skipped_not_a_crash(tmp_path: Path) -> None:
    """A class body that parses but nests too deeply to compare is left out, without a crash."""
    deep = "class Config:\n    x = 1" + "+1" * 2000 + "\n    y = 2\n    z = 3\n"
    root = write(tmp_path, {"app/a.py": deep + MANAGER, "app/b.py": deep + MANAGER})
    found = suggest([root], rules=[]).suggestions
    assert [s.rule["class"] for s in found if s.kind == "unique"] == ["WebSocketManager"]


def test_entry_point_that_calls_a_sibling_is_not_a_shim(tmp_path: Path) -> None:
    """``__main__.py`` or a script that imports from a sibling and runs it is no duplicate."""
    root = write(
        tmp_path,
        {
            "app/cli.py": "def main():\n    return 0\n",
            "app/__main__.py": "from app.cli import main\nmain()\n",
            "app/run.py": "from app.cli import main\nmain()\n",
        },
    )
    assert rules(root) == []


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the forked child in /proc")
def test_interrupted_suggest_leaves_no_child(tmp_path: Path) -> None:
    """SIGINT to ``suggest`` alone while its forked child reads half the tree.

    The child is stopped and reaped: no orphan goes on reading, no zombie is left; the
    command says it was interrupted (exit 130), without a traceback.
    """
    import os
    import signal
    import subprocess

    from ssot_guard._check._pool import can_fork, cores

    if cores() < 2 or not can_fork():
        pytest.skip("the forked split needs two cores")
    body = "".join(f"class C{i}:\n    def f(self):\n        return {i}\n" for i in range(300))
    root = write(tmp_path, {f"app/m{i:03}.py": body for i in range(SPLIT_FROM + 200)})

    def children(pid: int) -> list[int]:
        found = []
        for entry in filter(str.isdigit, os.listdir("/proc")):
            try:
                stat = Path(f"/proc/{entry}/stat").read_text(encoding="utf-8")
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
        return found

    process = subprocess.Popen(
        [sys.executable, "-m", "ssot_guard", "suggest", "."],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        while not (forked := children(process.pid)):
            assert process.poll() is None, "suggest ended before it forked"
        os.kill(process.pid, signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert not [pid for pid in forked if os.path.exists(f"/proc/{pid}")]


def test_line_break_in_a_path_stays_inside_its_comment(tmp_path: Path) -> None:
    """A checked directory named ``r\\n[evil]``: the evidence is escaped, so the text output
    stays one TOML document whose only tables are the suggested rules."""
    import subprocess

    root = tmp_path / "r\n[evil]"
    write(root, {"app/a.py": MANAGER, "app/b.py": MANAGER})
    result = subprocess.run(
        [sys.executable, "-m", "ssot_guard", "suggest", root.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == EXIT_FINDINGS, result.stderr
    document = tomllib.loads(result.stdout)
    assert list(document) == ["tool"]
    assert "#    r [evil]/app/a.py:" in result.stdout  # the break is a space, as in check


def test_cli_exclude_is_comma_separated_as_for_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``suggest --exclude a.py,b.py`` skips both files, as ``check --exclude`` does."""
    root = write(tmp_path, {"app/a.py": MANAGER, "app/b.py": MANAGER})
    monkeypatch.chdir(root)
    assert main(["suggest", "--exclude", "a.py,b.py"]) == EXIT_CLEAN
    assert "0 of 0 suggestion(s) shown" in capsys.readouterr().err


def test_files_the_check_excludes_are_not_read(tmp_path: Path) -> None:
    """A directory the configuration excludes (vendored code) or ``.gitignore`` ignores is
    not read: ``suggest`` reads the tree as ``check`` does, so no rule is suggested for a
    copy there."""
    root = write(tmp_path, {"app/a.py": MANAGER, "app/vendor/b.py": MANAGER, "gen/c.py": MANAGER})
    (root / "pyproject.toml").write_text(
        '[tool.ssot_guard]\n[tool.ssot_guard.check]\nextend-exclude = ["vendor"]\n',
        encoding="utf-8",
    )
    (root / ".gitignore").write_text("gen/\n", encoding="utf-8")
    result = suggest([root])
    assert result.suggestions == []
    assert result.files == 2  # app/__init__.py and app/a.py


def test_configuration_of_a_project_checked_from_its_parent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``suggest project`` from the directory above: the project's own pyproject.toml says
    what is configured (the nearest configuration, as for check), not the working
    directory's."""
    monkeypatch.delenv("SSOT_GUARD_CONFIG", raising=False)
    monkeypatch.chdir(SEED)
    result = suggest(["project"])
    assert [_summary(s.rule) for s in result.suggestions] == [
        ("WebSocketManager", [CORE], f"{CORE}.websocket_manager")
    ]
    assert result.configured == 1


MIGRATION = "class Migration:\n    dependencies = []\n    operations = []\n    atomic = True\n"


def test_a_class_repeated_in_many_modules_is_compared_once_per_distinct_body(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A convention copied into 300 modules (Django's ``Migration``) is one group, found by
    comparing each distinct body once: comparing every pair took minutes and gigabytes of
    memory on two thousand modules. Counted, not timed: the multisets of lines built."""
    from collections import Counter

    from ssot_guard._suggest import _classes

    built = 0

    class Counting(Counter[str]):
        def __init__(self, *args: object) -> None:
            nonlocal built
            built += 1
            super().__init__(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(_classes, "Counter", Counting)
    files = {f"app/m{i}.py": MIGRATION for i in range(300)}
    found = suggest([write(tmp_path, files)]).suggestions
    assert [(s.rule["class"], len(s.evidence), s.score) for s in found] == [("Migration", 300, 1.0)]
    assert built < 10


def test_modules_sharing_one_name_are_not_compared_pairwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """300 sibling modules that all define ``helper`` and little else alike are no copies:
    no pair of them can be, so none is compared (every pair was, quadratic in the package)."""
    from ssot_guard._suggest import _modules

    compared = 0
    copy_of = _modules._copy_of

    def counting(*args: object) -> object:
        nonlocal compared
        compared += 1
        return copy_of(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(_modules, "_copy_of", counting)
    files = {
        f"app/m{i}.py": f"def helper():\n    return {i}\ndef own{i}():\n    return 1\n"
        f"def more{i}():\n    return 2\n"
        for i in range(300)
    }
    assert suggest([write(tmp_path, files)]).suggestions == []
    assert compared == 0


def test_files_that_share_a_module_name_are_not_suggested(tmp_path: Path) -> None:
    """``mod.py`` in two directories without ``__init__.py`` are both module ``mod``: a rule
    cannot tell them apart, and the one suggested before (``within = ["mod"]``, canonical
    ``mod``) made ``check`` report nothing. With ``src`` naming them, they are suggested."""
    (tmp_path / "one/plug/a").mkdir(parents=True)
    (tmp_path / "two/plug/b").mkdir(parents=True)
    (tmp_path / "one/plug/a/mod.py").write_text(MANAGER, encoding="utf-8")
    (tmp_path / "two/plug/b/mod.py").write_text(MANAGER, encoding="utf-8")
    assert rules(tmp_path) == []
    (tmp_path / "pyproject.toml").write_text(
        '[tool.ssot_guard]\n[tool.ssot_guard.check]\nsrc = ["one", "two"]\n', encoding="utf-8"
    )
    assert [(r["class"], r["within"]) for r in rules(tmp_path)] == [("WebSocketManager", ["plug"])]


def _legacy_tree(root: Path) -> Path:
    """``app.x`` and ``app.x_legacy`` define one class; the legacy module is imported more."""
    return write(
        root,
        {
            "app/x.py": MANAGER,
            "app/x_legacy.py": MANAGER,
            "app/one.py": "from app.x_legacy import WebSocketManager\nA = 1\nB = 2\n",
            "app/two.py": "from app.x_legacy import WebSocketManager\nC = 1\nD = 2\n",
            "app/three.py": "from app.x import WebSocketManager\nE = 1\nF = 2\n",
        },
    )


def test_canonical_class_module_is_not_one_suggested_for_retirement(tmp_path: Path) -> None:
    """The class's canonical module is not the one a suggested ``[[block]]`` retires, even
    when that one is imported more: pasted together, the rules said "use
    app.x_legacy.WebSocketManager" and "app.x_legacy is retired; use app.x"."""
    found = rules(_legacy_tree(tmp_path))
    assert {"module": "app.x_legacy", "use": "app.x"} in [
        {k: r[k] for k in ("module", "use")} for r in found if "module" in r
    ]
    assert [r["canonical"] for r in found if "class" in r] == ["app.x"]


def test_canonical_class_module_is_not_one_the_configuration_retires(tmp_path: Path) -> None:
    """A module the configuration already blocks is not proposed as a class's canonical."""
    root = _legacy_tree(tmp_path)
    (root / "pyproject.toml").write_text(
        '[tool.ssot_guard]\n[[tool.ssot_guard.block]]\nmodule = "app.x_legacy"\n',
        encoding="utf-8",
    )
    assert [r["canonical"] for r in rules(root) if "class" in r] == ["app.x"]


TWO_FUNCTIONS = "def a(x):\n    return x + 1\n\ndef b(x):\n    return x * 2\n"


def test_a_file_that_is_no_module_name_is_not_suggested(tmp_path: Path) -> None:
    """``x-copy.py`` (a copy saved under a name no import can spell) cannot be named by a
    rule: the ``module = "app.x-copy"`` suggested before made the pasted configuration
    invalid, and ``check`` exited 2."""
    root = write(tmp_path, {"app/x.py": TWO_FUNCTIONS, "app/x-copy.py": TWO_FUNCTIONS})
    assert rules(root) == []


def test_a_copy_with_more_names_retires_the_smaller_one(tmp_path: Path) -> None:
    """``app.y`` is ``app.x`` plus one name: each holds most of the other's names, so each
    pointed at the other, and both suggestions were dropped. The surer one is kept, and the
    pasted rule round-trips through ``check``."""
    root = write(
        tmp_path,
        {"app/x.py": TWO_FUNCTIONS, "app/y.py": TWO_FUNCTIONS + "LIMIT = 3\n"},
    )
    result = suggest([root])
    assert [s.rule for s in result.suggestions] == [
        {"module": "app.x", "use": "app.y", "reason": "2 of its 2 top-level names are in 'y'"}
    ]
    toml = "[tool.ssot_guard]\n" + result.suggestions[0].toml()
    (root / "pyproject.toml").write_text(toml, encoding="utf-8")
    assert [f.code for f in check([root]).findings] == ["SSOT103"]


def test_two_implementations_of_one_interface_are_not_copies(tmp_path: Path) -> None:
    """Two ``Backend`` classes whose methods share their signatures and nothing else are one
    interface implemented twice; the signatures alone made them 50% alike, and suggested."""
    redis = (
        "class Backend:\n    def get(self, key):\n        return self.client.get(key)\n"
        "    def set(self, key, value):\n        self.client.set(key, value)\n"
        "    def delete(self, key):\n        self.client.delete(key)\n"
    )
    memory = (
        "class Backend:\n    def get(self, key):\n        return self.data.get(key)\n"
        "    def set(self, key, value):\n        self.data[key] = value\n"
        "    def delete(self, key):\n        self.data.pop(key, None)\n"
    )
    root = write(tmp_path, {"app/backends/redis.py": redis, "app/backends/memory.py": memory})
    assert rules(root) == []


def test_replacement_is_never_a_module_the_configuration_retires(tmp_path: Path) -> None:
    """``app.z`` copies ``app.x``, which the configuration already retires for ``app.w``:
    ``use = "app.x"`` was suggested, and the pasted configuration was refused ("names 'app.x',
    which ... retires")."""
    root = write(
        tmp_path,
        {
            "app/x.py": TWO_FUNCTIONS,
            "app/z.py": TWO_FUNCTIONS,
            "app/w.py": "def other():\n    return 0\n",
        },
    )
    (root / "pyproject.toml").write_text(
        '[tool.ssot_guard]\n[[tool.ssot_guard.block]]\nmodule = "app.x"\nuse = "app.w"\n',
        encoding="utf-8",
    )
    assert [r["use"] for r in rules(root) if "use" in r] == []


def test_versioned_modules_are_retired_for_the_newest_version(tmp_path: Path) -> None:
    """``api_v1``, ``api_v2``, ``api_v9`` and ``api_v10`` (no ``api``): each older one is
    retired for ``api_v10``, which is not retired itself. Before, they pointed at each other
    and nothing was suggested, or ``api_v10`` lost to ``api_v9`` by name."""
    files = {
        f"app/api_v{v}.py": f"def a(x):\n    return x + {v}\n\ndef b(x):\n    return x\n"
        for v in (1, 2, 9, 10)
    }
    found = rules(write(tmp_path, files))
    assert sorted((r["module"], r["use"]) for r in found) == [
        ("app.api_v1", "app.api_v10"),
        ("app.api_v2", "app.api_v10"),
        ("app.api_v9", "app.api_v10"),
    ]
