"""The rule objects: what a ``[tool.ssot_guard]`` table or ``install(rules=...)`` says."""

from __future__ import annotations

from .._base import public
from .._base._errors import ConfigError
from .._base._modes import parse_mode
from ._glob import glob_error, is_glob

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any, Final, Self

    from .._base._modes import Mode

__all__ = [
    "RULE_TYPES",
    "Block",
    "Deprecate",
    "Enforced",
    "Redirect",
    "Rule",
    "Unique",
]


def _dotted(value: object, key: str, where: object, *, glob: bool = False) -> str:
    if not isinstance(value, str):
        raise ConfigError(
            f"expected a string, got {type(value).__name__}", entry=str(where), key=key
        )
    error = glob_error(value)
    if error is None and not glob and is_glob(value):
        error = f"{value!r} is a glob; this key takes a dotted module name"
    if error is not None:
        allowed = "a glob on dotted names ('*' within a part, '**' across parts)"
        raise ConfigError(
            f"invalid {'glob' if glob else 'module name'}: {error}; allowed: "
            + (allowed if glob else "a dotted module name such as 'app.websocket_core'"),
            entry=str(where),
            key=key,
        )
    return value


def _kind_of(value: object) -> str:
    """*value*'s type as a TOML file would call it (``a table``, ``an integer``...)."""
    names: dict[type, str] = {
        dict: "a table (dict)",
        str: "a string",
        bool: "a boolean",
        int: "an integer",
        float: "a float",
    }
    return names.get(type(value), type(value).__name__)


def _names(
    values: Iterable[str] | str, key: str, where: object, *, glob: bool = True
) -> tuple[str, ...]:
    if values == () and type(values) is tuple:
        return ()  # the default, which most rules keep
    # A table (dict) is iterable too, as its keys: refused rather than read as a list of them.
    if isinstance(values, str | bytes | dict) or not hasattr(values, "__iter__"):
        what = "module names or globs" if glob else "package names"
        raise ConfigError(
            f"expected a list of {what}, got {_kind_of(values)}", entry=str(where), key=key
        )
    return tuple(_dotted(v, key, where, glob=glob) for v in values)


def _replacement(value: object, key: str, where: object) -> str | None:
    """A ``use`` value: text naming what replaces the retired thing; never empty."""
    text = _text(value, key, where)
    if text is not None and not text.strip():
        raise ConfigError(
            "is empty; name what replaces the retired module or name, or leave the key out",
            entry=str(where),
            key=key,
        )
    return text


def _text(value: object, key: str, where: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise ConfigError(f"expected a string, got {type(value).__name__}", entry=str(where), key=key)


# Constructors set fields with this, not ``self.x = ...``: ``Rule.__setattr__`` is a
# Python-level call that refuses changes once sealed, and building 500 rules from a
# config went through it 6,000 times (a third of building them).
_init = object.__setattr__


def _rebuild_rule(cls: type[Rule], fields: dict[str, Any], source: str | None) -> Rule:
    return cls(**fields, source=source)  # every concrete rule takes source=


@public
class Rule:
    """Fields every rule has. ``source`` says where it was defined, for messages.

    Rules are values: equal rules are interchangeable, and a rule cannot be
    changed once built (a changed rule would fall out of the sets and dicts it
    sits in, and skip the validation its constructor did). Build a new one.
    """

    __slots__ = ("_sealed", "_source", "mode", "reason")
    kind: str = "rule"
    #: The fields that name a rule built in Python in messages; empty: all of them.
    #: Reason and replacement are left out where messages already show them.
    _label_fields: tuple[str, ...] = ()

    _sealed: bool
    _source: str | None
    mode: Mode | None
    reason: str | None

    def _common(self, reason: str | None, mode: Mode | None, source: str | None) -> None:
        _init(self, "reason", reason)
        _init(self, "mode", mode)
        _init(self, "_source", source)
        # Validation passes the rule itself as the entry: its label is built
        # only for an error message (a third of building a rule otherwise).
        _init(self, "reason", _text(reason, "reason", self))
        _init(self, "mode", parse_mode(mode, entry=self, blank_is_unset=False))

    def _seal(self) -> None:
        """End of construction: from here on the rule is immutable."""
        object.__setattr__(self, "_sealed", True)

    def __new__(cls, *args: Any, **kwargs: Any) -> Self:
        # Unsealed from the start, so that __setattr__ reads a slot that is always set:
        # getattr() with a default on an unset slot raises and catches (start-up time).
        self = object.__new__(cls)
        object.__setattr__(self, "_sealed", False)
        return self

    def __setattr__(self, name: str, value: object) -> None:
        if self._sealed:
            raise AttributeError(
                f"{type(self).__name__} rules are immutable; cannot set {name!r} "
                f"(build a new rule instead)"
            )
        object.__setattr__(self, name, value)

    def __reduce__(self) -> tuple[object, ...]:
        # Rebuilt through the constructor (and its validation), not by setting slots.
        return _rebuild_rule, (type(self), self._fields(), self._source)

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} rules are immutable; cannot delete {name!r}")

    @property
    def source(self) -> str:
        """Where the rule was defined: ``file: tool.ssot_guard.block[0]``, or ``Block('a.b')``."""
        if self._source is None:
            # The label, built on first use; not a change of the rule's value.
            object.__setattr__(self, "_source", self._describe(self._label_fields))
        return self._source  # type: ignore[return-value]  # set just above

    def __str__(self) -> str:
        return self.source

    def replacement_for(self, name: str) -> str | None:
        """What to use instead of *name*, which this rule covers (``None``: nothing named)."""
        return None

    def _fields(self) -> dict[str, object]:
        # In the constructor's order, so a rule reads as it was written: Block('a', use='b').
        code = type(self).__init__.__code__
        names = code.co_varnames[1 : code.co_argcount + code.co_kwonlyargcount]
        return {n: getattr(self, n) for n in names if n != "source"}

    def _describe(self, only: tuple[str, ...] = ()) -> str:
        shown = ", ".join(
            f"{k}={v!r}"
            for k, v in self._fields().items()
            if v not in (None, ()) and (not only or k in only)
        )
        return f"{type(self).__name__}({shown})"

    def __repr__(self) -> str:
        return self._describe()

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash((type(self), tuple(self._fields().items())))


@public
class Block(Rule):
    """Retire a module (and its submodules), or every module a glob matches.

    >>> Block("app.websocket_core.websocket_manager_factory",
    ...       use="app.websocket_core.websocket_manager")
    """

    __slots__ = ("allow", "allow_importers", "module", "pattern", "use")
    kind = "block"
    _label_fields = ("module", "pattern")

    module: str | None
    pattern: str | None
    use: str | None
    allow: tuple[str, ...]
    allow_importers: tuple[str, ...]

    def __init__(
        self,
        module: str | None = None,
        *,
        pattern: str | None = None,
        use: str | None = None,
        reason: str | None = None,
        allow: Iterable[str] = (),
        allow_importers: Iterable[str] = (),
        mode: Mode | None = None,
        source: str | None = None,
    ) -> None:
        _init(self, "module", module)
        _init(self, "pattern", pattern)
        _init(self, "use", use)
        # Validated below, once the rule can describe itself in an error.
        _init(self, "allow", ())
        _init(self, "allow_importers", ())
        self._common(reason, mode, source)
        where = self
        if (module is None) == (pattern is None):
            raise ConfigError(
                "a block rule needs exactly one of 'module' (a dotted name: the module and "
                "its submodules) or 'pattern' (a glob on dotted names)",
                entry=str(where),
                key="module" if module is not None else None,
            )
        if module is not None:
            _dotted(module, "module", where)
        if pattern is not None:
            _dotted(pattern, "pattern", where, glob=True)
        _init(self, "use", _replacement(use, "use", where))
        _init(self, "allow", _names(allow, "allow", where))
        _init(self, "allow_importers", _names(allow_importers, "allow_importers", where))
        self._seal()

    def replacement_for(self, name: str) -> str | None:
        return self.use

    @property
    def target(self) -> str:
        """The module name or glob this rule covers."""
        return self.module if self.module is not None else self.pattern  # type: ignore[return-value]


@public
class Redirect(Rule):
    """An old module name that now means the canonical module (in warn mode)."""

    __slots__ = ("module", "to")
    kind = "redirect"
    _label_fields = ("module", "to")

    module: str
    to: str

    def __init__(
        self,
        module: str,
        to: str,
        *,
        reason: str | None = None,
        mode: Mode | None = None,
        source: str | None = None,
    ) -> None:
        _init(self, "module", module)
        _init(self, "to", to)
        self._common(reason, mode, source)
        _dotted(module, "module", self)
        _dotted(to, "to", self)
        if to == module or to.startswith(module + ".") or module.startswith(to + "."):
            raise ConfigError(
                f"redirect from {module!r} to {to!r} would loop; "
                "the two names must not contain each other",
                entry=str(self),
                key="to",
            )
        self._seal()

    @property
    def use(self) -> str:
        return self.to

    def replacement_for(self, name: str) -> str:
        """The canonical name for *name*: ``old.sub`` -> ``new.sub``."""
        return self.to + name[len(self.module) :]

    @property
    def target(self) -> str:
        return self.module


@public
class Unique(Rule):
    """A class name that may be defined once among the modules under ``within``."""

    __slots__ = ("canonical", "name", "within")
    kind = "unique"

    name: str
    within: tuple[str, ...]
    canonical: str | None

    def __init__(
        self,
        name: str,
        *,
        within: Iterable[str],
        canonical: str | None = None,
        reason: str | None = None,
        mode: Mode | None = None,
        source: str | None = None,
    ) -> None:
        _init(self, "name", name)
        _init(self, "within", ())  # validated below
        _init(self, "canonical", canonical)
        self._common(reason, mode, source)
        where = self
        if not isinstance(name, str) or not name.isidentifier():
            raise ConfigError(
                f"expected a class name (an identifier), got {name!r}",
                entry=str(where),
                key="class",
            )
        _init(self, "within", _names(within, "within", where, glob=False))
        if not self.within:
            raise ConfigError(
                "expected a non-empty list of package names whose modules are watched",
                entry=str(where),
                key="within",
            )
        if canonical is not None:
            _dotted(canonical, "canonical", where)
            if not any(canonical == w or canonical.startswith(w + ".") for w in self.within):
                raise ConfigError(
                    f"{canonical!r} is outside 'within' ({', '.join(self.within)}); the "
                    "canonical module must be one of the watched modules",
                    entry=str(where),
                    key="canonical",
                )
        self._seal()


@public
class Deprecate(Rule):
    """A module attribute (``"pkg.mod:name"``) that is retired in favour of ``use``."""

    __slots__ = ("name", "use")
    kind = "deprecate"

    name: str
    use: str | None

    def __init__(
        self,
        name: str,
        *,
        use: str | None = None,
        reason: str | None = None,
        mode: Mode | None = None,
        source: str | None = None,
    ) -> None:
        _init(self, "name", name)
        _init(self, "use", use)
        self._common(reason, mode, source)
        where = self
        module, _, attr = name.partition(":") if isinstance(name, str) else ("", "", "")
        if not module or not attr or not attr.isidentifier():
            raise ConfigError(
                f"expected 'package.module:attribute', got {name!r}", entry=str(where), key="name"
            )
        _dotted(module, "name", where)
        _init(self, "use", _replacement(use, "use", where))
        self._seal()

    @property
    def module(self) -> str:
        return self.name.partition(":")[0]

    @property
    def attribute(self) -> str:
        return self.name.partition(":")[2]

    def replacement_for(self, name: str) -> str | None:
        return self.use


RULE_TYPES: Final[dict[str, type[Rule]]] = {
    "block": Block,
    "redirect": Redirect,
    "unique": Unique,
    "deprecate": Deprecate,
}


@public
class Enforced:
    """A rule with the mode it is enforced in: what ``install()`` compiles each rule into.

    The mode is decided once, at install (see ``_base._modes.effective_mode``),
    and travels with the rule to whatever enforces it: the finder's matcher
    entries, the module watches, the report.
    """

    __slots__ = ("mode", "rule")

    def __init__(self, rule: Rule, mode: Mode) -> None:
        self.rule = rule
        self.mode = mode

    def __repr__(self) -> str:
        return f"Enforced({self.rule!r}, mode={self.mode!r})"
