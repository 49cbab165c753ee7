"""``@ssot_guard.deprecated``: PEP 702 for type checkers, a violation under the guard's mode."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import ssot_guard
from ssot_guard import DeprecatedUseError, SSOTWarning

MODULE = """\
import ssot_guard

@ssot_guard.deprecated("use build() instead")
def make():
    return "made"

@ssot_guard.deprecated("use Manager instead")
class OldManager:
    def __init__(self, name):
        self.name = name
"""


@pytest.fixture
def legacy(make_package):
    make_package({"app/legacy.py": MODULE})
    import app.legacy

    return app.legacy


def test_type_checkers_report_uses_of_marked_names(tmp_path: Path) -> None:
    """mypy sees PEP 702's decorator and reports a call of a marked function."""
    (tmp_path / "user.py").write_text(
        "import ssot_guard\n\n"
        "@ssot_guard.deprecated('use new() instead')\n"
        "def old() -> int:\n    return 1\n\n"
        "old()\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--enable-error-code", "deprecated", "user.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "user.py:7: error: function user.old is deprecated: use new() instead" in result.stdout


def test_marked_objects_carry_pep702_dunder(legacy) -> None:
    """At run time the marked function and class carry ``__deprecated__``, as PEP 702 says."""
    assert legacy.make.__deprecated__ == "use build() instead"
    assert legacy.OldManager.__deprecated__ == "use Manager instead"


def test_warn_records_each_call_site_once(legacy) -> None:
    """Warn: each calling line is one violation with a count, warned the first time only."""
    ssot_guard.install(rules=[], mode="warn")
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("always")
        for _ in range(3):
            assert legacy.make() == "made"
    (violation,) = ssot_guard.violations()
    assert (violation.kind, violation.name, violation.count) == (
        "deprecated-name",
        "app.legacy:make",
        3,
    )
    assert violation.filename == __file__
    assert violation.importer == __name__
    assert violation.reason == "use build() instead"
    assert [type(w.message) for w in shown] == [SSOTWarning]
    assert shown[0].filename == __file__


def test_strict_refuses_the_call(legacy) -> None:
    """Strict: calling a marked function raises ``DeprecatedUseError`` naming it."""
    ssot_guard.install(rules=[], mode="strict")
    with pytest.raises(DeprecatedUseError, match=r"use of deprecated name 'app.legacy:make'"):
        legacy.make()
    assert ssot_guard.violations()[0].mode == "strict"


def test_off_does_nothing(legacy) -> None:
    """Off: the marked function runs and nothing is recorded."""
    ssot_guard.install(rules=[], mode="off")
    assert legacy.make() == "made"
    assert ssot_guard.violations() == []


def test_instantiating_and_subclassing_a_marked_class_are_uses(legacy) -> None:
    """A marked class: creating an instance and defining a subclass are each a violation."""
    ssot_guard.install(rules=[], mode="warn")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        manager = legacy.OldManager("a")

        class Child(legacy.OldManager):
            pass

        child = Child("b")
    assert (manager.name, child.name) == ("a", "b")
    lines = sorted(v.lineno for v in ssot_guard.violations())
    assert len(lines) == 2  # the instance and the subclass; the subclass's instance is not a use
    assert {v.name for v in ssot_guard.violations()} == {"app.legacy:OldManager"}


def test_marking_needs_a_message_and_a_function_or_class() -> None:
    """Bare ``@deprecated`` or a non-callable target is a clear TypeError."""
    with pytest.raises(TypeError, match="takes the message as a string"):
        ssot_guard.deprecated(lambda: None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="marks functions and classes, not int"):
        ssot_guard.deprecated("x")(3)


def test_import_ssot_guard_does_not_import_typing_extensions(tmp_path: Path) -> None:
    """typing_extensions is imported when a name is marked, not by ``import ssot_guard``."""
    code = (
        "import sys, ssot_guard\n"
        "print('typing_extensions' in sys.modules)\n"
        "ssot_guard.deprecated('x')(lambda: None)\n"
        "print('typing_extensions' in sys.modules)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSOT_GUARD_")}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert result.stdout.split() == ["False", "True"]


def test_check_reports_imports_of_marked_names(tmp_path: Path) -> None:
    """``ssot-guard check`` treats a PEP 702-marked name as retired, with its message."""
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("", encoding="utf-8")
    (app / "legacy.py").write_text(
        "from typing_extensions import deprecated\nimport ssot_guard\n\n"
        "@ssot_guard.deprecated('use build() instead')\ndef make(): ...\n\n"
        "@deprecated('use Manager')\nclass Old: ...\n\n"
        "def fine(): ...\n",
        encoding="utf-8",
    )
    (app / "user.py").write_text(
        "from app.legacy import make, fine\nfrom app.legacy import Old\n", encoding="utf-8"
    )
    config = tmp_path / "ssot.toml"
    config.write_text("", encoding="utf-8")
    result = ssot_guard.check([tmp_path], config=config)
    found = [(f.path.rpartition("/")[2], f.line, f.code, f.message) for f in result.findings]
    assert found == [
        (
            "user.py",
            1,
            "SSOT301",
            "import of deprecated name 'app.legacy:make' (use build() instead) "
            f"[{app / 'legacy.py'}:4: @deprecated]",
        ),
        (
            "user.py",
            2,
            "SSOT301",
            "import of deprecated name 'app.legacy:Old' (use Manager) "
            f"[{app / 'legacy.py'}:7: @deprecated]",
        ),
    ]


def test_error_filter_refuses_every_call_at_a_site_not_only_the_first(legacy) -> None:
    """Under ``-W error`` each call from one line raises, as strict mode would; the second
    call does not run silently because the first one raised instead of showing."""
    ssot_guard.install(rules=[], mode="warn")
    with warnings.catch_warnings():
        warnings.simplefilter("error", SSOTWarning)
        for _ in range(2):
            with pytest.raises(SSOTWarning, match=r"app\.legacy:make"):
                legacy.make()


def test_marked_staticmethod_and_classmethod_keep_their_binding(make_package) -> None:
    """``@deprecated`` over ``@staticmethod``/``@classmethod`` marks the function and keeps
    the descriptor: called through an instance, no instance is passed in."""
    module = make_package(
        {
            "app/holder.py": (
                "import ssot_guard\n\n"
                "class Holder:\n"
                "    @ssot_guard.deprecated('use build() instead')\n"
                "    @staticmethod\n"
                "    def make(x):\n        return x\n\n"
                "    @ssot_guard.deprecated('use build() instead')\n"
                "    @classmethod\n"
                "    def named(cls, x):\n        return (cls.__name__, x)\n"
            )
        }
    )
    assert module
    from app.holder import Holder  # type: ignore[import-not-found]

    ssot_guard.install(rules=[], mode="warn")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert Holder().make(1) == Holder.make(1) == 1
        assert Holder().named(2) == Holder.named(2) == ("Holder", 2)
    assert {v.name for v in ssot_guard.violations()} == {
        "app.holder:Holder.make",
        "app.holder:Holder.named",
    }


def test_marked_coroutine_function_stays_a_coroutine_function(make_package) -> None:
    """A marked ``async def`` is still one for ``inspect`` and asyncio (frameworks such as
    FastAPI decide by that whether to await it); awaiting it is the recorded use."""
    import asyncio
    import inspect

    make_package(
        {
            "app/aio.py": (
                "import ssot_guard\n\n"
                "@ssot_guard.deprecated('use fetch() instead')\n"
                "async def old_fetch(x):\n    return x\n"
            )
        }
    )
    from app.aio import old_fetch  # type: ignore[import-not-found]

    assert inspect.iscoroutinefunction(old_fetch)

    async def caller() -> int:
        return await old_fetch(3)  # type: ignore[no-any-return]

    ssot_guard.install(rules=[], mode="warn")
    with pytest.warns(SSOTWarning, match=r"app\.aio:old_fetch"):
        assert asyncio.run(caller()) == 3
    (violation,) = ssot_guard.violations()
    assert (violation.filename, violation.lineno) == (
        __file__,
        caller.__code__.co_firstlineno + 1,
    )


def test_marked_generator_function_stays_a_generator_function(make_package) -> None:
    """A marked generator function is still one for ``inspect`` (pytest's yield fixtures,
    for one, decide by that); its values, ``send`` and return value pass through."""
    import inspect

    make_package(
        {
            "app/gen.py": (
                "import ssot_guard\n\n"
                "@ssot_guard.deprecated('use rows() instead')\n"
                "def old_rows():\n    got = yield 1\n    yield got\n    return 'done'\n"
            )
        }
    )
    from app.gen import old_rows  # type: ignore[import-not-found]

    assert inspect.isgeneratorfunction(old_rows)
    ssot_guard.install(rules=[], mode="warn")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = old_rows()
        assert next(rows) == 1
        assert rows.send("sent") == "sent"
        with pytest.raises(StopIteration) as stop:
            next(rows)
    assert stop.value.value == "done"
    assert [v.name for v in ssot_guard.violations()] == ["app.gen:old_rows"]


def test_marked_class_keeps_its_signature(legacy) -> None:
    """``inspect.signature`` of a marked class shows its ``__init__``'s parameters, not the
    wrapper's ``(*args, **kwargs)`` (IDEs, ``help()``, dependency injectors read it)."""
    import inspect

    assert str(inspect.signature(legacy.OldManager)) == "(name)"

    @ssot_guard.deprecated("gone")
    class Empty:
        pass

    assert str(inspect.signature(Empty)) == "()"


def test_use_of_a_marked_enum_generic_or_protocol_is_at_the_user_line() -> None:
    """Calling a marked Enum, a marked generic alias, or subclassing a marked Protocol is
    recorded at the user's line, not inside enum.py, typing.py or abc."""
    import enum
    import typing

    T = typing.TypeVar("T")

    @ssot_guard.deprecated("gone")
    class Color(enum.Enum):
        RED = 1

    @ssot_guard.deprecated("gone")
    class Box(typing.Generic[T]):
        pass

    @ssot_guard.deprecated("gone")
    class Shape(typing.Protocol):
        def area(self) -> float: ...

    ssot_guard.install(rules=[], mode="warn")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        Color(1)
        Box[int]()

        class Square(Shape):
            def area(self) -> float:
                return 1.0

    assert {v.filename for v in ssot_guard.violations()} == {__file__}
    assert len(ssot_guard.violations()) == 3


def test_marked_async_generator_function_stays_one_and_delegates(make_package) -> None:
    """A marked async generator function is still one for ``inspect`` (FastAPI's ``yield``
    dependencies decide by that); ``asend`` and ``athrow`` reach the original, so an
    ``asynccontextmanager`` built on it sees the error raised in its block."""
    import asyncio
    import contextlib
    import inspect

    make_package(
        {
            "app/agen.py": (
                "import ssot_guard\n\n"
                "seen = []\n\n"
                "@ssot_guard.deprecated('use session() instead')\n"
                "async def old_session():\n"
                "    try:\n"
                "        got = yield 'session'\n"
                "        seen.append(got)\n"
                "        yield 'again'\n"
                "    except KeyError as error:\n"
                "        seen.append(f'caught {error}')\n"
                "        if error.args == ('k',):\n"
                "            yield 'handled'\n"
                "    finally:\n"
                "        seen.append('closed')\n"
            )
        }
    )
    from app import agen  # type: ignore[attr-defined]

    assert inspect.isasyncgenfunction(agen.old_session)

    async def use() -> list[object]:
        rows = agen.old_session()
        got = [await rows.__anext__(), await rows.asend("sent")]
        await rows.aclose()
        again = agen.old_session()
        await again.__anext__()
        got.append(await again.athrow(KeyError("k")))
        await again.aclose()
        async with contextlib.asynccontextmanager(agen.old_session)():
            raise KeyError("in block")
        return got

    ssot_guard.install(rules=[], mode="warn")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert asyncio.run(use()) == ["session", "again", "handled"]
    assert agen.seen == [
        "sent",
        "closed",
        "caught 'k'",
        "closed",
        "caught 'in block'",
        "closed",
    ]
    assert {v.name for v in ssot_guard.violations()} == {"app.agen:old_session"}


def test_dataclass_replace_and_copy_of_a_marked_class_are_at_the_user_line() -> None:
    """``dataclasses.replace`` and ``copy.copy`` of an instance of a marked class create one
    through the class: recorded at the user's line, not inside dataclasses.py or copyreg.py."""
    import copy
    import dataclasses

    @ssot_guard.deprecated("gone")
    @dataclasses.dataclass
    class Point:
        x: int

    ssot_guard.install(rules=[], mode="warn")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        point = Point(1)
        ssot_guard.clear_violations()
        dataclasses.replace(point, x=2)
        copy.copy(point)
    assert [v.filename for v in ssot_guard.violations()] == [__file__] * 2


def test_a_bad_mode_in_the_environment_does_not_break_calls_of_marked_names() -> None:
    """``SSOT_GUARD_MODE`` with a typo and no guard: a marked function still runs (warn, the
    default), and the bad value is said once on stderr, not raised at every call."""
    code = (
        "import warnings, ssot_guard\n"
        "warnings.simplefilter('ignore')\n"
        "@ssot_guard.deprecated('use build() instead')\n"
        "def make():\n    return 'made'\n"
        "print(make(), make())\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSOT_GUARD_")}
    env["SSOT_GUARD_MODE"] = "stirct"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert (result.returncode, result.stdout) == (0, "made made\n"), result.stderr
    (line,) = result.stderr.splitlines()
    assert "SSOT_GUARD_MODE: unknown mode 'stirct'" in line
