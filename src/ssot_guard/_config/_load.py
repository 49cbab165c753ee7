"""Reading ``[tool.ssot_guard]``: discovery, parsing and validation.

Every problem becomes one ``ConfigError`` naming the file, the entry and the
key, and listing what is allowed. Nothing is silently ignored.
"""

from __future__ import annotations

import os

from .._base import public
from .._base._errors import ConfigError
from .._base._messages import shown
from .._base._modes import parse_mode
from .._rules._glob import glob_error, is_glob
from .._rules._matcher import ImportMatcher
from .._rules._model import RULE_TYPES, Block, Deprecate, Redirect, Rule

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any, Final

    from .._base._modes import Mode
    from .._rules._matcher import CompiledRule

CONFIG_ENV: Final = "SSOT_GUARD_CONFIG"

# TOML key -> constructor keyword, per rule table.
_KEYS: Final[dict[str, dict[str, str]]] = {
    "block": {
        k: k for k in ("module", "pattern", "use", "reason", "allow", "allow_importers", "mode")
    },
    "redirect": {k: k for k in ("module", "to", "reason", "mode")},
    "unique": {
        "class": "name",
        "within": "within",
        "canonical": "canonical",
        "reason": "reason",
        "mode": "mode",
    },
    "deprecate": {k: k for k in ("name", "use", "reason", "mode")},
}
_REQUIRED: Final[dict[str, tuple[str, ...]]] = {
    "block": (),  # exactly one of module / pattern: the rule itself says so
    "redirect": ("module", "to"),
    "unique": ("class", "within"),
    "deprecate": ("name",),
}
__all__ = [
    "CONFIG_ENV",
    "Config",
    "discover_config",
    "load_config",
    "parse_table",
    "read_toml",
    "resolve_config",
    "table_of",
]
# "check": the settings of `ssot-guard check`, validated there (not used at run time).
_TOP_KEYS: Final = ("mode", *RULE_TYPES, "telemetry", "check")


@public
class Config:
    """A parsed configuration: where it came from, its mode, its rules."""

    __slots__ = ("mode", "path", "rules", "telemetry")

    def __init__(
        self,
        path: str | None = None,
        mode: Mode | None = None,
        rules: Sequence[Rule] = (),
        telemetry: str | None = None,
    ) -> None:
        self.path = path
        self.mode = mode
        self.rules = tuple(rules)
        self.telemetry = telemetry

    def __repr__(self) -> str:
        return f"Config(path={self.path!r}, mode={self.mode!r}, rules={len(self.rules)})"


def read_toml(path: str, *, discovered: bool = False) -> dict[str, Any]:
    """The TOML document at *path*; a *discovered* one with our table must pass the trust check.

    An unchanged file is not parsed again (nor ``tomllib`` imported): see ``_cache``.
    """
    from . import _cache

    key = _cache.stat_key(path)  # before reading: an edit after this makes the key stale
    cached = _cache.load(key) if key is not None else None
    if cached is not None:
        if not discovered or table_of(cached, path)[0] is None:
            return cached
        try:
            now = os.stat(path)  # trust is the file's now, not the cache's
        except OSError:
            pass  # gone since the key was taken: reading it says so, naming the file
        else:
            from ._trust import refuse_untrusted

            refuse_untrusted(path, now)
            return cached
    from ._read import parse_toml  # tomllib and the checks on the file: on a miss only

    document, distrust, read = parse_toml(path, discovered=discovered)
    # Someone else's pyproject.toml without our table is not ours to judge.
    if distrust is not None and table_of(document, path)[0] is not None:
        raise distrust
    _cache.store(key, document, read)
    return document


def table_of(document: dict[str, Any], path: str) -> tuple[dict[str, Any] | None, str]:
    """The ``[tool.ssot_guard]`` table of *document* and the dotted name it lives at."""
    tool = document.get("tool")
    if isinstance(tool, dict) and "ssot_guard" in tool:
        return tool["ssot_guard"], "tool.ssot_guard"
    if os.path.basename(path) == "pyproject.toml":
        return None, "tool.ssot_guard"
    return document, ""


@public
def load_config(path: str | os.PathLike[str]) -> Config:
    """Parse the configuration in the TOML file at *path*.

    A ``pyproject.toml`` is read at ``[tool.ssot_guard]``; any other file there
    if present, else at its top level.
    """
    path = os.fspath(path)
    table, prefix = table_of(read_toml(path), path)
    if table is None:
        raise ConfigError(
            "has no [tool.ssot_guard] table; add one, or point to another file", file=path
        )
    return parse_table(table, file=path, prefix=prefix)


def parse_table(table: object, *, file: str | None = None, prefix: str = "") -> Config:
    """Validate a configuration table already read from TOML."""
    here = f"[{prefix}]" if prefix else "top level"
    if not isinstance(table, dict):
        raise ConfigError(f"expected a table, got {_toml_type(table)}", file=file, entry=here)
    unknown = sorted(set(table) - set(_TOP_KEYS))
    if unknown:
        raise ConfigError(
            f"unknown key; allowed keys: {', '.join(_TOP_KEYS)}",
            file=file,
            entry=here,
            key=unknown[0],
        )
    mode = parse_mode(table.get("mode"), file=file, entry=here, blank_is_unset=False)
    telemetry = table.get("telemetry")
    if telemetry is not None:
        from .._report._otel import TELEMETRY_VALUES  # imports no OpenTelemetry; rarely set
    if telemetry is not None and telemetry not in TELEMETRY_VALUES:
        raise ConfigError(
            f"expected one of {', '.join(repr(v) for v in TELEMETRY_VALUES)}, got {telemetry!r}",
            file=file,
            entry=here,
            key="telemetry",
        )
    rules: list[Rule] = []
    for kind, rule_type in RULE_TYPES.items():
        entries = table.get(kind, [])
        table_name = f"{prefix}.{kind}" if prefix else kind
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise ConfigError(
                f"expected an array of tables ([[{table_name}]] entries), "
                f"got {_toml_type(entries)}",
                file=file,
                entry=here,
                key=kind,
            )
        for index, entry in enumerate(entries):
            rules.append(_build(rule_type, kind, entry, file, f"{table_name}[{index}]"))
    refuse_retired_replacements(rules, file=file)
    return Config(file, mode, rules, telemetry)


def _build(
    rule_type: type[Rule], kind: str, entry: dict[str, Any], file: str | None, where: str
) -> Rule:
    keys = _KEYS[kind]
    unknown = sorted(key for key in entry if key not in keys)
    if unknown:
        raise ConfigError(
            f"unknown key; allowed keys: {', '.join(sorted(keys))}",
            file=file,
            entry=where,
            key=unknown[0],
        )
    for key in _REQUIRED[kind]:
        if key not in entry:
            raise ConfigError(
                f"missing; a [[{where.rpartition('[')[0]}]] entry needs "
                + ", ".join(repr(k) for k in _REQUIRED[kind]),
                file=file,
                entry=where,
                key=key,
            )
    kwargs = {keys[k]: v for k, v in entry.items()}
    kwargs["source"] = f"{file}: {where}" if file else where
    build: Callable[..., Rule] = rule_type
    try:
        return build(**kwargs)
    except ConfigError as e:
        raise ConfigError(e.problem, file=file, entry=where, key=_toml_key(kind, e.key)) from None


def _toml_key(kind: str, key: str | None) -> str | None:
    for toml_key, kwarg in _KEYS[kind].items():
        if kwarg == key:
            return toml_key
    return key


def _toml_type(value: object) -> str:
    return {
        dict: "a table",
        list: "an array",
        str: "a string",
        bool: "a boolean",
        int: "an integer",
        float: "a float",
    }.get(type(value), type(value).__name__)


def discover_config(start: str | os.PathLike[str] | None = None) -> str | None:
    """The configuration file to use when none is given.

    ``SSOT_GUARD_CONFIG`` if set, else the nearest ``pyproject.toml`` with a
    ``[tool.ssot_guard]`` table from *start* (default: the current directory)
    upward, else ``None``.
    """
    return _discover(start)[0]


def _discover(
    start: str | os.PathLike[str] | None = None,
) -> tuple[str | None, dict[str, Any] | None]:
    """``discover_config()``, with the document it parsed on the way (``None`` if it did not)."""
    named = os.environ.get(CONFIG_ENV, "").strip()
    if named:
        if not os.path.isfile(named):
            what = (
                "is a directory"
                if os.path.isdir(named)
                else "is not a regular file"
                if os.path.exists(named)
                else "file not found"
            )
            raise ConfigError(
                f"{what} (named by that variable); set it to a TOML file or unset it",
                file=f"environment variable {CONFIG_ENV}={shown(named)}",
            )
        return named, None
    if start is None:
        try:
            start = os.getcwd()
        except FileNotFoundError:
            raise ConfigError(
                "the current directory no longer exists, so no pyproject.toml can be found "
                f"from it; set {CONFIG_ENV} or pass install() a config file",
                file="configuration discovery",
            ) from None
    directory = os.path.abspath(start)
    while True:
        candidate = os.path.join(directory, "pyproject.toml")
        if os.path.isfile(candidate):
            document = read_toml(candidate, discovered=True)
            tool = document.get("tool")
            if isinstance(tool, dict) and "ssot_guard" in tool:
                return candidate, document
        parent = os.path.dirname(directory)
        if parent == directory:
            return None, None
        directory = parent


def resolve_config(
    config: Config | str | os.PathLike[str] | None,
    rules: Sequence[Rule] | None,
    *,
    check_replacements: bool = True,
) -> Config:
    """What ``install(config, rules=...)`` means: the file's rules, then *rules*.

    *config* may be a ``Config`` that ``load_config()`` returned: used as it is,
    so a file is parsed once however many guards are built from it.
    """
    if rules is not None:
        bad = [r for r in rules if not isinstance(r, Rule)]
        if bad:
            raise ConfigError(
                f"expected rule objects (Block, Redirect, Unique, Deprecate), got {bad[0]!r}",
                entry="install(rules=...)",
            )
    if config is None and rules is None:
        path, document = _discover()
        if path is None:
            loaded = Config()
        elif document is None:
            loaded = load_config(path)
        else:  # discovery parsed it already: a long pyproject.toml costs ms to parse
            table, prefix = table_of(document, path)
            loaded = parse_table(table, file=path, prefix=prefix)
    elif isinstance(config, Config):
        loaded = config
    elif config is not None:
        loaded = load_config(config)
    else:
        loaded = Config()
    if check_replacements:
        refuse_retired_replacements(rules or ())  # a file's rules: checked by parse_table
    return Config(loaded.path, loaded.mode, (*loaded.rules, *(rules or ())), loaded.telemetry)


def refuse_retired_replacements(rules: Sequence[Rule], *, file: str | None = None) -> None:
    """Refuse a rule whose replacement (``use``, ``to``) another rule of *rules* retires.

    Users would be sent from one retired module to another: a redirect to a
    blocked module fails at every import, a ``use`` names what also fails.
    Checked within one file, and within one ``install(rules=...)``, not across
    the two: rules added in Python on top of a file (a test blocking the
    canonical module to see what breaks) may retire what the file points to.
    """
    import_rules = [r for r in rules if isinstance(r, Block | Redirect) and r.mode != "off"]
    if not import_rules:
        return
    matcher = ImportMatcher(import_rules)
    # Many rules name the same replacement (460 blocks sending to 20 modules): each
    # distinct target is matched once; matching a name against globs is the cost here.
    matches: dict[str, CompiledRule | None] = {}
    for rule in rules:
        if rule.mode == "off":
            continue
        if isinstance(rule, Deprecate):
            _refuse_deprecate_in_redirected(rule, matcher, file)
        key = "to" if isinstance(rule, Redirect) else "use"
        target: str | None = getattr(rule, key, None)  # a Unique names no replacement
        if not target:
            continue
        if isinstance(rule, Deprecate):
            target = target.partition(":")[0]
        if target in matches:
            entry = matches[target]
        elif glob_error(target) is not None or is_glob(target):
            entry = matches[target] = None  # free text, not a module name
        else:
            entry = matches[target] = matcher.match(target) if matcher.may_match(target) else None
        if entry is None:
            continue
        blocker = "this rule" if entry.rule is rule else entry.rule.source
        where = rule.source
        if file is not None and where.startswith(file + ": "):
            where = where[len(file) + 2 :]  # the file is named on its own, as for other errors
        raise ConfigError(
            f"names {target!r}, which {blocker} retires; point it at the module that replaces both",
            file=file,
            entry=where,
            key=key,
        )


def _refuse_deprecate_in_redirected(
    rule: Deprecate, matcher: ImportMatcher, file: str | None
) -> None:
    """A name in a module that a redirect makes an alias: the module object is the
    canonical one, under its own name, so the rule would silently never apply."""
    module = rule.module
    entry = matcher.match(module) if matcher.may_match(module) else None
    if entry is None or not isinstance(entry.rule, Redirect):
        return
    where = rule.source
    if file is not None and where.startswith(file + ": "):
        where = where[len(file) + 2 :]
    canonical = f"{entry.rule.replacement_for(module)}:{rule.attribute}"
    raise ConfigError(
        f"names a module that {entry.rule.source} redirects, so it would never apply; "
        f"name {canonical!r} instead",
        file=file,
        entry=where,
        key="name",
    )


def load_discovered(start: str | os.PathLike[str] | None = None) -> Config | None:
    """``load_config(discover_config(start))``, parsing the file once; ``None`` if none is found."""
    path, document = _discover(start)
    if path is None:
        return None
    if document is None:
        return load_config(path)
    table, prefix = table_of(document, path)
    return parse_table(table, file=path, prefix=prefix)
