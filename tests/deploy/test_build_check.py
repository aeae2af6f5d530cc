"""The build check refuses what arm64 python3.13 Lambda cannot load (fast; fake ELF files)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from deploy.build_check import EM_AARCH64, layer_problems, main

EM_X86_64 = 62


def elf(path: Path, machine: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    header = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9) + struct.pack("<HH", 3, machine)
    path.write_bytes(header + bytes(64))


@pytest.fixture
def build_dir(tmp_path: Path) -> Path:
    site = tmp_path / "DependenciesLayer" / "python"
    elf(site / "pydantic_core" / "_pydantic_core.cpython-313-aarch64-linux-gnu.so", EM_AARCH64)
    elf(site / "ada_url" / "_ada_wrapper.abi3.so", EM_AARCH64)
    elf(site / "pkg.libs" / "libz.so.1", EM_AARCH64)
    (site / "pkg" / "__pycache__").mkdir(parents=True)
    (site / "pkg" / "__pycache__" / "mod.cpython-313.pyc").write_bytes(b"")
    return tmp_path


def test_a_good_layer_passes(build_dir, capsys):
    assert main([str(build_dir)]) == 0
    assert "all aarch64" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("name", "machine", "complaint"),
    [
        ("x/_x.cpython-313-x86_64-linux-gnu.so", EM_X86_64, "not AArch64"),
        ("x/_x.cpython-312-aarch64-linux-gnu.so", EM_AARCH64, "CPython 3.13"),
        ("x.libs/libfoo.so.2", EM_X86_64, "not AArch64"),
    ],
)
def test_a_wrong_native_file_fails_the_build(build_dir, capsys, name, machine, complaint):
    elf(build_dir / "DependenciesLayer" / "python" / name, machine)

    assert main([str(build_dir)]) == 1
    assert complaint in capsys.readouterr().err


def test_bytecode_of_another_python_fails(build_dir):
    site = build_dir / "DependenciesLayer" / "python"
    (site / "pkg" / "__pycache__" / "mod.cpython-311.pyc").write_bytes(b"")

    assert any("another Python" in problem for problem in layer_problems(site))


def test_a_missing_build_is_an_error(tmp_path, capsys):
    assert main([str(tmp_path)]) == 1
    assert "sam build" in capsys.readouterr().err
