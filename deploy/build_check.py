"""Refuse a `sam build` whose layer Lambda could not load, or should not: `make build` runs this.

The layer is built on an x86_64 machine for arm64 Lambda with `pip --platform`; one
wheel without an aarch64 build would silently bring an x86_64 (or wrong-Python)
extension that fails only at import time in Lambda. This looks at every native file.
It also keeps the layer lean (layers/Makefile prunes it): under a size limit, and
without its own copy of what the runtime provides (boto3 and its dependencies), which
would shadow the runtime's.
"""

from __future__ import annotations

import argparse
import struct
import sys
from pathlib import Path

EM_AARCH64 = 183  # ELF e_machine for AArch64
# CPython 3.13's own ABI tag, or the stable ABI (e.g. ada_url's cffi module).
EXTENSION_SUFFIXES = (".cpython-313-aarch64-linux-gnu.so", ".abi3.so")
LAYER = Path("DependenciesLayer")
# Unzipped, as Lambda unpacks it at /opt. layers/Makefile prunes it to ~12.7 MB; the
# limit catches a new dependency, or a lost strip step, adding megabytes unnoticed.
MAX_LAYER_BYTES = 15_000_000
# What the python3.13 runtime provides, import name -> distribution name: a copy in the
# layer would shadow the runtime's own.
RUNTIME_PROVIDED = {
    "boto3": "boto3",
    "botocore": "botocore",
    "s3transfer": "s3transfer",
    "jmespath": "jmespath",
    "urllib3": "urllib3",
    "dateutil": "python_dateutil",
    "six": "six",
}


def elf_machine(path: Path) -> int:
    """The ELF e_machine of a 64-bit ELF file; ValueError for anything else."""
    header = path.read_bytes()[:20]
    if header[:4] != b"\x7fELF" or header[4] != 2:
        raise ValueError(f"{path} is not a 64-bit ELF file")
    byte_order = "<" if header[5] == 1 else ">"
    (machine,) = struct.unpack(f"{byte_order}H", header[18:20])
    return int(machine)


def elf_sections(path: Path) -> dict[str, bytes]:
    """The sections of a 64-bit ELF file by name, with their contents; ValueError if it is
    not one, or its section table is malformed."""
    elf_machine(path)
    data = path.read_bytes()
    byte_order = "<" if data[5] == 1 else ">"
    try:
        (table_offset,) = struct.unpack_from(f"{byte_order}Q", data, 0x28)
        entry_size, count, names_index = struct.unpack_from(f"{byte_order}HHH", data, 0x3A)
        # Each section header: name offset, type, flags, address, file offset, size, ...
        headers = [
            struct.unpack_from(f"{byte_order}IIQQQQ", data, table_offset + index * entry_size)
            for index in range(count)
        ]
        names_at, names_size = headers[names_index][4:6] if headers else (0, 0)
        names = data[names_at : names_at + names_size]
        return {
            names[offset : names.index(b"\0", offset)].decode(): data[start : start + size]
            for offset, _, _, _, start, size in headers
        }
    except (struct.error, IndexError, ValueError) as exc:
        raise ValueError(f"{path}: malformed ELF section table ({exc})") from exc


def has_debug_info(path: Path) -> bool:
    """Whether a native file carries debug sections (False if it is no readable ELF)."""
    try:
        return any(name.startswith(".debug_") for name in elf_sections(path))
    except ValueError:
        return False


def native_code_problems(site: Path) -> list[str]:
    """What in a layer's python/ directory Lambda's python3.13 on arm64 cannot load."""
    problems = []
    for library in sorted([*site.rglob("*.so"), *site.rglob("*.so.*")]):
        where = library.relative_to(site)
        try:
            machine = elf_machine(library)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        if machine != EM_AARCH64:
            problems.append(f"{where}: built for ELF machine {machine}, not AArch64 ({EM_AARCH64})")
        # Extension modules carry an ABI tag; bare `.so` names are shared libraries.
        tagged = library.suffix == ".so" and library.name.count(".") > 1
        if tagged and not library.name.endswith(EXTENSION_SUFFIXES):
            problems.append(f"{where}: not an extension module for CPython 3.13 on aarch64")
    problems += [
        f"{bytecode.relative_to(site)}: bytecode of another Python"
        for bytecode in site.rglob("*.pyc")
        if ".cpython-313." not in bytecode.name
    ]
    return problems


def runtime_provided_problems(site: Path) -> list[str]:
    """Copies in the layer of what the Lambda runtime provides (they would shadow its own)."""
    shipped = [
        path
        for module, distribution in RUNTIME_PROVIDED.items()
        for path in [
            site / module,
            site / f"{module}.py",
            *site.glob(f"{distribution}-*.dist-info"),
        ]
    ]
    return [
        f"{path.relative_to(site)}: the Lambda runtime provides it; leave it out of the layer"
        for path in sorted(shipped)
        if path.exists()
    ]


def size_problems(layer: Path) -> list[str]:
    """The layer's unzipped size, if it is MAX_LAYER_BYTES or more, with its largest files."""
    files = sorted((path for path in layer.rglob("*") if path.is_file()), key=_size, reverse=True)
    total = sum(map(_size, files))
    if total < MAX_LAYER_BYTES:
        return []
    largest = ", ".join(
        f"{path.relative_to(layer)} {_megabytes(_size(path))}" for path in files[:5]
    )
    problem = (
        f"the layer is {_megabytes(total)} unzipped, over the limit of "
        f"{_megabytes(MAX_LAYER_BYTES)} (largest files: {largest})"
    )
    unstripped = [
        str(path.relative_to(layer))
        for path in files
        if (path.name.endswith(".so") or ".so." in path.name) and has_debug_info(path)
    ]
    if unstripped:
        problem += (
            f"; debug info in {', '.join(unstripped)}: layers/Makefile strips it when it"
            " finds a strip tool (it warned that it found none)"
        )
    return [problem]


def layer_problems(layer: Path) -> list[str]:
    """Everything wrong with a built layer directory (the one holding python/)."""
    site = layer / "python"
    return [*native_code_problems(site), *runtime_provided_problems(site), *size_problems(layer)]


def unzipped_size(directory: Path) -> int:
    return sum(_size(path) for path in directory.rglob("*") if path.is_file())


def _size(path: Path) -> int:
    return path.stat().st_size


def _megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy check-build", description=__doc__)
    parser.add_argument("build_dir", type=Path, nargs="?", default=Path(".aws-sam/build"))
    arguments = parser.parse_args(argv)
    layer = arguments.build_dir / LAYER
    site = layer / "python"
    if not site.is_dir():
        print(f"check-build: no layer at {site}; run `sam build` first", file=sys.stderr)
        return 1
    problems = layer_problems(layer)
    for problem in problems:
        print(f"check-build: {problem}", file=sys.stderr)
    if problems:
        return 1
    count = len([*site.rglob("*.so"), *site.rglob("*.so.*")])
    print(
        f"check-build: {count} native files in the layer, all aarch64 for CPython 3.13; "
        f"{_megabytes(unzipped_size(layer))} unzipped (limit {_megabytes(MAX_LAYER_BYTES)}), "
        "no copy of what the runtime provides"
    )
    return 0
