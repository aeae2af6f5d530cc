"""The build check refuses what arm64 python3.13 Lambda cannot load, and a layer that is too
big or copies the runtime's own packages (fast; fake ELF files)."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from deploy.build_check import (
    EM_AARCH64,
    MAX_LAYER_BYTES,
    elf_sections,
    has_debug_info,
    layer_problems,
    main,
    unzipped_size,
)

EM_X86_64 = 62
ELF_HEADER_SIZE = SECTION_HEADER_SIZE = 64


def elf(path: Path, machine: int, sections: dict[str, bytes] | None = None) -> None:
    """A little-endian 64-bit ELF shared object: its header and, if any sections are given,
    those, the section-name table, and the section headers after them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    named = {"": b"", **sections, ".shstrtab": b""} if sections else {}
    name_table = b"".join(name.encode() + b"\0" for name in named)
    if named:
        named[".shstrtab"] = name_table
    body, headers = b"", b""
    name_offset, offset = 0, ELF_HEADER_SIZE
    for name, content in named.items():
        headers += struct.pack(
            "<IIQQQQIIQQ", name_offset, 1, 0, 0, offset, len(content), 0, 0, 1, 0
        )
        body += content
        name_offset, offset = name_offset + len(name) + 1, offset + len(content)
    section_table = offset if named else 0
    header = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9)
    header += struct.pack("<HHIQQQI", 3, machine, 1, 0, 0, section_table, 0)
    header += struct.pack(
        "<HHHHHH", ELF_HEADER_SIZE, 0, 0, SECTION_HEADER_SIZE, len(named), max(len(named) - 1, 0)
    )
    path.write_bytes(header + body + headers)


@pytest.fixture
def build_dir(tmp_path: Path) -> Path:
    site = tmp_path / "DependenciesLayer" / "python"
    elf(site / "pydantic_core" / "_pydantic_core.cpython-313-aarch64-linux-gnu.so", EM_AARCH64)
    elf(site / "ada_url" / "_ada_wrapper.abi3.so", EM_AARCH64)
    elf(site / "pkg.libs" / "libz.so.1", EM_AARCH64)
    (site / "pkg" / "__pycache__").mkdir(parents=True)
    (site / "pkg" / "__pycache__" / "mod.cpython-313.pyc").write_bytes(b"")
    return tmp_path


def layer_of(build_dir: Path) -> Path:
    return build_dir / "DependenciesLayer"


def test_a_good_layer_passes(build_dir, capsys):
    assert main([str(build_dir)]) == 0
    out = capsys.readouterr().out
    assert "all aarch64" in out
    assert "MB unzipped (limit 15.0 MB)" in out


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

    assert any("another Python" in problem for problem in layer_problems(layer_of(build_dir)))


@pytest.mark.parametrize(
    "shipped",
    [
        "boto3/__init__.py",
        "botocore/__init__.py",
        "six.py",
        "dateutil/__init__.py",
        "python_dateutil-2.9.0.post0.dist-info/METADATA",
        "jmespath-1.0.1.dist-info/RECORD",
        "urllib3/__init__.py",
        "s3transfer/__init__.py",
    ],
)
def test_a_copy_of_what_the_runtime_provides_fails_the_build(build_dir, capsys, shipped):
    path = build_dir / "DependenciesLayer" / "python" / shipped
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("")

    assert main([str(build_dir)]) == 1
    err = capsys.readouterr().err
    assert shipped.split("/")[0] in err
    assert "the Lambda runtime provides it" in err


def test_a_layer_of_15_mb_or_more_fails_the_build(build_dir, capsys):
    layer = layer_of(build_dir)
    padding = layer / "python" / "pkg" / "data.bin"
    with padding.open("wb") as file:  # sparse: the apparent size is what counts
        file.truncate(MAX_LAYER_BYTES - unzipped_size(layer) - 1)
    assert main([str(build_dir)]) == 0
    capsys.readouterr()

    with padding.open("ab") as file:
        file.write(b"x")  # now exactly 15 MB

    assert main([str(build_dir)]) == 1
    err = capsys.readouterr().err
    assert "15.0 MB unzipped, over the limit of 15.0 MB" in err
    assert "python/pkg/data.bin" in err  # named among the largest files


def test_an_oversized_layer_names_the_native_files_that_kept_their_debug_info(build_dir, capsys):
    site = layer_of(build_dir) / "python"
    elf(site / "fat" / "_fat.abi3.so", EM_AARCH64, {".text": b"\0" * 64, ".debug_info": b"\0" * 64})
    elf(
        site / "lean" / "_lean.abi3.so",
        EM_AARCH64,
        {".text": b"\0" * 64, ".dynstr": b"\0PyInit__lean\0"},
    )
    with (site / "pkg" / "data.bin").open("wb") as file:
        file.truncate(MAX_LAYER_BYTES)

    assert main([str(build_dir)]) == 1
    err = capsys.readouterr().err
    assert "debug info in python/fat/_fat.abi3.so:" in err
    assert "_lean" not in err.partition("debug info in")[2]


def test_elf_sections_are_read_by_name(tmp_path):
    library = tmp_path / "_x.abi3.so"
    elf(library, EM_AARCH64, {".text": b"code", ".dynstr": b"\0PyInit__x\0", ".debug_line": b"l"})

    sections = elf_sections(library)

    assert sections[".text"] == b"code"
    assert b"PyInit__x" in sections[".dynstr"]
    assert has_debug_info(library)


def test_a_file_without_a_section_table_has_no_sections(tmp_path):
    library = tmp_path / "_x.abi3.so"
    elf(library, EM_AARCH64)

    assert elf_sections(library) == {}
    assert not has_debug_info(library)


def test_a_truncated_section_table_is_an_error_not_a_crash(tmp_path):
    library = tmp_path / "_x.abi3.so"
    elf(library, EM_AARCH64, {".text": b"code"})
    library.write_bytes(library.read_bytes()[:-40])  # into the last section header

    with pytest.raises(ValueError, match="malformed ELF section table"):
        elf_sections(library)
    assert not has_debug_info(library)


def test_a_missing_build_is_an_error(tmp_path, capsys):
    assert main([str(tmp_path)]) == 1
    assert "sam build" in capsys.readouterr().err
