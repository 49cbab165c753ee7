"""The pytest plugin: ``[tool.ssot_guard]`` enforced in every test run.

Registered as the ``pytest11`` entry point ``ssot_guard`` (``-p no:ssot_guard``
turns it off). With no configuration and no option it does nothing at all.
This module holds the hooks only; each delegates to one part:
``_options`` (options, ini keys, settings), ``_session`` (the run's guard and
what it saw), ``_scope`` (one test's markers and fixture rules), ``_fixtures``
and ``_summary`` (header, summary section, exit status, xdist).

The guard is installed from ``pytest_load_initial_conftests`` (tryfirst), after
pytest has put its assertion rewriter into ``sys.meta_path`` and before any
``conftest.py`` is imported, so conftests and collection are guarded and our
finder is first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from .._base._errors import ConfigError, PreloadedModuleError
from .._runtime._guard import active_guard
from . import _options, _scope, _summary
from ._fixtures import ssot_guard, ssot_violations
from ._session import SESSION, Session, session_of

if TYPE_CHECKING:
    from collections.abc import Generator

__all__ = ["ssot_guard", "ssot_violations"]  # the fixtures: pytest finds them here


def pytest_addoption(parser: pytest.Parser) -> None:
    _options.add_options(parser)


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    try:
        settings = _options.read_settings(early_config)
        if settings is None:
            return
        session = Session(settings)
        session.start()
    except ConfigError as error:
        raise pytest.UsageError(f"ssot_guard: {error}") from None
    except PreloadedModuleError as error:
        raise pytest.UsageError(str(error)) from None
    early_config.stash[SESSION] = session
    early_config.add_cleanup(session.stop)


def pytest_configure(config: pytest.Config) -> None:
    _scope.register_markers(config)


def pytest_report_header(config: pytest.Config) -> str | None:
    return _summary.header(config)


def pytest_collectstart(collector: pytest.Collector) -> None:
    session = session_of(collector.config)
    if session is not None:
        session.keep_first()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    session = session_of(item.config)
    if session is not None:
        session.begin_phase(item, "setup")
    _scope.set_up(item)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    session = session_of(item.config)
    if session is not None:
        session.begin_phase(item, "call")
    return (yield)


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, object, object]:
    session = session_of(item.config)
    if session is not None:
        session.begin_phase(item, "teardown")
    try:
        return (yield)
    finally:
        _scope.tear_down(item)


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(
    fixturedef: Any, request: pytest.FixtureRequest
) -> Generator[None, object, object]:
    before = active_guard()
    result = yield
    _scope.fixture_set_up(request.config, fixturedef, before)
    return result


def pytest_fixture_post_finalizer(fixturedef: Any, request: pytest.FixtureRequest) -> None:
    _scope.fixture_finished(request.config, fixturedef)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item) -> Generator[None, pytest.TestReport, object]:
    report = yield
    session = session_of(item.config)
    if session is not None:
        session.end_phase(report)
    return report


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    _summary.merge_worker(node)


@pytest.hookimpl(trylast=True)  # after pytest tore down the fixtures an interrupt left set up
def pytest_sessionfinish(session: pytest.Session) -> None:
    _scope.close_left_open(session.config)
    _summary.finish(session)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    _summary.summary(terminalreporter, config)
