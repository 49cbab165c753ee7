"""What each code means and what to do about it: ``ssot-guard rule CODE``, SARIF ``help``.

docs/codes.md holds the same text, one section per code (a test keeps them equal).
"""

from __future__ import annotations

from typing import Final

from ._findings import CODES, help_uri

#: Per code: the explanation, in Markdown, without the heading.
EXPLANATIONS: Final[dict[str, str]] = {
    "SSOT101": """\
An import of a module that a `[[block]]` rule retires. Every static import form is seen:
`import x`, `from x import y`, relative imports, `importlib.import_module("x")`,
`__import__`, and dotted string targets such as `mock.patch("x.Y")`. At run time the same
import raises `ImportError` (strict mode) or warns (warn mode).

Fix: import the replacement the message names (the rule's `use`). If the import must stay
for now, add the importer to the rule's `allow_importers`, or suppress the line with
`# ssot: ignore[SSOT101]` and a reason.""",
    "SSOT102": """\
An import of a module that a `[[redirect]]` rule renamed. At run time the old name still
works (it gives the canonical module, with a warning); the message names the new name
(`old.sub` becomes `new.sub`).

Fix: import the new name.""",
    "SSOT103": """\
A file whose module a `[[block]]` rule retires is still in the tree. Reported at line 1 of
each of its files: a retired module is meant to be deleted, not only unused.

Fix: delete the file (after fixing its importers, reported as `SSOT101`), or `allow` the
module in the rule if it must stay.""",
    "SSOT104": """\
An import of a blocked module that production saw: a line of an `SSOT_GUARD_RECORD` file
passed with `--runtime`, placed at the importer's file and line in the checked tree. It
reports what no static rule could see (a module loaded by a name computed at run time); where
a static `SSOT101` already covers the line, only that one is reported.

Fix: as for `SSOT101`: import the replacement. The finding goes away once production's
records no longer hold the line (start a new record file after the fix is deployed).""",
    "SSOT105": """\
An import of a redirected (renamed) module that production saw, from a `--runtime` record,
at the importer's file and line.

Fix: import the new name, as for `SSOT102`.""",
    "SSOT201": """\
A second definition of a class that a `[[unique]]` rule says must be defined once, in
modules under `within`. With `canonical`, every definition outside that module is
reported; without it, every definition but the first in sorted path order.

Fix: delete the duplicate and import the canonical class.""",
    "SSOT202": """\
Two classes registered with `SSOTMeta`, `SSOTBase` or `@ssot_class` share a registry key
(the `ssot_key=` argument, else the class name). At run time the second definition raises
`DuplicateClassError` in strict mode and warns in warn mode.

Fix: delete the duplicate, or give it its own `ssot_key`.""",
    "SSOT203": """\
A second definition of a class that production saw (a `[[unique]]` class or a registry key
defined twice at run time), from a `--runtime` record.

Fix: as for `SSOT201` and `SSOT202`: keep one definition and import it.""",
    "SSOT301": """\
An import or use of a name that a `[[deprecate]]` rule retires:
`from app.legacy import create_manager`, `legacy.create_manager`,
`getattr(legacy, "create_manager")`, `mock.patch("app.legacy.create_manager")`.

Fix: use the replacement the message names (the rule's `use`).""",
    "SSOT302": """\
A use of a deprecated name that production saw, from a `--runtime` record, at the file and
line that used it.

Fix: use the replacement the message names, as for `SSOT301`.""",
    "SSOT801": """\
A suppression comment (`# ssot: ignore[...]` or `# noqa: SSOT...`) that names a code that
does not exist, or that suppresses nothing on its line. Off by default: select it with
`--select SSOT801` (or `--extend-select SSOT801`), as ruff's `RUF100`. Codes that are not
selected are not judged, nor `SSOT901` without `--parse-all`.

Fix: remove the stale comment or correct the code. To keep one on purpose, list `SSOT801`
in it.""",
    "SSOT901": """\
A file that does not parse. The message is Python's, the position the error's. Syntax
errors are reported for what the checker parses: the files the prefilter selects (up to
their last relevant statement), and every file named on the command line; `--parse-all`
parses everything.

Fix: fix the syntax, or exclude the file if it is not Python (a template, a test
fixture).""",
    "SSOT902": """\
A file that is not valid UTF-8 and declares no other encoding (PEP 263), or is not valid in
the encoding it declares.

Fix: save it as UTF-8, or declare its encoding in a coding comment.""",
    "SSOT903": """\
A path the checker cannot or will not read: a file without read permission, an unreadable
directory, a broken symbolic link or a link loop, something that is not a regular file (a
FIFO, a device), or a symbolic link leading outside the checked directories (never followed,
so that a tree cannot make the check read files elsewhere).

Fix: fix the permissions or the link, or exclude the path. To check a linked tree outside,
name that tree on the command line.""",
    "SSOT904": """\
A `--runtime` record whose module is not in the checked tree any more (renamed, deleted, or
the record comes from another project), reported at its line in the record file instead of
being dropped silently.

Fix: if the code is gone, delete the record (or start a new record file); if the module moved,
check the tree the record belongs to.""",
    "SSOT905": """\
A file that would have to be parsed whole (under `--parse-all`, for the class registry or a
`[[unique]]` class, or when named on the command line) and is larger than the `max-file-size`
setting (default 10,000,000 bytes). Python's parser needs 70 to 400 times a file's size in
memory: one generated 50 MB module would take gigabytes and get a CI runner killed. Its
imports are still found where the checker needs only some statements of it.

Fix: exclude the file if it is generated data, or raise `max-file-size` in
`[tool.ssot_guard.check]`.""",
}


def explain_code(code: str) -> str:
    """The full explanation of *code*, as ``ssot-guard rule`` prints it."""
    return f"# {code}: {CODES[code]}\n\n{EXPLANATIONS[code]}\n\nDocumentation: {help_uri(code)}\n"
