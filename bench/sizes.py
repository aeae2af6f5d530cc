"""What `sam build` made: the layer's and the functions' size, unzipped and zipped.

Read from .aws-sam/build as `make build` leaves it (one directory per logical id).
Lambda limits the unzipped total of a function and its layers to 250 MB; every MB
is also read from storage on a cold start. "MB" here is 10^6 bytes.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from bench import functions
from bench.report import Comparison, Metric, Section, Target, markdown_table, megabytes
from deploy.build_check import MAX_LAYER_BYTES
from deploy.build_check import RUNTIME_PROVIDED as RUNTIME_PROVIDED_DISTRIBUTIONS
from sam_template.document import REPO_ROOT, resources_of_type

BUILD_DIR = REPO_ROOT / ".aws-sam" / "build"
LAYER_TYPE = "AWS::Serverless::LayerVersion"
# The limit and the runtime's own packages are make build's (deploy/build_check.py).
LAYER_TARGET = Target(Comparison.BELOW, MAX_LAYER_BYTES, f"{MAX_LAYER_BYTES / 1e6:g} MB")
RUNTIME_PROVIDED = frozenset(RUNTIME_PROVIDED_DISTRIBUTIONS)
DIST_INFO_ROW = "*.dist-info (package metadata)"


@dataclass(frozen=True)
class Entry:
    name: str
    size: int


@dataclass(frozen=True)
class Built:
    logical_id: str
    unzipped: int
    zipped: int
    bytecode: int
    entries: list[Entry]  # top-level entries, largest first

    @property
    def runtime_provided(self) -> list[str]:
        return [e.name for e in self.entries if import_name(e.name) in RUNTIME_PROVIDED]


@dataclass(frozen=True)
class SizesResult:
    build_dir: Path
    layers: list[Built]
    functions: list[Built]
    missing: list[str]  # logical ids with no build output


def tree_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def zipped_size(directory: Path) -> int:
    """Bytes of a deflated zip of the directory, as `sam deploy` uploads it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(directory))
    return buffer.tell()


def import_name(entry: str) -> str:
    """ "six.py" -> "six", "botocore" -> "botocore", "boto3-1.0.dist-info" -> "boto3"."""
    if entry.endswith(".dist-info"):
        return entry.split("-", 1)[0].lower().replace("python_dateutil", "dateutil")
    return entry.removesuffix(".py").split(".", 1)[0]


def top_level_entries(root: Path) -> list[Entry]:
    """Each top-level package or module with its size; the metadata directories in one row."""
    entries: list[Entry] = []
    metadata = 0
    for path in root.iterdir():
        if path.name.endswith(".dist-info") and import_name(path.name) not in RUNTIME_PROVIDED:
            metadata += tree_size(path)
        else:
            entries.append(Entry(path.name, tree_size(path)))
    if metadata:
        entries.append(Entry(DIST_INFO_ROW, metadata))
    return sorted(entries, key=lambda e: (-e.size, e.name))


def measure_built(logical_id: str, directory: Path, *, layer: bool) -> Built:
    # A Python layer's packages sit under python/ (Lambda puts /opt/python on sys.path).
    packages = directory / "python" if layer and (directory / "python").is_dir() else directory
    return Built(
        logical_id=logical_id,
        unzipped=tree_size(directory),
        zipped=zipped_size(directory),
        bytecode=sum(f.stat().st_size for f in directory.rglob("*.pyc")),
        entries=top_level_entries(packages),
    )


def measure(build_dir: Path = BUILD_DIR) -> SizesResult:
    template = functions.application().template
    layer_ids = sorted(resources_of_type(template, LAYER_TYPE))
    function_ids = [f.logical_id for f in functions.application().functions]
    missing = [i for i in [*layer_ids, *function_ids] if not (build_dir / i).is_dir()]
    return SizesResult(
        build_dir=build_dir,
        layers=[measure_built(i, build_dir / i, layer=True) for i in layer_ids if i not in missing],
        functions=[
            measure_built(i, build_dir / i, layer=False) for i in function_ids if i not in missing
        ],
        missing=missing,
    )


def metrics(result: SizesResult) -> list[Metric]:
    rows: list[Metric] = []
    for layer in result.layers:
        rows.append(
            Metric(
                f"layer {layer.logical_id}, unzipped",
                layer.unzipped,
                f"{megabytes(layer.unzipped)} ({megabytes(layer.zipped)} zipped)",
                LAYER_TARGET,
            )
        )
        provided = layer.runtime_provided
        rows.append(
            Metric(
                f"layer {layer.logical_id}: packages the runtime provides",
                len(provided),
                ", ".join(provided) or "none",
                Target(Comparison.EQUAL, 0, "none"),
            )
        )
    rows += [
        Metric(
            f"function code {built.logical_id}, unzipped",
            built.unzipped,
            f"{megabytes(built.unzipped)} ({megabytes(built.zipped)} zipped)",
        )
        for built in result.functions
    ]
    rows += [
        Metric(f"build output {logical_id}", None, f"not in {_shown(result.build_dir)}")
        for logical_id in result.missing
    ]
    return rows


def section(result: SizesResult) -> Section:
    parts = [
        f"From `{_shown(result.build_dir)}` as `make build` (`sam build`) left it. Zipped:"
        " deflated as `sam deploy` uploads it. Bytecode: the .pyc files the build ships so"
        " that Lambda never compiles at a cold start."
    ]
    parts += [
        f"**{built.logical_id}**: {megabytes(built.unzipped)} unzipped,"
        f" {megabytes(built.zipped)} zipped, of which {megabytes(built.bytecode)} bytecode."
        for built in [*result.layers, *result.functions]
    ]
    for layer in result.layers:
        rows = [
            [
                e.name,
                megabytes(e.size),
                f"{100 * e.size / layer.unzipped:.1f} %",
                "**the runtime has it**" if import_name(e.name) in RUNTIME_PROVIDED else "",
            ]
            for e in layer.entries
        ]
        parts.append(
            f"What is in {layer.logical_id} (python/), by top-level entry:\n\n"
            + markdown_table(["entry", "size", "share", ""], rows, right_aligned=(1, 2))
        )
    if result.missing:
        parts.append(f"Not built: {', '.join(result.missing)} (run `make build`).")
    return Section("Sizes", "\n\n".join(parts))


def _shown(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)
