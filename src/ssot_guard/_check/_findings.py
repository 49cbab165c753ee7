"""What the static check reports: the ``Finding`` record and its stable codes."""

from __future__ import annotations

from .._base import public
from .._base._messages import tail

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from typing import Final

#: Every code the checker can report, with what it means. Codes are stable:
#: a code is never reused for another meaning, so suppressions and baselines keep working.
CODES: Final[dict[str, str]] = {
    "SSOT101": "import of a blocked module",
    "SSOT102": "import of a redirected (renamed) module",
    "SSOT103": "module file that a block rule retires is still in the tree",
    "SSOT104": "import of a blocked module seen at run time (a --runtime record)",
    "SSOT105": "import of a redirected module seen at run time (a --runtime record)",
    "SSOT201": "second definition of a [[unique]] class",
    "SSOT202": "duplicate key among classes registered with SSOTMeta",
    "SSOT203": "second definition of a class seen at run time (a --runtime record)",
    "SSOT301": "import or use of a deprecated name",
    "SSOT302": "use of a deprecated name seen at run time (a --runtime record)",
    "SSOT801": "suppression comment naming an unknown code or suppressing nothing (opt-in)",
    "SSOT901": "file does not parse",
    "SSOT902": "file is not valid UTF-8 (nor in the encoding it declares)",
    "SSOT903": "path that cannot or will not be read (permissions, links, not a regular file)",
    "SSOT904": "--runtime record whose module is not in the checked tree (stale)",
    "SSOT905": "file too large to parse whole (over the max-file-size setting)",
}

BLOCKED_IMPORT: Final = "SSOT101"
REDIRECTED_IMPORT: Final = "SSOT102"
RETIRED_MODULE_FILE: Final = "SSOT103"
DUPLICATE_UNIQUE_CLASS: Final = "SSOT201"
DUPLICATE_REGISTRY_KEY: Final = "SSOT202"
DEPRECATED_NAME: Final = "SSOT301"
SYNTAX_ERROR: Final = "SSOT901"
NOT_UTF8: Final = "SSOT902"
UNREADABLE: Final = "SSOT903"
RUNTIME_BLOCKED_IMPORT: Final = "SSOT104"
RUNTIME_REDIRECTED_IMPORT: Final = "SSOT105"
RUNTIME_DUPLICATE_CLASS: Final = "SSOT203"
RUNTIME_DEPRECATED_NAME: Final = "SSOT302"
STALE_RUNTIME_RECORD: Final = "SSOT904"
TOO_LARGE: Final = "SSOT905"
UNUSED_SUPPRESSION: Final = "SSOT801"

#: Codes reported only when selected by name (``--select SSOT801``), as ruff's RUF100.
OPT_IN: Final = frozenset({UNUSED_SUPPRESSION})

#: The documentation site (mkdocs.yml's ``site_url``); each code has a section on its codes page.
DOCS_URL: Final = "https://ssot-guard.readthedocs.io/en/latest/"


def help_uri(code: str) -> str:
    """The address of *code*'s section of the documentation."""
    return f"{DOCS_URL}codes/#{code.lower()}"


@public
class Finding:
    """One problem at one place: ``path:line:col: CODE message``.

    ``line`` and ``col`` count from 1 (``col`` in characters). ``rule`` says
    where the rule came from (``pyproject.toml: tool.ssot_guard.block[0]``), or
    is ``None`` for findings no rule produced (a file that does not parse).
    ``end_line`` is the last line of the statement: an ``# ssot: ignore[...]``
    comment anywhere from ``line`` to ``end_line`` suppresses the finding.
    ``severity`` is ``"warning"`` for a rule in warn mode, else ``"error"``.
    """

    __slots__ = ("code", "col", "end_line", "line", "message", "path", "rule", "severity")

    def __init__(
        self,
        path: str,
        line: int,
        col: int,
        code: str,
        message: str,
        rule: str | None = None,
        *,
        end_line: int | None = None,
        severity: str = "error",
    ) -> None:
        self.path = path
        self.line = line
        self.col = col
        self.code = code
        self.message = message
        self.rule = rule
        self.end_line = end_line if end_line is not None else line
        self.severity = severity

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.col, self.code, self.message)

    def as_dict(self) -> dict[str, object]:
        """The JSON form: ``path``, ``line``, ``col``, ``code``, ``message``, ``rule``,
        ``severity``.

        (Keys in this order; the format is stable.)
        """
        return {
            "path": self.path,
            "line": self.line,
            "col": self.col,
            "code": self.code,
            "message": self.message,
            "rule": self.rule,
            "severity": self.severity,
        }

    def __str__(self) -> str:
        level = " [warning]" if self.severity == "warning" else ""
        return f"{self.path}:{self.line}:{self.col}: {self.code}{level} {self.message}"

    def __repr__(self) -> str:
        return f"Finding({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Finding):
            return NotImplemented
        return self.as_dict() == other.as_dict()

    def __hash__(self) -> int:
        return hash(self.sort_key())


def explain(use: str | None, reason: str | None, source: str | None) -> str:
    """The common tail of a message: the replacement, the reason, the rule (as at runtime)."""
    return tail(use, reason, source)


def too_large(path: str, limit: int) -> Finding:
    """``SSOT905`` for a file over *limit* bytes that would have to be parsed whole."""
    return Finding(
        path,
        1,
        1,
        TOO_LARGE,
        f"file is larger than max-file-size ({limit:,} bytes) and is not parsed whole; "
        "exclude it, or raise max-file-size in [tool.ssot_guard.check]",
    )
