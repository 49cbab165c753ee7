"""Output formats of ``ssot-guard check``: text, JSON, GitHub annotations, SARIF 2.1.0."""

from __future__ import annotations

import json

from ssot_guard._check import CODES, Finding
from ssot_guard._check._render import render_github, render_json, render_sarif, render_text

FINDINGS = [
    Finding("app/a.py", 3, 8, "SSOT101", "import of retired module 'app.old'", "cfg: block[0]"),
    Finding("app/b.py", 1, 1, "SSOT901", "file does not parse: invalid syntax"),
]


def test_text_is_path_line_col_code_message() -> None:
    """Each finding is one ``path:line:col: CODE message`` line."""
    assert render_text(FINDINGS).splitlines() == [
        "app/a.py:3:8: SSOT101 import of retired module 'app.old'",
        "app/b.py:1:1: SSOT901 file does not parse: invalid syntax",
    ]


def test_json_is_a_list_of_findings_with_the_documented_keys() -> None:
    """JSON holds exactly path, line, col, code, message, rule and severity for each finding."""
    document = json.loads(render_json(FINDINGS))
    assert document == [
        {
            "path": "app/a.py",
            "line": 3,
            "col": 8,
            "code": "SSOT101",
            "message": "import of retired module 'app.old'",
            "rule": "cfg: block[0]",
            "severity": "error",
        },
        {
            "path": "app/b.py",
            "line": 1,
            "col": 1,
            "code": "SSOT901",
            "message": "file does not parse: invalid syntax",
            "rule": None,
            "severity": "error",
        },
    ]


def test_json_of_no_findings_is_an_empty_list() -> None:
    """A clean run prints ``[]``, still valid JSON."""
    assert json.loads(render_json([])) == []


def test_github_annotations_escape_their_properties() -> None:
    """Commas, colons and newlines are escaped so the annotation lands on its line."""
    finding = Finding("dir,x/a:b.py", 2, 5, "SSOT101", "first line\nsecond 100%")
    assert render_github([finding]) == (
        "::error file=dir%2Cx/a%3Ab.py,line=2,col=5,title=ssot-guard SSOT101"
        "::first line%0Asecond 100%25\n"
    )


def test_sarif_document_structure() -> None:
    """SARIF 2.1.0: one run, every code as a rule, results pointing at file, line and column."""
    log = json.loads(render_sarif(FINDINGS))
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "ssot-guard"
    assert [rule["id"] for rule in driver["rules"]] == list(CODES)
    first = run["results"][0]
    assert first["ruleId"] == "SSOT101"
    assert driver["rules"][first["ruleIndex"]]["id"] == "SSOT101"
    assert first["level"] == "error"
    assert first["message"]["text"] == "import of retired module 'app.old'"
    location = first["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "app/a.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 3, "startColumn": 8}


def test_sarif_absolute_path_is_a_file_uri() -> None:
    """An absolute path becomes a ``file://`` URI."""
    finding = Finding("/abs/a b.py", 1, 1, "SSOT101", "m")
    log = json.loads(render_sarif([finding]))
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "file:///abs/a%20b.py"}


def test_every_code_is_documented() -> None:
    """docs/cli.md lists every code the checker can report."""
    from pathlib import Path

    page = (Path(__file__).parent.parent / "docs" / "cli.md").read_text(encoding="utf-8")
    assert [code for code in CODES if f"`{code}`" not in page] == []


def test_sarif_uri_of_a_file_name_that_is_not_utf8() -> None:
    """A file name's undecodable bytes (``n\\xe9.py``, read as ``n\\udce9.py``) are percent-encoded.

    The URI names the file's real bytes, relative and absolute, where encoding the
    surrogate as UTF-8 would fail.
    """
    name = b"app/n\xe9.py".decode("utf-8", "surrogateescape")
    finding = Finding(name, 1, 1, "SSOT101", "import of retired module 'app.old'")
    location = json.loads(render_sarif([finding]))["runs"][0]["results"][0]["locations"][0]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == "app/n%E9.py"
    absolute = Finding("/" + name, 1, 1, "SSOT101", "import of retired module 'app.old'")
    location = json.loads(render_sarif([absolute]))["runs"][0]["results"][0]["locations"][0]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == "file:///app/n%E9.py"
