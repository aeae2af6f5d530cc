"""`sam build` makes what Lambda's python3.13 arm64 runtime can use as it is.

One build per test session (shared by pytest-xdist workers), into a temporary directory.
It downloads wheels from PyPI (pip's cache makes a rebuild fast).
"""

from __future__ import annotations

import fcntl
import json
import os
import struct
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from deploy.build_check import EM_AARCH64, elf_machine, layer_problems
from tests.template.conftest import REPO_ROOT, find_python313, find_tool, tool_env

pytestmark = pytest.mark.slow

FUNCTIONS = ("ShortenFunction", "RedirectFunction", "LinksFunction")
FUNCTION_PACKAGES = {"handlers", "domain", "repository"}
# What the python3.13 Lambda runtime provides: a copy in the layer would shadow it.
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath", "urllib3", "dateutil", "six")
UNCHECKED_HASH_PYC = 0b01  # PEP 552 flags: hash-based, do not check the source


@dataclass(frozen=True)
class Build:
    returncode: int
    output: str = field(repr=False)  # shown by the assertions that need it
    seconds: float
    directory: Path
    pyc_magic: bytes

    def artifact(self, logical_id: str) -> Path:
        assert self.returncode == 0, self.output
        return self.directory / logical_id


def _shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory all xdist workers of this session share (each has its own basetemp)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    sam = find_tool("SAM", ".venv-sam/bin/sam")
    python313 = find_python313()
    if python313 is None:
        pytest.skip("CPython 3.13 not found (scripts/find-python): Lambda bytecode needs it")
    print_magic = "import importlib.util as u, sys; sys.stdout.write(u.MAGIC_NUMBER.hex())"
    magic = subprocess.run(
        [python313, "-c", print_magic],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    root = _shared_dir(tmp_path_factory) / "sam-build"
    root.mkdir(exist_ok=True)
    result_file = root / "result.json"
    with (root / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the first worker builds; the others wait and reuse
        if not result_file.exists():
            started = time.monotonic()
            completed = subprocess.run(
                [
                    sam,
                    "build",
                    "--no-cached",
                    "--build-dir",
                    root / "build",
                    "--cache-dir",
                    root / "cache",
                ],
                cwd=REPO_ROOT,
                env=tool_env(PATH=f"{python313.parent}{os.pathsep}{os.environ.get('PATH', '')}"),
                capture_output=True,
                text=True,
                timeout=900,
                check=False,
            )
            result_file.write_text(
                json.dumps(
                    {
                        "returncode": completed.returncode,
                        "output": completed.stdout + completed.stderr,
                        "seconds": time.monotonic() - started,
                    }
                )
            )
    result = json.loads(result_file.read_text())
    return Build(directory=root / "build", pyc_magic=bytes.fromhex(magic), **result)


def pyc_for(source: Path) -> Path:
    return source.parent / "__pycache__" / f"{source.stem}.cpython-313.pyc"


def assert_bytecode_for_lambda(build: Build, directory: Path) -> int:
    """Every module has python3.13 bytecode that Lambda uses without checking the source."""
    sources = list(directory.rglob("*.py"))
    assert sources, f"no Python modules in {directory}"
    for source in sources:
        header = pyc_for(source).read_bytes()[:8]
        assert header[:4] == build.pyc_magic, f"{pyc_for(source)} was not written by 3.13"
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


def test_the_build_check_make_build_runs_passes_on_the_real_layer(layer_site):
    assert layer_problems(layer_site) == []


def test_the_layer_ships_python313_bytecode(build, layer_site):
    for package in ("pydantic", "pydantic_core", "ada_url", "aws_lambda_powertools", "shortuuid"):
        assert list((layer_site / package / "__pycache__").glob("*.cpython-313.pyc")), package
    assert assert_bytecode_for_lambda(build, layer_site) > 100


def test_the_layer_leaves_out_what_the_runtime_provides(layer_site):
    shipped = {entry.name.lower() for entry in layer_site.iterdir()}
    for name in RUNTIME_PROVIDED:
        assert name not in shipped
        assert not [d for d in shipped if d.startswith(f"{name}-") and d.endswith(".dist-info")]
    assert not (layer_site / "python_dateutil").exists()


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
def test_each_function_ships_python313_bytecode(build, logical_id):
    assert assert_bytecode_for_lambda(build, build.artifact(logical_id)) >= len(FUNCTION_PACKAGES)
