"""The ``ssot_guard`` and ``ssot_violations`` fixtures."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from .._report._log import ViolationLog, recording_violations
from .._runtime._fixture import GuardFixture
from ._scope import scope_of

if TYPE_CHECKING:
    from collections.abc import Generator


@pytest.fixture
def ssot_guard(request: pytest.FixtureRequest) -> GuardFixture:
    """Add ssot_guard rules (or set its mode) for this test only; restored after it."""
    assert isinstance(request.node, pytest.Item)
    return GuardFixture(scope_of(request.node))


@pytest.fixture
def ssot_violations() -> Generator[ViolationLog]:
    """The ssot_guard violations recorded during this test, one per location, counted."""
    with recording_violations() as log:
        yield log
