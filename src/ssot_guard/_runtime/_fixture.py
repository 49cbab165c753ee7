"""``GuardFixture``: what the ``ssot_guard`` fixture gives a test, without pytest.

It lives below both ``ssot_guard.testing`` (which exports it for annotations)
and the pytest plugin (which makes one per test), so neither imports the other.
The plugin hands it the test's scope, anything with ``add_rules`` and ``set_mode``.
"""

from __future__ import annotations

from .._base._errors import ConfigError
from .._base._modes import parse_mode
from .._rules._model import Block, Redirect
from ._guard import active_guard

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Protocol

    from .._base._modes import Mode
    from .._rules._model import Rule
    from ._guard import Guard

    class Scope(Protocol):
        """One test's changes to the guard, undone after it (the plugin's test scope)."""

        def add_rules(self, rules: Iterable[Rule]) -> Guard: ...
        def set_mode(self, mode: Mode) -> Guard: ...


class GuardFixture:
    """The ``ssot_guard`` fixture: rules and a mode for one test, restored after it."""

    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    @property
    def guard(self) -> Guard | None:
        """The guard in force now."""
        return active_guard()

    def add(self, *rules: Rule) -> Guard:
        """Add rule objects (``ssot_guard.Block(...)``, ...) for this test; returns the guard."""
        return self._scope.add_rules(rules)

    def block(
        self,
        module: str | None = None,
        *,
        pattern: str | None = None,
        use: str | None = None,
        reason: str | None = None,
        allow: Iterable[str] = (),
        allow_importers: Iterable[str] = (),
        mode: Mode | None = None,
    ) -> Guard:
        """Add a ``Block`` rule for this test."""
        return self.add(
            Block(
                module,
                pattern=pattern,
                use=use,
                reason=reason,
                allow=allow,
                allow_importers=allow_importers,
                mode=mode,
            )
        )

    def redirect(
        self, module: str, to: str, *, reason: str | None = None, mode: Mode | None = None
    ) -> Guard:
        """Add a ``Redirect`` rule for this test."""
        return self.add(Redirect(module, to, reason=reason, mode=mode))

    def set_mode(self, mode: Mode) -> Guard:
        """Run the rest of this test in *mode* (as the ``ssot_mode`` marker does)."""
        parsed = parse_mode(mode, entry="ssot_guard.set_mode()", key=None)
        if parsed is None:
            raise ConfigError(
                "give one mode: 'strict', 'warn' or 'off'", entry="ssot_guard.set_mode()"
            )
        return self._scope.set_mode(parsed)

    def __repr__(self) -> str:
        return f"<ssot_guard fixture: {self.guard!r}>"
