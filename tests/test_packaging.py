"""The built distributions: what a user who installs ssot-guard from a wheel or sdist gets.

The wheel and the sdist are built once per module by hatchling (the build backend pip would
use), in a subprocess from this checkout, and inspected as archives: nothing is installed.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tarfile
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DIST = "ssot_guard-0.1.0.dev0"
# What a rebuild from the sdist and a reader of it need, and nothing else at its top level.
SDIST_TOP_LEVEL = {
    ".ci",
    ".gitignore",
    ".pre-commit-hooks.yaml",
    "ARCHITECTURE.md",
    "CHANGELOG.md",
    "LICENSE",
    "PKG-INFO",
    "README.md",
    "benchmarks",
    "docs",
    "examples",
    "mkdocs.yml",
    "noxfile.py",
    "pyproject.toml",
    "src",
    "tests",
}


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The wheel and the sdist built from this checkout."""
    if importlib.util.find_spec("hatchling") is None:
        pytest.skip("building the distributions needs hatchling (the 'test' extra)")
    out = tmp_path_factory.mktemp("dists")
    script = textwrap.dedent(
        """
        import sys
        from hatchling.build import build_sdist, build_wheel
        print(build_wheel(sys.argv[1]))
        print(build_sdist(sys.argv[1]))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    wheel, sdist = result.stdout.split()
    return out / wheel, out / sdist


def _wheel_names(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


def _sdist_names(sdist: Path) -> list[str]:
    with tarfile.open(sdist) as archive:
        return [name.removeprefix(f"{DIST}/") for name in archive.getnames()]


def test_wheel_holds_the_package_its_type_marker_and_the_start_up_path_file(
    dists: tuple[Path, Path],
) -> None:
    """The wheel ships ``py.typed``, the autoinstall ``.pth`` at its root, and no tests."""
    names = _wheel_names(dists[0])
    assert "ssot_guard/py.typed" in names
    assert "ssot_guard_autoinstall.pth" in names
    top = {name.split("/")[0] for name in names}
    assert top == {"ssot_guard", "ssot_guard_autoinstall.pth", f"{DIST}.dist-info"}, top


def test_wheel_declares_the_console_script_and_the_pytest_plugin(
    dists: tuple[Path, Path],
) -> None:
    """``ssot-guard`` and the ``pytest11`` entry point are registered by installing the wheel."""
    with zipfile.ZipFile(dists[0]) as archive:
        entry_points = archive.read(f"{DIST}.dist-info/entry_points.txt").decode()
    assert "[console_scripts]\nssot-guard = ssot_guard._cli:main" in entry_points
    assert "[pytest11]\nssot_guard = ssot_guard._pytest" in entry_points


def test_sdist_holds_only_the_project_files(dists: tuple[Path, Path]) -> None:
    """No stray file (a shell redirect's ``=1.4``, a cache) at the sdist's top level."""
    top = {name.split("/")[0] for name in _sdist_names(dists[1]) if name != DIST}
    assert top == SDIST_TOP_LEVEL, top ^ SDIST_TOP_LEVEL


def test_both_distributions_ship_the_license_text(dists: tuple[Path, Path]) -> None:
    """MIT asks for its notice in every copy: LICENSE is in the sdist and the wheel's metadata."""
    assert "LICENSE" in _sdist_names(dists[1])
    assert f"{DIST}.dist-info/licenses/LICENSE" in _wheel_names(dists[0])


def test_wheel_metadata_declares_the_python_floor_and_the_optional_extras(
    dists: tuple[Path, Path],
) -> None:
    """``Requires-Python >=3.11``; ``otel`` and ``fix`` bring only what their error names."""
    with zipfile.ZipFile(dists[0]) as archive:
        metadata = archive.read(f"{DIST}.dist-info/METADATA").decode()
    lines = set(metadata.splitlines())
    assert "Requires-Python: >=3.11" in lines
    assert {"Provides-Extra: otel", "Provides-Extra: fix"} <= lines
    assert "Requires-Dist: opentelemetry-api>=1.27; extra == 'otel'" in lines
    assert "Requires-Dist: libcst>=1.4; extra == 'fix'" in lines
    runtime = sorted(
        line for line in lines if line.startswith("Requires-Dist:") and "extra" not in line
    )
    assert runtime == ["Requires-Dist: typing-extensions>=4.7", "Requires-Dist: wrapt>=1.16"]
