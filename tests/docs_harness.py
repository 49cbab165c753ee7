"""Runs the code blocks of a Markdown page as written, with sybil's parsers.

Each page runs in a fresh project (:func:`make_project`): a generated ``app`` package with
the modules the pages talk about and a ``pyproject.toml`` with the README's rules. What each
fence language means:

- ``python``: executed in the page's one namespace (blocks share names, in order), from a
  file ``example.py`` in the project, with stdout captured. ``<!-- invisible-code-block:
  python -->`` runs code the reader does not see, to produce output the page shows.
- ``text`` (and ``json``) right after a block that produced output: compared with it.
- ``pycon``: a doctest session, compared line by line.
- ``console``: ``$ command`` lines run in the project (``ssot-guard``, ``python``), stderr
  merged into stdout as on a terminal; the lines after a command are its output, compared. A
  command shown without output must exit 0.
- ``sh``: the block runs in the project with ``bash -e``; it must exit 0.
- ``toml``: loaded with :func:`ssot_guard.load_config` (a ``[tool.ssot_guard]`` table, or a
  dedicated file's top level); another tool's table (``[tool.importlinter]``, ...) must be
  valid TOML.
- ``json``, ``yaml`` elsewhere: must parse.

Compared output is normalised only where it must vary: the project's absolute path reads
``/srv/app``, and ``...`` in the shown output matches anything (doctest's ELLIPSIS).
A block that cannot run here carries ``<!-- skip: next "why" -->`` (or ``skip: start`` /
``skip: end`` around several); a skip without a reason, a fence in a language nobody
handles, or output that no block produced fails the page.
"""

from __future__ import annotations

import contextlib
import difflib
import doctest
import io
import json
import os
import re
import subprocess
import sys
import textwrap
import tomllib
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import SkipTest

import yaml
from sybil import Document, Example
from sybil.example import SybilFailure
from sybil.parsers.markdown import CodeBlockParser, SkipParser

import ssot_guard

#: How the project's absolute path is shown in the docs.
SHOWN_ROOT = "/srv/app"

PYPROJECT = """\
[project]
name = "app"
version = "1.0"

[tool.ssot_guard]
mode = "strict"

[[tool.ssot_guard.block]]
module = "app.websocket_core.websocket_manager_factory"
use = "app.websocket_core.websocket_manager"
reason = "dual factory pattern removed (#1126)"

[[tool.ssot_guard.redirect]]
module = "app.old_name"
to = "app.new_name"
"""

#: The modules the pages mention, by path in the project.
PROJECT_FILES = {
    "pyproject.toml": PYPROJECT,
    "app/__init__.py": "",
    "app/new_name.py": "class Manager: ...\n",
    "app/old_name.py": "raise RuntimeError('the old file must never run')\n",
    "app/websocket_manager.py": "class WebSocketManager: ...\n",
    "app/websocket_manager_factory.py": (
        "def create(): ...\n\n\ndef create_websocket_manager(): ...\n"
    ),
    "app/websocket_core/__init__.py": "",
    "app/websocket_core/websocket_manager.py": (
        "class WebSocketManager: ...\n\n\n"
        "def get_websocket_manager(user_context=None):\n"
        "    return WebSocketManager()\n"
    ),
    "app/websocket_core/websocket_manager_factory.py": ("def create_websocket_manager(): ...\n"),
    "app/websocket_core/legacy.py": "def create_websocket_manager(): ...\n",
    "app/reports/__init__.py": "",
    "app/reports/export.py": (
        '"""Monthly export: still on the old factory."""\n\n'
        "from app.websocket_core.websocket_manager_factory import create_websocket_manager\n"
    ),
}

#: Keys a dedicated ssot_guard file has at its top level.
TOP_LEVEL_KEYS = {"mode", "block", "redirect", "unique", "deprecate"}


def make_project(root: Path) -> Path:
    """Write the project every page runs in; returns its root."""
    for relative, text in PROJECT_FILES.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    # A repository, as the pages' `git add` expects.
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


class _Checker(doctest.OutputChecker):
    """doctest's checker on output whose project path reads as the docs show it."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def normalise(self, got: str) -> str:
        for form in {str(self.root.resolve()), str(self.root)}:
            got = got.replace(form, SHOWN_ROOT)
        return got

    def check_output(self, want: str, got: str, optionflags: int) -> bool:
        return super().check_output(want, self.normalise(got), optionflags | doctest.ELLIPSIS)


@dataclass
class PageRun:
    """Runs one page's examples in order; collects what failed and what was skipped."""

    page: Path
    project: Path
    failures: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    last_output: str | None = None

    def __post_init__(self) -> None:
        self.checker = _Checker(self.project)
        bin_dir = str(Path(sys.executable).parent)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("SSOT_GUARD_")}
        self.env["PATH"] = bin_dir + os.pathsep + self.env.get("PATH", "")
        self.env.pop("PYTHONWARNINGS", None)

    # -- the parsers ---------------------------------------------------------------------

    def parsers(self) -> list[Callable[[Document], Any]]:
        evaluators: dict[str, Callable[[Example], str | None]] = {
            "python": self.run_python,
            "pycon": self.run_pycon,
            "text": self.compare_text,
            "console": self.run_console,
            "sh": self.run_sh,
            "toml": self.load_toml,
            "json": self.check_json,
            "yaml": self.check_yaml,
        }
        parsers: list[Callable[[Document], Any]] = [SkipParser()]
        parsers += [CodeBlockParser(lang, evaluator) for lang, evaluator in evaluators.items()]
        return parsers

    def run(self) -> None:
        document = Document.parse(str(self.page), *self.parsers())
        self.check_coverage(document)
        for example in document:
            where = f"{self.page.name}:{example.line}"
            try:
                example.evaluate()
            except SkipTest as skip:
                self.skipped.append(f"{where}: {skip}")
                self.last_output = None
            except SybilFailure as failure:
                self.failures.append(f"{where}: {failure.result}")
                self.last_output = None

    def check_coverage(self, document: Document) -> None:
        """Every fence is some parser's example; every skip says why."""
        starts = {region.start for _, region in document.regions}
        fence = re.compile(r"^[ \t]*(`{3,}|~{3,})(.*)$", re.MULTILINE)
        inside = None
        for match in fence.finditer(document.text):
            if inside is None:
                inside = match.group(1)
                if match.start() not in starts:
                    line = document.text.count("\n", 0, match.start()) + 1
                    language = match.group(2).strip() or "(none)"
                    self.failures.append(
                        f"{self.page.name}:{line}: a ```{language} block that no parser runs; "
                        "give it a language the harness knows (python, pycon, text, console, "
                        "sh, toml, json, yaml) or a skip directive"
                    )
            elif match.group(1).startswith(inside) and not match.group(2).strip():
                inside = None
        for _, region in document.regions:
            parsed = region.parsed
            is_skip = isinstance(parsed, tuple) and parsed[0] in ("next", "start")
            if is_skip and not (parsed[1] or "").strip():
                line = document.text.count("\n", 0, region.start) + 1
                self.failures.append(
                    f'{self.page.name}:{line}: a skip without a reason; write skip: next "why"'
                )

    # -- comparing output ----------------------------------------------------------------

    def compare(self, want: str, got: str) -> str | None:
        want = textwrap.dedent(want).rstrip() + "\n"
        got = "\n".join(line.rstrip() for line in got.rstrip().splitlines()) + "\n"
        if self.checker.check_output(want, got, 0):
            return None
        diff = difflib.unified_diff(
            want.splitlines(),
            self.checker.normalise(got).splitlines(),
            "shown",
            "produced",
            lineterm="",
        )
        return "the shown output is not what the code produces:\n" + "\n".join(diff)

    def compare_text(self, example: Example) -> str | None:
        produced, self.last_output = self.last_output, None
        if produced is None:
            return (
                "no block right before this output block produced output; run the code that "
                "prints it (an invisible-code-block) or mark it with a skip directive"
            )
        return self.compare(str(example.parsed), produced)

    # -- python --------------------------------------------------------------------------

    def run_python(self, example: Example) -> str | None:
        self.last_output = None
        source = str(example.parsed)
        script = self.project / "example.py"
        script.write_text(source, encoding="utf-8")
        namespace = example.namespace
        namespace.setdefault("__name__", "__main__")
        namespace["__file__"] = str(script)
        out, err = io.StringIO(), io.StringIO()
        try:
            code = compile(source, str(script), "exec")
            with (
                contextlib.redirect_stdout(out),
                contextlib.redirect_stderr(err),
                warnings.catch_warnings(record=True),
            ):
                # As a script sees them (on stderr), not under pytest's "error" filter.
                warnings.simplefilter("default")
                exec(code, namespace)
        except BaseException:
            return "raised:\n" + traceback.format_exc(limit=-3) + err.getvalue()
        self.last_output = out.getvalue()
        return None

    def run_pycon(self, example: Example) -> str | None:
        self.last_output = None
        test = doctest.DocTestParser().get_doctest(
            str(example.parsed), example.namespace, self.page.name, str(self.page), example.line
        )
        report = io.StringIO()
        runner = doctest.DocTestRunner(checker=self.checker, optionflags=doctest.ELLIPSIS)
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("default")
            result = runner.run(test, out=report.write, clear_globs=False)
        return report.getvalue() if result.failed else None

    # -- shell -----------------------------------------------------------------------------

    def shell(self, command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-e", "-c", command],
            cwd=self.project,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=120,
            check=False,
        )

    def run_sh(self, example: Example) -> str | None:
        result = self.shell(str(example.parsed))
        self.last_output = result.stdout
        if result.returncode != 0:
            return f"exited {result.returncode}:\n{result.stdout}"
        return None

    def run_console(self, example: Example) -> str | None:
        self.last_output = None
        sessions: list[tuple[str, list[str]]] = []
        for line in str(example.parsed).splitlines():
            if line.startswith("$ "):
                sessions.append((line[2:], []))
            elif sessions:
                sessions[-1][1].append(line)
            elif line.strip():
                return f"output before any '$ ' command: {line!r}"
        problems = []
        for command, shown in sessions:
            result = self.shell(command)
            if not any(line.strip() for line in shown):
                if result.returncode != 0:
                    problems.append(f"$ {command}: exited {result.returncode}:\n{result.stdout}")
            elif problem := self.compare("\n".join(shown), result.stdout):
                problems.append(f"$ {command}: {problem}")
        return "\n".join(problems) or None

    # -- data ------------------------------------------------------------------------------

    def load_toml(self, example: Example) -> str | None:
        self.last_output = None
        text = str(example.parsed)
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            return f"not valid TOML: {error}"
        tool = data.get("tool", {})
        if "ssot_guard" in tool:
            target = self.project.parent / "checked" / "pyproject.toml"
        elif set(data) & TOP_LEVEL_KEYS:
            target = self.project.parent / "checked" / "ssot_guard.toml"
        elif tool or re.match(r"# [\w.-]+\.toml\n", text):
            # Another tool's table, or another tool's file named on the first line
            # ("# tach.toml"): valid TOML is all that can be asked.
            return None
        else:
            return (
                "neither a [tool.ssot_guard] table, a dedicated file, nor another tool's "
                "configuration (a [tool.x] table, or a first line '# file.toml' naming its file)"
            )
        target.parent.mkdir(exist_ok=True)
        target.write_text(text, encoding="utf-8")
        try:
            ssot_guard.load_config(target)
        except ssot_guard.ConfigError as error:
            return f"load_config refuses it: {error}"
        return None

    def check_json(self, example: Example) -> str | None:
        produced, self.last_output = self.last_output, None
        if produced is not None:
            return self.compare(str(example.parsed), produced)
        try:
            json.loads(str(example.parsed))
        except ValueError as error:
            return f"not valid JSON: {error}"
        return None

    def check_yaml(self, example: Example) -> str | None:
        self.last_output = None
        try:
            yaml.safe_load(str(example.parsed))
        except yaml.YAMLError as error:
            return f"not valid YAML: {error}"
        return None
