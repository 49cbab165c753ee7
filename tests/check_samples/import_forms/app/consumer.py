"""Every static import form of a retired module."""

from __future__ import annotations

import importlib
import unittest.mock as mock
from typing import TYPE_CHECKING

import app.legacy
from app.legacy import helpers
from app import legacy
from . import legacy as relative_legacy
from .legacy.helpers import thing
import app.old_name
import app.canonical

if TYPE_CHECKING:
    from app.legacy.helpers import Helper


def load():
    import app.legacy.helpers

    importlib.import_module("app.legacy")
    importlib.import_module(".legacy", __package__)
    __import__("app.legacy.helpers")
    importlib.util.find_spec("app.old_name")
    return app.legacy.helpers


@mock.patch("app.legacy.helpers.thing")
def test_patched(thing):
    with mock.patch("app.legacy.Helper"):
        pass


print(helpers, legacy, relative_legacy, thing, Helper, load, test_patched)
