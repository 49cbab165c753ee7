"""The API reference (docs/api.md, mkdocstrings) documents every public name."""

from __future__ import annotations

from pathlib import Path

import griffe
import yaml

import ssot_guard

ROOT = Path(__file__).resolve().parent.parent


def test_api_page_is_in_the_navigation_and_renders_the_package() -> None:
    """docs/api.md renders `::: ssot_guard` and the site's nav links to it."""
    assert "\n::: ssot_guard\n" in (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.Loader)
    assert {"API reference": "api.md"} in config["nav"]
    assert any("mkdocstrings" in plugin for plugin in config["plugins"] if isinstance(plugin, dict))


def test_every_public_name_has_a_docstring_the_reference_shows() -> None:
    """Each name of ssot_guard.__all__, as mkdocstrings sees it (griffe), has a docstring."""
    package = griffe.load("ssot_guard", search_paths=[str(ROOT / "src")])
    undocumented = []
    for name in ssot_guard.__all__:
        member = package.members[name]
        target = member.final_target if member.is_alias else member
        if not (target.docstring and target.docstring.value.strip()):
            undocumented.append(name)
    assert undocumented == []
