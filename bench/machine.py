"""What the numbers were measured on: CPU, cores, Python, OS."""

from __future__ import annotations

import os
import platform
from pathlib import Path

CPUINFO = Path("/proc/cpuinfo")
OS_RELEASE = Path("/etc/os-release")


def describe_machine(python_version: str) -> list[tuple[str, str]]:
    """(label, value) pairs; python_version is that of the interpreters measured."""
    return [
        ("CPU", f"{cpu_model()}, {os.cpu_count()} cores ({platform.machine()})"),
        ("Python", python_version),
        ("OS", f"{os_name()} (kernel {platform.release()})"),
    ]


def cpu_model(cpuinfo: Path = CPUINFO) -> str:
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    for line in text.splitlines():
        key, _, value = line.partition(":")
        # x86 names it "model name"; some arm64 kernels only give "CPU part" numbers.
        if key.strip() == "model name" and value.strip():
            return value.strip()
    return platform.processor() or "unknown CPU"


def os_name(os_release: Path = OS_RELEASE) -> str:
    try:
        text = os_release.read_text(encoding="utf-8")
    except OSError:
        return platform.system()
    for line in text.splitlines():
        if line.startswith("PRETTY_NAME="):
            return line.partition("=")[2].strip().strip('"')
    return platform.system()
