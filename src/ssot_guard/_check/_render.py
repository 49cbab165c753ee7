"""Findings as text, JSON, GitHub Actions annotations, or SARIF 2.1.0."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Final

from ._findings import CODES, help_uri

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from ._findings import Finding

SARIF_SCHEMA: Final = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI: Final = "https://pypi.org/project/ssot-guard/"
_BREAKS: Final = re.compile(r"[ \t]*(?:\r\n|[\r\n\v\f\x1c-\x1e\x85\u2028\u2029])+[ \t]*")


def one_line(text: str) -> str:
    """*text* on one line: line breaks become spaces, other control characters escapes.

    A multi-line ``reason`` must not break the one-finding-per-line format, and a
    file name or a configuration from an untrusted tree must not write escape
    sequences to the terminal.
    """
    if text.isprintable():
        return text
    text = _BREAKS.sub(" ", text)
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def render_text(findings: Sequence[Finding]) -> str:
    """One ``path:line:col: CODE message`` line per finding."""
    return "".join(f"{one_line(str(finding))}\n" for finding in findings)


def render_json(findings: Sequence[Finding]) -> str:
    """A JSON list of objects with ``path``, ``line``, ``col``, ``code``, ``message``, ``rule``."""
    import json

    return json.dumps([finding.as_dict() for finding in findings], indent=2) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(findings: Sequence[Finding]) -> str:
    """GitHub Actions workflow commands: an error (or warning) annotation on each finding's line."""
    lines = []
    for finding in findings:
        properties = ",".join(
            (
                f"file={_escape_property(finding.path)}",
                f"line={finding.line}",
                f"col={finding.col}",
                f"title={_escape_property(f'ssot-guard {finding.code}')}",
            )
        )
        level = "warning" if finding.severity == "warning" else "error"
        lines.append(f"::{level} {properties}::{_escape_data(finding.message)}\n")
    return "".join(lines)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ssot-guard")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


def _uri(path: str) -> dict[str, str]:
    if os.path.isabs(path):
        from pathlib import Path

        return {"uri": Path(path).as_uri()}
    from urllib.parse import quote

    # A relative reference: "%", spaces, "#" and "?" in a file name are percent-encoded,
    # and so are the bytes of a name that is not UTF-8 (held as surrogates, as os reads it).
    uri = quote(path.replace(os.sep, "/"), safe="/", errors="surrogateescape")
    return {"uri": uri, "uriBaseId": "%SRCROOT%"}


def sarif_document(findings: Sequence[Finding]) -> dict[str, object]:
    """The SARIF 2.1.0 log for *findings*: one run, every code as a rule."""
    from ._explain import EXPLANATIONS

    ids = list(CODES)
    rules = [
        {
            "id": code,
            "name": code,
            "shortDescription": {"text": text},
            "fullDescription": {"text": EXPLANATIONS[code].partition("\n\n")[0]},
            "help": {"text": EXPLANATIONS[code], "markdown": EXPLANATIONS[code]},
            "helpUri": help_uri(code),
            "defaultConfiguration": {"level": "error"},
        }
        for code, text in CODES.items()
    ]
    results = [
        {
            "ruleId": finding.code,
            "ruleIndex": ids.index(finding.code),
            "level": "warning" if finding.severity == "warning" else "error",
            "message": {"text": finding.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": _uri(finding.path),
                        "region": {"startLine": finding.line, "startColumn": finding.col},
                    }
                }
            ],
            "properties": {"rule": finding.rule},
        }
        for finding in findings
    ]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "ssot-guard",
                        "version": _version(),
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }


def render_sarif(findings: Sequence[Finding]) -> str:
    import json

    return json.dumps(sarif_document(findings), indent=2) + "\n"


RENDERERS: Final[dict[str, Callable[[Sequence[Finding]], str]]] = {
    "text": render_text,
    "json": render_json,
    "github": render_github,
    "sarif": render_sarif,
}
