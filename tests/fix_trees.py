"""Generated trees for the ``fix`` tests: a redirect from ``app.old`` to ``app.new``."""

from __future__ import annotations

import textwrap
from pathlib import Path

from ssot_guard._fix import FixResult, fix

REDIRECT = """\
[tool.ssot_guard]

[[tool.ssot_guard.redirect]]
module = "app.old"
to = "app.new"
"""
CANONICAL = "def f(): ...\nclass Thing: ...\n"


def tree(root: Path, files: dict[str, str], config: str = REDIRECT) -> Path:
    """Write *files* (dedented) and the config under *root*; every directory is a package."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(config, encoding="utf-8")
    files = {"app/new.py": CANONICAL, "app/old.py": CANONICAL, **files}
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text), encoding="utf-8")
        for parent in target.relative_to(root).parents:
            init = root / parent / "__init__.py"
            if parent != Path(".") and not init.exists():
                init.write_text("", encoding="utf-8")
    return root


def run_fix(root: Path, **options: object) -> FixResult:
    return fix([root], config=root / "pyproject.toml", **options)  # type: ignore[arg-type]


def rewritten(tmp_path: Path, source: str, name: str = "app/user.py") -> str:
    root = tree(tmp_path, {name: source})
    run_fix(root)
    return (root / name).read_text(encoding="utf-8")
