"""The parsed-config cache: start-up without tomllib, never stale, never trusted blindly."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ssot_guard import ConfigError, load_config
from ssot_guard._config import _cache

CONFIG = """\
[tool.ssot_guard]
mode = "warn"

[[tool.ssot_guard.block]]
module = "app.old"
use = "app.new"

[tool.ruff]
line-length = 100
"""


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private cache directory, and no two-second wait before a fresh file may be cached."""
    directory = tmp_path / "cache" / "ssot_guard"
    monkeypatch.setenv(_cache.CACHE_ENV, str(directory))
    monkeypatch.setattr(_cache, "RACY_SECONDS", -1.0)
    return directory


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "project" / "pyproject.toml"
    path.parent.mkdir()
    path.write_text(CONFIG, encoding="utf-8")
    return path


def cache_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.name.startswith("config-"))


def modules(path: Path) -> list[str]:
    return [r.target for r in load_config(path).rules]  # type: ignore[attr-defined]


def test_first_load_writes_one_private_file(cache: Path, config: Path) -> None:
    """The first load stores the table in a file only its owner can read or write."""
    assert modules(config) == ["app.old"]
    (stored,) = cache_files(cache)
    assert stored.stat().st_mode & 0o777 == 0o600
    assert cache.stat().st_mode & 0o777 == 0o700


def test_second_load_reads_the_cache_not_the_file(cache: Path, config: Path) -> None:
    """An unchanged file is answered from the cache (the cached table is what is used)."""
    modules(config)
    (stored,) = cache_files(cache)
    key, document = marshal.loads(stored.read_bytes())
    document["tool"]["ssot_guard"]["block"][0]["module"] = "app.from_cache"
    stored.write_bytes(marshal.dumps((key, document)))
    assert modules(config) == ["app.from_cache"]


def test_pyproject_keeps_only_our_table(cache: Path, config: Path) -> None:
    """The ruff, mypy and pytest tables are not stored: only ``tool.ssot_guard``."""
    modules(config)
    (stored,) = cache_files(cache)
    _, document = marshal.loads(stored.read_bytes())
    assert list(document["tool"]) == ["ssot_guard"]


def test_edit_with_same_size_and_mtime_is_seen(cache: Path, config: Path) -> None:
    """An edit that keeps size and modification time still changes ctime: never stale."""
    modules(config)
    before = config.stat()
    config.write_text(CONFIG.replace("app.old", "app.odd"), encoding="utf-8")
    os.utime(config, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert config.stat().st_size == before.st_size
    assert modules(config) == ["app.odd"]


def test_fresh_file_is_not_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file modified in the last two seconds is parsed, not cached ("racy git")."""
    directory = tmp_path / "cache"
    monkeypatch.setenv(_cache.CACHE_ENV, str(directory))
    path = tmp_path / "pyproject.toml"
    path.write_text(CONFIG, encoding="utf-8")
    assert modules(path) == ["app.old"]
    assert not directory.exists()


def test_corrupt_cache_is_ignored_and_rebuilt(cache: Path, config: Path) -> None:
    """A truncated or garbage file is ignored; the file is parsed and the cache rewritten."""
    modules(config)
    (stored,) = cache_files(cache)
    good = stored.read_bytes()
    stored.write_bytes(good[: len(good) // 2])
    assert modules(config) == ["app.old"]
    assert stored.read_bytes() == good


def test_foreign_key_is_ignored(cache: Path, config: Path, tmp_path: Path) -> None:
    """A file naming another key (another path, version or state) is not used."""
    modules(config)
    (stored,) = cache_files(cache)
    key, document = marshal.loads(stored.read_bytes())
    document["tool"]["ssot_guard"]["block"][0]["module"] = "app.foreign"
    stored.write_bytes(marshal.dumps(((*key[:-1], key[-1] + 1), document)))
    assert modules(config) == ["app.old"]


def test_code_objects_are_refused(cache: Path, config: Path) -> None:
    """Marshal can carry code objects: a cache holding anything but plain data is ignored."""
    modules(config)
    (stored,) = cache_files(cache)
    key, document = marshal.loads(stored.read_bytes())
    document["tool"]["ssot_guard"]["block"][0]["module"] = compile("1", "x", "eval")
    stored.write_bytes(marshal.dumps((key, document)))
    assert modules(config) == ["app.old"]


def test_cache_file_writable_by_others_is_ignored(cache: Path, config: Path) -> None:
    """A cache file that another user could have written is never read."""
    modules(config)
    (stored,) = cache_files(cache)
    key, document = marshal.loads(stored.read_bytes())
    document["tool"]["ssot_guard"]["block"][0]["module"] = "app.planted"
    stored.write_bytes(marshal.dumps((key, document)))
    stored.chmod(0o666)
    assert modules(config) == ["app.old"]


def test_cache_directory_writable_by_others_is_ignored(cache: Path, config: Path) -> None:
    """A directory others can write (they could swap files in) is not used at all."""
    modules(config)
    (stored,) = cache_files(cache)
    key, document = marshal.loads(stored.read_bytes())
    document["tool"]["ssot_guard"]["block"][0]["module"] = "app.planted"
    stored.write_bytes(marshal.dumps((key, document)))
    cache.chmod(0o777)
    assert modules(config) == ["app.old"]


def test_symlinked_cache_file_is_ignored(cache: Path, config: Path, tmp_path: Path) -> None:
    """A symlink in place of the cache file is not followed."""
    modules(config)
    (stored,) = cache_files(cache)
    elsewhere = tmp_path / "elsewhere"
    key, document = marshal.loads(stored.read_bytes())
    document["tool"]["ssot_guard"]["block"][0]["module"] = "app.planted"
    elsewhere.write_bytes(marshal.dumps((key, document)))
    elsewhere.chmod(0o600)
    stored.unlink()
    stored.symlink_to(elsewhere)
    assert modules(config) == ["app.old"]


def test_unwritable_location_costs_only_speed(
    tmp_path: Path, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cache path under a regular file (nothing can be created there): loading still works."""
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv(_cache.CACHE_ENV, str(blocker / "ssot_guard"))
    monkeypatch.setattr(_cache, "RACY_SECONDS", -1.0)
    assert modules(config) == ["app.old"]
    assert modules(config) == ["app.old"]


@pytest.mark.parametrize("value", ["off", "OFF", " Off\n"])
def test_off_writes_nothing(
    tmp_path: Path, config: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """``SSOT_GUARD_CACHE_DIR=off`` (any case, spaces around) turns the cache off."""
    monkeypatch.setenv(_cache.CACHE_ENV, value)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(_cache, "RACY_SECONDS", -1.0)
    assert modules(config) == ["app.old"]
    assert not (tmp_path / "xdg").exists()


def test_default_location_is_the_user_cache_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unset, the cache lives in ``$XDG_CACHE_HOME/ssot_guard``, else ``~/.cache/ssot_guard``."""
    monkeypatch.delenv(_cache.CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert _cache.cache_dir() == str(tmp_path / "xdg" / "ssot_guard")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert _cache.cache_dir() == str(tmp_path / "home" / ".cache" / "ssot_guard")


def test_threads_writing_at_once_leave_one_whole_file(cache: Path, config: Path) -> None:
    """Eight threads storing at once: each load is right, and one valid file remains."""
    results: list[list[str]] = []

    def load() -> None:
        results.append(modules(config))

    threads = [threading.Thread(target=load) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [["app.old"]] * 8
    (stored,) = cache_files(cache)  # no temporary file left behind
    assert marshal.loads(stored.read_bytes())[1]["tool"]["ssot_guard"]["mode"] == "warn"


def test_processes_writing_at_once_and_startup_skips_tomllib(tmp_path: Path, config: Path) -> None:
    """Six interpreters start at once and all install; the next one does not import tomllib."""
    directory = tmp_path / "proc-cache"
    env = {**os.environ, _cache.CACHE_ENV: str(directory), "SSOT_GUARD_CONFIG": str(config)}
    env.pop("SSOT_GUARD_MODE", None)
    time.sleep(_cache.RACY_SECONDS + 0.1)  # the config must be older than the racy window
    code = (
        "import sys, ssot_guard; g = ssot_guard.install(); "
        "print(len(g.rules), 'tomllib' in sys.modules)"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(6)
    ]
    outputs = [p.communicate(timeout=60)[0].strip() for p in procs]
    assert all(out.startswith("1 ") for out in outputs), outputs
    later = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert later.stdout.strip() == "1 False"
    assert len(cache_files(directory)) == 1


def test_fifo_in_place_of_the_cache_file_is_replaced(cache: Path, config: Path) -> None:
    """A FIFO where the cache file belongs neither blocks start-up nor stays: it is rebuilt."""
    modules(config)
    (stored,) = cache_files(cache)
    stored.unlink()
    os.mkfifo(stored, 0o600)
    code = (
        "import sys; from ssot_guard._config import _cache; _cache.RACY_SECONDS = -1.0; "
        "from ssot_guard import load_config; "
        "print([r.target for r in load_config(sys.argv[1]).rules])"
    )
    env = {**os.environ, _cache.CACHE_ENV: str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", code, str(config)],
        env=env,
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert done.stdout.strip() == "['app.old']", done.stderr
    assert stored.is_file()
    assert modules(config) == ["app.old"]


def test_config_swapped_while_being_read_is_not_cached_under_the_old_key(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A release symlink flipped between the stat and the read (a deploy, then a rollback):
    what was read is not stored as the old file's table, so the rollback gets its own rules."""
    for release, module in (("r1", "app.one"), ("r2", "app.two")):
        (tmp_path / release).mkdir()
        (tmp_path / release / "pyproject.toml").write_text(
            CONFIG.replace("app.old", module), encoding="utf-8"
        )
    current = tmp_path / "current"
    current.symlink_to("r1")
    stat_key = _cache.stat_key

    def key_then_flip(path: str) -> object:
        key = stat_key(path)
        current.unlink()
        current.symlink_to("r2")  # the deploy lands between our stat and our open
        return key

    monkeypatch.setattr(_cache, "stat_key", key_then_flip)
    assert modules(current / "pyproject.toml") == ["app.two"]
    monkeypatch.setattr(_cache, "stat_key", stat_key)
    current.unlink()
    current.symlink_to("r1")  # the rollback
    assert modules(current / "pyproject.toml") == ["app.one"]


@pytest.mark.parametrize("value", ["false", "0", "cache", "~/.cache/ssot_guard"])
def test_relative_cache_dir_is_an_error_naming_the_variable(
    tmp_path: Path, config: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """A relative ``SSOT_GUARD_CACHE_DIR`` would put a cache directory in every working
    directory a process starts in: refused in one error naming the variable and what is allowed."""
    monkeypatch.setenv(_cache.CACHE_ENV, value)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as caught:
        modules(config)
    assert str(caught.value) == (
        f"environment variable {_cache.CACHE_ENV}={value!r}: not an absolute path; "
        "set it to an absolute directory, or 'off' for no cache"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["project"]


def test_cache_dir_nested_deeper_than_makedirs_recurses_costs_only_speed(
    tmp_path: Path, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cache directory under 1,500 missing parents (``os.makedirs`` recurses once per
    parent, past the recursion limit): the configuration still loads."""
    deep = tmp_path.joinpath(*["d"] * 1500)
    monkeypatch.setenv(_cache.CACHE_ENV, str(deep))
    monkeypatch.setattr(_cache, "RACY_SECONDS", -1.0)
    assert modules(config) == ["app.old"]
    assert modules(config) == ["app.old"]


def test_discovery_past_a_pyproject_without_our_table_skips_tomllib_when_cached(
    tmp_path: Path,
) -> None:
    """Discovery reads a nested ``pyproject.toml`` without our table (holding a TOML date,
    which marshal cannot store) before the project's: both are answered from the cache at the
    next start, which imports no ``tomllib``."""
    project = tmp_path / "project"
    (project / "sub").mkdir(parents=True)
    (project / "pyproject.toml").write_text(CONFIG, encoding="utf-8")
    (project / "sub" / "pyproject.toml").write_text(
        "[tool.other]\nreleased = 1979-05-27T07:32:00Z\n", encoding="utf-8"
    )
    env = {**os.environ, _cache.CACHE_ENV: str(tmp_path / "cache")}
    for name in ("SSOT_GUARD_CONFIG", "SSOT_GUARD_MODE"):
        env.pop(name, None)
    code = (
        "import sys, ssot_guard; g = ssot_guard.install(); "
        "print(g.config.path, 'tomllib' in sys.modules)"
    )
    time.sleep(_cache.RACY_SECONDS + 0.1)  # older than the racy window: the first start caches
    runs = [
        subprocess.run(
            [sys.executable, "-c", code],
            cwd=project / "sub",
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        for _ in range(2)
    ]
    assert runs == [
        [str(project / "pyproject.toml"), "True"],
        [str(project / "pyproject.toml"), "False"],
    ]


@pytest.mark.parametrize(("index", "foreign"), [(0, 999), (1, ("/elsewhere/_cache.py", 1))])
def test_cache_written_by_another_ssot_guard_is_not_used(
    cache: Path, config: Path, index: int, foreign: object
) -> None:
    """A cache file whose key names another stored format or another ssot_guard install,
    found where ours belongs (a hash collision), is ignored and rewritten, whatever it holds."""
    modules(config)
    (stored,) = cache_files(cache)
    key, document = marshal.loads(stored.read_bytes())
    document["tool"]["ssot_guard"]["block"][0]["module"] = "app.other_version"
    stored.write_bytes(marshal.dumps(((*key[:index], foreign, *key[index + 1 :]), document)))
    assert modules(config) == ["app.old"]
    assert marshal.loads(stored.read_bytes())[0] == key  # rewritten with our key


def test_two_installs_sharing_a_config_keep_a_cache_file_each(
    cache: Path, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two ssot_guard installs (or Pythons) starting in turn do not overwrite each other's
    file at every start: each keeps its own, and each start is answered from it."""
    ours = _cache._version
    monkeypatch.setattr(_cache, "_version", lambda: ("/elsewhere/_cache.py", 1))
    modules(config)
    monkeypatch.setattr(_cache, "_version", ours)
    modules(config)
    assert len(cache_files(cache)) == 2
    for stored in cache_files(cache):
        key, document = marshal.loads(stored.read_bytes())
        if key[1] == ours():
            document["tool"]["ssot_guard"]["block"][0]["module"] = "app.from_our_file"
            stored.write_bytes(marshal.dumps((key, document)))
    assert modules(config) == ["app.from_our_file"]


def test_config_deleted_after_a_cache_hit_is_reported_not_a_traceback(
    cache: Path, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A discovered config removed between the cache's answer and the trust check is an
    error naming the file, as any missing config is, not an ``OSError`` from inside."""
    from ssot_guard._config import _load

    modules(config)
    load = _cache.load

    def load_then_delete(key: tuple[object, ...]) -> object:
        found = load(key)
        config.unlink()  # the race: gone after the key was taken and the cache answered
        return found

    monkeypatch.setattr(_cache, "load", load_then_delete)
    with pytest.raises(ConfigError) as info:
        _load.read_toml(str(config), discovered=True)
    assert info.value.file == str(config)


def test_missing_user_cache_dir_is_created_private_whatever_the_umask(
    tmp_path: Path, config: Path
) -> None:
    """A process with umask 0 creating ``~/.cache`` must not leave it writable by every
    user: other programs keep their caches there too. Created ``0700``, as XDG asks."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in (_cache.CACHE_ENV, "XDG_CACHE_HOME")}
    env["HOME"] = str(home)
    code = (
        "import os, sys; os.umask(0); from ssot_guard._config import _cache; "
        "_cache.RACY_SECONDS = -1.0; from ssot_guard import load_config; "
        "load_config(sys.argv[1])"
    )
    subprocess.run([sys.executable, "-c", code, str(config)], env=env, check=True)
    assert (home / ".cache" / "ssot_guard").is_dir()  # the cache was written
    assert (home / ".cache").stat().st_mode & 0o777 == 0o700


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_root_with_another_users_home_creates_nothing_there(
    tmp_path: Path, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Root run with another user's ``HOME`` (a Dockerfile's ``RUN`` before ``USER``, a sudo
    keeping ``HOME``) must not leave a root-owned ``~/.cache`` there, which that user could then
    neither use for this cache nor for any other program's."""
    home = tmp_path / "home"
    home.mkdir()
    os.chown(home, 65534, 65534)
    monkeypatch.delenv(_cache.CACHE_ENV)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(_cache, "RACY_SECONDS", -1.0)
    assert modules(config) == ["app.old"]
    assert list(home.iterdir()) == []


def test_a_miss_removes_abandoned_temporaries_and_long_unwritten_files(
    cache: Path, config: Path, tmp_path: Path
) -> None:
    """A writer killed mid-write leaves a temporary file, and other installs leave files no
    start reads: a miss removes those old enough, and nothing recent or not ours."""
    modules(config)
    (ours,) = cache_files(cache)
    old, recent = time.time() - 40 * 24 * 3600, time.time() - 60
    files = {
        "config-0123456789abcdef.4242.deadbeef.tmp": old,  # abandoned temporary
        "config-1111111111111111.4242.deadbeef.tmp": recent,  # a writer at work
        "config-2222222222222222": old,  # another install's, unwritten for 40 days
        "config-3333333333333333": recent,
        "notes.txt": old,  # not ours to remove
    }
    for name, mtime in files.items():
        (cache / name).write_bytes(b"x")
        os.utime(cache / name, (mtime, mtime))
    config.write_text(CONFIG + "\n# edited\n", encoding="utf-8")  # a miss: parsed and stored
    modules(config)
    assert sorted(p.name for p in cache.iterdir()) == sorted(
        [
            "config-1111111111111111.4242.deadbeef.tmp",
            "config-3333333333333333",
            "notes.txt",
            ours.name,
        ]
    )
