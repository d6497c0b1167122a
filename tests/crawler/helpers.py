"""Shared test helpers for the crawler tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def warcio_check(path: Path) -> subprocess.CompletedProcess:
    """Run the real ``warcio check`` command on a WARC file."""
    return subprocess.run(
        [sys.executable, "-c", "import sys; from warcio.cli import main; sys.exit(main())", "check", "-v", str(path)],
        capture_output=True, text=True, check=False,
    )
