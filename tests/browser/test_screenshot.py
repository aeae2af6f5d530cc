"""`make screenshot` makes the README's pictures from a real run: the script works, and
each picture is a PNG of the size it promises."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

from tests.browser.conftest import chromium_executable

REPO_ROOT = Path(__file__).resolve().parents[2]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk, which always comes first."""
    head = path.read_bytes()[:24]
    assert head[:8] == PNG_SIGNATURE, f"{path.name} is not a PNG"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def test_make_screenshot_photographs_the_form_the_stats_and_a_dark_phone(tmp_path: Path) -> None:
    chromium_executable()  # skips or fails, as the other browser tests do, without one

    subprocess.run(
        [sys.executable, "scripts/screenshot.py", "--output-dir", str(tmp_path)],
        cwd=REPO_ROOT,
        check=True,
        timeout=300,
    )

    main_width, main_height = png_size(tmp_path / "screenshot.png")
    assert main_width == 960
    assert main_height > 900  # the whole page: the form, the result and My links
    stats_width, _ = png_size(tmp_path / "screenshot-stats.png")
    assert 360 <= stats_width <= 960  # the stats view's <main>, inside the desktop window
    assert png_size(tmp_path / "screenshot-phone-dark.png") == (360, 740)
