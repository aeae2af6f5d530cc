"""Refuse a `sam build` whose layer Lambda could not load: `make build` runs this.

The layer is built on an x86_64 machine for arm64 Lambda with `pip --platform`; one
wheel without an aarch64 build would silently bring an x86_64 (or wrong-Python)
extension that fails only at import time in Lambda. This looks at every native file.
"""

from __future__ import annotations

import argparse
import struct
import sys
from pathlib import Path

EM_AARCH64 = 183  # ELF e_machine for AArch64
# CPython 3.13's own ABI tag, or the stable ABI (e.g. ada_url's cffi module).
EXTENSION_SUFFIXES = (".cpython-313-aarch64-linux-gnu.so", ".abi3.so")
LAYER_SITE = Path("DependenciesLayer") / "python"


def elf_machine(path: Path) -> int:
    """The ELF e_machine of a 64-bit ELF file; ValueError for anything else."""
    header = path.read_bytes()[:20]
    if header[:4] != b"\x7fELF" or header[4] != 2:
        raise ValueError(f"{path} is not a 64-bit ELF file")
    byte_order = "<" if header[5] == 1 else ">"
    (machine,) = struct.unpack(f"{byte_order}H", header[18:20])
    return int(machine)


def layer_problems(site: Path) -> list[str]:
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy check-build", description=__doc__)
    parser.add_argument("build_dir", type=Path, nargs="?", default=Path(".aws-sam/build"))
    arguments = parser.parse_args(argv)
    site = arguments.build_dir / LAYER_SITE
    if not site.is_dir():
        print(f"check-build: no layer at {site}; run `sam build` first", file=sys.stderr)
        return 1
    problems = layer_problems(site)
    for problem in problems:
        print(f"check-build: {problem}", file=sys.stderr)
    if problems:
        return 1
    count = len([*site.rglob("*.so"), *site.rglob("*.so.*")])
    print(f"check-build: {count} native files in the layer, all aarch64 for CPython 3.13")
    return 0
