"""Assertions that turn a single-source-of-truth test plan into one-liners.

Each helper leaves ``sys.modules`` as it found it (modules it imported are
removed again, modules it re-imported are put back) and raises
``AssertionError`` with a message that says what was found and where. They
need no test runner; under pytest the ``ssot_guard`` plugin reports the
violations a helper provokes on purpose as expected, not as problems.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from ._base._errors import (
    BlockedImportError,
    DeprecatedAttributeError,
    DeprecatedNameError,
    SSOTWarning,
)
from ._classes._registry import registry_snapshot
from ._report._log import ViolationLog, provoking_frame, recording_violations
from ._rules._glob import NameSet, glob_error
from ._runtime._fixture import GuardFixture
from ._runtime._guard import active_guard, rule_for
from ._runtime._sources import class_statements, package_names, under, walk_sources

__all__ = [
    "GuardFixture",
    "ViolationLog",
    "assert_import_blocked",
    "assert_importable",
    "assert_no_modules_matching",
    "assert_single_definition",
    "recording_violations",
]


def assert_import_blocked(
    name: str, *, by_guard: bool = False, missing_ok: bool = False
) -> ImportError | AttributeError:
    """Assert that importing *name* fails now; return the error.

    *name* is a module (``"app.legacy"``) or a name in one
    (``"app.legacy:create_manager"``, which also passes when the name is
    deprecated in strict mode). The module is imported afresh even if it is
    already in ``sys.modules``, so a cached module cannot hide a missing block.

    A module or name that does not exist fails: a typo or a rename must not
    pass for a block. ``missing_ok=True`` says that absence is an expected
    outcome too (the retired file may already be deleted). ``by_guard=True``
    demands that ssot_guard blocked it.
    """
    __tracebackhide__ = True
    module_name, attribute = _split(name)
    caller = sys._getframe(1)
    with (
        _restoring_modules(),
        recording_violations() as log,
        _catching_ssot_warnings() as caught,
    ):
        _forget(module_name)
        token = provoking_frame.set(caller)
        error: ImportError | AttributeError | None = None
        try:
            module = importlib.import_module(module_name)
            # An AttributeError raised by the module's own code is no refusal: it propagates.
            value = getattr(module, attribute) if attribute else module
        except ImportError as import_error:
            error = import_error
        except AttributeError as attribute_error:
            if not attribute or module_name not in sys.modules:
                raise
            error = attribute_error
        finally:
            provoking_frame.reset(token)
    if error is not None:
        return _refusal(name, module_name, attribute, error, by_guard, missing_ok)
    where = _module_file(module)
    found = f"{attribute} = {_short_repr(value)} in {where}" if attribute else where
    lines = [f"import of {name!r} was not blocked: it imported {found}"]
    lines += [f"ssot_guard warned: {w}" for w in caught]
    if log and not caught:
        lines += [f"ssot_guard recorded: {v}" for v in log]
    lines.append(_guard_state(module_name))
    raise AssertionError("\n".join(lines))


def assert_importable(name: str) -> Any:
    """Assert that *name* can be imported without any ssot_guard violation; return it.

    *name* is a module or ``"module:attribute"``. A module already in
    ``sys.modules`` is the answer, as it is for an import statement. Otherwise
    its parent packages are imported first (their violations are theirs), then
    the module itself; if that import records a violation (a retired module it
    still imports, maybe swallowed by ``try/except ImportError``), the
    assertion fails naming it. A module imported here is removed from
    ``sys.modules`` again afterwards; the returned object stays usable.
    """
    __tracebackhide__ = True
    module_name, attribute = _split(name)
    with _restoring_modules(), _catching_ssot_warnings():
        try:
            parent = module_name.rpartition(".")[0]
            if parent:
                importlib.import_module(parent)
            with recording_violations() as log:
                module = importlib.import_module(module_name)
            value = getattr(module, attribute) if attribute else module
        except (ImportError, AttributeError) as error:
            if isinstance(error, AttributeError) and not attribute:
                raise
            raise AssertionError(
                f"{name!r} is not importable: {type(error).__name__}: {error}\n"
                + _guard_state(module_name)
            ) from error
    if log:
        lines = [
            f"{name!r} imported, but importing it recorded "
            f"{_count(len(log), 'ssot_guard violation')} (an import of a retired module, "
            "perhaps swallowed by try/except ImportError):"
        ]
        lines += [f"  {v}" for v in log]
        raise AssertionError("\n".join(lines))
    return value


def assert_single_definition(
    class_name: str, *, within: str | ModuleType | Iterable[str | ModuleType]
) -> None:
    """Assert that exactly one class named *class_name* exists in the packages *within*.

    Two sources are searched, and neither imports anything: every ``class``
    statement of that name in the source files under *within* (imported or
    not, retired or not), and every distinct class object bound to that name
    in the modules under *within* that are already imported (aliases, classes
    made at run time). Re-exports of one class count once.
    """
    __tracebackhide__ = True
    packages = package_names(within)
    definitions: dict[tuple[str, str], str] = {}  # (module, qualname) -> where
    scanned = 0
    with _restoring_modules():
        for package in packages:
            for source_module, path in walk_sources(package):
                scanned += 1
                for qualname, lineno in class_statements(path, class_name):
                    definitions.setdefault((source_module, qualname), f"{path}:{lineno}")
    for module_name, module in list(sys.modules.items()):
        if module is None or not under(module_name, packages):
            continue
        value = vars(module).get(class_name) if hasattr(module, "__dict__") else None
        if not isinstance(value, type):
            continue
        key = (str(value.__module__), value.__qualname__)
        if key in definitions:
            continue
        if value.__qualname__ == class_name and key[0] == module_name:
            where = f"{module_name} (made at run time, no class statement found)"
        else:
            where = f"{module_name}.{class_name} is {key[0]}.{key[1]}"
        definitions[key] = where
    if len(definitions) == 1:
        return
    scope = ", ".join(repr(p) for p in packages)
    if not definitions:
        raise AssertionError(
            f"no class {class_name!r} is defined within {scope} "
            f"(scanned {_count(scanned, 'source file')} and the imported modules)"
        )
    lines = [
        f"class {class_name!r} is defined {len(definitions)} times within {scope}; "
        "keep one definition and import it everywhere else:"
    ]
    for (module_name, qualname), where in sorted(definitions.items()):
        note = _retired_note(module_name)
        lines.append(f"  {module_name}.{qualname} at {where}{note}")
    raise AssertionError("\n".join(lines))


def assert_no_modules_matching(
    package: str | ModuleType, pattern: str, *, allow: Iterable[str] = ()
) -> None:
    """Assert that no module under *package* matches *pattern*, except those in *allow*.

    The seed plan's import-path scan, done without importing anything:
    *pattern* and *allow* are ssot_guard globs (``*`` within one dotted part,
    ``**`` across parts) matched against module names relative to *package*
    (``"*factory*"``, ``"legacy.**"``); a glob matches a module and its
    submodules. Entries of *allow* may also be full dotted names.
    """
    __tracebackhide__ = True
    package_name = package.__name__ if isinstance(package, ModuleType) else package
    allowed = tuple(allow) if not isinstance(allow, str) else (allow,)
    for text in (pattern, *allowed):
        error = glob_error(text)
        if error is not None:
            raise ValueError(
                f"invalid module glob: {error}; allowed: module names and globs "
                "('*' within a dotted part, '**' across parts)"
            )
    wanted = NameSet([pattern])
    allowed_set = NameSet(allowed)
    prefix = package_name + "."
    found: list[tuple[str, str]] = []
    with _restoring_modules():
        for module_name, path in walk_sources(package_name, include_all=True):
            relative = module_name[len(prefix) :]
            if not relative or not wanted.contains(relative):
                continue
            if allowed_set.contains(relative) or allowed_set.contains(module_name):
                continue
            found.append((module_name, path))
    if found:
        lines = [
            f"found {_count(len(found), 'module')} under {package_name!r} matching {pattern!r}"
            + (f" (allowed: {list(allowed)})" if allowed else "")
            + ":"
        ]
        lines += [f"  {module} ({path}){_retired_note(module)}" for module, path in found]
        raise AssertionError("\n".join(lines))


# -- internals ---------------------------------------------------------------


def _refusal(
    name: str,
    module_name: str,
    attribute: str,
    error: ImportError | AttributeError,
    by_guard: bool,
    missing_ok: bool,
) -> ImportError | AttributeError:
    """*error* if it is the refusal ``assert_import_blocked`` asks for; else AssertionError."""
    __tracebackhide__ = True
    blocked = _blocked_by_guard(error)
    if by_guard and not blocked:
        raise AssertionError(
            f"import of {name!r} failed, but not because ssot_guard blocked it: "
            f"{type(error).__name__}: {error}\n{_guard_state(module_name)}"
        ) from error
    if not blocked and not missing_ok and _is_missing(error, module_name, attribute):
        what = f"{attribute!r} in {module_name!r}" if attribute else f"module {module_name!r}"
        raise AssertionError(
            f"{what} does not exist, so nothing was blocked ({type(error).__name__}: {error}); "
            "a typo or a rename? If its absence is the expected outcome, pass missing_ok=True\n"
            + _guard_state(module_name)
        ) from error
    return error


def _is_missing(error: BaseException, module_name: str, attribute: str) -> bool:
    """Whether *error* says the target itself (module, parent package or name) is absent."""
    if isinstance(error, ModuleNotFoundError):
        missing = error.name or ""
        return bool(missing) and (module_name == missing or module_name.startswith(missing + "."))
    return isinstance(error, AttributeError) and bool(attribute)


def _split(name: str) -> tuple[str, str]:
    if not isinstance(name, str) or not name:
        raise TypeError(f"expected 'package.module' or 'package.module:name', got {name!r}")
    module, _, attribute = name.partition(":")
    # A relative or malformed dotted name ('.legacy', 'app..legacy') would reach importlib,
    # whose error does not say which form is expected.
    dotted = all(module.split("."))  # no empty part
    if not dotted or (":" in name and not attribute.isidentifier()):
        raise ValueError(f"expected 'package.module' or 'package.module:name', got {name!r}")
    return module, attribute


def _forget(module_name: str) -> None:
    """Drop *module_name* and its submodules from ``sys.modules`` (restored later)."""
    prefix = module_name + "."
    for name in [n for n in sys.modules if n == module_name or n.startswith(prefix)]:
        del sys.modules[name]


# Helpers run one at a time: each takes sys.modules apart and puts it back, and
# records the violations of the whole process; two threads at once would undo
# each other's imports and see each other's violations.
_ONE_AT_A_TIME = threading.RLock()


@contextmanager
def _restoring_modules() -> Iterator[None]:
    """Put ``sys.modules``, packages' submodule attributes and the class registry back."""
    with _ONE_AT_A_TIME:
        yield from _restoring_modules_unlocked()


def _restoring_modules_unlocked() -> Iterator[None]:
    saved = dict(sys.modules)
    registry = registry_snapshot()
    try:
        yield
    finally:
        registry.restore()
        for name in [n for n in sys.modules if n not in saved]:
            module = sys.modules.pop(name)
            _bind(name, module, None)
        for name, module in saved.items():
            if sys.modules.get(name) is not module:
                sys.modules[name] = module
                _bind(name, None, module)


def _bind(name: str, old: ModuleType | None, new: ModuleType | None) -> None:
    """Point the parent package's attribute for *name* back at *new* (or remove it)."""
    parent_name, _, child = name.rpartition(".")
    parent = sys.modules.get(parent_name) if parent_name else None
    if parent is None:
        return
    current = getattr(parent, child, None)
    if old is not None and current is not old:
        return  # the attribute is something else: not ours to touch
    if new is None and old is None:
        return
    try:
        if new is None:
            delattr(parent, child)
        elif isinstance(current, ModuleType) or current is None:
            setattr(parent, child, new)
    except AttributeError:
        pass  # a read-only module type: nothing to restore


@contextmanager
def _catching_ssot_warnings() -> Iterator[list[str]]:
    """Catch ``SSOTWarning`` (even under ``-W error``); other warnings pass through."""
    messages: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", SSOTWarning)
        yield messages
    for warning in caught:
        if issubclass(warning.category, SSOTWarning):
            messages.append(f"{warning.filename}:{warning.lineno}: {warning.message}")
        else:
            warnings.warn_explicit(
                warning.message, warning.category, warning.filename, warning.lineno
            )


def _blocked_by_guard(error: BaseException) -> bool:
    refused = (BlockedImportError, DeprecatedNameError, DeprecatedAttributeError)
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, refused):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def _guard_state(module_name: str) -> str:
    """One line on what the active guard says about *module_name*."""
    guard = active_guard()
    if guard is None:
        return (
            "ssot_guard: no guard is installed (no [tool.ssot_guard] config, or the plugin is off)"
        )
    if guard.finder is None:
        return f"ssot_guard: the guard is installed in mode {guard.mode!r}: it checks nothing"
    found = rule_for(module_name, guard)
    if found is None:
        return (
            f"ssot_guard: no rule of the active guard ({len(guard.rules)} rules) "
            f"covers {module_name!r}"
        )
    rule, mode, importers = found
    text = f"ssot_guard: {rule.source} covers {module_name!r} in mode {mode!r}"
    if mode == "warn":
        text += " (warn lets the import through with an SSOTWarning)"
    if importers:
        text += f"; importers allowed: {list(importers)}"
    return text


def _retired_note(module_name: str) -> str:
    found = rule_for(module_name)
    if found is None:
        return ""
    rule, mode, _ = found
    return f" [retired by {rule.source}, mode {mode!r}: the file is still there]"


def _module_file(module: ModuleType) -> str:
    path = getattr(module, "__file__", None)
    return f"{module.__name__} from {path}" if path else repr(module)


def _short_repr(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")
