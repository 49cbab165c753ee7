"""Parsing only the statements that matter: the same findings as a full parse, always."""

from __future__ import annotations

import ast
import os
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ssot_guard import Block, Deprecate, Redirect
from ssot_guard._check import check
from ssot_guard._check._prefilter import Plan

LEGACY = [Block("pkg.app.legacy")]
FILLER = "def f():\n    return 1\n\n\n" * 40


def findings(tmp_path: Path, rules: list, *, parse_all: bool = False) -> list[tuple[str, int]]:
    result = check([str(tmp_path)], rules=rules, parse_all=parse_all, jobs=1)
    return [(f.code, f.line) for f in result.findings]


def test_backslash_continued_from_import_is_found(tmp_path: Path) -> None:
    """``from pkg.app.legacy \\`` with ``import X`` on the next line is one import statement."""
    source = f"import os\n{FILLER}from pkg.app.legacy \\\n    import X\n{FILLER}"
    (tmp_path / "a.py").write_text(source, encoding="utf-8")
    assert findings(tmp_path, LEGACY) == [("SSOT101", 162)]


def test_parenthesis_in_a_comment_hides_no_import(tmp_path: Path) -> None:
    """An unclosed ``(`` inside a comment opens nothing: the next line's import is found."""
    source = f"import os  # helpers (old\nfrom pkg.app.legacy import X\n{FILLER}"
    (tmp_path / "a.py").write_text(source, encoding="utf-8")
    assert findings(tmp_path, LEGACY) == [("SSOT101", 2)]


def test_import_inside_a_docstring_is_no_import(tmp_path: Path) -> None:
    """Text that reads like an import inside a string is not one, even on a line of its own."""
    source = f'"""Usage:\n\nfrom pkg.app.legacy import X\n"""\n{FILLER}'
    (tmp_path / "a.py").write_text(source, encoding="utf-8")
    assert findings(tmp_path, LEGACY) == []


def test_needle_in_a_long_parenthesised_import(tmp_path: Path) -> None:
    """The name may sit lines below the ``from``, inside parentheses and among comments."""
    names = "".join(f"    name{i},  # ) not closing\n" for i in range(30))
    source = f"{FILLER}from pkg.app import (\n{names}    legacy,\n)\n{FILLER}"
    (tmp_path / "a.py").write_text(source, encoding="utf-8")
    assert findings(tmp_path, LEGACY) == [("SSOT101", 192)]  # the line of the name
    assert findings(tmp_path, LEGACY, parse_all=True) == [("SSOT101", 192)]


def test_patch_target_in_a_multiline_with_header(tmp_path: Path) -> None:
    """A ``mock.patch`` target on the last line of a ``with`` header, its body on the next."""
    source = textwrap.dedent(
        """\
        from unittest import mock

        def test():
            with mock.patch.object(
                x, "y"
            ), mock.patch("pkg.app.legacy.warn") as m:
                pass
        """
    )
    (tmp_path / "a.py").write_text(source, encoding="utf-8")
    assert findings(tmp_path, LEGACY) == [("SSOT101", 6)]
    assert findings(tmp_path, LEGACY, parse_all=True) == [("SSOT101", 6)]


def test_only_the_statements_are_parsed(tmp_path: Path) -> None:
    """A syntax error far from the import goes unseen without ``parse_all``; with it, seen."""
    (tmp_path / "a.py").write_text(f"import pkg.app.legacy\n{FILLER}def g(:\n", encoding="utf-8")
    assert findings(tmp_path, LEGACY) == [("SSOT101", 1)]
    assert [c for c, _ in findings(tmp_path, LEGACY, parse_all=True)] == ["SSOT901"]


# -- differential: generated files -------------------------------------------------------------

RULES = [
    Block("pkg.app.legacy"),
    Block(pattern="pkg.*_factory"),
    Redirect("pkg.old", to="pkg.new"),
    Deprecate("pkg.util:old_helper"),
]

# Statements, each a list of lines, some of them compound (their body is generated).
STATEMENTS = [
    ["import pkg.app.legacy"],
    ["import pkg.app.legacy as lg, os"],
    ["from pkg.app import legacy"],
    ["from pkg.app import (", "    other,  # legacy (", "    legacy,", ")"],
    ["from pkg.app.legacy \\", "    import X"],
    ["from pkg import ws_factory"],
    ["import pkg.old.sub"],
    ["from . import legacy"],
    ["from .legacy import Y"],
    ["from pkg.util import old_helper"],
    ["import pkg.util as u"],
    ["u.old_helper()"],
    ["x = u.old_helper"],
    ["getattr(u, 'old_helper')"],
    ["import os  # helpers (old"],
    ["x = 1; import pkg.app.legacy"],
    ["if x: from pkg.app import legacy"],
    ["s = 'from pkg.app.legacy import X'"],
    ['s = """', "import pkg.app.legacy", '"""'],
    ["s = '''it''s (", "from pkg.app import legacy", "'''"],
    ["# import pkg.app.legacy"],
    ["x = (1,  # (", "     2)"],
    ["x = [", "    'pkg.app.legacy',", "]"],
    ["importlib.import_module('pkg.app.legacy')"],
    ["importlib.import_module('pkg.app.leg' 'acy')"],
    ["importlib.import_module('pkg.app.\\x6cegacy')"],
    ["__import__('pkg.app', fromlist=['legacy'])"],
    ["importlib.import_module('.legacy', package=__package__)"],
    ["mock.patch('pkg.app.legacy.X')"],
    ["mock.patch(", "    'pkg.old.thing',", ")"],
    ["@mock.patch('pkg.app.legacy.X')", "def test_x(m): pass"],
    ["@decorator", "@mock.patch('pkg.old.Y')", "def test_y(m):"],
    ["with mock.patch('pkg.app.legacy.Z'):"],
    ["if TYPE_CHECKING:"],
    ["try:"],
    ["def f(a=u.old_helper):"],
    ["class C(Base):"],
    ["for i in range(3):"],
    ["x = f'{legacy}'"],
    ['x = r\'\\d\' + "\\"legacy\\""'],
    ["legacy = 1"],
    ["y = x.legacy.attr"],
    ["x = 1 \\", "    + 2"],
]


def _block(rng: random.Random, depth: int, indent: str) -> list[str]:
    lines: list[str] = []
    for _ in range(rng.randint(1, 6)):
        statement = rng.choice(STATEMENTS)
        lines.extend(indent + line for line in statement)
        if statement[-1].endswith(":"):
            if statement[0] == "try:":
                lines.extend(_block(rng, depth + 1, indent + "    "))
                lines.append(indent + "except ImportError:")
            if depth < 3:
                lines.extend(_block(rng, depth + 1, indent + "    "))
            else:
                lines.append(indent + "    pass")
        if rng.random() < 0.2:
            lines.append("")
    return lines


def _generated(rng: random.Random) -> str:
    while True:
        source = "\n".join(_block(rng, 0, "")) + "\n"
        try:
            ast.parse(source)
        except SyntaxError:
            continue
        return source


def _differences(root: Path, rules: list) -> tuple[int, list[str]]:
    fast = check([str(root)], rules=rules, jobs=1)
    full = check([str(root)], rules=rules, jobs=1, parse_all=True)
    a = [str(f) for f in fast.findings if f.code != "SSOT901"]
    b = [str(f) for f in full.findings if f.code != "SSOT901"]
    return len(b), sorted(set(a) ^ set(b))


def test_generated_files_find_what_a_full_parse_finds(tmp_path: Path) -> None:
    """On 300 generated files of imports, strings, comments and continuations in every
    arrangement, the statements-only parse finds exactly what a full parse finds."""
    rng = random.Random(1515)
    package = tmp_path / "pkg" / "app"
    package.mkdir(parents=True)
    for index in range(300):
        where = package if index % 3 else tmp_path
        (where / f"m{index}.py").write_text(_generated(rng), encoding="utf-8")
    expected, differences = _differences(tmp_path, RULES)
    assert expected > 300
    assert differences == []


def test_real_tree_finds_what_a_full_parse_finds(tmp_path: Path) -> None:
    """On real code (the standard library's ``email``, ``json``, ``importlib``, ``unittest``
    and ``asyncio`` and these tests), with rules on modules most files import, the
    statements-only parse finds exactly what a full parse finds."""
    library = Path(os.__file__).parent
    roots = [library / name for name in ("email", "json", "importlib", "unittest", "asyncio")]
    roots.append(Path(__file__).parent)
    rules = [
        Block("os"),
        Block("sys"),
        Block("collections.abc"),
        Block("typing"),
        Block("importlib.util"),
        Block("unittest.mock"),
        Block("email.message"),
        Block("json.decoder"),
        Block("asyncio.events"),
        Deprecate("os.path:join"),
    ]
    total = 0
    for root in roots:
        expected, differences = _differences(root, rules)
        assert differences == [], root
        total += expected
    assert total > 150


# -- setup and screen -------------------------------------------------------------------------


def test_setup_is_linear_in_the_rules(tmp_path: Path) -> None:
    """40,000 rules on a small tree: seconds, not the hours a quadratic setup takes."""
    (tmp_path / "a.py").write_text("import pkg7.sub7.mod7\nimport os\n", encoding="utf-8")
    (tmp_path / "b.py").write_text("x = 1\n", encoding="utf-8")
    script = textwrap.dedent(
        f"""
        from ssot_guard import Block
        from ssot_guard._check import check
        rules = [Block(f"pkg{{i % 37}}.sub{{i % 101}}.mod{{i}}") for i in range(40_000)]
        print(len(check([{str(tmp_path)!r}], rules=rules).findings))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.split() == ["1"]


@pytest.mark.parametrize(
    "line",
    [
        'importlib.import_module("pkg.app.leg" "acy")',
        'importlib.import_module("pkg.app.\\x6cegacy")',
        'importlib.import_module(name="pkg.app.\\N{LATIN SMALL LETTER L}egacy")',
        '__import__("pkg.app.leg"\n    "acy")',
        '__import__("pkg.app.\\154egacy")',
        'mock.patch(("pkg.app.leg" "acy.X"))',
    ],
)
def test_import_call_spelled_with_escapes_or_concatenation(tmp_path: Path, line: str) -> None:
    """A string argument the bytes do not spell (adjacent literals, escapes) is still read."""
    (tmp_path / "a.py").write_text(f"import importlib\n{line}\n", encoding="utf-8")
    assert findings(tmp_path, LEGACY) == [("SSOT101", 2)]


def test_nfkc_equivalent_name_without_parse_all(tmp_path: Path) -> None:
    """``import pkg.app.legacy`` in fullwidth letters is the same import (NFKC)."""
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in "legacy")
    (tmp_path / "a.py").write_text(f"import pkg.app.{fullwidth}\n", encoding="utf-8")
    assert findings(tmp_path, LEGACY) == [("SSOT101", 1)]


def test_utf7_file_without_parse_all(tmp_path: Path) -> None:
    """A file in UTF-7 (``+AGw-`` is ``l``) is decoded before it is screened."""
    source = "# coding: utf-7\nimport pkg.app.legacy\n".encode("utf-7")
    source = source.replace(b"legacy", b"+AGw-egacy")
    assert source.decode("utf-7").endswith("import pkg.app.legacy\n")
    (tmp_path / "a.py").write_bytes(source)
    assert findings(tmp_path, LEGACY) == [("SSOT101", 2)]


def test_unknown_coding_cookie_is_at_column_one(tmp_path: Path) -> None:
    """An unknown encoding is reported at line 1, column 1 (SARIF counts from 1)."""
    (tmp_path / "a.py").write_bytes(b"# coding: no-such-codec\nimport pkg.app.legacy\n")
    (finding,) = check([str(tmp_path)], rules=LEGACY).findings
    assert (finding.code, finding.line, finding.col) == ("SSOT901", 1, 1)


def test_plain_import_call_is_not_odd() -> None:
    """A plain literal argument is left to the needle search: it alone is no candidate."""
    plan = Plan(LEGACY)
    assert not plan.rule_hit(b'importlib.import_module("other.module")\n', "x")
    assert plan.rule_hit(b'importlib.import_module("other" ".module")\n', "x")


def test_compatibility_characters_only_in_strings_keep_the_fast_path(tmp_path: Path) -> None:
    """NFKC changes a string's "\ufb01" ligature, but Python only normalises identifiers: the
    file is read as its bytes (statements only: the syntax error far below goes unseen)."""
    source = f's = "\ufb01le"\nimport pkg.app.legacy\n{FILLER}def g(:\n'
    (tmp_path / "a.py").write_text(source, encoding="utf-8")
    assert findings(tmp_path, LEGACY) == [("SSOT101", 2)]


def test_process_pool_finds_the_same(tmp_path: Path) -> None:
    """Workers of a pool (the plan pickled to them) find what one process finds.

    In a subprocess: the suite's clean-up of ``sys.modules`` between tests would leave
    this process's ``concurrent.futures`` classes unpicklable."""
    rng = random.Random(15)
    for index in range(40):
        (tmp_path / f"m{index}.py").write_text(_generated(rng), encoding="utf-8")
    script = textwrap.dedent(
        f"""
        from ssot_guard import Block, Deprecate, Redirect
        from ssot_guard._check import check
        rules = [Block("pkg.app.legacy"), Block(pattern="pkg.*_factory"),
                 Redirect("pkg.old", to="pkg.new"), Deprecate("pkg.util:old_helper")]
        one = [str(f) for f in check([{str(tmp_path)!r}], rules=rules, jobs=1).findings]
        pool = [str(f) for f in check([{str(tmp_path)!r}], rules=rules, jobs=2).findings]
        print(len(one), pool == one)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    count, same = result.stdout.split()
    assert int(count) > 20
    assert same == "True"


@pytest.mark.parametrize(
    "first",
    ["import pkg.app.legacy", "from pkg.app.legacy import X", "import os, pkg.app.legacy"],
)
def test_import_right_after_a_byte_order_mark_is_found(tmp_path: Path, first: str) -> None:
    """A file that starts with a UTF-8 BOM and then an import (a Windows editor's file).

    The keyword follows the BOM's bytes, not a line start: the statement path did not see
    it, and the import went unreported unless ``--parse-all``.
    """
    data = b"\xef\xbb\xbf" + first.encode() + b"\n" + FILLER.encode()
    (tmp_path / "a.py").write_bytes(data)
    assert findings(tmp_path, LEGACY) == [("SSOT101", 1)]
    assert findings(tmp_path, LEGACY) == findings(tmp_path, LEGACY, parse_all=True)


def test_columns_after_a_byte_order_mark_count_from_the_first_character(tmp_path: Path) -> None:
    """The BOM is no column: ``import pkg.app.legacy`` after it is at column 8, as on line 2."""
    data = b"\xef\xbb\xbfimport pkg.app.legacy\nimport pkg.app.legacy\n"
    (tmp_path / "a.py").write_bytes(data)
    result = check([str(tmp_path)], rules=LEGACY, parse_all=True, jobs=1)
    assert [(f.line, f.col) for f in result.findings] == [(1, 8), (2, 8)]
