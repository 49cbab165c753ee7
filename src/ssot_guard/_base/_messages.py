"""The wording of a violation, the same wherever it is shown.

A warning, an exception, the log line and a static finding about one rule say
the same facts in the same order: what happened (:data:`SUBJECTS`), where (if
the message carries it), what to use instead, why, and which rule said so.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from typing import Final

#: What happened, by violation kind; the subject of every message.
SUBJECTS: Final = {
    "import": "import of retired module",
    "redirect": "import of renamed module",
    "preloaded": "retired module imported before install()",
    "duplicate-class": "second definition of class",
    "deprecated-name": "use of deprecated name",
}


#: A value longer than this is cut where a message echoes it: a 100 kB environment
#: variable would otherwise be printed by every interpreter autoinstall starts.
SHOWN: Final = 200


def shown(value: object) -> str:
    """``repr(value)`` for a message, cut to :data:`SHOWN` characters (saying how long it was)."""
    text = repr(value)
    if len(text) <= SHOWN:
        return text
    return f"{text[:SHOWN]}... ({len(text):,} characters)"


def utf8(text: str) -> str:
    """*text*, with what UTF-8 cannot encode shown escaped (``\\udce9``, as Python's stderr does).

    A path holding a byte that is not UTF-8 reaches us with a lone surrogate
    (``os.fsdecode``): a log handler writing UTF-8, a JSON body sent over HTTP, or
    pytest-xdist sending a test's captured log would fail on it.
    """
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def tail(use: str | None, reason: str | None, rule: str | None) -> str:
    """The common end of every message: the replacement, the reason, the rule."""
    text = f"; use {use!r} instead" if use else ""
    if reason:
        # A reason written over several lines in TOML stays on the message's one line,
        # and a control character (an escape sequence) is shown, not sent to the terminal.
        reason = " ".join(reason.split())
        if not reason.isprintable():
            reason = "".join(c if c.isprintable() else repr(c)[1:-1] for c in reason)
        text += f" ({reason})"
    if rule:
        text += f" [{rule}]"
    return text


def describe(
    kind: str,
    name: str,
    *,
    use: str | None = None,
    reason: str | None = None,
    rule: str | None = None,
    where: str | None = None,
) -> str:
    """``import of retired module 'a.old' at f.py:3; use 'a.new' instead (why) [rule]``."""
    text = f"{SUBJECTS.get(kind, kind)} {name!r}"
    if where:
        text += f" at {where}"
    return text + tail(use, reason, rule)


def blocked(name: str, *, use: str | None, reason: str | None, rule: str | None) -> str:
    """A ``BlockedImportError``'s message: Python's own first words, then the same tail."""
    return f"No module named {name!r}: retired by ssot_guard" + tail(use, reason, rule)
