"""Projects: a configuration file, its rules, and its ``[tool.ssot_guard.check]`` settings.

As ruff does, each checked path uses the nearest configuration above it (a
``pyproject.toml`` with a ``[tool.ssot_guard]`` table), and a directory met while
walking that holds one starts a project of its own. ``--config`` (or
``SSOT_GUARD_CONFIG``) names one file for every path instead. Relative paths in the
settings (``baseline``, ``src``, ``exclude``) are relative to the file's directory, or
to the working directory for a file named explicitly (as in ruff).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Final

from .._base._errors import ConfigError
from .._config._load import CONFIG_ENV, Config, parse_table, read_toml, table_of

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .._rules._model import Rule

FORMATS: Final = ("text", "json", "github", "sarif")

#: Each setting, and the TOML type it takes (as said in the error).
SETTINGS: Final[dict[str, str]] = {
    "exclude": "an array of glob strings",
    "extend-exclude": "an array of glob strings",
    "baseline": "a path string",
    "output-format": "one of " + ", ".join(repr(f) for f in FORMATS),
    "src": "an array of directory path strings",
    "respect-gitignore": "a boolean",
    "max-file-size": "a positive integer (bytes)",
}

#: The largest file parsed whole, in bytes: Python's parser needs 70-400 times that.
MAX_FILE_SIZE: Final = 10_000_000


class Settings:
    """The ``[tool.ssot_guard.check]`` table, validated; paths made absolute."""

    __slots__ = (
        "baseline",
        "exclude",
        "extend_exclude",
        "max_file_size",
        "output_format",
        "respect_gitignore",
        "src",
    )

    def __init__(
        self,
        *,
        exclude: tuple[str, ...] | None = None,
        extend_exclude: tuple[str, ...] = (),
        baseline: str | None = None,
        output_format: str | None = None,
        src: tuple[str, ...] = (),
        respect_gitignore: bool = True,
        max_file_size: int = MAX_FILE_SIZE,
    ) -> None:
        #: Replaces the default excluded directory names when set.
        self.exclude = exclude
        self.extend_exclude = extend_exclude
        self.baseline = baseline
        self.output_format = output_format
        #: Source roots, absolute: a file below one is named by its path from it.
        self.src = src
        self.respect_gitignore = respect_gitignore
        #: Larger files are not parsed whole (``SSOT905``).
        self.max_file_size = max_file_size


def parse_settings(table: object, *, file: str, base: str) -> Settings:
    """Validate ``[tool.ssot_guard.check]`` (*table*) of *file*; relative paths from *base*."""
    entry = "[tool.ssot_guard.check]" if os.path.basename(file) == "pyproject.toml" else "[check]"
    if not isinstance(table, dict):
        raise ConfigError("expected a table of settings", file=file, entry=entry)
    for key, value in table.items():
        if key not in SETTINGS:
            raise ConfigError(
                f"unknown setting; allowed: {', '.join(SETTINGS)}", file=file, entry=entry, key=key
            )
        if not _valid(key, value):
            raise ConfigError(
                f"expected {SETTINGS[key]}, got {value!r}", file=file, entry=entry, key=key
            )
    exclude = table.get("exclude")
    baseline = table.get("baseline")
    src = tuple(os.path.normpath(os.path.join(base, s)) for s in table.get("src", ()))
    for given, root in zip(table.get("src", ()), src, strict=True):
        if not os.path.isdir(root):  # a typo would silently change every module name
            raise ConfigError(
                f"source root {given!r} is not a directory ({root})",
                file=file,
                entry=entry,
                key="src",
            )
    return Settings(
        exclude=None if exclude is None else tuple(exclude),
        extend_exclude=tuple(table.get("extend-exclude", ())),
        baseline=None if baseline is None else os.path.join(base, baseline),
        output_format=table.get("output-format"),
        src=src,
        respect_gitignore=table.get("respect-gitignore", True),
        max_file_size=table.get("max-file-size", MAX_FILE_SIZE),
    )


def _valid(key: str, value: object) -> bool:
    if key in ("exclude", "extend-exclude", "src"):
        return isinstance(value, list) and all(isinstance(v, str) and v for v in value)
    if key == "baseline":
        return isinstance(value, str) and bool(value)
    if key == "output-format":
        return value in FORMATS
    if key == "max-file-size":
        return type(value) is int and value > 0  # not a bool, which is an int
    return isinstance(value, bool)


class Project:
    """One configuration and the files that use it."""

    __slots__ = ("config", "root", "settings")

    def __init__(self, config: Config, root: str, settings: Settings) -> None:
        self.config = config
        #: The directory settings are relative to: the file's, else the working directory.
        self.root = root
        self.settings = settings

    @property
    def path(self) -> str | None:
        """The configuration file, or ``None`` when there is none."""
        return self.config.path

    def __repr__(self) -> str:
        return f"<Project {self.path or '(no configuration)'}>"


def _project(path: str, document: dict[str, Any], base: str | None = None) -> Project:
    table, prefix = table_of(document, path)
    if table is None:
        raise ConfigError(
            "has no [tool.ssot_guard] table; add one, or point to another file", file=path
        )
    config = parse_table(table, file=path, prefix=prefix)
    if base is None:
        base = os.path.dirname(os.path.abspath(path))
    settings = parse_settings(table.get("check", {}), file=path, base=base)
    return Project(config, base, settings)


def _refuse_special(path: str) -> None:
    """A named configuration that is a FIFO or a device would hang or never end: refuse it."""
    import stat

    try:
        mode = os.stat(path).st_mode
    except OSError:
        return  # missing or unreadable: the TOML reader says so, in its words
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise ConfigError("is not a regular file; expected a TOML file", file=path)


def _mentions_table(path: str) -> bool:
    try:
        with open(path, "rb") as file:
            return b"ssot_guard" in file.read()
    except OSError:
        return True  # let the TOML reader say what is wrong with it


class Projects:
    """Finds the project of each path: one named configuration, or the nearest one."""

    def __init__(
        self, config: str | os.PathLike[str] | None = None, rules: Sequence[Rule] | None = None
    ) -> None:
        self._cache: dict[str, Project | None] = {}
        self.fixed: Project | None = None
        named = os.fspath(config) if config is not None else None
        if named is None and rules is None:
            from_env = os.environ.get(CONFIG_ENV, "").strip()
            if from_env:
                if not os.path.isfile(from_env):
                    raise ConfigError(
                        "file not found (named by that variable); "
                        "set it to a TOML file or unset it",
                        file=f"environment variable {CONFIG_ENV}={from_env!r}",
                    )
                named = from_env
        if named is not None or rules is not None:
            self.fixed = self._fixed(named, rules)
        self._none: Project | None = None

    def _fixed(self, named: str | None, rules: Sequence[Rule] | None) -> Project:
        from .._config._load import resolve_config

        if named is not None:
            # As ruff does: a configuration named explicitly is about the tree being
            # checked from here, not about where the file lives (the base branch's
            # configuration, checked out beside an untrusted pull request).
            _refuse_special(named)
            project = _project(named, read_toml(named), base=os.path.abspath(os.curdir))
            if not rules:
                return project
            # The file's rules, then *rules*, as install(config, rules=...) has them.
            extra = resolve_config(None, rules)
            config = project.config
            merged = Config(config.path, config.mode, (*config.rules, *extra.rules))
            return Project(merged, project.root, project.settings)
        resolved = resolve_config(None, rules)
        return Project(resolved, os.path.abspath(os.curdir), Settings())

    def in_directory(self, directory: str) -> Project | None:
        """The project whose configuration sits in *directory* itself, if any."""
        if self.fixed is not None:
            return None
        try:
            return self._cache[directory]
        except KeyError:
            pass
        candidate = os.path.join(directory, "pyproject.toml")
        project = None
        # Only a file that names the table is parsed: a broken pyproject.toml of some
        # vendored or fixture directory is not ours to complain about.
        if os.path.isfile(candidate) and _mentions_table(candidate):
            document = read_toml(candidate, discovered=True)  # a file found, not named: trusted?
            tool = document.get("tool")
            if isinstance(tool, dict) and "ssot_guard" in tool:
                project = _project(candidate, document)
        self._cache[directory] = project
        return project

    def for_path(self, path: str) -> Project:
        """The project of *path*: the fixed one, else the nearest configuration above it."""
        if self.fixed is not None:
            return self.fixed
        directory = os.path.abspath(path)
        if not os.path.isdir(directory):
            directory = os.path.dirname(directory)
        while True:
            project = self.in_directory(directory)
            if project is not None:
                return project
            parent = os.path.dirname(directory)
            if parent == directory:
                return self.unconfigured()
            directory = parent

    def unconfigured(self) -> Project:
        """The project of paths with no configuration above them: no rules."""
        if self._none is None:
            self._none = Project(Config(), os.path.abspath(os.curdir), Settings())
        return self._none
