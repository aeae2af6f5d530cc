"""`sam build` makes what Lambda's python3.13 arm64 runtime can use as it is, and keeps the
layer lean: stripped native code, nothing left in it that no function uses (layers/Makefile).

The builds are made once per test session (tests/template/builds.py);
test_layer_runs.py runs the handlers on the layer's twin for this machine.
"""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from deploy.build_check import (
    EM_AARCH64,
    MAX_LAYER_BYTES,
    RUNTIME_PROVIDED,
    elf_machine,
    elf_sections,
    has_debug_info,
    layer_problems,
    unzipped_size,
)
from tests.template.builds import (
    LAYERS_DIR,
    Build,
    layer_twin,
    left_out_entries,
    python313_or_skip,
    sam_build,
)

pytestmark = pytest.mark.slow

FUNCTIONS = ("ShortenFunction", "RedirectFunction", "LinksFunction")
FUNCTION_PACKAGES = {"handlers", "domain", "repository"}
UNCHECKED_HASH_PYC = 0b01  # PEP 552 flags: hash-based, do not check the source


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    return sam_build(tmp_path_factory)


@pytest.fixture(scope="module")
def pyc_magic() -> bytes:
    print_magic = "import importlib.util as u, sys; sys.stdout.write(u.MAGIC_NUMBER.hex())"
    magic = subprocess.run(
        [python313_or_skip(), "-c", print_magic], capture_output=True, text=True, check=True
    ).stdout
    return bytes.fromhex(magic)


def pyc_for(source: Path) -> Path:
    return source.parent / "__pycache__" / f"{source.stem}.cpython-313.pyc"


def assert_bytecode_for_lambda(pyc_magic: bytes, directory: Path) -> int:
    """Every module has python3.13 bytecode that Lambda uses without checking the source."""
    sources = list(directory.rglob("*.py"))
    assert sources, f"no Python modules in {directory}"
    for source in sources:
        header = pyc_for(source).read_bytes()[:8]
        assert header[:4] == pyc_magic, f"{pyc_for(source)} was not written by 3.13"
        (flags,) = struct.unpack("<I", header[4:8])
        assert flags == UNCHECKED_HASH_PYC, f"{pyc_for(source)} is not unchecked-hash"
    strays = [p for p in directory.rglob("*.pyc") if not p.name.endswith(".cpython-313.pyc")]
    assert strays == [], "bytecode of another Python version"
    return len(sources)


def test_sam_build_succeeds(build):
    assert build.returncode == 0, build.output
    print(f"sam build: {build.seconds:.1f} s")  # shown with -s or -rP


# --- the layer ---------------------------------------------------------------------


@pytest.fixture
def layer_site(build: Build) -> Path:
    site = build.artifact("DependenciesLayer") / "python"
    assert site.is_dir(), "Lambda only puts /opt/python on sys.path"
    return site


@pytest.mark.parametrize("package", ["pydantic_core", "ada_url"])
def test_the_layers_native_extensions_are_aarch64_builds_for_cpython313(layer_site, package):
    extensions = list((layer_site / package).rglob("*.so"))
    assert extensions, f"no compiled extension in {package}"
    for extension in extensions:
        assert elf_machine(extension) == EM_AARCH64, f"{extension.name} is not AArch64"
        # CPython 3.13's own ABI, or the stable ABI (ada_url's cffi module is abi3).
        assert extension.name.endswith((".cpython-313-aarch64-linux-gnu.so", ".abi3.so"))
    (wheel,) = layer_site.glob(f"{package}-*.dist-info/WHEEL")
    fields = [line.partition(":") for line in wheel.read_text().splitlines()]
    tags = [value.strip() for key, _, value in fields if key == "Tag"]
    assert tags, wheel
    assert all(tag.startswith("cp313-") and tag.endswith("_aarch64") for tag in tags), tags


def test_every_native_library_in_the_layer_is_aarch64(layer_site):
    libraries = list(layer_site.rglob("*.so")) + list(layer_site.rglob("*.so.*"))
    assert libraries
    wrong = [p.name for p in libraries if elf_machine(p) != EM_AARCH64]
    assert wrong == []


def test_the_layer_ships_python313_bytecode(pyc_magic, layer_site):
    for package in ("pydantic", "pydantic_core", "ada_url", "aws_lambda_powertools", "shortuuid"):
        assert list((layer_site / package / "__pycache__").glob("*.cpython-313.pyc")), package
    assert assert_bytecode_for_lambda(pyc_magic, layer_site) > 100


def test_the_layer_leaves_out_what_the_runtime_provides(layer_site):
    shipped = {entry.name.lower() for entry in layer_site.iterdir()}
    assert "pydantic" in shipped
    for module, distribution in RUNTIME_PROVIDED.items():
        assert module not in shipped
        assert f"{module}.py" not in shipped
        assert not [d for d in shipped if d.startswith(f"{distribution}-")]


# --- a lean layer -------------------------------------------------------------------

NO_STRIP_TOOL = "WARNING: no strip tool"


@pytest.fixture
def stripped_layer_site(build: Build, layer_site: Path) -> Path:
    """The layer, if the build found a strip tool; CI must have one (.ci/run installs it)."""
    if NO_STRIP_TOOL in build.output:
        if os.environ.get("CI"):
            pytest.fail(f"CI must strip the layer's native code: {build.output}")
        pytest.skip("no strip tool here (see layers/Makefile's warning): the layer is too big")
    return layer_site


def test_the_build_check_make_build_runs_passes_on_the_real_layer(stripped_layer_site):
    assert layer_problems(stripped_layer_site.parent) == []


def test_the_layer_is_under_the_size_limit(build, stripped_layer_site, tmp_path):
    layer = stripped_layer_site.parent
    archive = tmp_path / "layer.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:  # as SAM zips it
        for path in sorted(layer.rglob("*")):
            zipped.write(path, path.relative_to(layer))
    sizes = {"DependenciesLayer": unzipped_size(layer)}
    sizes |= {logical_id: unzipped_size(build.artifact(logical_id)) for logical_id in FUNCTIONS}
    # Shown with -rP: the numbers to compare when a dependency changes.
    print(f"layer zipped: {archive.stat().st_size / 1e6:.2f} MB")
    print("\n".join(f"{name} unzipped: {size / 1e6:.2f} MB" for name, size in sizes.items()))

    assert sizes["DependenciesLayer"] < MAX_LAYER_BYTES


def test_the_layers_native_code_is_stripped_but_keeps_its_entry_points(stripped_layer_site):
    extensions = list(stripped_layer_site.rglob("*.so"))
    assert len(extensions) >= 3  # pydantic_core's, ada_url's, cffi's backend
    for extension in extensions:
        assert not has_debug_info(extension), f"{extension.name} kept its debug info"
        # Lambda cannot import it without its init function; strip must keep that.
        init_function = b"\0PyInit_" + extension.name.split(".")[0].encode() + b"\0"
        assert init_function in elf_sections(extension)[".dynstr"], extension.name


def test_nothing_left_out_is_in_the_layer(layer_site):
    entries = left_out_entries()
    assert "ada_url/ada.cpp" in entries  # the list is read, not empty
    for pattern in entries:
        assert list(layer_site.glob(pattern)) == [], pattern


def test_the_twin_holds_the_same_files_as_the_arm64_layer(layer_site, tmp_path_factory):
    """test_layer_runs.py proves the twin complete; this makes that proof hold for arm64."""
    twin = layer_twin(tmp_path_factory).artifact("DependenciesLayer") / "python"

    def files(site: Path) -> set[str]:
        return {
            re.sub(r"-(aarch64|x86_64)-linux-gnu\.so$", "-ARCH-linux-gnu.so", str(path))
            for path in (p.relative_to(site) for p in site.rglob("*") if p.is_file())
        }

    arm64, host = files(layer_site), files(twin)
    assert len(arm64) > 500
    assert sorted(arm64 ^ host) == []


# What layers/Makefile's leave-out step does with a LEFT_OUT list (no pip: fast).


def leave_out(artifacts: Path, left_out: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            "make",
            "--no-print-directory",
            "-s",
            "-C",
            LAYERS_DIR,
            "leave-out",
            f"ARTIFACTS_DIR={artifacts}",
            f"PYTHON313={sys.executable}",
            f"LEFT_OUT={left_out}",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def scratch_layer(tmp_path: Path) -> Path:
    """A layer's artifacts directory with a few files in python/."""
    for name in ("pkg/__init__.py", "pkg/build.py", "pkg/tests/test_x.py", "pkg/data.h"):
        (tmp_path / "python" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "python" / name).write_text("x = 1\n")
    return tmp_path


def test_leave_out_deletes_each_entry_and_says_why(scratch_layer):
    result = leave_out(
        scratch_layer, "# a comment\npkg/build.py   build script\npkg/tests  tests\n"
    )

    assert result.returncode == 0, result.stderr
    remaining = {str(p.relative_to(scratch_layer)) for p in scratch_layer.rglob("*") if p.is_file()}
    assert remaining == {"python/pkg/__init__.py", "python/pkg/data.h"}
    assert "left out pkg/build.py (0 kB): build script" in result.stdout


def test_leave_out_fails_on_an_entry_that_matches_nothing(scratch_layer):
    result = leave_out(scratch_layer, "pkg/data.h  header\npkg/renamed.py  gone in a new version\n")

    assert result.returncode != 0
    assert "match nothing in the layer: pkg/renamed.py." in result.stderr


def test_leave_out_fails_on_an_entry_without_a_reason(scratch_layer):
    result = leave_out(scratch_layer, "pkg/build.py\n")

    assert result.returncode != 0
    assert "'pkg/build.py' gives no reason" in result.stderr
    assert (scratch_layer / "python" / "pkg" / "build.py").exists()


# --- the functions -----------------------------------------------------------------


@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_each_function_ships_only_the_projects_packages(build, logical_id):
    artifact = build.artifact(logical_id)
    assert {entry.name for entry in artifact.iterdir()} == FUNCTION_PACKAGES
    assert list(artifact.rglob("*.dist-info")) == []
    assert list(artifact.rglob("*.so")) == []
    for package in FUNCTION_PACKAGES:
        assert (artifact / package / "__init__.py").is_file()


@pytest.mark.parametrize("logical_id", FUNCTIONS)
def test_each_function_ships_python313_bytecode(build, pyc_magic, logical_id):
    assert assert_bytecode_for_lambda(pyc_magic, build.artifact(logical_id)) >= len(
        FUNCTION_PACKAGES
    )
